-- PostgreSQL twin of sqlite/0007_case_file_stat.sql.
ALTER TABLE case_files ADD COLUMN size BIGINT NOT NULL DEFAULT -1;
ALTER TABLE case_files ADD COLUMN mtime BIGINT NOT NULL DEFAULT 0;
