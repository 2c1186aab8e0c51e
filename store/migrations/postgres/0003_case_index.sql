-- PostgreSQL twin of sqlite/0003_case_index.sql (BLOB is BYTEA).
CREATE TABLE case_index (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    data    BYTEA NOT NULL
);
ALTER TABLE cases ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_file ON cases (file);
UPDATE case_files SET hash = '';
