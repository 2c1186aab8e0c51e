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
	st, p, now := plannerFixture(t)
	n, err := p.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := wantQueued(t, st, p, now)
	if n != len(want) || n < 200 {
		t.Fatalf("Once queued %d posts; want %d (and the fixture should plan hundreds)", n, len(want))
	}
	checkOutbox(t, st, now, want)
}

// plannerFixture stores the channels of groupFixture and returns a
// planner of its cases at a time when Europe's clocks go back.
func plannerFixture(t *testing.T) (*store.Store, *Planner, time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
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
	return st, p, now
}

// wantQueued returns what the planner should have queued from the
// stored channels, made as before the plan was streamed: the whole plan,
// sorted, each channel's today and tomorrow.
func wantQueued(t *testing.T, st *store.Store, p *Planner, now time.Time) []store.Post {
	t.Helper()
	stored, err := st.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all, _ := p.Cases.All(context.Background())
	first := cases.DateOf(now.AddDate(0, 0, -1))
	var want []store.Post
	for _, o := range referencePlan(all, stored, PlanOptions{From: first, Days: 4, StaleAfter: p.StaleAfter, DailyLimit: p.DailyLimit}) {
		today := cases.DateOf(now.In(o.At.Location()))
		if o.Date.Before(today) || addDays(today, 1).Before(o.Date) || o.At.Before(now.Add(-p.CatchUp)) {
			continue
		}
		want = append(want, referencePost(o))
	}
	return want
}

// checkOutbox claims every post of the outbox and checks that they are
// want, in the order the outbox hands them out: by due time, then as
// queued.
func checkOutbox(t *testing.T, st *store.Store, now time.Time, want []store.Post) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortStableFunc(want, func(a, b store.Post) int { return cmp.Compare(a.DueAt.UnixMilli(), b.DueAt.UnixMilli()) })
	got, err := st.Claim(context.Background(), now.AddDate(0, 0, 5), 1_000_000, "telegram", "discord")
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

// TestPlannerRoundCutByAChange: the planner writes its plan in batches
// of whole channels, each checked against the versions the plan was made
// from. A channel's settings changing after the first batch stops the
// round: what was written holds only whole channel days as planned, the
// round is not done, and the next one completes the plan from the new
// settings, with nothing missing or doubled.
func TestPlannerRoundCutByAChange(t *testing.T) {
	ctx := context.Background()
	st, p, now := plannerFixture(t)
	defer func(b int) { planBatch = b }(planBatch)
	planBatch = 40
	before := wantQueued(t, st, p, now)
	last := before[len(before)-1]
	batches := 0
	p.batchWritten = func() {
		if batches++; batches == 1 {
			if _, err := st.UpdateSettings(ctx, store.Channel{Platform: last.Platform, Chat: last.Chat, PostTime: "06:45"}, store.Channel{}, now); err != nil {
				t.Error(err)
			}
		}
	}
	n, err := p.Once(ctx)
	if err != nil || n < planBatch || n >= len(before) || p.lastPlan != "" {
		t.Fatalf("Once = %d, %v, planned %q; want a first batch of at least %d of the %d posts, and the round not done", n, err, p.lastPlan, planBatch, len(before))
	}
	if batches != 2 {
		t.Errorf("%d batches were written or refused; want the round to stop at the second", batches)
	}
	// What the first batch wrote: whole channel days, as planned.
	byDay := map[string][]string{}
	for _, w := range before {
		k := store.PlannedDay(w.Platform, w.Chat, w.Day)
		byDay[k] = append(byDay[k], w.Key)
	}
	queued := map[string][]string{}
	for id := int64(1); ; id++ {
		post, err := st.Post(ctx, id)
		if err != nil {
			break
		}
		k := store.PlannedDay(post.Platform, post.Chat, post.Day)
		queued[k] = append(queued[k], post.Key)
	}
	if len(queued) == 0 {
		t.Fatal("the first batch wrote nothing")
	}
	for k, keys := range queued {
		slices.Sort(keys)
		want := slices.Sorted(slices.Values(byDay[k]))
		if !slices.Equal(keys, want) {
			t.Errorf("channel day %q holds %v; want the whole day %v", k, keys, want)
		}
	}

	p.batchWritten = nil
	if _, err := p.Once(ctx); err != nil || p.lastPlan == "" {
		t.Fatalf("Once again = %v, planned %q; want the round done", err, p.lastPlan)
	}
	after := wantQueued(t, st, p, now)
	if slices.EqualFunc(before, after, func(a, b store.Post) bool { return a.DueAt.Equal(b.DueAt) }) {
		t.Fatal("the changed post time moved no post; the test would show nothing")
	}
	checkOutbox(t, st, now, after)
}
