package discord

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestMessageGolden pins the message body a post of Saleh Rustamov's card
// sends to Discord, in English, German, Russian and Persian.
func TestMessageGolden(t *testing.T) {
	rustamov := testutil.BundledCase(t, "saleh-rustamov")
	for _, lang := range []string{"en", "de", "ru", "fa"} {
		card := bot.NewCard(rustamov, bot.CardOptions{Lang: lang, Today: cases.MustParseDate("2026-11-27"), Stale: true})
		got, err := json.MarshalIndent(renderMessage(bot.Message{Kind: "alert", Lead: "URGENT: act *now*", Card: card, Lang: lang}).send(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := discordtest.CheckMessage(got); err != nil {
			t.Errorf("%s: refused: %v", lang, err)
		}
		name := filepath.Join("testdata", "rustamov."+lang+".json")
		if *update {
			if err := os.WriteFile(name, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (run go test ./bot/discord -run TestMessageGolden -update to create it)", err)
		}
		if string(want) != string(got)+"\n" {
			t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
		}
	}
}
