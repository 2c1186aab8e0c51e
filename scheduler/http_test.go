package scheduler

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/store"
)

// sickPlatform is a platform that reports itself disconnected.
type sickPlatform struct{ fakePlatform }

func (s *sickPlatform) Healthy() error { return errors.New("gateway disconnected") }

func TestHealthz(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := NewMetrics()
	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	healthy := HTTPHandler(st, map[string]bot.Platform{"fake": &fakePlatform{}}, m)
	if code, body := get(healthy, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthy: %d %q", code, body)
	}
	sick := HTTPHandler(st, map[string]bot.Platform{"fake": &fakePlatform{}, "discord": &sickPlatform{}}, m)
	if code, body := get(sick, "/healthz"); code != 503 || !strings.Contains(body, "discord: gateway disconnected") {
		t.Errorf("sick platform: %d %q", code, body)
	}
	st.Enqueue(ctx, time.Now(), store.Post{Key: "k", Platform: "fake", Chat: "1", Kind: "alert", DueAt: time.Now()})
	if code, body := get(healthy, "/metrics"); code != 200 || !strings.Contains(body, `vigil_outbox_posts{platform="fake",kind="alert",state="queued"} 1`) ||
		!strings.Contains(body, "vigil_queue_depth 1") {
		t.Errorf("metrics: %d\n%s", code, body)
	}
	st.Close()
	if code, body := get(healthy, "/healthz"); code != 503 || !strings.Contains(body, "store:") {
		t.Errorf("closed store: %d %q", code, body)
	}
}
