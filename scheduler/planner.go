package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// CaseSource gives the planner the current case records.
type CaseSource interface {
	All(ctx context.Context) ([]*cases.Case, error)
	Case(ctx context.Context, id string) (*cases.Case, bool, error)
}

// Planner turns the plan into queued posts. It plans each channel's local
// day once, whole (today and tomorrow are always queued), so the daily
// limit and the digest hold however often it runs; when the cases change
// it drops and re-plans the days of which nothing has gone out yet. It
// also queues the status changes recorded by imports. The delivery engine
// sends what it queued, asking StillDue first.
type Planner struct {
	Store      *store.Store
	Cases      CaseSource
	Log        *slog.Logger
	Now        func() time.Time
	CatchUp    time.Duration // posts due longer ago are not queued
	StaleAfter time.Duration
	DailyLimit int
	// Interval is how often the planner looks for changes.
	Interval time.Duration
	// Wake, if set, makes the planner look at once, between two ticks:
	// serve's case-file watcher sends on it after an import changed cases,
	// so that a status change found that way is posted within seconds.
	Wake <-chan struct{}

	// lastPlan is the fingerprint of the inputs of the last plan: the
	// cases, the channels and the hour. Planning is skipped while it holds.
	lastPlan string
	// chans are the channels as read at or after version chansV.
	chans  []store.Channel
	chansV int64
	// index is the cases indexed for planning, as of version indexV.
	index  *caseIndex
	indexV int64
	// batchWritten, if set, is called after each batch of a plan is
	// written or refused (tests).
	batchWritten func()
}

// statusChangeMaxAge is how old a status change (imported while vigil was
// not running) may be and still be announced.
const statusChangeMaxAge = 7 * 24 * time.Hour

// Meta keys the planner keeps in the store.
const (
	metaStatusPosted = "status_changes_posted"
	metaPlannedUntil = "planned_until"
	metaPlannedCases = "planned_cases_version"
)

// Run plans until ctx is done.
func (p *Planner) Run(ctx context.Context) error {
	if err := p.reportMissed(ctx); err != nil {
		p.Log.Error("planner", "err", err)
	}
	interval := p.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := p.Once(ctx); err != nil && ctx.Err() == nil {
			p.Log.Error("planner", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-p.Wake:
		}
	}
}

// Once plans what changed and queues the new status changes, and
// returns how many posts were queued.
func (p *Planner) Once(ctx context.Context) (int, error) {
	now := p.Now()
	casesV, err := p.Store.CasesVersion(ctx)
	if err != nil {
		return 0, err
	}
	chansV, err := p.Store.ChannelsVersion(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	if fp := fmt.Sprint(casesV, "/", chansV, "/", now.UTC().Truncate(time.Hour).Unix()); fp != p.lastPlan {
		var done bool
		if n, done, err = p.planDays(ctx, now, casesV, chansV); err != nil {
			return n, err
		}
		if done {
			p.lastPlan = fp
		}
	}
	m, err := p.queueStatusChanges(ctx, now)
	return n + m, err
}

// planDays queues every channel's local today and tomorrow that are not
// planned yet, leaving out what is due longer than CatchUp ago. done is
// false when the cases or channels changed while it planned: what was
// left of the plan was not queued, and the next call plans again.
//
// The plan is made outside any transaction and streamed into the
// outbox in batches of whole channels, each written in its own short
// transaction that checks the versions the plan was made from (see
// store.EnqueuePlan): the alerts, claims and settings that write
// meanwhile wait for one batch, not for the whole plan.
func (p *Planner) planDays(ctx context.Context, now time.Time, casesV, chansV int64) (n int, done bool, err error) {
	planned, err := p.Store.Meta(ctx, metaPlannedCases)
	if err != nil {
		return 0, false, err
	}
	if planned != casesV {
		// The records changed: days not begun are planned again from them.
		dropped, err := p.Store.DropUnsentPlans(ctx, now)
		if err != nil {
			return 0, false, err
		}
		if dropped > 0 {
			p.Log.Info("cases changed: re-planning days not begun", "posts_dropped", dropped)
		}
	}
	// Local dates differ from UTC ones by at most 14 hours.
	first := cases.DateOf(now.UTC().AddDate(0, 0, -1))
	all, err := p.Cases.All(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("planner: %w", err)
	}
	// The channels are read again only when they changed: every change
	// of what the plan reads of them moves their version.
	if p.chans == nil || p.chansV != chansV {
		chans, err := p.Store.Channels(ctx)
		if err != nil {
			return 0, false, fmt.Errorf("planner: %w", err)
		}
		p.chans, p.chansV = chans, chansV
	}
	chans := p.chans
	// So are the cases indexed again (the library gives the same slice
	// while they do not change).
	if p.index == nil || p.indexV != casesV || !sameSlice(p.index.all, all) {
		p.index, p.indexV = indexCases(all), casesV
	}
	days, err := p.Store.PlannedDays(ctx, first.String())
	if err != nil {
		return 0, false, err
	}
	from := now.Add(-p.CatchUp)
	type window struct{ today, tomorrow cases.Date }
	windows := map[*time.Location]window{}
	dayStrings := map[cases.Date]string{}
	var key []byte
	opt := PlanOptions{From: first, Days: 4, StaleAfter: p.StaleAfter, DailyLimit: p.DailyLimit,
		// Only each channel's local today and tomorrow are planned, and
		// only the days not planned before: a planned day's plan stands.
		Skip: func(ch *store.Channel, loc *time.Location, day cases.Date) bool {
			w, ok := windows[loc]
			if !ok {
				w.today = cases.DateOf(now.In(loc))
				w.tomorrow = addDays(w.today, 1)
				windows[loc] = w
			}
			if day != w.today && day != w.tomorrow {
				return true
			}
			ds, ok := dayStrings[day]
			if !ok {
				ds = day.String()
				dayStrings[day] = ds
			}
			key = store.AppendPlannedDay(key[:0], ch.Platform, ch.Chat, ds)
			return days[string(key)]
		}}
	// Each channel's posts go in the order Plan sorts them, the order the
	// outbox keeps for posts due at one time.
	w := p.startWriter(ctx, now, casesV, chansV)
	var channel []Occurrence
	batch := w.empty()
	shared := map[*store.SharedDigest]bool{} // bodies queued in this round
	for o := range planEach(p.index, chans, opt) {
		if len(channel) > 0 && (o.Platform != channel[0].Platform || o.Chat != channel[0].Chat) {
			// A channel is whole: its posts join the batch.
			if w.stopped.Load() {
				break
			}
			batch = appendChannel(batch, channel, shared)
			channel = channel[:0]
			if len(batch) >= planBatch {
				batch = w.send(batch)
			}
		}
		if o.At.Before(from) {
			continue
		}
		channel = append(channel, *o)
	}
	if !w.stopped.Load() {
		if batch = appendChannel(batch, channel, shared); len(batch) > 0 {
			w.send(batch)
		}
	}
	n, done, err = w.wait()
	if err != nil || !done {
		return n, false, err
	}
	if err := p.Store.SetMeta(ctx, metaPlannedCases, casesV); err != nil {
		return n, false, err
	}
	return n, true, p.Store.SetMeta(ctx, metaPlannedUntil, now.UnixMilli())
}

// sameSlice reports whether a and b are the same slice.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// planBatch is about how many posts the planner writes in one
// transaction: whole channels, so a batch may hold a few more.
var planBatch = 1024

// appendChannel appends the posts of one channel's occurrences to batch,
// in the order Plan sorts them.
func appendChannel(batch []store.Post, channel []Occurrence, shared map[*store.SharedDigest]bool) []store.Post {
	slices.SortFunc(channel, compareOccurrences)
	for _, o := range channel {
		batch = append(batch, post(o, shared))
	}
	return batch
}

// planWriter writes a round's batches into the outbox in a goroutine of
// its own while the planner goes on planning, so that the two overlap.
// Two batches go round: one being filled, one being written.
type planWriter struct {
	batches chan []store.Post
	free    chan []store.Post
	done    chan struct{}
	stopped atomic.Bool // a batch failed or was refused: the rest is not written
	n       int
	err     error
}

// startWriter starts writing the batches of a plan made from the cases
// and channels at versions casesV and chansV.
func (p *Planner) startWriter(ctx context.Context, now time.Time, casesV, chansV int64) *planWriter {
	w := &planWriter{batches: make(chan []store.Post, 1), free: make(chan []store.Post, 2), done: make(chan struct{})}
	for range 2 {
		w.free <- make([]store.Post, 0, planBatch+64)
	}
	go func() {
		defer close(w.done)
		for b := range w.batches {
			if !w.stopped.Load() {
				k, ok, err := p.Store.EnqueuePlan(ctx, now, casesV, chansV, b...)
				w.n += k
				if err != nil || !ok {
					w.err = err
					w.stopped.Store(true)
				}
				if p.batchWritten != nil {
					p.batchWritten()
				}
			}
			clear(b) // let the payloads go
			w.free <- b[:0]
		}
	}()
	return w
}

// empty returns a batch to fill.
func (w *planWriter) empty() []store.Post { return <-w.free }

// send hands a batch over to be written and returns an empty one.
func (w *planWriter) send(b []store.Post) []store.Post {
	w.batches <- b
	return <-w.free
}

// wait waits until every batch sent is written and returns how many
// posts were queued; ok is false if a batch was refused because the
// versions moved, and err says why one failed.
func (w *planWriter) wait() (n int, ok bool, err error) {
	close(w.batches)
	<-w.done
	return w.n, !w.stopped.Load(), w.err
}

// post is the outbox post of a planned occurrence. A digest carries its
// shared body the first time it is queued in a round (shared records
// which were); its other posts name it.
func post(o Occurrence, shared map[*store.SharedDigest]bool) store.Post {
	p := store.Post{Key: o.Key, Platform: o.Platform, Chat: o.Chat, Kind: o.Kind,
		CaseID: o.CaseID, DueAt: o.At, Day: o.Date.String()}
	if o.Digest == nil {
		p.Payload = store.EncodePayload(store.ReminderPayload{Text: o.Text, N: o.N, Day: o.Date.String(), Idx: o.idx})
		return p
	}
	d := o.Digest.Shared()
	p.Payload = store.EncodePayload(store.DigestPayload{N: o.Digest.Len(), Day: p.Day})
	p.Digest = d
	if shared[d] {
		p.Digest = &store.SharedDigest{ID: d.ID}
	}
	shared[d] = true
	return p
}

// plan returns the occurrences of days local dates from first.
func (p *Planner) plan(ctx context.Context, first cases.Date, days int) ([]Occurrence, error) {
	all, err := p.Cases.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("planner: %w", err)
	}
	chans, err := p.Store.Channels(ctx)
	if err != nil {
		return nil, fmt.Errorf("planner: %w", err)
	}
	return Plan(all, chans, PlanOptions{From: first, Days: days, StaleAfter: p.StaleAfter, DailyLimit: p.DailyLimit}), nil
}

// StillDue tells the delivery engine whether a scheduled post still
// holds when its time comes, so that an import between planning and
// sending (a release, a correction, a stale record) is never contradicted
// by a post already queued. It returns why not, or "". A digest loses the
// lines that no longer hold, and is skipped if none is left.
func (p *Planner) StillDue(ctx context.Context, post *store.Post) (string, error) {
	if post.Kind.Immediate() {
		return "", nil
	}
	var rem store.ReminderPayload
	var pl store.DigestPayload
	var planned string // the day it was planned for
	var err error
	if post.Kind == store.KindDigest {
		pl, err = store.DecodePayload[store.DigestPayload](*post)
		planned = pl.Day
	} else {
		rem, err = store.DecodePayload[store.ReminderPayload](*post)
		planned = rem.Day
	}
	if err != nil {
		return "", fmt.Errorf("planner: post %s: %w", post.Key, err)
	}
	day, err := cases.ParseDate(planned)
	if err != nil || !day.HasDay() {
		return "", nil // planned by an older vigil: no day to check against
	}
	ch, err := p.Store.Channel(ctx, post.Platform, post.Chat)
	if err != nil {
		return "", err
	}
	if post.Kind != store.KindDigest {
		return p.holds(ctx, ch, day, post.CaseID, post.Kind, rem.N, rem.Idx)
	}
	if pl.Text == "" && len(pl.Lines) == 0 {
		return "its lines are gone from the database", nil
	}
	kept := pl.Lines[:0:0]
	for _, l := range pl.Lines {
		why, err := p.holds(ctx, ch, day, l.CaseID, l.Kind, l.N, l.Idx)
		if err != nil {
			return "", err
		}
		if why == "" {
			kept = append(kept, l)
		}
	}
	switch {
	case len(pl.Lines) == 0:
		return "", nil
	case len(kept) == 0:
		return "none of its reminders holds any more", nil
	case len(kept) < len(pl.Lines):
		pl.Lines, pl.Text = kept, store.DigestText(pl.Header, kept)
		pl.Cases = pl.Cases[:0]
		for _, l := range kept {
			pl.Cases = append(pl.Cases, l.CaseID)
		}
		post.Payload = store.EncodePayload(pl)
	}
	return "", nil
}

// holds says why a reminder of a case on a day no longer holds, or "".
func (p *Planner) holds(ctx context.Context, ch store.Channel, day cases.Date, caseID string, kind store.Kind, n, idx int) (string, error) {
	c, ok, err := p.Cases.Case(ctx, caseID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "the case was removed or archived", nil
	}
	if !slices.Contains(ch.Countries, c.Country) {
		return "the channel no longer follows " + c.Country, nil
	}
	if staleOn(c, day, p.StaleAfter) {
		return "the case is stale", nil
	}
	if kind == store.KindCustom {
		if c.Status.Free() || idx >= len(c.Reminders) {
			return "the reminder no longer applies", nil
		}
		return "", nil
	}
	for _, r := range dayReminders(c, day) {
		if r.kind == kind && r.n == n {
			return "", nil
		}
	}
	return fmt.Sprintf("no longer applies (status %s)", c.Status), nil
}

// reportMissed logs the posts that fell due while vigil was not running
// and are now too late (more than CatchUp) to send: nothing else would
// say they were skipped.
func (p *Planner) reportMissed(ctx context.Context) error {
	until, err := p.Store.Meta(ctx, metaPlannedUntil)
	if err != nil || until == 0 {
		return err
	}
	from := time.UnixMilli(until)
	to := p.Now().Add(-p.CatchUp)
	if !from.Before(to) {
		return nil
	}
	if to.Sub(from) > 31*24*time.Hour {
		from = to.Add(-31 * 24 * time.Hour)
	}
	first := cases.DateOf(from.UTC().AddDate(0, 0, -1))
	occ, err := p.plan(ctx, first, int(to.Sub(from).Hours()/24)+3)
	if err != nil {
		return err
	}
	days, err := p.Store.PlannedDays(ctx, first.String())
	if err != nil {
		return err
	}
	for _, o := range occ {
		// Days already queued are the delivery engine's to skip and log.
		if o.At.Before(from) || !o.At.Before(to) || days[store.PlannedDay(o.Platform, o.Chat, o.Date.String())] {
			continue
		}
		p.Log.Warn("skipped: fell due while vigil was down, later than catch_up", "key", o.Key, "due", o.At, "catch_up", p.CatchUp)
	}
	return nil
}

// queueStatusChanges queues one post per subscribed channel for each
// status change recorded since the last call. Status changes are never
// held back by the daily limit.
func (p *Planner) queueStatusChanges(ctx context.Context, now time.Time) (int, error) {
	after, err := p.Store.Meta(ctx, metaStatusPosted)
	if err != nil {
		return 0, err
	}
	changes, err := p.Store.StatusChangesAfter(ctx, after)
	if err != nil || len(changes) == 0 {
		return 0, err
	}
	total := 0
	for _, sc := range changes {
		if now.Sub(sc.At) > statusChangeMaxAge {
			// News this old would mislead more than inform.
			p.Log.Warn("skipped: status change too old to announce", "case", sc.CaseID, "old", sc.Old, "new", sc.New, "at", sc.At)
			if err := p.Store.SetMeta(ctx, metaStatusPosted, sc.ID); err != nil {
				return total, err
			}
			continue
		}
		subs, err := p.Store.Subscribers(ctx, sc.Country)
		if err != nil {
			return total, err
		}
		payload := store.EncodePayload(store.StatusChangePayload{Old: sc.Old, New: sc.New})
		var posts []store.Post
		for _, ch := range subs {
			posts = append(posts, store.Post{Key: fmt.Sprintf("status:%d:%s:%s", sc.ID, ch.Platform, ch.Chat),
				Platform: ch.Platform, Chat: ch.Chat, Kind: store.KindStatusChange, CaseID: sc.CaseID, Payload: payload, DueAt: now})
		}
		n, err := p.Store.Enqueue(ctx, now, posts...)
		if err != nil {
			return total, err
		}
		total += n
		if err := p.Store.SetMeta(ctx, metaStatusPosted, sc.ID); err != nil {
			return total, err
		}
		p.Log.Info("status change queued", "case", sc.CaseID, "old", sc.Old, "new", sc.New, "channels", n)
	}
	return total, nil
}
