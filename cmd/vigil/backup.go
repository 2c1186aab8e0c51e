package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/vigil-bot/vigil/store"
)

// cmdBackup writes a consistent copy of the database (store.Backup), also
// while serve runs, and says what the check of the copy found.
func cmdBackup(ctx context.Context, e *env, c *cli) error {
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	if store.IsPostgres(cfg.Database) {
		return fmt.Errorf("backup: %s is a PostgreSQL database: back it up with pg_dump (pg_dump -Fc -f FILE URL)", store.Redact(cfg.Database))
	}
	// A backup of a database that is not there would create an empty one.
	if _, err := os.Stat(cfg.Database); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: database %s does not exist", cfg.Database)
	}
	out := c.args[0]
	for _, side := range []string{"", "-wal", "-shm", "-journal"} {
		if sameFile(out, cfg.Database+side) {
			return &usageError{cmd: "backup", msg: fmt.Sprintf("%s is the database itself; name another file", out)}
		}
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	info, err := st.Backup(ctx, out, c.force)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s (%d bytes, 0600)\n", cfg.Database, info.Path, info.Bytes)
	fmt.Fprintf(e.stdout, "checked: schema version %d, integrity %s; %d cases, %d channels, %d posts, %d alerts\n",
		info.SchemaVersion, info.Integrity, info.Cases, info.Channels, info.Posts, info.Alerts)
	fmt.Fprintln(e.stdout, "to restore it: stop vigil serve, copy it over the database, remove the database's -wal and -shm files, start vigil serve")
	return nil
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
