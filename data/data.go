// Package data holds the case files bundled with vigil, built into the
// binary so that `vigil serve` works from any folder with no set-up.
// Every fact in them is sourced; see each file's sources.
package data

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"

	"github.com/vigil-bot/vigil/cases"
)

//go:embed cases/*.yaml
var bundled embed.FS

// Cases returns the bundled case files, named as they are in the
// repository ("data/cases/saleh-rustamov.yaml").
func Cases() ([]cases.SourceFile, error) {
	names, err := fs.Glob(bundled, "cases/*.yaml")
	if err != nil {
		return nil, err
	}
	out := make([]cases.SourceFile, 0, len(names))
	for _, n := range names {
		b, err := bundled.ReadFile(n)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out = append(out, cases.SourceFile{Path: path.Join("data", n), Data: b, Hash: hex.EncodeToString(sum[:]),
			FileStat: cases.FileStat{Size: -1}})
	}
	return out, nil
}
