// Package testenv tells tests where the things they need from outside the
// repository are, and what to do when one is missing: skip and say which, or,
// with HOTLINE_STRICT=1 as the test command sets, fail.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Strict reports whether a missing system part fails the test.
func Strict() bool { return os.Getenv("HOTLINE_STRICT") == "1" }

// Missing skips the test because what is missing, or fails it when strict.
func Missing(tb testing.TB, what string) {
	tb.Helper()
	if Strict() {
		tb.Fatalf("%s is missing (HOTLINE_STRICT=1)", what)
	}
	tb.Skipf("%s is missing: skipped", what)
}

// Shared returns the path of rel inside the shared folder that sits beside
// the repository (../shared), e.g. "data/teddy2020c/附件4.xlsx".
func Shared(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		Missing(tb, "../shared/"+rel+" (the shared folder beside the repository)")
	}
	return p
}

// Command returns the path of a program the test needs, e.g. tmux.
func Command(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, name+" (apt-get install "+pkg+")")
	}
	return p
}
