// Package tabs draws a row of tabs with the active one marked, and a text
// aligned right on the same line. Where the line is short the tabs without
// a count draw tighter, and the right text gives way to a shorter one.
package tabs

import (
	"fmt"
	"strconv"
	"strings"

	"hotline/tui/cells"
	"hotline/tui/theme"
)

// Tab is one tab: its key, a title and the number of items under it.
// Filtered shows Count of Of, as "待办 3/12": what a filter left of the
// items. A tab with NoCount is a screen of its own, shown by title alone.
type Tab struct {
	Key      string // "" is the tab's place, counted from 1
	Title    string
	Count    int
	Of       int
	Filtered bool
	NoCount  bool
}

// Model is a row of tabs.
type Model struct {
	Tabs   []Tab
	Active int
	// Right is drawn at the right end: its texts in order of preference
	// (say the date and time, the time alone, nothing). The first is tried
	// with the roomiest tabs only, each other with the tabs drawn tighter
	// and tighter; when none fits whole, the last is cut.
	Right []string

	width  int
	styles *theme.Styles
}

// New returns a row of tabs.
func New(styles *theme.Styles, tabs ...Tab) Model {
	return Model{Tabs: tabs, styles: styles, width: 1}
}

// SetSize sets the width; a row of tabs is one line high.
func (m *Model) SetSize(w, _ int) { m.width = w }

// How tight the tabs without a count are drawn: " 4 查询 ", " 4查询 ",
// "4查询". Tabs with a count always keep their form.
const (
	roomy = iota
	snug
	tight
	forms
)

// labels is the tabs' text in form f, and the cells they take with a
// blank after each.
func (m Model) labels(f int) ([]string, int) {
	out := make([]string, len(m.Tabs))
	used := 0
	for i, t := range m.Tabs {
		k := cells.Line(t.Key)
		if k == "" {
			k = strconv.Itoa(i + 1)
		}
		title := cells.Line(t.Title)
		switch {
		case t.NoCount && f == snug:
			out[i] = " " + k + title + " "
		case t.NoCount && f == tight:
			out[i] = k + title
		case t.NoCount:
			out[i] = " " + k + " " + title + " "
		case t.Filtered:
			out[i] = fmt.Sprintf(" %s %s %d/%d ", k, title, t.Count, t.Of)
		default:
			out[i] = fmt.Sprintf(" %s %s %d ", k, title, t.Count)
		}
		used += cells.Width(out[i]) + 1
	}
	return out, used
}

// View draws exactly one line of exactly the width: the first right text
// with the roomiest tabs when it fits, else each shorter one with the
// roomiest tabs it fits with.
func (m Model) View() string {
	right := make([]string, len(m.Right))
	for i, r := range m.Right {
		right[i] = cells.Line(r)
	}
	for i, r := range right {
		for f := roomy; f < forms && (f == roomy || i > 0); f++ {
			labels, used := m.labels(f)
			if w := cells.Width(r); used+w+1 <= m.width || w == 0 && used <= m.width {
				return m.draw(labels, used, r)
			}
		}
	}
	labels, used := m.labels(tight)
	if used > m.width {
		// Too narrow for styled tabs: plain text, cut.
		return cells.Fit(strings.Join(labels, "|"), m.width)
	}
	last := ""
	if len(right) > 0 {
		last = right[len(right)-1]
	}
	return m.draw(labels, used, cells.Cut(last, max(m.width-used-1, 0), cells.Ellipsis))
}

// draw lays the labels out, used cells with their blanks, and r at the
// right end; r fits.
func (m Model) draw(labels []string, used int, r string) string {
	var b strings.Builder
	for i, l := range labels {
		if i == m.Active {
			b.WriteString(m.styles.TabActive.Render(l))
		} else {
			b.WriteString(m.styles.TabInactive.Render(l))
		}
		b.WriteByte(' ')
	}
	rest := m.width - used
	b.WriteString(strings.Repeat(" ", rest-cells.Width(r)))
	b.WriteString(m.styles.Muted.Render(r))
	return b.String()
}
