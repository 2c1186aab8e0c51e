package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/store"
)

// TestServePostsDayN: the console channel, subscribed to a country with
// an ongoing hunger strike, prints "Day N" at its post time, and
// /healthz and /metrics answer.
func TestServePostsDayN(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC()
	if midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour); midnight.Sub(now) < 2*time.Minute {
		// The post is planned for today's local date: do not straddle midnight.
		time.Sleep(midnight.Sub(now) + 5*time.Second)
		now = time.Now().UTC()
	}
	start := now.AddDate(0, 0, -11).Format(time.DateOnly) // today is day 12
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), fmt.Sprintf(
		"id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: %s\nhunger_strikes: [{started: %s}]\n",
		now.Format("2006-01"), start))
	// The post time is this minute, so the post is due at once.
	writeFile(t, filepath.Join(dir, "vigil.yaml"), fmt.Sprintf("database: v.db\ncases: [cases]\npost_time: %q\nhttp: {listen: \"127.0.0.1:0\"}\n", now.Format("15:04")))
	cfg := filepath.Join(dir, "vigil.yaml")
	if code, out, errOut := vigil(t, "", "subscribe", "--config", cfg, "console", "Azerbaijan"); code != 0 {
		t.Fatalf("subscribe: %d %s %s", code, out, errOut)
	}
	code, out, _ := vigil(t, "", "upcoming", "--config", cfg, "--days", "1", "--json")
	if code != 0 || !strings.Contains(out, `"kind":"hunger_strike_day"`) || !strings.Contains(out, "Day 12 of Amira Testova") {
		t.Fatalf("upcoming: %d %s", code, out)
	}

	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, stdinR, &stdout, &stderr, noEnv) }()
	waitFor(t, &stdout, "Day 12 of Amira Testova's hunger strike.")
	waitFor(t, &stderr, "http listening")
	addr := regexp.MustCompile(`"http listening" addr=(\S+)`).FindStringSubmatch(stderr.String())[1]
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": `vigil_posts_sent_total{kind="hunger_strike_day",platform="console"} 1`} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d %q; want 200 with %q", path, resp.StatusCode, body, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "Day 12 of Amira Testova"); n != 1 {
		t.Errorf("Day 12 printed %d times; want 1", n)
	}
}

// TestUpcomingAcrossDST: `vigil upcoming` keeps 10:00 local across the
// change to summer time, with the channel's offset in "at", sorted by
// time then channel.
func TestUpcomingAcrossDST(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"),
		"id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-03\nhunger_strikes: [{started: 2026-03-20}]\n")
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\nstale_after: 100000d\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	vigil(t, "", "subscribe", "--config", cfg, "telegram:-100", "AZ")
	vigil(t, "", "subscribe", "--config", cfg, "console", "AZ")
	// Berlin and German for the Telegram group, as /settings would set them.
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.UpdateSettings(ctx, store.Channel{Platform: "telegram", Chat: "-100", Timezone: "Europe/Berlin", Language: "de"}, store.Channel{}, time.Now())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := vigil(t, "", "upcoming", "--config", cfg, "--from", "2026-03-28", "--days", "2", "--json")
	if code != 0 {
		t.Fatalf("upcoming: %d %s", code, stderr)
	}
	var got []string
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var line struct{ At, Platform, Channel, Case, Kind, Text string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		got = append(got, line.At+" "+line.Platform+":"+line.Channel+" "+line.Kind+" "+line.Text)
	}
	want := []string{
		"2026-03-28T10:00:00+01:00 telegram:-100 hunger_strike_day Tag 9 des Hungerstreiks von Amira Testova.",
		"2026-03-28T10:00:00Z console:console hunger_strike_day Day 9 of Amira Testova's hunger strike.",
		"2026-03-29T10:00:00+02:00 telegram:-100 hunger_strike_day Tag 10 des Hungerstreiks von Amira Testova.",
		"2026-03-29T10:00:00Z console:console hunger_strike_day Day 10 of Amira Testova's hunger strike.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("upcoming:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if code, _, stderr := vigil(t, "", "upcoming", "--config", cfg, "--from", "2026-03"); code != 2 || !strings.Contains(stderr, "--from") {
		t.Errorf("bad --from: %d %q", code, stderr)
	}
}
