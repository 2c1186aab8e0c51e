package main

import (
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
	"github.com/vigil-bot/vigil/store"
)

// TestUpcomingScale measures `vigil upcoming --days 1` on 100,000 cases
// and 10,000 channels as a real process: wall time and peak memory. It
// only reports, and only runs with VIGIL_BENCH=1:
//
//	VIGIL_BENCH=1 go test ./cmd/vigil -run TestUpcomingScale -v -timeout 20m
func TestUpcomingScale(t *testing.T) {
	if os.Getenv("VIGIL_BENCH") != "1" {
		t.Skip("set VIGIL_BENCH=1 to run the planning scale measurement")
	}
	const nCases, nChannels = 100_000, 10_000
	dir := t.TempDir()
	countries := cases.Countries()
	for f := range 10 {
		var b strings.Builder
		for i := f * nCases / 10; i < (f+1)*nCases/10; i++ {
			co := countries[i%60*3].Code
			strike := ""
			if i%50 == 0 {
				strike = fmt.Sprintf(", hunger_strikes: [{started: 2026-11-%02d}]", 1+i%27)
			}
			fmt.Fprintf(&b, "- {id: p-%d, name: Person %d Testova, country: %s, status: imprisoned, status_as_of: 2026-10, arrested: %d-%02d-%02d, born: %d-%02d-%02d%s}\n",
				i, i, co, 2015+i%11, 1+i%12, 1+i%28, 1950+i%50, 1+(i/7)%12, 1+(i/3)%28, strike)
		}
		writeFile(t, filepath.Join(dir, "cases", fmt.Sprintf("f%02d.yaml", f)), b.String())
	}
	cfgPath := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfgPath, "database: v.db\ncases: [cases]\n")
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := cases.ReadFiles([]string{filepath.Join(dir, "cases")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, files, time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Baku", "Australia/Sydney"}
	for i := range nChannels {
		ch := bot.DefaultChannel(cfg, "telegram", fmt.Sprint(-100000-i))
		ch.Timezone = zones[i%len(zones)]
		for k := range 1 + i%3 {
			if _, err := st.Subscribe(ctx, ch, countries[(i+k*7)%60*3].Code, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	st.Close()
	for _, run := range []string{"run 1", "run 2"} {
		cmd := exec.Command(os.Args[0], "upcoming", "--config", cfgPath, "--days", "1", "--from", "2026-11-27", "--json")
		cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1")
		out, err := os.CreateTemp(dir, "out")
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout = out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		wall := time.Since(start)
		info, _ := out.Stat()
		out.Close()
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		t.Logf("upcoming --days 1, %s: %v wall, %v user CPU, peak RSS %d MiB, %d KiB of JSON lines",
			run, wall.Round(time.Millisecond), time.Duration(ru.Utime.Nano()).Round(time.Millisecond), ru.Maxrss/1024, info.Size()/1024)
	}
}
