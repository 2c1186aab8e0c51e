// Package benchutil is the harness vigil's benchmarks share: latency
// samples and their percentiles, fan-out pacing against a platform's
// ceiling, the heap a structure keeps, fictional people to index, and the
// checks that fail a benchmark when it misses an issue's target by a wide
// margin. Only benchmarks import it.
//
// Timing targets are checked only in benchmarks, never in the normal test
// run, and only against a wide margin: the machines are shared and noisy,
// so a benchmark fails when a figure is clearly wrong, not when a
// neighbour was busy.
//
// Report metrics after the benchmark loop: b.Loop and b.ResetTimer drop
// the metrics reported before them.
package benchutil

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
)

// LatencyMargin is how many times its target a latency may take before
// the benchmark fails.
const LatencyMargin = 2

// CeilingFloor is the fraction of a platform's rate ceiling below which a
// fan-out benchmark fails; the issues aim at 0.9.
const CeilingFloor = 0.8

// Latencies is a sample of durations, one per timed operation.
type Latencies []time.Duration

// Percentile returns the p-quantile of l (p in [0, 1]; 1 is the maximum),
// sorting l in place first if it is not sorted. It returns 0 for an empty
// sample.
func (l Latencies) Percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	if !slices.IsSorted(l) {
		slices.Sort(l)
	}
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

// String summarises l as its size, median, 99th percentile and maximum.
func (l Latencies) String() string {
	return fmt.Sprintf("n=%d p50 %v p99 %v max %v", len(l), l.Percentile(0.5), l.Percentile(0.99), l.Percentile(1))
}

// Report reports the median, 99th percentile and maximum of l as the
// benchmark metrics p50-ms, p99-ms and max-ms.
func (l Latencies) Report(b *testing.B) {
	b.ReportMetric(Ms(l.Percentile(0.5)), "p50-ms")
	b.ReportMetric(Ms(l.Percentile(0.99)), "p99-ms")
	b.ReportMetric(Ms(l.Percentile(1)), "max-ms")
}

// Sample holds the wall-clock and the thread CPU latencies of timed
// operations. On a shared machine the wall clock also measures the
// neighbours; CPU time measures only the operation, so latency targets
// are checked against it.
type Sample struct {
	Wall, CPU Latencies
}

// Time runs f and appends, and returns, its wall-clock and thread CPU
// time. The calling goroutine must be locked to its OS thread
// (runtime.LockOSThread), or the CPU time is another thread's.
func (s *Sample) Time(f func()) (wall, cpu time.Duration) {
	c0, w0 := ThreadCPU(), time.Now()
	f()
	wall, cpu = time.Since(w0), ThreadCPU()-c0
	s.Wall = append(s.Wall, wall)
	s.CPU = append(s.CPU, cpu)
	return wall, cpu
}

// Add appends a wall-clock and a CPU latency measured elsewhere.
func (s *Sample) Add(wall, cpu time.Duration) {
	s.Wall = append(s.Wall, wall)
	s.CPU = append(s.CPU, cpu)
}

// String summarises the sample: its wall-clock figures, then the CPU p99.
func (s *Sample) String() string {
	return fmt.Sprintf("%v, CPU p99 %v", s.Wall, s.CPU.Percentile(0.99))
}

// Report reports the wall-clock p50-ms, p99-ms and max-ms of the sample
// and its CPU time as cpu-p50-ms and cpu-p99-ms.
func (s *Sample) Report(b *testing.B) {
	s.Wall.Report(b)
	b.ReportMetric(Ms(s.CPU.Percentile(0.5)), "cpu-p50-ms")
	b.ReportMetric(Ms(s.CPU.Percentile(0.99)), "cpu-p99-ms")
}

// Ms converts d to (fractional) milliseconds, the unit latency metrics
// are reported in.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MaxLatency fails b when got, a latency whose target is target, exceeds
// LatencyMargin times the target.
func MaxLatency(b testing.TB, what string, got, target time.Duration) {
	b.Helper()
	if limit := LatencyMargin * target; got > limit {
		b.Fatalf("%s = %v; the target is %v and the benchmark fails above %v", what, got, target, limit)
	}
}

// Rate is n operations over d, per second.
func Rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return math.Inf(1)
	}
	return float64(n) / d.Seconds()
}

// ReportPacing reports a fan-out's achieved rate (in unit, such as
// "msgs/s") and its fraction of the platform's ceiling (frac-of-ceiling),
// and fails b when the fraction is below CeilingFloor.
func ReportPacing(b *testing.B, unit string, rate, ceiling float64) {
	b.Helper()
	frac := rate / ceiling
	b.ReportMetric(rate, unit)
	b.ReportMetric(frac, "frac-of-ceiling")
	if frac < CeilingFloor {
		b.Fatalf("fan-out at %.2f %s = %.3f of the %.0f/s ceiling; the aim is 0.9 and the benchmark fails below %.1f",
			rate, unit, frac, ceiling, CeilingFloor)
	}
}

// HeapOf builds a value with build and returns it with the live heap, in
// MiB, that it keeps: the heap after a full collection, less the heap
// before. Run it before the benchmark loop; it collects garbage twice.
func HeapOf[T any](build func() T) (T, float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return v, MiB(int64(after.HeapAlloc) - int64(before.HeapAlloc))
}

// MiB converts a byte count to mebibytes.
func MiB[N int | int64 | uint64](bytes N) float64 { return float64(bytes) / (1 << 20) }
