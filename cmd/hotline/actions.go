package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/store"
)

// stdout is where the commands print their results; tests read it.
var stdout io.Writer = os.Stdout

// actionCmd is one subcommand that takes an action on a ticket: its flags,
// and how they make the action.
type actionCmd struct {
	kind  complaint.Kind
	usage string
	// flags defines the command's flags on fs and returns the function
	// that turns their values into the action, once parsed.
	flags func(fs *flag.FlagSet) func(a *complaint.Action) error
}

// textFlag defines a flag naming a UTF-8 file (- for stdin) whose text goes
// into the action's Text, and returns how to read it; required makes an
// empty or missing one an error.
func textFlag(fs *flag.FlagSet, name, what string, required bool) func(a *complaint.Action) error {
	file := fs.String(name, "", what+", UTF-8 (- for stdin)")
	return func(a *complaint.Action) error {
		if *file == "" {
			if required {
				return usageError(fmt.Sprintf("%s needs --%s", a.Kind, name))
			}
			return nil
		}
		text, err := readText(*file)
		if err != nil {
			return err
		}
		a.Text = text
		return nil
	}
}

// noteFlag is a short text given on the command line, or a file.
func noteFlag(fs *flag.FlagSet) func(a *complaint.Action) error {
	note := fs.String("note", "", "a short note")
	file := textFlag(fs, "note-file", "a longer note", false)
	return func(a *complaint.Action) error {
		if err := file(a); err != nil {
			return err
		}
		if a.Text == "" {
			a.Text = strings.TrimSpace(*note)
		}
		return nil
	}
}

var actionCmds = map[string]actionCmd{
	"sign": {complaint.KindSign, "sign NUMBER", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return func(*complaint.Action) error { return nil }
	}},
	"assign": {complaint.KindAssign, "assign NUMBER --subunit S [--handler H] [--note-file F]", func(fs *flag.FlagSet) func(*complaint.Action) error {
		sub := fs.String("subunit", "", "the sub-unit, by code or name")
		handler := fs.String("handler", "", "the handler, by login or name (optional)")
		note := noteFlag(fs)
		return func(a *complaint.Action) error {
			if *sub == "" {
				return usageError("assign needs --subunit")
			}
			a.Subunit, a.Handler = *sub, *handler
			return note(a)
		}
	}},
	"contact": {complaint.KindContact, "contact NUMBER --how 电话 --result-file F [--at 2006-01-02T15:04]", func(fs *flag.FlagSet) func(*complaint.Action) error {
		how := fs.String("how", "", "how the citizen was reached: 电话, 上门, 短信 or 其他")
		at := fs.String("at", "", "when, China time (default now)")
		result := textFlag(fs, "result-file", "what was said and agreed", true)
		return func(a *complaint.Action) error {
			if *how == "" {
				return usageError("contact needs --how")
			}
			when := time.Now()
			if *at != "" {
				t, err := parseTime(*at)
				if err != nil {
					return fmt.Errorf("--at: %w", err)
				}
				when = t
			}
			if err := result(a); err != nil {
				return err
			}
			a.Contact = &complaint.Contact{At: when.UTC(), How: *how, Result: a.Text}
			a.Text = ""
			return nil
		}
	}},
	"reply": {complaint.KindReply, "reply NUMBER --findings-file F --explanation-file F --measures-file F --basis-file F --opinion-file F | --text-file F", replyFlags},
	"approve": {complaint.KindApprove, "approve NUMBER [--note TEXT]", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return noteFlag(fs)
	}},
	"reject": {complaint.KindReject, "reject NUMBER --criteria 2,5 --note-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		crit := fs.String("criteria", "", "the failed criteria, 1–5, comma-separated")
		note := noteFlag(fs)
		return func(a *complaint.Action) error {
			if *crit == "" {
				return usageError("reject needs --criteria")
			}
			for _, s := range strings.Split(*crit, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil {
					return usageError(fmt.Sprintf("--criteria %q: not a list of numbers", *crit))
				}
				a.Criteria = append(a.Criteria, n)
			}
			return note(a)
		}
	}},
	"send": {complaint.KindSend, "send NUMBER", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return func(*complaint.Action) error { return nil }
	}},
	"return": {complaint.KindReturnRequest, "return NUMBER --reason-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return textFlag(fs, "reason-file", "why the ticket is not the unit's business", true)
	}},
	"extend": {complaint.KindExtensionRequest, "extend NUMBER --days 3 --reason-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		days := fs.Int("days", 0, "working days asked for")
		reason := textFlag(fs, "reason-file", "why more time is needed", true)
		return func(a *complaint.Action) error {
			if *days == 0 {
				return usageError("extend needs --days")
			}
			a.Days = *days
			return reason(a)
		}
	}},
	"accept-return": {complaint.KindReturnAccept, "accept-return NUMBER [--note TEXT]", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return noteFlag(fs)
	}},
	"refuse-return": {complaint.KindReturnRefuse, "refuse-return NUMBER --reason-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return textFlag(fs, "reason-file", "why the return is refused", true)
	}},
	"decide-extension": {complaint.KindExtensionDecide, "decide-extension NUMBER --grant --deadline 2026-12-10T17:00 | --refuse --note-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		grant := fs.Bool("grant", false, "grant the extension")
		refuse := fs.Bool("refuse", false, "refuse it")
		deadline := fs.String("deadline", "", "the new deadline, China time (with --grant)")
		note := noteFlag(fs)
		return func(a *complaint.Action) error {
			if *grant == *refuse {
				return usageError("decide-extension needs one of --grant and --refuse")
			}
			if *grant {
				if *deadline == "" {
					return usageError("--grant needs --deadline")
				}
				t, err := parseTime(*deadline)
				if err != nil {
					return fmt.Errorf("--deadline: %w", err)
				}
				a.Grant, a.Deadline = true, t.UTC()
			}
			return note(a)
		}
	}},
	"close": {complaint.KindClose, "close NUMBER --satisfaction 满意|基本满意|不满意 [--note TEXT]", func(fs *flag.FlagSet) func(*complaint.Action) error {
		sat := fs.String("satisfaction", "", "the citizen's verdict in the callback: 满意, 基本满意 or 不满意")
		note := noteFlag(fs)
		return func(a *complaint.Action) error {
			if *sat == "" {
				return usageError("close needs --satisfaction")
			}
			a.Satisfaction = *sat
			return note(a)
		}
	}},
	"reopen": {complaint.KindReopen, "reopen NUMBER --reason-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return textFlag(fs, "reason-file", "what the citizen is not satisfied with", true)
	}},
	"dispatch": {complaint.KindDispatch, "dispatch NUMBER --unit U", func(fs *flag.FlagSet) func(*complaint.Action) error {
		unit := fs.String("unit", "", "the unit, by code or name")
		note := noteFlag(fs)
		return func(a *complaint.Action) error {
			if *unit == "" {
				return usageError("dispatch needs --unit")
			}
			a.Unit = *unit
			return note(a)
		}
	}},
	"urge": {complaint.KindUrge, "urge NUMBER --note-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return textFlag(fs, "note-file", "what is urged", true)
	}},
	"supervise": {complaint.KindSupervise, "supervise NUMBER --note-file F", func(fs *flag.FlagSet) func(*complaint.Action) error {
		return textFlag(fs, "note-file", "what is supervised", true)
	}},
}

// replyFields are the record sheet's fields and the flags that give them.
var replyFields = []struct {
	flag, label string
	field       func(r *complaint.Reply) *string
}{
	{"findings-file", "处理情况", func(r *complaint.Reply) *string { return &r.Findings }},
	{"explanation-file", "沟通解释结果", func(r *complaint.Reply) *string { return &r.Explanation }},
	{"measures-file", "采取措施", func(r *complaint.Reply) *string { return &r.Measures }},
	{"basis-file", "处理依据", func(r *complaint.Reply) *string { return &r.Basis }},
	{"opinion-file", "客户意见", func(r *complaint.Reply) *string { return &r.CitizenOpinion }},
}

// replyFiles defines the flags of the five fields and returns the reply
// they give, nil when none was given.
func replyFiles(fs *flag.FlagSet) func() (*complaint.Reply, error) {
	files := make([]*string, len(replyFields))
	for i, f := range replyFields {
		files[i] = fs.String(f.flag, "", f.label+", UTF-8 (- for stdin)")
	}
	return func() (*complaint.Reply, error) {
		var r complaint.Reply
		given := false
		for i, f := range replyFields {
			if *files[i] == "" {
				continue
			}
			given = true
			text, err := readText(*files[i])
			if err != nil {
				return nil, err
			}
			*f.field(&r) = text
		}
		if !given {
			return nil, nil
		}
		r.Text = r.Compose()
		return &r, nil
	}
}

func replyFlags(fs *flag.FlagSet) func(*complaint.Action) error {
	whole := fs.String("text-file", "", "the whole reply in one text, UTF-8 (- for stdin)")
	fields := replyFiles(fs)
	return func(a *complaint.Action) error {
		r, err := fields()
		if err != nil {
			return err
		}
		switch {
		case r != nil && *whole != "":
			return usageError("reply takes --text-file or the five field files, not both")
		case r == nil && *whole == "":
			return usageError("reply needs --text-file or the field files (--findings-file …)")
		case r == nil:
			text, err := readText(*whole)
			if err != nil {
				return err
			}
			r = &complaint.Reply{Text: text}
		}
		a.Reply = r
		return nil
	}
}

// readText reads a UTF-8 text from a file or stdin ("-"), trimmed; an empty
// one is an error.
func readText(file string) (string, error) {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%s: not valid UTF-8: save the text as UTF-8 and try again", file)
	}
	raw := strings.TrimPrefix(string(b), "\ufeff")
	if err := plainText(raw); err != nil {
		return "", fmt.Errorf("%s %w: remove it and try again", file, err)
	}
	text := strings.TrimSpace(raw)
	if text == "" {
		return "", fmt.Errorf("%s: the text is empty", file)
	}
	return text, nil
}

// plainText refuses control characters other than line breaks and tabs: a
// reply goes to the center and onto the printed record sheet as it is.
func plainText(s string) error {
	line := 1
	for _, r := range s {
		switch {
		case r == '\n':
			line++
		case r == '\r' || r == '\t':
		case unicode.IsControl(r):
			return fmt.Errorf("line %d: control character U+%04X", line, r)
		}
	}
	return nil
}

// parseTime reads a time written in China time.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), shanghai); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2026-12-10T17:00", s)
}

// cmdAction runs the action subcommand name.
func cmdAction(name string, args []string) error {
	cfg, a, err := parseAction(name, args)
	if err != nil {
		return err
	}
	return act(cfg, a)
}

// parseAction reads the action subcommand name's arguments into the action
// it asks for, and the settings file.
func parseAction(name string, args []string) (string, complaint.Action, error) {
	ac := actionCmds[name]
	fs, cfg := newFlags(name)
	build := ac.flags(fs)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return "", complaint.Action{}, err
	}
	if len(pos) != 1 {
		return "", complaint.Action{}, usageError("usage: hotline " + ac.usage)
	}
	a := complaint.Action{Kind: ac.kind, Ticket: pos[0]}
	if err := build(&a); err != nil {
		return "", a, err
	}
	return *cfg, a, nil
}

// act brings the cache up to date when it can, resolves names of units and
// people to their codes, checks the action and writes it to the outbox, then
// sends what waits and says how it went. Offline, or while the full-screen
// terminal holds the link, the action stays queued and goes out from there.
// A refusal, here or by the platform, is an error: the exit status is not 0.
func act(cfg string, a complaint.Action) error {
	t, err := openTerminal(cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	linkErr := t.connect()
	if linkErr == nil {
		linkErr = t.reach(ctx)
	}
	if linkErr == nil {
		// The action is based on the ticket as the platform has it now,
		// not as the cache last saw it.
		if _, err := t.client.SyncOnce(ctx); err != nil {
			t.log.Warn("sync before action", "err", err)
		}
		if a.Kind == complaint.KindAssign || a.Kind == complaint.KindDispatch {
			if _, err := t.refreshDirectory(ctx); err != nil {
				t.log.Warn("directory", "err", err)
			}
		}
	}
	if err := t.resolve(ctx, &a); err != nil {
		return err
	}
	a, err = t.enqueue(ctx, a)
	if err != nil {
		return err
	}
	label, number := a.Kind.Label(), a.Ticket
	if linkErr != nil {
		if errors.Is(linkErr, errLinkBusy) {
			fmt.Fprintf(stdout, "%s %s: queued; another hotline process of this terminal holds the tunnel: it sends it if it is the full-screen terminal, else the next sync does\n", label, number)
			return nil
		}
		fmt.Fprintf(stdout, "%s %s: queued (%v); it is sent with the next sync\n", label, number, linkErr)
		return nil
	}
	if _, err := t.client.Flush(ctx); err != nil {
		t.log.Warn("flush", "err", err)
	}
	it, err := t.store.Item(ctx, a.ID)
	if err != nil {
		return err
	}
	switch it.Status {
	case store.StatusSent:
		tk, _ := t.store.Ticket(ctx, number)
		fmt.Fprintf(stdout, "%s %s: done; state %s\n", label, number, tk.State.Label())
		return nil
	case store.StatusRefused:
		// The command says so at once and its text is still in the file
		// it came from: keeping the refused copy would only leave the
		// officer a stale item to give up on the screen.
		if err := t.store.Discard(ctx, it.ID); err != nil {
			t.log.Warn("discard refused action", "err", err)
		}
		return fmt.Errorf("%s %s refused: %s", label, number, it.LastError)
	}
	why := it.LastError
	if why == "" {
		why = "no answer from the platform"
	}
	fmt.Fprintf(stdout, "%s %s: queued, not sent yet (%s); it is sent with the next sync\n", label, number, why)
	return nil
}

// resolve turns the names of units and people an action names into their
// codes and logins, by the cached unit tree; codes pass as they are.
func (t *terminal) resolve(ctx context.Context, a *complaint.Action) error {
	if a.Subunit == "" && a.Handler == "" && a.Unit == "" {
		return nil
	}
	units, people, err := t.directory(ctx)
	if err != nil {
		return err
	}
	unit := func(v string) string {
		for _, u := range units {
			if u.Name == v {
				return u.Code
			}
		}
		return v
	}
	a.Subunit, a.Unit = unit(a.Subunit), unit(a.Unit)
	for _, p := range people {
		if a.Handler != "" && p.Name == a.Handler {
			a.Handler = p.Login
		}
	}
	return nil
}

// cmdPrecheck prints the review pre-check of a ticket's reply: the one in
// the cache, or the one the field files give.
func cmdPrecheck(args []string) error {
	fs, cfg := newFlags("precheck")
	fields := replyFiles(fs)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("usage: hotline precheck NUMBER [--findings-file F …]")
	}
	r, err := fields()
	if err != nil {
		return err
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	tk, err := t.cached(context.Background(), pos[0])
	if err != nil {
		return err
	}
	source := "文件中的回复"
	if r == nil {
		if tk.Reply == nil {
			return fmt.Errorf("ticket %s has no reply yet: give the field files (--findings-file …)", tk.Number)
		}
		r, source = tk.Reply, "工单的回复"
	}
	fmt.Fprint(stdout, precheckText(tk, *r, source))
	return nil
}

// precheckText is the pre-check as printed: a heading, then each criterion
// with ✓ or ✗ and, when marked, why.
func precheckText(tk complaint.Ticket, r complaint.Reply, source string) string {
	findings := complaint.Precheck(tk, r)
	by := map[int][]string{}
	for _, f := range findings {
		by[f.Criterion] = append(by[f.Criterion], f.Message)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "预审 %s（%s）：", tk.Number, source)
	if len(by) == 0 {
		b.WriteString("未发现问题\n")
	} else {
		fmt.Fprintf(&b, "%d 项可能不符合\n", len(by))
	}
	for i, c := range complaint.Criteria {
		n := i + 1
		mark := "✓"
		if _, ok := by[n]; ok {
			mark = "✗"
		}
		fmt.Fprintf(&b, "%s %s %s\n", circled(n), mark, c)
		for _, m := range by[n] {
			fmt.Fprintf(&b, "    %s\n", m)
		}
	}
	return b.String()
}

func circled(n int) string { return string(rune('①' + n - 1)) }
