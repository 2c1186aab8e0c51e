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
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
