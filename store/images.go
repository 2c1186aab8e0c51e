package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SetImages sets whether the channel's posts carry the share card
// picture (nil: as the config says), creating the channel with defaults
// if it was never configured, and returns the channel as it is now.
func (s *Store) SetImages(ctx context.Context, platform, chat string, on *bool, defaults Channel, now time.Time) (Channel, error) {
	chat, err := guardChat(platform, chat)
	if err != nil {
		return Channel{}, fmt.Errorf("store: images of %s:%s: %w", platform, chat, err)
	}
	var v sql.NullBool
	if on != nil {
		v = sql.NullBool{Bool: *on, Valid: true}
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		defaults.Platform, defaults.Chat = platform, chat
		if err := ensureChannel(ctx, tx, defaults, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE channels SET images = ? WHERE platform = ? AND chat = ?`, v, platform, chat)
		return err
	})
	if err != nil {
		return Channel{}, fmt.Errorf("store: images of %s:%s: %w", platform, chat, err)
	}
	return s.Channel(ctx, platform, chat)
}

// NotePart records the id of the part of a post that the platform has
// delivered while the post is still being sent (the photo of a
// photo-and-text post), so that a retry, or the next start after a
// crash, sends only the rest (Post.MessageID is then that part's id).
// Like finishing the post, it requires this store's claim on it
// (SetReplica): a replica whose claim ran out no longer writes.
func (s *Store) NotePart(ctx context.Context, id int64, part string) error {
	r, err := s.db.ExecContext(ctx, `UPDATE outbox SET message_id = ? WHERE id = ? AND state = 'sending' AND claimed_by = ?`, part, id, s.replica)
	if err != nil {
		return fmt.Errorf("store: note part of post %d: %w", id, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("store: note part of post %d: it is not being sent (by this replica)", id)
	}
	return nil
}
