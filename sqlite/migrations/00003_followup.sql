-- Dispatch and follow-up: units' live state, assignments, the deadline of
-- every open incident, the event log (the incidents' timelines and the
-- units' changes, in one sequence that live screens resume from), the
-- notification outbox, and who is told of escalations.

-- +goose Up
ALTER TABLE units ADD COLUMN shift TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN status TEXT NOT NULL DEFAULT 'available';
ALTER TABLE units ADD COLUMN status_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN lat REAL;
ALTER TABLE units ADD COLUMN lon REAL;
ALTER TABLE units ADD COLUMN position_at INTEGER;
ALTER TABLE units ADD COLUMN incident_id INTEGER;

CREATE TABLE assignments (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	unit_id     INTEGER NOT NULL REFERENCES units (id),
	assigned_at INTEGER NOT NULL,
	assigned_by TEXT NOT NULL,
	en_route_at INTEGER,
	on_scene_at INTEGER,
	cleared_at  INTEGER,
	released    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX assignments_incident ON assignments (incident_id);
CREATE INDEX assignments_unit ON assignments (unit_id, id);

ALTER TABLE incidents ADD COLUMN outcome TEXT;
-- The stage the incident must reach next, when it is due, how far up the
-- escalation chain it has gone, and when the follow-up worker must look at
-- it again (NULL: nothing more to do).
ALTER TABLE incidents ADD COLUMN deadline_stage TEXT;
ALTER TABLE incidents ADD COLUMN deadline_at INTEGER;
ALTER TABLE incidents ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN timer_at INTEGER;
ALTER TABLE incidents ADD COLUMN informed_at INTEGER;
CREATE INDEX incidents_timer ON incidents (timer_at) WHERE timer_at IS NOT NULL;

-- The timeline becomes the event log: events of units have no incident.
CREATE TABLE timeline_new (
	id                INTEGER PRIMARY KEY,
	incident_id       INTEGER REFERENCES incidents (id),
	unit_id           INTEGER,
	zone_code         TEXT,
	at                INTEGER NOT NULL,
	actor_id          TEXT NOT NULL,
	actor_name        TEXT NOT NULL,
	kind              TEXT NOT NULL,
	from_status       TEXT,
	to_status         TEXT,
	report_id         INTEGER,
	other_incident_id INTEGER,
	detail            TEXT,
	public_message    TEXT
);
INSERT INTO timeline_new (id, incident_id, zone_code, at, actor_id, actor_name, kind, from_status, to_status, report_id,
	other_incident_id, detail, public_message)
	SELECT t.id, t.incident_id, i.zone_code, t.at, t.actor_id, t.actor_name, t.kind, t.from_status, t.to_status, t.report_id,
	t.other_incident_id, t.detail, t.public_message FROM timeline t JOIN incidents i ON i.id = t.incident_id;
DROP TABLE timeline;
ALTER TABLE timeline_new RENAME TO timeline;
CREATE INDEX timeline_incident ON timeline (incident_id, id);
CREATE INDEX timeline_unit ON timeline (unit_id, id) WHERE unit_id IS NOT NULL;

CREATE TABLE notifications (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at      INTEGER NOT NULL,
	channel         TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL DEFAULT '',
	body            TEXT NOT NULL DEFAULT '',
	data            TEXT,
	secret          TEXT,
	dedup_key       TEXT NOT NULL UNIQUE,
	incident_id     INTEGER,
	report_id       INTEGER,
	status          TEXT NOT NULL DEFAULT 'pending',
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT,
	sent_at         INTEGER
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_incident ON notifications (incident_id) WHERE incident_id IS NOT NULL;

CREATE TABLE contacts (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	name      TEXT NOT NULL,
	role      TEXT NOT NULL,
	zone_code TEXT,
	channel   TEXT NOT NULL,
	address   TEXT NOT NULL,
	language  TEXT NOT NULL DEFAULT 'fr',
	secret    TEXT
);

CREATE TABLE leases (
	name  TEXT PRIMARY KEY,
	owner TEXT NOT NULL,
	until INTEGER NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP TABLE contacts;
DROP TABLE notifications;
DROP INDEX incidents_timer;
ALTER TABLE incidents DROP COLUMN informed_at;
ALTER TABLE incidents DROP COLUMN timer_at;
ALTER TABLE incidents DROP COLUMN escalation_level;
ALTER TABLE incidents DROP COLUMN deadline_at;
ALTER TABLE incidents DROP COLUMN deadline_stage;
ALTER TABLE incidents DROP COLUMN outcome;
DROP TABLE assignments;
ALTER TABLE units DROP COLUMN incident_id;
ALTER TABLE units DROP COLUMN position_at;
ALTER TABLE units DROP COLUMN lon;
ALTER TABLE units DROP COLUMN lat;
ALTER TABLE units DROP COLUMN status_since;
ALTER TABLE units DROP COLUMN status;
ALTER TABLE units DROP COLUMN shift;
