package discord

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// The figures of issue part 6 come from these tests; they run only with
// VIGIL_BENCH=1 and only log (the machine is shared and noisy):
//
//	VIGIL_BENCH=1 go test ./bot/discord/ -run 'TestBench' -v -timeout 20m

func benchOnly(t *testing.T) {
	if os.Getenv("VIGIL_BENCH") != "1" {
		t.Skip("set VIGIL_BENCH=1 to measure")
	}
}

// TestBenchFanOut sends one alert to 1,000 subscribed channels through the
// delivery engine against the fake with Discord's real limits (50/s
// globally, 5 per 5 s per channel).
func TestBenchFanOut(t *testing.T) {
	benchOnly(t)
	const channels = 1000
	e := start(t, discordtest.Options{})
	ctx := context.Background()
	for i := range channels {
		ch := bot.DefaultChannel(e.h.Config, Name, fmt.Sprintf("9%017d", i))
		if _, err := e.st.Subscribe(ctx, ch, "AZ", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	m := e.command(in("9"+strings.Repeat("0", 17), editorID, 0), "alert", map[string]string{"case": "amira-testova", "message": "Act now"})
	t.Logf("alert: %s", m.Content)
	deadline := time.Now().Add(5 * time.Minute)
	for e.srv.Stats().Posts < channels && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	times := e.srv.PostTimes()
	if len(times) != channels {
		t.Fatalf("%d posts; want %d", len(times), channels)
	}
	span := times[len(times)-1].Sub(times[0])
	rate := float64(len(times)-1) / span.Seconds()
	st := e.srv.Stats()
	counts, _ := e.st.PostCounts(ctx)
	dup := 0
	for i := range channels {
		if n := len(e.srv.Messages(fmt.Sprintf("9%017d", i))); n != 1 {
			dup++
		}
	}
	t.Logf("fan-out to %d channels: %d posts in %v = %.1f requests/s = %.3f of 50/s; 429s: %d (global %d); busiest second: %d requests; channels without exactly one post: %d; outbox %v",
		channels, len(times), span.Round(time.Millisecond), rate, rate/50, st.TooManyRequests, st.GlobalLimited,
		e.srv.MaxPerWindow(time.Second), dup, counts)
}

// genName makes a fictional name from random syllables.
func genName(r *rand.Rand) string {
	onsets := []string{"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "ch", ""}
	vowels := []string{"a", "e", "i", "o", "u", "a", "e"}
	suffixes := []string{"ov", "ova", "ev", "eva", "li", "zade", "yan", "enko", "ski", "in", "ina"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(onsets[r.IntN(len(onsets))] + vowels[r.IntN(len(vowels))])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return word(2+r.IntN(2)) + " " + word(2+r.IntN(2)) + suffixes[r.IntN(len(suffixes))]
}

// TestBenchAutocomplete measures how long the bot takes, from the
// dispatch of an autocomplete interaction to its callback at the fake,
// with 100,000 cases in the store.
func TestBenchAutocomplete(t *testing.T) {
	benchOnly(t)
	const n = 100_000
	r := rand.New(rand.NewPCG(4, 2))
	var b strings.Builder
	names := make([]string, n)
	for i := range n {
		names[i] = genName(r)
		fmt.Fprintf(&b, "- {id: gen-%06d, name: %q, country: AZ, status: detained, status_as_of: 2026-01}\n", i, names[i])
	}
	e := start(t, discordtest.Options{})
	begin := time.Now()
	if _, err := e.st.Import(context.Background(), []cases.SourceFile{{Path: "gen.yaml", Data: []byte(b.String()), Hash: "gen"}},
		time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("imported %d cases in %v", n, time.Since(begin).Round(time.Millisecond))
	// The import changed the cases: the first lookup rebuilds the index.
	// Run warms it at start; after an import it is rebuilt on first use.
	begin = time.Now()
	if _, err := e.h.Library.Complete(context.Background(), "", 1); err != nil {
		t.Fatal(err)
	}
	t.Logf("index rebuilt in %v", time.Since(begin).Round(time.Millisecond))
	var took []time.Duration
	for i := range 300 {
		name := names[r.IntN(n)]
		q := name[:3+i%6]
		if i%3 == 0 {
			q = strings.ToLower(name[:6]) + "x" // a typo
		}
		it, err := e.srv.Autocomplete(in("910000000000000001", memberID, 0), "case", map[string]string{"query": q}, "query")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := it.Response(wait)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Choices) > 25 {
			t.Fatalf("%d choices", len(resp.Choices))
		}
		took = append(took, resp.Elapsed)
	}
	slices.Sort(took)
	t.Logf("autocomplete at %d cases, %d queries, dispatch to callback: median %v, p90 %v, p99 %v, max %v",
		n, len(took), took[len(took)/2], took[len(took)*9/10], took[len(took)*99/100], took[len(took)-1])
}
