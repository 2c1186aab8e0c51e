-- PostgreSQL twin of sqlite/0005_letters.sql: counts per case and day,
-- and nothing else (no user id, hash or time of day).
CREATE TABLE letter_counts (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    count   BIGINT NOT NULL CHECK (count > 0),
    PRIMARY KEY (case_id, day)
);
