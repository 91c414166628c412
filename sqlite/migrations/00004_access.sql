-- Access: accounts and their sessions, the hash-chained audit trail,
-- clearance for publication and public statements.

-- +goose Up
CREATE TABLE users (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	username        TEXT NOT NULL UNIQUE,
	display_name    TEXT NOT NULL,
	email           TEXT,
	role            TEXT NOT NULL,
	zones           TEXT NOT NULL DEFAULT '',
	password_hash   TEXT,
	must_change     INTEGER NOT NULL DEFAULT 1,
	totp_secret     TEXT,
	totp_pending    TEXT,
	totp_last_step  INTEGER NOT NULL DEFAULT 0,
	failures        INTEGER NOT NULL DEFAULT 0,
	first_failure   INTEGER,
	locked_until    INTEGER,
	disabled_at     INTEGER,
	oidc_issuer     TEXT,
	oidc_subject    TEXT,
	created_at      INTEGER NOT NULL,
	created_by      TEXT NOT NULL
);
CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE sessions (
	secret_hash TEXT PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users (id),
	created_at  INTEGER NOT NULL,
	seen_at     INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	remote      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	actor_id   TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	actor_role TEXT NOT NULL,
	action     TEXT NOT NULL,
	object     TEXT NOT NULL,
	zone       TEXT NOT NULL,
	detail     TEXT NOT NULL,
	remote     TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_object ON audit_log (object, id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TABLE audit_head (
	one       INTEGER PRIMARY KEY CHECK (one = 1),
	last_id   INTEGER NOT NULL,
	last_hash TEXT NOT NULL
);
INSERT INTO audit_head (one, last_id, last_hash) VALUES (1, 0, '');
-- The application only appends. (Someone with the database file can drop
-- these; the hash chain is what shows it.)
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- +goose StatementEnd

ALTER TABLE incidents ADD COLUMN cleared_at INTEGER;
ALTER TABLE incidents ADD COLUMN cleared_by TEXT;
CREATE TABLE statements (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	language    TEXT NOT NULL,
	text        TEXT NOT NULL,
	published_at INTEGER NOT NULL,
	published_by TEXT NOT NULL
);
CREATE INDEX statements_incident ON statements (incident_id);
CREATE INDEX statements_published ON statements (published_at);

-- +goose Down
DROP TABLE statements;
ALTER TABLE incidents DROP COLUMN cleared_by;
ALTER TABLE incidents DROP COLUMN cleared_at;
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
