// Package web serves the public side of vigil's HTTP listener: the share
// card of a case as a PNG (GET /cases/{id}.png), and, when
// http.public_url is set, the public case pages: / (the countries and
// their cases, with a search box), /countries/{CC} and /cases/{id}.
//
// The pages are plain server-rendered HTML (html/template, every case
// text escaped), need no JavaScript, carry OpenGraph and Twitter tags
// pointing at the share card so that a shared link unfurls as the card,
// and come in every language vigil speaks (?lang=), right to left in
// Persian.
//
// web renders no picture itself: the share card comes from a CardFunc
// (the card package's renderer or its cache). It reads the cases through
// the daemon's library (bot.Library) and builds each page's content with
// bot.NewCard, like every other card. It may import bot, bot/i18n, card,
// cases and the standard library; it must not import store (it asks
// through the small Store interface), a platform package, the scheduler
// or cmd.
package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
)

// CardFunc renders the share card of c as a PNG picture: card.Render, or
// a card.Cache's PNG method.
type CardFunc func(c *cases.Case, o card.Options) ([]byte, error)

// Cases is where the pages read the cases from: a *bot.Library, the
// daemon's in-memory view with its lookup index. Archived cases are not
// in it.
type Cases interface {
	All(ctx context.Context) ([]*cases.Case, error)
	Case(ctx context.Context, id string) (*cases.Case, bool, error)
	Resolve(ctx context.Context, query string) ([]*cases.Case, error)
}

// Store is what the pages ask the database: whether an id not in Cases
// is archived (410) or unknown (404), and a case's recent letters. A
// *store.Store.
type Store interface {
	CaseArchived(ctx context.Context, id string) (bool, error)
	LetterCount(ctx context.Context, caseID string, now time.Time) (int, error)
}

// Server serves the share cards and the public pages.
type Server struct {
	Cases Cases
	Store Store
	// Card renders the share cards; nil answers 503 for every picture.
	Card CardFunc
	// PublicURL is http.public_url without a trailing slash; empty serves
	// the pictures only, no pages.
	PublicURL string
	Lang      string         // the default language, for a missing or unknown ?lang
	Location  *time.Location // the default time zone: the counters count to its today
	// StaleAfter marks a case confirmed longer ago as possibly out of
	// date, as on the cards; 0: never.
	StaleAfter time.Duration
	Now        func() time.Time // nil: time.Now
	Log        *slog.Logger     // nil: discard
}

// Cache lifetimes: a page or a picture changes when the cases do and at
// midnight (the counters), so both are cached briefly, with an ETag to
// revalidate.
const (
	pageMaxAge  = 5 * time.Minute
	imageMaxAge = time.Hour
)

// maxQuery bounds a search query, in runes.
const maxQuery = 200

// Register adds the server's routes to mux: GET /cases/{id}.png always,
// and /, /countries/{CC} and /cases/{id} when PublicURL is set, with a
// 404 page for any other GET that mux has no more specific route for.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /cases/{file}", s.caseFile)
	if s.PublicURL != "" {
		templates() // parsed now, when the server starts serving pages
		mux.HandleFunc("GET /{$}", s.home)
		mux.HandleFunc("GET /countries/{cc}", s.country)
		mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { s.errorPage(w, r, s.lang(r), http.StatusNotFound) })
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// today is the day the counters count to: today in the default time zone.
func (s *Server) today() cases.Date {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	return cases.DateOf(s.now().In(loc))
}

// lang is the request's ?lang when vigil speaks it, else the default.
func (s *Server) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
		return l
	}
	if i18n.Supported(s.Lang) {
		return s.Lang
	}
	return "en"
}

// caseFile serves /cases/{id}.png and /cases/{id}.
func (s *Server) caseFile(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if id, ok := strings.CutSuffix(file, ".png"); ok {
		s.picture(w, r, id)
		return
	}
	if s.PublicURL == "" {
		http.NotFound(w, r)
		return
	}
	s.casePage(w, r, file)
}

// find returns the live case id; when there is none, it answers 404 or,
// for an archived case, 410, and returns nil. page says whether to answer
// with an HTML page or plain text.
func (s *Server) find(w http.ResponseWriter, r *http.Request, id, lang string, page bool) *cases.Case {
	ctx := r.Context()
	c, ok, err := s.Cases.Case(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return nil
	}
	if ok {
		return c
	}
	archived, err := s.Store.CaseArchived(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return nil
	}
	code := http.StatusNotFound
	if archived {
		code = http.StatusGone
	}
	if !page {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(code)
		if archived {
			fmt.Fprintf(w, "case %q was archived\n", id)
		} else {
			fmt.Fprintf(w, "no case %q\n", id)
		}
		return nil
	}
	s.errorPage(w, r, lang, code)
	return nil
}

// picture serves a case's share card.
func (s *Server) picture(w http.ResponseWriter, r *http.Request, id string) {
	size, err := card.ParseSize(r.URL.Query().Get("size"))
	if err != nil {
		http.Error(w, "bad size "+quoted(r.URL.Query().Get("size"))+": want og (1200×630) or square (1080×1080)", http.StatusBadRequest)
		return
	}
	lang := s.lang(r)
	c := s.find(w, r, id, lang, false)
	if c == nil {
		return
	}
	if s.Card == nil {
		http.Error(w, "share cards are not available in this build", http.StatusServiceUnavailable)
		return
	}
	png, err := s.Card(c, card.Options{Lang: lang, Size: size, Today: s.today(), PublicURL: s.PublicURL})
	if err != nil {
		s.fail(w, r, fmt.Errorf("card %s (%s, %s): %w", id, lang, size, err))
		return
	}
	serve(w, r, "image/png", png, imageMaxAge)
}

// quoted quotes a user-supplied value for an error message, clipped.
func quoted(s string) string {
	return fmt.Sprintf("%q", clip(s, 40))
}

// serve answers body with an ETag and a public max-age, 304 when the
// client has it already; HEAD gets the headers alone.
func serve(w http.ResponseWriter, r *http.Request, contentType string, body []byte, maxAge time.Duration) {
	sum := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
	h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// fail answers 500 and logs why; the visitor learns nothing internal.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return // the visitor went away
	}
	s.log().Error("public pages", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// clip cuts s to at most n runes, with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// href is the site-relative address of path in lang.
func href(path, lang string) string {
	return path + "?lang=" + url.QueryEscape(lang)
}

// abs is the absolute address of the site-relative address rel.
func (s *Server) abs(rel string) string { return s.PublicURL + rel }

// caseHref is the site-relative address of a case's page in lang.
func caseHref(id, lang string) string { return href("/cases/"+url.PathEscape(id), lang) }

// pictureHref is the site-relative address of a case's share card.
func pictureHref(id, lang string, size card.Size) string {
	u := "/cases/" + url.PathEscape(id) + ".png?lang=" + url.QueryEscape(lang)
	if size != card.OG {
		u += "&size=" + url.QueryEscape(string(size))
	}
	return u
}

// counters are a case's live counts on today, most urgent first: the
// day of an ongoing hunger strike, the days in detention since a
// day-precise arrest.
func counters(c *cases.Case, lang string, today cases.Date) []string {
	var out []string
	if !c.Status.Free() {
		for _, h := range c.HungerStrikes {
			if n, ok := h.DayOn(today); ok {
				out = append(out, i18n.F(lang, "page.strike_day", i18n.Args{"Day": n}))
			}
		}
	}
	if n, ok := c.DaysHeld(today); ok {
		out = append(out, i18n.N(lang, "page.detention_days", n, nil))
	}
	return out
}

// sortCases orders cases by their names in lang, as lang's alphabet does
// (col, newCollator's for lang).
func sortCases(list []*cases.Case, lang string, col *collate.Collator) []*cases.Case {
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b *cases.Case) int {
		return cmp.Or(col.CompareString(a.NameIn(lang), b.NameIn(lang)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// newCollator returns a collator for lang's alphabetical order; one per
// request, as a collator is not safe for concurrent use.
func newCollator(lang string) *collate.Collator { return collate.New(language.Make(lang)) }

// countryName is the name of the country code in lang, or the code.
func countryName(code, lang string) string {
	if co, ok := cases.CountryByCode(code); ok {
		return co.Name(lang)
	}
	return code
}

// title capitalizes the first letter of a language's own name
// ("русский" → "Русский") for the language switcher.
func title(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
