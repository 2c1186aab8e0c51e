package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vigil-bot/vigil/cases"
	"github.com/vigil-bot/vigil/store"
)

// Library is the in-memory view of the case records that lookups and the
// planner run on: the cases by id and their match index. It reloads from
// the store when an import (possibly by another process) has changed the
// cases.
type Library struct {
	store *store.Store
	log   *slog.Logger // may be nil

	mu      sync.Mutex
	version int64
	current *snapshot
}

// snapshot is one immutable load of the cases.
type snapshot struct {
	byID  map[string]*cases.Case
	all   []*cases.Case // ordered by name
	index *cases.Index
}

// NewLibrary returns a library over the store's cases; it loads lazily.
// log, which may be nil, hears of an index that could not be saved.
func NewLibrary(s *store.Store, log *slog.Logger) *Library {
	return &Library{store: s, log: log}
}

// load returns the current snapshot, reloading it if the store's cases
// changed since the last load.
func (l *Library) load(ctx context.Context) (*snapshot, error) {
	v, err := l.store.CasesVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("library: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.current != nil && l.version == v {
		return l.current, nil
	}
	list, err := l.store.Cases(ctx)
	if err != nil {
		return nil, fmt.Errorf("library: %w", err)
	}
	s := &snapshot{byID: make(map[string]*cases.Case, len(list)), all: make([]*cases.Case, len(list))}
	entries := make([]cases.Entry, len(list))
	for i := range list {
		s.byID[list[i].ID] = &list[i]
		s.all[i] = &list[i]
		entries[i] = list[i].Entry()
	}
	s.index = cases.NewIndex(entries)
	l.current, l.version = s, v
	// The CLI's lookups load the saved index instead of building their
	// own; failing to save only costs the CLI that build.
	if err := l.store.SaveCaseIndex(ctx, v, s.index); err != nil && l.log != nil {
		l.log.Warn("could not save the lookup index for the CLI", "err", err)
	}
	return s, nil
}

// All returns every case, ordered by name. The cases are shared: callers
// must not modify them.
func (l *Library) All(ctx context.Context) ([]*cases.Case, error) {
	s, err := l.load(ctx)
	if err != nil {
		return nil, err
	}
	return s.all, nil
}

// Lookup returns the cases matching a /case query, best first: one case
// when it is clearly meant, several for a pick list, none when nothing
// matches well.
func (l *Library) Lookup(ctx context.Context, query string) ([]*cases.Case, error) {
	s, err := l.load(ctx)
	if err != nil {
		return nil, err
	}
	var out []*cases.Case
	for _, m := range s.index.Lookup(query) {
		if c, ok := s.byID[m.ID]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Complete returns up to limit autocomplete suggestions for a partial
// case query.
func (l *Library) Complete(ctx context.Context, query string, limit int) ([]cases.Match, error) {
	s, err := l.load(ctx)
	if err != nil {
		return nil, err
	}
	return s.index.Complete(query, limit), nil
}

// Case returns the case with the given id.
func (l *Library) Case(ctx context.Context, id string) (*cases.Case, bool, error) {
	s, err := l.load(ctx)
	if err != nil {
		return nil, false, err
	}
	c, ok := s.byID[id]
	return c, ok, nil
}

// Resolve finds the case a command means: the case with exactly that id,
// else the Lookup result (one case, several for a pick list, or none).
func (l *Library) Resolve(ctx context.Context, query string) ([]*cases.Case, error) {
	s, err := l.load(ctx)
	if err != nil {
		return nil, err
	}
	if c, ok := s.byID[query]; ok {
		return []*cases.Case{c}, nil
	}
	return l.Lookup(ctx, query)
}
