package discord

import (
	"bytes"
	"context"
	"errors"
	"github.com/vigil-bot/vigil/internal/testutil"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/discord/discordtest"
	"github.com/vigil-bot/vigil/card"
	"github.com/vigil-bot/vigil/cases"
)

// subscribeAZ adds n channels following AZ.
func (e *env) subscribeAZ(n, base int) []string {
	e.t.Helper()
	var chans []string
	for i := range n {
		ch := strconv.Itoa(850000000000000000 + base + i)
		if _, err := e.st.Subscribe(context.Background(), bot.DefaultChannel(e.h.Config, Name, ch), "AZ", time.Now()); err != nil {
			e.t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	return chans
}

// hasPicture reports whether m carries the card as its embed's image.
func hasPicture(t *testing.T, m discordtest.Message) bool {
	t.Helper()
	if len(m.Attachments) != 1 || len(m.Embeds) != 1 || m.Embeds[0].Image == nil {
		return false
	}
	a := m.Attachments[0]
	cfg, err := png.DecodeConfig(bytes.NewReader(a.Data))
	return err == nil && a.Filename == "card.png" && a.ContentType == "image/png" && cfg.Width == 400 &&
		m.Embeds[0].Image.URL == "attachment://card.png"
}

// TestPictureEmbed checks that an alert on Discord carries the card as
// its embed's image, an attachment rendered once for the fan-out; that a
// correction keeps the picture, and a retraction deletes the message.
func TestPictureEmbed(t *testing.T) {
	pics := &testutil.Pictures{}
	e := startWith(t, guildID, discordtest.New(t, discordtest.Options{}), nil, pics)
	chans := e.subscribeAZ(5, 0)
	ed := in(chans[0], editorID, 0)
	m := e.command(ed, "alert", map[string]string{"case": "amira-testova", "message": "Act now"})
	id := alertIDRE.FindStringSubmatch(m.Content)[1]
	e.quiet()
	for _, ch := range chans {
		msgs := e.srv.Messages(ch)
		if len(msgs) != 1 || !hasPicture(t, msgs[0]) || msgs[0].Embeds[0].Title != "Amira Testova" ||
			len(msgs[0].Components) == 0 || !strings.Contains(msgs[0].Content, "Act now") {
			t.Fatalf("%s: %+v; want the alert with the card, its picture and buttons", ch, msgs)
		}
	}
	if n := pics.Count(); n != 1 {
		t.Errorf("the picture was rendered %d times for 5 channels; want once", n)
	}
	if n := e.srv.Stats().Attachments; n != 5 {
		t.Errorf("%d attachments; want 5", n)
	}

	e.command(ed, "alert", map[string]string{"case": "--correct " + id, "message": "Act today"})
	e.quiet()
	for _, ch := range chans {
		a := e.srv.Messages(ch)[0]
		if a.Edits != 1 || !strings.Contains(a.Content, "Act today") || !hasPicture(t, a) {
			t.Errorf("%s: after the correction (%d edits) %q, %d attachments; want the new text with its picture",
				ch, a.Edits, a.Content, len(a.Attachments))
		}
	}
	e.command(ed, "retract", map[string]string{"alert": id})
	e.quiet()
	for _, ch := range chans {
		if m := e.srv.Messages(ch)[0]; !m.Deleted {
			t.Errorf("%s: not deleted", ch)
		}
	}
}

// TestPictureFallbackAndOff checks that a picture that cannot be posted,
// and a channel with images off, get the text card without attachment.
func TestPictureFallbackAndOff(t *testing.T) {
	for name, tt := range map[string]struct {
		pics *testutil.Pictures
		off  bool
	}{
		"render error": {pics: &testutil.Pictures{Err: errors.New("no fonts")}},
		"too large":    {pics: &testutil.Pictures{Data: make([]byte, discordtest.MaxAttachment+1)}},
		"images off":   {pics: &testutil.Pictures{}, off: true},
	} {
		t.Run(name, func(t *testing.T) {
			e := startWith(t, guildID, discordtest.New(t, discordtest.Options{}), nil, tt.pics)
			chans := e.subscribeAZ(2, 100)
			if tt.off {
				admin := in(chans[0], memberID, permManageChannels)
				if m := e.command(admin, "settings", map[string]string{"images": "off"}); !strings.Contains(m.Content, "share cards): off") {
					t.Fatalf("/settings images:off: %q", m.Content)
				}
				if m := e.command(admin, "subscriptions", nil); !strings.Contains(m.Content, "share cards): off") {
					t.Errorf("/subscriptions: %q; want images off", m.Content)
				}
			}
			e.command(in(chans[0], editorID, 0), "alert", map[string]string{"case": "amira-testova", "message": "Act now"})
			e.quiet()
			msgs := e.srv.Messages(chans[0])
			if len(msgs) != 1 || len(msgs[0].Attachments) != 0 || len(msgs[0].Embeds) != 1 || msgs[0].Embeds[0].Image != nil ||
				msgs[0].Embeds[0].Title != "Amira Testova" {
				t.Fatalf("%+v; want the text card without a picture", msgs)
			}
			if tt.off {
				if other := e.srv.Messages(chans[1]); len(other) != 1 || !hasPicture(t, other[0]) {
					t.Errorf("the other channel: %+v; want its picture", other)
				}
			} else if !strings.Contains(e.logs.String(), "sending the text card") {
				t.Errorf("the fallback is not logged")
			}
		})
	}
}

// TestPictureWithdrawn checks that a picture post edited to say it was
// withdrawn loses its picture: nothing of the card lingers.
func TestPictureWithdrawn(t *testing.T) {
	e := start(t, discordtest.Options{})
	ctx := context.Background()
	const ch = "860000000000000001"
	card := &bot.Card{CaseID: "x", Lang: "en", Title: "Amira Testova", Status: "imprisoned"}
	pics := &testutil.Pictures{}
	msg := bot.Message{Lead: "Act", Card: card, Lang: "en", Image: &bot.Image{Key: "k",
		PNG: func(context.Context) ([]byte, error) { return pics.PNG(&cases.Case{ID: "x"}, card0()) }}}
	id, err := e.c.Send(ctx, ch, msg)
	if err != nil {
		t.Fatal(err)
	}
	if m := e.srv.Messages(ch)[0]; !hasPicture(t, m) {
		t.Fatalf("%+v; want the picture", m)
	}
	if err := e.c.Edit(ctx, ch, id, bot.Message{Lead: "withdrawn", Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if m := e.srv.Messages(ch)[0]; len(m.Attachments) != 0 || len(m.Embeds) != 0 {
		t.Errorf("withdrawn: %d attachments, %d embeds; want none", len(m.Attachments), len(m.Embeds))
	}
	// A copy sent without its picture, corrected with one: Discord would
	// not find card.png; the correction goes without the picture.
	id, err = e.c.Send(ctx, ch, bot.Message{Lead: "Act", Card: card, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Edit(ctx, ch, id, msg); err != nil {
		t.Fatalf("correcting a copy without a picture: %v", err)
	}
	if m := e.srv.Messages(ch)[1]; m.Edits != 1 || len(m.Attachments) != 0 || len(m.Embeds) != 1 || m.Embeds[0].Image != nil {
		t.Errorf("corrected: %d edits, %d attachments, %+v; want the card without a picture", m.Edits, len(m.Attachments), m.Embeds)
	}
}

func card0() card.Options { return card.Options{Lang: "en"} }
