package telegram

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

var alertIDRE = regexp.MustCompile(`Alert id: (\d+)`)

// subscribeChats adds n chats (groups, supergroups and channels in turn)
// following AZ.
func (hs *harness) subscribeChats(n int) []telegramtest.Chat {
	hs.t.Helper()
	var chats []telegramtest.Chat
	for i := range n {
		var c telegramtest.Chat
		switch i % 3 {
		case 0:
			c = telegramtest.Group(-int64(700+i), "G")
		case 1:
			c = telegramtest.Supergroup(-int64(1001000700+i), "S")
		default:
			c = telegramtest.Channel(-int64(1002000700+i), "C")
		}
		hs.tg.AddChat(c)
		if _, err := hs.st.Subscribe(context.Background(), bot.DefaultChannel(hs.cfg, Name, itoa(c.ID)), "AZ", time.Now()); err != nil {
			hs.t.Fatal(err)
		}
		chats = append(chats, c)
	}
	return chats
}

// wantAllDeleted checks that every message the bot sent to chats is
// deleted.
func wantAllDeleted(t *testing.T, tg *telegramtest.Server, chats []telegramtest.Chat) {
	t.Helper()
	for _, c := range chats {
		for _, msg := range tg.Messages(c.ID) {
			if !msg.Deleted {
				t.Errorf("chat %d: message %d (%s) %q not deleted", c.ID, msg.MessageID, msg.Method, msg.Text)
			}
		}
	}
}

// editorSays sends text from the editor in a private chat and returns
// the bot's answer.
func (hs *harness) editorSays(text string) string {
	hs.t.Helper()
	return hs.say(telegramtest.Private(editor), editor, text).Text
}

// quiet waits until nothing is queued or being sent.
func quiet(t *testing.T, st *store.Store) {
	t.Helper()
	deadline := time.Now().Add(3 * waitLong) // paced calls, on a loaded machine
	for time.Now().Before(deadline) {
		counts, err := st.PostCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.Queued] == 0 && counts[store.Sending] == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the outbox did not empty within %v", 3*waitLong)
}

// snapshot is what the fake holds for the chats: their messages.
func snapshot(tg *telegramtest.Server, chats []telegramtest.Chat) map[int64][]telegramtest.Sent {
	out := map[int64][]telegramtest.Sent{}
	for _, c := range chats {
		msgs := tg.Messages(c.ID)
		for i := range msgs {
			msgs[i].Params = nil
		}
		out[c.ID] = msgs
	}
	return out
}

// TestAlertLifecycle is the "done means" on Telegram: an alert to
// 50 chats, a follow-up that replies in each, a correction that edits
// each, a retraction that removes each; then the same commands again
// change nothing.
func TestAlertLifecycle(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	chats := hs.subscribeChats(50)

	reply := hs.editorSays("/alert amira-testova Free her now")
	m := alertIDRE.FindStringSubmatch(reply)
	if m == nil || !strings.Contains(reply, "queued for 50 channels") {
		t.Fatalf("/alert: %q; want the alert's id and 50 channels", reply)
	}
	id := m[1]
	waitPosts(t, hs.st, 50)

	reply = hs.editorSays("/alert --follow-up " + id + " He was moved to hospital")
	if !strings.Contains(reply, "channels: 50") {
		t.Errorf("/alert --follow-up: %q; want 50 channels", reply)
	}
	quiet(t, hs.st)
	for _, c := range chats {
		msgs := hs.tg.Messages(c.ID)
		if len(msgs) != 2 {
			t.Fatalf("chat %d: %d messages after the follow-up; want 2", c.ID, len(msgs))
		}
		if msgs[1].ReplyTo != msgs[0].MessageID || msgs[1].Text != "UPDATE: He was moved to hospital" {
			t.Errorf("chat %d: follow-up %q replying to %d; want a reply to the alert (%d)", c.ID, msgs[1].Text, msgs[1].ReplyTo, msgs[0].MessageID)
		}
	}

	reply = hs.editorSays("/alert --correct " + id + " Free her today")
	if !strings.Contains(reply, "Correction of alert "+id) {
		t.Errorf("/alert --correct: %q", reply)
	}
	quiet(t, hs.st)
	for _, c := range chats {
		a := hs.tg.Messages(c.ID)[0]
		if a.Edits != 1 || !strings.Contains(a.Text, "URGENT: Free her today") || strings.Contains(a.Text, "Free her now") ||
			!strings.Contains(a.Text, "Amira Testova") || len(a.Keyboard) != 1 {
			t.Errorf("chat %d: alert after the correction (%d edits): %q %+v; want the new text, the card and its button",
				c.ID, a.Edits, a.Text, a.Keyboard)
		}
	}

	// The same follow-up and correction again: nothing more.
	before := snapshot(hs.tg, chats)
	sends := hs.tg.Calls("sendMessage") + hs.tg.Calls("sendPhoto")
	for _, cmd := range []string{"/alert --follow-up " + id + " He was moved to hospital", "/alert --correct " + id + " Free her today"} {
		if reply := hs.editorSays(cmd); !strings.Contains(reply, "nothing changes") {
			t.Errorf("%s again: %q; want nothing to change", cmd, reply)
		}
	}
	quiet(t, hs.st)
	sends += 2 // the two replies to the editor
	if got := hs.tg.Calls("sendMessage") + hs.tg.Calls("sendPhoto"); got != sends {
		t.Errorf("repeating the follow-up and correction sent %d messages; want none", got-sends+2)
	}
	if after := snapshot(hs.tg, chats); !equalSnapshots(before, after) {
		t.Errorf("repeating the follow-up and correction changed the chats")
	}

	reply = hs.editorSays("/retract " + id)
	if !strings.Contains(reply, "withdrawn") {
		t.Errorf("/retract: %q", reply)
	}
	quiet(t, hs.st)
	wantAllDeleted(t, hs.tg, chats)
	if n := hs.tg.Deletions(); n != 100 {
		t.Errorf("%d deletions; want 100 (50 alerts, 50 follow-ups)", n)
	}

	// Retracting again does nothing; following up or correcting a
	// withdrawn alert is refused.
	before = snapshot(hs.tg, chats)
	if reply := hs.editorSays("/retract " + id); !strings.Contains(reply, "nothing changes") {
		t.Errorf("/retract again: %q; want nothing to change", reply)
	}
	for _, cmd := range []string{"/alert --follow-up " + id + " More news", "/alert --correct " + id + " Other text"} {
		if reply := hs.editorSays(cmd); !strings.Contains(reply, "was withdrawn") {
			t.Errorf("%s after the retraction: %q; want a refusal", cmd, reply)
		}
	}
	quiet(t, hs.st)
	if after := snapshot(hs.tg, chats); !equalSnapshots(before, after) || hs.tg.Deletions() != 100 {
		t.Errorf("repeating the retraction changed the chats (%d deletions)", hs.tg.Deletions())
	}

	n, _ := strconv.ParseInt(id, 10, 64)
	alerts, err := hs.st.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got store.AlertSummary
	for _, a := range alerts {
		if a.ID == n {
			got = a
		}
	}
	if got.Delivered != 50 || got.Corrected != 50 || got.Withdrawn != 50 || got.FollowUps != 50 || got.Queued != 0 || got.Failed != 0 || got.Retracted.IsZero() {
		t.Errorf("alert summary %+v; want 50 delivered, corrected, withdrawn and followed up", got)
	}
}

func equalSnapshots(a, b map[int64][]telegramtest.Sent) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y := b[k]
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Text != y[i].Text || x[i].Edits != y[i].Edits || x[i].Deleted != y[i].Deleted || x[i].ReplyTo != y[i].ReplyTo {
				return false
			}
		}
	}
	return true
}

// TestRetractOldCopies: Telegram does not let bots delete messages older
// than 48 hours; those copies are edited to say the alert was withdrawn,
// the younger ones deleted.
func TestRetractOldCopies(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	chats := hs.subscribeChats(3)
	id, n, err := hs.st.QueueAlert(ctx, "zara-fiktiva", "Old news", "test", time.Now())
	if err != nil || n != 3 {
		t.Fatalf("QueueAlert: %d, %v", n, err)
	}
	waitPosts(t, hs.st, 3)
	hs.tg.Advance(49 * time.Hour)
	// A fourth chat joins and gets a fresh copy of a second alert.
	late := hs.subscribeChats(4)[3]
	id2, _, err := hs.st.QueueAlert(ctx, "zara-fiktiva", "New news", "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	quiet(t, hs.st)
	for _, a := range []int64{id, id2} {
		if _, err := hs.st.QueueRetraction(ctx, a, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	quiet(t, hs.st)
	for _, c := range chats {
		old := hs.tg.Messages(c.ID)[0]
		if old.Deleted || old.Edits != 1 || !strings.Contains(old.Text, "This alert was withdrawn") || strings.Contains(old.Text, "Old news") {
			t.Errorf("chat %d: old copy %+v; want it edited to say it was withdrawn", c.ID, old)
		}
		if len(old.Keyboard) != 0 {
			t.Errorf("chat %d: a withdrawn copy keeps its buttons %+v", c.ID, old.Keyboard)
		}
		fresh := hs.tg.Messages(c.ID)[1]
		if !fresh.Deleted {
			t.Errorf("chat %d: the fresh copy of alert %d is not deleted", c.ID, id2)
		}
	}
	if msgs := hs.tg.Messages(late.ID); len(msgs) != 1 || !msgs[0].Deleted {
		t.Errorf("late chat: %+v; want its one copy deleted", msgs)
	}
	alerts, _ := hs.st.Alerts(ctx)
	for _, a := range alerts {
		if a.Withdrawn != a.Delivered {
			t.Errorf("alert %d: %d withdrawn of %d delivered", a.ID, a.Withdrawn, a.Delivered)
		}
	}
}

// hangingDeleter deletes through the real client, and after its first
// delete hangs until released, as a process killed right after the API
// call but before recording it would leave things.
type hangingDeleter struct {
	*Client
	once    sync.Once
	hung    chan struct{}
	release chan struct{}
}

func (h *hangingDeleter) Delete(ctx context.Context, chat, messageID string) error {
	err := h.Client.Delete(ctx, chat, messageID)
	hang := false
	h.once.Do(func() { hang = true })
	if hang {
		close(h.hung)
		<-h.release
		return &bot.SendError{Failure: bot.Temporary, Err: context.Canceled}
	}
	return err
}

// TestRetractionSurvivesKill: a process killed in the middle of a
// retraction, after Telegram deleted a copy and before that was recorded;
// the next process completes the retraction and deletes nothing twice.
func TestRetractionSurvivesKill(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	chats := hs.subscribeChats(6)
	id, _, err := hs.st.QueueAlert(ctx, "amira-testova", "Free her", "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	waitPosts(t, hs.st, 6)
	hs.stop() // the first daemon stops

	if _, err := hs.st.QueueRetraction(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	killed := &hangingDeleter{Client: hs.client, hung: make(chan struct{}), release: make(chan struct{})}
	d1 := &scheduler.Delivery{Store: hs.st, Composer: hs.h, Platforms: map[string]bot.Platform{Name: killed}, Log: log,
		Now: time.Now, Poll: 20 * time.Millisecond, SendTimeout: 10 * time.Second}
	ctx1, kill := context.WithCancel(ctx)
	done1 := make(chan struct{})
	go func() { d1.Run(ctx1); close(done1) }()
	select {
	case <-killed.hung:
	case <-time.After(waitLong):
		t.Fatal("the first delivery did not delete anything")
	}
	kill() // the process is gone: its claimed deletions stay "sending"
	if hs.tg.Deletions() != 1 {
		t.Fatalf("%d deletions before the kill; want 1", hs.tg.Deletions())
	}

	d2 := &scheduler.Delivery{Store: hs.st, Composer: hs.h, Platforms: map[string]bot.Platform{Name: hs.client}, Log: log,
		Now: time.Now, Poll: 20 * time.Millisecond, SendTimeout: 10 * time.Second}
	ctx2, stop2 := context.WithCancel(ctx)
	done2 := make(chan struct{})
	go func() { d2.Run(ctx2); close(done2) }()
	quiet(t, hs.st)
	stop2()
	<-done2
	close(killed.release)
	<-done1

	for _, c := range chats {
		if msgs := hs.tg.Messages(c.ID); len(msgs) != 1 || !msgs[0].Deleted {
			t.Errorf("chat %d: %+v; want its copy deleted", c.ID, msgs)
		}
	}
	if n := hs.tg.Deletions(); n != 6 {
		t.Errorf("%d deletions; want 6, one per copy", n)
	}
	alerts, _ := hs.st.Alerts(ctx)
	if len(alerts) != 1 || alerts[0].Withdrawn != 6 {
		t.Errorf("alerts %+v; want 6 copies withdrawn", alerts)
	}
	// A third start finds nothing to do.
	calls := hs.tg.Calls("deleteMessage")
	if _, err := (&scheduler.Delivery{Store: hs.st, Composer: hs.h, Platforms: map[string]bot.Platform{Name: hs.client}, Log: log,
		Now: time.Now}).Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if hs.tg.Calls("deleteMessage") != calls {
		t.Errorf("a restart after the retraction called deleteMessage again")
	}
}

// TestStrictEditsAndReplies: the fake refuses what Telegram refuses, and
// the client copes: an edit to the same text ("message is not modified")
// is done, a reply to a message that does not exist goes out on its own,
// deleting a deleted message is done.
func TestStrictEditsAndReplies(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{noRun: true, limits: &telegramtest.Limits{}})
	ctx := context.Background()
	g := telegramtest.Group(-900, "G")
	hs.tg.AddChat(g)
	id, err := hs.client.Send(ctx, itoa(g.ID), bot.Message{Lead: "first"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := hs.client.Edit(ctx, itoa(g.ID), id, bot.Message{Lead: "second"}); err != nil {
			t.Fatalf("Edit: %v", err)
		}
	}
	if m := hs.tg.Messages(g.ID)[0]; m.Edits != 1 || m.Text != "second" {
		t.Errorf("after two identical edits: %d edits, %q; want one", m.Edits, m.Text)
	}
	if errs := hs.tg.Errors(); len(errs) != 1 || !strings.Contains(errs[0], "message is not modified") {
		t.Errorf("fake errors %q; want the one 'message is not modified'", errs)
	}
	if _, err := hs.client.Send(ctx, itoa(g.ID), bot.Message{Lead: "reply", ReplyTo: "77"}); err != nil {
		t.Fatal(err)
	}
	if m := hs.tg.Messages(g.ID)[1]; m.ReplyTo != 0 || m.Text != "reply" {
		t.Errorf("reply to a missing message: %+v; want it sent without the reply", m)
	}
	if errs := hs.tg.Errors(); len(errs) != 2 || !strings.Contains(errs[1], "message to be replied not found") {
		t.Errorf("fake errors %q; want the refused reply", errs)
	}
	for range 2 {
		if err := hs.client.Delete(ctx, itoa(g.ID), id); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if hs.tg.Deletions() != 1 {
		t.Errorf("%d deletions; want 1", hs.tg.Deletions())
	}
	if err := hs.client.Edit(ctx, itoa(g.ID), id, bot.Message{Lead: "late"}); bot.Classify(err).Failure != bot.Rejected {
		t.Errorf("editing a deleted message: %v; want rejected", err)
	}
}
