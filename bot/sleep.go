package bot

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, and returns ctx's error if that came
// first. A d of zero or less does not wait; it returns ctx's error, if any.
// Platform adapters wait with it for rate limits, retries and reconnects.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
