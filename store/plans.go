package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-bot/vigil/cases"
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

// immediateKinds are the post kinds that are never planned ahead: they are
// queued when they happen and never dropped by re-planning.
const immediateKinds = `('alert', 'status_change')`

// unsentDay is the condition that nothing of a queued row's channel and
// day has been tried yet (no row of it sent, sending, failed, skipped, or
// queued again after an attempt): such a day may be planned afresh.
const unsentDay = `NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.platform = outbox.platform AND o2.chat = outbox.chat
	AND o2.day = outbox.day AND (o2.state != 'queued' OR o2.attempts > 0))`

// execer is what runs a statement: the database or a transaction.
type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

// dropUnbegun deletes the channel's queued scheduled posts of the days of
// which nothing has been tried yet, so that the planner plans those days
// afresh, whole, after the channel changed. A day that has begun keeps
// its plan: the daily limit counts per day.
func dropUnbegun(ctx context.Context, db execer, platform, chat string) error {
	_, err := db.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'queued' AND platform = ? AND chat = ?
		AND kind NOT IN `+immediateKinds+` AND `+unsentDay, platform, chat)
	return err
}

// dropCountry deletes the channel's queued scheduled posts about cases of
// country (every country, digests included, when it is empty) on any
// day: after an unsubscribe none of them may go out.
func dropCountry(ctx context.Context, db execer, platform, chat, country string) error {
	q := `DELETE FROM outbox WHERE state = 'queued' AND platform = ? AND chat = ? AND kind NOT IN ` + immediateKinds
	args := []any{platform, chat}
	if country != "" {
		q += ` AND case_id IN (SELECT id FROM cases WHERE country = ?)`
		args = append(args, country)
	}
	_, err := db.ExecContext(ctx, q, args...)
	return err
}

// DropUnsentPlans deletes every channel's queued scheduled posts of the
// days of which nothing has been tried yet, after the cases changed, so
// the planner plans them again from the new records.
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

// channelChanged records a change of a channel's subscriptions or
// settings, in the transaction that made it: the channel's days not begun
// are dropped for re-planning, and ChannelsVersion moves so that a plan
// made from the old state is not queued (see EnqueuePlan).
func channelChanged(ctx context.Context, db execer, platform, chat string) error {
	if err := dropUnbegun(ctx, db, platform, chat); err != nil {
		return err
	}
	return bumpChannelsVersion(ctx, db)
}

// bumpChannelsVersion moves ChannelsVersion.
func bumpChannelsVersion(ctx context.Context, db execer) error {
	_, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('channels_version', 1)
		ON CONFLICT (key) DO UPDATE SET value = value + 1`)
	return err
}

// EnqueuePlan queues a plan's posts like Enqueue, but only if neither the
// cases nor the channels changed since the plan was made from them (their
// versions as read before): a plan from the old state would otherwise
// stand for its days. ok is false when nothing was queued for that reason.
func (s *Store) EnqueuePlan(ctx context.Context, now time.Time, casesV, channelsV int64, posts ...Post) (n int, ok bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var c, ch int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = 'cases_version'), 0),
			coalesce((SELECT value FROM meta WHERE key = 'channels_version'), 0)`).Scan(&c, &ch)
		if err != nil {
			return err
		}
		if c != casesV || ch != channelsV {
			return nil
		}
		ok = true
		n, err = enqueue(ctx, tx, now, posts)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: enqueue plan: %w", err)
	}
	return n, ok, nil
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
