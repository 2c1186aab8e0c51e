-- When a case was archived (Unix milliseconds), 0 when it is live. An
-- archived case keeps its record and history but is left out of lookups,
-- lists, plans and posts (vigil archive ID; --undo brings it back).
ALTER TABLE cases ADD COLUMN archived_at INTEGER NOT NULL DEFAULT 0;
