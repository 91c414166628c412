-- Triage: every report keeps its assessment; incidents keep their public
-- attention and the flags that ask an operator to look; trained models and
-- the labelled texts they learn from; the gazetteer; counts of public posts
-- that were not about an incident (counted, never stored).

-- +goose Up
ALTER TABLE reports ADD COLUMN assessment TEXT;
ALTER TABLE incidents ADD COLUMN category_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN attention REAL NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN attention_summary TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN flags TEXT NOT NULL DEFAULT '';

CREATE TABLE places (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL,
	names       TEXT NOT NULL DEFAULT '{}',
	aliases     TEXT NOT NULL DEFAULT '[]',
	zone_code   TEXT,
	lat         REAL,
	lon         REAL,
	common_word INTEGER NOT NULL DEFAULT 0,
	added_by    TEXT NOT NULL DEFAULT 'pack'
);

CREATE TABLE models (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	metrics    TEXT NOT NULL DEFAULT '{}',
	data       BLOB NOT NULL,
	UNIQUE (name, version)
);

CREATE TABLE labelled_examples (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	model      TEXT NOT NULL,
	label      TEXT NOT NULL,
	text       TEXT NOT NULL,
	source     TEXT NOT NULL,
	report_id  INTEGER,
	actor_id   TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX labelled_examples_model ON labelled_examples (model, id);

CREATE TABLE dropped_posts (
	day     TEXT NOT NULL,
	channel TEXT NOT NULL,
	count   INTEGER NOT NULL,
	PRIMARY KEY (day, channel)
);

-- +goose Down
DROP TABLE dropped_posts;
DROP TABLE labelled_examples;
DROP TABLE models;
DROP TABLE places;
ALTER TABLE incidents DROP COLUMN flags;
ALTER TABLE incidents DROP COLUMN attention_summary;
ALTER TABLE incidents DROP COLUMN attention;
ALTER TABLE incidents DROP COLUMN category_reason;
ALTER TABLE reports DROP COLUMN assessment;
