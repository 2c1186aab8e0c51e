package i18n

import (
	"regexp"
	"slices"
	"testing"

	"github.com/vigil-bot/vigil/cases"
)

var verb = regexp.MustCompile(`%\[\d+\][a-z]`)

// TestCataloguesComplete keeps German complete: every English key has a
// German message using the same arguments, and no German key is stray.
func TestCataloguesComplete(t *testing.T) {
	for key, msg := range en {
		got, ok := de[key]
		if !ok {
			t.Errorf("de lacks %q", key)
			continue
		}
		a, b := verb.FindAllString(msg, -1), verb.FindAllString(got, -1)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(slices.Compact(a), slices.Compact(b)) {
			t.Errorf("%q: en uses %v, de uses %v", key, a, b)
		}
	}
	for key := range de {
		if _, ok := en[key]; !ok {
			t.Errorf("de has %q, which en lacks", key)
		}
	}
	for _, s := range cases.Statuses {
		if Status("de", s) == "status."+string(s) {
			t.Errorf("no name for status %s", s)
		}
	}
	for _, k := range cases.ActionKinds {
		if ActionKind("de", k) == "action."+string(k) {
			t.Errorf("no name for action kind %s", k)
		}
	}
}

func TestDateKeepsPrecision(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"en", "2018", "2018"},
		{"en", "2021-02", "February 2021"},
		{"en", "2021-02-14", "14 February 2021"},
		{"de", "2021-03", "März 2021"},
		{"de", "2021-02-14", "14. Februar 2021"},
		{"fr", "2021-02", "February 2021"}, // no French catalogue: English
		{"en", "", ""},
	}
	for _, tt := range tests {
		d := cases.Date{}
		if tt.in != "" {
			d = cases.MustParseDate(tt.in)
		}
		if got := Date(tt.lang, d); got != tt.want {
			t.Errorf("Date(%s, %s) = %q; want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestTFallsBack(t *testing.T) {
	if got, want := T("xx", "card.arrested"), "Arrested"; got != want {
		t.Errorf("T(xx) = %q; want %q", got, want)
	}
	if got, want := T("de", "card.arrested"), "Festgenommen"; got != want {
		t.Errorf("T(de) = %q; want %q", got, want)
	}
	if got, want := T("de", "post.alert", "x"), "EILMELDUNG: x"; got != want {
		t.Errorf("T(de, post.alert) = %q; want %q", got, want)
	}
}
