package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vigil-bot/vigil/cases"
)

// ErrArchived is returned when an archived case is asked to do what only
// a live one does, such as receive an alert.
var ErrArchived = errors.New("archived")

// ArchiveReason is the reason given to the queued posts about a case that
// Archive cancels.
const ArchiveReason = "the case was archived"

// ArchiveResult says what Archive or Unarchive did.
type ArchiveResult struct {
	Name      string    // the case's name
	Changed   bool      // false when the case already was in the asked state
	Cancelled int       // queued posts about the case that were skipped
	Since     time.Time // when it was archived (Archive; also when it already was)
}

// Archive archives the case with the given id: it keeps its record and
// history, but leaves lookups, lists, plans and posts. Its queued posts
// not yet sent are skipped with ArchiveReason, in the same transaction,
// except the deletions of a withdrawn alert's delivered copies: they act
// on what is already out, and retracting again could not queue them anew.
// It bumps the cases version, so a running daemon re-plans and reloads
// its lookups. It returns ErrNotFound when there is no such case.
func (s *Store) Archive(ctx context.Context, id string, now time.Time) (ArchiveResult, error) {
	var res ArchiveResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT name, archived_at FROM cases WHERE id = ?`, id).Scan(&res.Name, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("case %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if at != 0 {
			res.Since = fromMS(at)
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET archived_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'skipped', last_error = ?, done_at = ?
			WHERE case_id = ? AND state = 'queued' AND kind NOT IN `+archiveKeeps, ArchiveReason, ms(now), id)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.Changed, res.Cancelled, res.Since = true, int(n), now.UTC().Truncate(time.Millisecond)
		return bumpCasesVersion(ctx, tx)
	})
	if err != nil {
		return ArchiveResult{}, fmt.Errorf("store: archive: %w", err)
	}
	return res, nil
}

// archiveKeeps is the SQL list of the kinds Archive leaves queued.
var archiveKeeps = sqlKinds(func(k Kind) bool { return k == KindAlertDelete })

// Unarchive brings an archived case back into lookups, lists and plans.
// Posts that Archive cancelled stay cancelled; the planner plans the
// case's days again. It returns ErrNotFound when there is no such case.
func (s *Store) Unarchive(ctx context.Context, id string) (ArchiveResult, error) {
	var res ArchiveResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT name, archived_at FROM cases WHERE id = ?`, id).Scan(&res.Name, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("case %q: %w", id, ErrNotFound)
		}
		if err != nil || at == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET archived_at = 0 WHERE id = ?`, id); err != nil {
			return err
		}
		res.Changed, res.Since = true, fromMS(at)
		return bumpCasesVersion(ctx, tx)
	})
	if err != nil {
		return ArchiveResult{}, fmt.Errorf("store: unarchive: %w", err)
	}
	return res, nil
}

// ArchivedCase is an archived case and when it was archived.
type ArchivedCase struct {
	cases.Case
	ArchivedAt time.Time `json:"archived_at"`
}

// ArchivedCases returns the archived cases, ordered by name.
func (s *Store) ArchivedCases(ctx context.Context) ([]ArchivedCase, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data, archived_at FROM cases WHERE archived_at != 0 ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: archived cases: %w", err)
	}
	defer rows.Close()
	var out []ArchivedCase
	for rows.Next() {
		var data string
		var at int64
		if err := rows.Scan(&data, &at); err != nil {
			return nil, fmt.Errorf("store: archived cases: %w", err)
		}
		var c ArchivedCase
		if err := json.Unmarshal([]byte(data), &c.Case); err != nil {
			return nil, fmt.Errorf("store: archived cases: %w", err)
		}
		c.ArchivedAt = fromMS(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: archived cases: %w", err)
	}
	return out, nil
}

// bumpCasesVersion moves CasesVersion, so that running processes reload
// their lookups and the planner plans again.
func bumpCasesVersion(ctx context.Context, db execer) error {
	_, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('cases_version', 1)
		ON CONFLICT (key) DO UPDATE SET value = meta.value + 1`)
	return err
}

// MissingCase is a case that an import no longer found in the files that
// brought it in: its file was read again and no longer defines it, or the
// file is gone from a folder the import read. Import only says so: a
// missing file may be a mistake, so the case is archived only by hand.
type MissingCase struct {
	ID   string
	File string
	Gone bool // the file itself no longer exists
}

// String is the warning for m, naming the command that retires the case.
func (m MissingCase) String() string {
	if m.Gone {
		return fmt.Sprintf("%s is gone and with it %s; to retire the case run `vigil archive %s`", m.File, m.ID, m.ID)
	}
	return fmt.Sprintf("%s no longer defines %s; to retire the case run `vigil archive %s`", m.File, m.ID, m.ID)
}

// missingCases returns the live cases that the files of an import no
// longer define: those of the files read again (changed, and imported:
// a file left out keeps its old ids) that are still stored as coming
// from that file, and those of files gone from a folder of the import.
func (s *Store) missingCases(ctx context.Context, files []cases.SourceFile, known map[string]fileState) ([]MissingCase, error) {
	var out []MissingCase
	in := make(map[string]bool, len(files))
	dirs := map[string]bool{}
	for _, f := range files {
		in[f.Path] = true
		if filepath.IsAbs(f.Path) {
			dirs[filepath.Dir(f.Path)] = true
		}
		if st, ok := known[f.Path]; ok && st.hash == f.Hash {
			continue // unchanged: warned about when it changed
		}
		var hash, raw string
		err := s.db.QueryRowContext(ctx, `SELECT hash, ids FROM case_files WHERE path = ?`, f.Path).Scan(&hash, &raw)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && hash != f.Hash) {
			continue // not imported (left out as bad)
		}
		if err != nil {
			return nil, err
		}
		ids, err := fileState{path: f.Path, rawIDs: raw}.ids()
		if err != nil {
			return nil, err
		}
		defined := make(map[string]bool, len(ids))
		for _, id := range ids {
			defined[id] = true
		}
		stored, err := s.liveCasesOf(ctx, f.Path)
		if err != nil {
			return nil, err
		}
		for _, id := range stored {
			if !defined[id] {
				out = append(out, MissingCase{ID: id, File: f.Path})
			}
		}
	}
	for p := range known {
		if in[p] || !filepath.IsAbs(p) || !inImportedTree(p, dirs) {
			continue
		}
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		stored, err := s.liveCasesOf(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, id := range stored {
			out = append(out, MissingCase{ID: id, File: p, Gone: true})
		}
	}
	slices.SortFunc(out, func(a, b MissingCase) int {
		return cmp.Or(strings.Compare(a.File, b.File), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// liveCasesOf returns the ids of the cases not archived that are stored
// as coming from the file at path.
func (s *Store) liveCasesOf(ctx context.Context, path string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM cases WHERE file = ? AND archived_at = 0 ORDER BY id`, path)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// inImportedTree reports whether the gone file at path belonged to the
// folders an import read: its nearest folder that still exists holds,
// at any depth, one of the files imported (files lists their folders).
func inImportedTree(path string, dirs map[string]bool) bool {
	dir := filepath.Dir(path)
	for {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
	for d := range dirs {
		if d == dir || strings.HasPrefix(d, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
