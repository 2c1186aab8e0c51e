-- The channel's local date a scheduled post belongs to, so that a day's
-- plan is made once per channel and re-planned only while nothing of it
-- has gone out (the daily limit counts per local day).
ALTER TABLE outbox ADD COLUMN day TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_day ON outbox (platform, chat, day);
