package cases

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const lettersBase = "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-01\n"

func TestParseLetters(t *testing.T) {
	src := lettersBase + `letters:
  address: "Prison 12, Baku, Azerbaijan"
  languages: [az, ru]
  rules: {en: "No politics.", ru: "Без политики."}
  sample: {en: "Dear X, we think of you."}
`
	cs, err := Parse("x.yaml", []byte(src), at)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Letters{Address: "Prison 12, Baku, Azerbaijan", Languages: []string{"az", "ru"},
		Rules:  map[string]string{"en": "No politics.", "ru": "Без политики."},
		Sample: map[string]string{"en": "Dear X, we think of you."}}
	if got := cs[0].Letters; !reflect.DeepEqual(got, want) {
		t.Fatalf("Letters = %+v; want %+v", got, want)
	}
	if !cs[0].Writable() {
		t.Errorf("an imprisoned person with a letters address is not Writable")
	}
	// The JSON form (database, --json) keeps every field.
	b, err := json.Marshal(cs[0])
	if err != nil {
		t.Fatal(err)
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Letters, want) {
		t.Errorf("JSON round trip: %+v, %v; want %+v", back.Letters, err, want)
	}
	if text, used := TextIn(want.Rules, "de"); text != "No politics." || used != "en" {
		t.Errorf("TextIn(de) = %q, %q; want the English rules", text, used)
	}
	if text, used := TextIn(map[string]string{"ru": "а", "az": "b"}, "de"); text != "b" || used != "az" {
		t.Errorf("TextIn without English = %q, %q; want the first language in order (az)", text, used)
	}
	for _, st := range []Status{Released, Exiled, Deceased, Disappeared} {
		c := cs[0]
		c.Status = st
		if c.Writable() {
			t.Errorf("a %s person is Writable; want only detained or imprisoned", st)
		}
	}
	c := Case{Status: Detained, Letters: &Letters{}}
	if c.Writable() {
		t.Errorf("a case without a letters address is Writable")
	}
}

func TestParseLettersErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"no address", "letters: {languages: [ru]}\n", "x.yaml:6: letters.address: required"},
		{"not a mapping", "letters: write to him\n", "x.yaml:6: letters: want a mapping"},
		{"unknown field", "letters: {address: A, adress: B}\n", "x.yaml:6: letters.adress: unknown field"},
		{"bad language", "letters: {address: A, languages: [russian]}\n", `x.yaml:6: letters.languages[0]: "russian" is not a language code`},
		{"language twice", "letters: {address: A, languages: [ru, ru]}\n", `letters.languages[1]: "ru" is given twice`},
		{"languages not a list", "letters: {address: A, languages: ru}\n", "x.yaml:6: letters.languages: want a list of language codes"},
		{"bad rules language", "letters: {address: A, rules: {english: x}}\n", "x.yaml:6: letters.rules.english: not a language code"},
		{"rules not per language", "letters: {address: A, rules: no politics}\n", "x.yaml:6: letters.rules: want one entry per language"},
		{"address too long", "letters: {address: " + strings.Repeat("a", 501) + "}\n", "x.yaml:6: letters.address: longer than 500 characters"},
		{"sample too long", "letters: {address: A, sample: {en: " + strings.Repeat("a", 2001) + "}}\n", "letters.sample.en: longer than 2000 characters"},
		{"direction override in the address", "letters: {address: \"Prison \u202e21\"}\n", "x.yaml:6: letters.address: contains an invisible direction override"},
		{"zero-width space in the rules", "letters: {address: A, rules: {en: \"no\u200bpolitics\"}}\n", "letters.rules.en: contains a zero-width character"},
		{"isolate in the sample", "letters:\n  address: A\n  sample:\n    en: \"Dear \u2067X\u2069\"\n", "x.yaml:9: letters.sample.en: contains an invisible direction isolate"},
		{"control character", "letters: {address: \"a\\x07b\"}\n", "letters.address: contains a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := Parse("x.yaml", []byte(lettersBase+tt.yaml), at)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want an error containing %q", cs[0].Letters, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q; want it to contain %q", err, tt.want)
			}
		})
	}
}
