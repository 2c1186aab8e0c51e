-- Alerts as news: follow-ups, corrections and retraction. An alert keeps
-- its current text (message, corrected in place) and when it was
-- withdrawn; alert_ops records each follow-up and correction. Every
-- outbox row of an alert names it (alert_id), an operation on a delivered
-- copy names that copy's outbox row (target_id), and a delivered row keeps
-- the platform's id of its message (message_id), so that the copy can be
-- replied to, edited or deleted later.
ALTER TABLE alerts ADD COLUMN retracted_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE alert_ops (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts (id),
    kind       TEXT NOT NULL CHECK (kind IN ('follow_up', 'correction')),
    message    TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX alert_ops_alert ON alert_ops (alert_id);
ALTER TABLE outbox ADD COLUMN alert_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN target_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
UPDATE outbox SET alert_id = coalesce(json_extract(payload, '$.alert_id'), 0) WHERE kind = 'alert';
UPDATE outbox SET message_id = coalesce((SELECT d.message_id FROM deliveries d
    WHERE d.outbox_id = outbox.id AND d.ok = 1 ORDER BY d.id DESC LIMIT 1), '') WHERE state = 'sent';
CREATE INDEX outbox_alert ON outbox (alert_id, kind) WHERE alert_id != 0;
