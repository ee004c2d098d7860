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
	"unicode/utf8"

	"github.com/charmbracelet/x/term"

	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/store"
	"hotline/tui/cells"
	"hotline/tunnel"
)

var shanghai = mustZone("Asia/Shanghai")

func cmdLogin(args []string) error {
	fs, cfg := newFlags("login")
	pwFile := fs.String("password-file", "", "read the password from this file (- for stdin); default: ask")
	if err := fs.Parse(args); err != nil {
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
	fmt.Printf("logged in as %s (%s), %s\n", sess.User.Login, cells.Line(sess.User.Name), cells.Line(sess.Unit.Name))
	return nil
}

func cmdSync(args []string) error {
	fs, cfg := newFlags("sync")
	once := fs.Bool("once", false, "fetch what changed and stop (the only mode for now)")
	if err := fs.Parse(args); err != nil {
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
	if err := t.connect(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	fr, ferr := t.client.Flush(ctx)
	res, err := t.client.SyncOnce(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	fmt.Printf("synced in %.1fs: %d new, %d updated, %d removed; cursor %d\n", time.Since(start).Seconds(), res.New, res.Updated, res.Removed, res.Cursor)
	if fr.Sent+fr.Refused+fr.Failed > 0 || ferr != nil {
		fmt.Printf("outbox: %d sent, %d refused, %d not sent\n", fr.Sent, fr.Refused, fr.Failed)
	}
	return nil
}

func cmdList(args []string) error {
	fs, cfg := newFlags("list")
	state := fs.String("state", "", "only this state (code or label, e.g. dispatched or 待签收)")
	open := fs.Bool("open", false, "only 未反馈 (still to handle)")
	fedBack := fs.Bool("fed-back", false, "only 已反馈")
	asJSON := fs.Bool("json", false, "JSON output")
	limit := fs.Int("limit", 0, "at most this many")
	if err := fs.Parse(args); err != nil {
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
	ts, err := t.store.Tickets(context.Background(), f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(os.Stdout, ts)
	}
	width := 100
	if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 40 {
		width = w
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, tk := range ts {
		head := fmt.Sprintf("%s %s %s  ", cells.Pad(cells.Line(tk.Number), 14), cells.Pad(tk.State.Label(), 6), tk.ReceivedAt.In(shanghai).Format("2006-01-02 15:04"))
		fmt.Fprintln(w, head+cells.Cut(cells.Line(tk.Title), width-cells.Width(head)-1, cells.Ellipsis))
	}
	return nil
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
	tk, err := t.store.Ticket(context.Background(), pos[0])
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("ticket %s is not in this terminal's cache", pos[0])
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(os.Stdout, tk)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	field := func(label, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s：%s\n", label, cells.Line(v))
		}
	}
	field("编号", tk.Number)
	field("标题", tk.Title)
	field("状态", tk.State.Label())
	field("来电时间", tk.ReceivedAt.In(shanghai).Format(time.DateTime))
	field("来电人", tk.Caller)
	field("联系电话", tk.Phone)
	field("地址", tk.Address)
	field("诉求类别", tk.Category)
	fmt.Fprintf(w, "诉求内容：\n%s\n", cells.Sanitize(tk.Content))
	if tk.Reply != nil {
		fmt.Fprintf(w, "回复（%s）：\n%s\n", tk.Reply.At.In(shanghai).Format(time.DateTime), cells.Sanitize(tk.Reply.Text))
	}
	if len(tk.Events) > 0 {
		fmt.Fprintln(w, "办理记录：")
		for _, e := range tk.Events {
			fmt.Fprintf(w, "  %s  %-8s %s", e.At.In(shanghai).Format("2006-01-02 15:04"), cells.Line(e.Actor), e.Kind.Label())
			if e.To != "" && e.From != e.To {
				fmt.Fprintf(w, "  %s→%s", e.From.Label(), e.To.Label())
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

func cmdSign(args []string) error {
	fs, cfg := newFlags("sign")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("sign needs one ticket number")
	}
	return act(*cfg, complaint.KindSign, pos[0], nil)
}

func cmdReply(args []string) error {
	fs, cfg := newFlags("reply")
	file := fs.String("text-file", "", "the reply text, UTF-8 (- for stdin)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *file == "" {
		return usageError("reply needs one ticket number and --text-file")
	}
	var b []byte
	if *file == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(*file)
	}
	if err != nil {
		return err
	}
	text := strings.TrimSpace(string(b))
	if text == "" {
		return fmt.Errorf("%s: the reply is empty", *file)
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("%s: not valid UTF-8: save the reply as UTF-8 and try again", *file)
	}
	return act(*cfg, complaint.KindReply, pos[0], &complaint.Reply{Text: text})
}

// act writes the action to the outbox, then tries to send everything waiting.
// Offline, the action stays queued and goes out with the next sync.
func act(cfg string, kind complaint.Kind, number string, reply *complaint.Reply) error {
	t, err := openTerminal(cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, err := t.enqueue(ctx, kind, number, reply)
	if err != nil {
		return err
	}
	if err := t.connect(); err != nil {
		fmt.Printf("%s %s: queued (%v); it is sent with the next sync\n", kind.Label(), number, err)
		return nil
	}
	if _, err := t.client.Flush(ctx); err != nil {
		t.log.Warn("flush", "err", err)
	}
	items, err := t.store.Outbox(ctx, number)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.ID != a.ID {
			continue
		}
		switch it.Status {
		case store.StatusSent:
			tk, _ := t.store.Ticket(ctx, number)
			fmt.Printf("%s %s: done; state %s\n", kind.Label(), number, tk.State.Label())
			return nil
		case store.StatusRefused:
			return fmt.Errorf("%s %s refused: %s", kind.Label(), number, it.LastError)
		default:
			fmt.Printf("%s %s: queued, not sent yet (%s); it is sent with the next sync\n", kind.Label(), number, it.LastError)
			return nil
		}
	}
	return fmt.Errorf("action %s not found in the outbox", a.ID)
}

func cmdOutbox(args []string) error {
	fs, cfg := newFlags("outbox")
	if err := fs.Parse(args); err != nil {
		return err
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	items, err := t.store.Pending(context.Background())
	if err != nil {
		return err
	}
	for _, it := range items {
		fmt.Printf("%s  %s %s  %s  attempts %d  %s\n", it.CreatedAt.In(shanghai).Format("01-02 15:04"), it.Kind.Label(), it.Ticket, it.Status, it.Attempts, cells.Line(it.LastError))
	}
	fmt.Printf("%d waiting\n", len(items))
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
		k, err := tunnel.ParseKey(strings.TrimSpace(string(b)))
		if err != nil {
			return err
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
