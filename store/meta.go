package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Meta returns the counter key, 0 if unset.
func (s *Store) Meta(ctx context.Context, key string) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: meta %s: %w", key, err)
	}
	return v, nil
}

// SetMeta sets the counter key.
func (s *Store) SetMeta(ctx context.Context, key string, v int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, v)
	if err != nil {
		return fmt.Errorf("store: set meta %s: %w", key, err)
	}
	return nil
}

// CasesVersion returns a number that grows whenever an import adds or
// changes a case, so that a long-running process knows when to rebuild
// its lookup index.
func (s *Store) CasesVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = 'cases_version'), 0)`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: cases version: %w", err)
	}
	return v, nil
}

// ChannelsVersion returns a number that changes whenever a channel's
// subscriptions or settings change, so the planner knows to plan again.
func (s *Store) ChannelsVersion(ctx context.Context) (int64, error) {
	return s.Meta(ctx, "channels_version")
}

// bumpChannelsVersion moves ChannelsVersion.
func bumpChannelsVersion(ctx context.Context, db execer) error {
	_, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('channels_version', 1)
		ON CONFLICT (key) DO UPDATE SET value = meta.value + 1`)
	return err
}
