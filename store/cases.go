package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

// ImportOptions tunes Import.
type ImportOptions struct {
	// SkipBad imports the good files and leaves out the bad ones, reporting
	// them in ImportResult.Rejected, instead of importing nothing. The
	// daemon uses it at start-up so one broken file does not silence the
	// rest; `vigil import` does not.
	SkipBad bool
	// Move lets the files imported take ids that belong to files not in
	// this import (`vigil import --move`). Without it such a file is
	// refused: a case id belongs to the file that defines it.
	Move bool
}

// ImportResult says what an import did.
type ImportResult struct {
	Files         int // case files read
	Unchanged     int // files skipped because their content was already imported
	Added         int // new cases
	Updated       int // cases whose record changed
	Same          int // cases re-read with no change
	StatusChanges []StatusChange
	Rejected      error // with SkipBad: the problems of the files left out
}

type fileState struct {
	hash string
	ids  []string
}

// Import validates the case files and upserts their cases in one
// transaction: either every file is imported or, on any error, nothing is
// (unless opts.SkipBad). Files whose content is unchanged since their last
// import are not parsed again. A changed status is recorded as a
// StatusChange. now is also the parser's today: case dates after it are
// refused.
//
// A case id belongs to the file it was imported from, identified by its
// path as given in SourceFile.Path (cases.ReadFiles makes it absolute). A
// file that defines an id another file owns is refused, unless that file
// is part of the same import and no longer defines the id, or opts.Move.
func (s *Store) Import(ctx context.Context, files []cases.SourceFile, now time.Time, opts ImportOptions) (ImportResult, error) {
	res := ImportResult{Files: len(files)}
	known, err := s.fileStates(ctx)
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	owners, err := s.caseOwners(ctx)
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	renamed := adoptRelativePaths(known, owners, files)
	type parsed struct {
		file  cases.SourceFile
		cases []cases.Case
	}
	var (
		todo []parsed
		all  []cases.Case // every case, for the uniqueness check
		errs []error
		bad  = map[string]bool{}
	)
	for _, f := range files {
		// An unchanged file is skipped only if it still owns all its ids:
		// if another file has since redefined one, it must be re-imported.
		if st, ok := known[f.Path]; ok && st.hash == f.Hash && ownsAll(owners, f.Path, st.ids) {
			res.Unchanged++
			for _, id := range st.ids {
				all = append(all, cases.Case{ID: id, File: f.Path, Line: owners[id].line})
			}
			continue
		}
		cs, err := cases.Parse(f.Path, f.Data, cases.ParseOptions{Now: now})
		if err != nil {
			errs = append(errs, err)
			bad[f.Path] = true
			continue
		}
		todo = append(todo, parsed{f, cs})
		all = append(all, cs...)
	}
	if !opts.Move {
		if err := checkOwners(known, owners, files, all); err != nil {
			errs = append(errs, err)
			for _, e := range unjoin(err) {
				var fe *cases.FieldError
				if errors.As(e, &fe) {
					bad[fe.File] = true
				}
			}
		}
	}
	// CheckUnique blames the later of two definitions. Put the stored one
	// first, so that a duplicate is blamed on the file that newly defines
	// the id: with SkipBad, that file is left out and cannot take over
	// another file's case (and announce a bogus status change).
	slices.SortStableFunc(all, func(a, b cases.Case) int {
		oa, ob := owners[a.ID].file == a.File, owners[b.ID].file == b.File
		switch {
		case oa == ob:
			return 0
		case oa:
			return -1
		}
		return 1
	})
	if err := cases.CheckUnique(all); err != nil {
		errs = append(errs, err)
		var fe *cases.FieldError
		for _, e := range unjoin(err) {
			if errors.As(e, &fe) {
				bad[fe.File] = true
			}
		}
	}
	if len(errs) > 0 {
		if !opts.SkipBad {
			return res, errors.Join(errs...)
		}
		res.Rejected = errors.Join(errs...)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for rel, abs := range renamed {
			if err := renameFile(ctx, tx, rel, abs); err != nil {
				return err
			}
		}
		for _, p := range todo {
			if bad[p.file.Path] {
				continue
			}
			ids := make([]string, len(p.cases))
			for i := range p.cases {
				ids[i] = p.cases[i].ID
				if err := upsertCase(ctx, tx, &p.cases[i], now, &res); err != nil {
					return err
				}
			}
			idsJSON, _ := json.Marshal(ids)
			_, err := tx.ExecContext(ctx, `INSERT INTO case_files (path, hash, ids, imported_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, ids = excluded.ids, imported_at = excluded.imported_at`,
				p.file.Path, p.file.Hash, string(idsJSON), ms(now))
			if err != nil {
				return fmt.Errorf("record file %s: %w", p.file.Path, err)
			}
		}
		if res.Added+res.Updated == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('cases_version', 1)
			ON CONFLICT (key) DO UPDATE SET value = value + 1`)
		return err
	})
	if err != nil {
		return ImportResult{Files: len(files)}, fmt.Errorf("import: %w", err)
	}
	return res, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func upsertCase(ctx context.Context, tx *sql.Tx, c *cases.Case, now time.Time, res *ImportResult) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	}
	var oldStatus, oldData string
	err = tx.QueryRowContext(ctx, `SELECT status, data FROM cases WHERE id = ?`, c.ID).Scan(&oldStatus, &oldData)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO cases (id, name, country, status, status_as_of, file, data, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Name, c.Country, string(c.Status), c.StatusAsOf.String(), c.File, string(data), ms(now))
		if err != nil {
			return fmt.Errorf("insert case %s: %w", c.ID, err)
		}
		res.Added++
		return nil
	case err != nil:
		return fmt.Errorf("read case %s: %w", c.ID, err)
	case oldData == string(data):
		res.Same++
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE cases SET name = ?, country = ?, status = ?, status_as_of = ?, file = ?, data = ?, updated_at = ?
		WHERE id = ?`,
		c.Name, c.Country, string(c.Status), c.StatusAsOf.String(), c.File, string(data), ms(now), c.ID)
	if err != nil {
		return fmt.Errorf("update case %s: %w", c.ID, err)
	}
	res.Updated++
	if oldStatus != string(c.Status) {
		r, err := tx.ExecContext(ctx, `INSERT INTO status_changes (case_id, old_status, new_status, changed_at) VALUES (?, ?, ?, ?)`,
			c.ID, oldStatus, string(c.Status), ms(now))
		if err != nil {
			return fmt.Errorf("record status change of %s: %w", c.ID, err)
		}
		id, _ := r.LastInsertId()
		res.StatusChanges = append(res.StatusChanges, StatusChange{ID: id, CaseID: c.ID, Country: c.Country,
			Old: cases.Status(oldStatus), New: c.Status, At: now.UTC().Truncate(time.Millisecond)})
	}
	return nil
}

func (s *Store) fileStates(ctx context.Context) (map[string]fileState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT path, hash, ids FROM case_files`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]fileState{}
	for rows.Next() {
		var path, hash, ids string
		if err := rows.Scan(&path, &hash, &ids); err != nil {
			return nil, err
		}
		st := fileState{hash: hash}
		if err := json.Unmarshal([]byte(ids), &st.ids); err != nil {
			return nil, fmt.Errorf("case_files %s: %w", path, err)
		}
		out[path] = st
	}
	return out, rows.Err()
}

// checkOwners refuses cases that would take an id from a file outside
// this import: the id's owner is the file it was last imported from, as
// long as that file still lists it. An owner inside this import is left
// to cases.CheckUnique, which sees whether it still defines the id.
func checkOwners(known map[string]fileState, owners map[string]caseOwner, files []cases.SourceFile, newCases []cases.Case) error {
	inImport := make(map[string]bool, len(files))
	for _, f := range files {
		inImport[f.Path] = true
	}
	var errs []error
	for _, c := range newCases {
		o, ok := owners[c.ID]
		if !ok || o.file == c.File || inImport[o.file] {
			continue
		}
		if st, ok := known[o.file]; ok && !slices.Contains(st.ids, c.ID) {
			continue // its file dropped it: free to take
		}
		errs = append(errs, &cases.FieldError{File: c.File, Line: c.Line, Field: "id",
			Msg: fmt.Sprintf("%s already belongs to %s; to move it, delete it there and import both files together, or import with --move", c.ID, o.file)})
	}
	return errors.Join(errs...)
}

// adoptRelativePaths treats a stored relative path (written before
// cases.ReadFiles made paths absolute) as the same file as an imported
// absolute path it resolves to from the working directory, so that an
// older database does not count its own files as strangers. It rewrites
// known and owners in place and returns the renames, old path to new,
// for the transaction to store.
func adoptRelativePaths(known map[string]fileState, owners map[string]caseOwner, files []cases.SourceFile) map[string]string {
	incoming := map[string]bool{}
	for _, f := range files {
		if filepath.IsAbs(f.Path) {
			incoming[f.Path] = true
		}
	}
	renamed := map[string]string{}
	for p, st := range known {
		if filepath.IsAbs(p) {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil || !incoming[abs] {
			continue
		}
		renamed[p] = abs
		delete(known, p)
		if _, ok := known[abs]; !ok {
			known[abs] = st
		}
	}
	for id, o := range owners {
		if abs, ok := renamed[o.file]; ok {
			o.file = abs
			owners[id] = o
		}
	}
	return renamed
}

// renameFile stores a file's new path, for adoptRelativePaths.
func renameFile(ctx context.Context, tx *sql.Tx, from, to string) error {
	_, err := tx.ExecContext(ctx, `UPDATE OR IGNORE case_files SET path = ? WHERE path = ?`, to, from)
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM case_files WHERE path = ?`, from)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE cases SET file = ? WHERE file = ?`, to, from)
	}
	if err != nil {
		return fmt.Errorf("rename case file %s: %w", from, err)
	}
	return nil
}

// caseOwner is where a stored case was read from.
type caseOwner struct {
	file string
	line int
}

// caseOwners returns the file and line each stored case was read from.
func (s *Store) caseOwners(ctx context.Context) (map[string]caseOwner, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, file, coalesce(json_extract(data, '$.line'), 0) FROM cases`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]caseOwner{}
	for rows.Next() {
		var id string
		var o caseOwner
		if err := rows.Scan(&id, &o.file, &o.line); err != nil {
			return nil, err
		}
		out[id] = o
	}
	return out, rows.Err()
}

// ownsAll reports whether every id is still stored as coming from path.
func ownsAll(owners map[string]caseOwner, path string, ids []string) bool {
	for _, id := range ids {
		if owners[id].file != path {
			return false
		}
	}
	return true
}

// Case returns the case with the given id, or ErrNotFound.
func (s *Store) Case(ctx context.Context, id string) (cases.Case, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM cases WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return cases.Case{}, fmt.Errorf("store: case %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return cases.Case{}, fmt.Errorf("store: case %q: %w", id, err)
	}
	var c cases.Case
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return cases.Case{}, fmt.Errorf("store: case %q: %w", id, err)
	}
	return c, nil
}

// Cases returns the cases of the given countries (all cases when none is
// given), ordered by name.
func (s *Store) Cases(ctx context.Context, countries ...string) ([]cases.Case, error) {
	q := `SELECT data FROM cases ORDER BY name, id`
	var args []any
	if len(countries) > 0 {
		cj, _ := json.Marshal(countries)
		q = `SELECT data FROM cases WHERE country IN (SELECT value FROM json_each(?)) ORDER BY name, id`
		args = append(args, string(cj))
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	defer rows.Close()
	var out []cases.Case
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: cases: %w", err)
		}
		var c cases.Case
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return nil, fmt.Errorf("store: cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	return out, nil
}
