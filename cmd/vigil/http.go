package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
	"github.com/vigil-bot/vigil/web"
)

// newRegistry returns the registry that /metrics serves, holding the Go
// runtime's, the process's and st's database/sql pool metrics, the
// outbox read at scrape time, and the delivery engine's metrics for the
// named platforms, which it returns for the engine to count on.
func newRegistry(st *store.Store, platforms ...string) (*prometheus.Registry, *scheduler.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(st.DB(), "vigil"),
		scheduler.NewOutboxCollector(st),
	)
	return reg, scheduler.NewMetrics(reg, slices.Sorted(slices.Values(platforms))...)
}

// platformHealth is what /healthz knows of the platforms: those started,
// which report their own health, and those still connecting, with why.
// serve listens before the platforms are connected, so both change.
type platformHealth struct {
	mu         sync.Mutex
	started    map[string]bot.Platform
	connecting map[string]string // platform name → why it is not started yet
	// replica is this serve's place among several on one database (nil:
	// the only one). A follower's platforms only send: their connections
	// are the leader's, so they are not asked for them.
	replica *replica
}

// newPlatformHealth returns the health of the given started platforms.
func newPlatformHealth(started map[string]bot.Platform) *platformHealth {
	ph := &platformHealth{started: map[string]bot.Platform{}, connecting: map[string]string{}}
	for name, p := range started {
		ph.started[name] = p
	}
	return ph
}

// setConnecting records that the platform name is not started yet, and why.
func (ph *platformHealth) setConnecting(name, reason string) {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	delete(ph.started, name)
	ph.connecting[name] = reason
}

// setStarted records that p is started; from now on it reports its health.
func (ph *platformHealth) setStarted(p bot.Platform) {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	delete(ph.connecting, p.Name())
	ph.started[p.Name()] = p
}

// problems lists, by platform name, why a platform is not healthy.
func (ph *platformHealth) problems() []string {
	ph.mu.Lock()
	defer ph.mu.Unlock()
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(ph.connecting)) {
		problems = append(problems, name+": "+ph.connecting[name])
	}
	if ph.replica != nil && !ph.replica.leader.Load() {
		return problems
	}
	for _, name := range slices.Sorted(maps.Keys(ph.started)) {
		if hr, ok := ph.started[name].(bot.HealthReporter); ok {
			if err := hr.Healthy(); err != nil {
				// One line per part (a Discord shard); platforms' errors
				// may begin with their name already.
				for _, line := range strings.Split(err.Error(), "\n") {
					problems = append(problems, name+": "+strings.TrimPrefix(line, name+": "))
				}
			}
		}
	}
	return problems
}

// httpHandler serves /healthz and /metrics, and, when pages is not nil,
// the share cards and public pages (web.Server.Register).
//
// /healthz answers 200 "ok" when the store answers and every configured
// platform is started and, if it reports its health, connected, else
// 503 with the reasons, one a line. A replica (several serve on one
// PostgreSQL database) adds a line with its role and id: "role: leader
// replica=…" or "role: follower replica=…"; a follower is healthy
// without the platforms' connections, which are the leader's. /metrics is reg in the Prometheus
// exposition format; a scrape fails with 500 when the store cannot count
// the outbox.
func httpHandler(st *store.Store, platforms *platformHealth, reg *prometheus.Registry, log *slog.Logger, pages *web.Server) http.Handler {
	mux := http.NewServeMux()
	if pages != nil {
		pages.Register(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		problems := healthProblems(ctx, st, platforms)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		role := ""
		if r := platforms.replica; r != nil {
			role = fmt.Sprintf("role: %s replica=%s\n", r.role(), r.id)
		}
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			for _, p := range problems {
				fmt.Fprintln(w, p)
			}
			fmt.Fprint(w, role)
			return
		}
		fmt.Fprintln(w, "ok")
		fmt.Fprint(w, role)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.With("http", "/metrics").Handler(), slog.LevelError),
	}))
	return mux
}

// healthProblems lists what keeps the daemon from being healthy: the
// store not answering, a platform still connecting or disconnected.
func healthProblems(ctx context.Context, st *store.Store, platforms *platformHealth) []string {
	var problems []string
	if err := st.Ping(ctx); err != nil {
		problems = append(problems, "store: "+err.Error())
	}
	return append(problems, platforms.problems()...)
}
