package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// fakePlatform records sends and fails them as told, per chat.
type fakePlatform struct {
	mu    sync.Mutex
	sent  map[string][]bot.Message
	fails map[string][]error // consumed one per send
}

func (f *fakePlatform) Name() string                  { return "fake" }
func (f *fakePlatform) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (f *fakePlatform) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if errs := f.fails[chat]; len(errs) > 0 {
		f.fails[chat] = errs[1:]
		if errs[0] != nil {
			return "", errs[0]
		}
	}
	f.sent[chat] = append(f.sent[chat], msg)
	return chat + "-" + string(rune('0'+len(f.sent[chat]))), nil
}

func (f *fakePlatform) count(chat string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent[chat])
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// world is a store with cases imported, channels "fake:<chat>"
// subscribed to AZ, a handler, a fake platform and a test clock.
func world(t *testing.T, yaml string, start time.Time, chats ...string) (*store.Store, *bot.Handler, *fakePlatform, *clock) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: start}
	if _, err := st.Import(ctx, []cases.SourceFile{{Path: "a.yaml", Data: []byte(yaml), Hash: yaml}}, clk.now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	for _, c := range chats {
		if _, err := st.Subscribe(ctx, bot.DefaultChannel(cfg, "fake", c), "AZ", clk.now()); err != nil {
			t.Fatal(err)
		}
	}
	h := bot.NewHandler(st, cfg, slog.New(slog.DiscardHandler))
	h.Now = clk.now
	return st, h, &fakePlatform{sent: map[string][]bot.Message{}, fails: map[string][]error{}}, clk
}

func setup(t *testing.T, chats ...string) (*Delivery, *store.Store, *fakePlatform, *clock) {
	t.Helper()
	st, h, fp, clk := world(t, "id: amira-testova\nname: Amira Testova\ncountry: AZ\nstatus: imprisoned\nstatus_as_of: 2026-10\n",
		time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), chats...)
	d := &Delivery{Store: st, Composer: h, Platforms: map[string]bot.Platform{"fake": fp}, Log: h.Log, Now: clk.now}
	return d, st, fp, clk
}

func TestDeliveryOutcomes(t *testing.T) {
	d, st, fp, clk := setup(t, "ok", "flaky", "gone", "bad", "old")
	ctx := context.Background()
	fp.fails["flaky"] = []error{&bot.SendError{Failure: bot.Temporary, RetryAfter: 3 * time.Second, Err: errors.New("429")}, errors.New("timeout")}
	fp.fails["gone"] = []error{&bot.SendError{Failure: bot.ChannelGone, Err: errors.New("bot was kicked")}}
	fp.fails["bad"] = []error{&bot.SendError{Failure: bot.Rejected, Err: errors.New("can't parse entities")}}
	fp.fails["old"] = []error{&bot.SendError{Failure: bot.Moved, NewChat: "new", Err: errors.New("migrated")}}
	if _, n, err := st.QueueAlert(ctx, "amira-testova", "Act now", "test", clk.now()); err != nil || n != 5 {
		t.Fatalf("QueueAlert = %d, %v; want 5", n, err)
	}
	if _, err := d.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if fp.count("ok") != 1 || fp.count("new") != 1 || fp.count("flaky") != 0 {
		t.Errorf("after one tick: ok=%d new=%d flaky=%d; want 1 1 0", fp.count("ok"), fp.count("new"), fp.count("flaky"))
	}
	if msg := fp.sent["ok"][0]; msg.Lead != "URGENT: Act now" || msg.Card == nil || msg.Card.Title != "Amira Testova" {
		t.Errorf("message = %+v; want the alert's lead and card", msg)
	}
	gone, err := st.Channel(ctx, "fake", "gone")
	if err != nil || !gone.Paused() || gone.PausedReason != "bot was kicked" {
		t.Errorf("gone channel = %+v, %v; want paused with the reason", gone, err)
	}
	if _, err := st.Channel(ctx, "fake", "old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old chat still exists: %v", err)
	}
	// The 429 asked for 3 s: nothing before that, then a second, failing try
	// with a 4 s backoff (attempt 2), then success.
	clk.advance(2 * time.Second)
	d.Tick(ctx)
	if fp.count("flaky") != 0 {
		t.Errorf("retried before retry_after")
	}
	clk.advance(time.Second)
	d.Tick(ctx)
	clk.advance(4 * time.Second)
	d.Tick(ctx)
	if fp.count("flaky") != 1 {
		t.Errorf("flaky sent %d times; want 1 after its retries", fp.count("flaky"))
	}
	counts, _ := st.PostCounts(ctx)
	if counts[store.Sent] != 3 || counts[store.Failed] != 1 || counts[store.Queued] != 1 {
		t.Errorf("post states = %v; want 3 sent, 1 failed (bad), 1 queued (gone, paused)", counts)
	}
	// Resuming the paused channel delivers its queued post, once.
	if err := st.ResumeChannel(ctx, "fake", "gone"); err != nil {
		t.Fatal(err)
	}
	d.Tick(ctx)
	d.Tick(ctx)
	if fp.count("gone") != 1 || fp.count("ok") != 1 {
		t.Errorf("after resume: gone=%d ok=%d; want 1 1", fp.count("gone"), fp.count("ok"))
	}
}

// TestCrashRepeatsOnlyInFlight: a post claimed by a process that died is
// sent by the next one; posts already sent are not.
func TestCrashRepeatsOnlyInFlight(t *testing.T) {
	d, st, fp, clk := setup(t, "a", "b")
	ctx := context.Background()
	st.QueueAlert(ctx, "amira-testova", "one", "test", clk.now())
	d.Tick(ctx)
	st.QueueAlert(ctx, "amira-testova", "two", "test", clk.now())
	claimed, err := st.Claim(ctx, clk.now(), 1, "fake") // the dead process's in-flight send
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	d.Poll = 10 * time.Millisecond
	go func() { done <- d.Run(runCtx) }()
	deadline := time.Now().Add(10 * time.Second)
	for fp.count("a")+fp.count("b") < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fp.count("a") != 2 || fp.count("b") != 2 {
		t.Errorf("sends a=%d b=%d; want 2 each (one per alert)", fp.count("a"), fp.count("b"))
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		after   time.Duration
		want    time.Duration
	}{
		{1, 0, 2 * time.Second},
		{2, 0, 4 * time.Second},
		{5, 0, 32 * time.Second},
		{30, 0, maxBackoff},
		{3, 7 * time.Second, 7 * time.Second},
	}
	for _, tt := range tests {
		if got := Backoff(tt.attempt, tt.after); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %v; want %v", tt.attempt, tt.after, got, tt.want)
		}
	}
}

// TestRepeatedRefusalsPause: with PauseAfter 3 a channel is paused at the
// third refusal in a row, not the first; a success in between resets the
// count.
func TestRepeatedRefusalsPause(t *testing.T) {
	d, st, fp, clk := setup(t, "flaky", "gone")
	d.PauseAfter = 3
	ctx := context.Background()
	refuse := func() error {
		return &bot.SendError{Failure: bot.ChannelGone, Err: errors.New("Forbidden: bot was kicked")}
	}
	fp.fails["gone"] = []error{refuse(), refuse(), refuse()}
	fp.fails["flaky"] = []error{refuse(), refuse(), nil, refuse(), refuse()}
	st.QueueAlert(ctx, "amira-testova", "one", "test", clk.now())
	for range 3 {
		d.Tick(ctx)
		clk.advance(time.Minute)
	}
	if ch, _ := st.Channel(ctx, "fake", "gone"); !ch.Paused() {
		t.Errorf("gone not paused after 3 refusals")
	}
	if ch, _ := st.Channel(ctx, "fake", "flaky"); ch.Paused() || fp.count("flaky") != 1 {
		t.Errorf("flaky: paused %v, sent %d; want active and sent once", ch.Paused(), fp.count("flaky"))
	}
	// Two more refusals after the success: not yet three in a row.
	st.QueueAlert(ctx, "amira-testova", "two", "test", clk.now())
	for range 2 {
		d.Tick(ctx)
		clk.advance(time.Minute)
	}
	if ch, _ := st.Channel(ctx, "fake", "flaky"); ch.Paused() {
		t.Errorf("flaky paused after 2 refusals following a success")
	}
}

// orderedPlatform records the order of sends per chat and how many run
// at once.
type orderedPlatform struct {
	fakePlatform
	mu          sync.Mutex
	inFlight    int
	maxInFlight int
}

func (o *orderedPlatform) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	o.mu.Lock()
	o.inFlight++
	o.maxInFlight = max(o.maxInFlight, o.inFlight)
	o.mu.Unlock()
	time.Sleep(5 * time.Millisecond) // a round trip
	defer func() { o.mu.Lock(); o.inFlight--; o.mu.Unlock() }()
	return o.fakePlatform.Send(ctx, chat, msg)
}

// TestWorkersKeepChatOrder: several sends run at once, but each chat's
// posts arrive in the order they were queued.
func TestWorkersKeepChatOrder(t *testing.T) {
	chats := []string{"a", "b", "c", "d", "e", "f"}
	d, st, _, clk := setup(t, chats...)
	op := &orderedPlatform{fakePlatform: fakePlatform{sent: map[string][]bot.Message{}, fails: map[string][]error{}}}
	d.Platforms = map[string]bot.Platform{"fake": op}
	d.Workers = 4
	ctx := context.Background()
	for i := range 5 {
		st.QueueAlert(ctx, "amira-testova", fmt.Sprintf("alert %d", i), "test", clk.now())
	}
	if n, err := d.Tick(ctx); err != nil || n != 30 {
		t.Fatalf("Tick = %d, %v; want 30", n, err)
	}
	for _, c := range chats {
		for i, m := range op.sent[c] {
			if want := fmt.Sprintf("URGENT: alert %d", i); m.Lead != want {
				t.Errorf("chat %s message %d = %q; want %q", c, i, m.Lead, want)
			}
		}
	}
	if op.maxInFlight < 2 || op.maxInFlight > 4 {
		t.Errorf("at most %d sends at once; want 2 to 4", op.maxInFlight)
	}
}

// twoParts is a platform whose messages go out in two parts, the second
// at the chat's next turn: the first Send reports its first part and
// hands the post back (bot.ErrRest); the next, resumed, sends the rest.
type twoParts struct {
	mu      sync.Mutex
	firsts  int
	resumes []string
}

func (p *twoParts) Name() string                  { return "fake" }
func (p *twoParts) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (p *twoParts) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if msg.Resume != "" {
		p.resumes = append(p.resumes, msg.Resume)
		return msg.Resume + ",t", nil
	}
	p.firsts++
	msg.Progress("p" + chat)
	return "", &bot.SendError{Failure: bot.Temporary, RetryAfter: 1100 * time.Millisecond, Err: fmt.Errorf("x: %w", bot.ErrRest)}
}

// TestDeliveryRestAtNextTurn checks bot.ErrRest: the first part is
// recorded and the post waits for the chat's next turn, not counted as a
// failure; then only the rest is sent, and the post ends with both ids.
func TestDeliveryRestAtNextTurn(t *testing.T) {
	d, st, _, clk := setup(t, "a")
	p := &twoParts{}
	d.Platforms = map[string]bot.Platform{"fake": p}
	ctx := context.Background()
	if _, n, err := st.QueueAlert(ctx, "amira-testova", "Act now", "test", clk.now()); err != nil || n != 1 {
		t.Fatalf("QueueAlert = %d, %v", n, err)
	}
	d.Tick(ctx)
	post, err := st.Post(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if post.State != store.Queued || post.MessageID != "pa" || post.Attempts != 0 || post.LastError != "" ||
		!post.NextAt.Equal(clk.now().Add(1100*time.Millisecond)) {
		t.Fatalf("after the first part: %s %q attempts %d error %q next %v; want queued with the part, no failure, at the next turn",
			post.State, post.MessageID, post.Attempts, post.LastError, post.NextAt)
	}
	d.Tick(ctx)
	if p.firsts != 1 || len(p.resumes) != 0 {
		t.Fatalf("before the chat's turn: %d firsts, %v resumes; want nothing more", p.firsts, p.resumes)
	}
	clk.advance(1100 * time.Millisecond)
	d.Tick(ctx)
	post, _ = st.Post(ctx, 1)
	if p.firsts != 1 || len(p.resumes) != 1 || p.resumes[0] != "pa" || post.State != store.Sent || post.MessageID != "pa,t" {
		t.Errorf("after the turn: %d firsts, resumes %v, post %s %q; want the rest alone and both ids", p.firsts, p.resumes, post.State, post.MessageID)
	}
}

// pacedPlatform is a bot.Paced platform whose sends wait for one another
// in waves of wave: a send returns once wave sends have arrived, so the
// sends in flight reach the engine's limit and never pass it.
type pacedPlatform struct {
	orderedPlatform
	rate float64
	rtt  time.Duration
	wave int

	cond    *sync.Cond
	arrived int
}

func (p *pacedPlatform) SendRate() float64        { return p.rate }
func (p *pacedPlatform) RoundTrip() time.Duration { return p.rtt }

func (p *pacedPlatform) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	p.orderedPlatform.mu.Lock()
	p.inFlight++
	p.maxInFlight = max(p.maxInFlight, p.inFlight)
	p.arrived++
	full := (p.arrived + p.wave - 1) / p.wave * p.wave // the end of this send's wave
	p.cond.Broadcast()
	timeout := time.AfterFunc(2*time.Second, func() {
		p.orderedPlatform.mu.Lock()
		p.cond.Broadcast()
		p.orderedPlatform.mu.Unlock()
	})
	start := time.Now()
	for p.arrived < full && time.Since(start) < 2*time.Second {
		p.cond.Wait()
	}
	timeout.Stop()
	p.inFlight--
	p.orderedPlatform.mu.Unlock()
	return p.fakePlatform.Send(ctx, chat, msg)
}

// TestInFlightFollowsRoundTrip: for a bot.Paced platform the engine keeps
// ceil(rate × (round trip + its own time) × 2) + 1 sends in flight (before
// any post went out, its own time is nothing), within Workers and
// MaxWorkers (without MaxWorkers, Workers), and a fan-out reaches that
// many at once and no more.
func TestInFlightFollowsRoundTrip(t *testing.T) {
	var chats []string
	for i := range 42 {
		chats = append(chats, fmt.Sprintf("c%02d", i))
	}
	d, st, _, clk := setup(t, chats...)
	if _, n, err := st.QueueAlert(context.Background(), "amira-testova", "Act now", "test", clk.now()); err != nil || n != 42 {
		t.Fatalf("QueueAlert = %d, %v; want 42", n, err)
	}
	pp := &pacedPlatform{orderedPlatform: orderedPlatform{fakePlatform: fakePlatform{sent: map[string][]bot.Message{}, fails: map[string][]error{}}},
		rate: 100, rtt: 100 * time.Millisecond, wave: 21}
	pp.cond = sync.NewCond(&pp.orderedPlatform.mu)
	d.Platforms = map[string]bot.Platform{"fake": pp}
	d.Workers = 2
	tests := []struct {
		rate      float64
		rtt       time.Duration
		max, want int
	}{
		{100, 100 * time.Millisecond, 64, 21}, // 100/s × 0.1 s × 2 + 1
		{29, 200 * time.Millisecond, 64, 13},
		{50, 0, 64, 2},                     // no round trip measured yet: Workers
		{50, 10 * time.Second, 30, 30},     // MaxWorkers
		{50, 10 * time.Second, 0, 2},       // no MaxWorkers: Workers
		{50, 200 * time.Millisecond, 1, 2}, // MaxWorkers under Workers: Workers
	}
	for _, tt := range tests {
		pp.rate, pp.rtt, d.MaxWorkers = tt.rate, tt.rtt, tt.max
		if got := d.InFlight("fake"); got != tt.want {
			t.Errorf("InFlight at %v/s, %v, MaxWorkers %d = %d; want %d", tt.rate, tt.rtt, tt.max, got, tt.want)
		}
	}
	// 100/s over 0.1 s wants 21 and more (the engine's own time adds to
	// the round trip once posts go out); MaxWorkers holds it at 21.
	pp.rate, pp.rtt, d.MaxWorkers = 100, 100*time.Millisecond, 21
	if n, err := d.Tick(context.Background()); err != nil || n != 42 {
		t.Fatalf("Tick = %d, %v; want 42", n, err)
	}
	if pp.maxInFlight != 21 {
		t.Errorf("at most %d sends at once; want 21", pp.maxInFlight)
	}
	if got := d.InFlight("fake"); got != 21 {
		t.Errorf("InFlight after the fan-out = %d; want 21 (MaxWorkers)", got)
	}
	d.MaxWorkers = 64
	if got := d.InFlight("fake"); got < 21 {
		t.Errorf("InFlight with the engine's own time measured = %d; want at least the round trip's 21", got)
	}
}
