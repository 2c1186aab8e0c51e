package cases

import "testing"

// vigilLanguages are the languages vigil speaks (bot/i18n's catalogues,
// which this package cannot import): every country has a name in each,
// and /subscribe understands it.
var vigilLanguages = []string{"en", "de", "ru", "uk", "be", "az", "fa"}

func TestCountryNamesInVigilLanguages(t *testing.T) {
	want := map[string]map[string]string{
		"AZ": {"en": "Azerbaijan", "de": "Aserbaidschan", "ru": "Азербайджан", "uk": "Азербайджан", "be": "Азербайджан", "az": "Azərbaycan", "fa": "جمهوری آذربایجان"},
		"BY": {"en": "Belarus", "de": "Belarus", "ru": "Беларусь", "uk": "Білорусь", "be": "Беларусь", "az": "Belarus", "fa": "بلاروس"},
		"IR": {"en": "Iran", "de": "Iran", "ru": "Иран", "uk": "Іран", "be": "Іран", "az": "İran", "fa": "ایران"},
		"GE": {"uk": "Грузія", "be": "Грузія", "az": "Gürcüstan", "fa": "گرجستان"},
	}
	for code, names := range want {
		co, _ := CountryByCode(code)
		for lang, name := range names {
			if got := co.Name(lang); got != name {
				t.Errorf("%s.Name(%q) = %q; want %q", code, lang, got, name)
			}
		}
	}
	// Every country's name in every language of vigil finds the country,
	// except the few a language gives two countries (none today).
	for _, co := range Countries() {
		for _, lang := range vigilLanguages {
			name := co.Name(lang)
			if got, ok := LookupCountry(name); !ok || got != co {
				t.Errorf("LookupCountry(%q) (%s in %s) = %v, %v; want %v", name, co.Code, lang, got, ok, co)
			}
		}
	}
}

func TestLookupCountryAudienceNames(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Азербайджан", "AZ"},      // ru, uk, be
		{"азербайджан", "AZ"},      // any case
		{"Azərbaycan", "AZ"},       // az
		{"azerbaycan", "AZ"},       // az without ə
		{"آذربایجان", "AZ"},        // fa, as people write it
		{"جمهوری آذربایجان", "AZ"}, // fa, CLDR
		{"Білорусь", "BY"},         // uk
		{"Іран", "IR"},             // uk, be
		{"ایران", "IR"},            // fa
		{"Rusiya", "RU"},           // az
		{"Расія", "RU"},            // be
		{"Росія", "RU"},            // uk
		{"روسیه", "RU"},            // fa
		{"Türkmənistan", "TM"},     // az
		{"Німеччина", "DE"},        // uk
	}
	for _, tt := range tests {
		if got, ok := LookupCountry(tt.in); !ok || got.Code != tt.want {
			t.Errorf("LookupCountry(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
	// Suggestions in an audience language match its names.
	if got := SuggestCountries("Біло", "uk", 3); len(got) == 0 || got[0].Code != "BY" {
		t.Errorf("SuggestCountries(Біло, uk) = %v; want BY first", codes(got))
	}
	if got := SuggestCountries("آذر", "fa", 3); len(got) == 0 || got[0].Code != "AZ" {
		t.Errorf("SuggestCountries(آذر, fa) = %v; want AZ first", codes(got))
	}
}
