package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// The fixtures are invented people. Amira has everything a page shows:
// names in other scripts, an ongoing hunger strike, a day-precise arrest,
// a letters address, a very long unbroken source URL, and hostile markup
// in her texts, which must come out escaped.
const fixtures = `
- id: amira-testova
  name: Amira Testova
  names: {ru: "Амира Тестова", fa: "امیرا تستوا", az: "Amirə Testova"}
  aliases: [Testova]
  country: AZ
  status: imprisoned
  status_as_of: 2026-11
  affiliation: "Invented <Union> & Co"
  arrested: 2024-03-15
  sentence: 6 years
  charges: [hooliganism, "insulting <b>officials</b>"]
  hunger_strikes:
    - started: 2026-11-01
  summary:
    en: "An invented journalist, for tests. <script>alert('x')</script> She writes about Azərbaycan."
    fa: "روزنامه‌نگاری ساختگی برای آزمون‌ها."
  sources:
    - title: "Invented report with a very long title that has to wrap on a phone screen without overflowing"
      publisher: Example Watch
      date: 2026-10
      url: "https://example.org/reports/an-extremely-long-path-segment-that-never-breaks-by-itself-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz"
    - {title: "Undated note"}
  actions:
    - {kind: petition, label: "Sign the petition", url: "https://example.org/sign"}
    - {kind: letter, label: "Write to her", url: "https://example.org/letter"}
  hashtags: ["#FreeAmira"]
  letters:
    address: "Prison 12\nInvented Street 1\nBaku, Azerbaijan"
    languages: [az, ru]
    rules: {en: "No politics."}
    sample: {en: "Dear Amira, we think of you."}
- id: jonas-fiktiv
  name: Jonas Fiktiv
  names: {ru: "Йонас Фиктив"}
  country: BY
  status: detained
  status_as_of: 2026-10
  arrested: 2026-02
- id: joanna-fiktiv
  name: Joanna Fiktiv
  country: BY
  status: exiled
  status_as_of: 2026-09
- id: leyla-arxivova
  name: Leyla Arxivova
  country: AZ
  status: released
  status_as_of: 2025-01
`

// fixtureNow is the tests' clock: 2 December 2026, noon UTC.
var fixtureNow = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// stubCards renders with the card package and records its calls.
type stubCards struct {
	mu    sync.Mutex
	calls []card.Options
}

func (s *stubCards) render(c *cases.Case, o card.Options) ([]byte, error) {
	s.mu.Lock()
	s.calls = append(s.calls, o)
	s.mu.Unlock()
	return card.Render(c, o) // the real share card, so the pages show it
}

func (s *stubCards) last() card.Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return card.Options{}
	}
	return s.calls[len(s.calls)-1]
}

// site is a test server of the public pages over the fixtures.
type site struct {
	*httptest.Server
	web   *Server
	cards *stubCards
	store *store.Store
}

// newSite imports the fixtures, archives Leyla, and serves the pages on
// a loopback port; public says whether http.public_url is set (to the
// server's own address).
func newSite(t testing.TB, public bool) *site {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Import(ctx, []cases.SourceFile{{Path: "cases.yaml", Data: []byte(fixtures), Hash: "1"}},
		fixtureNow.Add(-time.Hour), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Archive(ctx, "leyla-arxivova", fixtureNow.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := st.AddLetter(ctx, "amira-testova", fixtureNow.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	cards := &stubCards{}
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	w := &Server{Cases: bot.NewLibrary(st, nil), Store: st, Card: cards.render, Lang: "en", Location: baku,
		Now: func() time.Time { return fixtureNow }, Log: slog.New(slog.DiscardHandler)}
	if public {
		w.PublicURL = ts.URL
	}
	w.Register(mux)
	return &site{Server: ts, web: w, cards: cards, store: st}
}
