-- A digest's header and lines are stored once, however many channels get
-- the same digest on a day (the channels of one group: same countries,
-- language and zone), instead of once in every outbox row: at 10,000
-- channels the copies made a day's plan hundreds of megabytes. A digest's
-- outbox row names its body by digest_id (a hash of the body); rows
-- queued before keep their payload whole and digest_id empty.
CREATE TABLE digests (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
ALTER TABLE outbox ADD COLUMN digest_id TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_digest ON outbox (digest_id) WHERE digest_id != '';
