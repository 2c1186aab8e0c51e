package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupPostgres is Backup's answer on PostgreSQL, whose own tools
// make backups.
var ErrBackupPostgres = errors.New("store: backup: the database is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f FILE URL)")

// BackupInfo describes a backup that Backup wrote and checked by opening
// it.
type BackupInfo struct {
	Path          string
	Bytes         int64
	SchemaVersion int
	Integrity     string // "ok", as PRAGMA integrity_check says
	Cases         int    // archived ones included
	Channels      int
	Posts         int // rows of the outbox, sent or not
	Alerts        int
}

// Backup writes a consistent copy of the database to path with VACUUM
// INTO: one read transaction, so it may run while a daemon and the CLI
// write (they go on writing; the copy holds what was committed when it
// began). The copy is private (0600), like the database. An existing file
// at path is refused unless overwrite; then the copy is written beside it
// and renamed over it only once checked, so a failed backup leaves the old
// one whole. The copy is checked by opening it: schema version, PRAGMA
// integrity_check and row counts.
//
// A PostgreSQL database is not copied: it is backed up with pg_dump.
func (s *Store) Backup(ctx context.Context, path string, overwrite bool) (BackupInfo, error) {
	if s.dialect == postgresDialect {
		return BackupInfo{}, ErrBackupPostgres
	}
	if inMemory(path) {
		return BackupInfo{}, fmt.Errorf("store: backup: %q is not a file name", path)
	}
	if err := checkFolder(path, true); err != nil {
		return BackupInfo{}, err
	}
	target := path
	if overwrite {
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
		if err != nil {
			return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
		}
		target = f.Name() // created 0600
		f.Close()
	} else {
		// An empty file is what VACUUM INTO accepts besides none; creating
		// it here makes it private whatever the umask, and refuses to
		// overwrite a file even if one appears meanwhile.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return BackupInfo{}, fmt.Errorf("store: backup: %s exists; choose another name or overwrite it with --force", path)
		}
		if err != nil {
			return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
		}
		err = f.Chmod(0o600)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return BackupInfo{}, fmt.Errorf("store: backup: %w", err)
		}
	}
	info, err := s.backupTo(ctx, target)
	if err == nil && target != path {
		err = os.Rename(target, path)
	}
	if err != nil {
		os.Remove(target)
		return BackupInfo{}, fmt.Errorf("store: backup %s: %w", path, err)
	}
	info.Path = path
	return info, nil
}

// backupTo writes the copy into the empty file at target and checks it.
func (s *Store) backupTo(ctx context.Context, target string) (BackupInfo, error) {
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, target); err != nil {
		return BackupInfo{}, err
	}
	if err := os.Chmod(target, 0o600); err != nil {
		return BackupInfo{}, err
	}
	info, err := CheckBackup(ctx, target)
	if err != nil {
		return BackupInfo{}, err
	}
	return info, nil
}

// CheckBackup opens the database file at path read-only and checks that
// it is a whole vigil database: its schema version is one this vigil
// knows, PRAGMA integrity_check says ok, and its tables can be counted.
func CheckBackup(ctx context.Context, path string) (BackupInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("check backup: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	db, err := sql.Open("sqlite", fileURI(path)+"?"+q.Encode())
	if err != nil {
		return BackupInfo{}, fmt.Errorf("check backup: %w", err)
	}
	defer db.Close()
	info := BackupInfo{Path: path, Bytes: st.Size()}
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&info.SchemaVersion); err != nil {
		return info, fmt.Errorf("check backup: %w", err)
	}
	if info.SchemaVersion < 1 || info.SchemaVersion > SchemaVersion() {
		return info, fmt.Errorf("check backup: schema version %d is not one of this vigil's (1 to %d)", info.SchemaVersion, SchemaVersion())
	}
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return info, fmt.Errorf("check backup: integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return info, fmt.Errorf("check backup: integrity check: %w", err)
		}
		problems = append(problems, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return info, fmt.Errorf("check backup: integrity check: %w", err)
	}
	info.Integrity = strings.Join(problems, "; ")
	if info.Integrity != "ok" {
		return info, fmt.Errorf("check backup: integrity check: %s", info.Integrity)
	}
	for _, c := range []struct {
		table string
		n     *int
	}{{"cases", &info.Cases}, {"channels", &info.Channels}, {"outbox", &info.Posts}, {"alerts", &info.Alerts}} {
		// The table names are our own constants.
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+c.table).Scan(c.n); err != nil {
			return info, fmt.Errorf("check backup: count %s: %w", c.table, err)
		}
	}
	return info, nil
}
