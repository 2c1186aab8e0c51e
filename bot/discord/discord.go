// Package discord is vigil's Discord adapter: a bot on discordgo that
// registers the chat commands as slash commands, answers interactions
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
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/config"
)

// Name is the platform's name in channel references ("discord:1234").
const Name = "discord"

// DefaultAPIBase is Discord's own base URL, used when discord.api_base is
// empty.
const DefaultAPIBase = "https://discord.com"

// Client is the Discord platform.
type Client struct {
	cfg     *config.Config
	h       *bot.Handler
	log     *slog.Logger
	s       *discordgo.Session
	tr      *transport
	guildID string

	deferAfter   time.Duration
	autocomplete time.Duration // how long autocomplete may search
	handleFor    time.Duration // bounds one command's handling

	mu      sync.Mutex
	appID   string
	readyCh chan struct{} // closed at the first READY
	lost    chan struct{} // signalled when the gateway connection is lost

	inflight sync.WaitGroup

	// connected is true while the gateway session is up (READY or
	// RESUMED seen, no disconnect since), for /healthz.
	connected atomic.Bool
}

var (
	_ bot.Platform       = (*Client)(nil)
	_ bot.HealthReporter = (*Client)(nil)
)

// Healthy returns nil while the gateway session is up, else why not,
// naming the api_base it connects through.
func (c *Client) Healthy() error {
	if !c.connected.Load() {
		return fmt.Errorf("gateway not connected (connecting through %s)", c.tr.target.Host)
	}
	return nil
}

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
func WithShare(sh *bot.Share) Option { return func(c *Client) { c.tr.global.share = sh } }

// WithTransport sets the http.RoundTripper under the client's pacing and
// api_base rewriting (default http.DefaultTransport).
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) { c.tr.base = rt }
}

// New returns a Discord client for cfg.Discord (token, api_base,
// guild_id) answering commands with h. It does not connect: Run does.
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
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	c := &Client{cfg: cfg, h: h, log: log.With("platform", Name), s: s, guildID: cfg.Discord.GuildID,
		deferAfter: time.Second, autocomplete: 2 * time.Second, handleFor: 30 * time.Second,
		readyCh: make(chan struct{}), lost: make(chan struct{}, 1)}
	c.tr = newTransport(http.DefaultTransport, target, globalLimit)
	for _, o := range opts {
		o(c)
	}
	s.Client = &http.Client{Transport: c.tr, Timeout: 20 * time.Second}
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
	return c, nil
}

// Name returns "discord".
func (c *Client) Name() string { return Name }

// Run connects to the gateway, registers the slash commands and answers
// interactions until ctx is done; it reconnects (resuming the session)
// when the connection drops. A refused token ends it with an error.
func (c *Client) Run(ctx context.Context) error {
	me, err := c.checkToken(ctx)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	// Build the case index now, not in a user's three-second window.
	if _, err := c.h.Library.Complete(ctx, "", 1); err != nil {
		c.log.Warn("case index not warmed", "err", err)
	}
	handlerCtx := context.WithoutCancel(ctx)
	removers := []func(){
		c.s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { c.onReady(r) }),
		c.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			c.connected.Store(false)
			select {
			case c.lost <- struct{}{}:
			default:
			}
		}),
		c.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			c.connected.Store(true)
			c.log.Info("gateway session resumed")
		}),
		c.s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
			c.onInteraction(handlerCtx, ic.Interaction)
		}),
	}
	defer func() {
		for _, r := range removers {
			r()
		}
	}()
	c.log.Info("connecting", "bot", me)

	registered := false
	backoff := time.Second
	for {
		err := c.s.Open()
		if err != nil && !errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			if fatalGateway(err) {
				return fmt.Errorf("discord: gateway refused the bot: %w", err)
			}
			c.log.Warn("gateway connection failed; retrying", "err", redact(err), "in", backoff)
			if bot.Sleep(ctx, backoff) != nil {
				return nil
			}
			backoff = min(2*backoff, 2*time.Minute)
			continue
		}
		backoff = time.Second
		if !registered {
			select {
			case <-c.readyCh:
			case <-ctx.Done():
				c.stop()
				return nil
			}
			if err := c.register(ctx); err != nil {
				c.stop()
				return err
			}
			registered = true
		}
		select {
		case <-ctx.Done():
			c.stop()
			return nil
		case <-c.lost:
			if ctx.Err() != nil {
				c.stop()
				return nil
			}
			c.log.Warn("gateway connection lost; reconnecting")
		}
	}
}

// stop closes the gateway connection and waits, for a while, for the
// interactions being answered.
func (c *Client) stop() {
	c.connected.Store(false)
	if err := c.s.Close(); err != nil {
		c.log.Warn("closing the gateway connection", "err", redact(err))
	}
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

func (c *Client) onReady(r *discordgo.Ready) {
	c.connected.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Application != nil && r.Application.ID != "" {
		c.appID = r.Application.ID
	} else if r.User != nil && c.appID == "" {
		c.appID = r.User.ID
	}
	select {
	case <-c.readyCh:
		c.log.Info("gateway session started again")
	default:
		close(c.readyCh)
		c.log.Info("gateway ready", "application", c.appID)
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
// reason that reconnecting cannot fix: authentication failed (4004),
// invalid or disallowed intents (4013, 4014).
func fatalGateway(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
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
