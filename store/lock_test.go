package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/internal/pgtest"
)

// TestLock: one holder at a time, the second told the first's pid; the
// lock passes on at Release, and WaitLock takes it over then.
func TestLock(t *testing.T) {
	if runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no file locks here")
	}
	db := filepath.Join(t.TempDir(), "v.db")
	if pgtest.Active() {
		db = pgtest.Database(t) // the advisory lock stands for the file lock
	}
	first, err := TryLock(db)
	if err != nil {
		t.Fatalf("first TryLock: %v", err)
	}
	_, err = TryLock(db)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Database != db {
		t.Fatalf("second TryLock: %v; want a LockedError naming pid %d and %s", err, os.Getpid(), db)
	}

	// WaitLock gives up when its context ends, promptly.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if l, err := WaitLock(ctx, db, 50*time.Millisecond, nil); err == nil || l != nil {
		t.Fatalf("WaitLock while held: %v, %v; want the context's error", l, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("WaitLock took %s to notice its context ended", d)
	}

	// A standby takes over when the holder releases.
	told := make(chan *LockedError, 1)
	got := make(chan *Lock, 1)
	go func() {
		l, err := WaitLock(context.Background(), db, 20*time.Millisecond, func(e *LockedError) { told <- e })
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	if e := <-told; e.PID != os.Getpid() {
		t.Errorf("standby told pid %d; want %d", e.PID, os.Getpid())
	}
	select {
	case <-got:
		t.Fatal("standby took the lock while it was held")
	case <-time.After(100 * time.Millisecond):
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	var second *Lock
	select {
	case second = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("standby did not take the lock after Release")
	}
	if _, err := TryLock(db); !errors.As(err, &le) {
		t.Errorf("TryLock while the standby holds it: %v; want a LockedError", err)
	}
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
	third, err := TryLock(db)
	if err != nil {
		t.Fatalf("TryLock after both released: %v", err)
	}
	third.Release()
}

// TestLockWatch: Watch returns nil when its context ends; on PostgreSQL
// it reports the lock lost once the lock's connection is gone.
func TestLockWatch(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	if pgtest.Active() {
		db = pgtest.Database(t)
	}
	l, err := TryLock(db)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := l.Watch(ctx, 20*time.Millisecond); err != nil {
		t.Fatalf("Watch while held: %v; want nil when the context ends", err)
	}
	if !pgtest.Active() {
		return
	}
	s := openAt(t, db)
	var n int
	if err := s.db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = ? AND datname = current_database()`, pgLockApp+strconv.Itoa(os.Getpid())).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminating the lock's connection: %d, %v; want 1", n, err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = l.Watch(ctx, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "serve lock") || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("Watch after the connection died: %v; want the lock lost", err)
	}
	// Another serve may take it now.
	other, err := TryLock(db)
	if err != nil {
		t.Fatalf("TryLock after the holder's connection died: %v", err)
	}
	other.Release()
}
