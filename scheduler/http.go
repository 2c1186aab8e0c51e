package scheduler

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/store"
)

// HTTPHandler serves /healthz and /metrics.
//
// /healthz answers 200 "ok" when the store answers and every configured
// platform that reports its health is connected, else 503 with the
// reason. /metrics is the Prometheus text format.
func HTTPHandler(st *store.Store, platforms map[string]bot.Platform, m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
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
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		stats, err := st.PostStats(ctx)
		if err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		gauges := map[string]map[string]float64{"vigil_outbox_posts": {}, "vigil_queue_depth": {"": 0}}
		for _, s := range stats {
			gauges["vigil_outbox_posts"][labels("platform", s.Platform, "kind", s.Kind, "state", string(s.State))] = float64(s.N)
			if s.State == store.Queued || s.State == store.Sending {
				gauges["vigil_queue_depth"][""] += float64(s.N)
			}
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.Write(w, gauges, map[string]string{
			"vigil_outbox_posts": "Posts in the outbox (queued, sending, sent, skipped, failed), by platform, kind and state.",
			"vigil_queue_depth":  "Posts waiting to be sent or being sent.",
		})
	})
	return mux
}
