// Package i18n is vigil's message catalogue: every user-facing string of
// cards, replies and posts, in English and German, with date and status
// formatting that keeps a partial date at its precision ("February 2021",
// "Februar 2021"). Languages without a catalogue fall back to English.
//
// It imports only the cases package.
package i18n

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-bot/vigil/cases"
)

// Languages lists the languages with a complete catalogue, the fallback
// first.
var Languages = []string{"en", "de"}

// Key names one message of the catalogue.
type Key string

// catalogues maps a language to its messages. Arguments are positional
// fmt verbs (%[1]s), so a translation may reorder them.
var catalogues = map[string]map[Key]string{"en": en, "de": de}

// Supported reports whether lang has its own catalogue.
func Supported(lang string) bool {
	_, ok := catalogues[lang]
	return ok
}

// T returns the message key in lang (English if lang has no catalogue or
// lacks the key) with args formatted in.
func T(lang string, key Key, args ...any) string {
	msg, ok := catalogues[lang][key]
	if !ok {
		msg, ok = en[key]
	}
	if !ok {
		return string(key)
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Date formats d at its precision: "2018", "February 2021",
// "14 February 2021" in English; "2018", "Februar 2021", "14. Februar
// 2021" in German.
func Date(lang string, d cases.Date) string {
	switch d.Precision() {
	case cases.PrecisionYear:
		return strconv.Itoa(d.Year)
	case cases.PrecisionMonth:
		return T(lang, "date.month", monthName(lang, int(d.Month)), d.Year)
	case cases.PrecisionDay:
		return T(lang, "date.day", d.Day, monthName(lang, int(d.Month)), d.Year)
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
	return T(lang, Key("status."+string(s)))
}

// ActionKind returns a call to action kind's name in lang.
func ActionKind(lang string, k cases.ActionKind) string {
	return T(lang, Key("action."+string(k)))
}

// List joins items as a list in running text.
func List(lang string, items []string) string {
	return strings.Join(items, T(lang, "list.sep"))
}
