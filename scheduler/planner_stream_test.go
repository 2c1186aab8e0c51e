package scheduler

import (
	"cmp"
	"context"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// fixedCases is a CaseSource over a slice of cases.
type fixedCases []*cases.Case

func (f fixedCases) All(context.Context) ([]*cases.Case, error) { return f, nil }

func (f fixedCases) Case(_ context.Context, id string) (*cases.Case, bool, error) {
	for _, c := range f {
		if c.ID == id {
			return c, true, nil
		}
	}
	return nil, false, nil
}

// TestPlannerStreamsThePlan checks that the planner, which streams the
// plan into the outbox channel by channel, queues exactly the posts the
// whole per-channel plan gives (every key once, the same times, texts and
// digests, today and tomorrow of each channel, nothing due longer than
// catch_up ago) and that the outbox hands them out in the same order.
func TestPlannerStreamsThePlan(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, chans := groupFixture(rand.New(rand.NewPCG(7, 8)))
	now := time.Date(2026, 10, 25, 7, 30, 0, 0, time.UTC) // a DST change in Europe
	for _, ch := range chans {
		if _, err := time.Parse("15:04", ch.PostTime); err != nil {
			ch.PostTime = "10:00"
		}
		for _, c := range ch.Countries {
			if _, err := st.Subscribe(ctx, ch, c, now); err != nil {
				t.Fatal(err)
			}
		}
		if ch.Paused() {
			if err := st.PauseChannel(ctx, ch.Platform, ch.Chat, ch.PausedReason, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := &Planner{Store: st, Cases: fixedCases(all), Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now },
		CatchUp: time.Hour, StaleAfter: 365 * 24 * time.Hour, DailyLimit: 6}
	n, err := p.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// What the planner queued before it streamed: the whole plan, sorted,
	// each channel's today and tomorrow.
	stored, err := st.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := cases.DateOf(now.AddDate(0, 0, -1))
	var want []store.Post
	for _, o := range referencePlan(all, stored, PlanOptions{From: first, Days: 4, StaleAfter: p.StaleAfter, DailyLimit: p.DailyLimit}) {
		today := cases.DateOf(now.In(o.At.Location()))
		if o.Date.Before(today) || addDays(today, 1).Before(o.Date) || o.At.Before(now.Add(-p.CatchUp)) {
			continue
		}
		want = append(want, referencePost(o))
	}
	if n != len(want) || n < 200 {
		t.Fatalf("Once queued %d posts; want %d (and the fixture should plan hundreds)", n, len(want))
	}
	// The outbox hands posts out by due time, then as queued.
	slices.SortStableFunc(want, func(a, b store.Post) int { return cmp.Compare(a.DueAt.UnixMilli(), b.DueAt.UnixMilli()) })
	got, err := st.Claim(ctx, now.AddDate(0, 0, 5), 1_000_000, "telegram", "discord")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("the outbox holds %d posts; want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Key != w.Key || !g.DueAt.Equal(w.DueAt) || g.Kind != w.Kind || g.CaseID != w.CaseID || g.Day != w.Day ||
			!reflect.DeepEqual([]byte(g.Payload), []byte(w.Payload)) {
			t.Fatalf("post %d: got %s due %v %s\n%s\nwant %s due %v %s\n%s", i, g.Key, g.DueAt, g.Kind, g.Payload, w.Key, w.DueAt, w.Kind, w.Payload)
		}
	}
}
