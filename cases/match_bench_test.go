package cases

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The generator makes fictional people only: every name is assembled from
// random syllables.
var (
	genOnsets   = []string{"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "ch", "j", "y", ""}
	genVowels   = []string{"a", "e", "i", "o", "u", "a", "e", "i", "a"}
	genCodas    = []string{"", "", "", "", "n", "r", "l", "m", "s", "t", "z"}
	genSuffixes = []string{"ov", "ova", "ev", "eva", "li", "zade", "yan", "enko", "ski", "ska", "adze", "uly", "in", "ina", ""}
	genPatrons  = []string{"ovich", "ovna", "ogly", "kyzy"}

	// genCyr transliterates the generator's Latin spellings to Cyrillic;
	// digraphs first. Fold maps some letters back differently (х → kh),
	// as real transliteration does.
	genCyr = strings.NewReplacer(
		"sh", "ш", "kh", "х", "ch", "ч", "zh", "ж", "ya", "я", "yu", "ю",
		"a", "а", "b", "б", "d", "д", "e", "е", "f", "ф", "g", "г", "h", "х",
		"i", "и", "j", "дж", "k", "к", "l", "л", "m", "м", "n", "н", "o", "о",
		"p", "п", "r", "р", "s", "с", "t", "т", "u", "у", "v", "в", "y", "й",
		"z", "з",
	)
	// genAlt gives another plausible Latin spelling.
	genAlt = strings.NewReplacer("kh", "h", "ov", "ow", "ev", "ew", "sh", "sch", "y", "i", "j", "dzh", "ch", "tch")
	// genAccent marks letters the way Azerbaijani and other Latin
	// alphabets do; every mark folds back to the plain letter.
	genAccent = map[byte]string{'a': "ə", 'o': "ö", 'u': "ü", 's': "ş", 'c': "ç", 'g': "ğ", 'i': "ı", 'e': "é"}
)

func genWord(r *rand.Rand, syllables int) string {
	var b strings.Builder
	for range syllables {
		b.WriteString(genOnsets[r.IntN(len(genOnsets))])
		b.WriteString(genVowels[r.IntN(len(genVowels))])
		b.WriteString(genCodas[r.IntN(len(genCodas))])
	}
	return b.String()
}

func genCapitalise(w string) string {
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

func genAccentify(r *rand.Rand, s string) string {
	var b strings.Builder
	for i := range len(s) {
		if m, ok := genAccent[s[i]]; ok && r.IntN(3) == 0 {
			if s[i] == 'i' && i > 0 && s[i-1] == ' ' {
				b.WriteByte(s[i]) // capital I has no dotless form here
				continue
			}
			b.WriteString(m)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// genCases deterministically generates n fictional cases: 2–3 word
// names, given names skewed so a few are very common (as in real
// registers), some accented display names, Latin and Cyrillic aliases,
// and unique slug ids.
func genCases(n int, seed uint64) []Entry {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	given := make([]string, 1500)
	for i := range given {
		given[i] = genWord(r, 2+r.IntN(2))
	}
	surnames := make([]string, 40000)
	for i := range surnames {
		surnames[i] = genWord(r, 1+r.IntN(3)) + genSuffixes[r.IntN(len(genSuffixes))]
	}
	pick := func(pool []string, skew float64) string {
		u := r.Float64()
		return pool[int(float64(len(pool))*math.Pow(u, skew))]
	}
	seen := map[string]int{}
	out := make([]Entry, n)
	for i := range out {
		words := []string{pick(given, 2)}
		if r.IntN(10) < 3 {
			words = append(words, pick(given, 2)+genPatrons[r.IntN(len(genPatrons))])
		}
		words = append(words, pick(surnames, 1.5))
		for j := range words {
			words[j] = genCapitalise(words[j])
		}
		ascii := strings.Join(words, " ")
		name := ascii
		if r.IntN(5) == 0 {
			name = genAccentify(r, ascii)
		}
		var aliases []string
		if r.IntN(4) == 0 {
			aliases = append(aliases, genCyr.Replace(strings.ToLower(ascii)))
		}
		if r.IntN(7) == 0 {
			aliases = append(aliases, genAlt.Replace(ascii))
		}
		if r.IntN(20) == 0 {
			aliases = append(aliases, genCapitalise(pick(given, 1)))
		}
		id := strings.ReplaceAll(strings.ToLower(ascii), " ", "-")
		seen[id]++
		if k := seen[id]; k > 1 {
			id = fmt.Sprintf("%s-%d", id, k)
		}
		out[i] = Entry{ID: id, Name: name, Aliases: aliases}
	}
	return out
}

// genTypo applies one random edit: substitution, deletion, insertion or
// transposition.
func genTypo(r *rand.Rand, w string) string {
	b := []byte(w)
	i := r.IntN(len(b))
	c := byte('a' + r.IntN(26))
	switch r.IntN(4) {
	case 0:
		if b[i] == c {
			c = 'q'
		}
		b[i] = c
	case 1:
		b = slices.Delete(b, i, i+1)
	case 2:
		b = slices.Insert(b, i, c)
	default:
		if i == len(b)-1 {
			i--
		}
		b[i], b[i+1] = b[i+1], b[i]
	}
	return string(b)
}

type benchQuery struct{ kind, q string }

var queryKinds = []string{"exact", "alias", "typo", "surname", "prefix", "given+prefix", "cyrillic", "nomatch"}

// genTypedQueries makes a deterministic mix of the queries people send.
func genTypedQueries(es []Entry, n int, seed uint64) []benchQuery {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]benchQuery, 0, n)
	for len(out) < n {
		e := es[r.IntN(len(es))]
		words := strings.Fields(Fold(e.Name))
		last := words[len(words)-1]
		var q benchQuery
		switch k := r.IntN(100); {
		case k < 20:
			q = benchQuery{"exact", e.Name}
		case k < 25:
			if len(e.Aliases) == 0 {
				continue
			}
			q = benchQuery{"alias", e.Aliases[r.IntN(len(e.Aliases))]}
		case k < 45:
			j := r.IntN(len(words))
			if len(words[j]) < 4 {
				continue
			}
			ws := slices.Clone(words)
			ws[j] = genTypo(r, ws[j])
			q = benchQuery{"typo", strings.Join(ws, " ")}
		case k < 60:
			s := last
			if r.IntN(3) == 0 && len(s) >= 4 {
				s = genTypo(r, s)
			}
			q = benchQuery{"surname", s}
		case k < 80:
			w := words[r.IntN(len(words))]
			q = benchQuery{"prefix", w[:min(len(w), 1+r.IntN(6))]}
		case k < 85:
			q = benchQuery{"given+prefix", words[0] + " " + last[:min(len(last), 1+r.IntN(4))]}
		case k < 95:
			if r.IntN(2) == 0 {
				q = benchQuery{"cyrillic", genCyr.Replace(strings.Join(words, " "))}
			} else {
				q = benchQuery{"cyrillic", genCyr.Replace(last)}
			}
		default:
			b := make([]byte, 5+r.IntN(5))
			for i := range b {
				b[i] = "qxzwcfj"[r.IntN(7)]
			}
			q = benchQuery{"nomatch", string(b)}
		}
		out = append(out, q)
	}
	return out
}

func genQueries(es []Entry, n int, seed uint64) []string {
	var out []string
	for _, q := range genTypedQueries(es, n, seed) {
		out = append(out, q.q)
	}
	return out
}

var (
	benchCorpus  = sync.OnceValue(func() []Entry { return genCases(100000, 1) })
	benchIndex   = sync.OnceValue(func() *Index { return NewIndex(benchCorpus()) })
	benchQueries = sync.OnceValue(func() []benchQuery { return genTypedQueries(benchCorpus(), 20000, 2) })
)

func BenchmarkNewIndex(b *testing.B) {
	es := benchCorpus()
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(es)
	}
}

func benchQueriesOf(kind string) []string {
	var out []string
	for _, q := range benchQueries() {
		if kind == "mixed" || q.kind == kind {
			out = append(out, q.q)
		}
	}
	return out
}

func BenchmarkLookup(b *testing.B) {
	ix := benchIndex()
	for _, kind := range append([]string{"mixed"}, queryKinds...) {
		qs := benchQueriesOf(kind)
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ix.Lookup(qs[i%len(qs)])
				i++
			}
		})
	}
}

func BenchmarkComplete(b *testing.B) {
	ix := benchIndex()
	for _, kind := range append([]string{"mixed"}, queryKinds...) {
		qs := benchQueriesOf(kind)
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ix.Complete(qs[i%len(qs)], 25)
				i++
			}
		})
	}
}

type matchLatencies []time.Duration

func (l matchLatencies) at(p float64) time.Duration {
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

// TestLatencyReport measures what the benchmarks average away: tail
// latency per query, build time and the index's heap. It only reports;
// timing on shared machines is too noisy to assert on.
func TestLatencyReport(t *testing.T) {
	if os.Getenv("VIGIL_BENCH") != "1" {
		t.Skip("set VIGIL_BENCH=1 and run with -run TestLatencyReport -v")
	}
	es := benchCorpus()
	queries := benchQueries()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := NewIndex(es)
	build := time.Since(start)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	scratch := 4*len(ix.varEntry) + 4*len(ix.names) + len(ix.words)
	t.Logf("corpus: %d entries, %d variants, %d unique words, %d postings, %d deletion entries, %d cached prefixes",
		ix.Len(), len(ix.varEntry), len(ix.words), len(ix.post), len(ix.delKeys), len(ix.cache))
	t.Logf("NewIndex: %v; index heap: %.1f MiB; per-goroutine scratch: %.1f MiB",
		build, float64(heap)/(1<<20), float64(scratch)/(1<<20))

	for i := range 2000 { // warm caches and the scratch pool
		ix.Lookup(queries[i].q)
		ix.Complete(queries[i].q, 25)
	}
	measure := func(name string, f func(string)) {
		all := make(matchLatencies, 0, len(queries))
		byKind := map[string]matchLatencies{}
		for _, q := range queries {
			s := time.Now()
			f(q.q)
			d := time.Since(s)
			all = append(all, d)
			byKind[q.kind] = append(byKind[q.kind], d)
		}
		slices.Sort(all)
		t.Logf("%s: %d queries: p50 %v  p99 %v  p99.9 %v  max %v",
			name, len(all), all.at(0.50), all.at(0.99), all.at(0.999), all[len(all)-1])
		for _, k := range queryKinds {
			l := byKind[k]
			slices.Sort(l)
			t.Logf("  %-13s n=%5d  p50 %9v  p99 %9v  max %9v", k, len(l), l.at(0.50), l.at(0.99), l[len(l)-1])
		}
	}
	measure("Lookup", func(q string) { ix.Lookup(q) })
	measure("Complete(25)", func(q string) { ix.Complete(q, 25) })
	runtime.KeepAlive(ix)
}
