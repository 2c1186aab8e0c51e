package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CaseArchived reports whether the case with the given id is archived;
// false for a live case and for an id never imported. The public pages
// answer 410 for an archived case and 404 for an unknown one.
func (s *Store) CaseArchived(ctx context.Context, id string) (bool, error) {
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT archived_at FROM cases WHERE id = ?`, id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: case %q archived: %w", id, err)
	}
	return at != 0, nil
}
