package cases

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country is an ISO 3166-1 country.
type Country struct {
	Code   string // ISO 3166-1 alpha-2, upper case ("AZ")
	Alpha3 string // ISO 3166-1 alpha-3, upper case ("AZE")
}

// exceptionallyReserved lists the codes ISO 3166-1 only reserves
// exceptionally, which CLDR nevertheless treats as territories.
//
// The countries come from CLDR as bundled in golang.org/x/text: every
// two-letter region for which language.Region.IsCountry is true, that CLDR
// names in English, that is its own canonical form and that is not listed
// here. That drops
//   - groupings and private-use codes (EU, QO, ZZ, AA, QM–QZ, XA–XZ but XK): IsCountry is false;
//   - deprecated codes that CLDR replaces (BU→MM, DD→DE, FX→FR, TP→TL, UK→GB, YD→YE, ZR→CD, …);
//   - withdrawn codes CLDR no longer names (AN, CS, NT, SU, YU, …);
//   - and, by this list, AC, CP, CQ, DG, EA, EU, EZ, IC, TA, UK and UN.
//
// Kosovo (XK) is a user-assigned code, not an ISO 3166-1 assignment, but it is
// what CLDR, the EU and most of the world use for Kosovo, and CLDR names it, so
// it is accepted: Countries has 249 ISO countries plus XK.
var exceptionallyReserved = map[string]bool{
	"AC": true, // Ascension Island (part of SH)
	"CP": true, // Clipperton Island
	"CQ": true, // Sark
	"DG": true, // Diego Garcia
	"EA": true, // Ceuta & Melilla
	"EU": true, // European Union
	"EZ": true, // Eurozone
	"IC": true, // Canary Islands
	"TA": true, // Tristan da Cunha
	"UK": true, // United Kingdom; the country is GB
	"UN": true, // United Nations
}

// extraNames are the few common names the bundled CLDR data lacks: current
// official names it predates, and well-known alternates it does not carry.
// They rank like English names.
var extraNames = map[string][]string{
	"BY": {"Weißrussland", "Белоруссия", "Byelorussia"},
	"CD": {"DR Congo", "DRC", "Democratic Republic of the Congo"},
	"CG": {"Republic of the Congo"},
	"CI": {"Ivory Coast"},
	"CZ": {"Czech Republic"},
	"GB": {"UK", "Great Britain", "Britain"},
	"HK": {"Hong Kong"},
	"MK": {"North Macedonia"},
	"MM": {"Burma"},
	"MO": {"Macau", "Macao"},
	"PS": {"Palestine"},
	"RU": {"Russian Federation"},
	"SZ": {"Eswatini"},
	"TL": {"East Timor"},
	"US": {"United States of America"},
	"VA": {"Vatican", "Holy See"},
}

// majorLanguages are the languages whose country names LookupCountry accepts
// for every country, besides English and each country's own language.
var majorLanguages = []string{"de", "ru", "fr", "es"}

// audienceLanguages are the other languages vigil speaks: their country
// names are accepted for every country too, one rank below the major
// languages, so that a name they share with another country's name in a
// major language does not make that name ambiguous.
var audienceLanguages = []string{"uk", "be", "az", "fa"}

// audienceNames are common names in the audience languages that CLDR
// lacks: Persian calls the Republic of Azerbaijan «جمهوری آذربایجان»
// but people write «آذربایجان».
var audienceNames = map[string][]string{
	"AZ": {"آذربایجان"},
}

// Ranks of lookup keys. When two countries share a folded key, the higher
// rank wins; two countries sharing a key at the same, highest rank make the
// key ambiguous and it is dropped, so LookupCountry reports no match rather
// than guessing. So a code always means its country, an English name beats a
// German, Russian, French, Spanish or own-language name, and those beat names
// in the regional languages of a country.
const (
	rankRegional = iota + 1 // other CLDR languages mainly spoken in the country
	rankAudience            // uk, be, az, fa: the other languages vigil speaks
	rankMajor               // de, ru, fr, es and the country's likely language
	rankEnglish             // CLDR English and extraNames
	rankCode                // alpha-2 and alpha-3
)

// countryTable is what every use of a country needs: the list, codes and
// English names, and the per-language name tables, each built on first
// use of its language. The lookup keys of LookupCountry, names in some
// twenty languages per country, are built on LookupCountry's or
// SuggestCountries's first call: showing a case's country (CountryByCode,
// Name) does not need them.
type countryTable struct {
	list    []Country         // sorted by code
	regions []language.Region // parallel to list
	index   map[string]int    // alpha-2 → position in list
	english []string          // per country: CLDR English name
	codes   [][2]string       // per country: lower-case alpha-2 and alpha-3

	tags    []language.Tag // display.Supported, indexed like langs
	matcher language.Matcher
	langs   []func() *langTable
	enLang  int // English in tags and langs

	lookup func() *lookupTable
}

// lookupTable holds the keys of LookupCountry and SuggestCountries.
type lookupTable struct {
	keys  map[string]int // folded name or code → position, unambiguous only
	names [][]string     // per country: folded names for suggestions
}

// langTable holds the country names in one display language.
type langTable struct {
	names  []string                // per country, English where CLDR has no name
	sorted func() *langSuggestions // built on SuggestCountries's first use
}

// langSuggestions is what SuggestCountries needs of a language beyond
// its names.
type langSuggestions struct {
	folded []string // Fold(names[i])
	order  []int    // country positions sorted by name in the language
}

type keyEntry struct {
	pos, rank int
	ambiguous bool
}

var countries = sync.OnceValue(buildCountries)

func buildCountries() *countryTable {
	t := &countryTable{index: map[string]int{}}
	en := display.Regions(language.English)
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.Canonicalize() != r || exceptionallyReserved[code] {
				continue
			}
			name := en.Name(r)
			if name == "" {
				continue
			}
			t.index[code] = len(t.list)
			t.list = append(t.list, Country{Code: code, Alpha3: r.ISO3()})
			t.regions = append(t.regions, r)
			t.english = append(t.english, name)
			t.codes = append(t.codes, [2]string{strings.ToLower(code), strings.ToLower(r.ISO3())})
		}
	}

	t.tags = display.Supported.Tags()
	t.matcher = language.NewMatcher(t.tags)
	_, t.enLang, _ = t.matcher.Match(language.English)
	t.langs = make([]func() *langTable, len(t.tags))
	for i, tag := range t.tags {
		t.langs[i] = sync.OnceValue(func() *langTable { return t.buildLang(tag) })
	}
	t.lookup = sync.OnceValue(t.buildLookup)
	return t
}

// buildLookup makes the keys of LookupCountry and SuggestCountries: codes
// and names in English, the major and audience languages and each
// country's own languages, ranked.
func (t *countryTable) buildLookup() *lookupTable {
	lt := &lookupTable{}
	// Languages spoken mainly in each country, as CLDR sees it: the likely
	// language of "und-CC", and every display language whose likely region is CC.
	regional := make([][]language.Tag, len(t.list))
	for _, tag := range t.tags {
		if r, conf := tag.Region(); conf != language.No {
			if i, ok := t.index[r.String()]; ok {
				regional[i] = append(regional[i], tag)
			}
		}
	}

	entries := map[string]keyEntry{}
	lt.names = make([][]string, len(t.list))
	add := func(pos, rank int, key string) {
		if key == "" {
			return
		}
		e, ok := entries[key]
		switch {
		case !ok || rank > e.rank:
			entries[key] = keyEntry{pos: pos, rank: rank}
		case rank == e.rank && pos != e.pos:
			e.ambiguous = true
			entries[key] = e
		}
		if rank != rankCode && rank != rankRegional && !slices.Contains(lt.names[pos], key) {
			lt.names[pos] = append(lt.names[pos], key)
		}
	}
	addName := func(pos, rank int, name string) {
		for _, k := range nameKeys(name) {
			add(pos, rank, k)
		}
	}
	major := make([]display.Namer, len(majorLanguages))
	for i, l := range majorLanguages {
		major[i] = display.Regions(language.Make(l))
	}
	audience := make([]display.Namer, len(audienceLanguages))
	for i, l := range audienceLanguages {
		audience[i] = display.Regions(language.Make(l))
	}
	for pos, c := range t.list {
		r := t.regions[pos]
		add(pos, rankCode, t.codes[pos][0])
		add(pos, rankCode, t.codes[pos][1])
		addName(pos, rankEnglish, t.english[pos])
		for _, n := range extraNames[c.Code] {
			addName(pos, rankEnglish, n)
		}
		for _, n := range major {
			addName(pos, rankMajor, n.Name(r))
		}
		for _, n := range audience {
			addName(pos, rankAudience, n.Name(r))
		}
		for _, n := range audienceNames[c.Code] {
			addName(pos, rankAudience, n)
		}
		if n := display.Regions(language.Make("und-" + c.Code)); n != nil {
			addName(pos, rankMajor, n.Name(r))
		}
		for _, tag := range regional[pos] {
			if n := display.Regions(tag); n != nil {
				addName(pos, rankRegional, n.Name(r))
			}
		}
	}
	lt.keys = make(map[string]int, len(entries))
	for k, e := range entries {
		if !e.ambiguous {
			lt.keys[k] = e.pos
		}
	}
	return lt
}

// nameKeys returns the folded lookup keys for a country name: the name itself,
// plus the spellings people type when they lack a letter or a symbol
// (Azerbaijani ə as e, German umlauts as ae/oe/ue, Uzbek ʻ left out, & as
// "and", St. as Saint) and the name without a parenthesised part
// ("Myanmar (Burma)").
func nameKeys(name string) []string {
	if name == "" {
		return nil
	}
	forms := []string{name}
	if strings.ContainsAny(name, "əƏ") {
		forms = append(forms, strings.NewReplacer("ə", "e", "Ə", "E").Replace(name))
	}
	if strings.ContainsAny(name, "äöüÄÖÜ") {
		forms = append(forms, strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue").Replace(name))
	}
	if strings.ContainsAny(name, "ʻʼ") {
		forms = append(forms, strings.NewReplacer("ʻ", "", "ʼ", "").Replace(name)) // Oʻzbekiston
	}
	if strings.Contains(name, "&") {
		forms = append(forms, strings.ReplaceAll(name, "&", " and "))
	}
	if strings.HasPrefix(name, "St. ") {
		forms = append(forms, "Saint "+name[len("St. "):])
	}
	if i := strings.IndexByte(name, '('); i > 0 {
		if j := strings.IndexByte(name[i:], ')'); j > 0 {
			forms = append(forms, name[:i]+name[i+j+1:])
		}
	}
	keys := make([]string, 0, len(forms))
	for _, f := range forms {
		if k := Fold(f); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func (t *countryTable) buildLang(tag language.Tag) *langTable {
	lt := &langTable{names: make([]string, len(t.list))}
	namer := display.Regions(tag)
	for i, r := range t.regions {
		name := ""
		if namer != nil {
			name = namer.Name(r)
		}
		if name == "" {
			name = t.english[i]
		}
		lt.names[i] = name
	}
	lt.sorted = sync.OnceValue(func() *langSuggestions {
		ls := &langSuggestions{folded: make([]string, len(lt.names)), order: make([]int, len(lt.names))}
		for i, name := range lt.names {
			ls.folded[i] = Fold(name)
			ls.order[i] = i
		}
		col := collate.New(tag, collate.Loose)
		slices.SortStableFunc(ls.order, func(a, b int) int {
			return col.CompareString(lt.names[a], lt.names[b])
		})
		return ls
	})
	return lt
}

// lang returns the country names in the display language closest to lang,
// or in English when CLDR has no such language.
func (t *countryTable) lang(lang string) *langTable {
	if tag, err := language.Parse(lang); err == nil {
		if _, i, conf := t.matcher.Match(tag); conf != language.No {
			return t.langs[i]()
		}
	}
	return t.langs[t.enLang]()
}

// LookupCountry resolves a user's input to a country: an ISO alpha-2 or
// alpha-3 code, or the country's name in English, German, Russian, French,
// Spanish, Ukrainian, Belarusian, Azerbaijani, Persian, or the country's
// own main language(s), case- and accent-insensitively ("AZ", "az", "AZE",
// "Azerbaijan", "Aserbaidschan", "Азербайджан", "Azərbaycan", "azerbaycan",
// "Іран", "آذربایجان"); ok is false when nothing
// matches or the input names more than one country.
func LookupCountry(s string) (Country, bool) {
	t := countries()
	keys := t.lookup().keys
	k := Fold(s)
	pos, ok := keys[k]
	if !ok {
		// "the Netherlands", "The Gambia"
		if rest, cut := strings.CutPrefix(k, "the "); cut {
			pos, ok = keys[rest]
		}
	}
	if !ok {
		return Country{}, false
	}
	return t.list[pos], true
}

// CountryByCode returns the country for an ISO 3166-1 alpha-2 code in any
// case; ok is false unless the code is an assigned country (or XK, Kosovo).
func CountryByCode(code string) (Country, bool) {
	if len(code) != 2 {
		return Country{}, false
	}
	t := countries()
	pos, ok := t.index[strings.ToUpper(code)]
	if !ok {
		return Country{}, false
	}
	return t.list[pos], true
}

// Name returns the country's name in the language tag lang ("en", "de",
// "ru", "pt-BR", …), falling back to English when CLDR has none, and "" for
// a Country not returned by this package.
func (c Country) Name(lang string) string {
	t := countries()
	pos, ok := t.index[c.Code]
	if !ok {
		return ""
	}
	return t.lang(lang).names[pos]
}

// Countries returns every assigned country, and Kosovo (XK), sorted by code.
func Countries() []Country {
	return slices.Clone(countries().list)
}

// Suggestion tiers, best first.
const (
	tierCode       = iota // input is the alpha-2 or alpha-3 code
	tierPrefix            // the name in lang or English starts with the input
	tierAltPrefix         // another known name, or a code, starts with the input
	tierWordPrefix        // a later word of a name starts with the input
	tierContains          // a name contains the input
	tierFuzzy             // a name starts, at some word, with the input give or take a typo
	numTiers
)

// SuggestCountries returns up to limit countries whose name (in lang or
// English, or any other name LookupCountry knows) or code starts with, or
// fuzzily contains, the input — best matches first, ties in name order — for
// Discord's /subscribe autocomplete; empty input gives the first limit
// countries by name in lang.
func SuggestCountries(input, lang string, limit int) []Country {
	if limit <= 0 {
		return nil
	}
	t := countries()
	lt := t.lang(lang).sorted()
	en := t.langs[t.enLang]().sorted()
	names := t.lookup().names
	q := Fold(input)
	if q == "" {
		out := make([]Country, 0, min(limit, len(lt.order)))
		for _, pos := range lt.order[:min(limit, len(lt.order))] {
			out = append(out, t.list[pos])
		}
		return out
	}

	var tiers [numTiers][]int
	matched := make([]bool, len(t.list))
	n := 0 // matches so far, none of them fuzzy
	for _, pos := range lt.order {
		codes := t.codes[pos]
		tier := numTiers
		switch {
		case q == codes[0] || q == codes[1]:
			tier = tierCode
		case strings.HasPrefix(lt.folded[pos], q) || strings.HasPrefix(en.folded[pos], q):
			tier = tierPrefix
		case strings.HasPrefix(codes[0], q) || strings.HasPrefix(codes[1], q):
			tier = tierAltPrefix
		default:
			for _, name := range names[pos] {
				tier = min(tier, matchTier(name, q))
			}
			tier = min(tier, matchTier(lt.folded[pos], q))
		}
		if tier < numTiers {
			tiers[tier] = append(tiers[tier], pos)
			matched[pos] = true
			n++
		}
	}
	if n < limit && utf8.RuneCountInString(q) >= 4 {
		for _, pos := range lt.order {
			if matched[pos] {
				continue
			}
			if fuzzyPrefix(lt.folded[pos], q) || slices.ContainsFunc(names[pos], func(name string) bool { return fuzzyPrefix(name, q) }) {
				tiers[tierFuzzy] = append(tiers[tierFuzzy], pos)
			}
		}
	}
	out := make([]Country, 0, min(limit, n+len(tiers[tierFuzzy])))
	for _, tier := range tiers {
		for _, pos := range tier {
			if len(out) == limit {
				return out
			}
			out = append(out, t.list[pos])
		}
	}
	return out
}

// matchTier ranks how the folded name matches the folded query q, excluding
// fuzzy matches; numTiers means no match.
func matchTier(name, q string) int {
	switch i := strings.Index(name, q); {
	case i == 0:
		return tierAltPrefix
	case i < 0:
		return numTiers
	case name[i-1] == ' ':
		return tierWordPrefix
	}
	if strings.Contains(name, " "+q) {
		return tierWordPrefix
	}
	return tierContains
}

// fuzzyPrefix reports whether some word of the folded name starts with q
// give or take one typo (two for queries of eight letters or more): a wrong,
// missing, extra or swapped letter.
func fuzzyPrefix(name, q string) bool {
	qr := []rune(q)
	maxEdits := 1
	if len(qr) >= 8 {
		maxEdits = 2
	}
	nr := []rune(name)
	for start := 0; start < len(nr); start++ {
		if start > 0 && nr[start-1] != ' ' {
			continue
		}
		for l := len(qr) - maxEdits; l <= len(qr)+maxEdits; l++ {
			if l <= 0 || start+l > len(nr) {
				continue
			}
			if editDistance(qr, nr[start:start+l]) <= maxEdits {
				return true
			}
		}
	}
	return false
}

// editDistance is the optimal-string-alignment distance between a and b:
// substitutions, insertions, deletions and adjacent transpositions.
func editDistance(a, b []rune) int {
	// rows i-2, i-1 and i of the usual dynamic programme.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
