package main

import (
	"log/slog"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
	"github.com/vigil-bot/vigil/web"
)

// shareCards renders the share cards that GET /cases/{id}.png serves and
// the public pages show and point their og:image at. Nil answers 503.
//
// MERGE: set it to the card package's cache once that lands, e.g. in
// newPages: srv.Card = card.NewCache(…).PNG (or card.Render).
var shareCards web.CardFunc

// newPages returns the public side of the HTTP listener over the
// daemon's case library: the share cards always, and the public case
// pages when http.public_url is set.
func newPages(cfg *config.Config, st *store.Store, lib *bot.Library, log *slog.Logger) *web.Server {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		loc = time.UTC // config checked it; "UTC" always loads
	}
	return &web.Server{Cases: lib, Store: st, Card: shareCards, PublicURL: cfg.HTTP.PublicURL, Lang: cfg.Language,
		Location: loc, StaleAfter: cfg.StaleAfter.D(), Now: time.Now, Log: log.With("http", "pages")}
}
