//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-bot/vigil/internal/pgtest"
)

// TestOpenCreatesPrivateFiles: with a permissive umask, the database and
// its -wal and -shm files are created 0600, as is the serve lock file.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the database is files")
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.db")
	s := openAt(t, path)
	subscribe(t, s, tgChannel("-100123"), "AZ") // a write, so the -wal exists
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	for _, name := range []string{"vigil.db", "vigil.db-wal", "vigil.db-shm", "vigil.db.lock"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %o; want 600", name, got)
		}
	}
}

// TestOpenTakesThePathAsAFileName: '?', '#' and '%' in the name are part
// of it, not a URI's query, fragment or escape.
func TestOpenTakesThePathAsAFileName(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the database is files")
	for _, name := range []string{"we?ird.db", "b#c.db", "100%25.db", "sp ace.db", "file:x.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			s := openAt(t, path)
			subscribe(t, s, tgChannel("-100123"), "AZ")
			s.Close()
			s = openAt(t, path) // and it opens the same file again
			if n := countRows(t, s, `SELECT count(*) FROM channels`); n != 1 {
				t.Errorf("reopened %s: %d channels; want 1", name, n)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), name) {
					names = append(names, e.Name())
				}
			}
			if _, err := os.Stat(path); err != nil || len(names) > 0 {
				t.Errorf("files in the folder: %v besides %s (%v); want only %s and its -wal, -shm", names, name, err, name)
			}
		})
	}
}

// TestOpenNamesTheFolder: a missing or read-only folder is said in those
// words, not as SQLite's "unable to open database file (14)".
func TestOpenNamesTheFolder(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "x", "y")
	_, err := Open(context.Background(), filepath.Join(missing, "v.db"))
	if err == nil || !strings.Contains(err.Error(), "folder "+missing+" does not exist") || strings.Contains(err.Error(), "(14)") {
		t.Errorf("missing folder: %v; want it to say folder %s does not exist", err, missing)
	}

	// A folder this process cannot write in: as root, permissions do not
	// stop it, so use sysfs, where nobody creates files.
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if runtime.GOOS != "linux" {
			t.Skip("root, and no read-only folder to try")
		}
		ro = "/sys/kernel"
	}
	_, err = Open(context.Background(), filepath.Join(ro, "v.db"))
	if err == nil || !strings.Contains(err.Error(), "cannot write in folder "+ro) || strings.Contains(err.Error(), "(14)") {
		t.Errorf("read-only folder: %v; want it to say it cannot write in folder %s", err, ro)
	}
}
