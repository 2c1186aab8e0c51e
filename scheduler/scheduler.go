package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// CaseSource gives the planner the current case records.
type CaseSource interface {
	All(ctx context.Context) ([]*cases.Case, error)
}

// Planner turns the plan into queued posts: every minute it queues the
// posts due within the next day (their keys make that idempotent), and
// the status changes recorded by imports. The delivery engine sends them.
type Planner struct {
	Store      *store.Store
	Cases      CaseSource
	Log        *slog.Logger
	Now        func() time.Time
	CatchUp    time.Duration // posts due longer ago are not queued
	StaleAfter time.Duration
	DailyLimit int
	// Interval is how often the plan is refreshed; Ahead how far ahead
	// posts are queued.
	Interval time.Duration
	Ahead    time.Duration
}

// PostPayload is the payload of a scheduled post: its lead, rendered in
// the channel's language when planned.
type PostPayload struct {
	Text  string   `json:"text"`
	N     int      `json:"n,omitempty"`
	Cases []string `json:"cases,omitempty"`
}

// Meta keys the planner keeps in the store.
const (
	metaStatusPosted = "status_changes_posted"
	metaPlannedUntil = "planned_until"
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
		}
	}
}

// Once queues what is due from now-CatchUp to now+Ahead and the new
// status changes, and returns how many posts were new.
func (p *Planner) Once(ctx context.Context) (int, error) {
	now := p.Now()
	ahead := p.Ahead
	if ahead <= 0 {
		ahead = 24 * time.Hour
	}
	from, to := now.Add(-p.CatchUp), now.Add(ahead)
	occ, err := p.plan(ctx, from, to)
	if err != nil {
		return 0, err
	}
	posts := make([]store.Post, 0, len(occ))
	for _, o := range occ {
		payload, _ := json.Marshal(PostPayload{Text: o.Text, N: o.N, Cases: o.Cases})
		posts = append(posts, store.Post{Key: o.Key, Platform: o.Platform, Chat: o.Chat, Kind: o.Kind,
			CaseID: o.CaseID, Payload: payload, DueAt: o.At})
	}
	n, err := p.Store.Enqueue(ctx, now, posts...)
	if err != nil {
		return n, fmt.Errorf("planner: %w", err)
	}
	if err := p.Store.SetMeta(ctx, metaPlannedUntil, to.UnixMilli()); err != nil {
		return n, err
	}
	m, err := p.queueStatusChanges(ctx, now)
	return n + m, err
}

// plan returns the occurrences due in [from, to), channel by channel in
// each one's local dates.
func (p *Planner) plan(ctx context.Context, from, to time.Time) ([]Occurrence, error) {
	all, err := p.Cases.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("planner: %w", err)
	}
	chans, err := p.Store.Channels(ctx)
	if err != nil {
		return nil, fmt.Errorf("planner: %w", err)
	}
	// Local dates differ from UTC by at most 14 hours: one day either side
	// covers every zone.
	first := cases.DateOf(from.UTC().AddDate(0, 0, -1))
	days := int(to.Sub(from).Hours()/24) + 3
	occ := Plan(all, chans, PlanOptions{From: first, Days: days, Now: p.Now(), StaleAfter: p.StaleAfter, DailyLimit: p.DailyLimit})
	out := occ[:0]
	for _, o := range occ {
		if !o.At.Before(from) && o.At.Before(to) {
			out = append(out, o)
		}
	}
	return out, nil
}

// reportMissed logs the posts that fell due while vigil was not running
// and are now too late (more than CatchUp) to send: they were never
// queued, so nothing else would say they were skipped.
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
	occ, err := p.plan(ctx, from, to)
	if err != nil {
		return err
	}
	for _, o := range occ {
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
		subs, err := p.Store.Subscribers(ctx, sc.Country)
		if err != nil {
			return total, err
		}
		payload, _ := json.Marshal(map[string]string{"old": string(sc.Old), "new": string(sc.New)})
		var posts []store.Post
		for _, ch := range subs {
			posts = append(posts, store.Post{Key: fmt.Sprintf("status:%d:%s:%s", sc.ID, ch.Platform, ch.Chat),
				Platform: ch.Platform, Chat: ch.Chat, Kind: KindStatusChange, CaseID: sc.CaseID, Payload: payload, DueAt: now})
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
