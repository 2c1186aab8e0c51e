package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

// StatusChange is a change of a case's status seen by an import.
type StatusChange struct {
	ID      int64
	CaseID  string
	Country string
	Old     cases.Status
	New     cases.Status
	At      time.Time
}

// StatusChangesAfter returns the status changes with an id above after,
// oldest first; those of archived cases are left out.
func (s *Store) StatusChangesAfter(ctx context.Context, after int64) ([]StatusChange, error) {
	return s.statusChanges(ctx, `sc.id > ?`, after)
}

// StatusChangesSince returns the status changes recorded at or after t,
// oldest first.
func (s *Store) StatusChangesSince(ctx context.Context, t time.Time) ([]StatusChange, error) {
	return s.statusChanges(ctx, `sc.changed_at >= ?`, ms(t))
}

func (s *Store) statusChanges(ctx context.Context, where string, arg any) ([]StatusChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sc.id, sc.case_id, c.country, sc.old_status, sc.new_status, sc.changed_at
		FROM status_changes sc JOIN cases c ON c.id = sc.case_id WHERE c.archived_at = 0 AND `+where+` ORDER BY sc.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: status changes: %w", err)
	}
	defer rows.Close()
	var out []StatusChange
	for rows.Next() {
		var sc StatusChange
		var old, nw string
		var at int64
		if err := rows.Scan(&sc.ID, &sc.CaseID, &sc.Country, &old, &nw, &at); err != nil {
			return nil, fmt.Errorf("store: status changes: %w", err)
		}
		sc.Old, sc.New, sc.At = cases.Status(old), cases.Status(nw), fromMS(at)
		out = append(out, sc)
	}
	return out, rows.Err()
}
