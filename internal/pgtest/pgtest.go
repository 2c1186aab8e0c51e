// Package pgtest runs a package's store-using tests a second time on
// PostgreSQL: on the server that VIGIL_TEST_POSTGRES names (a URL whose
// user may create schemas in its database), each test gets a fresh
// schema, the first of its search_path, dropped when it ends. vigil keeps
// everything in the current schema, so a schema is a whole vigil
// database to it, and one costs milliseconds where CREATE DATABASE costs
// a second. Without the variable the PostgreSQL run is skipped,
// except in CI (CI=true), where it fails: CI must test both backends.
// It is for tests only and imports nothing of vigil's.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/vigil-bot/vigil/internal/dburl"
)

// Env is the variable naming the test server.
const Env = "VIGIL_TEST_POSTGRES"

// active is set while Main runs the tests on PostgreSQL.
var active atomic.Bool

// Active reports whether the tests now run on PostgreSQL: a test's
// store, made by Database, is then a PostgreSQL database.
func Active() bool { return active.Load() }

// Main runs the package's tests (and benchmarks) on SQLite, then again
// on PostgreSQL when VIGIL_TEST_POSTGRES is set, and returns the exit
// code for os.Exit. In CI (CI=true) a missing VIGIL_TEST_POSTGRES is a
// failure. Tests that use a store get it from the package's helper, which
// asks Active and Database.
func Main(m *testing.M) int {
	code := m.Run()
	dsn := os.Getenv(Env)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "pgtest: CI=true but %s is not set: the PostgreSQL run cannot be skipped in CI\n", Env)
			return 1
		}
		return code
	}
	fmt.Fprintf(os.Stderr, "pgtest: the same tests on PostgreSQL (%s)\n", dburl.Redact(dsn))
	active.Store(true)
	defer active.Store(false)
	if pg := m.Run(); pg != 0 {
		return pg
	}
	return code
}

var (
	serverOnce sync.Once
	server     *sql.DB
	serverErr  error
)

// admin returns the connection to the test server, for creating and
// dropping schemas.
func admin() (*sql.DB, error) {
	serverOnce.Do(func() {
		dsn := os.Getenv(Env)
		if dsn == "" {
			serverErr = fmt.Errorf("%s is not set", Env)
			return
		}
		server, serverErr = sql.Open("pgx", dsn)
		if serverErr == nil {
			server.SetMaxOpenConns(4)
		}
	})
	return server, serverErr
}

// Database creates a fresh, empty vigil database on the test server, a
// schema, and returns the URL that uses it; it is dropped with all it
// holds when t ends. It fails t when there is no server.
func Database(t testing.TB) string {
	t.Helper()
	db, err := admin()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "vigil_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The name is ours, letters, digits and '_': no quoting needed.
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(os.Getenv(Env))
	if err != nil {
		t.Fatalf("pgtest: %s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	t.Logf("pgtest: schema %s", name)
	return u.String()
}

// For returns the database standing for key (a SQLite file name, say) in
// this test: created by the first call with that key, the same URL for
// the next ones, so that a test may reopen "its file" on PostgreSQL too.
func For(t testing.TB, key string) string {
	t.Helper()
	forMu.Lock()
	defer forMu.Unlock()
	k := forKey{t, key}
	if dsn, ok := forDBs[k]; ok {
		return dsn
	}
	dsn := Database(t)
	forDBs[k] = dsn
	t.Cleanup(func() {
		forMu.Lock()
		delete(forDBs, k)
		forMu.Unlock()
	})
	return dsn
}

type forKey struct {
	t   testing.TB
	key string
}

var (
	forMu  sync.Mutex
	forDBs = map[forKey]string{}
)

// Required returns a fresh database on the test server (Database) for a
// test that needs PostgreSQL: without VIGIL_TEST_POSTGRES the test is
// skipped, or, in CI (CI=true), failed.
func Required(t testing.TB) string {
	t.Helper()
	if os.Getenv(Env) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: CI=true but %s is not set: the PostgreSQL tests cannot be skipped in CI", Env)
		}
		t.Skipf("PostgreSQL: set %s to a server where the user may create schemas", Env)
	}
	return Database(t)
}

// Each runs f twice, as the subtests "sqlite", with a database file in a
// fresh folder, and "postgres", with a fresh database (Required).
func Each(t *testing.T, f func(t *testing.T, database string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "vigil.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, Required(t)) })
}

// SkipOnPostgres skips t when the tests run on PostgreSQL: for what is
// SQLite's alone (files, locks, PRAGMAs), saying why.
func SkipOnPostgres(t testing.TB, why string) {
	t.Helper()
	if Active() {
		t.Skip("SQLite only: " + why)
	}
}
