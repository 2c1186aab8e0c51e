// Package console is vigil's console channel: chat commands typed on
// standard input are answered on standard output, and posts for the
// channel "console" are printed there. It is what `vigil serve` runs
// when no platform token is configured, so anyone can try vigil at once.
//
// It imports bot and nothing platform-specific.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
)

// Name is the console's platform name and its only chat's id.
const Name = "console"

// Console is the console platform.
type Console struct {
	in      io.Reader
	handler *bot.Handler

	mu  sync.Mutex // one reply or post at a time on out
	out io.Writer

	sent atomic.Int64
}

var _ bot.Platform = (*Console)(nil)

// New returns a console reading commands from in and writing to out.
func New(in io.Reader, out io.Writer, h *bot.Handler) *Console {
	return &Console{in: in, out: out, handler: h}
}

// Name returns "console".
func (c *Console) Name() string { return Name }

// MaxLine is the longest input line the console reads, in bytes without
// its line end; a longer one is refused with a message and skipped.
const MaxLine = 1 << 20

// Messages of the console itself, printed among the replies.
const (
	lineTooLong = "line too long (over 1 MiB); ignored"
	endOfInput  = "end of input: no more commands are read; vigil keeps running and printing posts until Ctrl-C"
)

// line is one input line, or the news that one was too long.
type line struct {
	text    string
	tooLong bool
}

// Run answers commands line by line until ctx is done. A line over
// MaxLine is refused and the next one read. The end of input does not
// stop it: the daemon goes on delivering posts, until Ctrl-C.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan line)
	go func() {
		defer close(lines)
		c.read(ctx, lines)
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case l, ok := <-lines:
			if !ok {
				c.print(endOfInput)
				<-ctx.Done()
				return nil
			}
			if l.tooLong {
				c.print(lineTooLong)
				continue
			}
			c.handle(ctx, l.text)
		}
	}
}

// read sends the lines of c.in to lines until the end of input (or a
// read error, which is said and ends it too). It holds at most MaxLine
// bytes of a line: the rest of a longer one is read and dropped.
func (c *Console) read(ctx context.Context, lines chan<- line) {
	br := bufio.NewReaderSize(c.in, 64*1024)
	var buf []byte
	tooLong := false
	send := func(l line) bool {
		select {
		case lines <- l:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			// Room for the line end, which is not counted.
			if len(buf) > MaxLine+len("\r\n") {
				tooLong, buf = true, buf[:0]
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // the line goes on
		}
		if len(chunk) > 0 || len(buf) > 0 || tooLong {
			text := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
			l := line{text: text, tooLong: tooLong || len(text) > MaxLine}
			if l.tooLong {
				l.text = ""
			}
			if !send(l) {
				return
			}
		}
		buf, tooLong = buf[:0], false
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.print("reading standard input: " + err.Error())
			}
			return
		}
	}
}

func (c *Console) handle(ctx context.Context, line string) {
	cmd, args, ok := bot.ParseCommand(line, "", false)
	if !ok {
		return
	}
	r := c.handler.Handle(ctx, bot.Request{Platform: Name, Chat: Name, User: Name,
		Command: cmd, Options: bot.ParseOptions(cmd, args), Operator: true})
	c.print(Render(r))
}

// Render formats a reply as console text.
func Render(r bot.Reply) string {
	var parts []string
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	for i, ch := range r.Choices {
		parts = append(parts, fmt.Sprintf("  %d. %s — /case %s", i+1, ch.Label, ch.CaseID))
	}
	if r.Card != nil {
		parts = append(parts, r.Card.Text())
	}
	if r.Wrote != "" {
		// The console has no buttons: /wrote is its "I wrote".
		parts = append(parts, i18n.F(r.Lang, "write.console", i18n.Args{"ID": r.Wrote}))
	}
	return strings.Join(parts, "\n")
}

func (c *Console) print(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.out, s)
	fmt.Fprintln(c.out)
}

// Send prints a post, framed so that it stands out from command replies.
func (c *Console) Send(ctx context.Context, chat string, msg bot.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", &bot.SendError{Failure: bot.Temporary, Err: err}
	}
	id := c.sent.Add(1)
	head := "=== post " + strconv.FormatInt(id, 10) + " (" + string(msg.Kind) + ")"
	if msg.ReplyTo != "" {
		head += ", in reply to post " + msg.ReplyTo
	}
	c.print(head + " ===\n" + msg.Text())
	return strconv.FormatInt(id, 10), nil
}

// Edit prints the new text of a post printed before (an alert's
// correction, or its withdrawal).
func (c *Console) Edit(ctx context.Context, chat, messageID string, msg bot.Message) error {
	if err := ctx.Err(); err != nil {
		return &bot.SendError{Failure: bot.Temporary, Err: err}
	}
	c.print("=== post " + messageID + " edited ===\n" + msg.Text())
	return nil
}

// Delete says that a post printed before is withdrawn: the console
// cannot take back what it printed.
func (c *Console) Delete(ctx context.Context, chat, messageID string) error {
	if err := ctx.Err(); err != nil {
		return &bot.SendError{Failure: bot.Temporary, Err: err}
	}
	c.print("=== post " + messageID + " deleted ===")
	return nil
}

var (
	_ bot.Editor  = (*Console)(nil)
	_ bot.Deleter = (*Console)(nil)
)
