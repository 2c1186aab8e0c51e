package benchutil

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var l Latencies
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{0, time.Millisecond}, {0.5, 51 * time.Millisecond}, {0.99, 100 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := l.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v; want %v", tt.p, got, tt.want)
		}
	}
	if got := (Latencies{}).Percentile(0.99); got != 0 {
		t.Errorf("empty Percentile = %v; want 0", got)
	}
}

func TestRate(t *testing.T) {
	if got := Rate(300, 10*time.Second); got != 30 {
		t.Errorf("Rate(300, 10s) = %v; want 30", got)
	}
}

func TestThreadCPUAdvances(t *testing.T) {
	// ThreadCPU measures the calling thread: the goroutine must stay on it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := ThreadCPU()
	x := 0
	for i := range 50_000_000 {
		x += i ^ x
	}
	if got := ThreadCPU() - start; got <= 0 {
		t.Errorf("ThreadCPU advanced by %v over a busy loop (x=%d); want more than 0", got, x)
	}
}

func TestPeopleDeterministicAndUnique(t *testing.T) {
	a, b := People(5000, 9), People(5000, 9)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("People(5000, 9) differs between calls; want the same people")
	}
	ids := map[string]bool{}
	for _, p := range a {
		if p.Name == "" || ids[p.ID] {
			t.Fatalf("person %+v: empty name or repeated id", p)
		}
		ids[p.ID] = true
	}
}

func TestTypoIsOneEdit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		w := "rustamov"
		got := Typo(r, w)
		if got == w || len(got) < len(w)-1 || len(got) > len(w)+1 {
			t.Fatalf("Typo(%q) = %q; want one edit", w, got)
		}
	}
}
