package telegram

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/data"
	"github.com/vigil-bot/vigil/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenCards pins the Telegram rendering of the bundled case and of
// an invented one with a photo, in English, German and Persian (right to
// left, with isolated Latin values): the HTML, the plain-text fallback
// and the buttons.
func TestGoldenCards(t *testing.T) {
	files, err := data.Cases()
	if err != nil {
		t.Fatal(err)
	}
	parseAt := cases.ParseOptions{Now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	rustamov, err := cases.Parse(files[0].Path, files[0].Data, parseAt)
	if err != nil {
		t.Fatal(err)
	}
	nora, err := cases.Parse("nora.yaml", []byte(`id: nora-beispiel
name: Nora Beispiel
country: BY
status: imprisoned
status_as_of: 2026-10
arrested: 2024-03-15
summary: {en: "An invented teacher, for tests & <checks>.", de: "Eine erfundene Lehrerin, für Tests & <Prüfungen>."}
photo: {url: "https://example.org/nora.jpg?size=large&v=2", credit: "© Example <Photo>"}
actions:
  - {kind: petition, label: "Sign for Nora", url: "https://example.org/nora?ref=tg&lang=en"}
`), parseAt)
	if err != nil {
		t.Fatal(err)
	}
	today := cases.Date{Year: 2026, Month: 11, Day: 27}
	for _, tt := range []struct {
		name string
		c    *cases.Case
		lead string
	}{
		{"rustamov", &rustamov[0], ""},
		{"nora-alert", &nora[0], "URGENT: Write to Nora today"},
	} {
		for _, lang := range []string{"en", "de", "fa"} {
			card := bot.NewCard(tt.c, bot.CardOptions{Lang: lang, Today: today})
			first, _ := compose(lang, tt.lead, tt.lead != "", card, nil)
			checkMessage(t, tt.name, first)
			var b strings.Builder
			b.WriteString("method: " + first.method + "\n")
			if first.photo != "" {
				b.WriteString("photo: " + first.photo + "\n")
			}
			b.WriteString("--- html\n" + first.html + "\n--- plain\n" + first.plain + "\n--- buttons\n")
			if first.keyboard != nil {
				for _, row := range first.keyboard.InlineKeyboard {
					b.WriteString(row[0].Text + " → " + *row[0].URL + "\n")
				}
			}
			testutil.Golden(t, tt.name+"."+lang+".golden", b.String(), *update)
		}
	}
}
