package cases

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// matchEntries are fictional people, except Saleh Rustamov, the project's
// bundled real case.
var matchEntries = []Entry{
	{ID: "saleh-rustamov", Name: "Saleh Rustamov", Aliases: []string{"Saleh Rüstəmov"}},
	{ID: "testan-rustamov", Name: "Testan Rustamov"},
	{ID: "fiktan-rustamli", Name: "Fiktan Rustamli"},
	{ID: "amira-testova", Name: "Amira Testova", Aliases: []string{"Амира Тестова"}},
	{ID: "jonas-fiktiv", Name: "Jonas Fiktiv", Aliases: []string{"Jonny Fiktiv"}},
	{ID: "leyla-numunazada", Name: "Leyla Nümunəzadə"},
	{ID: "ines-beispiel", Name: "Inês Beispiel"},
	{ID: "pavel-primerov", Name: "Pavel Primerov", Aliases: []string{"Павел Примеров"}},
	{ID: "olga-vymyslova-2", Name: "Olga Vymyslova"},
	{ID: "ek-ox", Name: "Ek Ox"},
	{ID: "marek-przykladowy", Name: "Marek Przykładowy", Aliases: []string{"Marek Pshikladovy"}},
}

var matchIndex = sync.OnceValue(func() *Index { return NewIndex(matchEntries) })

func matchIDs(ms []Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func TestMatchLen(t *testing.T) {
	if got, want := matchIndex().Len(), len(matchEntries); got != want {
		t.Errorf("Len() = %d; want %d", got, want)
	}
	if got := NewIndex(nil).Len(); got != 0 {
		t.Errorf("NewIndex(nil).Len() = %d; want 0", got)
	}
	if got := NewIndex(nil).Lookup("saleh"); got != nil {
		t.Errorf("empty index Lookup = %v; want nil", got)
	}
	if got := NewIndex(nil).Complete("", 5); got != nil {
		t.Errorf("empty index Complete = %v; want nil", got)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  []string
		exact bool // the single answer must score 1
	}{
		{"exact name", "Saleh Rustamov", []string{"saleh-rustamov"}, true},
		{"exact folded", "  SALEH   rustamov!", []string{"saleh-rustamov"}, true},
		{"alias", "Jonny Fiktiv", []string{"jonas-fiktiv"}, true},
		{"alias with Azerbaijani letters", "Saleh Rüstəmov", []string{"saleh-rustamov"}, true},
		{"id", "saleh-rustamov", []string{"saleh-rustamov"}, true},
		{"id with number", "olga-vymyslova-2", []string{"olga-vymyslova-2"}, true},
		{"id words", "vymyslova 2", []string{"olga-vymyslova-2"}, false},
		{"typo substitution", "Saleh Rustanov", []string{"saleh-rustamov"}, false},
		{"typo last letter", "Saleh Rustamow", []string{"saleh-rustamov"}, false},
		{"typo transposition", "Saleh Rusatmov", []string{"saleh-rustamov"}, false},
		{"typo transposition short word", "Pavle Primerov", []string{"pavel-primerov"}, false},
		{"typo transposition surname", "Jonas Fiktvi", []string{"jonas-fiktiv"}, false},
		{"two typos in a long word", "Leyla Nomunazade", []string{"leyla-numunazada"}, false},
		{"surname typo only", "Testowa", []string{"amira-testova"}, false},
		{"two typos in a short word", "Faktav", nil, false},
		{"missing accents", "Ines Beispiel", []string{"ines-beispiel"}, true},
		{"accents", "Inês", []string{"ines-beispiel"}, false},
		{"Azerbaijani letters", "Leyla Nümunəzadə", []string{"leyla-numunazada"}, true},
		{"Azerbaijani letters missing", "leyla numunazada", []string{"leyla-numunazada"}, true},
		{"Azerbaijani surname only", "Nümunəzadə", []string{"leyla-numunazada"}, false},
		{"Azerbaijani reordered", "Rüstəmov Saleh", []string{"saleh-rustamov"}, false},
		{"Cyrillic alias", "Амира Тестова", []string{"amira-testova"}, true},
		{"Cyrillic surname", "Примеров", []string{"pavel-primerov"}, false},
		{"Cyrillic without alias", "Салех Рустамов", []string{"saleh-rustamov"}, false},
		{"word order", "rustamov saleh", []string{"saleh-rustamov"}, false},
		{"word order alias", "Testova Amira", []string{"amira-testova"}, false},
		{"surname only unique", "Testova", []string{"amira-testova"}, false},
		{"surname prefix pick list", "rustam", []string{"fiktan-rustamli", "saleh-rustamov", "testan-rustamov"}, false},
		{"short prefix not enough", "ru", nil, false},
		{"shared surname pick list", "rustamov", []string{"saleh-rustamov", "testan-rustamov"}, false},
		{"shared surname Cyrillic", "Рустамов", []string{"saleh-rustamov", "testan-rustamov"}, false},
		{"shared surname Azerbaijani", "rustəmov", []string{"saleh-rustamov", "testan-rustamov"}, false},
		{"shared surname typo", "Rustanov", []string{"saleh-rustamov", "testan-rustamov"}, false},
		{"full name disambiguates", "Testan Rustamov", []string{"testan-rustamov"}, true},
		{"short words", "Ek Ox", []string{"ek-ox"}, true},
		{"short word exact", "ox", []string{"ek-ox"}, false},
		{"short word no typo", "oz", nil, false},
		{"no match", "zzzzqqq", nil, false},
		{"empty", "", nil, false},
		{"punctuation only", "!!!", nil, false},
	}
	ix := matchIndex()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Lookup(tt.query)
			if !slices.Equal(matchIDs(got), tt.want) {
				t.Fatalf("Lookup(%q) = %v; want ids %v", tt.query, got, tt.want)
			}
			for i, m := range got {
				if m.Score <= 0 || m.Score > 1 {
					t.Errorf("Lookup(%q)[%d].Score = %v; want in (0,1]", tt.query, i, m.Score)
				}
				if m.Name == "" {
					t.Errorf("Lookup(%q)[%d].Name empty; want the display name", tt.query, i)
				}
			}
			if len(got) > 0 {
				if gotExact := got[0].Score == 1; gotExact != tt.exact {
					t.Errorf("Lookup(%q)[0].Score = %v; want exact=%v", tt.query, got[0].Score, tt.exact)
				}
			}
		})
	}
}

func TestLookupDisplayName(t *testing.T) {
	got := matchIndex().Lookup("leyla numunazada")
	if len(got) != 1 || got[0].Name != "Leyla Nümunəzadə" {
		t.Errorf("Lookup(leyla numunazada) = %v; want Name %q", got, "Leyla Nümunəzadə")
	}
}

func TestLookupRanking(t *testing.T) {
	ix := matchIndex()
	full := ix.Lookup("saleh rustamov")
	surname := ix.Lookup("rustamov")
	if len(full) != 1 || len(surname) != 2 {
		t.Fatalf("got %v and %v; want 1 and 2 matches", full, surname)
	}
	if full[0].Score <= surname[0].Score {
		t.Errorf("full name score %v <= surname-only score %v; want full name higher", full[0].Score, surname[0].Score)
	}
	if surname[0].Score != surname[1].Score {
		t.Errorf("shared surname scores %v, %v; want equal", surname[0].Score, surname[1].Score)
	}
	reordered := ix.Lookup("rustamov saleh")
	if len(reordered) != 1 || reordered[0].Score >= 1 || reordered[0].Score <= surname[0].Score {
		t.Errorf("Lookup(rustamov saleh) = %v; want one match scoring in (%v, 1)", reordered, surname[0].Score)
	}
	typo := ix.Lookup("saleh rustanov")
	if len(typo) != 1 || typo[0].Score >= full[0].Score {
		t.Errorf("Lookup(saleh rustanov) = %v; want one match scoring below exact %v", typo, full[0].Score)
	}
	// Matching every query word beats matching some of them.
	ix2 := NewIndex([]Entry{
		{ID: "jonas-testov", Name: "Jonas Testov"},
		{ID: "jonas-fiktiv-testov", Name: "Jonas Fiktiv Testov"},
		{ID: "anna-fiktiv", Name: "Anna Fiktiv"},
	})
	got := ix2.Lookup("jonas fiktiv")
	if len(got) == 0 || got[0].ID != "jonas-fiktiv-testov" {
		t.Errorf("Lookup(jonas fiktiv) = %v; want jonas-fiktiv-testov first", got)
	}
	if len(got) > 1 {
		t.Errorf("Lookup(jonas fiktiv) = %v; want a single clear match", got)
	}
}

func TestLookupTies(t *testing.T) {
	ix := NewIndex([]Entry{
		{ID: "zora-exempel", Name: "Zora Exempel"},
		{ID: "mira-beispielova-b", Name: "Mira Beispielova"},
		{ID: "adam-exempel", Name: "Adam Exempel"},
		{ID: "mira-beispielova-a", Name: "Mira Beispielova"},
	})
	if got, want := matchIDs(ix.Lookup("exempel")), []string{"adam-exempel", "zora-exempel"}; !slices.Equal(got, want) {
		t.Errorf("Lookup(exempel) = %v; want %v (name order)", got, want)
	}
	got := ix.Lookup("Mira Beispielova")
	if want := []string{"mira-beispielova-a", "mira-beispielova-b"}; !slices.Equal(matchIDs(got), want) {
		t.Errorf("Lookup(Mira Beispielova) = %v; want %v (same name: id order)", got, want)
	}
	for _, m := range got {
		if m.Score != 1 {
			t.Errorf("Lookup(Mira Beispielova) score %v; want 1", m.Score)
		}
	}
}

func TestLookupPickListCap(t *testing.T) {
	var es []Entry
	for i := range 9 {
		es = append(es, Entry{ID: fmt.Sprintf("p%d-kopiyeva", i), Name: fmt.Sprintf("Person%c Kopiyeva", 'a'+i)})
	}
	got := NewIndex(es).Lookup("kopiyeva")
	want := []string{"p0-kopiyeva", "p1-kopiyeva", "p2-kopiyeva", "p3-kopiyeva", "p4-kopiyeva"}
	if !slices.Equal(matchIDs(got), want) {
		t.Errorf("Lookup(kopiyeva) = %v; want %v", matchIDs(got), want)
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		name  string
		query string
		limit int
		want  []string
	}{
		{"prefix of surnames", "rus", 10, []string{"fiktan-rustamli", "saleh-rustamov", "testan-rustamov"}},
		{"prefix then fuzzy", "rustamo", 10, []string{"saleh-rustamov", "testan-rustamov", "fiktan-rustamli"}},
		{"prefix of given name", "ami", 10, []string{"amira-testova"}},
		{"prefix of alias word", "jonn", 10, []string{"jonas-fiktiv"}},
		{"prefix of id word", "2", 10, []string{"olga-vymyslova-2"}},
		{"prefix Cyrillic", "Прим", 10, []string{"pavel-primerov"}},
		{"prefix Azerbaijani", "nümunə", 10, []string{"leyla-numunazada"}},
		{"fuzzy whole word", "rustanov", 10, []string{"saleh-rustamov", "testan-rustamov"}},
		{"fuzzy transposition", "fiktvi", 10, []string{"jonas-fiktiv"}},
		{"fuzzy prefix", "vymisl", 10, []string{"olga-vymyslova-2"}},
		{"limit", "rus", 2, []string{"fiktan-rustamli", "saleh-rustamov"}},
		{"empty query", "", 3, []string{"amira-testova", "ek-ox", "fiktan-rustamli"}},
		{"nothing", "zzzzqqq", 10, nil},
		{"zero limit", "rus", 0, nil},
	}
	ix := matchIndex()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Complete(tt.query, tt.limit)
			if !slices.Equal(matchIDs(got), tt.want) {
				t.Fatalf("Complete(%q, %d) = %v; want ids %v", tt.query, tt.limit, got, tt.want)
			}
			for i, m := range got {
				if m.Score <= 0 || m.Score > 1 {
					t.Errorf("Complete(%q)[%d].Score = %v; want in (0,1]", tt.query, i, m.Score)
				}
				if i > 0 && m.Score > got[i-1].Score {
					t.Errorf("Complete(%q) scores %v then %v; want best first", tt.query, got[i-1].Score, m.Score)
				}
			}
		})
	}
}

func TestCompletePrefixBeforeFuzzy(t *testing.T) {
	got := matchIndex().Complete("rustamo", 10)
	if len(got) != 3 {
		t.Fatalf("Complete(rustamo) = %v; want 3 matches", got)
	}
	if got[1].Score != got[0].Score || got[2].Score >= got[1].Score {
		t.Errorf("Complete(rustamo) scores %v, %v, %v; want two equal prefix matches, then a lower fuzzy one",
			got[0].Score, got[1].Score, got[2].Score)
	}
	multi := matchIndex().Complete("saleh ru", 10)
	if len(multi) == 0 || multi[0].ID != "saleh-rustamov" {
		t.Errorf("Complete(saleh ru) = %v; want saleh-rustamov first", multi)
	}
}

func TestCompleteLimitCap(t *testing.T) {
	var es []Entry
	for i := range 40 {
		es = append(es, Entry{ID: fmt.Sprintf("limit-testperson-%02d", i), Name: fmt.Sprintf("Limit Testperson %02d", i)})
	}
	ix := NewIndex(es)
	for _, tt := range []struct {
		query       string
		limit, want int
	}{
		{"limit", 100, 25},
		{"limit", 25, 25},
		{"limit", 7, 7},
		{"", 100, 25},
		{"", -1, 0},
		{"testp", 30, 25},
	} {
		if got := len(ix.Complete(tt.query, tt.limit)); got != tt.want {
			t.Errorf("len(Complete(%q, %d)) = %d; want %d", tt.query, tt.limit, got, tt.want)
		}
	}
	got := ix.Complete("", 3)
	if want := []string{"limit-testperson-00", "limit-testperson-01", "limit-testperson-02"}; !slices.Equal(matchIDs(got), want) {
		t.Errorf("Complete(\"\", 3) = %v; want %v", matchIDs(got), want)
	}
}

// TestMatchDeterminism builds the index from differently ordered input and
// checks every answer is identical, run after run.
func TestMatchDeterminism(t *testing.T) {
	queries := []string{"rustamov", "rus", "rustamo", "saleh", "Рустамов", "fiktvi", "", "a", "t", "leyla numunazada"}
	base := NewIndex(matchEntries)
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 5 {
		shuffled := slices.Clone(matchEntries)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		ix := NewIndex(shuffled)
		for _, q := range queries {
			if got, want := ix.Lookup(q), base.Lookup(q); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d: Lookup(%q) = %v; want %v", round, q, got, want)
			}
			if got, want := ix.Complete(q, 25), base.Complete(q, 25); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d: Complete(%q) = %v; want %v", round, q, got, want)
			}
		}
	}
}

func TestMatchConcurrent(t *testing.T) {
	es := genCases(3000, 7)
	ix := NewIndex(es)
	queries := genQueries(es, 300, 11)
	want := make([][]Match, len(queries))
	for i, q := range queries {
		want[i] = append(ix.Lookup(q), ix.Complete(q, 25)...)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range queries {
				i := (k + g*37) % len(queries)
				got := append(ix.Lookup(queries[i]), ix.Complete(queries[i], 25)...)
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("concurrent query %q = %v; want %v", queries[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestLookupGenerated checks recall on a generated corpus: every name
// finds its case exactly, and a one-edit typo of a long surname still
// finds it.
func TestLookupGenerated(t *testing.T) {
	es := genCases(20000, 3)
	ix := NewIndex(es)
	r := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		e := es[r.IntN(len(es))]
		got := ix.Lookup(e.Name)
		if !slices.ContainsFunc(got, func(m Match) bool { return m.ID == e.ID && m.Score == 1 }) {
			t.Errorf("Lookup(%q) = %v; want %s with score 1", e.Name, got, e.ID)
		}
		for _, a := range e.Aliases {
			got := ix.Lookup(a)
			if !slices.ContainsFunc(got, func(m Match) bool { return m.ID == e.ID && m.Score == 1 }) {
				t.Errorf("Lookup(alias %q) = %v; want %s with score 1", a, got, e.ID)
			}
		}
		words := strings.Fields(Fold(e.Name))
		if len(words) < 2 || len(words[1]) < 5 {
			continue
		}
		words[1] = genTypo(r, words[1])
		q := strings.Join(words, " ")
		if got := ix.Lookup(q); !slices.ContainsFunc(got, func(m Match) bool { return m.ID == e.ID }) {
			// A typo can land on another real name; only then is a miss fine.
			if !slices.ContainsFunc(got, func(m Match) bool { return m.Score == 1 }) {
				t.Errorf("Lookup(%q) (typo of %q) = %v; want %s", q, e.Name, got, e.ID)
			}
		}
	}
}

// refOSA is the textbook optimal-string-alignment dynamic programme; it
// returns the distance between p and t and the least distance between p
// and a prefix of t of at most maxPrefix bytes.
func refOSA(p, t string, maxPrefix int) (int, int) {
	m, n := len(p), len(t)
	d := make([][]int, m+1)
	for i := range d {
		d[i] = make([]int, n+1)
		d[i][0] = i
	}
	for j := range n + 1 {
		d[0][j] = j
	}
	for i := 1; i <= m; i++ {
		for j := 1; j <= n; j++ {
			cost := 1
			if p[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && p[i-1] == t[j-2] && p[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	best := d[m][0]
	for j := 1; j <= min(n, maxPrefix); j++ {
		best = min(best, d[m][j])
	}
	return d[m][n], best
}

func TestMatchEditDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	gen := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcd"[r.IntN(4)]
		}
		return string(b)
	}
	var peq [256]uint64
	check := func(p, s string, maxPrefix int) {
		clear(peq[:])
		for i := range len(p) {
			peq[p[i]] |= 1 << i
		}
		gw, gp := osaDistance(&peq, len(p), s, maxPrefix)
		ww, wp := refOSA(p, s, maxPrefix)
		if gw != ww || gp != wp {
			t.Errorf("osaDistance(%q, %q, %d) = %d, %d; want %d, %d", p, s, maxPrefix, gw, gp, ww, wp)
		}
	}
	check("rustamov", "rusatmov", 10)
	check("ca", "abc", 3)
	check(strings.Repeat("ab", 32), strings.Repeat("ba", 33), 70)
	for range 20000 {
		p, s := gen(1+r.IntN(12)), gen(r.IntN(14))
		check(p, s, len(p)+r.IntN(3))
	}
}

// TestMatchFuzzyCandidates checks the typo candidate search (deletion
// index, pruned prefix walk) against brute force over the dictionary.
func TestMatchFuzzyCandidates(t *testing.T) {
	ix := NewIndex(genCases(3000, 4))
	r := rand.New(rand.NewPCG(4, 4))
	for n := 0; n < 400; {
		q := ix.words[r.IntN(len(ix.words))]
		if len(q) < 4 {
			continue
		}
		n++
		q = genTypo(r, q)
		if len(q) >= 8 && r.IntN(2) == 0 {
			q = genTypo(r, q)
		}
		if r.IntN(3) == 0 && len(q) > 4 {
			q = q[:max(4, len(q)-1-r.IntN(4))]
		}
		for _, md := range []*matchMode{&lookupMode, &completeMode} {
			s := ix.get()
			ix.setQuery(s, q, md)
			qw := &s.q[0]
			ix.findFuzzy(s, qw, md)
			got := map[string]float32{}
			for _, f := range qw.fuzzy {
				got[ix.words[f.w]] = f.sim
			}
			want := map[string]float32{}
			m, d := len(q), editBudget(len(q))
			for id, w := range ix.words {
				inRange := uint32(id) >= qw.lo && uint32(id) < qw.hi
				if int64(id) == qw.exact || md.complete && inRange {
					continue
				}
				swapped := string([]byte{q[1], q[0]})
				wholeOK := len(w) >= m-d && len(w) <= m+d
				prefixOK := md.complete && (strings.HasPrefix(w, q[:2]) || strings.HasPrefix(w, swapped)) && len(w) >= m-d
				if !wholeOK && !prefixOK {
					continue
				}
				whole, pre := refOSA(q, w, m+d)
				var sim float32
				if wholeOK && whole <= d {
					sim = md.typoSim(whole, m, len(w))
				}
				if prefixOK && pre <= d {
					sim = max(sim, typoPrefixSim(pre, m))
				}
				if sim > 0 {
					want[w] = sim
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("fuzzy(%q, complete=%v) = %v; want %v", q, md.complete, got, want)
			}
			ix.put(s)
		}
	}
}

func TestCompleteCache(t *testing.T) {
	ix := NewIndex(genCases(20000, 8))
	if len(ix.cache) == 0 {
		t.Fatalf("no prefix cached for 20000 cases; want the commonest ones")
	}
	for p := range ix.cache {
		for _, limit := range []int{1, 7, 25} {
			got, want := ix.Complete(p, limit), ix.complete(p, limit)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("cached Complete(%q, %d) = %v; want %v", p, limit, got, want)
			}
		}
	}
}

// refSearch scores every variant of the index by brute force, without
// postings, deletion index, cache or pruning, and returns the best k hits.
func refSearch(ix *Index, folded string, md *matchMode, k int) []matchHit {
	words := strings.Split(folded, " ")
	words = words[:min(len(words), queryMaxWords)]
	wordSim := func(qi int, w string) float32 {
		q := words[qi]
		m, d := len(q), editBudget(len(q))
		if w == q {
			return 1
		}
		var sim float32
		prefix := len(q) >= md.prefixMin && strings.HasPrefix(w, q)
		if prefix {
			sim = md.prefixSim(m, len(w))
		}
		if d == 0 || md.complete && prefix {
			return sim
		}
		wholeOK := len(w) >= m-d && len(w) <= m+d
		prefixOK := md.complete && qi == len(words)-1 && len(w) >= m-d &&
			(strings.HasPrefix(w, q[:2]) || strings.HasPrefix(w, string([]byte{q[1], q[0]})))
		if !wholeOK && !prefixOK {
			return sim
		}
		whole, pre := refOSA(q, w, m+d)
		if wholeOK && whole <= d {
			sim = max(sim, md.typoSim(whole, m, len(w)))
		}
		if prefixOK && pre <= d {
			sim = max(sim, typoPrefixSim(pre, m))
		}
		return sim
	}
	memo := make([]map[uint32]float32, len(words))
	for i := range memo {
		memo[i] = map[uint32]float32{}
	}
	cachedSim := func(qi int, w uint32) float32 {
		s, ok := memo[qi][w]
		if !ok {
			s = wordSim(qi, ix.words[w])
			memo[qi][w] = s
		}
		return s
	}
	best := map[uint32]matchHit{}
	for v := range len(ix.varEntry) {
		vw := ix.varWords[ix.varStart[v]:ix.varStart[v+1]]
		var sum float32
		var cover uint16
		all1, strict, exact := true, true, len(vw) == len(words)
		for qi := range words {
			var s float32
			var mask uint16
			for pos, w := range vw {
				ws := cachedSim(qi, w)
				if ws > s {
					s, mask = ws, 1<<pos
				} else if ws == s && ws > 0 {
					mask |= 1 << pos
				}
			}
			sum += s
			cover |= mask
			all1 = all1 && s == 1
			strict = strict && s >= strictSim
			exact = exact && qi < len(vw) && ix.words[vw[qi]] == words[qi]
		}
		if sum == 0 {
			continue
		}
		h := matchHit{e: ix.varEntry[v]}
		covered := bits.OnesCount16(cover)
		if all1 && exact && covered == len(vw) {
			h.score = 1
		} else {
			h.score = min(sum/float32(len(words))*(0.7+0.3*float32(covered)/float32(len(vw))), 0.99)
			if md.complete && !strict {
				h.score, h.tier = h.score*0.5, 1
			}
		}
		floor := float32(lookupFloor)
		if md.complete {
			floor = completeFloor
		}
		if h.score < floor {
			continue
		}
		if old, ok := best[h.e]; !ok || betterHit(h, old) {
			best[h.e] = h
		}
	}
	var hits []matchHit
	for _, h := range best {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b matchHit) int {
		if betterHit(a, b) {
			return -1
		}
		return 1
	})
	return hits[:min(k, len(hits))]
}

// TestMatchAgainstReference compares Lookup and Complete with brute-force
// scoring on a corpus small enough that no query word counts as heavy, so
// the answers must agree exactly.
func TestMatchAgainstReference(t *testing.T) {
	es := genCases(1500, 12)
	ix := NewIndex(es)
	queries := append(genQueries(es, 150, 13), "rustamov", "a", "ka", "kam", "zzzz")
	found := 0
	for _, q := range queries {
		f := Fold(q)
		if f == "" {
			continue
		}
		ref := refSearch(ix, f, &completeMode, 25)
		if len(ref) > 0 {
			found++
		}
		if got, want := ix.Complete(q, 25), ix.matches(ref); !reflect.DeepEqual(got, want) {
			t.Errorf("Complete(%q, 25) = %v; want %v", q, got, want)
		}
		ref = refSearch(ix, f, &lookupMode, lookupMax)
		n := 0
		for n < len(ref) && (n == 0 || ref[n].score >= ref[0].score-pickGap && (ref[0].score < 1 || ref[n].score == 1)) {
			n++
		}
		if got, want := ix.Lookup(q), ix.matches(ref[:n]); !reflect.DeepEqual(got, want) {
			t.Errorf("Lookup(%q) = %v; want %v", q, got, want)
		}
	}
	if found < len(queries)/2 {
		t.Errorf("%d of %d queries found anything; want most, or the comparison proves little", found, len(queries))
	}
}

// TestLookupPrefersExactWords: a name that has the typed word exactly
// wins over a near one, however the scores of the near one add up.
func TestLookupPrefersExactWords(t *testing.T) {
	ix := NewIndex([]Entry{
		{ID: "saleh-rustamov", Name: "Saleh Rustamov", Aliases: []string{"Rustamov"}},
		{ID: "olga-rustamova", Name: "Olga Rustamova"},
		{ID: "rustam-rustamov", Name: "Rustam Rustamov"},
	})
	tests := []struct{ q, want string }{
		{"Rustamova", "olga-rustamova"},
		{"rustamova olga", "olga-rustamova"},
		{"Rustanov saleh", "saleh-rustamov"}, // a typo still finds its person
	}
	for _, tt := range tests {
		got := ix.Lookup(tt.q)
		if len(got) != 1 || got[0].ID != tt.want {
			t.Errorf("Lookup(%q) = %+v; want only %s", tt.q, got, tt.want)
		}
	}
}
