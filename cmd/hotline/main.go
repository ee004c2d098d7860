// Command hotline is the duty officer's terminal: a full-screen view of the
// unit's tickets kept in a local cache, reached through its own WireGuard
// tunnel. Subcommands do the same work without the screen, for scripts.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const usage = `hotline: the duty officer's terminal

Usage:
  hotline [--config F]                 the full-screen terminal
  hotline demo [--every 30s] [--import FILE] [--tickets N]
                                       platform, tunnel and terminal in one process
  hotline login [--password-file F]    log in on this terminal
  hotline sync --once                  fetch what changed on the platform
  hotline list [--state S] [--open|--fed-back] [--json]
  hotline show NUMBER [--json]
  hotline sign NUMBER                  签收
  hotline reply NUMBER --text-file F   回复 (F may be - for stdin)
  hotline outbox                       actions waiting or refused
  hotline keys gen | keys pub          like wg genkey / wg pubkey

--config defaults to $XDG_CONFIG_HOME/hotline/hotline.toml.
`

func main() {
	pinNarrow()
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) + " (see hotline help)" }

func run(args []string) error {
	if len(args) == 0 || args[0] == "--config" || len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help" {
		return cmdUI(args)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	case "demo":
		return cmdDemo(rest)
	case "login":
		return cmdLogin(rest)
	case "sync":
		return cmdSync(rest)
	case "list":
		return cmdList(rest)
	case "show":
		return cmdShow(rest)
	case "sign":
		return cmdSign(rest)
	case "reply":
		return cmdReply(rest)
	case "outbox":
		return cmdOutbox(rest)
	case "keys":
		return cmdKeys(rest)
	}
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

// newFlags makes a flag set that reports errors instead of exiting, with the
// shared --config flag.
func newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	cfg := fs.String("config", "", "settings file (default $XDG_CONFIG_HOME/hotline/hotline.toml)")
	return fs, cfg
}
