package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/internal/pgtest"
)

// TestMain runs the tests on SQLite, then again on PostgreSQL when
// VIGIL_TEST_POSTGRES names a server (see internal/pgtest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// All people in these tests are invented; none is a real person.

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

// newStore opens a fresh store in a temporary directory, closed when the
// test ends.
func newStore(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "vigil.db"))
}

// openAt opens the store at path, closed when the test ends. On the
// PostgreSQL run, path stands for a database of the test's own.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	if pgtest.Active() && !IsPostgres(path) {
		path = pgtest.For(t, path)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// src makes a case file as cases.ReadFiles would.
func src(path, data string) cases.SourceFile {
	sum := sha256.Sum256([]byte(data))
	return cases.SourceFile{Path: path, Data: []byte(data), Hash: hex.EncodeToString(sum[:])}
}

// caseYAML writes one case in the YAML case format; extra lines (e.g.
// "arrested: 2020") are appended as given.
func caseYAML(id, name, country, status string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Fictional test case.\nid: %s\nname: %s\ncountry: %s\nstatus: %s\nstatus_as_of: 2026-09\n", id, name, country, status)
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	return b.String()
}

// Fictional cases used throughout.
var (
	amiraYAML  = caseYAML("amira-testova", "Amira Testova", "AZ", "imprisoned", "arrested: 2020-03-15", "sentenced: 2021-02")
	rashadYAML = caseYAML("rashad-beispielov", "Rashad Beispielov", "AZ", "detained", "arrested: 2025")
	erikaYAML  = caseYAML("erika-musterfrau", "Erika Musterfrau", "DE", "exiled")
)

// importOK imports files and fails the test on error.
func importOK(t *testing.T, s *Store, files ...cases.SourceFile) ImportResult {
	t.Helper()
	res, err := s.Import(context.Background(), files, t0, ImportOptions{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return res
}

// seedCases imports amira and rashad (AZ) and erika (DE).
func seedCases(t *testing.T, s *Store) {
	t.Helper()
	importOK(t, s, src("cases/amira.yaml", amiraYAML), src("cases/rashad.yaml", rashadYAML), src("cases/erika.yaml", erikaYAML))
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatalf("PRAGMA user_version: %v", err)
	}
	return v
}

// rawOpen opens the database file without the store, as another tool would.
func rawOpen(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dump renders the rows of the given tables, for "nothing changed" checks.
// columnCount is the number of columns of table.
func columnCount(t *testing.T, s *Store, table string) int {
	t.Helper()
	rows, err := s.db.Query("SELECT * FROM " + table + " LIMIT 0")
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	return len(cols)
}

func dump(t *testing.T, s *Store, tables ...string) string {
	t.Helper()
	var b strings.Builder
	for _, table := range tables {
		order := "rowid"
		if s.dialect == postgresDialect {
			order = "1" // PostgreSQL has no rowid: every column, in order
			for i := 2; i <= columnCount(t, s, table); i++ {
				order += fmt.Sprintf(", %d", i)
			}
		}
		rows, err := s.db.Query("SELECT * FROM " + table + " ORDER BY " + order)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "== %s %v\n", table, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("dump %s: %v", table, err)
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		rows.Close()
	}
	return b.String()
}

func countRows(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSchemaVersionCountsMigrations(t *testing.T) {
	numbers := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				out = append(out, strings.SplitN(e.Name(), "_", 2)[0])
			}
		}
		return out
	}
	// A migration left in the old place would be silently skipped.
	if stray := numbers("migrations"); len(stray) > 0 {
		t.Errorf("migrations %v lie in store/migrations; each belongs in migrations/sqlite, with its twin in migrations/postgres", stray)
	}
	sqlite, postgres := numbers("migrations/sqlite"), numbers("migrations/postgres")
	n := len(sqlite)
	if got := SchemaVersion(); got != n || got < 1 {
		t.Errorf("SchemaVersion() = %d; want %d (the number of migrations, at least 1)", got, n)
	}
	// Each dialect has every migration, by the same number.
	if got, want := strings.Join(postgres, " "), strings.Join(sqlite, " "); got != want {
		t.Errorf("postgres migrations %s; want the same numbers as sqlite's: %s", got, want)
	}
	for i, num := range sqlite {
		if want := fmt.Sprintf("%04d", i+1); num != want {
			t.Errorf("migration %d is numbered %s; want %s", i+1, num, want)
		}
	}
}

func TestOpenCreatesSchema(t *testing.T) {
	s := newStore(t)
	var version int
	tables := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if s.dialect == postgresDialect {
		version = countRows(t, s, `SELECT version FROM vigil_schema`)
		tables = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	} else {
		version = userVersion(t, s.db)
	}
	if got, want := version, SchemaVersion(); got != want {
		t.Errorf("user_version = %d; want %d", got, want)
	}
	for _, table := range []string{"cases", "case_files", "status_changes", "channels", "subscriptions", "alerts", "outbox", "deliveries", "meta"} {
		if n := countRows(t, s, tables, table); n != 1 {
			t.Errorf("table %s: got %d; want 1", table, n)
		}
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestReopenIsNoop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	seedCases(t, s)
	if _, err := s.Subscribe(ctx, Channel{Platform: "console", Chat: "console", Timezone: "UTC", PostTime: "09:00", Language: "en"}, "AZ", t0); err != nil {
		t.Fatal(err)
	}
	schema := dump(t, s, "sqlite_master")
	data := dump(t, s, "cases", "case_files", "channels", "subscriptions", "meta")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for i := range 2 {
		s2, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if got, want := userVersion(t, s2.db), SchemaVersion(); got != want {
			t.Errorf("reopen %d: user_version = %d; want %d", i, got, want)
		}
		if got := dump(t, s2, "sqlite_master"); got != schema {
			t.Errorf("reopen %d: schema changed:\n%s\nwant:\n%s", i, got, schema)
		}
		if got := dump(t, s2, "cases", "case_files", "channels", "subscriptions", "meta"); got != data {
			t.Errorf("reopen %d: data changed:\n%s\nwant:\n%s", i, got, data)
		}
		s2.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	newer := SchemaVersion() + 1
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(ctx, path)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a newer database: got nil error; want one")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %q; want it to mention %q", err, "newer")
	}
	if got := userVersion(t, rawOpen(t, path)); got != newer {
		t.Errorf("user_version after refused Open = %d; want %d (untouched)", got, newer)
	}
}

func TestOpenUpgradesOlderSchema(t *testing.T) {
	pgtest.SkipOnPostgres(t, "a SQLite file written by another tool")
	// A database written before any migration (user_version 0, no tables)
	// is brought up to date.
	path := filepath.Join(t.TempDir(), "vigil.db")
	db := rawOpen(t, path)
	if _, err := db.Exec("CREATE TABLE unrelated (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openAt(t, path)
	if got, want := userVersion(t, s.db), SchemaVersion(); got != want {
		t.Errorf("user_version = %d; want %d", got, want)
	}
	if n := countRows(t, s, `SELECT count(*) FROM sqlite_master WHERE name IN ('cases', 'unrelated')`); n != 2 {
		t.Errorf("tables cases and unrelated: got %d; want 2", n)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "vigil.db")},
		{"directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s): got nil error; want one", tt.path)
			}
			if !strings.Contains(err.Error(), "store: open") {
				t.Errorf("error = %q; want it to start with %q", err, "store: open")
			}
		})
	}
}

func TestOpenPragmas(t *testing.T) {
	pgtest.SkipOnPostgres(t, "PRAGMAs")
	path := filepath.Join(t.TempDir(), "vigil.db")
	s := openAt(t, path)
	ctx := context.Background()
	// Hold several pooled connections at once so each is a distinct one:
	// every connection must carry the settings, not just the first.
	var conns []*sql.Conn
	for range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i, c := range conns {
		var mode string
		var fk, busy, sync int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("conn %d: journal_mode = %q; want %q", i, mode, "wal")
		}
		if fk != 1 {
			t.Errorf("conn %d: foreign_keys = %d; want 1", i, fk)
		}
		if busy < 1000 {
			t.Errorf("conn %d: busy_timeout = %d; want at least 1000", i, busy)
		}
		if sync != 1 {
			t.Errorf("conn %d: synchronous = %d; want 1 (NORMAL)", i, sync)
		}
	}
	// WAL is a property of the file: a plain connection sees it too.
	var mode string
	if err := rawOpen(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode seen by a second sql.Open = %q; want %q", mode, "wal")
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	s := newStore(t)
	_, err := s.db.Exec(`INSERT INTO subscriptions (platform, chat, country, created_at) VALUES ('telegram', '-100', 'AZ', 0)`)
	if err == nil {
		t.Error("subscription of a channel that does not exist: got nil error; want a foreign key error")
	}
}

func TestMSRoundTrip(t *testing.T) {
	tests := []struct {
		in   time.Time
		want int64
	}{
		{time.Time{}, 0},
		{time.UnixMilli(1).UTC(), 1},
		{t0, t0.UnixMilli()},
		{time.Date(2026, 10, 1, 12, 0, 0, 0, time.FixedZone("AZT", 4*3600)), time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC).UnixMilli()},
	}
	for _, tt := range tests {
		if got := ms(tt.in); got != tt.want {
			t.Errorf("ms(%v) = %d; want %d", tt.in, got, tt.want)
		}
		back := fromMS(ms(tt.in))
		if !back.Equal(tt.in) {
			t.Errorf("fromMS(ms(%v)) = %v; want the same instant", tt.in, back)
		}
		if !back.IsZero() && back.Location() != time.UTC {
			t.Errorf("fromMS(%d).Location() = %v; want UTC", ms(tt.in), back.Location())
		}
	}
	// Sub-millisecond precision is dropped, not rounded up.
	if got, want := fromMS(ms(t0.Add(999*time.Microsecond))), t0; !got.Equal(want) {
		t.Errorf("fromMS(ms(t0+999µs)) = %v; want %v", got, want)
	}
}

func TestErrNotFound(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"Case", func() error { _, err := s.Case(ctx, "nobody-fictional"); return err }},
		{"Channel", func() error { _, err := s.Channel(ctx, "telegram", "-100999"); return err }},
		{"Post", func() error { _, err := s.Post(ctx, 424242); return err }},
		{"QueueAlert", func() error {
			_, _, err := s.QueueAlert(ctx, "nobody-fictional", "msg", "editor", t0)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("got nil error; want ErrNotFound")
			}
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("errors.Is(%v, ErrNotFound) = false; want true", err)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				t.Errorf("errors.Is(%v, sql.ErrNoRows) = false; want true", err)
			}
		})
	}
	// Found rows are not errors.
	if _, err := s.Case(ctx, "amira-testova"); err != nil {
		t.Errorf("Case(amira-testova): %v; want nil", err)
	}
}

// longQuery runs until interrupted.
const longQuery = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c`

// checkUsable runs a round of ordinary operations on s, several at once so
// that every pooled connection is used, and fails the test on any error.
func checkUsable(t *testing.T, s *Store, round string) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Go(func() {
			for i := range 4 {
				if err := s.Ping(ctx); err != nil {
					errs <- fmt.Errorf("Ping: %w", err)
				}
				if _, err := s.Case(ctx, "amira-testova"); err != nil {
					errs <- fmt.Errorf("Case: %w", err)
				}
				ch := Channel{Platform: "test", Chat: fmt.Sprintf("%s-%d-%d", round, g, i), Timezone: "UTC", PostTime: "09:00", Language: "en"}
				if _, err := s.Subscribe(ctx, ch, "AZ", t0); err != nil {
					errs <- fmt.Errorf("Subscribe: %w", err)
				}
				if _, err := s.Channels(ctx); err != nil {
					errs <- fmt.Errorf("Channels: %w", err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("%s: %v", round, err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM channels WHERE chat LIKE ?`, round+"-%"); n != 16 {
		t.Errorf("%s: got %d channels; want 16", round, n)
	}
}

func TestCancelledContextBeforeStart(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := dump(t, s, "cases", "channels", "subscriptions", "outbox", "alerts", "meta")
	ch := Channel{Platform: "console", Chat: "console", Timezone: "UTC", PostTime: "09:00", Language: "en"}
	calls := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return s.Ping(ctx) }},
		{"Case", func() error { _, err := s.Case(ctx, "amira-testova"); return err }},
		{"Subscribe", func() error { _, err := s.Subscribe(ctx, ch, "AZ", t0); return err }},
		{"Enqueue", func() error {
			_, err := s.Enqueue(ctx, t0, Post{Key: "k1", Platform: "console", Chat: "console", Kind: "test", DueAt: t0})
			return err
		}},
		{"QueueAlert", func() error { _, _, err := s.QueueAlert(ctx, "amira-testova", "m", "e", t0); return err }},
		{"Import", func() error {
			_, err := s.Import(ctx, []cases.SourceFile{src("cases/new.yaml", caseYAML("new-fictional", "Nadia Fiktiva", "DE", "detained"))}, t0, ImportOptions{})
			return err
		}},
		{"Unsubscribe", func() error { _, err := s.Unsubscribe(ctx, "console", "console", ""); return err }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: got %v; want context.Canceled", c.name, err)
		}
	}
	if after := dump(t, s, "cases", "channels", "subscriptions", "outbox", "alerts", "meta"); after != before {
		t.Errorf("cancelled calls changed the database:\n%s\nwant:\n%s", after, before)
	}
	for i := range 3 {
		checkUsable(t, s, fmt.Sprintf("round%d", i))
	}
}

func TestCancelledContextMidQuery(t *testing.T) {
	s := newStore(t)
	seedCases(t, s)
	// Interrupt several connections at once, so that more than one pooled
	// connection has seen an interrupt.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			var n int64
			errs[i] = s.db.QueryRowContext(ctx, longQuery).Scan(&n)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("long query %d: got %v; want context.DeadlineExceeded", i, err)
		}
	}
	for i := range 3 {
		checkUsable(t, s, fmt.Sprintf("round%d", i))
	}
}

func TestCancelledContextMidTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	s := openAt(t, path)
	seedCases(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('half-written', 1)`); err != nil {
			return err
		}
		var n int64
		return tx.QueryRowContext(ctx, longQuery).Scan(&n)
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("tx with a long query: got %v; want context.DeadlineExceeded", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM meta WHERE key = 'half-written'`); n != 0 {
		t.Errorf("rows written by the cancelled transaction: got %d; want 0 (rolled back)", n)
	}
	// The write lock is released: another process can write at once.
	other := openAt(t, path)
	wctx, wcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer wcancel()
	if _, err := other.Subscribe(wctx, Channel{Platform: "console", Chat: "console", Timezone: "UTC", PostTime: "09:00", Language: "en"}, "DE", t0); err != nil {
		t.Errorf("write from a second store after the cancelled transaction: %v", err)
	}
	for i := range 3 {
		checkUsable(t, s, fmt.Sprintf("round%d", i))
	}
}

// TestCancelRacesCompletionOnOneConnection cancels statements at about the
// time they finish, on one connection, and checks the next statement on
// that same connection is never hit by a stray interrupt.
func TestCancelRacesCompletionOnOneConnection(t *testing.T) {
	// pgx closes a connection whose statement was cancelled, so that no
	// stray cancel request can reach its next statement; the pool opens
	// another (the other cancelled-context tests check that).
	pgtest.SkipOnPostgres(t, "modernc's interrupts on one connection")
	s := newStore(t)
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const q = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 300) SELECT count(*) FROM c`
	var n int
	start := time.Now()
	if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 300 {
		t.Fatalf("calibration: got %d, %v; want 300, nil", n, err)
	}
	d := max(time.Since(start), 50*time.Microsecond)
	var interrupted, finished int
	for i := range 60 {
		cctx, cancel := context.WithTimeout(ctx, d*time.Duration(i%30)/15)
		err := conn.QueryRowContext(cctx, q).Scan(&n)
		cancel()
		if err != nil {
			interrupted++
		} else {
			finished++
		}
		var one int
		if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			t.Fatalf("iteration %d: statement after a cancelled one: %v; want nil", i, err)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('n', 1) ON CONFLICT (key) DO UPDATE SET value = meta.value + 1`); err != nil {
			t.Fatalf("iteration %d: write after a cancelled statement: %v; want nil", i, err)
		}
	}
	if got := countRows(t, s, `SELECT value FROM meta WHERE key = 'n'`); got != 60 {
		t.Errorf("writes after cancelled statements: got %d; want 60", got)
	}
	t.Logf("%d interrupted, %d finished", interrupted, finished)
}

// TestTwoStores simulates the daemon and the CLI: two handles on one file
// writing at once must not see SQLITE_BUSY.
func TestTwoStoresConcurrentWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	daemon := openAt(t, path)
	cli := openAt(t, path)
	seedCases(t, daemon)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Two fixed subscribers of DE receive every alert about Erika.
	for _, chat := range []string{"-201", "-202"} {
		if _, err := cli.Subscribe(ctx, Channel{Platform: "telegram", Chat: chat, Timezone: "Europe/Berlin", PostTime: "09:00", Language: "de"}, "DE", t0); err != nil {
			t.Fatal(err)
		}
	}

	const goroutines, perG = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perG*3)
	alertIDs := make(chan int64, goroutines*perG)
	start := time.Now()
	for g := range goroutines {
		s := daemon
		if g%2 == 1 {
			s = cli
		}
		wg.Go(func() {
			for i := range perG {
				ch := Channel{Platform: "telegram", Chat: fmt.Sprint(-1000*(g+1) - i), Timezone: "Asia/Baku", PostTime: "10:00", Language: "az"}
				if added, err := s.Subscribe(ctx, ch, "AZ", t0); err != nil || !added {
					errs <- fmt.Errorf("Subscribe %s: added=%v, %w", ch, added, err)
				}
				p := Post{Key: fmt.Sprintf("test:%d:%d", g, i), Platform: "telegram", Chat: ch.Chat, Kind: "test", DueAt: t0}
				if n, err := s.Enqueue(ctx, t0, p); err != nil || n != 1 {
					errs <- fmt.Errorf("Enqueue %s: n=%d, %w", p.Key, n, err)
				}
				id, n, err := s.QueueAlert(ctx, "erika-musterfrau", "Fictional alert", "editor", t0)
				if err != nil || n != 2 {
					errs <- fmt.Errorf("QueueAlert: n=%d, %w", n, err)
				}
				alertIDs <- id
			}
		})
	}
	wg.Wait()
	close(errs)
	close(alertIDs)
	t.Logf("%d goroutines × %d iterations in %v", goroutines, perG, time.Since(start))
	for err := range errs {
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "locked") {
			t.Errorf("busy error surfaced: %v", err)
		} else {
			t.Error(err)
		}
	}
	ids := map[int64]bool{}
	for id := range alertIDs {
		if ids[id] {
			t.Errorf("alert id %d returned twice", id)
		}
		ids[id] = true
	}
	total := goroutines * perG
	for _, s := range []*Store{daemon, cli} {
		checks := []struct {
			name  string
			query string
			want  int
		}{
			{"AZ subscriptions", `SELECT count(*) FROM subscriptions WHERE country = 'AZ'`, total},
			{"channels", `SELECT count(*) FROM channels`, total + 2},
			{"test posts", `SELECT count(*) FROM outbox WHERE kind = 'test'`, total},
			{"alert posts", `SELECT count(*) FROM outbox WHERE kind = 'alert'`, 2 * total},
			{"alerts", `SELECT count(*) FROM alerts`, total},
		}
		for _, c := range checks {
			if got := countRows(t, s, c.query); got != c.want {
				t.Errorf("%s: got %d; want %d", c.name, got, c.want)
			}
		}
	}
	if got, err := cli.QueueDepth(ctx); err != nil || got != 3*total {
		t.Errorf("QueueDepth = %d, %v; want %d, nil", got, err, 3*total)
	}
}

func TestCloseThenUse(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping after Close: got nil error; want one")
	}
}

// TestConcurrentOpenOfNewFile: several processes starting at once on a
// database that does not exist yet all succeed, and the schema is created
// once.
func TestConcurrentOpenOfNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
		if got, want := userVersion(t, stores[i].db), SchemaVersion(); got != want {
			t.Errorf("store %d: user_version = %d; want %d", i, got, want)
		}
	}
	if errs[0] == nil {
		if got := countRows(t, stores[0], `SELECT count(*) FROM sqlite_master WHERE name = 'cases'`); got != 1 {
			t.Errorf("cases tables: got %d; want 1", got)
		}
	}
}
