package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// StatusChangePayload is the payload of a status-change post.
type StatusChangePayload struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// Compose builds the message of a queued post for its channel, in the
// channel's language, from the case as it is now. Its error means the
// post can never be built (unknown kind, case gone, bad payload).
func (h *Handler) Compose(ctx context.Context, p store.Post, ch store.Channel) (Message, error) {
	lang := ch.Language
	msg := Message{Kind: p.Kind, Lang: lang}
	if p.Kind == "digest" {
		// A digest names several cases; it carries no single card.
		var sp scheduledPayload
		if err := json.Unmarshal(p.Payload, &sp); err != nil || sp.Text == "" {
			return Message{}, fmt.Errorf("compose %s: bad payload", p.Key)
		}
		msg.Lead = sp.Text
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
	switch p.Kind {
	case "alert":
		var a store.AlertPayload
		if err := json.Unmarshal(p.Payload, &a); err != nil {
			return Message{}, fmt.Errorf("compose %s: %w", p.Key, err)
		}
		msg.Lead = i18n.F(lang, "post.alert", i18n.Args{"Message": a.Message})
	case "status_change":
		var sc StatusChangePayload
		if err := json.Unmarshal(p.Payload, &sc); err != nil {
			return Message{}, fmt.Errorf("compose %s: %w", p.Key, err)
		}
		msg.Lead = i18n.F(lang, "post.status_change", i18n.Args{"Name": c.Name,
			"New": i18n.Status(lang, cases.Status(sc.New)), "Old": i18n.Status(lang, cases.Status(sc.Old))})
	default:
		// Scheduled reminders carry their lead, written when planned.
		var sp scheduledPayload
		if err := json.Unmarshal(p.Payload, &sp); err != nil || sp.Text == "" {
			return Message{}, fmt.Errorf("compose %s: unknown kind %q or bad payload", p.Key, p.Kind)
		}
		msg.Lead = sp.Text
	}
	return msg, nil
}

// scheduledPayload is the part of a scheduled post's payload that
// Compose reads (the scheduler writes it).
type scheduledPayload struct {
	Text string `json:"text"`
}
