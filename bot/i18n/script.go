package i18n

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/bidi"
)

// The bidi isolation marks: FSI opens a run whose direction its own first
// strong character decides, LRI and RLI one of a fixed direction, PDI
// closes it. RLM is an invisible right-to-left letter that gives a line
// its direction. All are invisible and plain text to Telegram's HTML and
// to Discord.
const (
	lri = "\u2066"
	rli = "\u2067"
	fsi = "\u2068"
	pdi = "\u2069"
	rlm = "\u200f"
)

// The same marks as runes.
const (
	lriRune = '\u2066'
	rliRune = '\u2067'
	fsiRune = '\u2068'
	pdiRune = '\u2069'
)

// rtl lists the languages written right to left.
var rtl = map[string]bool{"fa": true}

// RTL reports whether lang is written right to left.
func RTL(lang string) bool { return rtl[lang] }

// direction is what a text's strong characters say about its direction.
type direction struct {
	hasL, hasR bool       // left-to-right and right-to-left text outside the isolates in it
	isolates   bool       // it has isolates (FSI, LRI, RLI … PDI)
	outer      bidi.Class // the first strong character outside isolates: L, R or (none) ON
	first      bidi.Class // the first strong character anywhere: L, R or ON
}

// scan reads s's strong characters as the Unicode bidi algorithm does
// (rule P2): the text inside an isolate does not count for the text
// around it. Persian and Arabic digits count as right-to-left text
// (hasR), as they are written only there, but are not strong: a line
// that begins "+۴" has no direction of its own.
func scan(s string) direction {
	d := direction{outer: bidi.ON, first: bidi.ON}
	depth := 0
	for _, r := range s {
		switch r {
		case fsiRune, lriRune, rliRune:
			depth++
			d.isolates = true
			continue
		case pdiRune:
			if depth > 0 {
				depth--
			}
			continue
		}
		if '۰' <= r && r <= '۹' || '٠' <= r && r <= '٩' {
			// Not strong for the bidi algorithm, but written only in
			// right-to-left text.
			d.hasR = d.hasR || depth == 0
			continue
		}
		class := bidi.ON
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.L {
			class = bidi.L
		} else if p.Class() == bidi.R || p.Class() == bidi.AL {
			class = bidi.R
		}
		if class == bidi.ON {
			continue
		}
		if d.first == bidi.ON {
			d.first = class
		}
		if depth > 0 {
			continue
		}
		if d.outer == bidi.ON {
			d.outer = class
		}
		d.hasL = d.hasL || class == bidi.L
		d.hasR = d.hasR || class == bidi.R
	}
	return d
}

// isolated reports whether s is one isolate: an FSI, LRI or RLI at its
// start whose PDI is its last character.
func isolated(s string) bool {
	if !strings.HasSuffix(s, pdi) || !(strings.HasPrefix(s, fsi) || strings.HasPrefix(s, lri) || strings.HasPrefix(s, rli)) {
		return false
	}
	depth := 0
	for i, r := range s {
		switch r {
		case fsiRune, lriRune, rliRune:
			depth++
		case pdiRune:
			depth--
			if depth == 0 {
				return i+len(pdi) == len(s)
			}
		}
	}
	return false
}

// Isolate returns s ready to sit inside a text in lang: in a right-to-left
// language, a value that has a left-to-right character (a Latin name, a
// URL, a hashtag) or no right-to-left letter or Persian digit at all (an
// ASCII number, a time) is wrapped in FSI … PDI, so that it neither
// reorders nor is reordered by the text around it. Other languages, an
// empty s, a value in a right-to-left script alone and one whose Latin
// parts are isolated already (a list made by List) are returned as they
// are.
func Isolate(lang, s string) string {
	if !RTL(lang) || s == "" || isolated(s) {
		return s
	}
	d := scan(s)
	if !d.hasL && (d.hasR || d.isolates) {
		return s
	}
	return fsi + s + pdi
}

// LineMark returns what a line of text in lang needs at its start to run
// in lang's direction: in a right-to-left language, a right-to-left mark
// (RLM) for a line that does not begin with a right-to-left letter, such
// as "• ⁨Report⁩" or "⁨Saleh Rustamov⁩ (آذربایجان)", whose direction a
// client would otherwise take from the Latin text or guess. A line that
// is Latin outside its isolates (an English text as written) keeps its
// own direction, and so does every line in other languages: for them
// LineMark returns "".
func LineMark(lang, line string) string {
	if !RTL(lang) || strings.TrimSpace(line) == "" || strings.HasPrefix(line, rlm) {
		return ""
	}
	d := scan(line)
	if d.first == bidi.R || d.outer == bidi.L {
		return ""
	}
	return rlm
}

// Align returns s with each of its lines given the mark LineMark says it
// needs, so that in a right-to-left language every line of a card or a
// reply runs right to left, whatever value it starts with.
func Align(lang, s string) string {
	if !RTL(lang) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = LineMark(lang, l) + l
	}
	return strings.Join(lines, "\n")
}

// Unclosed returns how many isolates s opens and does not close, as a
// text cut to a length limit may: the caller closes them with as many
// PDIs, lest the isolate run on into what follows.
func Unclosed(s string) int {
	depth := 0
	for _, r := range s {
		switch r {
		case fsiRune, lriRune, rliRune:
			depth++
		case pdiRune:
			depth = max(0, depth-1)
		}
	}
	return depth
}

// Close returns s with the isolates it leaves open closed (see Unclosed).
func Close(s string) string {
	return s + strings.Repeat(pdi, Unclosed(s))
}

// persianDigits maps ASCII digits to Extended Arabic-Indic (Persian) ones.
var persianDigits = strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴",
	"5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹")

// Number writes n as lang's readers expect it in running text: Persian
// digits in fa ("۴۱"), ASCII digits elsewhere.
func Number(lang string, n int) string {
	s := strconv.Itoa(n)
	if lang == "fa" {
		return persianDigits.Replace(s)
	}
	return s
}

// Azerbaijani attaches suffixes to a number written in digits with a
// hyphen ("2021-ci il", "8-ci gün"), and the suffix's vowel follows the
// number as it is spoken: 2021 "iki min iyirmi bir" gives "2021-ci",
// 2026 "… altı" "2026-cı", 2019 "… doqquz" "2019-cu", 2023 "… üç"
// "2023-cü". Translators write "-ci" after a number placeholder; the
// number is marked while the message is filled and the suffix fixed
// after.
const (
	azMark    = "\uE000" // opens a substituted number (a private-use character)
	azMarkEnd = "\uE001" // closes it
)

var azOrdinal = regexp.MustCompile(azMark + `([0-9]+)` + azMarkEnd + `(-c[iıuü])?`)

// azOrdinalSuffix returns the ordinal suffix of n ("-ci", "-cı", "-cu",
// "-cü"), whose vowel harmonizes with the last vowel of n's last spoken
// word.
func azOrdinalSuffix(n int) string {
	// The last vowel of each number word, harmonized to i, ı, u or ü.
	units := [10]string{"", "i", "i", "ü", "ü", "i", "ı", "i", "i", "u"} // bir iki üç dörd beş altı yeddi səkkiz doqquz
	tens := [10]string{"", "u", "i", "u", "ı", "i", "ı", "i", "i", "ı"}  // on iyirmi otuz qırx əlli altmış yetmiş səksən doxsan
	if n < 0 {
		n = -n
	}
	v := "ı" // sıfır
	switch {
	case n == 0:
	case n%10 != 0:
		v = units[n%10]
	case n%100 != 0:
		v = tens[n/10%10]
	case n%1000 != 0:
		v = "ü" // yüz
	case n%1_000_000 != 0:
		v = "i" // min
	default:
		v = "u" // milyon
	}
	return "-c" + v
}

// azNumber marks n for azFix.
func azNumber(n int) string { return azMark + strconv.Itoa(n) + azMarkEnd }

// azFix removes the marks of azNumber and gives an ordinal suffix right
// after a marked number the vowel the number needs.
func azFix(s string) string {
	if !strings.Contains(s, azMark) {
		return s
	}
	return azOrdinal.ReplaceAllStringFunc(s, func(m string) string {
		sub := azOrdinal.FindStringSubmatch(m)
		if sub[2] == "" {
			return sub[1]
		}
		n, _ := strconv.Atoi(sub[1])
		return sub[1] + azOrdinalSuffix(n)
	})
}

// prepare returns data ready for a message in lang: numbers in lang's
// digits (marked for Azerbaijani suffixes), and in a right-to-left
// language every text value isolated (see Isolate).
func prepare(lang string, data Args) Args {
	if data == nil || lang != "fa" && lang != "az" {
		return data
	}
	out := make(Args, len(data))
	for k, v := range data {
		switch v := v.(type) {
		case int:
			if lang == "az" {
				out[k] = azNumber(v)
			} else {
				out[k] = Number(lang, v)
			}
		case string:
			out[k] = Isolate(lang, v)
		default:
			out[k] = v
		}
	}
	return out
}
