package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"hotline/client"
	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/platform"
	"hotline/store"
	"hotline/tui/cells"
)

// cmdAttach queues files for a ticket and, unless the full-screen terminal
// holds the link, sends them now: it goes on until every file is on the
// platform and attached, through cuts and restarts, printing how far each
// has got. Interrupted, the files stay queued and go on from where they
// stopped the next time hotline runs, and the command ends by the signal
// that stopped it, as every other command of hotline does (status 130 for
// ^C in a shell).
func cmdAttach(args []string) error {
	ctx, interrupted, stop := interruptible()
	defer stop()
	err := attach(ctx, args)
	if sig := interrupted(); sig != nil {
		if err != nil && !errors.Is(err, errStopped) {
			fmt.Fprintln(os.Stderr, "hotline:", err)
		}
		fmt.Fprintln(os.Stderr, "hotline: attach interrupted: the files stay queued; `hotline attach --resume` goes on from where they are, as do `hotline sync --once` and the full-screen hotline")
		stop()
		dieBy(sig)
	}
	return err
}

// errStopped ends sendFiles when its context ends: a signal.
var errStopped = errors.New("stopped: the files stay queued")

func attach(ctx context.Context, args []string) error {
	fs, cfg := newFlags("attach")
	part := fs.String("part", "ticket", "what the files belong to: ticket (工单附件), reply (回复附件) or recording (来电录音, the center's)")
	noWait := fs.Bool("no-wait", false, "queue the files and stop; hotline sends them later")
	resume := fs.Bool("resume", false, "send the files already queued, from where they stopped")
	rest, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if *resume {
		if len(rest) > 0 {
			return usageError("attach --resume takes no ticket or file")
		}
		return resumeFiles(ctx, *cfg)
	}
	if len(rest) < 2 {
		return usageError("attach needs a ticket number and at least one file")
	}
	p := complaint.Part(*part)
	if !slices.Contains([]complaint.Part{complaint.PartTicket, complaint.PartReply, complaint.PartRecording}, p) {
		return usageError(fmt.Sprintf("--part %q: want ticket, reply or recording", *part))
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()

	number := rest[0]
	tk, err := t.cached(ctx, number)
	if err != nil {
		return err
	}
	sess, err := t.session(ctx)
	if err != nil {
		return err
	}
	if !complaint.Allowed(sess.User, complaint.KindAttach) {
		return fmt.Errorf("attach to %s refused: 当前用户无权添加附件", number)
	}
	if p == complaint.PartRecording && !sess.User.Has(complaint.RoleCenter) {
		return fmt.Errorf("attach to %s refused: 来电录音只能由12345中心添加", number)
	}
	// Every file is checked before any is queued: a bad one changes nothing.
	for _, path := range rest[1:] {
		if err := checkAttachable(path); err != nil {
			return fmt.Errorf("%w; no file was queued", err)
		}
	}
	var ids []string
	for _, path := range rest[1:] {
		up, err := t.store.Attach(ctx, tk.Number, tk.Version, p, path)
		if err != nil {
			// The file changed since it was checked; those before it
			// are queued.
			return errors.New(cli.Shown(err.Error()))
		}
		ids = append(ids, up.ID)
		fmt.Fprintf(stdout, "%s %s: queued %s (%s)\n", complaint.KindAttach.Label(), tk.Number, cells.Line(up.Name), platform.FormatSize(up.Size))
	}
	if *noWait {
		return nil
	}
	head := complaint.KindAttach.Label() + " " + tk.Number
	if err := t.connect(); errors.Is(err, errLinkBusy) {
		fmt.Fprintln(stdout, "the full-screen hotline of this terminal holds the tunnel: it uploads the files")
		return nil
	} else if err != nil {
		return err
	}
	if err := t.reach(ctx); ctx.Err() != nil {
		return errStopped
	} else if err != nil {
		stayQueued(head, err)
		return nil
	}
	return t.sendFiles(ctx, ids)
}

// stayQueued says, as an action queued offline does, that the files wait
// and why, and how they go on.
func stayQueued(head string, why error) {
	fmt.Fprintf(stdout, "%s: the files stay queued (%v); `hotline attach --resume` sends them, as do `hotline sync --once` and the full-screen hotline\n", head, why)
}

// resumeFiles sends every file still queued.
func resumeFiles(ctx context.Context, cfg string) error {
	t, err := openTerminal(cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ups, err := t.store.Unfinished(ctx)
	if err != nil {
		return err
	}
	if len(ups) == 0 {
		fmt.Fprintln(stdout, "no files are waiting")
		return nil
	}
	linkErr := t.connect()
	reachErr := linkErr
	if linkErr == nil {
		reachErr = t.reach(ctx)
	}
	var ids []string
	for _, up := range ups {
		ids = append(ids, up.ID)
		where := platform.FormatSize(up.Sent) + " on the platform"
		if reachErr == nil && up.SHA256 != "" {
			// Contents the platform holds already (the same file
			// attached before, here or elsewhere) are not sent again.
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if _, found, err := t.api.File(rctx, up.SHA256); err == nil && found {
				where = "already on the platform"
			}
			cancel()
		}
		fmt.Fprintf(stdout, "%s %s: %s (%s), %s\n", complaint.KindAttach.Label(), cells.Line(up.Ticket), cells.Line(up.Name),
			platform.FormatSize(up.Size), where)
	}
	switch {
	case errors.Is(linkErr, errLinkBusy):
		fmt.Fprintln(stdout, "the full-screen hotline of this terminal holds the tunnel: it uploads the files")
		return nil
	case linkErr != nil:
		return linkErr
	case ctx.Err() != nil:
		return errStopped
	case reachErr != nil:
		stayQueued(complaint.KindAttach.Label(), reachErr)
		return nil
	}
	return t.sendFiles(ctx, ids)
}

// checkAttachable says what is wrong with a file the store would refuse,
// before anything is queued: the file as given, made safe to print, and
// why, in the store's words.
func checkAttachable(path string) error {
	bad := func(why string) error { return fmt.Errorf("%s：%s", cli.Shown(path), why) }
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return bad("找不到文件")
	case errors.Is(err, os.ErrPermission):
		return bad("没有权限读取文件")
	case err != nil:
		return bad(cli.Shown(err.Error()))
	case fi.IsDir():
		return bad("是文件夹，请选择文件")
	case !fi.Mode().IsRegular():
		return bad("不是普通文件")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return bad(cli.Shown(err.Error()))
	}
	if err := complaint.CheckName(filepath.Base(abs)); err != nil {
		return bad(complaint.Reason(err))
	}
	f, err := os.Open(path)
	if err != nil {
		return bad("没有权限读取文件")
	}
	return f.Close()
}

// interruptible is a context that ends on SIGINT or SIGTERM, with the
// signal that ended it (nil while none came) and a stop that gives the
// signals back their default action.
func interruptible() (context.Context, func() os.Signal, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var got atomic.Value
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			got.Store(s)
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
	}
	return ctx, func() os.Signal {
		s, _ := got.Load().(os.Signal)
		return s
	}, stop
}

// dieBy ends the process by sig with its default action, after the
// command cleaned up: the shell sees the command interrupted (and a loop
// of commands stops), as with any command that has no handler.
func dieBy(sig os.Signal) {
	signal.Reset(sig)
	if p, err := os.FindProcess(os.Getpid()); err == nil && p.Signal(sig) == nil {
		time.Sleep(time.Second) // the signal is delivered on its own thread
	}
	code := 130
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	os.Exit(code)
}

// sendFiles runs uploads and the outbox until the attach actions ids are
// sent, or refused.
func (t *terminal) sendFiles(ctx context.Context, ids []string) error {
	events := make(chan client.Event, 64)
	done := make(chan struct{})
	runCtx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		<-done
	}()
	go func() {
		defer close(done)
		t.client.Run(runCtx, events)
	}()
	news := uploadNews(false)
	check := time.NewTicker(500 * time.Millisecond)
	defer check.Stop()
	// The platform may go away after the tunnel answered: then nothing
	// moves and the link's requests fail. The command does not wait for
	// it forever; the files stay queued, as when it was away at the start.
	moved, offline := time.Now(), error(nil)
	for {
		select {
		case <-ctx.Done():
			return errStopped
		case <-done:
			return errors.New("the link stopped (see the log)")
		case ev := <-events:
			news(ev)
			switch ev.Kind {
			case client.SendFailed, client.SyncFailed:
				t.log.Info("link", "event", ev.Kind.String(), "err", ev.Err)
				if !ev.Online {
					offline = ev.Err
				}
			case client.Uploading, client.Uploaded, client.Sent, client.Synced, client.SyncProgress:
				moved, offline = time.Now(), nil
			}
		case <-check.C:
			finished, err := t.attached(ctx, ids)
			if err != nil || finished {
				return err
			}
			if offline != nil && time.Since(moved) >= giveUpAfter {
				stayQueued(complaint.KindAttach.Label(), fmt.Errorf("the platform has not answered for %v: %w", time.Since(moved).Round(time.Second), offline))
				return nil
			}
		}
	}
}

// giveUpAfter is how long attach waits for a platform that stopped
// answering in the middle of its work.
var giveUpAfter = 30 * time.Second

// uploadNews prints what the uploads report: how far each has got, on
// stderr every 5 s, and each file once on the platform; failed, when
// failures says so, each one that cannot go on and why (the attach
// command says it with the refused actions instead).
func uploadNews(failures bool) func(client.Event) {
	last := map[string]time.Time{}
	return func(ev client.Event) {
		u := ev.Upload
		if u == nil {
			return
		}
		switch {
		case ev.Kind == client.Uploading && time.Since(last[u.Upload.ID]) >= 5*time.Second:
			last[u.Upload.ID] = time.Now()
			verb := "uploading"
			if u.Hashing {
				verb = "checking"
			}
			fmt.Fprintf(os.Stderr, "%s %s: %s / %s\n", verb, cells.Line(u.Upload.Name), platform.FormatSize(u.Sent), platform.FormatSize(u.Upload.Size))
		case ev.Kind == client.Uploaded:
			fmt.Fprintf(stdout, "uploaded %s\n", cells.Line(u.Upload.Name))
		case ev.Kind == client.UploadFailed && failures:
			fmt.Fprintf(stdout, "upload failed %s: %s\n", cells.Line(u.Upload.Name), cli.Shown(u.Upload.Error))
		}
	}
}

// attached reports whether every attach action in ids is settled: sent, or
// refused (an error naming the files and why).
func (t *terminal) attached(ctx context.Context, ids []string) (bool, error) {
	var refused []error
	for _, id := range ids {
		it, err := t.store.Item(ctx, id)
		if err != nil {
			return false, err
		}
		switch it.Status {
		case store.StatusPending:
			return false, nil
		case store.StatusRefused:
			name := id
			if it.Attachment != nil {
				name = it.Attachment.Name
			}
			refused = append(refused, fmt.Errorf("%s: %s", cells.Line(name), cli.Shown(it.LastError)))
		}
	}
	if len(refused) > 0 {
		return true, fmt.Errorf("attach refused: %w", errors.Join(refused...))
	}
	fmt.Fprintln(stdout, "attached: every file is on the platform")
	return true, nil
}
