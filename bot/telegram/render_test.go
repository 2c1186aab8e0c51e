package telegram

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/cases"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<b>`, `&lt;b&gt;`},
		{`a & b`, `a &amp; b`},
		{`"q"`, `&quot;q&quot;`},
		{`&amp;`, `&amp;amp;`},
		{`'single' 🕊️ שלום`, `'single' 🕊️ שלום`},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"abc", 3},
		{"äöü", 3},
		{"שלום", 4},
		{"🕊", 2},     // outside the BMP: a surrogate pair
		{"🕊️", 3},    // plus the variation selector
		{"👨‍👩‍👧", 8}, // three pairs and two joiners
	}
	for _, tt := range tests {
		if got := textLen(tt.in); got != tt.want {
			t.Errorf("textLen(%q) = %d; want %d", tt.in, got, tt.want)
		}
		if got := telegramtest.Length(tt.in); got != tt.want {
			t.Errorf("telegramtest.Length(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
	if got := clipText("ab🕊cd", 3); got != "ab" {
		t.Errorf("clipText cuts a surrogate pair: %q; want \"ab\"", got)
	}
	// An isolate the cut leaves open is closed, within the limit.
	if got, want := clipText("ab\u2068cdef\u2069 گ", 5), "ab\u2068c\u2069"; got != want {
		t.Errorf("clipText in an isolate = %q; want %q", got, want)
	}
}

// TestComposeFarsiLong: a Persian card too long for a message is cut
// with every isolate closed, in the HTML and the plain text, and keeps
// Telegram's limits; the extra sources are counted in Persian digits.
func TestComposeFarsiLong(t *testing.T) {
	c := testCard("\u2068" + strings.Repeat("An English summary, long. ", 400) + "\u2069")
	c.Lang = "fa"
	for i := range 12 {
		c.Sources = append(c.Sources, bot.Link{Text: "\u2068Report\u2069", URL: fmt.Sprintf("https://example.org/%d", i)})
	}
	first, textOnly := compose("", "", false, c, nil)
	for _, o := range []outgoing{first, textOnly} {
		html, plain := checkMessage(t, "fa", o)
		for _, text := range []string{html, plain} {
			if strings.Count(text, "\u2068") != strings.Count(text, "\u2069") || !strings.Contains(text, "…") {
				t.Errorf("fa long card: %d FSI, %d PDI, cut %v; want a cut with every isolate closed",
					strings.Count(text, "\u2068"), strings.Count(text, "\u2069"), strings.Contains(text, "…"))
			}
			if !strings.Contains(text, "\u200f• +۴\n") {
				t.Errorf("fa long card lacks the count of the extra sources in Persian digits:\n%.5000s", text)
			}
		}
	}
}

func testCard(summary string) *bot.Card {
	return &bot.Card{CaseID: "x", Lang: "en", Title: `Amira <b>Testova</b>`, Country: "Azerbaijan",
		Status: "imprisoned (as of October 2026)", Fields: []bot.Field{{Label: "Arrested", Value: "March 2024"}},
		Summary: summary, Sources: []bot.Link{{Text: "Report </a>", URL: "https://example.org/?a=1&b=\"2\""}, {Text: "Book"}},
		Actions: []bot.Link{{Kind: "petition", Text: "Sign", URL: "https://example.org/sign"},
			{Kind: "call", Text: "Call the embassy", URL: "tel:+49301234"}},
		Hashtags: []string{"#FreeAmira"}}
}

// checkMessage parses o as the strict fake would and checks the limits.
func checkMessage(t *testing.T, name string, o outgoing) (html, plain string) {
	t.Helper()
	limit := maxText
	if o.method == "sendPhoto" {
		limit = maxCaption
	}
	html, err := telegramtest.ParseHTML(o.html)
	if err != nil {
		t.Errorf("%s: HTML does not parse: %v\n%s", name, err, o.html)
	}
	if n := textLen(html); n > limit {
		t.Errorf("%s: HTML text is %d long; want at most %d", name, n, limit)
	}
	if n := textLen(o.plain); n > limit {
		t.Errorf("%s: plain text is %d long; want at most %d", name, n, limit)
	}
	if o.keyboard != nil {
		for _, row := range o.keyboard.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData != nil && len(*b.CallbackData) > maxCallbackData {
					t.Errorf("%s: callback data %q over 64 bytes", name, *b.CallbackData)
				}
			}
		}
	}
	return html, o.plain
}

func TestComposeCard(t *testing.T) {
	long := strings.Repeat("Ein langer Satz über 🕊️ und <Freiheit> & Recht. ", 200) // ~9600 units
	tests := []struct {
		name       string
		lead       string
		card       *bot.Card
		wantMethod string
		want       []string // in the text users see
		notWant    []string
	}{
		{name: "short", card: testCard("Short summary."), wantMethod: "sendMessage",
			want: []string{"Amira <b>Testova</b> — Azerbaijan", "Short summary.", "Report </a>", "Call the embassy: tel:+49301234", "#FreeAmira"}},
		{name: "alert", lead: "URGENT: <now> & here", card: testCard("s"), wantMethod: "sendMessage",
			want: []string{"URGENT: <now> & here\n\nAmira"}},
		{name: "long summary", card: testCard(long), wantMethod: "sendMessage",
			want: []string{"Ein langer Satz", "…", "Sources:", "#FreeAmira"}},
		{name: "photo caption", card: func() *bot.Card {
			c := testCard("Short.")
			c.Photo = &cases.Photo{URL: "https://example.org/a.jpg", Credit: "© <A&B>"}
			return c
		}(), wantMethod: "sendPhoto", want: []string{"Amira <b>Testova</b>", "Photo: © <A&B>"}},
		{name: "photo with long card", card: func() *bot.Card {
			c := testCard(long)
			c.Photo = &cases.Photo{URL: "https://example.org/a.jpg"}
			return c
		}(), wantMethod: "sendMessage", want: []string{"Photo: https://example.org/a.jpg", "Sources:"}},
		{name: "bad photo URL", card: func() *bot.Card {
			c := testCard("s")
			c.Photo = &cases.Photo{URL: "javascript:alert(1)"}
			return c
		}(), wantMethod: "sendMessage", notWant: []string{"javascript"}},
		{name: "many sources", card: func() *bot.Card {
			c := testCard("s")
			for i := range 13 {
				c.Sources = append(c.Sources, bot.Link{Text: fmt.Sprint("S", i), URL: "https://example.org/"})
			}
			return c
		}(), wantMethod: "sendMessage", want: []string{"• S7\n• +5"}, notWant: []string{"S8"}},
		{name: "huge title", card: func() *bot.Card {
			c := testCard("s")
			c.Title = strings.Repeat("<Name> ", 1000)
			return c
		}(), wantMethod: "sendMessage", want: []string{"<Name> <Name>", "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, textOnly := compose("", tt.lead, true, tt.card, nil)
			if first.method != tt.wantMethod {
				t.Errorf("method = %s; want %s", first.method, tt.wantMethod)
			}
			html, plain := checkMessage(t, "first", first)
			checkMessage(t, "text only", textOnly)
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("text lacks %q:\n%.600s", w, html)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(html, w) || strings.Contains(plain, w) {
					t.Errorf("text has %q", w)
				}
			}
			if first.keyboard == nil || len(first.keyboard.InlineKeyboard) != 1 || *first.keyboard.InlineKeyboard[0][0].URL != "https://example.org/sign" {
				t.Errorf("keyboard = %+v; want the one http(s) action as a button", first.keyboard)
			}
		})
	}
}

func TestComposePlainFallback(t *testing.T) {
	first, _ := compose("", "", false, testCard("Summary"), nil)
	for _, want := range []string{"Amira <b>Testova</b>", "Report </a> (https://example.org/?a=1&b=\"2\")"} {
		if !strings.Contains(first.plain, want) {
			t.Errorf("plain text lacks %q:\n%s", want, first.plain)
		}
	}
	if strings.Contains(first.plain, "&amp;") || strings.Contains(first.plain, "<b>Amira") {
		t.Errorf("plain text is escaped or tagged:\n%s", first.plain)
	}
}

func TestComposePickList(t *testing.T) {
	long := strings.Repeat("x", 100)
	choices := []bot.Choice{{CaseID: "amira-testova", Label: "Amira Testova (Azerbaijan)"}, {CaseID: long, Label: strings.Repeat("<Label> ", 30)}}
	first, _ := compose("en", "Several cases match “<x>”.", false, nil, choices)
	checkMessage(t, "pick list", first)
	rows := first.keyboard.InlineKeyboard
	if len(rows) != 2 || *rows[0][0].CallbackData != "case:amira-testova" || !strings.HasPrefix(*rows[1][0].CallbackData, pickHashPrefix) {
		t.Errorf("rows = %+v; want case:amira-testova and a hashed id", rows)
	}
	if n := len([]rune(rows[1][0].Text)); n > maxButtonText {
		t.Errorf("button text is %d runes; want at most %d", n, maxButtonText)
	}
	if first.html != "Several cases match “&lt;x&gt;”." {
		t.Errorf("text = %q", first.html)
	}
}

// FuzzCompose: whatever a case file holds, the message parses and keeps
// Telegram's limits.
func FuzzCompose(f *testing.F) {
	f.Add("Name", "summary", "https://example.org", "lead")
	f.Add("<b>&amp;</a>", strings.Repeat("🕊️<>&\"", 900), "https://e.org/?a=<&>", "</b>")
	f.Add(strings.Repeat("ü", 3000), "", "http://x", strings.Repeat("&", 1000))
	f.Fuzz(func(t *testing.T, title, summary, link, lead string) {
		if !validUTF8(title, summary, link, lead) {
			t.Skip()
		}
		c := testCard(summary)
		c.Title = title
		c.Sources = append(c.Sources, bot.Link{Text: title, URL: link})
		c.Photo = &cases.Photo{URL: link, Credit: lead}
		first, textOnly := compose("", lead, true, c, nil)
		checkMessage(t, "first", first)
		checkMessage(t, "text only", textOnly)
		c.Lang = "fa" // right to left: marks and isolates count too
		first, textOnly = compose("", lead, true, c, nil)
		checkMessage(t, "fa first", first)
		checkMessage(t, "fa text only", textOnly)
	})
}

func validUTF8(ss ...string) bool {
	for _, s := range ss {
		if strings.ToValidUTF8(s, "") != s {
			return false
		}
	}
	return true
}
