package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/store"
)

// Compose builds the message of a queued post for its channel, in the
// channel's language, from the case as it is now. Its error means the
// post can never be built (unknown kind, case gone, bad payload).
func (h *Handler) Compose(ctx context.Context, p store.Post, ch store.Channel) (Message, error) {
	lang := ch.Language
	msg := Message{Kind: p.Kind, Lang: lang}
	if p.Kind == store.KindDigest {
		// A digest names several cases; it carries no single card.
		sp, err := store.DecodePayload[store.DigestPayload](p)
		if err != nil || sp.Text == "" {
			return Message{}, fmt.Errorf("compose %s: bad payload", p.Key)
		}
		msg.Lead = sp.Text
		return msg, nil
	}
	if p.Kind == store.KindAlertFollowUp {
		// A follow-up answers the alert's copy: its text alone.
		op, err := store.DecodePayload[store.AlertOpPayload](p)
		if err != nil || op.Message == "" {
			return Message{}, fmt.Errorf("compose %s: bad payload", p.Key)
		}
		msg.Lead = i18n.F(lang, "post.alert_follow_up", i18n.Args{"Message": op.Message})
		return msg, nil
	}
	if p.Kind == store.KindAlertDelete {
		// What a copy the platform would not delete is edited to.
		msg.Lead = i18n.T(lang, "post.alert_withdrawn")
		return msg, nil
	}
	c, ok, err := h.Library.Case(ctx, p.CaseID)
	if err != nil {
		return Message{}, err
	}
	if !ok {
		return Message{}, fmt.Errorf("compose %s: case %q is gone", p.Key, p.CaseID)
	}
	msg.Card = h.CardFor(ctx, c, ch)
	msg.Image = h.picture(c, ch)
	switch p.Kind {
	case store.KindAlert, store.KindAlertEdit:
		// An alert, or the edit of a delivered copy, reads the alert's
		// current text: a copy sent after a correction goes out corrected.
		a, err := store.DecodePayload[store.AlertPayload](p)
		if err != nil {
			return Message{}, fmt.Errorf("compose %s: %w", p.Key, err)
		}
		text := a.Message
		if cur, err := h.Store.Alert(ctx, a.AlertID); err == nil {
			text = cur.Message
		} else if !errors.Is(err, store.ErrNotFound) {
			return Message{}, err
		}
		msg.Lead = i18n.F(lang, "post.alert", i18n.Args{"Message": text})
	case store.KindStatusChange:
		sc, err := store.DecodePayload[store.StatusChangePayload](p)
		if err != nil {
			return Message{}, fmt.Errorf("compose %s: %w", p.Key, err)
		}
		msg.Lead = i18n.F(lang, "post.status_change", i18n.Args{"Name": c.NameIn(lang),
			"New": i18n.Status(lang, sc.New), "Old": i18n.Status(lang, sc.Old)})
	default:
		// Scheduled reminders carry their lead, written when planned.
		sp, err := store.DecodePayload[store.ReminderPayload](p)
		if err != nil || sp.Text == "" {
			return Message{}, fmt.Errorf("compose %s: unknown kind %q or bad payload", p.Key, p.Kind)
		}
		msg.Lead = sp.Text
	}
	return msg, nil
}
