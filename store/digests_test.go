package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// digestPost is a digest post for a channel with the shared body d; with
// withBody false it names the body only, as the planner's later posts of
// a round do.
func digestPost(chat string, d *SharedDigest, withBody bool) Post {
	p := Post{Key: "digest:2026-10-01:telegram:" + chat, Platform: "telegram", Chat: chat, Kind: KindDigest,
		Payload: EncodePayload(DigestPayload{N: 2, Day: "2026-10-01"}), DueAt: t0, Day: "2026-10-01", Digest: d}
	if !withBody {
		p.Digest = &SharedDigest{ID: d.ID}
	}
	return p
}

var testBody = DigestBody{Header: "Also today:", Lines: []DigestLine{
	{CaseID: "amira-testova", Kind: KindArrestAnniversary, N: 3, Text: "3 years since Amira Testova's arrest"},
	{CaseID: "nino-pisma", Kind: KindBirthday, N: 40, Text: "Nino Pisma turns 40 in detention"},
}}

// TestSharedDigestStoredOnce: the channels of a group get one digest,
// whose body the outbox stores once; each post read back (Claim, Post)
// carries its payload whole, as a digest queued with its text would.
func TestSharedDigestStoredOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	d := ShareDigest(testBody)
	var posts []Post
	for i := range 3 {
		posts = append(posts, digestPost(fmt.Sprint(-1-i), d, i == 0))
	}
	if n, err := s.Enqueue(ctx, t0, posts...); err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v; want 3", n, err)
	}
	var bodies int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM digests`).Scan(&bodies); err != nil || bodies != 1 {
		t.Fatalf("digests holds %d bodies (%v); want 1 for the three posts", bodies, err)
	}
	var longest int
	if err := s.db.QueryRowContext(ctx, `SELECT max(length(payload)) FROM outbox`).Scan(&longest); err != nil || longest > 60 {
		t.Errorf("the longest outbox payload is %d bytes (%v); want only the count and the day in it", longest, err)
	}
	want := string(EncodePayload(DigestPayload{Text: testBody.Text(), N: 2, Day: "2026-10-01",
		Cases: []string{"amira-testova", "nino-pisma"}, Header: testBody.Header, Lines: testBody.Lines}))
	if !strings.Contains(want, "• 3 years since Amira Testova's arrest — /case amira-testova") {
		t.Fatalf("DigestBody.Text wrote %q", want)
	}
	got, err := s.Claim(ctx, t0, 10, "telegram")
	if err != nil || len(got) != 3 {
		t.Fatalf("Claim = %d posts, %v; want 3", len(got), err)
	}
	for _, p := range got {
		if string(p.Payload) != want || p.Digest != nil {
			t.Errorf("claimed %s: payload %s, digest %v; want %s and no digest", p.Key, p.Payload, p.Digest, want)
		}
	}
	p, err := s.Post(ctx, got[2].ID)
	if err != nil || string(p.Payload) != want {
		t.Errorf("Post(%d) = %s, %v; want %s", got[2].ID, p.Payload, err, want)
	}
}

// TestDigestBodyGone: a post whose body is gone (it should not be) reads
// back without text or lines, for the planner to skip, and an unknown
// post of another kind is untouched.
func TestDigestBodyGone(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	d := ShareDigest(testBody)
	if _, err := s.Enqueue(ctx, t0, digestPost("-1", d, false)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Claim(ctx, t0, 10, "telegram")
	if err != nil || len(got) != 1 {
		t.Fatalf("Claim = %d posts, %v; want 1", len(got), err)
	}
	pl, err := DecodePayload[DigestPayload](got[0])
	if err != nil || pl.Text != "" || len(pl.Lines) != 0 || pl.N != 2 {
		t.Errorf("a digest without its body reads %+v, %v; want no text nor lines, the count kept", pl, err)
	}
}

// TestDropUnsentPlansDropsOrphanDigests: when the cases change and the
// days not begun are dropped, so are the digest bodies no post names any
// more, once an hour old; a body a post still names stays.
func TestDropUnsentPlansDropsOrphanDigests(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	dropped, kept := ShareDigest(testBody), ShareDigest(DigestBody{Header: "Also today:", Lines: testBody.Lines[:1]})
	if _, err := s.Enqueue(ctx, t0, digestPost("-1", dropped, true), digestPost("-2", kept, true)); err != nil {
		t.Fatal(err)
	}
	// Channel -2's day has begun: one of its posts was tried.
	begun := Post{Key: "arrest_anniversary:x:2026-10-01:3:telegram:-2", Platform: "telegram", Chat: "-2", Kind: KindArrestAnniversary,
		Payload: EncodePayload(ReminderPayload{Text: "x"}), DueAt: t0.Add(-time.Minute), Day: "2026-10-01"}
	if _, err := s.Enqueue(ctx, t0, begun); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(ctx, t0.Add(-30*time.Second), 1, "telegram")
	if err != nil || len(claimed) != 1 || claimed[0].Key != begun.Key {
		t.Fatalf("Claim = %v, %v; want the begun day's post", claimed, err)
	}
	bodies := func() []string {
		rows, err := s.db.QueryContext(ctx, `SELECT id FROM digests ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	if n, err := s.DropUnsentPlans(ctx, t0.Add(30*time.Minute)); err != nil || n != 1 {
		t.Fatalf("DropUnsentPlans = %d, %v; want channel -1's digest dropped", n, err)
	}
	if got := bodies(); len(got) != 2 {
		t.Errorf("bodies %v after a drop within the hour; want both kept", got)
	}
	if _, err := s.DropUnsentPlans(ctx, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := bodies(); len(got) != 1 || got[0] != kept.ID {
		t.Errorf("bodies %v; want only %s, which channel -2's digest names", got, kept.ID)
	}
}

// TestEnqueueManyKeepsOrder: a plan's batch is written in statements of
// many rows (on PostgreSQL, one of arrays); the posts keep their order in
// the ids, a post queued before is left alone, and the count is of the
// new ones.
func TestEnqueueManyKeepsOrder(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var posts []Post
	for i := range 3*insertRows + 5 {
		posts = append(posts, Post{Key: fmt.Sprintf("k%03d", (i*37)%1000), Platform: "telegram", Chat: fmt.Sprint(-1 - i%7),
			Kind: KindBirthday, Payload: EncodePayload(ReminderPayload{Text: fmt.Sprint("post ", i)}), DueAt: t0, Day: "2026-10-01"})
	}
	if n, err := s.Enqueue(ctx, t0, posts[:10]...); err != nil || n != 10 {
		t.Fatalf("Enqueue = %d, %v; want 10", n, err)
	}
	if n, err := s.Enqueue(ctx, t0, posts...); err != nil || n != len(posts)-10 {
		t.Fatalf("Enqueue again with the first 10 = %d, %v; want %d new", n, err, len(posts)-10)
	}
	got, err := s.Claim(ctx, t0, 1000, "telegram")
	if err != nil || len(got) != len(posts) {
		t.Fatalf("Claim = %d, %v; want %d", len(got), err, len(posts))
	}
	for i, p := range got {
		if p.Key != posts[i].Key || string(p.Payload) != string(posts[i].Payload) {
			t.Fatalf("post %d: %s %s; want %s %s", i, p.Key, p.Payload, posts[i].Key, posts[i].Payload)
		}
	}
}
