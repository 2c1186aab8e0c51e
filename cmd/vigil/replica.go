package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/store"
)

// The leader's lease on a database shared by several serve processes
// (PostgreSQL): it holds for leaseTTL, the leader renews it every
// leaseRenew, and a replica that finds it run out takes it. A leader that
// dies is so replaced within leaseTTL + leaseRenew (13 s); the claims of
// its sends in flight run out as fast and the new leader requeues them.
var (
	leaseTTL   = 10 * time.Second
	leaseRenew = 3 * time.Second
)

// leaderLease is the name of the leader's row in the leases table.
const leaderLease = "leader"

// replica is one serve process among several on one PostgreSQL
// database. Every replica delivers; the leader alone also runs the
// leader's parts (planning, the case watcher, polling Telegram, the
// Discord gateway). It beats every leaseRenew, so that the replicas
// share the platforms' rate ceilings (share), and keeps its claims on
// the posts it sends alive.
type replica struct {
	st    *store.Store
	id    string
	log   *slog.Logger
	share *bot.Share
	now   func() time.Time
	ttl   time.Duration
	every time.Duration

	leader atomic.Bool
	// joined is closed once every other live replica has seen this one's
	// heartbeat and shares the rate limits with it: at the first round
	// when it is alone, else one round later.
	joined   chan struct{}
	joinedAt int // rounds until joined; -1 once closed
}

// newReplica returns a replica of st with a fresh id (host, pid and a
// random part: unique per start), and makes st claim posts as it.
func newReplica(st *store.Store, log *slog.Logger) *replica {
	host, _ := os.Hostname()
	if host == "" {
		host = "vigil"
	}
	var b [3]byte
	rand.Read(b[:])
	r := &replica{st: st, id: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		share: &bot.Share{}, now: time.Now, ttl: leaseTTL, every: leaseRenew, joined: make(chan struct{})}
	r.log = log.With("replica", r.id)
	st.SetReplica(r.id, r.ttl)
	return r
}

// role returns "leader" or "follower".
func (r *replica) role() string {
	if r.leader.Load() {
		return "leader"
	}
	return "follower"
}

// run beats, renews its claims and tries for the lease every r.every
// until ctx ends. While it holds the lease it runs lead, with a context
// cancelled as soon as a renewal fails or is late: a leader steps down
// before its lease can run out, so two leaders never overlap (clocks
// agreeing). It returns lead's error, which ends serve; nil when ctx ends.
// On its way out it gives the lease up, so that another replica takes
// over at once.
func (r *replica) run(ctx context.Context, lead func(context.Context) error) error {
	var (
		cancelLead context.CancelFunc
		leadDone   chan error
		renewed    time.Time // the last successful renewal, as leader
	)
	stepDown := func(why string) error {
		if cancelLead == nil {
			return nil
		}
		r.log.Warn("stepping down as leader", "why", why)
		cancelLead()
		err := <-leadDone
		cancelLead, leadDone = nil, nil
		r.leader.Store(false)
		return err
	}
	defer func() {
		stepDown("stopping")
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := r.st.DropLease(bg, leaderLease, r.id); err != nil {
			r.log.Warn("the lease could not be given up; another replica takes over when it runs out", "err", err)
		}
		r.st.Leave(bg, r.id)
	}()
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		held, err := r.tick(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && cancelLead != nil && r.now().Sub(renewed) < r.ttl-2*r.every:
			// One failed renewal: the lease still holds long enough for
			// the next try.
			r.log.Warn("renewing the lease failed; trying again", "err", err)
		case err != nil || !held:
			if cancelLead != nil {
				why := "the lease was taken over"
				if err != nil {
					why = err.Error()
				}
				if lerr := stepDown(why); lerr != nil {
					return lerr
				}
			} else if err != nil {
				r.log.Warn("replica heartbeat failed", "err", err)
			}
		case cancelLead == nil:
			renewed = r.now()
			r.leader.Store(true)
			r.log.Info("leading: planning, watching case files and holding the platform connections")
			lctx, cancel := context.WithCancel(ctx)
			cancelLead, leadDone = cancel, make(chan error, 1)
			go func(done chan<- error) { done <- lead(lctx) }(leadDone)
		default:
			renewed = r.now()
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-leadDone:
			// The leader's parts ended by themselves: an error (a refused
			// token) ends serve, as it does for a single serve.
			cancelLead()
			cancelLead, leadDone = nil, nil
			r.leader.Store(false)
			if err != nil {
				return err
			}
		case <-t.C:
		}
	}
}

// tick is one round: beat, share the ceilings among the live replicas,
// renew this replica's claims, requeue (as leader) the claims that ran
// out, and take or renew the lease. Each call is bounded by r.every.
func (r *replica) tick(ctx context.Context) (held bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, r.every)
	defer cancel()
	now := r.now()
	if err := r.st.Beat(cctx, r.id, now); err != nil {
		return false, err
	}
	if n, err := r.st.LiveReplicas(cctx, now, now.Add(-r.ttl)); err == nil {
		if n != r.share.Of() {
			r.log.Info("sharing the platforms' rate limits", "replicas", n)
		}
		r.share.Set(n)
		switch {
		case r.joinedAt < 0:
		case n <= 1 || r.joinedAt == 1:
			close(r.joined)
			r.joinedAt = -1
		default:
			r.joinedAt = 1
		}
	}
	if _, err := r.st.RenewClaims(cctx, now); err != nil {
		return false, err
	}
	held, err = r.st.TakeLease(cctx, leaderLease, r.id, now, r.ttl)
	if err != nil || !held {
		return false, err
	}
	if n, err := r.st.RequeueExpired(cctx, now); err != nil {
		r.log.Warn("requeueing sends of a replica that stopped", "err", err)
	} else if n > 0 {
		r.log.Warn("requeued sends of a replica that stopped mid-send", "posts", n)
	}
	return true, nil
}

// deliver runs d once this replica has joined (every other replica
// shares the rate limits with it), so that a replica starting beside
// busy ones does not send over their shares.
func (r *replica) deliver(d func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		select {
		case <-r.joined:
		case <-ctx.Done():
			return nil
		}
		return d(ctx)
	}
}

// leaderOnly passes requests to h on the leader; a follower answers 503,
// so that Telegram delivers the update again (to the leader, once the
// load balancer or the webhook's address leads there).
func (r *replica) leaderOnly(h http.Handler) http.Handler {
	if r == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !r.leader.Load() {
			http.Error(w, "this vigil replica is a follower; updates go to the leader", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, req)
	})
}

// group runs functions until the first fails or ctx ends, then cancels
// the rest and returns the first error.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(ctx)
	return g
}

func (g *group) run(name string, fn func(context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(g.ctx); err != nil {
			g.once.Do(func() { g.err = fmt.Errorf("%s: %w", name, err) })
			g.cancel()
		}
	}()
}

func (g *group) wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
