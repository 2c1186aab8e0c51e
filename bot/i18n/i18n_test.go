package i18n

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/vigil-bot/vigil/cases"
)

// enYAML is the embedded English catalogue, for test catalogues built on it.
func enYAML(t *testing.T) []byte {
	t.Helper()
	b, err := fs.ReadFile(locales, "locales/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testCatalogue loads the embedded English file with the given other
// locale files ("ru.yaml": content).
func testCatalogue(t *testing.T, files map[string]string) *catalogue {
	t.Helper()
	fsys := fstest.MapFS{"locales/en.yaml": {Data: enYAML(t)}}
	for name, data := range files {
		fsys["locales/"+name] = &fstest.MapFile{Data: []byte(data)}
	}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// formNames names x/text's plural forms as go-i18n's files do.
var formNames = map[plural.Form]string{plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many"}

// cldrForms returns, for each CLDR plural form lang uses, how many of a
// broad sample of numbers (integers up to 1000 and beyond, decimals with
// one and two digits) it covers. The forms come from x/text's CLDR data,
// not from a hand-made table.
func cldrForms(lang string) map[string]int {
	tag := language.MustParse(lang)
	out := map[string]int{}
	match := func(i, v, f int) {
		// MatchPlural reads the operands i, v and f; w and t are derived.
		w, t := v, f
		for w > 0 && t%10 == 0 {
			w, t = w-1, t/10
		}
		out[formNames[plural.Cardinal.MatchPlural(tag, i, v, w, f, t)]]++
	}
	for i := range 1001 {
		match(i, 0, 0)
	}
	for _, i := range []int{10_000, 100_000, 1_000_000, 2_000_000, 10_000_000} {
		match(i, 0, 0)
	}
	for i := range 111 {
		for f := range 10 {
			match(i, 1, f)
		}
		for f := range 100 {
			match(i, 2, f)
		}
	}
	return out
}

func TestCLDRFormsFromData(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"one", "other"},
		"de": {"one", "other"},
		"ru": {"few", "many", "one", "other"},
		"uk": {"few", "many", "one", "other"},
		"be": {"few", "many", "one", "other"},
		"az": {"one", "other"},
		"fa": {"one", "other"},
		"ja": {"other"},
	} {
		if got := slices.Sorted(maps.Keys(cldrForms(lang))); !slices.Equal(got, want) {
			t.Errorf("cldrForms(%s) = %v; want %v", lang, got, want)
		}
	}
	if n := cldrForms("en")["one"]; n != 1 {
		t.Errorf("en one covers %d sample numbers; want 1", n)
	}
	if n := cldrForms("ru")["one"]; n < 2 {
		t.Errorf("ru one covers %d sample numbers; want 1, 21, 31, …", n)
	}
}

// keyProblems lists the keys each language lacks or has beyond English.
func keyProblems(c *catalogue) []string {
	var out []string
	en := c.messages(fallback)
	for _, lang := range c.languages {
		for _, id := range slices.Sorted(maps.Keys(en)) {
			if _, ok := c.messages(lang)[id]; !ok {
				out = append(out, fmt.Sprintf("%s lacks %s", lang, id))
			}
		}
		for _, id := range slices.Sorted(maps.Keys(c.messages(lang))) {
			if _, ok := en[id]; !ok {
				out = append(out, fmt.Sprintf("%s has %s, which en lacks", lang, id))
			}
		}
	}
	return out
}

// isPlural reports whether English counts message id.
func isPlural(c *catalogue, id string) bool {
	f := forms(c.messages(fallback)[id])
	return len(f) > 1 || f["other"] == ""
}

// placeholderProblems lists each message form whose placeholders differ
// from English's. In a counted message {{.Count}} may be left out only in
// a form that covers a single number (English "one year ago").
func placeholderProblems(c *catalogue) []string {
	var out []string
	for _, lang := range c.languages {
		sample := cldrForms(lang)
		for _, id := range slices.Sorted(maps.Keys(c.messages(fallback))) {
			m, ok := c.messages(lang)[id]
			if !ok {
				continue // keyProblems reports it
			}
			want := map[string]bool{}
			for _, src := range forms(c.messages(fallback)[id]) {
				names, _ := placeholders(src)
				for _, n := range names {
					want[n] = true
				}
			}
			counted := isPlural(c, id)
			if counted {
				delete(want, "Count")
			}
			for form, src := range forms(m) {
				names, err := placeholders(src)
				if err != nil {
					out = append(out, fmt.Sprintf("%s %s (%s): %v", lang, id, form, err))
					continue
				}
				got := map[string]bool{}
				for _, n := range names {
					got[n] = true
				}
				if counted {
					if !got["Count"] && sample[form] != 1 {
						out = append(out, fmt.Sprintf("%s %s (%s) lacks {{.Count}}", lang, id, form))
					}
					delete(got, "Count")
				}
				if !maps.Equal(got, want) {
					out = append(out, fmt.Sprintf("%s %s (%s) uses %v; en uses %v", lang, id, form,
						slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))))
				}
			}
		}
	}
	return out
}

// formProblems lists counted messages that lack a plural form their
// language's CLDR rule needs or have one it does not use, and plain
// messages written with plural forms.
func formProblems(c *catalogue) []string {
	var out []string
	for _, lang := range c.languages {
		need := cldrForms(lang)
		for _, id := range slices.Sorted(maps.Keys(c.messages(lang))) {
			if _, ok := c.messages(fallback)[id]; !ok {
				continue // keyProblems reports it
			}
			have := forms(c.messages(lang)[id])
			if !isPlural(c, id) {
				if len(have) != 1 || have["other"] == "" {
					out = append(out, fmt.Sprintf("%s %s: en has no plural forms, but %s has %v", lang, id, lang,
						slices.Sorted(maps.Keys(have))))
				}
				continue
			}
			for _, form := range slices.Sorted(maps.Keys(need)) {
				if _, ok := have[form]; !ok {
					out = append(out, fmt.Sprintf("%s %s lacks the plural form %s", lang, id, form))
				}
			}
			for _, form := range slices.Sorted(maps.Keys(have)) {
				if _, ok := need[form]; !ok {
					out = append(out, fmt.Sprintf("%s %s has the plural form %s, which %s does not use", lang, id, form, lang))
				}
			}
		}
	}
	return out
}

// TestCataloguesComplete keeps every language complete: every English
// key, no stray key, the same placeholders and every plural form its
// CLDR rule needs.
func TestCataloguesComplete(t *testing.T) {
	if want := []string{"en", "az", "be", "de", "fa", "ru", "uk"}; !slices.Equal(Languages, want) {
		t.Errorf("Languages = %v; want %v", Languages, want)
	}
	for _, check := range []func(*catalogue) []string{keyProblems, placeholderProblems, formProblems} {
		for _, p := range check(std) {
			t.Error(p)
		}
	}
	for _, lang := range Languages {
		for _, s := range cases.Statuses {
			if Status(lang, s) == "status."+string(s) {
				t.Errorf("%s: no name for status %s", lang, s)
			}
		}
		for _, k := range cases.ActionKinds {
			if ActionKind(lang, k) == "action."+string(k) {
				t.Errorf("%s: no name for action kind %s", lang, k)
			}
		}
	}
}

// TestChecksCatchMistakes feeds the completeness checks a translation
// with one mistake of each kind, so that they are known to fail.
func TestChecksCatchMistakes(t *testing.T) {
	var ru strings.Builder
	for _, id := range slices.Sorted(maps.Keys(std.messages(fallback))) {
		switch id {
		case "card.arrested", "card.strike.days", "post.detention_milestone", "card.status", "post.birthday":
			continue
		}
		// A correct translation: English's text in every form ru needs.
		src := std.messages(fallback)[id].Other
		if isPlural(std, id) {
			fmt.Fprintf(&ru, "%s:\n  one: %q\n  few: %q\n  many: %q\n  other: %q\n", id, src, src, src, src)
		} else {
			fmt.Fprintf(&ru, "%s: %q\n", id, src)
		}
	}
	ru.WriteString(`card.stray: x
card.status: "{{.Status}} ({{.Datum}})"
card.strike.days:
  one: "{{.Start}}, день"
  few: "{{.Start}}, {{.Count}} дня"
  other: "{{.Start}}, {{.Count}} дня"
post.detention_milestone: "{{.Name}}: {{.Count}}"
post.birthday:
  one: "{{.Name}}, {{.Count}}"
  few: "{{.Name}}, {{.Count}}"
  many: "{{.Name}}, {{.Count}}"
  other: "{{.Name}}, {{.Count}}"
  two: "{{.Name}}, {{.Count}}"
`)
	c := testCatalogue(t, map[string]string{"ru.yaml": ru.String()})
	for _, tt := range []struct {
		check func(*catalogue) []string
		want  []string
	}{
		{keyProblems, []string{"ru lacks card.arrested", "ru has card.stray, which en lacks"}},
		{placeholderProblems, []string{
			"ru card.status (other) uses [Datum Status]; en uses [Date Status]",
			"ru card.strike.days (one) lacks {{.Count}}", // ru one also covers 21, 31, …
		}},
		{formProblems, []string{
			"ru card.strike.days lacks the plural form many",
			"ru post.birthday has the plural form two, which ru does not use",
			"ru post.detention_milestone lacks the plural form few",
			"ru post.detention_milestone lacks the plural form many",
			"ru post.detention_milestone lacks the plural form one",
		}},
	} {
		got := tt.check(c)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("missing problem %q in %q", w, got)
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("got %d problems %q; want %d", len(got), got, len(tt.want))
		}
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"yaml", "card.arrested: [Festgenommen\n", "locales/de.yaml"},
		{"template", `card.status: "{{.Status (Stand: {{.Date}})"`, "locales/de.yaml: card.status (other)"},
		{"logic", `card.status: "{{if .Status}}x{{end}}"`, "locales/de.yaml: card.status (other)"},
		{"function", `card.status: "{{printf \"%s\" .Status}}"`, "locales/de.yaml: card.status (other)"},
		{"mixed keys", "reply.too_long:\n  one: a\n  text: b\n", "locales/de.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(fstest.MapFS{"locales/en.yaml": {Data: enYAML(t)}, "locales/de.yaml": {Data: []byte(tt.data)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load = %v; want an error naming %q", err, tt.want)
			}
		})
	}
	if _, err := load(fstest.MapFS{"locales/de.yaml": {Data: []byte("a: b\n")}}); err == nil || !strings.Contains(err.Error(), "en.yaml") {
		t.Errorf("load without en = %v; want an error naming en.yaml", err)
	}
	if _, err := load(locales); err != nil {
		t.Errorf("load(embedded) = %v", err)
	}
}

func TestNPicksThePluralForm(t *testing.T) {
	start := Args{"Start": "2021"}
	tests := []struct {
		lang, id string
		n        int
		args     Args
		want     string
	}{
		{"en", "card.strike.days", 1, start, "from 2021, 1 day"},
		{"en", "card.strike.days", 2, start, "from 2021, 2 days"},
		{"en", "card.strike.days", 0, start, "from 2021, 0 days"},
		{"de", "card.strike.days", 1, start, "ab 2021, 1 Tag"},
		{"de", "card.strike.days", 2, start, "ab 2021, 2 Tage"},
		{"en", "post.arrest_anniversary", 1, Args{"Name": "A"}, "A was arrested one year ago today."},
		{"en", "post.arrest_anniversary", 3, Args{"Name": "A"}, "A was arrested 3 years ago today."},
		{"de", "post.arrest_anniversary", 1, Args{"Name": "A"}, "Heute vor einem Jahr wurde A festgenommen."},
		{"de", "post.sentence_anniversary", 21, Args{"Name": "A"}, "Heute vor 21 Jahren wurde A verurteilt."},
		{"en", "reply.alert_queued", 1, Args{"Name": "A", "Country": "B"}, "Alert about A queued for 1 channel following B."},
		{"en", "reply.alert_queued", 4, Args{"Name": "A", "Country": "B"}, "Alert about A queued for 4 channels following B."},
		{"de", "reply.alert_queued", 1, Args{"Name": "A", "Country": "B"}, "Eilmeldung zu A für 1 Kanal vorgemerkt, der B folgt."},
		{"en", "reply.cases_all", 7, nil, "All cases (7):"},
		{"fr", "post.detention_milestone", 1, Args{"Name": "A"}, "A has been in detention for 1 day."},
	}
	for _, tt := range tests {
		if got := N(tt.lang, tt.id, tt.n, tt.args); got != tt.want {
			t.Errorf("N(%s, %s, %d) = %q; want %q", tt.lang, tt.id, tt.n, got, tt.want)
		}
	}
}

// TestNRussian checks a language with four plural forms, on a test
// catalogue until Russian has its own.
func TestNRussian(t *testing.T) {
	c := testCatalogue(t, map[string]string{"ru.yaml": `card.strike.days:
  one: "с {{.Start}}, {{.Count}} день"
  few: "с {{.Start}}, {{.Count}} дня"
  many: "с {{.Start}}, {{.Count}} дней"
  other: "с {{.Start}}, {{.Count}} дня"
`})
	for n, want := range map[int]string{1: "день", 2: "дня", 4: "дня", 5: "дней", 11: "дней", 12: "дней",
		21: "день", 22: "дня", 25: "дней", 101: "день", 111: "дней"} {
		if got, want := c.count("ru", "card.strike.days", n, Args{"Start": "2021"}), fmt.Sprintf("с 2021, %d %s", n, want); got != want {
			t.Errorf("N(ru, %d) = %q; want %q", n, got, want)
		}
	}
	if got, want := c.localize("ru", "card.arrested", nil, nil), "Arrested"; got != want {
		t.Errorf("ru without card.arrested = %q; want English %q", got, want)
	}
	if got, want := c.count("ru", "post.detention_milestone", 5, Args{"Name": "A"}), "A has been in detention for 5 days."; got != want {
		t.Errorf("ru without post.detention_milestone = %q; want English %q", got, want)
	}
}

func TestDateKeepsPrecision(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"en", "2018", "2018"},
		{"en", "2021-02", "February 2021"},
		{"en", "2021-02-14", "14 February 2021"},
		{"de", "2021-03", "März 2021"},
		{"de", "2021-02-14", "14. Februar 2021"},
		{"fr", "2021-02", "February 2021"}, // no French catalogue: English
		{"en", "", ""},
	}
	for _, tt := range tests {
		d := cases.Date{}
		if tt.in != "" {
			d = cases.MustParseDate(tt.in)
		}
		if got := Date(tt.lang, d); got != tt.want {
			t.Errorf("Date(%s, %s) = %q; want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestTFallsBack(t *testing.T) {
	if got, want := T("xx", "card.arrested"), "Arrested"; got != want {
		t.Errorf("T(xx) = %q; want %q", got, want)
	}
	if got, want := T("de", "card.arrested"), "Festgenommen"; got != want {
		t.Errorf("T(de) = %q; want %q", got, want)
	}
	if got, want := F("de", "post.alert", Args{"Message": "x"}), "EILMELDUNG: x"; got != want {
		t.Errorf("F(de, post.alert) = %q; want %q", got, want)
	}
	if got, want := T("de", "no.such.key"), "no.such.key"; got != want {
		t.Errorf("T(de, missing) = %q; want the id %q", got, want)
	}
	if got, want := N("de", "no.such.key", 2, nil), "no.such.key"; got != want {
		t.Errorf("N(de, missing) = %q; want the id %q", got, want)
	}
	if !Supported("de") || Supported("fr") {
		t.Errorf("Supported(de), Supported(fr) = %v, %v; want true, false", Supported("de"), Supported("fr"))
	}
	c := testCatalogue(t, map[string]string{"de.yaml": "card.arrested: Festgenommen\n"})
	if got, want := c.localize("de", "card.born", nil, nil), "Born"; got != want {
		t.Errorf("de without card.born = %q; want English %q", got, want)
	}
	if got, want := c.localize("de", "card.arrested", nil, nil), "Festgenommen"; got != want {
		t.Errorf("de card.arrested = %q; want %q", got, want)
	}
}
