-- Several vigil serve on one database (PostgreSQL; SQLite keeps one serve
-- per database and leaves these empty). An outbox row in sending names
-- the replica that claimed it and until when its claim holds: the replica
-- renews it while it sends, and the leader requeues a claim that ran out
-- (its replica died mid-send). leases holds the leader's lease, taken and
-- renewed by one conditional statement; replicas holds each live
-- replica's heartbeat, so that they share the platforms' rate ceilings.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_sending ON outbox (platform, chat) WHERE state = 'sending';
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL
);
CREATE TABLE replicas (
    id   TEXT PRIMARY KEY,
    seen INTEGER NOT NULL
);
