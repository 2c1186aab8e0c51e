package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/internal/pgtest"
	"time"
)

// TestAlertCommands drives the alert commands of the CLI against a
// running console daemon: a dry run queues nothing, an alert prints its
// id, a follow-up replies to the printed post, a correction edits it, a
// retraction deletes it, `vigil alerts --json` counts it all, and the
// same commands again change nothing.
func TestAlertCommands(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		t.Chdir(dir)
		writeFile(t, filepath.Join(dir, "config.yaml"), "database: "+db+"\nhttp: {listen: \"\"}\n")
		stdinR, stdinW := io.Pipe()
		var out, errOut syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"serve"}, stdinR, &out, &errOut, noEnv) }()
		waitFor(t, &out, "no platform token configured")
		io.WriteString(stdinW, "/subscribe Azerbaijan\n")
		waitFor(t, &out, "This channel now gets posts and alerts about Azerbaijan")

		cli := func(wantCode int, args ...string) string {
			t.Helper()
			code, stdout, stderr := vigil(t, "", args...)
			if code != wantCode {
				t.Fatalf("vigil %s: exit %d; want %d\n%s%s", strings.Join(args, " "), code, wantCode, stdout, stderr)
			}
			return stdout + stderr
		}
		got := cli(0, "alert", "rustamov", "--message", "Dry text", "--dry-run")
		for _, want := range []string{"would go to 1 channel", "console", "--- en ---", "URGENT: Dry text", "nothing is queued"} {
			if !strings.Contains(got, want) {
				t.Errorf("dry run: %q lacks %q", got, want)
			}
		}
		if got := cli(0, "alerts", "--json"); got != "" {
			t.Errorf("after a dry run, vigil alerts = %q; want none", got)
		}

		if got := cli(0, "alert", "rustamov", "--message", "Write to him today"); !strings.Contains(got, "alert 1 queued for 1 channel") {
			t.Fatalf("vigil alert: %q; want its id", got)
		}
		waitFor(t, &out, "URGENT: Write to him today")
		if got := cli(0, "alert", "--follow-up", "1", "--message", "He was moved"); !strings.Contains(got, "queued for 1 channel") {
			t.Errorf("follow-up: %q", got)
		}
		waitFor(t, &out, "in reply to post 1 ===\nUPDATE: He was moved")
		if got := cli(0, "alert", "--correct", "1", "--message", "Write to him tomorrow"); !strings.Contains(got, "correction 2 of alert 1 queued: 1 delivered copy") {
			t.Errorf("correction: %q", got)
		}
		waitFor(t, &out, "=== post 1 edited ===\nURGENT: Write to him tomorrow")
		if got := cli(0, "retract", "1"); !strings.Contains(got, "alert 1 withdrawn: 2 delivered copies to delete") {
			t.Errorf("retract: %q", got)
		}
		waitFor(t, &out, "=== post 1 deleted ===")
		waitFor(t, &out, "=== post 2 deleted ===")

		if got := cli(0, "retract", "1"); !strings.Contains(got, "nothing more to do") {
			t.Errorf("retract again: %q", got)
		}
		if got := cli(1, "alert", "--follow-up", "1", "--message", "More"); !strings.Contains(got, "alert 1 was withdrawn") {
			t.Errorf("follow-up of a withdrawn alert: %q", got)
		}
		if got := cli(1, "alert", "--correct", "9", "--message", "More"); !strings.Contains(got, "there is no alert 9") {
			t.Errorf("correction of an unknown alert: %q", got)
		}
		cli(2, "alert", "--follow-up", "1", "--correct", "1", "--message", "x")
		time.Sleep(1500 * time.Millisecond) // more than a poll: anything repeated would show
		if n := strings.Count(out.String(), "deleted ==="); n != 2 {
			t.Errorf("%d deletions printed; want 2", n)
		}
		var a alertJSON
		if err := json.Unmarshal([]byte(cli(0, "alerts", "--json")), &a); err != nil {
			t.Fatal(err)
		}
		if a.ID != 1 || a.Delivered != 1 || a.Corrected != 1 || a.Withdrawn != 1 || a.FollowUps != 1 || a.Retracted == nil ||
			a.Message != "Write to him tomorrow" {
			t.Errorf("vigil alerts --json: %+v", a)
		}
		if got := cli(0, "alerts"); !strings.Contains(got, "withdrawn") || !strings.Contains(got, "saleh-rustamov") {
			t.Errorf("vigil alerts: %q", got)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
		}
		if strings.Contains(errOut.String(), "level=ERROR") {
			t.Errorf("errors logged:\n%s", errOut.String())
		}
	})
}
