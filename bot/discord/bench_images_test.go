package discord

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/internal/benchutil"
	"github.com/vigil-bot/vigil/internal/testutil"
	"github.com/vigil-bot/vigil/store"
)

// BenchmarkFanOutImages is BenchmarkFanOut with the share card: one alert
// per iteration to 1,000 channels, each post carrying a 64 kB picture as
// its embed's attachment, against the fake with Discord's real limits.
// It reports the slowest iteration's rate (req/s) and fraction of the
// 50/s ceiling (frac-of-ceiling; below 0.8 the benchmark fails), the
// busiest second (busiest-1s), the 429s (none allowed), and checks that
// every channel got its picture and that each alert's picture was
// rendered once. About 20 s an iteration:
//
//	go test ./bot/discord -run '^$' -bench FanOutImages -benchtime 1x
func BenchmarkFanOutImages(b *testing.B) {
	const channels = 1000
	pics := &testutil.Pictures{Noise: true}
	e := startWith(b, guildID, discordtest.New(b, discordtest.Options{}), nil, pics)
	ctx := context.Background()
	chans := e.subscribeAZ(channels, 0)
	slowest, alerts := e.fanOut(b, chans, " with pictures", func(n int) string { return fmt.Sprintf("Act now %d", n) })
	testutil.SettleOutbox(b, e.st, nil) // the last sends' outcomes are recorded
	st := e.srv.Stats()
	counts, err := e.st.PostCounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	wrong, bytes := 0, 0
	for _, ch := range chans {
		msgs := e.srv.Messages(ch)
		if len(msgs) != alerts || len(msgs[0].Attachments) != 1 || msgs[0].Embeds[0].Image == nil {
			wrong++
			continue
		}
		bytes += len(msgs[0].Attachments[0].Data)
	}
	busiest := e.srv.MaxPerWindow(time.Second)
	b.Logf("429s: %d (global %d); busiest second: %d requests; attachments %d (%d kB each); renderings %d; outbox %v",
		st.TooManyRequests, st.GlobalLimited, busiest, st.Attachments, bytes/max(channels-wrong, 1)/1000, pics.Count(), counts)
	if wrong > 0 {
		b.Errorf("%d of %d channels did not get each alert with its picture exactly once", wrong, channels)
	}
	if counts[store.Sent] != alerts*channels {
		b.Errorf("sent posts = %d; want %d", counts[store.Sent], alerts*channels)
	}
	if pics.Count() != alerts {
		b.Errorf("%d renderings for %d alerts; want one each", pics.Count(), alerts)
	}
	b.ReportMetric(float64(busiest), "busiest-1s")
	b.ReportMetric(float64(st.TooManyRequests), "429s")
	if st.TooManyRequests != 0 {
		b.Errorf("the fake returned %d 429s; want 0", st.TooManyRequests)
	}
	benchutil.ReportPacing(b, "req/s", slowest, discordCeiling)
}
