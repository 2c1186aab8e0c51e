// This file keeps a copy of the saved lookup index in a file beside an
// SQLite database, which a short-lived command maps into memory instead of
// reading the index's megabytes out of the database and copying them.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/vigil-bot/vigil/cases"
)

// indexFileMagic starts a case index file; the header is followed by a
// marshalled cases.Index. The header's length keeps the index 8-aligned
// in a mapping, so that cases.LoadIndex can use its numbers where they lie.
const (
	indexFileMagic  = "vigil-caseindex\x01"
	indexFileHeader = len(indexFileMagic) + 8 + 8 + 4 + 4 // magic, version, nonce, CRC-32C, unused
)

// metaIndexNonce is the meta key of a random number that SaveCaseIndex
// draws for each index it saves. An index file names the cases version
// and nonce of the index it copies; it is used only if both match the
// database's, so a file left from another database (one deleted and
// imported again, one restored from a backup) is never taken for its own.
const metaIndexNonce = "case_index_nonce"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// newIndexNonce draws the nonce of a saved index: never 0, which stands
// for an index saved before nonces (and never copied into a file).
func newIndexNonce() int64 { return 1 + rand.Int64N(math.MaxInt64-1) }

// indexFilePath returns the name of the index file beside the store's
// SQLite database, or "" for a database without a file of its own (in
// memory, or another backend).
func (s *Store) indexFilePath(ctx context.Context) string {
	if s.dialect != sqliteDialect {
		return "" // PostgreSQL keeps the index in the database only
	}
	var file string
	// SQLite's list of attached databases.
	if err := s.db.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil || file == "" {
		return ""
	}
	return file + "-caseindex"
}

// loadIndexFile returns the index in the file at path if the file copies
// the index saved at cases version with nonce, else nil.
func loadIndexFile(path string, version, nonce int64) *cases.Index {
	data, release, err := mapFile(path)
	if err != nil {
		return nil
	}
	if len(data) < indexFileHeader || !bytes.HasPrefix(data, []byte(indexFileMagic)) ||
		int64(binary.LittleEndian.Uint64(data[len(indexFileMagic):])) != version ||
		int64(binary.LittleEndian.Uint64(data[len(indexFileMagic)+8:])) != nonce ||
		binary.LittleEndian.Uint32(data[len(indexFileMagic)+16:]) != crc32.Checksum(data[indexFileHeader:], castagnoli) {
		release()
		return nil
	}
	// The mapping stays for as long as the process: the index's strings
	// point into it, and so may those that its answers hand out.
	ix, err := cases.LoadIndex(data[indexFileHeader:])
	if err != nil {
		release()
		return nil
	}
	return ix
}

// writeIndexFile replaces the file at path by one holding data, the
// marshalled index saved at cases version with nonce. It writes a new file
// and renames it over the old one, so that a process that has the old one
// mapped keeps reading it whole. The file is private, as the database is.
func writeIndexFile(path string, version, nonce int64, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp") // 0600
	if err != nil {
		return err
	}
	head := make([]byte, indexFileHeader)
	copy(head, indexFileMagic)
	binary.LittleEndian.PutUint64(head[len(indexFileMagic):], uint64(version))
	binary.LittleEndian.PutUint64(head[len(indexFileMagic)+8:], uint64(nonce))
	binary.LittleEndian.PutUint32(head[len(indexFileMagic)+16:], crc32.Checksum(data, castagnoli))
	_, err = f.Write(head)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(f.Name()))
	}
	return nil
}
