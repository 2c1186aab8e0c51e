// This file builds the matcher's Index: the word dictionary, postings,
// deletion index for typos and the cache of common Complete answers, and
// the prefix lookup over the dictionary.

package cases

import (
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// The matcher works on folded words. NewIndex builds, once:
//
//   - a sorted dictionary of the unique folded words of every name, alias
//     and id, so that all words with a given prefix form one id range;
//   - word → postings (variant, word position), stored in dictionary order
//     so that the postings of a prefix range are one contiguous block;
//   - a deletion index (hashes of each word with up to one letter deleted,
//     two for words of 8+ letters), so the typo candidates of a query word
//     are found by a few dozen hash probes instead of a dictionary scan;
//   - the answers to Complete for single-word prefixes so common that
//     walking their postings would cost more than the latency budget.
//
// A query touches only the postings of the words it matches, and when a
// query word is very common, not even those: it then only scores the
// candidates its rarer siblings found. Per-query state lives in pooled
// scratch space indexed by variant, entry and word id and is reset through
// touched lists, so nothing proportional to the corpus is allocated or
// cleared per query.

// NewIndex builds the lookup structures for entries; the entries slice is
// not retained, so callers may reuse it.
func NewIndex(entries []Entry) *Index {
	ix := &Index{}
	n := len(entries)

	type keyed struct {
		key string
		i   int
	}
	keys := make([]keyed, n)
	for i := range entries {
		keys[i] = keyed{Fold(entries[i].Name), i}
	}
	// Name order is the tie-break everywhere, so sort once and let entry
	// numbers stand for it.
	slices.SortStableFunc(keys, func(a, b keyed) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		ea, eb := &entries[a.i], &entries[b.i]
		if c := strings.Compare(ea.Name, eb.Name); c != 0 {
			return c
		}
		return strings.Compare(ea.ID, eb.ID)
	})

	ix.names = make([]string, n)
	ix.ids = make([]string, n)
	tmpID := make(map[string]uint32, n)
	var tmpWords []string
	ix.varStart = make([]uint32, 1, 2*n+1)
	ix.varWords = make([]uint32, 0, 5*n)
	ix.varEntry = make([]uint32, 0, 2*n)
	var folds []string
	for e, k := range keys {
		src := &entries[k.i]
		ix.names[e], ix.ids[e] = src.Name, src.ID
		folds = append(folds[:0], k.key)
		for _, a := range src.Aliases {
			folds = append(folds, Fold(a))
		}
		folds = append(folds, Fold(src.ID))
		for j, f := range folds {
			if f == "" || slices.Contains(folds[:j], f) {
				continue
			}
			nw := 0
			for w := range strings.SplitSeq(f, " ") {
				if nw == variantMaxWords {
					break
				}
				id, ok := tmpID[w]
				if !ok {
					w = strings.Clone(w)
					id = uint32(len(tmpWords))
					tmpID[w] = id
					tmpWords = append(tmpWords, w)
				}
				ix.varWords = append(ix.varWords, id)
				nw++
			}
			ix.varStart = append(ix.varStart, uint32(len(ix.varWords)))
			ix.varEntry = append(ix.varEntry, uint32(e))
		}
	}
	tmpID = nil
	// Trim the growth slack: these live as long as the index.
	ix.varStart = slices.Clone(ix.varStart)
	ix.varWords = slices.Clone(ix.varWords)
	ix.varEntry = slices.Clone(ix.varEntry)

	// Renumber words in sorted order so prefixes are id ranges.
	order := make([]uint32, len(tmpWords))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(tmpWords[a], tmpWords[b]) })
	remap := make([]uint32, len(order))
	ix.words = make([]string, len(order))
	ix.wlen = make([]uint8, len(order))
	for newID, old := range order {
		remap[old] = uint32(newID)
		ix.words[newID] = tmpWords[old]
		ix.wlen[newID] = uint8(min(len(tmpWords[old]), 255))
	}
	for i, w := range ix.varWords {
		ix.varWords[i] = remap[w]
	}
	ix.lcp = make([]uint8, len(ix.words))
	for i := 1; i < len(ix.words); i++ {
		a, b := ix.words[i-1], ix.words[i]
		k := 0
		for k < len(a) && k < len(b) && k < 255 && a[k] == b[k] {
			k++
		}
		ix.lcp[i] = uint8(k)
	}
	order, remap, tmpWords = nil, nil, nil

	// Postings, by counting sort; variants are visited in order, so each
	// list comes out sorted by variant, that is by entry name.
	nv := len(ix.varEntry)
	ix.postStart = make([]uint32, len(ix.words)+1)
	for _, w := range ix.varWords {
		ix.postStart[w+1]++
	}
	for i := 1; i < len(ix.postStart); i++ {
		ix.postStart[i] += ix.postStart[i-1]
	}
	ix.post = make([]uint32, len(ix.varWords))
	fill := slices.Clone(ix.postStart[:len(ix.words)])
	for v := range nv {
		for pos, w := range ix.varWords[ix.varStart[v]:ix.varStart[v+1]] {
			ix.post[fill[w]] = uint32(v)<<4 | uint32(pos)
			fill[w]++
		}
	}

	ix.buildDeletions()
	ix.setPool()
	ix.buildCache()
	return ix
}

// setPool sizes the per-query scratch space to the index.
func (ix *Index) setPool() {
	nv, n, nw := len(ix.varEntry), len(ix.names), len(ix.words)
	ix.pool.New = func() any {
		return &matchScratch{
			slot:  make([]uint32, nv),
			eslot: make([]uint32, n),
			seen:  make([]bool, nw),
		}
	}
}

// delHash hashes w without the bytes at i and j (pass -1 to keep all).
func delHash(w string, i, j int) uint32 {
	h := uint64(14695981039346656037)
	for k := 0; k < len(w); k++ {
		if k == i || k == j {
			continue
		}
		h ^= uint64(w[k])
		h *= 1099511628211
	}
	// FNV's high bits mix poorly; finish with murmur3's avalanche.
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return uint32(h)
}

// buildDeletions indexes every word under its deletion neighbourhood. Two
// words are within d edits (optimal string alignment) only if deleting at
// most d letters from each makes them equal, so a query only needs to
// probe its own deletions. Words of 8+ letters get two-letter deletions;
// shorter words need one only: a query word is allowed two edits only when
// it has 8+ letters, and against a shorter word one of the two is then an
// insertion, which costs no deletion on the word's side.
//
// The index stores word ids bucketed by deletion hash, about eight to a
// bucket, each packed with up to 8 more hash bits that tell the bucket's
// words apart: four bytes per key instead of the twelve of a full hash
// and id, and one cache line per probe. The odd unrelated word a probe
// still returns is discarded by the edit distance that verifies every
// candidate anyway.
func (ix *Index) buildDeletions() {
	estimate := 0
	for _, w := range ix.words {
		if n := len(w); n <= fuzzyMaxLen {
			estimate += 1 + n
			if n >= 8 {
				estimate += n * (n - 1) / 2
			}
		}
	}
	dirBits := uint(8)
	for dirBits < 24 && 1<<dirBits < estimate/8 {
		dirBits++
	}
	ix.delShift = 32 - dirBits
	ix.delDir = make([]uint32, 1<<dirBits+1)

	// Two passes, count then fill, rather than materialising and sorting
	// millions of (hash, id) pairs. A key is the bucket and fingerprint.
	ix.fpBits = uint(min(8, 32-bits.Len(uint(len(ix.words)))))
	keyShift := ix.delShift - ix.fpBits
	var keys []uint32
	wordKeys := func(w string) []uint32 {
		keys = append(keys[:0], delHash(w, -1, -1)>>keyShift)
		for i := range len(w) {
			keys = append(keys, delHash(w, i, -1)>>keyShift)
			if len(w) >= 8 {
				for j := i + 1; j < len(w); j++ {
					keys = append(keys, delHash(w, i, j)>>keyShift)
				}
			}
		}
		// Repeated letters repeat deletions; one entry per key is enough.
		slices.Sort(keys)
		return slices.Compact(keys)
	}
	for _, w := range ix.words {
		if len(w) <= fuzzyMaxLen {
			for _, k := range wordKeys(w) {
				ix.delDir[k>>ix.fpBits+1]++
			}
		}
	}
	for i := 1; i < len(ix.delDir); i++ {
		ix.delDir[i] += ix.delDir[i-1]
	}
	n := ix.delDir[len(ix.delDir)-1]
	ix.delKeys = make([]uint32, n)
	fill := slices.Clone(ix.delDir[:len(ix.delDir)-1])
	for id, w := range ix.words {
		if len(w) <= fuzzyMaxLen {
			for _, k := range wordKeys(w) {
				b := k >> ix.fpBits
				ix.delKeys[fill[b]] = uint32(id)<<ix.fpBits | k&(1<<ix.fpBits-1)
				fill[b]++
			}
		}
	}
}

// buildCache precomputes Complete for single-word prefixes whose postings
// are too many to walk within the latency budget (one or two letters,
// very common name stems).
func (ix *Index) buildCache() {
	ix.cache = map[string][]Match{}
	for l := 1; l <= 8; l++ {
		for lo := 0; lo < len(ix.words); {
			w := ix.words[lo]
			if len(w) < l {
				lo++
				continue
			}
			p := w[:l]
			hi := lo + 1
			for hi < len(ix.words) && strings.HasPrefix(ix.words[hi], p) {
				hi++
			}
			if ix.postStart[hi]-ix.postStart[lo] > cachePostings && utf8.ValidString(p) && Fold(p) == p {
				ix.cache[p] = ix.complete(p, completeMax)
			}
			lo = hi
		}
	}
}

// prefixRange returns the id range of the dictionary words starting with p.
func (ix *Index) prefixRange(p string) (lo, hi int) {
	lo, _ = slices.BinarySearch(ix.words, p)
	i, j := lo, len(ix.words)
	for i < j {
		h := int(uint(i+j) >> 1)
		if strings.HasPrefix(ix.words[h], p) {
			i = h + 1
		} else {
			j = h
		}
	}
	return lo, i
}
