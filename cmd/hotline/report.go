package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hotline/calendar"
	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/report"
)

// cmdReport writes the daily report (日报) of the tickets closed on a day,
// or the monthly report (月报) of the unit's figures, as .xlsx or CSV.
func cmdReport(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError("report needs daily or monthly: report daily [--date 2026-12-03] | report monthly --month 2026-11")
	}
	switch args[0] {
	case "daily":
		return reportDaily(args[1:])
	case "monthly":
		return reportMonthly(args[1:])
	}
	return usageError(fmt.Sprintf("unknown report %q: give daily or monthly", args[0]))
}

// reportFlags are the flags both reports take besides their date.
type reportFlags struct {
	cfg, out *string
	csv      *bool
}

func newReportFlags(name, file string) (*flag.FlagSet, *reportFlags) {
	fs, cfg := newFlags(name)
	return fs, &reportFlags{
		cfg: cfg,
		csv: fs.Bool("csv", false, "write CSV (UTF-8 with a BOM, as Excel reads it) instead of .xlsx"),
		out: fs.String("out", "", "the file to write (default "+file+" in the current directory)"),
	}
}

func reportDaily(args []string) error {
	fs, rf := newReportFlags("report daily", "日报-DATE.xlsx")
	date := fs.String("date", "", "the day, as YYYY-MM-DD in China (default today)")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	day := time.Now().In(shanghai)
	if *date != "" {
		d, err := time.ParseInLocation("2006-01-02", *date, shanghai)
		if why := nonexistent("2006-01-02", *date); why != "" {
			return usageError(fmt.Sprintf("--date %q: %s", *date, why))
		}
		if err != nil || d.Format("2006-01-02") != *date {
			return usageError(fmt.Sprintf("--date %q: give a day as YYYY-MM-DD, e.g. --date 2026-12-03", *date))
		}
		day = d
	}
	label := day.Format("2006-01-02")
	path, err := rf.path("日报-" + label)
	if err != nil {
		return err
	}

	t, err := openTerminal(*rf.cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx := context.Background()
	t.freshen(ctx, "the report is from")
	tickets, err := t.store.ClosedOn(ctx, day, shanghai)
	if err != nil {
		return err
	}
	units, _, err := t.directory(ctx)
	if err != nil {
		t.log.Warn("cached directory", "err", err)
	}
	names := func(code string) string { return complaint.UnitName(units, code) }
	unitName := ""
	if sess, err := t.session(ctx); err == nil {
		unitName = sess.Unit.Name
	}
	// The report holds the citizens' names and the replies: for its
	// owner only, like the record sheets' PDF.
	err = writeReport(path, 0o600, func(w io.Writer) error {
		if *rf.csv {
			return report.DailyCSV(tickets, names, w)
		}
		return report.Daily(tickets, day, unitName, names, w)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s closed (办结) on %s\n", path, count(len(tickets), "ticket"), label)
	return nil
}

func reportMonthly(args []string) error {
	fs, rf := newReportFlags("report monthly", "月报-YYYY-MM.xlsx")
	month := fs.String("month", "", "the month, as YYYY-MM (China's calendar month)")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	if *month == "" {
		return usageError("report monthly needs --month YYYY-MM, e.g. --month 2026-11")
	}
	from, err := time.ParseInLocation("2006-01", *month, shanghai)
	if why := nonexistent("2006-01", *month); why != "" {
		return usageError(fmt.Sprintf("--month %q: %s", *month, why))
	}
	if err != nil || from.Format("2006-01") != *month {
		return usageError(fmt.Sprintf("--month %q: give a month as YYYY-MM, e.g. --month 2026-11", *month))
	}
	period := complaint.Period{From: from, To: from.AddDate(0, 1, 0)}
	path, err := rf.path("月报-" + *month)
	if err != nil {
		return err
	}

	t, err := openTerminal(*rf.cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx := context.Background()
	// The unit and its deadlines are the logged-in user's.
	sess, err := t.session(ctx)
	if err != nil {
		return err
	}
	t.freshen(ctx, "the report is from")
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		return err
	}
	tickets, err := t.store.History(ctx, period.From, period.To)
	if err != nil {
		return err
	}
	units, _, err := t.directory(ctx)
	if err != nil {
		t.log.Warn("cached directory", "err", err)
	}
	unit := sess.Unit.Code
	now := time.Now()
	stats := complaint.Compute(tickets, units, unit, period, sess.Unit.Policy, cal, t.settings.Score, now)
	all, subunits := complaint.Supervise(tickets, units, unit, period, sess.Unit.Policy, cal, now)
	err = writeReport(path, 0o644, func(w io.Writer) error {
		if *rf.csv {
			return report.MonthlyCSV(stats, w)
		}
		// The days of the current month stop at today, as on the screen.
		return report.Monthly(report.SoFar(stats, now), append(subunits, all), sess.Unit.Name, w)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s, %s received in %s\n", path, count(len(stats.Subunits), "sub-unit"), count(stats.Unit.Received, "ticket"), *month)
	if stats.Note != "" {
		fmt.Fprintf(os.Stderr, "hotline: %s\n", stats.Note)
	}
	return nil
}

// path is the file to write: --out, else name with the format's extension
// in the current directory. An --out that cannot be written as asked is
// refused before anything is read or written: a folder, a folder that does
// not exist, an extension of the other format or of neither (the report
// would be written in a form its name belies).
func (rf *reportFlags) path(name string) (string, error) {
	ext, other := ".xlsx", ".csv"
	if *rf.csv {
		ext, other = other, ext
	}
	out := *rf.out
	if out == "" {
		return name + ext, nil
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return "", usageError(fmt.Sprintf("--out %q is a folder: give a file name, e.g. %s", out, filepath.Join(out, name+ext)))
	}
	switch e := filepath.Ext(out); {
	case strings.EqualFold(e, other):
		fix := "add --csv"
		if *rf.csv {
			fix = "drop --csv"
		}
		return "", usageError(fmt.Sprintf("--out %s: this report is %s: name the file %s, or %s", out, ext, ext, fix))
	case !strings.EqualFold(e, ext):
		return "", usageError(fmt.Sprintf("--out %q: a report is written as .xlsx, or as .csv with --csv: name the file e.g. %s",
			out, strings.TrimSuffix(out, e)+ext))
	}
	dir := filepath.Dir(out)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", usageError(fmt.Sprintf("--out %q: the folder %s does not exist: create it, or give a file in another folder", out, dir))
	} else if err == nil && !fi.IsDir() {
		return "", usageError(fmt.Sprintf("--out %q: %s is not a folder", out, dir))
	}
	return out, nil
}

// writeReport writes a report to path through a file beside it, renamed
// into place once whole, so that a failure leaves no half-written file and
// an earlier one intact.
func writeReport(path string, mode os.FileMode, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("write %s: %w", path, pe.Err) // not the temporary file's name
	}
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	err = fill(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}
