// Package discord is vigil's Discord adapter: a bot on discordgo, one
// gateway session per shard, that registers the chat commands as slash
// commands, answers interactions on the shard that received them
// (commands, autocomplete, pick-list buttons) through the shared
// bot.Handler, renders cards as embeds within every Discord limit, and
// delivers posts for the delivery engine, paced under Discord's global and
// per-channel rate limits and classified for it.
//
// It reaches Discord, or whatever discord.api_base names, through its own
// http.Client and never touches discordgo's package globals. It imports
// bot, bot/i18n, cases, config and discordgo; it must not import the
// scheduler, the store or another platform package (its tests wire them).
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/config"
)

// Name is the platform's name in channel references ("discord:1234").
const Name = "discord"

// DefaultAPIBase is Discord's own base URL, used when discord.api_base is
// empty.
const DefaultAPIBase = "https://discord.com"

// Client is the Discord platform. It runs one gateway session per shard
// (discord.shards) and sends every REST request, posts above all, through
// one session and one paced transport.
type Client struct {
	cfg     *config.Config
	h       *bot.Handler
	log     *slog.Logger
	s       *discordgo.Session // REST: sends, commands, the gateway lookup
	token   string
	tr      *transport
	guildID string

	deferAfter   time.Duration
	autocomplete time.Duration // how long autocomplete may search
	handleFor    time.Duration // bounds one command's handling
	spacing      time.Duration // between IDENTIFYs of one rate-limit key

	mu      sync.Mutex
	appID   string
	readyCh chan struct{} // closed at the first READY of any shard

	shardsMu sync.Mutex
	shards   []*shard // set once Run knows the count

	inflight sync.WaitGroup
}

var (
	_ bot.Platform       = (*Client)(nil)
	_ bot.HealthReporter = (*Client)(nil)
	_ bot.Paced          = (*Client)(nil)
)

// SendRate returns Discord's global limit, requests a second, under
// which the client paces its sends (bot.Paced).
func (c *Client) SendRate() float64 { return globalLimit }

// RoundTrip returns the recent average time of one REST call (bot.Paced).
func (c *Client) RoundTrip() time.Duration { return c.tr.rtt.Average() }

// Option changes a Client's defaults.
type Option func(*Client)

// WithDeferAfter sets how long a command may take before its response is
// deferred (type 5, then an edit of the original response); zero or less
// defers every command. The default, one second, leaves room within
// Discord's three-second window.
func WithDeferAfter(d time.Duration) Option { return func(c *Client) { c.deferAfter = d } }

// WithShare makes the client keep to its share of Discord's global
// limit, which is per bot token: 1/n of it while n processes share the
// token (bot.Share).
func WithShare(sh *bot.Share) Option { return func(c *Client) { c.tr.global.SetShare(sh) } }

// WithTransport sets the http.RoundTripper under the client's pacing and
// api_base rewriting (default http.DefaultTransport).
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) { c.tr.base = rt }
}

// New returns a Discord client for cfg.Discord (token, api_base,
// guild_id, shards) answering commands with h. It does not connect: Run
// does.
func New(cfg *config.Config, h *bot.Handler, log *slog.Logger, opts ...Option) (*Client, error) {
	token := strings.TrimSpace(cfg.Discord.Token)
	if token == "" {
		return nil, errors.New("discord: discord.token is empty")
	}
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	base := cfg.Discord.APIBase
	if base == "" {
		base = DefaultAPIBase
	}
	target, err := url.Parse(base)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("discord: discord.api_base: %q is not an http(s) base URL", base)
	}
	c := &Client{cfg: cfg, h: h, log: log.With("platform", Name), token: token, guildID: cfg.Discord.GuildID,
		deferAfter: time.Second, autocomplete: 2 * time.Second, handleFor: 30 * time.Second, spacing: identifySpacing,
		readyCh: make(chan struct{})}
	c.tr = newTransport(http.DefaultTransport, target, globalLimit)
	for _, o := range opts {
		o(c)
	}
	c.s, err = newSession(token, &http.Client{Transport: c.tr, Timeout: 20 * time.Second})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Name returns "discord".
func (c *Client) Name() string { return Name }

// Run connects the gateway shards (discord.shards, or as many as Discord
// recommends), registers the slash commands and answers interactions
// until ctx is done; each shard reconnects (resuming its session) when its
// connection drops. A refused token ends it with an error; a shard
// Discord refuses (sharding required, invalid shard) stops, reported by
// Healthy and the log, while the others go on.
func (c *Client) Run(ctx context.Context) error {
	me, err := c.checkToken(ctx)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	count, concurrency, ok := c.shardPlan(ctx)
	if !ok {
		return nil
	}
	// Build the case index now, not in a user's three-second window.
	if _, err := c.h.Library.Complete(ctx, "", 1); err != nil {
		c.log.Warn("case index not warmed", "err", err)
	}
	c.log.Info("connecting", "bot", me, "shards", count, "max_concurrency", concurrency, "shards_config", c.cfg.Discord.Shards.String())
	registered := false
	// One gate for every generation of shards: a restart with more
	// shards still spaces its IDENTIFYs from the last ones.
	gate := newIdentifyGate(concurrency, c.spacing)
	for {
		shards, err := c.newShards(context.WithoutCancel(ctx), count)
		if err != nil {
			return err
		}
		next, err := c.runShards(ctx, shards, gate, &registered)
		c.stop(shards)
		if err != nil || next == 0 || ctx.Err() != nil {
			return err
		}
		c.log.Warn("Discord asks for more shards; reconnecting the gateway with them", "shards", next, "were", count)
		count = next
	}
}

// newShards makes count gateway sessions, each answering the interactions
// it receives under handlerCtx, and makes them the client's shards.
func (c *Client) newShards(handlerCtx context.Context, count int) ([]*shard, error) {
	shards := make([]*shard, count)
	for i := range shards {
		sh := &shard{id: i, count: count, lost: make(chan struct{}, 1)}
		var err error
		sh.s, err = newSession(c.token, &http.Client{Transport: countCallbacks{next: c.tr, n: &sh.answered}, Timeout: 20 * time.Second})
		if err != nil {
			return nil, err
		}
		sh.s.ShardID, sh.s.ShardCount = i, count
		sh.s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { c.onReady(sh, r) })
		sh.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			sh.connected.Store(false)
			select {
			case sh.lost <- struct{}{}:
			default:
			}
		})
		sh.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			sh.connected.Store(true)
			c.log.Info("gateway session resumed", "shard", sh.id)
		})
		sh.s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			sh.received.Add(1)
			c.onInteraction(handlerCtx, s, ic.Interaction)
		})
		shards[i] = sh
	}
	c.shardsMu.Lock()
	c.shards = shards
	c.shardsMu.Unlock()
	return shards, nil
}

// runShards keeps the shards connected until ctx is done, registering
// the commands at the first READY unless *registered says that is done.
// With discord.shards auto, a shard closed with 4011 makes it ask Discord
// again: if Discord now recommends more shards, it stops these and
// returns that count to start again with; otherwise the refused shard
// stays down, reported, and the others go on.
func (c *Client) runShards(ctx context.Context, shards []*shard, gate *identifyGate, registered *bool) (next int, err error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(shards))
	for _, sh := range shards {
		go func() { errs <- c.runShard(runCtx, sh, gate) }()
	}
	var first error
	for running := len(shards); running > 0; {
		var ready <-chan struct{}
		if !*registered && first == nil {
			ready = c.readyCh
		}
		select {
		case <-ready:
			*registered = true
			if err := c.register(runCtx); err != nil {
				first = err
				cancel()
			}
		case err := <-errs:
			running--
			var refused *refusedError
			switch {
			case errors.As(err, &refused):
				if refused.code != 4011 || c.cfg.Discord.Shards != config.ShardsAuto || next > 0 || first != nil {
					continue
				}
				if n, _, ok := c.shardPlan(runCtx); ok && n > len(shards) {
					next = n
					cancel()
				} else if ok {
					c.log.Error("Discord requires sharding but recommends no more shards than run now", "shards", len(shards), "recommended", n)
				}
			case err != nil && first == nil:
				first = err
				cancel()
			}
		}
	}
	if first != nil {
		return 0, first
	}
	return next, nil
}

// stop closes the shards' gateway connections, at once (discordgo's
// Close waits a second for each), and waits, for a while, for the
// interactions being answered.
func (c *Client) stop(shards []*shard) {
	var wg sync.WaitGroup
	for _, sh := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh.connected.Store(false)
			if err := sh.s.Close(); err != nil {
				c.log.Warn("closing the gateway connection", "shard", sh.id, "err", redact(err))
			}
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { c.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.log.Warn("stopped with interactions still being answered")
	}
	c.log.Info("disconnected")
}

// checkToken asks for the bot's own user, so that a wrong token stops the
// daemon with a clear error instead of a reconnect loop.
func (c *Client) checkToken(ctx context.Context) (string, error) {
	backoff := time.Second
	for {
		u, err := c.s.User("@me", discordgo.WithContext(ctx))
		if err == nil {
			return u.Username + " (" + u.ID + ")", nil
		}
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
			return "", errors.New("discord: the token was refused (401): check discord.token or VIGIL_DISCORD_TOKEN")
		}
		if ctx.Err() != nil {
			return "", nil
		}
		c.log.Warn("discord unreachable; retrying", "err", redact(err), "in", backoff)
		if bot.Sleep(ctx, backoff) != nil {
			return "", nil
		}
		backoff = min(2*backoff, 2*time.Minute)
	}
}

func (c *Client) onReady(sh *shard, r *discordgo.Ready) {
	sh.connected.Store(true)
	sh.ready.Store(true)
	sh.mu.Lock()
	sh.lastErr = nil
	sh.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Application != nil && r.Application.ID != "" {
		c.appID = r.Application.ID
	} else if r.User != nil && c.appID == "" {
		c.appID = r.User.ID
	}
	select {
	case <-c.readyCh:
		c.log.Info("gateway session started", "shard", sh.id, "shards", sh.count, "guilds", len(r.Guilds))
	default:
		close(c.readyCh)
		c.log.Info("gateway ready", "application", c.appID, "shard", sh.id, "shards", sh.count, "guilds", len(r.Guilds))
	}
}

func (c *Client) applicationID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.appID
}

// register overwrites the application's commands, in the configured guild
// (at once) or globally. A refusal (4xx) is a bug or a wrong guild id and
// stops Run; other failures are logged, and the commands registered before
// go on working.
func (c *Client) register(ctx context.Context) error {
	cmds := commands()
	_, err := c.s.ApplicationCommandBulkOverwrite(c.applicationID(), c.guildID, cmds, discordgo.WithContext(ctx))
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
			return fmt.Errorf("discord: registering commands (guild %q): %w", c.guildID, redact(err))
		}
		c.log.Error("commands not registered", "err", redact(err))
		return nil
	}
	scope := "global"
	if c.guildID != "" {
		scope = "guild " + c.guildID
	}
	c.log.Info("commands registered", "count", len(cmds), "scope", scope)
	return nil
}

// fatalGateway reports whether the gateway closed the connection for a
// reason of the bot's that reconnecting cannot fix: authentication failed
// (4004), an API version it refuses (4012), invalid or disallowed intents
// (4013, 4014). A refusal of one shard (4010, 4011) stops that shard
// alone (runShard).
func fatalGateway(err error) bool {
	code, _ := closeCode(err)
	switch code {
	case 4004, 4012, 4013, 4014:
		return true
	}
	return false
}

// redact returns err with interaction and webhook tokens removed from any
// URL it quotes. The bot token never appears in a URL.
func redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		u := ue.URL
		var sent *sentToError
		if errors.As(ue.Err, &sent) {
			u = sent.url // where it went: api_base, not discord.com
		}
		return &url.Error{Op: ue.Op, URL: redactURL(u), Err: ue.Err}
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		// Only the route: the URL discordgo quotes is on discord.com
		// whatever api_base the request went to.
		route := rl.URL
		if u, err := url.Parse(rl.URL); err == nil && u.Path != "" {
			route = u.Path
		}
		return fmt.Errorf("rate limited on %s, retry after %s", redactURL(route), rl.RetryAfter)
	}
	return err
}

// redactURL replaces the token in /interactions/{id}/{token}/… and
// /webhooks/{id}/{token}… paths.
func redactURL(u string) string {
	parts := strings.Split(u, "/")
	for i, p := range parts {
		if (p == "interactions" || p == "webhooks") && i+2 < len(parts) {
			tok := parts[i+2]
			rest := ""
			if j := strings.IndexAny(tok, "?#"); j >= 0 {
				tok, rest = tok[:j], tok[j:]
			}
			if tok != "" {
				parts[i+2] = "REDACTED" + rest
			}
		}
	}
	return strings.Join(parts, "/")
}
