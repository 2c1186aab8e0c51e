package bot

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fictionalCase is an invented person with every field of the format.
const fictionalCase = `id: jonas-fiktiv
name: Jonas Fiktiv
aliases: [Йонас Фиктив]
country: BY
status: imprisoned
status_as_of: 2026-10
affiliation: Invented Press Club
arrested: 2024-03-15
sentenced: 2025-01
sentence: 6 years
charges: [extremism, "insulting <the> & official"]
born: 1988-11-30
hunger_strikes:
  - started: 2026-11-20
  - started: 2025-06
    days: 12
summary:
  en: "An invented journalist, for tests."
  de: "Ein erfundener Journalist, für Tests."
photo: {url: "https://example.org/jonas.jpg", credit: "© Example Photo"}
sources:
  - {title: "Invented report", publisher: "Example Watch", date: 2026-10, url: "https://example.org/report"}
  - {title: "Undated note"}
actions:
  - {kind: letter, label: "Write a letter", url: "https://example.org/letter"}
  - {kind: petition, label: "Old petition", url: "https://example.org/old", until: 2026-01-31}
hashtags: ["#FreeJonas", "#PressFreedom"]
`

func parseOne(t *testing.T, yaml string) *cases.Case {
	t.Helper()
	cs, err := cases.Parse("test.yaml", []byte(yaml), cases.ParseOptions{Now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return &cs[0]
}

func TestCardGolden(t *testing.T) {
	today := cases.MustParseDate("2026-11-27")
	jonas := parseOne(t, fictionalCase)
	rustamov := testutil.BundledCase(t, "saleh-rustamov")
	tests := []struct {
		file  string
		c     *cases.Case
		lang  string
		stale bool
	}{
		{"jonas.en.golden", jonas, "en", false},
		{"jonas.de.golden", jonas, "de", false},
		{"jonas.fr.golden", jonas, "fr", false}, // no French catalogue or summary: English
		{"rustamov.en.golden", rustamov, "en", true},
		{"rustamov.de.golden", rustamov, "de", true},
		{"rustamov.ru.golden", rustamov, "ru", true},
		{"rustamov.uk.golden", rustamov, "uk", true},
		{"rustamov.be.golden", rustamov, "be", true},
		{"rustamov.az.golden", rustamov, "az", true},
		{"rustamov.fa.golden", rustamov, "fa", true},
		{"jonas.ru.golden", jonas, "ru", false}, // every kind of date line: days, ongoing strike
		{"jonas.az.golden", jonas, "az", false},
		{"jonas.fa.golden", jonas, "fa", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			card := NewCard(tt.c, CardOptions{Lang: tt.lang, Today: today, Stale: tt.stale})
			testutil.Golden(t, tt.file, card.Text()+"\n", *update)
		})
	}
}

func TestCardFacts(t *testing.T) {
	jonas := parseOne(t, fictionalCase)
	card := NewCard(jonas, CardOptions{Lang: "en", Today: cases.MustParseDate("2026-11-27")})
	fields := map[string]string{}
	for _, f := range card.Fields {
		fields[f.Label] = f.Value
	}
	checks := map[string]string{
		"Sentenced":      "January 2025", // month precision: no invented day
		"Arrested":       "15 March 2024",
		"Born":           "30 November 1988",
		"Hunger strikes": "ongoing since 20 November 2026 (day 8); from June 2025, 12 days",
	}
	for label, want := range checks {
		if got := fields[label]; got != want {
			t.Errorf("%s = %q; want %q", label, got, want)
		}
	}
	if len(card.Actions) != 1 || card.Actions[0].URL != "https://example.org/letter" {
		t.Errorf("actions = %+v; want only the live letter", card.Actions)
	}
	if card.Country != "Belarus" {
		t.Errorf("country = %q; want Belarus", card.Country)
	}
	jonas.Status = cases.Released
	card = NewCard(jonas, CardOptions{Lang: "en", Today: cases.MustParseDate("2026-11-27")})
	if len(card.Actions) != 0 {
		t.Errorf("a released person's card has actions %+v; want none", card.Actions)
	}
}

// TestCardDateFormsAndIsolation checks the date lines' grammatical forms
// and, in Persian, the digits and the isolation of Latin values.
func TestCardDateFormsAndIsolation(t *testing.T) {
	rustamov := testutil.BundledCase(t, "saleh-rustamov")
	today := cases.MustParseDate("2026-11-27")
	for lang, want := range map[string]string{
		"ru": "с ноября 2021 г., 41 день",
		"uk": "з листопада 2021 р., 41 день",
		"be": "з лістапада 2021 г., 41 дзень",
		"az": "2021-ci ilin noyabrından etibarən, 41 gün",
		"fa": "از نوامبر ۲۰۲۱، ۴۱ روز",
	} {
		card := NewCard(rustamov, CardOptions{Lang: lang, Today: today, Stale: true})
		if got := card.Fields[len(card.Fields)-1].Value; got != want {
			t.Errorf("%s hunger strikes = %q; want %q", lang, got, want)
		}
	}
	card := NewCard(rustamov, CardOptions{Lang: "ru", Today: today, Stale: true})
	if want := "Сведения последний раз подтверждались в мае 2022 г. и могли устареть."; card.Stale != want {
		t.Errorf("ru stale = %q; want %q", card.Stale, want)
	}
	text := NewCard(rustamov, CardOptions{Lang: "fa", Today: today}).Text()
	for _, want := range []string{"\u2068Saleh Rustamov\u2069 — ", "\u2068<https://www.freiheit.org/ka/node/34619>\u2069", "بازداشت: ۲۰۱۸\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("fa card lacks %q:\n%s", want, text)
		}
	}
	if text := NewCard(rustamov, CardOptions{Lang: "ru", Today: today}).Text(); strings.ContainsAny(text, "\u2068\u2069\u200f") {
		t.Errorf("ru card has bidi marks:\n%s", text)
	}
	// In Persian every renderer gets the values isolated one by one: a
	// list's items around Persian commas, strikes around the Persian
	// semicolon, a source's title and publisher, each hashtag, the credit.
	jonasCase := parseOne(t, fictionalCase)
	jonas := NewCard(jonasCase, CardOptions{Lang: "fa", Today: today})
	fields := map[string]string{}
	for _, f := range jonas.Fields {
		fields[f.Label] = f.Value
	}
	for label, want := range map[string]string{
		"اتهامات":        "\u2068extremism\u2069، \u2068insulting <the> & official\u2069",
		"اعتصاب‌های غذا": "از ۲۰ نوامبر ۲۰۲۶ ادامه دارد (روز ۸)؛ از ژوئن ۲۰۲۵، ۱۲ روز",
		"محکومیت":        "\u20686 years\u2069",
	} {
		if got := fields[label]; got != want {
			t.Errorf("fa %s = %q; want %q", label, got, want)
		}
	}
	if want := "\u2068Invented report\u2069 — \u2068Example Watch\u2069، اکتبر ۲۰۲۶"; jonas.Sources[0].Text != want {
		t.Errorf("fa source = %q; want %q", jonas.Sources[0].Text, want)
	}
	if jonas.Title != "\u2068Jonas Fiktiv\u2069" || jonas.Hashtags[0] != "\u2068#FreeJonas\u2069" ||
		jonas.Photo.Credit != "\u2068© Example Photo\u2069" || jonas.Photo.URL != "https://example.org/jonas.jpg" ||
		jonas.Actions[0].Text != "\u2068Write a letter\u2069" || jonas.Actions[0].URL != "https://example.org/letter" {
		t.Errorf("fa card = %+v; want isolated values and raw URLs", jonas)
	}
	if !strings.HasPrefix(jonas.Summary, "\u2068") {
		t.Errorf("fa summary %q; want the English summary isolated", jonas.Summary)
	}
	// A summary in another language says so, in the card's language.
	for lang, want := range map[string]string{"fa": "(خلاصه به زبان انگلیسی)", "ru": "(описание на языке: английский)", "de": "", "fr": ""} {
		if got := NewCard(jonasCase, CardOptions{Lang: lang, Today: today}).SummaryNote; got != want {
			t.Errorf("%s summary note = %q; want %q", lang, got, want)
		}
	}
	persian := parseOne(t, "id: p\nname: P\ncountry: IR\nstatus: detained\nstatus_as_of: 2026-10\nsummary: {fa: \"خلاصه\"}\n")
	if got := NewCard(persian, CardOptions{Lang: "en", Today: today}); got.Summary != "خلاصه" || got.SummaryNote != "(summary in Persian)" {
		t.Errorf("en card of a Persian summary: %q %q; want the summary and (summary in Persian)", got.Summary, got.SummaryNote)
	}
	if jonasCase.Photo.Credit != "© Example Photo" {
		t.Errorf("the case's photo credit became %q; want it untouched", jonasCase.Photo.Credit)
	}
}
