package store

import (
	"strings"
	"testing"
)

// TestPgRebind: placeholders numbered outside quotes and comments, "?N"
// kept as "$N", and the SQLite-only fragments rewritten.
func TestPgRebind(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT 1, ?1, ?2 WHERE x = ?1`, `SELECT 1, $1, $2 WHERE x = $1`},
		{`SELECT '?', "a?b", 'it''s ?' FROM t WHERE x = ?`, `SELECT '?', "a?b", 'it''s ?' FROM t WHERE x = $1`},
		{"-- why? because\nSELECT ? -- and?\n, ?", "-- why? because\nSELECT $1 -- and?\n, $2"},
		{`SELECT '$.line' = ?`, `SELECT '$.line' = $1`},
		{`WHERE k IN (SELECT value FROM json_each(?)) AND id IN (SELECT value FROM json_each(?))`,
			`WHERE k IN (SELECT value FROM jsonb_array_elements_text(coalesce(nullif($1::jsonb, 'null'::jsonb), '[]'::jsonb)) AS j(value))` +
				` AND id IN (SELECT value::bigint FROM jsonb_array_elements_text(coalesce(nullif($2::jsonb, 'null'::jsonb), '[]'::jsonb)) AS j(value))`},
		{`SET n = max(attempts - 1, 0), m = max(next_at, ?), o = coalesce(nullif(?, 0), o)`,
			`SET n = greatest(attempts - 1, 0), m = greatest(next_at, $1), o = coalesce(nullif($2::bigint, 0), o)`},
		{`SELECT group_concat(country, ',' ORDER BY country)`, `SELECT string_agg(country, ',' ORDER BY country)`},
		{`SELECT coalesce(json_extract(data, '$.line'), 0)`, `SELECT coalesce((data::jsonb->>'line')::bigint, 0)`},
		{`'unterminated ?`, `'unterminated ?`},
	} {
		if got := pgRebind(tt.in); got != tt.want {
			t.Errorf("pgRebind(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
		if got := pgRebind(tt.in); got != tt.want { // from the cache
			t.Errorf("pgRebind(%q) again = %q", tt.in, got)
		}
	}
}

// TestRedact: a PostgreSQL URL loses its password, in the user info or
// the query; a file name is left alone.
func TestRedact(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://vigil:s3cret@db.example:5432/vigil?sslmode=require", "postgres://vigil:xxxxx@db.example:5432/vigil?sslmode=require"},
		{"postgresql://vigil@db.example/vigil?password=s3cret", "postgresql://vigil@db.example/vigil?password=xxxxx"},
		{"/var/lib/vigil/vigil.db", "/var/lib/vigil/vigil.db"},
	} {
		got := Redact(tt.in)
		if got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
