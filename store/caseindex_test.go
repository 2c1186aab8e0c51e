package store

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/pgtest"
)

// lookups answers a few queries with ix, for comparing indexes.
func lookups(ix *cases.Index) [][]cases.Match {
	var out [][]cases.Match
	for _, q := range []string{"testova", "amira testova", "rashad-beispielov", "musterfrau", "beispeilov", "a", "nobody"} {
		out = append(out, ix.Lookup(q))
	}
	return out
}

// TestCaseIndexFile checks the file beside the database that CaseIndex
// maps instead of reading the saved index out of the database: it is
// written private when the index is saved, answers alone once the saved
// index is gone from the database, and is ignored when the cases changed,
// when it is damaged, and when it belongs to another database (same
// cases version, another save), each time falling back on the database.
func TestCaseIndexFile(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the index file beside a SQLite database (PostgreSQL reads the index from the database)")
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "vigil.db"))
	seedCases(t, s)
	entries, err := s.caseEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := lookups(cases.NewIndex(entries))
	if _, err := s.CaseIndex(ctx); err != nil { // builds and saves
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vigil.db-caseindex")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no index file beside the database: %v", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("index file mode %v; want 0600", fi.Mode().Perm())
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// With the saved index gone from the database, the file answers.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM case_index`); err != nil {
		t.Fatal(err)
	}
	ix, err := s.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := lookups(ix); !reflect.DeepEqual(got, want) {
		t.Errorf("index from the file answers %v; want %v", got, want)
	}
	if n := countRows(t, s, `SELECT count(*) FROM case_index`); n != 0 {
		t.Fatalf("CaseIndex rebuilt the index (%d rows) though the file holds it", n)
	}

	// A damaged file is not used: the index is built and saved again,
	// and the file rewritten.
	bad := append([]byte(nil), saved...)
	bad[len(bad)/2] ^= 0xff
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if ix, err = s.CaseIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got := lookups(ix); !reflect.DeepEqual(got, want) {
		t.Errorf("index after a damaged file answers %v; want %v", got, want)
	}
	if n := countRows(t, s, `SELECT count(*) FROM case_index`); n != 1 {
		t.Errorf("a damaged file was used: the index was not rebuilt")
	}
	rewritten, _ := os.ReadFile(path)
	if reflect.DeepEqual(rewritten, bad) {
		t.Error("the damaged file was not replaced")
	}

	// The file of another save (another database at the same cases
	// version) is ignored: the saved index is read from the database.
	if err := os.WriteFile(path, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE cases SET name = 'Amira Otherova' WHERE id = 'amira-testova'`); err != nil {
		t.Fatal(err)
	}
	entries, _ = s.caseEntries(ctx)
	other := cases.NewIndex(entries)
	v := casesVersion(t, s)
	if err := s.SaveCaseIndex(ctx, v, other); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, saved, 0o600); err != nil { // the first save's file again
		t.Fatal(err)
	}
	if ix, err = s.CaseIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ix.Lookup("otherova"); len(got) != 1 {
		t.Errorf("a file of another save was used: Lookup(otherova) = %v; want the database's index", got)
	}
	if data, _ := os.ReadFile(path); reflect.DeepEqual(data, saved) {
		t.Error("the file of another save was not replaced by the database's index")
	}

	// After an import the file's cases version is old: not used.
	importOK(t, s, src("cases/hans.yaml", caseYAML("hans-platzhalter", "Hans Platzhalter", "DE", "detained")))
	if ix, err = s.CaseIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ix.Lookup("platzhalter"); len(got) != 1 || !strings.Contains(got[0].ID, "hans") {
		t.Errorf("after an import Lookup(platzhalter) = %v; want the new case", got)
	}
}

// TestCaseIndexFileUnwritable checks that an index file that cannot be
// written (here a folder stands in its place) costs nothing but the file:
// the index still loads from the database.
func TestCaseIndexFileUnwritable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "vigil.db"))
	if err := os.Mkdir(filepath.Join(dir, "vigil.db-caseindex"), 0o700); err != nil {
		t.Fatal(err)
	}
	seedCases(t, s)
	for round := range 2 { // built and saved, then loaded
		ix, err := s.CaseIndex(ctx)
		if err != nil {
			t.Fatalf("round %d: CaseIndex: %v", round, err)
		}
		if got := ix.Lookup("testova"); len(got) != 1 {
			t.Errorf("round %d: Lookup(testova) = %v", round, got)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left behind: %v", m)
	}
}
