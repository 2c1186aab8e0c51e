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
//   - a bigram index over the dictionary words, each list ordered by word
//     length, so typo candidates come from a count filter restricted to
//     the lengths an edit budget allows instead of a dictionary scan;
//   - the answers to Complete for single-word prefixes so common that
//     walking their postings would cost more than the latency budget.
//
// A query touches only the postings of the words it matches. Per-query
// state lives in pooled scratch space that is indexed by variant, entry
// and word id and is reset through touched lists, so nothing proportional
// to the corpus is allocated or cleared per query.

const (
	maxLookup     = 5  // a longer list stops being a pick list
	maxComplete   = 25 // chat platforms cap autocomplete choices at 25
	maxQueryWords = 8  // real queries are names; more words are noise
	maxVarWords   = 16 // positions must fit the uint16 coverage masks
	maxFuzzyLen   = 64 // the bit-parallel edit distance uses one uint64

	// heavyCost is the postings count above which a query word only
	// refines candidates found through its more selective siblings.
	heavyCost = 4096
	// cacheCost is the postings count above which a single-word prefix
	// gets its Complete answer precomputed at build time.
	cacheCost = 2048

	lookupFloor   = 0.5  // below this a Lookup answer would be a guess
	completeFloor = 0.15 // a suggestion list tolerates weaker matches
	pickGap       = 0.08 // scores this close to the best are "equally good"
	strictFloor   = 0.75 // Complete: sims at or above are exact or prefix
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

	gramStart []uint32 // numGrams+1
	gramPost  []uint32 // word ids; each list ordered by (length, id)

	cache map[string][]Match // Complete answers for very common prefixes

	pool sync.Pool
}

// mode holds what differs between exact lookups and autocomplete.
type mode struct {
	complete  bool
	prefixMin int // shortest query word that may match as a prefix
}

var (
	lookupMode   = mode{complete: false, prefixMin: 3}
	completeMode = mode{complete: true, prefixMin: 1}
)

// prefixSim scores a query word of length lq that is a proper prefix of a
// word of length lw: the more of the word typed, the likelier it is meant.
func (md *mode) prefixSim(lq, lw int) float32 {
	if md.complete {
		return 0.75 + 0.2*float32(lq)/float32(lw)
	}
	return 0.5 + 0.4*float32(lq)/float32(lw)
}

// typoSim scores a whole-word match at edit distance d; an edit costs less
// in a long word, where it is more likely a slip than another name.
func (md *mode) typoSim(d, lq, lw int) float32 {
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
	case n < 4 || n > maxFuzzyLen:
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
	ix.varStart = make([]uint32, 1, 3*n+1)
	ix.varWords = make([]uint32, 0, 8*n)
	ix.varEntry = make([]uint32, 0, 3*n)
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
				if nw == maxVarWords {
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
	order, remap, tmpWords = nil, nil, nil

	// Postings, by counting sort; variants are visited in order, so each
	// list comes out sorted by variant.
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

	ix.buildGrams()
	ix.pool.New = func() any {
		return &scratch{
			slot:   make([]uint32, nv),
			eslot:  make([]uint32, n),
			gcount: make([]uint8, len(ix.words)),
		}
	}
	ix.buildCache()
	return ix
}

const numGrams = 64 * 64

// charCode maps a byte to 6 bits for bigram codes; 0 is the word boundary.
// Bytes of non-Latin letters share codes, which only loosens the filter:
// candidates are always verified by edit distance.
func charCode(c byte) uint32 {
	switch {
	case 'a' <= c && c <= 'z':
		return uint32(c-'a') + 1
	case '0' <= c && c <= '9':
		return uint32(c-'0') + 27
	default:
		return 37 + uint32(c)%27
	}
}

// wordGrams appends the distinct boundary-padded bigram codes of w.
func wordGrams(dst []uint32, w string) []uint32 {
	start := len(dst)
	prev := uint32(0)
	for i := 0; i <= len(w); i++ {
		cur := uint32(0)
		if i < len(w) {
			cur = charCode(w[i])
		}
		g := prev<<6 | cur
		if !slices.Contains(dst[start:], g) {
			dst = append(dst, g)
		}
		prev = cur
	}
	return dst
}

func (ix *Index) buildGrams() {
	// Visit words by (length, id) so that every gram list is ordered by
	// length and a length window is a binary search away.
	byLen := make([]uint32, 0, len(ix.words))
	var lenCount [maxFuzzyLen + 2]int
	for _, l := range ix.wlen {
		if int(l) <= maxFuzzyLen {
			lenCount[l+1]++
		}
	}
	for i := 1; i < len(lenCount); i++ {
		lenCount[i] += lenCount[i-1]
	}
	byLen = byLen[:lenCount[maxFuzzyLen+1]]
	for w, l := range ix.wlen {
		if int(l) <= maxFuzzyLen {
			byLen[lenCount[l]] = uint32(w)
			lenCount[l]++
		}
	}

	ix.gramStart = make([]uint32, numGrams+1)
	var gs []uint32
	for _, w := range byLen {
		gs = wordGrams(gs[:0], ix.words[w])
		for _, g := range gs {
			ix.gramStart[g+1]++
		}
	}
	for i := 1; i <= numGrams; i++ {
		ix.gramStart[i] += ix.gramStart[i-1]
	}
	ix.gramPost = make([]uint32, ix.gramStart[numGrams])
	fill := slices.Clone(ix.gramStart[:numGrams])
	for _, w := range byLen {
		gs = wordGrams(gs[:0], ix.words[w])
		for _, g := range gs {
			ix.gramPost[fill[g]] = w
			fill[g]++
		}
	}
}

// buildCache precomputes Complete for single-word prefixes whose postings
// are too many to walk within the latency budget (one or two letters,
// very common name stems). Such a prefix has at least cacheCost/variants
// per entry distinct entries, far more than maxComplete, so its answer is
// made of prefix matches only and does not depend on anything else.
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
			if ix.postStart[hi]-ix.postStart[lo] > cacheCost && utf8.ValidString(p) && Fold(p) == p {
				ix.cache[p] = ix.complete(p, maxComplete)
			}
			lo = hi
		}
	}
}

// Len reports the number of entries, so callers can tell an empty index
// from a query that matched nothing.
func (ix *Index) Len() int { return len(ix.names) }

// wsim is a dictionary word matched by a query word.
type wsim struct {
	w   uint32
	sim float32
}

// qword is one query word and the dictionary words it matches.
type qword struct {
	text   string
	exact  int64  // word id, or -1
	lo, hi uint32 // words matched exactly or as a prefix
	fuzzy  []wsim // typo matches, by word id
	cost   int    // postings behind all of the above
	drive  bool   // walk its postings (else only score found candidates)
}

// cand is a variant touched by the query: per query word the best
// similarity and the variant word positions that reached it.
type cand struct {
	v    uint32
	sim  [maxQueryWords]float32
	mask [maxQueryWords]uint16
}

// hit is an entry's best variant score.
type hit struct {
	e     uint32
	score float32
	tier  uint8 // Complete: 0 prefix matches, 1 fuzzy
}

// better orders hits best first; entry numbers follow name order, which
// makes ties deterministic.
func better(a, b hit) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.score != b.score {
		return a.score > b.score
	}
	return a.e < b.e
}

// scratch is per-query working memory, pooled so that its corpus-sized
// arrays are allocated once and reset only where a query touched them.
type scratch struct {
	slot   []uint32 // variant → 1+index into cands
	cands  []cand
	eslot  []uint32 // entry → 1+index into ents
	ents   []hit
	gcount []uint8 // word → shared bigram count
	gtouch []uint32
	grams  []uint32
	top    []hit
	peq    [256]uint64
	q      [maxQueryWords]qword
	nq     int
}

func (ix *Index) get() *scratch { return ix.pool.Get().(*scratch) }

func (ix *Index) put(s *scratch) {
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

func (s *scratch) clearEnts() {
	for _, h := range s.ents {
		s.eslot[h.e] = 0
	}
	s.ents = s.ents[:0]
}

// setQuery splits the folded query into words and resolves their exact and
// prefix matches.
func (ix *Index) setQuery(s *scratch, folded string, md *mode) {
	s.nq = 0
	for w := range strings.SplitSeq(folded, " ") {
		if s.nq == maxQueryWords {
			break
		}
		q := &s.q[s.nq]
		s.nq++
		q.text = w
		q.fuzzy = q.fuzzy[:0]
		lo, hi := ix.prefixRange(w)
		q.exact = -1
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
		q.cost = int(ix.postStart[hi] - ix.postStart[lo])
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

// chooseDrivers decides which query words have their postings walked.
// Walking a two-letter prefix can mean tens of thousands of postings, so
// such heavy words only score the candidates their lighter siblings found;
// a candidate that matches none of the light words scores too low to
// matter. A query made only of heavy words is driven by the cheapest one.
func (s *scratch) chooseDrivers() {
	light := false
	cheapest := -1
	for i := range s.nq {
		q := &s.q[i]
		q.drive = q.cost <= heavyCost
		if q.drive && q.cost > 0 {
			light = true
		}
		if q.cost > 0 && (cheapest < 0 || q.cost < s.q[cheapest].cost) {
			cheapest = i
		}
	}
	if !light && cheapest >= 0 {
		s.q[cheapest].drive = true
	}
}

// add records that word w matches query word qi with similarity sim in
// every variant that contains it.
func (s *scratch) add(ix *Index, qi int, w uint32, sim float32) {
	for _, p := range ix.post[ix.postStart[w]:ix.postStart[w+1]] {
		v := p >> 4
		k := s.slot[v]
		if k == 0 {
			s.cands = append(s.cands, cand{v: v})
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

// driveRange walks the postings of the exact and prefix matches of the
// driving query words.
func (ix *Index) driveRange(s *scratch, md *mode) {
	for i := range s.nq {
		q := &s.q[i]
		if !q.drive {
			continue
		}
		for w := q.lo; w < q.hi; w++ {
			sim := float32(1)
			if int64(w) != q.exact {
				sim = md.prefixSim(len(q.text), int(ix.wlen[w]))
			}
			s.add(ix, i, w, sim)
		}
	}
}

// driveFuzzy walks the postings of the typo matches of the driving words.
func (ix *Index) driveFuzzy(s *scratch) {
	for i := range s.nq {
		q := &s.q[i]
		if !q.drive {
			continue
		}
		for _, f := range q.fuzzy {
			s.add(ix, i, f.w, f.sim)
		}
	}
}

// simOf is the similarity of dictionary word w to query word q.
func (ix *Index) simOf(q *qword, w uint32, md *mode) float32 {
	var sim float32
	if q.lo <= w && w < q.hi {
		if int64(w) == q.exact {
			return 1
		}
		sim = md.prefixSim(len(q.text), int(ix.wlen[w]))
	}
	if len(q.fuzzy) > 0 {
		if k, ok := slices.BinarySearchFunc(q.fuzzy, w, func(f wsim, w uint32) int {
			return int(f.w) - int(w)
		}); ok && q.fuzzy[k].sim > sim {
			sim = q.fuzzy[k].sim
		}
	}
	return sim
}

// refine scores the non-driving query words against the words of every
// candidate found so far.
func (ix *Index) refine(s *scratch, md *mode) {
	for i := range s.nq {
		q := &s.q[i]
		if q.drive {
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
// Only the exact folded text in order scores 1.
func (ix *Index) score(s *scratch, c *cand, md *mode) (float32, uint8) {
	var sum float32
	var cover uint16
	all1, strict := true, true
	for i := range s.nq {
		sim := c.sim[i]
		sum += sim
		cover |= c.mask[i]
		all1 = all1 && sim == 1
		strict = strict && sim >= strictFloor
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
func (ix *Index) collect(s *scratch, md *mode, floor float32) {
	s.clearEnts()
	for k := range s.cands {
		c := &s.cands[k]
		sc, tier := ix.score(s, c, md)
		if sc < floor {
			continue
		}
		h := hit{ix.varEntry[c.v], sc, tier}
		if j := s.eslot[h.e]; j != 0 {
			if better(h, s.ents[j-1]) {
				s.ents[j-1] = h
			}
			continue
		}
		s.ents = append(s.ents, h)
		s.eslot[h.e] = uint32(len(s.ents))
	}
}

// selectTop returns the best k hits, best first.
func (s *scratch) selectTop(k int) []hit {
	top := s.top[:0]
	for _, h := range s.ents {
		if len(top) == k && !better(h, top[k-1]) {
			continue
		}
		i := len(top)
		if i < k {
			top = append(top, h)
		} else {
			i = k - 1
		}
		for i > 0 && better(h, top[i-1]) {
			top[i] = top[i-1]
			i--
		}
		top[i] = h
	}
	s.top = top
	return top
}

// findFuzzy fills q.fuzzy with the dictionary words within q's edit budget
// (whole word, and for autocomplete also prefix of the word). Candidates
// come from a bigram count filter: one edit destroys at most three of the
// query's padded bigrams, so a word within d edits shares at least
// distinct-3d of them; survivors are verified by edit distance.
func (ix *Index) findFuzzy(s *scratch, q *qword, md *mode) {
	m := len(q.text)
	d := editBudget(m)
	if d == 0 {
		return
	}
	s.grams = wordGrams(s.grams[:0], q.text)
	endGram := charCode(q.text[m-1]) << 6
	minL, maxL := m-d, m+d
	if md.complete {
		maxL = maxFuzzyLen
	}
	for _, g := range s.grams {
		list := ix.gramPost[ix.gramStart[g]:ix.gramStart[g+1]]
		a := ix.lenSearch(list, minL)
		b := a + ix.lenSearch(list[a:], maxL+1)
		for _, w := range list[a:b] {
			if s.gcount[w] == 0 {
				s.gtouch = append(s.gtouch, w)
			}
			s.gcount[w]++
		}
	}
	thrWhole := max(len(s.grams)-3*d, 1)
	// Prefix candidates are held to a stricter bound (a transposition can
	// cost three bigrams, it is taken to cost two): autocomplete tolerates
	// missing a rare typo far better than it tolerates extra latency.
	thrPrefix := max(len(s.grams)-1-2*d, 2)

	for i := range m {
		s.peq[q.text[i]] |= 1 << i
	}
	for _, w := range s.gtouch {
		cnt := int(s.gcount[w])
		s.gcount[w] = 0
		if int64(w) == q.exact {
			continue
		}
		lw := int(ix.wlen[w])
		whole := lw <= m+d && cnt >= thrWhole
		pref := false
		if md.complete {
			if q.lo <= w && w < q.hi {
				continue // already a prefix match, which ranks higher
			}
			pc := cnt
			if charCode(ix.words[w][lw-1])<<6 == endGram {
				pc--
			}
			pref = pc >= thrPrefix
		}
		if !whole && !pref {
			continue
		}
		dw, dp := osa(&s.peq, m, ix.words[w], m+d)
		var sim float32
		if whole && dw <= d {
			sim = md.typoSim(dw, m, lw)
		}
		if pref && dp <= d {
			sim = max(sim, typoPrefixSim(dp, m))
		}
		if sim > 0 {
			q.fuzzy = append(q.fuzzy, wsim{w, sim})
		}
	}
	s.gtouch = s.gtouch[:0]
	for i := range m {
		s.peq[q.text[i]] = 0
	}
	slices.SortFunc(q.fuzzy, func(a, b wsim) int { return int(a.w) - int(b.w) })
	for _, f := range q.fuzzy {
		q.cost += int(ix.postStart[f.w+1] - ix.postStart[f.w])
	}
}

// lenSearch returns the first index in list (ordered by word length) whose
// word is at least l bytes long.
func (ix *Index) lenSearch(list []uint32, l int) int {
	i, j := 0, len(list)
	for i < j {
		h := int(uint(i+j) >> 1)
		if int(ix.wlen[list[h]]) < l {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// osa computes optimal-string-alignment distances between a pattern of m
// bytes (its match masks in peq) and t, with Hyyrö's bit-parallel
// algorithm: the whole-word distance, and the least distance to a prefix
// of t no longer than maxPrefix. Bit-parallel keeps verifying a few
// thousand typo candidates within a few microseconds.
func osa(peq *[256]uint64, m int, t string, maxPrefix int) (whole, prefix int) {
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
func (ix *Index) matches(hs []hit) []Match {
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
	s.chooseDrivers()
	ix.driveRange(s, md)
	ix.driveFuzzy(s)
	ix.refine(s, md)
	ix.collect(s, md, lookupFloor)
	top := s.selectTop(maxLookup)
	if len(top) == 0 {
		return nil
	}
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

// Complete returns up to limit (cap 25) suggestions for autocomplete of a
// partial input, best first: prefix matches on any word of
// names/aliases/ids first, then fuzzy matches. An empty query returns the
// first limit entries in name order, each with Score 1 since all match it
// equally.
func (ix *Index) Complete(query string, limit int) []Match {
	limit = min(limit, maxComplete)
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
	s.chooseDrivers()
	ix.driveRange(s, md)
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
		ix.driveFuzzy(s)
		ix.refine(s, md)
		ix.collect(s, md, completeFloor)
	}
	return ix.matches(s.selectTop(limit))
}
