package main

import (
	"log/slog"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
	"github.com/vigil-bot/vigil/web"
)

// shareCardCache is how many rendered share cards serve keeps: a fan-out
// to every language at both sizes on a busy day, at about 100 KB each.
const shareCardCache = 256

// newPages returns the public side of the HTTP listener over the
// daemon's case library: the share cards always, and the public case
// pages when http.public_url is set.
// cards is the share-card cache that the posts use too, so a picture is
// rendered once for both.
func newPages(cfg *config.Config, st *store.Store, lib *bot.Library, cards *card.Cache, log *slog.Logger) *web.Server {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		loc = time.UTC // config checked it; "UTC" always loads
	}
	return &web.Server{Cases: lib, Store: st, Card: cards.PNG, PublicURL: cfg.HTTP.PublicURL, Lang: cfg.Language,
		Location: loc, StaleAfter: cfg.StaleAfter.D(), Now: time.Now, Log: log.With("http", "pages")}
}
