-- PostgreSQL twin of sqlite/0002_outbox_day.sql.
ALTER TABLE outbox ADD COLUMN day TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_day ON outbox (platform, chat, day);
