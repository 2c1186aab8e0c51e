package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func post(key, platform, chat string, due time.Time) Post {
	return Post{Key: key, Platform: platform, Chat: chat, Kind: "test", CaseID: "amira-testova", DueAt: due}
}

func enqueueT(t *testing.T, s *Store, posts ...Post) {
	t.Helper()
	n, err := s.Enqueue(context.Background(), t0, posts...)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if n != len(posts) {
		t.Fatalf("Enqueue: got %d new; want %d", n, len(posts))
	}
}

func claim(t *testing.T, s *Store, now time.Time, limit int, platforms ...string) []Post {
	t.Helper()
	ps, err := s.Claim(context.Background(), now, limit, platforms...)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return ps
}

func keys(ps []Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	return out
}

func postByKey(t *testing.T, s *Store, key string) Post {
	t.Helper()
	var id int64
	if err := s.db.QueryRow(`SELECT id FROM outbox WHERE key = ?`, key).Scan(&id); err != nil {
		t.Fatalf("post %s: %v", key, err)
	}
	p, err := s.Post(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEnqueueDedup(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	p := post("hs:amira-testova:2026-10-01:telegram:-1", "telegram", "-1", t0)
	p.Payload = json.RawMessage(`{"day":12}`)
	n, err := s.Enqueue(ctx, t0, p)
	if err != nil || n != 1 {
		t.Fatalf("first Enqueue = %d, %v; want 1, nil", n, err)
	}
	// Same key, other content: left alone.
	p2 := p
	p2.Payload, p2.DueAt = json.RawMessage(`{"day":99}`), t0.Add(time.Hour)
	n, err = s.Enqueue(ctx, t0, p2, post("other", "telegram", "-1", t0))
	if err != nil || n != 1 {
		t.Errorf("second Enqueue = %d, %v; want 1 (only the other key), nil", n, err)
	}
	if got := countRows(t, s, `SELECT count(*) FROM outbox WHERE key = ?`, p.Key); got != 1 {
		t.Errorf("rows with the key: got %d; want 1", got)
	}
	got := postByKey(t, s, p.Key)
	if string(got.Payload) != `{"day":12}` || !got.DueAt.Equal(t0) {
		t.Errorf("post after duplicate Enqueue = payload %s due %v; want the first: {\"day\":12} due %v", got.Payload, got.DueAt, t0)
	}
	// Even once sent, the key keeps the occurrence from being queued again.
	ps := claim(t, s, t0, 10, "telegram")
	for _, p := range ps {
		if err := s.MarkSent(ctx, p.ID, "m1", t0); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Enqueue(ctx, t0, p); err != nil || n != 0 {
		t.Errorf("Enqueue of a sent key = %d, %v; want 0, nil", n, err)
	}
	// Nothing at all is fine.
	if n, err := s.Enqueue(ctx, t0); err != nil || n != 0 {
		t.Errorf("Enqueue() = %d, %v; want 0, nil", n, err)
	}
}

func TestPostRoundTrip(t *testing.T) {
	s := newStore(t)
	due := t0.Add(30 * time.Minute)
	withPayload := post("a", "discord", "42", due)
	withPayload.Kind = KindHungerStrikeDay
	withPayload.Payload = json.RawMessage(`{"day":3}`)
	enqueueT(t, s, withPayload, post("b", "telegram", "-1", due))
	tests := []struct {
		key         string
		wantPayload string
		wantKind    Kind
	}{
		{"a", `{"day":3}`, "hunger_strike_day"},
		{"b", `{}`, "test"}, // no payload is stored as {}
	}
	for _, tt := range tests {
		p := postByKey(t, s, tt.key)
		if string(p.Payload) != tt.wantPayload || p.Kind != tt.wantKind || p.CaseID != "amira-testova" || p.State != Queued ||
			!p.DueAt.Equal(due) || !p.NextAt.Equal(due) || p.Attempts != 0 || p.LastError != "" || p.ID == 0 {
			t.Errorf("Post(%s) = %+v; want payload %s, kind %s, queued, due and next at %v, no attempts", tt.key, p, tt.wantPayload, tt.wantKind, due)
		}
	}
}

func TestClaim(t *testing.T) {
	s := newStore(t)
	enqueueT(t, s,
		post("late", "telegram", "-1", t0.Add(-1*time.Minute)),
		post("early", "telegram", "-1", t0.Add(-10*time.Minute)),
		post("future", "telegram", "-1", t0.Add(time.Minute)),
		post("middle", "telegram", "-2", t0.Add(-5*time.Minute)),
		post("now", "telegram", "-2", t0),
	)
	got := claim(t, s, t0, 10, "telegram")
	if want := []string{"early", "middle", "late", "now"}; !slices.Equal(keys(got), want) {
		t.Errorf("Claim = %v; want %v (due ones, oldest first)", keys(got), want)
	}
	for _, p := range got {
		if p.State != Sending || p.Attempts != 1 {
			t.Errorf("claimed %s: state %s, attempts %d; want sending, 1", p.Key, p.State, p.Attempts)
		}
		if stored := postByKey(t, s, p.Key); stored.State != Sending || stored.Attempts != 1 {
			t.Errorf("stored %s: state %s, attempts %d; want sending, 1", p.Key, stored.State, stored.Attempts)
		}
	}
	if again := claim(t, s, t0, 10, "telegram"); len(again) != 0 {
		t.Errorf("second Claim = %v; want nothing (all sending or not due)", keys(again))
	}
	if later := claim(t, s, t0.Add(time.Minute), 10, "telegram"); !slices.Equal(keys(later), []string{"future"}) {
		t.Errorf("Claim a minute later = %v; want [future]", keys(later))
	}
}

func TestClaimLimit(t *testing.T) {
	s := newStore(t)
	for i := range 5 {
		enqueueT(t, s, post(fmt.Sprint(i), "telegram", "-1", t0.Add(time.Duration(i)*time.Second)))
	}
	now := t0.Add(time.Minute)
	if got := claim(t, s, now, 2, "telegram"); !slices.Equal(keys(got), []string{"0", "1"}) {
		t.Errorf("Claim(limit 2) = %v; want [0 1]", keys(got))
	}
	if got := claim(t, s, now, 2, "telegram"); !slices.Equal(keys(got), []string{"2", "3"}) {
		t.Errorf("next Claim(limit 2) = %v; want [2 3]", keys(got))
	}
	if got := claim(t, s, now, 0, "telegram"); len(got) != 0 {
		t.Errorf("Claim(limit 0) = %v; want nothing", keys(got))
	}
}

func TestClaimPlatforms(t *testing.T) {
	tests := []struct {
		name      string
		platforms []string
		want      []string
	}{
		{"telegram", []string{"telegram"}, []string{"tg"}},
		{"discord and console", []string{"discord", "console"}, []string{"dc", "con"}},
		{"all three", []string{"telegram", "discord", "console"}, []string{"tg", "dc", "con"}},
		{"unknown", []string{"matrix"}, nil},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			enqueueT(t, s,
				post("tg", "telegram", "-1", t0.Add(-3*time.Second)),
				post("dc", "discord", "42", t0.Add(-2*time.Second)),
				post("con", "console", "console", t0.Add(-1*time.Second)),
			)
			got := claim(t, s, t0, 10, tt.platforms...)
			if !slices.Equal(keys(got), tt.want) {
				t.Errorf("Claim(%v) = %v; want %v", tt.platforms, keys(got), tt.want)
			}
			counts, err := s.PostCounts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if counts[Sending] != len(tt.want) || counts[Queued] != 3-len(tt.want) {
				t.Errorf("PostCounts = %v; want %d sending, %d queued", counts, len(tt.want), 3-len(tt.want))
			}
		})
	}
}

func TestClaimSkipsPausedChannels(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-1"), "AZ")
	subscribe(t, s, tgChannel("-2"), "AZ")
	enqueueT(t, s,
		post("paused", "telegram", "-1", t0),
		post("active", "telegram", "-2", t0),
		post("unconfigured", "telegram", "-3", t0), // no channel row: not paused
	)
	if err := s.PauseChannel(ctx, "telegram", "-1", "kicked", t0); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, s, t0, 10, "telegram"); !slices.Equal(keys(got), []string{"active", "unconfigured"}) {
		t.Errorf("Claim = %v; want [active unconfigured]", keys(got))
	}
	if p := postByKey(t, s, "paused"); p.State != Queued {
		t.Errorf("post of the paused channel: state %s; want queued", p.State)
	}
	if err := s.ResumeChannel(ctx, "telegram", "-1"); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, s, t0, 10, "telegram"); !slices.Equal(keys(got), []string{"paused"}) {
		t.Errorf("Claim after resume = %v; want [paused]", keys(got))
	}
}

// deliveries returns the delivery log of a post as "ok|error|message_id".
func deliveries(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT ok, error, message_id, attempted_at FROM deliveries WHERE outbox_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ok int
		var e, m string
		var at int64
		if err := rows.Scan(&ok, &e, &m, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d|%s|%s|%d", ok, e, m, at))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFinish(t *testing.T) {
	now := t0.Add(time.Minute)
	nowMS := now.UnixMilli()
	next := t0.Add(time.Hour)
	tests := []struct {
		name           string
		finish         func(s *Store, id int64) error
		wantState      PostState
		wantErr        string // last_error
		wantDeliveries []string
		wantDone       int64
		wantNext       time.Time
	}{
		{"MarkSent", func(s *Store, id int64) error { return s.MarkSent(context.Background(), id, "msg-77", now) },
			Sent, "", []string{fmt.Sprintf("1||msg-77|%d", nowMS)}, nowMS, t0},
		{"Retry", func(s *Store, id int64) error {
			return s.Retry(context.Background(), id, next, errors.New("429 too many requests"), now)
		}, Queued, "429 too many requests", []string{fmt.Sprintf("0|429 too many requests||%d", nowMS)}, 0, next},
		{"Fail", func(s *Store, id int64) error {
			return s.Fail(context.Background(), id, errors.New("chat not found"), now)
		},
			Failed, "chat not found", []string{fmt.Sprintf("0|chat not found||%d", nowMS)}, nowMS, t0},
		{"Skip", func(s *Store, id int64) error { return s.Skip(context.Background(), id, "case is stale", now) },
			Skipped, "case is stale", nil, nowMS, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			enqueueT(t, s, post("p", "telegram", "-1", t0), post("bystander", "telegram", "-1", t0))
			ps := claim(t, s, t0, 1, "telegram")
			if len(ps) != 1 {
				t.Fatalf("Claim = %v; want one post", keys(ps))
			}
			id := ps[0].ID
			if err := tt.finish(s, id); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			p, err := s.Post(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if p.State != tt.wantState || p.LastError != tt.wantErr || p.Attempts != 1 || !p.NextAt.Equal(tt.wantNext) {
				t.Errorf("post after %s = state %s, last error %q, attempts %d, next %v; want %s, %q, 1, %v",
					tt.name, p.State, p.LastError, p.Attempts, p.NextAt, tt.wantState, tt.wantErr, tt.wantNext)
			}
			if got := deliveries(t, s, id); !slices.Equal(got, tt.wantDeliveries) {
				t.Errorf("deliveries = %v; want %v", got, tt.wantDeliveries)
			}
			if done := countRows(t, s, `SELECT done_at FROM outbox WHERE id = ?`, id); int64(done) != tt.wantDone {
				t.Errorf("done_at = %d; want %d", done, tt.wantDone)
			}
			// The other post is untouched.
			if b := postByKey(t, s, "bystander"); b.State != Queued || b.Attempts != 0 {
				t.Errorf("bystander = %s, %d attempts; want queued, 0", b.State, b.Attempts)
			}
			// A finished post cannot be finished again.
			if err := s.MarkSent(context.Background(), id, "again", now); err == nil {
				t.Errorf("MarkSent after %s: got nil error; want one", tt.name)
			}
		})
	}
}

func TestRetryBackoff(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	enqueueT(t, s, post("p", "telegram", "-1", t0))
	next := t0
	for attempt := 1; attempt <= 3; attempt++ {
		ps := claim(t, s, next, 10, "telegram")
		if len(ps) != 1 || ps[0].Attempts != attempt {
			t.Fatalf("attempt %d: Claim = %+v; want the post with Attempts %d", attempt, ps, attempt)
		}
		next = next.Add(time.Duration(attempt) * time.Minute)
		if err := s.Retry(ctx, ps[0].ID, next, fmt.Errorf("timeout %d", attempt), next.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		p := postByKey(t, s, "p")
		if p.State != Queued || !p.NextAt.Equal(next) || p.Attempts != attempt || p.LastError != fmt.Sprintf("timeout %d", attempt) || !p.DueAt.Equal(t0) {
			t.Errorf("attempt %d: post = %+v; want queued, next %v, attempts %d, due unchanged", attempt, p, next, attempt)
		}
		if got := claim(t, s, next.Add(-time.Millisecond), 10, "telegram"); len(got) != 0 {
			t.Errorf("attempt %d: Claim before next_at = %v; want nothing", attempt, keys(got))
		}
	}
	ps := claim(t, s, next, 10, "telegram")
	if len(ps) != 1 || ps[0].Attempts != 4 || ps[0].LastError != "timeout 3" {
		t.Fatalf("final Claim = %+v; want the post, Attempts 4, last error timeout 3", ps)
	}
	if err := s.MarkSent(ctx, ps[0].ID, "m", next); err != nil {
		t.Fatal(err)
	}
	if got := deliveries(t, s, ps[0].ID); len(got) != 4 || !strings.HasPrefix(got[3], "1||m|") {
		t.Errorf("deliveries = %v; want 3 failures and a success", got)
	}
}

func TestFinishNotSending(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	enqueueT(t, s, post("queued", "telegram", "-1", t0), post("sent", "telegram", "-1", t0.Add(-time.Second)))
	ps := claim(t, s, t0, 1, "telegram")
	if len(ps) != 1 || ps[0].Key != "sent" {
		t.Fatalf("Claim = %v; want [sent]", keys(ps))
	}
	if err := s.MarkSent(ctx, ps[0].ID, "m", t0); err != nil {
		t.Fatal(err)
	}
	queued := postByKey(t, s, "queued").ID
	before := dump(t, s, "outbox", "deliveries")
	tests := []struct {
		name string
		id   int64
	}{
		{"queued", queued},
		{"sent", ps[0].ID},
		{"unknown", 999},
	}
	for _, tt := range tests {
		calls := map[string]error{
			"MarkSent": s.MarkSent(ctx, tt.id, "m", t0),
			"Retry":    s.Retry(ctx, tt.id, t0.Add(time.Hour), errors.New("x"), t0),
			"Fail":     s.Fail(ctx, tt.id, errors.New("x"), t0),
			"Skip":     s.Skip(ctx, tt.id, "x", t0),
		}
		for name, err := range calls {
			if err == nil {
				t.Errorf("%s of a %s post: got nil error; want one", name, tt.name)
			} else if !strings.Contains(err.Error(), "not being sent") {
				t.Errorf("%s of a %s post: error %q; want it to say %q", name, tt.name, err, "not being sent")
			}
		}
	}
	if after := dump(t, s, "outbox", "deliveries"); after != before {
		t.Errorf("refused finishes changed the database:\n%s\nwant:\n%s", after, before)
	}
}

func TestRequeueAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	ctx := context.Background()
	daemon := openAt(t, path)
	enqueueT(t, daemon, post("a", "telegram", "-1", t0), post("b", "telegram", "-1", t0.Add(time.Second)), post("c", "discord", "42", t0))
	ps := claim(t, daemon, t0.Add(time.Minute), 10, "telegram", "discord")
	if len(ps) != 3 {
		t.Fatalf("Claim = %v; want 3 posts", keys(ps))
	}
	if err := daemon.MarkSent(ctx, ps[0].ID, "m", t0); err != nil { // "a" went out
		t.Fatal(err)
	}
	daemon.Close() // "b" and "c" were in flight when the process died

	restarted := openAt(t, path)
	if got := claim(t, restarted, t0.Add(time.Minute), 10, "telegram", "discord"); len(got) != 0 {
		t.Errorf("Claim before Requeue = %v; want nothing (still sending)", keys(got))
	}
	n, err := restarted.Requeue(ctx, "telegram")
	if err != nil || n != 1 {
		t.Errorf("Requeue(telegram) = %d, %v; want 1, nil", n, err)
	}
	if p := postByKey(t, restarted, "c"); p.State != Sending {
		t.Errorf("discord post after Requeue(telegram): %s; want still sending", p.State)
	}
	got := claim(t, restarted, t0.Add(time.Minute), 10, "telegram", "discord")
	if len(got) != 1 || got[0].Key != "b" || got[0].Attempts != 2 {
		t.Errorf("Claim after restart = %+v; want b with Attempts 2", got)
	}
	// Without platforms, every sending post is requeued.
	if n, err := restarted.Requeue(ctx); err != nil || n != 2 {
		t.Errorf("Requeue() = %d, %v; want 2 (b and c), nil", n, err)
	}
	if p := postByKey(t, restarted, "a"); p.State != Sent {
		t.Errorf("sent post after Requeue: %s; want sent", p.State)
	}
	if got := claim(t, restarted, t0.Add(time.Minute), 10, "telegram", "discord"); !slices.Equal(keys(got), []string{"c", "b"}) {
		t.Errorf("Claim after Requeue() = %v; want [c b]", keys(got))
	}
}

func TestQueueAlert(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedCases(t, s)
	subscribe(t, s, tgChannel("-1"), "AZ")
	subscribe(t, s, tgChannel("-2"), "AZ", "DE")
	subscribe(t, s, Channel{Platform: "discord", Chat: "42", Timezone: "UTC", PostTime: "09:00", Language: "en"}, "AZ")
	subscribe(t, s, tgChannel("-3"), "AZ")
	subscribe(t, s, tgChannel("-4"), "DE")
	if err := s.PauseChannel(ctx, "telegram", "-3", "kicked", t0); err != nil {
		t.Fatal(err)
	}

	id, n, err := s.QueueAlert(ctx, "amira-testova", "Amira Testova was moved to an unknown prison.", "editor-1", t0)
	if err != nil {
		t.Fatalf("QueueAlert: %v", err)
	}
	if id == 0 || n != 3 {
		t.Errorf("QueueAlert = id %d, %d posts; want an id and 3 posts", id, n)
	}
	rows, err := s.db.Query(`SELECT id FROM outbox WHERE kind = 'alert' ORDER BY platform, chat`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var pid int64
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, pid)
	}
	rows.Close()
	var chats []string
	seen := map[string]bool{}
	for _, pid := range ids {
		p, err := s.Post(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		chats = append(chats, p.Platform+":"+p.Chat)
		if seen[p.Key] {
			t.Errorf("key %s used twice", p.Key)
		}
		seen[p.Key] = true
		var pl AlertPayload
		if err := json.Unmarshal(p.Payload, &pl); err != nil {
			t.Fatalf("payload %s: %v", p.Payload, err)
		}
		if pl.AlertID != id || pl.Message != "Amira Testova was moved to an unknown prison." {
			t.Errorf("payload = %+v; want alert %d and the message", pl, id)
		}
		if p.Kind != "alert" || p.CaseID != "amira-testova" || p.State != Queued || !p.DueAt.Equal(t0) {
			t.Errorf("alert post = %+v; want kind alert, case amira-testova, queued, due %v", p, t0)
		}
	}
	if want := []string{"discord:42", "telegram:-1", "telegram:-2"}; !slices.Equal(chats, want) {
		t.Errorf("alert posts go to %v; want %v (subscribed to AZ, not paused)", chats, want)
	}
	var caseID, msg, author string
	var created int64
	if err := s.db.QueryRow(`SELECT case_id, message, author, created_at FROM alerts WHERE id = ?`, id).Scan(&caseID, &msg, &author, &created); err != nil {
		t.Fatal(err)
	}
	if caseID != "amira-testova" || author != "editor-1" || created != t0.UnixMilli() || !strings.Contains(msg, "unknown prison") {
		t.Errorf("alert row = %s %q %s %d; want amira-testova, the message, editor-1, %d", caseID, msg, author, created, t0.UnixMilli())
	}

	// A second alert about the same case is a new occurrence with new keys.
	id2, n2, err := s.QueueAlert(ctx, "amira-testova", "Update.", "editor-1", t0.Add(time.Minute))
	if err != nil || id2 == id || n2 != 3 {
		t.Errorf("second QueueAlert = id %d, %d posts, %v; want a new id, 3 posts, nil", id2, n2, err)
	}
	// A country nobody follows: the alert is recorded, no post is queued.
	if _, err := s.Unsubscribe(ctx, "telegram", "-4", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unsubscribe(ctx, "telegram", "-2", "DE"); err != nil {
		t.Fatal(err)
	}
	if id3, n3, err := s.QueueAlert(ctx, "erika-musterfrau", "Note.", "editor-2", t0); err != nil || id3 == 0 || n3 != 0 {
		t.Errorf("QueueAlert for an unfollowed country = id %d, %d posts, %v; want an id, 0 posts, nil", id3, n3, err)
	}
	if got := countRows(t, s, `SELECT count(*) FROM outbox WHERE kind = 'alert'`); got != 6 {
		t.Errorf("alert posts: got %d; want 6", got)
	}
}

func TestQueueAlertUnknownCase(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	subscribe(t, s, tgChannel("-1"), "AZ")
	before := dump(t, s, "alerts", "outbox")
	_, n, err := s.QueueAlert(context.Background(), "nobody-fictional", "msg", "editor", t0)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("QueueAlert of an unknown case: %v; want ErrNotFound", err)
	}
	if n != 0 {
		t.Errorf("QueueAlert queued %d posts; want 0", n)
	}
	if after := dump(t, s, "alerts", "outbox"); after != before {
		t.Errorf("failed QueueAlert changed the database:\n%s\nwant:\n%s", after, before)
	}
}

func TestPostCountsAndQueueDepth(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	check := func(step string, want map[PostState]int, wantDepth int) {
		t.Helper()
		got, err := s.PostCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: PostCounts = %v; want %v", step, got, want)
		}
		depth, err := s.QueueDepth(ctx)
		if err != nil || depth != wantDepth {
			t.Errorf("%s: QueueDepth = %d, %v; want %d, nil", step, depth, err, wantDepth)
		}
	}
	check("empty", map[PostState]int{}, 0)
	for i := range 6 {
		enqueueT(t, s, post(fmt.Sprint(i), "telegram", "-1", t0.Add(time.Duration(i)*time.Second)))
	}
	check("enqueued", map[PostState]int{Queued: 6}, 6)
	ps := claim(t, s, t0.Add(time.Minute), 5, "telegram")
	check("claimed", map[PostState]int{Queued: 1, Sending: 5}, 6)
	if err := s.MarkSent(ctx, ps[0].ID, "m", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Skip(ctx, ps[1].ID, "stale", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Fail(ctx, ps[2].ID, errors.New("forbidden"), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(ctx, ps[3].ID, t0.Add(time.Hour), errors.New("timeout"), t0); err != nil {
		t.Fatal(err)
	}
	check("finished", map[PostState]int{Queued: 2, Sending: 1, Sent: 1, Skipped: 1, Failed: 1}, 3)
}

// TestConcurrentClaimsTakeEachPostOnce: processes claiming at once from
// one database (the daemon and, on PostgreSQL, the transactions of
// several connections) never get the same post twice, and get them all.
func TestConcurrentClaimsTakeEachPostOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	stores := []*Store{openAt(t, path), openAt(t, path), openAt(t, path), openAt(t, path)}
	seedCases(t, stores[0])
	const n = 200
	var posts []Post
	for i := range n {
		posts = append(posts, post(fmt.Sprintf("p%d", i), "telegram", fmt.Sprint(-1-i%7), t0))
	}
	enqueueT(t, stores[0], posts...)
	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 2 {
			wg.Go(func() {
				for {
					ps, err := s.Claim(context.Background(), t0.Add(time.Minute), 3, "telegram")
					if err != nil {
						t.Error(err)
						return
					}
					if len(ps) == 0 {
						return
					}
					mu.Lock()
					for _, p := range ps {
						claimed[p.ID]++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d posts claimed; want all %d", len(claimed), n)
	}
	for id, k := range claimed {
		if k != 1 {
			t.Errorf("post %d claimed %d times; want once", id, k)
		}
	}
}
