// Command hotlined is the platform server: it serves the terminals' API inside
// its own WireGuard tunnel (and, for sites whose own gateway carries the
// traffic, over plain TCP) and administers units, users and terminals.
package main

import (
	"errors"
	"flag"
	"fmt"
	"hotline/cmd/internal/cli"
	"os"
	"strings"
)

const usage = `hotlined: the Hotline platform server

Usage:
  hotlined init      --dir D [--network 10.77.0.0/24] [--endpoint HOST:PORT] [--listen-port 51820]
  hotlined serve     --dir D [--plain IP:PORT]
  hotlined unit add  --dir D --code C --name N --kind center|unit|subunit [--parent P] [--phone T]
  hotlined unit list --dir D
  hotlined unit policy --dir D --unit U [--notify-minutes N] [--contact-days N] [--reply-days N]
                       [--review-minutes N] [--near F] [--duty-sends=true|false]
  hotlined unit notify --dir D --unit U [--file x.toml]
                       a unit's notifications: events, channels, quiet hours, escalation, texts
                       (without --file: print them, defaults filled in)
  hotlined user add  --dir D --login L --name N --unit U --roles duty[,handler...] [--phone P]
                     [--password-file F]
  hotlined user list --dir D
  hotlined user passwd --dir D --login L [--password-file F]
  hotlined user phone  --dir D --login L --phone P | --clear
                       the mobile number SMS go to and group messages @mention: 11 digits
                       (13812345678) or + and the country code (+85291234567)
  hotlined terminal add    --dir D --user L [--name N] [--out DIR] [--address IP]
  hotlined terminal add    --dir D --user L --no-tunnel --address IP --platform-url http://HOST:PORT
                           [--name N] [--out DIR]
  hotlined terminal list   --dir D
  hotlined terminal revoke --dir D NAME
  hotlined import    --dir D --unit U [--encoding auto|utf-8|gb18030] [--skip-bad] [--open] FILE...
  hotlined attach    --dir D --ticket N --as LOGIN [--part recording|ticket|reply] FILE...
                     the center's call recording (WAV, MP3; its duration read from the file)

Notification channels (SMS providers, WeCom/DingTalk/Feishu robots, an HTTP gateway) are
set in channels.toml in the data directory, mode 0600 (see the README); hotlined serve
refuses a wrong one at start, and unit notify warns of a channel it names that is not there.

--dir defaults to $HOTLINED_DIR, else /var/lib/hotlined.
`

func main() {
	err := run(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotlined:", err)
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, cli.ErrUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) + " (see hotlined help)" }

func run(args []string) error {
	if len(args) == 0 {
		fmt.Print(usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		sub = rest[0]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	case "init":
		return cmdInit(rest)
	case "serve":
		return cmdServe(rest)
	case "import":
		return cmdImport(rest)
	case "attach":
		return cmdAttach(rest)
	case "unit", "user", "terminal":
		if sub == "" {
			return usageError("hotlined " + cmd + " needs a subcommand")
		}
		return admin(cmd, sub, rest[1:])
	}
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

// newFlags makes a flag set that reports errors instead of exiting, with the
// shared --dir flag.
func newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	def := os.Getenv("HOTLINED_DIR")
	if def == "" {
		def = "/var/lib/hotlined"
	}
	dir := fs.String("dir", def, "the platform's data directory")
	return fs, dir
}
