package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
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
	// Missing are the live cases these files brought in earlier and no
	// longer define: a warning naming `vigil archive ID` (see MissingCase).
	Missing []MissingCase
}

type fileState struct {
	path, hash string
	rawIDs     string // JSON array of case ids
	stat       cases.FileStat
}

// errRetry makes Import roll back and import again without the files
// found bad, when it learnt that only after writing them.
var errRetry = errors.New("retry without the bad files")

// Import validates the case files and upserts their cases in one
// transaction: either every file is imported or, on any error, nothing is
// (unless opts.SkipBad). Files whose content is unchanged since their last
// import are not parsed again; when no file changed, Import reads nothing
// but the files' hashes. A changed file is read case by case and written
// as it is read, so that memory does not grow with the number of cases;
// only the cases whose content changed are written. A changed status is
// recorded as a StatusChange. now is also the parser's today: case dates
// after it are refused.
//
// A case id belongs to the file it was imported from, identified by its
// path as given in SourceFile.Path (cases.ReadFiles makes it absolute). A
// file that defines an id another file owns is refused, unless that file
// is part of the same import and no longer defines the id, or opts.Move.
//
// A case that these files brought in earlier and no longer define stays
// as it is (a file may be missing by mistake) and is named in Missing.
func (s *Store) Import(ctx context.Context, files []cases.SourceFile, now time.Time, opts ImportOptions) (ImportResult, error) {
	known, err := s.fileStates(ctx, true)
	if err != nil {
		return ImportResult{Files: len(files)}, fmt.Errorf("import: %w", err)
	}
	if allUnchanged(known, files) {
		if err := s.recordStats(ctx, known, files); err != nil {
			return ImportResult{Files: len(files)}, fmt.Errorf("import: %w", err)
		}
		missing, err := s.missingCases(ctx, files, known)
		if err != nil {
			return ImportResult{Files: len(files)}, fmt.Errorf("import: %w", err)
		}
		return ImportResult{Files: len(files), Unchanged: len(files), Missing: missing}, nil
	}
	owners, err := s.caseOwners(ctx)
	if err != nil {
		return ImportResult{Files: len(files)}, fmt.Errorf("import: %w", err)
	}
	renamed := adoptRelativePaths(known, owners, files)
	im := &importer{store: s, files: files, now: now, opts: opts, known: known, owners: owners, renamed: renamed, bad: map[string]bool{}}
	res, err := im.run(ctx)
	if errors.Is(err, errRetry) {
		// Only with SkipBad: a file written before a later one showed it
		// redefines an id. Its errors are known; import the rest.
		im.retry = true
		res, err = im.run(ctx)
	}
	if err != nil {
		return ImportResult{Files: len(files)}, err
	}
	if err := s.recordStats(ctx, known, files); err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	if res.Missing, err = s.missingCases(ctx, files, known); err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	return res, nil
}

// allUnchanged reports whether every file was imported before with the
// same content. A file that loses a case to another file is marked as
// changed (see upsert), so such a file still owns all its ids.
func allUnchanged(known map[string]fileState, files []cases.SourceFile) bool {
	for _, f := range files {
		if st, ok := known[f.Path]; !ok || st.hash != f.Hash || f.Hash == "" {
			return false
		}
	}
	return true
}

// importer is one Import.
type importer struct {
	store   *Store
	files   []cases.SourceFile
	now     time.Time
	opts    ImportOptions
	known   map[string]fileState
	owners  map[string]caseOwner
	renamed map[string]string // stored relative paths now known by their absolute one
	inFiles map[string]bool   // the paths of this import's files

	bad   map[string]bool // files left out
	errs  []error         // their problems
	retry bool            // second run: bad and errs are final
}

// run parses the changed files and writes their cases in one transaction,
// file by file, each file in a savepoint that is rolled back if the file
// turns out bad. It then checks ids across files; with errors, it rolls
// everything back (or, with SkipBad, returns errRetry when a file it
// wrote must be left out after all).
func (im *importer) run(ctx context.Context) (ImportResult, error) {
	res := ImportResult{Files: len(im.files)}
	var (
		refs    []cases.Ref // every case, for the uniqueness check
		written = map[string]bool{}
	)
	err := im.store.tx(ctx, func(tx *sql.Tx) error {
		w, err := newCaseWriter(ctx, tx, im.now, &res)
		if err != nil {
			return err
		}
		defer w.close()
		for rel, abs := range im.renamed {
			if err := renameFile(ctx, tx, rel, abs); err != nil {
				return err
			}
		}
		for _, f := range im.files {
			// An unchanged file is skipped only if it still owns all its ids:
			// if another file has since redefined one, it must be re-imported.
			ids, unchanged, err := im.unchanged(f)
			if err != nil {
				return err
			}
			if unchanged {
				res.Unchanged++
				for _, id := range ids {
					refs = append(refs, cases.Ref{ID: id, File: f.Path, Line: im.owners[id].line})
				}
				continue
			}
			if im.bad[f.Path] {
				continue // second run: its errors are already in im.errs
			}
			// Once nothing can be imported, the rest is only validated.
			write := im.opts.SkipBad || len(im.errs) == 0
			ok, err := im.file(ctx, tx, w, f, write, &res, &refs)
			if err != nil {
				return err
			}
			if ok && write {
				written[f.Path] = true
			}
		}
		if !im.retry {
			im.checkUnique(refs)
		}
		if len(im.errs) > 0 {
			if !im.opts.SkipBad {
				return errors.Join(im.errs...)
			}
			res.Rejected = errors.Join(im.errs...)
			for f := range written {
				if im.bad[f] {
					return errRetry
				}
			}
		}
		if res.Added+res.Updated == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('cases_version', 1)
			ON CONFLICT (key) DO UPDATE SET value = meta.value + 1`)
		return err
	})
	switch {
	case errors.Is(err, errRetry):
		return res, errRetry
	case err != nil && len(im.errs) > 0 && !im.opts.SkipBad:
		return res, errors.Join(im.errs...)
	case err != nil:
		return res, fmt.Errorf("import: %w", err)
	}
	return res, nil
}

// unchanged reports whether f was imported before with the same content
// and still owns all its ids, and returns them: if another file has since
// redefined one, it must be re-imported.
func (im *importer) unchanged(f cases.SourceFile) ([]string, bool, error) {
	st, ok := im.known[f.Path]
	if !ok || st.hash != f.Hash {
		return nil, false, nil
	}
	ids, err := st.ids()
	if err != nil {
		return nil, false, err
	}
	return ids, ownsAll(im.owners, f.Path, ids), nil
}

// file parses one changed file and, if write, writes its cases as they
// are read, in a savepoint. ok is false when the file is bad: its errors
// are noted, its writes and counts undone. err is a database error.
func (im *importer) file(ctx context.Context, tx *sql.Tx, w *caseWriter, f cases.SourceFile, write bool, res *ImportResult, refs *[]cases.Ref) (ok bool, err error) {
	if write {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT import_file`); err != nil {
			return false, err
		}
		if err := w.loadHashes(ctx, f.Path); err != nil {
			return false, err
		}
	}
	before, nrefs := *res, len(*refs)
	before.StatusChanges = slices.Clip(before.StatusChanges)
	var ids []string
	var werr error
	var owned []error // ids that belong to another file
	perr := cases.ParseEach(f.Path, f.Data, cases.ParseOptions{Now: im.now}, func(c *cases.Case) {
		if err := im.checkOwner(c); err != nil {
			owned = append(owned, err)
			return
		}
		*refs = append(*refs, cases.Ref{ID: c.ID, File: c.File, Line: c.Line})
		ids = append(ids, c.ID)
		if write && werr == nil && len(owned) == 0 {
			werr = w.upsert(ctx, c)
		}
	})
	if werr != nil {
		return false, werr
	}
	if perr == nil && len(owned) > 0 {
		perr = errors.Join(owned...)
	}
	if perr != nil {
		im.errs = append(im.errs, perr)
		im.bad[f.Path] = true
		*res, *refs = before, (*refs)[:nrefs]
		if write {
			_, err := tx.ExecContext(ctx, `ROLLBACK TO import_file; RELEASE import_file`)
			return false, err
		}
		return false, nil
	}
	if !write {
		return true, nil
	}
	idsJSON, _ := json.Marshal(ids)
	_, err = tx.ExecContext(ctx, `INSERT INTO case_files (path, hash, ids, imported_at, size, mtime) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, ids = excluded.ids, imported_at = excluded.imported_at,
			size = excluded.size, mtime = excluded.mtime`,
		f.Path, f.Hash, string(idsJSON), ms(im.now), f.Size, f.ModTime)
	if err != nil {
		return false, fmt.Errorf("record file %s: %w", f.Path, err)
	}
	_, err = tx.ExecContext(ctx, `RELEASE import_file`)
	return true, err
}

// checkUnique notes ids defined in more than one file. CheckUniqueRefs
// blames the later of two definitions. Put the stored one first, so that
// a duplicate is blamed on the file that newly defines the id: with
// SkipBad, that file is left out and cannot take over another file's
// case (and announce a bogus status change).
func (im *importer) checkUnique(refs []cases.Ref) {
	slices.SortStableFunc(refs, func(a, b cases.Ref) int {
		oa, ob := im.owners[a.ID].file == a.File, im.owners[b.ID].file == b.File
		switch {
		case oa == ob:
			return 0
		case oa:
			return -1
		}
		return 1
	})
	if err := cases.CheckUniqueRefs(refs); err != nil {
		im.errs = append(im.errs, err)
		var fe *cases.FieldError
		for _, e := range unjoin(err) {
			if errors.As(e, &fe) {
				im.bad[fe.File] = true
			}
		}
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// caseWriter writes cases in an import's transaction with prepared
// statements, skipping those whose content hash is unchanged.
type caseWriter struct {
	tx     *sql.Tx
	now    time.Time
	res    *ImportResult
	hashes map[string]caseHash // id → stored content hash, of the current file's cases
	stmts  map[string]*sql.Stmt
}

const (
	sqlFileHashes   = `SELECT id, hash FROM cases WHERE file = ?`
	sqlReadCase     = `SELECT status, data, file FROM cases WHERE id = ?`
	sqlInsertCase   = `INSERT INTO cases (id, name, country, status, status_as_of, file, data, hash, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateCase   = `UPDATE cases SET name = ?, country = ?, status = ?, status_as_of = ?, file = ?, data = ?, hash = ?, updated_at = ? WHERE id = ?`
	sqlSetHash      = `UPDATE cases SET hash = ? WHERE id = ?`
	sqlStaleFile    = `UPDATE case_files SET hash = '', size = -1 WHERE path = ?`
	sqlStatusChange = `INSERT INTO status_changes (case_id, old_status, new_status, changed_at) VALUES (?, ?, ?, ?) RETURNING id`
)

func newCaseWriter(ctx context.Context, tx *sql.Tx, now time.Time, res *ImportResult) (*caseWriter, error) {
	w := &caseWriter{tx: tx, now: now, res: res, stmts: map[string]*sql.Stmt{}}
	for _, q := range []string{sqlFileHashes, sqlReadCase, sqlInsertCase, sqlUpdateCase, sqlSetHash, sqlStaleFile, sqlStatusChange} {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			w.close()
			return nil, err
		}
		w.stmts[q] = st
	}
	return w, nil
}

func (w *caseWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// loadHashes reads the content hashes of the cases stored from path, so
// that unchanged cases cost no read of their record.
func (w *caseWriter) loadHashes(ctx context.Context, path string) error {
	rows, err := w.stmts[sqlFileHashes].QueryContext(ctx, path)
	if err != nil {
		return fmt.Errorf("read case hashes of %s: %w", path, err)
	}
	defer rows.Close()
	w.hashes = map[string]caseHash{}
	for rows.Next() {
		var id string
		var h sql.RawBytes
		if err := rows.Scan(&id, &h); err != nil {
			return fmt.Errorf("read case hashes of %s: %w", path, err)
		}
		// Kept decoded, 16 bytes in the map rather than a 32-byte string
		// beside it: a file may hold 100,000 cases.
		var sum caseHash
		if n, err := hex.Decode(sum[:], h); err == nil && n == len(sum) {
			w.hashes[id] = sum
		}
	}
	return rows.Err()
}

// caseHash is the content hash of a stored case: the first 16 bytes of
// the SHA-256 of its JSON record, stored as hex.
type caseHash [16]byte

// upsert writes c unless its stored record is the same.
func (w *caseWriter) upsert(ctx context.Context, c *cases.Case) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	}
	sum := sha256.Sum256(data)
	if h, ok := w.hashes[c.ID]; ok && h == caseHash(sum[:16]) {
		w.res.Same++
		return nil
	}
	hash := hex.EncodeToString(sum[:16])
	var oldStatus, oldData, oldFile string
	err = w.stmts[sqlReadCase].QueryRowContext(ctx, c.ID).Scan(&oldStatus, &oldData, &oldFile)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = w.stmts[sqlInsertCase].ExecContext(ctx,
			c.ID, c.Name, c.Country, string(c.Status), c.StatusAsOf.String(), c.File, string(data), hash, ms(w.now))
		if err != nil {
			return fmt.Errorf("insert case %s: %w", c.ID, err)
		}
		w.res.Added++
		return nil
	case err != nil:
		return fmt.Errorf("read case %s: %w", c.ID, err)
	case oldData == string(data):
		// Stored before cases had hashes.
		if _, err := w.stmts[sqlSetHash].ExecContext(ctx, hash, c.ID); err != nil {
			return fmt.Errorf("update case %s: %w", c.ID, err)
		}
		w.res.Same++
		return nil
	}
	_, err = w.stmts[sqlUpdateCase].ExecContext(ctx,
		c.Name, c.Country, string(c.Status), c.StatusAsOf.String(), c.File, string(data), hash, ms(w.now), c.ID)
	if err != nil {
		return fmt.Errorf("update case %s: %w", c.ID, err)
	}
	w.res.Updated++
	if oldFile != c.File {
		// The old file no longer owns the case: it must be read again.
		if _, err := w.stmts[sqlStaleFile].ExecContext(ctx, oldFile); err != nil {
			return fmt.Errorf("update case %s: %w", c.ID, err)
		}
	}
	if oldStatus != string(c.Status) {
		var id int64
		err := w.stmts[sqlStatusChange].QueryRowContext(ctx, c.ID, oldStatus, string(c.Status), ms(w.now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("record status change of %s: %w", c.ID, err)
		}
		w.res.StatusChanges = append(w.res.StatusChanges, StatusChange{ID: id, CaseID: c.ID, Country: c.Country,
			Old: cases.Status(oldStatus), New: c.Status, At: w.now.UTC().Truncate(time.Millisecond)})
	}
	return nil
}

// recordStats stores the size and modification time of files whose
// content is unchanged but whose stat is not (touched, checked out again,
// or imported before stats were kept), so that FilesUnchanged sees them.
func (s *Store) recordStats(ctx context.Context, known map[string]fileState, files []cases.SourceFile) error {
	for _, f := range files {
		if st, ok := known[f.Path]; ok && st.hash == f.Hash && st.stat != f.FileStat && f.Size >= 0 {
			if _, err := s.db.ExecContext(ctx, `UPDATE case_files SET size = ?, mtime = ? WHERE path = ? AND hash = ?`,
				f.Size, f.ModTime, f.Path, f.Hash); err != nil {
				return fmt.Errorf("record stat of %s: %w", f.Path, err)
			}
		}
	}
	return nil
}

// FilesUnchanged reports whether files are exactly the files imported
// before, each with the size and modification time it had then and still
// current (not marked for re-reading): then importing them again would
// change nothing, and read-only commands need not read them.
func (s *Store) FilesUnchanged(ctx context.Context, files []cases.StatFile) (bool, error) {
	// Without the ids: for 100,000 cases they are megabytes this check
	// does not need.
	known, err := s.fileStates(ctx, false)
	if err != nil {
		return false, fmt.Errorf("store: files unchanged: %w", err)
	}
	for _, f := range files {
		st, ok := known[f.Path]
		if !ok || st.hash == "" || st.stat.Size < 0 || st.stat != f.FileStat {
			return false, nil
		}
	}
	return true, nil
}

// fileStates returns the stored state of every imported file, with the
// ids each defined when withIDs (decoded only by ids).
func (s *Store) fileStates(ctx context.Context, withIDs bool) (map[string]fileState, error) {
	ids := "''"
	if withIDs {
		ids = "ids"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT path, hash, `+ids+`, size, mtime FROM case_files`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]fileState{}
	for rows.Next() {
		var st fileState
		if err := rows.Scan(&st.path, &st.hash, &st.rawIDs, &st.stat.Size, &st.stat.ModTime); err != nil {
			return nil, err
		}
		out[st.path] = st
	}
	return out, rows.Err()
}

// ids decodes the ids the file defined when it was last imported.
func (st fileState) ids() ([]string, error) {
	var ids []string
	if err := json.Unmarshal([]byte(st.rawIDs), &ids); err != nil {
		return nil, fmt.Errorf("case_files %s: %w", st.path, err)
	}
	return ids, nil
}

// checkOwner refuses a case that would take its id from a file outside
// this import: the id's owner is the file it was last imported from, as
// long as that file still lists it. An owner inside this import is left
// to the uniqueness check, which sees whether it still defines the id.
func (im *importer) checkOwner(c *cases.Case) error {
	if im.opts.Move {
		return nil
	}
	if im.inFiles == nil {
		im.inFiles = make(map[string]bool, len(im.files))
		for _, f := range im.files {
			im.inFiles[f.Path] = true
		}
	}
	o, ok := im.owners[c.ID]
	if !ok || o.file == c.File || im.inFiles[o.file] {
		return nil
	}
	if st, ok := im.known[o.file]; ok {
		ids, err := st.ids()
		if err == nil && !slices.Contains(ids, c.ID) {
			return nil // its file dropped it: free to take
		}
	}
	return &cases.FieldError{File: c.File, Line: c.Line, Field: "id",
		Msg: fmt.Sprintf("%s already belongs to %s; to move it, delete it there and import both files together, or import with --move", c.ID, cases.DisplayPath(o.file))}
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
	_, err := tx.ExecContext(ctx, `UPDATE case_files SET path = ? WHERE path = ?
		AND NOT EXISTS (SELECT 1 FROM case_files WHERE path = ?)`, to, from, to)
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
	files := map[string]string{} // one copy of each path, not one per case
	for rows.Next() {
		var id string
		var file sql.RawBytes
		var o caseOwner
		if err := rows.Scan(&id, &file, &o.line); err != nil {
			return nil, err
		}
		f, ok := files[string(file)]
		if !ok {
			f = string(file)
			files[f] = f
		}
		o.file = f
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

// Case returns the case with the given id, or ErrNotFound; an archived
// case is not found (see ArchivedCases).
func (s *Store) Case(ctx context.Context, id string) (cases.Case, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM cases WHERE id = ? AND archived_at = 0`, id).Scan(&data)
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
// given), ordered by name, leaving out the archived ones.
func (s *Store) Cases(ctx context.Context, countries ...string) ([]cases.Case, error) {
	q := `SELECT data FROM cases WHERE archived_at = 0 ORDER BY name, id`
	var args []any
	if len(countries) > 0 {
		cj, _ := json.Marshal(countries)
		q = `SELECT data FROM cases WHERE archived_at = 0 AND country IN (SELECT value FROM json_each(?)) ORDER BY name, id`
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

// CaseIndex returns the lookup index of the stored cases: the saved one
// if it was built for the current cases version, else one built from the
// cases' ids, names and aliases, which it saves for the next process. A
// short-lived command thus neither decodes every case nor rebuilds the
// index; it answers exactly as cases.NewIndex over the stored cases. An
// SQLite database keeps a copy of the saved index in a file beside it
// (its name and "-caseindex"), which CaseIndex maps into memory rather
// than reading and copying the index out of the database; the file is a
// cache, written when it is missing or stale and where the folder allows.
func (s *Store) CaseIndex(ctx context.Context) (*cases.Index, error) {
	var version, nonce int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = 'cases_version'), 0),
		coalesce((SELECT value FROM meta WHERE key = ?), 0)`, metaIndexNonce).Scan(&version, &nonce)
	if err != nil {
		return nil, fmt.Errorf("store: case index: %w", err)
	}
	path := ""
	if nonce != 0 {
		path = s.indexFilePath(ctx)
	}
	if path != "" {
		if ix := loadIndexFile(path, version, nonce); ix != nil {
			return ix, nil
		}
	}
	var data []byte
	err = s.db.QueryRowContext(ctx, `SELECT data FROM case_index WHERE version = ?`, version).Scan(&data)
	if err == nil {
		// data is this function's own copy: the index may keep it.
		if ix, err := cases.LoadIndex(data); err == nil {
			if path != "" {
				_ = writeIndexFile(path, version, nonce, data) // a cache: the next command reads the database again
			}
			return ix, nil
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: case index: %w", err)
	}
	entries, err := s.caseEntries(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: case index: %w", err)
	}
	ix := cases.NewIndex(entries)
	if err := s.SaveCaseIndex(ctx, version, ix); err != nil {
		return nil, err
	}
	return ix, nil
}

// SaveCaseIndex saves ix, built from the cases at cases version, for
// CaseIndex to load; it saves nothing if an import has changed the cases
// since, so a saved index always answers for the version it is stored
// under. The daemon saves the index it builds, so that the CLI's first
// lookup after an import does not build it again.
func (s *Store) SaveCaseIndex(ctx context.Context, version int64, ix *cases.Index) error {
	data, err := ix.MarshalBinary()
	if err != nil {
		return fmt.Errorf("store: save case index: %w", err)
	}
	nonce := newIndexNonce()
	saved := false
	err = s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO case_index (id, version, data)
		SELECT 1, ?1, ?2 WHERE coalesce((SELECT value FROM meta WHERE key = 'cases_version'), 0) = ?1
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data`, version, data)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return err
		}
		saved = true
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaIndexNonce, nonce)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save case index: %w", err)
	}
	if path := s.indexFilePath(ctx); saved && path != "" {
		_ = writeIndexFile(path, version, nonce, data) // a cache: CaseIndex falls back on the database
	}
	return nil
}

// caseEntries returns what the matcher needs of every stored case that
// is not archived, built by Case.Entry as the daemon's in-memory index
// builds it, from only the columns and JSON fields that Entry reads.
func (s *Store) caseEntries(ctx context.Context) ([]cases.Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, coalesce(json_extract(data, '$.aliases'), ''),
		coalesce(json_extract(data, '$.names'), '') FROM cases WHERE archived_at = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Entry
	for rows.Next() {
		var c cases.Case
		var aliases, names string
		if err := rows.Scan(&c.ID, &c.Name, &aliases, &names); err != nil {
			return nil, err
		}
		if aliases != "" {
			if err := json.Unmarshal([]byte(aliases), &c.Aliases); err != nil {
				return nil, fmt.Errorf("case %s: %w", c.ID, err)
			}
		}
		if names != "" {
			if err := json.Unmarshal([]byte(names), &c.Names); err != nil {
				return nil, fmt.Errorf("case %s: %w", c.ID, err)
			}
		}
		out = append(out, c.Entry())
	}
	return out, rows.Err()
}
