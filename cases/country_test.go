package cases

import (
	"cmp"
	"slices"
	"sync"
	"testing"
)

func TestLookupCountry(t *testing.T) {
	tests := []struct{ in, want string }{
		// Azerbaijan, every way the brief lists and then some.
		{"AZ", "AZ"},
		{"az", "AZ"},
		{"AZE", "AZ"},
		{"aze", "AZ"},
		{"Azerbaijan", "AZ"},
		{"azerbaijan", "AZ"},
		{"AZERBAIJAN", "AZ"},
		{"  Azerbaijan ", "AZ"},
		{"Aserbaidschan", "AZ"},
		{"Азербайджан", "AZ"},
		{"азербайджан", "AZ"},
		{"azerbaydzhan", "AZ"},
		{"Azərbaycan", "AZ"},
		{"AZƏRBAYCAN", "AZ"},
		{"azerbaycan", "AZ"},
		{"Azarbaycan", "AZ"},
		{"Azerbaïdjan", "AZ"},
		{"Azerbaiyán", "AZ"},
		// Germany.
		{"Deutschland", "DE"},
		{"deutschland", "DE"},
		{"Germany", "DE"},
		{"DEU", "DE"},
		{"de", "DE"},
		{"Allemagne", "DE"},
		{"Alemania", "DE"},
		{"Германия", "DE"},
		// Russia.
		{"Russland", "RU"},
		{"Россия", "RU"},
		{"rossiya", "RU"},
		{"Russia", "RU"},
		{"Russian Federation", "RU"},
		{"RUS", "RU"},
		// Turkey.
		{"Türkiye", "TR"},
		{"turkiye", "TR"},
		{"Turkey", "TR"},
		{"Türkei", "TR"},
		{"Turkei", "TR"},
		{"Tuerkei", "TR"},
		{"Турция", "TR"},
		// Iran.
		{"Iran", "IR"},
		{"Иран", "IR"},
		{"ایران", "IR"},
		// Belarus: CLDR de says "Belarus"; the older names are extras.
		{"Belarus", "BY"},
		{"Беларусь", "BY"},
		{"Weißrussland", "BY"},
		{"Weissrussland", "BY"},
		{"Белоруссия", "BY"},
		// Georgia.
		{"Georgia", "GE"},
		{"Georgien", "GE"},
		{"Géorgie", "GE"},
		{"Грузия", "GE"},
		{"საქართველო", "GE"},
		// Saudi Arabia.
		{"Saudi Arabia", "SA"},
		{"Saudi-Arabien", "SA"},
		{"Arabie saoudite", "SA"},
		{"Arabia Saudí", "SA"},
		// Own languages, including regional ones.
		{"Magyarország", "HU"},
		{"Sverige", "SE"},
		{"Україна", "UA"},
		{"Қазақстан", "KZ"},
		{"Кыргызстан", "KG"},
		{"Oʻzbekiston", "UZ"},
		{"O'zbekiston", "UZ"},
		{"Crna Gora", "ME"},
		{"Srbija", "RS"},
		{"Србија", "RS"},
		{"中国", "CN"},
		// Derived spellings and extras.
		{"United Kingdom", "GB"},
		{"UK", "GB"},
		{"Great Britain", "GB"},
		{"the Netherlands", "NL"},
		{"The Gambia", "GM"},
		{"Bosnia & Herzegovina", "BA"},
		{"Bosnia and Herzegovina", "BA"},
		{"Côte d’Ivoire", "CI"},
		{"Cote d'Ivoire", "CI"},
		{"Ivory Coast", "CI"},
		{"St. Lucia", "LC"},
		{"Saint Lucia", "LC"},
		{"Myanmar", "MM"},
		{"Burma", "MM"},
		{"North Macedonia", "MK"},
		{"Czech Republic", "CZ"},
		{"Czechia", "CZ"},
		{"Palestine", "PS"},
		{"Kosovo", "XK"},
		{"XK", "XK"},
		// "Saint-Martin" is also French for Sint Maarten; English wins.
		{"Saint Martin", "MF"},
		{"Sint Maarten", "SX"},
		// Not countries, or not a match.
		{"", ""},
		{"   ", ""},
		{"XX", ""},
		{"ZZ", ""},
		{"EU", ""},
		{"QO", ""},
		{"UN", ""},
		{"AC", ""},
		{"EZ", ""},
		{"DD", ""},
		{"419", ""},
		{"Atlantis", ""},
		{"Europe", ""},
		{"European Union", ""},
		{"Azerbaijan Republic", ""},
		// Russian "Virgin Islands" names two territories: no guess.
		{"Виргинские о-ва", ""},
	}
	for _, tt := range tests {
		got, ok := LookupCountry(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("LookupCountry(%q) = %v, true; want not ok", tt.in, got)
			}
			continue
		}
		if !ok || got.Code != tt.want {
			t.Errorf("LookupCountry(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestCountryByCode(t *testing.T) {
	tests := []struct{ in, want, alpha3 string }{
		{"AZ", "AZ", "AZE"},
		{"az", "AZ", "AZE"},
		{"De", "DE", "DEU"},
		{"GB", "GB", "GBR"},
		{"ss", "SS", "SSD"},
		{"XK", "XK", "XKK"},
		{"", "", ""},
		{"A", "", ""},
		{"AZE", "", ""},
		{"XX", "", ""},
		{"EU", "", ""},
		{"ZZ", "", ""},
		{"QO", "", ""},
		{"UN", "", ""},
		{"UK", "", ""},
		{"AC", "", ""},
		{"EA", "", ""},
		{"IC", "", ""},
		{"TA", "", ""},
		{"DD", "", ""},
		{"SU", "", ""},
		{"AN", "", ""},
		{"419", "", ""},
		{"1A", "", ""},
	}
	for _, tt := range tests {
		got, ok := CountryByCode(tt.in)
		want := Country{Code: tt.want, Alpha3: tt.alpha3}
		if ok != (tt.want != "") || got != want {
			t.Errorf("CountryByCode(%q) = %v, %v; want %v, %v", tt.in, got, ok, want, tt.want != "")
		}
	}
}

func TestCountryName(t *testing.T) {
	tests := []struct{ code, lang, want string }{
		{"AZ", "en", "Azerbaijan"},
		{"AZ", "de", "Aserbaidschan"},
		{"AZ", "de-AT", "Aserbaidschan"},
		{"AZ", "ru", "Азербайджан"},
		{"AZ", "az", "Azərbaycan"},
		{"AZ", "fr", "Azerbaïdjan"},
		{"AZ", "es-419", "Azerbaiyán"},
		{"AZ", "pt-BR", "Azerbaijão"},
		{"AZ", "en-GB", "Azerbaijan"},
		{"DE", "de", "Deutschland"},
		{"RU", "ru", "Россия"},
		{"GE", "ka", "საქართველო"},
		{"BY", "be", "Беларусь"},
		{"BY", "de", "Belarus"},
		{"TR", "tr", "Türkiye"},
		{"XK", "en", "Kosovo"},
		// Unknown or malformed languages fall back to English.
		{"AZ", "tlh", "Azerbaijan"},
		{"AZ", "xx", "Azerbaijan"},
		{"AZ", "", "Azerbaijan"},
		{"AZ", "not a tag!", "Azerbaijan"},
	}
	for _, tt := range tests {
		c, ok := CountryByCode(tt.code)
		if !ok {
			t.Fatalf("CountryByCode(%q) not ok", tt.code)
		}
		if got := c.Name(tt.lang); got != tt.want {
			t.Errorf("%s.Name(%q) = %q; want %q", tt.code, tt.lang, got, tt.want)
		}
	}
	if got := (Country{Code: "XX"}).Name("en"); got != "" {
		t.Errorf(`Country{"XX"}.Name("en") = %q; want ""`, got)
	}
}

func TestCountryList(t *testing.T) {
	all := Countries()
	// 249 ISO 3166-1 countries plus Kosovo.
	if got, want := len(all), 250; got != want {
		t.Errorf("len(Countries()) = %d; want %d", got, want)
	}
	if !slices.IsSortedFunc(all, func(a, b Country) int { return cmp.Compare(a.Code, b.Code) }) {
		t.Errorf("Countries() not sorted by code")
	}
	for i, c := range all {
		if i > 0 && all[i-1].Code == c.Code {
			t.Errorf("Countries() has %s twice", c.Code)
		}
		if len(c.Code) != 2 || len(c.Alpha3) != 3 || c.Alpha3 == "ZZZ" {
			t.Errorf("Countries()[%d] = %v; want two- and three-letter codes", i, c)
		}
		if got, ok := CountryByCode(c.Code); !ok || got != c {
			t.Errorf("CountryByCode(%q) = %v, %v; want %v", c.Code, got, ok, c)
		}
		for _, in := range []string{c.Code, c.Alpha3, c.Name("en")} {
			if got, ok := LookupCountry(in); !ok || got != c {
				t.Errorf("LookupCountry(%q) = %v, %v; want %v", in, got, ok, c)
			}
		}
		for _, lang := range []string{"de", "ru", "fr", "es"} {
			name := c.Name(lang)
			if got, ok := LookupCountry(name); !ok || got != c {
				t.Errorf("LookupCountry(%q) (%s in %s) = %v, %v; want %v", name, c.Code, lang, got, ok, c)
			}
		}
	}
	for _, code := range []string{"AZ", "DE", "RU", "US", "XK", "SS", "BQ", "CW", "SX", "AQ", "PS", "TW"} {
		if !slices.ContainsFunc(all, func(c Country) bool { return c.Code == code }) {
			t.Errorf("Countries() lacks %s", code)
		}
	}
	// The returned slice is the caller's.
	all[0].Code = "XX"
	if got := Countries()[0].Code; got == "XX" {
		t.Errorf("Countries() shares its slice")
	}
}

func codes(cs []Country) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

func TestCountrySuggest(t *testing.T) {
	tests := []struct {
		input, lang string
		limit       int
		first       string   // wanted first result, "" for none
		has         []string // wanted somewhere in the result
	}{
		{"aze", "en", 25, "AZ", nil},
		{"Az", "en", 25, "AZ", nil},
		{"azer", "ru", 25, "AZ", nil},
		{"deu", "de", 25, "DE", nil},
		{"deut", "de", 25, "DE", nil},
		{"germ", "en", 25, "DE", nil},
		{"Герм", "ru", 25, "DE", nil},
		{"герм", "en", 25, "DE", nil},
		{"Росс", "en", 25, "RU", nil},
		{"türk", "de", 25, "TR", []string{"TM"}},
		{"korea", "en", 25, "", []string{"KP", "KR"}},
		{"azerbajan", "en", 25, "AZ", nil},  // a missing letter
		{"azrebaijan", "en", 25, "AZ", nil}, // swapped letters
		{"georgia", "en", 25, "GE", []string{"GS"}},
		{"saudi", "en", 25, "SA", nil},
		{"arabia", "en", 25, "SA", nil},
	}
	for _, tt := range tests {
		got := SuggestCountries(tt.input, tt.lang, tt.limit)
		gc := codes(got)
		if len(got) > tt.limit {
			t.Errorf("SuggestCountries(%q, %q, %d) has %d results; want at most %d", tt.input, tt.lang, tt.limit, len(got), tt.limit)
		}
		if tt.first != "" && (len(got) == 0 || got[0].Code != tt.first) {
			t.Errorf("SuggestCountries(%q, %q, %d) = %v; want %s first", tt.input, tt.lang, tt.limit, gc, tt.first)
		}
		for _, c := range tt.has {
			if !slices.Contains(gc, c) {
				t.Errorf("SuggestCountries(%q, %q, %d) = %v; want it to include %s", tt.input, tt.lang, tt.limit, gc, c)
			}
		}
		seen := map[string]bool{}
		for _, c := range gc {
			if seen[c] {
				t.Errorf("SuggestCountries(%q, %q, %d) = %v; has %s twice", tt.input, tt.lang, tt.limit, gc, c)
			}
			seen[c] = true
		}
	}

	// Empty input lists the first countries by name in the language.
	for _, tt := range []struct {
		lang  string
		limit int
		first string
	}{
		{"en", 25, "AF"}, // Afghanistan
		{"de", 25, "AF"}, // Afghanistan
		{"ru", 25, "AU"}, // Австралия
		{"en", 1, "AF"},
		{"en", 300, "AF"},
	} {
		got := SuggestCountries("", tt.lang, tt.limit)
		if want := min(tt.limit, len(Countries())); len(got) != want {
			t.Errorf("SuggestCountries(\"\", %q, %d) has %d results; want %d", tt.lang, tt.limit, len(got), want)
		}
		if len(got) > 0 && got[0].Code != tt.first {
			t.Errorf("SuggestCountries(\"\", %q, %d) = %v...; want %s first", tt.lang, tt.limit, codes(got[:min(5, len(got))]), tt.first)
		}
	}
	// Åland sorts among the A's, not after Z.
	en := codes(SuggestCountries("", "en", 5))
	if !slices.Contains(en, "AX") {
		t.Errorf("SuggestCountries(\"\", \"en\", 5) = %v; want AX (Åland Islands) among them", en)
	}

	for _, tt := range []struct {
		input string
		limit int
	}{
		{"zzzzzz", 25},
		{"aze", 0},
		{"aze", -1},
		{"", 0},
	} {
		if got := SuggestCountries(tt.input, "en", tt.limit); len(got) != 0 {
			t.Errorf("SuggestCountries(%q, \"en\", %d) = %v; want none", tt.input, tt.limit, codes(got))
		}
	}
}

func TestCountryConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for _, lang := range []string{"en", "de", "ru", "fr", "es", "az", "tr", "ka"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, in := range []string{"aze", "Deutschland", "Россия", ""} {
				SuggestCountries(in, lang, 25)
				LookupCountry(in)
			}
			if c, ok := CountryByCode("AZ"); !ok || c.Name(lang) == "" {
				t.Errorf("AZ.Name(%q) empty", lang)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkLookupCountry(b *testing.B) {
	inputs := []string{"AZ", "aze", "Azerbaijan", "Aserbaidschan", "Азербайджан", "Azərbaycan", "Deutschland", "Atlantis"}
	LookupCountry("warm up")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		LookupCountry(inputs[i%len(inputs)])
	}
}

func BenchmarkSuggestCountries(b *testing.B) {
	SuggestCountries("warm up", "en", 25)
	b.ReportAllocs()
	for b.Loop() {
		SuggestCountries("aze", "en", 25)
	}
}
