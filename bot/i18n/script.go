package i18n

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/bidi"
)

// The bidi isolation marks: FSI opens a run whose direction its own first
// strong character decides, PDI closes it. Both are invisible and plain
// text to Telegram's HTML and to Discord.
const (
	fsi = "\u2068"
	pdi = "\u2069"
)

// rtl lists the languages written right to left.
var rtl = map[string]bool{"fa": true}

// RTL reports whether lang is written right to left.
func RTL(lang string) bool { return rtl[lang] }

// Isolate returns s ready to sit inside a text in lang: in a right-to-left
// language, a value that has a left-to-right character (a Latin name, a
// URL, a hashtag) or no right-to-left letter or Persian digit at all (an
// ASCII number, a time) is wrapped in FSI … PDI, so that it neither
// reorders nor is reordered by the text around it. Other languages, an
// empty s and a value in a right-to-left script alone are returned as
// they are.
func Isolate(lang, s string) string {
	if !RTL(lang) || s == "" || strings.HasPrefix(s, fsi) && strings.HasSuffix(s, pdi) {
		return s
	}
	hasL, hasR := false, false
	for _, r := range s {
		if '۰' <= r && r <= '۹' || '٠' <= r && r <= '٩' {
			hasR = true // Persian and Arabic digits belong to the text around them
			continue
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			hasL = true
		case bidi.R, bidi.AL:
			hasR = true
		}
	}
	if hasR && !hasL {
		return s
	}
	return fsi + s + pdi
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
