package store

import (
	"context"
	"slices"
	"testing"
)

// TestCopyTablesCoverSchema: CopyTo copies every table of the schema but
// the live replicas' leases and heartbeats (and PostgreSQL's schema
// version), so that a table a later migration adds is not left behind
// by vigil migrate without a word.
func TestCopyTablesCoverSchema(t *testing.T) {
	s := newStore(t)
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.dialect == postgresDialect {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := s.db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(copyTables, name) && !slices.Contains([]string{"leases", "replicas", "vigil_schema"}, name) {
			missing = append(missing, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("tables CopyTo leaves out: %v; add them to copyTables (parents first) or to this test's exceptions", missing)
	}
}
