package discord

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/testutil"
)

// discordLocales are the Discord locales of vigil's languages: Discord
// has de, ru and uk, and no Belarusian, Azerbaijani or Persian locale.
var discordLocales = map[string]string{"de": "de", "ru": "ru", "uk": "uk"}

// wantLocales returns the localizations every command must carry: one
// per Discord locale whose language has a catalogue.
func wantLocales() []string {
	var out []string
	for loc, lang := range discordLocales {
		if i18n.Supported(lang) {
			out = append(out, loc)
		}
	}
	slices.Sort(out)
	return out
}

// TestLocalizationsPerLanguage: every command and option carries a
// description in each supported language Discord knows, the table's,
// and none other; names stay the same.
func TestLocalizationsPerLanguage(t *testing.T) {
	e := start(t, discordtest.Options{})
	want := wantLocales()
	byName := map[string]discordtest.Command{}
	for _, c := range e.srv.Commands(guildID) {
		byName[c.Name] = c
	}
	for _, bc := range bot.Commands() {
		c := byName[bc.Name]
		if got := slices.Sorted(maps.Keys(c.DescriptionLocalizations)); !slices.Equal(got, want) {
			t.Errorf("/%s localized in %v; want %v", bc.Name, got, want)
		}
		for _, loc := range want {
			lang := discordLocales[loc]
			if c.DescriptionLocalizations[loc] != description(bc.Summary(lang), bc.Name) || c.NameLocalizations[loc] != bc.Name {
				t.Errorf("/%s in %s: %q, name %q; want %q", bc.Name, loc, c.DescriptionLocalizations[loc], c.NameLocalizations[loc], bc.Summary(lang))
			}
			for i, o := range c.Options {
				if o.DescriptionLocalizations[loc] != description(bc.OptionDescription(lang, bc.Options[i].Name), o.Name) {
					t.Errorf("/%s %s in %s: %q; want the table's", bc.Name, o.Name, loc, o.DescriptionLocalizations[loc])
				}
			}
		}
	}
}

func TestLocalizationsRussianUkrainian(t *testing.T) {
	e := start(t, discordtest.Options{})
	for _, c := range e.srv.Commands(guildID) {
		for _, loc := range []string{"ru", "uk"} {
			if d := c.DescriptionLocalizations[loc]; d == "" || d == c.Description {
				t.Errorf("/%s in %s: %q; want its own description", c.Name, loc, d)
			}
		}
	}
}

// TestDMUserLocale: in a DM without settings the user's client locale
// decides, when vigil speaks it; in a server channel it does not.
func TestDMUserLocale(t *testing.T) {
	e := startIn(t, "", discordtest.Options{}) // global commands, for DMs
	c := testutil.BundledCase(t, "saleh-rustamov")
	status := func(lang string) string {
		return bot.NewCard(c, bot.CardOptions{Lang: lang, Today: cases.DateOf(time.Now())}).Status
	}
	dm := discordtest.Invoke{ChannelID: "850000000000000001", UserID: memberID, Locale: "de"}
	m := e.command(dm, "case", map[string]string{"query": "rustamov"})
	if len(m.Embeds) != 1 || !strings.Contains(embedText(m), status("de")) {
		t.Errorf("DM, locale de: %q; want the German card (%q)", embedText(m), status("de"))
	}
	// An ephemeral refusal in the DM is German too.
	m = e.command(dm, "subscribe", map[string]string{"country": "Atlantis"})
	if want := i18n.F("de", "reply.unknown_country", i18n.Args{"Query": "Atlantis"}); m.Content != want || !m.Ephemeral() {
		t.Errorf("DM refusal %q (ephemeral %v); want %q", m.Content, m.Ephemeral(), want)
	}
	inv := in("850000000000000002", memberID, 0)
	inv.Locale = "de"
	m = e.command(inv, "case", map[string]string{"query": "rustamov"})
	if !strings.Contains(embedText(m), status("en")) {
		t.Errorf("server channel, locale de: %q; want the channel's language (English)", embedText(m))
	}
}

func embedText(m discordtest.Message) string {
	var b strings.Builder
	for _, em := range m.Embeds {
		b.WriteString(em.Title + "\n" + em.Description)
		for _, f := range em.Fields {
			b.WriteString("\n" + f.Name + ": " + f.Value)
		}
	}
	return b.String()
}

// namedCase is an invented person named in Russian and Persian.
const namedCase = `id: lale-testqizi
name: Lale Testqizi
names: {ru: Лале Тестгызы, fa: لاله تستقیزی}
country: AZ
status: imprisoned
status_as_of: 2026-10
arrested: 2024-03-15
sentence: 5 years
summary: {en: "An invented blogger.", fa: "یک وبلاگ‌نویس ساختگی (Lale) از باکو، 2024."}
actions: [{kind: petition, label: "امضا کنید", url: "https://example.org/sign"}]
hashtags: ["#FreeLale"]
`

// TestEmbedEveryLanguage: a card in every language (and in ru and fa
// even before their catalogues) goes out as an embed within every limit
// the fake checks, naming the person in the language.
func TestEmbedEveryLanguage(t *testing.T) {
	e := start(t, discordtest.Options{})
	cs, err := cases.Parse("t.yaml", []byte(namedCase), cases.ParseOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	langs := append([]string{}, i18n.Languages...)
	for _, l := range []string{"ru", "fa"} {
		if !i18n.Supported(l) {
			langs = append(langs, l)
		}
	}
	names := map[string]string{"ru": "Лале Тестгызы", "fa": "لاله تستقیزی"}
	for i, lang := range langs {
		ch := "86000000000000000" + string(rune('0'+i))
		for _, c := range []*cases.Case{&cs[0], testutil.BundledCase(t, "saleh-rustamov")} {
			card := bot.NewCard(c, bot.CardOptions{Lang: lang, Today: cases.DateOf(time.Now())})
			if _, err := e.c.Send(context.Background(), ch, bot.Message{Lang: lang, Card: card,
				Lead: i18n.F(lang, "post.alert", i18n.Args{"Message": "Write today"})}); err != nil {
				t.Errorf("%s: Send: %v", lang, err)
			}
		}
		msgs, err := e.srv.WaitMessages(ch, 2, wait)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, m := range msgs {
			if err := discordtest.CheckMessage(m.Raw); err != nil {
				t.Errorf("%s: embed refused: %v", lang, err)
			}
			if len(m.Embeds) != 1 || m.Embeds[0].Total() > 6000 {
				t.Errorf("%s: %d embeds; want one within 6000 characters", lang, len(m.Embeds))
			}
		}
		want := names[lang]
		if want == "" {
			want = "Lale Testqizi"
		}
		if len(msgs[0].Embeds) == 1 && !strings.Contains(msgs[0].Embeds[0].Title, want) {
			t.Errorf("%s: title %q; want %q", lang, msgs[0].Embeds[0].Title, want)
		}
		if lang == "fa" {
			checkFarsiEmbeds(t, msgs)
		}
	}
}

// checkFarsiEmbeds checks the Persian posts of TestEmbedEveryLanguage:
// Latin runs isolated (FSI … PDI), every text that begins with one
// marked right to left (RLM), Persian commas and digits.
func checkFarsiEmbeds(t *testing.T, msgs []discordtest.Message) {
	t.Helper()
	lale, rustamov := msgs[0], msgs[1]
	if want := "فوری: \u2068Write today\u2069"; lale.Content != want {
		t.Errorf("fa lead %q; want %q", lale.Content, want)
	}
	if e := lale.Embeds[0]; e.Title != "لاله تستقیزی" || e.Footer == nil || !strings.Contains(e.Footer.Text, "\u2068#FreeLale\u2069") {
		t.Errorf("fa embed title %q, footer %+v; want the Persian name and the isolated hashtag", e.Title, e.Footer)
	}
	e := rustamov.Embeds[0]
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Name] = f.Value
	}
	for name, want := range map[string]string{
		"محکومیت":        "\u200f\u20687 years\u2069",
		"اتهامات":        "\u200f\u2068money laundering\u2069، \u2068drug crimes\u2069",
		"اعتصاب‌های غذا": "از نوامبر ۲۰۲۱، ۴۱ روز",
		"بازداشت":        "\u200f۲۰۱۸", // digits alone have no direction: marked
	} {
		if fields[name] != want {
			t.Errorf("fa field %s = %q; want %q", name, fields[name], want)
		}
	}
	if e.Title != "\u200f\u2068Saleh Rustamov\u2069" || e.Footer == nil ||
		!strings.Contains(e.Footer.Text, "\u2068Friedrich Naumann Foundation for Freedom\u2069، مه ۲۰۲۲") {
		t.Errorf("fa embed title %q, footer %+v; want the isolated name marked RTL and the source with a Persian comma", e.Title, e.Footer)
	}
	if b := rustamov.Buttons(); len(b) == 0 || b[0].Label != "\u200f\u2068Read his profile\u2069" {
		t.Errorf("fa buttons %+v; want the isolated label marked right to left", b)
	}
}

// TestSettingsRussianEmbed: /settings ru, then /case answers with a
// Russian embed within every limit.
func TestSettingsRussianEmbed(t *testing.T) {
	e := start(t, discordtest.Options{})
	ch := "870000000000000001"
	e.command(in(ch, memberID, 16), "settings", map[string]string{"language": "ru"})
	m := e.command(in(ch, memberID, 0), "case", map[string]string{"query": "rustamov"})
	c := testutil.BundledCase(t, "saleh-rustamov")
	ru := bot.NewCard(c, bot.CardOptions{Lang: "ru", Today: cases.DateOf(time.Now())})
	if err := discordtest.CheckMessage(m.Raw); err != nil {
		t.Errorf("Russian embed refused: %v", err)
	}
	if len(m.Embeds) != 1 || m.Embeds[0].Total() > 6000 || !strings.Contains(embedText(m), ru.Status) {
		t.Errorf("/case after /settings ru: %q; want the Russian card (%q)", embedText(m), ru.Status)
	}
}
