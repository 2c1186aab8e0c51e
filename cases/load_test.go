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

// TestDisplayPath: messages show a file below the working folder as the
// relative path people type, whatever its stored absolute identity.
func TestDisplayPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, want string }{
		{filepath.Join(wd, "cases", "x.yaml"), filepath.Join("cases", "x.yaml")},
		{"data/cases/saleh-rustamov.yaml", "data/cases/saleh-rustamov.yaml"},
		{filepath.Join(filepath.Dir(wd), "elsewhere.yaml"), filepath.Join(filepath.Dir(wd), "elsewhere.yaml")},
	} {
		if got := DisplayPath(tt.in); got != tt.want {
			t.Errorf("DisplayPath(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	e := &FieldError{File: filepath.Join(wd, "cases", "x.yaml"), Line: 7, Field: "arrested", Msg: "month 13 out of range"}
	if got, want := e.Error(), filepath.Join("cases", "x.yaml")+":7: arrested: month 13 out of range"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
