// This file finds typos: the edit budget of a query word, probing the
// deletion index, the trie-like walk for mistyped prefixes, and the
// bit-parallel optimal-string-alignment distance that verifies every
// candidate.

package cases

import (
	"math/bits"
	"slices"
)

// editBudget is how many edits a query word of n bytes may carry and still
// be taken for a typo rather than a different name.
func editBudget(n int) int {
	switch {
	case n < 4 || n > fuzzyMaxLen:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// findFuzzy fills q.fuzzy with the dictionary words within q's edit
// budget: whole words through the deletion index, and for autocomplete of
// the last (partial) word also words whose beginning is within the budget.
// Those are only looked for among words sharing the first two letters, or
// the two swapped: people rarely mistype how a name starts, and a
// two-letter range is small enough to walk for every keystroke.
func (ix *Index) findFuzzy(s *matchScratch, q *queryWord, md *matchMode) {
	m := len(q.text)
	d := editBudget(m)
	if d == 0 {
		return
	}
	t := q.text
	s.hashes = append(s.hashes[:0], delHash(t, -1, -1))
	for i := range m {
		s.hashes = append(s.hashes, delHash(t, i, -1))
		if d == 2 {
			for j := i + 1; j < m; j++ {
				s.hashes = append(s.hashes, delHash(t, i, j))
			}
		}
	}
	ix.probe(s)
	for i := range m {
		s.peq[t[i]] |= 1 << i
	}
	for _, w := range s.touch {
		s.seen[w] = false
		lw := int(ix.wlen[w])
		if int64(w) == q.exact || lw < m-d || lw > m+d {
			continue
		}
		if md.complete && q.lo <= w && w < q.hi {
			continue // already a prefix match, which ranks higher
		}
		if dist, _ := osaDistance(&s.peq, m, ix.words[w], 0); dist <= d {
			q.fuzzy = append(q.fuzzy, wordSim{w, md.typoSim(dist, m, lw)})
		}
	}
	s.touch = s.touch[:0]

	if md.complete && q == &s.q[s.nq-1] {
		ix.fuzzyPrefixes(s, q, d, t[:2])
		if t[0] != t[1] {
			var swapped [2]byte
			swapped[0], swapped[1] = t[1], t[0]
			ix.fuzzyPrefixes(s, q, d, string(swapped[:]))
		}
	}
	for i := range m {
		s.peq[t[i]] = 0
	}

	slices.SortFunc(q.fuzzy, func(a, b wordSim) int {
		if a.w != b.w {
			return int(a.w) - int(b.w)
		}
		if a.sim > b.sim {
			return -1
		}
		return 1
	})
	q.fuzzy = slices.CompactFunc(q.fuzzy, func(a, b wordSim) bool { return a.w == b.w })
	q.fuzzyCost = 0
	for _, f := range q.fuzzy {
		q.fuzzyCost += int(ix.postStart[f.w+1] - ix.postStart[f.w])
	}
}

// fuzzyPrefixes adds the words starting with p whose beginning is within
// d edits of q (peq must hold q's match masks). Words are visited in
// dictionary order like the leaves of a trie: the edit-distance state of a
// shared prefix is reused, and once every alignment of a prefix costs more
// than d, all words below it are skipped.
func (ix *Index) fuzzyPrefixes(s *matchScratch, q *queryWord, d int, p string) {
	m := len(q.text)
	maxDepth := m + d
	high := uint64(1) << (m - 1)
	st := &s.osa
	st[0] = osaState{vp: ^uint64(0), dist: m, best: m}
	valid := 0 // st[1..valid] hold the states after each byte of the word
	lo, hi := ix.prefixRange(p)
	for w := uint32(lo); w < uint32(hi); {
		if q.lo <= w && w < q.hi {
			// Clean prefix matches, found already.
			for ; w < q.hi; w++ {
				valid = min(valid, int(ix.lcp[w]))
			}
			if w < uint32(hi) {
				valid = min(valid, int(ix.lcp[w]))
			}
			continue
		}
		word := ix.words[w]
		if len(word) > maxDepth {
			word = word[:maxDepth]
		}
		j := min(valid, len(word))
		dead := false
		for ; j < len(word); j++ {
			st[j+1] = st[j].step(s.peq[word[j]], high)
			if st[j+1].best > d && !st[j+1].alive(m, j+1, d) {
				dead = true
				j++
				break
			}
		}
		valid = j
		if !dead && int(ix.wlen[w]) >= m-d && st[j].best <= d {
			q.fuzzy = append(q.fuzzy, wordSim{w, typoPrefixSim(st[j].best, m)})
		}
		w++
		if dead {
			// Skip every word sharing the hopeless prefix.
			for w < uint32(hi) && int(ix.lcp[w]) >= j {
				w++
			}
		}
		if w < uint32(hi) {
			valid = min(valid, int(ix.lcp[w]))
		}
	}
}

// osaState is the bit-parallel edit-distance column after some bytes of a
// word; see osaDistance.
type osaState struct {
	vp, vn, d0, pm uint64
	dist, best     int // distance to the prefix so far, least over its prefixes
}

func (st *osaState) step(pm, high uint64) osaState {
	tr := ((^st.d0 & pm) << 1) & st.pm
	d0 := (((pm & st.vp) + st.vp) ^ st.vp) | pm | st.vn | tr
	hp := st.vn | ^(d0 | st.vp)
	hn := st.vp & d0
	dist := st.dist
	if hp&high != 0 {
		dist++
	} else if hn&high != 0 {
		dist--
	}
	x := hp<<1 | 1
	return osaState{vp: hn<<1 | ^(x | d0), vn: x & d0, d0: d0, pm: pm, dist: dist, best: min(st.best, dist)}
}

// alive reports whether some alignment of a j-byte word prefix with a
// prefix of the m-byte pattern costs at most d: otherwise no extension of
// the word prefix can come within d of the pattern or of any pattern
// prefix. The column holds D[i][j] as j plus the running vertical deltas.
func (st *osaState) alive(m, j, d int) bool {
	// D[i][j] >= |i-j|, so only rows j-d..j+d can hold a cost of at most d.
	for i := max(0, j-d); i <= min(m, j+d); i++ {
		below := uint64(1)<<i - 1
		if j+bits.OnesCount64(st.vp&below)-bits.OnesCount64(st.vn&below) <= d {
			return true
		}
	}
	return false
}

// probe adds the words indexed under the deletion hashes in s.hashes to
// the typo candidates. Bucket bounds are all loaded before any bucket is
// read, so the cache misses of a few dozen probes overlap.
func (ix *Index) probe(s *matchScratch) {
	s.spans = s.spans[:0]
	for _, h := range s.hashes {
		b := h >> ix.delShift
		s.spans = append(s.spans, [2]uint32{ix.delDir[b], ix.delDir[b+1]})
	}
	mask := uint32(1)<<ix.fpBits - 1
	shift := ix.delShift - ix.fpBits
	for i, h := range s.hashes {
		fp := h >> shift & mask
		for _, k := range ix.delKeys[s.spans[i][0]:s.spans[i][1]] {
			if k&mask != fp {
				continue
			}
			if w := k >> ix.fpBits; !s.seen[w] {
				s.seen[w] = true
				s.touch = append(s.touch, w)
			}
		}
	}
}

// osaDistance computes optimal-string-alignment distances between a
// pattern of m bytes (its match masks in peq) and t, with Hyyrö's
// bit-parallel algorithm: the whole-word distance, and the least distance
// to a prefix of t no longer than maxPrefix. Bit-parallel keeps verifying
// thousands of candidates within microseconds.
func osaDistance(peq *[256]uint64, m int, t string, maxPrefix int) (whole, prefix int) {
	vp, vn, d0, pmPrev := ^uint64(0), uint64(0), uint64(0), uint64(0)
	high := uint64(1) << (m - 1)
	dist := m
	prefix = m
	for j := 0; j < len(t); j++ {
		pm := peq[t[j]]
		tr := ((^d0 & pm) << 1) & pmPrev
		d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr
		hp := vn | ^(d0 | vp)
		hn := vp & d0
		if hp&high != 0 {
			dist++
		} else if hn&high != 0 {
			dist--
		}
		x := hp<<1 | 1
		vn = x & d0
		vp = hn<<1 | ^(x | d0)
		pmPrev = pm
		if j < maxPrefix && dist < prefix {
			prefix = dist
		}
	}
	return dist, prefix
}
