// Package table draws rows of text in columns measured by terminal cells,
// with a cursor row that moves and scrolls. It holds strings only: what the
// rows mean is the page's business.
package table

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/tui/cells"
	"hotline/tui/theme"
)

// KeyMap is the keys that move the cursor.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultKeyMap uses the arrows, the vim keys and the paging keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "上移")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "下移")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("PgUp", "上一页")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "space"), key.WithHelp("PgDn", "下一页")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "第一行")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "最后一行")),
	}
}

// Scroll moves a scroll offset on a key of the map, a page at a time for the
// paging keys, and reports whether the key was one; the caller clamps.
func (k KeyMap) Scroll(msg tea.KeyPressMsg, offset, page, end int) (int, bool) {
	switch {
	case key.Matches(msg, k.Up):
		return offset - 1, true
	case key.Matches(msg, k.Down):
		return offset + 1, true
	case key.Matches(msg, k.PageUp):
		return offset - page, true
	case key.Matches(msg, k.PageDown):
		return offset + page, true
	case key.Matches(msg, k.Top):
		return 0, true
	case key.Matches(msg, k.Bottom):
		return end, true
	}
	return offset, false
}

// ShortHelp is the keys for a one-line hint.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down} }

// FullHelp is every key.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Column is one column. Exactly one column should be Flex: it takes the
// width the others leave.
type Column struct {
	Title string
	Width int
	Flex  bool
	Right bool // align right
}

// Row is one row. Key identifies it across reloads so that the cursor stays
// on the same row when rows are replaced.
type Row struct {
	Key    string
	Cells  []string
	Marked bool // drawn with a mark and the New style
	// Checked is a row picked for something done to several at once
	// (printing): drawn with Check, which says it without colour.
	Checked bool
	Tone    Tone
}

// Tone colours a row that needs attention. Colour only repeats what the
// row's text says, for terminals and readers without it.
type Tone int

const (
	Plain Tone = iota
	Warn       // near a deadline
	Alert      // past a deadline
)

// Mark is drawn before a marked row; other rows get as many blanks.
const Mark = "● "

// Check is drawn before a checked row, in the cells of Mark: a row both
// checked and marked starts "✓●".
const Check = "✓ "

// prefix is the row's first cells: its check and its mark.
func (r Row) prefix() string {
	switch {
	case r.Checked && r.Marked:
		return "✓●"
	case r.Checked:
		return Check
	case r.Marked:
		return Mark
	}
	return strings.Repeat(" ", cells.Width(Mark))
}

// Model is the table's state.
type Model struct {
	Empty string // shown when there are no rows

	cols          []Column
	rows          []Row
	cursor        int
	offset        int
	width, height int
	keys          KeyMap
	styles        *theme.Styles
}

// New returns an empty table.
func New(cols []Column, keys KeyMap, styles *theme.Styles) Model {
	return Model{cols: cols, keys: keys, styles: styles, width: 1, height: 2}
}

// KeyMap returns the table's keys, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// SetSize sets the cells the table draws in; the first row is the header.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, max(h, 2)
	m.clamp()
}

// SetColumns replaces the columns (their widths may depend on the rows).
func (m *Model) SetColumns(cols []Column) { m.cols = cols }

// SetRows replaces the rows, keeping the cursor on the row with the same
// Key when there is one, else at the same position.
func (m *Model) SetRows(rows []Row) {
	sel := ""
	if r, ok := m.Selected(); ok {
		sel = r.Key
	}
	m.rows = rows
	for i, r := range rows {
		if sel != "" && r.Key == sel {
			m.cursor = i
			break
		}
	}
	m.clamp()
}

// Rows returns the rows.
func (m Model) Rows() []Row { return m.rows }

// Selected is the row under the cursor.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return Row{}, false
	}
	return m.rows[m.cursor], true
}

// Cursor is the index of the row under the cursor.
func (m Model) Cursor() int { return m.cursor }

// SetCursor moves the cursor to row i.
func (m *Model) SetCursor(i int) {
	m.cursor = i
	m.clamp()
}

// Update moves the cursor on a key of its KeyMap and reports whether the
// key was one.
func (m *Model) Update(msg tea.KeyPressMsg) bool {
	page := max(m.height-1, 1)
	switch {
	case key.Matches(msg, m.keys.Up):
		m.cursor--
	case key.Matches(msg, m.keys.Down):
		m.cursor++
	case key.Matches(msg, m.keys.PageUp):
		m.cursor -= page
		m.offset -= page
	case key.Matches(msg, m.keys.PageDown):
		m.cursor += page
		m.offset += page
	case key.Matches(msg, m.keys.Top):
		m.cursor = 0
	case key.Matches(msg, m.keys.Bottom):
		m.cursor = len(m.rows) - 1
	default:
		return false
	}
	m.clamp()
	return true
}

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	page := max(m.height-1, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+page {
		m.offset = m.cursor - page + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-page))
}

// widths gives each column its width in cells; the flex column takes what
// is left after the mark, the others and one space between columns.
func (m Model) widths() []int {
	out := make([]int, len(m.cols))
	left := m.width - cells.Width(Mark) - max(len(m.cols)-1, 0)
	flex := -1
	for i, c := range m.cols {
		if c.Flex {
			flex = i
			continue
		}
		out[i] = c.Width
		left -= c.Width
	}
	if flex >= 0 {
		out[flex] = max(left, 0)
	}
	return out
}

func (m Model) line(vals []string, widths []int, mark string) string {
	var b strings.Builder
	b.WriteString(mark)
	for i, w := range widths {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := ""
		if i < len(vals) {
			v = cells.Line(vals[i])
		}
		if m.cols[i].Right {
			b.WriteString(cells.PadLeft(cells.Cut(v, w, cells.Ellipsis), w))
		} else {
			b.WriteString(cells.Fit(v, w))
		}
	}
	// Whatever the columns add up to, the row is exactly the table's width.
	return cells.Fit(b.String(), m.width)
}

// View draws the header and the visible rows: exactly height lines of
// exactly width cells.
func (m Model) View() string {
	st := m.styles
	widths := m.widths()
	titles := make([]string, len(m.cols))
	for i, c := range m.cols {
		titles[i] = c.Title
	}
	blank := strings.Repeat(" ", cells.Width(Mark))
	out := make([]string, 0, m.height)
	out = append(out, st.Header.Render(m.line(titles, widths, blank)))
	page := m.height - 1
	if len(m.rows) == 0 {
		for i := 0; i < page; i++ {
			s := strings.Repeat(" ", m.width)
			if i == page/2 {
				s = st.Muted.Render(cells.Center(m.Empty, m.width))
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	for i := m.offset; i < m.offset+page; i++ {
		if i >= len(m.rows) {
			out = append(out, strings.Repeat(" ", m.width))
			continue
		}
		r := m.rows[i]
		s := m.line(r.Cells, widths, r.prefix())
		switch {
		case i == m.cursor:
			s = st.Selected.Bold(r.Marked).Render(s)
		case r.Tone == Alert:
			s = st.Overdue.Bold(r.Marked).Render(s)
		case r.Tone == Warn:
			s = st.Warn.Bold(r.Marked).Render(s)
		case r.Marked:
			s = st.New.Render(s)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}
