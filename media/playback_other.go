//go:build !unix

package media

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// Windows has no stop and continue signals and no process groups to send
// them to; playing and stopping work, pausing does not.

func ownGroup(*exec.Cmd) {}

func pause(*os.Process) error {
	return fmt.Errorf("pausing a player is not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func resume(*os.Process) error {
	return fmt.Errorf("pausing a player is not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func terminate(p *os.Process) error { return p.Kill() }
func kill(p *os.Process) error      { return p.Kill() }
