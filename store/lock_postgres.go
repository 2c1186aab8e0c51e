package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgServeLock is the first key of the session advisory lock that is the
// serve lock on PostgreSQL ("serv" in ASCII); the second is the hash of
// the current schema, where vigil's tables live. Advisory locks are per
// database, so each vigil database (or schema) on a server has its own.
const pgServeLock = 0x73657276

// pgLockPing is how long Lock.Watch waits for the lock's connection to
// answer before it counts the lock lost.
const pgLockPing = 15 * time.Second

// pgLockApp is the application_name of the lock's connection, followed
// by the holder's pid, so that a standby can say which process holds it.
const pgLockApp = "vigil serve pid "

// pgLock is a held advisory lock and the one connection holding it.
type pgLock struct {
	db   *sql.DB
	conn *sql.Conn
	key  string // the database, redacted, for messages
}

// tryLockPostgres takes the serve lock on the PostgreSQL database at dsn
// without waiting, on a connection of its own that the lock lives on.
func tryLockPostgres(dsn string) (*Lock, error) {
	name := Redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: not a valid PostgreSQL URL", name)
	}
	cfg.RuntimeParams["application_name"] = pgLockApp + strconv.Itoa(os.Getpid())
	db := sql.OpenDB(stdlib.GetConnector(*cfg))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", int64(pgServeLock)).Scan(&got); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	if !got {
		// The holder's pid, from its connection's name; 0 if not seen.
		var app string
		conn.QueryRowContext(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid = $1::oid
			AND l.objid = hashtext(current_schema())::oid AND l.database =
			(SELECT oid FROM pg_database WHERE datname = current_database())`, int64(pgServeLock)).Scan(&app)
		pid, _ := strconv.Atoi(strings.TrimPrefix(app, pgLockApp))
		conn.Close()
		db.Close()
		return nil, &LockedError{Database: name, PID: pid}
	}
	return &Lock{path: LockPath(dsn), pg: &pgLock{db: db, conn: conn, key: name}}, nil
}

// release unlocks and closes the lock's connection; closing it alone
// would release the lock too.
func (l *pgLock) release() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", int64(pgServeLock))
	err = errors.Join(err, l.conn.Close(), l.db.Close())
	if err != nil {
		return fmt.Errorf("store: unlock %s: %w", l.key, err)
	}
	return nil
}
