package main

import (
	"errors"
	"os"
	"path/filepath"
)

// errLinkBusy means another hotline process of this terminal has the tunnel
// up. Two devices with one WireGuard key would knock each other off the
// platform, so the second one stays offline: its actions go through the
// shared outbox, which the running process sends within seconds.
var errLinkBusy = errors.New("hotline is already running on this terminal and holds the tunnel")

// lockLink takes the terminal's link lock in its state directory; release
// gives it back. The lock goes with the process, so a crash never leaves it
// stuck.
func lockLink(stateDir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(stateDir, "link.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		if err == nil {
			err = errLinkBusy
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
