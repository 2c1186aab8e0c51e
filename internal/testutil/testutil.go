// Package testutil holds what vigil's tests share: golden files, a
// buffer safe for concurrent writers, the bundled cases, and waiting for
// an outbox to empty. Only tests
// import it.
package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/data"
)

// Golden compares got with testdata/name, rewriting the file first when
// update is set (each package's -update flag).
func Golden(t testing.TB, name, got string, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the package's tests with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers and a polling
// reader, for logs and outputs captured in tests.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// BundledCase returns the bundled case with the given id, failing the
// test if there is none.
func BundledCase(t testing.TB, id string) *cases.Case {
	t.Helper()
	files, err := data.Cases()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		cs, err := cases.Parse(f.Path, f.Data, cases.ParseOptions{Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for i := range cs {
			if cs[i].ID == id {
				return &cs[i]
			}
		}
	}
	t.Fatalf("bundled data lacks %s", id)
	return nil
}
