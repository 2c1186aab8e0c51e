package cases

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/vigil-bot/vigil/internal/benchutil"
)

// TestIndexMarshalRoundTrip checks that an index restored by
// UnmarshalBinary, or by LoadIndex from an aligned or a misaligned
// buffer, holds the same structures as the one built and answers a set of
// queries (names, ids, aliases, prefixes, typos, Cyrillic, nonsense)
// exactly as it does, Lookup and Complete alike; and that UnmarshalBinary
// keeps nothing of its input.
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
	input := slices.Clone(data)
	var unmarshalled Index
	if err := unmarshalled.UnmarshalBinary(input); err != nil {
		t.Fatal(err)
	}
	clear(input) // UnmarshalBinary must not have kept it
	loaded, err := LoadIndex(slices.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	odd := make([]byte, len(data)+1)[1:] // misaligned: numbers are decoded, not aliased
	copy(odd, data)
	loadedOdd, err := LoadIndex(odd)
	if err != nil {
		t.Fatal(err)
	}
	parts := func(ix *Index) []any {
		return []any{ix.names, ix.ids, ix.words, ix.wlen, ix.postStart, ix.post, ix.varStart, ix.varWords,
			ix.varEntry, ix.delShift, ix.delDir, ix.delKeys, ix.fpBits, ix.lcp, ix.cache}
	}
	restored := map[string]*Index{"UnmarshalBinary": &unmarshalled, "LoadIndex": loaded, "LoadIndex (misaligned)": loadedOdd}
	for how, got := range restored {
		for i, a := range parts(built) {
			if b := parts(got)[i]; !reflect.DeepEqual(a, b) {
				t.Errorf("%s: part %d of the index differs after the round trip", how, i)
			}
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
	for how, got := range restored {
		for _, q := range queries {
			if a, b := built.Lookup(q), got.Lookup(q); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: Lookup(%q): built %v, restored %v", how, q, a, b)
			}
			if a, b := built.Complete(q, 25), got.Complete(q, 25); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: Complete(%q): built %v, restored %v", how, q, a, b)
			}
		}
	}
}

// TestLoadIndexAliases checks that LoadIndex uses the data it is given
// instead of copying it: its strings, and on little-endian machines its
// number arrays, lie inside the buffer.
func TestLoadIndexAliases(t *testing.T) {
	data, err := NewIndex(matchEntries).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := LoadIndex(data)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := uintptr(unsafe.Pointer(&data[0])), uintptr(unsafe.Pointer(&data[len(data)-1]))
	inside := func(p unsafe.Pointer) bool { return uintptr(p) >= lo && uintptr(p) <= hi }
	if !inside(unsafe.Pointer(unsafe.StringData(ix.names[0]))) || !inside(unsafe.Pointer(unsafe.StringData(ix.words[len(ix.words)-1]))) {
		t.Error("LoadIndex copied the strings; want them to point into its data")
	}
	if littleEndian && (!inside(unsafe.Pointer(&ix.post[0])) || !inside(unsafe.Pointer(&ix.delKeys[0]))) {
		t.Error("LoadIndex copied the number arrays; want them to point into its data on a little-endian machine")
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
