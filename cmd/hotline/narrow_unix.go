//go:build !windows

package main

import (
	"os"
	"strconv"
	"syscall"
)

// pinNarrow restarts the program without RUNEWIDTH_EASTASIAN=1. The screen
// library reads that variable once at start-up and would then count box
// drawing and other ambiguous characters as two cells, while our layout counts
// them as one, as terminals draw them; the two must agree.
func pinNarrow() {
	if ea, err := strconv.ParseBool(os.Getenv("RUNEWIDTH_EASTASIAN")); err != nil || !ea {
		return
	}
	os.Setenv("RUNEWIDTH_EASTASIAN", "0")
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, os.Environ())
}
