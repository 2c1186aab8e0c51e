package bot

import (
	"context"
	"testing"
	"time"
)

// TestWindowHoldsTheLimit: the window lets n requests through at once;
// the next waits until a slot is given back, one window after its answer
// less three quarters of the lowest round trip.
func TestWindowHoldsTheLimit(t *testing.T) {
	const rateWindow = time.Second
	w := NewWindow(3, rateWindow)
	ctx := context.Background()
	for range 3 {
		if err := w.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := w.Acquire(short); err == nil {
		t.Fatal("a fourth request went through a window of 3")
	}
	back := time.Now()
	w.Release(back, 200*time.Millisecond)
	at := <-w.ch
	if want := back.Add(rateWindow + WindowMargin - 150*time.Millisecond); !at.Equal(want) {
		t.Errorf("slot free again at %v after the answer; want %v", at.Sub(back), want.Sub(back))
	}
	// The credit never exceeds half the window, however slow the route.
	w.Release(back, 10*time.Second)
	if at := <-w.ch; !at.Equal(back.Add(rateWindow/2 + WindowMargin)) {
		t.Errorf("slot after a 10 s round trip free at %v; want %v", at.Sub(back), rateWindow/2+WindowMargin)
	}
}

// TestWindowShare: while n processes share the token, this one uses 1/n
// of the global limit's slots, never bursting past them, and takes the
// rest back when the others stop.
func TestWindowShare(t *testing.T) {
	const globalWindow = time.Second
	var sh Share
	sh.Set(2)
	s := NewWindow(10, globalWindow)
	s.SetShare(&sh)
	// Take every slot that is free now: half of them.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	got := 0
	for s.Acquire(ctx) == nil {
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
		s.ch <- time.Now()
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*globalWindow)
	defer cancel2()
	start := time.Now()
	got = 0
	for got < 10 && s.Acquire(ctx2) == nil {
		got++
	}
	if got != 10 || s.parked != 0 {
		t.Fatalf("alone: %d slots in use, %d parked; want all 10 back", got, s.parked)
	}
	if d := time.Since(start); d < globalWindow-50*time.Millisecond {
		t.Errorf("the parked slots came back after %s; want a window, as their last use is unknown", d)
	}
}
