package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigEmptyCases: "cases: []" loads no case files, not the bundled
// ones; without the key the bundled cases load.
func TestConfigEmptyCases(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "database: none.db\ncases: []\n")
	code, stdout, stderr := vigil(t, "", "cases", "--config", cfg, "--json")
	if code != 0 || stdout != "" {
		t.Errorf("cases: []: exit %d, %q %q; want no cases", code, stdout, stderr)
	}
	writeFile(t, cfg, "database: bundled.db\n")
	code, stdout, stderr = vigil(t, "", "cases", "--config", cfg, "--json")
	if code != 0 || !strings.Contains(stdout, "rustamov") {
		t.Errorf("no cases key: exit %d, %q %q; want the bundled cases", code, stdout, stderr)
	}
}

// TestDatabasePath: --db is a file name ('?' and '#' included), and a
// missing folder is named as such.
func TestDatabasePath(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"we?ird.db", "b#c.db"} {
		if code, _, stderr := vigil(t, dir, "subscribe", "--db", name, "console", "AZ"); code != 0 {
			t.Fatalf("subscribe --db %s: exit %d %s", name, code, stderr)
		}
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("--db %s: %v", name, err)
		} else if info.Mode().Perm() != 0o600 {
			t.Errorf("--db %s: mode %o; want 600", name, info.Mode().Perm())
		}
	}
	for _, stray := range []string{"we", "b"} {
		if _, err := os.Stat(filepath.Join(dir, stray)); err == nil {
			t.Errorf("a file %q was created", stray)
		}
	}
	missing := filepath.Join(dir, "x", "y")
	code, _, stderr := vigil(t, "", "cases", "--db", filepath.Join(missing, "v.db"))
	if code != 1 || !strings.Contains(stderr, "folder "+missing+" does not exist") {
		t.Errorf("missing folder: exit %d, %q", code, stderr)
	}
}
