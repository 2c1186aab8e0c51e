package bot

import (
	"context"
	"strings"
	"testing"
)

// TestArchivedCaseOutOfTheChat: once a case is archived, the chat no
// longer shows it: not by /case (name, alias or id), not in /cases, not
// in autocomplete, and /alert cannot reach it. --undo brings it back.
func TestArchivedCaseOutOfTheChat(t *testing.T) {
	h, st := newTestHandler(t)
	ctx := context.Background()
	req := func(cmd, args string) Reply {
		return h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "42", Command: cmd, Options: ParseOptions(cmd, args), IsAdmin: admin(true)})
	}
	// Loaded before the archive: the library must notice it.
	if r := req("case", "amira testova"); r.Card == nil || r.Card.CaseID != "amira-testova" {
		t.Fatalf("before archiving: card %+v", r.Card)
	}
	if _, err := st.Archive(ctx, "amira-testova", testNow); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"amira testova", "Амира", "amira-testova"} {
		if r := req("case", q); r.Card != nil && r.Card.CaseID == "amira-testova" {
			t.Errorf("/case %s still shows the archived case", q)
		}
	}
	// "testova" now means Leyla alone: a card, no pick list.
	if r := req("case", "testova"); r.Card == nil || r.Card.CaseID != "leyla-testova" || len(r.Choices) != 0 {
		t.Errorf("/case testova = card %+v, choices %v; want Leyla's card", r.Card, r.Choices)
	}
	if r := req("cases", "AZ"); !strings.Contains(r.Text, "Cases in Azerbaijan (1)") || strings.Contains(r.Text, "amira") {
		t.Errorf("/cases AZ: %q", r.Text)
	}
	if r := req("cases", ""); !strings.Contains(r.Text, "All cases (4)") {
		t.Errorf("/cases: %q", r.Text)
	}
	ms, err := h.Library.Complete(ctx, "amir", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == "amira-testova" {
			t.Errorf("autocomplete offers the archived case: %v", ms)
		}
	}
	if r := req("alert", "amira-testova Moved again"); !strings.Contains(r.Text, "No case matches") {
		t.Errorf("/alert about an archived case: %q", r.Text)
	}

	if _, err := st.Unarchive(ctx, "amira-testova"); err != nil {
		t.Fatal(err)
	}
	if r := req("case", "Амира"); r.Card == nil || r.Card.CaseID != "amira-testova" {
		t.Errorf("after --undo: card %+v", r.Card)
	}
}
