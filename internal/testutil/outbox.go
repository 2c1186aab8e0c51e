package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/store"
)

// SettleOutbox waits until done holds and st's outbox has nothing
// queued or being sent, failing tb after 5 minutes. done may be nil.
func SettleOutbox(tb testing.TB, st *store.Store, done func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		counts, err := st.PostCounts(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		if (done == nil || done()) && counts[store.Queued] == 0 && counts[store.Sending] == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("the outbox did not empty within 5 minutes")
}
