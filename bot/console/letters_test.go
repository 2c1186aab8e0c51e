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
	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/internal/testutil"
	"github.com/vigil-bot/vigil/store"
)

// TestWriteAndWrote: on the console, /write names /wrote in place of a
// button, /wrote counts once a day, and the card shows the count.
func TestWriteAndWrote(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src := `- {id: nino-pisma, name: Nino Pisma, country: GE, status: imprisoned, status_as_of: 2026-10,
   letters: {address: "Prison 8, Gldani"}}
`
	if _, err := st.Import(ctx, []cases.SourceFile{{Path: "l.yaml", Data: []byte(src), Hash: "l"}}, time.Now(), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	out := &testutil.SyncBuffer{}
	c := New(pr, out, bot.NewHandler(st, config.Default(), slog.New(slog.DiscardHandler)))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	io.WriteString(pw, "/write\n")
	waitFor(t, out, "When your letter is on its way: /wrote nino-pisma")
	if !strings.Contains(out.String(), "Prison 8, Gldani") {
		t.Errorf("/write output %q; want the address", out.String())
	}
	io.WriteString(pw, "/wrote nino-pisma\n")
	waitFor(t, out, "Your letter to Nino Pisma is counted.")
	io.WriteString(pw, "/wrote nino-pisma\n")
	waitFor(t, out, "already counted today")
	io.WriteString(pw, "/case nino\n")
	waitFor(t, out, "Letters: 1 letter in the last 30 days")
	pw.Close()
}
