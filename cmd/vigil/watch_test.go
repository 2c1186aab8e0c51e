package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeWatchesCaseFiles: while serve runs (console), an edited case
// file changes /case within seconds; a broken edit is logged with its
// file:line and the previous card stays; a status change found this way
// is posted to the subscribed console; a new subfolder is watched; a
// removed file is named with the archive command.
func TestServeWatchesCaseFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "cases", "a.yaml")
	writeFile(t, a, goodCase)
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\nstale_after: 100000d\nhttp: {listen: \"127.0.0.1:0\"}\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	if code, out, errOut := vigil(t, "", "subscribe", "--config", cfg, "console", "Azerbaijan"); code != 0 {
		t.Fatalf("subscribe: %d %s %s", code, out, errOut)
	}

	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, stdinR, &stdout, &stderr, noEnv) }()
	waitFor(t, &stderr, "cases loaded")
	io.WriteString(stdinW, "/case testova\n")
	waitFor(t, &stdout, "Sentenced: February 2025")

	// within waits for want in buf for at most d, measured from start.
	within := func(buf *syncBuffer, want string, d time.Duration, start time.Time, ask func()) {
		t.Helper()
		for !strings.Contains(buf.String(), want) {
			if time.Since(start) > d {
				t.Fatalf("no %q within %v:\nstdout:\n%s\nstderr:\n%s", want, d, stdout.String(), stderr.String())
			}
			if ask != nil {
				ask()
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	askCase := func(q string) func() { return func() { io.WriteString(stdinW, "/case "+q+"\n") } }

	// An edit, written the way editors do: a temporary file renamed over it.
	start := time.Now()
	tmp := filepath.Join(dir, "cases", ".a.yaml.swp")
	writeFile(t, tmp, strings.Replace(goodCase, "sentenced: 2025-02", "sentenced: 2025-03", 1))
	if err := os.Rename(tmp, a); err != nil {
		t.Fatal(err)
	}
	within(&stdout, "Sentenced: March 2025", 5*time.Second, start, askCase("testova"))

	// A broken edit: logged with file:line, the March card stays.
	start = time.Now()
	writeFile(t, a, strings.Replace(goodCase, "sentenced: 2025-02", "sentenced: 2025-03\narrested: 2021-13", 1))
	within(&stderr, a+":7: arrested: month 13 out of range", 5*time.Second, start, nil)
	mark := len(stdout.String())
	io.WriteString(stdinW, "/case testova\n")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String()[mark:], "Amira Testova — Azerbaijan") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if card := stdout.String()[mark:]; !strings.Contains(card, "Sentenced: March 2025") {
		t.Errorf("after a broken edit the card is\n%s\nwant the previous one (March 2025)", card)
	}

	// Mended, with a new status: the subscribed console gets the post.
	start = time.Now()
	writeFile(t, a, strings.Replace(strings.Replace(goodCase, "sentenced: 2025-02", "sentenced: 2025-03", 1), "imprisoned", "released", 1))
	within(&stdout, "Status update: Amira Testova is now released (was imprisoned).", 8*time.Second, start, nil)

	// A new subfolder, as a git pull brings it: its file is read, and an
	// edit inside it later too (the folder is watched).
	start = time.Now()
	b := filepath.Join(dir, "cases", "by", "b.yaml")
	writeFile(t, b, "id: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: BY\nstatus: detained\nstatus_as_of: 2026-10\narrested: 2021-12\n")
	within(&stdout, "Arrested: December 2021", 5*time.Second, start, askCase("jonas fiktiv"))
	time.Sleep(100 * time.Millisecond)
	start = time.Now()
	writeFile(t, b, "id: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: BY\nstatus: detained\nstatus_as_of: 2026-10\narrested: 2021-11\n")
	within(&stdout, "Arrested: November 2021", 5*time.Second, start, askCase("jonas fiktiv"))

	// The file removed: named, with the command, and not archived.
	start = time.Now()
	if err := os.RemoveAll(filepath.Join(dir, "cases", "by")); err != nil {
		t.Fatal(err)
	}
	within(&stderr, "is gone and with it jonas-fiktiv; to retire the case run `vigil archive jonas-fiktiv`", 5*time.Second, start, nil)

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "Status update: Amira Testova"); n != 1 {
		t.Errorf("status update posted %d times; want once", n)
	}
}
