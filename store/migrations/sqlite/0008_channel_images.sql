-- Whether a channel's posts carry the share card picture: 1 on, 0 off,
-- NULL (every channel so far) follows the config's images setting.
ALTER TABLE channels ADD COLUMN images INTEGER;
