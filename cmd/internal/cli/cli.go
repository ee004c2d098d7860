// Package cli holds the command-line plumbing hotline and hotlined share:
// flags that may follow arguments, and reading a password.
package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
)

// ReadPassword reads a password from a file, stdin ("-") or the terminal
// without echo.
func ReadPassword(file, prompt string) (string, error) {
	var pw string
	switch file {
	case "":
		if !term.IsTerminal(os.Stdin.Fd()) {
			return "", errors.New("no terminal to ask for a password: give --password-file")
		}
		fmt.Fprint(os.Stderr, prompt+": ")
		b, err := term.ReadPassword(os.Stdin.Fd())
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		pw = string(b)
	case "-":
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		pw = line
	default:
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		pw = string(b)
	}
	pw = strings.TrimRight(pw, "\r\n")
	if pw == "" {
		return "", errors.New("the password is empty")
	}
	return pw, nil
}

// ErrUsage marks an error in how a command was called: the commands exit
// with status 2 for it, as for a wrong flag.
var ErrUsage = errors.New("usage")

// Flags parses the flags of a command that takes no other arguments.
func Flags(fs *flag.FlagSet, args []string) error {
	pos, err := Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, pos[0])
	}
	return nil
}

// Parse parses flags that may stand before or after positional arguments, as
// in `hotline show 2549 --json`, and returns the positional ones. A wrong
// flag is an ErrUsage; -h is flag.ErrHelp, after the flags are printed.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
