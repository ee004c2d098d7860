package main

import (
	"fmt"
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// tmuxWidth measures as tmux does on a UTF-8 locale: East Asian ambiguous
// characters (“ ” …) one cell, whatever the locale the program in the pane
// was given. The tests measure with it rather than with the program's own
// functions, so that a program that disagrees with tmux is caught.
var tmuxWidth = displaywidth.Options{EastAsianWidth: false}

// statusMark is on the status bar and nowhere else: the tunnel's state.
const statusMark = "隧道 已连接"

// screenLines splits a capture of a pane into its lines, blank ones
// included: capture-pane ends every line, the last too, with a newline.
func screenLines(sc string) []string {
	return strings.Split(strings.TrimSuffix(sc, "\n"), "\n")
}

// checkFrame reports what is wrong with a capture of a w×h pane: a line
// count other than h, a line wider than w cells, or the status bar anywhere
// but on the last line.
func checkFrame(sc string, w, h int) error {
	lines := screenLines(sc)
	if len(lines) != h {
		return fmt.Errorf("the screen has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := tmuxWidth.String(l); n > w {
			return fmt.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, w, l)
		}
	}
	bar := -1
	for i, l := range lines {
		if strings.Contains(l, statusMark) {
			if bar >= 0 {
				return fmt.Errorf("the status bar is on lines %d and %d", bar+1, i+1)
			}
			bar = i
		}
	}
	if bar != h-1 {
		return fmt.Errorf("the status bar (%q) is on line %d, want the last, %d", statusMark, bar+1, h)
	}
	return nil
}

// listTable is the table of a list screen as captured.
type listTable struct {
	header  string
	rows    []string
	numbers []string // the tickets' numbers, top to bottom
	end     int      // index of the first line after the rows
}

// readList finds the table of a list screen: the line under the tabs is
// its header, and its rows follow up to the first blank line.
func readList(sc string) (listTable, error) {
	lines := screenLines(sc)
	if len(lines) < 3 || !strings.Contains(lines[0], "1 待办") {
		return listTable{}, fmt.Errorf("the first line does not show the tabs")
	}
	lt := listTable{header: lines[1], end: 2}
	if !strings.Contains(lt.header, "编号") || !strings.Contains(lt.header, "标题") {
		return lt, fmt.Errorf("line 2 is not the table's header: %q", lt.header)
	}
	for ; lt.end < len(lines) && strings.TrimSpace(lines[lt.end]) != ""; lt.end++ {
		row := lines[lt.end]
		lt.rows = append(lt.rows, row)
		lt.numbers = append(lt.numbers, strings.Fields(row)[0])
	}
	if len(lt.rows) == 0 {
		return lt, fmt.Errorf("the table has no rows")
	}
	return lt, nil
}

// checkList reports what is wrong with a capture of a w×h pane showing a
// list: the frame (checkFrame), the clock not at the right edge of the tabs'
// line, columns out of line with their titles, anything after a row's last
// column or between the table and the two footer lines (help and status
// bar), which is what a wider frame leaves behind when a redraw misses it.
// The time a call came in is a column of wide screens only (100 cells and
// more), so a narrower screen showing its title shows a leftover.
func checkList(sc string, w, h int) error {
	if err := checkFrame(sc, w, h); err != nil {
		return err
	}
	lines := screenLines(sc)
	if n := tmuxWidth.String(strings.TrimRight(lines[0], " ")); n != w {
		return fmt.Errorf("the tabs' line ends at cell %d, not at the right edge %d: %q", n, w, lines[0])
	}
	lt, err := readList(sc)
	if err != nil {
		return err
	}
	if wide := strings.Contains(lt.header, "收到时间"); wide != (w >= 100) {
		return fmt.Errorf("at %d cells the header shows 收到时间: %t: %q", w, wide, lt.header)
	}
	cols := headerColumns(lt.header)
	if err := checkColumns(cols, lt.rows); err != nil {
		return err
	}
	last := cols[len(cols)-1]
	if last.label != "状态" {
		return fmt.Errorf("the header's last column is %q, want 状态: %q", last.label, lt.header)
	}
	for _, r := range lt.rows {
		g := grid(r)
		if rest := strings.TrimSpace(strings.Join(g[min(last.start, len(g)):], "")); strings.ContainsRune(rest, ' ') {
			return fmt.Errorf("a row goes on after its state %q: %q", rest, r)
		}
	}
	for i := lt.end; i < h-2; i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return fmt.Errorf("line %d under the table is not blank: %q", i+1, lines[i])
		}
	}
	return nil
}

// grid lays a captured line out on the cells it covers: the grapheme that
// starts at each cell, and "" for the second cell of a wide character.
func grid(line string) []string {
	var g []string
	it := tmuxWidth.StringGraphemes(line)
	for it.Next() {
		if w := it.Width(); w > 0 {
			g = append(g, it.Value())
			for range w - 1 {
				g = append(g, "")
			}
		}
	}
	return g
}

// column is a title of a table's header and the cells it covers, end
// excluded.
type column struct {
	label      string
	start, end int
}

// headerColumns splits a header line at its blanks.
func headerColumns(header string) []column {
	g := grid(header)
	var cols []column
	for i := 0; i < len(g); {
		if g[i] == " " {
			i++
			continue
		}
		j := i
		for j < len(g) && g[j] != " " {
			j++
		}
		cols = append(cols, column{label: strings.Join(g[i:j], ""), start: i, end: j})
		i = j
	}
	return cols
}

// checkColumns reports a column whose rows are out of line with its title:
// every row must have a character starting on the title's first cell
// (left-aligned), or every row one ending on its last cell with a blank or
// the end of the line after it (right-aligned). A character that straddles
// the title's first cell, or a row shifted by one cell, fails both.
func checkColumns(cols []column, rows []string) error {
	for _, c := range cols {
		left, right := true, true
		for _, r := range rows {
			g := grid(r)
			left = left && c.start < len(g) && g[c.start] != " " && g[c.start] != ""
			right = right && c.end <= len(g) && g[c.end-1] != " " && (c.end == len(g) || g[c.end] == " ")
		}
		if !left && !right {
			return fmt.Errorf("column %q (cells %d to %d) is out of line in:\n%s", c.label, c.start, c.end-1, strings.Join(rows, "\n"))
		}
	}
	return nil
}
