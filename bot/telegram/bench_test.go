package telegram

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/store"
)

// TestBenchFanOut1000 is the benchmark: one alert to 1,000
// subscribed groups through the delivery engine and the client, against
// the fake with Telegram's real limits. It takes about 35 s, so it runs
// only with VIGIL_BENCH=1, and it only logs its figures:
//
//	VIGIL_BENCH=1 go test ./bot/telegram/ -run BenchFanOut -v
func TestBenchFanOut1000(t *testing.T) {
	if os.Getenv("VIGIL_BENCH") != "1" {
		t.Skip("set VIGIL_BENCH=1 to run the fan-out benchmark (about 35 s)")
	}
	const groups = 1000
	hs := newHarness(t, harnessOpts{})
	ctx := context.Background()
	for i := range groups {
		c := telegramtest.Supergroup(-1009000000-int64(i), "bench")
		hs.tg.AddChat(c)
		if _, err := hs.st.Subscribe(ctx, bot.DefaultChannel(hs.cfg, Name, itoa(c.ID)), "AZ", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if _, n, err := hs.st.QueueAlert(ctx, "amira-testova", "Benchmark alert", "bench", start); err != nil || n != groups {
		t.Fatalf("QueueAlert = %d, %v", n, err)
	}
	if !hs.tg.WaitFor(5*time.Minute, func() bool { return hs.tg.SentCount() >= groups }) {
		t.Fatalf("only %d of %d sent", hs.tg.SentCount(), groups)
	}
	elapsed := time.Since(start)
	rate := float64(groups) / elapsed.Seconds()
	counts, _ := hs.st.PostCounts(ctx)
	t.Logf("%d groups: %v, %.2f messages/s = %.3f of 30/s; 429s: %d; other errors: %d; posts %v",
		groups, elapsed.Round(time.Millisecond), rate, rate/30, hs.tg.TooMany(), len(hs.tg.Errors()), counts)
	if counts[store.Sent] != groups {
		t.Errorf("sent posts = %d; want %d", counts[store.Sent], groups)
	}
}
