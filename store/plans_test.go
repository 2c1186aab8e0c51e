package store

import (
	"context"
	"testing"
)

// TestEnqueuePlanRefusesStalePlan: a plan made before a channel changed
// is not queued, so it cannot stand for its days.
func TestEnqueuePlanRefusesStalePlan(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	subscribe(t, s, tgChannel("-1"), "AZ")
	casesV, _ := s.CasesVersion(ctx)
	chansV, _ := s.ChannelsVersion(ctx)
	p := Post{Key: "k1", Platform: "telegram", Chat: "-1", Kind: KindHungerStrikeDay, DueAt: t0, Day: "2026-11-27"}
	if _, err := s.UpdateSettings(ctx, Channel{Platform: "telegram", Chat: "-1", PostTime: "18:00"}, Channel{}, t0); err != nil {
		t.Fatal(err)
	}
	n, ok, err := s.EnqueuePlan(ctx, t0, casesV, chansV, p)
	if err != nil || ok || n != 0 {
		t.Errorf("EnqueuePlan after a settings change = %d, %v, %v; want nothing queued, ok false", n, ok, err)
	}
	chansV, _ = s.ChannelsVersion(ctx)
	if n, ok, err := s.EnqueuePlan(ctx, t0, casesV, chansV, p); err != nil || !ok || n != 1 {
		t.Errorf("EnqueuePlan with current versions = %d, %v, %v; want 1 queued", n, ok, err)
	}
	days, err := s.PlannedDays(ctx, "2026-11-26")
	if err != nil || !days[PlannedDay("telegram", "-1", "2026-11-27")] {
		t.Errorf("PlannedDays = %v, %v; want the day planned", days, err)
	}
}
