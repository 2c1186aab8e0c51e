package bot

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/bot/i18n"
)

// commandName is what Telegram and Discord both accept as a command or
// option name.
var commandName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// TestCommandTable walks the table: valid unique names, options in an
// order every platform accepts, and every message in every language.
func TestCommandTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Commands() {
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			if !commandName.MatchString(name) || seen[name] {
				t.Errorf("/%s: invalid or duplicate name %q", c.Name, name)
			}
			seen[name] = true
		}
		if c.run == nil {
			t.Errorf("/%s: no handler", c.Name)
		}
		optional := false
		opts := map[string]bool{}
		for i, o := range c.Options {
			if !commandName.MatchString(o.Name) || opts[o.Name] || o.Name == "usage" {
				t.Errorf("/%s: invalid or duplicate option name %q", c.Name, o.Name)
			}
			opts[o.Name] = true
			if o.Rest && i != len(c.Options)-1 {
				t.Errorf("/%s %s: only the last option may take the rest of the text", c.Name, o.Name)
			}
			if o.Required && optional {
				t.Errorf("/%s %s: a required option after an optional one", c.Name, o.Name)
			}
			optional = optional || !o.Required
		}
		for _, lang := range i18n.Languages {
			keys := []string{key("cmd", c.Name)}
			if len(c.Options) > 0 {
				keys = append(keys, key("cmd", c.Name, "usage"))
			}
			for _, o := range c.Options {
				keys = append(keys, key("cmd", c.Name, o.Name))
			}
			for _, k := range keys {
				if i18n.T(lang, k) == string(k) || strings.TrimSpace(i18n.T(lang, k)) == "" {
					t.Errorf("%s: no message %q", lang, k)
				}
			}
			// T falls back to English: a translated description differs.
			if lang != "en" && c.Description(lang) == c.Description("en") {
				t.Errorf("%s: /%s has no description of its own: %q", lang, c.Name, c.Description(lang))
			}
			if c.Summary(lang) == "" || (c.Access != Anyone && c.Summary(lang) == c.Description(lang)) {
				t.Errorf("%s: /%s summary %q; want the description, marked for admins or editors", lang, c.Name, c.Summary(lang))
			}
		}
	}
	for _, k := range []string{"help.intro", "help.sep", "help.admins", "help.editors"} {
		for _, lang := range i18n.Languages {
			if i18n.T(lang, k) == string(k) {
				t.Errorf("%s: no message %q", lang, k)
			}
		}
	}
	if got := CommandNames(); len(got) != len(commands) || got[0] != "case" {
		t.Errorf("CommandNames() = %v", got)
	}
}

// TestHelpText: /help is written from the table, word for word as the
// hand-written help was, with every command on a line of its own.
func TestHelpText(t *testing.T) {
	want := map[string]string{
		"en": `vigil keeps track of prisoners of conscience and reminds this channel of them.

/case <name> — a person's profile card and how to help
/cases [country] — the cases of a country, or of this channel's countries
/subscriptions — what this channel follows and when it gets posts
/subscribe <country> — (admins) posts and alerts about that country come here
/unsubscribe <country or all> — (admins) stop them
/settings [time zone] [HH:MM] [language] [images on|off] — (admins) when and in which language posts come
/alert <case> <message> — (editors) an urgent alert to every channel following the case's country
/retract <alert id> — (editors) withdraw an alert from every channel it went to
/write [country] — a person to write a letter to, with the address
/wrote <case> — count your letter to that person (once a day)
/help — this text`,
		"de": `vigil begleitet gewaltlose politische Gefangene und erinnert diesen Kanal an sie.

/case <Name> – das Profil einer Person und wie man helfen kann
/cases [Land] – die Fälle eines Landes oder der Länder dieses Kanals
/subscriptions – was dieser Kanal verfolgt und wann Beiträge kommen
/subscribe <Land> – (Admins) Beiträge und Eilmeldungen zu diesem Land kommen hierher
/unsubscribe <Land oder all> – (Admins) beendet sie
/settings [Zeitzone] [HH:MM] [Sprache] [images on|off] – (Admins) wann und in welcher Sprache Beiträge kommen
/alert <Fall> <Nachricht> – (Redakteure) eine Eilmeldung an alle Kanäle, die dem Land des Falls folgen
/retract <Eilmeldungs-ID> – (Redakteure) eine Eilmeldung aus allen Kanälen zurückziehen, die sie erhalten haben
/write [Land] – eine Person, der Sie einen Brief schreiben können, mit Adresse
/wrote <Fall> – Ihren Brief an diese Person zählen (einmal am Tag)
/help – dieser Text`,
	}
	for lang, w := range want {
		if got := Help(lang); got != w {
			t.Errorf("Help(%s) =\n%s\nwant\n%s", lang, got, w)
		}
	}
	for _, lang := range i18n.Languages {
		help := Help(lang)
		for _, c := range Commands() {
			if !strings.Contains(help, "\n/"+c.Name+" ") {
				t.Errorf("%s: /help does not list /%s", lang, c.Name)
			}
		}
	}
}

// TestHandleDispatchesTable: Handle knows every command and alias of the
// table, and checks who may use it from the table alone.
func TestHandleDispatchesTable(t *testing.T) {
	h, st := newTestHandler(t)
	ctx := context.Background()
	for _, c := range Commands() {
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			r := h.Handle(ctx, Request{Platform: "console", Chat: "console", User: "console", Command: name, Operator: true})
			if strings.Contains(r.Text, "Unknown command") || strings.Contains(r.Text, "Something went wrong") || (r.Text == "" && r.Card == nil) {
				t.Errorf("/%s: %q; want the command carried out", name, r.Text)
			}
		}
		// A member who is neither admin nor editor, in a group.
		r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-900", User: "7", Command: c.Name, IsAdmin: admin(false)})
		admins, editors := strings.Contains(r.Text, "Only the admins"), strings.Contains(r.Text, "Only editors")
		if admins != (c.Access == Admins) || editors != (c.Access == Editors) || (c.Access != Anyone && !r.Private) {
			t.Errorf("/%s (access %d) by a member: %q, private %v", c.Name, c.Access, r.Text, r.Private)
		}
	}
	if chans, err := st.Channels(ctx); err != nil || len(chans) != 0 {
		t.Errorf("channels after bare commands = %+v, %v; want none", chans, err)
	}
	if r := h.Handle(ctx, Request{Platform: "console", Chat: "console", Command: "nonsense", Operator: true}); r.Text != "Unknown command /nonsense. Try /help." || !r.Private {
		t.Errorf("/nonsense: %q; want the unknown-command reply", r.Text)
	}
	if r := h.Handle(ctx, Request{Platform: "console", Chat: "console", Command: "start"}); r.Text != Help("en") {
		t.Errorf("/start: %q; want the help", r.Text)
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		cmd, text string
		want      map[string]string
	}{
		{"case", "  Saleh  Rustamov ", map[string]string{"query": "Saleh  Rustamov"}},
		{"case", "", map[string]string{}},
		{"cases", "AZ 2", map[string]string{"country": "AZ 2"}},
		{"subscribe", "Saudi Arabia", map[string]string{"country": "Saudi Arabia"}},
		{"settings", "de 09:30 Europe/Berlin", map[string]string{"timezone": "de", "time": "09:30", "language": "Europe/Berlin"}},
		{"settings", "de  09:30 UTC extra", map[string]string{"timezone": "de", "time": "09:30", "language": "UTC", "images": "extra"}},
		{"settings", "UTC images off", map[string]string{"timezone": "UTC", "time": "images", "language": "off"}},
		{"settings", "10:00", map[string]string{"timezone": "10:00"}},
		{"alert", "amira-testova Free her now", map[string]string{"case": "amira-testova", "message": "Free her now"}},
		{"alert", "amira-testova\nDay 30.\nShare it.", map[string]string{"case": "amira-testova", "message": "Day 30.\nShare it."}},
		{"alert", "amira-testova", map[string]string{"case": "amira-testova"}},
		{"help", "me please", map[string]string{}},
		{"start", "", map[string]string{}},
		{"nonsense", "x y", map[string]string{}},
	}
	for _, tt := range tests {
		if got := ParseOptions(tt.cmd, tt.text); !maps.Equal(got, tt.want) {
			t.Errorf("ParseOptions(%q, %q) = %q; want %q", tt.cmd, tt.text, got, tt.want)
		}
	}
}

// FuzzParseOptions: the options of a text command, read in the table's
// order, hold exactly the words typed, trimmed and none empty.
func FuzzParseOptions(f *testing.F) {
	f.Add("alert", "amira help now")
	f.Add("settings", "de\t09:30  UTC")
	f.Add("case", " x ")
	f.Fuzz(func(t *testing.T, cmd, text string) {
		opts := ParseOptions(cmd, text)
		c, ok := LookupCommand(cmd)
		if !ok {
			if len(opts) != 0 {
				t.Fatalf("unknown command %q has options %q", cmd, opts)
			}
			return
		}
		var words []string
		for _, o := range c.Options {
			v, set := opts[o.Name]
			if set && (v == "" || v != strings.TrimSpace(v)) {
				t.Fatalf("option %s = %q; want trimmed and non-empty", o.Name, v)
			}
			words = append(words, strings.Fields(v)...)
		}
		if n := len(c.Options); n > 0 && c.Options[n-1].Rest && !slices.Equal(words, strings.Fields(text)) {
			t.Fatalf("ParseOptions(%q, %q) = %q; words %q, want %q", cmd, text, opts, words, strings.Fields(text))
		}
	})
}

// TestLogUserAnonymous: the letter commands never put their user in a
// log line; the others do.
func TestLogUserAnonymous(t *testing.T) {
	for _, c := range Commands() {
		got := LogUser(c.Name, "987654321")
		if anon := c.Name == "write" || c.Name == "wrote"; anon != (got == "") || anon != c.Anonymous {
			t.Errorf("LogUser(%s) = %q, Anonymous %v; want the user hidden exactly for write and wrote", c.Name, got, c.Anonymous)
		}
	}
}
