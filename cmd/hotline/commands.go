package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"hotline/api"
	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/store"
	"hotline/tui/cells"
	"hotline/tunnel"
)

var shanghai = complaint.China

func cmdLogin(args []string) error {
	fs, cfg := newFlags("login")
	pwFile := fs.String("password-file", "", "read the password from this file (- for stdin); default: ask")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	pw, err := cli.ReadPassword(*pwFile, "password for "+t.settings.User)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := t.login(ctx, pw)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintf(stdout, "logged in as %s (%s), %s\n", sess.User.Login, cells.Line(sess.User.Name), cells.Line(sess.Unit.Name))
	return nil
}

func cmdSync(args []string) error {
	fs, cfg := newFlags("sync")
	once := fs.Bool("once", false, "send what waits, fetch what changed and the new alerts, and stop (the only mode for now)")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	if !*once {
		return usageError("sync runs in the full-screen terminal; for scripts use sync --once")
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	if err := t.connect(); errors.Is(err, errLinkBusy) {
		fmt.Fprintln(stdout, "hotline is running on this terminal and keeps the cache in sync; nothing to do")
		return nil
	} else if err != nil {
		return err
	}
	if err := t.reach(context.Background()); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	start := time.Now()
	// What waits goes first: the files, then the actions, the attach
	// actions and the reply behind them among them. The files take the
	// time they take (their progress is on stderr); each request is
	// bounded, and a stalled one gives up.
	if err := t.client.UploadAll(context.Background(), uploadNews(true)); err != nil {
		t.log.Warn("uploads", "err", err)
		fmt.Fprintf(stdout, "uploads stopped (%s): the files stay queued and go on from there with the next sync\n", cli.Shown(err.Error()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fr, ferr := t.client.Flush(ctx)
	res, err := t.client.SyncOnce(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if _, err := t.refreshDirectory(ctx); err != nil {
		t.log.Warn("directory", "err", err)
	}
	// The user's alerts, as the full-screen terminal would ring them; a
	// platform that keeps none for this terminal says so with an error,
	// which is only logged.
	// The platform answers a page at a time: ask until one comes back
	// short.
	alerts := 0
	for {
		n, aerr := t.client.AlertsOnce(ctx, 0, nil)
		alerts += n
		if aerr != nil {
			t.log.Warn("alerts", "err", aerr)
		}
		if aerr != nil || n < api.AlertsPage {
			break
		}
	}
	fmt.Fprintf(stdout, "synced in %.1fs: %d new, %d updated, %d removed; cursor %d\n", time.Since(start).Seconds(), res.New, res.Updated, res.Removed, res.Cursor)
	if fr.Sent+fr.Refused+fr.Failed > 0 || ferr != nil {
		fmt.Fprintf(stdout, "outbox: %d sent, %d refused, %d not sent\n", fr.Sent, fr.Refused, fr.Failed)
	}
	if alerts > 0 {
		fmt.Fprintf(stdout, "alerts: %d new (hotline alerts lists them)\n", alerts)
	}
	return nil
}

// cmdAlerts lists the alerts this terminal keeps, newest first: those the
// full-screen terminal rang and those sync --once fetched. It marks none
// seen; the full-screen terminal's 提醒 page does.
func cmdAlerts(args []string) error {
	fs, cfg := newFlags("alerts")
	limit := fs.Int("limit", 20, "at most this many, newest first")
	all := fs.Bool("all", false, "every alert kept")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	if *limit < 1 && !*all {
		return usageError(fmt.Sprintf("--limit %d: want 1 or more, or --all", *limit))
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx := context.Background()
	n := *limit
	if *all {
		n = -1 // SQLite's no limit
	}
	as, err := t.store.Alerts(ctx, n)
	if err != nil {
		return err
	}
	unseen, err := t.store.Unseen(ctx)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	writeAlerts(w, as)
	fmt.Fprintf(w, "%d shown, %d not seen yet\n", len(as), unseen)
	return nil
}

// writeAlerts prints alerts one a line: ● for one not seen yet, the time in
// China time, the ticket, 紧急 for an urgent one, and the text.
func writeAlerts(w io.Writer, as []store.Alert) {
	for _, a := range as {
		mark := " "
		if !a.Seen {
			mark = "●"
		}
		text := cells.Line(a.Text)
		if a.Urgent {
			text = "紧急 " + text
		}
		fmt.Fprintf(w, "%s %s  %s  %s\n", mark, a.At.In(shanghai).Format("2006-01-02 15:04"), cells.Line(a.Ticket), text)
	}
}

func cmdList(args []string) error {
	fs, cfg := newFlags("list")
	state := fs.String("state", "", "only this state (code or label, e.g. dispatched or 待签收)")
	open := fs.Bool("open", false, "only 未反馈 (still to handle)")
	mine := fs.Bool("mine", false, "only 待办: what the logged-in user must act on now, most urgent first")
	fedBack := fs.Bool("fed-back", false, "only 已反馈")
	asJSON := fs.Bool("json", false, "JSON output")
	limit := fs.Int("limit", 0, "at most this many")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	var f store.Filter
	if *state != "" {
		s, ok := complaint.ParseState(*state)
		if !ok {
			return usageError(fmt.Sprintf("unknown state %q", *state))
		}
		f.States = []complaint.State{s}
	}
	switch {
	case *open && *fedBack:
		return usageError("--open and --fed-back exclude each other")
	case *open:
		f.Open = new(true)
	case *fedBack:
		f.Open = new(false)
	}
	f.Limit = *limit
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx := context.Background()
	sess, sessErr := t.session(ctx)
	if *mine {
		if sessErr != nil {
			return sessErr
		}
		f.Mine, f.Order = &sess.User, store.OrderUrgency
	}
	ts, err := t.store.Tickets(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, ts)
	}
	width := 100
	if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 40 {
		width = w
	}
	now := time.Now()
	var dues [][2]string
	if *mine || *open {
		dues = make([][2]string, len(ts))
		for i, tk := range ts {
			dues[i][0], dues[i][1] = dueParts(tk, now, sess.Unit.Policy)
		}
	}
	return writeList(stdout, ts, dues, width)
}

// writeList writes one ticket a line: number, state, received, the step
// due (dues, when given: its mark and the rest, as dueParts gives them) and
// the title, cut to width. The marks keep a column of their own and the
// due column is as wide as its widest entry ("!签收 超时 1天18时",
// " 回复 剩 14时28分"), so that steps and titles line up.
func writeList(out io.Writer, ts []complaint.Ticket, dues [][2]string, width int) error {
	dueW := 0
	for _, d := range dues {
		dueW = max(dueW, cells.Width(cells.Pad(d[0], 1)+d[1]))
	}
	w := bufio.NewWriter(out)
	for i, tk := range ts {
		head := fmt.Sprintf("%s %s %s  ", cells.Pad(cells.Line(tk.Number), 14), cells.Pad(tk.State.Label(), 8), tk.ReceivedAt.In(shanghai).Format("2006-01-02 15:04"))
		if dues != nil {
			head += cells.Pad(cells.Pad(dues[i][0], 1)+dues[i][1], dueW) + " "
		}
		fmt.Fprintln(w, head+cells.Cut(cells.Line(tk.Title), width-cells.Width(head)-1, cells.Ellipsis))
	}
	return w.Flush()
}

func cmdShow(args []string) error {
	fs, cfg := newFlags("show")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("show needs one ticket number")
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
	if *asJSON {
		return writeJSON(stdout, tk)
	}
	units, people, _ := t.directory(context.Background())
	sess, _ := t.session(context.Background()) // offline and before login: the default policy
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	writeTicket(w, tk, units, people, sess.Unit.Policy, time.Now())
	return nil
}

func cmdOutbox(args []string) error {
	fs, cfg := newFlags("outbox")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	items, err := t.store.Unsent(context.Background())
	if err != nil {
		return err
	}
	refused := 0
	for _, it := range items {
		status := "待发送"
		if it.Status == store.StatusRefused {
			status, refused = "已退回", refused+1
		}
		fmt.Fprintf(stdout, "%s  %s %s  %s  attempts %d  %s\n", it.CreatedAt.In(shanghai).Format("01-02 15:04"), it.Kind.Label(), it.Ticket, status, it.Attempts, cells.Line(it.LastError))
	}
	fmt.Fprintf(stdout, "%d waiting, %d refused\n", len(items)-refused, refused)
	if refused > 0 {
		fmt.Fprintln(stdout, "refused actions keep their text: correct and resend them on the ticket in the full-screen terminal (m, R), or give them up there (X)")
	}
	return nil
}

func cmdKeys(args []string) error {
	if len(args) != 1 {
		return usageError("keys gen | keys pub")
	}
	switch args[0] {
	case "gen":
		k, err := tunnel.GenerateKey()
		if err != nil {
			return err
		}
		fmt.Println(k)
		return nil
	case "pub":
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
		if err != nil {
			return err
		}
		text := strings.TrimSpace(string(b))
		if text == "" {
			return errors.New("keys pub: no private key on stdin: pipe one in, as in `hotline keys gen | hotline keys pub`")
		}
		k, err := tunnel.ParseKey(text)
		if err != nil {
			return fmt.Errorf("keys pub: %w", err)
		}
		fmt.Println(k.Public())
		return nil
	}
	return usageError(fmt.Sprintf("unknown keys command %q", args[0]))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}
