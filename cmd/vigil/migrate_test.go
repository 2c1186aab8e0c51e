package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-bot/vigil/internal/pgtest"
	"github.com/vigil-bot/vigil/store"
)

// TestMigrateToPostgres fills a SQLite database through the CLI and the
// store (cases changed once, so a status change; channels on two
// platforms; an alert with a follow-up, one copy delivered; letters),
// copies it with `vigil migrate --to`, and compares every table row by
// row; then a second migrate into the same database is refused, and the
// copy is used: a new alert takes the next id.
func TestMigrateToPostgres(t *testing.T) {
	dsn := pgtest.Required(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		code, stdout, stderr := vigil(t, "", args...)
		if code != wantCode {
			t.Fatalf("vigil %s: exit %d; want %d\n%s%s", strings.Join(args, " "), code, wantCode, stdout, stderr)
		}
		return stdout + stderr
	}
	cases := filepath.Join(dir, "cases")
	writeFile(t, filepath.Join(cases, "a.yaml"), goodCase)
	writeFile(t, filepath.Join(cases, "b.yaml"), letterCasesYAML)
	cli(0, "import", "--db", db, cases)
	writeFile(t, filepath.Join(cases, "a.yaml"), strings.Replace(goodCase, "status: imprisoned", "status: released", 1))
	cli(0, "import", "--db", db, cases)
	cli(0, "case", "--db", db, "amira") // saves the case index
	cli(0, "subscribe", "--db", db, "telegram:-100123", "AZ")
	cli(0, "subscribe", "--db", db, "discord:112233445566778899", "AZ")
	cli(0, "subscribe", "--db", db, "discord:112233445566778899", "GE")
	cli(0, "alert", "--db", db, "amira-testova", "--message", "Write to her today")

	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	posts, err := st.Claim(ctx, time.Now().Add(time.Minute), 1, "telegram")
	if err != nil || len(posts) != 1 {
		t.Fatalf("Claim = %v, %v; want the telegram copy", posts, err)
	}
	if err := st.MarkSent(ctx, posts[0].ID, "m-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.AddLetter(ctx, "nino-pisma", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// A digest, whose body the outbox keeps once in digests.
	digest := store.ShareDigest(store.DigestBody{Header: "Also today:", Lines: []store.DigestLine{
		{CaseID: "nino-pisma", Kind: store.KindBirthday, N: 40, Text: "Nino Pisma turns 40"}}})
	if _, err := st.Enqueue(ctx, time.Now(), store.Post{Key: "digest:2026-12-03:telegram:-100123", Platform: "telegram", Chat: "-100123",
		Kind: store.KindDigest, Payload: store.EncodePayload(store.DigestPayload{N: 1, Day: "2026-12-03"}), DueAt: time.Now().Add(24 * time.Hour),
		Day: "2026-12-03", Digest: digest}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cli(0, "alert", "--db", db, "--follow-up", "1", "--message", "She was moved")

	out := cli(0, "migrate", "--db", db, "--to", dsn)
	for _, want := range []string{"copied " + db, "outbox", "letter_counts", "set database: "} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate output %q lacks %q", out, want)
		}
	}

	src := rawDB(t, "sqlite", "file:"+db+"?mode=ro")
	dst := rawDB(t, "pgx", dsn)
	for _, table := range store.CopyTables() {
		want, got := dumpTable(t, src, table), dumpTable(t, dst, table)
		if got != want {
			t.Errorf("table %s on PostgreSQL:\n%s\nwant, as in SQLite:\n%s", table, got, want)
		}
		if table != "case_files" && table != "meta" && table != "case_index" && strings.Count(want, "\n") < 2 {
			t.Errorf("table %s: no rows copied; the test must fill every table\n%s", table, want)
		}
	}

	// Into a database that has rows: refused, and nothing written.
	before := dumpTable(t, dst, "cases")
	if got := cli(1, "migrate", "--db", db, "--to", dsn); !strings.Contains(got, "not empty") || !strings.Contains(got, "table cases has") {
		t.Errorf("second migrate: %q; want it refused as not empty, naming the table", got)
	}
	if after := dumpTable(t, dst, "cases"); after != before {
		t.Errorf("a refused migrate changed the target:\n%s\nwant:\n%s", after, before)
	}

	// The copy works, ids going on past the copied ones.
	if got := cli(0, "alert", "--db", dsn, "nino-pisma", "--message", "Write to him"); !strings.Contains(got, "alert 2 queued for 1 channel") {
		t.Errorf("alert on the copy: %q; want alert 2 for the GE channel", got)
	}
	if got := cli(0, "subscriptions", "--db", dsn); !strings.Contains(got, "-100123") || !strings.Contains(got, "112233445566778899") {
		t.Errorf("subscriptions on the copy: %q; want both channels", got)
	}
}

// TestMigrateRefuses: migrate needs --to with a PostgreSQL URL, and a
// SQLite source.
func TestMigrateRefuses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "--db", db}, "missing --to"},
		{[]string{"migrate", "--db", db, "--to", "other.db"}, "--to must be a postgres://"},
		{[]string{"migrate", "--db", "postgres://vigil@127.0.0.1:1/vigil", "--to", "postgres://vigil@127.0.0.1:1/other"}, "PostgreSQL already"},
		{[]string{"migrate", "--db", db, "--to", "postgres://vigil@127.0.0.1:1/vigil"}, "does not exist"},
	} {
		code, stdout, stderr := vigil(t, "", tt.args...)
		if code == 0 || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("vigil %s: exit %d, %q; want a failure saying %q", strings.Join(tt.args, " "), code, stdout+stderr, tt.want)
		}
	}
}

// TestMigrateRefusesBesideServe: migrate takes the serve lock for the
// copy, so it refuses while a serve holds the database.
func TestMigrateRefusesBesideServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	if code, _, stderr := vigil(t, "", "subscribe", "--db", db, "telegram:-100123", "AZ"); code != 0 {
		t.Fatal(stderr)
	}
	lock, err := store.TryLock(db) // as serve holds it
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, stdout, stderr := vigil(t, "", "migrate", "--db", db, "--to", "postgres://vigil@127.0.0.1:1/vigil")
	if code != 1 || !strings.Contains(stderr, "another vigil serve") || !strings.Contains(stderr, "stop it first") {
		t.Errorf("migrate beside serve: exit %d, %q %q; want 1 and to stop serve first", code, stdout, stderr)
	}
}

// TestBackupOfPostgresSaysPgDump: vigil backup does not copy a
// PostgreSQL database, and says what does, without the password.
func TestBackupOfPostgresSaysPgDump(t *testing.T) {
	code, stdout, stderr := vigil(t, t.TempDir(), "backup", "--db", "postgres://vigil:s3cret@127.0.0.1:1/vigil", "b.db")
	if code != 1 || !strings.Contains(stderr, "pg_dump") || strings.Contains(stdout+stderr, "s3cret") {
		t.Errorf("backup of PostgreSQL: exit %d, %q %q; want 1 naming pg_dump, no password", code, stdout, stderr)
	}
}

// rawDB opens a database with the driver alone, as another tool would.
func rawDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dumpTable renders every row of table, ordered by all its columns.
func dumpTable(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query("SELECT * FROM " + table + " LIMIT 0")
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err = db.Query("SELECT * FROM " + table + " ORDER BY " + strings.Join(order, ", "))
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n", cols)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = fmt.Sprintf("%x", b) // a BLOB, in hex
			}
		}
		fmt.Fprintf(&b, "%v\n", vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	return b.String()
}
