package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestLease: one holder at a time; the holder renews; another takes the
// lease once it ran out, or at once after DropLease.
func TestLease(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ttl := 10 * time.Second
	if ok, err := s.TakeLease(ctx, "leader", "a", t0, ttl); !ok || err != nil {
		t.Fatalf("a takes a free lease: %v, %v", ok, err)
	}
	if ok, err := s.TakeLease(ctx, "leader", "b", t0.Add(time.Second), ttl); ok || err != nil {
		t.Fatalf("b takes a's live lease: %v, %v; want false", ok, err)
	}
	if ok, err := s.TakeLease(ctx, "leader", "a", t0.Add(3*time.Second), ttl); !ok || err != nil {
		t.Fatalf("a renews: %v, %v", ok, err)
	}
	if ok, _ := s.TakeLease(ctx, "leader", "b", t0.Add(12*time.Second), ttl); ok {
		t.Fatal("b took the lease a renewed until 13 s at 12 s")
	}
	if ok, _ := s.TakeLease(ctx, "leader", "b", t0.Add(14*time.Second), ttl); !ok {
		t.Fatal("b did not take the lease that ran out")
	}
	if h, until, err := s.LeaseHolder(ctx, "leader"); h != "b" || !until.Equal(t0.Add(24*time.Second)) || err != nil {
		t.Fatalf("LeaseHolder = %q, %v, %v; want b until t0+24s", h, until, err)
	}
	if ok, _ := s.TakeLease(ctx, "leader", "a", t0.Add(15*time.Second), ttl); ok {
		t.Fatal("a took b's lease back")
	}
	if err := s.DropLease(ctx, "leader", "a"); err != nil { // not a's: no effect
		t.Fatal(err)
	}
	if ok, _ := s.TakeLease(ctx, "leader", "a", t0.Add(15*time.Second), ttl); ok {
		t.Fatal("a's DropLease dropped b's lease")
	}
	if err := s.DropLease(ctx, "leader", "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.TakeLease(ctx, "leader", "a", t0.Add(15*time.Second), ttl); !ok {
		t.Fatal("a did not take the dropped lease")
	}
}

// TestLeaseRace: replicas racing for a free lease: exactly one wins.
func TestLeaseRace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigil.db")
	stores := []*Store{openAt(t, path), openAt(t, path), openAt(t, path)}
	for round := range 5 {
		now := t0.Add(time.Duration(round) * time.Minute)
		var mu sync.Mutex
		won := 0
		var wg sync.WaitGroup
		for i, s := range stores {
			for j := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.TakeLease(ctx, "leader", fmt.Sprintf("r%d-%d-%d", round, i, j), now, 10*time.Second)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						won++
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("round %d: %d replicas took the lease; want 1", round, won)
		}
	}
}

// replicaPair opens two stores on one database that claim as the
// replicas "a" and "b", each claim holding 10 s.
func replicaPair(t *testing.T) (a, b *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigil.db")
	a, b = openAt(t, path), openAt(t, path)
	a.SetReplica("a", 10*time.Second)
	b.SetReplica("b", 10*time.Second)
	return a, b
}

// TestReplicaClaims: two replicas claiming at once never claim the same
// post; a replica finishes only its own claims; a claim that ran out is
// requeued, a renewed one is not.
func TestReplicaClaims(t *testing.T) {
	ctx := context.Background()
	a, b := replicaPair(t)
	var posts []Post
	for i := range 200 {
		posts = append(posts, Post{Key: fmt.Sprintf("k%d", i), Platform: "telegram", Chat: fmt.Sprint(1000 + i), Kind: KindAlert, DueAt: t0})
	}
	if _, err := a.Enqueue(ctx, t0, posts...); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.Claim(ctx, t0, 7, "telegram")
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, p := range got {
					if by, dup := seen[p.ID]; dup {
						t.Errorf("post %d claimed by %s and %s", p.ID, by, s.replica)
					}
					seen[p.ID] = s.replica
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != len(posts) {
		t.Fatalf("%d posts claimed; want %d", len(seen), len(posts))
	}
	var ofA, ofB int64
	for id, by := range seen {
		if by == "a" {
			ofA = id
		} else {
			ofB = id
		}
	}
	if ofA == 0 || ofB == 0 {
		t.Logf("one replica claimed everything (a: %v, b: %v)", ofA != 0, ofB != 0)
	}
	for id, by := range seen {
		other := b
		if by == "b" {
			other = a
		}
		if err := other.MarkSent(ctx, id, "m", t0); err == nil {
			t.Fatalf("replica %s marked %s's post %d sent", other.replica, by, id)
		}
		break
	}
	// a renews at 8 s; b does not: at 12 s b's claims ran out, a's hold.
	if _, err := a.RenewClaims(ctx, t0.Add(8*time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := a.RequeueExpired(ctx, t0.Add(12*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, by := range seen {
		if by == "b" {
			want++
		}
	}
	if n != want {
		t.Fatalf("RequeueExpired = %d; want b's %d claims", n, want)
	}
	for id, by := range seen {
		p, err := a.Post(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if wantState := map[string]PostState{"a": Sending, "b": Queued}[by]; p.State != wantState {
			t.Fatalf("post %d of %s: %s; want %s", id, by, p.State, wantState)
		}
		if by == "a" {
			if err := a.MarkSent(ctx, id, "m", t0); err != nil {
				t.Fatalf("a marks its own post sent: %v", err)
			}
		}
	}
}

// TestReplicaClaimsKeepChats: a chat whose post one replica is sending
// is not claimed by another until that send ends, so that each chat's
// posts go in order.
func TestReplicaClaimsKeepChats(t *testing.T) {
	ctx := context.Background()
	a, b := replicaPair(t)
	if _, err := a.Enqueue(ctx, t0,
		Post{Key: "first", Platform: "telegram", Chat: "-1", Kind: KindAlert, DueAt: t0},
		Post{Key: "second", Platform: "telegram", Chat: "-1", Kind: KindAlert, DueAt: t0.Add(time.Second)},
		Post{Key: "other", Platform: "telegram", Chat: "-2", Kind: KindAlert, DueAt: t0.Add(2 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Claim(ctx, t0.Add(time.Minute), 1, "telegram")
	if err != nil || len(got) != 1 || got[0].Key != "first" {
		t.Fatalf("a claims %v, %v; want the first", got, err)
	}
	first := got[0].ID
	got, err = b.Claim(ctx, t0.Add(time.Minute), 10, "telegram")
	if err != nil || len(got) != 1 || got[0].Key != "other" {
		t.Fatalf("b claims %v, %v; want only the other chat's post while a sends to -1", got, err)
	}
	if err := a.MarkSent(ctx, first, "m1", t0); err != nil {
		t.Fatal(err)
	}
	got, err = b.Claim(ctx, t0.Add(time.Minute), 10, "telegram")
	if err != nil || len(got) != 1 || got[0].Key != "second" {
		t.Fatalf("b claims %v, %v; want the second once a's send ended", got, err)
	}
}

// TestReplicaNotePart: a replica whose claim ran out and was taken by
// another may no longer record a part of the post: the post's progress
// is the new claimant's.
func TestReplicaNotePart(t *testing.T) {
	ctx := context.Background()
	a, b := replicaPair(t)
	if _, err := a.Enqueue(ctx, t0, Post{Key: "photo", Platform: "telegram", Chat: "-1", Kind: KindAlert, DueAt: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Claim(ctx, t0, 1, "telegram")
	if err != nil || len(got) != 1 {
		t.Fatalf("a claims %v, %v; want the post", got, err)
	}
	id := got[0].ID
	if err := a.NotePart(ctx, id, "a-photo"); err != nil {
		t.Fatalf("a notes a part of its own claim: %v", err)
	}
	// a stalls past its claim; the post goes back and b claims it.
	if n, err := b.RequeueExpired(ctx, t0.Add(12*time.Second)); err != nil || n != 1 {
		t.Fatalf("RequeueExpired = %d, %v; want 1", n, err)
	}
	if got, err := b.Claim(ctx, t0.Add(12*time.Second), 1, "telegram"); err != nil || len(got) != 1 || got[0].ID != id {
		t.Fatalf("b claims %v, %v; want post %d", got, err, id)
	}
	if err := b.NotePart(ctx, id, "b-photo"); err != nil {
		t.Fatalf("b notes a part of its claim: %v", err)
	}
	if err := a.NotePart(ctx, id, "a-late"); err == nil {
		t.Error("a noted a part of the post b claimed")
	}
	if p, err := b.Post(ctx, id); err != nil || p.MessageID != "b-photo" {
		t.Fatalf("post after a's late note: %q, %v; want b's part b-photo", p.MessageID, err)
	}
}
