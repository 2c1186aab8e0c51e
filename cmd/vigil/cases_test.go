package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/internal/pgtest"
	"github.com/vigil-bot/vigil/store"
)

// statusChanges counts the status changes recorded in the database at db.
func statusChanges(t *testing.T, db string) int {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scs, err := st.StatusChangesAfter(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(scs)
}

// TestImportIDBelongsToItsFile: `vigil import a.yaml` then `vigil import
// b.yaml` with the same id is refused naming both files; nothing is
// imported and no status change is queued. A relative and an absolute
// spelling of a.yaml are one file. --move moves the case; at start-up
// the intruding file is left out and the rest loads.
func TestImportIDBelongsToItsFile(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
		writeFile(t, a, goodCase)
		writeFile(t, b, strings.Replace(goodCase, "imprisoned", "released", 1)+
			"---\nid: jonas-fiktiv\nname: Jonas Fiktiv\ncountry: BY\nstatus: detained\nstatus_as_of: 2026-10\n")
		if code, stdout, stderr := vigil(t, dir, "import", "--db", db, "a.yaml"); code != 0 || !strings.Contains(stdout, "1 added") {
			t.Fatalf("import a.yaml: exit %d, %q %q", code, stdout, stderr)
		}
		// The same file by its absolute path is no other file.
		if code, stdout, stderr := vigil(t, "", "import", "--db", db, a); code != 0 || !strings.Contains(stdout, "1 unchanged") {
			t.Errorf("import of a.yaml by its absolute path: exit %d, %q %q; want 1 unchanged", code, stdout, stderr)
		}

		code, stdout, stderr := vigil(t, dir, "import", "--db", db, "b.yaml")
		// Messages show the files as typed, relative to the working folder.
		want := "b.yaml:1: id: amira-testova already belongs to a.yaml" +
			"; to move it, delete it there and import both files together, or import with --move\n" +
			"vigil import: nothing was imported\n"
		if code != 1 || stderr != want || stdout != "" {
			t.Errorf("import b.yaml: exit %d, stdout %q, stderr %q; want exit 1 and stderr %q", code, stdout, stderr, want)
		}
		code, stdout, _ = vigil(t, "", "cases", "--db", db, "--json")
		if code != 0 || !strings.Contains(stdout, `"status":"imprisoned"`) || !strings.Contains(stdout, `"file":"`+a+`"`) || strings.Contains(stdout, "jonas") {
			t.Errorf("after the refused import the cases are %q; want Amira still imprisoned from a.yaml and no Jonas", stdout)
		}
		if n := statusChanges(t, db); n != 0 {
			t.Errorf("status changes queued: %d; want 0", n)
		}

		// At start-up (serve, and every CLI command that loads the configured
		// cases) the same rule leaves b.yaml out and loads the rest.
		cfg := filepath.Join(dir, "vigil.yaml")
		writeFile(t, cfg, "database: "+db+"\ncases: [b.yaml, c.yaml]\n")
		writeFile(t, filepath.Join(dir, "c.yaml"), "id: erika-musterfrau\nname: Erika Musterfrau\ncountry: DE\nstatus: exiled\nstatus_as_of: 2026-10\n")
		code, stdout, stderr = vigil(t, "", "cases", "--config", cfg)
		if code != 0 || !strings.Contains(stderr, b+":1: id: amira-testova already belongs to "+a) ||
			!strings.Contains(stdout, "erika-musterfrau") || strings.Contains(stdout, "jonas") {
			t.Errorf("cases with b.yaml configured: exit %d\n%s\n%s", code, stdout, stderr)
		}
		if n := statusChanges(t, db); n != 0 {
			t.Errorf("status changes queued: %d; want 0", n)
		}

		// --move is the explicit act.
		code, stdout, stderr = vigil(t, dir, "import", "--move", "--db", db, "b.yaml")
		if code != 0 || !strings.Contains(stdout, "status of amira-testova: imprisoned → released") {
			t.Errorf("import --move b.yaml: exit %d, %q %q", code, stdout, stderr)
		}
		if n := statusChanges(t, db); n != 1 {
			t.Errorf("status changes queued after the move: %d; want 1", n)
		}
	})
}

// TestImportFutureDates: dates that have not happened yet are refused
// with file:line and field; the year error names the allowed range.
func TestImportFutureDates(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	f := filepath.Join(dir, "a.yaml")
	now := time.Now()
	today := fmt.Sprintf("%04d-%02d-%02d", now.Year(), now.Month(), now.Day())
	writeFile(t, f, strings.Replace(goodCase, "status_as_of: 2026-10", "status_as_of: 2099-12", 1)+
		"born: 2199-12-03\narrested: 10000\n")
	code, stdout, stderr := vigil(t, "", "import", "--db", db, f)
	want := f + ":5: status_as_of: 2099-12 is in the future (today is " + today + ")\n" +
		f + ":7: born: 2199-12-03 is in the future (today is " + today + ")\n" +
		f + fmt.Sprintf(":8: arrested: year 10000 out of range (1800–%d)\n", now.AddDate(0, 0, 1).Year()) +
		"vigil import: nothing was imported\n"
	if code != 1 || stderr != want || stdout != "" {
		t.Errorf("import: exit %d, stdout %q, stderr\n%s\nwant exit 1 and stderr\n%s", code, stdout, stderr, want)
	}
	if _, err := os.Stat(db); err == nil {
		if code, stdout, _ := vigil(t, "", "cases", "--db", db, "--json"); code != 0 || strings.Contains(stdout, "amira") {
			t.Errorf("after the refused import the cases are %q; want no Amira", stdout)
		}
	}
}

// TestInvisibleCharacters: a case file with a direction override in a
// name is refused with file:line and field, and queries ignore invisible
// characters: `vigil case r<U+200B>ustamov` finds Rustamov.
func TestInvisibleCharacters(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	f := filepath.Join(dir, "a.yaml")
	writeFile(t, f, strings.Replace(goodCase, "Amira Testova", "Amira \u202eavotseT", 1))
	code, _, stderr := vigil(t, "", "import", "--db", db, f)
	if want := f + ":2: name: contains an invisible direction override U+202E\nvigil import: nothing was imported\n"; code != 1 || stderr != want {
		t.Errorf("import: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	for _, q := range []string{"r\u200bustamov", "\u202erustamov", "Saleh\u2066 Rusta\u00admov\u2069", "\ufeffrustamov\u200d"} {
		code, stdout, stderr := vigil(t, dir, "case", "--db", db, q)
		if code != 0 || !strings.Contains(stdout, "Saleh Rustamov — Azerbaijan") {
			t.Errorf("case %q: exit %d\n%s\n%s", q, code, stdout, stderr)
		}
	}
}
