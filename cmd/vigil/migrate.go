package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/vigil-bot/vigil/store"
)

// cmdMigrate copies the SQLite database into an empty PostgreSQL one
// (store.CopyTo), while no serve runs on it: it takes the serve lock for
// the time of the copy.
func cmdMigrate(ctx context.Context, e *env, c *cli) error {
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	switch {
	case c.to == "":
		return &usageError{cmd: "migrate", msg: "missing --to postgres://…"}
	case !store.IsPostgres(c.to):
		return &usageError{cmd: "migrate", msg: "--to must be a postgres:// or postgresql:// URL"}
	case store.IsPostgres(cfg.Database):
		return &usageError{cmd: "migrate", msg: "the database is PostgreSQL already; migrate copies a SQLite file"}
	}
	if _, err := os.Stat(cfg.Database); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("migrate: database %s does not exist", cfg.Database)
	}
	lock, err := store.TryLock(cfg.Database)
	var held *store.LockedError
	if errors.As(err, &held) {
		return fmt.Errorf("migrate: %w: stop it first, so that nothing changes during the copy", err)
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	src, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, c.to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := src.CopyTo(ctx, dst)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(e.stdout, "copied %s into %s:\n", cfg.Database, store.Redact(c.to))
	for _, table := range store.CopyTables() {
		fmt.Fprintf(e.stdout, "  %-15s %d\n", table, counts[table])
	}
	fmt.Fprintf(e.stdout, "to use it: set database: %s in the config (or pass --db), then start vigil serve\n", store.Redact(c.to))
	return nil
}
