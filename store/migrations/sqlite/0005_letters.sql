-- Letters recorded by "I wrote" presses: a count per case and day, and
-- nothing else. No user id, hash or time of day is kept here: who wrote
-- is checked in memory only (bot/letters.go), so the database cannot tell
-- who wrote to whom.
CREATE TABLE letter_counts (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    day     TEXT NOT NULL, -- YYYY-MM-DD, UTC
    count   INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (case_id, day)
) WITHOUT ROWID;
