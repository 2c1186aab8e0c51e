package benchutil

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// The generator makes fictional people only: every name is assembled from
// random syllables.
var (
	genOnsets   = []string{"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "ch", "j", "y", ""}
	genVowels   = []string{"a", "e", "i", "o", "u", "a", "e", "i", "a"}
	genCodas    = []string{"", "", "", "", "n", "r", "l", "m", "s", "t", "z"}
	genSuffixes = []string{"ov", "ova", "ev", "eva", "li", "zade", "yan", "enko", "ski", "ska", "adze", "uly", "in", "ina", ""}
	genPatrons  = []string{"ovich", "ovna", "ogly", "kyzy"}

	// genCyr transliterates the generator's Latin spellings to Cyrillic;
	// digraphs first. Fold maps some letters back differently (х → kh),
	// as real transliteration does.
	genCyr = strings.NewReplacer(
		"sh", "ш", "kh", "х", "ch", "ч", "zh", "ж", "ya", "я", "yu", "ю",
		"a", "а", "b", "б", "d", "д", "e", "е", "f", "ф", "g", "г", "h", "х",
		"i", "и", "j", "дж", "k", "к", "l", "л", "m", "м", "n", "н", "o", "о",
		"p", "п", "r", "р", "s", "с", "t", "т", "u", "у", "v", "в", "y", "й",
		"z", "з",
	)
	// genAlt gives another plausible Latin spelling.
	genAlt = strings.NewReplacer("kh", "h", "ov", "ow", "ev", "ew", "sh", "sch", "y", "i", "j", "dzh", "ch", "tch")
	// genAccent marks letters the way Azerbaijani and other Latin
	// alphabets do; every mark folds back to the plain letter.
	genAccent = map[byte]string{'a': "ə", 'o': "ö", 'u': "ü", 's': "ş", 'c': "ç", 'g': "ğ", 'i': "ı", 'e': "é"}
)

// Person is a generated fictional case: a unique slug id, a display name
// and other spellings of it.
type Person struct {
	ID, Name string
	Aliases  []string
}

func genWord(r *rand.Rand, syllables int) string {
	var b strings.Builder
	for range syllables {
		b.WriteString(genOnsets[r.IntN(len(genOnsets))])
		b.WriteString(genVowels[r.IntN(len(genVowels))])
		b.WriteString(genCodas[r.IntN(len(genCodas))])
	}
	return b.String()
}

func genCapitalise(w string) string {
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

func genAccentify(r *rand.Rand, s string) string {
	var b strings.Builder
	for i := range len(s) {
		if m, ok := genAccent[s[i]]; ok && r.IntN(3) == 0 {
			if s[i] == 'i' && i > 0 && s[i-1] == ' ' {
				b.WriteByte(s[i]) // capital I has no dotless form here
				continue
			}
			b.WriteString(m)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// People deterministically generates n fictional people: 2–3 word names,
// given names skewed so a few are very common (as in real registers), some
// accented display names, Latin and Cyrillic aliases, and unique slug ids.
// The same n and seed always give the same people.
func People(n int, seed uint64) []Person {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	given := make([]string, 1500)
	for i := range given {
		given[i] = genWord(r, 2+r.IntN(2))
	}
	surnames := make([]string, 40000)
	for i := range surnames {
		surnames[i] = genWord(r, 1+r.IntN(3)) + genSuffixes[r.IntN(len(genSuffixes))]
	}
	pick := func(pool []string, skew float64) string {
		u := r.Float64()
		return pool[int(float64(len(pool))*math.Pow(u, skew))]
	}
	seen := map[string]int{}
	out := make([]Person, n)
	for i := range out {
		words := []string{pick(given, 2)}
		if r.IntN(10) < 3 {
			words = append(words, pick(given, 2)+genPatrons[r.IntN(len(genPatrons))])
		}
		words = append(words, pick(surnames, 1.5))
		for j := range words {
			words[j] = genCapitalise(words[j])
		}
		ascii := strings.Join(words, " ")
		name := ascii
		if r.IntN(5) == 0 {
			name = genAccentify(r, ascii)
		}
		var aliases []string
		if r.IntN(4) == 0 {
			aliases = append(aliases, genCyr.Replace(strings.ToLower(ascii)))
		}
		if r.IntN(7) == 0 {
			aliases = append(aliases, genAlt.Replace(ascii))
		}
		if r.IntN(20) == 0 {
			aliases = append(aliases, genCapitalise(pick(given, 1)))
		}
		id := strings.ReplaceAll(strings.ToLower(ascii), " ", "-")
		seen[id]++
		if k := seen[id]; k > 1 {
			id = fmt.Sprintf("%s-%d", id, k)
		}
		out[i] = Person{ID: id, Name: name, Aliases: aliases}
	}
	return out
}

// Cyrillic transliterates a lower-case name of the generator's Latin
// letters to Cyrillic, as people type it.
func Cyrillic(s string) string { return genCyr.Replace(s) }

// Typo applies one random edit to w, of at least two bytes: substitution, deletion,
// insertion or transposition.
func Typo(r *rand.Rand, w string) string {
	b := []byte(w)
	i := r.IntN(len(b))
	c := byte('a' + r.IntN(26))
	switch r.IntN(4) {
	case 0:
		if b[i] == c {
			c = 'q'
		}
		b[i] = c
	case 1:
		b = slices.Delete(b, i, i+1)
	case 2:
		b = slices.Insert(b, i, c)
	default:
		if i == len(b)-1 {
			i--
		}
		b[i], b[i+1] = b[i+1], b[i]
	}
	return string(b)
}
