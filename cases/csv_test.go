package cases

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fictionalCSV is the case of fictional as a spreadsheet writes it: a
// byte order mark, ";" between cells, CRLF line ends, a quoted summary
// over two lines, and the header's columns in an order of its own.
const fictionalCSV = "\uFEFF" + `ID;name;aliases;country;status;status_as_of;affiliation;arrested;sentenced;sentence;charges;born;` +
	`hunger_strike.started;hunger_strike.2.started;hunger_strike.2.days;hunger_strike.3.started;hunger_strike.3.ended;` +
	`summary.en;summary.de;photo.url;photo.credit;source.title;source.publisher;source.date;source.url;` +
	`action.kind;action.label;action.url;action.until;action.2.kind;action.2.label;action.2.url;hashtags;reminder.cron;reminder.text` + "\r\n" +
	`amira-testova;Amira Testova;Амира Тестова; A. Testova;az;imprisoned;2026-09;Fictional Bloggers' Union;2024-03-15;2025-01;5 years;hooliganism;1990;` +
	`2026-10-01;2025-06;12;2025-08-01;2025-08-20;` +
	`"An invented blogger.";"Eine erfundene Bloggerin.";https://example.org/amira.jpg;© Example;Invented report;Example Watch;2026-09;https://example.org/report;` +
	`petition;Sign;https://example.org/sign;2026-12-31;share;Share;https://example.org/share;#FreeAmira;0 10 * * 1;Write to Amira` + "\r\n"

// withoutPlace clears where each case was read from, which differs
// between formats and files.
func withoutPlace(cs []Case) []Case {
	out := slices.Clone(cs)
	for i := range out {
		out[i].File, out[i].Line = "", 0
	}
	return out
}

// TestParseCSVSameAsYAML: a row gives the very case its YAML file gives.
func TestParseCSVSameAsYAML(t *testing.T) {
	want, err := Parse("amira.yaml", []byte(fictional), at)
	if err != nil {
		t.Fatal(err)
	}
	// fictionalCSV's aliases cell is split at ";" by the CSV reader
	// itself: quote it, as a spreadsheet does.
	data := strings.Replace(fictionalCSV, "Амира Тестова; A. Testova", `"Амира Тестова; A. Testova"`, 1)
	got, err := Parse("amira.csv", []byte(data), at)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !reflect.DeepEqual(withoutPlace(got), withoutPlace(want)) {
		t.Errorf("CSV case:\n%+v\nYAML case:\n%+v", got, want)
	}
	if got[0].File != "amira.csv" || got[0].Line != 2 {
		t.Errorf("case read from %s:%d; want amira.csv:2", got[0].File, got[0].Line)
	}
	// The same with commas, no BOM, LF line ends and a summary over two
	// lines: the next row's line counts the file's lines.
	header, row, _ := strings.Cut(strings.TrimPrefix(data, "\uFEFF"), "\r\n")
	toComma := func(s string) string {
		var b strings.Builder
		quoted := false
		for _, r := range s {
			switch {
			case r == '"':
				quoted = !quoted
			case r == ';' && !quoted:
				r = ','
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	row = strings.Replace(toComma(strings.TrimSuffix(row, "\r\n")), `"An invented blogger."`, "\"An invented\nblogger.\"", 1)
	second := strings.ReplaceAll(row, "amira-testova", "amira-zwei")
	data = toComma(header) + "\n" + row + "\n,,\n" + second + "\n"
	got, err = Parse("amira.csv", []byte(data), at)
	if err != nil {
		t.Fatalf("Parse (commas): %v", err)
	}
	if len(got) != 2 || got[0].Summary["en"] != "An invented\nblogger." || got[1].Line != 5 {
		t.Errorf("comma-separated file: %d cases, summary %q, second at line %d; want 2, the summary over two lines, line 5",
			len(got), got[0].Summary["en"], got[1].Line)
	}
}

// TestParseCSVErrors: every error names the file, the line counted in
// the file (the header is line 1) and the column; a bad row imports
// nothing of its file.
func TestParseCSVErrors(t *testing.T) {
	const head = "id,name,country,status,status_as_of"
	const good = "amira-testova,Amira Testova,AZ,imprisoned,2026-09"
	tests := []struct {
		name, data string
		want       []string
	}{
		{"unknown column", head + ",nickname,sources.title,photo.size,summary.english\n" + good + ",x,y,z,w\n", []string{
			"f.csv:1: nickname: unknown column",
			"f.csv:1: sources.title: unknown column: one source is source.title, source.publisher, source.date, source.url, a second source.2.title",
			"f.csv:1: photo.size: unknown column: photo has photo.url, photo.file, photo.credit",
			`f.csv:1: summary.english: "english" is not a language code`,
		}},
		{"column twice", head + ",source.title,source.1.title\n", []string{"f.csv:1: source.1.title: column given twice"}},
		{"required column missing", "id,name,country,status\n", []string{"f.csv:1: status_as_of: required column missing"}},
		{"duplicate id", head + "\n" + good + "\n" + strings.Replace(good, "Amira", "Amina", 1) + "\n" + good + "\n", []string{
			`f.csv:3: id: "amira-testova" is used twice (first at line 2)`,
			`f.csv:4: id: "amira-testova" is used twice (first at line 3)`,
		}},
		{"day.month.year", head + ",arrested\n" + good + ",15.03.2024\n", []string{
			`f.csv:2: arrested: "15.03.2024" is not a date: want YYYY, YYYY-MM or YYYY-MM-DD (a spreadsheet's date? write 2024-03-15, and format the column as text)`,
		}},
		{"month/day/year", head + ",source.title,source.date\n" + good + ",Report,3/15/2024\n", []string{
			`f.csv:2: source.date: "3/15/2024" is not a date: want YYYY, YYYY-MM or YYYY-MM-DD (a spreadsheet's date? write 2024-03-15, and format the column as text)`,
		}},
		{"ambiguous day/month", head + ",born\n" + good + ",03/04/1990\n", []string{
			`f.csv:2: born: "03/04/1990" is not a date: want YYYY, YYYY-MM or YYYY-MM-DD (a spreadsheet's date: format the column as text`,
		}},
		{"line after a quoted newline", head + ",summary.en\n" + good + ",\"two\nlines\"\n" + "bad id,B,AZ,imprisoned,2026-09,\n", []string{
			`f.csv:4: id: "bad id" is not a slug`,
		}},
		{"the second source's column", head + ",source.title,source.url,source.3.title,source.3.url\n" + good + ",A,https://a.example,,ftp://b.example\n", []string{
			`f.csv:2: source.3.url: "ftp://b.example" is not an http(s) URL`,
			"f.csv:2: source.3.title: required",
		}},
		{"list item", head + ",hashtags\n" + good + ",#ok; no tag\n", []string{`f.csv:2: hashtags: "no tag" is not a hashtag`}},
		{"every YAML rule", head + ",hunger_strike.started,action.kind\n" + good + ",2026-10,sign\n", []string{
			"f.csv:2: hunger_strike.started: an ongoing strike needs a day-precise start",
			`f.csv:2: action.kind: "sign" is not one of petition`,
			"f.csv:2: action.label: required",
			"f.csv:2: action.url: required",
		}},
		{"future date", head + ",arrested\n" + good + ",2027-01\n", []string{"f.csv:2: arrested: 2027-01 is in the future (today is 2026-11-01)"}},
		{"missing field", head + "\n" + "amira-testova,,AZ,imprisoned,2026-09\n", []string{"f.csv:2: name: required"}},
		{"too many cells", head + "\n" + good + ",extra\n", []string{"f.csv:2: 6 cells, but the header names 5 columns"}},
		{"value under a nameless column", head + ",\n" + good + ",x\n", []string{"f.csv:2: column 6: a value under a column with no name"}},
		{"bad quote", head + "\n" + good + "\n" + `x,"A "B",AZ,imprisoned,2026-09` + "\n", []string{`f.csv:3: invalid CSV: extraneous or missing " in quoted-field`}},
		{"not UTF-8", head + "\n" + good + "\nx,M\xfcller,DE,detained,2026-09\n", []string{`f.csv:3: not valid UTF-8: save the spreadsheet as "CSV UTF-8"`}},
		{"no rows", head + "\n", []string{"f.csv: no cases in file"}},
		{"invisible characters", head + "\n" + "amira-testova,Amira\u202eTestova,AZ,imprisoned,2026-09\n", []string{"f.csv:2: name: contains an invisible direction override"}},
		{"unknown letters columns", head + ",letters.adress,letters.rules,letters.sample.english,letters,letters.address.street\n" + good + ",a,b,c,d,e\n", []string{
			"f.csv:1: letters.adress: unknown column: letters has letters.address, letters.languages, letters.rules.LANG, letters.sample.LANG",
			"f.csv:1: letters.rules: unknown column: want letters.rules.LANG, e.g. letters.rules.en",
			`f.csv:1: letters.sample.english: "english" is not a language code`,
			"f.csv:1: letters: unknown column: letters has letters.address,",
			"f.csv:1: letters.address.street: unknown column: letters.address has no parts",
		}},
		{"letters column twice", head + ",letters.rules.en,Letters.Rules.EN\n", []string{"f.csv:1: Letters.Rules.EN: column given twice"}},
		{"letters without an address", head + ",summary.en,letters.rules.en\n" + good + ",\"two\nlines\",No politics.\n", []string{
			"f.csv:3: letters.address: required: the postal address letters go to",
		}},
		{"letters languages", head + ",letters.address,letters.languages\n" + good + ",Prison 12,ru; russian; ru\n", []string{
			`f.csv:2: letters.languages: "russian" is not a language code`,
			`f.csv:2: letters.languages: "ru" is given twice`,
		}},
		{"letters texts", head + ",letters.address,letters.sample.ru\n" + good + ",\"Prison\u202e12\"," + strings.Repeat("я", 2001) + "\n", []string{
			"f.csv:2: letters.address: contains an invisible direction override",
			"f.csv:2: letters.sample.ru: longer than 2000 characters",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var handed int
			err := ParseEach("f.csv", []byte(tt.data), at, func(*Case) { handed++ })
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("errors:\n%s\nwant %d", err, len(tt.want))
			}
			for i, w := range tt.want {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %d:\n%s\nwant it to begin %q", i, err, w)
				}
			}
			if cs, _ := Parse("f.csv", []byte(tt.data), at); cs != nil {
				t.Errorf("Parse returned %d cases from a bad file; want none", len(cs))
			}
		})
	}
}

// TestParseCSVStreams: ParseEach hands the rows over one at a time, as
// it reads them, and the header may name the columns in any case.
func TestParseCSVStreams(t *testing.T) {
	var b strings.Builder
	b.WriteString("Id,Name,Country,Status,Status_As_Of,Aliases\n")
	for i := range 1000 {
		b.WriteString("p-" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "-" + strconv.Itoa(i) + ",Person " + strconv.Itoa(i) + ",AZ,detained,2026-01,P" + strconv.Itoa(i) + `; P\;` + strconv.Itoa(i) + "\n")
	}
	var ids []string
	var last *Case
	err := ParseEach("many.csv", []byte(b.String()), at, func(c *Case) {
		if last == c {
			t.Fatal("the same *Case handed twice")
		}
		ids = append(ids, c.ID)
		if c.ID == "p-a-0" && !slices.Equal(c.Aliases, []string{"P0", "P;0"}) {
			t.Errorf("aliases %q; want [P0 P;0]", c.Aliases)
		}
	})
	if err != nil || len(ids) != 1000 {
		t.Fatalf("ParseEach: %d cases, %v; want 1000", len(ids), err)
	}
}

// TestSplitList: the list cells' escapes round-trip.
func TestSplitList(t *testing.T) {
	items := []string{`a;b`, `c\d`, `e\`, `\;`, "f"}
	cell := joinList(items)
	if got := splitList(cell); !slices.Equal(got, items) {
		t.Errorf("splitList(joinList(%q)) = %q (cell %q)", items, got, cell)
	}
	if got := splitList(` x ;; y;`); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf(`splitList(" x ;; y;") = %q; want [x y]`, got)
	}
	if got := splitList(`C:\path`); !slices.Equal(got, []string{`C:\path`}) {
		t.Errorf(`a lone backslash: %q`, got)
	}
}

// TestCSVSchemaCoversCase: every field of Case has its CSV column, so a
// field added to the format cannot be lost by a CSV export.
func TestCSVSchemaCoversCase(t *testing.T) {
	known := map[string]bool{"file": true, "line": true} // where it was read, not the case
	for _, k := range slices.Concat(csvScalars, csvLists, csvLangMaps) {
		known[k] = true
	}
	for k := range csvMaps {
		known[k] = true
	}
	for _, g := range csvGroups {
		known[g.key] = true
	}
	nested := map[string]nestedField{}
	for _, f := range csvNested {
		known[f.key] = true
		nested[f.key] = f
	}
	typ := reflect.TypeFor[Case]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !known[name] {
			t.Errorf("Case field %s (%s) has no CSV column", typ.Field(i).Name, name)
		}
		// A field of a nested mapping (letters.address) needs its
		// column too.
		f, ok := nested[name]
		if !ok {
			continue
		}
		sub := typ.Field(i).Type
		if sub.Kind() == reflect.Pointer {
			sub = sub.Elem()
		}
		columns := slices.Concat(f.scalars, f.lists, f.langMaps)
		for j := range sub.NumField() {
			subName, _, _ := strings.Cut(sub.Field(j).Tag.Get("json"), ",")
			if !slices.Contains(columns, subName) {
				t.Errorf("Case field %s.%s (%s.%s) has no CSV column", typ.Field(i).Name, sub.Field(j).Name, name, subName)
			}
		}
	}
	if len(nested) == 0 {
		t.Error("no nested fields: letters has no CSV columns")
	}
}

// TestParseCSVLetters: the letters columns give the letters the YAML
// format gives, whatever the order and case of the columns.
func TestParseCSVLetters(t *testing.T) {
	want, err := Parse("x.yaml", []byte(lettersBase+`letters:
  address: "Prison 12, Baku; Azerbaijan"
  languages: [az, ru]
  rules: {en: "No politics.", ru: "Без политики."}
  sample: {en: "Dear X,\nwe think of you."}
`), at)
	if err != nil {
		t.Fatal(err)
	}
	data := "id;name;country;status;status_as_of;Letters.Sample.en;letters.rules.ru;letters.languages;letters.address;letters.rules.en\n" +
		"x-y;X Y;AZ;imprisoned;2026-01;\"Dear X,\nwe think of you.\";Без политики.;\"az; ru\";\"Prison 12, Baku; Azerbaijan\";No politics.\n"
	got, err := Parse("x.csv", []byte(data), at)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !reflect.DeepEqual(got[0].Letters, want[0].Letters) {
		t.Errorf("CSV letters = %+v; want %+v", got[0].Letters, want[0].Letters)
	}
	if !got[0].Writable() {
		t.Error("the CSV case with a letters address is not Writable")
	}
}

// richCases are cases with every field, and texts that need quoting or
// escaping in either format.
const richCases = fictional + `---
- id: jonas-fiktiv
  name: Jonas Fiktiv
  names: {ru: "Йонас Фиктив", fa: "یوناس فیکتیو"}
  aliases: ["J; F", 'back\slash', "yes", "#1"]
  country: BY
  status: released
  status_as_of: 2026
  arrested: 2019-07
  charges: ["a, b", "\"quoted\""]
  born: 1980-02-29
  summary:
    fa: "متن با نیم‌فاصله"
    ru: "Строка один\nстрока два; с точкой с запятой"
  photo: {url: "https://example.org/j.jpg", file: "photos/j.jpg", credit: "© Example, 2020"}
  sources:
    - {title: "One"}
    - {title: "Two", date: 2020, url: "https://example.org/2"}
    - {title: "null", publisher: "~"}
  hunger_strikes:
    - {started: 2020-01-01, ended: 2020-02}
  reminders:
    - {cron: "@weekly", text: "Weekly: write"}
    - {cron: "0 9 1 * *", text: "Monthly"}
  letters:
    address: "Colony 3, \"Lesnaya\" 1;\nMinsk, Belarus"
    languages: [ru, be]
    rules: {en: "No politics; no news.", ru: "Без политики,\nбез новостей."}
    sample: {en: "Dear Jonas, we think of you.", ru: "Дорогой Йонас, мы помним о вас."}
- {id: erika-musterfrau, name: Erika Musterfrau, country: DE, status: exiled, status_as_of: 2026-10-31}
`

// TestExportRoundTrip: a case written as YAML or as CSV and read again is
// the same case, and writing it again gives the same bytes.
func TestExportRoundTrip(t *testing.T) {
	orig, err := Parse("rich.yaml", []byte(richCases), at)
	if err != nil {
		t.Fatal(err)
	}
	if len(orig) != 3 || orig[1].Letters == nil || len(orig[1].Letters.Sample) != 2 {
		t.Fatalf("%d cases, the second with letters %+v; want 3, and letters", len(orig), orig[1].Letters)
	}
	for _, c := range orig {
		y, err := MarshalYAML(&c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(c.ID+".yaml", y, at)
		if err != nil {
			t.Fatalf("%s: the exported YAML does not parse: %v\n%s", c.ID, err, y)
		}
		if !reflect.DeepEqual(withoutPlace(back), withoutPlace([]Case{c})) {
			t.Errorf("%s: YAML round trip:\n%+v\nwant\n%+v\n%s", c.ID, back[0], c, y)
		}
		y2, _ := MarshalYAML(&back[0])
		if !bytes.Equal(y, y2) {
			t.Errorf("%s: YAML export is not stable:\n%s\n%s", c.ID, y, y2)
		}
	}
	writeCSV := func(cs []Case) []byte {
		var l CSVLayout
		for i := range cs {
			l.Add(&cs[i])
		}
		var b bytes.Buffer
		w, err := NewCSVWriter(&b, &l)
		if err != nil {
			t.Fatal(err)
		}
		for i := range cs {
			if err := w.Write(&cs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	data := writeCSV(orig)
	back, err := Parse("all.csv", data, at)
	if err != nil {
		t.Fatalf("the exported CSV does not parse: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(withoutPlace(back), withoutPlace(orig)) {
		t.Errorf("CSV round trip:\n%+v\nwant\n%+v\n%s", back, orig, data)
	}
	if again := writeCSV(back); !bytes.Equal(again, data) {
		t.Errorf("CSV export is not stable:\n%s\n%s", data, again)
	}
	// The letters columns come last, their languages those the cases
	// use (and en).
	header, _, _ := strings.Cut(strings.TrimPrefix(string(data), "\uFEFF"), "\n")
	if !strings.HasSuffix(header, ",letters.address,letters.languages,letters.rules.en,letters.rules.ru,letters.sample.en,letters.sample.ru") {
		t.Errorf("CSV header %q; want it to end with the letters columns", header)
	}
	if y, _ := MarshalYAML(&orig[1]); !strings.Contains(string(y), "letters:\n  address: ") || !strings.Contains(string(y), "  languages: [ru, be]\n") {
		t.Errorf("YAML export without its letters:\n%s", y)
	}
	// The photo.file column is there for a case with a local photo only.
	if !strings.Contains(header, ",photo.url,photo.file,photo.credit,") {
		t.Errorf("CSV header %q; want photo.file (a case has one)", header)
	}
	var plain CSVLayout
	plain.Add(&orig[2])
	var pb bytes.Buffer
	pw, _ := NewCSVWriter(&pb, &plain)
	pw.Flush()
	if h := pb.String(); strings.Contains(h, "photo.file") || !strings.Contains(h, ",photo.url,photo.credit,") {
		t.Errorf("CSV header without local photos %q; want photo.url, photo.credit only", h)
	}
	if err := pw.Write(&orig[2]); err != nil {
		t.Errorf("Write of a case in its own layout: %v", err)
	}
	withFile := orig[2]
	withFile.Photo = &Photo{File: "/srv/photos/e.jpg"}
	if err := pw.Write(&withFile); err == nil {
		t.Error("Write of a case with a photo.file under a layout without it: no error")
	}
	// A case wider than its layout is refused, not cut.
	var l CSVLayout
	l.Add(&orig[2])
	w, _ := NewCSVWriter(&bytes.Buffer{}, &l)
	if err := w.Write(&orig[1]); err == nil {
		t.Error("Write of a case with three sources under a layout of one: no error")
	}
	// Likewise a case with letters in a language the layout lacks.
	narrow := orig[2]
	narrow.Letters = &Letters{Address: "A", Rules: map[string]string{"de": "Keine Politik."}}
	if err := w.Write(&narrow); err == nil {
		t.Error("Write of a case with letters.rules.de under a layout without it: no error")
	}
}
