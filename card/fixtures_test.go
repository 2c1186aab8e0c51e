package card

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

// today is the fixed day the fixtures are drawn on.
var today = cases.MustParseDate("2026-12-01")

// fixtures reads testdata/cases.yaml (fictional people) by id.
func fixtures(t testing.TB) map[string]*cases.Case {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", "cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cases.Parse(path, data, cases.ParseOptions{Now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*cases.Case{}
	for i := range cs {
		out[cs[i].ID] = &cs[i]
	}
	return out
}
