package stats

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/report"
	"hotline/tui/app"
	"hotline/tui/cells"
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
// directory, in a command. Where it went, or why it did not, is told in
// the status bar and on a line of the page (see exportLines). Either
// screen writes package report's monthly report, which holds both screens'
// figures; the CSV, one table, holds the handling figures only. A failure's
// cause goes to the log (the program sends slog's default logger there).
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
		if err != nil {
			slog.Warn("statistics export failed", "file", name, "err", err)
		}
		return exportedMsg{page: id, path: path, err: err}
	}
}

// dirError is an export directory that cannot be written to: it is not
// there, is not a directory, or the user may not create files in it.
type dirError struct {
	dir string
	err error
}

func (e *dirError) Error() string { return "export directory " + e.dir + ": " + e.err.Error() }
func (e *dirError) Unwrap() error { return e.err }

// fileError is an export that failed while being written (a full disk);
// the file was removed.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return "write " + e.path + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// failure says in Chinese, whole, what went wrong with an export, where,
// and what to do about it; the system's own words are in the log.
func (m *Model) failure(err error) string {
	var de *dirError
	var fe *fileError
	switch {
	case errors.As(err, &de) && de.dir == m.home:
		return "导出失败：无法写入主目录 " + de.dir + "（不存在或没有写权限），请检查主目录（" + homeVar() + "）后重试"
	case errors.As(err, &de):
		return "导出失败：无法写入目录 " + de.dir + "（不存在或没有写权限），请确认该目录存在且可写后重试"
	case errors.As(err, &fe):
		return "导出失败：写入 " + fe.path + " 时出错，文件未保存，请检查磁盘空间后重试"
	}
	return "导出失败，详见日志"
}

// homeVar is the environment variable os.UserHomeDir takes the home
// directory from, which a wrong home comes from.
func homeVar() string {
	switch runtime.GOOS {
	case "windows":
		return "USERPROFILE"
	case "plan9":
		return "home"
	}
	return "HOME"
}

// create writes a new file named name in dir with fill, never over an
// existing one: a second export of the same period is "name (2).xlsx". A
// file that fill fails on is removed. dir is never created: one that is not
// there is a wrong setting (a HOME that does not exist) to report, not a
// directory to make where nobody will look for the file.
func create(dir, name string, fill func(*os.File) error) (string, error) {
	if fi, err := os.Stat(dir); err != nil {
		return "", &dirError{dir, err}
	} else if !fi.IsDir() {
		return "", &dirError{dir, errors.New("not a directory")}
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
			return "", &dirError{dir, err}
		}
		err = fill(out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", &fileError{path, err}
		}
		return path, nil
	}
}

// write writes the figures shown as package report's monthly report: the
// .xlsx with every figure, the ranking, the days up to the day they were
// computed and the supervision figures, or the CSV of every handling
// figure.
func write(f format, out io.Writer, shown Figures, unitName string) error {
	if f == csv {
		return report.MonthlyCSV(shown.Statistics, out)
	}
	oversight := append(slices.Clone(shown.Subunits), shown.Oversight)
	return report.Monthly(report.SoFar(shown.Statistics, shown.Now), oversight, unitName, out)
}

// result is the outcome of the last export: the file written, or why
// none was.
type result struct {
	path string
	fail string
}

// exportLines tell the outcome of the last export, under the detail line,
// until the next export or until the page is left: the status bar's
// notice is cut at the screen's width and soon gives way to the sync's,
// and an officer must be able to read where the file went. The path is
// shown whole (see pathLines), a failure wrapped.
func (m *Model) exportLines() []string {
	r := m.exported
	if r == nil || m.width <= 0 {
		return nil
	}
	st := m.ctx.Styles
	render, lines := st.OK.Render, []string(nil)
	if r.fail != "" {
		render, lines = st.Error.Render, cells.Wrap(cells.Line(r.fail), m.width)
	} else {
		lines = pathLines("已导出到 ", r.path, m.home, m.width)
	}
	for i, l := range lines {
		lines[i] = render(cells.Fit(l, m.width))
	}
	return lines
}

// seps are the characters that end a directory in a path.
const seps = "/" + string(filepath.Separator)

// pathLines is prefix and path in rows of at most w cells, the path whole:
// on one row if it fits, else with the home directory written ~, else
// wrapped after a directory's separator, with the rows after the first
// under the path's start when there is room. The file's name is kept on
// one row; only a name or a directory wider than a row is broken.
func pathLines(prefix, path, home string, w int) []string {
	path = cells.Line(path)
	if home = cells.Line(home); cells.Width(prefix+path) > w && home != "" && len(path) > len(home) &&
		strings.HasPrefix(path, home) && strings.ContainsRune(seps, rune(path[len(home)])) {
		path = "~" + path[len(home):]
	}
	if cells.Width(prefix+path) <= w {
		return []string{prefix + path}
	}
	// The directories, each with its separator, then the name.
	var parts []string
	for rest := path; rest != ""; {
		i := strings.IndexAny(rest, seps) + 1
		if i == 0 {
			i = len(rest)
		}
		parts, rest = append(parts, rest[:i]), rest[i:]
	}
	indent := cells.Width(prefix)
	if indent+cells.Width(parts[len(parts)-1]) > w {
		indent = 0
	}
	var rows []string
	var row strings.Builder
	row.WriteString(prefix)
	used := cells.Width(prefix)
	next := func() {
		rows = append(rows, row.String())
		row.Reset()
		row.WriteString(strings.Repeat(" ", indent))
		used = indent
	}
	for _, part := range parts {
		// A part that fits on a row of its own starts one; a wider one
		// goes on where the row is and is broken.
		if pw := cells.Width(part); used+pw > w && used > indent && indent+pw <= w {
			next()
		}
		cells.Each(part, func(g string, gw int) bool {
			if used+gw > w && used > indent {
				next()
			}
			row.WriteString(g)
			used += gw
			return true
		})
	}
	return append(rows, row.String())
}
