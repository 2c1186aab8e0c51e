// Package i18n is vigil's message catalogue: every user-facing string of
// cards, replies and posts, one YAML file per language under locales/
// (en.yaml explains the format to translators), with CLDR plural rules
// through go-i18n and date and status formatting that keeps a partial
// date at its precision ("February 2021", "Februar 2021"). A language
// without a catalogue falls back to English, and so does a message a
// catalogue lacks.
//
// It imports only the cases package and libraries.
package i18n

import (
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/vigil-bot/vigil/cases"
)

// Args are the named values of a message's placeholders: Args{"Name": n}
// fills {{.Name}}.
type Args map[string]any

// std is the catalogue of the embedded locale files, each parsed on
// first use of its language (see LoadAll).
var std = mustLoad(locales)

// Languages lists the languages with a catalogue, the fallback (English)
// first.
var Languages = std.languages

// Supported reports whether lang has its own catalogue.
func Supported(lang string) bool {
	_, ok := std.files[lang]
	return ok
}

// LoadAll parses every language's catalogue now rather than on its first
// use, so that a long-running process (the daemon) pays for them at
// start and a malformed file (a bug of the build) shows at once. One-shot
// commands need not call it: a language's catalogue, and English's as its
// fallback, is parsed when a message in that language is first asked for.
func LoadAll() error {
	return std.loadAll()
}

// Loaded returns the languages whose catalogues have been parsed so far,
// in the order of Languages. It is for tests and diagnostics: a command
// that answers in one language should have loaded that language and
// English only.
func Loaded() []string {
	return std.loaded()
}

// T returns the message id in lang, a message without placeholders. It
// falls back to English when lang has no catalogue or lacks the message,
// and to id itself when English lacks it too.
func T(lang, id string) string {
	return std.localize(lang, id, nil, nil)
}

// F returns the message id in lang with its named placeholders filled
// from args, falling back like T.
func F(lang, id string, args Args) string {
	return std.localize(lang, id, args, nil)
}

// N returns the counted message id in lang in the plural form that lang's
// CLDR rule picks for count, with {{.Count}} set to count and the other
// placeholders filled from args (which may be nil). It falls back like T.
func N(lang, id string, count int, args Args) string {
	return std.count(lang, id, count, args)
}

// DateForm is the grammatical form a date takes in the sentence around
// it. Each language's catalogue writes every form (keys date.* and
// months*), so that a date can read "ноября 2021 г." after "с" and
// "2021-ci ilin noyabrından" where Azerbaijani says "from" with a case
// ending.
type DateForm int

const (
	// Standalone is a date on its own: a card field, after "as of"
	// ("February 2021", ru "февраль 2021 г.", "14 февраля 2021 г.").
	Standalone DateForm = iota
	// From is a date after the message's "from" or "since" (ru "с",
	// uk/be "з"): ru "ноября 2021 г."; in Azerbaijani, which has no such
	// word, the ablative itself ("2021-ci ilin noyabrından").
	From
	// Until is a date after the message's "to" (ru "по", uk "по", be
	// "па"); in Azerbaijani the terminative ("2022-ci ilin yanvarınadək").
	Until
	// In is a date as a time adverbial with its preposition: "in
	// February 2021", "on 14 February 2021", ru "в феврале 2021 г.".
	In
)

// dateKeys are the catalogue keys of a form: its suffix of the date.*
// templates and its list of month names for a date without a day.
var dateKeys = map[DateForm]struct{ suffix, months string }{
	Standalone: {"", "months"},
	From:       {".from", "months.from"},
	Until:      {".until", "months.until"},
	In:         {".in", "months.in"},
}

// Date formats d standalone at its precision: "2018", "February 2021",
// "14 February 2021" in English; "2018", "Februar 2021", "14. Februar
// 2021" in German; "2018 г.", "февраль 2021 г.", "14 февраля 2021 г." in
// Russian. It never shows a day or month the record does not have.
func Date(lang string, d cases.Date) string {
	return DateAs(lang, d, Standalone)
}

// DateAs formats d at its precision in the grammatical form the sentence
// needs, with the catalogue's templates date.year, date.month and
// date.day (with the form's suffix, e.g. date.month.from) and month names
// (months for a standalone month, months.from, months.until, months.in
// for a month without a day in the other forms, months.day after a
// day). It returns "" for a zero date.
func DateAs(lang string, d cases.Date, form DateForm) string {
	k, ok := dateKeys[form]
	if !ok {
		k = dateKeys[Standalone]
	}
	switch d.Precision() {
	case cases.PrecisionYear:
		return F(lang, "date.year"+k.suffix, Args{"Year": d.Year})
	case cases.PrecisionMonth:
		return F(lang, "date.month"+k.suffix, Args{"Month": monthName(lang, k.months, int(d.Month)), "Year": d.Year})
	case cases.PrecisionDay:
		return F(lang, "date.day"+k.suffix, Args{"Day": d.Day, "Month": monthName(lang, "months.day", int(d.Month)), "Year": d.Year})
	}
	return ""
}

// monthName returns month m from the comma-separated list key of lang.
func monthName(lang, key string, m int) string {
	names := strings.Split(T(lang, key), ",")
	if m < 1 || m > len(names) {
		return strconv.Itoa(m)
	}
	return strings.TrimSpace(names[m-1])
}

// LanguageName returns the name of the language code in lang, as CLDR
// writes it in running text (x/text): "English", "Englisch",
// "английский", "انگلیسی"; code itself when CLDR has no name for it.
func LanguageName(lang, code string) string {
	namer := display.Languages(language.Make(lang))
	if namer == nil {
		namer = display.Languages(language.English)
	}
	if n := namer.Name(language.Make(code)); n != "" {
		return n
	}
	return code
}

// Status returns the status's name in lang.
func Status(lang string, s cases.Status) string {
	return T(lang, "status."+string(s))
}

// ActionKind returns a call to action kind's name in lang.
func ActionKind(lang string, k cases.ActionKind) string {
	return T(lang, "action."+string(k))
}

// List joins items as a list in running text, with lang's comma
// (list.sep: ", ", Persian "، "). In a right-to-left language each item
// is isolated (Isolate), so that a list of Latin items reads from right
// to left, item by item, around the Persian commas.
func List(lang string, items []string) string {
	return join(lang, items, "list.sep")
}

// ListLong joins items that have commas of their own (hunger strikes,
// sources) with lang's semicolon (list.semi: "; ", Persian "؛ "),
// isolated like List's.
func ListLong(lang string, items []string) string {
	return join(lang, items, "list.semi")
}

func join(lang string, items []string, key string) string {
	if RTL(lang) {
		iso := make([]string, len(items))
		for i, it := range items {
			iso[i] = Isolate(lang, it)
		}
		items = iso
	}
	return strings.Join(items, T(lang, key))
}
