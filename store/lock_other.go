//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package store

import "os"

// lockFile cannot lock on this system: every TryLock succeeds, and
// running one serve per database is left to the operator.
func lockFile(f *os.File) (held bool, err error) { return false, nil }

func unlockFile(f *os.File) error { return nil }
