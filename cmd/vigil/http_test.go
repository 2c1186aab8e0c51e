package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// testPlatform is a platform that takes every message, or reports itself
// disconnected when sick is set.
type testPlatform struct {
	mu   sync.Mutex
	sent []bot.Message
	sick error
}

func (p *testPlatform) Name() string                  { return "fake" }
func (p *testPlatform) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (p *testPlatform) Healthy() error                { return p.sick }
func (p *testPlatform) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, msg)
	return chat + "-1", nil
}

// get serves one GET request on h.
func get(h http.Handler, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestHealthz(t *testing.T) {
	st := openTestStore(t)
	log := slog.New(slog.DiscardHandler)
	healthy := map[string]bot.Platform{"fake": &testPlatform{}}
	reg, _ := newRegistry(st, "fake")
	h := httpHandler(st, newPlatformHealth(healthy), reg, log, nil)
	if code, body := get(h, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthy: %d %q", code, body)
	}
	sick := map[string]bot.Platform{"fake": &testPlatform{}, "discord": &testPlatform{sick: errors.New("gateway disconnected")}}
	if code, body := get(httpHandler(st, newPlatformHealth(sick), reg, log, nil), "/healthz"); code != 503 || !strings.Contains(body, "discord: gateway disconnected") {
		t.Errorf("sick platform: %d %q", code, body)
	}
	connecting := newPlatformHealth(healthy)
	connecting.setConnecting("fake", "connecting to 127.0.0.1:9…")
	hc := httpHandler(st, connecting, reg, log, nil)
	if code, body := get(hc, "/healthz"); code != 503 || body != "fake: connecting to 127.0.0.1:9…\n" {
		t.Errorf("platform connecting: %d %q", code, body)
	}
	connecting.setStarted(&testPlatform{sick: errors.New("fake: not receiving updates")})
	if code, body := get(hc, "/healthz"); code != 503 || body != "fake: not receiving updates\n" {
		t.Errorf("platform started, not yet receiving: %d %q; want its own reason once, prefixed once", code, body)
	}
	st.Close()
	if code, body := get(h, "/healthz"); code != 503 || !strings.Contains(body, "store:") {
		t.Errorf("closed store: %d %q", code, body)
	}
	// The outbox cannot be counted: the scrape fails rather than report
	// an empty queue.
	if code, body := get(h, "/metrics"); code != 500 || !strings.Contains(body, "post stats") {
		t.Errorf("metrics with a closed store: %d %q", code, body)
	}
}

// TestMetrics: /metrics parses with Prometheus's own text parser and
// carries the Go runtime's, the process's and the database pool's
// metrics and the vigil_ families, and a post delivered by the delivery
// engine counts as sent.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	const yaml = "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-10\n"
	now := time.Now()
	if _, err := st.Import(ctx, []cases.SourceFile{{Path: "a.yaml", Data: []byte(yaml), Hash: yaml}}, now, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	for _, chat := range []string{"1", "2"} {
		if _, err := st.Subscribe(ctx, bot.DefaultChannel(cfg, "fake", chat), "AZ", now); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	fp := &testPlatform{}
	platforms := map[string]bot.Platform{"fake": fp}
	reg, metrics := newRegistry(st, "fake")
	h := bot.NewHandler(st, cfg, log)
	d := &scheduler.Delivery{Store: st, Composer: h, Platforms: platforms, Log: log, Now: time.Now, Metrics: metrics}
	if _, n, err := st.QueueAlert(ctx, "amira-testova", "Act now", "test", now); err != nil || n != 2 {
		t.Fatalf("QueueAlert = %d, %v; want 2", n, err)
	}
	scrape := func() map[string]*dto.MetricFamily {
		t.Helper()
		code, body := get(httpHandler(st, newPlatformHealth(platforms), reg, log, nil), "/metrics")
		if code != 200 {
			t.Fatalf("GET /metrics = %d %q", code, body)
		}
		parser := expfmt.NewTextParser(model.LegacyValidation)
		mfs, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("/metrics does not parse: %v\n%s", err, body)
		}
		return mfs
	}
	before := scrape()
	if v := value(before, "vigil_queue_depth"); v != 2 {
		t.Errorf("vigil_queue_depth before delivery = %g; want 2", v)
	}
	if v := value(before, "vigil_outbox_posts", "platform", "fake", "kind", "alert", "state", "queued"); v != 2 {
		t.Errorf("vigil_outbox_posts{state=queued} before delivery = %g; want 2", v)
	}
	if v := value(before, "vigil_posts_sent_total", "platform", "fake", "kind", "alert"); v > 0 {
		t.Errorf("vigil_posts_sent_total before delivery = %g; want none", v)
	}

	if _, err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(fp.sent) != 2 {
		t.Fatalf("platform got %d messages; want 2", len(fp.sent))
	}
	mfs := scrape()
	for _, name := range []string{
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_open_fds",
		"go_sql_open_connections", "go_sql_max_open_connections",
		"vigil_posts_sent_total", "vigil_rate_limited_total", "vigil_channels_paused_total",
		"vigil_send_duration_seconds", "vigil_outbox_posts", "vigil_queue_depth",
	} {
		if mfs[name] == nil || len(mfs[name].GetMetric()) == 0 {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"vigil_posts_sent_total", []string{"platform", "fake", "kind", "alert"}, 2},
		{"vigil_outbox_posts", []string{"platform", "fake", "kind", "alert", "state", "sent"}, 2},
		{"vigil_queue_depth", nil, 0},
		{"vigil_rate_limited_total", []string{"platform", "fake"}, 0},
		{"vigil_send_duration_seconds", []string{"platform", "fake"}, 2},
	} {
		if got := value(mfs, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %g; want %g", c.name, c.labels, got, c.want)
		}
	}
	if v := value(mfs, "go_sql_open_connections", "db_name", "vigil"); v < 0 {
		t.Errorf("go_sql_open_connections{db_name=vigil} missing")
	}
	if v := value(mfs, "go_goroutines"); v < 1 {
		t.Errorf("go_goroutines = %g", v)
	}
}

// value returns the value of the series of family name that has the
// given label pairs (a histogram's sample count), or -1 when there is
// none.
func value(mfs map[string]*dto.MetricFamily, name string, kv ...string) float64 {
	mf := mfs[name]
	if mf == nil {
		return -1
	}
series:
	for _, m := range mf.GetMetric() {
		for i := 0; i+1 < len(kv); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == kv[i] && l.GetValue() == kv[i+1])
			}
			if !found {
				continue series
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		case m.Untyped != nil:
			return m.GetUntyped().GetValue()
		}
	}
	return -1
}
