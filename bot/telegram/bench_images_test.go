package telegram

import (
	"context"
	"testing"

	"github.com/vigil-bot/vigil/internal/benchutil"
	"github.com/vigil-bot/vigil/internal/testutil"
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
			ids := hs.subscribeSupergroups(tt.groups, -1009000000)
			slowest, alerts := hs.fanOut(b, tt.groups, tt.parts, tt.alert)
			testutil.SettleOutbox(b, hs.st, nil) // the last sends' outcomes are recorded
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
