package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/benchutil"
)

// bigFile is one file of n fictional cases, the i-th with status st(i).
func bigFile(path string, people []benchutil.Person, st func(i int) string) cases.SourceFile {
	var b strings.Builder
	for i, p := range people {
		fmt.Fprintf(&b, "- id: %s\n  name: %q\n  country: AZ\n  status: %s\n  status_as_of: 2026-09\n", p.ID, p.Name, st(i))
		for _, a := range p.Aliases {
			fmt.Fprintf(&b, "  aliases: [%q]\n", a)
			break
		}
	}
	return src(path, b.String())
}

// TestImportEditOneCaseInLargeFile checks that re-importing a large file
// in which one case changed writes that case alone (the others keep their
// updated_at) and records its status change.
func TestImportEditOneCaseInLargeFile(t *testing.T) {
	s := newStore(t)
	people := benchutil.People(3000, 4)
	importOK(t, s, bigFile("cases/all.yaml", people, func(int) string { return "imprisoned" }))
	ctx := context.Background()
	edited := bigFile("cases/all.yaml", people, func(i int) string {
		if i == 1500 {
			return "released"
		}
		return "imprisoned"
	})
	res, err := s.Import(ctx, []cases.SourceFile{edited}, t0.Add(time.Hour), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.Same != 2999 || res.Added != 0 || len(res.StatusChanges) != 1 || res.StatusChanges[0].CaseID != people[1500].ID {
		t.Fatalf("re-import = %+v; want 1 updated (%s, with its status change), 2999 the same", res, people[1500].ID)
	}
	if n := countRows(t, s, `SELECT count(*) FROM cases WHERE updated_at != ?`, ms(t0)); n != 1 {
		t.Errorf("%d cases rewritten; want 1", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM status_changes WHERE case_id = ? AND new_status = 'released'`, people[1500].ID); n != 1 {
		t.Errorf("status_changes rows for the edited case: %d; want 1", n)
	}
}

// TestImportAllUnchangedReadsNoCases checks that an import of unchanged
// files returns before reading any case: with the cases table unreadable
// it still succeeds, as every CLI command's sync does.
func TestImportAllUnchangedReadsNoCases(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	files := []cases.SourceFile{src("cases/amira.yaml", amiraYAML), src("cases/rashad.yaml", rashadYAML), src("cases/erika.yaml", erikaYAML)}
	if _, err := s.db.Exec(`ALTER TABLE cases RENAME TO cases_away`); err != nil {
		t.Fatal(err)
	}
	res, err := s.Import(context.Background(), files, t0.Add(time.Hour), ImportOptions{})
	if err != nil || res.Unchanged != 3 {
		t.Errorf("unchanged import = %+v, %v; want 3 unchanged without reading the cases", res, err)
	}
}

// TestCaseIndexMatchesInMemory checks that the saved lookup index answers
// every query exactly as an index built from all stored cases does, that
// a second call loads the saved one, and that an import makes it stale.
func TestCaseIndexMatchesInMemory(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	people := benchutil.People(5000, 8)
	importOK(t, s, bigFile("cases/all.yaml", people, func(int) string { return "detained" }))
	memory := func() *cases.Index {
		list, err := s.Cases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		es := make([]cases.Entry, len(list))
		for i := range list {
			es[i] = list[i].Entry()
		}
		return cases.NewIndex(es)
	}
	built, err := s.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM case_index WHERE version = ?`, casesVersion(t, s)); n != 1 {
		t.Fatalf("saved indexes of the current version: %d; want 1", n)
	}
	loaded, err := s.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := memory()
	var queries []string
	for i, p := range people[:300] {
		w := strings.Fields(strings.ToLower(p.Name))
		queries = append(queries, p.Name, p.ID, w[len(w)-1], w[0][:1+i%len(w[0])], benchutil.Cyrillic(strings.ToLower(p.Name)))
		if last := w[len(w)-1]; len(last) > 3 {
			queries = append(queries, last[:2]+last[3:]+"a")
		}
	}
	for _, q := range queries {
		for name, ix := range map[string]*cases.Index{"built": built, "loaded": loaded} {
			if a, b := want.Lookup(q), ix.Lookup(q); !reflect.DeepEqual(a, b) {
				t.Errorf("%s Lookup(%q) = %v; in memory %v", name, q, b, a)
			}
			if a, b := want.Complete(q, 25), ix.Complete(q, 25); !reflect.DeepEqual(a, b) {
				t.Errorf("%s Complete(%q) = %v; in memory %v", name, q, b, a)
			}
		}
	}
	importOK(t, s, src("cases/hans.yaml", caseYAML("hans-platzhalter", "Hans Platzhalter", "DE", "detained")))
	ix, err := s.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m := ix.Lookup("hans platzhalter"); len(m) != 1 || m[0].ID != "hans-platzhalter" {
		t.Errorf("after an import, Lookup(hans platzhalter) = %v; want the new case (a stale index was used)", m)
	}
	// Names per language are matched by the saved index as in memory.
	importOK(t, s, src("cases/lale.yaml", caseYAML("lale-beispiel", "Lale Beispiel", "AZ", "detained")+
		"names: {ru: Лале Пример, fa: لاله نمونه}\n"))
	ix, err = s.CaseIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Лале Пример", "لاله نمونه", "lale beispiel"} {
		if m := ix.Lookup(q); len(m) != 1 || m[0].ID != "lale-beispiel" {
			t.Errorf("saved index Lookup(%q) = %v; want lale-beispiel", q, m)
		}
	}
}

// TestFilesUnchanged: after an import, the files' sizes and times say
// they are unchanged; a touched file is not, until an import that finds
// its content the same records its new time; a file marked for
// re-reading is not either.
func TestFilesUnchanged(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	for p, y := range map[string]string{a: amiraYAML, b: rashadYAML} {
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unchanged := func() bool {
		t.Helper()
		stats, err := cases.StatFiles([]string{dir})
		if err != nil {
			t.Fatal(err)
		}
		ok, err := s.FilesUnchanged(ctx, stats)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if unchanged() {
		t.Fatal("files never imported count as unchanged")
	}
	read := func() []cases.SourceFile {
		t.Helper()
		files, err := cases.ReadFiles([]string{dir})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	importOK(t, s, read()...)
	if !unchanged() {
		t.Fatal("just imported files do not count as unchanged")
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(a, later, later); err != nil {
		t.Fatal(err)
	}
	if unchanged() {
		t.Error("a touched file counts as unchanged")
	}
	importOK(t, s, read()...) // the same content: its new time is recorded
	if !unchanged() {
		t.Error("after re-importing the same content, the files do not count as unchanged")
	}
	if _, err := s.db.Exec(`UPDATE case_files SET hash = '', size = -1 WHERE path = ?`, b); err != nil {
		t.Fatal(err)
	}
	if unchanged() {
		t.Error("a file marked for re-reading counts as unchanged")
	}
}
