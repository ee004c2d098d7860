package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
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
// stopped the next time hotline runs.
func cmdAttach(args []string) error {
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
		return resumeFiles(*cfg)
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

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
			return err
		}
	}
	var ids []string
	for _, path := range rest[1:] {
		up, err := t.store.Attach(ctx, tk.Number, tk.Version, p, path)
		if err != nil {
			return err
		}
		ids = append(ids, up.ID)
		fmt.Fprintf(stdout, "%s %s: queued %s (%s)\n", complaint.KindAttach.Label(), tk.Number, cells.Line(up.Name), platform.FormatSize(up.Size))
	}
	if *noWait {
		return nil
	}
	if err := t.connect(); errors.Is(err, errLinkBusy) {
		fmt.Fprintln(stdout, "the full-screen hotline of this terminal holds the tunnel: it uploads the files")
		return nil
	} else if err != nil {
		return err
	}
	return t.sendFiles(ctx, ids)
}

// resumeFiles sends every file still queued.
func resumeFiles(cfg string) error {
	t, err := openTerminal(cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ups, err := t.store.Unfinished(ctx)
	if err != nil {
		return err
	}
	if len(ups) == 0 {
		fmt.Fprintln(stdout, "no files are waiting")
		return nil
	}
	var ids []string
	for _, up := range ups {
		ids = append(ids, up.ID)
		fmt.Fprintf(stdout, "%s %s: %s (%s), %s on the platform\n", complaint.KindAttach.Label(), up.Ticket, cells.Line(up.Name),
			platform.FormatSize(up.Size), platform.FormatSize(up.Sent))
	}
	if err := t.connect(); errors.Is(err, errLinkBusy) {
		fmt.Fprintln(stdout, "the full-screen hotline of this terminal holds the tunnel: it uploads the files")
		return nil
	} else if err != nil {
		return err
	}
	return t.sendFiles(ctx, ids)
}

// checkAttachable says what is wrong with a file the store would refuse,
// before anything is queued.
func checkAttachable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such file", path)
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
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
	last := map[string]time.Time{}
	check := time.NewTicker(500 * time.Millisecond)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stdout, "stopped: the files stay queued and go on from where they are the next time hotline runs")
			return nil
		case <-done:
			return errors.New("the link stopped (see the log)")
		case ev := <-events:
			switch {
			case ev.Kind == client.Uploading && ev.Upload != nil && time.Since(last[ev.Upload.Upload.ID]) >= 5*time.Second:
				u := ev.Upload
				last[u.Upload.ID] = time.Now()
				verb := "uploading"
				if u.Hashing {
					verb = "checking"
				}
				fmt.Fprintf(os.Stderr, "%s %s: %s / %s\n", verb, cells.Line(u.Upload.Name), platform.FormatSize(u.Sent), platform.FormatSize(u.Upload.Size))
			case ev.Kind == client.Uploaded && ev.Upload != nil:
				fmt.Fprintf(stdout, "uploaded %s\n", cells.Line(ev.Upload.Upload.Name))
			case ev.Kind == client.SendFailed || ev.Kind == client.SyncFailed:
				t.log.Info("link", "event", ev.Kind.String(), "err", ev.Err)
			}
		case <-check.C:
			finished, err := t.attached(ctx, ids)
			if err != nil || finished {
				return err
			}
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
			refused = append(refused, fmt.Errorf("%s: %s", cells.Line(name), it.LastError))
		}
	}
	if len(refused) > 0 {
		return true, fmt.Errorf("attach refused: %w", errors.Join(refused...))
	}
	fmt.Fprintln(stdout, "attached: every file is on the platform")
	return true, nil
}
