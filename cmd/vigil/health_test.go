package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
)

// closedPort returns a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

var httpAddr = regexp.MustCompile(`msg="http listening" addr=(\S+)`)

// httpGet waits for the run's HTTP address and GETs path there.
func (s *serveRun) httpGet(t *testing.T, path string) (int, string) {
	t.Helper()
	r := s.rawGet(t, path)
	return r.code, string(r.body)
}

// healthzWithin GETs /healthz until it answers 200 or within has passed,
// and returns the last answer.
func (s *serveRun) healthzWithin(t *testing.T, within time.Duration) (int, string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, body := s.httpGet(t, "/healthz")
		if code == 200 || time.Now().After(deadline) {
			return code, body
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHealthBeforeTelegram: while the configured Bot API endpoint
// refuses connections, /healthz answers 503 naming that endpoint (and no
// token) and /metrics answers; serve still stops at once.
func TestHealthBeforeTelegram(t *testing.T) {
	dir := t.TempDir()
	addr := closedPort(t)
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ntelegram: {api_endpoint: \"http://%s/bot%%s/%%s\"}\n", addr))
	s := startServe(t, tokenEnv("4242:HEALTH-secret"), "--config", cfg)
	code, body := s.httpGet(t, "/healthz")
	if code != 503 || !strings.Contains(body, "telegram: connecting to "+addr+"…") {
		t.Errorf("/healthz while Telegram is unreachable: %d %q; want 503 naming %s", code, body, addr)
	}
	waitFor(t, &s.stderr, "telegram unreachable; retrying")
	code, body = s.httpGet(t, "/healthz")
	if code != 503 || !strings.Contains(body, "telegram: connecting to "+addr+"…") || !strings.Contains(body, "connection refused") {
		t.Errorf("/healthz after a failed attempt: %d %q; want 503 naming %s and why", code, body, addr)
	}
	if code, body := s.httpGet(t, "/metrics"); code != 200 || !strings.Contains(body, "vigil_") {
		t.Errorf("/metrics while Telegram is unreachable: %d", code)
	}
	s.stop(t, 5*time.Second)
	if out := s.stdout.String() + s.stderr.String() + body; strings.Contains(out, "HEALTH-secret") || strings.Contains(out, "api.telegram.org") {
		t.Errorf("token or Telegram's own host in output:\n%s", out)
	}
}

// TestHealthWaitsForTelegram: with a Bot API that hangs, /healthz says
// it is connecting to the configured host; once it answers, 200.
func TestHealthWaitsForTelegram(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.Options{})
	target, _ := url.Parse(srv.URL())
	gate := make(chan struct{})
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // long polls cut at the end
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer hang.Close()
	host := strings.TrimPrefix(hang.URL, "http://")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ntelegram: {api_endpoint: %q}\n", hang.URL+"/bot%s/%s"))
	s := startServe(t, tokenEnv(srv.Token()), "--config", cfg)
	code, body := s.httpGet(t, "/healthz")
	if code != 503 || body != "telegram: connecting to "+host+"…\n" {
		t.Errorf("/healthz while the Bot API hangs: %d %q; want 503 naming %s", code, body, host)
	}
	close(gate)
	code, body = s.healthzWithin(t, 15*time.Second)
	if code != 200 || body != "ok\n" {
		t.Errorf("/healthz once the Bot API answers: %d %q; want 200 ok\n%s", code, body, s.stderr.String())
	}
	s.stop(t, 20*time.Second)
}

// TestHealthBeforeDiscord: with discord.api_base out of reach, /healthz
// and the log name it, never discord.com.
func TestHealthBeforeDiscord(t *testing.T) {
	dir := t.TempDir()
	addr := closedPort(t)
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ndiscord: {api_base: \"http://%s\"}\n", addr))
	env := func(k string) string {
		if k == "VIGIL_DISCORD_TOKEN" {
			return "DISCORD-secret"
		}
		return ""
	}
	s := startServe(t, env, "--config", cfg)
	code, body := s.httpGet(t, "/healthz")
	if code != 503 || !strings.Contains(body, "discord: gateway not connected") || !strings.Contains(body, addr) {
		t.Errorf("/healthz while Discord is unreachable: %d %q; want 503 naming %s", code, body, addr)
	}
	waitFor(t, &s.stderr, "discord unreachable; retrying")
	s.stop(t, 10*time.Second)
	log := s.stderr.String()
	if !strings.Contains(log, "http://"+addr+"/api/") || strings.Contains(log+body, "discord.com") || strings.Contains(log, "DISCORD-secret") {
		t.Errorf("log should name %s, not discord.com nor the token:\n%s", addr, log)
	}
}
