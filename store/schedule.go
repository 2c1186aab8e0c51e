package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

// Subscription is one channel's subscription to one country.
type Subscription struct {
	Platform, Chat, Country string
	Since                   time.Time
}

// Subscriptions returns every subscription, ordered by platform, chat and
// country.
func (s *Store) Subscriptions(ctx context.Context) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT platform, chat, country, created_at FROM subscriptions ORDER BY platform, chat, country`)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		var sub Subscription
		var since int64
		if err := rows.Scan(&sub.Platform, &sub.Chat, &sub.Country, &since); err != nil {
			return nil, fmt.Errorf("store: subscriptions: %w", err)
		}
		sub.Since = fromMS(since)
		out = append(out, sub)
	}
	return out, rows.Err()
}

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

// immediateKinds are the post kinds that are never planned ahead: they are
// queued when they happen and never dropped by re-planning.
const immediateKinds = `('alert', 'status_change')`

// unsentDay is the condition that no post of a queued row's channel and
// day has gone out (or is going out): such a day may be planned afresh.
const unsentDay = `NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.platform = outbox.platform AND o2.chat = outbox.chat
	AND o2.day = outbox.day AND o2.state != 'queued')`

// DropPlanned deletes the channel's queued scheduled posts (not alerts or
// status changes) of the days of which nothing has gone out yet, for
// cases of country or of every country when it is empty, so that the
// planner plans those days again under the channel's new settings. A
// day that has begun keeps its plan: the daily limit counts per day.
func (s *Store) DropPlanned(ctx context.Context, platform, chat, country string) (int, error) {
	q := `DELETE FROM outbox WHERE state = 'queued' AND platform = ? AND chat = ? AND kind NOT IN ` + immediateKinds + ` AND ` + unsentDay
	args := []any{platform, chat}
	if country != "" {
		q += ` AND (case_id IN (SELECT id FROM cases WHERE country = ?) OR kind = 'digest')`
		args = append(args, country)
	}
	r, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: drop planned posts of %s:%s: %w", platform, chat, err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// DropUnsentPlans deletes every channel's queued scheduled posts of the
// days of which nothing has gone out yet, after the cases changed, so the
// planner plans them again from the new records.
func (s *Store) DropUnsentPlans(ctx context.Context) (int, error) {
	r, err := s.db.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'queued' AND kind NOT IN `+immediateKinds+` AND `+unsentDay)
	if err != nil {
		return 0, fmt.Errorf("store: drop unsent plans: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// PlannedDays returns the channel days, from the local date since on,
// that have scheduled posts in the outbox, as PlannedDay keys.
func (s *Store) PlannedDays(ctx context.Context, since string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT platform, chat, day FROM outbox WHERE day >= ? AND day != ''`, since)
	if err != nil {
		return nil, fmt.Errorf("store: planned days: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var platform, chat, day string
		if err := rows.Scan(&platform, &chat, &day); err != nil {
			return nil, fmt.Errorf("store: planned days: %w", err)
		}
		out[PlannedDay(platform, chat, day)] = true
	}
	return out, rows.Err()
}

// PlannedDay is the key of one channel's local day in PlannedDays.
func PlannedDay(platform, chat, day string) string {
	return platform + "\x00" + chat + "\x00" + day
}

// ChannelsVersion returns a number that changes whenever a channel's
// subscriptions or settings change, so the planner knows to plan again.
func (s *Store) ChannelsVersion(ctx context.Context) (int64, error) {
	return s.Meta(ctx, "channels_version")
}

// bumpChannels marks a change of channels for ChannelsVersion.
func bumpChannels(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	_, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('channels_version', 1)
		ON CONFLICT (key) DO UPDATE SET value = value + 1`)
	return err
}

// StatusChangesAfter returns the status changes with an id above after,
// oldest first.
func (s *Store) StatusChangesAfter(ctx context.Context, after int64) ([]StatusChange, error) {
	return s.statusChanges(ctx, `sc.id > ?`, after)
}

func (s *Store) statusChanges(ctx context.Context, where string, arg any) ([]StatusChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sc.id, sc.case_id, c.country, sc.old_status, sc.new_status, sc.changed_at
		FROM status_changes sc JOIN cases c ON c.id = sc.case_id WHERE `+where+` ORDER BY sc.id`, arg)
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
