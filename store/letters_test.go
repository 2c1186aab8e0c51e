package store

import (
	"context"
	"maps"
	"testing"
	"time"
)

func TestLetterCounts(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	add := func(id string, at time.Time, n int) {
		t.Helper()
		for range n {
			if err := s.AddLetter(ctx, id, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("amira-testova", now, 2)
	add("amira-testova", now.AddDate(0, 0, -29), 1) // the first day of the window
	add("amira-testova", now.AddDate(0, 0, -30), 5) // a day too old
	add("rashad-beispielov", now.Add(-23*time.Hour), 1)
	// A day in another zone is its UTC day: Berlin's 1 December 00:10 is
	// still 30 November in UTC.
	add("rashad-beispielov", time.Date(2026, 12, 1, 0, 10, 0, 0, time.FixedZone("CET", 3600)), 1)

	got, err := s.LetterCounts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"amira-testova": 3, "rashad-beispielov": 2}; !maps.Equal(got, want) {
		t.Errorf("LetterCounts = %v; want %v", got, want)
	}
	for id, want := range map[string]int{"amira-testova": 3, "rashad-beispielov": 2, "erika-musterfrau": 0} {
		if n, err := s.LetterCount(ctx, id, now); err != nil || n != want {
			t.Errorf("LetterCount(%s) = %d, %v; want %d", id, n, err, want)
		}
	}
	// A month later, the window has moved past them all.
	if got, err := s.LetterCounts(ctx, now.AddDate(0, 1, 0)); err != nil || len(got) != 0 {
		t.Errorf("a month later: %v, %v; want no counts", got, err)
	}
	// One row per case and day: a day's presses are one count.
	if n := countRows(t, s, "SELECT COUNT(*) FROM letter_counts"); n != 4 {
		t.Errorf("%d rows in letter_counts; want 4 (one per case and day)", n)
	}
	if err := s.AddLetter(ctx, "no-such-case", now); err == nil {
		t.Errorf("AddLetter for an unknown case succeeded")
	}
}
