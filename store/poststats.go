package store

import (
	"context"
	"fmt"
)

// QueueDepth counts the posts waiting to be sent or being sent.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: queue depth: %w", err)
	}
	return n, nil
}

// PostCounts counts posts by state, for metrics and tests.
func (s *Store) PostCounts(ctx context.Context) (map[PostState]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: post counts: %w", err)
	}
	defer rows.Close()
	out := map[PostState]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: post counts: %w", err)
		}
		out[PostState(st)] = n
	}
	return out, rows.Err()
}

// PostStat counts the posts of one platform, kind and state.
type PostStat struct {
	Platform, Kind string
	State          PostState
	N              int
}

// PostStats counts posts by platform, kind and state, for metrics.
func (s *Store) PostStats(ctx context.Context) ([]PostStat, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT platform, kind, state, count(*) FROM outbox GROUP BY platform, kind, state ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("store: post stats: %w", err)
	}
	defer rows.Close()
	var out []PostStat
	for rows.Next() {
		var ps PostStat
		var state string
		if err := rows.Scan(&ps.Platform, &ps.Kind, &state, &ps.N); err != nil {
			return nil, fmt.Errorf("store: post stats: %w", err)
		}
		ps.State = PostState(state)
		out = append(out, ps)
	}
	return out, rows.Err()
}
