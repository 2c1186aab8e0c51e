package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SourceFile is one case file's content as read from disk, before parsing.
type SourceFile struct {
	Path string
	Data []byte
	Hash string // hex SHA-256 of Data, to skip unchanged files cheaply
	FileStat
}

// FileStat is what a case file's directory entry says of it: enough for
// read-only commands to see that no file changed since the last import
// without reading one (see StatFiles).
type FileStat struct {
	Size    int64 // -1: unknown (a bundled file)
	ModTime int64 // Unix nanoseconds
}

// StatFile is a case file's path and FileStat.
type StatFile struct {
	Path string
	FileStat
}

// StatFiles lists the case files ReadFiles would read, with their size
// and modification time, reading none of them.
func StatFiles(paths []string) ([]StatFile, error) {
	names, err := listFiles(paths)
	if err != nil {
		return nil, err
	}
	out := make([]StatFile, len(names))
	for i, n := range names {
		info, err := os.Stat(n)
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		out[i] = StatFile{Path: n, FileStat: statOf(info)}
	}
	return out, nil
}

func statOf(info fs.FileInfo) FileStat {
	return FileStat{Size: info.Size(), ModTime: info.ModTime().UnixNano()}
}

// ReadFiles reads the case files named by paths: a file is taken as is, a
// folder contributes every *.yaml, *.yml and *.csv below it (hidden entries
// skipped), in lexical order. Paths are made absolute and clean, because
// a file's path is its identity (a case id belongs to the file that
// defines it): "cases/a.yaml" and "/srv/vigil/cases/a.yaml" are one file,
// read once even if named twice.
func ReadFiles(paths []string) ([]SourceFile, error) {
	names, err := listFiles(paths)
	if err != nil {
		return nil, err
	}
	out := make([]SourceFile, 0, len(names))
	for _, n := range names {
		// The stat comes first: a file changed while being read then
		// looks changed next time, never unchanged.
		info, err := os.Stat(n)
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		sum := sha256.Sum256(data)
		out = append(out, SourceFile{Path: n, Data: data, Hash: hex.EncodeToString(sum[:]), FileStat: statOf(info)})
	}
	return out, nil
}

// listFiles returns the case files named by paths, as ReadFiles takes
// them: absolute, clean, sorted, each once.
func listFiles(paths []string) ([]string, error) {
	var names []string
	for _, p := range paths {
		p, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		if !info.IsDir() {
			names = append(names, filepath.Clean(p))
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			ext := filepath.Ext(path)
			if !d.IsDir() && (ext == ".yaml" || ext == ".yml" || IsCSV(path)) {
				names = append(names, filepath.Clean(path))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// Ref says where a case is defined: enough to check ids across files
// without keeping the cases.
type Ref struct {
	ID, File string
	Line     int
}

// CheckUnique reports ids defined in more than one of the given cases,
// naming both places.
func CheckUnique(cs []Case) error {
	refs := make([]Ref, len(cs))
	for i, c := range cs {
		refs[i] = Ref{ID: c.ID, File: c.File, Line: c.Line}
	}
	return CheckUniqueRefs(refs)
}

// CheckUniqueRefs reports ids defined in more than one file, naming both
// places; the later of two definitions is the one blamed.
func CheckUniqueRefs(refs []Ref) error {
	first := map[string]*Ref{}
	var errs []error
	for i := range refs {
		c := &refs[i]
		if f, ok := first[c.ID]; ok && f.File != c.File {
			errs = append(errs, &FieldError{File: c.File, Line: c.Line, Field: "id",
				Msg: fmt.Sprintf("%q is already defined at %s:%d", c.ID, DisplayPath(f.File), f.Line)})
			continue
		}
		first[c.ID] = c
	}
	return errors.Join(errs...)
}

// DisplayPath returns a case file's path as people should read it in
// messages: relative to the working folder when the file lies below it
// ("cases/x.yaml", as it was probably typed), else as it is. Paths are
// kept absolute as identities (see ReadFiles); only messages shorten them.
func DisplayPath(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
