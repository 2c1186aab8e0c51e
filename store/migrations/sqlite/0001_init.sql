-- Case records. data holds the whole case as JSON (dates at their
-- precision, e.g. "2021-02"); the other columns are what queries filter on.
CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    country      TEXT NOT NULL,
    status       TEXT NOT NULL,
    status_as_of TEXT NOT NULL,
    file         TEXT NOT NULL,
    data         TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX cases_country ON cases (country, name);

-- What each case file held when last imported, so that unchanged files
-- are skipped without parsing.
CREATE TABLE case_files (
    path        TEXT PRIMARY KEY,
    hash        TEXT NOT NULL,
    ids         TEXT NOT NULL, -- JSON array of case ids
    imported_at INTEGER NOT NULL
);

-- Status changes seen by imports; a scheduled post announces each once.
CREATE TABLE status_changes (
    id         INTEGER PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    old_status TEXT NOT NULL,
    new_status TEXT NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX status_changes_time ON status_changes (changed_at);

-- A chat, group or channel on one platform, with its settings.
CREATE TABLE channels (
    platform      TEXT NOT NULL,
    chat          TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    post_time     TEXT NOT NULL,
    language      TEXT NOT NULL,
    paused_reason TEXT NOT NULL DEFAULT '',
    paused_at     INTEGER NOT NULL DEFAULT 0,
    refusals      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (platform, chat)
);

CREATE TABLE subscriptions (
    platform   TEXT NOT NULL,
    chat       TEXT NOT NULL,
    country    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (platform, chat, country),
    FOREIGN KEY (platform, chat) REFERENCES channels (platform, chat)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX subscriptions_country ON subscriptions (country);

-- Urgent alerts pushed by editors; each fans out into outbox rows.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    message    TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Posts to deliver. key is unique per (occurrence, channel): enqueueing
-- the same occurrence twice is harmless.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    platform   TEXT NOT NULL,
    chat       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    case_id    TEXT NOT NULL DEFAULT '',
    payload    TEXT NOT NULL DEFAULT '{}',
    due_at     INTEGER NOT NULL,
    next_at    INTEGER NOT NULL,
    state      TEXT NOT NULL DEFAULT 'queued'
               CHECK (state IN ('queued', 'sending', 'sent', 'skipped', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    done_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (state, next_at);

-- Every send attempt, successful or not.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    message_id   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_outbox ON deliveries (outbox_id);

-- Small counters, e.g. cases_version: bumped by every import that changes
-- a case, so a running daemon knows to rebuild its lookup index.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
