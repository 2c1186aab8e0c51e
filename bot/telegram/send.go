package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
)

// Send delivers a post to chat (a chat id in decimal) for the delivery
// engine. It waits for its turn under the pace (or until ctx ends), sends
// one message, resends it as plain text if Telegram cannot parse its
// HTML, and returns the message id or a *bot.SendError: Temporary with
// RetryAfter for 429, ChannelGone for 403 (kicked, blocked), Moved with
// NewChat for a group that became a supergroup, Rejected for any other
// refusal of the message, Temporary for network errors and 5xx.
func (c *Client) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	id, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return "", &bot.SendError{Failure: bot.ChannelGone, Err: fmt.Errorf("telegram: %q is not a chat id", chat)}
	}
	first, textOnly := compose(msg.Lang, msg.Lead, msg.Card != nil, msg.Card, nil) // a lead above a card stands out in bold
	// The delivery engine sends one post at a time: rather than hold up
	// every other chat while this one's pace runs out, hand the post back.
	first.maxWait, textOnly.maxWait = maxSendWait, maxSendWait
	if msg.ReplyTo != "" {
		// A picture post's id is its photo's and its text's: a reply
		// answers the photo.
		to, _, err := splitID(msg.ReplyTo)
		if err != nil {
			return "", &bot.SendError{Failure: bot.Rejected, Err: err}
		}
		first.replyTo, first.strictReply = to, true
	}
	if (msg.Image != nil || msg.Resume != "") && msg.Card != nil {
		pid, err := c.sendPicture(ctx, id, msg, first.replyTo, true)
		if err != nil && first.replyTo != 0 && replyGone(err) {
			c.log.Info("the message to reply to is gone; sending without the reply", "chat", id, "reply_to", first.replyTo)
			pid, err = c.sendPicture(ctx, id, msg, 0, true)
		}
		if !errors.Is(err, errNoPicture) {
			if err != nil {
				return "", classify(err)
			}
			return pid, nil
		}
		// The picture cannot be posted: the text card goes instead.
	}
	mid, err := c.deliver(ctx, id, first, textOnly)
	if err != nil && first.replyTo != 0 && replyGone(err) {
		// The message it answers was deleted: send it on its own.
		c.log.Info("the message to reply to is gone; sending without the reply", "chat", id, "reply_to", first.replyTo)
		first.replyTo = 0
		mid, err = c.deliver(ctx, id, first, textOnly)
	}
	if err != nil {
		return "", classify(err)
	}
	return strconv.Itoa(mid), nil
}

// replyGone reports whether Telegram refused a reply because the message
// it answers does not exist (any more).
func replyGone(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == 400 && strings.Contains(te.Message, "message to be replied not found")
}

// Edit replaces the text of the bot's message messageID in chat by msg,
// for an alert's correction or withdrawal: a text message's text, or a
// photo card's caption, with msg's buttons; for a picture post with its
// text card after it ("photo,text"), the photo's caption and the text.
// It waits for its turn under the pace like Send. An edit to the text the
// message has already is done (Telegram's "message is not modified").
func (c *Client) Edit(ctx context.Context, chat, messageID string, msg bot.Message) error {
	id, mid, second, err := ids(chat, messageID)
	if err != nil {
		return err
	}
	if second != 0 {
		return c.editParts(ctx, id, mid, second, msg)
	}
	first, textOnly := compose(msg.Lang, msg.Lead, msg.Card != nil, msg.Card, nil)
	if msg.Image != nil && msg.Card != nil {
		// A picture post whose whole card was the caption.
		first, _ = pictureParts(msg)
	}
	caption := first.method == "sendPhoto"
	o := first
	err = c.editPaced(ctx, id, mid, o, caption)
	if te, ok := apiError(err); ok && te.Code == 400 && strings.Contains(te.Message, "there is no ") {
		// The copy went out in the other form: a photo card sent as text
		// (the photo was refused), or a text edited onto a photo.
		if caption {
			o = textOnly
		} else {
			o = captionOf(msg, textOnly)
		}
		err = c.editPaced(ctx, id, mid, o, !caption)
	}
	if notModified(err) {
		return nil
	}
	if err != nil {
		return classify(err)
	}
	return nil
}

// captionOf is the text of o, or msg as a picture post's caption if it
// has a picture, for a photo whose caption is to be edited.
func captionOf(msg bot.Message, o outgoing) outgoing {
	if msg.Card == nil {
		return o
	}
	photo, _ := pictureParts(msg)
	return photo
}

// editParts edits a picture post sent as a photo and a text card: the
// photo's caption and buttons, then the text. A part that is gone (a
// moderator deleted it) is left; the other is still edited.
func (c *Client) editParts(ctx context.Context, chat int64, photo, text int, msg bot.Message) error {
	var capt, body outgoing
	if msg.Card == nil {
		// Withdrawn: both say so, without buttons.
		d := cardDoc(msg.Lang, msg.Lead, false, nil, false)
		capt.html, capt.plain = d.texts(maxCaption)
		body.html, body.plain = d.texts(maxText)
	} else {
		var follow doc
		capt, follow = pictureParts(msg)
		if follow == nil {
			// The card fits the caption now: the text keeps the card.
			follow = cardDoc(msg.Lang, "", false, msg.Card, false)
		}
		body.html, body.plain = follow.texts(maxText)
	}
	errCap := c.editPaced(ctx, chat, photo, capt, true)
	if notModified(errCap) {
		errCap = nil
	}
	errText := c.editPaced(ctx, chat, text, body, false)
	if notModified(errText) {
		errText = nil
	}
	switch {
	case errCap == nil && (errText == nil || editGone(errText)):
		return nil
	case errText == nil && editGone(errCap):
		return nil
	case errCap != nil:
		return classify(errCap)
	}
	return classify(errText)
}

// notModified reports whether Telegram refused an edit to the text the
// message has already.
func notModified(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == 400 && strings.Contains(te.Message, "message is not modified")
}

// editGone reports whether the message to edit does not exist (any more).
func editGone(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == 400 && strings.Contains(te.Message, "message to edit not found")
}

// Delete deletes the bot's message messageID in chat, for an alert's
// retraction, paced like Send; a picture post's photo and text both. A
// message that is gone already is done; one Telegram will not let the
// bot delete (older than 48 hours) gives an error wrapping
// bot.ErrCannotDelete.
func (c *Client) Delete(ctx context.Context, chat, messageID string) error {
	id, mid, second, err := ids(chat, messageID)
	if err != nil {
		return err
	}
	if err := c.deleteOne(ctx, id, mid); err != nil {
		return err
	}
	if second != 0 {
		return c.deleteOne(ctx, id, second)
	}
	return nil
}

func (c *Client) deleteOne(ctx context.Context, id int64, mid int) error {
	if err := c.pace(ctx, id); err != nil {
		return err
	}
	_, err := c.request(ctx, "deleteMessage", tgbotapi.Params{"chat_id": strconv.FormatInt(id, 10), "message_id": strconv.Itoa(mid)})
	te, ok := apiError(err)
	switch {
	case err == nil:
		return nil
	case ok && te.Code == 400 && strings.Contains(te.Message, "message to delete not found"):
		return nil
	case ok && te.Code == 400 && strings.Contains(te.Message, "message can't be deleted"):
		return &bot.SendError{Failure: bot.Rejected, Err: fmt.Errorf("telegram: %w: %s", bot.ErrCannotDelete, te.Message)}
	}
	return classify(err)
}

// ids parses a chat id and a stored message id: one message, or a
// picture post's photo and text (second is 0 for one).
func ids(chat, messageID string) (int64, int, int, error) {
	id, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return 0, 0, 0, &bot.SendError{Failure: bot.ChannelGone, Err: fmt.Errorf("telegram: %q is not a chat id", chat)}
	}
	mid, second, err := splitID(messageID)
	if err != nil {
		return 0, 0, 0, &bot.SendError{Failure: bot.Rejected, Err: err}
	}
	return id, mid, second, nil
}

// pace waits for chat's turn as Send does, or says how long it is.
func (c *Client) pace(ctx context.Context, chat int64) error {
	if err := c.pacer.wait(ctx, chat, maxSendWait); err != nil {
		var tl *tooLong
		if errors.As(err, &tl) {
			return &bot.SendError{Failure: bot.Temporary, RetryAfter: tl.wait, Err: err}
		}
		return &bot.SendError{Failure: bot.Temporary, Err: fmt.Errorf("telegram: waiting to edit: %w", err)}
	}
	return nil
}

// editPaced edits a message's text (or caption) to o after waiting for
// the chat's turn, resending it as plain text if Telegram cannot parse
// its HTML.
func (c *Client) editPaced(ctx context.Context, chat int64, messageID int, o outgoing, caption bool) error {
	try := func(html bool) error {
		if err := c.pace(ctx, chat); err != nil {
			return err
		}
		p := tgbotapi.Params{"chat_id": strconv.FormatInt(chat, 10), "message_id": strconv.Itoa(messageID)}
		text := o.plain
		if html {
			text, p["parse_mode"] = o.html, tgbotapi.ModeHTML
		}
		method := "editMessageText"
		if caption {
			method, p["caption"] = "editMessageCaption", text
		} else {
			p["text"] = text
			addPreview(p, o.preview)
		}
		if err := addMarkup(p, o.keyboard); err != nil {
			return err
		}
		_, err := c.request(ctx, method, p)
		return err
	}
	err := try(true)
	if err != nil && parseError(err) {
		err = try(false)
	}
	return err
}

// deliver sends first, falling back to plain text on a parse error and,
// if first is a photo Telegram refuses, to textOnly.
func (c *Client) deliver(ctx context.Context, chat int64, first, textOnly outgoing) (int, error) {
	id, err := c.sendHTMLOrPlain(ctx, chat, first)
	if err == nil || first.method != "sendPhoto" {
		return id, err
	}
	if te, ok := apiError(err); ok && te.Code == 400 && te.MigrateToChatID == 0 && !containsAny(te.Message, goneMessages) {
		c.log.Warn("photo refused; sending the card as text", "chat", chat, "err", err)
		textOnly.replyTo, textOnly.strictReply = first.replyTo, first.strictReply
		return c.sendHTMLOrPlain(ctx, chat, textOnly)
	}
	return id, err
}

func (c *Client) sendHTMLOrPlain(ctx context.Context, chat int64, o outgoing) (int, error) {
	m, err := c.sendMessageHTMLOrPlain(ctx, chat, o)
	return m.MessageID, err
}

// postMessage sends one message after waiting for its slot, and returns
// it as Telegram made it.
func (c *Client) postMessage(ctx context.Context, chat int64, o outgoing, html bool) (tgbotapi.Message, error) {
	var m tgbotapi.Message
	if err := c.pacer.wait(ctx, chat, o.maxWait); err != nil {
		var tl *tooLong
		if errors.As(err, &tl) {
			return m, &bot.SendError{Failure: bot.Temporary, RetryAfter: tl.wait, Err: err}
		}
		return m, fmt.Errorf("telegram: waiting to send: %w", err)
	}
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chat, 10)}
	text := o.plain
	if html {
		text = o.html
		p["parse_mode"] = tgbotapi.ModeHTML
	}
	if o.method == "sendPhoto" {
		if o.file == nil {
			p["photo"] = o.photo
		}
		if text != "" {
			p["caption"] = text
		}
	} else {
		p["text"] = text
		addPreview(p, o.preview)
	}
	if err := addMarkup(p, o.keyboard); err != nil {
		return m, err
	}
	switch {
	case o.replyTo != 0 && o.strictReply:
		p["reply_parameters"] = fmt.Sprintf(`{"message_id":%d}`, o.replyTo)
	case o.replyTo != 0:
		p["reply_to_message_id"] = strconv.Itoa(o.replyTo)
		p["allow_sending_without_reply"] = "true"
	}
	var res json.RawMessage
	var err error
	if o.file != nil {
		res, err = c.upload(ctx, o.method, p, o.file)
	} else {
		res, err = c.request(ctx, o.method, p)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(res, &m); err != nil {
		return m, fmt.Errorf("telegram: %s: reading the reply: %w", o.method, err)
	}
	return m, nil
}

// addPreview asks for the link preview of url above the text (Bot API
// 7.0 link_preview_options, which v5.5.1 of the library predates), or for
// none; disable_web_page_preview says the same to older servers.
func addPreview(p tgbotapi.Params, url string) {
	if url == "" {
		p["disable_web_page_preview"] = "true"
		p["link_preview_options"] = `{"is_disabled":true}`
		return
	}
	b, _ := json.Marshal(map[string]any{"url": url, "prefer_large_media": true, "show_above_text": true})
	p["link_preview_options"] = string(b)
}

func addMarkup(p tgbotapi.Params, kb *tgbotapi.InlineKeyboardMarkup) error {
	if kb == nil {
		return nil
	}
	b, err := json.Marshal(kb)
	if err != nil {
		return fmt.Errorf("telegram: keyboard: %w", err)
	}
	p["reply_markup"] = string(b)
	return nil
}

// maxSendWait is the longest Send waits for its chat's turn.
const maxSendWait = 2 * time.Second

// maxReplyWait bounds how long a command's reply waits out 429s.
const maxReplyWait = time.Minute

// reply answers a command in chat, as a reply to message replyTo.
func (c *Client) reply(ctx context.Context, chat int64, replyTo int, r bot.Reply) {
	if r.Text == "" && r.Card == nil {
		return
	}
	first, textOnly := compose(r.Lang, r.Text, false, r.Card, r.Choices)
	if r.Wrote != "" {
		first.keyboard = wroteKeyboard(r.Lang, r.Wrote)
		textOnly.keyboard = first.keyboard
	}
	first.replyTo, textOnly.replyTo = replyTo, replyTo
	// A card with its picture goes out as a picture post; a retry after
	// its photo went out sends only the rest.
	picture := bot.Message{Lead: r.Text, Card: r.Card, Lang: r.Lang, Image: r.Image}
	picture.Progress = func(part string) { picture.Resume = part }
	waited := time.Duration(0)
	for {
		var err error
		if picture.Image != nil && picture.Card != nil && r.Wrote == "" {
			_, err = c.sendPicture(ctx, chat, picture, replyTo, false)
			if errors.Is(err, errNoPicture) {
				picture.Image = nil
				continue
			}
		} else {
			_, err = c.deliver(ctx, chat, first, textOnly)
		}
		if err == nil || ctx.Err() != nil {
			return
		}
		se := classify(err)
		if se.Failure == bot.Temporary && se.RetryAfter > 0 && waited+se.RetryAfter <= maxReplyWait {
			c.log.Info("reply throttled; waiting", "chat", chat, "retry_after", se.RetryAfter)
			waited += se.RetryAfter
			if bot.Sleep(ctx, se.RetryAfter) != nil {
				return
			}
			continue
		}
		c.log.Warn("reply failed", "chat", chat, "err", se)
		return
	}
}

var (
	_ bot.Editor  = (*Client)(nil)
	_ bot.Deleter = (*Client)(nil)
)
