package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SetReplica makes the store claim posts as the replica id, each claim
// holding for claimFor unless renewed (RenewClaims): for several serve
// processes sharing one PostgreSQL database. Finishing or releasing a
// post then requires this replica's claim on it, and Requeue puts back
// only the claims that ran out. Call it before the store is used; a store
// without it (SQLite's one serve, the CLI) claims as before.
func (s *Store) SetReplica(id string, claimFor time.Duration) {
	s.replica, s.claimFor = id, claimFor
}

// claimTime is how long a claim holds: SetReplica's, or a day for a
// store that is the only one sending (its claims never run out while
// it lives; Requeue at its next start puts them back).
func (s *Store) claimTime() time.Duration {
	if s.claimFor > 0 {
		return s.claimFor
	}
	return 24 * time.Hour
}

// RenewClaims extends every claim of this store's replica on a post
// still being sent to now + its claim time, and returns how many.
func (s *Store) RenewClaims(ctx context.Context, now time.Time) (int, error) {
	r, err := s.db.ExecContext(ctx, `UPDATE outbox SET claim_until = ? WHERE state = 'sending' AND claimed_by = ?`,
		ms(now.Add(s.claimTime())), s.replica)
	if err != nil {
		return 0, fmt.Errorf("store: renew claims: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// RequeueExpired puts posts in sending whose claim ran out before now
// (their replica died mid-send) back in the queue, for the given
// platforms (none: all), and returns how many. Only those sends can be
// repeated.
func (s *Store) RequeueExpired(ctx context.Context, now time.Time, platforms ...string) (int, error) {
	return s.requeue(ctx, ms(now), platforms)
}

// TakeLease takes or renews the lease name for holder until now + ttl,
// in one conditional statement: it succeeds when nobody holds the lease,
// holder does, or the last holder's ran out before now. It reports
// whether holder holds it now.
func (s *Store) TakeLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	r, err := s.db.ExecContext(ctx, `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until < ?`, name, holder, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// DropLease gives up holder's lease name at once, so that another
// replica takes it at its next try instead of waiting for it to run out.
func (s *Store) DropLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE leases SET until = 0 WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("store: drop lease %s: %w", name, err)
	}
	return nil
}

// LeaseHolder returns who holds the lease name and until when; "" when
// nobody ever took it.
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, time.Time, error) {
	var holder string
	var until int64
	err := s.db.QueryRowContext(ctx, `SELECT holder, until FROM leases WHERE name = ?`, name).Scan(&holder, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: lease %s: %w", name, err)
	}
	return holder, fromMS(until), nil
}

// Beat records that replica id is alive at now.
func (s *Store) Beat(ctx context.Context, id string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO replicas (id, seen) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET seen = excluded.seen`, id, ms(now))
	if err != nil {
		return fmt.Errorf("store: heartbeat: %w", err)
	}
	return nil
}

// LiveReplicas counts the replicas seen since since, and forgets those
// not seen for ten times as long.
func (s *Store) LiveReplicas(ctx context.Context, now, since time.Time) (int, error) {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM replicas WHERE seen < ?`, ms(now)-10*(ms(now)-ms(since))); err != nil {
		return 0, fmt.Errorf("store: replicas: %w", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM replicas WHERE seen >= ?`, ms(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: replicas: %w", err)
	}
	return n, nil
}

// Leave removes replica id's heartbeat, when it stops.
func (s *Store) Leave(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM replicas WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: leave: %w", err)
	}
	return nil
}
