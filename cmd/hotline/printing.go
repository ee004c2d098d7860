package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/print"
	"hotline/store"
)

// printing is the terminal's printing over CUPS, for the screens and for
// `hotline print`; PDFs are saved in the state folder where there is none.
func (t *terminal) printing() print.Station {
	c := print.NewClient(t.settings.CUPS)
	if t.settings.User != "" {
		c.User = t.settings.User
	}
	return print.Station{CUPS: c, Dir: filepath.Join(t.settings.State, "prints")}
}

// sheets makes the record sheets of tickets, with the names of units and
// people from the cached directory.
func (t *terminal) sheets(ctx context.Context, tickets []complaint.Ticket) []print.Sheet {
	units, people, err := t.directory(ctx)
	if err != nil {
		t.log.Warn("cached directory", "err", err)
	}
	names := print.Names{
		Unit:   func(code string) string { return complaint.UnitName(units, code) },
		Person: func(login string) string { return complaint.PersonName(people, login) },
	}
	out := make([]print.Sheet, len(tickets))
	for i, tk := range tickets {
		out[i] = print.NewSheet(tk, names)
	}
	return out
}

// freshen brings the cache up to date before printing or a report, so that
// they show the tickets as the platform has them now. Where the platform
// cannot be reached it says how old the copy used is ("printing", "the
// report is from" this terminal's copy). When the full-screen terminal
// holds the tunnel it keeps the cache current itself.
func (t *terminal) freshen(ctx context.Context, what string) {
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err := t.connect()
	if err == nil {
		err = t.reach(sctx)
	}
	if err == nil {
		if _, err = t.client.SyncOnce(sctx); err == nil {
			return
		}
	}
	if errors.Is(err, errLinkBusy) {
		return
	}
	last := "never"
	if v, _ := t.store.Get(ctx, store.KeyLastSync); v != "" {
		if at, perr := time.Parse(time.RFC3339, v); perr == nil {
			last = "at " + at.In(shanghai).Format("2006-01-02 15:04")
		}
	}
	fmt.Fprintf(os.Stderr, "hotline: could not sync with the platform (%v): %s this terminal's copy, last synced %s\n", err, what, last)
}

// font is the sheets' font: the settings', else the system's. An error
// names the setting to change.
func (t *terminal) font() (*print.Font, error) {
	f, err := print.FindFont(t.settings.Font)
	if err != nil && t.settings.Font != "" {
		return nil, fmt.Errorf("%w (set by `font` in %s)", err, t.settings.path)
	}
	return f, err
}

// printerList names the printers CUPS has, for an error.
func printerList(ctx context.Context, p print.Station) string {
	ps, err := p.Printers(ctx)
	if err != nil {
		return "no list: " + err.Error()
	}
	if len(ps) == 0 {
		return "none: add one with lpadmin or the CUPS web page"
	}
	names := make([]string, len(ps))
	for i, pr := range ps {
		names[i] = pr.Name
		if pr.Default {
			names[i] += " (default)"
		}
	}
	return strings.Join(names, ", ")
}

func cmdPrint(args []string) error {
	fs, cfg := newFlags("print")
	printer := fs.String("printer", "", "CUPS printer (default: the settings' printer, else CUPS's default)")
	copies := fs.Int("copies", 1, "copies, 1 to 99")
	pdfPath := fs.String("pdf", "", "write the PDF to this file; print too only with --printer")
	today := fs.Bool("closed-today", false, "print every ticket closed (办结) today, as one job")
	numbers, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(numbers) == 0 && !*today:
		return usageError("print needs ticket numbers or --closed-today")
	case len(numbers) > 0 && *today:
		return usageError("print takes ticket numbers or --closed-today, not both")
	case *copies < 1 || *copies > 99:
		return usageError(fmt.Sprintf("--copies %d: give 1 to 99", *copies))
	}
	t, err := openTerminal(*cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx := context.Background()
	t.freshen(ctx, "printing")

	var tickets []complaint.Ticket
	if *today {
		if tickets, err = t.store.ClosedOn(ctx, time.Now(), shanghai); err != nil {
			return err
		}
		if len(tickets) == 0 {
			return errors.New("no ticket in this terminal's cache was closed (办结) today: nothing to print (run `hotline sync --once` if the center closed some just now)")
		}
	}
	for _, n := range numbers {
		tk, err := t.cached(ctx, n)
		if err != nil {
			return err
		}
		tickets = append(tickets, tk)
	}

	font, err := t.font()
	if err != nil {
		return err
	}
	out, err := print.PDF(font, t.sheets(ctx, tickets)...)
	if err != nil {
		return err
	}
	if len(out.Missing) > 0 {
		fmt.Fprintf(os.Stderr, "hotline: the font %s lacks %s: printed as □ (add a font that has them to `font` in the settings, after the main one: main.ttc,fallback.ttf)\n", font.Name, runeList(out.Missing))
	}
	printed := make([]string, len(tickets))
	for i, tk := range tickets {
		printed[i] = tk.Number
	}
	batch := ""
	if *today {
		batch = "今日办结"
	}
	name := print.JobName(printed, batch, time.Now().In(shanghai))
	if *pdfPath != "" {
		// The sheet holds the citizen's name, phone and address.
		if err := os.WriteFile(*pdfPath, out.PDF, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %s, %s\n", *pdfPath, count(len(tickets), "sheet"), count(out.Pages, "page"))
		if *printer == "" {
			return nil
		}
	}

	p := t.printing()
	queue := cmp.Or(*printer, t.settings.Printer)
	last := print.JobState(0)
	st, err := p.Print(ctx, queue, print.Job{Name: name, PDF: out.PDF, Copies: *copies}, func(s print.JobStatus) {
		if s.State != last {
			last = s.State
			fmt.Fprintf(stdout, "job %d: %s\n", s.ID, s.State.Label())
		}
	})
	if errors.Is(err, print.ErrUnreachable) {
		path, showErr := p.Show(out.PDF, name)
		if path == "" {
			return fmt.Errorf("%w; saving the PDF failed too: %v", err, showErr)
		}
		if showErr != nil {
			return fmt.Errorf("%v: saved %s; %v", err, path, showErr)
		}
		fmt.Fprintf(stdout, "no CUPS here (%v): saved %s and opened it in the system's viewer; print it from there\n", err, path)
		return nil
	}
	if errors.Is(err, print.ErrNoPrinter) {
		from := "--printer"
		if *printer == "" {
			from = "`printer` in " + t.settings.path
		}
		return fmt.Errorf("printer %q (%s) is not in CUPS; it has %s", queue, from, printerList(ctx, p))
	}
	if err != nil {
		return err
	}
	if st.State != print.JobCompleted {
		why := strings.Join(st.Reasons, ", ")
		if st.Message != "" {
			why = st.Message + " (" + why + ")"
		}
		return fmt.Errorf("job %d %s: %s", st.ID, st.State.Label(), why)
	}
	where := queue
	if where == "" {
		where = "the default printer"
		if def, err := p.CUPS.Default(ctx); err == nil && def != "" {
			where = def + " (the default printer)"
		}
	}
	fmt.Fprintf(stdout, "printed %s (%s, %s) on %s\n", count(len(tickets), "sheet"), count(out.Pages, "page"), count(*copies, "copy"), where)
	return nil
}

// jobName names a job after its tickets, as print queues and cups-pdf's
// files show it.

func runeList(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%c (U+%04X)", r, r)
	}
	return strings.Join(parts, ", ")
}

// count is "1 sheet", "2 sheets", "3 copies".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
