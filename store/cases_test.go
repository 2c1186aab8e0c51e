package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

func casesVersion(t *testing.T, s *Store) int64 {
	t.Helper()
	v, err := s.CasesVersion(context.Background())
	if err != nil {
		t.Fatalf("CasesVersion: %v", err)
	}
	return v
}

func caseIDs(t *testing.T, s *Store, countries ...string) []string {
	t.Helper()
	cs, err := s.Cases(context.Background(), countries...)
	if err != nil {
		t.Fatalf("Cases(%v): %v", countries, err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// importTables are the tables an import writes.
var importTables = []string{"cases", "case_files", "status_changes", "meta"}

func TestImportAddsCases(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if v := casesVersion(t, s); v != 0 {
		t.Errorf("CasesVersion of an empty store = %d; want 0", v)
	}
	// One file with two documents, one with a list, one single case.
	two := rashadYAML + "---\n" + caseYAML("leyla-fiktiva", "Leyla Fiktiva", "AZ", "released")
	list := "- " + strings.ReplaceAll(strings.TrimSpace(caseYAML("hans-platzhalter", "Hans Platzhalter", "DE", "detained")), "\n", "\n  ") + "\n"
	res, err := s.Import(ctx, []cases.SourceFile{
		src("cases/amira.yaml", amiraYAML),
		src("cases/az.yaml", two),
		src("cases/de.yaml", list),
	}, t0, ImportOptions{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	want := ImportResult{Files: 3, Added: 4}
	if res.Files != want.Files || res.Added != want.Added || res.Updated != 0 || res.Same != 0 || res.Unchanged != 0 || len(res.StatusChanges) != 0 || res.Rejected != nil {
		t.Errorf("Import = %+v; want %+v", res, want)
	}
	if v := casesVersion(t, s); v != 1 {
		t.Errorf("CasesVersion = %d; want 1", v)
	}
	if got, want := caseIDs(t, s), []string{"amira-testova", "hans-platzhalter", "leyla-fiktiva", "rashad-beispielov"}; !slices.Equal(got, want) {
		t.Errorf("Cases() ids = %v; want %v (ordered by name)", got, want)
	}
	c, err := s.Case(ctx, "leyla-fiktiva")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Leyla Fiktiva" || c.Country != "AZ" || c.Status != cases.Released || c.File != "cases/az.yaml" || c.Line == 0 {
		t.Errorf("Case(leyla-fiktiva) = %+v; want Leyla Fiktiva, AZ, released, from cases/az.yaml with a line", c)
	}
	// The indexed columns agree with the JSON record.
	var name, country, status, asOf, file string
	if err := s.db.QueryRow(`SELECT name, country, status, status_as_of, file FROM cases WHERE id = 'leyla-fiktiva'`).Scan(&name, &country, &status, &asOf, &file); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join([]string{name, country, status, asOf, file}, "|"), "Leyla Fiktiva|AZ|released|2026-09|cases/az.yaml"; got != want {
		t.Errorf("cases columns = %s; want %s", got, want)
	}
}

func TestCasesFilter(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	tests := []struct {
		countries []string
		want      []string
	}{
		{nil, []string{"amira-testova", "erika-musterfrau", "rashad-beispielov"}},
		{[]string{"AZ"}, []string{"amira-testova", "rashad-beispielov"}},
		{[]string{"DE"}, []string{"erika-musterfrau"}},
		{[]string{"DE", "AZ"}, []string{"amira-testova", "erika-musterfrau", "rashad-beispielov"}},
		{[]string{"FR"}, nil},
	}
	for _, tt := range tests {
		if got := caseIDs(t, s, tt.countries...); !slices.Equal(got, tt.want) {
			t.Errorf("Cases(%v) = %v; want %v", tt.countries, got, tt.want)
		}
	}
}

func TestImportDatePrecision(t *testing.T) {
	s := newStore(t)
	y := caseYAML("amira-testova", "Amira Testova", "AZ", "imprisoned",
		"born: 1990", "arrested: 2020-03-15", "sentenced: 2021-02",
		"hunger_strikes:", "  - started: 2021-11", "    days: 41")
	importOK(t, s, src("cases/amira.yaml", y))
	c, err := s.Case(context.Background(), "amira-testova")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		got   cases.Date
		want  string
		prec  cases.Precision
	}{
		{"born", c.Born, "1990", cases.PrecisionYear},
		{"arrested", c.Arrested, "2020-03-15", cases.PrecisionDay},
		{"sentenced", c.Sentenced, "2021-02", cases.PrecisionMonth},
		{"status_as_of", c.StatusAsOf, "2026-09", cases.PrecisionMonth},
		{"hunger_strikes[0].started", c.HungerStrikes[0].Started, "2021-11", cases.PrecisionMonth},
	}
	for _, tt := range tests {
		if tt.got.String() != tt.want || tt.got.Precision() != tt.prec {
			t.Errorf("%s = %q (precision %d); want %q (precision %d)", tt.field, tt.got, tt.got.Precision(), tt.want, tt.prec)
		}
	}
	if c.HungerStrikes[0].Days != 41 {
		t.Errorf("hunger strike days = %d; want 41", c.HungerStrikes[0].Days)
	}
	// What comes back equals what was parsed.
	parsed, err := cases.Parse("cases/amira.yaml", []byte(y), cases.ParseOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Sentenced, parsed[0].Sentenced; got != want {
		t.Errorf("Sentenced = %#v; want %#v", got, want)
	}
}

func TestImportUnchangedSkipsParsing(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	before := dump(t, s, "cases", "status_changes", "meta")
	// Same paths and hashes, but data that would not parse: an unchanged
	// file must be recognised by its hash and not parsed at all.
	files := []cases.SourceFile{src("cases/amira.yaml", amiraYAML), src("cases/rashad.yaml", rashadYAML), src("cases/erika.yaml", erikaYAML)}
	for i := range files {
		files[i].Data = []byte("{not: [valid yaml")
	}
	res, err := s.Import(context.Background(), files, t0.Add(time.Hour), ImportOptions{})
	if err != nil {
		t.Fatalf("re-import of unchanged files: %v; want nil (they must not be parsed)", err)
	}
	if res.Files != 3 || res.Unchanged != 3 || res.Added+res.Updated+res.Same != 0 || len(res.StatusChanges) != 0 {
		t.Errorf("re-import = %+v; want Files 3, Unchanged 3 and nothing else", res)
	}
	if after := dump(t, s, "cases", "status_changes", "meta"); after != before {
		t.Errorf("re-import changed the database:\n%s\nwant:\n%s", after, before)
	}
	if v := casesVersion(t, s); v != 1 {
		t.Errorf("CasesVersion = %d; want 1 (unchanged)", v)
	}
}

func TestImportChangedFileUpdates(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	ctx := context.Background()
	tests := []struct {
		name        string
		data        string
		wantUpdated int
		wantSame    int
		wantVersion int64
		wantName    string
	}{
		{"new name", strings.Replace(erikaYAML, "Erika Musterfrau", "Erika M. Musterfrau", 1), 1, 0, 2, "Erika M. Musterfrau"},
		{"new field", strings.Replace(erikaYAML, "Erika Musterfrau", "Erika M. Musterfrau", 1) + "sentence: 3 years\n", 1, 0, 3, "Erika M. Musterfrau"},
		// A trailing comment changes the file's hash but not its case.
		{"comment only", strings.Replace(erikaYAML, "Erika Musterfrau", "Erika M. Musterfrau", 1) + "sentence: 3 years\n# reviewed\n", 0, 1, 3, "Erika M. Musterfrau"},
	}
	for _, tt := range tests {
		res, err := s.Import(ctx, []cases.SourceFile{
			src("cases/amira.yaml", amiraYAML), src("cases/rashad.yaml", rashadYAML), src("cases/erika.yaml", tt.data),
		}, t0.Add(time.Hour), ImportOptions{})
		if err != nil {
			t.Fatalf("%s: Import: %v", tt.name, err)
		}
		if res.Unchanged != 2 || res.Updated != tt.wantUpdated || res.Same != tt.wantSame || res.Added != 0 {
			t.Errorf("%s: Import = %+v; want Unchanged 2, Updated %d, Same %d", tt.name, res, tt.wantUpdated, tt.wantSame)
		}
		if v := casesVersion(t, s); v != tt.wantVersion {
			t.Errorf("%s: CasesVersion = %d; want %d", tt.name, v, tt.wantVersion)
		}
		c, err := s.Case(ctx, "erika-musterfrau")
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != tt.wantName {
			t.Errorf("%s: name = %q; want %q", tt.name, c.Name, tt.wantName)
		}
		var hash string
		if err := s.db.QueryRow(`SELECT hash FROM case_files WHERE path = 'cases/erika.yaml'`).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if want := src("", tt.data).Hash; hash != want {
			t.Errorf("%s: case_files hash = %s; want %s", tt.name, hash, want)
		}
	}
	if n := countRows(t, s, `SELECT count(*) FROM status_changes`); n != 0 {
		t.Errorf("status changes: got %d; want 0 (no status changed)", n)
	}
}

func TestImportStatusChange(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	ctx := context.Background()
	later := t0.Add(24 * time.Hour).Add(123456789 * time.Nanosecond) // sub-millisecond part is dropped
	released := strings.Replace(amiraYAML, "status: imprisoned", "status: released", 1)
	res, err := s.Import(ctx, []cases.SourceFile{src("cases/amira.yaml", released)}, later, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || len(res.StatusChanges) != 1 {
		t.Fatalf("Import = %+v; want Updated 1 and one status change", res)
	}
	sc := res.StatusChanges[0]
	if sc.CaseID != "amira-testova" || sc.Country != "AZ" || sc.Old != cases.Imprisoned || sc.New != cases.Released || sc.ID == 0 {
		t.Errorf("StatusChange = %+v; want amira-testova AZ imprisoned → released with an id", sc)
	}
	if want := later.Truncate(time.Millisecond); !sc.At.Equal(want) {
		t.Errorf("StatusChange.At = %v; want %v", sc.At, want)
	}
	if v := casesVersion(t, s); v != 2 {
		t.Errorf("CasesVersion = %d; want 2", v)
	}

	tests := []struct {
		since time.Time
		want  int
	}{
		{time.Time{}, 1},
		{t0, 1},
		{later.Truncate(time.Millisecond), 1}, // "at or after"
		{later.Add(time.Millisecond), 0},
	}
	for _, tt := range tests {
		got, err := s.StatusChangesSince(ctx, tt.since)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("StatusChangesSince(%v): got %d; want %d", tt.since, len(got), tt.want)
			continue
		}
		if tt.want == 1 && got[0] != sc {
			t.Errorf("StatusChangesSince(%v)[0] = %+v; want %+v (as Import reported)", tt.since, got[0], sc)
		}
	}

	// Back to imprisoned, later still: a second change, listed after the first.
	again := strings.Replace(amiraYAML, "status_as_of: 2026-09", "status_as_of: 2026-10", 1)
	res2, err := s.Import(ctx, []cases.SourceFile{src("cases/amira.yaml", again)}, later.Add(time.Hour), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.StatusChanges) != 1 || res2.StatusChanges[0].Old != cases.Released || res2.StatusChanges[0].New != cases.Imprisoned {
		t.Errorf("second change = %+v; want released → imprisoned", res2.StatusChanges)
	}
	all, err := s.StatusChangesSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID >= all[1].ID || all[1].New != cases.Imprisoned {
		t.Errorf("StatusChangesSince(zero) = %+v; want both changes, oldest first", all)
	}
	got, err := s.StatusChangesSince(ctx, later.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].New != cases.Imprisoned {
		t.Errorf("StatusChangesSince(after the first) = %+v; want only the second", got)
	}
}

func TestImportBadFileChangesNothing(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantLine string // "file:line" the error must name
	}{
		{"month 13", caseYAML("nadia-fiktiva", "Nadia Fiktiva", "DE", "detained", "arrested: 2021-13"), "cases/bad.yaml:7"},
		{"unknown status", caseYAML("nadia-fiktiva", "Nadia Fiktiva", "DE", "vanished"), "cases/bad.yaml:5"},
		{"unknown country", caseYAML("nadia-fiktiva", "Nadia Fiktiva", "XQ", "detained"), "cases/bad.yaml:4"},
		{"missing name", "id: nadia-fiktiva\ncountry: DE\nstatus: detained\nstatus_as_of: 2026\n", "cases/bad.yaml:1"},
		{"bad yaml", "id: nadia-fiktiva\nname: [unclosed\n", "cases/bad.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			seedCases(t, s)
			before := dump(t, s, importTables...)
			v := casesVersion(t, s)
			// Good files in the same call: a changed one, a new one, an
			// unchanged one and a status change; none may be imported.
			files := []cases.SourceFile{
				src("cases/amira.yaml", strings.Replace(amiraYAML, "imprisoned", "released", 1)),
				src("cases/erika.yaml", erikaYAML),
				src("cases/bad.yaml", tt.data),
				src("cases/hans.yaml", caseYAML("hans-platzhalter", "Hans Platzhalter", "DE", "detained")),
				src("cases/rashad.yaml", strings.Replace(rashadYAML, "Rashad Beispielov", "Rashad B. Beispielov", 1)),
			}
			_, err := s.Import(context.Background(), files, t0.Add(time.Hour), ImportOptions{})
			if err == nil {
				t.Fatal("Import with a bad file: got nil error; want one")
			}
			if !strings.Contains(err.Error(), tt.wantLine) {
				t.Errorf("error = %q; want it to name %q", err, tt.wantLine)
			}
			var fe *cases.FieldError
			if !errors.As(err, &fe) || fe.File != "cases/bad.yaml" {
				t.Errorf("error = %v; want a *cases.FieldError in cases/bad.yaml", err)
			}
			if after := dump(t, s, importTables...); after != before {
				t.Errorf("database changed by a failed import:\n%s\nwant:\n%s", after, before)
			}
			if got := casesVersion(t, s); got != v {
				t.Errorf("CasesVersion = %d; want %d", got, v)
			}
		})
	}
}

func TestImportDuplicateIDs(t *testing.T) {
	tests := []struct {
		name      string
		seed      []cases.SourceFile
		files     []cases.SourceFile
		wantNames []string
	}{
		{
			name: "two new files",
			files: []cases.SourceFile{
				src("cases/a.yaml", amiraYAML),
				src("cases/b.yaml", caseYAML("amira-testova", "Amira Zweitova", "DE", "detained")),
			},
			wantNames: []string{"cases/a.yaml:2", "cases/b.yaml:2", `"amira-testova"`},
		},
		{
			name: "new file redefines an imported, unchanged one",
			seed: []cases.SourceFile{src("cases/a.yaml", amiraYAML)},
			files: []cases.SourceFile{
				src("cases/a.yaml", amiraYAML),
				src("cases/b.yaml", caseYAML("amira-testova", "Amira Zweitova", "DE", "detained")),
			},
			wantNames: []string{"cases/a.yaml", "cases/b.yaml:2", `"amira-testova"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if tt.seed != nil {
				importOK(t, s, tt.seed...)
			}
			before := dump(t, s, importTables...)
			_, err := s.Import(context.Background(), tt.files, t0.Add(time.Hour), ImportOptions{})
			if err == nil {
				t.Fatal("Import of a duplicate id: got nil error; want one")
			}
			for _, name := range tt.wantNames {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error = %q; want it to name %s", err, name)
				}
			}
			if after := dump(t, s, importTables...); after != before {
				t.Errorf("database changed by a refused import:\n%s\nwant:\n%s", after, before)
			}
		})
	}
}

func TestImportDuplicateIDInOneFile(t *testing.T) {
	s := newStore(t)
	_, err := s.Import(context.Background(), []cases.SourceFile{src("cases/a.yaml", amiraYAML+"---\n"+amiraYAML)}, t0, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Errorf("Import of a file defining an id twice: got %v; want an error saying it is used twice", err)
	}
	if ids := caseIDs(t, s); len(ids) != 0 {
		t.Errorf("cases after refused import = %v; want none", ids)
	}
}

func TestImportSkipBad(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	ctx := context.Background()
	bad := caseYAML("nadia-fiktiva", "Nadia Fiktiva", "DE", "detained", "arrested: 2021-13")
	files := []cases.SourceFile{
		src("cases/amira.yaml", strings.Replace(amiraYAML, "imprisoned", "released", 1)),
		src("cases/bad.yaml", bad),
		src("cases/erika.yaml", erikaYAML),
		src("cases/hans.yaml", caseYAML("hans-platzhalter", "Hans Platzhalter", "DE", "detained")),
		src("cases/rashad.yaml", rashadYAML),
	}
	res, err := s.Import(ctx, files, t0.Add(time.Hour), ImportOptions{SkipBad: true})
	if err != nil {
		t.Fatalf("Import with SkipBad: %v; want nil", err)
	}
	if res.Rejected == nil || !strings.Contains(res.Rejected.Error(), "cases/bad.yaml:7") {
		t.Errorf("Rejected = %v; want the error of cases/bad.yaml:7", res.Rejected)
	}
	if res.Files != 5 || res.Unchanged != 2 || res.Added != 1 || res.Updated != 1 || len(res.StatusChanges) != 1 {
		t.Errorf("Import = %+v; want Files 5, Unchanged 2, Added 1, Updated 1, one status change", res)
	}
	if got, want := caseIDs(t, s), []string{"amira-testova", "erika-musterfrau", "hans-platzhalter", "rashad-beispielov"}; !slices.Equal(got, want) {
		t.Errorf("cases = %v; want %v", got, want)
	}
	if n := countRows(t, s, `SELECT count(*) FROM case_files WHERE path = 'cases/bad.yaml'`); n != 0 {
		t.Errorf("case_files rows of the bad file: got %d; want 0", n)
	}
	// Once fixed, the file imports.
	files[1] = src("cases/bad.yaml", strings.Replace(bad, "2021-13", "2021-12", 1))
	res, err = s.Import(ctx, files, t0.Add(2*time.Hour), ImportOptions{SkipBad: true})
	if err != nil || res.Rejected != nil || res.Added != 1 || res.Unchanged != 4 {
		t.Errorf("Import after the fix = %+v, %v; want Added 1, Unchanged 4, nothing rejected", res, err)
	}
}

func TestImportSkipBadDuplicate(t *testing.T) {
	s := newStore(t)
	files := []cases.SourceFile{
		src("cases/a.yaml", amiraYAML),
		src("cases/b.yaml", caseYAML("amira-testova", "Amira Zweitova", "DE", "detained")+"---\n"+rashadYAML),
		src("cases/c.yaml", erikaYAML),
	}
	res, err := s.Import(context.Background(), files, t0, ImportOptions{SkipBad: true})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if res.Rejected == nil || !strings.Contains(res.Rejected.Error(), "cases/b.yaml") {
		t.Errorf("Rejected = %v; want the duplicate in cases/b.yaml", res.Rejected)
	}
	// b.yaml is left out as a whole; the first definition stays.
	if got, want := caseIDs(t, s), []string{"amira-testova", "erika-musterfrau"}; !slices.Equal(got, want) {
		t.Errorf("cases = %v; want %v", got, want)
	}
	c, err := s.Case(context.Background(), "amira-testova")
	if err != nil || c.Name != "Amira Testova" || c.File != "cases/a.yaml" {
		t.Errorf("Case(amira-testova) = %q from %q, %v; want Amira Testova from cases/a.yaml", c.Name, c.File, err)
	}
}

func TestImportRedefinedIDReimports(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := src("cases/a.yaml", amiraYAML)
	importOK(t, s, a)
	// The case moves to b.yaml, imported on its own with Move (vigil
	// import --move b.yaml): b.yaml now owns the id.
	b := src("cases/b.yaml", strings.Replace(amiraYAML, "Amira Testova", "Amira T. Testova", 1))
	if _, err := s.Import(ctx, []cases.SourceFile{b}, t0, ImportOptions{Move: true}); err != nil {
		t.Fatalf("Import with Move: %v", err)
	}
	c, err := s.Case(ctx, "amira-testova")
	if err != nil || c.File != "cases/b.yaml" {
		t.Fatalf("Case = from %q, %v; want from cases/b.yaml", c.File, err)
	}
	// b.yaml drops the case again. a.yaml is unchanged (same hash) but no
	// longer owns its case, so it must be parsed and imported again.
	b2 := src("cases/b.yaml", erikaYAML)
	res, err := s.Import(ctx, []cases.SourceFile{a, b2}, t0.Add(time.Hour), ImportOptions{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if res.Unchanged != 0 || res.Updated != 1 || res.Added != 1 {
		t.Errorf("Import = %+v; want Unchanged 0 (a.yaml re-read), Updated 1, Added 1", res)
	}
	c, err = s.Case(ctx, "amira-testova")
	if err != nil || c.File != "cases/a.yaml" || c.Name != "Amira Testova" {
		t.Errorf("Case = %q from %q, %v; want Amira Testova from cases/a.yaml", c.Name, c.File, err)
	}
	// Now it is settled: both files are unchanged.
	res, err = s.Import(ctx, []cases.SourceFile{a, b2}, t0.Add(2*time.Hour), ImportOptions{})
	if err != nil || res.Unchanged != 2 {
		t.Errorf("third Import = %+v, %v; want Unchanged 2", res, err)
	}
}

func TestImportVersionOnlyGrowsOnChange(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	steps := []struct {
		name  string
		files []cases.SourceFile
		want  int64
	}{
		{"first import", []cases.SourceFile{src("cases/a.yaml", amiraYAML)}, 1},
		{"same again", []cases.SourceFile{src("cases/a.yaml", amiraYAML)}, 1},
		{"comment added at end", []cases.SourceFile{src("cases/a.yaml", amiraYAML+"# note\n")}, 1},
		{"new case", []cases.SourceFile{src("cases/a.yaml", amiraYAML+"# note\n"), src("cases/b.yaml", erikaYAML)}, 2},
		{"nothing", nil, 2},
		{"changed case", []cases.SourceFile{src("cases/b.yaml", erikaYAML+"sentence: 2 years\n")}, 3},
	}
	var last int64
	for _, st := range steps {
		if _, err := s.Import(ctx, st.files, t0, ImportOptions{}); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		v := casesVersion(t, s)
		if v != st.want {
			t.Errorf("%s: CasesVersion = %d; want %d", st.name, v, st.want)
		}
		if v < last {
			t.Errorf("%s: CasesVersion went down from %d to %d", st.name, last, v)
		}
		last = v
	}
}

// TestImportDuplicateBlamesNewFile: when a new file redefines a case that
// another file owns, the new file is at fault whatever the order of their
// names, the error names the owner's line, and with SkipBad the new file
// cannot take the case over.
func TestImportDuplicateBlamesNewFile(t *testing.T) {
	intruder := caseYAML("amira-testova", "Amira Zweitova", "DE", "detained")
	tests := []struct {
		name         string
		ownerPath    string
		intruderPath string
	}{
		{"intruder sorts first", "cases/b.yaml", "cases/a.yaml"},
		{"intruder sorts last", "cases/a.yaml", "cases/c.yaml"},
	}
	for _, tt := range tests {
		for _, ownerChanged := range []bool{false, true} {
			name := tt.name
			if ownerChanged {
				name += ", owner changed too"
			}
			t.Run(name, func(t *testing.T) {
				s := newStore(t)
				ctx := context.Background()
				importOK(t, s, src(tt.ownerPath, amiraYAML))
				owner := src(tt.ownerPath, amiraYAML)
				if ownerChanged {
					owner = src(tt.ownerPath, amiraYAML+"sentence: 5 years\n")
				}
				files := []cases.SourceFile{owner, src(tt.intruderPath, intruder)}
				slices.SortFunc(files, func(a, b cases.SourceFile) int { return strings.Compare(a.Path, b.Path) })

				_, err := s.Import(ctx, files, t0.Add(time.Hour), ImportOptions{})
				var fe *cases.FieldError
				if !errors.As(err, &fe) || fe.File != tt.intruderPath {
					t.Errorf("Import error = %v; want a *cases.FieldError in %s", err, tt.intruderPath)
				}
				if want := "already defined at " + tt.ownerPath + ":2"; !strings.Contains(err.Error(), want) {
					t.Errorf("error = %q; want it to contain %q", err, want)
				}

				before := dump(t, s, "status_changes")
				res, err := s.Import(ctx, files, t0.Add(time.Hour), ImportOptions{SkipBad: true})
				if err != nil {
					t.Fatalf("Import with SkipBad: %v", err)
				}
				if res.Rejected == nil || !strings.Contains(res.Rejected.Error(), tt.intruderPath) {
					t.Errorf("Rejected = %v; want the error of %s", res.Rejected, tt.intruderPath)
				}
				if len(res.StatusChanges) != 0 {
					t.Errorf("StatusChanges = %+v; want none", res.StatusChanges)
				}
				c, err := s.Case(ctx, "amira-testova")
				if err != nil || c.Name != "Amira Testova" || c.Country != "AZ" || c.Status != cases.Imprisoned || c.File != tt.ownerPath {
					t.Errorf("Case(amira-testova) = %s/%s/%s from %s, %v; want Amira Testova/AZ/imprisoned from %s", c.Name, c.Country, c.Status, c.File, err, tt.ownerPath)
				}
				if after := dump(t, s, "status_changes"); after != before {
					t.Errorf("status_changes changed:\n%s\nwant:\n%s", after, before)
				}
				if n := countRows(t, s, `SELECT count(*) FROM case_files WHERE path = ?`, tt.intruderPath); n != 0 {
					t.Errorf("case_files rows of %s: got %d; want 0", tt.intruderPath, n)
				}
			})
		}
	}
}
