package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
)

// Discord JSON error codes that Send classifies.
const (
	codeUnknownChannel     = 10003
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
	codeCannotSendToUser   = 50007
	codeInvalidFormBody    = 50035
)

// Send posts msg to the channel chat (a channel id). It waits, honouring
// ctx, until the global limit and the channel's bucket allow the request,
// sends it once, and classifies a failure: 429, 5xx and network errors are
// Temporary (with Discord's retry-after), a channel the bot may no longer
// post to is ChannelGone, a refused body is Rejected.
func (c *Client) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	if !snowflake(chat) {
		return "", &bot.SendError{Failure: bot.ChannelGone, Err: fmt.Errorf("discord: %q is not a channel id", chat)}
	}
	if err := ctx.Err(); err != nil {
		return "", &bot.SendError{Failure: bot.Temporary, Err: fmt.Errorf("discord: send: %w", err)}
	}
	m, err := c.s.ChannelMessageSendComplex(chat, renderMessage(msg).send(),
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	if err != nil {
		return "", classify(err)
	}
	return m.ID, nil
}

// snowflake reports whether s looks like a Discord id: digits only, which
// also keeps it from changing the request's path.
func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// classify turns a discordgo error into a *bot.SendError. Its text is what
// /subscriptions shows for a paused channel, so it is short and has no URL.
func classify(err error) *bot.SendError {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		wait := rl.RetryAfter
		if wait <= 0 {
			wait = time.Second
		}
		return &bot.SendError{Failure: bot.Temporary, RetryAfter: wait, Err: errors.New("discord: 429 rate limited")}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		status := re.Response.StatusCode
		code, text := 0, http.StatusText(status)
		if re.Message != nil {
			code = re.Message.Code
			if re.Message.Message != "" {
				text = re.Message.Message
			}
		}
		e := fmt.Errorf("discord: %d %s (code %d)", status, text, code)
		switch {
		case status == http.StatusForbidden && (code == codeMissingAccess || code == codeMissingPermissions || code == codeCannotSendToUser):
			// The bot may not post in this channel (any more).
			return &bot.SendError{Failure: bot.ChannelGone, Err: e}
		case status == http.StatusNotFound && code == codeUnknownChannel:
			return &bot.SendError{Failure: bot.ChannelGone, Err: e}
		case status == http.StatusTooManyRequests:
			return &bot.SendError{Failure: bot.Temporary, RetryAfter: retryAfter(re.Response), Err: e}
		case status == http.StatusUnauthorized, status == http.StatusNotFound, status >= 500:
			// A wrong token or a wrong api_base is not the channel's fault:
			// retry with backoff rather than pause every channel.
			return &bot.SendError{Failure: bot.Temporary, Err: e}
		case status >= 400:
			return &bot.SendError{Failure: bot.Rejected, Err: e}
		}
		return &bot.SendError{Failure: bot.Temporary, Err: e}
	}
	return &bot.SendError{Failure: bot.Temporary, Err: fmt.Errorf("discord: %w", redact(err))}
}

func retryAfter(resp *http.Response) time.Duration {
	d := headerSeconds(resp.Header, "Retry-After")
	if d <= 0 {
		d = time.Second
	}
	return d
}
