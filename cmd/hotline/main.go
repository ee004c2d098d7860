// Command hotline is the terminal of every role in the ticket procedure: a
// full-screen view of the tickets kept in a local cache, reached through its
// own WireGuard tunnel. Subcommands do the same work without the screen, for
// scripts.
package main

import (
	"errors"
	"flag"
	"fmt"
	"hotline/cmd/internal/cli"
	"os"
)

const usage = `hotline: the terminal of the 12345 ticket procedure, for every role

Usage:
  hotline [--config F]                 the full-screen terminal
  hotline demo [--as duty|handler|leader|jcb|center] [--every 30s] [--import FILE] [--tickets N] [--dir DIR]
                                       platform, tunnel and terminal in one process
  hotline login [--password-file F]    log in on this terminal
  hotline sync --once                  send the files and actions that wait, fetch what changed
                                       on the platform and the user's new alerts
  hotline alerts [--limit K | --all]   提醒: the alerts kept here, newest first (● not seen yet)
  hotline list [--mine] [--state S] [--open|--fed-back] [--json]
                                       --mine: 待办, what you must act on, most urgent first
  hotline show NUMBER [--json]         a ticket with its timeline
  hotline search [WORD…] [--number N] [--phone P] [--from D] [--to D] [--state S] [--subunit S]
                 [--category C] [--overdue] [--remote] [--limit K] [--json]
                                       投诉查询: one ticket a line, tab-separated; days as 2026-11-01,
                                       China time, --to inclusive; exit status 1 if none is found
  hotline outbox                       actions waiting or refused
  hotline attach N FILE… [--part ticket|reply|recording] [--no-wait] | attach --resume
                                       添加附件: upload files of any size and attach them; a cut,
                                       a restart or ^C loses nothing: --resume goes on from there

Actions (F is a UTF-8 file, - for stdin; times are China time, 2026-12-10T17:00):
  duty officer   sign N                                        签收
                 assign N --subunit S [--handler H]            派发 (code or name)
                 return N --reason-file F                      退单申请
                 extend N --days 3 --reason-file F             延期申请
                 send N                                        反馈中心
  handler        contact N --how 电话 --result-file F [--at T] 联系客户
                 reply N --findings-file F --explanation-file F --measures-file F
                         --basis-file F --opinion-file F       回复 (or --text-file F)
                 precheck N [the five files]                   审核预审
  reviewer       approve N [--note TEXT]                       审核通过
                 reject N --criteria 2,5 --note-file F         审核退回
  center         dispatch N --unit U                           派单
                 accept-return N | refuse-return N --reason-file F
                 decide-extension N --grant --deadline T | --refuse --note-file F
                 close N --satisfaction 满意|基本满意|不满意      办结
                 reopen N --reason-file F                      重办
  supervisor     supervise N --note-file F                     督办
  center, duty, supervisor
                 urge N --note-file F                          催办
An action that is refused exits with status 1 and says why.

  hotline keys gen | keys pub          like wg genkey / wg pubkey
  hotline tunnel                       bring the tunnel up and print each step to the platform
  hotline print N… [--printer P] [--copies K] [--pdf FILE] | print --closed-today
                                       the record sheets (市民投诉电话记录单), as one job
  hotline report daily [--date 2026-12-03] | report monthly --month 2026-11  [--csv] [--out FILE]
                                       日报 (the day's closed tickets with replies) or
                                       月报 (every figure per sub-unit), as .xlsx or CSV

--config defaults to $XDG_CONFIG_HOME/hotline/hotline.toml.
`

func main() {
	pinNarrow()
	err := run(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, cli.ErrUsage) {
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
		fmt.Fprint(stdout, usage)
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
	case "search":
		return cmdSearch(rest)
	case "precheck":
		return cmdPrecheck(rest)
	case "outbox":
		return cmdOutbox(rest)
	case "keys":
		return cmdKeys(rest)
	case "tunnel":
		return cmdTunnel(rest)
	case "print":
		return cmdPrint(rest)
	case "report":
		return cmdReport(rest)
	case "attach":
		return cmdAttach(rest)
	case "alerts":
		return cmdAlerts(rest)
	}
	if _, ok := actionCmds[cmd]; ok {
		return cmdAction(cmd, rest)
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
