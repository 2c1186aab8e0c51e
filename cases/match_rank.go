// This file gathers and ranks candidates: how exact, prefix and typo
// matches score in each mode, the pooled per-query scratch space, walking
// postings into candidates, and combining word similarities into one score
// per entry, best first.

package cases

import (
	"math/bits"
	"slices"
	"strings"
)

// matchMode holds what differs between exact lookups and autocomplete.
type matchMode struct {
	complete  bool
	prefixMin int // shortest query word that may match as a prefix
}

var (
	lookupMode   = matchMode{complete: false, prefixMin: 3}
	completeMode = matchMode{complete: true, prefixMin: 1}
)

// prefixSim scores a query word of length lq that is a proper prefix of a
// word of length lw: the more of the word typed, the likelier it is meant.
func (md *matchMode) prefixSim(lq, lw int) float32 {
	if md.complete {
		return 0.75 + 0.2*float32(lq)/float32(lw)
	}
	return 0.5 + 0.4*float32(lq)/float32(lw)
}

// typoSim scores a whole-word match at edit distance d; an edit costs less
// in a long word, where it is more likely a slip than another name.
func (md *matchMode) typoSim(d, lq, lw int) float32 {
	l := float32(max(lq, lw))
	if md.complete {
		return 0.7 - 0.3*float32(d)/l
	}
	return 0.9 - 0.4*float32(d)/l
}

// typoPrefixSim scores a query word within d edits of a prefix of a word;
// autocomplete only, and ranked below every clean prefix.
func typoPrefixSim(d, lq int) float32 {
	return 0.6 - 0.3*float32(d)/float32(lq)
}

// wordSim is a dictionary word matched by a query word.
type wordSim struct {
	w   uint32
	sim float32
}

// queryWord is one query word and the dictionary words it matches.
type queryWord struct {
	text      string
	exact     int64     // word id, or -1
	lo, hi    uint32    // words matched exactly or as a prefix
	fuzzy     []wordSim // typo matches, by word id
	rangeCost int       // postings of lo..hi
	fuzzyCost int       // postings of fuzzy

	// Whether the postings of the range and of the typo matches were
	// walked; if not, the word is scored on the candidates by refine.
	rangeDone, fuzzyDone bool
}

// matchCand is a variant touched by the query: per query word the best
// similarity and the variant word positions that reached it.
type matchCand struct {
	v    uint32
	sim  [queryMaxWords]float32
	mask [queryMaxWords]uint16
}

// matchHit is an entry's best variant score.
type matchHit struct {
	e     uint32
	score float32
	tier  uint8 // Complete: 0 exact and prefix matches, 1 fuzzy
}

// betterHit orders hits best first; entry numbers follow name order,
// which makes ties deterministic.
func betterHit(a, b matchHit) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.score != b.score {
		return a.score > b.score
	}
	return a.e < b.e
}

// matchScratch is per-query working memory, pooled so that its
// corpus-sized arrays are allocated once and reset only where a query
// touched them.
type matchScratch struct {
	slot   []uint32 // variant → 1+index into cands
	cands  []matchCand
	eslot  []uint32 // entry → 1+index into ents
	ents   []matchHit
	seen   []bool // word → already a typo candidate
	touch  []uint32
	hashes []uint32
	spans  [][2]uint32
	order  []wordSim
	top    []matchHit
	osa    [fuzzyMaxLen + 3]osaState
	peq    [256]uint64
	q      [queryMaxWords]queryWord
	nq     int
}

func (ix *Index) get() *matchScratch { return ix.pool.Get().(*matchScratch) }

func (ix *Index) put(s *matchScratch) {
	for i := range s.cands {
		s.slot[s.cands[i].v] = 0
	}
	s.cands = s.cands[:0]
	s.clearEnts()
	for i := range s.nq {
		s.q[i].text = ""
		s.q[i].fuzzy = s.q[i].fuzzy[:0]
	}
	s.nq = 0
	ix.pool.Put(s)
}

func (s *matchScratch) clearEnts() {
	for _, h := range s.ents {
		s.eslot[h.e] = 0
	}
	s.ents = s.ents[:0]
}

// setQuery splits the folded query into words and resolves their exact and
// prefix matches.
func (ix *Index) setQuery(s *matchScratch, folded string, md *matchMode) {
	s.nq = 0
	for w := range strings.SplitSeq(folded, " ") {
		if s.nq == queryMaxWords {
			break
		}
		q := &s.q[s.nq]
		s.nq++
		*q = queryWord{text: w, fuzzy: q.fuzzy[:0], exact: -1}
		lo, hi := ix.prefixRange(w)
		if lo < hi && ix.words[lo] == w {
			q.exact = int64(lo)
		}
		if len(w) < md.prefixMin {
			hi = lo
			if q.exact >= 0 {
				hi = lo + 1
			}
		}
		q.lo, q.hi = uint32(lo), uint32(hi)
		q.rangeCost = int(ix.postStart[hi] - ix.postStart[lo])
	}
}

// light picks the query words whose postings are walked, by cost(word).
// Walking a two-letter prefix or a very common given name can mean
// thousands of postings, so such heavy words only score the candidates
// their lighter siblings found: a case that matches none of the light
// words matches at most part of the query, and the light words' cases
// outrank it. A query made only of heavy words is driven by the cheapest.
func (s *matchScratch) light(cost func(*queryWord) int) (drive [queryMaxWords]bool) {
	found := false
	cheapest := -1
	for i := range s.nq {
		c := cost(&s.q[i])
		drive[i] = c <= heavyPostings
		found = found || drive[i] && c > 0
		if c > 0 && (cheapest < 0 || c < cost(&s.q[cheapest])) {
			cheapest = i
		}
	}
	if !found && cheapest >= 0 {
		drive[cheapest] = true
	}
	return drive
}

// add records that word w matches query word qi with similarity sim in
// every variant that contains it.
func (s *matchScratch) add(ix *Index, qi int, w uint32, sim float32) {
	for _, p := range ix.post[ix.postStart[w]:ix.postStart[w+1]] {
		v := p >> 4
		k := s.slot[v]
		if k == 0 {
			s.cands = append(s.cands, matchCand{v: v})
			k = uint32(len(s.cands))
			s.slot[v] = k
		}
		c := &s.cands[k-1]
		bit := uint16(1) << (p & 15)
		if sim > c.sim[qi] {
			c.sim[qi], c.mask[qi] = sim, bit
		} else if sim == c.sim[qi] {
			c.mask[qi] |= bit
		}
	}
}

// rangeSim is the similarity of word w in q's exact/prefix range.
func (ix *Index) rangeSim(q *queryWord, w uint32, md *matchMode) float32 {
	if int64(w) == q.exact {
		return 1
	}
	return md.prefixSim(len(q.text), int(ix.wlen[w]))
}

func (ix *Index) driveRange(s *matchScratch, qi int, md *matchMode) {
	q := &s.q[qi]
	for w := q.lo; w < q.hi; w++ {
		s.add(ix, qi, w, ix.rangeSim(q, w, md))
	}
	q.rangeDone = true
}

func (ix *Index) driveFuzzy(s *matchScratch, qi int) {
	q := &s.q[qi]
	for _, f := range q.fuzzy {
		s.add(ix, qi, f.w, f.sim)
	}
	q.fuzzyDone = true
}

// simOf is the similarity of dictionary word w to query word q.
func (ix *Index) simOf(q *queryWord, w uint32, md *matchMode) float32 {
	var sim float32
	if q.lo <= w && w < q.hi {
		sim = ix.rangeSim(q, w, md)
		if sim == 1 {
			return 1
		}
	}
	if len(q.fuzzy) > 0 {
		if k, ok := slices.BinarySearchFunc(q.fuzzy, w, func(f wordSim, w uint32) int {
			return int(f.w) - int(w)
		}); ok && q.fuzzy[k].sim > sim {
			sim = q.fuzzy[k].sim
		}
	}
	return sim
}

// refine scores the query words whose postings were not all walked
// against the words of every candidate.
func (ix *Index) refine(s *matchScratch, md *matchMode) {
	for i := range s.nq {
		q := &s.q[i]
		if q.rangeDone && (q.fuzzyDone || len(q.fuzzy) == 0) {
			continue
		}
		for k := range s.cands {
			c := &s.cands[k]
			for pos, w := range ix.varWords[ix.varStart[c.v]:ix.varStart[c.v+1]] {
				sim := ix.simOf(q, w, md)
				if sim == 0 {
					continue
				}
				bit := uint16(1) << pos
				if sim > c.sim[i] {
					c.sim[i], c.mask[i] = sim, bit
				} else if sim == c.sim[i] {
					c.mask[i] |= bit
				}
			}
		}
	}
}

// score combines the per-word similarities of a candidate: the mean over
// query words, so matching every query word beats matching some, scaled
// by how much of the variant was matched, so a full name beats a surname.
// Only the exact folded text, in order, scores 1.
func (ix *Index) score(s *matchScratch, c *matchCand, md *matchMode) (float32, uint8) {
	var sum float32
	var cover uint16
	all1, strict := true, true
	for i := range s.nq {
		sim := c.sim[i]
		sum += sim
		cover |= c.mask[i]
		all1 = all1 && sim == 1
		strict = strict && sim >= strictSim
	}
	vw := ix.varWords[ix.varStart[c.v]:ix.varStart[c.v+1]]
	nw := len(vw)
	covered := bits.OnesCount16(cover)
	if all1 && covered == nw && nw == s.nq {
		exact := true
		for i, w := range vw {
			exact = exact && int64(w) == s.q[i].exact
		}
		if exact {
			return 1, 0
		}
	}
	sc := sum / float32(s.nq) * (0.7 + 0.3*float32(covered)/float32(nw))
	sc = min(sc, 0.99)
	if md.complete && !strict {
		return sc * 0.5, 1 // below every prefix-only match
	}
	return sc, 0
}

// collect turns candidates into per-entry best hits at or above floor.
func (ix *Index) collect(s *matchScratch, md *matchMode, floor float32) {
	s.clearEnts()
	for k := range s.cands {
		c := &s.cands[k]
		sc, tier := ix.score(s, c, md)
		if sc < floor {
			continue
		}
		h := matchHit{ix.varEntry[c.v], sc, tier}
		if j := s.eslot[h.e]; j != 0 {
			if betterHit(h, s.ents[j-1]) {
				s.ents[j-1] = h
			}
			continue
		}
		s.ents = append(s.ents, h)
		s.eslot[h.e] = uint32(len(s.ents))
	}
}

// selectTop returns the best k hits, best first.
func (s *matchScratch) selectTop(k int) []matchHit {
	top := s.top[:0]
	for _, h := range s.ents {
		if len(top) == k && !betterHit(h, top[k-1]) {
			continue
		}
		i := len(top)
		if i < k {
			top = append(top, h)
		} else {
			i = k - 1
		}
		for i > 0 && betterHit(h, top[i-1]) {
			top[i] = top[i-1]
			i--
		}
		top[i] = h
	}
	s.top = top
	return top
}

// driveOrdered walks the postings of s.order (matches of the single query
// word) best similarity first and stops once the k best entries found are
// better than anything the rest could give: for one query word, a score
// never exceeds the word similarity (times 0.5 in Complete's fuzzy tier).
// This keeps a lone common name from walking the postings of every
// similar name.
func (ix *Index) driveOrdered(s *matchScratch, k int, md *matchMode, floor float32) {
	slices.SortFunc(s.order, func(a, b wordSim) int {
		if a.sim != b.sim {
			if a.sim > b.sim {
				return -1
			}
			return 1
		}
		return int(a.w) - int(b.w)
	})
	walked, next := 0, 256
	for i, f := range s.order {
		if walked >= next && f.sim < s.order[i-1].sim {
			next = 2 * walked
			bound := f.sim
			var tier uint8
			if md.complete && f.sim < strictSim {
				bound, tier = f.sim*0.5, 1
			}
			ix.collect(s, md, floor)
			if top := s.selectTop(k); len(top) == k && betterHit(top[k-1], matchHit{0, bound, tier}) {
				return
			}
		}
		s.add(ix, 0, f.w, f.sim)
		walked += int(ix.postStart[f.w+1] - ix.postStart[f.w])
	}
}
