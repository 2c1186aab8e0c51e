package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// richCases have every field of the case format, partial dates at each
// precision, and texts that need quoting or escaping in YAML or CSV.
const richCases = `- id: amira-testova
  name: Amira Testova
  names: {ru: Амира Тестова, fa: "آمیرا تستوا"}
  aliases: [Амира Тестова, "A. Testova; Amira T.", 'back\slash']
  country: AZ
  status: imprisoned
  status_as_of: 2026-09
  affiliation: "Fictional Bloggers' Union, \"FBU\""
  arrested: 2024-03-15
  sentenced: 2025-01
  sentence: 5 years
  charges: [hooliganism, "a, b"]
  born: 1990
  hunger_strikes:
    - started: 2026-10-01
    - started: 2025-06
      days: 12
    - started: 2025-08-01
      ended: 2025-08-20
  summary:
    en: "An invented blogger.\nSecond line; with a semicolon."
    de: "Eine erfundene Bloggerin."
    fa: "متن با نیم‌فاصله"
  photo: {url: "https://example.org/amira.jpg", credit: "© Example"}
  sources:
    - {title: "Invented report", publisher: "Example Watch", date: 2026-09, url: "https://example.org/report"}
    - {title: "yes"}
  actions:
    - {kind: petition, label: "Sign", url: "https://example.org/sign", until: 2027-12-31}
    - {kind: share, label: "Share", url: "https://example.org/share"}
  hashtags: ["#FreeAmira", "#FBU"]
  reminders:
    - {cron: "0 10 * * 1", text: "Write to Amira"}
    - {cron: "@monthly", text: "Monthly"}
  letters:
    address: "Prison No. 12, \"Block 3\"; Baku AZ1000, Azerbaijan"
    languages: [az, ru]
    rules: {en: "No politics, no news; write about daily life.", ru: "Без политики и новостей; пишите о повседневном."}
    sample: {en: "Dear Amira, we think of you.", ru: "Дорогая Амира, мы думаем о вас."}
- {id: erika-musterfrau, name: Erika Musterfrau, country: DE, status: released, status_as_of: 2026}
`

// storedCases returns the cases of the database at db, without where
// they were read from.
func storedCases(t *testing.T, db string) []cases.Case {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, err := st.Cases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		cs[i].File, cs[i].Line = "", 0
	}
	return cs
}

// readTree returns the files below path (or path itself) by name.
func readTree(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(path, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExportImportRoundTrip: export → import into a new database → export
// again gives the same bytes, and the same cases, in both formats; and
// the CSV export imports as the YAML one does.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigil.yaml")
	writeFile(t, cfg, "cases: []\n")
	writeFile(t, filepath.Join(dir, "src", "rich.yaml"), richCases)
	dbA := filepath.Join(dir, "a.db")
	if code, stdout, stderr := vigil(t, dir, "import", "--config", cfg, "--db", dbA, "src"); code != 0 || !strings.Contains(stdout, "2 added") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	want := storedCases(t, dbA)
	if len(want) != 2 || len(want[0].Names) != 2 || want[0].HungerStrikes[1].Days != 12 || want[1].StatusAsOf.String() != "2026" ||
		want[0].Letters == nil || len(want[0].Letters.Languages) != 2 || want[0].Letters.Rules["ru"] == "" || want[0].Letters.Sample["ru"] == "" {
		t.Fatalf("imported cases %+v", want)
	}
	for _, format := range []string{"yaml", "csv"} {
		t.Run(format, func(t *testing.T) {
			out1, out2 := filepath.Join(dir, format+"1"), filepath.Join(dir, format+"2")
			if format == "csv" {
				out1, out2 = out1+".csv", out2+".csv"
			}
			code, stdout, stderr := vigil(t, dir, "export", "--config", cfg, "--db", dbA, "--format", format, out1)
			if code != 0 || stdout != "exported 2 cases to "+out1+"\n" || stderr != "" {
				t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
			}
			dbB := filepath.Join(dir, format+".db")
			code, stdout, stderr = vigil(t, dir, "import", "--config", cfg, "--db", dbB, out1)
			if code != 0 || !strings.Contains(stdout, "2 added") {
				t.Fatalf("import of the export: exit %d\n%s%s", code, stdout, stderr)
			}
			if got := storedCases(t, dbB); !reflect.DeepEqual(got, want) {
				t.Errorf("cases after export and import:\n%+v\nwant\n%+v", got, want)
			}
			// No --format: the name says it.
			if code, stdout, stderr := vigil(t, dir, "export", "--config", cfg, "--db", dbB, out2); code != 0 {
				t.Fatalf("second export: exit %d\n%s%s", code, stdout, stderr)
			}
			first, second := readTree(t, out1), readTree(t, out2)
			if !reflect.DeepEqual(first, second) {
				t.Errorf("the second export differs from the first:\n%v\n%v", first, second)
			}
			if format == "yaml" && len(first) != 2 || first["erika-musterfrau.yaml"] == "" && format == "yaml" {
				t.Errorf("yaml export wrote %d files; want amira-testova.yaml and erika-musterfrau.yaml", len(first))
			}
			if format == "csv" && (len(first) != 1 || strings.Count(first["."], "\n") != 4) {
				t.Errorf("csv export: %q; want a header and two rows, one with a summary over two lines", first)
			}
			if format == "csv" && !strings.Contains(first["."], ",letters.address,letters.languages,letters.rules.en,letters.rules.ru,letters.sample.en,letters.sample.ru\n") {
				t.Errorf("csv export: %q; want the letters columns in its header", first)
			}
			if format == "yaml" && !strings.Contains(first["amira-testova.yaml"], "letters:\n  address: ") {
				t.Errorf("yaml export of amira-testova without letters:\n%s", first["amira-testova.yaml"])
			}
			// Into the same database: the cases belong to src/rich.yaml,
			// so the export is refused, naming the way to move them.
			code, stdout, stderr = vigil(t, dir, "import", "--config", cfg, "--db", dbA, out1)
			if code != 1 || !strings.Contains(stderr, "amira-testova already belongs to "+filepath.Join("src", "rich.yaml")) ||
				!strings.Contains(stderr, "--move") {
				t.Errorf("import of the export into its own database: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
	// With --move the export takes the cases over and nothing else
	// changes: no status change, and the next export is the same.
	out := filepath.Join(dir, "moved.csv")
	vigil(t, dir, "export", "--config", cfg, "--db", dbA, out)
	code, stdout, stderr := vigil(t, dir, "import", "--move", "--config", cfg, "--db", dbA, out)
	if code != 0 || strings.Contains(stdout, "status of") || statusChanges(t, dbA) != 0 {
		t.Errorf("import --move of the export: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := storedCases(t, dbA); !reflect.DeepEqual(got, want) {
		t.Errorf("cases after import --move of the export:\n%+v\nwant\n%+v", got, want)
	}
	code, stdout, _ = vigil(t, dir, "export", "--config", cfg, "--db", dbA, "-")
	before, _ := os.ReadFile(out)
	if code != 0 || stdout != string(before) {
		t.Errorf("export to - after the move: exit %d\n%s\nwant\n%s", code, stdout, before)
	}
}

// TestImportCSV: `vigil import FILE.csv` names file:line: field for a bad
// row and imports nothing of the file; a .csv file in a configured
// folder is loaded like a YAML one.
func TestImportCSV(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	csvPath := filepath.Join(dir, "cases", "list.csv")
	const head = "\uFEFFid;name;country;status;status_as_of;arrested;charges\r\n"
	good := "amira-testova;Amira Testova;AZ;imprisoned;2026-09;2024-03-15;\"hooliganism; treason\"\r\n"
	writeFile(t, csvPath, head+good+"jonas-fiktiv;Jonas Fiktiv;BY;detained;2026-10;15.03.2024;\r\n")
	code, stdout, stderr := vigil(t, dir, "import", "--db", db, "cases/list.csv")
	want := filepath.Join("cases", "list.csv") + `:3: arrested: "15.03.2024" is not a date: want YYYY, YYYY-MM or YYYY-MM-DD (a spreadsheet's date? write 2024-03-15, and format the column as text)` +
		"\nvigil import: nothing was imported\n"
	if code != 1 || stderr != want || stdout != "" {
		t.Errorf("import of a bad CSV: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
	}
	if cs := storedCases(t, db); len(cs) != 0 {
		t.Errorf("a bad CSV imported %d cases; want none", len(cs))
	}
	writeFile(t, csvPath, head+good+"jonas-fiktiv;Jonas Fiktiv;BY;detained;2026-10;2024-03-15;\r\n")
	writeFile(t, filepath.Join(dir, "cases", "erika.yaml"), "id: erika-musterfrau\nname: Erika Musterfrau\ncountry: DE\nstatus: exiled\nstatus_as_of: 2026-10\n")
	writeFile(t, filepath.Join(dir, "vigil.yaml"), "database: v.db\ncases: [cases]\n")
	code, stdout, stderr = vigil(t, dir, "cases", "--config", "vigil.yaml", "--json")
	if code != 0 || stderr != "" || strings.Count(stdout, "\n") != 3 || !strings.Contains(stdout, `"charges":["hooliganism","treason"]`) ||
		!strings.Contains(stdout, `"file":"`+csvPath+`","line":3`) {
		t.Errorf("cases with a CSV in the configured folder: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestCSVTemplate: data/cases.template.csv is the export of the bundled
// case, and imports.
func TestCSVTemplate(t *testing.T) {
	template, err := os.ReadFile(filepath.Join("..", "..", "data", "cases.template.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, stdout, stderr := vigil(t, dir, "export", "--db", "v.db", "--format", "csv", "-")
	if code != 0 || !bytes.Equal([]byte(stdout), template) {
		t.Errorf("export of the bundled case (exit %d, %s):\n%s\nwant data/cases.template.csv:\n%s", code, stderr, stdout, template)
	}
	writeFile(t, filepath.Join(dir, "t.csv"), string(template))
	code, stdout, stderr = vigil(t, dir, "import", "--db", "w.db", "t.csv")
	if code != 0 || !strings.Contains(stdout, "1 added") {
		t.Errorf("import of the template: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestExportUsage: wrong usage exits 2 with one line; -h shows the usage.
func TestExportUsage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file.yaml"), "x")
	tests := []struct {
		args     []string
		code     int
		inStderr string
		inStdout string
	}{
		{[]string{"export"}, 2, "vigil export: missing PATH (see vigil export -h)", ""},
		{[]string{"export", "a", "b"}, 2, `vigil export: unexpected argument "b"`, ""},
		{[]string{"export", "--format", "xml", "out"}, 2, `vigil export: --format "xml": want yaml or csv`, ""},
		{[]string{"export", "--format", "yaml", "-"}, 2, "give a folder, not -", ""},
		{[]string{"export", "-h"}, 0, "", "Usage: vigil export [flags] PATH"},
		{[]string{"-h"}, 0, "", "  export"},
		{[]string{"export", "--db", "v.db", "file.yaml"}, 1, "export: file.yaml is a file: yaml is one file per case, give a folder (or --format csv)", ""},
		{[]string{"export", "--db", "v.db", "--format", "csv", "."}, 1, "export: . is a folder: csv is one file, give its name", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := vigil(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) || !strings.Contains(stdout, tt.inStdout) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q and %q", code, stdout, stderr, tt.code, tt.inStdout, tt.inStderr)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("usage error is not one line: %q", stderr)
			}
		})
	}
}
