// Package store is vigil's persistence: case records, channels and their
// subscriptions, the outbox of posts to deliver and the delivery log, in
// one SQLite database (modernc.org/sqlite, pure Go), the embedded default,
// or in PostgreSQL (pgx), given a postgres:// URL. The statements are
// written once, in SQLite's dialect; postgres.go rewrites the few that
// differ on their way to PostgreSQL, and each dialect has its migrations
// (migrations/sqlite, migrations/postgres, numbered alike). The kinds of posts
// and their payloads are defined here too (post.go), next to the outbox
// (outbox.go) that stores them; the planner's days (plans.go), the
// counters in meta (meta.go), status changes (statuschanges.go) and the
// counts of posts (poststats.go) each have their file.
//
// Several processes may use one database at once: the daemon, and the CLI
// importing cases, subscribing channels or queueing alerts while it runs.
// WAL, a busy timeout and immediate write transactions make that safe.
// The store imports the cases package and nothing else of vigil's.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a looked-up row does not exist. It wraps
// sql.ErrNoRows so either may be tested with errors.Is.
var ErrNotFound = fmt.Errorf("not found: %w", sql.ErrNoRows)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Store is a handle on vigil's database, safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	// replica and claimFor are set by SetReplica (lease.go): the claims
	// of a serve sharing the database with others.
	replica  string
	claimFor time.Duration
}

// dialect is the SQL of the database behind a Store.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// Backend names the database behind the store: "sqlite" or "postgres".
// What is SQLite's alone (file backups, the serve lock file) asks it.
func (s *Store) Backend() string { return s.dialect.String() }

// Open opens (creating if need be) the database at path and brings its
// schema up to date. It refuses a database written by a newer vigil.
// A postgres:// or postgresql:// URL opens that PostgreSQL database,
// whose tables are created on first use.
//
// path is a file name, never a URI: "we?ird.db" is that file. A new
// database is created private (0600), since it holds channel ids and
// alert texts; SQLite gives its -wal and -shm files the same mode. A
// missing or read-only folder is said in those words.
func Open(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
	if err := create(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", fileURI(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db}
	err = s.migrate(ctx)
	// Processes opening a new file together race to switch it to WAL,
	// which SQLite answers with SQLITE_BUSY without waiting out the busy
	// timeout: the losers try again on a new connection.
	for try := 0; err != nil && strings.Contains(err.Error(), "SQLITE_BUSY") && try < 50 && ctx.Err() == nil; try++ {
		time.Sleep(time.Duration(20+try*10) * time.Millisecond)
		err = s.migrate(ctx)
	}
	if err != nil {
		db.Close()
		if ferr := checkFolder(path, true); ferr != nil {
			return nil, ferr
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// inMemory reports whether path names no file but a memory database
// (":memory:", as SQLite spells it) or a temporary one ("").
func inMemory(path string) bool { return path == "" || path == ":memory:" }

// create creates the database file at path, 0600 whatever the umask, if
// it does not exist, so that SQLite never creates it with its default
// 0644; an existing file keeps the mode its owner gave it.
func create(path string) error {
	if inMemory(path) {
		return nil
	}
	if err := checkFolder(path, false); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		if ferr := checkFolder(path, true); ferr != nil {
			return ferr
		}
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	err = f.Chmod(0o600) // the umask may have taken more than group and other bits
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	return nil
}

// checkFolder returns why the database at path cannot be used because of
// its folder: missing, not a folder, or, if write, not writable (SQLite
// must create the -wal and -shm files there). It returns nil when the
// folder is fine.
func checkFolder(path string, write bool) error {
	if inMemory(path) {
		return nil
	}
	dir := folder(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("store: open %s: folder %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("store: open %s: folder %s: %w", path, dir, err)
	case !info.IsDir():
		return fmt.Errorf("store: open %s: %s is not a folder", path, dir)
	case !write:
		return nil
	}
	f, err := os.CreateTemp(dir, ".vigil-write-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // "permission denied", "read-only file system"
		}
		return fmt.Errorf("store: open %s: cannot write in folder %s: %w", path, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// folder is the folder of the database at path, absolute when it can be,
// for messages.
func folder(path string) string {
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// fileURI is the SQLite URI of the file at path: the driver reads its
// options from the query, so a '?' or '#' in the name (or a '%') must be
// escaped, or "we?ird.db" would open "we".
func fileURI(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	if strings.HasPrefix(esc, "/") {
		return "file://" + esc // an empty authority: "//x" is never a host
	}
	return "file:" + esc
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the store's database handle, for its connection-pool
// statistics (the database/sql metrics). Queries go through the Store.
func (s *Store) DB() *sql.DB { return s.db }

// Ping reports whether the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// migrations returns the dialect's migrations in order.
func migrations(d dialect) ([]string, error) {
	names, err := fs.Glob(migrationFiles, "migrations/"+d.String()+"/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names) // 0001_…, 0002_…: the schema version is their count
	out := make([]string, len(names))
	for i, n := range names {
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

// SchemaVersion is the schema version this binary writes.
// Both dialects have the same migrations, by number.
func SchemaVersion() int {
	m, _ := migrations(sqliteDialect)
	return len(m)
}

// The schema version is SQLite's PRAGMA user_version; PostgreSQL keeps it
// in the one row of vigil_schema, and takes a transaction-scoped
// advisory lock first, so that two vigils starting together on a new
// database do not both create its tables.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.dialect)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		version, err := s.schemaVersion(ctx, tx)
		if err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		if version > len(ms) {
			return fmt.Errorf("database schema version %d is newer than this vigil's (%d): upgrade vigil", version, len(ms))
		}
		for i := version; i < len(ms); i++ {
			if _, err := tx.ExecContext(ctx, ms[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if version < len(ms) {
			if err := s.setSchemaVersion(ctx, tx, len(ms)); err != nil {
				return fmt.Errorf("set schema version: %w", err)
			}
		}
		return canonicalizeChats(ctx, tx)
	})
}

// pgWriteLock is the first key of the advisory lock every PostgreSQL
// write transaction takes ("writ" in ASCII), the second the schema's hash.
const pgWriteLock = 0x77726974

// pgMigrateLock is the first key of the advisory lock PostgreSQL
// migrations take ("vigi" in ASCII); the second is the schema's hash, as
// vigil's tables live in the current schema.
const pgMigrateLock = 0x76696769

func (s *Store) schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var version int
	if s.dialect == sqliteDialect {
		err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
		return version, err
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))", int64(pgMigrateLock)); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS vigil_schema (
		id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`); err != nil {
		return 0, err
	}
	err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT version FROM vigil_schema), 0)").Scan(&version)
	return version, err
}

func (s *Store) setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error {
	if s.dialect == sqliteDialect {
		// PRAGMA takes no bound parameters; the value is our own integer.
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO vigil_schema (id, version) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version`, version)
	return err
}

// tx runs fn in an immediate write transaction, committing when fn returns
// nil and rolling back otherwise, so no caller leaves a half-written change.
//
// On SQLite, write transactions run one at a time, and the store's
// read-then-write transactions (claiming posts, enqueueing a plan checked
// against the versions it was made from) count on it. PostgreSQL's
// transactions run together, so there each first takes a transaction
// advisory lock, one for the schema: the same one-writer-at-a-time, while
// readers and single statements go on beside it.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if s.dialect == postgresDialect {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))", int64(pgWriteLock)); err != nil {
			return errors.Join(err, rollback(tx))
		}
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	return tx.Commit()
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// ms converts t to the stored form of instants: Unix milliseconds, which
// sort and compare correctly as integers.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms; 0 is the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
