package scheduler

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/vigil-bot/vigil/store"
)

// counterValue reads one series of a counter, for tests.
func counterValue(c *prometheus.CounterVec, labels ...string) float64 {
	return testutil.ToFloat64(c.WithLabelValues(labels...))
}

// fakeStats is an outbox with fixed counts, or one that fails with err.
type fakeStats struct {
	stats []store.PostStat
	err   error
}

func (f fakeStats) PostStats(context.Context) ([]store.PostStat, error) { return f.stats, f.err }

// exposition gathers reg in the Prometheus text format.
func exposition(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestMetricsFormat: the delivery engine's counters and histogram and the
// outbox's gauges, in the text format, under their stable names.
func TestMetricsFormat(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	p := store.Post{Platform: "telegram", Kind: "alert"}
	m.count(postSent, p)
	m.count(postSent, p)
	m.observeSend("telegram", 30*time.Millisecond)
	reg.MustRegister(NewOutboxCollector(fakeStats{stats: []store.PostStat{
		{Platform: "telegram", Kind: "alert", State: store.Queued, N: 3},
		{Platform: "telegram", Kind: "alert", State: store.Sending, N: 1},
		{Platform: "telegram", Kind: "alert", State: store.Sent, N: 2},
	}}))
	text := exposition(t, reg)
	for _, want := range []string{
		"# TYPE vigil_posts_sent_total counter\n",
		`vigil_posts_sent_total{kind="alert",platform="telegram"} 2` + "\n",
		"# TYPE vigil_send_duration_seconds histogram\n",
		`vigil_send_duration_seconds_bucket{platform="telegram",le="0.01"} 0` + "\n",
		`vigil_send_duration_seconds_bucket{platform="telegram",le="0.05"} 1` + "\n",
		`vigil_send_duration_seconds_count{platform="telegram"} 1` + "\n",
		"# TYPE vigil_queue_depth gauge\n",
		"vigil_queue_depth 4\n",
		`vigil_outbox_posts{kind="alert",platform="telegram",state="sent"} 2` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}

// TestMetricsNames: every outcome counts on its own family, under the
// names the README documents; a nil Metrics counts nothing and does not
// panic.
func TestMetricsNames(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	p := store.Post{Platform: "fake", Kind: "custom"}
	for _, o := range []outcome{postSent, postRetried, postSkipped, postFailed, sendRateLimited, channelPaused} {
		m.count(o, p)
	}
	m.observeSend("fake", time.Second)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			got[mf.GetName()] += s.GetCounter().GetValue() + float64(s.GetHistogram().GetSampleCount())
		}
	}
	want := map[string]float64{
		"vigil_posts_sent_total": 1, "vigil_posts_retried_total": 1, "vigil_posts_skipped_total": 1, "vigil_posts_failed_total": 1,
		"vigil_rate_limited_total": 1, "vigil_channels_paused_total": 1, "vigil_send_duration_seconds": 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("families = %v; want %v", got, want)
	}
	if v := counterValue(m.PostsFailed, "fake", "custom"); v != 1 {
		t.Errorf("vigil_posts_failed_total{platform=fake,kind=custom} = %g; want 1", v)
	}
	var none *Metrics
	none.count(postSent, p)
	none.observeSend("fake", time.Second)
}

// TestOutboxCollectorStoreDown: a store that does not answer fails the
// scrape with its error rather than reporting an empty queue.
func TestOutboxCollectorStoreDown(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewOutboxCollector(fakeStats{err: errors.New("store: post stats: database is locked")}))
	if _, err := reg.Gather(); err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Gather = %v; want the store's error", err)
	}
	reg = prometheus.NewRegistry()
	reg.MustRegister(NewOutboxCollector(fakeStats{}))
	if text := exposition(t, reg); !strings.Contains(text, "vigil_queue_depth 0\n") {
		t.Errorf("empty outbox: %s; want vigil_queue_depth 0", text)
	}
}

// TestMetricsStartAtZero: every post counter of a named platform exists
// for every kind before its first event, so rate() is defined at once.
func TestMetricsStartAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	NewMetrics(reg, "telegram")
	text := exposition(t, reg)
	for _, k := range store.Kinds {
		for _, name := range []string{"vigil_posts_sent_total", "vigil_posts_retried_total", "vigil_posts_skipped_total", "vigil_posts_failed_total"} {
			want := name + `{kind="` + string(k) + `",platform="telegram"} 0` + "\n"
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
	}
	if strings.Contains(text, `platform="discord"`) {
		t.Errorf("a platform not named has series:\n%s", text)
	}
}
