package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

// released is amiraYAML with another status: importing it from another
// file would record a status change if the case moved.
var released = strings.Replace(amiraYAML, "imprisoned", "released", 1)

const ownedMsg = "cases/b.yaml:2: id: amira-testova already belongs to cases/a.yaml; " +
	"to move it, delete it there and import both files together, or import with --move"

// TestImportIDBelongsToItsFile: an import that would take an id from a
// file not part of it is refused as a whole, naming both files, and
// changes nothing: no case moves, no status change is recorded.
func TestImportIDBelongsToItsFile(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	importOK(t, s, src("cases/a.yaml", amiraYAML))
	before := dump(t, s, importTables...)
	b := src("cases/b.yaml", released+"---\n"+rashadYAML)
	_, err := s.Import(ctx, []cases.SourceFile{b}, t0.Add(time.Hour), ImportOptions{})
	if err == nil || err.Error() != ownedMsg {
		t.Errorf("Import error = %v; want %q", err, ownedMsg)
	}
	if after := dump(t, s, importTables...); after != before {
		t.Errorf("database changed by a refused import:\n%s\nwant:\n%s", after, before)
	}

	// At start-up (SkipBad) the same rule leaves b.yaml out and loads the rest.
	res, err := s.Import(ctx, []cases.SourceFile{b, src("cases/c.yaml", erikaYAML)}, t0.Add(time.Hour), ImportOptions{SkipBad: true})
	if err != nil {
		t.Fatalf("Import with SkipBad: %v", err)
	}
	if res.Rejected == nil || res.Rejected.Error() != ownedMsg {
		t.Errorf("Rejected = %v; want %q", res.Rejected, ownedMsg)
	}
	if len(res.StatusChanges) != 0 {
		t.Errorf("StatusChanges = %+v; want none", res.StatusChanges)
	}
	if got, want := caseIDs(t, s), []string{"amira-testova", "erika-musterfrau"}; !slices.Equal(got, want) {
		t.Errorf("cases = %v; want %v", got, want)
	}
	c, err := s.Case(ctx, "amira-testova")
	if err != nil || c.File != "cases/a.yaml" || c.Status != cases.Imprisoned {
		t.Errorf("Case = %s from %q, %v; want imprisoned from cases/a.yaml", c.Status, c.File, err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM status_changes`); n != 0 {
		t.Errorf("status_changes: %d rows; want 0", n)
	}
}

// TestImportMoveCase: the ways to move a case between files.
func TestImportMoveCase(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, s *Store, wantFile string) {
		t.Helper()
		c, err := s.Case(ctx, "amira-testova")
		if err != nil || c.File != wantFile || c.Status != cases.Released {
			t.Errorf("Case = %s from %q, %v; want released from %s", c.Status, c.File, err, wantFile)
		}
	}
	t.Run("both files in one import", func(t *testing.T) {
		s := newStore(t)
		importOK(t, s, src("cases/a.yaml", amiraYAML+"---\n"+erikaYAML))
		importOK(t, s, src("cases/a.yaml", erikaYAML), src("cases/b.yaml", released))
		check(t, s, "cases/b.yaml")
	})
	t.Run("both files in one import, old one still defines it", func(t *testing.T) {
		s := newStore(t)
		importOK(t, s, src("cases/a.yaml", amiraYAML))
		_, err := s.Import(ctx, []cases.SourceFile{src("cases/a.yaml", amiraYAML), src("cases/b.yaml", released)}, t0, ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), `cases/b.yaml:2: id: "amira-testova" is already defined at cases/a.yaml:2`) {
			t.Errorf("Import error = %v; want the duplicate named", err)
		}
	})
	t.Run("dropped from the old file before", func(t *testing.T) {
		s := newStore(t)
		importOK(t, s, src("cases/a.yaml", amiraYAML+"---\n"+erikaYAML))
		importOK(t, s, src("cases/a.yaml", erikaYAML))
		importOK(t, s, src("cases/b.yaml", released))
		check(t, s, "cases/b.yaml")
	})
	t.Run("with Move", func(t *testing.T) {
		s := newStore(t)
		importOK(t, s, src("cases/a.yaml", amiraYAML))
		res, err := s.Import(ctx, []cases.SourceFile{src("cases/b.yaml", released)}, t0, ImportOptions{Move: true})
		if err != nil || res.Updated != 1 || len(res.StatusChanges) != 1 {
			t.Errorf("Import with Move = %+v, %v; want one update with its status change", res, err)
		}
		check(t, s, "cases/b.yaml")
		// Now b.yaml owns it: a.yaml, still defining it, is the intruder.
		_, err = s.Import(ctx, []cases.SourceFile{src("cases/a.yaml", amiraYAML)}, t0, ImportOptions{})
		if want := "cases/a.yaml:2: id: amira-testova already belongs to cases/b.yaml"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Import error = %v; want it to start %q", err, want)
		}
	})
}

// TestImportAdoptsRelativePaths: a database written when paths were
// stored as given (relative) knows its files again under their absolute
// paths: the same file is not a stranger to its own cases.
func TestImportAdoptsRelativePaths(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "cases"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	importOK(t, s, src("cases/a.yaml", amiraYAML))
	abs := filepath.Join(dir, "cases", "a.yaml")
	res, err := s.Import(ctx, []cases.SourceFile{src(abs, amiraYAML)}, t0.Add(time.Hour), ImportOptions{})
	if err != nil || res.Unchanged != 1 {
		t.Fatalf("Import by absolute path = %+v, %v; want the file unchanged", res, err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM case_files WHERE path = ?`, abs); n != 1 {
		t.Errorf("case_files rows of %s: %d; want 1", abs, n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM case_files`); n != 1 {
		t.Errorf("case_files rows: %d; want 1", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM cases WHERE file = ?`, abs); n != 1 {
		t.Errorf("cases from %s: %d; want 1", abs, n)
	}
}
