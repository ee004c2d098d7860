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

// Parse parses flags that may stand before or after positional arguments, as
// in `hotline show 2549 --json`, and returns the positional ones.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
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
