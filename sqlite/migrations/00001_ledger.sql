-- The incident ledger. Times are Unix milliseconds (see sqlstore.toMillis).
-- Incidents and reports get their ids from the intake writer, which holds
-- the write lock (sqlstore.allocateIDs); rows are never deleted, so ids are
-- never reused.

-- +goose Up
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE zones (
	code       TEXT PRIMARY KEY,
	names      TEXT NOT NULL,
	population INTEGER NOT NULL DEFAULT 0,
	geometry   TEXT NOT NULL,
	position   INTEGER NOT NULL
);

CREATE TABLE categories (
	code     TEXT PRIMARY KEY,
	names    TEXT NOT NULL,
	priority INTEGER NOT NULL,
	position INTEGER NOT NULL
);

CREATE TABLE units (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	call_sign    TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	capabilities TEXT NOT NULL DEFAULT '[]',
	home_zone    TEXT
);

CREATE TABLE incidents (
	id              INTEGER PRIMARY KEY,
	status          TEXT NOT NULL,
	category        TEXT NOT NULL DEFAULT '',
	priority        INTEGER NOT NULL,
	priority_reason TEXT NOT NULL DEFAULT '',
	zone_code       TEXT,
	lat             REAL,
	lon             REAL,
	summary         TEXT NOT NULL,
	owner           TEXT NOT NULL,
	report_count    INTEGER NOT NULL DEFAULT 0,
	merged_into     INTEGER REFERENCES incidents (id),
	reason          TEXT,
	public_message  TEXT,
	version         INTEGER NOT NULL DEFAULT 1,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX incidents_status ON incidents (status, id);
CREATE INDEX incidents_zone ON incidents (zone_code, id);
CREATE INDEX incidents_created ON incidents (created_at);

CREATE TABLE reports (
	id              INTEGER PRIMARY KEY,
	incident_id     INTEGER NOT NULL REFERENCES incidents (id),
	channel         TEXT NOT NULL,
	external_id     TEXT,
	idempotency_key TEXT UNIQUE,
	request_hash    TEXT NOT NULL,
	text            TEXT NOT NULL,
	language        TEXT,
	lat             REAL,
	lon             REAL,
	place           TEXT,
	media           TEXT,
	reporter        TEXT,
	source          TEXT,
	occurred_at     INTEGER,
	received_at     INTEGER NOT NULL,
	submitted_by    TEXT NOT NULL
);
CREATE UNIQUE INDEX reports_external ON reports (channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX reports_incident ON reports (incident_id);

CREATE TABLE timeline (
	id                INTEGER PRIMARY KEY,
	incident_id       INTEGER NOT NULL REFERENCES incidents (id),
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
CREATE INDEX timeline_incident ON timeline (incident_id, id);

CREATE TABLE api_tokens (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL,
	role        TEXT NOT NULL,
	zones       TEXT NOT NULL DEFAULT '',
	secret_hash TEXT NOT NULL UNIQUE,
	created_at  INTEGER NOT NULL,
	created_by  TEXT NOT NULL,
	expires_at  INTEGER,
	revoked_at  INTEGER
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE timeline;
DROP TABLE reports;
DROP TABLE incidents;
DROP TABLE units;
DROP TABLE categories;
DROP TABLE zones;
DROP TABLE settings;
