package cases

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Saleh Rustamov", "saleh rustamov"},
		{"Rüstəmov", "rustamov"},
		{"rustəmov", "rustamov"},
		{"Рустамов", "rustamov"},
		{"Салех Рустамов", "salekh rustamov"},
		{"  Aserbaidschan ", "aserbaidschan"},
		{"Azərbaycan", "azarbaycan"},
		{"O'Brien", "obrien"},
		{"Łukasz Żółć", "lukasz zolc"},
		{"Müller-Lüdenscheidt", "muller ludenscheidt"},
		{"Straße", "strasse"},
		{"", ""},
		{"!!!", ""},
		// Invisible formatting characters are dropped, not turned into spaces.
		{"r\u200bustamov", "rustamov"},
		{"\u202erustamov", "rustamov"},
		{"Saleh\u2066 Rusta\u00admov\u2069", "saleh rustamov"},
		{"\ufeffRustamov\u200d", "rustamov"},
		{"می\u200cخواهد", "میخواهد"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
