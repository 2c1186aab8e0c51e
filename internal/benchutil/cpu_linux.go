package benchutil

import (
	"syscall"
	"time"
	"unsafe"
)

const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID

// ThreadCPU returns the CPU time the calling OS thread has used, in
// nanoseconds. Lock the goroutine to its thread (runtime.LockOSThread)
// around what it measures. Time the thread spent waiting for a core does
// not count, which is what makes it a fair measure on a busy machine.
func ThreadCPU() time.Duration {
	var ts syscall.Timespec
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ts.Nano())
}

// ProcessCPU returns the user and system CPU time the whole process has
// used, garbage collection included.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
