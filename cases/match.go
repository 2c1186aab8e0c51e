// This file holds the case matcher's public API: the Entry it indexes, the
// Match it answers with, the Index type and its entry points Lookup and
// Complete, and the tuning constants the other match files share. The index
// is built in match_index.go, candidates are gathered and ranked in
// match_rank.go, and typos are found and measured in match_distance.go.

package cases

import (
	"math"
	"slices"
	"strings"
	"sync"
)

const (
	lookupMax       = 5  // a longer list stops being a pick list
	completeMax     = 25 // chat platforms cap autocomplete choices at 25
	queryMaxWords   = 8  // real queries are names; more words are noise
	variantMaxWords = 16 // positions must fit the uint16 coverage masks
	fuzzyMaxLen     = 64 // the bit-parallel edit distance uses one uint64

	// heavyPostings is the postings count above which a query word only
	// scores candidates found through its more selective siblings.
	heavyPostings = 1024
	// cachePostings is the postings count above which a single-word prefix
	// gets its Complete answer precomputed at build time.
	cachePostings = 2048

	lookupFloor   = 0.5  // below this a Lookup answer would be a guess
	completeFloor = 0.15 // a suggestion list tolerates weaker matches
	pickGap       = 0.08 // scores this close to the best are "equally good"
	strictSim     = 0.75 // Complete: word sims at or above are exact or prefix
)

// Entry is what the matcher knows of a case, enough to recognise it under
// any of the spellings people type.
type Entry struct {
	ID, Name string
	Aliases  []string
}

// Match is one scored candidate so callers can show or drop weak guesses;
// Score is in (0,1] and 1 means an exact name, alias or id after folding.
type Match struct {
	ID, Name string
	Score    float64
}

// Index answers lookups over a fixed set of entries; it is immutable once
// built, which is what makes it safe for concurrent use.
type Index struct {
	names, ids []string // per entry, entries in name order

	words     []string // sorted unique folded words
	wlen      []uint8  // len(words[i]), capped at 255
	postStart []uint32 // len(words)+1
	post      []uint32 // variant<<4 | word position

	varStart []uint32 // len(variants)+1, into varWords
	varWords []uint32
	varEntry []uint32

	delShift uint     // hash >> delShift is the deletion bucket
	delDir   []uint32 // bucket starts into delKeys
	delKeys  []uint32 // word id<<fpBits | more hash bits, by bucket
	fpBits   uint
	lcp      []uint8 // common prefix length of words[i-1] and words[i]

	cache map[string][]Match // Complete answers for very common prefixes

	pool sync.Pool
}

// Len reports the number of entries, so callers can tell an empty index
// from a query that matched nothing.
func (ix *Index) Len() int { return len(ix.names) }

// matches converts hits to the public form; scores are rounded so callers
// see stable, readable numbers rather than float32 noise.
func (ix *Index) matches(hs []matchHit) []Match {
	if len(hs) == 0 {
		return nil
	}
	out := make([]Match, len(hs))
	for i, h := range hs {
		out[i] = Match{ID: ix.ids[h.e], Name: ix.names[h.e], Score: math.Round(float64(h.score)*1e4) / 1e4}
	}
	return out
}

// Lookup returns the best matches for a /case query, best first: a single
// element when one case is clearly best (exact id/name/alias after
// folding, or a typo match clearly ahead of the next), several (at most 5)
// when close matches are about equally good (a pick list), and none when
// nothing is a good match.
func (ix *Index) Lookup(query string) []Match {
	f := Fold(query)
	if f == "" || ix.Len() == 0 {
		return nil
	}
	md := &lookupMode
	s := ix.get()
	defer ix.put(s)
	ix.setQuery(s, f, md)
	for i := range s.nq {
		ix.findFuzzy(s, &s.q[i], md)
	}
	if s.nq == 1 {
		q := &s.q[0]
		s.order = append(s.order[:0], q.fuzzy...)
		for w := q.lo; w < q.hi; w++ {
			s.order = append(s.order, wordSim{w, ix.rangeSim(q, w, md)})
		}
		ix.driveOrdered(s, lookupMax, md, lookupFloor)
	} else {
		drive := s.light(func(q *queryWord) int { return q.rangeCost + q.fuzzyCost })
		for i := range s.nq {
			if drive[i] {
				ix.driveRange(s, i, md)
				ix.driveFuzzy(s, i)
			}
		}
		ix.refine(s, md)
	}
	ix.collect(s, md, lookupFloor)
	top := s.selectTop(lookupMax)
	if len(top) == 0 {
		return nil
	}
	top = ix.preferExact(top, f)
	cut := top[0].score - pickGap
	if top[0].score == 1 {
		cut = 1 // an exact hit settles it, unless several are exact
	}
	n := 1
	for n < len(top) && top[n].score >= cut {
		n++
	}
	return ix.matches(top[:n])
}

// preferExact keeps, of the top hits, those that contain every query word
// as a whole word of a name, alias or id, if some do and some do not: a
// person whose name is exactly what was typed is meant before one whose
// name is only near it ("Rustamova" is not "Rustamov" misspelt when a
// Rustamova exists).
func (ix *Index) preferExact(top []matchHit, folded string) []matchHit {
	var ids []uint32
	for w := range strings.SplitSeq(folded, " ") {
		i, ok := slices.BinarySearch(ix.words, w)
		if !ok {
			return top // a word nobody has: no hit is exact
		}
		ids = append(ids, uint32(i))
	}
	exact := make([]matchHit, 0, len(top))
	for _, h := range top {
		if ix.hasWords(h.e, ids) {
			exact = append(exact, h)
		}
	}
	if len(exact) == 0 || len(exact) == len(top) {
		return top
	}
	return exact
}

// hasWords reports whether entry e has every word id among the words of
// its variants (which are stored in entry order).
func (ix *Index) hasWords(e uint32, ids []uint32) bool {
	lo, _ := slices.BinarySearch(ix.varEntry, e)
	hi, _ := slices.BinarySearch(ix.varEntry, e+1)
	for _, id := range ids {
		found := false
		for v := lo; v < hi && !found; v++ {
			found = slices.Contains(ix.varWords[ix.varStart[v]:ix.varStart[v+1]], id)
		}
		if !found {
			return false
		}
	}
	return true
}

// Complete returns up to limit (cap 25) suggestions for autocomplete of a
// partial input, best first: prefix matches on any word of
// names/aliases/ids first, then fuzzy matches. An empty query returns the
// first limit entries in name order, each with Score 1 since all match it
// equally.
func (ix *Index) Complete(query string, limit int) []Match {
	limit = min(limit, completeMax)
	if limit <= 0 || ix.Len() == 0 {
		return nil
	}
	f := Fold(query)
	if f == "" {
		out := make([]Match, min(limit, ix.Len()))
		for i := range out {
			out[i] = Match{ID: ix.ids[i], Name: ix.names[i], Score: 1}
		}
		return out
	}
	if c, ok := ix.cache[f]; ok {
		return slices.Clone(c[:min(limit, len(c))])
	}
	return ix.complete(f, limit)
}

// complete answers Complete for a non-empty folded query without the cache.
func (ix *Index) complete(f string, limit int) []Match {
	md := &completeMode
	s := ix.get()
	defer ix.put(s)
	ix.setQuery(s, f, md)
	drive := s.light(func(q *queryWord) int { return q.rangeCost })
	for i := range s.nq {
		if drive[i] {
			ix.driveRange(s, i, md)
		}
	}
	ix.refine(s, md)
	ix.collect(s, md, completeFloor)
	prefixHits := 0
	for _, h := range s.ents {
		if h.tier == 0 {
			prefixHits++
		}
	}
	// Fuzzy matches rank below every prefix match, so they are only looked
	// for when prefix matches cannot fill the list.
	if prefixHits < limit {
		for i := range s.nq {
			ix.findFuzzy(s, &s.q[i], md)
		}
		if s.nq == 1 {
			s.order = append(s.order[:0], s.q[0].fuzzy...)
			ix.driveOrdered(s, limit, md, completeFloor)
		} else {
			drive := s.light(func(q *queryWord) int { return q.rangeCost + q.fuzzyCost })
			for i := range s.nq {
				if drive[i] {
					if !s.q[i].rangeDone {
						ix.driveRange(s, i, md)
					}
					ix.driveFuzzy(s, i)
				}
			}
			ix.refine(s, md)
		}
		ix.collect(s, md, completeFloor)
	}
	return ix.matches(s.selectTop(limit))
}
