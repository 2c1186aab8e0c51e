package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkReplicasFanOut measures an alert's fan-out to 150 Telegram
// groups (the fake with Telegram's 30 a second overall) by one vigil
// serve, and by two sharing one PostgreSQL database: their combined
// rate must not fall below one's, with no 429. Run it with
// VIGIL_TEST_POSTGRES set:
//
//	go test ./cmd/vigil -run '^$' -bench ReplicasFanOut -benchtime 3x
func BenchmarkReplicasFanOut(b *testing.B) {
	const groups = 150
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			f := newReplicaFixture(b, groups)
			procs := []*replicaProc{f.start(b)}
			waitLog(b, &procs[0].log, leadingLog, 20*time.Second)
			waitLog(b, &procs[0].log, "msg=connected ", 20*time.Second)
			for len(procs) < n {
				procs = append(procs, f.start(b))
			}
			if n > 1 {
				for _, p := range procs {
					waitLog(b, &p.log, fmt.Sprintf("replicas=%d\n", n), 20*time.Second)
				}
			}
			var rates []float64
			b.ResetTimer()
			for i := range b.N {
				text := fmt.Sprintf("Bench alert %d", i)
				start := time.Now()
				f.alert(b, text)
				if !f.srv.WaitFor(2*time.Minute, func() bool { _, got := f.count(text); return got == groups }) {
					b.Fatalf("the fan-out did not finish")
				}
				rates = append(rates, groups/time.Since(start).Seconds())
			}
			b.StopTimer()
			slices.Sort(rates)
			b.ReportMetric(rates[len(rates)/2], "posts/s")
			b.ReportMetric(float64(f.srv.TooMany()), "429s")
			for _, p := range procs {
				p.stop()
				if testing.Verbose() {
					for _, l := range strings.Split(p.log.String(), "\n") {
						if strings.Contains(l, "WARN") || strings.Contains(l, "replicas=") {
							b.Log(l)
						}
					}
				}
			}
		})
	}
}

// BenchmarkReplicaTakeover measures how long after the leader of two
// replicas is killed (SIGKILL, as a crash) the other leads, and how long
// until an alert queued at the kill reaches a group (the follower sends
// it without waiting for the lease):
//
//	go test ./cmd/vigil -run '^$' -bench ReplicaTakeover -benchtime 3x
func BenchmarkReplicaTakeover(b *testing.B) {
	f := newReplicaFixture(b, 1)
	leader := f.start(b)
	waitLog(b, &leader.log, leadingLog, 20*time.Second)
	var takeovers, delivered []float64
	for i := range b.N {
		follower := f.start(b)
		waitLog(b, &follower.log, "replicas=2\n", 20*time.Second)
		waitLog(b, &leader.log, "replicas=2\n", 20*time.Second)
		// Just after a renewal, the worst case: the lease runs its full
		// time after the kill.
		time.Sleep(100 * time.Millisecond)
		leader.kill()
		killed := time.Now()
		text := fmt.Sprintf("Takeover alert %d", i)
		f.alert(b, text)
		// The follower delivers without waiting for the lease.
		arrived := make(chan time.Duration, 1)
		go func() {
			if f.srv.WaitFor(30*time.Second, func() bool { _, got := f.count(text); return got == 1 }) {
				arrived <- time.Since(killed)
			}
			close(arrived)
		}()
		took := waitLog(b, &follower.log, leadingLog, 30*time.Second).Sub(killed)
		d, ok := <-arrived
		if !ok {
			b.Fatal("the alert was not delivered after the kill")
		}
		takeovers = append(takeovers, took.Seconds())
		delivered = append(delivered, d.Seconds())
		leader = follower
	}
	slices.Sort(takeovers)
	slices.Sort(delivered)
	b.ReportMetric(takeovers[len(takeovers)/2], "s-takeover")
	b.ReportMetric(delivered[len(delivered)/2], "s-delivered")
	b.ReportMetric(0, "ns/op")
	leader.stop()
}
