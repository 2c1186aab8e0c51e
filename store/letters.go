package store

import (
	"context"
	"fmt"
	"time"
)

// LetterWindow is how far back letter counts reach: a card's "N letters
// in the last 30 days" counts the day of the question and the 29 before.
const LetterWindow = 30

// LetterDay is the stored form of a letter's day: its UTC date. The
// once-a-day check of a press (bot) keys on the same day.
func LetterDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// windowStart is the first day counted by a window ending on now's day.
func windowStart(now time.Time) string {
	return LetterDay(now.UTC().AddDate(0, 0, -(LetterWindow - 1)))
}

// AddLetter records one letter to the case on now's (UTC) day. Only the
// day's count grows: nothing about the writer is stored, and the
// caller is the one to make sure a person counts once a day.
func (s *Store) AddLetter(ctx context.Context, caseID string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO letter_counts (case_id, day, count) VALUES (?, ?, 1)
		ON CONFLICT (case_id, day) DO UPDATE SET count = letter_counts.count + 1`, caseID, LetterDay(now))
	if err != nil {
		return fmt.Errorf("store: add letter to %s: %w", caseID, err)
	}
	return nil
}

// LetterCounts returns, per case id, the letters recorded in the
// LetterWindow days up to now's (UTC) day; cases with none are absent.
func (s *Store) LetterCounts(ctx context.Context, now time.Time) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, SUM(count) FROM letter_counts
		WHERE day >= ? AND day <= ? GROUP BY case_id`, windowStart(now), LetterDay(now))
	if err != nil {
		return nil, fmt.Errorf("store: letter counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: letter counts: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: letter counts: %w", err)
	}
	return out, nil
}

// LetterCount returns the letters recorded to one case in the
// LetterWindow days up to now's (UTC) day.
func (s *Store) LetterCount(ctx context.Context, caseID string, now time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(count), 0) FROM letter_counts
		WHERE case_id = ? AND day >= ? AND day <= ?`, caseID, windowStart(now), LetterDay(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: letter count of %s: %w", caseID, err)
	}
	return n, nil
}
