package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/telegram/telegramtest"
	"github.com/vigil-bot/vigil/cases"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    bot.SendFailure
		after   time.Duration
		newChat string
	}{
		{"429", &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 7", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 7}}, bot.Temporary, 7 * time.Second, ""},
		{"429 from the upload path", &tgbotapi.Error{Message: "Too Many Requests: retry after 3", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}, bot.Temporary, 3 * time.Second, ""},
		{"429 without parameters", &tgbotapi.Error{Code: 429, Message: "Too Many Requests"}, bot.Temporary, time.Second, ""},
		{"kicked", &tgbotapi.Error{Code: 403, Message: "Forbidden: bot was kicked from the group chat"}, bot.ChannelGone, 0, ""},
		{"blocked, upload path", &tgbotapi.Error{Message: "Forbidden: bot was blocked by the user"}, bot.ChannelGone, 0, ""},
		{"chat not found", &tgbotapi.Error{Code: 400, Message: "Bad Request: chat not found"}, bot.ChannelGone, 0, ""},
		{"no rights", &tgbotapi.Error{Code: 400, Message: "Bad Request: not enough rights to send text messages to the chat"}, bot.ChannelGone, 0, ""},
		{"migrated", &tgbotapi.Error{Code: 400, Message: "Bad Request: group chat was upgraded to a supergroup chat", ResponseParameters: tgbotapi.ResponseParameters{MigrateToChatID: -1001234}}, bot.Moved, 0, "-1001234"},
		// The new id is checked as every chat id is: Telegram has no chat 5e15.
		{"migrated to an impossible id", &tgbotapi.Error{Code: 400, Message: "Bad Request: group chat was upgraded to a supergroup chat", ResponseParameters: tgbotapi.ResponseParameters{MigrateToChatID: 5_000_000_000_000_000}}, bot.Rejected, 0, ""},
		{"too long", &tgbotapi.Error{Code: 400, Message: "Bad Request: message is too long"}, bot.Rejected, 0, ""},
		{"5xx", &tgbotapi.Error{Code: 502, Message: "Bad Gateway"}, bot.Temporary, 0, ""},
		{"401", &tgbotapi.Error{Code: 401, Message: "Unauthorized"}, bot.Temporary, 0, ""},
		{"network", fmt.Errorf("telegram: sendMessage: %w", context.DeadlineExceeded), bot.Temporary, 0, ""},
		{"wrapped", fmt.Errorf("telegram: sendMessage: %w", &tgbotapi.Error{Code: 403, Message: "Forbidden: user is deactivated"}), bot.ChannelGone, 0, ""},
	}
	for _, tt := range tests {
		se := classify(tt.err)
		if se.Failure != tt.want || se.RetryAfter != tt.after || se.NewChat != tt.newChat {
			t.Errorf("%s: classify = %v (retry %v, new %q); want %v (retry %v, new %q)", tt.name, se.Failure, se.RetryAfter, se.NewChat, tt.want, tt.after, tt.newChat)
		}
	}
}

func TestPollBackoff(t *testing.T) {
	tests := []struct {
		failures int
		err      error
		want     time.Duration
	}{
		{1, errors.New("network"), time.Second},
		{3, errors.New("network"), 4 * time.Second},
		{20, errors.New("network"), maxPollBackoff},
		{5, &tgbotapi.Error{Code: 429, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 9}}, 9 * time.Second},
	}
	for _, tt := range tests {
		if got := pollBackoff(tt.failures, tt.err); got != tt.want {
			t.Errorf("pollBackoff(%d, %v) = %v; want %v", tt.failures, tt.err, got, tt.want)
		}
	}
}

func TestPacer(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	p := newPacer(Pace{PerSecond: 20, PerChat: time.Second, GroupPerMinute: 3})
	steps := []struct {
		now  time.Time
		chat int64
		want time.Time
	}{
		{ms(0), 1, ms(0)},
		{ms(0), 2, ms(50)},      // overall: one per 50 ms
		{ms(0), 1, ms(1000)},    // per chat: one a second
		{ms(0), 3, ms(100)},     // the slot at 1000 ms does not hold up chat 3
		{ms(0), -5, ms(150)},    // a group
		{ms(160), -5, ms(1150)}, // a second later
		{ms(1200), -5, ms(2150)},
		{ms(2200), -5, ms(60150)}, // the fourth in a minute waits for the first's minute to end
		{ms(2200), 4, ms(2200)},
		{ms(1010), 1, ms(2000)},
	}
	for i, s := range steps {
		if got := p.reserve(s.now, s.chat); !got.Equal(s.want) {
			t.Errorf("step %d: reserve(%v, %d) = %v; want %v", i, s.now.Sub(t0), s.chat, got.Sub(t0), s.want.Sub(t0))
		}
	}
}

// newSendHarness is a client, not running, against a fake without rate
// limits, for calling Send directly.
func newSendHarness(t *testing.T) *harness {
	return newHarness(t, harnessOpts{noRun: true, limits: &telegramtest.Limits{}, pace: &Pace{}})
}

func TestSendOutcomes(t *testing.T) {
	hs := newSendHarness(t)
	ctx := context.Background()
	card := testCard("Short.")
	card.Photo = &cases.Photo{URL: "https://example.org/amira.jpg", Credit: "© Test"}
	unreachable := testCard("Short.")
	unreachable.Photo = &cases.Photo{URL: "https://unreachable.example.org/a.jpg"}
	ok := telegramtest.Supergroup(-1001, "ok")
	blocked := telegramtest.Private(77)
	old := telegramtest.Group(-3, "old")
	for _, c := range []telegramtest.Chat{ok, blocked, old} {
		hs.tg.AddChat(c)
	}
	hs.tg.Kick(blocked)
	hs.tg.Migrate(old, -1003)

	// A short card with a photo is one photo with the card as caption.
	id, err := hs.client.Send(ctx, "-1001", bot.Message{Kind: "alert", Lead: "URGENT: now", Card: card})
	if err != nil {
		t.Fatal(err)
	}
	m := hs.tg.Messages(ok.ID)
	if len(m) != 1 || m[0].Method != "sendPhoto" || m[0].Photo != card.Photo.URL || id != "1" ||
		!strings.HasPrefix(m[0].Text, "URGENT: now\n\nAmira <b>Testova</b>") || !strings.Contains(m[0].Text, "Photo: © Test") {
		t.Errorf("sent %+v (id %s); want one photo with the card as caption", m, id)
	}
	// A photo Telegram cannot fetch: the card goes out as text.
	if _, err := hs.client.Send(ctx, "-1001", bot.Message{Card: unreachable}); err != nil {
		t.Fatal(err)
	}
	if m := hs.tg.Messages(ok.ID); len(m) != 2 || m[1].Method != "sendMessage" || !strings.Contains(m[1].Text, "Amira") {
		t.Errorf("after a refused photo: %+v; want the card as text", m)
	}
	// A group that lets the bot post text but not photos gets the card
	// as text; it is not paused.
	hs.tg.FailNext("sendPhoto", 400, "Bad Request: not enough rights to send photos to the chat", 0)
	if _, err := hs.client.Send(ctx, "-1001", bot.Message{Card: card}); err != nil {
		t.Fatalf("photo rights refused: %v; want the card sent as text", err)
	}
	if m := hs.tg.Messages(ok.ID); len(m) != 3 || m[2].Method != "sendMessage" || !strings.Contains(m[2].Text, "Amira") {
		t.Errorf("after photo rights refused: %+v; want the card as text", m)
	}
	// A 5xx is temporary; a 429 is temporary with its retry_after.
	hs.tg.Unavailable(1)
	_, err = hs.client.Send(ctx, "-1001", bot.Message{Lead: "x"})
	checkFailure(t, "502", err, bot.Temporary)
	hs.tg.Throttle(ok, 12)
	_, err = hs.client.Send(ctx, "-1001", bot.Message{Lead: "x"})
	if se := checkFailure(t, "429", err, bot.Temporary); se != nil && se.RetryAfter != 12*time.Second {
		t.Errorf("429: retry after %v; want 12s", se.RetryAfter)
	}
	_, err = hs.client.Send(ctx, "77", bot.Message{Lead: "x"})
	if se := checkFailure(t, "blocked", err, bot.ChannelGone); se != nil && se.Err.Error() != "Forbidden: bot was blocked by the user" {
		t.Errorf("blocked: reason %q; want Telegram's description", se.Err)
	}
	_, err = hs.client.Send(ctx, "-3", bot.Message{Lead: "x"})
	if se := checkFailure(t, "migrated", err, bot.Moved); se != nil && se.NewChat != "-1003" {
		t.Errorf("migrated: new chat %q; want -1003", se.NewChat)
	}
	_, err = hs.client.Send(ctx, "-999", bot.Message{Lead: "x"})
	checkFailure(t, "unknown chat", err, bot.ChannelGone)
	_, err = hs.client.Send(ctx, "not-a-number", bot.Message{Lead: "x"})
	checkFailure(t, "bad chat id", err, bot.ChannelGone)
	// A message with nothing to show is refused for good.
	_, err = hs.client.Send(ctx, "-1001", bot.Message{Lead: "   "})
	checkFailure(t, "empty", err, bot.Rejected)
	// A cancelled context ends the wait for a slot.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = hs.client.Send(cctx, "-1001", bot.Message{Lead: "x"})
	checkFailure(t, "cancelled", err, bot.Temporary)
}

func checkFailure(t *testing.T, name string, err error, want bot.SendFailure) *bot.SendError {
	t.Helper()
	var se *bot.SendError
	if !errors.As(err, &se) {
		t.Errorf("%s: error %v; want a *bot.SendError", name, err)
		return nil
	}
	if se.Failure != want {
		t.Errorf("%s: failure %v (%v); want %v", name, se.Failure, se, want)
	}
	return se
}

// TestPacerHandsBack: a slot too far off is not waited for, and not kept.
func TestPacerHandsBack(t *testing.T) {
	p := newPacer(Pace{PerSecond: 1000, PerChat: time.Hour})
	ctx := context.Background()
	if err := p.wait(ctx, -1, time.Second); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	for i := range 2 {
		err := p.wait(ctx, -1, time.Second)
		var tl *tooLong
		if !errors.As(err, &tl) || tl.wait < 59*time.Minute {
			t.Fatalf("wait %d = %v; want a tooLong of about an hour", i, err)
		}
	}
	if n := len(p.chats[-1]); n != 1 {
		t.Errorf("chat has %d reserved slots; want 1 (the refused ones given back)", n)
	}
	if n := len(p.global); n != 1 {
		t.Errorf("%d global slots; want 1", n)
	}
	// Send turns it into a temporary failure with the wait as retry-after.
	hs := newHarness(t, harnessOpts{noRun: true, limits: &telegramtest.Limits{}, pace: &Pace{PerChat: time.Hour}})
	hs.tg.AddChat(telegramtest.Group(-9, "g"))
	if _, err := hs.client.Send(ctx, "-9", bot.Message{Lead: "one"}); err != nil {
		t.Fatal(err)
	}
	_, err := hs.client.Send(ctx, "-9", bot.Message{Lead: "two"})
	if se := checkFailure(t, "paced", err, bot.Temporary); se != nil && se.RetryAfter < 59*time.Minute {
		t.Errorf("paced send: retry after %v; want about an hour", se.RetryAfter)
	}
}
