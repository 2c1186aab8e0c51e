package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
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
	// Digest is, on a digest the planner queues, the body it shares with
	// the other channels of its group: the outbox stores the body once
	// and the post's row names it, its Payload holding only the count
	// and the day (a DigestPayload without text). Posts read back (Claim,
	// Post) carry their payload whole, and no Digest.
	Digest *SharedDigest
}

// Enqueue adds posts to the outbox. A post whose Key is queued already is
// left alone, so enqueueing an occurrence twice is harmless. It returns
// how many were new.
func (s *Store) Enqueue(ctx context.Context, now time.Time, posts ...Post) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.enqueue(ctx, tx, now, posts)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return n, nil
}

// insertRows is how many rows one INSERT of enqueue writes: one statement
// per post made a day's plan of 10,000 channels tens of thousands of
// statements (and, on PostgreSQL, round trips).
const insertRows = 64

// outboxColumns are the columns enqueue writes, one placeholder each.
const outboxColumns = `key, platform, chat, kind, case_id, payload, due_at, next_at, created_at, day, alert_id, target_id, digest_id`

func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, now time.Time, posts []Post) (int, error) {
	if err := insertDigests(ctx, tx, now, posts); err != nil {
		return 0, err
	}
	if s.dialect == postgresDialect && len(posts) > 1 {
		return enqueueArrays(ctx, tx, now, posts)
	}
	var full *sql.Stmt // the statement of insertRows rows, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, insertRows*13)
	n := 0
	for rest := posts; len(rest) > 0; {
		chunk := rest[:min(len(rest), insertRows)]
		rest = rest[len(chunk):]
		args = args[:0]
		for _, p := range chunk {
			args = append(args, p.Key, p.Platform, p.Chat, p.Kind, p.CaseID, p.storedPayload(), ms(p.DueAt), ms(p.DueAt), ms(now),
				p.Day, p.AlertID, p.TargetID, p.digestID())
		}
		var r sql.Result
		var err error
		if len(chunk) == insertRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insertOutbox(insertRows)); err != nil {
					return n, err
				}
			}
			r, err = full.ExecContext(ctx, args...)
		} else {
			r, err = tx.ExecContext(ctx, insertOutbox(len(chunk)), args...)
		}
		if err != nil {
			if len(chunk) == 1 {
				return n, fmt.Errorf("%s: %w", chunk[0].Key, err)
			}
			return n, fmt.Errorf("%s…%s: %w", chunk[0].Key, chunk[len(chunk)-1].Key, err)
		}
		k, _ := r.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// enqueueArrays is enqueue on PostgreSQL: one INSERT of the posts'
// columns as arrays, in a round trip, rather than a statement of many
// parameters for every insertRows of them. The rows are inserted in the
// posts' order, so that their ids keep it (Claim hands out posts due at
// one time by id).
func enqueueArrays(ctx context.Context, tx *sql.Tx, now time.Time, posts []Post) (int, error) {
	var keys, platforms, chats, kinds, caseIDs, payloads, days, digestIDs []string
	var due, alertIDs, targetIDs []int64
	for _, p := range posts {
		keys, platforms, chats, kinds = append(keys, p.Key), append(platforms, p.Platform), append(chats, p.Chat), append(kinds, string(p.Kind))
		caseIDs, payloads, days, digestIDs = append(caseIDs, p.CaseID), append(payloads, p.storedPayload()), append(days, p.Day), append(digestIDs, p.digestID())
		due, alertIDs, targetIDs = append(due, ms(p.DueAt)), append(alertIDs, p.AlertID), append(targetIDs, p.TargetID)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO outbox (`+outboxColumns+`)
		SELECT k, pl, ch, ki, ca, pa, du, du, ?, da, al, ta, di
		FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::text[])
		WITH ORDINALITY AS t (k, pl, ch, ki, ca, pa, du, da, al, ta, di, i)
		ORDER BY i
		ON CONFLICT (key) DO NOTHING`,
		ms(now), keys, platforms, chats, kinds, caseIDs, payloads, due, days, alertIDs, targetIDs, digestIDs)
	if err != nil {
		return 0, fmt.Errorf("%s…%s: %w", posts[0].Key, posts[len(posts)-1].Key, err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// storedPayload is the post's payload as its row stores it.
func (p *Post) storedPayload() string {
	if len(p.Payload) == 0 {
		return "{}"
	}
	return string(p.Payload)
}

// digestID is the id of the shared digest body the post names, or "".
func (p *Post) digestID() string {
	if p.Digest == nil {
		return ""
	}
	return p.Digest.ID
}

// insertOutbox is the INSERT of rows outbox rows, those whose key is
// queued already left alone.
func insertOutbox(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO outbox (` + outboxColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(" ON CONFLICT (key) DO NOTHING")
	return b.String()
}

// insertDigests stores the shared bodies the digests among posts carry,
// each once.
func insertDigests(ctx context.Context, tx *sql.Tx, now time.Time, posts []Post) error {
	var seen map[string]bool
	for _, p := range posts {
		d := p.Digest
		if d == nil || d.Body == nil || seen[d.ID] {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[d.ID] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO digests (id, body, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			d.ID, string(d.Body), ms(now)); err != nil {
			return fmt.Errorf("digest %s: %w", d.ID, err)
		}
	}
	return nil
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
			alert_id, target_id, message_id, digest_id`, s.replica, ms(now.Add(s.claimTime())), ms(now), string(pj), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p Post
			var payload, digestID string
			var due, next int64
			if err := rows.Scan(&p.ID, &p.Key, &p.Platform, &p.Chat, &p.Kind, &p.CaseID, &payload, &due, &next, &p.Attempts, &p.LastError, &p.Day,
				&p.AlertID, &p.TargetID, &p.MessageID, &digestID); err != nil {
				return err
			}
			p.Payload, p.DueAt, p.NextAt, p.State = json.RawMessage(payload), fromMS(due), fromMS(next), Sending
			if digestID != "" {
				p.Digest = &SharedDigest{ID: digestID}
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err == nil {
		err = s.expandDigests(ctx, out)
	}
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
	return s.requeue(ctx, math.MaxInt64, platforms)
}

// requeue puts the posts in sending whose claim runs out before before
// (milliseconds) back in the queue, for the given platforms (none: all).
func (s *Store) requeue(ctx context.Context, before int64, platforms []string) (int, error) {
	pj, _ := json.Marshal(platforms)
	r, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'queued', claimed_by = ''
		WHERE state = 'sending' AND claim_until < ?
		  AND (json_array_length(?) = 0 OR platform IN (SELECT value FROM json_each(?)))`, before, string(pj), string(pj))
	if err != nil {
		return 0, fmt.Errorf("store: requeue: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// Post returns the post with the given id, or ErrNotFound.
func (s *Store) Post(ctx context.Context, id int64) (Post, error) {
	var p Post
	var payload, state, digestID string
	var due, next int64
	err := s.db.QueryRowContext(ctx, `SELECT id, key, platform, chat, kind, case_id, payload, due_at, next_at, state, attempts, last_error, day,
		alert_id, target_id, message_id, digest_id
		FROM outbox WHERE id = ?`, id).Scan(&p.ID, &p.Key, &p.Platform, &p.Chat, &p.Kind, &p.CaseID, &payload, &due, &next, &state, &p.Attempts, &p.LastError, &p.Day,
		&p.AlertID, &p.TargetID, &p.MessageID, &digestID)
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fmt.Errorf("store: post %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Post{}, fmt.Errorf("store: post %d: %w", id, err)
	}
	p.Payload, p.DueAt, p.NextAt, p.State = json.RawMessage(payload), fromMS(due), fromMS(next), PostState(state)
	if digestID != "" {
		p.Digest = &SharedDigest{ID: digestID}
		ps := []Post{p}
		if err := s.expandDigests(ctx, ps); err != nil {
			return Post{}, fmt.Errorf("store: post %d: %w", id, err)
		}
		p = ps[0]
	}
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
		queued, err = s.enqueue(ctx, tx, now, posts)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: alert: %w", err)
	}
	return alertID, queued, nil
}
