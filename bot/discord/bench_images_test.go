package discord

import (
	"context"
	"fmt"
	"github.com/vigil-bot/vigil/internal/testutil"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/internal/benchutil"
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
	for i := range channels {
		ch := bot.DefaultChannel(e.h.Config, Name, fmt.Sprintf("9%017d", i))
		if _, err := e.st.Subscribe(ctx, ch, "AZ", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	slowest := math.Inf(1)
	alerts := 0
	for b.Loop() {
		alerts++
		before := len(e.srv.PostTimes())
		e.command(in("9"+strings.Repeat("0", 17), editorID, 0), "alert", map[string]string{"case": "amira-testova", "message": fmt.Sprintf("Act now %d", alerts)})
		deadline := time.Now().Add(5 * time.Minute)
		for e.srv.Stats().Posts < alerts*channels && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		times := e.srv.PostTimes()[before:]
		if len(times) != channels {
			b.Fatalf("alert %d: %d posts; want %d", alerts, len(times), channels)
		}
		span := times[len(times)-1].Sub(times[0])
		rate := benchutil.Rate(len(times)-1, span)
		slowest = min(slowest, rate)
		b.Logf("alert %d to %d channels with pictures: %d posts in %v = %.1f requests/s = %.3f of %d/s",
			alerts, channels, len(times), span.Round(time.Millisecond), rate, rate/discordCeiling, discordCeiling)
	}
	st := e.srv.Stats()
	counts, err := e.st.PostCounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	wrong, bytes := 0, 0
	for i := range channels {
		msgs := e.srv.Messages(fmt.Sprintf("9%017d", i))
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
