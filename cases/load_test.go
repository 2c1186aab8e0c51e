package cases

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadFilesAbsolute: a file's path is its identity, so every spelling
// of one file (relative, absolute, with dots, through its folder) gives
// the same absolute path, and the file is read once.
func TestReadFilesAbsolute(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "cases"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cases", "a.yaml"), []byte("id: a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	abs := filepath.Join(dir, "cases", "a.yaml")
	files, err := ReadFiles([]string{"cases/a.yaml", abs, "./cases/../cases/a.yaml", "cases"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != abs {
		var got []string
		for _, f := range files {
			got = append(got, f.Path)
		}
		t.Errorf("ReadFiles paths = %q; want just %q", got, abs)
	}
}
