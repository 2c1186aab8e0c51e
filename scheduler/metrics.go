package scheduler

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Metrics counts what the delivery engine does, for /metrics in the
// Prometheus text format. It is deliberately small: a few counters and
// one latency histogram, with no dependency.
type Metrics struct {
	mu       sync.Mutex
	counters map[string]map[string]float64 // name → rendered labels → value
	buckets  map[string][]uint64           // platform → counts per latencyBuckets (+Inf last)
	sums     map[string]float64
}

// latencyBuckets are the send-latency histogram's upper bounds, seconds.
var latencyBuckets = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// counterHelp documents each counter; only these names may be counted.
var counterHelp = map[string]string{
	"vigil_posts_sent_total":      "Posts delivered, by platform and kind.",
	"vigil_posts_retried_total":   "Send attempts that failed temporarily and were requeued, by platform and kind.",
	"vigil_posts_skipped_total":   "Posts not sent on purpose (too late, channel gone), by platform and kind.",
	"vigil_posts_failed_total":    "Posts the platform refused for good, by platform and kind.",
	"vigil_rate_limited_total":    "Sends answered with 429 (rate limited), by platform.",
	"vigil_channels_paused_total": "Channels paused because the platform refused the bot, by platform.",
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{counters: map[string]map[string]float64{}, buckets: map[string][]uint64{}, sums: map[string]float64{}}
}

func labels(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		v := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(kv[i+1])
		parts = append(parts, fmt.Sprintf(`%s="%s"`, kv[i], v))
	}
	return strings.Join(parts, ",")
}

// Inc adds one to counter name with the given label pairs.
func (m *Metrics) Inc(name string, kv ...string) {
	if m == nil {
		return
	}
	if _, ok := counterHelp[name]; !ok {
		panic("metrics: unknown counter " + name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counters[name] == nil {
		m.counters[name] = map[string]float64{}
	}
	m.counters[name][labels(kv...)]++
}

// Get returns a counter's value, for tests.
func (m *Metrics) Get(name string, kv ...string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[name][labels(kv...)]
}

// ObserveSend records one send's latency on a platform.
func (m *Metrics) ObserveSend(platform string, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.buckets[platform]
	if b == nil {
		b = make([]uint64, len(latencyBuckets)+1)
		m.buckets[platform] = b
	}
	s := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, s)
	b[i]++
	m.sums[platform] += s
}

// Write writes every metric in the Prometheus text exposition format,
// followed by the gauges given (name → rendered labels → value).
func (m *Metrics) Write(w io.Writer, gauges map[string]map[string]float64, gaugeHelp map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(counterHelp)) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, counterHelp[name], name)
		series := m.counters[name]
		for _, l := range slices.Sorted(maps.Keys(series)) {
			fmt.Fprintf(w, "%s{%s} %g\n", name, l, series[l])
		}
	}
	const h = "vigil_send_duration_seconds"
	fmt.Fprintf(w, "# HELP %s Time one send to a platform took, pacing included.\n# TYPE %s histogram\n", h, h)
	for _, p := range slices.Sorted(maps.Keys(m.buckets)) {
		var cum uint64
		for i, b := range m.buckets[p] {
			cum += b
			le := "+Inf"
			if i < len(latencyBuckets) {
				le = fmt.Sprintf("%g", latencyBuckets[i])
			}
			fmt.Fprintf(w, "%s_bucket{%s} %d\n", h, labels("platform", p, "le", le), cum)
		}
		fmt.Fprintf(w, "%s_sum{%s} %g\n%s_count{%s} %d\n", h, labels("platform", p), m.sums[p], h, labels("platform", p), cum)
	}
	for _, name := range slices.Sorted(maps.Keys(gauges)) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", name, gaugeHelp[name], name)
		series := gauges[name]
		for _, l := range slices.Sorted(maps.Keys(series)) {
			if l == "" {
				fmt.Fprintf(w, "%s %g\n", name, series[l])
			} else {
				fmt.Fprintf(w, "%s{%s} %g\n", name, l, series[l])
			}
		}
	}
}
