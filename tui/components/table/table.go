// Package table draws rows of text in columns measured by terminal cells,
// with a cursor row that moves and scrolls, sorted by any column and
// filtered on the text it shows, with what the filter found highlighted.
// It holds strings only: what the rows mean is the page's business, which
// may say how a column sorts when its text would not (a date, a deadline).
package table

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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
	// Compare orders rows a and b, indexes into the rows of SetRows, when
	// the table is sorted by this column; nil orders by the text shown
	// (see SortBy).
	Compare func(a, b int) int
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

// Marks after the title of the column the table is sorted by.
const (
	Ascending  = "▲"
	Descending = "▼"
)

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

// Model is the table's state. The rows are kept as given (the page's own
// order); what is shown is them sorted, then filtered, and the cursor moves
// over what is shown.
type Model struct {
	Empty   string // shown when there are no rows
	NoMatch string // shown when the filter leaves none; "" is Empty

	cols   []Column
	rows   []Row
	order  []int // indexes of rows, sorted
	pos    []int // pos[i] is where row i stands in order
	shown  []int // order, filtered
	sorted string
	desc   bool
	filter Filter
	terms  []string // the filter's terms, folded
	index  *index   // built when first needed after the rows change

	// marks are terms highlighted in column markCol ("" any) without
	// filtering (see Mark), folded.
	marks   []string
	markCol string

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

// Columns returns the columns.
func (m Model) Columns() []Column { return m.cols }

// SetColumns replaces the columns (their widths may depend on the rows).
// SetRows must follow when the columns are others: the text the filter and
// the sort look at is the rows'.
func (m *Model) SetColumns(cols []Column) {
	if !sameTitles(m.cols, cols) {
		m.index = nil
	}
	m.cols = cols
}

func sameTitles(a, b []Column) bool {
	return slices.EqualFunc(a, b, func(x, y Column) bool { return x.Title == y.Title })
}

// SetRows replaces the rows, sorted and filtered as before, keeping the
// cursor on the row with the same Key when it is shown, else at the same
// position.
func (m *Model) SetRows(rows []Row) {
	sel := m.selectedKey()
	m.rows = rows
	m.index = nil
	m.sort()
	m.shown = m.pick(m.order)
	if !m.follow(sel) {
		m.clamp()
	}
}

// UpdateRows lets fn change rows in place, in the page's order; fn reports
// whether it changed row i. Marks and tones cost nothing more; changed
// text is sorted and filtered again, only the changed rows where that
// suffices, so that a page may refresh the few rows the clock changed
// every second.
func (m *Model) UpdateRows(fn func(i int, r *Row) bool) {
	var changed []int
	for i := range m.rows {
		before := m.rows[i].Cells
		if fn(i, &m.rows[i]) && !slices.Equal(before, m.rows[i].Cells) {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return
	}
	sel := m.selectedKey()
	resort := false
	if c := m.sortColumn(); c >= 0 && m.cols[c].Compare == nil {
		resort = true
	}
	if m.index != nil {
		for _, i := range changed {
			m.index.update(i, m.rows[i], m.cols)
		}
	}
	switch {
	case resort:
		m.sort()
		m.shown = m.pick(m.order)
	case m.Filtered():
		m.refilter(changed)
	}
	if !m.follow(sel) {
		m.clamp()
	}
}

// Rows returns the rows shown, in the order shown.
func (m Model) Rows() []Row {
	out := make([]Row, len(m.shown))
	for i, r := range m.shown {
		out[i] = m.rows[r]
	}
	return out
}

// Len is the number of rows shown; Total, of rows.
func (m Model) Len() int   { return len(m.shown) }
func (m Model) Total() int { return len(m.rows) }

// Selected is the row under the cursor.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return Row{}, false
	}
	return m.rows[m.shown[m.cursor]], true
}

func (m Model) selectedKey() string {
	if r, ok := m.Selected(); ok {
		return r.Key
	}
	return ""
}

// follow moves the cursor to the shown row with key, and reports whether
// there was one.
func (m *Model) follow(key string) bool {
	if key == "" {
		return false
	}
	for i, r := range m.shown {
		if m.rows[r].Key == key {
			m.cursor = i
			m.clamp()
			return true
		}
	}
	return false
}

// Cursor is the index, among the rows shown, of the row under the cursor.
func (m Model) Cursor() int { return m.cursor }

// SetCursor moves the cursor to row i of those shown.
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
		m.cursor = len(m.shown) - 1
	default:
		return false
	}
	m.clamp()
	return true
}

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	page := max(m.height-1, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+page {
		m.offset = m.cursor - page + 1
	}
	m.offset = max(0, min(m.offset, len(m.shown)-page))
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

// line lays out one row: exactly the table's width, whatever the columns
// add up to. hits gives, for column i, the characters the filter found
// there, to be highlighted as far as they are shown.
func (m Model) line(vals []string, widths []int, mark string, hits func(i int) []span) marked {
	var b marked
	b.add(mark, false)
	for i, w := range widths {
		if i > 0 {
			b.add(" ", false)
		}
		v := ""
		if i < len(vals) {
			v = cells.Line(vals[i])
		}
		var h []span
		if hits != nil {
			h = hits(i)
		}
		b.fit(v, w, m.cols[i].Right, h)
	}
	return b.fitted(m.width)
}

// View draws the header and the visible rows: exactly height lines of
// exactly width cells.
func (m Model) View() string {
	st := m.styles
	widths := m.widths()
	titles := make([]string, len(m.cols))
	sorted := m.sortColumn()
	for i, c := range m.cols {
		titles[i] = c.Title
		if i == sorted {
			// The mark always shows: the title gives way to it.
			mark := Ascending
			if m.desc {
				mark = Descending
			}
			titles[i] = cells.Cut(strings.TrimSpace(c.Title), max(widths[i]-cells.Width(mark), 0), cells.Ellipsis) + mark
		}
	}
	blank := strings.Repeat(" ", cells.Width(Mark))
	out := make([]string, 0, m.height)
	out = append(out, st.Header.Render(m.line(titles, widths, blank, nil).render(nil, st.Match)))
	page := m.height - 1
	if len(m.shown) == 0 {
		for i := 0; i < page; i++ {
			s := strings.Repeat(" ", m.width)
			if i == page/2 {
				s = st.Muted.Render(cells.Center(m.empty(), m.width))
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	}
	for i := m.offset; i < m.offset+page; i++ {
		if i >= len(m.shown) {
			out = append(out, strings.Repeat(" ", m.width))
			continue
		}
		ri := m.shown[i]
		r := m.rows[ri]
		var hits func(int) []span
		if len(m.terms) > 0 || len(m.marks) > 0 {
			hits = func(c int) []span { return m.hits(ri, c) }
		}
		l := m.line(r.Cells, widths, r.prefix(), hits)
		var style *lipgloss.Style
		switch {
		case i == m.cursor:
			s := st.Selected.Bold(r.Marked)
			style = &s
		case r.Tone == Alert:
			s := st.Overdue.Bold(r.Marked)
			style = &s
		case r.Tone == Warn:
			s := st.Warn.Bold(r.Marked)
			style = &s
		case r.Marked:
			style = &st.New
		}
		out = append(out, l.render(style, st.Match))
	}
	return strings.Join(out, "\n")
}

// empty is what an empty table says: that the filter left nothing, when
// there are rows.
func (m Model) empty() string {
	if len(m.rows) > 0 && m.NoMatch != "" {
		return m.NoMatch
	}
	return m.Empty
}
