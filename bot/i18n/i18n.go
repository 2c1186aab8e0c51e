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

	"github.com/vigil-bot/vigil/cases"
)

// Args are the named values of a message's placeholders: Args{"Name": n}
// fills {{.Name}}.
type Args map[string]any

// std is the catalogue of the embedded locale files, loaded once.
var std = mustLoad(locales)

// Languages lists the languages with a catalogue, the fallback (English)
// first.
var Languages = std.languages

// Supported reports whether lang has its own catalogue.
func Supported(lang string) bool {
	_, ok := std.localizers[lang]
	return ok
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

// Date formats d at its precision: "2018", "February 2021",
// "14 February 2021" in English; "2018", "Februar 2021", "14. Februar
// 2021" in German.
func Date(lang string, d cases.Date) string {
	switch d.Precision() {
	case cases.PrecisionYear:
		return strconv.Itoa(d.Year)
	case cases.PrecisionMonth:
		return F(lang, "date.month", Args{"Month": monthName(lang, int(d.Month)), "Year": d.Year})
	case cases.PrecisionDay:
		return F(lang, "date.day", Args{"Day": d.Day, "Month": monthName(lang, int(d.Month)), "Year": d.Year})
	}
	return ""
}

func monthName(lang string, m int) string {
	names := strings.Split(T(lang, "months"), ",")
	if m < 1 || m > len(names) {
		return strconv.Itoa(m)
	}
	return names[m-1]
}

// Status returns the status's name in lang.
func Status(lang string, s cases.Status) string {
	return T(lang, "status."+string(s))
}

// ActionKind returns a call to action kind's name in lang.
func ActionKind(lang string, k cases.ActionKind) string {
	return T(lang, "action."+string(k))
}

// List joins items as a list in running text.
func List(lang string, items []string) string {
	return strings.Join(items, T(lang, "list.sep"))
}
