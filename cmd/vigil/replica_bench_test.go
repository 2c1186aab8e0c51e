package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// replicaFanOuts are BenchmarkReplicasFanOut's platforms and how many
// chats each alert goes to: several seconds at each ceiling (Telegram's
// 30 messages a second, Discord's 50 requests).
var replicaFanOuts = []struct {
	platform string
	chats    int
}{{"telegram", 150}, {"discord", 300}}

// BenchmarkReplicasFanOut measures an alert's fan-out to 150 Telegram
// groups (the fake with Telegram's 30 a second overall) and to 300
// Discord channels (the fake with Discord's 50 requests a second, only
// the leader on its gateway) by one vigil serve, and by two sharing one
// PostgreSQL database (platform=…/replicas=…). It reports the median
// rate from the alert to the last delivery (posts/s), the 429s, which
// must be none, and two replicas' combined rate as a fraction of one's
// (of-one), which must not fall below 0.8; every chat must get each
// alert exactly once. Run it with VIGIL_TEST_POSTGRES set:
//
//	go test ./cmd/vigil -run '^$' -bench ReplicasFanOut -benchtime 3x
func BenchmarkReplicasFanOut(b *testing.B) {
	for _, p := range replicaFanOuts {
		b.Run("platform="+p.platform, func(b *testing.B) {
			rates := map[int]float64{}
			for _, n := range []int{1, 2} {
				b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
					rates[n] = benchReplicasFanOut(b, p.platform, p.chats, n)
					// Two replicas are held to one's rate, measured just
					// before, unless -bench left that out.
					if one := rates[1]; n == 2 && one > 0 {
						b.ReportMetric(rates[2]/one, "of-one")
						if rates[2] < 0.8*one {
							b.Errorf("two replicas' rate %.1f posts/s fell below 0.8 of one's %.1f", rates[2], one)
						}
					}
				})
			}
		})
	}
}

// benchReplicasFanOut runs n replicas against the platform's fake with
// chats subscribed, sends b.N alerts and returns their median rate.
func benchReplicasFanOut(b *testing.B, platform string, chats, n int) float64 {
	f := newReplicaFixture(b, platform, chats)
	procs := []*replicaProc{f.start(b)}
	waitLog(b, &procs[0].log, leadingLog, 20*time.Second)
	f.waitConnected(b, &procs[0].log, 20*time.Second)
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
		if !f.waitFor(2*time.Minute, func() bool { _, got := f.count(text); return got == chats }) {
			b.Fatalf("the fan-out did not finish")
		}
		rates = append(rates, float64(chats)/time.Since(start).Seconds())
	}
	b.StopTimer()
	time.Sleep(time.Second) // a repeat would show now
	for i := range b.N {
		if total, got := f.count(fmt.Sprintf("Bench alert %d", i)); total != chats || got != chats {
			b.Errorf("alert %d: %d copies in %d of %d chats; want each once", i, total, got, chats)
		}
	}
	slices.Sort(rates)
	b.ReportMetric(rates[len(rates)/2], "posts/s")
	tooMany := f.tooMany()
	b.ReportMetric(float64(tooMany), "429s")
	if tooMany != 0 {
		b.Errorf("%d sends answered 429: the replicas must share the rate limit", tooMany)
	}
	var sent []int
	for _, p := range procs {
		p.stop()
		sent = append(sent, len(sentLog.FindAllString(p.log.String(), -1)))
		if testing.Verbose() {
			for _, l := range strings.Split(p.log.String(), "\n") {
				if strings.Contains(l, "WARN") || strings.Contains(l, "replicas=") {
					b.Log(l)
				}
			}
		}
	}
	b.Logf("%d × %d chats: the replicas sent %v", b.N, chats, sent)
	if slices.Contains(sent, 0) {
		b.Errorf("a replica sent nothing (%v); want every replica to deliver", sent)
	}
	return rates[len(rates)/2]
}

// BenchmarkReplicaTakeover measures how long after the leader of two
// replicas is killed (SIGKILL, as a crash) the other leads, and how long
// until an alert queued at the kill reaches a group (the follower sends
// it without waiting for the lease):
//
//	go test ./cmd/vigil -run '^$' -bench ReplicaTakeover -benchtime 3x
func BenchmarkReplicaTakeover(b *testing.B) {
	f := newReplicaFixture(b, "telegram", 1)
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
