package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// PostState is where a post is in its delivery.
type PostState string

// The states of a post. A post moves queued → sending → sent, or back to
// queued for a retry, or to skipped or failed; sending marks a send in
// flight, so that after a crash exactly those sends are retried.
const (
	Queued  PostState = "queued"
	Sending PostState = "sending"
	Sent    PostState = "sent"
	Skipped PostState = "skipped"
	Failed  PostState = "failed"
)

// Post is one message to deliver to one channel.
type Post struct {
	ID        int64
	Key       string // unique per (occurrence, channel)
	Platform  string
	Chat      string
	Kind      Kind
	CaseID    string
	Payload   json.RawMessage // the kind's payload (see EncodePayload); rendered at send time
	Day       string          // scheduled posts: the channel's local date, YYYY-MM-DD
	DueAt     time.Time
	NextAt    time.Time // when the next attempt may start
	State     PostState
	Attempts  int
	LastError string
	// AlertID is the alert a post belongs to: its copy, or an operation
	// on one; 0 for every other post.
	AlertID int64
	// TargetID is, for an alert operation, the outbox id of the copy it
	// acts on.
	TargetID int64
	// MessageID is the platform's id of the delivered message (sent
	// posts only).
	MessageID string
}

// Enqueue adds posts to the outbox. A post whose Key is queued already is
// left alone, so enqueueing an occurrence twice is harmless. It returns
// how many were new.
func (s *Store) Enqueue(ctx context.Context, now time.Time, posts ...Post) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = enqueue(ctx, tx, now, posts)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return n, nil
}

func enqueue(ctx context.Context, tx *sql.Tx, now time.Time, posts []Post) (int, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox (key, platform, chat, kind, case_id, payload, due_at, next_at, created_at, day, alert_id, target_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	for _, p := range posts {
		payload := string(p.Payload)
		if payload == "" {
			payload = "{}"
		}
		r, err := stmt.ExecContext(ctx, p.Key, p.Platform, p.Chat, p.Kind, p.CaseID, payload, ms(p.DueAt), ms(p.DueAt), ms(now), p.Day, p.AlertID, p.TargetID)
		if err != nil {
			return n, fmt.Errorf("%s: %w", p.Key, err)
		}
		k, _ := r.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// Claim marks up to limit posts for the given platforms that are due at
// now, on channels that are not paused, as sending and returns them,
// oldest due first. Each claimed post must end in MarkSent, Retry, Skip or
// Fail. Posts for platforms not given stay queued for a process that
// serves them. A claimed post names this store's replica (SetReplica)
// and holds until now + its claim time; on PostgreSQL the rows are
// locked with SKIP LOCKED, so that replicas claiming at once never
// claim the same post, nor posts of a chat that another is sending to.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, platforms ...string) ([]Post, error) {
	var out []Post
	pj, _ := json.Marshal(platforms)
	lock, busy := "", ""
	if s.dialect == postgresDialect {
		lock = " FOR UPDATE OF o SKIP LOCKED"
	}
	if s.replica != "" {
		// Small batches: a replica that claimed many would send the end
		// of a fan-out alone, at its share of the rate.
		limit = min(limit, replicaClaim)
		// A chat whose posts another replica is sending stays with it:
		// its posts go in order and under its pace.
		busy = `
			  AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.state = 'sending' AND b.platform = o.platform AND b.chat = o.chat)`
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?, claim_until = ?
			WHERE id IN (SELECT o.id FROM outbox o
			WHERE o.state = 'queued' AND o.next_at <= ?
			  AND o.platform IN (SELECT value FROM json_each(?))
			  AND NOT EXISTS (SELECT 1 FROM channels c WHERE c.platform = o.platform AND c.chat = o.chat AND c.paused_reason != '')`+busy+`
			ORDER BY o.next_at, o.id LIMIT ?`+lock+`)
			RETURNING id, key, platform, chat, kind, case_id, payload, due_at, next_at, attempts, last_error, day,
			alert_id, target_id, message_id`, s.replica, ms(now.Add(s.claimTime())), ms(now), string(pj), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p Post
			var payload string
			var due, next int64
			if err := rows.Scan(&p.ID, &p.Key, &p.Platform, &p.Chat, &p.Kind, &p.CaseID, &payload, &due, &next, &p.Attempts, &p.LastError, &p.Day,
				&p.AlertID, &p.TargetID, &p.MessageID); err != nil {
				return err
			}
			p.Payload, p.DueAt, p.NextAt, p.State = json.RawMessage(payload), fromMS(due), fromMS(next), Sending
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b Post) int {
		if c := a.NextAt.Compare(b.NextAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// replicaClaim is the most posts a replica claims at once.
const replicaClaim = 8

// finish moves a sending post to its next state and logs the attempt in
// one transaction.
func (s *Store) finish(ctx context.Context, id int64, state PostState, next time.Time, attemptErr, messageID string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		done := int64(0)
		if state != Queued {
			done = ms(now)
		}
		r, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, next_at = coalesce(nullif(?, 0), next_at), last_error = ?, done_at = ?,
			message_id = CASE WHEN ? != '' THEN ? ELSE message_id END
			WHERE id = ? AND state = 'sending' AND claimed_by = ?`, string(state), ms(next), attemptErr, done, messageID, messageID, id, s.replica)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("post %d is not being sent (by this replica)", id)
		}
		ok := 0
		if state == Sent {
			ok = 1
			// The channel takes posts again: forget its refusals.
			if _, err := tx.ExecContext(ctx, `UPDATE channels SET refusals = 0 WHERE refusals > 0
				AND (platform, chat) = (SELECT platform, chat FROM outbox WHERE id = ?)`, id); err != nil {
				return err
			}
		}
		if state == Skipped {
			// A skip is a decision, not an attempt: nothing to log.
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO deliveries (outbox_id, attempted_at, ok, error, message_id) VALUES (?, ?, ?, ?, ?)`,
			id, ms(now), ok, attemptErr, messageID)
		return err
	})
}

// MarkSent records that the post was delivered.
func (s *Store) MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error {
	if err := s.finish(ctx, id, Sent, time.Time{}, "", messageID, now); err != nil {
		return fmt.Errorf("store: mark post %d sent: %w", id, err)
	}
	return nil
}

// MarkDone records that an alert operation was carried out on the
// message messageID, with a note on how where it differs from what was
// asked (a deletion the platform refused, done as an edit instead).
func (s *Store) MarkDone(ctx context.Context, id int64, messageID, note string, now time.Time) error {
	if err := s.finish(ctx, id, Sent, time.Time{}, note, messageID, now); err != nil {
		return fmt.Errorf("store: mark post %d done: %w", id, err)
	}
	return nil
}

// Retry puts the post back in the queue for another attempt at next,
// recording the error of this one.
func (s *Store) Retry(ctx context.Context, id int64, next time.Time, cause error, now time.Time) error {
	if err := s.finish(ctx, id, Queued, next, errText(cause), "", now); err != nil {
		return fmt.Errorf("store: retry post %d: %w", id, err)
	}
	return nil
}

// Fail records that the post cannot be delivered (the platform refused it
// for good).
func (s *Store) Fail(ctx context.Context, id int64, cause error, now time.Time) error {
	if err := s.finish(ctx, id, Failed, time.Time{}, errText(cause), "", now); err != nil {
		return fmt.Errorf("store: fail post %d: %w", id, err)
	}
	return nil
}

// Skip records that the post was deliberately not sent, and why.
func (s *Store) Skip(ctx context.Context, id int64, reason string, now time.Time) error {
	if err := s.finish(ctx, id, Skipped, time.Time{}, reason, "", now); err != nil {
		return fmt.Errorf("store: skip post %d: %w", id, err)
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Release puts claimed posts that were never tried back in the queue as
// they were, as if never claimed: on shutdown, or when their chat moved or
// was paused while they waited their turn.
// Those whose chat asked to wait are held until notBefore (zero: no hold).
func (s *Store) Release(ctx context.Context, notBefore time.Time, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	idsJSON, _ := json.Marshal(ids)
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0), next_at = max(next_at, ?)
		WHERE state = 'sending' AND claimed_by = ? AND id IN (SELECT value FROM json_each(?))`, ms(notBefore), s.replica, string(idsJSON))
	if err != nil {
		return fmt.Errorf("store: release posts: %w", err)
	}
	return nil
}

// Requeue puts posts left in sending (by a process that died mid-send)
// back in the queue and returns how many. Only those sends can be
// repeated after a crash; everything else was either sent or not started.
// A store shared by replicas (SetReplica) requeues only the claims that
// ran out: the others belong to live replicas still sending them.
func (s *Store) Requeue(ctx context.Context, platforms ...string) (int, error) {
	if s.replica != "" {
		return s.RequeueExpired(ctx, time.Now(), platforms...)
	}
	pj, _ := json.Marshal(platforms)
	r, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'queued'
		WHERE state = 'sending' AND (json_array_length(?) = 0 OR platform IN (SELECT value FROM json_each(?)))`, string(pj), string(pj))
	if err != nil {
		return 0, fmt.Errorf("store: requeue: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// Post returns the post with the given id, or ErrNotFound.
func (s *Store) Post(ctx context.Context, id int64) (Post, error) {
	var p Post
	var payload, state string
	var due, next int64
	err := s.db.QueryRowContext(ctx, `SELECT id, key, platform, chat, kind, case_id, payload, due_at, next_at, state, attempts, last_error, day,
		alert_id, target_id, message_id
		FROM outbox WHERE id = ?`, id).Scan(&p.ID, &p.Key, &p.Platform, &p.Chat, &p.Kind, &p.CaseID, &payload, &due, &next, &state, &p.Attempts, &p.LastError, &p.Day,
		&p.AlertID, &p.TargetID, &p.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fmt.Errorf("store: post %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Post{}, fmt.Errorf("store: post %d: %w", id, err)
	}
	p.Payload, p.DueAt, p.NextAt, p.State = json.RawMessage(payload), fromMS(due), fromMS(next), PostState(state)
	return p, nil
}

// QueueAlert records an editor's alert about a case and, in the same
// transaction, queues one post for every channel subscribed to the case's
// country that is not paused. It returns the alert's id and the number of
// posts queued. An archived case gets no alert: ErrArchived.
func (s *Store) QueueAlert(ctx context.Context, caseID, message, author string, now time.Time) (alertID int64, queued int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := caseLive(ctx, tx, caseID); err != nil {
			return err
		}
		var country string
		if err := tx.QueryRowContext(ctx, `SELECT country FROM cases WHERE id = ?`, caseID).Scan(&country); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO alerts (case_id, message, author, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			caseID, message, author, ms(now)).Scan(&alertID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.platform, c.chat FROM channels c
			JOIN subscriptions s ON s.platform = c.platform AND s.chat = c.chat
			WHERE s.country = ? AND c.paused_reason = '' ORDER BY c.platform, c.chat`, country)
		if err != nil {
			return err
		}
		var posts []Post
		payload := EncodePayload(AlertPayload{AlertID: alertID, Message: message})
		for rows.Next() {
			var p Post
			if err := rows.Scan(&p.Platform, &p.Chat); err != nil {
				rows.Close()
				return err
			}
			p.Key = fmt.Sprintf("alert:%d:%s:%s", alertID, p.Platform, p.Chat)
			p.Kind, p.CaseID, p.Payload, p.DueAt, p.AlertID = KindAlert, caseID, payload, now, alertID
			posts = append(posts, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		queued, err = enqueue(ctx, tx, now, posts)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: alert: %w", err)
	}
	return alertID, queued, nil
}
