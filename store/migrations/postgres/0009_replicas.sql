-- PostgreSQL twin of sqlite/0009_replicas.sql.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claim_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_sending ON outbox (platform, chat) WHERE state = 'sending';
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  BIGINT NOT NULL
);
CREATE TABLE replicas (
    id   TEXT PRIMARY KEY,
    seen BIGINT NOT NULL
);
