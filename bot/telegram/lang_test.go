package telegram

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/testutil"
)

// cardIn is the card of the bundled case in lang, as the handler builds it.
func cardIn(t *testing.T, lang string) *bot.Card {
	t.Helper()
	c := testutil.BundledCase(t, "saleh-rustamov")
	return bot.NewCard(c, bot.CardOptions{Lang: lang, Today: cases.DateOf(time.Now())})
}

// TestPrivateChatUserLanguage: in a private chat without settings the
// user's Telegram language decides, when vigil speaks it; a group keeps
// its own language, and a stored /settings wins.
func TestPrivateChatUserLanguage(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	say := func(c telegramtest.Chat, u telegramtest.User, text string) telegramtest.Sent {
		t.Helper()
		before := len(hs.tg.Messages(c.ID))
		hs.tg.SendText(c, u, text)
		return hs.tg.WaitMessages(c.ID, before+1, waitLong)[before]
	}
	de := cardIn(t, "de")
	msg := say(telegramtest.Private(21), telegramtest.User{ID: 21, LanguageCode: "de-AT"}, "/case rustamov")
	if !strings.Contains(msg.Text, de.Status) || !strings.Contains(msg.Text, de.Country) {
		t.Errorf("private chat, language_code de-AT: %.300q; want the German card (%q)", msg.Text, de.Status)
	}
	en := cardIn(t, "en")
	msg = say(telegramtest.Private(22), telegramtest.User{ID: 22, LanguageCode: "pt-br"}, "/case rustamov")
	if !strings.Contains(msg.Text, en.Status) {
		t.Errorf("private chat, language_code pt-br: %.300q; want the English card", msg.Text)
	}
	group := telegramtest.Supergroup(-1001023, "Group")
	msg = say(group, telegramtest.User{ID: 23, LanguageCode: "de"}, "/case rustamov")
	if !strings.Contains(msg.Text, en.Status) {
		t.Errorf("group, language_code de: %.300q; want the group's language (English)", msg.Text)
	}
	dm := telegramtest.Private(24)
	u := telegramtest.User{ID: 24, LanguageCode: "de"}
	say(dm, u, "/settings en")
	msg = say(dm, u, "/case rustamov")
	if !strings.Contains(msg.Text, en.Status) {
		t.Errorf("after /settings en, language_code de: %.300q; want English", msg.Text)
	}
	// A pick list and the card that answers it are in the user's language.
	pick := telegramtest.Private(25)
	pu := telegramtest.User{ID: 25, LanguageCode: "de"}
	msg = say(pick, pu, "/case testova")
	if len(msg.Keyboard) != 2 || !strings.Contains(msg.Keyboard[0][0].Text, "Aserbaidschan") {
		t.Fatalf("pick list %q, %+v; want two German buttons", msg.Text, msg.Keyboard)
	}
	hs.tg.Press(pick, pu, msg.MessageID, *msg.Keyboard[0][0].CallbackData)
	if !hs.tg.WaitFor(waitLong, func() bool { return hs.tg.Messages(pick.ID)[0].Edits == 1 }) ||
		!strings.Contains(hs.tg.Messages(pick.ID)[0].Text, "Aserbaidschan") {
		t.Errorf("after the press: %q; want the German card", hs.tg.Messages(pick.ID)[0].Text)
	}
	if errs := hs.tg.Errors(); len(errs) != 0 {
		t.Errorf("the fake refused requests: %q", errs)
	}
}

func TestPrivateChatUkrainian(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	uk := cardIn(t, "uk")
	chat := telegramtest.Private(31)
	hs.tg.SendText(chat, telegramtest.User{ID: 31, LanguageCode: "uk"}, "/case rustamov")
	msg := hs.tg.WaitMessages(chat.ID, 1, waitLong)[0]
	if !strings.Contains(msg.Text, uk.Status) || !strings.Contains(msg.Text, uk.Country) || uk.Status == cardIn(t, "en").Status {
		t.Errorf("private chat, language_code uk: %.300q; want the Ukrainian card (%q)", msg.Text, uk.Status)
	}
	hs.tg.SendText(chat, telegramtest.User{ID: 31, LanguageCode: "uk"}, "/help")
	msg = hs.tg.WaitMessages(chat.ID, 2, waitLong)[1]
	if first, _, _ := strings.Cut(bot.Help("uk"), "\n"); !strings.Contains(msg.Text, first) {
		t.Errorf("/help, language_code uk: %.200q; want Ukrainian help", msg.Text)
	}
}

// namedCase is an invented person named in Persian and Russian, with
// Latin URLs, hashtags and numbers inside the card.
const namedCase = `id: lale-testqizi
name: Lale Testqizi
names: {ru: Лале Тестгызы, fa: لاله تستقیزی}
country: AZ
status: imprisoned
status_as_of: 2026-10
arrested: 2024-03-15
sentenced: 2025-01
sentence: 5 years
charges: [hooliganism]
hunger_strikes: [{started: 2025-06, days: 12}]
summary: {en: "An invented blogger <b>&</b> poet.", fa: "یک وبلاگ‌نویس ساختگی (Lale) از باکو، 2024."}
sources: [{title: "Report", publisher: "Example Watch", date: 2026-10, url: "https://example.org/r?a=1&b=2"}]
actions: [{kind: petition, label: "امضا کنید", url: "https://example.org/sign"}]
hashtags: ["#FreeLale", "#آزادی"]
`

// TestCardEveryLanguage sends a card in every language (and in fa even
// before its catalogue) through the fake, which checks the HTML as
// Telegram does: no 400, the name in the language's script.
func TestCardEveryLanguage(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	c := parseCase(t, namedCase)
	langs := append([]string{}, i18n.Languages...)
	for _, l := range []string{"ru", "fa"} {
		if !i18n.Supported(l) {
			langs = append(langs, l)
		}
	}
	for i, lang := range langs {
		chat := telegramtest.Private(int64(100 + i))
		hs.tg.AddChat(chat)
		for _, card := range []*bot.Card{bot.NewCard(c, bot.CardOptions{Lang: lang, Today: cases.DateOf(time.Now())}), cardIn(t, lang)} {
			if _, err := hs.client.Send(context.Background(), itoa(chat.ID), bot.Message{Lang: lang, Lead: i18n.F(lang, "post.alert", i18n.Args{"Message": "Write today"}), Card: card}); err != nil {
				t.Errorf("%s: Send: %v", lang, err)
			}
		}
		sent := hs.tg.Messages(chat.ID)
		if len(sent) < 2 {
			t.Fatalf("%s: %d messages sent; want the two cards", lang, len(sent))
		}
		want := map[string]string{"ru": "Лале Тестгызы", "fa": "لاله تستقیزی"}[lang]
		if want == "" {
			want = "Lale Testqizi"
		}
		if !strings.Contains(sent[0].Text, want) || sent[0].ParseMode != "HTML" {
			t.Errorf("%s card (%s): %.300q; want HTML with the name %q", lang, sent[0].ParseMode, sent[0].Text, want)
		}
		if !strings.Contains(sent[0].Text, "#FreeLale") || !strings.Contains(sent[0].Text, "#آزادی") {
			t.Errorf("%s card: %.500q; want its hashtags", lang, sent[0].Text)
		}
	}
	if errs := hs.tg.Errors(); len(errs) != 0 {
		t.Errorf("the fake refused requests: %q", errs)
	}
}

// TestSettingsFarsiCard: /settings fa, then a card through the real
// handler and adapter, in Persian, accepted by the fake.
func TestSettingsFarsiCard(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	chat := telegramtest.Private(41)
	hs.say(chat, 41, "/settings fa")
	msg := hs.say(chat, 41, "/case rustamov")
	fa := cardIn(t, "fa")
	if msg.ParseMode != "HTML" || !strings.Contains(msg.Text, fa.Country) {
		t.Errorf("card after /settings fa (%s): %.300q; want HTML in Persian (%q)", msg.ParseMode, msg.Text, fa.Country)
	}
	// It reads right to left: Latin runs isolated (FSI … PDI), Persian
	// commas between Latin items, Persian digits in counts and dates, and
	// a right-to-left mark (RLM) on each line that begins with a Latin
	// value or a bullet.
	for _, want := range []string{
		"\u200f\u2068Saleh Rustamov\u2069 — " + fa.Country + "\n",
		": \u2068Azerbaijan Popular Front Party (APFP)\u2069\n",
		": \u2068money laundering\u2069، \u2068drug crimes\u2069\n",
		": \u20687 years\u2069\n",
		"۴۱ روز", ": ۲۰۱۸\n",
		"\n\u200f• \u2068Prisoner of Conscience: Saleh Rustamov, Azerbaijan\u2069 — \u2068Friedrich Naumann Foundation for Freedom\u2069، مه ۲۰۲۲",
	} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("fa card lacks %q:\n%s", want, msg.Text)
		}
	}
	if outside := isolates.ReplaceAllString(msg.Text, ""); strings.ContainsAny(outside, "0123456789\u2068\u2069") {
		t.Errorf("fa card has ASCII digits outside isolates, or unbalanced isolates: %q", outside)
	}
	if len(msg.Keyboard) != 1 || msg.Keyboard[0][0].Text != "\u200f\u2068Read his profile\u2069" {
		t.Errorf("fa card buttons = %+v; want the isolated label marked right to left", msg.Keyboard)
	}
	// A pick list in Persian: each button runs right to left, its Latin
	// name isolated before the Persian country; the card that answers it
	// is the Persian card.
	msg = hs.say(chat, 41, "/case testova")
	if len(msg.Keyboard) != 2 {
		t.Fatalf("fa pick list %q, %+v; want two buttons", msg.Text, msg.Keyboard)
	}
	for _, row := range msg.Keyboard {
		if !strings.HasPrefix(row[0].Text, "\u200f\u2068") || !strings.HasSuffix(row[0].Text, "\u2069 ("+fa.Country+")") {
			t.Errorf("fa pick list button %q; want RLM, the isolated name, then (%s)", row[0].Text, fa.Country)
		}
	}
	hs.tg.Press(chat, telegramtest.User{ID: 41}, msg.MessageID, *msg.Keyboard[0][0].CallbackData)
	if !hs.tg.WaitFor(waitLong, func() bool { return hs.tg.Messages(chat.ID)[len(hs.tg.Messages(chat.ID))-1].Edits == 1 }) {
		t.Fatalf("the pick list was not answered; fake errors %v\n%s", hs.tg.Errors(), hs.logs.String())
	}
	if got := hs.tg.Messages(chat.ID)[len(hs.tg.Messages(chat.ID))-1].Text; !strings.Contains(got, "\u200f\u2068") || !strings.Contains(got, fa.Country) {
		t.Errorf("after the press: %q; want the Persian card", got)
	}
	if errs := hs.tg.Errors(); len(errs) != 0 {
		t.Errorf("the fake refused requests: %q", errs)
	}
}

// isolates matches an isolated run (FSI … PDI) without nested ones.
var isolates = regexp.MustCompile("\u2068[^\u2068\u2069]*\u2069")

func parseCase(t *testing.T, yaml string) *cases.Case {
	t.Helper()
	cs, err := cases.Parse("t.yaml", []byte(yaml), cases.ParseOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return &cs[0]
}

// TestMenusSevenLanguages: a command menu per language_code for each of
// the seven languages, each in its own words.
func TestMenusSevenLanguages(t *testing.T) {
	for _, l := range []string{"ru", "uk", "be", "az", "fa"} {
		if !i18n.Supported(l) {
			t.Fatalf("no %s catalogue", l)
		}
	}
	t.Parallel()
	hs := newHarness(t, harnessOpts{})
	langs := []string{"de", "ru", "uk", "be", "az", "fa"}
	// The menus are set one language after another: wait for them all.
	if !hs.tg.WaitFor(waitLong, func() bool {
		for _, l := range langs {
			if len(hs.tg.Commands(l)) == 0 {
				return false
			}
		}
		return true
	}) {
		t.Fatal("not every language's menu was set")
	}
	en := hs.tg.Commands("")
	for _, lang := range langs {
		got := hs.tg.Commands(lang)
		if len(got) != len(bot.CommandNames()) || got["case"] == en["case"] {
			t.Errorf("%s menu = %v; want every command in %s", lang, got, lang)
		}
	}
}
