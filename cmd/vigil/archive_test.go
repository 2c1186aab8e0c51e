package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/store"
)

// TestArchiveCommand: vigil archive takes a case out of vigil case,
// vigil cases and vigil alert, cancels its queued posts, lists it under
// cases --archived, and --undo brings it back. An import whose file no
// longer defines a case names it and the command, and archives nothing.
func TestArchiveCommand(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "cases", "a.yaml")
	writeFile(t, a, goodCase+"---\nid: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: AZ\nstatus: detained\nstatus_as_of: 2026-10\n")
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	if code, _, errOut := vigil(t, "", "subscribe", "--config", cfg, "console", "AZ"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := vigil(t, "", "alert", "--config", cfg, "amira-testova", "--message", "Write to her"); code != 0 || !strings.Contains(out, "queued for 1 channel") {
		t.Fatalf("alert: %d %s", code, out)
	}

	code, out, errOut := vigil(t, "", "archive", "--config", cfg, "amira-testova")
	if code != 0 || !strings.Contains(out, "archived amira-testova (Amira Testova)") || !strings.Contains(out, "1 queued post cancelled") ||
		!strings.Contains(out, "vigil archive --undo amira-testova") {
		t.Fatalf("archive: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := vigil(t, "", "case", "--config", cfg, "testova"); code != 1 || !strings.Contains(errOut, "no case matches") {
		t.Errorf("case of an archived case: %d %q", code, errOut)
	}
	if code, _, errOut := vigil(t, "", "case", "--config", cfg, "amira-testova"); code != 1 {
		t.Errorf("case by the id of an archived case: %d %q", code, errOut)
	}
	if _, out, _ := vigil(t, "", "cases", "--config", cfg); strings.Contains(out, "amira") || !strings.Contains(out, "jonas-fiktiv") {
		t.Errorf("cases: %q", out)
	}
	_, out, _ = vigil(t, "", "cases", "--config", cfg, "--archived")
	if !strings.Contains(out, "ARCHIVED") || !strings.Contains(out, "amira-testova") || strings.Contains(out, "jonas") {
		t.Errorf("cases --archived: %q", out)
	}
	if _, out, _ := vigil(t, "", "cases", "--config", cfg, "--archived", "--json"); !strings.Contains(out, `"id":"amira-testova"`) || !strings.Contains(out, `"archived_at":`) {
		t.Errorf("cases --archived --json: %q", out)
	}
	if code, _, errOut := vigil(t, "", "alert", "--config", cfg, "amira-testova", "--message", "Again"); code != 1 || !strings.Contains(errOut, "no case matches") {
		t.Errorf("alert about an archived case: %d %q", code, errOut)
	}
	if _, out, _ := vigil(t, "", "archive", "--config", cfg, "amira-testova"); !strings.Contains(out, "archived already") {
		t.Errorf("archive twice: %q", out)
	}
	if code, _, errOut := vigil(t, "", "archive", "--config", cfg, "nobody-xyz"); code != 1 || !strings.Contains(errOut, `no case has the id "nobody-xyz"`) {
		t.Errorf("archive of an unknown id: %d %q", code, errOut)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	counts, _ := st.PostCounts(ctx)
	st.Close()
	if counts[store.Skipped] != 1 || counts[store.Queued] != 0 {
		t.Errorf("posts after archiving: %v; want the alert skipped", counts)
	}

	if code, out, _ := vigil(t, "", "archive", "--config", cfg, "--undo", "amira-testova"); code != 0 || !strings.Contains(out, "is back in lookups") {
		t.Errorf("archive --undo: %d %q", code, out)
	}
	if code, out, _ := vigil(t, "", "case", "--config", cfg, "testova"); code != 0 || !strings.Contains(out, "Amira Testova") {
		t.Errorf("case after --undo: %d %q", code, out)
	}
	if _, out, _ := vigil(t, "", "archive", "--config", cfg, "--undo", "amira-testova"); !strings.Contains(out, "is not archived") {
		t.Errorf("undo twice: %q", out)
	}

	// The file drops Jonas: the import names him and the command.
	writeFile(t, a, goodCase)
	code, out, errOut = vigil(t, "", "import", "--config", cfg, filepath.Join(dir, "cases"))
	want := "vigil import: warning: " + a + " no longer defines jonas-fiktiv; to retire the case run `vigil archive jonas-fiktiv`"
	if code != 0 || !strings.Contains(errOut, want) {
		t.Errorf("import: %d %q %q; want %q", code, out, errOut, want)
	}
	if _, out, _ := vigil(t, "", "cases", "--config", cfg); !strings.Contains(out, "jonas-fiktiv") {
		t.Errorf("the import archived jonas-fiktiv by itself: %q", out)
	}
}

// TestBackupCommand: vigil backup writes a private, checked copy while
// another process keeps writing; it refuses an existing file unless
// --force, and the database itself always; the copy restores.
func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	writeFile(t, filepath.Join(dir, "cases", "a.yaml"), goodCase)
	if code, _, errOut := vigil(t, "", "import", "--db", db, filepath.Join(dir, "cases")); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := vigil(t, "", "subscribe", "--db", db, "console", "AZ"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := vigil(t, "", "backup", "--db", filepath.Join(dir, "none.db"), filepath.Join(dir, "x.db")); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("backup of a missing database: %d %q", code, errOut)
	}

	// A writer queues alerts the whole time, as serve and editors would.
	ctx, cancel := context.WithCancel(context.Background())
	w, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var wg sync.WaitGroup
	var werr error
	committed := make(chan int, 1000)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ctx.Err() == nil; i++ {
			if _, _, err := w.QueueAlert(ctx, "amira-testova", "Alert.", "editor", time.Now()); err != nil {
				if ctx.Err() == nil {
					werr = err
				}
				return
			}
			select {
			case committed <- i:
			default:
			}
		}
	}()
	var before int
	for before < 10 {
		before = <-committed
	}
	out := filepath.Join(dir, "backup.db")
	code, stdout, stderr := vigil(t, "", "backup", "--db", db, out)
	cancel()
	wg.Wait()
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if code != 0 || !strings.Contains(stdout, "integrity ok") || !strings.Contains(stdout, "1 cases, 1 channels") ||
		!strings.Contains(stdout, "remove the database's -wal and -shm files") {
		t.Fatalf("backup: %d %q %q", code, stdout, stderr)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode: %v %v; want 0600", fi, err)
	}
	data, err := os.ReadFile(out) // the copy taken under load, to restore below
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := vigil(t, "", "backup", "--db", db, out); code != 1 || !strings.Contains(stderr, "exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("backup over an existing file: %d %q", code, stderr)
	}
	if code, _, stderr := vigil(t, "", "backup", "--db", db, "--force", db); code != 2 || !strings.Contains(stderr, "is the database itself") {
		t.Errorf("backup over the database: %d %q", code, stderr)
	}
	if code, stdout, _ := vigil(t, "", "backup", "--db", db, "--force", out); code != 0 || !strings.Contains(stdout, "integrity ok") {
		t.Errorf("backup --force: %d %q", code, stdout)
	}

	// Restore: the copy as the database, no side files.
	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := os.WriteFile(restored, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), restored)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	info, err := store.CheckBackup(context.Background(), restored)
	if err != nil || info.Alerts < before {
		t.Errorf("restored copy: %+v, %v; want at least the %d alerts committed before the backup", info, err, before)
	}
	if c, err := st.Case(context.Background(), "amira-testova"); err != nil || c.Name != "Amira Testova" {
		t.Errorf("restored case: %v %v", c.Name, err)
	}
}
