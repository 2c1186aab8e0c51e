package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/vigil-bot/vigil/bot"
)

// Discord JSON error codes that Send classifies.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
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
	send := renderMessage(msg).send()
	plain := send.Embeds
	png := c.picture(ctx, chat, msg)
	if png != nil {
		withPicture(send, png)
	}
	if msg.ReplyTo != "" {
		if !snowflake(msg.ReplyTo) {
			return "", &bot.SendError{Failure: bot.Rejected, Err: fmt.Errorf("discord: %q is not a message id", msg.ReplyTo)}
		}
		fail := true
		send.Reference = &discordgo.MessageReference{MessageID: msg.ReplyTo, ChannelID: chat, FailIfNotExists: &fail}
	}
	m, err := c.s.ChannelMessageSendComplex(chat, send, once(ctx)...)
	if err != nil && send.Reference != nil && unknownReference(err) {
		// The message it answers was deleted: send it on its own.
		c.log.Info("the message to reply to is gone; sending without the reply", "channel", chat, "reply_to", msg.ReplyTo)
		send.Reference = nil
		rewind(send, png)
		m, err = c.s.ChannelMessageSendComplex(chat, send, once(ctx)...)
	}
	if err != nil && send.Files != nil && refusedFile(err) {
		c.log.Warn("Discord refused the card picture; sending the text card", "channel", chat, "err", classify(err))
		withoutPicture(send, plain)
		m, err = c.s.ChannelMessageSendComplex(chat, send, once(ctx)...)
	}
	if err != nil {
		return "", classify(err)
	}
	return m.ID, nil
}

// once are the request options of a delivery call: under ctx, tried once,
// with the transport pacing it and the delivery engine retrying.
func once(ctx context.Context) []discordgo.RequestOption {
	return []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0)}
}

// unknownReference reports whether Discord refused a reply because the
// message it answers does not exist.
func unknownReference(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusBadRequest &&
		re.Message != nil && re.Message.Code == codeInvalidFormBody && strings.Contains(string(re.ResponseBody), "message_reference")
}

// Edit replaces the bot's message messageID in channel chat by msg, for
// an alert's correction or withdrawal: its content, and its embed and
// buttons as msg renders them (a msg without a card leaves none). It is
// paced and classified like Send.
func (c *Client) Edit(ctx context.Context, chat, messageID string, msg bot.Message) error {
	if !snowflake(chat) || !snowflake(messageID) {
		return &bot.SendError{Failure: bot.Rejected, Err: fmt.Errorf("discord: %q/%q is not a message", chat, messageID)}
	}
	r := renderMessage(msg)
	embeds, components := r.embeds, r.components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	edit := &discordgo.MessageEdit{ID: messageID, Channel: chat, Content: &r.content, Embeds: &embeds,
		Components: &components, AllowedMentions: noMentions()}
	if msg.Image != nil && len(embeds) > 0 {
		// The picture stays: its attachment is kept (attachments left
		// out of the edit) and the new embed shows it again.
		withImage := pictureEmbeds(embeds)
		edit.Embeds = &withImage
	} else {
		// No picture (withdrawn, or images turned off): none lingers.
		edit.Attachments = &[]*discordgo.MessageAttachment{}
	}
	_, err := c.s.ChannelMessageEditComplex(edit, once(ctx)...)
	if err != nil && msg.Image != nil && refusedFile(err) {
		// The copy went out without its picture (refused then): the
		// edit goes without it too.
		c.log.Info("the copy has no picture to keep; editing it as a text card", "channel", chat, "message", messageID, "err", classify(err))
		edit.Embeds = &embeds
		_, err = c.s.ChannelMessageEditComplex(edit, once(ctx)...)
	}
	if err != nil {
		return classify(err)
	}
	return nil
}

// Delete deletes the bot's message messageID in channel chat, for an
// alert's retraction; a message that is gone already is done.
func (c *Client) Delete(ctx context.Context, chat, messageID string) error {
	if !snowflake(chat) || !snowflake(messageID) {
		return &bot.SendError{Failure: bot.Rejected, Err: fmt.Errorf("discord: %q/%q is not a message", chat, messageID)}
	}
	err := c.s.ChannelMessageDelete(chat, messageID, once(ctx)...)
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusNotFound &&
		re.Message != nil && re.Message.Code == codeUnknownMessage {
		return nil
	}
	if err != nil {
		return classify(err)
	}
	return nil
}

var (
	_ bot.Editor  = (*Client)(nil)
	_ bot.Deleter = (*Client)(nil)
)

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
		case status == http.StatusNotFound && code == codeUnknownMessage:
			// The message to edit is gone (deleted by a moderator).
			return &bot.SendError{Failure: bot.Rejected, Err: e}
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
