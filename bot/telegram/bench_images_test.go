package telegram

import (
	"context"
	"fmt"
	"github.com/vigil-bot/vigil/internal/testutil"
	"math"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/internal/benchutil"
	"github.com/vigil-bot/vigil/store"
)

// BenchmarkFanOutImages is BenchmarkFanOut1000 with the share card: an
// alert to many groups as photos, against the fake with Telegram's real
// limits. "caption" is a card that fits the caption (one photo a group,
// 1,000 groups); "caption+text" one that does not (a photo and the text
// card a group, 500 groups: 1,000 messages either way). It reports the
// slowest iteration's rate (msgs/s) and fraction of the 30/s ceiling
// (frac-of-ceiling; below 0.8 the benchmark fails), the 429s (none
// allowed), the uploads (1 an alert) and the renderings (1 an alert).
// Each iteration takes about 35 s:
//
//	go test ./bot/telegram -run '^$' -bench FanOutImages -benchtime 1x
func BenchmarkFanOutImages(b *testing.B) {
	for _, tt := range []struct {
		name   string
		groups int
		alert  string
		parts  int
	}{
		{"caption", 1000, "Benchmark alert %d", 1},
		{"caption+text", 500, "Alert %d. " + longAlert, 2},
	} {
		b.Run(tt.name, func(b *testing.B) {
			pics := &testutil.Pictures{Noise: true}
			hs := newHarness(b, harnessOpts{pictures: pics})
			ctx := context.Background()
			ids := make([]int64, tt.groups)
			for i := range tt.groups {
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
				if _, n, err := hs.st.QueueAlert(ctx, "amira-testova", fmt.Sprintf(tt.alert, alerts), "bench", start); err != nil || n != tt.groups {
					b.Fatalf("QueueAlert = %d, %v; want %d queued", n, err, tt.groups)
				}
				want := alerts * tt.groups * tt.parts
				if !hs.tg.WaitFor(5*time.Minute, func() bool { return hs.tg.SentCount() >= want }) {
					b.Fatalf("alert %d: only %d of %d messages sent", alerts, hs.tg.SentCount(), want)
				}
				elapsed := time.Since(start)
				rate := benchutil.Rate(tt.groups*tt.parts, elapsed)
				slowest = min(slowest, rate)
				b.Logf("alert %d to %d groups: %d messages in %v, %.2f messages/s = %.3f of %d/s",
					alerts, tt.groups, tt.groups*tt.parts, elapsed.Round(time.Millisecond), rate, rate/telegramCeiling, telegramCeiling)
			}
			counts, err := hs.st.PostCounts(ctx)
			if err != nil {
				b.Fatal(err)
			}
			uploads, reuses := hs.tg.Uploads(), hs.tg.Reuses()
			b.Logf("429s: %d; other errors: %d; uploads %d, file_id sends %d, renderings %d; posts %v",
				hs.tg.TooMany(), len(hs.tg.Errors()), uploads, reuses, pics.Count(), counts)
			if counts[store.Sent] != alerts*tt.groups {
				b.Errorf("sent posts = %d; want %d", counts[store.Sent], alerts*tt.groups)
			}
			wrong := 0
			for _, id := range ids {
				msgs := hs.tg.Messages(id)
				if len(msgs) != alerts*tt.parts || msgs[0].Method != "sendPhoto" {
					wrong++
				}
			}
			if wrong > 0 {
				b.Errorf("%d of %d groups did not get each alert's photo (and text) exactly once", wrong, tt.groups)
			}
			if uploads != alerts || reuses != alerts*(tt.groups-1) || pics.Count() != alerts {
				b.Errorf("%d uploads, %d file_id sends, %d renderings; want %d, %d, %d", uploads, reuses, pics.Count(),
					alerts, alerts*(tt.groups-1), alerts)
			}
			b.ReportMetric(float64(hs.tg.TooMany()), "429s")
			b.ReportMetric(float64(uploads)/float64(alerts), "uploads/alert")
			if n := hs.tg.TooMany(); n != 0 {
				b.Errorf("the fake returned %d 429s; want 0", n)
			}
			benchutil.ReportPacing(b, "msgs/s", slowest, telegramCeiling)
		})
	}
}
