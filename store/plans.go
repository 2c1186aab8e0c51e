package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

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
// the planner plans them again from the new records, and the digest
// bodies no post names any more (an hour old at now).
func (s *Store) DropUnsentPlans(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'queued' AND kind NOT IN `+immediateKinds+` AND `+unsentDay)
		if err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		return dropOrphanDigests(ctx, tx, now)
	})
	if err != nil {
		return 0, fmt.Errorf("store: drop unsent plans: %w", err)
	}
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
	return string(AppendPlannedDay(nil, platform, chat, day))
}

// AppendPlannedDay appends the PlannedDay key to b, for a lookup that
// allocates nothing: days[string(AppendPlannedDay(buf[:0], …))].
func AppendPlannedDay(b []byte, platform, chat, day string) []byte {
	return append(append(append(append(append(b, platform...), 0), chat...), 0), day...)
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

// EnqueuePlan queues a plan's posts like Enqueue, but only if neither the
// cases nor the channels changed since the plan was made from them (their
// versions as read before): a plan from the old state would otherwise
// stand for its days. ok is false when nothing was queued for that reason.
//
// A large plan is queued in several calls, each a short transaction that
// other writers wait for only briefly. Each call must hold whole channel
// days (the planner cuts its batches between channels): a day with some
// of its posts queued counts as planned. If the versions move between
// two calls, the later ones queue nothing, and the earlier ones are
// dropped with the other days not begun when the planner plans again.
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
		n, err = s.enqueue(ctx, tx, now, posts)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: enqueue plan: %w", err)
	}
	return n, ok, nil
}
