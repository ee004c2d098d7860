package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/charmbracelet/x/term"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/api"
	"hotline/client"
	"hotline/cmd/internal/cli"
	"hotline/print"
	"hotline/tui"
)

func cmdUI(args []string) error {
	fs, cfg := newFlags("hotline")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	if err := needTTY(); err != nil {
		return err
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGHUP, syscall.SIGTERM)
	defer cancel()
	if err := t.connect(); err != nil {
		return err
	}
	sess, err := t.session(ctx)
	if err != nil || t.api.Token == "" {
		// First start on this terminal: log in before the screen opens.
		pw, err := cli.ReadPassword("", "password for "+t.settings.User)
		if err != nil {
			return err
		}
		lctx, lcancel := context.WithTimeout(ctx, 30*time.Second)
		sess, err = t.login(lctx, pw)
		lcancel()
		if err != nil {
			return fmt.Errorf("login: %w", err)
		}
	}
	return runUI(ctx, t, sess)
}

// link is what the status bar shows of the connection, updated by the
// background link and read by the UI's tick.
type link struct {
	mu       sync.Mutex
	online   bool
	lastSync time.Time
	lastErr  string
	// seeded is false until the cache has been filled once: the first sync
	// of an empty cache brings the whole backlog, which is not news.
	seeded bool
}

// runUI opens the full-screen terminal on the cache and runs the link to the
// platform beside it; the link's results reach the screen as messages.
// needTTY refuses to start the full screen without a terminal to draw on.
func needTTY() error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return errors.New("the full-screen terminal needs a terminal (a TTY) to draw on; for scripts use the subcommands (hotline help)")
	}
	return nil
}

func runUI(ctx context.Context, t *terminal, sess api.Session) error {
	if err := t.connect(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cursor, err := t.store.Cursor(ctx)
	if err != nil {
		return err
	}
	l := link{seeded: cursor > 0}
	status := func() tui.Status {
		l.mu.Lock()
		defer l.mu.Unlock()
		st := tui.Status{Tunnel: "本单位网络", Online: l.online, LastSync: l.lastSync, LastError: l.lastErr}
		if t.dev == nil {
			return st
		}
		ds := t.dev.Status()
		st.Tunnel = stateWord(ds)
		if len(ds.Peers) > 0 {
			p := ds.Peers[0]
			st.Handshake, st.RxBytes, st.TxBytes = p.LastHandshake, p.RxBytes, p.TxBytes
		}
		return st
	}
	units, people, err := t.directory(ctx)
	if err != nil {
		t.log.Warn("cached directory", "err", err)
	}
	m := tui.New(tui.Options{Store: t.store, User: sess.User, Unit: sess.Unit, Units: units, People: people,
		Now: time.Now, Kick: t.client.Kick, Status: status, Link: t.linkInfo,
		Printer: t.printing(), PrinterName: t.settings.Printer,
		Font: func() (*print.Font, error) { return print.FindFont(t.settings.Font) }})
	p := tea.NewProgram(m, tea.WithContext(ctx))
	events := make(chan client.Event, 64)
	go t.client.Run(ctx, events)
	go func() {
		// The unit tree changes seldom: fetched once a start, in the
		// background, it reaches the screen as a message.
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		for dctx.Err() == nil {
			d, err := t.refreshDirectory(dctx)
			if err == nil {
				units, people := flatten(d)
				p.Send(tui.DirectoryMsg{Units: units, People: people})
				return
			}
			t.log.Warn("directory", "err", err)
			sleepCtx(dctx, 5*time.Second)
		}
	}()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-events:
				if msg := l.apply(ev); msg != nil {
					p.Send(msg)
				}
			}
		}
	}()
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "see the log:", t.logFile.Name())
	}
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// apply records what the link did and turns it into the screen's message.
func (l *link) apply(ev client.Event) tea.Msg {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev.Kind {
	case client.Synced:
		l.online, l.lastSync, l.lastErr = true, ev.At, ""
		msg := tui.SyncedMsg{New: ev.Result.NewNumbers, At: ev.At}
		if !l.seeded {
			msg.New = nil
			l.seeded = ev.Result.Cursor > 0
		}
		return msg
	case client.SyncFailed, client.SendFailed:
		l.online = ev.Online
		if ev.Err != nil {
			l.lastErr = ev.Err.Error()
		}
		return tui.LinkMsg{Online: ev.Online, Err: l.lastErr}
	case client.LoginRequired:
		l.online, l.lastErr = false, "需要重新登录：退出后运行 hotline login"
		return tui.LinkMsg{Online: false, Err: l.lastErr}
	case client.Revoked:
		l.online, l.lastErr = false, "平台拒绝本终端（已停用或未登记），同步已停止：请联系管理员"
		return tui.LinkMsg{Online: false, Err: l.lastErr}
	case client.Sent, client.Refused:
		l.online = true
		if ev.Item == nil {
			return nil
		}
		return tui.OutboxMsg{Ticket: ev.Item.Ticket, Refused: ev.Kind == client.Refused, Reason: ev.Item.LastError}
	}
	return nil
}
