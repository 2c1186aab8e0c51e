package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/store"
)

// ctxDoer is the library's HTTPClient bound to one call's context: the
// library has no context support, so each call gets a shallow copy of the
// BotAPI whose client carries the context. It also takes the token out of
// the URL errors the library would pass on.
type ctxDoer struct {
	ctx    context.Context
	client *http.Client
	token  string
	rtt    *bot.RoundTrips // if set, the round trips of calls other than getUpdates
	window *bot.Window     // if set, holds messages under Telegram's limit a second
}

// Do sends req under the doer's context: a message waits for a slot in
// the window first.
func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	gated := d.window != nil && counted(req.URL.Path)
	if gated {
		if err := d.window.Acquire(d.ctx); err != nil {
			return nil, fmt.Errorf("telegram: waiting for the rate window: %w", err)
		}
	}
	start := time.Now()
	resp, err := d.client.Do(req.WithContext(d.ctx))
	back := time.Now()
	if d.rtt != nil && err == nil && !strings.HasSuffix(req.URL.Path, "/getUpdates") {
		d.rtt.Observe(back.Sub(start))
	}
	if gated {
		var low time.Duration
		if d.rtt != nil {
			low = d.rtt.Low()
		}
		d.window.Release(back, low)
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = strings.ReplaceAll(ue.URL, d.token, "<token>")
		}
		return nil, err
	}
	return resp, nil
}

// redactedError is an error whose text had the token taken out.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact makes sure err's text does not contain the token.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), token, "<token>"), err: err}
}

// api returns the library client for one call under ctx, bounded by
// timeout.
func (c *Client) api(ctx context.Context, timeout time.Duration) (*tgbotapi.BotAPI, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	b := *c.bot
	b.Client = ctxDoer{ctx: ctx, client: c.http, token: c.token, rtt: &c.rtt, window: c.pacer.window}
	return &b, cancel
}

// request calls method with params and returns its result.
func (c *Client) request(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	api, cancel := c.api(ctx, requestTimeout)
	defer cancel()
	resp, err := api.MakeRequest(method, params)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: %w", method, redact(err, c.token))
	}
	return resp.Result, nil
}

// do sends a library Chattable (for methods that return true).
func (c *Client) do(ctx context.Context, cfg tgbotapi.Chattable) error {
	api, cancel := c.api(ctx, requestTimeout)
	defer cancel()
	if _, err := api.Request(cfg); err != nil {
		return fmt.Errorf("telegram: %w", redact(err, c.token))
	}
	return nil
}

// apiError returns the Bot API's refusal in err, if it is one. The
// library's upload path leaves Code zero; the description's prefix says
// it then.
func apiError(err error) (*tgbotapi.Error, bool) {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return nil, false
	}
	if te.Code == 0 {
		for prefix, code := range map[string]int{"Bad Request": 400, "Unauthorized": 401, "Forbidden": 403,
			"Not Found": 404, "Conflict": 409, "Too Many Requests": 429, "Internal Server Error": 500,
			"Bad Gateway": 502} {
			if strings.HasPrefix(te.Message, prefix) {
				cp := *te
				cp.Code = code
				return &cp, true
			}
		}
	}
	return te, true
}

// TokenRefused reports whether err is the Bot API refusing the token
// (401 Unauthorized, or 404 for a token of the wrong form): retrying is
// useless, unlike after a network error.
func TokenRefused(err error) bool {
	te, ok := apiError(err)
	return ok && (te.Code == 401 || te.Code == 404)
}

// parseError reports whether Telegram refused the message's HTML.
func parseError(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == 400 && strings.Contains(te.Message, "can't parse entities")
}

// goneMessages are 400 refusals that mean the bot may not post in the
// chat at all, rather than that this message is bad. A refusal to send
// photos ("not enough rights to send photos") is not among them: the
// card then goes as text.
var goneMessages = []string{"chat not found", "not enough rights to send text", "have no rights", "CHAT_WRITE_FORBIDDEN",
	"need administrator rights", "CHAT_RESTRICTED", "bot was kicked", "PEER_ID_INVALID"}

// classify turns a failed send into the delivery engine's terms.
func classify(err error) *bot.SendError {
	var se *bot.SendError
	if errors.As(err, &se) {
		return se
	}
	te, ok := apiError(err)
	if !ok {
		// Network errors, timeouts, bodies that are not the API's JSON.
		return &bot.SendError{Failure: bot.Temporary, Err: err}
	}
	reason := errors.New(te.Message)
	switch {
	case te.Code == 429 || te.RetryAfter > 0:
		ra := time.Duration(te.RetryAfter) * time.Second
		if ra <= 0 {
			ra = time.Second
		}
		return &bot.SendError{Failure: bot.Temporary, RetryAfter: ra, Err: reason}
	case te.MigrateToChatID != 0:
		// The new id goes into the store: an id Telegram cannot have
		// leaves the post rejected rather than the channel moved there.
		to, err := store.TelegramChatID(te.MigrateToChatID)
		if err != nil {
			return &bot.SendError{Failure: bot.Rejected, Err: fmt.Errorf("%w: migrate_to_chat_id: %w", reason, err)}
		}
		return &bot.SendError{Failure: bot.Moved, NewChat: to, Err: reason}
	case te.Code == 403:
		return &bot.SendError{Failure: bot.ChannelGone, Err: reason}
	case te.Code == 400 && containsAny(te.Message, goneMessages):
		return &bot.SendError{Failure: bot.ChannelGone, Err: reason}
	case te.Code == 400:
		return &bot.SendError{Failure: bot.Rejected, Err: reason}
	}
	// 401 (token revoked), 404, 409, 5xx: not this channel's fault.
	return &bot.SendError{Failure: bot.Temporary, Err: reason}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
