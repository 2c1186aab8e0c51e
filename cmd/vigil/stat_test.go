package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadOnlyCommandsSkipUnchangedFiles: `vigil case` re-imports a
// configured file that changed since its last import, even one that kept
// its size (store.TestFilesUnchanged checks that unchanged files are
// recognised without reading them).
func TestReadOnlyCommandsSkipUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cases", "a.yaml")
	writeFile(t, file, goodCase)
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	if code, out, errOut := vigil(t, "", "case", "--config", cfg, "amira-testova"); code != 0 || !strings.Contains(out, "Amira Testova") {
		t.Fatalf("first case: %d %s %s", code, out, errOut)
	}
	// An edit (a new size and time) is imported before the lookup.
	writeFile(t, file, strings.Replace(goodCase, "Amira Testova", "Amira Testowa", 1))
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := vigil(t, "", "case", "--config", cfg, "amira-testova"); code != 0 || !strings.Contains(out, "Amira Testowa") {
		t.Errorf("case after an edit: %d %s %s; want the edited name", code, out, errOut)
	}
	// The same size, a new time: read again (a touched file is hashed, not trusted).
	writeFile(t, file, strings.Replace(goodCase, "Amira Testova", "Amira Testovb", 1))
	later = later.Add(2 * time.Second)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := vigil(t, "", "case", "--config", cfg, "amira-testova"); code != 0 || !strings.Contains(out, "Amira Testovb") {
		t.Errorf("case after a same-size edit: %d %s %s; want the edited name", code, out, errOut)
	}
}
