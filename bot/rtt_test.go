package bot

import (
	"testing"
	"time"
)

func TestRoundTrips(t *testing.T) {
	var r RoundTrips
	if r.Average() != 0 || r.Low() != 0 {
		t.Fatalf("empty: average %v, low %v; want 0", r.Average(), r.Low())
	}
	r.Observe(100 * time.Millisecond)
	if r.Average() != 100*time.Millisecond || r.Low() != 100*time.Millisecond {
		t.Errorf("one sample: average %v, low %v; want 100ms", r.Average(), r.Low())
	}
	for range 50 {
		r.Observe(200 * time.Millisecond)
	}
	if avg := r.Average(); avg < 195*time.Millisecond || avg > 200*time.Millisecond {
		t.Errorf("average after 50 × 200ms = %v; want it to have moved to about 200ms", avg)
	}
	if r.Low() != 100*time.Millisecond {
		t.Errorf("low = %v; want the 100ms of this block", r.Low())
	}
	// Two blocks later the old low is forgotten.
	for range 2 * rttBlock {
		r.Observe(200 * time.Millisecond)
	}
	if r.Low() != 200*time.Millisecond {
		t.Errorf("low after two blocks of 200ms = %v; want 200ms", r.Low())
	}
}
