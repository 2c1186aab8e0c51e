package telegram

import (
	"context"
	"testing"
	"time"
)

// TestWindowHoldsTheLimit: the window lets n requests through at once;
// the next waits until a slot is given back, one window after its answer
// less three quarters of the lowest round trip.
func TestWindowHoldsTheLimit(t *testing.T) {
	w := newWindow(3)
	ctx := context.Background()
	for range 3 {
		if err := w.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := w.acquire(short); err == nil {
		t.Fatal("a fourth request went through a window of 3")
	}
	back := time.Now()
	w.release(back, 200*time.Millisecond)
	at := <-w.ch
	if want := back.Add(rateWindow + windowMargin - 150*time.Millisecond); !at.Equal(want) {
		t.Errorf("slot free again at %v after the answer; want %v", at.Sub(back), want.Sub(back))
	}
	// The credit never exceeds half the window, however slow the route.
	w.release(back, 10*time.Second)
	if at := <-w.ch; !at.Equal(back.Add(rateWindow/2 + windowMargin)) {
		t.Errorf("slot after a 10 s round trip free at %v; want %v", at.Sub(back), rateWindow/2+windowMargin)
	}
	if !counted("/bot123:abc/sendMessage") || !counted("/bot1/deleteMessage") || counted("/bot1/getUpdates") || counted("/bot1/answerCallbackQuery") {
		t.Error("counted: messages count against the limit, polls and callback answers do not")
	}
}
