package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/vigil-bot/vigil/config"
	"github.com/vigil-bot/vigil/store"
)

// watchDebounce is how long the case files must be quiet before serve
// imports them again: editors and `git pull` write in bursts (a temporary
// file, a rename, a second write), and one import should follow a burst.
const watchDebounce = 500 * time.Millisecond

// caseWatcher makes serve import its configured case files again when
// they change on disk, so that an edit or a `git pull` in the cases
// folder is all an editor needs. It watches the configured folders, their
// subfolders (new ones too) and the folders of configured single files;
// the bundled cases are not watched. The import is the one of serve's
// start (loadConfiguredCases): the same checks, and a bad file is logged
// with its file:line and left out, its previous version staying live.
type caseWatcher struct {
	cfg *config.Config
	st  *store.Store
	log *slog.Logger
	w   *fsnotify.Watcher

	roots []string        // configured folders, absolute
	files map[string]bool // configured single files, absolute

	// changed is called after an import that changed cases, so that the
	// planner looks at once rather than at its next tick.
	changed func()
}

// newCaseWatcher starts watching the configured case files; it returns
// nil, nil when there is nothing to watch (the bundled cases, or
// "cases: []").
func newCaseWatcher(cfg *config.Config, st *store.Store, log *slog.Logger) (*caseWatcher, error) {
	if len(cfg.Cases) == 0 {
		return nil, nil
	}
	w, err := fsnotify.NewBufferedWatcher(256)
	if err != nil {
		return nil, fmt.Errorf("watch case files: %w", err)
	}
	cw := &caseWatcher{cfg: cfg, st: st, log: log, w: w, files: map[string]bool{}}
	for _, p := range cfg.Cases {
		abs, err := filepath.Abs(p)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watch case files: %w", err)
		}
		info, err := os.Stat(abs)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watch case files: %w", err)
		}
		if info.IsDir() {
			cw.roots = append(cw.roots, abs)
			err = cw.addTree(abs)
		} else {
			// The folder, not the file: editors and git replace a file by
			// renaming another over it, which ends a watch on the file.
			cw.files[abs] = true
			err = w.Add(filepath.Dir(abs))
		}
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watch case files: %w", err)
		}
	}
	return cw, nil
}

// addTree watches dir and its subfolders, leaving out hidden ones (.git)
// as cases.ReadFiles does.
func (cw *caseWatcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return cw.w.Add(path)
	})
}

// root returns the configured folder that path is in, if any, and
// whether no part of path below it is hidden.
func (cw *caseWatcher) root(path string) (string, bool) {
	for _, r := range cw.roots {
		rel, err := filepath.Rel(r, path)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			continue
		}
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			if strings.HasPrefix(part, ".") {
				return r, false
			}
		}
		return r, true
	}
	return "", false
}

// relevant reports whether ev may change what the import reads: a
// configured file, or in a configured folder a case file or a folder (a
// new, removed or renamed one), but no hidden file or editor's backup.
func (cw *caseWatcher) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if cw.files[ev.Name] {
		return true
	}
	if _, ok := cw.root(ev.Name); !ok {
		return false
	}
	switch filepath.Ext(ev.Name) {
	case ".yaml", ".yml", ".csv", "":
		return true
	}
	return false
}

// Run imports the case files again after each burst of changes, until
// ctx ends. Problems are logged: a watcher that fails does not stop serve.
func (cw *caseWatcher) Run(ctx context.Context) error {
	defer cw.w.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-cw.w.Events:
			if !ok {
				return nil
			}
			if !cw.relevant(ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					if err := cw.addTree(ev.Name); err != nil {
						cw.log.Warn("case files: cannot watch a new folder", "folder", ev.Name, "err", err)
					}
				}
			}
			timer.Reset(watchDebounce)
		case err, ok := <-cw.w.Errors:
			if !ok {
				return nil
			}
			// An overflow loses events: import anyway, it costs the hashes.
			cw.log.Warn("case files: watch", "err", err)
			timer.Reset(watchDebounce)
		case <-timer.C:
			cw.reimport(ctx)
		}
	}
}

// reimport imports the configured case files as serve's start does and
// logs what changed, what was left out (file:line) and which cases the
// files no longer define.
func (cw *caseWatcher) reimport(ctx context.Context) {
	res, err := loadConfiguredCases(ctx, cw.cfg, cw.st)
	if err != nil {
		if ctx.Err() == nil {
			cw.log.Error("case files changed but were not imported; the previous cases stay live", "err", err)
		}
		return
	}
	logImport(cw.log, res, "cases re-imported")
	if res.Added+res.Updated > 0 && cw.changed != nil {
		cw.changed()
	}
}

// logImport logs an import of the configured case files: the counts, the
// files left out with their problems (file:line), the status changes and
// the cases that the files no longer define.
func logImport(log *slog.Logger, res store.ImportResult, msg string) {
	if res.Rejected != nil {
		for _, line := range strings.Split(res.Rejected.Error(), "\n") {
			log.Error("case file not imported; its previous version stays live", "err", line)
		}
	}
	for _, m := range res.Missing {
		log.Warn("case no longer in its files", "case", m.ID, "file", m.File, "warning", m.String())
	}
	for _, sc := range res.StatusChanges {
		log.Info("status changed", "case", sc.CaseID, "old", sc.Old, "new", sc.New)
	}
	log.Info(msg, "files", res.Files, "unchanged_files", res.Unchanged, "added", res.Added, "updated", res.Updated)
}
