package cases

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// namesCase is a fictional person whose name is given per language.
const namesCase = `# A fictional person, for tests only.
id: lale-testqizi
name: Lale Testqizi
aliases: [L. Testqizi]
names:
  ru: "Лале Тестгызы"
  az: "Lalə Testqızı"
  fa: "لاله تستقیزی"
country: az
status: detained
status_as_of: 2026-09
`

func TestParseNames(t *testing.T) {
	cs, err := Parse("lale.yaml", []byte(namesCase), at)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c := cs[0]
	want := map[string]string{"ru": "Лале Тестгызы", "az": "Lalə Testqızı", "fa": "لاله تستقیزی"}
	if len(c.Names) != len(want) {
		t.Errorf("Names = %v; want %v", c.Names, want)
	}
	for lang, n := range want {
		if c.Names[lang] != n {
			t.Errorf("Names[%s] = %q; want %q", lang, c.Names[lang], n)
		}
	}
	// The names survive JSON, the database's form.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Names["ru"] != "Лале Тестгызы" || !strings.Contains(string(b), `"names":{`) {
		t.Errorf("JSON %s; want the names kept", b)
	}
}

func TestParseNamesErrors(t *testing.T) {
	base := "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-01\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"not a mapping", base + "names: [Икс]\n", "x.yaml:6: names: want one name per language"},
		{"bad language", base + "names: {russian: Икс}\n", "x.yaml:6: names.russian: not a language code"},
		{"unknown language", base + "names: {xx: Икс}\n", "x.yaml:6: names.xx: not a language code"},
		{"empty name", base + "names: {ru: \"\"}\n", "x.yaml:6: names.ru: empty"},
		{"null name", base + "names: {ru: }\n", "x.yaml:6: names.ru: empty"},
		{"name twice", base + "names: {ru: Икс, ru: Игрек}\n", "names.ru"},
		{"name too long", base + "names: {ru: " + strings.Repeat("я", 201) + "}\n", "x.yaml:6: names.ru: longer than 200 characters"},
		{"list as a name", base + "names: {ru: [a, b]}\n", "x.yaml:6: names.ru: want a text"},
		{"names without name", strings.Replace(base, "name: X Y\n", "", 1) + "names: {ru: Икс}\n", "x.yaml:1: name: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := Parse("x.yaml", []byte(tt.yaml), at)
			if err == nil {
				t.Fatalf("Parse succeeded with %d cases; want error containing %q", len(cs), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNameIn(t *testing.T) {
	c := &Case{Name: "Lale Testqizi", Names: map[string]string{"ru": "Лале Тестгызы", "az": "Lalə Testqızı"}}
	for lang, want := range map[string]string{"ru": "Лале Тестгызы", "az": "Lalə Testqızı", "en": "Lale Testqizi", "fa": "Lale Testqizi", "": "Lale Testqizi"} {
		if got := c.NameIn(lang); got != want {
			t.Errorf("NameIn(%q) = %q; want %q", lang, got, want)
		}
	}
	if got := (&Case{Name: "A"}).NameIn("ru"); got != "A" {
		t.Errorf("NameIn without names = %q; want the name", got)
	}
}

// TestLookupByNames checks that /case finds a person by the name in any
// language the case file gives, and still by name and aliases.
func TestLookupByNames(t *testing.T) {
	cs, err := Parse("lale.yaml", []byte(namesCase), at)
	if err != nil {
		t.Fatal(err)
	}
	other := Case{ID: "amira-testova", Name: "Amira Testova", Aliases: []string{"Амира Тестова"}}
	e := cs[0].Entry()
	if e.Name != "Lale Testqizi" || !slices.Contains(e.Aliases, "L. Testqizi") || !slices.Contains(e.Aliases, "Лале Тестгызы") {
		t.Errorf("Entry = %+v; want the name, the aliases and the names", e)
	}
	if len(cs[0].Aliases) != 1 {
		t.Errorf("Entry changed the case's aliases: %v", cs[0].Aliases)
	}
	idx := NewIndex([]Entry{e, other.Entry()})
	for _, q := range []string{"Лале Тестгызы", "Тестгызы", "Lalə Testqızı", "testqizi", "لاله تستقیزی", "L. Testqizi"} {
		got := idx.Lookup(q)
		if len(got) != 1 || got[0].ID != "lale-testqizi" {
			t.Errorf("Lookup(%q) = %v; want lale-testqizi alone", q, got)
		}
	}
}
