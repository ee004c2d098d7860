// Package tabs draws a row of tabs with the active one marked, and a text
// aligned right on the same line.
package tabs

import (
	"fmt"
	"strings"

	"hotline/tui/cells"
	"hotline/tui/theme"
)

// Tab is one tab: a title and the number of items under it. Filtered
// shows Count of Of, as "待办 3/12": what a filter left of the items.
type Tab struct {
	Title    string
	Count    int
	Of       int
	Filtered bool
}

// Model is a row of tabs.
type Model struct {
	Tabs   []Tab
	Active int
	Right  string // drawn at the right end when there is room

	width  int
	styles *theme.Styles
}

// New returns a row of tabs.
func New(styles *theme.Styles, tabs ...Tab) Model {
	return Model{Tabs: tabs, styles: styles, width: 1}
}

// SetSize sets the width; a row of tabs is one line high.
func (m *Model) SetSize(w, _ int) { m.width = w }

// View draws exactly one line of exactly the width.
func (m Model) View() string {
	labels := make([]string, len(m.Tabs))
	used := 0
	for i, t := range m.Tabs {
		labels[i] = fmt.Sprintf(" %d %s %d ", i+1, cells.Line(t.Title), t.Count)
		if t.Filtered {
			labels[i] = fmt.Sprintf(" %d %s %d/%d ", i+1, cells.Line(t.Title), t.Count, t.Of)
		}
		used += cells.Width(labels[i]) + 1
	}
	if used > m.width {
		// Too narrow for styled tabs: plain text, cut.
		return cells.Fit(strings.Join(labels, "|"), m.width)
	}
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
	right := cells.Cut(cells.Line(m.Right), max(rest-1, 0), cells.Ellipsis)
	b.WriteString(strings.Repeat(" ", rest-cells.Width(right)))
	b.WriteString(m.styles.Muted.Render(right))
	return b.String()
}
