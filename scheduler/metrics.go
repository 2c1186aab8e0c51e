package scheduler

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vigil-bot/vigil/store"
)

// Metrics holds the delivery engine's counters and its send-latency
// histogram. NewMetrics builds them on the registry the daemon exposes.
//
// A nil *Metrics counts nothing, so a Delivery built without one (as
// many tests do) needs no registry.
type Metrics struct {
	// PostsSent, PostsRetried, PostsSkipped and PostsFailed count posts
	// by outcome; their labels are platform and kind.
	PostsSent, PostsRetried, PostsSkipped, PostsFailed *prometheus.CounterVec
	// RateLimited counts sends answered with 429; its label is platform.
	RateLimited *prometheus.CounterVec
	// ChannelsPaused counts channels paused because the platform refused
	// the bot; its label is platform.
	ChannelsPaused *prometheus.CounterVec
	// SendDuration is the time one send took, pacing included; its label
	// is platform.
	SendDuration *prometheus.HistogramVec
}

// latencyBuckets are the send-latency histogram's upper bounds, seconds.
var latencyBuckets = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// NewMetrics returns the delivery engine's metrics, registered on reg.
// A nil reg registers nothing (the metrics still count, for tests).
// Every series of each platform named (by kind, for the post counters)
// starts at zero, so that a rate over it is defined before its first
// event.
func NewMetrics(reg prometheus.Registerer, platforms ...string) *Metrics {
	post := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"platform", "kind"})
	}
	platform := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"platform"})
	}
	m := &Metrics{
		PostsSent:      post("vigil_posts_sent_total", "Posts delivered, by platform and kind."),
		PostsRetried:   post("vigil_posts_retried_total", "Send attempts that failed temporarily and were requeued, by platform and kind."),
		PostsSkipped:   post("vigil_posts_skipped_total", "Posts not sent on purpose (too late, channel gone), by platform and kind."),
		PostsFailed:    post("vigil_posts_failed_total", "Posts the platform refused for good, by platform and kind."),
		RateLimited:    platform("vigil_rate_limited_total", "Sends answered with 429 (rate limited), by platform."),
		ChannelsPaused: platform("vigil_channels_paused_total", "Channels paused because the platform refused the bot, by platform."),
		SendDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vigil_send_duration_seconds",
			Help: "Time one send to a platform took, pacing included.", Buckets: latencyBuckets}, []string{"platform"}),
	}
	for _, p := range platforms {
		m.RateLimited.WithLabelValues(p)
		m.ChannelsPaused.WithLabelValues(p)
		m.SendDuration.WithLabelValues(p)
		for _, k := range store.Kinds {
			for _, c := range []*prometheus.CounterVec{m.PostsSent, m.PostsRetried, m.PostsSkipped, m.PostsFailed} {
				c.WithLabelValues(p, string(k))
			}
		}
	}
	if reg != nil {
		reg.MustRegister(m.PostsSent, m.PostsRetried, m.PostsSkipped, m.PostsFailed, m.RateLimited, m.ChannelsPaused, m.SendDuration)
	}
	return m
}

// outcome is what the delivery engine counts: one of the counters in
// Metrics.
type outcome int

const (
	postSent        outcome = iota // vigil_posts_sent_total
	postRetried                    // vigil_posts_retried_total
	postSkipped                    // vigil_posts_skipped_total
	postFailed                     // vigil_posts_failed_total
	sendRateLimited                // vigil_rate_limited_total, by platform only
	channelPaused                  // vigil_channels_paused_total, by platform only
)

// count adds one to o's counter for post p, unless m is nil.
func (m *Metrics) count(o outcome, p store.Post) {
	switch {
	case m == nil:
	case o == sendRateLimited:
		m.RateLimited.WithLabelValues(p.Platform).Inc()
	case o == channelPaused:
		m.ChannelsPaused.WithLabelValues(p.Platform).Inc()
	default:
		c := [...]*prometheus.CounterVec{postSent: m.PostsSent, postRetried: m.PostsRetried, postSkipped: m.PostsSkipped, postFailed: m.PostsFailed}[o]
		c.WithLabelValues(p.Platform, string(p.Kind)).Inc()
	}
}

// observeSend records one send's latency on platform, unless m is nil.
func (m *Metrics) observeSend(platform string, d time.Duration) {
	if m != nil {
		m.SendDuration.WithLabelValues(platform).Observe(d.Seconds())
	}
}

// PostStatser counts the outbox's posts; *store.Store is one.
type PostStatser interface {
	PostStats(ctx context.Context) ([]store.PostStat, error)
}

// OutboxCollector is a prometheus.Collector that reads the outbox at
// scrape time: vigil_outbox_posts by platform, kind and state, and
// vigil_queue_depth, the posts queued or being sent. Nothing of it is
// kept in memory, so posts queued by another process (the CLI) count.
type OutboxCollector struct {
	store   PostStatser
	timeout time.Duration
	posts   *prometheus.Desc
	depth   *prometheus.Desc
}

// NewOutboxCollector returns a collector reading st's outbox, each
// scrape waiting at most 5 seconds for the store.
func NewOutboxCollector(st PostStatser) *OutboxCollector {
	return &OutboxCollector{
		store:   st,
		timeout: 5 * time.Second,
		posts: prometheus.NewDesc("vigil_outbox_posts",
			"Posts in the outbox (queued, sending, sent, skipped, failed), by platform, kind and state.",
			[]string{"platform", "kind", "state"}, nil),
		depth: prometheus.NewDesc("vigil_queue_depth", "Posts waiting to be sent or being sent.", nil, nil),
	}
}

// Describe sends the collector's two metric descriptions.
func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.posts
	ch <- c.depth
}

// Collect reads the outbox's counts. When the store does not answer it
// sends an invalid metric, which fails the scrape with the store's error.
func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	stats, err := c.store.PostStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	var depth float64
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(c.posts, prometheus.GaugeValue, float64(s.N), s.Platform, string(s.Kind), string(s.State))
		if s.State == store.Queued || s.State == store.Sending {
			depth += float64(s.N)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, depth)
}
