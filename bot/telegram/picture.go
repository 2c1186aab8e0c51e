package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
)

// A post with a picture (bot.Message.Image) goes out as a photo with a
// short caption and the action buttons: the lead, the name and country,
// the status. When the whole card fits Telegram's 1,024-character caption
// it is the caption, and the post is one message; else the text card
// follows as a second message, and the post's message id is both ids,
// "photo,text" (partsID). The picture is uploaded once per Image.Key;
// every other chat gets Telegram's file_id of it (fileIDs).
//
// Between the photo and the text the delivery engine is told the photo's
// id (bot.Message.Progress) and records it: a retry, or the next start
// after a crash between the two, passes it back (bot.Message.Resume) and
// only the text goes out. A crash after the photo left Telegram but
// before Progress was recorded can still repeat the photo: that window
// is one HTTP round trip, against a lost text card or a photo posted
// twice on every failed text send.

// errNoPicture says that the picture cannot be posted (not rendered,
// too large, refused by Telegram): the post goes out as the text card.
var errNoPicture = errors.New("telegram: no picture")

// pictureDocs lays out a picture post: the caption, and the text card to
// send after the photo (nil when the whole card is the caption).
func pictureDocs(msg bot.Message) (caption, follow doc) {
	lang := msg.Lang
	if lang == "" {
		lang = msg.Card.Lang
	}
	full := cardDoc(lang, msg.Lead, true, msg.Card, false)
	if full.length(true) <= maxCaption && full.length(false) <= maxCaption {
		return full, nil
	}
	c := msg.Card
	var d doc
	if msg.Lead != "" {
		d = append(d, span{text: msg.Lead, style: "b", cut: true})
		d.add("\n\n")
	}
	d.bold(c.Title)
	if c.Country != "" {
		d.add(" — " + c.Country)
	}
	d.add("\n")
	d.italic(c.Status)
	return d.align(lang), cardDoc(lang, "", false, c, false)
}

// pictureParts lays out a picture post as messages: the photo with its
// caption and the card's buttons, and the text card to send after it
// (nil when the whole card is the caption).
func pictureParts(msg bot.Message) (photo outgoing, follow doc) {
	caption, follow := pictureDocs(msg)
	photo = outgoing{method: "sendPhoto", keyboard: actionKeyboard(msg.Card)}
	photo.html, photo.plain = caption.texts(maxCaption)
	return photo, follow
}

// fileIDs remembers the file_id Telegram gave each uploaded picture, by
// Image.Key, so that a fan-out uploads each picture once. It is bounded:
// the oldest entries go first.
type fileIDs struct {
	mu       sync.Mutex
	ids      map[string]string
	order    []string
	inflight map[string]chan struct{} // uploads under way, closed when done

	uploads, reuses int // for tests and benchmarks
}

// maxFileIDs bounds fileIDs: pictures of a day's posts in every language.
const maxFileIDs = 512

// claim returns the file_id of key's picture if it was uploaded; else,
// if another send is uploading it, waits for that; else returns "" and
// makes the caller the uploader, who must call done.
func (f *fileIDs) claim(ctx context.Context, key string) (id string, err error) {
	for {
		f.mu.Lock()
		if id, ok := f.ids[key]; ok {
			f.mu.Unlock()
			return id, nil
		}
		wait, busy := f.inflight[key]
		if !busy {
			if f.inflight == nil {
				f.inflight = map[string]chan struct{}{}
			}
			f.inflight[key] = make(chan struct{})
			f.mu.Unlock()
			return "", nil
		}
		f.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// done ends the caller's upload of key: with the file_id Telegram gave
// it, or "" when it failed (the next waiter uploads).
func (f *fileIDs) done(key, id string) {
	if id != "" {
		f.put(key, id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch, ok := f.inflight[key]; ok {
		close(ch)
		delete(f.inflight, key)
	}
}

func (f *fileIDs) put(key, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids == nil {
		f.ids = map[string]string{}
	}
	if _, ok := f.ids[key]; !ok {
		f.order = append(f.order, key)
	}
	f.ids[key] = id
	for len(f.order) > maxFileIDs {
		delete(f.ids, f.order[0])
		f.order = f.order[1:]
	}
}

func (f *fileIDs) forget(key, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids[key] == id {
		delete(f.ids, key) // its order entry goes when it comes round
	}
}

func (f *fileIDs) count(upload bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if upload {
		f.uploads++
	} else {
		f.reuses++
	}
}

// PictureStats returns how many pictures the client uploaded and how
// many photos it sent by a file_id of an earlier upload.
func (c *Client) PictureStats() (uploads, reuses int) {
	c.files.mu.Lock()
	defer c.files.mu.Unlock()
	return c.files.uploads, c.files.reuses
}

// partsID joins the ids of a picture post's photo and text.
func partsID(photo, text int) string { return strconv.Itoa(photo) + "," + strconv.Itoa(text) }

// splitID reads a stored message id: one id ("17"), or a picture post's
// photo and text ("17,18"); second is 0 for one.
func splitID(messageID string) (first, second int, err error) {
	a, b, two := strings.Cut(messageID, ",")
	first, err = strconv.Atoi(a)
	if err != nil || first <= 0 {
		return 0, 0, fmt.Errorf("telegram: %q is not a message id", messageID)
	}
	if two {
		second, err = strconv.Atoi(b)
		if err != nil || second <= 0 {
			return 0, 0, fmt.Errorf("telegram: %q is not a message id", messageID)
		}
	}
	return first, second, nil
}

// sendPicture sends msg as a picture post to chat and returns its message
// id, "photo" or "photo,text". errNoPicture means the picture could not
// be posted and nothing was sent: the caller sends the text card.
// A replyTo that is gone fails the send if strict (an alert's
// follow-up), else the photo goes out on its own (a command's answer).
func (c *Client) sendPicture(ctx context.Context, chat int64, msg bot.Message, replyTo int, strict bool) (string, error) {
	photo, follow := pictureParts(msg)
	text := outgoing{method: "sendMessage", maxWait: maxSendWait}
	if follow != nil {
		text.html, text.plain = follow.texts(maxText)
	}
	if msg.Resume != "" {
		// The photo went out in an earlier attempt: only the text is left.
		photo, _, err := splitID(msg.Resume)
		if err != nil {
			return "", &bot.SendError{Failure: bot.Rejected, Err: err}
		}
		if follow == nil {
			return strconv.Itoa(photo), nil
		}
		return c.sendFollow(ctx, chat, photo, text)
	}
	photo.maxWait, photo.replyTo, photo.strictReply = maxSendWait, replyTo, strict
	m, err := c.sendPhoto(ctx, chat, photo, msg.Image)
	if err != nil {
		return "", err
	}
	if follow == nil {
		return strconv.Itoa(m), nil
	}
	if msg.Progress != nil {
		msg.Progress(strconv.Itoa(m))
		// The photo is recorded: rather than wait out the chat's pace
		// for the text, hand the post back for then (bot.ErrRest).
		text.maxWait = restWait
	}
	return c.sendFollow(ctx, chat, m, text)
}

// restWait is the longest a picture post's text waits for its turn after
// the photo before the post is handed back for it (bot.ErrRest).
const restWait = 50 * time.Millisecond

// sendFollow sends the text card after the photo photo and returns the
// post's id, "photo,text". A text Telegram refuses for good leaves the
// post at its photo, logged; a failure worth retrying is returned, and
// the retry sends the text alone (bot.Message.Resume).
func (c *Client) sendFollow(ctx context.Context, chat int64, photo int, text outgoing) (string, error) {
	id, err := c.sendHTMLOrPlain(ctx, chat, text)
	var tl *tooLong
	if err != nil && text.maxWait == restWait && errors.As(err, &tl) {
		return "", &bot.SendError{Failure: bot.Temporary, RetryAfter: tl.wait, Err: fmt.Errorf("telegram: photo %d sent: %w", photo, bot.ErrRest)}
	}
	if err != nil {
		se := classify(err)
		if se.Failure == bot.Rejected {
			c.log.Error("the text card after the photo was refused; the post is its photo alone", "chat", chat, "photo", photo, "err", se)
			return strconv.Itoa(photo), nil
		}
		return "", se
	}
	return partsID(photo, id), nil
}

// sendPhoto sends o with img's picture: by the file_id of an earlier
// upload if there is one (a fresh upload if Telegram no longer knows
// it), else uploaded. It falls back to a plain-text caption if Telegram
// cannot parse the HTML. errNoPicture: the picture was not rendered, is
// too large, or Telegram refused it.
func (c *Client) sendPhoto(ctx context.Context, chat int64, o outgoing, img *bot.Image) (int, error) {
	for try := 0; ; try++ {
		fid, err := c.files.claim(ctx, img.Key)
		if err != nil {
			return 0, &bot.SendError{Failure: bot.Temporary, Err: fmt.Errorf("telegram: waiting for the picture's upload: %w", err)}
		}
		if fid == "" {
			break // this send uploads it
		}
		o.photo = fid
		m, err := c.sendMessageHTMLOrPlain(ctx, chat, o)
		if err == nil {
			c.files.count(false)
			return m.MessageID, nil
		}
		if !badFile(err) {
			return 0, err
		}
		if try > 0 {
			c.log.Error("Telegram refuses the picture's fresh file_id too; sending the text card", "chat", chat, "key", img.Key, "err", err)
			return 0, errNoPicture
		}
		c.log.Warn("Telegram no longer knows the picture's file_id; uploading it again", "chat", chat, "key", img.Key, "err", err)
		c.files.forget(img.Key, fid)
	}
	o.photo = ""
	uploaded := ""
	defer func() { c.files.done(img.Key, uploaded) }()
	png, err := img.Render(ctx)
	if err != nil {
		c.log.Error("the card picture cannot be posted; sending the text card", "chat", chat, "err", err)
		return 0, errNoPicture
	}
	o.file = png
	m, err := c.sendMessageHTMLOrPlain(ctx, chat, o)
	if err != nil {
		if te, ok := apiError(err); ok && te.Code == 400 && te.MigrateToChatID == 0 && !containsAny(te.Message, goneMessages) {
			c.log.Warn("photo refused; sending the card as text", "chat", chat, "err", err)
			return 0, errNoPicture
		}
		return 0, err
	}
	c.files.count(true)
	uploaded = largest(m.Photo)
	return m.MessageID, nil
}

// badFile reports whether Telegram refused a photo's file_id.
func badFile(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == 400 && (strings.Contains(te.Message, "wrong file identifier") ||
		strings.Contains(te.Message, "FILE_REFERENCE") || strings.Contains(te.Message, "wrong remote file"))
}

// largest returns the file_id of the largest size of a photo.
func largest(sizes []tgbotapi.PhotoSize) string {
	best, area := "", -1
	for _, s := range sizes {
		if a := s.Width * s.Height; a > area || (a == area && s.FileSize > 0) {
			best, area = s.FileID, a
		}
	}
	return best
}

// sendMessageHTMLOrPlain is sendHTMLOrPlain returning the whole message.
func (c *Client) sendMessageHTMLOrPlain(ctx context.Context, chat int64, o outgoing) (tgbotapi.Message, error) {
	m, err := c.postMessage(ctx, chat, o, true)
	if err != nil && parseError(err) {
		c.log.Warn("Telegram could not parse the message's HTML; resending it as plain text", "chat", chat, "err", err)
		return c.postMessage(ctx, chat, o, false)
	}
	return m, err
}

// upload calls method with params and the picture png as its photo, as
// multipart/form-data.
func (c *Client) upload(ctx context.Context, method string, params tgbotapi.Params, png []byte) (json.RawMessage, error) {
	api, cancel := c.api(ctx, requestTimeout)
	defer cancel()
	resp, err := api.UploadFiles(method, params, []tgbotapi.RequestFile{{Name: "photo",
		Data: tgbotapi.FileBytes{Name: bot.ImageName, Bytes: png}}})
	if err != nil {
		return nil, fmt.Errorf("telegram: %s: %w", method, redact(err, c.token))
	}
	return resp.Result, nil
}
