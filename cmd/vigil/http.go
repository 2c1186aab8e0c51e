package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// newRegistry returns the registry that /metrics serves, holding the Go
// runtime's, the process's and st's database/sql pool metrics, the
// outbox read at scrape time, and the delivery engine's metrics for the
// platforms, which it returns for the engine to count on.
func newRegistry(st *store.Store, platforms map[string]bot.Platform) (*prometheus.Registry, *scheduler.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(st.DB(), "vigil"),
		scheduler.NewOutboxCollector(st),
	)
	return reg, scheduler.NewMetrics(reg, slices.Sorted(maps.Keys(platforms))...)
}

// httpHandler serves /healthz and /metrics.
//
// /healthz answers 200 "ok" when the store answers and every configured
// platform that reports its health is connected, else 503 with the
// reason. /metrics is reg in the Prometheus exposition format; a scrape
// fails with 500 when the store cannot count the outbox.
func httpHandler(st *store.Store, platforms map[string]bot.Platform, reg *prometheus.Registry, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		problems := healthProblems(ctx, st, platforms)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			for _, p := range problems {
				fmt.Fprintln(w, p)
			}
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.With("http", "/metrics").Handler(), slog.LevelError),
	}))
	return mux
}

// healthProblems lists what keeps the daemon from being healthy: the
// store not answering, a platform that reports itself disconnected.
func healthProblems(ctx context.Context, st *store.Store, platforms map[string]bot.Platform) []string {
	var problems []string
	if err := st.Ping(ctx); err != nil {
		problems = append(problems, "store: "+err.Error())
	}
	for _, name := range slices.Sorted(maps.Keys(platforms)) {
		if hr, ok := platforms[name].(bot.HealthReporter); ok {
			if err := hr.Healthy(); err != nil {
				problems = append(problems, name+": "+err.Error())
			}
		}
	}
	return problems
}
