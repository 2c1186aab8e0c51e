-- PostgreSQL twin of sqlite/0010_digests.sql.
CREATE TABLE digests (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE outbox ADD COLUMN digest_id TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_digest ON outbox (digest_id) WHERE digest_id != '';
