package discord

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
)

// TestSlotsShare: while n processes share the token, this one uses 1/n
// of the global limit's slots, never bursting past them, and takes the
// rest back when the others stop.
func TestSlotsShare(t *testing.T) {
	var sh bot.Share
	sh.Set(2)
	s := newSlots(10)
	s.share = &sh
	// Take every slot that is free now: half of them.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	got := 0
	for s.acquire(ctx) == nil {
		got++
	}
	if got != 5 {
		t.Fatalf("took %d slots at once with two processes sharing 10; want 5", got)
	}
	if s.parked != 5 {
		t.Fatalf("%d slots parked; want 5", s.parked)
	}
	// Alone again: the parked slots come back (a window on), the used
	// ones when released.
	sh.Set(1)
	for range got {
		s.release(time.Now())
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*globalWindow)
	defer cancel2()
	start := time.Now()
	got = 0
	for got < 10 && s.acquire(ctx2) == nil {
		got++
	}
	if got != 10 || s.parked != 0 {
		t.Fatalf("alone: %d slots in use, %d parked; want all 10 back", got, s.parked)
	}
	if d := time.Since(start); d < globalWindow-50*time.Millisecond {
		t.Errorf("the parked slots came back after %s; want a window, as their last use is unknown", d)
	}
}
