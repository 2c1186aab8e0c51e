package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/store"
)

// Composer builds the message of a queued post for its channel.
type Composer interface {
	Compose(ctx context.Context, p store.Post, ch store.Channel) (bot.Message, error)
}

// Delivery is the delivery engine. Its zero value is not usable; set the
// exported fields, then call Run.
type Delivery struct {
	Store     *store.Store
	Composer  Composer
	Platforms map[string]bot.Platform
	Log       *slog.Logger
	Now       func() time.Time
	// Poll is how often the outbox is checked; posts queued by another
	// process (the CLI) are found within it.
	Poll time.Duration
	// SendTimeout bounds one send; it also bounds how long shutdown waits
	// for the send in flight.
	SendTimeout time.Duration
	// CatchUp is how late a scheduled post may still be sent; a later one
	// is skipped and logged. Alerts and status changes are always sent.
	CatchUp time.Duration
	// Metrics, if set, counts outcomes (NewMetrics); nil counts nothing.
	Metrics *Metrics
	// Workers is how many sends run at once per platform (default 1),
	// each chat's posts in order on one of them, so that the round trips
	// of one send do not hold up the next. The platform paces them.
	Workers int
	// MaxWorkers, if above Workers, lets the engine keep more sends in
	// flight on a bot.Paced platform: as many as its rate needs over its
	// measured round trip (InFlight), up to MaxWorkers. Workers is then
	// the least.
	MaxWorkers int
	// PauseAfter is how many refusals in a row (kicked, no access) pause
	// a channel; 0 means the first.
	PauseAfter int
	overheadMu sync.Mutex
	overheads  map[string]*bot.RoundTrips // the engine's own time per post, by platform

	// Check, if set, is asked before a post is sent whether it still
	// holds; a reason means it is skipped (Planner.StillDue).
	// It may rewrite the post's payload (a digest loses lines that no
	// longer hold).
	Check func(ctx context.Context, p *store.Post) (reason string, err error)
}

// maxBackoff caps the wait between retries of a temporary failure.
const maxBackoff = 15 * time.Minute

func (d *Delivery) platforms() []string {
	names := make([]string, 0, len(d.Platforms))
	for n := range d.Platforms {
		names = append(names, n)
	}
	return names
}

// Run delivers posts until ctx is done: one worker per platform, so each
// platform's pacing holds back only its own posts. It first requeues the
// sends that a previous process left in flight: only those can be
// repeated after a crash.
func (d *Delivery) Run(ctx context.Context) error {
	if n, err := d.Store.Requeue(ctx, d.platforms()...); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("delivery: %w", err)
	} else if n > 0 {
		d.Log.Warn("requeued sends interrupted by the last shutdown", "posts", n)
	}
	poll := d.Poll
	if poll <= 0 {
		poll = time.Second
	}
	var wg sync.WaitGroup
	for name := range d.Platforms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(poll)
			defer t.Stop()
			for {
				if _, err := d.tick(ctx, name); err != nil && ctx.Err() == nil {
					d.Log.Error("delivery", "platform", name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

// Tick sends every post due now on every platform, one platform after
// the other, and returns how many it handled. Tests drive it directly.
func (d *Delivery) Tick(ctx context.Context) (int, error) {
	total := 0
	for _, name := range d.platforms() {
		n, err := d.tick(ctx, name)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// inFlightMargin is how many times the sends the round trip alone needs
// the engine keeps in flight: the store's work around each send and the
// pace's own waiting take time too.
const inFlightMargin = 2

// InFlight returns how many sends the engine keeps in flight on the
// platform: for a bot.Paced platform, with MaxWorkers set, enough to hold
// its rate over the time a post keeps a send busy apart from the pace's
// waiting — the platform's measured round trip plus the engine's own
// measured time around it (the store, composing) —
// ceil(rate × (round trip + own time) × 2) + 1, within [Workers,
// MaxWorkers]; otherwise Workers.
func (d *Delivery) InFlight(platform string) int {
	lo := max(d.Workers, 1)
	hi := d.MaxWorkers
	p, ok := d.Platforms[platform].(bot.Paced)
	if !ok || hi <= lo {
		return lo
	}
	busy := p.RoundTrip() + d.overhead(platform).Average()
	n := int(math.Ceil(p.SendRate()*busy.Seconds()*inFlightMargin)) + 1
	return min(max(n, lo), hi)
}

// tick sends the platform's due posts. It keeps up to InFlight sends
// going, claiming more as chats finish rather than in batches, so that no
// batch's last sends hold up the next; each chat's posts go out in order,
// one at a time. It stops claiming new posts once ctx is done; a claimed
// post whose turn has not come by then goes back to the queue.
func (d *Delivery) tick(ctx context.Context, platform string) (int, error) {
	f := &flight{chats: map[string]*chatRun{}, held: map[string]time.Time{}}
	f.cond = sync.NewCond(&f.mu)
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.cond.Broadcast()
		f.mu.Unlock()
	})
	defer stop()
	var wg sync.WaitGroup
	for ctx.Err() == nil {
		limit := d.InFlight(platform)
		f.mu.Lock()
		// Claim ahead of the sends in flight, but not far: what is
		// claimed waits in sending, out of other ticks' reach.
		for ctx.Err() == nil && (len(f.chats) >= 2*limit || f.posts >= 4*limit) {
			f.cond.Wait()
			limit = d.InFlight(platform)
		}
		want := max(2*limit-len(f.chats), 1)
		failed := len(f.errs) > 0
		f.mu.Unlock()
		if ctx.Err() != nil || failed {
			// A store failure ends the tick, as it would a batch: Run
			// logs it and tries again at the next poll.
			break
		}
		posts, err := d.Store.Claim(ctx, d.Now(), want, platform)
		if err != nil {
			f.fail(err)
			break
		}
		if len(posts) == 0 {
			// Wait for the chats in flight before looking again: their
			// next posts may be due by then.
			f.mu.Lock()
			for len(f.chats) > 0 {
				f.cond.Wait()
			}
			more := f.handledSinceCheck
			f.handledSinceCheck = 0
			f.mu.Unlock()
			if more == 0 {
				break
			}
			continue
		}
		type waiting struct {
			posts []store.Post
			until time.Time
		}
		wait := map[string]*waiting{} // by chat
		f.mu.Lock()
		for _, p := range posts {
			if until, ok := f.held[p.Chat]; ok && d.Now().Before(until) {
				// The chat asked to wait after this tick began.
				w := wait[p.Chat]
				if w == nil {
					w = &waiting{until: until}
					wait[p.Chat] = w
				}
				w.posts = append(w.posts, p)
				continue
			}
			f.posts++
			if r := f.chats[p.Chat]; r != nil {
				r.posts = append(r.posts, p)
				continue
			}
			r := &chatRun{posts: []store.Post{p}}
			f.chats[p.Chat] = r
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.runChat(ctx, platform, f, p.Chat, r)
			}()
		}
		f.mu.Unlock()
		for _, w := range wait {
			if err := d.release(w.posts, w.until); err != nil {
				f.fail(err)
			}
		}
	}
	wg.Wait()
	return f.handled, errors.Join(f.errs...)
}

// flight is one tick's sends in flight on one platform.
type flight struct {
	mu                sync.Mutex
	cond              *sync.Cond // signalled when a chat finishes or a send slot frees
	chats             map[string]*chatRun
	held              map[string]time.Time // chats that asked to wait, until when
	posts             int                  // claimed and not yet done
	sending           int                  // chats holding a send slot
	handled           int
	handledSinceCheck int
	errs              []error
}

// chatRun is one chat's claimed posts, sent in order by one goroutine.
type chatRun struct {
	posts []store.Post
	held  bool      // a post said the rest must wait
	until time.Time // until when (zero: no hold, as for a moved chat)
}

func (f *flight) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, err)
}

// runChat sends chat's posts in order, one at a time, taking more that
// the tick appends meanwhile, once it holds one of the InFlight send
// slots. When one of them finds the chat moved, refusing or paused, the
// rest go back to the queue untried: they are claimed again under the
// chat's new state.
func (d *Delivery) runChat(ctx context.Context, platform string, f *flight, chat string, r *chatRun) {
	f.mu.Lock()
	for ctx.Err() == nil && f.sending >= d.InFlight(platform) {
		f.cond.Wait()
	}
	f.sending++
	f.mu.Unlock()
	var current int // the posts taken from r.posts and not yet done
	finished := false
	defer func() {
		if finished {
			return
		}
		// The goroutine ended in the middle of a send (runtime.Goexit,
		// as a test's simulated crash does): let the tick end. The chat's
		// posts stay in sending, as after a crash, for the next start.
		f.mu.Lock()
		delete(f.chats, chat)
		f.posts -= current + len(r.posts)
		f.sending--
		f.cond.Broadcast()
		f.mu.Unlock()
	}()
	for {
		f.mu.Lock()
		if len(r.posts) == 0 {
			finished = true
			delete(f.chats, chat)
			if r.held && !r.until.IsZero() {
				// Posts of this chat claimed later in this tick wait too.
				// (Those of a chat that moved are claimed again at once.)
				f.held[chat] = r.until
			}
			f.sending--
			f.cond.Broadcast()
			f.mu.Unlock()
			return
		}
		held, until := r.held, r.until
		// One post to send, or, once none is to be sent, all the rest to
		// go back to the queue together.
		n := 1
		if held || ctx.Err() != nil {
			n = len(r.posts)
		}
		batch := r.posts[:n:n]
		r.posts = r.posts[n:]
		current = n
		f.mu.Unlock()

		var errs []error
		handled := 0
		switch {
		case held:
			errs = append(errs, d.release(batch, until))
		case ctx.Err() != nil:
			// Not started: back to the queue, untouched by this process.
			errs = append(errs, d.release(batch, time.Time{}))
		default:
			p := batch[0]
			handled = 1
			var calls time.Duration
			start := time.Now()
			h, err := d.deliver(context.WithValue(ctx, callTimeKey{}, &calls), p)
			d.overhead(platform).Observe(time.Since(start) - calls)
			if err != nil {
				// The outcome could not be recorded: put the post back so
				// it is not stuck in sending until the next start (if that
				// fails too, the next start requeues it).
				rerr := d.Store.Retry(context.WithoutCancel(ctx), p.ID, d.Now().Add(Backoff(p.Attempts, 0)), err, d.Now())
				errs = append(errs, err, rerr)
			}
			if h.stop {
				held, until = true, h.until
			}
		}
		f.mu.Lock()
		current = 0
		f.posts -= n
		f.handled += handled
		f.handledSinceCheck += handled
		if held {
			r.held, r.until = true, until
		}
		if err := errors.Join(errs...); err != nil {
			f.errs = append(f.errs, err)
		}
		f.cond.Broadcast()
		f.mu.Unlock()
	}
}

// hold says whether a chat's other claimed posts must wait: it moved,
// refused the bot, asked to wait, or is paused. until is when they may be
// tried again (zero: at once, as for a chat that moved).
type hold struct {
	stop  bool
	until time.Time
}

// release returns claimed posts that were not tried to the queue, held
// until notBefore (zero: no hold).
func (d *Delivery) release(posts []store.Post, notBefore time.Time) error {
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	return d.Store.Release(context.Background(), notBefore, ids...)
}

// deliver sends one claimed post and records the outcome, and says
// whether the chat's other claimed posts must wait. Its error is a store
// failure; a platform failure is handled and recorded.
func (d *Delivery) deliver(ctx context.Context, p store.Post) (hold, error) {
	// Recording the outcome must survive shutdown: a send that happened
	// must be marked sent, or it would be repeated.
	rec := context.WithoutCancel(ctx)
	log := d.Log.With("post", p.ID, "key", p.Key, "platform", p.Platform, "chat", p.Chat, "kind", p.Kind)
	ch, err := d.Store.Channel(rec, p.Platform, p.Chat)
	if errors.Is(err, store.ErrNotFound) {
		log.Warn("skipped: channel unknown")
		d.Metrics.count(postSkipped, p)
		return hold{}, d.Store.Skip(rec, p.ID, "channel unknown", d.Now())
	}
	if err != nil {
		return hold{}, err
	}
	if ch.Paused() {
		// Paused after these posts were claimed: they wait, untried.
		return hold{stop: true}, d.Store.Release(rec, time.Time{}, p.ID)
	}
	// Late is measured from when the post was last ready to go: its due
	// time, or its last retry's. A post held up by a platform's errors is
	// retried, not dropped; one that waited because vigil was down for
	// longer than catch_up is skipped.
	if late := d.Now().Sub(p.NextAt); d.CatchUp > 0 && late > d.CatchUp && !p.Kind.Immediate() {
		log.Warn("skipped: later than catch_up", "due", p.DueAt, "late", late.Round(time.Second), "catch_up", d.CatchUp)
		d.Metrics.count(postSkipped, p)
		return hold{}, d.Store.Skip(rec, p.ID, fmt.Sprintf("late by %s (catch_up %s)", late.Round(time.Second), d.CatchUp), d.Now())
	}
	if d.Check != nil {
		reason, err := d.Check(rec, &p)
		if err != nil {
			return hold{}, err
		}
		if reason != "" {
			log.Info("skipped: no longer due", "reason", reason)
			d.Metrics.count(postSkipped, p)
			return hold{}, d.Store.Skip(rec, p.ID, reason, d.Now())
		}
	}
	if p.Kind.AlertOp() {
		return d.operate(rec, log, p, ch)
	}
	if p.Kind == store.KindAlert {
		// Withdrawn after this copy was claimed: it is not sent.
		if a, err := d.Store.Alert(rec, p.AlertID); err == nil && !a.Retracted.IsZero() {
			log.Info("skipped: alert withdrawn")
			d.Metrics.count(postSkipped, p)
			return hold{}, d.Store.Skip(rec, p.ID, "alert withdrawn", d.Now())
		}
	}
	msg, err := d.Composer.Compose(rec, p, ch)
	if err != nil {
		log.Error("post cannot be built", "err", err)
		d.Metrics.count(postFailed, p)
		return hold{}, d.Store.Fail(rec, p.ID, err, d.Now())
	}
	// A post of several messages (a photo, then its text card) records
	// each part as it goes out: a retry, or the next start after a crash
	// between the parts, sends only the rest.
	msg.Resume = p.MessageID
	msg.Progress = func(part string) {
		if err := d.Store.NotePart(rec, p.ID, part); err != nil {
			log.Error("the delivered part could not be recorded; a crash now would send it again", "part", part, "err", err)
		}
	}
	var id string
	err = d.call(rec, p, func(ctx context.Context) (err error) {
		id, err = d.Platforms[p.Platform].Send(ctx, p.Chat, msg)
		return err
	})
	return d.outcome(rec, log, p, id, "", err)
}

// call runs one platform call for p under the send timeout, timing it.
func (d *Delivery) call(ctx context.Context, p store.Post, fn func(context.Context) error) error {
	timeout := d.SendTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	err := fn(callCtx)
	took := time.Since(start)
	d.Metrics.observeSend(p.Platform, took)
	if acc, ok := ctx.Value(callTimeKey{}).(*time.Duration); ok {
		*acc += took
	}
	return err
}

// callTimeKey is the context key under which runChat asks call to add up
// the time of a post's platform calls, so that the engine's own time
// around them (the store, composing) is known.
type callTimeKey struct{}

// overhead returns the moving average of the engine's own time per post
// on the platform, around its platform calls.
func (d *Delivery) overhead(platform string) *bot.RoundTrips {
	d.overheadMu.Lock()
	defer d.overheadMu.Unlock()
	if d.overheads == nil {
		d.overheads = map[string]*bot.RoundTrips{}
	}
	o := d.overheads[platform]
	if o == nil {
		o = &bot.RoundTrips{}
		d.overheads[platform] = o
	}
	return o
}

// operate carries out an operation on a delivered copy of an alert: a
// follow-up sent as a reply to it, an edit to the alert's current text,
// or its deletion (an edit saying the alert was withdrawn where the
// platform refuses to delete it). An operation on a copy still on its way
// waits for it; one on a copy that was never delivered is skipped.
func (d *Delivery) operate(rec context.Context, log *slog.Logger, p store.Post, ch store.Channel) (hold, error) {
	now := d.Now()
	a, err := d.Store.Alert(rec, p.AlertID)
	if errors.Is(err, store.ErrNotFound) {
		d.Metrics.count(postFailed, p)
		return hold{}, d.Store.Fail(rec, p.ID, err, now)
	}
	if err != nil {
		return hold{}, err
	}
	if p.Kind != store.KindAlertDelete && !a.Retracted.IsZero() {
		log.Info("skipped: alert withdrawn")
		d.Metrics.count(postSkipped, p)
		return hold{}, d.Store.Skip(rec, p.ID, "alert withdrawn", now)
	}
	target, err := d.Store.Post(rec, p.TargetID)
	if errors.Is(err, store.ErrNotFound) {
		d.Metrics.count(postSkipped, p)
		return hold{}, d.Store.Skip(rec, p.ID, "the copy is gone", now)
	}
	if err != nil {
		return hold{}, err
	}
	switch {
	case target.State == store.Queued || target.State == store.Sending:
		wait := min(Backoff(p.Attempts, 0), 30*time.Second)
		log.Info("waiting for the copy to be delivered", "copy", target.ID, "in", wait)
		return hold{}, d.Store.Retry(rec, p.ID, now.Add(wait), errors.New("waiting for the copy to be delivered"), now)
	case target.State != store.Sent || target.MessageID == "":
		log.Info("skipped: the copy was not delivered", "copy", target.ID, "state", target.State)
		d.Metrics.count(postSkipped, p)
		return hold{}, d.Store.Skip(rec, p.ID, "the copy was not delivered", now)
	}
	msg, err := d.Composer.Compose(rec, p, ch)
	if err != nil {
		log.Error("operation cannot be built", "err", err)
		d.Metrics.count(postFailed, p)
		return hold{}, d.Store.Fail(rec, p.ID, err, now)
	}
	platform := d.Platforms[p.Platform]
	editor, canEdit := platform.(bot.Editor)
	id, note := target.MessageID, ""
	switch p.Kind {
	case store.KindAlertFollowUp:
		msg.ReplyTo = target.MessageID
		err = d.call(rec, p, func(ctx context.Context) (err error) {
			id, err = platform.Send(ctx, p.Chat, msg)
			return err
		})
	case store.KindAlertEdit:
		if !canEdit {
			d.Metrics.count(postFailed, p)
			return hold{}, d.Store.Fail(rec, p.ID, fmt.Errorf("%s cannot edit messages", p.Platform), now)
		}
		err = d.call(rec, p, func(ctx context.Context) error { return editor.Edit(ctx, p.Chat, target.MessageID, msg) })
	case store.KindAlertDelete:
		deleter, ok := platform.(bot.Deleter)
		if !ok {
			d.Metrics.count(postFailed, p)
			return hold{}, d.Store.Fail(rec, p.ID, fmt.Errorf("%s cannot delete messages", p.Platform), now)
		}
		err = d.call(rec, p, func(ctx context.Context) error { return deleter.Delete(ctx, p.Chat, target.MessageID) })
		if errors.Is(err, bot.ErrCannotDelete) && canEdit {
			log.Info("the platform refuses the deletion; editing the copy to say it was withdrawn", "err", err)
			note = "not deleted (" + err.Error() + "): edited to say it was withdrawn"
			err = d.call(rec, p, func(ctx context.Context) error { return editor.Edit(ctx, p.Chat, target.MessageID, msg) })
		}
	}
	return d.outcome(rec, log, p, id, note, err)
}

// outcome records the result of p's platform call: done (with the
// message id it made or acted on, and a note), or the failure, classified.
func (d *Delivery) outcome(rec context.Context, log *slog.Logger, p store.Post, id, note string, err error) (hold, error) {
	now := d.Now()
	if errors.Is(err, bot.ErrRest) {
		// Part of it went out and is recorded; the rest goes at the
		// chat's next turn, and the chat's other posts after it.
		until := now.Add(bot.Classify(err).RetryAfter)
		log.Info("first part sent; the rest follows at the chat's next turn", "part", "recorded", "at", until)
		return hold{stop: true, until: until}, d.Store.Release(rec, until, p.ID)
	}
	if err == nil {
		log.Info("sent", "message", id, "attempt", p.Attempts)
		d.Metrics.count(postSent, p)
		// It went out: recording that must not fail lightly, or the post
		// would be sent again. Try a few times before giving up.
		for try := 0; ; try++ {
			err = d.Store.MarkDone(rec, p.ID, id, note, now)
			if err == nil || try == 4 {
				return hold{}, err
			}
			time.Sleep(250 * time.Millisecond << try)
		}
	}
	se := bot.Classify(err)
	switch se.Failure {
	case bot.ChannelGone:
		n, err := d.Store.RecordRefusal(rec, p.Platform, p.Chat)
		if err != nil {
			return hold{stop: true}, err
		}
		if n < d.PauseAfter {
			wait := Backoff(n, 0)
			log.Warn("the platform refuses the bot; will try again before pausing", "err", se, "refusals", n, "in", wait)
			d.Metrics.count(postRetried, p)
			return hold{stop: true, until: now.Add(wait)}, d.Store.Retry(rec, p.ID, now.Add(wait), se, now)
		}
		log.Warn("channel paused: the platform refuses the bot", "err", se, "refusals", n)
		d.Metrics.count(channelPaused, p)
		if err := d.Store.PauseChannel(rec, p.Platform, p.Chat, se.Err.Error(), now); err != nil {
			return hold{stop: true}, err
		}
		// The post stays queued: it goes out if an admin resumes the channel.
		return hold{stop: true}, d.Store.Retry(rec, p.ID, now, se, now)
	case bot.Rejected:
		log.Error("post rejected by the platform", "err", se)
		d.Metrics.count(postFailed, p)
		return hold{}, d.Store.Fail(rec, p.ID, se, now)
	case bot.Moved:
		log.Warn("chat moved", "to", se.NewChat)
		if err := d.Store.MoveChannel(rec, p.Platform, p.Chat, se.NewChat); err != nil {
			return hold{stop: true}, err
		}
		return hold{stop: true}, d.Store.Retry(rec, p.ID, now, se, now)
	}
	if se.RetryAfter > 0 {
		d.Metrics.count(sendRateLimited, p)
	}
	d.Metrics.count(postRetried, p)
	wait := Backoff(p.Attempts, se.RetryAfter)
	log.Warn("send failed; will retry", "err", se, "attempt", p.Attempts, "in", wait)
	// A chat that asked us to wait gets nothing more until then.
	h := hold{}
	if se.RetryAfter > 0 {
		h = hold{stop: true, until: now.Add(wait)}
	}
	return h, d.Store.Retry(rec, p.ID, now.Add(wait), se, now)
}

// Backoff returns the wait before retry number attempt (1-based): the
// platform's retry-after if it gave one, else exponential from 2 s, capped.
func Backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	wait := 2 * time.Second
	for i := 1; i < attempt && wait < maxBackoff; i++ {
		wait *= 2
	}
	return min(wait, maxBackoff)
}
