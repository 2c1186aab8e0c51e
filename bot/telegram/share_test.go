package telegram

import (
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
)

// TestPacerShare: with the rate shared by n processes, the pacer spaces
// its messages n times as far apart, and follows the share as it changes.
func TestPacerShare(t *testing.T) {
	var sh bot.Share
	p := newPacer(Pace{PerSecond: 20}).shared(&sh)
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	gaps := func() time.Duration {
		a := p.reserve(now, 1)
		b := p.reserve(now, 2)
		now = b.Add(time.Second)
		return b.Sub(a)
	}
	if g := gaps(); g != 50*time.Millisecond {
		t.Fatalf("alone: gap %s; want 50ms", g)
	}
	sh.Set(2)
	// 20 a second less one for the other process, shared by two.
	rate := 9.5
	want := time.Duration(float64(time.Second) / rate)
	if g := gaps(); g != want {
		t.Fatalf("two replicas: gap %s; want %s (9.5 a second)", g, want)
	}
	sh.Set(0)
	if g := gaps(); g != 50*time.Millisecond {
		t.Fatalf("back to one: gap %s; want 50ms", g)
	}
}
