package telegram

import (
	"context"
	"errors"
	"github.com/vigil-bot/vigil/internal/testutil"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/scheduler"
	"github.com/vigil-bot/vigil/store"
)

// longAlert is an alert whose text with the card exceeds a caption.
var longAlert = "Free her now. " + strings.Repeat("She has been held without charge for months. ", 21)

// postIDs returns the stored message ids of the first n posts.
func postIDs(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	var out []string
	for id := int64(1); id <= int64(n); id++ {
		p, err := st.Post(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.MessageID)
	}
	return out
}

// TestPictureAlertFanOut checks the issue's "an alert in the Telegram fake
// arrives as a photo with buttons": to six chats, one rendering, one
// upload and five sends of its file_id (the largest size); a short alert
// is one photo with the whole card as its caption.
func TestPictureAlertFanOut(t *testing.T) {
	t.Parallel()
	pics := &testutil.Pictures{}
	hs := newHarness(t, harnessOpts{pictures: pics})
	chats := hs.subscribeChats(6)
	if !strings.Contains(hs.editorSays("/alert amira-testova Free her now"), "queued for 6 channels") {
		t.Fatal("alert not queued")
	}
	waitPosts(t, hs.st, 6)
	for _, c := range chats {
		msgs := hs.tg.Messages(c.ID)
		if len(msgs) != 1 {
			t.Fatalf("chat %d: %d messages; want 1 photo", c.ID, len(msgs))
		}
		m := msgs[0]
		if m.Method != "sendPhoto" || m.PhotoWidth != 400 || m.PhotoHeight != 210 {
			t.Errorf("chat %d: %s of %dx%d; want the 400x210 card as a photo", c.ID, m.Method, m.PhotoWidth, m.PhotoHeight)
		}
		if !strings.Contains(m.Text, "URGENT: Free her now") || !strings.Contains(m.Text, "Amira Testova") || m.ParseMode != "HTML" {
			t.Errorf("chat %d: caption %q (%s); want the alert and the card", c.ID, m.Text, m.ParseMode)
		}
		if len(m.Keyboard) != 1 || m.Keyboard[0][0].URL == nil || *m.Keyboard[0][0].URL != "https://example.org/amira?a=1&b=2" {
			t.Errorf("chat %d: keyboard %+v; want the petition button", c.ID, m.Keyboard)
		}
	}
	if up, re := hs.tg.Uploads(), hs.tg.Reuses(); up != 1 || re != 5 {
		t.Errorf("%d uploads, %d file_id sends; want 1 and 5", up, re)
	}
	if up, re := hs.client.PictureStats(); up != 1 || re != 5 {
		t.Errorf("client: %d uploads, %d reuses; want 1 and 5", up, re)
	}
	if n := pics.Count(); n != 1 {
		t.Errorf("the picture was rendered %d times; want once", n)
	}
	for i, id := range postIDs(t, hs.st, 6) {
		if strings.Contains(id, ",") || id == "" {
			t.Errorf("post %d: message id %q; want the photo's alone", i+1, id)
		}
	}
}

// TestPictureLongCard checks that a card that does not fit a caption goes
// out as the photo with a short caption and the buttons, then the text
// card; and that a follow-up answers the photo, a correction edits both,
// and a retraction deletes both.
func TestPictureLongCard(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}})
	chats := hs.subscribeChats(3)
	reply := hs.editorSays("/alert amira-testova " + longAlert)
	m := alertIDRE.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("/alert: %q", reply)
	}
	id := m[1]
	waitPosts(t, hs.st, 3)
	for _, c := range chats {
		msgs := hs.tg.Messages(c.ID)
		if len(msgs) != 2 || msgs[0].Method != "sendPhoto" || msgs[1].Method != "sendMessage" {
			t.Fatalf("chat %d: %d messages; want a photo and a text", c.ID, len(msgs))
		}
		photo, text := msgs[0], msgs[1]
		if telegramtest.Length(photo.Text) > telegramtest.MaxCaption || !strings.Contains(photo.Text, "URGENT: Free her now.") ||
			!strings.Contains(photo.Text, "Amira Testova") || len(photo.Keyboard) != 1 {
			t.Errorf("chat %d: caption %q %+v; want the alert, the name and the button within 1024", c.ID, photo.Text, photo.Keyboard)
		}
		if !strings.Contains(text.Text, "Amira Testova") || strings.Contains(text.Text, "URGENT") {
			t.Errorf("chat %d: text %q; want the card without the alert", c.ID, text.Text)
		}
	}
	for i, mid := range postIDs(t, hs.st, 3) {
		if strings.Count(mid, ",") != 1 {
			t.Errorf("post %d: message id %q; want photo,text", i+1, mid)
		}
	}

	hs.editorSays("/alert --follow-up " + id + " He was moved to hospital")
	quiet(t, hs.st)
	for _, c := range chats {
		msgs := hs.tg.Messages(c.ID)
		if len(msgs) != 3 || msgs[2].ReplyTo != msgs[0].MessageID {
			t.Errorf("chat %d: follow-up replying to %d; want the photo (%d)", c.ID, msgs[len(msgs)-1].ReplyTo, msgs[0].MessageID)
		}
	}

	hs.editorSays("/alert --correct " + id + " Free her today")
	quiet(t, hs.st)
	for _, c := range chats {
		msgs := hs.tg.Messages(c.ID)
		photo, text := msgs[0], msgs[1]
		if photo.Edits != 1 || !strings.Contains(photo.Text, "URGENT: Free her today") || strings.Contains(photo.Text, "held without charge") ||
			len(photo.Keyboard) != 1 || photo.Params.Get("caption") == "" {
			t.Errorf("chat %d: caption after the correction (%d edits) %q; want the new alert with its button", c.ID, photo.Edits, photo.Text)
		}
		if !strings.Contains(text.Text, "Amira Testova") {
			t.Errorf("chat %d: text after the correction %q; want the card", c.ID, text.Text)
		}
	}

	hs.editorSays("/retract " + id)
	quiet(t, hs.st)
	wantAllDeleted(t, hs.tg, chats)
	if n := hs.tg.Deletions(); n != 9 {
		t.Errorf("%d deletions; want 9 (photo, text and follow-up in 3 chats)", n)
	}
}

// TestPictureWithdrawnTooOld checks a retraction of a photo-and-text post
// older than Telegram lets bots delete: both are edited to say so.
func TestPictureWithdrawnTooOld(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}})
	chats := hs.subscribeChats(1)
	id := alertIDRE.FindStringSubmatch(hs.editorSays("/alert amira-testova " + longAlert))[1]
	waitPosts(t, hs.st, 1)
	hs.tg.Advance(telegramtest.MaxDeleteAge + time.Hour)
	hs.editorSays("/retract " + id)
	quiet(t, hs.st)
	msgs := hs.tg.Messages(chats[0].ID)
	if len(msgs) != 2 {
		t.Fatalf("%d messages; want 2", len(msgs))
	}
	for _, m := range msgs {
		if m.Deleted || m.Edits != 1 || strings.Contains(m.Text, "Amira") || m.Text == "" {
			t.Errorf("message %d (%s): %q, %d edits; want it edited to the withdrawal", m.MessageID, m.Method, m.Text, m.Edits)
		}
	}
}

// TestPictureFailureFallsBack checks that a picture that cannot be posted
// never blocks the post: a rendering error, and a file Telegram refuses,
// give the text card with its buttons.
func TestPictureFailureFallsBack(t *testing.T) {
	t.Parallel()
	for name, pics := range map[string]*testutil.Pictures{
		"render error": {Err: errors.New("no fonts")},
		"refused":      {Data: []byte("not a picture at all")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, harnessOpts{pictures: pics})
			chats := hs.subscribeChats(2)
			hs.editorSays("/alert amira-testova Free her now")
			waitPosts(t, hs.st, 2)
			for _, c := range chats {
				msgs := hs.tg.Messages(c.ID)
				if len(msgs) != 1 || msgs[0].Method != "sendMessage" || !strings.Contains(msgs[0].Text, "URGENT: Free her now") ||
					len(msgs[0].Keyboard) != 1 {
					t.Fatalf("chat %d: %+v; want the text card with its button", c.ID, msgs)
				}
			}
			if hs.tg.Uploads() != 0 {
				t.Errorf("%d uploads accepted; want none", hs.tg.Uploads())
			}
			if !strings.Contains(hs.logs.String(), "sending the text card") && !strings.Contains(hs.logs.String(), "sending the card as text") {
				t.Errorf("the fallback is not logged:\n%s", hs.logs.String())
			}
		})
	}
}

// TestPicturesOff checks that a channel's /settings images off, and
// images: false in the config, give text cards without rendering.
func TestPicturesOff(t *testing.T) {
	t.Parallel()
	pics := &testutil.Pictures{}
	hs := newHarness(t, harnessOpts{pictures: pics})
	chats := hs.subscribeChats(2)
	admin := telegramtest.User{ID: 77}
	hs.tg.SetMember(chats[0], admin.ID, "administrator")
	if got := hs.say(chats[0], admin.ID, "/settings images off").Text; !strings.Contains(got, "Pictures with posts (share cards): off") {
		t.Fatalf("/settings images off: %q", got)
	}
	if got := hs.say(chats[0], admin.ID, "/subscriptions").Text; !strings.Contains(got, "share cards): off") {
		t.Errorf("/subscriptions: %q; want images off", got)
	}
	hs.editorSays("/alert amira-testova Free her now")
	waitPosts(t, hs.st, 2)
	if m := hs.tg.Messages(chats[0].ID); m[len(m)-1].Method != "sendMessage" || !strings.Contains(m[len(m)-1].Text, "URGENT") {
		t.Errorf("images off: %s %q; want the text card", m[len(m)-1].Method, m[len(m)-1].Text)
	}
	if m := hs.tg.Messages(chats[1].ID); len(m) != 1 || m[0].Method != "sendPhoto" {
		t.Errorf("images on: %+v; want a photo", m)
	}

	hs.cfg.Images = false
	calls := pics.Count()
	hs.editorSays("/alert leyla-testova Free her too")
	waitPosts(t, hs.st, 4)
	if m := hs.tg.Messages(chats[1].ID); len(m) != 2 || m[1].Method != "sendMessage" {
		t.Errorf("images: false in the config: %+v; want a text card", m)
	}
	// The channel that chose images off keeps them off; nothing rendered.
	if pics.Count() != calls {
		t.Errorf("rendered %d pictures with images off; want none", pics.Count()-calls)
	}
}

// TestPictureFileIDForgotten checks that a file_id Telegram refuses is
// replaced by a fresh upload.
func TestPictureFileIDForgotten(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}})
	hs.subscribeChats(1)
	hs.editorSays("/alert amira-testova Free her now")
	waitPosts(t, hs.st, 1)
	hs.tg.ForgetFiles()
	more := hs.subscribeChats(2)[1:]
	hs.editorSays("/alert amira-testova Free her now")
	waitPosts(t, hs.st, 3)
	if up := hs.tg.Uploads(); up != 2 {
		t.Errorf("%d uploads; want 2 (the first, and again after Telegram forgot the file)", up)
	}
	if m := hs.tg.Messages(more[0].ID); len(m) != 1 || m[0].Method != "sendPhoto" {
		t.Errorf("%+v; want a photo", m)
	}
	if !strings.Contains(strings.Join(hs.tg.Errors(), "\n"), "wrong file identifier") {
		t.Errorf("errors %q; want a refused file_id", hs.tg.Errors())
	}
}

// TestPictureTextRetried checks that a text card Telegram fails to take
// after the photo is retried alone: the photo is not posted twice.
func TestPictureTextRetried(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}})
	chats := hs.subscribeChats(1)
	hs.tg.FailNext("sendMessage", 502, "Bad Gateway", 0)
	if _, n, err := hs.st.QueueAlert(context.Background(), "amira-testova", longAlert, "test", time.Now()); err != nil || n != 1 {
		t.Fatalf("QueueAlert: %d, %v", n, err)
	}
	waitPosts(t, hs.st, 1)
	msgs := hs.tg.Messages(chats[0].ID)
	if len(msgs) != 2 || msgs[0].Method != "sendPhoto" || msgs[1].Method != "sendMessage" {
		t.Fatalf("%d messages; want one photo and one text", len(msgs))
	}
	if n := hs.tg.Calls("sendPhoto"); n != 1 {
		t.Errorf("sendPhoto called %d times; want once", n)
	}
	if ids := postIDs(t, hs.st, 1); ids[0] != itoa(int64(msgs[0].MessageID))+","+itoa(int64(msgs[1].MessageID)) {
		t.Errorf("message id %q; want photo,text", ids[0])
	}
}

// crashing is a Platform that stops its goroutine once the first part of
// a post is recorded, as a process killed between the photo and the text
// would.
type crashing struct {
	*Client
}

func (c crashing) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	progress := msg.Progress
	msg.Progress = func(part string) {
		progress(part)
		runtime.Goexit()
	}
	return c.Client.Send(ctx, chat, msg)
}

// TestPictureCrashBetweenParts checks the restart after a crash between
// the photo and the text: the post was left sending with the photo's id;
// the next start requeues it and sends the text alone.
func TestPictureCrashBetweenParts(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}, noRun: true})
	ctx := context.Background()
	chats := hs.subscribeChats(1)
	if _, n, err := hs.st.QueueAlert(ctx, "amira-testova", longAlert, "test", time.Now()); err != nil || n != 1 {
		t.Fatalf("QueueAlert: %d, %v", n, err)
	}
	d := &scheduler.Delivery{Store: hs.st, Composer: hs.h, Platforms: map[string]bot.Platform{Name: crashing{hs.client}},
		Log: hs.client.log, Now: time.Now, SendTimeout: 10 * time.Second}
	d.Tick(ctx)
	p, err := hs.st.Post(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	msgs := hs.tg.Messages(chats[0].ID)
	if p.State != store.Sending || len(msgs) != 1 || p.MessageID != itoa(int64(msgs[0].MessageID)) {
		t.Fatalf("after the crash: post %s with %q, %d messages; want sending with the photo's id", p.State, p.MessageID, len(msgs))
	}

	// The next start.
	d = &scheduler.Delivery{Store: hs.st, Composer: hs.h, Platforms: map[string]bot.Platform{Name: hs.client},
		Log: hs.client.log, Now: time.Now, Poll: 20 * time.Millisecond, SendTimeout: 10 * time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	waitPosts(t, hs.st, 1)
	cancel()
	<-done
	msgs = hs.tg.Messages(chats[0].ID)
	if len(msgs) != 2 || msgs[0].Method != "sendPhoto" || msgs[1].Method != "sendMessage" || hs.tg.Calls("sendPhoto") != 1 {
		t.Fatalf("after the restart: %d messages, %d photos sent; want the photo once and the text", len(msgs), hs.tg.Calls("sendPhoto"))
	}
	if p, _ := hs.st.Post(ctx, 1); p.MessageID != itoa(int64(msgs[0].MessageID))+","+itoa(int64(msgs[1].MessageID)) {
		t.Errorf("message id %q; want photo,text", p.MessageID)
	}
}

// TestPictureCaseReply checks that /case answers with the card's picture
// as a photo, answering the command, with the card as its caption.
func TestPictureCaseReply(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}})
	dm := telegramtest.Private(9)
	m := hs.say(dm, 9, "/case amira-testova")
	if m.Method != "sendPhoto" || !m.Upload || !strings.Contains(m.Text, "Amira Testova") || len(m.Keyboard) != 1 || m.ReplyTo == 0 {
		t.Errorf("/case: %s %q %+v reply to %d; want the card as a photo answering the command", m.Method, m.Text, m.Keyboard, m.ReplyTo)
	}
	// A card too long for a caption: the photo, then the text card.
	hs.say(dm, 9, "/case zara-fiktiva")
	msgs := hs.tg.WaitMessages(dm.ID, 3, waitLong)
	if len(msgs) != 3 || msgs[1].Method != "sendPhoto" || msgs[2].Method != "sendMessage" || !strings.Contains(msgs[2].Text, "Sources:") ||
		telegramtest.Length(msgs[1].Text) > telegramtest.MaxCaption {
		t.Errorf("/case of a long card: %d messages; want a photo then the text card", len(msgs))
	}
}

// TestPictureThrottled checks that a 429 on the upload is retried as any
// post: the photo arrives once.
func TestPictureThrottled(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, harnessOpts{pictures: &testutil.Pictures{}})
	chats := hs.subscribeChats(1)
	hs.tg.Throttle(chats[0], 1)
	if _, n, err := hs.st.QueueAlert(context.Background(), "amira-testova", "Free her now", "test", time.Now()); err != nil || n != 1 {
		t.Fatalf("QueueAlert: %d, %v", n, err)
	}
	waitPosts(t, hs.st, 1)
	msgs := hs.tg.Messages(chats[0].ID)
	if len(msgs) != 1 || msgs[0].Method != "sendPhoto" || !msgs[0].Upload || hs.tg.TooMany() != 1 || hs.tg.Uploads() != 1 {
		t.Errorf("%d messages, %d 429s, %d uploads; want the photo once after the 429", len(msgs), hs.tg.TooMany(), hs.tg.Uploads())
	}
}
