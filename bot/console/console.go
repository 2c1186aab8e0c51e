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
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigil-bot/vigil/bot"
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

// Run answers commands line by line until ctx is done. The end of input
// does not stop it: the daemon goes on delivering posts.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				<-ctx.Done()
				return nil
			}
			c.handle(ctx, line)
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
	c.print("=== post " + strconv.FormatInt(id, 10) + " (" + string(msg.Kind) + ") ===\n" + msg.Text())
	return strconv.FormatInt(id, 10), nil
}
