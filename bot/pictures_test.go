package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// countingPictures renders a fixed picture and counts its calls.
type countingPictures struct {
	mu    sync.Mutex
	calls int
	opts  []card.Options
	err   error
}

func (p *countingPictures) PNG(c *cases.Case, o card.Options) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	p.opts = append(p.opts, o)
	return []byte("png:" + c.ID + ":" + o.Lang), p.err
}

// TestComposePictures checks that posts about a case carry its picture
// with a stable key, rendered once for all channels of a language, and
// none where images are off; a digest or follow-up carries none.
func TestComposePictures(t *testing.T) {
	h, _ := newTestHandler(t)
	pics := &countingPictures{}
	h.Pictures = pics
	h.Config.HTTP.PublicURL = "https://vigil.example.org"
	ctx := context.Background()
	alert := store.Post{Key: "a1", Kind: store.KindAlert, CaseID: "amira-testova",
		Payload: store.EncodePayload(store.AlertPayload{AlertID: 1, Message: "Act"})}
	ch := func(chat, lang string, images *bool) store.Channel {
		c := h.Defaults("telegram", chat)
		c.Language, c.Images = lang, images
		return c
	}
	var keys []string
	for i, c := range []store.Channel{ch("-1", "en", nil), ch("-2", "en", nil), ch("-3", "en", new(true)), ch("-4", "de", nil)} {
		msg, err := h.Compose(ctx, alert, c)
		if err != nil {
			t.Fatal(err)
		}
		if msg.Image == nil {
			t.Fatalf("channel %d: no picture", i)
		}
		png, err := msg.Image.PNG(ctx)
		if err != nil || string(png) != "png:amira-testova:"+c.Language {
			t.Errorf("channel %d: %q, %v", i, png, err)
		}
		keys = append(keys, msg.Image.Key)
	}
	if keys[0] != keys[1] || keys[0] != keys[2] || keys[0] == keys[3] || !strings.HasPrefix(keys[0], "amira-testova/") ||
		!strings.Contains(keys[0], "/en/og/2026-11-27/") {
		t.Errorf("keys %q; want one for English and another for German", keys)
	}
	if pics.calls != 2 {
		t.Errorf("rendered %d times for 3 English and 1 German channel; want 2", pics.calls)
	}
	if o := pics.opts[0]; o.Size != card.OG || o.Today.String() != "2026-11-27" || o.PublicURL != "https://vigil.example.org" || o.Lang != "en" {
		t.Errorf("options %+v", o)
	}
	if msg, _ := h.Compose(ctx, alert, ch("-5", "en", new(false))); msg.Image != nil {
		t.Errorf("images off in the channel: a picture")
	}
	h.Config.Images = false
	if msg, _ := h.Compose(ctx, alert, ch("-6", "en", nil)); msg.Image != nil {
		t.Errorf("images: false in the config: a picture")
	}
	if msg, _ := h.Compose(ctx, alert, ch("-7", "en", new(true))); msg.Image == nil {
		t.Errorf("images on in the channel, off in the config: no picture; the channel's choice wins")
	}
	follow := store.Post{Key: "f1", Kind: store.KindAlertFollowUp, CaseID: "amira-testova",
		Payload: store.EncodePayload(store.AlertOpPayload{Message: "More"})}
	if msg, err := h.Compose(ctx, follow, ch("-1", "en", new(true))); err != nil || msg.Image != nil {
		t.Errorf("follow-up: %+v, %v; want no picture", msg.Image, err)
	}

	// A failed rendering is kept for the fan-out: one try.
	h2, _ := newTestHandler(t)
	bad := &countingPictures{err: errors.New("no fonts")}
	h2.Pictures = bad
	for _, chat := range []string{"-1", "-2", "-3"} {
		msg, _ := h2.Compose(ctx, alert, ch(chat, "en", nil))
		if _, err := msg.Image.PNG(ctx); err == nil {
			t.Errorf("a failed rendering succeeded")
		}
	}
	if bad.calls != 1 {
		t.Errorf("a failing picture was rendered %d times; want once", bad.calls)
	}
}

// TestSettingsImages checks /settings images on|off in text form (words
// in any order, with other settings) and as Discord's option choice, and
// what /settings and /subscriptions say.
func TestSettingsImages(t *testing.T) {
	h, st := newTestHandler(t)
	ctx := context.Background()
	text := func(args string) Reply {
		return h.Handle(ctx, Request{Platform: "telegram", Chat: "-100", User: "7", Command: "settings",
			Options: ParseOptions("settings", args), IsAdmin: admin(true)})
	}
	if r := text("images off"); r.Private || !strings.Contains(r.Text, "Pictures with posts (share cards): off") {
		t.Errorf("/settings images off: %q", r.Text)
	}
	if ch, err := st.Channel(ctx, "telegram", "-100"); err != nil || ch.Images == nil || *ch.Images {
		t.Errorf("stored %+v, %v; want images off", ch.Images, err)
	}
	if r := text("de IMAGES on 09:30"); !strings.Contains(r.Text, "Sprache de") || !strings.Contains(r.Text, "Bilder zu Beiträgen (Share-Cards): an") {
		t.Errorf("/settings de images on 09:30: %q", r.Text)
	}
	if ch, _ := st.Channel(ctx, "telegram", "-100"); ch.Images == nil || !*ch.Images || ch.PostTime != "09:30" {
		t.Errorf("stored %+v; want images on at 09:30", ch)
	}
	for _, bad := range []string{"images", "images maybe", "images on images off", "on"} {
		if r := text(bad); !r.Private || !strings.Contains(r.Text, "“") && !strings.Contains(r.Text, "„") {
			t.Errorf("/settings %s: %q; want a refusal naming the word", bad, r.Text)
		}
	}
	if ch, _ := st.Channel(ctx, "telegram", "-100"); !*ch.Images {
		t.Errorf("a refused /settings changed images")
	}
	// Discord's option: the choice alone.
	r := h.Handle(ctx, Request{Platform: "discord", Chat: "5", User: "7", Command: "settings",
		Options: map[string]string{"images": "off"}, IsAdmin: admin(true)})
	if !strings.Contains(r.Text, "share cards): off") {
		t.Errorf("Discord images: off: %q", r.Text)
	}
	if r := h.Handle(ctx, Request{Platform: "discord", Chat: "5", User: "7", Command: "settings", IsAdmin: admin(true)}); !strings.Contains(r.Text, "share cards): off") {
		t.Errorf("/settings without words: %q; want the images setting shown", r.Text)
	}
	h.Store.Subscribe(ctx, h.Defaults("discord", "5"), "AZ", testNow)
	if r := h.Handle(ctx, Request{Platform: "discord", Chat: "5", User: "7", Command: "subscriptions"}); !strings.Contains(r.Text, "share cards): off") {
		t.Errorf("/subscriptions: %q; want images off", r.Text)
	}
}

// TestImageRender checks that a picture no platform takes (not rendered,
// empty, over MaxImageBytes) is an error naming its key, and that a good
// one comes back as it is.
func TestImageRender(t *testing.T) {
	ctx := context.Background()
	for name, tt := range map[string]struct {
		png []byte
		err error
		ok  bool
	}{
		"rendered":  {png: []byte("png"), ok: true},
		"largest":   {png: make([]byte, MaxImageBytes), ok: true},
		"too large": {png: make([]byte, MaxImageBytes+1)},
		"empty":     {png: []byte{}},
		"failed":    {err: errors.New("no fonts")},
	} {
		img := &Image{Key: "k1", PNG: func(context.Context) ([]byte, error) { return tt.png, tt.err }}
		png, err := img.Render(ctx)
		switch {
		case tt.ok && (err != nil || len(png) != len(tt.png)):
			t.Errorf("%s: %d bytes, %v; want %d bytes", name, len(png), err, len(tt.png))
		case !tt.ok && (err == nil || png != nil || !strings.Contains(err.Error(), "k1")):
			t.Errorf("%s: %d bytes, %v; want an error naming the key", name, len(png), err)
		}
	}
}
