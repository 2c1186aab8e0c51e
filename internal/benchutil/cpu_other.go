//go:build !linux

package benchutil

import "time"

// ThreadCPU returns the CPU time the calling OS thread has used. This
// platform has no thread clock here, so it falls back to the wall clock.
func ThreadCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }

// ProcessCPU returns the CPU time the whole process has used. This
// platform has no such clock here, so it falls back to the wall clock.
func ProcessCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }
