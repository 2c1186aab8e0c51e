package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// Pictures renders a case's share card as PNG: *card.Cache is one. It
// must be safe for concurrent use.
type Pictures interface {
	PNG(c *cases.Case, o card.Options) ([]byte, error)
}

// Image is a picture to post with a message. Key names its content
// (case, the case's data, language, size, day, public URL), so that a
// platform can upload a picture once and reuse the upload for every
// message with the same Key; PNG renders it on first use.
type Image struct {
	Key string
	PNG func(ctx context.Context) ([]byte, error)
}

// Render returns the picture as PNG bytes, or an error when it cannot be
// rendered or is empty or larger than MaxImageBytes: then the post goes
// as its text card.
func (img *Image) Render(ctx context.Context) ([]byte, error) {
	png, err := img.PNG(ctx)
	switch {
	case err != nil:
		return nil, fmt.Errorf("picture %s: %w", img.Key, err)
	case len(png) == 0 || len(png) > MaxImageBytes:
		return nil, fmt.Errorf("picture %s: %d bytes; a platform takes 1 to %d", img.Key, len(png), MaxImageBytes)
	}
	return png, nil
}

// ImageName is the file name a picture is uploaded under.
const ImageName = "card.png"

// MaxImageBytes is the largest picture a platform is given: Telegram
// takes photos of up to 10 MB, Discord attachments of up to 10 MiB
// without a boosted server; a share card is a few hundred kB.
const MaxImageBytes = 10 << 20

// picture returns the share card of c for the channel's language and
// day, rendered at most once for all the messages of a fan-out; nil when
// there is no renderer or the channel's posts go without pictures
// (ImagesOn).
func (h *Handler) picture(c *cases.Case, ch store.Channel) *Image {
	if h.Pictures == nil || !h.ImagesOn(ch) {
		return nil
	}
	lang, today := ch.Language, h.today(ch)
	o := card.Options{Lang: lang, Size: card.OG, Today: today, PublicURL: h.Config.HTTP.PublicURL}
	key := c.ID + "/" + contentHash(c) + "/" + lang + "/" + string(o.Size) + "/" + today.String()
	if o.PublicURL != "" {
		key += "/" + shortHash(o.PublicURL)
	}
	return &Image{Key: key, PNG: func(context.Context) ([]byte, error) {
		return h.pictures.get(key, func() ([]byte, error) { return h.Pictures.PNG(c, o) })
	}}
}

// contentHash names the data of c a card is drawn from.
func contentHash(c *cases.Case) string {
	b, err := json.Marshal(c)
	if err != nil {
		return "x"
	}
	return shortHash(string(b))
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// pictureMemo keeps the last few rendered pictures, so that a fan-out
// to many channels renders each picture once even on a platform that
// uploads it to every channel (Discord). Concurrent callers of one key
// wait for a single rendering.
type pictureMemo struct {
	mu    sync.Mutex
	items map[string]*memoItem
	order []string
}

type memoItem struct {
	done chan struct{}
	png  []byte
	err  error
}

// memoSize bounds the memo: a fan-out renders one picture per language
// and case, a share card is a few hundred kB.
const memoSize = 16

func (m *pictureMemo) get(key string, render func() ([]byte, error)) ([]byte, error) {
	m.mu.Lock()
	if m.items == nil {
		m.items = map[string]*memoItem{}
	}
	it, ok := m.items[key]
	if !ok {
		it = &memoItem{done: make(chan struct{})}
		m.items[key] = it
		m.order = append(m.order, key)
		if len(m.order) > memoSize {
			delete(m.items, m.order[0])
			m.order = m.order[1:]
		}
	}
	m.mu.Unlock()
	if ok {
		<-it.done
		return it.png, it.err
	}
	// A failure is kept like a picture: rendering is a function of the
	// key, so the other messages of the fan-out go as text cards at once
	// rather than each failing again.
	it.png, it.err = render()
	close(it.done)
	return it.png, it.err
}

// ImagesOn reports whether posts to ch carry the share card: the
// channel's own choice (/settings images on|off), else the config's
// images setting.
func (h *Handler) ImagesOn(ch store.Channel) bool {
	if ch.Images != nil {
		return *ch.Images
	}
	return h.Config.Images
}
