package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigil-bot/vigil/cases"
)

// EachCase hands every stored case to fn, one at a time and ordered by
// id, so that an export of 100,000 cases never holds them all. fn must
// not use the store. An error from fn stops the walk and is returned.
func (s *Store) EachCase(ctx context.Context, fn func(*cases.Case) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM cases ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("store: cases: %w", err)
		}
		var c cases.Case
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("store: cases: %w", err)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: cases: %w", err)
	}
	return nil
}
