package card

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/vigil-bot/vigil/cases"
)

// Cache keeps rendered cards, at most maxEntries of them, dropping the
// least recently used. A card's key is its case's id and a fingerprint
// of the case's content (and of its photo file's size and time), the
// language, the size, the day and the public URL: a changed case, or a
// new day, renders anew. Concurrent callers asking for one key render it
// once and share the result. A Cache is safe for concurrent use.
type Cache struct {
	max int

	mu       sync.Mutex
	entries  map[string]*list.Element // of *cacheEntry
	lru      list.List                // most recent first
	inflight map[string]*call
	renders  int // how many cards were rendered, for tests
}

type cacheEntry struct {
	key string
	png []byte
}

// call is a render in progress that other callers wait for.
type call struct {
	done chan struct{}
	png  []byte
	err  error
}

// NewCache returns a cache of at most maxEntries cards (at least one).
func NewCache(maxEntries int) *Cache {
	return &Cache{max: max(1, maxEntries), entries: map[string]*list.Element{}, inflight: map[string]*call{}}
}

// PNG returns the card of c in o as PNG bytes, from the cache or
// rendered (Render). The bytes are shared: callers must not modify them.
// Errors are not cached.
func (k *Cache) PNG(c *cases.Case, o Options) ([]byte, error) {
	o, err := normalize(c, o)
	if err != nil {
		return nil, err
	}
	key, err := cacheKey(c, o)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if el, ok := k.entries[key]; ok {
		k.lru.MoveToFront(el)
		b := el.Value.(*cacheEntry).png
		k.mu.Unlock()
		return b, nil
	}
	if cl, ok := k.inflight[key]; ok {
		k.mu.Unlock()
		<-cl.done
		return cl.png, cl.err
	}
	cl := &call{done: make(chan struct{})}
	k.inflight[key] = cl
	k.renders++
	k.mu.Unlock()

	cl.png, cl.err = Render(c, o)

	k.mu.Lock()
	delete(k.inflight, key)
	if cl.err == nil {
		k.entries[key] = k.lru.PushFront(&cacheEntry{key: key, png: cl.png})
		for k.lru.Len() > k.max {
			old := k.lru.Back()
			k.lru.Remove(old)
			delete(k.entries, old.Value.(*cacheEntry).key)
		}
	}
	k.mu.Unlock()
	close(cl.done)
	return cl.png, cl.err
}

// Len returns how many cards the cache holds.
func (k *Cache) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lru.Len()
}

// cacheKey is a card's identity: what it is drawn from.
func cacheKey(c *cases.Case, o Options) (string, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("card: fingerprint %s: %w", c.ID, err)
	}
	h := sha256.New()
	h.Write(data)
	if c.Photo != nil && c.Photo.File != "" {
		if info, err := os.Stat(c.Photo.File); err == nil {
			fmt.Fprintf(h, "\x00photo %d %d", info.Size(), info.ModTime().UnixNano())
		}
	}
	sum := hex.EncodeToString(h.Sum(nil)[:12])
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s", c.ID, sum, o.Lang, o.Size, o.Today, o.PublicURL), nil
}
