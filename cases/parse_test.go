package cases

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const fictional = `# A fictional person, for tests only.
id: amira-testova
name: Amira Testova
aliases: [Амира Тестова, A. Testova]
country: az
status: imprisoned
status_as_of: 2026-09
affiliation: Fictional Bloggers' Union
arrested: 2024-03-15
sentenced: 2025-01
sentence: 5 years
charges: [hooliganism]
born: 1990
hunger_strikes:
  - started: 2026-10-01
  - started: 2025-06
    days: 12
  - started: 2025-08-01
    ended: 2025-08-20
summary:
  en: "An invented blogger."
  de: "Eine erfundene Bloggerin."
photo: {url: "https://example.org/amira.jpg", credit: "© Example"}
sources:
  - {title: "Invented report", publisher: "Example Watch", date: 2026-09, url: "https://example.org/report"}
actions:
  - {kind: petition, label: "Sign", url: "https://example.org/sign", until: 2026-12-31}
  - {kind: share, label: "Share", url: "https://example.org/share"}
hashtags: ["#FreeAmira"]
reminders:
  - {cron: "0 10 * * 1", text: "Write to Amira"}
`

// at is the fixed "now" of the parser tests: 1 November 2026, midday UTC.
var at = ParseOptions{Now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}

func TestParseFullCase(t *testing.T) {
	cs, err := Parse("amira.yaml", []byte(fictional), at)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(cs) != 1 {
		t.Fatalf("got %d cases; want 1", len(cs))
	}
	c := cs[0]
	checks := []struct{ name, got, want string }{
		{"id", c.ID, "amira-testova"},
		{"country", c.Country, "AZ"},
		{"status", string(c.Status), "imprisoned"},
		{"status_as_of", c.StatusAsOf.String(), "2026-09"},
		{"arrested", c.Arrested.String(), "2024-03-15"},
		{"sentenced", c.Sentenced.String(), "2025-01"},
		{"born", c.Born.String(), "1990"},
		{"alias", c.Aliases[0], "Амира Тестова"},
		{"summary de", c.Summary["de"], "Eine erfundene Bloggerin."},
		{"photo", c.Photo.URL, "https://example.org/amira.jpg"},
		{"action until", c.Actions[0].Until.String(), "2026-12-31"},
		{"reminder", c.Reminders[0].Cron, "0 10 * * 1"},
		{"file", c.File, "amira.yaml"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q; want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.Line != 2 {
		t.Errorf("Line = %d; want 2", c.Line)
	}
	if !c.HungerStrikes[0].Ongoing() || c.HungerStrikes[1].Ongoing() || c.HungerStrikes[2].Ongoing() {
		t.Errorf("ongoing = %v %v %v; want true false false", c.HungerStrikes[0].Ongoing(), c.HungerStrikes[1].Ongoing(), c.HungerStrikes[2].Ongoing())
	}
	// Dates keep their precision through JSON, the database's form.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"sentenced":"2025-01"`) || !strings.Contains(string(b), `"born":"1990"`) {
		t.Errorf("JSON lost precision: %s", b)
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Sentenced != c.Sentenced || back.HungerStrikes[2].Ended != c.HungerStrikes[2].Ended {
		t.Errorf("JSON round trip: got %v %v; want %v %v", back.Sentenced, back.HungerStrikes[2].Ended, c.Sentenced, c.HungerStrikes[2].Ended)
	}
}

func TestParseListAndDocuments(t *testing.T) {
	list := `- {id: a-one, name: A One, country: DE, status: detained, status_as_of: 2026}
- {id: b-two, name: B Two, country: DE, status: exiled, status_as_of: 2026-01}
`
	cs, err := Parse("list.yaml", []byte(list), at)
	if err != nil || len(cs) != 2 {
		t.Fatalf("list: got %d cases, %v; want 2, nil", len(cs), err)
	}
	if cs[1].Line != 2 {
		t.Errorf("second case line = %d; want 2", cs[1].Line)
	}
	docs := "id: a-one\nname: A One\ncountry: DE\nstatus: detained\nstatus_as_of: 2026\n---\nid: b-two\nname: B Two\ncountry: FR\nstatus: released\nstatus_as_of: 2026\n"
	cs, err = Parse("docs.yaml", []byte(docs), at)
	if err != nil || len(cs) != 2 || cs[1].Country != "FR" {
		t.Fatalf("documents: got %+v, %v; want 2 cases", cs, err)
	}
}

// TestParseErrors checks that each error names file, line and field, as
// editors need to find it.
func TestParseErrors(t *testing.T) {
	base := "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-01\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"month out of range", base + "arrested: 2021-13\n", "x.yaml:6: arrested: month 13 out of range"},
		{"day out of range", base + "sentenced: 2021-02-30\n", "x.yaml:6: sentenced: day 30 out of range for 2021-02"},
		{"not a date", base + "born: yesterday\n", `x.yaml:6: born: "yesterday" is not a date`},
		{"bad status", strings.Replace(base, "imprisoned", "jailed", 1), `x.yaml:4: status: "jailed" is not one of detained, imprisoned`},
		{"bad country", strings.Replace(base, "AZ", "XX", 1), `x.yaml:3: country: "XX" is not an ISO 3166-1 country`},
		{"alpha-3 country", strings.Replace(base, "AZ", "AZE", 1), `x.yaml:3: country: "AZE" is not an ISO 3166-1 alpha-2 code`},
		{"bad id", strings.Replace(base, "x-y", "X Y", 1), `x.yaml:1: id: "X Y" is not a slug`},
		{"missing name", strings.Replace(base, "name: X Y\n", "", 1), "x.yaml:1: name: required"},
		{"missing status_as_of", strings.Replace(base, "status_as_of: 2026-01\n", "", 1), "x.yaml:1: status_as_of: required"},
		{"unknown field", base + "arested: 2021\n", "x.yaml:6: arested: unknown field"},
		{"field twice", base + "name: Z\n", "x.yaml:6: name: given twice"},
		{"ftp url", base + "photo: {url: \"ftp://example.org/a.jpg\"}\n", `x.yaml:6: photo.url: "ftp://example.org/a.jpg" is not an http(s) URL`},
		{"javascript url", base + "actions:\n  - {kind: share, label: S, url: \"javascript:alert(1)\"}\n", `x.yaml:7: actions[0].url: "javascript:alert(1)" is not an http(s) URL`},
		{"bad action kind", base + "actions:\n  - {kind: tweet, label: S, url: \"https://example.org\"}\n", `x.yaml:7: actions[0].kind: "tweet" is not one of petition`},
		{"ongoing strike needs a day", base + "hunger_strikes:\n  - started: 2026-10\n", "x.yaml:7: hunger_strikes[0].started: an ongoing strike needs a day-precise start"},
		{"strike ends before start", base + "hunger_strikes:\n  - {started: 2026-10-05, ended: 2026-10-01}\n", "hunger_strikes[0].ended: 2026-10-01 is before the start"},
		{"bad days", base + "hunger_strikes:\n  - {started: 2026-10, days: -3}\n", "x.yaml:7: hunger_strikes[0].days: want a whole number"},
		{"sentenced before arrest", base + "arrested: 2021-05\nsentenced: 2020\n", "x.yaml:1: sentenced: 2020 is before the arrest (2021-05)"},
		{"bad cron", base + "reminders:\n  - {cron: \"0 25 * * *\", text: hi}\n", `x.yaml:7: reminders[0].cron: "0 25 * * *"`},
		{"cron with zone", base + "reminders:\n  - {cron: \"CRON_TZ=UTC 0 10 * * *\", text: hi}\n", "reminders[0].cron: no time zone here"},
		{"bad summary language", base + "summary: {english: hi}\n", "x.yaml:6: summary.english: not a language code"},
		{"unknown summary language", base + "summary: {xx: hi}\n", "x.yaml:6: summary.xx: not a language code"},
		{"cron every second", base + "reminders:\n  - {cron: \"@every 1s\", text: hi}\n", `reminders[0].cron: "@every 1s" fires more than 4 times a day`},
		{"cron every minute", base + "reminders:\n  - {cron: \"* * * * *\", text: hi}\n", `fires more than 4 times a day`},
		{"cron on 30 February", base + "reminders:\n  - {cron: \"0 0 30 2 *\", text: hi}\n", `x.yaml:7: reminders[0].cron: "0 0 30 2 *" never fires: no date matches it`},
		{"cron on 31 April", base + "reminders:\n  - {cron: \"0 9 31 4 *\", text: hi}\n", `reminders[0].cron: "0 9 31 4 *" never fires`},
		{"hashtag without #", base + "hashtags: [Free]\n", `hashtags[0]: "Free" is not a hashtag`},
		{"control character", base + "affiliation: \"a\\x07b\"\n", "x.yaml:6: affiliation: contains a control character"},
		{"list item not a mapping", base + "sources: [just text]\n", "x.yaml:6: sources[0]: want a mapping"},
		{"text for a list", base + "charges: theft\n", "x.yaml:6: charges: want a list"},
		{"syntax error", base + "name: [unclosed\n", "x.yaml:"},
		{"tab indentation", "id: a\n\tname: b\n", "x.yaml:2: invalid YAML: found a tab character"},
		{"tab indentation further down", base + "\tborn: 2000\n", "x.yaml:6: invalid YAML: found a tab character"},
		{"unclosed flow list", base + "charges: [a, b\n", "x.yaml:6: invalid YAML: did not find expected ',' or ']'"},
		{"unclosed quote", base + "summary:\n  en: \"abc\n", "x.yaml:7: invalid YAML: found unexpected end of stream"},
		{"duplicate id in file", "- {id: a-a, name: A, country: DE, status: detained, status_as_of: 2026}\n- {id: a-a, name: B, country: DE, status: detained, status_as_of: 2026}\n",
			`x.yaml:2: id: "a-a" is used twice (first at line 1)`},
		{"scalar document", "hello\n", "x.yaml:1: want a case or a list of cases"},
		{"empty file", "", "x.yaml: no cases in file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := Parse("x.yaml", []byte(tt.yaml), at)
			if err == nil {
				t.Fatalf("Parse succeeded with %d cases; want error containing %q", len(cs), tt.want)
			}
			if cs != nil {
				t.Errorf("Parse returned %d cases with an error; want none", len(cs))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("x.yaml", []byte("id: Bad Id\nname: A\ncountry: ZZ\nstatus: nope\nstatus_as_of: 2026-00\n"), at)
	if err == nil {
		t.Fatal("Parse succeeded; want errors")
	}
	for _, want := range []string{"x.yaml:1: id:", "x.yaml:3: country:", "x.yaml:4: status:", "x.yaml:5: status_as_of: month 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fictional))
	f.Add([]byte("- {id: a, name: b}\n"))
	f.Add([]byte("id: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := Parse("f.yaml", data, at)
		if err != nil && cs != nil {
			t.Fatalf("cases returned with an error")
		}
		for _, c := range cs {
			if c.ID == "" || c.Name == "" || !c.Status.Valid() {
				t.Fatalf("invalid case accepted: %+v", c)
			}
			for _, h := range c.HungerStrikes {
				if h.Ongoing() && !h.Started.HasDay() {
					t.Fatalf("ongoing strike without a day-precise start accepted: %+v", h)
				}
			}
		}
	})
}

// parseWhole is Parse as it was before ParseEach streamed top-level
// lists: every file decoded as whole documents.
func parseWhole(name string, data []byte) ([]Case, error) {
	var out []Case
	p := &parser{file: name, data: data, seen: map[string]int{}, fn: func(c *Case) { out = append(out, *c) },
		today: DateOf(at.Now), latest: DateOf(at.Now.AddDate(0, 0, 1))}
	p.parseDocuments(0)
	if p.count == 0 && len(p.errs) == 0 {
		p.errs = append(p.errs, &FieldError{File: name, Msg: "no cases in file"})
	}
	p.errs = append(p.errs, p.dups...)
	if len(p.errs) > 0 {
		return nil, p.err()
	}
	return out, nil
}

// TestParseItemByItemSameAsWhole checks that a file read item by item
// gives exactly the cases and errors (lines included) of decoding it
// whole, for lists with comments, CRLF, anchors across items, syntax and
// field errors in later items, ids used twice, and other shapes.
func TestParseItemByItemSameAsWhole(t *testing.T) {
	item := func(id string, extra ...string) string {
		return "- id: " + id + "\n  name: Test " + id + "\n  country: AZ\n  status: detained\n  status_as_of: 2026-01\n" + strings.Join(extra, "")
	}
	inputs := map[string]string{
		"plain":        item("a-one") + item("b-two") + item("c-three", "  aliases: [Tri]\n"),
		"comments":     "# head\n\n" + item("a-one") + "# between\n\n" + item("b-two") + "   # indented comment\n",
		"crlf":         strings.ReplaceAll(item("a-one")+item("b-two"), "\n", "\r\n"),
		"anchor":       item("a-one", "  charges: &c [one, two]\n") + item("b-two", "  charges: *c\n"),
		"syntax later": item("a-one") + item("b-two", "  summary: {en: [unclosed\n") + item("c-three"),
		"field later":  item("a-one") + item("b-two", "  arrested: 2021-13\n") + item("c-three", "  born: soon\n"),
		"field+syntax": item("a-one", "  arrested: 2021-13\n") + item("b-two") + "- id: [\n",
		"dup":          item("a-one") + item("b-two") + item("a-one"),
		"scalar item":  item("a-one") + "- just text\n" + item("b-two"),
		"nested list":  item("a-one") + "- - x\n",
		"multi doc":    item("a-one") + "---\n" + item("b-two"),
		"mapping":      "id: a-one\nname: A\ncountry: AZ\nstatus: detained\nstatus_as_of: 2026-01\n",
		"flow":         "[{id: a-one, name: A, country: AZ, status: detained, status_as_of: 2026-01}]\n",
		"empty":        "# nothing\n",
		"tab":          item("a-one") + "- id: b\n\tname: x\n",
		"unknown key":  item("a-one", "  nmae: x\n") + item("b-two"),
		"dash only":    "-\n  id: a-one\n  name: A\n  country: AZ\n  status: detained\n  status_as_of: 2026-01\n" + item("b-two"),
		"trailing key": item("a-one") + "extra: 1\n",
	}
	for name, in := range inputs {
		got, gerr := Parse("f.yaml", []byte(in), at)
		want, werr := parseWhole("f.yaml", []byte(in))
		if fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("%s: errors\n%v\nwant (whole document)\n%v", name, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cases\n%+v\nwant (whole document)\n%+v", name, got, want)
		}
	}
	if items, ok := topLevelItems([]byte(inputs["comments"])); !ok || len(items) != 2 || items[1].line != 10 {
		t.Errorf("topLevelItems(comments) = %+v, %v; want 2 items, the second at line 10", items, ok)
	}
}

// TestParseEachStopsHandingOnError checks that ParseEach hands over the
// cases before the first error and none after it, so a caller writing
// them as they come knows to discard the file.
func TestParseEachStopsHandingOnError(t *testing.T) {
	in := "- {id: a-one, name: A, country: AZ, status: detained, status_as_of: 2026-01}\n" +
		"- {id: b-two, name: B, country: XX, status: detained, status_as_of: 2026-01}\n" +
		"- {id: c-three, name: C, country: AZ, status: detained, status_as_of: 2026-01}\n"
	var got []string
	err := ParseEach("f.yaml", []byte(in), at, func(c *Case) { got = append(got, c.ID) })
	if err == nil || !strings.Contains(err.Error(), "f.yaml:2: [1].country") {
		t.Errorf("ParseEach error = %v; want f.yaml:2: [1].country", err)
	}
	if !slices.Equal(got, []string{"a-one"}) {
		t.Errorf("handed over %v; want [a-one] (nothing after the error)", got)
	}
}

// TestParsePhotoFile: a photo.file is resolved against the case file's
// folder and stored absolute; a photo needs a url or a file; a file that
// is no JPEG or PNG, or a URL, is refused.
func TestParsePhotoFile(t *testing.T) {
	const base = "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-01\n"
	dir := t.TempDir()
	cs, err := Parse(filepath.Join(dir, "cases", "x.yaml"), []byte(base+"photo: {file: photos/x.jpg, credit: \"© Ex\"}\n"), at)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "cases", "photos", "x.jpg"); cs[0].Photo == nil || cs[0].Photo.File != want || cs[0].Photo.URL != "" || cs[0].Photo.Credit != "© Ex" {
		t.Errorf("photo = %+v; want file %s", cs[0].Photo, want)
	}
	// A relative case file name is made absolute too.
	cs, err = Parse("rel/x.yaml", []byte(base+"photo: {file: ../p/x.png}\n"), at)
	if err != nil {
		t.Fatal(err)
	}
	if f := cs[0].Photo.File; !filepath.IsAbs(f) || !strings.HasSuffix(f, string(filepath.Separator)+filepath.Join("p", "x.png")) {
		t.Errorf("photo.file = %q; want an absolute path ending in p/x.png", f)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"neither", "photo: {credit: C}\n", "x.yaml:6: photo.url: required (or photo.file)"},
		{"not a picture", "photo: {file: x.gif}\n", `x.yaml:6: photo.file: "x.gif" is not a .jpg, .jpeg or .png file`},
		{"a url", "photo: {file: \"https://example.org/x.jpg\"}\n", `x.yaml:6: photo.file: "https://example.org/x.jpg" is a URL, not a file (use photo.url)`},
	} {
		_, err := Parse("x.yaml", []byte(base+tc.yaml), at)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want %q", tc.name, err, tc.want)
		}
	}
}
