package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vigil-bot/vigil/cases"
)

// TestKindStrings: the kinds are stored by their strings, so databases
// written by earlier versions keep working only while these hold.
func TestKindStrings(t *testing.T) {
	want := map[Kind]string{
		KindAlert:               "alert",
		KindStatusChange:        "status_change",
		KindHungerStrikeDay:     "hunger_strike_day",
		KindArrestAnniversary:   "arrest_anniversary",
		KindSentenceAnniversary: "sentence_anniversary",
		KindDetentionMilestone:  "detention_milestone",
		KindBirthday:            "birthday",
		KindCustom:              "custom",
		KindDigest:              "digest",
		KindAlertFollowUp:       "alert_follow_up",
		KindAlertEdit:           "alert_edit",
		KindAlertDelete:         "alert_delete",
	}
	if len(Kinds) != len(want) {
		t.Errorf("Kinds has %d kinds; want %d", len(Kinds), len(want))
	}
	for _, k := range Kinds {
		if s, ok := want[k]; !ok || string(k) != s {
			t.Errorf("kind %q is not one of the stored kinds", k)
		}
	}
}

func TestKindImmediate(t *testing.T) {
	for _, k := range Kinds {
		// Operations on an alert's copies are queued when asked for, like
		// the alert itself.
		alertOp := k == KindAlertFollowUp || k == KindAlertEdit || k == KindAlertDelete
		if got := k.AlertOp(); got != alertOp {
			t.Errorf("%s.AlertOp() = %v; want %v", k, got, alertOp)
		}
		if got, want := k.Immediate(), k == KindAlert || k == KindStatusChange || alertOp; got != want {
			t.Errorf("%s.Immediate() = %v; want %v", k, got, want)
		}
	}
	if want := `('alert', 'status_change', 'alert_follow_up', 'alert_edit', 'alert_delete')`; immediateKinds != want {
		t.Errorf("immediateKinds = %s; want %s", immediateKinds, want)
	}
	if got := sqlKinds(func(k Kind) bool { return k == "it's" || k == KindDigest }); got != `('digest')` {
		t.Errorf("sqlKinds = %s; want ('digest')", got)
	}
}

func TestKindPriority(t *testing.T) {
	want := map[Kind]int{
		KindHungerStrikeDay:     0,
		KindDetentionMilestone:  1,
		KindArrestAnniversary:   1,
		KindSentenceAnniversary: 1,
		KindBirthday:            2,
		KindCustom:              2,
	}
	for k, p := range want {
		if got := k.Priority(); got != p {
			t.Errorf("%s.Priority() = %d; want %d", k, got, p)
		}
	}
}

// oldScheduledPayload is the payload every scheduled post (reminders and
// digests alike) was written with before the payload types moved here.
type oldScheduledPayload struct {
	Text   string          `json:"text"`
	N      int             `json:"n,omitempty"`
	Day    string          `json:"day,omitempty"`
	Idx    int             `json:"idx,omitempty"`
	Cases  []string        `json:"cases,omitempty"`
	Header string          `json:"header,omitempty"`
	Lines  []oldDigestLine `json:"lines,omitempty"`
}

type oldDigestLine struct {
	CaseID string `json:"case"`
	Kind   string `json:"kind"`
	N      int    `json:"n,omitempty"`
	Idx    int    `json:"idx,omitempty"`
	Text   string `json:"text"`
}

// TestPayloadsOfOldShape: payloads queued by earlier versions decode to
// the payload types, and scheduled ones are written byte for byte as
// before.
func TestPayloadsOfOldShape(t *testing.T) {
	mustJSON := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	reminder := mustJSON(oldScheduledPayload{Text: "Day 3", N: 3, Day: "2026-11-27"})
	custom := mustJSON(oldScheduledPayload{Text: "Write to her", Day: "2026-11-27", Idx: 2})
	for _, old := range []json.RawMessage{reminder, custom} {
		got, err := DecodePayload[ReminderPayload](Post{Payload: old})
		if err != nil {
			t.Fatal(err)
		}
		if enc := EncodePayload(got); string(enc) != string(old) {
			t.Errorf("reminder payload %s is written again as %s", old, enc)
		}
	}
	if got, _ := DecodePayload[ReminderPayload](Post{Payload: custom}); got != (ReminderPayload{Text: "Write to her", Day: "2026-11-27", Idx: 2}) {
		t.Errorf("custom reminder payload decodes to %+v", got)
	}

	digest := mustJSON(oldScheduledPayload{Text: "H\n• a — /case x\n• b — /case y", N: 2, Day: "2026-11-27", Cases: []string{"x", "y"}, Header: "H",
		Lines: []oldDigestLine{{CaseID: "x", Kind: "birthday", N: 40, Text: "a"}, {CaseID: "y", Kind: "custom", Idx: 1, Text: "b"}}})
	d, err := DecodePayload[DigestPayload](Post{Payload: digest})
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []DigestLine{{CaseID: "x", Kind: KindBirthday, N: 40, Text: "a"}, {CaseID: "y", Kind: KindCustom, Idx: 1, Text: "b"}}
	if d.N != 2 || d.Header != "H" || !reflect.DeepEqual(d.Lines, wantLines) || !reflect.DeepEqual(d.Cases, []string{"x", "y"}) {
		t.Errorf("digest payload decodes to %+v", d)
	}
	if enc := EncodePayload(d); string(enc) != string(digest) {
		t.Errorf("digest payload %s is written again as %s", digest, enc)
	}

	// Status changes were written from a map.
	sc, err := DecodePayload[StatusChangePayload](Post{Payload: mustJSON(map[string]string{"old": "detained", "new": "released"})})
	if err != nil || sc != (StatusChangePayload{Old: cases.Detained, New: cases.Released}) {
		t.Errorf("status change payload decodes to %+v, %v", sc, err)
	}
	if sc2, _ := DecodePayload[StatusChangePayload](Post{Payload: EncodePayload(sc)}); sc2 != sc {
		t.Errorf("status change payload %+v does not survive a round trip: %+v", sc, sc2)
	}

	a, err := DecodePayload[AlertPayload](Post{Payload: json.RawMessage(`{"alert_id":7,"message":"Act now"}`)})
	if err != nil || a != (AlertPayload{AlertID: 7, Message: "Act now"}) {
		t.Errorf("alert payload decodes to %+v, %v", a, err)
	}
	if enc := EncodePayload(a); string(enc) != `{"alert_id":7,"message":"Act now"}` {
		t.Errorf("alert payload is written as %s", enc)
	}

	if _, err := DecodePayload[AlertPayload](Post{Payload: json.RawMessage(`{"alert_id":"x"}`)}); err == nil {
		t.Error("DecodePayload of a bad payload: no error")
	}
}
