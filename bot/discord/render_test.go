package discord

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
)

func TestFit(t *testing.T) {
	tests := []struct {
		in     string
		limit  int
		escape bool
		want   string
	}{
		{"abc", 10, false, "abc"},
		{"abcdef", 4, false, "abc…"},
		{"äöüßé", 3, false, "äö…"},
		{"ab   cdef", 6, false, "ab…"},
		{"**x**", 10, true, `\*\*x\*\*`},
		{"a*b", 3, true, "a…"},
		{"@everyone <@123> <@&4>", 100, true, `\@everyone \<\@123> \<\@&4>`},
		{"[x](https://evil.example)", 100, true, `\[x\](https://evil.example)`},
		{"see https://x.org/a_b*c ok_", 100, true, `see https://x.org/a_b*c ok\_`},
		{"# h\n- l\n> q\na-b #c", 100, true, "\\# h\n\\- l\n\\> q\na-b #c"},
		{"||s|| ~~t~~ `c`", 100, true, "\\|\\|s\\|\\| \\~\\~t\\~\\~ \\`c\\`"},
		{"\xff\xfeok", 10, false, "\uFFFDok"},
		{"anything", 0, true, ""},
		{"ab\u2068cdef\u2069 x", 6, false, "ab\u2068c\u2069…"},    // an isolate cut open is closed
		{"ab\u2068c*def\u2069 x", 8, true, "ab\u2068c\\*\u2069…"}, // within the limit, escapes counted
	}
	for _, tt := range tests {
		if got := fit(tt.in, tt.limit, tt.escape); got != tt.want {
			t.Errorf("fit(%q, %d, %v) = %q; want %q", tt.in, tt.limit, tt.escape, got, tt.want)
		}
	}
}

func FuzzFit(f *testing.F) {
	f.Add("**bold** @everyone https://x.org/_ é", 10, true)
	f.Add("plain", 3, false)
	f.Fuzz(func(t *testing.T, s string, limit int, escape bool) {
		limit = limit % 5000
		got := fit(s, limit, escape)
		if !utf8.ValidString(got) {
			t.Fatalf("fit(%q) = %q: invalid UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > max(limit, 0) {
			t.Fatalf("fit(%q, %d) = %q: %d characters", s, limit, got, n)
		}
		if !escape && utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit && got != s {
			t.Fatalf("fit(%q, %d) = %q; want it unchanged", s, limit, got)
		}
		if strings.HasSuffix(strings.TrimSuffix(got, "…"), `\`) && escape {
			// A lone trailing backslash would escape the ellipsis.
			trimmed := strings.TrimSuffix(got, "…")
			if n := len(trimmed) - len(strings.TrimRight(trimmed, `\`)); n%2 == 1 {
				t.Fatalf("fit(%q) = %q ends in a lone backslash", s, got)
			}
		}
	})
}

// randomText returns n characters of hostile text.
func randomText(r *rand.Rand, n int) string {
	alphabet := []rune("ab *_~`|>#-[]()<@&:. \n\tßé€😀﷽Рус")
	out := make([]rune, n)
	for i := range out {
		out[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(out)
}

// TestCardWithinLimits renders cards of random, often oversized, hostile
// text and has the fake's validator check every Discord limit.
func TestCardWithinLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 150 {
		c := &bot.Card{Lang: "en", Title: randomText(r, r.IntN(400)), Country: randomText(r, r.IntN(100)),
			Status: randomText(r, r.IntN(300)), Summary: randomText(r, r.IntN(9000)), Stale: randomText(r, r.IntN(200))}
		for range r.IntN(30) {
			c.Fields = append(c.Fields, bot.Field{Label: randomText(r, r.IntN(300)), Value: randomText(r, r.IntN(1500))})
		}
		for range r.IntN(30) {
			c.Actions = append(c.Actions, bot.Link{Kind: "petition", Text: randomText(r, r.IntN(120)), URL: "https://example.org/" + randomText(r, 3)})
		}
		for range r.IntN(8) {
			c.Sources = append(c.Sources, bot.Link{Text: randomText(r, r.IntN(600)), URL: "https://example.org/s"})
		}
		for range r.IntN(10) {
			c.Hashtags = append(c.Hashtags, "#"+randomText(r, r.IntN(100)))
		}
		if r.IntN(2) == 0 {
			c.Photo = &cases.Photo{URL: "https://example.org/p.jpg", Credit: randomText(r, r.IntN(600))}
		}
		msg := bot.Message{Kind: "alert", Lead: randomText(r, r.IntN(3000)), Card: c}
		body, err := json.Marshal(renderMessage(msg).send())
		if err != nil {
			t.Fatal(err)
		}
		if err := discordtest.CheckMessage(body); err != nil {
			t.Fatalf("card %d refused: %v", i, err)
		}
		reply, _ := json.Marshal(renderReply(bot.Reply{Text: randomText(r, 2500), Card: c}).response(4).Data)
		if err := discordtest.CheckMessage(reply); err != nil {
			t.Fatalf("reply %d refused: %v", i, err)
		}
	}
}

// TestCardKeepsWhatFits: a normal card is not cut, and its summary is
// shortened first when the total is too long.
func TestCardKeepsWhatFits(t *testing.T) {
	c := &bot.Card{Lang: "en", Title: "Amira Testova", Country: "Azerbaijan", Status: "imprisoned (as of May 2022)",
		Summary: "A fictional journalist.", Fields: []bot.Field{{Label: "Sentenced", Value: "February 2021"}},
		Hashtags: []string{"#FreeThemAll"}, Sources: []bot.Link{{Text: "A source", URL: "https://example.org/s"}}}
	e := cardEmbed(c)
	if e.Title != "Amira Testova" || !strings.Contains(e.Description, "A fictional journalist\\.") && !strings.Contains(e.Description, "A fictional journalist.") ||
		e.Fields[0].Value != "February 2021" || !strings.Contains(e.Footer.Text, "#FreeThemAll") || !strings.Contains(e.Footer.Text, "A source") {
		t.Errorf("embed = %+v; want the card unabridged", e)
	}
	c.Summary = strings.Repeat("long ", 2000)
	for range 6 {
		c.Fields = append(c.Fields, bot.Field{Label: "More", Value: strings.Repeat("v", 1000)})
	}
	e = cardEmbed(c)
	if e.Fields[0].Value != "February 2021" || e.Title != "Amira Testova" {
		t.Errorf("short parts were cut: title %q, first field %q", e.Title, e.Fields[0].Value)
	}
}

func TestPickButtons(t *testing.T) {
	var choices []bot.Choice
	for i := range 30 {
		choices = append(choices, bot.Choice{CaseID: strings.Repeat("x", i*4), Label: strings.Repeat("L", 100)})
	}
	body, _ := json.Marshal(renderReply(bot.Reply{Text: "pick", Choices: choices}).send())
	if err := discordtest.CheckMessage(body); err != nil {
		t.Errorf("pick list refused: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://discord.com/api/v9/interactions/123/tok-en/callback", "https://discord.com/api/v9/interactions/123/REDACTED/callback"},
		{"https://discord.com/api/v9/webhooks/9/tok/messages/@original", "https://discord.com/api/v9/webhooks/9/REDACTED/messages/@original"},
		{"https://discord.com/api/v9/webhooks/9/tok?wait=true", "https://discord.com/api/v9/webhooks/9/REDACTED?wait=true"},
		{"https://discord.com/api/v9/channels/1/messages", "https://discord.com/api/v9/channels/1/messages"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestBidiTextURL: in Persian, an isolated URL's closing PDI is kept out
// of the link Discord makes (its links end only at white space), and the
// line is marked right to left; other languages are left alone.
func TestBidiTextURL(t *testing.T) {
	lead := i18n.F("fa", "post.alert", i18n.Args{"Message": "Sign https://example.org/x?a=1"})
	got := renderMessage(bot.Message{Lang: "fa", Lead: lead}).content
	if want := "فوری: \u2068Sign https://example.org/x?a=1 \u2069"; got != want {
		t.Errorf("fa lead = %q; want %q", got, want)
	}
	if got := bidiText("fa", "\u2068https://example.org\u2069"); got != "\u200f\u2068https://example.org \u2069" {
		t.Errorf("bidiText(fa, an isolated URL) = %q", got)
	}
	if got := bidiText("en", "\u2068https://example.org\u2069"); got != "\u2068https://example.org\u2069" {
		t.Errorf("bidiText(en) = %q; want it unchanged", got)
	}
}
