package bot

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// namesCases are invented people; Lale's file names her per language.
const namesCases = `- id: lale-testqizi
  name: Lale Testqizi
  names: {de: Lale Testkysy, ru: Лале Тестгызы, fa: لاله تستقیزی}
  country: AZ
  status: imprisoned
  status_as_of: 2026-10
- {id: lale-zweite, name: Lale Zweite, country: AZ, status: detained, status_as_of: 2026-10}
`

// laleNames are the names Lale's card shows per language: her name in
// the language where the file gives one, else the fallback.
var laleNames = map[string]string{"en": "Lale Testqizi", "de": "Lale Testkysy", "ru": "Лале Тестгызы", "fa": "لاله تستقیزی",
	"uk": "Lale Testqizi", "be": "Lale Testqizi", "az": "Lale Testqizi", "fr": "Lale Testqizi"}

func newNamesHandler(t *testing.T) (*Handler, *store.Store) {
	t.Helper()
	return newHandlerWith(t, cases.SourceFile{Path: "test.yaml", Data: []byte(testCases), Hash: "h1"},
		cases.SourceFile{Path: "names.yaml", Data: []byte(namesCases), Hash: "h2"})
}

// langs are the languages the tests run in: every catalogue, and ru and
// fa, which a card names people in even before their catalogues exist.
func langs() []string {
	out := append([]string{}, i18n.Languages...)
	for _, l := range []string{"ru", "fa"} {
		if !i18n.Supported(l) {
			out = append(out, l)
		}
	}
	return out
}

func TestCardNameInLanguage(t *testing.T) {
	h, _ := newNamesHandler(t)
	ctx := context.Background()
	c, ok, err := h.Library.Case(ctx, "lale-testqizi")
	if err != nil || !ok {
		t.Fatalf("case: %v %v", ok, err)
	}
	for _, lang := range append(langs(), "fr") {
		card := NewCard(c, CardOptions{Lang: lang, Today: cases.DateOf(testNow)})
		if card.Title != laleNames[lang] || !strings.HasPrefix(card.Text(), laleNames[lang]+" — ") {
			t.Errorf("%s card: title %q, text %q; want the name %q", lang, card.Title, card.Text(), laleNames[lang])
		}
		if co, _ := cases.CountryByCode("AZ"); card.Country != co.Name(lang) {
			t.Errorf("%s card: country %q; want %q", lang, card.Country, co.Name(lang))
		}
	}
}

// TestNamesInReplies: /case finds a person by the name in any language;
// pick lists, case lists, alert replies and status-change posts name her
// in the channel's language.
func TestNamesInReplies(t *testing.T) {
	h, st := newNamesHandler(t)
	ctx := context.Background()
	for _, q := range []string{"Лале Тестгызы", "Тестгызы", "Lale Testkysy", "لاله تستقیزی", "lale testqizi"} {
		r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: "case", Options: ParseOptions("case", q)})
		if r.Card == nil || r.Card.CaseID != "lale-testqizi" {
			t.Errorf("/case %s: card %+v, text %q; want Lale Testqizi", q, r.Card, r.Text)
		}
	}
	// A German channel.
	if _, err := st.UpdateSettings(ctx, store.Channel{Platform: "telegram", Chat: "-100", Language: "de"}, h.Defaults("telegram", "-100"), testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Subscribe(ctx, h.Defaults("telegram", "-100"), "AZ", testNow); err != nil {
		t.Fatal(err)
	}
	r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: "case", Options: ParseOptions("case", "lale")})
	var labels []string
	for _, c := range r.Choices {
		labels = append(labels, c.Label)
	}
	if got := strings.Join(labels, "|"); !strings.Contains(got, "Lale Testkysy (Aserbaidschan)") || !strings.Contains(got, "Lale Zweite (Aserbaidschan)") {
		t.Errorf("pick list %q; want the German name", got)
	}
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: "cases", Options: ParseOptions("cases", "AZ")})
	if !strings.Contains(r.Text, "• Lale Testkysy — ") || strings.Contains(r.Text, "Testqizi") {
		t.Errorf("/cases AZ: %q; want the German name", r.Text)
	}
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "42", Command: "alert", Options: ParseOptions("alert", "lale-testqizi Schreibt ihr")})
	if !strings.Contains(r.Text, "Lale Testkysy") {
		t.Errorf("alert reply %q; want the German name", r.Text)
	}
	ch, err := st.Channel(ctx, "telegram", "-100")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := h.Compose(ctx, store.Post{Key: "k", Kind: store.KindStatusChange, CaseID: "lale-testqizi",
		Payload: store.EncodePayload(store.StatusChangePayload{Old: cases.Detained, New: cases.Imprisoned})}, ch)
	if err != nil || !strings.Contains(msg.Lead, "Lale Testkysy") || msg.Card.Title != "Lale Testkysy" {
		t.Errorf("status change %q, card %q, %v; want the German name", msg.Lead, msg.Card.Title, err)
	}
}

// TestUserLanguage: a private chat without settings is answered in the
// user's app language when vigil speaks it; a stored setting wins, and a
// group goes by its own settings.
func TestUserLanguage(t *testing.T) {
	h, st := newNamesHandler(t)
	ctx := context.Background()
	help := func(chat string, private bool, userLang string) Reply {
		return h.Handle(ctx, Request{Platform: "telegram", Chat: chat, User: "7", Command: "help", Private: private, UserLang: userLang,
			IsAdmin: admin(true)})
	}
	for _, tt := range []struct {
		userLang, want string
	}{
		{"de", "de"}, {"de-AT", "de"}, {"DE_ch", "de"}, {"fr", "en"}, {"", "en"}, {"x", "en"}, {"en-GB", "en"},
	} {
		if r := help("7", true, tt.userLang); r.Lang != tt.want || r.Text != Help(tt.want) {
			t.Errorf("private chat, user language %q: reply in %q; want %q", tt.userLang, r.Lang, tt.want)
		}
	}
	if r := help("-100", false, "de"); r.Lang != "en" {
		t.Errorf("group, user language de: reply in %q; want the group's (en)", r.Lang)
	}
	// A subscription made in the user's language keeps it for the posts.
	r := h.Handle(ctx, Request{Platform: "telegram", Chat: "8", User: "8", Command: "subscribe", Options: ParseOptions("subscribe", "AZ"),
		Private: true, UserLang: "de-DE", IsAdmin: admin(true)})
	if !strings.Contains(r.Text, "Aserbaidschan") {
		t.Errorf("subscribe in German: %q", r.Text)
	}
	if ch, err := st.Channel(ctx, "telegram", "8"); err != nil || ch.Language != "de" {
		t.Errorf("stored channel %+v, %v; want language de", ch, err)
	}
	// A stored /settings wins over the user's language.
	h.Handle(ctx, Request{Platform: "telegram", Chat: "9", User: "9", Command: "settings", Options: ParseOptions("settings", "en"),
		Private: true, UserLang: "de", IsAdmin: admin(true)})
	if r := help("9", true, "de"); r.Lang != "en" {
		t.Errorf("after /settings en: reply in %q; want en", r.Lang)
	}
	// A pick-list answer in a private chat is in the user's language too.
	card, err := h.CaseCardFor(ctx, Request{Platform: "telegram", Chat: "10", Private: true, UserLang: "de"}, "lale-testqizi")
	if err != nil || card == nil || card.Lang != "de" || card.Title != "Lale Testkysy" {
		t.Errorf("CaseCardFor in a private chat: %+v, %v; want a German card", card, err)
	}
}

func TestUserLanguageUkrainian(t *testing.T) {
	h, _ := newNamesHandler(t)
	r := h.Handle(context.Background(), Request{Platform: "telegram", Chat: "7", User: "7", Command: "help", Private: true, UserLang: "uk-UA"})
	if r.Lang != "uk" || r.Text != Help("uk") || r.Text == Help("en") {
		t.Errorf("private chat, user language uk-UA: reply in %q: %q; want Ukrainian", r.Lang, r.Text)
	}
	if got := UserLanguage("uk-UA"); got != "uk" {
		t.Errorf("UserLanguage(uk-UA) = %q; want uk", got)
	}
}

// TestSettingsLanguages: /settings takes every language vigil speaks and
// refuses others, naming the ones it speaks.
func TestSettingsLanguages(t *testing.T) {
	h, _ := newNamesHandler(t)
	ctx := context.Background()
	settings := func(chat, words string) Reply {
		return h.Handle(ctx, Request{Platform: "telegram", Chat: chat, User: "7", Command: "settings", Options: ParseOptions("settings", words),
			IsAdmin: admin(true)})
	}
	for i, lang := range i18n.Languages {
		chat := "-" + string(rune('1'+i))
		r := settings(chat, lang)
		want := i18n.F(lang, "reply.settings", i18n.Args{"Timezone": "UTC", "Time": "10:00", "Language": lang})
		if r.Text != want || r.Lang != lang {
			t.Errorf("/settings %s: %q in %q; want %q", lang, r.Text, r.Lang, want)
		}
	}
	for _, bad := range []string{"fr", "tr", "es"} {
		r := settings("-50", bad)
		if !strings.Contains(r.Text, "“"+bad+"”") || !strings.Contains(r.Text, strings.Join(i18n.Languages, ", ")) || !r.Private {
			t.Errorf("/settings %s: %q; want a refusal naming %s", bad, r.Text, strings.Join(i18n.Languages, ", "))
		}
		if r := settings("-50", ""); !strings.Contains(r.Text, "language en") {
			t.Errorf("after /settings %s: %q; want the language unchanged", bad, r.Text)
		}
	}
}

func TestSettingsRussian(t *testing.T) {
	h, _ := newNamesHandler(t)
	ctx := context.Background()
	r := h.Handle(ctx, Request{Platform: "console", Chat: "console", User: "console", Command: "settings", Options: ParseOptions("settings", "ru"), Operator: true})
	if r.Lang != "ru" || !hasCyrillic(r.Text) {
		t.Fatalf("/settings ru: %q in %q; want Russian", r.Text, r.Lang)
	}
	r = h.Handle(ctx, Request{Platform: "console", Chat: "console", User: "console", Command: "case", Options: ParseOptions("case", "lale testqizi"), Operator: true})
	if r.Card == nil || r.Card.Title != "Лале Тестгызы" || r.Card.Status != NewCard(mustCase(t, h, "lale-testqizi"), CardOptions{Lang: "ru"}).Status {
		t.Errorf("/case after /settings ru: %+v; want a Russian card", r.Card)
	}
	r = h.Handle(ctx, Request{Platform: "console", Chat: "console", User: "console", Command: "cases", Operator: true})
	if r.Text != "" && !hasCyrillic(r.Text) {
		t.Errorf("/cases after /settings ru: %q; want Russian", r.Text)
	}
}

func mustCase(t *testing.T, h *Handler, id string) *cases.Case {
	t.Helper()
	c, ok, err := h.Library.Case(context.Background(), id)
	if err != nil || !ok {
		t.Fatalf("case %s: %v %v", id, ok, err)
	}
	return c
}

func hasCyrillic(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
}
