package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrRetracted is returned for a follow-up or correction of an alert
// that was withdrawn.
var ErrRetracted = errors.New("the alert was withdrawn")

// Alert is an editor's alert about a case.
type Alert struct {
	ID      int64
	CaseID  string
	Message string // the current text: the last correction's, or the original
	Author  string
	Created time.Time
	// Retracted is when the alert was withdrawn; zero while it stands.
	Retracted time.Time
}

// AlertOpResult says what a follow-up, correction or retraction queued.
type AlertOpResult struct {
	AlertID int64
	OpID    int64 // the follow-up or correction; 0 for a retraction
	// Copies is how many copies the operation acts on; New how many of
	// those operations were queued now (0 when the same operation was
	// asked for before: it is not done twice).
	Copies, New int
	// Cancelled is how many queued copies a retraction stopped.
	Cancelled int
	// Unchanged is true for a correction to the text the alert has.
	Unchanged bool
}

// AlertSummary is an alert with the counts of its copies.
type AlertSummary struct {
	Alert
	Queued    int // copies waiting or being sent
	Delivered int // copies sent
	Failed    int // copies the platform refused
	Cancelled int // copies not sent: withdrawn before their turn, or their channel gone
	Corrected int // delivered copies edited by a correction
	Withdrawn int // delivered copies deleted, or edited to say the alert was withdrawn
	FollowUps int // follow-up messages delivered
}

// Alert returns the alert with id, or an error wrapping ErrNotFound.
func (s *Store) Alert(ctx context.Context, id int64) (Alert, error) {
	a, err := alertByID(ctx, s.db, id)
	if err != nil {
		return Alert{}, fmt.Errorf("store: %w", err)
	}
	return a, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func alertByID(ctx context.Context, q queryer, id int64) (Alert, error) {
	var a Alert
	var created, retracted int64
	err := q.QueryRowContext(ctx, `SELECT id, case_id, message, author, created_at, retracted_at FROM alerts WHERE id = ?`, id).
		Scan(&a.ID, &a.CaseID, &a.Message, &a.Author, &created, &retracted)
	if errors.Is(err, sql.ErrNoRows) {
		return Alert{}, fmt.Errorf("alert %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Alert{}, fmt.Errorf("alert %d: %w", id, err)
	}
	a.Created, a.Retracted = fromMS(created), fromMS(retracted)
	return a, nil
}

// copies returns the outbox rows of kinds (the alert's copies, its
// follow-ups) in the given states, in id order.
func copies(ctx context.Context, tx *sql.Tx, alertID int64, kinds []Kind, states ...PostState) ([]Post, error) {
	q := `SELECT id, platform, chat, case_id FROM outbox WHERE alert_id = ? AND kind IN (SELECT value FROM json_each(?))
		AND state IN (SELECT value FROM json_each(?)) ORDER BY id`
	rows, err := tx.QueryContext(ctx, q, alertID, jsonList(kinds), jsonList(states))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Post
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.Platform, &p.Chat, &p.CaseID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func jsonList[T ~string](xs []T) string {
	b := []byte("[")
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%q", string(x))
	}
	return string(append(b, ']'))
}

// opsOn queues one operation of kind on each copy, keyed by prefix, the
// copy and its channel, so that queuing the same operation again adds
// nothing.
func (s *Store) opsOn(ctx context.Context, tx *sql.Tx, now time.Time, a Alert, kind Kind, prefix string, payload []byte, targets []Post) (int, error) {
	posts := make([]Post, len(targets))
	for i, t := range targets {
		posts[i] = Post{Key: fmt.Sprintf("%s:%d:%s:%s", prefix, t.ID, t.Platform, t.Chat), Platform: t.Platform, Chat: t.Chat,
			Kind: kind, CaseID: a.CaseID, Payload: payload, DueAt: now, AlertID: a.ID, TargetID: t.ID}
	}
	return s.enqueue(ctx, tx, now, posts)
}

// QueueFollowUp queues a follow-up to alert alertID: a reply to each of
// its copies that is delivered or on its way. The same follow-up (the
// same text) asked for again queues nothing more. A withdrawn alert gets
// none (ErrRetracted).
func (s *Store) QueueFollowUp(ctx context.Context, alertID int64, message, author string, now time.Time) (AlertOpResult, error) {
	res := AlertOpResult{AlertID: alertID}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a, err := standingAlert(ctx, tx, alertID)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM alert_ops WHERE alert_id = ? AND kind = 'follow_up' AND message = ? ORDER BY id LIMIT 1`,
			alertID, message).Scan(&res.OpID)
		if errors.Is(err, sql.ErrNoRows) {
			err := tx.QueryRowContext(ctx, `INSERT INTO alert_ops (alert_id, kind, message, author, created_at) VALUES (?, 'follow_up', ?, ?, ?)
				RETURNING id`, alertID, message, author, ms(now)).Scan(&res.OpID)
			if err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		targets, err := copies(ctx, tx, alertID, []Kind{KindAlert}, Queued, Sending, Sent)
		if err != nil {
			return err
		}
		res.Copies = len(targets)
		res.New, err = s.opsOn(ctx, tx, now, a, KindAlertFollowUp, fmt.Sprintf("alert-follow-up:%d", res.OpID),
			EncodePayload(AlertOpPayload{AlertID: alertID, OpID: res.OpID, Message: message}), targets)
		return err
	})
	if err != nil {
		return AlertOpResult{}, fmt.Errorf("store: follow-up: %w", err)
	}
	return res, nil
}

// QueueCorrection replaces the text of alert alertID: its copies not yet
// sent go out with the new text, and every copy delivered or being sent is
// edited in place. A correction to the text the alert has already queues
// nothing (Unchanged). A withdrawn alert cannot be corrected
// (ErrRetracted).
func (s *Store) QueueCorrection(ctx context.Context, alertID int64, message, author string, now time.Time) (AlertOpResult, error) {
	res := AlertOpResult{AlertID: alertID}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a, err := standingAlert(ctx, tx, alertID)
		if err != nil {
			return err
		}
		targets, err := copies(ctx, tx, alertID, []Kind{KindAlert}, Sending, Sent)
		if err != nil {
			return err
		}
		res.Copies = len(targets)
		if a.Message == message {
			res.Unchanged = true
			return nil
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO alert_ops (alert_id, kind, message, author, created_at) VALUES (?, 'correction', ?, ?, ?)
			RETURNING id`, alertID, message, author, ms(now)).Scan(&res.OpID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET message = ? WHERE id = ?`, message, alertID); err != nil {
			return err
		}
		// Copies not yet sent carry the new text too (they are built
		// from the alert's current text in any case).
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ? WHERE alert_id = ? AND kind = ? AND state = 'queued'`,
			string(EncodePayload(AlertPayload{AlertID: alertID, Message: message})), alertID, KindAlert); err != nil {
			return err
		}
		res.New, err = s.opsOn(ctx, tx, now, a, KindAlertEdit, fmt.Sprintf("alert-edit:%d", res.OpID),
			EncodePayload(AlertOpPayload{AlertID: alertID, OpID: res.OpID, Message: message}), targets)
		return err
	})
	if err != nil {
		return AlertOpResult{}, fmt.Errorf("store: correction: %w", err)
	}
	return res, nil
}

// QueueRetraction withdraws alert alertID: its copies and follow-ups not
// yet sent are cancelled, and every one delivered or being sent is queued
// for deletion. Withdrawing it again queues nothing more.
func (s *Store) QueueRetraction(ctx context.Context, alertID int64, now time.Time) (AlertOpResult, error) {
	res := AlertOpResult{AlertID: alertID}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a, err := alertByID(ctx, tx, alertID)
		if err != nil {
			return err
		}
		if a.Retracted.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET retracted_at = ? WHERE id = ?`, ms(now), alertID); err != nil {
				return err
			}
		}
		r, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'skipped', last_error = 'alert withdrawn', done_at = ?
			WHERE alert_id = ? AND state = 'queued' AND kind IN (?, ?, ?)`, ms(now), alertID, KindAlert, KindAlertFollowUp, KindAlertEdit)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.Cancelled = int(n)
		targets, err := copies(ctx, tx, alertID, []Kind{KindAlert, KindAlertFollowUp}, Sending, Sent)
		if err != nil {
			return err
		}
		res.Copies = len(targets)
		res.New, err = s.opsOn(ctx, tx, now, a, KindAlertDelete, fmt.Sprintf("alert-delete:%d", alertID),
			EncodePayload(AlertOpPayload{AlertID: alertID}), targets)
		return err
	})
	if err != nil {
		return AlertOpResult{}, fmt.Errorf("store: retraction: %w", err)
	}
	return res, nil
}

// Alerts returns every alert, newest first, with the counts of its copies.
func (s *Store) Alerts(ctx context.Context) ([]AlertSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.case_id, a.message, a.author, a.created_at, a.retracted_at,
		count(o.id) FILTER (WHERE o.kind = 'alert' AND o.state IN ('queued', 'sending')),
		count(o.id) FILTER (WHERE o.kind = 'alert' AND o.state = 'sent'),
		count(o.id) FILTER (WHERE o.kind = 'alert' AND o.state = 'failed'),
		count(o.id) FILTER (WHERE o.kind = 'alert' AND o.state = 'skipped'),
		count(DISTINCT o.target_id) FILTER (WHERE o.kind = 'alert_edit' AND o.state = 'sent'),
		count(DISTINCT o.target_id) FILTER (WHERE o.kind = 'alert_delete' AND o.state = 'sent'
			AND o.target_id IN (SELECT id FROM outbox t WHERE t.alert_id = a.id AND t.kind = 'alert')),
		count(o.id) FILTER (WHERE o.kind = 'alert_follow_up' AND o.state = 'sent')
		FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id
		GROUP BY a.id ORDER BY a.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertSummary
	for rows.Next() {
		var a AlertSummary
		var created, retracted int64
		if err := rows.Scan(&a.ID, &a.CaseID, &a.Message, &a.Author, &created, &retracted,
			&a.Queued, &a.Delivered, &a.Failed, &a.Cancelled, &a.Corrected, &a.Withdrawn, &a.FollowUps); err != nil {
			return nil, fmt.Errorf("store: alerts: %w", err)
		}
		a.Created, a.Retracted = fromMS(created), fromMS(retracted)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	return out, nil
}

// standingAlert returns alert alertID if it may still be followed up or
// corrected: not withdrawn (ErrRetracted), its case not archived
// (ErrArchived).
func standingAlert(ctx context.Context, tx *sql.Tx, alertID int64) (Alert, error) {
	a, err := alertByID(ctx, tx, alertID)
	if err != nil {
		return Alert{}, err
	}
	if !a.Retracted.IsZero() {
		return Alert{}, fmt.Errorf("alert %d: %w", alertID, ErrRetracted)
	}
	return a, caseLive(ctx, tx, a.CaseID)
}

// caseLive refuses, with ErrArchived, operations that would post about an
// archived case (follow-ups, corrections); a retraction still goes ahead.
func caseLive(ctx context.Context, tx *sql.Tx, caseID string) error {
	var archived int64
	if err := tx.QueryRowContext(ctx, `SELECT archived_at FROM cases WHERE id = ?`, caseID).Scan(&archived); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("case %q: %w", caseID, ErrNotFound)
		}
		return err
	}
	if archived != 0 {
		return fmt.Errorf("case %q is %w (vigil archive --undo %s brings it back)", caseID, ErrArchived, caseID)
	}
	return nil
}
