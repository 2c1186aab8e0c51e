package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// Library is the in-memory view of the case records that lookups run
// on: the cases by id and their match index. It reloads from the store
// when an import (possibly by another process) has changed the cases.
type Library struct {
	store *store.Store

	mu      sync.RWMutex
	version int64
	loaded  bool
	byID    map[string]*cases.Case
	index   *cases.Index
}

// NewLibrary returns a library over the store's cases; it loads lazily.
func NewLibrary(s *store.Store) *Library {
	return &Library{store: s}
}

// snapshot returns the current cases and index, reloading them if the
// store's cases changed since the last load.
func (l *Library) snapshot(ctx context.Context) (map[string]*cases.Case, *cases.Index, error) {
	v, err := l.store.CasesVersion(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("library: %w", err)
	}
	l.mu.RLock()
	if l.loaded && l.version == v {
		byID, ix := l.byID, l.index
		l.mu.RUnlock()
		return byID, ix, nil
	}
	l.mu.RUnlock()

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded && l.version == v {
		return l.byID, l.index, nil
	}
	all, err := l.store.Cases(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("library: %w", err)
	}
	byID := make(map[string]*cases.Case, len(all))
	entries := make([]cases.Entry, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
		entries[i] = all[i].Entry()
	}
	l.byID, l.index, l.version, l.loaded = byID, cases.NewIndex(entries), v, true
	return byID, l.index, nil
}

// Lookup returns the cases matching a /case query, best first: one case
// when it is clearly meant, several for a pick list, none when nothing
// matches well.
func (l *Library) Lookup(ctx context.Context, query string) ([]*cases.Case, error) {
	byID, ix, err := l.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var out []*cases.Case
	for _, m := range ix.Lookup(query) {
		if c, ok := byID[m.ID]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Complete returns up to limit autocomplete suggestions for a partial
// case query.
func (l *Library) Complete(ctx context.Context, query string, limit int) ([]cases.Match, error) {
	_, ix, err := l.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return ix.Complete(query, limit), nil
}

// Case returns the case with the given id.
func (l *Library) Case(ctx context.Context, id string) (*cases.Case, bool, error) {
	byID, _, err := l.snapshot(ctx)
	if err != nil {
		return nil, false, err
	}
	c, ok := byID[id]
	return c, ok, nil
}

// Resolve finds the case a command means: the case with exactly that id,
// else the Lookup result (one case, several for a pick list, or none).
func (l *Library) Resolve(ctx context.Context, query string) ([]*cases.Case, error) {
	if c, ok, err := l.Case(ctx, query); err != nil || ok {
		if ok {
			return []*cases.Case{c}, nil
		}
		return nil, err
	}
	return l.Lookup(ctx, query)
}
