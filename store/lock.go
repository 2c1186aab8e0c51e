package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Lock is one process's exclusive hold on a database for serving it: an
// OS file lock on the lock file beside the database (LockPath); on
// PostgreSQL a session advisory lock, held by a connection of its own
// (lock_postgres.go). Only the holder of the lock may poll the platforms
// and send from the outbox; the CLI commands do not take it. The OS (or
// the PostgreSQL server, when the connection ends) releases it when the
// process exits, however it exits, so a crash never leaves a stale lock.
type Lock struct {
	f    *os.File
	path string
	pg   *pgLock
}

// LockedError is returned by TryLock when another process (or another
// Lock in this one) holds the database.
type LockedError struct {
	Database string // the database path
	PID      int    // the holder's process id, 0 when unknown
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("store: another vigil serve (pid %d) holds %s", e.PID, e.Database)
	}
	return fmt.Sprintf("store: another vigil serve holds %s", e.Database)
}

// LockPath is the lock file of the database at dbPath: "<db>.lock"; for
// a PostgreSQL database, the advisory lock that stands for it.
func LockPath(dbPath string) string {
	if IsPostgres(dbPath) {
		return fmt.Sprintf("pg_advisory_lock(%d, hashtext(current_schema()))", pgServeLock)
	}
	return dbPath + ".lock"
}

// TryLock takes the lock on the database at dbPath without waiting,
// creating its lock file (0600) if need be, and records this process's
// id in it. When the lock is held it returns a *LockedError.
func TryLock(dbPath string) (*Lock, error) {
	if IsPostgres(dbPath) {
		return tryLockPostgres(dbPath)
	}
	path := LockPath(dbPath)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	held, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if held {
		pid := readPID(f)
		f.Close()
		return nil, &LockedError{Database: dbPath, PID: pid}
	}
	// The pid is for the message a standby logs; the lock is what counts.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// WaitLock takes the lock on the database at dbPath, trying again every
// poll while another process holds it; waiting is called once, with the
// holder, when the first try fails. It returns ctx's error when ctx ends
// first.
func WaitLock(ctx context.Context, dbPath string, poll time.Duration, waiting func(*LockedError)) (*Lock, error) {
	t := time.NewTicker(poll)
	defer t.Stop()
	told := false
	for {
		l, err := TryLock(dbPath)
		var le *LockedError
		if !errors.As(err, &le) {
			return l, err
		}
		if !told && waiting != nil {
			waiting(le)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Release gives the lock up. The lock file stays: removing it would let
// a waiting process lock a file that a third one then recreates.
func (l *Lock) Release() error {
	if l.pg != nil {
		return l.pg.release()
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: unlock %s: %w", l.path, err)
	}
	return nil
}

// Watch returns nil when ctx ends, or an error as soon as the lock is
// found lost, checking every poll. A file lock cannot be lost while the
// process lives; PostgreSQL's advisory lock is lost with its connection
// (a server restart, a network cut), and then another serve may take
// over: the holder must stop serving.
func (l *Lock) Watch(ctx context.Context, poll time.Duration) error {
	if l.pg == nil {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		// Not cancelled with ctx: pgx closes a connection whose
		// statement is cancelled, which would drop the lock while serve
		// still drains its sends.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pgLockPing)
		err := l.pg.conn.PingContext(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("store: the serve lock on %s was lost (its connection failed: %w); another serve may hold it now", l.pg.key, err)
		}
	}
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil {
		return 0
	}
	return pid
}
