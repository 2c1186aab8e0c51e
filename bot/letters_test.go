package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// letterCases are invented people: two in Azerbaijan to write to, one in
// Belarus, and four that /write must never pick (released, stale, no
// address, exiled).
const letterCases = `- id: anar-yazili
  name: Anar Yazili
  names: {ru: Анар Язылы}
  country: AZ
  status: imprisoned
  status_as_of: 2026-10
  letters:
    address: "Prison 1, Baku"
    languages: [az, ru]
    rules: {en: "No politics.", ru: "Без политики."}
    sample: {en: "Dear Anar, we think of you."}
- {id: bahar-yazili, name: Bahar Yazili, country: AZ, status: detained, status_as_of: 2026-10,
   letters: {address: "Detention centre 2, Baku", sample: {az: "Əziz Bahar!"}}}
- {id: ales-pismo, name: Ales Pismo, country: BY, status: imprisoned, status_as_of: 2026-10,
   letters: {address: "Colony 3, Minsk"}}
- {id: freed-yazili, name: Freed Yazili, country: AZ, status: released, status_as_of: 2026-10,
   letters: {address: "Home"}}
- {id: old-yazili, name: Old Yazili, country: AZ, status: imprisoned, status_as_of: 2020-01,
   letters: {address: "Prison 4"}}
- {id: nomail-yazili, name: Nomail Yazili, country: AZ, status: imprisoned, status_as_of: 2026-10}
- {id: exile-yazili, name: Exile Yazili, country: AZ, status: exiled, status_as_of: 2026-10,
   letters: {address: "Somewhere"}}
`

// newLetterHandler is a handler over the letter cases whose random
// source records how many it chose among and returns pick.
func newLetterHandler(t *testing.T) (h *Handler, st *store.Store, among *[]int, pick *int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Import(ctx, []cases.SourceFile{{Path: "letters.yaml", Data: []byte(letterCases), Hash: "l1"}},
		testNow, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	h = NewHandler(st, config.Default(), slog.New(slog.DiscardHandler))
	h.Now = func() time.Time { return testNow }
	among, pick = new([]int), new(int)
	h.Rand = func(n int) int { *among = append(*among, n); return min(*pick, n-1) }
	return h, st, among, pick
}

func TestWriteFewestLetters(t *testing.T) {
	h, st, among, pick := newLetterHandler(t)
	ctx := context.Background()
	write := func(user, country string) Reply {
		t.Helper()
		return h.Handle(ctx, Request{Platform: "telegram", Chat: "-500", User: user, Command: "write",
			Options: map[string]string{"country": country}})
	}
	// Two eligible people in AZ, none written to: a tie, broken at random.
	*pick = 1
	r := write("1", "AZ")
	if len(*among) != 1 || (*among)[0] != 2 {
		t.Fatalf("random choices among %v; want one among 2 (Anar and Bahar, never the released, stale, exiled or address-less)", *among)
	}
	if r.Wrote != "bahar-yazili" || !strings.Contains(r.Text, "Detention centre 2, Baku") {
		t.Fatalf("/write AZ with pick 1 = %q (button %q); want Bahar's address", r.Text, r.Wrote)
	}
	// The first writer wrote to Bahar: the next is sent to Anar.
	if got := h.Wrote(ctx, Request{Platform: "telegram", Chat: "-500", User: "1"}, "bahar-yazili"); !strings.Contains(got.Text, "Thank you") || !got.Private {
		t.Fatalf("press = %+v; want a private thank-you", got)
	}
	*pick = 1 // would pick Bahar again in a tie
	r = write("2", "AZ")
	if r.Wrote != "anar-yazili" {
		t.Fatalf("second /write AZ sent to %q; want anar-yazili, who has fewer letters", r.Wrote)
	}
	for _, want := range []string{"Write to Anar Yazili (Azerbaijan, imprisoned).", "Prison 1, Baku",
		"Letters in these languages reach them: Azerbaijani, Russian.", "What not to write:\nNo politics.",
		"A sample letter:\nDear Anar, we think of you.", "0 letters in the last 30 days"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("/write text %q; want it to contain %q", r.Text, want)
		}
	}
	// The same user pressing again the same day does not count; another
	// user does.
	if got := h.Wrote(ctx, Request{Platform: "telegram", Chat: "-500", User: "1"}, "bahar-yazili"); !strings.Contains(got.Text, "already counted today") {
		t.Errorf("second press by the same user = %q; want it refused as already counted", got.Text)
	}
	// The console's /wrote counts the same way.
	cons := Request{Platform: "console", Chat: "console", User: "console", Operator: true, Command: "wrote",
		Options: map[string]string{"case": "bahar-yazili"}}
	if got := h.Handle(ctx, cons); !strings.Contains(got.Text, "Your letter to Bahar Yazili is counted") {
		t.Errorf("/wrote bahar-yazili = %q; want it counted", got.Text)
	}
	if got := h.Handle(ctx, cons); !strings.Contains(got.Text, "already counted") {
		t.Errorf("/wrote twice = %q; want the second refused", got.Text)
	}
	if n, err := st.LetterCount(ctx, "bahar-yazili", testNow); err != nil || n != 2 {
		t.Errorf("Bahar's count = %d, %v; want 2 (two people, the repeat not counted)", n, err)
	}
	// The card shows the count.
	card := h.Handle(ctx, Request{Platform: "telegram", Chat: "-500", Command: "case", Options: map[string]string{"query": "bahar-yazili"}})
	if card.Card == nil || !strings.Contains(card.Card.Text(), "Letters: 2 letters in the last 30 days") {
		t.Errorf("Bahar's card has no count of 2 letters: %+v", card.Card)
	}
	// A card of a person without a letters address shows no count.
	card = h.Handle(ctx, Request{Platform: "telegram", Chat: "-500", Command: "case", Options: map[string]string{"query": "nomail-yazili"}})
	if card.Card == nil || strings.Contains(card.Card.Text(), "letters in the last") {
		t.Errorf("a card without letters shows a count: %+v", card.Card)
	}
	// A new day: the same user counts again.
	h.Now = func() time.Time { return testNow.Add(24 * time.Hour) }
	if got := h.Wrote(ctx, Request{Platform: "telegram", Chat: "-500", User: "1"}, "bahar-yazili"); !strings.Contains(got.Text, "Thank you") {
		t.Errorf("a press the next day = %q; want it counted", got.Text)
	}
}

func TestWriteWhere(t *testing.T) {
	h, st, among, _ := newLetterHandler(t)
	ctx := context.Background()
	// No country, no subscriptions: everyone eligible anywhere.
	r := h.Handle(ctx, Request{Platform: "telegram", Chat: "-1", Command: "write"})
	if len(*among) != 1 || (*among)[0] != 3 || r.Wrote == "" {
		t.Fatalf("/write with no country: among %v, %q; want a choice among 3", *among, r.Wrote)
	}
	// The channel's countries.
	ch := DefaultChannel(h.Config, "telegram", "-2")
	if _, err := st.Subscribe(ctx, ch, "BY", testNow); err != nil {
		t.Fatal(err)
	}
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-2", Command: "write"})
	if r.Wrote != "ales-pismo" || !strings.Contains(r.Text, "Colony 3, Minsk") {
		t.Errorf("/write in a channel following BY = %q; want Ales", r.Text)
	}
	// The given country wins over the channel's, in any language.
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-2", Command: "write", Options: map[string]string{"country": "Азербайджан"}})
	if r.Wrote != "anar-yazili" && r.Wrote != "bahar-yazili" {
		t.Errorf("/write Азербайджан = %q; want someone in AZ", r.Text)
	}
	// Nobody to write to.
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-2", Command: "write", Options: map[string]string{"country": "DE"}})
	if r.Wrote != "" || !strings.Contains(r.Text, "No one to write to in Germany") {
		t.Errorf("/write DE = %q (button %q); want nobody", r.Text, r.Wrote)
	}
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-2", Command: "write", Options: map[string]string{"country": "Atlantis"}})
	if !strings.Contains(r.Text, "not a country") {
		t.Errorf("/write Atlantis = %q; want an unknown country", r.Text)
	}
	// In Russian: the name, the language names, the rules in Russian and
	// the English-only sample marked as such.
	if _, err := st.UpdateSettings(ctx, store.Channel{Platform: "telegram", Chat: "-2", Language: "ru"}, ch, testNow); err != nil {
		t.Fatal(err)
	}
	r = h.Handle(ctx, Request{Platform: "telegram", Chat: "-2", Command: "write", Options: map[string]string{"country": "AZ"}})
	if r.Wrote == "anar-yazili" {
		for _, want := range []string{"Анар Язылы", "азербайджанский, русский", "Без политики.", "(язык: английский)", "0 писем за последние 30 дней"} {
			if !strings.Contains(r.Text, want) {
				t.Errorf("/write in Russian %q; want it to contain %q", r.Text, want)
			}
		}
	}
	if r.Lang != "ru" {
		t.Errorf("reply language %q; want ru", r.Lang)
	}
}

func TestWroteRefusals(t *testing.T) {
	h, _, _, _ := newLetterHandler(t)
	ctx := context.Background()
	wrote := func(user, q string) string {
		return h.Handle(ctx, Request{Platform: "telegram", Chat: "-1", User: user, Command: "wrote",
			Options: map[string]string{"case": q}}).Text
	}
	if got := wrote("1", ""); !strings.Contains(got, "Usage: /wrote") {
		t.Errorf("/wrote = %q; want the usage", got)
	}
	if got := wrote("1", "nomail-yazili"); !strings.Contains(got, "is not one person to write to") {
		t.Errorf("/wrote for a case without address = %q; want a refusal", got)
	}
	if got := wrote("1", "yazili"); !strings.Contains(got, "is not one person to write to") {
		t.Errorf("/wrote for several cases = %q; want a refusal", got)
	}
	if got := wrote("", "anar-yazili"); !strings.Contains(got, "only from a person's own account") {
		t.Errorf("/wrote without a user = %q; want a refusal", got)
	}
	if got := h.Wrote(ctx, Request{Platform: "telegram", Chat: "-1", User: "1"}, "no-such-case"); !strings.Contains(got.Text, "No case matches") {
		t.Errorf("press for a gone case = %q; want a notice", got.Text)
	}
}

// TestWriterLogForgetsDaily: each day has its own secret, and a day's
// hashes are gone the next day.
func TestWriterLogForgetsDaily(t *testing.T) {
	var w writerLog
	k1, first := w.claim("telegram", "1", "a", "2026-11-27")
	s1 := w.secret
	if !first {
		t.Fatal("first claim refused")
	}
	if _, again := w.claim("telegram", "1", "a", "2026-11-27"); again {
		t.Error("the same claim counted twice in a day")
	}
	k2, first := w.claim("telegram", "1", "a", "2026-11-28")
	if !first || w.secret == s1 || k1 == k2 || len(w.seen) != 1 {
		t.Errorf("next day: first %v, secret changed %v, hashes differ %v, %d remembered; want a new secret and only today's hash",
			first, w.secret != s1, k1 != k2, len(w.seen))
	}
	w.release(k2, "2026-11-28")
	if _, first := w.claim("telegram", "1", "a", "2026-11-28"); !first {
		t.Error("a released claim is still remembered")
	}
}

func TestLettersCountPlurals(t *testing.T) {
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 letter in the last 30 days"}, {"en", 2, "2 letters in the last 30 days"},
		{"ru", 1, "1 письмо"}, {"ru", 3, "3 письма"}, {"ru", 5, "5 писем"}, {"ru", 21, "21 письмо"},
		{"uk", 22, "22 листи"}, {"be", 11, "11 лістоў"}, {"de", 1, "1 Brief in"}, {"de", 4, "4 Briefe"},
	} {
		if got := i18n.N(tt.lang, "card.letters_count", tt.n, nil); !strings.Contains(got, tt.want) {
			t.Errorf("%s %d: %q; want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}
