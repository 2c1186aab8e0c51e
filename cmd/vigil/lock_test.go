package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
)

// serveRun is one `vigil serve` run in-process, as main would run it.
type serveRun struct {
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan error
}

func startServe(t *testing.T, env func(string) string, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serveRun{cancel: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), &s.stdout, &s.stderr, env)
	}()
	t.Cleanup(func() { s.stop(t, 20*time.Second) })
	return s
}

// stop cancels the run (as SIGTERM would) and fails the test unless it
// returns nil within limit.
func (s *serveRun) stop(t *testing.T, limit time.Duration) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve: %v\n%s", err, s.stderr.String())
		}
	case <-time.After(limit):
		t.Errorf("serve did not stop within %s\n%s", limit, s.stderr.String())
	}
}

// TestServeStandby: a second `vigil serve` on the same database stands
// by, naming the database and the first's pid, neither polling Telegram
// nor sending while the first runs; the CLI works alongside; when the
// first stops the standby takes over; no alert goes out twice; a standby
// stops promptly when told to.
func TestServeStandby(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.Options{})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	cfg := telegramConfig(t, dir, srv, "cases: [cases]\n")
	db := filepath.Join(dir, "v.db")
	group := telegramtest.Group(-5001, "Group")
	srv.AddChat(group)
	if code, _, stderr := vigil(t, "", "subscribe", "--config", cfg, "telegram:-5001", "AZ"); code != 0 {
		t.Fatalf("subscribe: %s", stderr)
	}
	count := func(text string) int {
		n := 0
		for _, m := range srv.Messages(group.ID) {
			if strings.Contains(m.Text, text) {
				n++
			}
		}
		return n
	}
	alert := func(text string) {
		t.Helper()
		if code, out, stderr := vigil(t, "", "alert", "--config", cfg, "amira-testova", "--message", text); code != 0 || !strings.Contains(out, "queued for 1 channel") {
			t.Fatalf("alert: %d %s %s", code, out, stderr)
		}
	}
	env := tokenEnv(srv.Token())

	first := startServe(t, env, "--config", cfg)
	waitFor(t, &first.stderr, "msg=connected platform=telegram")
	second := startServe(t, env, "--config", cfg)
	waitFor(t, &second.stderr, "another vigil serve holds the database")
	if log := second.stderr.String(); !strings.Contains(log, fmt.Sprintf("pid=%d", os.Getpid())) || !strings.Contains(log, db) {
		t.Errorf("standby's log does not name the holder's pid %d and %s:\n%s", os.Getpid(), db, log)
	}

	alert("First alert")
	srv.WaitMessages(group.ID, 1, 15*time.Second)
	time.Sleep(2500 * time.Millisecond) // two lock polls and delivery polls: a second send would show
	if n := count("URGENT: First alert"); n != 1 {
		t.Errorf("first alert sent %d times; want once", n)
	}
	if n := srv.Calls("getMe"); n != 1 {
		t.Errorf("getMe called %d times while the first serve ran; want once (the standby must not connect)", n)
	}
	if log := second.stderr.String(); strings.Contains(log, "cases loaded") || strings.Contains(log, "msg=connected ") {
		t.Errorf("the standby started working while the first ran:\n%s", log)
	}

	first.stop(t, 20*time.Second)
	waitFor(t, &second.stderr, "holding the database")
	waitFor(t, &second.stderr, "msg=connected platform=telegram")
	third := startServe(t, env, "--db", db, "--config", cfg)
	waitFor(t, &third.stderr, "another vigil serve holds the database")
	third.stop(t, 3*time.Second) // a standby stops at once

	alert("Second alert")
	if !srv.WaitFor(15*time.Second, func() bool { return count("URGENT: Second alert") == 1 }) {
		t.Fatalf("the standby did not take over:\n%s", second.stderr.String())
	}
	time.Sleep(1500 * time.Millisecond)
	if a, b := count("URGENT: First alert"), count("URGENT: Second alert"); a != 1 || b != 1 {
		t.Errorf("alerts sent %d and %d times; want once each", a, b)
	}
	second.stop(t, 20*time.Second)
	for _, s := range []*serveRun{first, second} {
		if strings.Contains(s.stdout.String()+s.stderr.String(), srv.Token()) {
			t.Errorf("token in output")
		}
	}
}
