package bot

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// testCases are invented people; two share a surname for pick lists.
const testCases = `- {id: amira-testova, name: Amira Testova, aliases: [Амира Тестова], country: AZ, status: imprisoned, status_as_of: 2026-10}
- {id: leyla-testova, name: Leyla Testova, country: AZ, status: detained, status_as_of: 2026-10}
- {id: jonas-fiktiv, name: Jonas Fiktiv, country: BY, status: imprisoned, status_as_of: 2026-10}
- {id: nora-beispiel, name: Nora Beispiel, country: DE, status: released, status_as_of: 2026-10}
`

var testNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newTestHandler(t *testing.T) (*Handler, *store.Store) {
	t.Helper()
	return newHandlerWith(t, cases.SourceFile{Path: "test.yaml", Data: []byte(testCases), Hash: "h1"},
		cases.SourceFile{Path: "jonas.yaml", Data: []byte(strings.NewReplacer("jonas-fiktiv", "pavel-erfunden", "Jonas Fiktiv", "Pavel Erfunden").Replace(fictionalCase)), Hash: "h2"})
}

// newHandlerWith returns a handler over a new store holding files, with
// Telegram user 42 as editor and the clock at testNow.
func newHandlerWith(t *testing.T, files ...cases.SourceFile) (*Handler, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Import(ctx, files, testNow, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Editors.Telegram = []string{"42"}
	h := NewHandler(st, cfg, slog.New(slog.DiscardHandler))
	h.Now = func() time.Time { return testNow }
	return h, st
}

func admin(ok bool) func(context.Context) (bool, error) {
	return func(context.Context) (bool, error) { return ok, nil }
}

func TestCaseLookup(t *testing.T) {
	h, _ := newTestHandler(t)
	ctx := context.Background()
	tests := []struct {
		query      string
		wantCard   string
		wantChoice []string
		wantText   string
	}{
		{query: "amira testova", wantCard: "amira-testova"},
		{query: "Амира", wantCard: "amira-testova"},
		{query: "jonas-fiktiv", wantCard: "jonas-fiktiv"},
		{query: "testova", wantChoice: []string{"amira-testova", "leyla-testova"}, wantText: "Several cases match"},
		{query: "qqqqzzzz", wantText: "No case matches “qqqqzzzz”. Try /cases"},
		{query: "", wantText: "Usage: /case"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: "case", Options: ParseOptions("case", tt.query)})
			if tt.wantCard != "" && (r.Card == nil || r.Card.CaseID != tt.wantCard) {
				t.Fatalf("card = %+v; want %s", r.Card, tt.wantCard)
			}
			if tt.wantCard == "" && r.Card != nil {
				t.Errorf("got card %s; want none", r.Card.CaseID)
			}
			var ids []string
			for _, c := range r.Choices {
				ids = append(ids, c.CaseID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantChoice, ",") {
				t.Errorf("choices = %v; want %v", ids, tt.wantChoice)
			}
			if !strings.Contains(r.Text, tt.wantText) {
				t.Errorf("text = %q; want it to contain %q", r.Text, tt.wantText)
			}
		})
	}
	// Discord passes named options instead of words.
	r := h.Handle(ctx, Request{Platform: "discord", Chat: "1", User: "2", Command: "case", Options: map[string]string{"query": "fiktiv jonas"}})
	if r.Card == nil || r.Card.CaseID != "jonas-fiktiv" {
		t.Errorf("options lookup: card = %+v; want Jonas Fiktiv", r.Card)
	}
}

// TestNonAdminChangesNothing: refusals say why and leave the store as it was.
func TestNonAdminChangesNothing(t *testing.T) {
	h, st := newTestHandler(t)
	ctx := context.Background()
	failing := func(context.Context) (bool, error) { return false, errors.New("platform down") }
	for _, tt := range []struct {
		cmd, args string
		isAdmin   func(context.Context) (bool, error)
		want      string
	}{
		{"subscribe", "AZ", admin(false), "Only the admins"},
		{"settings", "Europe/Berlin", admin(false), "Only the admins"},
		{"unsubscribe", "all", nil, "Only the admins"},
		{"subscribe", "AZ", failing, "could not check your permissions"},
	} {
		r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: tt.cmd, Options: ParseOptions(tt.cmd, tt.args), IsAdmin: tt.isAdmin})
		if !strings.Contains(r.Text, tt.want) || !r.Private {
			t.Errorf("/%s %s: reply %q (private %v); want %q, private", tt.cmd, tt.args, r.Text, r.Private, tt.want)
		}
	}
	if chans, err := st.Channels(ctx); err != nil || len(chans) != 0 {
		t.Errorf("channels after refusals = %+v, %v; want none", chans, err)
	}
	r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: "alert", Options: ParseOptions("alert", "amira-testova Help now")})
	if !strings.Contains(r.Text, "Only editors") {
		t.Errorf("non-editor alert: %q; want refusal", r.Text)
	}
	if n, _ := st.QueueDepth(ctx); n != 0 {
		t.Errorf("queue depth after refused alert = %d; want 0", n)
	}
}

func TestSubscribeSettingsAlert(t *testing.T) {
	h, st := newTestHandler(t)
	ctx := context.Background()
	req := func(user, cmd, args string, isAdmin bool) Reply {
		return h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: user, Command: cmd, Options: ParseOptions(cmd, args), IsAdmin: admin(isAdmin)})
	}
	if r := req("7", "subscribe", "Aserbaidschan", true); !strings.Contains(r.Text, "now gets posts and alerts about Azerbaijan") {
		t.Fatalf("subscribe: %q", r.Text)
	}
	if r := req("7", "subscribe", "aze", true); !strings.Contains(r.Text, "already follows Azerbaijan") {
		t.Errorf("subscribe again: %q", r.Text)
	}
	if r := req("7", "subscribe", "Atlantis", true); !strings.Contains(r.Text, "not a country I know") {
		t.Errorf("subscribe Atlantis: %q", r.Text)
	}
	if r := req("7", "settings", "de 09:30 Europe/Berlin", true); r.Text != "Einstellungen dieses Kanals: Zeitzone Europe/Berlin, Beiträge um 09:30, Sprache de." {
		t.Errorf("settings: %q", r.Text)
	}
	if r := req("7", "settings", "25:00", true); !strings.Contains(r.Text, "„25:00“ verstehe ich nicht") {
		t.Errorf("bad settings: %q", r.Text)
	}
	if r := req("7", "settings", "Mars/Olympus", true); !strings.Contains(r.Text, "Mars/Olympus") {
		t.Errorf("bad zone: %q", r.Text)
	}
	if r := req("7", "settings", "10:00 11:00", true); !strings.Contains(r.Text, "„11:00“ verstehe ich nicht") {
		t.Errorf("two times: %q", r.Text)
	}
	r := req("1", "subscriptions", "", false)
	if !strings.Contains(r.Text, "Aserbaidschan (AZ)") || !strings.Contains(r.Text, "Europe/Berlin") {
		t.Errorf("subscriptions: %q", r.Text)
	}
	// Another group, subscribed too, and one following another country.
	h.Handle(ctx, Request{Platform: "telegram", Chat: "-200", User: "7", Command: "subscribe", Options: ParseOptions("subscribe", "AZ"), Private: true})
	h.Handle(ctx, Request{Platform: "telegram", Chat: "-300", User: "7", Command: "subscribe", Options: ParseOptions("subscribe", "DE"), Private: true})
	r = req("42", "alert", "testova Hunger strike day 30", false)
	if !strings.Contains(r.Text, "(amira-testova, leyla-testova)") {
		t.Errorf("ambiguous alert: %q", r.Text)
	}
	r = req("42", "alert", "amira-testova Hunger strike day 30", false)
	if !strings.Contains(r.Text, "Amira Testova") || !strings.Contains(r.Text, "2") {
		t.Errorf("alert: %q", r.Text)
	}
	counts, err := st.PostCounts(ctx)
	if err != nil || counts[store.Queued] != 2 {
		t.Errorf("queued posts = %v, %v; want 2 (the two AZ channels)", counts, err)
	}
	if r := req("7", "unsubscribe", "all", true); !strings.Contains(r.Text, "(1 entfernt)") {
		t.Errorf("unsubscribe all: %q", r.Text)
	}
}

func TestCasesPaged(t *testing.T) {
	h, _ := newTestHandler(t)
	ctx := context.Background()
	r := h.Handle(ctx, Request{Platform: "console", Chat: "console", Command: "cases", Options: ParseOptions("cases", "Azerbaijan")})
	if !strings.Contains(r.Text, "Cases in Azerbaijan (2)") || !strings.Contains(r.Text, "/case amira-testova") || strings.Contains(r.Text, "Fiktiv") {
		t.Errorf("cases AZ: %q", r.Text)
	}
	r = h.Handle(ctx, Request{Platform: "console", Chat: "console", Command: "cases"})
	if !strings.Contains(r.Text, "All cases (5)") {
		t.Errorf("cases: %q", r.Text)
	}
	r = h.Handle(ctx, Request{Platform: "console", Chat: "console", Command: "cases", Options: ParseOptions("cases", "AZ 0")})
	if !strings.Contains(r.Text, "Cases in Azerbaijan (2)") {
		t.Errorf("cases AZ 0: %q", r.Text)
	}
	r = h.Handle(ctx, Request{Platform: "console", Chat: "console", Command: "cases", Options: ParseOptions("cases", "Narnia")})
	if !strings.Contains(r.Text, "not a country") {
		t.Errorf("cases Narnia: %q", r.Text)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text, bot string
		slash     bool
		cmd, args string
		ok        bool
	}{
		{"/case rustamov", "vigilbot", true, "case", "rustamov", true},
		{"/case@VigilBot Saleh  Rustamov ", "vigilbot", true, "case", "Saleh  Rustamov", true},
		{"/case@otherbot x", "vigilbot", true, "", "", false},
		{"case x", "", true, "", "", false},
		{"case x", "", false, "case", "x", true},
		{"/HELP", "", true, "help", "", true},
		{"/", "", true, "", "", false},
		{"/alert\namira help", "", true, "alert", "amira help", true},
	}
	for _, tt := range tests {
		cmd, args, ok := ParseCommand(tt.text, tt.bot, tt.slash)
		if cmd != tt.cmd || args != tt.args || ok != tt.ok {
			t.Errorf("ParseCommand(%q) = %q, %q, %v; want %q, %q, %v", tt.text, cmd, args, ok, tt.cmd, tt.args, tt.ok)
		}
	}
}

// TestParseSettingsTimezoneAsConfig checks that /settings reads a time
// zone as the config file does: the same words are taken and refused.
func TestParseSettingsTimezoneAsConfig(t *testing.T) {
	for _, w := range []string{"utc", "UTC", "Utc", "Europe/Berlin", "GMT", "Local", "Mars/Base", "europe/nowhere", "Asia/Baku"} {
		want, cfgErr := config.ParseTimezone(w)
		tz, _, _, bad := ParseSettings([]string{w})
		switch {
		case cfgErr == nil && (bad != "" || tz != want):
			t.Errorf("ParseSettings(%q) = %q, bad %q; want %q as in the config", w, tz, bad, want)
		case cfgErr != nil && bad != w:
			t.Errorf("ParseSettings(%q) = %q; want it refused as in the config (%v)", w, tz, cfgErr)
		}
	}
	if tz, clock, lang, bad := ParseSettings([]string{"de", "utc", "09:30"}); tz != "UTC" || clock != "09:30" || lang != "de" || bad != "" {
		t.Errorf("ParseSettings(de utc 09:30) = %q %q %q bad %q", tz, clock, lang, bad)
	}
	if _, _, _, bad := ParseSettings([]string{"UTC", "Europe/Berlin"}); bad != "Europe/Berlin" {
		t.Errorf("two time zones: bad %q; want the second", bad)
	}
}
