-- The field plan: where the command and the district heads want units to
-- be seen, and why, until when (times are Unix ms).

-- +goose Up
CREATE TABLE directives (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	zone_code    TEXT NOT NULL,
	lat          REAL NOT NULL,
	lon          REAL NOT NULL,
	radius_m     INTEGER NOT NULL,
	place        TEXT NOT NULL DEFAULT '',
	starts_at    INTEGER NOT NULL,
	ends_at      INTEGER NOT NULL,
	instruction  TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	withdrawn_at INTEGER,
	withdrawn_by TEXT
);
CREATE INDEX directives_ends ON directives (ends_at);

-- +goose Down
DROP TABLE directives;
