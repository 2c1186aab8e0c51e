-- The saved lookup index of the cases, for the cases version it was built
-- at, so that a CLI command loads it instead of building it; a per-case
-- content hash, so that re-reading a changed file writes only the cases
-- that changed. Files are re-read once, to fill in the hashes and because
-- ownership moves between files now mark the old file as changed.
CREATE TABLE case_index (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    data    BLOB NOT NULL
);
ALTER TABLE cases ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_file ON cases (file);
UPDATE case_files SET hash = '';
