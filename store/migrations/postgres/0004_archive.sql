-- PostgreSQL twin of sqlite/0004_archive.sql.
ALTER TABLE cases ADD COLUMN archived_at BIGINT NOT NULL DEFAULT 0;
