//go:build unix

package media

import (
	"os"
	"os/exec"
	"syscall"
)

func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// group signals the player's whole process group, whose id is the player's
// pid (Setpgid). A group that is gone is os.ErrProcessDone, as
// os.Process.Signal says.
func group(p *os.Process, sig syscall.Signal) error {
	err := syscall.Kill(-p.Pid, sig)
	if err == syscall.ESRCH {
		return os.ErrProcessDone
	}
	return err
}

func pause(p *os.Process) error  { return group(p, syscall.SIGSTOP) }
func resume(p *os.Process) error { return group(p, syscall.SIGCONT) }
func kill(p *os.Process) error   { return group(p, syscall.SIGKILL) }

// terminate sends SIGTERM before SIGCONT, so that a paused player wakes with
// the signal already pending and ends without a moment of sound; the default
// action ends even a stopped process, a handler needs it continued.
func terminate(p *os.Process) error {
	if err := group(p, syscall.SIGTERM); err != nil {
		return err
	}
	return group(p, syscall.SIGCONT)
}
