package telegram

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/internal/benchutil"
	"github.com/vigil-bot/vigil/store"
)

// telegramCeiling is Telegram's overall limit for a bot, messages per
// second.
const telegramCeiling = 30

// BenchmarkFanOut1000 is issue 3's benchmark: one alert to 1,000
// subscribed groups through the delivery engine and the client, against
// the fake with Telegram's real limits. Each iteration queues a new alert
// and waits until every group has it. It reports the slowest iteration's
// rate (msgs/s) and its fraction of the 30/s ceiling (frac-of-ceiling;
// the aim is 0.9, and below 0.8 the benchmark fails) and the 429s the
// fake returned (429s), which must be none; every group must get each
// alert exactly once. An iteration takes about 35 s, so run it once:
//
//	go test ./bot/telegram -run '^$' -bench FanOut -benchtime 1x
func BenchmarkFanOut1000(b *testing.B) {
	const groups = 1000
	hs := newHarness(b, harnessOpts{})
	ctx := context.Background()
	ids := make([]int64, groups)
	for i := range groups {
		c := telegramtest.Supergroup(-1009000000-int64(i), "bench")
		ids[i] = c.ID
		hs.tg.AddChat(c)
		if _, err := hs.st.Subscribe(ctx, bot.DefaultChannel(hs.cfg, Name, itoa(c.ID)), "AZ", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	slowest := math.Inf(1)
	alerts := 0
	for b.Loop() {
		alerts++
		start := time.Now()
		if _, n, err := hs.st.QueueAlert(ctx, "amira-testova", fmt.Sprintf("Benchmark alert %d", alerts), "bench", start); err != nil || n != groups {
			b.Fatalf("QueueAlert = %d, %v; want %d queued", n, err, groups)
		}
		if !hs.tg.WaitFor(5*time.Minute, func() bool { return hs.tg.SentCount() >= alerts*groups }) {
			b.Fatalf("alert %d: only %d of %d sent", alerts, hs.tg.SentCount(), alerts*groups)
		}
		elapsed := time.Since(start)
		rate := benchutil.Rate(groups, elapsed)
		slowest = min(slowest, rate)
		b.Logf("alert %d to %d groups: %v, %.2f messages/s = %.3f of %d/s",
			alerts, groups, elapsed.Round(time.Millisecond), rate, rate/telegramCeiling, telegramCeiling)
	}
	counts, err := hs.st.PostCounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("429s: %d; other errors: %d; posts %v", hs.tg.TooMany(), len(hs.tg.Errors()), counts)
	if counts[store.Sent] != alerts*groups {
		b.Errorf("sent posts = %d; want %d", counts[store.Sent], alerts*groups)
	}
	wrong := 0
	for _, id := range ids {
		if n := len(hs.tg.Messages(id)); n != alerts {
			wrong++
		}
	}
	if wrong > 0 {
		b.Errorf("%d of %d groups did not get each of the %d alerts exactly once", wrong, groups, alerts)
	}
	b.ReportMetric(float64(hs.tg.TooMany()), "429s")
	if n := hs.tg.TooMany(); n != 0 {
		b.Errorf("the fake returned %d 429s; want 0", n)
	}
	benchutil.ReportPacing(b, "msgs/s", slowest, telegramCeiling)
}
