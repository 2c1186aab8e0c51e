package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-bot/vigil/cases"
)

// Kind is what a post is about. It decides how the post is built and
// whether the planner may hold it back, and it is stored in the outbox
// (and named by `vigil upcoming --json`) as its string, so a kind's
// string never changes once released.
type Kind string

// The kinds of posts. Alerts and status changes are queued when they
// happen; the others are planned ahead for a channel's local day.
const (
	KindAlert               Kind = "alert"
	KindStatusChange        Kind = "status_change"
	KindHungerStrikeDay     Kind = "hunger_strike_day"
	KindArrestAnniversary   Kind = "arrest_anniversary"
	KindSentenceAnniversary Kind = "sentence_anniversary"
	KindDetentionMilestone  Kind = "detention_milestone"
	KindBirthday            Kind = "birthday"
	KindCustom              Kind = "custom" // a case file's own cron reminder
	KindDigest              Kind = "digest" // the reminders of a day beyond the daily limit

	// Operations on the delivered copies of an alert, queued when an
	// editor asks for them; each names the copy it acts on (Post.TargetID).
	KindAlertFollowUp Kind = "alert_follow_up" // a reply to the copy
	KindAlertEdit     Kind = "alert_edit"      // the copy edited to the alert's current text
	KindAlertDelete   Kind = "alert_delete"    // the copy deleted (or edited to say it was withdrawn)
)

// Kinds lists every kind of post.
var Kinds = []Kind{KindAlert, KindStatusChange, KindHungerStrikeDay, KindArrestAnniversary, KindSentenceAnniversary,
	KindDetentionMilestone, KindBirthday, KindCustom, KindDigest, KindAlertFollowUp, KindAlertEdit, KindAlertDelete}

// Immediate reports whether posts of kind k are queued when they happen
// rather than planned ahead: they are never held back by the daily
// limit, never dropped by re-planning and never too late to send.
func (k Kind) Immediate() bool {
	return k == KindAlert || k == KindStatusChange || k.AlertOp()
}

// AlertOp reports whether k is an operation on a delivered alert copy
// rather than a post of its own: a follow-up, an edit or a deletion.
func (k Kind) AlertOp() bool {
	return k == KindAlertFollowUp || k == KindAlertEdit || k == KindAlertDelete
}

// Priority orders a day's reminders for the daily limit, lowest first:
// day counts, then milestones and anniversaries, then the rest.
func (k Kind) Priority() int {
	switch k {
	case KindHungerStrikeDay:
		return 0
	case KindDetentionMilestone, KindArrestAnniversary, KindSentenceAnniversary:
		return 1
	}
	return 2
}

// immediateKinds is the SQL list of the immediate kinds, for
// `kind IN immediateKinds`.
var immediateKinds = sqlKinds(Kind.Immediate)

// sqlKinds writes the kinds for which keep is true as an SQL list of
// string literals: ('a', 'b').
func sqlKinds(keep func(Kind) bool) string {
	var quoted []string
	for _, k := range Kinds {
		if keep(k) {
			quoted = append(quoted, "'"+strings.ReplaceAll(string(k), "'", "''")+"'")
		}
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// AlertPayload is the payload of an alert post.
type AlertPayload struct {
	AlertID int64  `json:"alert_id"`
	Message string `json:"message"`
}

// AlertOpPayload is the payload of an operation on an alert's copy: the
// follow-up or correction it carries out (OpID, with its text), or none
// for a deletion.
type AlertOpPayload struct {
	AlertID int64  `json:"alert_id"`
	OpID    int64  `json:"op_id,omitempty"`
	Message string `json:"message,omitempty"`
}

// StatusChangePayload is the payload of a status-change post.
type StatusChangePayload struct {
	Old cases.Status `json:"old"`
	New cases.Status `json:"new"`
}

// ReminderPayload is the payload of a scheduled reminder (every planned
// kind but the digest): its lead, written in the channel's language when
// planned, and what the planner checks before it is sent.
type ReminderPayload struct {
	Text string `json:"text"`
	N    int    `json:"n,omitempty"`   // day number, years, or days in detention
	Day  string `json:"day,omitempty"` // the channel's local date, YYYY-MM-DD
	Idx  int    `json:"idx,omitempty"` // custom reminders: which one of the case file
}

// DigestPayload is the payload of a digest: the day's reminders beyond
// the daily limit in one post.
type DigestPayload struct {
	Text   string       `json:"text"`          // the whole post: Header and Lines
	N      int          `json:"n,omitempty"`   // how many cases
	Day    string       `json:"day,omitempty"` // the channel's local date, YYYY-MM-DD
	Cases  []string     `json:"cases,omitempty"`
	Header string       `json:"header,omitempty"`
	Lines  []DigestLine `json:"lines,omitempty"`
}

// DigestLine is one reminder of a digest.
type DigestLine struct {
	CaseID string `json:"case"`
	Kind   Kind   `json:"kind"`
	N      int    `json:"n,omitempty"`
	Idx    int    `json:"idx,omitempty"`
	Text   string `json:"text"`
}

// payload is every type a post carries.
type payload interface {
	AlertPayload | AlertOpPayload | StatusChangePayload | ReminderPayload | DigestPayload
}

// EncodePayload writes a post's payload for Post.Payload.
func EncodePayload[P payload](v P) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// The payload types hold only strings, numbers and slices of them.
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return b
}

// DecodePayload reads the payload of post p as a P. Its error is the
// JSON decoder's, for the caller to say which post it was.
func DecodePayload[P payload](p Post) (P, error) {
	var v P
	err := json.Unmarshal(p.Payload, &v)
	return v, err
}
