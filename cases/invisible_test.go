package cases

import (
	"strings"
	"testing"
)

// TestParseInvisibleCharacters: direction overrides, isolates and
// zero-width characters that can reverse or hide text are refused with
// file:line and field; the Persian zero-width non-joiner stays allowed,
// and direction marks are allowed in running text but not in names.
func TestParseInvisibleCharacters(t *testing.T) {
	base := "id: x-y\nname: X Y\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-01\n"
	name := func(n string) string { return strings.Replace(base, "X Y", n, 1) }
	tests := []struct {
		name, yaml, want string // want "": accepted
	}{
		{"override in the name", name("Saleh \u202eRustamov"), "x.yaml:2: name: contains an invisible direction override U+202E"},
		{"left-to-right override", name("Saleh \u202dRustamov"), "x.yaml:2: name: contains an invisible direction override U+202D"},
		{"embedding", name("Saleh \u202bRustamov"), "x.yaml:2: name: contains an invisible direction embedding U+202B"},
		{"isolate", name("Saleh \u2067Rustamov"), "x.yaml:2: name: contains an invisible direction isolate U+2067"},
		{"zero-width space in an alias", base + "aliases: [\"r\u200bustamov\"]\n", "x.yaml:6: aliases[0]: contains a zero-width character U+200B"},
		{"word joiner", name("Saleh\u2060Rustamov"), "x.yaml:2: name: contains a zero-width character U+2060"},
		{"byte order mark", name("Saleh \ufeffRustamov"), "x.yaml:2: name: contains a zero-width character U+FEFF"},
		{"zero-width joiner in a name", name("Saleh\u200dRustamov"), "x.yaml:2: name: contains a zero-width character U+200D"},
		{"direction mark in a name", name("Saleh\u200fRustamov"), "x.yaml:2: name: contains an invisible direction mark U+200F"},
		{"soft hyphen in an alias", base + "aliases: [Rusta\u00admov]\n", "x.yaml:6: aliases[0]: contains an invisible formatting character U+00AD"},
		{"zero-width space in a hashtag", base + "hashtags: [\"#Free\u200bSaleh\"]\n", "x.yaml:6: hashtags[0]: contains a zero-width character U+200B"},
		{"override in a source title", base + "sources:\n  - {title: \"A \u202ereport\"}\n", "x.yaml:7: sources[0].title: contains an invisible direction override U+202E"},
		{"zero-width in an action label", base + "actions:\n  - {kind: share, label: \"Sh\u200bare\", url: \"https://example.org\"}\n",
			"x.yaml:7: actions[0].label: contains a zero-width character U+200B"},
		{"override in a summary", base + "summary: {en: \"A \u202esummary\"}\n", "x.yaml:6: summary.en: contains an invisible direction override U+202E"},
		{"isolate in a reminder", base + "reminders:\n  - {cron: \"0 10 * * 1\", text: \"Write \u2066now\u2069\"}\n",
			"x.yaml:7: reminders[0].text: contains an invisible direction isolate U+2066"},
		{"zero-width in the affiliation", base + "affiliation: \"Pa\u200brty\"\n", "x.yaml:6: affiliation: contains a zero-width character U+200B"},
		{"Persian name with a zero-width non-joiner", name("نرگس محمدی\u200cزاده"), ""},
		{"Persian summary with a non-joiner and marks", base + "summary: {fa: \"می\u200cخواهد \u200fآزادی\u200e (2026)\"}\n", ""},
		{"emoji sequence in a summary", base + "summary: {en: \"Teacher \U0001F469\u200d\U0001F3EB\"}\n", ""},
		{"direction mark in a source title", base + "sources:\n  - {title: \"گزارش\u200f 2026\"}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml), at)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Parse: %v; want no error", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Parse error = %v; want %q", err, tt.want)
			}
		})
	}
}
