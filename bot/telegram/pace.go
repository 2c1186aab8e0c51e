package telegram

import (
	"context"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigil-bot/vigil/bot"
)

// Pace is how fast the client sends. Telegram allows about 30 messages a
// second overall, about 1 a second per chat and 20 a minute per group; the
// defaults stay just under them, so that a fan-out is not answered with
// 429s (each of which would cost the post a retry_after).
type Pace struct {
	PerSecond      float64       // overall; 0 means no limit
	PerChat        time.Duration // the least time between two messages to one chat
	GroupPerMinute int           // messages a minute to one group or channel (negative chat id)
}

// DefaultPace is the pace used unless WithPace says otherwise. Each limit
// keeps a margin under Telegram's, so that a request delayed on its way
// (a busy machine, the network) does not arrive inside the next one's
// window: 29 of 30 a second, a chat's messages 1.1 s apart rather than 1.
var DefaultPace = Pace{PerSecond: 29, PerChat: 1100 * time.Millisecond, GroupPerMinute: 20}

// SendRate returns the most messages a second the pace allows overall
// (for the delivery engine, bot.Paced); zero when it sets no limit.
func (c *Client) SendRate() float64 { return c.pacer.pace.PerSecond }

// RoundTrip returns the recent average time of one Bot API call, long
// polls aside (bot.Paced).
func (c *Client) RoundTrip() time.Duration { return c.rtt.Average() }

// pacer hands out send times that keep every limit of a Pace. Times are
// reserved when asked for, so concurrent senders (command replies and the
// delivery engine) share the limits.
type pacer struct {
	pace Pace
	// window holds the messages of any second to Telegram's limit
	// however late their senders wake: the reserved send times keep the
	// pace, but a busy machine can bunch the requests they start; nil
	// when the pace sets no limit.
	window *bot.Window

	mu     sync.Mutex
	global []time.Time // reserved slots, sorted
	chats  map[int64][]time.Time
	// share divides the overall rate among the processes sharing the
	// bot token (nil: the whole rate).
	share *bot.Share
}

// rate is the overall rate this process keeps to: the pace's, or, while
// n processes share it, 1/n of it less one message a second for each
// other process. Each process's own sends are spaced evenly, but two
// processes' sends fall where they may: one second can hold a message
// more from each than its share, and the margin keeps their sum under
// Telegram's limit.
func (p *pacer) rate() float64 {
	n := float64(p.share.Of())
	return max(p.pace.PerSecond-(n-1), p.pace.PerSecond/(2*n)) / n
}

// shared makes p keep to sh's part of the overall rate.
func (p *pacer) shared(sh *bot.Share) *pacer {
	p.share = sh
	return p
}

func newPacer(p Pace) *pacer {
	pc := &pacer{pace: p, chats: map[int64][]time.Time{}}
	if p.PerSecond > 0 {
		// Telegram's own limit, the whole number above the pace: 30 for 29,
		// counted a second from when a message arrives.
		pc.window = bot.NewWindow(int(math.Floor(p.PerSecond))+1, time.Second)
	}
	return pc
}

const groupWindow = time.Minute

// reserve returns the earliest time at or after now at which a message to
// chat may go out, and books it.
func (p *pacer) reserve(now time.Time, chat int64) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := now
	hist := p.chats[chat]
	// Forget what no longer limits anything.
	keep := 0
	for keep < len(hist) && now.Sub(hist[keep]) >= max(groupWindow, p.pace.PerChat) {
		keep++
	}
	hist = hist[keep:]
	if n := len(hist); n > 0 && p.pace.PerChat > 0 {
		t = later(t, hist[n-1].Add(p.pace.PerChat))
	}
	if n := p.pace.GroupPerMinute; chat < 0 && n > 0 && len(hist) >= n {
		t = later(t, hist[len(hist)-n].Add(groupWindow))
	}
	if p.pace.PerSecond > 0 {
		gap := time.Duration(float64(time.Second) / p.rate())
		drop := 0
		for drop < len(p.global) && p.global[drop].Before(now.Add(-gap)) {
			drop++
		}
		p.global = p.global[drop:]
		// The slots are sorted: move t past each one too close to it.
		for _, s := range p.global {
			if s.After(t.Add(-gap)) && s.Before(t.Add(gap)) {
				t = s.Add(gap)
			}
		}
		i := sort.Search(len(p.global), func(i int) bool { return p.global[i].After(t) })
		p.global = append(p.global, time.Time{})
		copy(p.global[i+1:], p.global[i:])
		p.global[i] = t
	}
	p.chats[chat] = append(hist, t)
	if len(p.chats) > 4096 {
		p.sweep(now)
	}
	return t
}

// sweep drops chats whose last message no longer limits anything.
func (p *pacer) sweep(now time.Time) {
	for id, h := range p.chats {
		if len(h) == 0 || now.Sub(h[len(h)-1]) >= max(groupWindow, p.pace.PerChat) {
			delete(p.chats, id)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// release gives back a slot reserved for chat at t that was not used.
func (p *pacer) release(chat int64, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.chats[chat]; len(h) > 0 {
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].Equal(t) {
				p.chats[chat] = append(h[:i:i], h[i+1:]...)
				break
			}
		}
	}
	i := sort.Search(len(p.global), func(i int) bool { return !p.global[i].Before(t) })
	if i < len(p.global) && p.global[i].Equal(t) {
		p.global = append(p.global[:i], p.global[i+1:]...)
	}
}

// tooLong is a slot further off than the sender wants to wait.
type tooLong struct{ wait time.Duration }

func (e *tooLong) Error() string {
	return "the pace allows the next message to this chat in " + e.wait.Round(time.Millisecond).String()
}

// wait blocks until a message to chat may go out, or ctx ends. If the
// slot is more than maxWait away (maxWait > 0), or beyond ctx's deadline,
// it does not wait and returns a *tooLong.
func (p *pacer) wait(ctx context.Context, chat int64, maxWait time.Duration) error {
	now := time.Now()
	at := p.reserve(now, chat)
	d := at.Sub(now)
	deadline, ok := ctx.Deadline()
	if (maxWait > 0 && d > maxWait) || (ok && at.After(deadline)) {
		p.release(chat, at)
		return &tooLong{wait: d}
	}
	if err := bot.Sleep(ctx, d); err != nil {
		p.release(chat, at)
		return err
	}
	return nil
}

// counted reports whether a Bot API path names a method Telegram counts
// against its message limits.
func counted(path string) bool {
	method := path[strings.LastIndexByte(path, '/')+1:]
	switch method {
	case "sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "editMessageText", "editMessageCaption",
		"editMessageMedia", "editMessageReplyMarkup", "deleteMessage", "copyMessage", "forwardMessage":
		return true
	}
	return false
}
