package cases

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
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
	ix.pool.New = func() any {
		return &matchScratch{
			slot:  make([]uint32, nv),
			eslot: make([]uint32, n),
			seen:  make([]bool, len(ix.words)),
		}
	}
	ix.buildCache()
	return ix
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

// Len reports the number of entries, so callers can tell an empty index
// from a query that matched nothing.
func (ix *Index) Len() int { return len(ix.names) }

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
