package cases

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-bot/vigil/internal/benchutil"
)

// TestIndexMarshalRoundTrip checks that an index restored by
// UnmarshalBinary holds the same structures as the one built and answers
// a set of queries (names, ids, aliases, prefixes, typos, Cyrillic,
// nonsense) exactly as it does, Lookup and Complete alike.
func TestIndexMarshalRoundTrip(t *testing.T) {
	people := benchutil.People(20_000, 3)
	entries := make([]Entry, 0, len(people)+len(matchEntries))
	entries = append(entries, matchEntries...)
	for _, p := range people {
		entries = append(entries, Entry{ID: p.ID, Name: p.Name, Aliases: p.Aliases})
	}
	built := NewIndex(entries)
	data, err := built.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Index
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	parts := func(ix *Index) []any {
		return []any{ix.names, ix.ids, ix.words, ix.wlen, ix.postStart, ix.post, ix.varStart, ix.varWords,
			ix.varEntry, ix.delShift, ix.delDir, ix.delKeys, ix.fpBits, ix.lcp, ix.cache}
	}
	for i, a := range parts(built) {
		if b := parts(&got)[i]; !reflect.DeepEqual(a, b) {
			t.Errorf("part %d of the index differs after the round trip", i)
		}
	}
	if len(built.cache) == 0 {
		t.Fatal("the test index has no cached Complete answers; the round trip would not cover them")
	}
	r := rand.New(rand.NewPCG(5, 6))
	queries := []string{"", "a", "sa", "rustamov", "Saleh Rustamov", "zzzzqqq", "Рустамов"}
	for i := range 400 {
		p := people[r.IntN(len(people))]
		words := strings.Fields(strings.ToLower(p.Name))
		w := words[len(words)-1]
		switch i % 6 {
		case 0:
			queries = append(queries, p.Name)
		case 1:
			queries = append(queries, p.ID)
		case 2:
			queries = append(queries, w[:min(len(w), 1+r.IntN(4))])
		case 3:
			if len(w) >= 2 {
				queries = append(queries, words[0]+" "+benchutil.Typo(r, w))
			}
		case 4:
			queries = append(queries, benchutil.Cyrillic(strings.Join(words, " ")))
		default:
			if len(p.Aliases) > 0 {
				queries = append(queries, p.Aliases[0])
			} else {
				queries = append(queries, benchutil.Typo(r, w)+"x")
			}
		}
	}
	for _, q := range queries {
		if a, b := built.Lookup(q), got.Lookup(q); !reflect.DeepEqual(a, b) {
			t.Errorf("Lookup(%q): built %v, restored %v", q, a, b)
		}
		if a, b := built.Complete(q, 25), got.Complete(q, 25); !reflect.DeepEqual(a, b) {
			t.Errorf("Complete(%q): built %v, restored %v", q, a, b)
		}
	}
}

// TestIndexUnmarshalCorrupt checks that damaged or foreign data is
// refused with an error, never a panic or an index that would panic.
func TestIndexUnmarshalCorrupt(t *testing.T) {
	data, err := NewIndex(matchEntries).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var ix Index
	if err := ix.UnmarshalBinary([]byte("garbage")); err == nil {
		t.Error("UnmarshalBinary(garbage) = nil error")
	}
	for _, n := range []int{len(indexMagic), len(data) / 3, len(data) / 2, len(data) - 1} {
		if err := ix.UnmarshalBinary(data[:n]); err == nil {
			t.Errorf("UnmarshalBinary(first %d of %d bytes) = nil error", n, len(data))
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		bad := []byte(string(data))
		for range 3 {
			bad[len(indexMagic)+r.IntN(len(bad)-len(indexMagic))] ^= byte(1 + r.IntN(255))
		}
		var ix Index
		if ix.UnmarshalBinary(bad) == nil {
			ix.Lookup("saleh rustamov") // must not panic
			ix.Complete("ru", 25)
		}
	}
}
