package stats

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/report"
	"hotline/tui/app"
)

// format is a file type the figures export to.
type format string

const (
	xlsx format = ".xlsx"
	csv  format = ".csv"
)

// DefaultDir is where exports go unless SetDir says otherwise: the user's
// home directory, where an officer who started the terminal from a desktop
// icon finds the file too (the working directory of such a start is
// anyone's guess); the working directory only when there is no home.
func DefaultDir() string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return home
	}
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	return "."
}

// FileName is the name an export from screen k of period p of span s
// takes: "投诉办理情况统计-2020-05.xlsx"; a day "-2020-05-06", a year "-2020",
// a custom period "-2020-05-01至2020-05-31".
func FileName(k Kind, s Span, p complaint.Period, ext string) string {
	from := p.From.In(complaint.China)
	var when string
	switch s {
	case Day:
		when = from.Format("2006-01-02")
	case Month:
		when = from.Format("2006-01")
	case Year:
		when = from.Format("2006")
	default:
		when = from.Format("2006-01-02") + "至" + p.To.In(complaint.China).AddDate(0, 0, -1).Format("2006-01-02")
	}
	return k.Title() + "-" + when + ext
}

// export writes the period's figures to a new file in the export
// directory, in a command; the root tells where in the status bar. Either
// screen writes package report's monthly report, which holds both screens'
// figures; the CSV, one table, holds the handling figures only.
func (m *Model) export(f format) tea.Cmd {
	switch {
	case f == csv && m.kind == Supervision:
		// The CSV is one table: the handling figures'.
		return app.NoticeErr("督办统计请导出 xlsx（" + m.keys.Export.Help().Key + "），其“督办”表即本页数字")
	case m.shown == nil || !same(m.shown.Period, m.period):
		return app.NoticeErr("统计尚未算完，请稍后再导出")
	case m.exporting:
		return app.Notice("正在导出…")
	}
	m.exporting = true
	shown, dir, name, id := *m.shown, m.dir, FileName(m.kind, m.span, m.period, string(f)), m.id
	unitName := m.ctx.UnitName(m.query().Unit)
	return func() tea.Msg {
		path, err := create(dir, name, func(out *os.File) error {
			return write(f, out, shown, unitName)
		})
		return exportedMsg{page: id, path: path, err: err}
	}
}

// create writes a new file named name in dir with fill, never over an
// existing one: a second export of the same period is "name (2).xlsx". A
// file that fill fails on is removed.
func create(dir, name string, fill func(*os.File) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ext := filepath.Ext(name)
	base := name[:len(name)-len(ext)]
	for i := 1; ; i++ {
		path := filepath.Join(dir, name)
		if i > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", base, i, ext))
		}
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		err = fill(out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
}

// write writes the figures shown as package report's monthly report: the
// .xlsx with every figure, the ranking, the days and the supervision
// figures, or the CSV of every handling figure.
func write(f format, out io.Writer, shown Figures, unitName string) error {
	if f == csv {
		return report.MonthlyCSV(shown.Statistics, out)
	}
	oversight := append(slices.Clone(shown.Subunits), shown.Oversight)
	return report.Monthly(shown.Statistics, oversight, unitName, out)
}
