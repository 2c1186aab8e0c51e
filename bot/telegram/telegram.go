// Package telegram is vigil's Telegram adapter, built on
// go-telegram-bot-api v5: it long-polls the Bot API for commands (in
// private chats, groups, supergroups and channels) and answers them
// through the shared bot.Handler, renders cards as Telegram HTML within
// Telegram's limits, and delivers posts for the delivery engine at a pace
// Telegram accepts, classifying its refusals.
//
// It imports bot, bot/i18n, cases and config; it must not import the
// scheduler, the store or another platform. Its fake Bot API for tests is
// the telegramtest sub-package.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// Name is the platform's name in channel references ("telegram:-100123").
const Name = "telegram"

const (
	// pollTimeout is the long poll's timeout: Telegram holds getUpdates
	// open this long when there is nothing to deliver.
	pollTimeout = 50 * time.Second
	// requestTimeout bounds every other call.
	requestTimeout = 30 * time.Second
	// maxPollBackoff caps the wait between failed polls.
	maxPollBackoff = time.Minute
)

// Client is the Telegram platform: a bot.Platform.
type Client struct {
	bot     *tgbotapi.BotAPI
	http    *http.Client
	token   string
	handler *bot.Handler
	log     *slog.Logger
	pacer   *pacer
	rtt     bot.RoundTrips // Bot API calls' round trips, for bot.Paced
	poll    time.Duration
	files   fileIDs // uploaded pictures' file_ids

	wg sync.WaitGroup // update handlers in flight

	mu          sync.Mutex
	queues      map[int64][]tgbotapi.Update // per-chat update queues being drained
	recent      map[int]bool                // update ids seen by the webhook
	recentOrder []int

	healthMu sync.Mutex
	running  bool  // receiving updates
	failures int   // failed polls (or setWebhook calls) in a row
	lastErr  error // the last of them

	webhookURL string
	secret     string
	hookMu     sync.RWMutex
	hookCtx    context.Context // Run's context while it serves the webhook
}

var (
	_ bot.Platform       = (*Client)(nil)
	_ bot.HealthReporter = (*Client)(nil)
	_ bot.Paced          = (*Client)(nil)
)

// unhealthyAfter is how many failed polls in a row make the client
// report itself unhealthy: one failure is a blip, three a problem.
const unhealthyAfter = 3

// Healthy returns nil while the client receives updates, else why not:
// Run not started or stopped, or polling failing again and again.
func (c *Client) Healthy() error {
	c.healthMu.Lock()
	defer c.healthMu.Unlock()
	switch {
	case c.failures >= unhealthyAfter:
		return fmt.Errorf("telegram: %d failed attempts to receive updates in a row, the last: %v", c.failures, c.lastErr)
	case !c.running:
		return errors.New("telegram: not receiving updates")
	}
	return nil
}

// setHealth records the outcome of an attempt to receive updates.
func (c *Client) setHealth(running bool, err error) {
	c.healthMu.Lock()
	defer c.healthMu.Unlock()
	c.running = running
	if err != nil {
		c.failures++
		c.lastErr = err
	} else {
		c.failures, c.lastErr = 0, nil
	}
}

// Option changes how New builds a Client.
type Option func(*options)

type options struct {
	http *http.Client
	pace Pace
	poll time.Duration
	ctx  context.Context
	// share is this process's part of the overall rate (WithShare).
	share *bot.Share
}

// WithHTTPClient makes the client use hc for every request. Its Timeout,
// if set, must exceed the long poll's 50 s.
func WithHTTPClient(hc *http.Client) Option { return func(o *options) { o.http = hc } }

// WithPace sets how fast the client sends (DefaultPace by default).
func WithPace(p Pace) Option { return func(o *options) { o.pace = p } }

// WithShare makes the client keep to its share of the overall rate,
// which Telegram counts per bot token: 1/n of it while n processes share
// the token (bot.Share). The per-chat limits are the chat's sender's.
func WithShare(sh *bot.Share) Option { return func(o *options) { o.share = sh } }

// WithContext makes New give up its check of the token when ctx ends,
// so that a daemon stopping while the Bot API hangs stops at once.
func WithContext(ctx context.Context) Option { return func(o *options) { o.ctx = ctx } }

// WithPollTimeout sets the long poll's timeout (50 s by default).
func WithPollTimeout(d time.Duration) Option { return func(o *options) { o.poll = d } }

// newHTTPClient returns an HTTP client with timeouts on every phase but
// the response, which the long poll keeps open; each call bounds its
// whole exchange with a context deadline.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: pollTimeout + requestTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ExpectContinueTimeout: time.Second,
		},
	}
}

// New connects to the Bot API at cfg.Telegram.APIEndpoint (Telegram's by
// default) with cfg.Telegram.Token, checking the token with getMe, and
// returns the client; commands are answered by h. Its errors never
// contain the token.
func New(cfg *config.Config, h *bot.Handler, log *slog.Logger, opts ...Option) (*Client, error) {
	o := options{pace: DefaultPace, poll: pollTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.http == nil {
		o.http = newHTTPClient()
	}
	token := cfg.Telegram.Token
	if token == "" {
		return nil, errors.New("telegram: telegram.token is not set")
	}
	endpoint := cfg.Telegram.APIEndpoint
	if endpoint == "" {
		endpoint = tgbotapi.APIEndpoint
	}
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(o.ctx, requestTimeout)
	defer cancel()
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, ctxDoer{ctx: ctx, client: o.http, token: token})
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", redact(err, token))
	}
	c := &Client{bot: api, http: o.http, token: token, handler: h, log: log.With("platform", Name),
		pacer: newPacer(o.pace).shared(o.share), poll: o.poll, queues: map[int64][]tgbotapi.Update{}, recent: map[int]bool{},
		webhookURL: cfg.Telegram.WebhookURL, secret: webhookSecret(token)}
	return c, nil
}

// EndpointHost returns the host (with its port, if any) of the Bot API
// endpoint cfg names, Telegram's by default, for messages about
// reaching it: the rest of the endpoint holds the token's place.
func EndpointHost(cfg *config.Config) string {
	endpoint := cfg.Telegram.APIEndpoint
	if endpoint == "" {
		endpoint = tgbotapi.APIEndpoint
	}
	if _, rest, ok := strings.Cut(endpoint, "://"); ok {
		endpoint = rest
	}
	host, _, _ := strings.Cut(endpoint, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:] // never userinfo
	}
	return host
}

// Name returns "telegram".
func (c *Client) Name() string { return Name }

// Username returns the bot's username, as getMe gave it.
func (c *Client) Username() string { return c.bot.Self.UserName }

// Run sets the command menu (English and German) and receives updates
// until ctx is done, answering commands: by long polling, after deleting
// any webhook, or, with telegram.webhook_url set, through WebhookHandler
// after registering the webhook. It returns nil when ctx ends and an
// error only when updates cannot be received at all (the token was
// revoked).
func (c *Client) Run(ctx context.Context) error {
	c.log.Info("connected", "bot", c.bot.Self.UserName)
	if c.webhookURL != "" {
		return c.runWebhook(ctx)
	}
	if err := c.do(ctx, tgbotapi.DeleteWebhookConfig{}); err != nil && ctx.Err() == nil {
		c.log.Warn("deleteWebhook failed; polling may be refused while a webhook is set", "err", err)
	}
	c.setCommands(ctx)
	defer c.wg.Wait()
	offset, failures := 0, 0
	for first := true; ctx.Err() == nil; first = false {
		// At the start and after a failure, a short poll first: it shows
		// at once whether polling works (for Healthy) without waiting out
		// a long one.
		timeout := c.poll
		if first || failures > 0 {
			timeout = 0
		}
		updates, err := c.getUpdates(ctx, offset, timeout)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			c.setHealth(false, err)
			failures++
			te, isAPI := apiError(err)
			if isAPI && te.Code == 401 {
				return fmt.Errorf("telegram: getUpdates: the token was refused (401 Unauthorized)")
			}
			wait := pollBackoff(failures, err)
			c.log.Warn("getUpdates failed; retrying", "err", err, "in", wait, "failures", failures)
			if bot.Sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		failures = 0
		c.setHealth(true, nil)
		for _, u := range updates {
			if u.UpdateID < offset {
				continue // already handled
			}
			offset = u.UpdateID + 1
			c.dispatch(ctx, u)
		}
	}
	c.setHealth(false, nil)
	c.log.Info("stopped polling")
	return nil
}

// pollBackoff is the wait after failures failed polls in a row: the
// server's retry_after if it gave one, else exponential from 1 s.
func pollBackoff(failures int, err error) time.Duration {
	if te, ok := apiError(err); ok && te.RetryAfter > 0 {
		return time.Duration(te.RetryAfter) * time.Second
	}
	wait := time.Second
	for i := 1; i < failures && wait < maxPollBackoff; i++ {
		wait *= 2
	}
	return min(wait, maxPollBackoff)
}

func (c *Client) getUpdates(ctx context.Context, offset int, timeout time.Duration) ([]tgbotapi.Update, error) {
	api, cancel := c.api(ctx, timeout+requestTimeout)
	defer cancel()
	updates, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100,
		Timeout: int(timeout / time.Second), AllowedUpdates: []string{"message", "channel_post", "callback_query"}})
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", redact(err, c.token))
	}
	return updates, nil
}

// setCommands sets the command menu from the command table, in every
// language of the catalogue; English is the default for the others.
func (c *Client) setCommands(ctx context.Context) {
	for _, lang := range i18n.Languages {
		cfg := tgbotapi.NewSetMyCommands(menu(lang)...)
		if lang != "en" {
			cfg.LanguageCode = lang
		}
		if err := c.do(ctx, cfg); err != nil && ctx.Err() == nil {
			c.log.Warn("setMyCommands failed", "lang", lang, "err", err)
		}
	}
}

// menu returns the command menu in lang: every command of the table with
// its summary.
func menu(lang string) []tgbotapi.BotCommand {
	var cmds []tgbotapi.BotCommand
	for _, cmd := range bot.Commands() {
		cmds = append(cmds, tgbotapi.BotCommand{Command: cmd.Name, Description: clipText(cmd.Summary(lang), 256)})
	}
	return cmds
}

// dispatch queues an update for its chat: each chat's updates are handled
// in order, different chats' at the same time.
func (c *Client) dispatch(ctx context.Context, u tgbotapi.Update) {
	chat := updateChat(u)
	if chat == nil {
		return
	}
	c.mu.Lock()
	q, busy := c.queues[chat.ID]
	c.queues[chat.ID] = append(q, u)
	c.mu.Unlock()
	if busy {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			c.mu.Lock()
			q := c.queues[chat.ID]
			if len(q) == 0 {
				delete(c.queues, chat.ID)
				c.mu.Unlock()
				return
			}
			next := q[0]
			c.queues[chat.ID] = q[1:]
			c.mu.Unlock()
			if ctx.Err() == nil {
				c.handleUpdate(ctx, next)
			}
		}
	}()
}

func updateChat(u tgbotapi.Update) *tgbotapi.Chat {
	switch {
	case u.Message != nil:
		return u.Message.Chat
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat
	}
	return nil
}

// handleUpdate answers one update. Panics are contained: one bad update
// must not stop the bot.
func (c *Client) handleUpdate(ctx context.Context, u tgbotapi.Update) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("update handler panicked", "update", u.UpdateID, "panic", fmt.Sprint(p))
		}
	}()
	switch {
	case u.Message != nil:
		c.handleMessage(ctx, u.Message)
	case u.ChannelPost != nil:
		c.handleMessage(ctx, u.ChannelPost)
	case u.CallbackQuery != nil:
		c.handleCallback(ctx, u.CallbackQuery)
	}
}

// anonymousAdmin is Telegram's GroupAnonymousBot, the sender of messages
// by a group's anonymous admins.
const anonymousAdmin = 1087968824

func (c *Client) handleMessage(ctx context.Context, m *tgbotapi.Message) {
	if m.Chat == nil {
		return
	}
	if m.MigrateToChatID != 0 {
		c.migrated(ctx, m.Chat.ID, m.MigrateToChatID)
		return
	}
	if m.Text == "" {
		return
	}
	cmd, args, ok := bot.ParseCommand(m.Text, c.bot.Self.UserName, true)
	if !ok {
		return
	}
	private := m.Chat.Type == "private"
	if _, ours := bot.LookupCommand(cmd); !private && !ours {
		return // perhaps another bot's command
	}
	chat := m.Chat.ID
	req := bot.Request{Platform: Name, Chat: strconv.FormatInt(chat, 10), Command: cmd,
		Options: bot.ParseOptions(cmd, args), Private: private}
	switch {
	case m.Chat.Type == "channel":
		// Only a channel's admins can post in it.
		req.IsAdmin = func(context.Context) (bool, error) { return true, nil }
	case m.SenderChat != nil:
		// The group's anonymous admins post as the group itself; another
		// sender chat is a channel speaking in the group, not an admin.
		anon := m.SenderChat.ID == chat
		req.IsAdmin = func(context.Context) (bool, error) { return anon, nil }
	case m.From != nil && m.From.ID != anonymousAdmin:
		user := m.From.ID
		req.User = strconv.FormatInt(user, 10)
		req.UserLang = m.From.LanguageCode
		req.IsAdmin = func(ctx context.Context) (bool, error) { return c.isAdmin(ctx, chat, user) }
	}
	c.log.Debug("command", "chat", chat, "user", bot.LogUser(cmd, req.User), "command", cmd)
	r := c.handler.Handle(ctx, req)
	c.reply(ctx, chat, m.MessageID, r)
}

// migrated moves a group's subscriptions to the supergroup it became,
// as soon as Telegram says so; a post sent in between is moved by the
// delivery engine on the migrate_to_chat_id refusal.
func (c *Client) migrated(ctx context.Context, from, to int64) {
	newChat, err := store.TelegramChatID(to)
	if err == nil {
		err = c.handler.Store.MoveChannel(ctx, Name, strconv.FormatInt(from, 10), newChat)
	}
	if err != nil {
		c.log.Error("moving a migrated group's subscriptions failed", "chat", from, "to", to, "err", err)
		return
	}
	c.log.Info("group became a supergroup; its subscriptions moved", "chat", from, "to", to)
}

// isAdmin asks Telegram whether user administers chat.
func (c *Client) isAdmin(ctx context.Context, chat, user int64) (bool, error) {
	api, cancel := c.api(ctx, requestTimeout)
	defer cancel()
	m, err := api.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chat, UserID: user}})
	if err != nil {
		return false, fmt.Errorf("telegram: getChatMember: %w", redact(err, c.token))
	}
	return m.Status == "creator" || m.Status == "administrator", nil
}

// handleCallback answers a pick-list button with the chosen case's card,
// in place of the pick list.
func (c *Client) handleCallback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if q.Message == nil || q.Message.Chat == nil {
		c.answer(ctx, q.ID, "")
		return
	}
	chat := q.Message.Chat.ID
	req := bot.Request{Platform: Name, Chat: strconv.FormatInt(chat, 10), Private: q.Message.Chat.Type == "private"}
	if q.From != nil {
		req.User, req.UserLang = strconv.FormatInt(q.From.ID, 10), q.From.LanguageCode
	}
	if strings.HasPrefix(q.Data, wrotePrefix) || strings.HasPrefix(q.Data, wroteHashPrefix) {
		c.handleWrote(ctx, q, req)
		return
	}
	id, err := c.resolveChoice(ctx, q.Data)
	var card *bot.Card
	if err == nil && id != "" {
		card, err = c.handler.CaseCardFor(ctx, req, id)
	}
	if err != nil {
		c.log.Error("pick list answer failed", "chat", chat, "err", err)
	}
	if card == nil {
		// The case is gone (or the data is not ours): say so in a toast.
		lang := c.handler.Config.Language
		if ch, err := c.handler.ChannelFor(ctx, req); err == nil {
			lang = ch.Language
		}
		c.answer(ctx, q.ID, clipText(i18n.F(lang, "reply.no_match", i18n.Args{"Query": id}), 190))
		return
	}
	c.answer(ctx, q.ID, "")
	// A pick list is a text message: the card replaces it as text, with
	// the photo, if any, as the link preview.
	_, first := compose(card.Lang, "", false, card, nil)
	if card.Photo != nil && validURL(card.Photo.URL) {
		first = textWithPreview(card)
	}
	// The edit takes its turn under the chat's pace like every message.
	if err := c.editPaced(ctx, chat, q.Message.MessageID, first, false); err != nil {
		if notModified(err) {
			return
		}
		c.log.Warn("editing the pick list failed; sending the card", "chat", chat, "err", err)
		r := bot.Reply{Card: card}
		c.reply(ctx, chat, q.Message.MessageID, r)
	}
}

// textWithPreview renders card as text with its photo as link preview.
func textWithPreview(card *bot.Card) outgoing {
	d := cardDoc(card.Lang, "", false, card, true)
	o := outgoing{method: "sendMessage", preview: card.Photo.URL, keyboard: actionKeyboard(card)}
	o.html, o.plain = d.texts(maxText)
	return o
}

func (c *Client) answer(ctx context.Context, id, text string) {
	if err := c.do(ctx, tgbotapi.CallbackConfig{CallbackQueryID: id, Text: text}); err != nil && ctx.Err() == nil {
		c.log.Warn("answerCallbackQuery failed", "err", err)
	}
}

// handleWrote answers an "I wrote" button: the letter is counted (once
// a day per user and case) and the presser alone sees the answer, as a
// toast. Nothing about the presser is logged.
func (c *Client) handleWrote(ctx context.Context, q *tgbotapi.CallbackQuery, req bot.Request) {
	id, err := c.resolveCase(ctx, q.Data, wrotePrefix, wroteHashPrefix)
	if err != nil {
		c.log.Error("resolving an I-wrote button failed", "err", err)
	}
	r := c.handler.Wrote(ctx, req, id)
	c.answer(ctx, q.ID, clipText(r.Text, 190))
}

// resolveChoice returns the case id of a pick-list button's data.
func (c *Client) resolveChoice(ctx context.Context, data string) (string, error) {
	return c.resolveCase(ctx, data, pickPrefix, pickHashPrefix)
}

// resolveCase returns the case id of a button's data: the id after
// prefix, or the case whose idHash follows hashPrefix; "" if neither.
func (c *Client) resolveCase(ctx context.Context, data, prefix, hashPrefix string) (string, error) {
	if id, ok := strings.CutPrefix(data, prefix); ok {
		return id, nil
	}
	h, ok := strings.CutPrefix(data, hashPrefix)
	if !ok {
		return "", nil
	}
	all, err := c.handler.Store.Cases(ctx)
	if err != nil {
		return "", err
	}
	for _, cs := range all {
		if idHash(cs.ID) == h {
			return cs.ID, nil
		}
	}
	return "", nil
}
