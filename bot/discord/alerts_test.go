package discord

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/store"
)

var alertIDRE = regexp.MustCompile(`Alert id: (\d+)`)

// quiet waits until nothing is queued or being sent: a hundred paced
// calls take a few seconds, and longer on a loaded machine.
func (e *env) quiet() {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		counts, err := e.st.PostCounts(context.Background())
		if err == nil && counts[store.Queued] == 0 && counts[store.Sending] == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the outbox did not empty: %v", counts)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func snapshot(srv *discordtest.Server, chans []string) string {
	var b strings.Builder
	for _, ch := range chans {
		for _, m := range srv.Messages(ch) {
			ref := ""
			if m.MessageReference != nil {
				ref = m.MessageReference.MessageID
			}
			fmt.Fprintf(&b, "%s %s %q %d %v %s %d\n", ch, m.ID, m.Content, m.Edits, m.Deleted, ref, len(m.Embeds))
		}
	}
	return b.String()
}

// TestAlertLifecycle is the "done means" on Discord: an alert to
// 50 channels, a follow-up that replies in each, a correction that edits
// each (the embed and buttons stay), a retraction that deletes each; then
// the same commands again change nothing.
func TestAlertLifecycle(t *testing.T) {
	e := start(t, discordtest.Options{})
	ctx := context.Background()
	var chans []string
	for i := range 50 {
		ch := strconv.Itoa(830000000000000000 + i)
		if _, err := e.st.Subscribe(ctx, bot.DefaultChannel(e.h.Config, Name, ch), "AZ", time.Now()); err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	ed := in(chans[0], editorID, 0)
	m := e.command(ed, "alert", map[string]string{"case": "amira-testova", "message": "Act now"})
	match := alertIDRE.FindStringSubmatch(m.Content)
	if match == nil || !strings.Contains(m.Content, "50 channels") {
		t.Fatalf("/alert: %q; want the alert's id and 50 channels", m.Content)
	}
	id := match[1]
	e.quiet()

	m = e.command(ed, "alert", map[string]string{"case": "--follow-up " + id, "message": "He was moved to hospital"})
	if !strings.Contains(m.Content, "channels: 50") {
		t.Errorf("/alert --follow-up: %q; want 50 channels", m.Content)
	}
	e.quiet()
	for _, ch := range chans {
		msgs := e.srv.Messages(ch)
		if len(msgs) != 2 {
			t.Fatalf("%s: %d messages after the follow-up; want 2", ch, len(msgs))
		}
		ref := msgs[1].MessageReference
		if ref == nil || ref.MessageID != msgs[0].ID || !strings.Contains(msgs[1].Content, "He was moved to hospital") {
			t.Errorf("%s: follow-up %q with reference %+v; want a reply to %s", ch, msgs[1].Content, ref, msgs[0].ID)
		}
	}

	m = e.command(ed, "alert", map[string]string{"case": "--correct " + id, "message": "Act today"})
	if !strings.Contains(m.Content, "Correction of alert "+id) {
		t.Errorf("/alert --correct: %q", m.Content)
	}
	e.quiet()
	for _, ch := range chans {
		a := e.srv.Messages(ch)[0]
		if a.Edits != 1 || !strings.Contains(a.Content, "Act today") || strings.Contains(a.Content, "Act now") ||
			len(a.Embeds) != 1 || a.Embeds[0].Title != "Amira Testova" || len(a.Components) == 0 {
			t.Errorf("%s: alert after the correction (%d edits) %q, %d embeds, %d rows; want the new text with the card and buttons",
				ch, a.Edits, a.Content, len(a.Embeds), len(a.Components))
		}
	}

	before, stats := snapshot(e.srv, chans), e.srv.Stats()
	for _, o := range []map[string]string{{"case": "--follow-up " + id, "message": "He was moved to hospital"},
		{"case": "--correct " + id, "message": "Act today"}} {
		if m := e.command(ed, "alert", o); !strings.Contains(m.Content, "nothing changes") {
			t.Errorf("%v again: %q; want nothing to change", o, m.Content)
		}
	}
	e.quiet()
	if after := snapshot(e.srv, chans); after != before || e.srv.Stats().Posts != stats.Posts || e.srv.Stats().Edits != stats.Edits {
		t.Errorf("repeating the follow-up and correction changed the channels")
	}

	if m := e.command(ed, "retract", map[string]string{"alert": id}); !strings.Contains(m.Content, "withdrawn") {
		t.Errorf("/retract: %q", m.Content)
	}
	e.quiet()
	for _, ch := range chans {
		for _, msg := range e.srv.Messages(ch) {
			if !msg.Deleted {
				t.Errorf("%s: message %s %q not deleted", ch, msg.ID, msg.Content)
			}
		}
	}
	if n := e.srv.Stats().Deletes; n != 100 {
		t.Errorf("%d deletions; want 100", n)
	}

	before, stats = snapshot(e.srv, chans), e.srv.Stats()
	if m := e.command(ed, "retract", map[string]string{"alert": id}); !strings.Contains(m.Content, "nothing changes") {
		t.Errorf("/retract again: %q", m.Content)
	}
	if m := e.command(ed, "alert", map[string]string{"case": "--correct " + id, "message": "Other"}); !strings.Contains(m.Content, "was withdrawn") {
		t.Errorf("correcting a withdrawn alert: %q; want a refusal", m.Content)
	}
	e.quiet()
	if after := snapshot(e.srv, chans); after != before || e.srv.Stats().Deletes != stats.Deletes {
		t.Errorf("repeating the retraction changed the channels")
	}
	if m := e.command(in(chans[0], memberID, permManageChannels), "retract", map[string]string{"alert": id}); !m.Ephemeral() {
		t.Errorf("non-editor /retract: %q; want an ephemeral refusal", m.Content)
	}
}

// TestFakeRefusesBadReplies: the fake is as strict as Discord about
// replies and edits: a reply to a message that is not in the channel, or
// an edit over the content limit, is refused.
func TestFakeRefusesBadReplies(t *testing.T) {
	e := start(t, discordtest.Options{})
	ctx := context.Background()
	id, err := e.c.Send(ctx, "840000000000000001", bot.Message{Lead: "first"})
	if err != nil {
		t.Fatal(err)
	}
	// A reply to that message from another channel goes out on its own.
	if _, err := e.c.Send(ctx, "840000000000000002", bot.Message{Lead: "reply", ReplyTo: id}); err != nil {
		t.Fatal(err)
	}
	if msgs := e.srv.Messages("840000000000000002"); len(msgs) != 1 || msgs[0].MessageReference != nil {
		t.Errorf("reply across channels: %+v; want a message without a reference", msgs)
	}
	if e.srv.Stats().Invalid != 1 {
		t.Errorf("the fake refused %d requests; want the one reply to a message of another channel", e.srv.Stats().Invalid)
	}
	// The adapter fits an edit's content into Discord's 2000 characters,
	// which the fake enforces on edits as on sends.
	if err := e.c.Edit(ctx, "840000000000000001", id, bot.Message{Lead: strings.Repeat("x", 2500)}); err != nil {
		t.Fatalf("long edit: %v", err)
	}
	if m := e.srv.Messages("840000000000000001")[0]; m.Edits != 1 || len([]rune(m.Content)) > 2000 || !strings.HasPrefix(m.Content, "xxx") {
		t.Errorf("edited message: %d edits, %d characters; want 1 edit within 2000", m.Edits, len([]rune(m.Content)))
	}
	if err := e.c.Delete(ctx, "840000000000000001", id); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(ctx, "840000000000000001", id); err != nil {
		t.Errorf("deleting a deleted message: %v; want done", err)
	}
	if err := e.c.Edit(ctx, "840000000000000001", id, bot.Message{Lead: "late"}); bot.Classify(err).Failure != bot.Rejected {
		t.Errorf("editing a deleted message: %v; want rejected", err)
	}
}
