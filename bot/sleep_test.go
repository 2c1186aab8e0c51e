package bot

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	if err := Sleep(ctx, 20*time.Millisecond); err != nil || time.Since(start) < 20*time.Millisecond {
		t.Errorf("Sleep(20ms) = %v after %v; want nil after 20ms at least", err, time.Since(start))
	}
	if err := Sleep(ctx, 0); err != nil {
		t.Errorf("Sleep(0) = %v; want nil", err)
	}

	done, cancel := context.WithCancel(ctx)
	cancel()
	start = time.Now()
	if err := Sleep(done, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Errorf("Sleep(hour) on a done context = %v after %v; want context.Canceled at once", err, time.Since(start))
	}
	if err := Sleep(done, -time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(-1s) on a done context = %v; want context.Canceled", err)
	}

	waiting, cancel := context.WithCancel(ctx)
	time.AfterFunc(10*time.Millisecond, cancel)
	if err := Sleep(waiting, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(hour) cancelled while waiting = %v; want context.Canceled", err)
	}
}
