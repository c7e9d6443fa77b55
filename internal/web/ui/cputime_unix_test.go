//go:build unix

package ui_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the whole test process has used (user +
// system), so a benchmark can report server cost apart from waiting for a
// busy machine's cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
