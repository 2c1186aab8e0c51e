package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// copyTables are the tables CopyTo copies, parents before the rows that
// refer to them; idTables those whose id a sequence gives on PostgreSQL.
var (
	copyTables = []string{"cases", "case_files", "case_index", "status_changes", "channels", "subscriptions",
		"alerts", "alert_ops", "digests", "outbox", "deliveries", "meta", "letter_counts"}
	idTables = []string{"status_changes", "alerts", "alert_ops", "outbox", "deliveries"}
)

// CopyTables returns the names of the tables CopyTo copies, in order.
func CopyTables() []string { return slices.Clone(copyTables) }

// ErrNotEmpty is returned by CopyTo when the target already holds data.
var ErrNotEmpty = errors.New("the target database is not empty")

// CopyTo copies every row of the store, a SQLite database, into dst, an
// empty PostgreSQL one opened by Open (so its schema is this vigil's):
// the cases with their saved index and hashes, the case files, status
// changes, channels and subscriptions, alerts and their follow-ups, the
// outbox and its delivery log, the counters of meta and the letters
// counts, ids kept. It reads one snapshot of the source and writes in one
// transaction, then moves dst's id sequences past the copied ids; a
// target with any row in these tables is refused (ErrNotEmpty), and on
// any error nothing is written. It returns the rows copied per table.
func (s *Store) CopyTo(ctx context.Context, dst *Store) (map[string]int, error) {
	if s.dialect != sqliteDialect || dst.dialect != postgresDialect {
		return nil, fmt.Errorf("store: copy: from SQLite to PostgreSQL only (here %s to %s)", s.dialect, dst.dialect)
	}
	src, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	defer src.Rollback()
	counts := map[string]int{}
	err = dst.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range copyTables {
			var n int
			// The table names are our own constants.
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", table, err)
			}
			if n > 0 {
				return fmt.Errorf("%w: table %s has %d rows; copy into an empty database", ErrNotEmpty, table, n)
			}
		}
		for _, table := range copyTables {
			n, err := copyTable(ctx, src, tx, table)
			if err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
			counts[table] = n
		}
		for _, table := range idTables {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
				coalesce((SELECT max(id) FROM `+table+`), 0) + 1, false)`); err != nil {
				return fmt.Errorf("sequence of %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	return counts, nil
}

// copyBatch is how many rows one INSERT carries: well under PostgreSQL's
// 65,535 parameters for the widest table.
const copyBatch = 500

// copyTable copies the rows of table from src to dst, column by column
// by name; the two schemas must have the same columns.
func copyTable(ctx context.Context, src, dst *sql.Tx, table string) (int, error) {
	srcCols, err := columns(ctx, src, table)
	if err != nil {
		return 0, err
	}
	dstCols, err := columns(ctx, dst, table)
	if err != nil {
		return 0, err
	}
	if !slices.Equal(sorted(srcCols), sorted(dstCols)) {
		return 0, fmt.Errorf("the columns differ: SQLite has %s, PostgreSQL %s", strings.Join(srcCols, ", "), strings.Join(dstCols, ", "))
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(srcCols, ", ")+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(srcCols)), ", ") + ")"
	insert := func(args []any) error {
		n := len(args) / len(srcCols)
		q := `INSERT INTO ` + table + ` (` + strings.Join(srcCols, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		_, err := dst.ExecContext(ctx, q, args...)
		return err
	}
	var batch []any
	total := 0
	for rows.Next() {
		vals := make([]any, len(srcCols))
		ptrs := make([]any, len(srcCols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return total, err
		}
		batch = append(batch, vals...)
		total++
		if total%copyBatch == 0 {
			if err := insert(batch); err != nil {
				return total, err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return total, err
	}
	if len(batch) > 0 {
		if err := insert(batch); err != nil {
			return total, err
		}
	}
	return total, nil
}

// columns returns the column names of table, in the table's order.
func columns(ctx context.Context, tx *sql.Tx, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
