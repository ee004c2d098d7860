package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/platform"
)

// cmdAttach attaches files on the platform's own machine, as a user: the
// center's call recordings, which it keeps where its telephone system puts
// them. The files are copied into the data directory; the running platform
// sends the change to the terminals like any other. What it prints names
// files and tickets as given, made safe to print (cli.Shown).
func cmdAttach(args []string) error {
	if err := attachFiles(args); err != nil {
		return shownError{err}
	}
	return nil
}

func attachFiles(args []string) error {
	fs, dir := newFlags("attach")
	number := fs.String("ticket", "", "the ticket number")
	as := fs.String("as", "", "the user who attaches (login); recordings need a center user")
	part := fs.String("part", "recording", "recording (来电录音), ticket (工单附件) or reply (回复附件)")
	files, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *number == "":
		return usageError("attach needs --ticket")
	case *as == "":
		return usageError("attach needs --as LOGIN")
	case len(files) == 0:
		return usageError("attach needs at least one file")
	}
	p := complaint.Part(*part)
	if !slices.Contains([]complaint.Part{complaint.PartTicket, complaint.PartReply, complaint.PartRecording}, p) {
		return usageError(fmt.Sprintf("--part %q: want recording, ticket or reply", *part))
	}
	s, err := loadSettings(*dir)
	if err != nil {
		return err
	}
	store, err := platform.DiskFiles(*dir, s.maxFileSize)
	if err != nil {
		return err
	}
	return withDB(*dir, func(db *platform.DB) error {
		cal, err := s.calendar(*dir)
		if err != nil {
			return err
		}
		db.SetCalendar(cal)
		ctx := context.Background()
		for _, f := range files {
			t, err := db.AttachFile(ctx, store, *number, f, p, *as)
			if err != nil {
				return err
			}
			a := t.Attachments[len(t.Attachments)-1]
			extra := ""
			if a.Duration > 0 {
				extra = ", " + a.Duration.Round(time.Millisecond).String()
			}
			fmt.Printf("attached %s to %s as %s (%s, %s%s)\n", cli.Shown(a.Name), cli.Shown(t.Number), a.Part.Label(), cli.Shown(a.Type), platform.FormatSize(a.Size), extra)
		}
		return nil
	})
}

// shownError is an error whose text, which names files and tickets as
// given, is printed made safe (cli.Shown).
type shownError struct{ err error }

func (e shownError) Error() string { return cli.Shown(e.err.Error()) }
func (e shownError) Unwrap() error { return e.err }
