package cases

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// special maps lower-case letters that do not decompose into a Latin base
// letter plus combining marks, and Cyrillic letters, to their Latin
// fold. Cyrillic follows a plain, reversible-enough romanisation so that
// "Рустамов" folds like "Rustamov".
var special = map[rune]string{
	// Latin letters without a decomposition.
	'ə': "a", 'ı': "i", 'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'þ': "th",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ħ': "h", 'ŧ': "t", 'ŋ': "n",
	// Russian, Ukrainian, Belarusian and the Azerbaijani/Kazakh Cyrillic extras.
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u",
	'ә': "a", 'ғ': "g", 'ҝ': "g", 'ҹ': "j", 'һ': "h", 'ө': "o", 'ү': "u",
	'ұ': "u", 'қ': "k", 'ң': "n", 'ј': "j",
}

// Fold reduces s to a comparison key: lower case, accents and
// script-specific letters mapped to plain Latin, every run of other
// characters collapsed to one space, no leading or trailing space.
// Invisible formatting characters (Unicode Cf: zero-width spaces and
// joiners, direction marks and overrides, soft hyphens) are dropped, so
// that "r\u200bustamov" and "\u202erustamov" fold like "rustamov".
// "Rüstəmov", "rustamov" and "Рустамов" all fold to "rustamov".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading space
	for _, r := range s {
		if r >= 0x80 && unicode.Is(unicode.Cf, r) {
			continue
		}
		r = unicode.ToLower(r)
		if r < 0x80 {
			if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
				b.WriteRune(r)
				space = false
			} else if r == '\'' || r == '’' {
				// Apostrophes inside names (O'Brien) join, not split.
			} else if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		if m, ok := special[r]; ok {
			b.WriteString(m)
			space = space && m == ""
			continue
		}
		wrote := false
		for _, d := range norm.NFD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue
			}
			if unicode.IsLetter(d) || unicode.IsDigit(d) {
				b.WriteRune(unicode.ToLower(d))
				wrote = true
			}
		}
		if wrote {
			space = false
		} else if !unicode.Is(unicode.Mn, r) && r != '’' && !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}
