-- The size and modification time of each case file at its last import,
-- so that read-only CLI commands can see that nothing changed without
-- reading and hashing every file. -1: not known yet (the next import
-- fills it in).
ALTER TABLE case_files ADD COLUMN size INTEGER NOT NULL DEFAULT -1;
ALTER TABLE case_files ADD COLUMN mtime INTEGER NOT NULL DEFAULT 0;
