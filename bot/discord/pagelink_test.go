package discord

import (
	"encoding/json"
	"testing"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
)

// TestEmbedLinksItsPage: with http.public_url set, the embed's title
// links the case's public page.
func TestEmbedLinksItsPage(t *testing.T) {
	const page = "https://vigil.example.org/cases/amira-testova?lang=fa"
	c := &bot.Card{CaseID: "amira-testova", Lang: "fa", Title: "امیرا تستوا", Status: "در زندان", PageURL: page}
	e := cardEmbed(c)
	if e.URL != page {
		t.Errorf("embed URL %q; want %q", e.URL, page)
	}
	body, err := json.Marshal(renderMessage(bot.Message{Kind: "alert", Lead: "x", Card: c}).send())
	if err != nil {
		t.Fatal(err)
	}
	if err := discordtest.CheckMessage(body); err != nil {
		t.Errorf("refused: %v", err)
	}
	c.PageURL = ""
	if e := cardEmbed(c); e.URL != "" {
		t.Errorf("a card without a page links %q", e.URL)
	}
}
