package console

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/bot"
	"github.com/vigil-bot/vigil/bot/i18n"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/internal/testutil"
	"github.com/vigil-bot/vigil/store"
)

func newConsole(t *testing.T, in io.Reader, out io.Writer) *Console {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(in, out, bot.NewHandler(st, config.Default(), slog.New(slog.DiscardHandler)))
}

// waitFor polls out until it holds want.
func waitFor(t *testing.T, out *testutil.SyncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q; output:\n%.2000s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLongLineThenHelp streams a 2 MiB line and then /help through a
// pipe: the long line is refused, /help is answered, and the end of input
// says that the daemon keeps running, which it does until cancelled.
func TestLongLineThenHelp(t *testing.T) {
	pr, pw := io.Pipe()
	out := &testutil.SyncBuffer{}
	c := newConsole(t, pr, out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	go func() {
		chunk := strings.Repeat("x", 4096)
		io.WriteString(pw, "/case ")
		for range 2 << 20 / len(chunk) {
			if _, err := io.WriteString(pw, chunk); err != nil {
				return
			}
		}
		io.WriteString(pw, "\r\n/help\n")
		pw.Close()
	}()
	waitFor(t, out, "line too long (over 1 MiB); ignored")
	waitFor(t, out, i18n.T("en", "help.intro"))
	waitFor(t, out, "end of input: no more commands are read; vigil keeps running and printing posts until Ctrl-C")
	if strings.Contains(out.String(), "xxxx") {
		t.Error("the long line was echoed or answered")
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned %v at the end of input; want it to keep running", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
}

// TestLineLimit checks the bound itself: a line of exactly MaxLine bytes
// is read, one byte more is not, and a last line without a line end is
// read too.
func TestLineLimit(t *testing.T) {
	long := "/help " + strings.Repeat("y", MaxLine-len("/help "))
	in := long + "\n" + long + "y\n/help"
	out := &testutil.SyncBuffer{}
	c := newConsole(t, strings.NewReader(in), out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	waitFor(t, out, "end of input")
	got := out.String()
	if n := strings.Count(got, i18n.T("en", "help.intro")); n != 2 {
		t.Errorf("help answered %d times; want 2 (the line of MaxLine bytes and the last one)", n)
	}
	if n := strings.Count(got, lineTooLong); n != 1 {
		t.Errorf("%d refusals; want 1 (the line of MaxLine+1 bytes)", n)
	}
}
