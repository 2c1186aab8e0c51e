// Package bot is vigil's chat side, shared by every platform: the chat
// commands and their permissions, the platform-neutral profile card, and
// the small interfaces a platform adapter implements (Platform) and calls
// (Handler). Platform packages live below it (bot/console, and later
// bot/telegram and bot/discord); they render Reply and Card in their own
// format.
//
// bot may import cases, store, config and bot/i18n; it must not import a
// platform package or the scheduler.
package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-bot/vigil/store"
)

// Platform is a messaging platform as the daemon sees it: it receives
// commands (calling a Handler) until its context ends, and delivers posts.
type Platform interface {
	// Name is the platform's name in channel references: "telegram",
	// "discord", "console".
	Name() string
	// Run connects and serves commands until ctx is done.
	Run(ctx context.Context) error
	// Send delivers one post to a chat and returns the platform's id of
	// the message. Its errors should be *SendError so that the delivery
	// engine knows whether to retry, pause the channel or give up.
	Send(ctx context.Context, chat string, msg Message) (messageID string, err error)
}

// Editor is a Platform that can edit a message it delivered, for alert
// corrections and withdrawals. The delivery engine finds it by type
// assertion. Edit replaces the message's text (a card's caption or
// embed and its buttons stay as msg renders them; a msg without a card
// leaves only its lead). An edit to the text the message has already
// succeeds, so that repeating it changes nothing.
type Editor interface {
	Edit(ctx context.Context, chat, messageID string, msg Message) error
}

// Deleter is a Platform that can delete a message it delivered, for alert
// retractions. Deleting a message that is gone already succeeds; a
// message the platform will not let the bot delete (too old) gives an
// error wrapping ErrCannotDelete.
type Deleter interface {
	Delete(ctx context.Context, chat, messageID string) error
}

// ErrCannotDelete is wrapped by a Deleter's error when the platform
// refuses to delete the message (Telegram: older than 48 hours); the
// message is then edited to say it was withdrawn.
var ErrCannotDelete = errors.New("the platform does not let the bot delete this message")

// Message is a post to deliver: an optional lead line (an alert's text,
// "Day 12 of …") and an optional card, already in the channel's language.
type Message struct {
	Kind store.Kind // the post's kind
	Lead string
	Card *Card
	Lang string
	// ReplyTo is the platform's id of a message in the same chat that
	// this one answers (an alert's follow-up); empty for none. If that
	// message is gone, the platform sends this one on its own.
	ReplyTo string
	// Image is the card's picture to post with it (the share card), nil
	// for none. A platform that cannot post it sends the text card.
	Image *Image
	// Resume is the id of the part of this message that an earlier
	// attempt delivered (the photo of a photo-and-text post, as reported
	// to Progress); the platform sends only the rest and returns the id
	// of the whole. Empty: nothing was delivered yet.
	Resume string
	// Progress, if set, is called with the id of a part the platform has
	// delivered before it sends the next part, so that the delivery
	// engine records it: a retry after a failure or a crash between the
	// parts then sends only the rest (Resume) instead of the part twice.
	Progress func(part string)
}

// Text renders m as plain text, for the console and for fallbacks.
func (m Message) Text() string {
	var parts []string
	if m.Lead != "" {
		parts = append(parts, m.Lead)
	}
	if m.Card != nil {
		parts = append(parts, m.Card.Text())
	}
	return strings.Join(parts, "\n\n")
}

// ErrRest is wrapped by a Temporary SendError from a Send that delivered
// the first part of a message (reported to Message.Progress) and not the
// rest, whose turn under the chat's pace is RetryAfter away: the delivery
// engine puts the post back for then, without counting a failure, and
// the next Send (with Resume) sends the rest. It keeps a send worker from
// idling through a chat's pace.
var ErrRest = errors.New("the rest of the message is due later")

// SendFailure classifies a failed send for the delivery engine.
type SendFailure int

// The kinds of send failure.
const (
	// Temporary failures (timeouts, 5xx, 429) are retried with backoff.
	Temporary SendFailure = iota
	// ChannelGone means the bot may no longer post there (kicked, blocked,
	// missing permission, deleted): the channel is paused.
	ChannelGone
	// Rejected means the platform refused this message for good; other
	// posts to the channel go on.
	Rejected
	// Moved means the chat has a new id (Telegram group → supergroup);
	// the subscription moves and the post is retried there.
	Moved
)

// SendError is a failed send, classified.
type SendError struct {
	Failure    SendFailure
	RetryAfter time.Duration // for Temporary: the platform's requested wait
	NewChat    string        // for Moved
	Err        error
}

// Error describes the failure; it never contains a token.
func (e *SendError) Error() string {
	kind := [...]string{"temporary", "channel gone", "rejected", "moved"}[e.Failure]
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%s (retry after %s): %v", kind, e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("%s: %v", kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Classify returns err's SendError, treating an unclassified error as
// temporary: retrying a post that could not go out is safer than losing it.
func Classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Failure: Temporary, Err: err}
}
