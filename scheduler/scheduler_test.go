package scheduler

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

func importYAML(t *testing.T, st *store.Store, yaml string, now time.Time) {
	t.Helper()
	if _, err := st.Import(context.Background(), []cases.SourceFile{{Path: "a.yaml", Data: []byte(yaml), Hash: yaml}}, now, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

const striker = "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-11\nhunger_strikes: [{started: 2026-11-16}]\n"

// TestPlannerQueuesOnceAndDelivers: planning again queues nothing twice,
// the post goes out once at its time, status changes are queued at once,
// and a post found too late is skipped.
func TestPlannerQueuesOnceAndDelivers(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	importYAML(t, st, striker, clk.now())
	cfg := config.Default()
	if _, err := st.Subscribe(ctx, bot.DefaultChannel(cfg, "fake", "-1"), "AZ", clk.now()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	h := bot.NewHandler(st, cfg, log)
	h.Now = clk.now
	p := &Planner{Store: st, Cases: h.Library, Log: log, Now: clk.now, CatchUp: time.Hour, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 3}
	fp := &fakePlatform{sent: map[string][]bot.Message{}, fails: map[string][]error{}}
	m := NewMetrics()
	d := &Delivery{Store: st, Composer: h, Platforms: map[string]bot.Platform{"fake": fp}, Log: log, Now: clk.now, CatchUp: time.Hour, Metrics: m}

	n, err := p.Once(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Once = %d, %v; want 1 (today 10:00; tomorrow is beyond 24 h)", n, err)
	}
	if n, _ := p.Once(ctx); n != 0 {
		t.Errorf("planning again queued %d; want 0", n)
	}
	d.Tick(ctx)
	if fp.count("-1") != 0 {
		t.Fatal("sent before its time")
	}
	clk.advance(2 * time.Hour) // 10:00
	d.Tick(ctx)
	if fp.count("-1") != 1 || fp.sent["-1"][0].Lead != "Day 12 of Amira Testova's hunger strike." || fp.sent["-1"][0].Card == nil {
		t.Fatalf("sent %+v; want Day 12 with the card", fp.sent["-1"])
	}
	p.Once(ctx)
	d.Tick(ctx)
	if fp.count("-1") != 1 {
		t.Errorf("sent %d times after re-planning; want once", fp.count("-1"))
	}

	// A status change is posted at once, however many posts the day had.
	importYAML(t, st, strings.Replace(striker, "imprisoned", "released", 1), clk.now())
	if n, err := p.Once(ctx); err != nil || n != 1 {
		t.Fatalf("Once after a status change = %d, %v; want 1", n, err)
	}
	d.Tick(ctx)
	if got := fp.sent["-1"][len(fp.sent["-1"])-1].Lead; got != "Status update: Amira Testova is now released (was imprisoned)." {
		t.Errorf("status post %q", got)
	}
	if n, _ := p.Once(ctx); n != 0 {
		t.Errorf("status change queued again: %d", n)
	}

	// A post due while the daemon was "down" for longer than catch_up is skipped.
	importYAML(t, st, strings.Replace(striker, "2026-11-16", "2026-11-17", 1), clk.now()) // imprisoned again, new strike
	clk.t = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	p.Once(ctx) // queues 28 Nov 10:00
	clk.t = time.Date(2026, 11, 28, 11, 30, 0, 0, time.UTC)
	before := fp.count("-1")
	d.Tick(ctx)
	if fp.count("-1") != before+1 { // the second status change (released → imprisoned) only
		t.Errorf("sent %d; want only the status change", fp.count("-1")-before)
	}
	if m.Get("vigil_posts_skipped_total", "platform", "fake", "kind", KindHungerStrikeDay) != 1 {
		t.Errorf("late post not counted as skipped")
	}
	counts, _ := st.PostCounts(ctx)
	if counts[store.Skipped] != 1 {
		t.Errorf("post states %v; want one skipped", counts)
	}
}

func TestMetricsFormat(t *testing.T) {
	m := NewMetrics()
	m.Inc("vigil_posts_sent_total", "platform", "telegram", "kind", "alert")
	m.Inc("vigil_posts_sent_total", "platform", "telegram", "kind", "alert")
	m.ObserveSend("telegram", 30*time.Millisecond)
	var b strings.Builder
	m.Write(&b, map[string]map[string]float64{"vigil_queue_depth": {"": 4}}, map[string]string{"vigil_queue_depth": "depth"})
	for _, want := range []string{
		"# TYPE vigil_posts_sent_total counter\n",
		`vigil_posts_sent_total{platform="telegram",kind="alert"} 2` + "\n",
		`vigil_send_duration_seconds_bucket{platform="telegram",le="0.01"} 0` + "\n",
		`vigil_send_duration_seconds_bucket{platform="telegram",le="0.05"} 1` + "\n",
		`vigil_send_duration_seconds_count{platform="telegram"} 1` + "\n",
		"vigil_queue_depth 4\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}
