package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/vigil-bot/vigil/internal/dburl"
)

// IsPostgres reports whether database names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(database string) bool { return dburl.IsPostgres(database) }

// Redact returns database as it may be shown in logs and errors: a
// PostgreSQL URL without its password (and without a password= query
// parameter); a file name as it is.
func Redact(database string) string { return dburl.Redact(database) }

// openPostgres opens the PostgreSQL database at dsn through pgx's
// database/sql driver, with the statements the store writes in SQLite's
// dialect rewritten into PostgreSQL's on the way (see pgConn).
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the URL, password included.
		return nil, fmt.Errorf("store: open %s: not a valid PostgreSQL URL", Redact(dsn))
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	// A server's connections are few (100 by default) and shared by
	// every vigil process and the CLI; write transactions queue on one
	// lock anyway (Store.tx).
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns / 4)
	s := &Store{db: db, dialect: postgresDialect}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", Redact(dsn), err)
	}
	return s, nil
}

// pgMaxConns is the most connections one Store opens to PostgreSQL.
const pgMaxConns = 16

// pgConnector makes pgConns.
type pgConnector struct{ base driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.base.Driver() }

// pgConn is a pgx connection that takes the store's statements as they
// are written, in SQLite's dialect, and runs them in PostgreSQL's: every
// query text passes through pgRebind, and booleans are bound as 1 and 0,
// as SQLite stores them (the schema has no boolean columns on either
// side). The other driver interfaces are pgx's own.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(pgRebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, pgRebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, pgRebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, pgRebind(query), args)
}

func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if b, ok := v.Value.(bool); ok {
		v.Value = int64(0)
		if b {
			v.Value = int64(1)
		}
	}
	return nil
}

// pgRewrites turns the few SQLite-only expressions the store uses into
// PostgreSQL's. They are whole fragments, matched exactly, so that an
// expression without its rewrite fails loudly on PostgreSQL instead of
// meaning something else; the store's tests run on both.
var pgRewrites = strings.NewReplacer(
	// A JSON array bound as one parameter, as a set of values.
	// SQLite reads JSON null as an empty array; so must PostgreSQL.
	"id IN (SELECT value FROM json_each(?))", "id IN (SELECT value::bigint FROM jsonb_array_elements_text("+pgArray+") AS j(value))",
	"json_each(?)", "jsonb_array_elements_text("+pgArray+") AS j(value)",
	"json_array_length(?)", "jsonb_array_length("+pgArray+")",
	// A bound 0 is an int4 to PostgreSQL, too small for milliseconds.
	"nullif(?, 0)", "nullif(?::bigint, 0)",
	// Fields of the cases' JSON data.
	"coalesce(json_extract(data, '$.line'), 0)", "coalesce((data::jsonb->>'line')::bigint, 0)",
	"coalesce(json_extract(data, '$.aliases'), '')", "coalesce(data::jsonb->>'aliases', '')",
	"coalesce(json_extract(data, '$.names'), '')", "coalesce(data::jsonb->>'names', '')",
	// Aggregates and scalar functions by other names.
	"group_concat(", "string_agg(",
	"max(attempts - 1, 0)", "greatest(attempts - 1, 0)",
	"max(next_at, ?)", "greatest(next_at, ?)",
)

// pgArray is a bound JSON array, JSON null read as an empty one.
const pgArray = "coalesce(nullif(?::jsonb, 'null'::jsonb), '[]'::jsonb)"

// pgRebound caches pgRebind's results: the store has a fixed set of
// statements, some built at run time (IN lists of a given length).
var pgRebound sync.Map // string → string

// pgRebind rewrites a statement in SQLite's dialect into PostgreSQL's:
// the fragments of pgRewrites, then the placeholders, "?" numbered in
// order and "?N" as "$N", outside quoted strings, names and comments.
func pgRebind(query string) string {
	if v, ok := pgRebound.Load(query); ok {
		return v.(string)
	}
	q := pgRewrites.Replace(query)
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) && q[j] != c {
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))]) // a doubled quote is two quoted strings in a row
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + q[i+1:j])
			} else {
				n++
				fmt.Fprintf(&b, "$%d", n)
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	pgRebound.Store(query, out)
	return out
}
