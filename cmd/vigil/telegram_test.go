package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
)

// telegramConfig writes a config for a daemon talking to the fake Bot API.
func telegramConfig(t *testing.T, dir string, srv *telegramtest.Server, extra string) string {
	t.Helper()
	path := filepath.Join(dir, "vigil.yaml")
	writeFile(t, path, fmt.Sprintf("database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ntelegram: {api_endpoint: %q}\n%s", srv.Endpoint(), extra))
	return path
}

func tokenEnv(token string) func(string) string {
	return func(k string) string {
		if k == "VIGIL_TELEGRAM_TOKEN" {
			return token
		}
		return ""
	}
}

// TestServeTelegram: `vigil serve` with a token and api_endpoint answers
// /case rustanov with Rustamov's card, keeps the token out of its output,
// and a refused token stops it with a clear error that hides the token.
func TestServeTelegram(t *testing.T) {
	srv := telegramtest.NewServer(t, telegramtest.Options{})
	dir := t.TempDir()
	cfg := telegramConfig(t, dir, srv, "")
	user := telegramtest.User{ID: 501, FirstName: "Testa"}
	dm := telegramtest.Private(user.ID)
	srv.AddChat(dm)

	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfg}, strings.NewReader(""), &stdout, &stderr, tokenEnv(srv.Token()))
	}()
	waitFor(t, &stderr, "cases loaded")
	srv.SendText(dm, user, "/case rustanov")
	msgs := srv.WaitMessages(dm.ID, 1, 15*time.Second)
	var all []string
	for _, m := range msgs {
		all = append(all, m.Text)
	}
	if !strings.Contains(strings.Join(all, "\n"), "February 2021") || !strings.Contains(strings.Join(all, "\n"), "Saleh Rustamov") {
		t.Errorf("reply to /case rustanov: %q; want Rustamov's card with February 2021", all)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if strings.Contains(stdout.String(), "console") {
		t.Errorf("with a token the console channel should not run: %q", stdout.String())
	}
	if out := stdout.String() + stderr.String(); strings.Contains(out, srv.Token()) {
		t.Errorf("token in output:\n%s", out)
	}

	// A token the server refuses: a clear error, no token.
	var out2, err2 syncBuffer
	err := run(context.Background(), []string{"serve", "--config", cfg}, strings.NewReader(""), &out2, &err2, tokenEnv("999:WRONG-secret-token"))
	code := exitCode(err, &err2)
	if code != 1 || !strings.Contains(err2.String(), "telegram") || strings.Contains(out2.String()+err2.String(), "WRONG-secret") {
		t.Errorf("refused token: exit %d, %q %q", code, out2.String(), err2.String())
	}
}

// TestKill9MidFanOut kills a real daemon process with SIGKILL in the
// middle of an alert's fan-out to 120 groups, restarts it, and counts
// what the fake Telegram received: no group may miss the alert, and only
// the sends in flight at the kill (at most maxSendWorkers per platform) may repeat.
func TestKill9MidFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes and rate limits")
	}
	const groups = 120
	// Real per-chat and global pacing, but no 20/minute group window,
	// which is irrelevant to one post per group and would only slow this.
	srv := telegramtest.NewServer(t, telegramtest.Options{Limits: &telegramtest.Limits{
		Global: telegramtest.Limit{N: 30, Window: time.Second}, PerChat: telegramtest.Limit{N: 3, Window: 3 * time.Second}}})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-10\n")
	cfg := telegramConfig(t, dir, srv, "cases: [cases]\n")
	var ids []int64
	for i := range groups {
		g := telegramtest.Group(-5000-int64(i), fmt.Sprintf("Group %d", i))
		srv.AddChat(g)
		ids = append(ids, g.ID)
		if code, _, stderr := vigil(t, "", "subscribe", "--config", cfg, fmt.Sprintf("telegram:%d", g.ID), "AZ"); code != 0 {
			t.Fatalf("subscribe: %s", stderr)
		}
	}
	alerts := func() (total int, per map[int64]int) {
		per = map[int64]int{}
		for _, id := range ids {
			for _, m := range srv.Messages(id) {
				if strings.Contains(m.Text, "URGENT: Kill test") {
					per[id]++
					total++
				}
			}
		}
		return total, per
	}
	start := func(log io.Writer) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "serve", "--config", cfg)
		cmd.Env = append(os.Environ(), "VIGIL_AS_MAIN=1", "VIGIL_TELEGRAM_TOKEN="+srv.Token(), "VIGIL_DISCORD_TOKEN=")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	var log1 syncBuffer
	child := start(&log1)
	waitFor(t, &log1, "cases loaded")
	if code, out, stderr := vigil(t, "", "alert", "--config", cfg, "amira-testova", "--message", "Kill test"); code != 0 || !strings.Contains(out, fmt.Sprintf("queued for %d channel", groups)) {
		t.Fatalf("alert: %d %s %s", code, out, stderr)
	}
	if !srv.WaitFor(30*time.Second, func() bool { n, _ := alerts(); return n >= groups/3 }) {
		t.Fatalf("fan-out did not start:\n%s", log1.String())
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	atKill, _ := alerts()

	var log2 syncBuffer
	child = start(&log2)
	defer child.Process.Kill()
	ok := srv.WaitFor(60*time.Second, func() bool { _, per := alerts(); return len(per) == groups })
	time.Sleep(2 * time.Second) // any stray repeat would show now
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
	total, per := alerts()
	lost := groups - len(per)
	dup := total - len(per)
	t.Logf("kill -9 after %d of %d sends: lost %d, duplicated %d", atKill, groups, lost, dup)
	if !ok || lost != 0 {
		t.Errorf("%d groups never got the alert\nfirst run:\n%s\nsecond run:\n%s", lost, log1.String(), log2.String())
	}
	if dup > maxSendWorkers {
		t.Errorf("%d duplicates; at most the %d sends in flight at the kill may repeat", dup, maxSendWorkers)
	}
	if !strings.Contains(log2.String(), "requeued sends interrupted") && dup > 0 {
		t.Errorf("a duplicate without a requeued in-flight send")
	}
}

// TestServeTelegramUnreachable: with the Bot API out of reach, serve
// waits and retries (never printing the token) and stops cleanly.
func TestServeTelegramUnreachable(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: v.db\nhttp: {listen: \"127.0.0.1:0\"}\ntelegram: {api_endpoint: \"http://127.0.0.1:1/bot%s/%s\"}\n")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfg}, strings.NewReader(""), &stdout, &stderr, tokenEnv("4242:UNREACHABLE-secret"))
	}()
	waitFor(t, &stderr, "telegram unreachable; retrying")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop while waiting for Telegram")
	}
	if strings.Contains(stdout.String()+stderr.String(), "UNREACHABLE-secret") {
		t.Errorf("token in output:\n%s", stderr.String())
	}
}
