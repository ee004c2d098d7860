package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/charmbracelet/x/term"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/api"
	"hotline/calendar"
	"hotline/client"
	"hotline/cmd/internal/cli"
	"hotline/store"
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
	err = runUI(ctx, t, sess)
	t.sayUnsent(context.Background(), os.Stderr)
	return err
}

// What the screens say of a terminal the platform refuses.
const (
	refusedWord = "已停用"
	refusedText = "平台拒绝本终端（已停用或未登记），同步已停止，操作不会发出：请联系平台管理员"
)

// linkInfo is the tunnel for the settings screen, with the platform's
// refusal, once it came, as its state and newest error.
func (l *link) linkInfo(t *terminal) tui.Link {
	li := t.linkInfo()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.refused.IsZero() {
		li.State = refusedWord
		li.Errors = append(li.Errors, tui.LinkError{At: l.refused, Text: refusedText})
	}
	return li
}

// link is what the status bar shows of the connection, updated by the
// background link and read by the UI's tick.
type link struct {
	mu       sync.Mutex
	online   bool
	lastSync time.Time
	lastErr  string
	// refused is when the platform refused this terminal (revoked): the
	// link stopped for good, whatever the tunnel still does.
	refused time.Time
	// seeded is false until the cache has been filled once: the first sync
	// of an empty cache brings the whole backlog, which is not news.
	seeded bool
}

// needTTY refuses to start the full screen without a terminal to draw on.
func needTTY() error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return errors.New("the full-screen terminal needs a terminal (a TTY) to draw on; for scripts use the subcommands (hotline help)")
	}
	return nil
}

// runUI opens the full-screen terminal on the cache and runs the link to the
// platform beside it; the link's results reach the screen as messages.
// Tests pass opts to run it on a pipe.
func runUI(ctx context.Context, t *terminal, sess api.Session, opts ...tea.ProgramOption) error {
	if err := t.connect(); err != nil {
		return err
	}
	// From here to the end of the screen nothing may write to the
	// terminal it is drawn on.
	defer t.quiet()()
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
		if !l.refused.IsZero() {
			st.Tunnel = refusedWord
		}
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
	pl := &players{configured: t.settings.Media.Player, lookPath: exec.LookPath}
	defer pl.stopAll()
	m := tui.New(tui.Options{Store: t.store, User: sess.User, Unit: sess.Unit, Units: units, People: people,
		Now: time.Now, Kick: t.client.Kick, Status: status, Link: func() tui.Link { return l.linkInfo(t) },
		Remote:  t.remoteSearch,
		Weights: t.settings.Score, Calendar: t.workdays(),
		Printer: t.printing(), PrinterName: t.settings.Printer,
		Font:  t.font,
		Fetch: t.fetch, Open: opener(t.settings.Media.Viewer, exec.LookPath), Play: pl.play, Deliveries: t.deliveries,
		Keys: t.settings.keymap, Theme: t.settings.theme, Bell: t.settings.Bell, Mouse: t.settings.Mouse})
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)...)
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
	// However the program ended — quit, a signal through its context or
	// tea's own handler — what was typed since the last draft save is
	// saved before the program goes.
	if ferr := m.Flush(); ferr != nil {
		t.log.Error("draft", "err", ferr)
		fmt.Fprintln(os.Stderr, "the text being typed was not saved as a draft:", ferr)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "see the log:", t.logFile.Name())
	}
	return err
}

// workdays is the working-day calendar the statistics screens count in,
// the one the report command uses; nil, which the screens tell, when it
// cannot be built.
func (t *terminal) workdays() *calendar.Calendar {
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.log.Warn("calendar", "err", err)
		return nil
	}
	return cal
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
	case client.SyncProgress:
		l.online = true
		p := ev.Progress
		return tui.SyncProgressMsg{Done: p.Done, Total: p.Total, First: p.First, Start: p.Start, At: ev.At}
	case client.SyncFailed, client.SendFailed:
		l.online = ev.Online
		if ev.Err != nil {
			l.lastErr = ev.Err.Error()
		}
		return tui.LinkMsg{Online: ev.Online, Err: l.lastErr}
	case client.LoginRequired:
		l.online, l.lastErr = false, "需要重新登录：退出后运行 hotline login"
		return tui.LinkMsg{Online: false, Err: l.lastErr, Stopped: true}
	case client.Revoked:
		l.online, l.lastErr, l.refused = false, refusedText, ev.At
		return tui.LinkMsg{Online: false, Err: l.lastErr, Stopped: true}
	case client.Sent, client.Refused:
		l.online = true
		if ev.Item == nil {
			return nil
		}
		return tui.OutboxMsg{Ticket: ev.Item.Ticket, Refused: ev.Kind == client.Refused, Reason: ev.Item.LastError}
	case client.Uploading, client.Uploaded, client.UploadFailed:
		if ev.Upload == nil {
			return nil
		}
		return uploadMsg(ev)
	case client.Alerted:
		if len(ev.Alerts) == 0 {
			return nil
		}
		return tui.AlertMsg{Alerts: ev.Alerts}
	}
	return nil
}

// uploadMsg is an upload event as the screen takes it.
func uploadMsg(ev client.Event) tui.UploadMsg {
	u := ev.Upload.Upload
	msg := tui.UploadMsg{Ticket: u.Ticket, ID: u.ID, Name: u.Name, Sent: ev.Upload.Sent, Size: u.Size, Hashing: ev.Upload.Hashing}
	switch ev.Kind {
	case client.Uploading:
		msg.State = store.UploadUploading
	case client.Uploaded:
		msg.State, msg.Sent = store.UploadDone, u.Size
	case client.UploadFailed:
		msg.State, msg.Err = store.UploadFailed, u.Error
		if msg.Err == "" && ev.Err != nil {
			msg.Err = ev.Err.Error()
		}
	}
	return msg
}
