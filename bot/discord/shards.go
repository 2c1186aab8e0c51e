package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/config"
)

// identifySpacing is how long Discord wants between two IDENTIFYs of the
// same rate-limit key (shard_id % max_concurrency).
const identifySpacing = 5 * time.Second

// WithIdentifySpacing sets the wait between two IDENTIFYs of the same
// rate-limit key (default 5 s, Discord's), for tests against the fake.
func WithIdentifySpacing(d time.Duration) Option { return func(c *Client) { c.spacing = d } }

// shard is one gateway session: discordgo's Session with ShardID and
// ShardCount set, and what /healthz says of it. REST sends do not use
// it; the interactions it receives are answered through it.
type shard struct {
	id, count int
	s         *discordgo.Session
	lost      chan struct{} // signalled when the connection is lost

	connected atomic.Bool
	ready     atomic.Bool  // a READY came: reconnecting resumes
	received  atomic.Int64 // interactions received
	answered  atomic.Int64 // interaction callbacks sent through its session

	mu      sync.Mutex
	refused error // a refusal reconnecting cannot fix (4010, 4011)
	lastErr error // the last failed connection attempt
}

// ShardStatus is what the client knows of one gateway shard.
type ShardStatus struct {
	ID, Count int
	Connected bool
	// Received is how many interactions the shard received, Answered
	// how many interaction callbacks went out through its session.
	Received, Answered int64
	// Err is why the shard is not connected: a refusal it does not
	// retry (Sharding required, Invalid shard) or the last failed attempt.
	Err error
}

// Shards returns the state of each gateway shard, in shard order; none
// before Run has learnt the count.
func (c *Client) Shards() []ShardStatus {
	c.shardsMu.Lock()
	shards := c.shards
	c.shardsMu.Unlock()
	out := make([]ShardStatus, len(shards))
	for i, sh := range shards {
		sh.mu.Lock()
		err := sh.refused
		if err == nil {
			err = sh.lastErr
		}
		sh.mu.Unlock()
		out[i] = ShardStatus{ID: sh.id, Count: sh.count, Connected: sh.connected.Load(),
			Received: sh.received.Load(), Answered: sh.answered.Load(), Err: err}
	}
	return out
}

// Healthy returns nil while every gateway shard is connected, else one
// line for each shard that is not, naming it and why.
func (c *Client) Healthy() error {
	shards := c.Shards()
	if len(shards) == 0 {
		return fmt.Errorf("gateway not connected (connecting through %s)", c.tr.target.Host)
	}
	var errs []error
	for _, sh := range shards {
		if sh.Connected {
			continue
		}
		why := "connecting through " + c.tr.target.Host
		if sh.Err != nil {
			why = redact(sh.Err).Error()
		}
		errs = append(errs, fmt.Errorf("gateway shard %d of %d not connected: %s", sh.ID, sh.Count, why))
	}
	return errors.Join(errs...)
}

// newSession returns a discordgo session configured as vigil wants it,
// reaching Discord through client.
func newSession(token string, client *http.Client) (*discordgo.Session, error) {
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Client = client
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second}
	// Only the guilds intent: interactions need no privileged one.
	s.Identify.Intents = discordgo.IntentsGuilds
	// discordgo's own reconnect loop cannot be stopped; Run reconnects.
	s.ShouldReconnectOnError = false
	s.ShouldReconnectVoiceOnSessionError = false
	// discordgo retries 429s forever: Send reports them to the delivery
	// engine instead, and the transport paces ahead of them.
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	// discordgo logs through the standard logger, at debug level with the
	// identify payload (the token): keep it silent; Run logs with slog.
	s.LogLevel = -1
	s.StateEnabled = false
	return s, nil
}

// countCallbacks counts the interaction callbacks sent through one
// shard's session, on the transport all sessions share.
type countCallbacks struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (t countCallbacks) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "/interactions/") {
		t.n.Add(1)
	}
	return t.next.RoundTrip(req)
}

// shardPlan returns how many shards to run and Discord's
// session_start_limit.max_concurrency: the configured count, or with
// discord.shards auto the count GET /gateway/bot recommends. It retries
// while Discord cannot be reached; with a configured count it falls back
// to a max_concurrency of 1 when /gateway/bot fails. ok is false when
// ctx ended first.
func (c *Client) shardPlan(ctx context.Context) (count, concurrency int, ok bool) {
	fixed := int(c.cfg.Discord.Shards)
	backoff := time.Second
	for {
		gb, err := c.s.GatewayBot(discordgo.WithContext(ctx))
		if err == nil {
			count = fixed
			if count == int(config.ShardsAuto) {
				count = max(gb.Shards, 1)
			}
			concurrency = max(gb.SessionStartLimit.MaxConcurrency, 1)
			if left := gb.SessionStartLimit.Remaining; gb.SessionStartLimit.Total > 0 && left < count {
				c.log.Warn("Discord allows fewer session starts today than there are shards", "remaining", left, "shards", count,
					"reset_after", time.Duration(gb.SessionStartLimit.ResetAfter)*time.Millisecond)
			}
			return count, concurrency, true
		}
		if ctx.Err() != nil {
			return 0, 0, false
		}
		if fixed != int(config.ShardsAuto) {
			c.log.Warn("GET /gateway/bot failed; identifying one shard at a time", "err", redact(err))
			return fixed, 1, true
		}
		c.log.Warn("GET /gateway/bot failed; retrying to learn the shard count", "err", redact(err), "in", backoff)
		if bot.Sleep(ctx, backoff) != nil {
			return 0, 0, false
		}
		backoff = min(2*backoff, 2*time.Minute)
	}
}

// identifyGate spaces the shards' connections as Discord requires: one
// IDENTIFY per rate-limit key (shard_id % max_concurrency) every spacing,
// so max_concurrency shards start together and the next ones after the
// spacing. A connection holds its key until its handshake is over, and
// the spacing counts from then: a slow dial cannot bring two IDENTIFYs
// closer than the spacing.
type identifyGate struct {
	concurrency int
	spacing     time.Duration

	mu   sync.Mutex
	next map[int]time.Time // key → when it may identify again
	busy map[int]chan struct{}
}

func newIdentifyGate(concurrency int, spacing time.Duration) *identifyGate {
	return &identifyGate{concurrency: max(concurrency, 1), spacing: spacing,
		next: map[int]time.Time{}, busy: map[int]chan struct{}{}}
}

// wait blocks until shard may connect, and returns the function to call
// when its handshake is over; it returns ctx's error if ctx ends first.
func (g *identifyGate) wait(ctx context.Context, shard int) (func(), error) {
	key := shard % g.concurrency
	for {
		g.mu.Lock()
		if ch := g.busy[key]; ch != nil {
			g.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		at := g.next[key]
		ch := make(chan struct{})
		g.busy[key] = ch
		g.mu.Unlock()
		if err := bot.Sleep(ctx, time.Until(at)); err != nil {
			g.done(key, ch)
			return nil, err
		}
		return func() { g.done(key, ch) }, nil
	}
}

func (g *identifyGate) done(key int, ch chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next[key] = time.Now().Add(g.spacing)
	delete(g.busy, key)
	close(ch)
}

// closeCode returns the gateway's close code in err, if it is one.
func closeCode(err error) (int, bool) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	return 0, false
}

// shardingError says what a 4010 or 4011 close means for the operator.
func shardingError(code int, err error) error {
	if code == 4011 {
		return fmt.Errorf("sharding required: the shard holds more guilds than Discord allows one shard (2,500); "+
			"set discord.shards to auto or a larger number and restart: %w", err)
	}
	return fmt.Errorf("invalid shard: Discord refused the shard's id or count; check discord.shards: %w", err)
}

// refusedError is a shard Discord refused (4010, 4011); Run goes on
// without it.
type refusedError struct {
	code int
	err  error
}

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// runShard keeps one shard connected until ctx is done, reconnecting
// (resuming its session) when the connection drops. A refusal of the
// shard itself (4010, 4011) stops it, reported in its health, without
// retrying, and is returned as a *refusedError; one of the bot (a refused
// token, intents) is returned too, and ends Run.
func (c *Client) runShard(ctx context.Context, sh *shard, gate *identifyGate) error {
	log := c.log.With("shard", sh.id, "shards", sh.count)
	backoff := time.Second
	for {
		// Only an IDENTIFY waits for its turn: once the shard has had
		// its READY, discordgo reconnects with a RESUME, which Discord
		// does not limit (and an interaction waiting on it has 3 s).
		done := func() {}
		if !sh.ready.Load() {
			var err error
			if done, err = gate.wait(ctx, sh.id); err != nil {
				return nil
			}
		}
		err := sh.s.Open()
		done()
		if err != nil && !errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			if code, ok := closeCode(err); ok && (code == 4010 || code == 4011) {
				err = shardingError(code, err)
				sh.mu.Lock()
				sh.refused = err
				sh.mu.Unlock()
				log.Error("gateway shard refused; not retrying", "err", err)
				return &refusedError{code: code, err: err}
			}
			if fatalGateway(err) {
				return fmt.Errorf("discord: gateway refused the bot: %w", err)
			}
			sh.mu.Lock()
			sh.lastErr = err
			sh.mu.Unlock()
			log.Warn("gateway connection failed; retrying", "err", redact(err), "in", backoff)
			if bot.Sleep(ctx, backoff) != nil {
				return nil
			}
			backoff = min(2*backoff, 2*time.Minute)
			continue
		}
		backoff = time.Second
		select {
		case <-ctx.Done():
			return nil
		case <-sh.lost:
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("gateway connection lost; reconnecting")
		}
	}
}
