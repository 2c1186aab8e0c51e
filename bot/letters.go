package bot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// Letters: /write sends a member to the person who got the fewest letters
// lately, and the "I wrote" button (or /wrote) counts the letter.
//
// Writers are not tracked. A letter is stored as nothing but a count per
// case and UTC day (store.AddLetter). That one person counts once per
// case and day is checked in memory only: vigil keeps, for the current
// day, the HMAC-SHA256 of "platform|user|case|day" under a random secret
// made for that day, and forgets both at the next UTC midnight. Neither
// the secret nor the hashes are ever written anywhere, so the database
// holds no trace of who wrote to whom, and the hashes in memory cannot be
// tied back to a user without the day's secret. The price: a daemon
// restarted in the middle of a day forgets that day's presses, so one
// person may count twice to the same person that day.

// writerLog remembers, for one UTC day, which (platform, user, case)
// presses have counted, as keyed hashes under that day's secret.
type writerLog struct {
	mu     sync.Mutex
	day    string
	secret [32]byte
	seen   map[[sha256.Size]byte]bool
}

// key returns the keyed hash of a press on day, starting a new day (a new
// secret, nothing seen) when day is not the log's. The caller holds mu.
func (w *writerLog) key(platform, user, caseID, day string) [sha256.Size]byte {
	if w.day != day || w.seen == nil {
		w.day, w.seen = day, map[[sha256.Size]byte]bool{}
		if _, err := rand.Read(w.secret[:]); err != nil {
			panic("letters: no randomness for the day's secret: " + err.Error()) // never, per crypto/rand
		}
	}
	m := hmac.New(sha256.New, w.secret[:])
	m.Write([]byte(platform + "|" + user + "|" + caseID + "|" + day))
	var k [sha256.Size]byte
	copy(k[:], m.Sum(nil))
	return k
}

// claim marks a press as counted and reports whether it is the first of
// that user for that case on day; release undoes a claim whose letter
// could not be stored.
func (w *writerLog) claim(platform, user, caseID, day string) (k [sha256.Size]byte, first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k = w.key(platform, user, caseID, day)
	if w.seen[k] {
		return k, false
	}
	w.seen[k] = true
	return k, true
}

func (w *writerLog) release(k [sha256.Size]byte, day string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.day == day {
		delete(w.seen, k)
	}
}

// intn returns a random number in [0, n) from the handler's Rand, or
// from math/rand when it has none.
func (h *Handler) intn(n int) int {
	if h.Rand != nil {
		return h.Rand(n)
	}
	return mrand.IntN(n)
}

// cmdWrite answers /write [country]: the person to write to, with the
// address, the languages, the rules and a sample letter.
func (h *Handler) cmdWrite(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	var countries []string
	var where string
	if q := req.option("country"); q != "" {
		co, ok := cases.LookupCountry(q)
		if !ok {
			return Reply{Text: i18n.F(lang, "reply.unknown_country", i18n.Args{"Query": clip(q, 60)}), Private: true}, nil
		}
		countries, where = []string{co.Code}, co.Name(lang)
	} else if len(ch.Countries) > 0 {
		countries = ch.Countries
		names := make([]string, len(countries))
		for i, c := range countries {
			co, _ := cases.CountryByCode(c)
			names[i] = co.Name(lang)
		}
		where = i18n.List(lang, names)
	}
	all, err := h.Library.All(ctx)
	if err != nil {
		return Reply{}, err
	}
	now := h.Now()
	counts, err := h.Store.LetterCounts(ctx, now)
	if err != nil {
		return Reply{}, err
	}
	var fewest []*cases.Case
	least := -1
	for _, c := range all {
		if !c.Writable() || c.Stale(now, h.Config.StaleAfter.D()) ||
			(len(countries) > 0 && !slices.Contains(countries, c.Country)) {
			continue
		}
		switch n := counts[c.ID]; {
		case least < 0 || n < least:
			fewest, least = []*cases.Case{c}, n
		case n == least:
			fewest = append(fewest, c)
		}
	}
	if len(fewest) == 0 {
		if where == "" {
			return Reply{Text: i18n.T(lang, "reply.write_none_all")}, nil
		}
		return Reply{Text: i18n.F(lang, "reply.write_none", i18n.Args{"Countries": where})}, nil
	}
	c := fewest[h.intn(len(fewest))]
	return Reply{Text: WriteText(c, lang, least), Wrote: c.ID}, nil
}

// WriteText is the /write answer for c in lang: who, where to write, in
// which languages, what not to write, a sample letter, and the letters
// counted in the last 30 days.
func WriteText(c *cases.Case, lang string, count int) string {
	co, ok := cases.CountryByCode(c.Country)
	country := c.Country
	if ok {
		country = co.Name(lang)
	}
	iso := func(s string) string { return i18n.Isolate(lang, s) }
	var b strings.Builder
	b.WriteString(i18n.F(lang, "write.header", i18n.Args{"Name": iso(c.NameIn(lang)), "Country": country,
		"Status": i18n.Status(lang, c.Status)}))
	b.WriteString("\n\n" + i18n.T(lang, "write.address") + "\n" + c.Letters.Address)
	if len(c.Letters.Languages) > 0 {
		names := make([]string, len(c.Letters.Languages))
		for i, l := range c.Letters.Languages {
			names[i] = LanguageName(lang, l)
		}
		b.WriteString("\n\n" + i18n.F(lang, "write.languages", i18n.Args{"Languages": i18n.List(lang, names)}))
	}
	if rules, used := cases.TextIn(c.Letters.Rules, lang); rules != "" {
		b.WriteString("\n\n" + i18n.T(lang, "write.rules") + "\n" + rules + inLanguage(lang, used))
	}
	if sample, used := cases.TextIn(c.Letters.Sample, lang); sample != "" {
		b.WriteString("\n\n" + i18n.T(lang, "write.sample") + "\n" + sample + inLanguage(lang, used))
	}
	b.WriteString("\n\n" + i18n.N(lang, "card.letters_count", count, nil))
	b.WriteString("\n" + i18n.T(lang, "write.press"))
	return b.String()
}

// inLanguage notes, after a text, that it is in another language than
// lang; "" when it is in lang.
func inLanguage(lang, used string) string {
	if used == "" || used == lang {
		return ""
	}
	return "\n" + i18n.F(lang, "write.in_language", i18n.Args{"Language": LanguageName(lang, used)})
}

// LanguageName returns the name of the language code in lang ("Russian",
// de "Russisch"), or the code itself when there is no name for it.
func LanguageName(lang, code string) string {
	if n := display.Languages(language.Make(lang)); n != nil {
		if name := n.Name(language.Make(code)); name != "" {
			return name
		}
	}
	return code
}

// cmdWrote answers /wrote <case>: the console's (and any chat's) "I
// wrote" button.
func (h *Handler) cmdWrote(ctx context.Context, req Request, ch store.Channel) (Reply, error) {
	lang := ch.Language
	q := req.option("case")
	if q == "" {
		return Reply{Text: i18n.T(lang, "reply.wrote_usage"), Private: true}, nil
	}
	found, err := h.Library.Resolve(ctx, q)
	if err != nil {
		return Reply{}, err
	}
	// Only a case one can write to; a query matching several is refused
	// rather than guessed, since it counts.
	var writable []*cases.Case
	for _, c := range found {
		if c.Letters != nil {
			writable = append(writable, c)
		}
	}
	if len(writable) != 1 {
		return Reply{Text: i18n.F(lang, "reply.wrote_which", i18n.Args{"Query": clip(q, 100)}), Private: true}, nil
	}
	return h.recordLetter(ctx, req, writable[0], lang)
}

// Wrote answers an "I wrote" button: the requester wrote to caseID. A
// press counts one letter at most once per user, case and UTC day, and
// leaves no trace of the user (see writerLog). The reply is for the
// presser alone.
func (h *Handler) Wrote(ctx context.Context, req Request, caseID string) Reply {
	ch, err := h.ChannelFor(ctx, req)
	if err != nil {
		return h.fail(Request{Platform: req.Platform, Chat: req.Chat, Command: "wrote"}, "en", err)
	}
	lang := ch.Language
	c, ok, err := h.Library.Case(ctx, caseID)
	if err != nil {
		return h.fail(Request{Platform: req.Platform, Chat: req.Chat, Command: "wrote"}, lang, err)
	}
	if !ok || c.Letters == nil {
		return Reply{Text: i18n.F(lang, "reply.no_match", i18n.Args{"Query": clip(caseID, 100)}), Private: true, Lang: lang}
	}
	r, err := h.recordLetter(ctx, req, c, lang)
	if err != nil {
		return h.fail(Request{Platform: req.Platform, Chat: req.Chat, Command: "wrote"}, lang, err)
	}
	r.Lang = lang
	return r
}

// recordLetter counts a letter by the requester to c, once a day.
func (h *Handler) recordLetter(ctx context.Context, req Request, c *cases.Case, lang string) (Reply, error) {
	if req.User == "" {
		// Without a user there is nothing to count once: a channel's own
		// post, an anonymous admin.
		return Reply{Text: i18n.T(lang, "reply.wrote_anonymous"), Private: true}, nil
	}
	now := h.Now()
	day := store.LetterDay(now)
	k, first := h.writers.claim(req.Platform, req.User, c.ID, day)
	name := c.NameIn(lang)
	if !first {
		return Reply{Text: i18n.F(lang, "reply.wrote_again", i18n.Args{"Name": name}), Private: true}, nil
	}
	if err := h.Store.AddLetter(ctx, c.ID, now); err != nil {
		h.writers.release(k, day)
		return Reply{}, err
	}
	// Logged without the user: the log must not tie writers to people either.
	h.Log.Info("letter counted", "platform", req.Platform, "case", c.ID)
	return Reply{Text: i18n.F(lang, "reply.wrote", i18n.Args{"Name": name}), Private: true}, nil
}
