// This file saves and restores a built Index, so that a short-lived
// process (a CLI command) can load the lookup structures of 100,000 cases
// instead of building them.

package cases

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// indexMagic starts a marshalled Index; its last byte is the format
// version, to be raised whenever the Index's layout or NewIndex changes.
// Version 2 aligns each number array to four bytes, so that a loader can
// use the numbers where they lie instead of decoding them.
const indexMagic = "vigil-index\x02"

// littleEndian is whether this machine stores numbers as the marshalled
// index does, so that LoadIndex may alias its number arrays.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// MarshalBinary encodes the index, including the cached Complete answers,
// so that UnmarshalBinary restores one that answers every query exactly
// as this one does.
func (ix *Index) MarshalBinary() ([]byte, error) {
	size := len(indexMagic) + 64
	for _, l := range [][]string{ix.names, ix.ids, ix.words} {
		for _, s := range l {
			size += len(s) + 2
		}
	}
	size += 4 * (len(ix.postStart) + len(ix.post) + len(ix.varStart) + len(ix.varWords) + len(ix.varEntry) + len(ix.delDir) + len(ix.delKeys))
	size += len(ix.wlen) + len(ix.lcp) + 7*3
	w := make([]byte, 0, size)
	w = append(w, indexMagic...)
	for _, l := range [][]string{ix.names, ix.ids, ix.words} {
		w = putStrings(w, l)
	}
	w = append(binary.AppendUvarint(w, uint64(len(ix.wlen))), ix.wlen...)
	w = append(binary.AppendUvarint(w, uint64(len(ix.lcp))), ix.lcp...)
	for _, l := range [][]uint32{ix.postStart, ix.post, ix.varStart, ix.varWords, ix.varEntry, ix.delDir, ix.delKeys} {
		w = binary.AppendUvarint(w, uint64(len(l)))
		for len(w)%4 != 0 {
			w = append(w, 0)
		}
		for _, v := range l {
			w = binary.LittleEndian.AppendUint32(w, v)
		}
	}
	w = binary.AppendUvarint(w, uint64(ix.delShift))
	w = binary.AppendUvarint(w, uint64(ix.fpBits))
	w = binary.AppendUvarint(w, uint64(len(ix.cache)))
	for k, ms := range ix.cache {
		w = putStrings(w, []string{k})
		w = binary.AppendUvarint(w, uint64(len(ms)))
		for _, m := range ms {
			w = putStrings(w, []string{m.ID, m.Name})
			w = binary.LittleEndian.AppendUint64(w, math.Float64bits(m.Score))
		}
	}
	return w, nil
}

func putStrings(w []byte, l []string) []byte {
	w = binary.AppendUvarint(w, uint64(len(l)))
	for _, s := range l {
		w = binary.AppendUvarint(w, uint64(len(s)))
	}
	for _, s := range l {
		w = append(w, s...)
	}
	return w
}

// indexReader decodes a marshalled Index; the first error sticks.
type indexReader struct {
	b     []byte
	all   string // b as one string, which the decoded strings share
	alias bool   // whether number arrays may point into b
	off   int
	err   error
}

func (r *indexReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("cases: unmarshal index: truncated or corrupt at %s (byte %d)", what, r.off)
	}
}

func (r *indexReader) uvarint(what string, limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || v > limit {
		r.fail(what)
		return 0
	}
	r.off += n
	return v
}

// count reads a length of items of at least size bytes each, refusing
// one the remaining data cannot hold.
func (r *indexReader) count(what string, size int) int {
	return int(r.uvarint(what, uint64((len(r.b)-r.off)/size)))
}

func (r *indexReader) strings(what string) []string {
	n := r.count(what, 1)
	if r.err != nil {
		return nil
	}
	lens := make([]int, n)
	for i := range lens {
		lens[i] = int(r.uvarint(what, uint64(len(r.b))))
	}
	out := make([]string, n)
	for i, l := range lens {
		if r.err != nil || r.off+l > len(r.b) {
			r.fail(what)
			return nil
		}
		out[i] = r.all[r.off : r.off+l]
		r.off += l
	}
	return out
}

func (r *indexReader) bytes(what string) []uint8 {
	n := r.count(what, 1)
	if r.err != nil {
		return nil
	}
	out := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return out
}

func (r *indexReader) uint32s(what string) []uint32 {
	n := r.count(what, 4)
	if r.err != nil {
		return nil
	}
	for r.off%4 != 0 {
		if r.off >= len(r.b) || r.b[r.off] != 0 {
			r.fail(what)
			return nil
		}
		r.off++
	}
	if r.off+4*n > len(r.b) {
		r.fail(what)
		return nil
	}
	if n == 0 {
		return []uint32{}
	}
	if r.alias {
		out := unsafe.Slice((*uint32)(unsafe.Pointer(&r.b[r.off])), n)
		r.off += 4 * n
		return out
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(r.b[r.off:])
		r.off += 4
	}
	return out
}

// UnmarshalBinary restores an index encoded by MarshalBinary. It refuses
// data of another format version or whose parts do not fit together, so
// that a caller can rebuild the index instead. It does not retain data:
// the index works on a copy (see LoadIndex, which takes data over).
func (ix *Index) UnmarshalBinary(data []byte) error {
	return ix.load(bytes.Clone(data))
}

// LoadIndex restores an index encoded by MarshalBinary, as
// UnmarshalBinary does, but takes data over instead of copying it: the
// index's strings and, on little-endian machines, its number arrays
// point into data, so a short-lived process loads a saved index of
// 100,000 cases without copying its megabytes. data must stay unmodified
// for as long as the index is in use; it may be read-only memory, such as
// a file mapped with mmap, for the index never writes to it.
func LoadIndex(data []byte) (*Index, error) {
	ix := &Index{}
	if err := ix.load(data); err != nil {
		return nil, err
	}
	return ix, nil
}

// load restores the index from data, which it takes over.
func (ix *Index) load(data []byte) error {
	if !bytes.HasPrefix(data, []byte(indexMagic)) {
		return errors.New("cases: unmarshal index: not an index of this version")
	}
	r := &indexReader{b: data, all: unsafe.String(unsafe.SliceData(data), len(data)), off: len(indexMagic),
		alias: littleEndian && uintptr(unsafe.Pointer(unsafe.SliceData(data)))%4 == 0}
	var n Index
	n.names, n.ids, n.words = r.strings("names"), r.strings("ids"), r.strings("words")
	n.wlen, n.lcp = r.bytes("word lengths"), r.bytes("prefixes")
	n.postStart, n.post = r.uint32s("postings"), r.uint32s("postings")
	n.varStart, n.varWords, n.varEntry = r.uint32s("variants"), r.uint32s("variants"), r.uint32s("variants")
	n.delDir, n.delKeys = r.uint32s("deletions"), r.uint32s("deletions")
	n.delShift, n.fpBits = uint(r.uvarint("deletions", 32)), uint(r.uvarint("deletions", 32))
	nc := r.count("cache", 1)
	n.cache = make(map[string][]Match, nc)
	for range nc {
		k := r.strings("cache")
		nm := r.count("cache", 9)
		if r.err != nil || len(k) != 1 {
			r.fail("cache")
			break
		}
		ms := make([]Match, nm)
		for i := range ms {
			s := r.strings("cache")
			if r.err != nil || len(s) != 2 || r.off+8 > len(r.b) {
				r.fail("cache")
				break
			}
			ms[i] = Match{ID: s[0], Name: s[1], Score: math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))}
			r.off += 8
		}
		n.cache[k[0]] = ms
	}
	if r.err != nil {
		return r.err
	}
	if err := n.check(); err != nil {
		return fmt.Errorf("cases: unmarshal index: %w", err)
	}
	ix.adopt(&n)
	return nil
}

// check verifies that the decoded parts fit together, so that a corrupt
// index fails here rather than panicking in a lookup.
func (n *Index) check() error {
	ne, nw, nv := len(n.names), len(n.words), len(n.varEntry)
	ok := len(n.ids) == ne && len(n.wlen) == nw && len(n.lcp) == nw &&
		len(n.postStart) == nw+1 && len(n.varStart) == nv+1 &&
		n.fpBits <= 8 && n.delShift <= 32 && n.delShift >= n.fpBits &&
		len(n.delDir) == 1<<(32-n.delShift)+1
	if !ok {
		return errors.New("parts of different sizes")
	}
	inRange := func(l []uint32, limit uint32) bool {
		for _, v := range l {
			if v > limit {
				return false
			}
		}
		return true
	}
	if !inRange(n.postStart, uint32(len(n.post))) || !inRange(n.varStart, uint32(len(n.varWords))) ||
		!inRange(n.varEntry, uint32(max(ne, 1)-1)) || !inRange(n.varWords, uint32(max(nw, 1)-1)) ||
		!inRange(n.delDir, uint32(len(n.delKeys))) || !inRange(n.delKeys, uint32(max(nw, 1)-1)<<n.fpBits|(1<<n.fpBits-1)) {
		return errors.New("references out of range")
	}
	for _, p := range n.post {
		if p>>4 >= uint32(nv) {
			return errors.New("postings out of range")
		}
	}
	return nil
}

// adopt takes over the lookup structures of n, a decoded index.
func (ix *Index) adopt(n *Index) {
	ix.names, ix.ids = n.names, n.ids
	ix.words, ix.wlen, ix.lcp = n.words, n.wlen, n.lcp
	ix.postStart, ix.post = n.postStart, n.post
	ix.varStart, ix.varWords, ix.varEntry = n.varStart, n.varWords, n.varEntry
	ix.delShift, ix.delDir, ix.delKeys, ix.fpBits = n.delShift, n.delDir, n.delKeys, n.fpBits
	ix.cache = n.cache
	ix.setPool()
}
