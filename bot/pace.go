package bot

import (
	"context"
	"sync"
	"time"
)

const (
	// WindowMargin is added to every released slot of a Window so that
	// clock granularity on either side never lets one request too many
	// into a span.
	WindowMargin = 5 * time.Millisecond
	// RTTCredit is the part of the recent lowest round trip by which a
	// Window's slot is released before its span has passed since the
	// answer: the request reached the server at least the way back
	// earlier, and the next one reaches it at least the way there later,
	// the two ways adding up to the round trip. Three quarters of the
	// lowest leaves the rest for jitter and the server's own time;
	// without it, a 200 ms round trip would cap the rate at n/1.2 s, 0.83
	// of the ceiling.
	RTTCredit = 0.75
)

// Window is a sliding-window limiter for a platform's rate ceiling: n
// slots, each usable again one span after the answer of the request that
// took it came back, less the round trip's credit. At most n requests
// then reach the server in any span, whatever the network's jitter. With
// a Share (SetShare), a process uses n/share of the slots: the rest are
// parked, out of use. Safe for concurrent use.
type Window struct {
	ch   chan time.Time
	n    int
	span time.Duration

	mu     sync.Mutex
	share  *Share
	parked int
}

// NewWindow returns a Window of n slots a span, all free.
func NewWindow(n int, span time.Duration) *Window {
	w := &Window{ch: make(chan time.Time, n), n: n, span: span}
	for range n {
		w.ch <- time.Time{}
	}
	return w
}

// SetShare makes the window keep to sh's part of its slots (nil: all).
func (w *Window) SetShare(sh *Share) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.share = sh
}

// Acquire waits for a free slot, or until ctx ends.
func (w *Window) Acquire(ctx context.Context) error {
	w.balance()
	for {
		select {
		case at := <-w.ch:
			if w.park() {
				continue
			}
			if err := Sleep(ctx, time.Until(at)); err != nil {
				w.ch <- at
				return err
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Release gives a slot back for use after an answer that came at back,
// the lowest recent round trip being low: one span on, less RTTCredit of
// low (at most half the span).
func (w *Window) Release(back time.Time, low time.Duration) {
	credit := min(time.Duration(RTTCredit*float64(low)), w.span/2)
	w.ch <- back.Add(w.span + WindowMargin - credit)
}

// park takes the slot just taken out of use if this process has more
// than its share, and reports whether it did.
func (w *Window) park() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.parked < w.n-w.n/w.share.Of() {
		w.parked++
		return true
	}
	return false
}

// balance brings parked slots back into use when the share grew (another
// process stopped), free one span from now: the slot's last use is not
// known, and a span later it surely no longer counts.
func (w *Window) balance() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.parked > w.n-w.n/w.share.Of() {
		w.parked--
		w.ch <- time.Now().Add(w.span)
	}
}
