package bot

import (
	"sync"
	"time"
)

// Paced is a Platform that paces its own sends under a rate ceiling and
// measures its API round trips. The delivery engine finds it by type
// assertion and keeps about SendRate × RoundTrip sends in flight, so that
// the network's latency does not cap a fan-out below the ceiling.
type Paced interface {
	// SendRate is the most sends a second the platform's pace allows.
	SendRate() float64
	// RoundTrip is the recent average time of one API call, without the
	// pace's waiting; zero before the first call.
	RoundTrip() time.Duration
}

// rttWeight is the weight of a new sample in RoundTrips' average: about
// the last ten calls count.
const rttWeight = 0.2

// rttBlock is how many samples RoundTrips' low mark spans: the lowest of
// the current and the previous block, so that it follows a route that
// became slower within a hundred calls or so.
const rttBlock = 64

// RoundTrips measures an API's round trips: an exponentially weighted
// moving average and a recent low. Its zero value is ready; it is safe
// for concurrent use.
type RoundTrips struct {
	mu        sync.Mutex
	avg       time.Duration
	n         int
	low, prev time.Duration // the lowest of this block and the last one
}

// Observe adds one round trip.
func (r *RoundTrips) Observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		r.avg = d
	} else {
		r.avg += time.Duration(rttWeight * float64(d-r.avg))
	}
	if r.n%rttBlock == 0 {
		r.prev, r.low = r.low, d
		if r.n == 0 {
			r.prev = d
		}
	}
	r.low = min(r.low, d)
	r.n++
}

// Average returns the moving average, zero before the first sample.
func (r *RoundTrips) Average() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.avg
}

// Low returns the lowest round trip of the last 64 to 128 samples, zero
// before the first.
func (r *RoundTrips) Low() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return min(r.low, r.prev)
}
