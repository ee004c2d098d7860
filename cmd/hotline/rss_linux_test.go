package main

import (
	"os/exec"
	"syscall"
)

// peakRSS is the most memory a finished process held, from the kernel's
// accounting.
func peakRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // kilobytes on Linux
	}
	return -1
}
