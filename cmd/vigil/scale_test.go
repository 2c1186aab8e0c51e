package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/internal/benchutil"
	"github.com/vigil-bot/vigil/store"
)

// BenchmarkUpcoming measures `vigil upcoming --days 1` on 100,000 cases
// and 10,000 channels as a real process, one run an iteration: wall time
// (ns/op), user CPU time (user-cpu-s/op), the largest peak RSS of a run
// (peak-RSS-MiB) and the posts planned (posts), of which there must be
// some. Issue 5 set no target for it; it only reports. Setting up the
// database takes a minute or two, so run it once:
//
//	go test ./cmd/vigil -run '^$' -bench Upcoming -benchtime 1x
func BenchmarkUpcoming(b *testing.B) {
	const nCases, nChannels = 100_000, 10_000
	dir := b.TempDir()
	countries := cases.Countries()
	for f := range 10 {
		var yaml strings.Builder
		for i := f * nCases / 10; i < (f+1)*nCases/10; i++ {
			co := countries[i%60*3].Code
			strike := ""
			if i%50 == 0 {
				strike = fmt.Sprintf(", hunger_strikes: [{started: 2026-11-%02d}]", 1+i%27)
			}
			fmt.Fprintf(&yaml, "- {id: p-%d, name: Person %d Testova, country: %s, status: imprisoned, status_as_of: 2026-10, arrested: %d-%02d-%02d, born: %d-%02d-%02d%s}\n",
				i, i, co, 2015+i%11, 1+i%12, 1+i%28, 1950+i%50, 1+(i/7)%12, 1+(i/3)%28, strike)
		}
		writeFile(b, filepath.Join(dir, "cases", fmt.Sprintf("f%02d.yaml", f)), yaml.String())
	}
	cfgPath := filepath.Join(dir, "vigil.yaml")
	writeFile(b, cfgPath, "database: v.db\ncases: [cases]\n")
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"))
	if err != nil {
		b.Fatal(err)
	}
	files, err := cases.ReadFiles([]string{filepath.Join(dir, "cases")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Import(ctx, files, time.Now(), store.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Baku", "Australia/Sydney"}
	for i := range nChannels {
		ch := bot.DefaultChannel(cfg, "telegram", fmt.Sprint(-100000-i))
		ch.Timezone = zones[i%len(zones)]
		for k := range 1 + i%3 {
			if _, err := st.Subscribe(ctx, ch, countries[(i+k*7)%60*3].Code, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	}
	st.Close()
	var userCPU time.Duration
	var peakRSS int64
	runs, posts := 0, 0
	for b.Loop() {
		runs++
		cmd := exec.Command(os.Args[0], "upcoming", "--config", cfgPath, "--days", "1", "--from", "2026-11-27", "--json")
		cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1")
		out, err := os.Create(filepath.Join(dir, "upcoming.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stdout = out // a file, as a shell redirect gives it
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		out.Close()
		lines, err := os.ReadFile(out.Name())
		if err != nil {
			b.Fatal(err)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		userCPU += time.Duration(ru.Utime.Nano())
		peakRSS = max(peakRSS, ru.Maxrss*1024)
		posts = bytes.Count(lines, []byte("\n"))
		b.Logf("upcoming --days 1, run %d: %v wall, %v user CPU, peak RSS %.0f MiB, %d posts in %d KiB of JSON lines",
			runs, wall.Round(time.Millisecond), time.Duration(ru.Utime.Nano()).Round(time.Millisecond),
			benchutil.MiB(ru.Maxrss*1024), posts, len(lines)/1024)
	}
	if posts == 0 {
		b.Fatal("upcoming planned no posts; want some for 10,000 subscribed channels")
	}
	b.ReportMetric((userCPU / time.Duration(runs)).Seconds(), "user-cpu-s/op")
	b.ReportMetric(benchutil.MiB(peakRSS), "peak-RSS-MiB")
	b.ReportMetric(float64(posts), "posts")
}
