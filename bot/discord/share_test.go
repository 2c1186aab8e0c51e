package discord

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
)

// TestSlotsShare: a slot released while n processes share the token is
// free again n windows later, so each keeps to 1/n of the global limit.
func TestSlotsShare(t *testing.T) {
	var sh bot.Share
	s := newSlots(1)
	s.share = &sh
	ctx := context.Background()
	if err := s.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	sh.Set(3)
	at := time.Now()
	s.release(at)
	got := <-s.ch
	if want := at.Add(2 * globalWindow); !got.Equal(want) {
		t.Fatalf("released at %v; want two windows later, %v", got.Sub(at), want.Sub(at))
	}
	s.ch <- time.Time{}
	s.share = nil
	if err := s.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	s.release(at)
	if got := <-s.ch; !got.Equal(at) {
		t.Fatalf("unshared: released at %v; want as given", got.Sub(at))
	}
}
