package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/store"
)

const letterCasesYAML = `- {id: nino-pisma, name: Nino Pisma, country: GE, status: imprisoned, status_as_of: 2026-10,
   letters: {address: "Prison 8, Gldani"}}
- {id: levan-pisma, name: Levan Pisma, country: GE, status: released, status_as_of: 2026-10,
   letters: {address: "Home"}}
- {id: no-letters, name: No Letters, country: GE, status: imprisoned, status_as_of: 2026-10}
`

// TestLettersCLI: `vigil letters` lists the cases with a letters address
// and their 30-day counts, the fewest first; --json the same as JSON
// lines; `vigil case` shows the count; a bad letters field is refused
// naming file:line.
func TestLettersCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	writeFile(t, filepath.Join(dir, "l.yaml"), letterCasesYAML)
	if code, stdout, stderr := vigil(t, dir, "import", "--db", db, "l.yaml"); code != 0 {
		t.Fatalf("import: exit %d, %q %q", code, stdout, stderr)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.AddLetter(context.Background(), "levan-pisma", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddLetter(context.Background(), "nino-pisma", time.Now().AddDate(0, 0, -40)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, stdout, stderr := vigil(t, "", "letters", "--db", db)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("vigil letters: exit %d, %q %q; want a header and two cases", code, stdout, stderr)
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "CASE NAME COUNTRY STATUS LETTERS (30 DAYS) WRITE" {
		t.Errorf("header %q", lines[0])
	}
	if f := strings.Fields(lines[1]); f[0] != "nino-pisma" || f[5] != "0" || f[6] != "yes" {
		t.Errorf("first row %q; want nino-pisma with 0 letters (the old one is out of the window), writable", lines[1])
	}
	if f := strings.Fields(lines[2]); f[0] != "levan-pisma" || f[5] != "2" || f[6] != "no" {
		t.Errorf("second row %q; want levan-pisma with 2 letters, not writable (released)", lines[2])
	}

	code, stdout, _ = vigil(t, "", "letters", "--db", db, "--json")
	var got []letterJSON
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r letterJSON
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("--json line %q: %v", l, err)
		}
		got = append(got, r)
	}
	want := []letterJSON{{Case: "nino-pisma", Name: "Nino Pisma", Country: "GE", Status: "imprisoned", Letters: 0, Writable: true},
		{Case: "levan-pisma", Name: "Levan Pisma", Country: "GE", Status: "released", Letters: 2}}
	if code != 0 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("vigil letters --json: exit %d, %+v; want %+v", code, got, want)
	}
	if !strings.Contains(stdout, `"letters":0`) {
		t.Errorf("--json %q; want a zero count written out", stdout)
	}

	if code, stdout, _ := vigil(t, "", "case", "--db", db, "levan-pisma"); code != 0 || !strings.Contains(stdout, "Letters: 2 letters in the last 30 days") {
		t.Errorf("vigil case: exit %d, %q; want the letters count", code, stdout)
	}

	writeFile(t, filepath.Join(dir, "bad.yaml"), "id: x-y\nname: X\ncountry: GE\nstatus: imprisoned\nstatus_as_of: 2026-10\nletters:\n  languages:\n    - ru\n    - georgian\n")
	code, _, stderr = vigil(t, dir, "import", "--db", db, "bad.yaml")
	if code != 1 || !strings.Contains(stderr, "bad.yaml:9: letters.languages[1]: \"georgian\" is not a language code") ||
		!strings.Contains(stderr, "bad.yaml:7: letters.address: required") {
		t.Errorf("import of bad letters: exit %d, %q; want file:line errors for the language and the missing address", code, stderr)
	}
}
