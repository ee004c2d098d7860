package list

import (
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/tui/cells"
	"hotline/tui/components/table"
	"hotline/tui/keys"
)

// The filter line. Its text is terms separated by blanks, each of which a
// row must hold somewhere in the text it shows; Latin letters match in
// either case. Text that starts with a column's title and a colon
// ("标题:兴隆", the colon half or full width) looks in that column only; tab
// in the line puts the next column's title there, shift+tab the one
// before, and after the last none (every column). The three lists share
// the filter; the tabs' line counts what each keeps of its tickets.

// filterPrompt starts the filter line.
const filterPrompt = "/ "

// Typing reports whether the filter line is open: every key but the
// line's own goes into its text.
func (m *Model) Typing() bool { return m.typing }

// Cursor is where the terminal cursor belongs, in cells from the page's
// top-left corner: after the filter's text, while its line is open.
func (m *Model) Cursor() (x, y int, ok bool) {
	if !m.typing {
		return 0, 0, false
	}
	x, y = m.filter.Cursor()
	return x, m.height - 1 + y, true
}

// typeKey handles a key while the filter line is open: enter keeps the
// filter and goes back to the list, esc drops it, tab chooses the column,
// the arrows and paging keys move in the list, the rest edits the text.
func (m *Model) typeKey(msg tea.KeyPressMsg) {
	k, fk := m.ctx.Keys.List, m.ctx.Keys.FilterLine
	ek := m.filter.KeyMap()
	switch {
	case key.Matches(msg, fk.Done):
		m.close()
	case key.Matches(msg, fk.Clear):
		m.setFilter("")
		m.close()
	case key.Matches(msg, fk.Column):
		m.nextColumn(msg.String() == "shift+tab")
	case key.Matches(msg, ek.Newline):
		// One line: a line break would only hide the text after it.
	case msg.Text == "" && matchesAny(msg, k.Table.Up, k.Table.Down, k.Table.PageUp, k.Table.PageDown) &&
		!matchesAny(msg, ek.Left, ek.Right, ek.LineStart, ek.LineEnd, ek.Backspace, ek.Delete):
		m.tables[m.tabs.Active].Update(msg)
	default:
		m.edit(msg)
	}
}

func matchesAny(msg tea.KeyPressMsg, bs ...key.Binding) bool {
	return slices.ContainsFunc(bs, func(b key.Binding) bool { return key.Matches(msg, b) })
}

// edit gives a key or a paste to the filter's text and filters as it
// changes.
func (m *Model) edit(msg tea.Msg) {
	if !m.filter.Update(msg) {
		return
	}
	if v := m.filter.Value(); strings.Contains(v, "\n") {
		m.filter.SetValue(strings.ReplaceAll(v, "\n", " "))
	}
	m.apply()
}

// close closes the filter line; the filter stays.
func (m *Model) close() {
	m.typing = false
	if strings.TrimSpace(m.filter.Value()) == "" {
		m.filter.SetValue("")
	}
	m.layout()
}

// setFilter replaces the filter's text and filters.
func (m *Model) setFilter(s string) {
	m.filter.SetValue(s)
	m.apply()
}

// apply filters the three lists with the filter's text.
func (m *Model) apply() {
	f := parseFilter(m.filter.Value())
	for i := range m.tables {
		m.tables[i].SetFilter(f)
	}
	m.status()
}

// parseFilter reads the filter's text: a column's title and a colon
// before the terms choose the column; any other colon is text.
func parseFilter(s string) table.Filter {
	var f table.Filter
	if i := strings.IndexAny(s, ":："); i > 0 {
		if title := strings.TrimSpace(s[:i]); slices.Contains(allTitles, title) {
			_, n := utf8.DecodeRuneInString(s[i:])
			f.Column, s = title, s[i+n:]
		}
	}
	f.Terms = strings.Fields(s)
	return f
}

// allTitles is every column any list has, which the filter may name.
var allTitles = []string{colNumber, colTitle, colReceived, colStep, colLeft, colState}

// nextColumn puts the next column of the list shown (the one before, when
// back) before the filter's terms, or none after the last.
func (m *Model) nextColumn(back bool) {
	f := parseFilter(m.filter.Value())
	choices := append([]string{""}, m.titles(m.tabs.Active)...)
	i := slices.Index(choices, f.Column) // -1 for a column this list lacks
	if back {
		i = (max(i, 0) + len(choices) - 1) % len(choices)
	} else {
		i = (i + 1) % len(choices)
	}
	text := strings.Join(f.Terms, " ")
	if c := choices[i]; c != "" {
		text = c + ":" + text
	}
	m.setFilter(text)
}

// filterKeys is the keys of the filter line, for the hint line: its own
// and the list's that move the cursor there, which are not characters.
type filterKeys struct {
	line  keys.FilterLine
	table table.KeyMap
}

func (k filterKeys) ShortHelp() []key.Binding {
	return append(k.line.ShortHelp(), k.move())
}

func (k filterKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ShortHelp()}
}

// move is the keys that move the cursor from the filter line: the list's
// up, down and paging keys but those that type a character.
func (k filterKeys) move() key.Binding {
	var ks, shown []string
	for _, b := range []key.Binding{k.table.Up, k.table.Down, k.table.PageUp, k.table.PageDown} {
		for _, s := range b.Keys() {
			if len(cells.Graphemes(s)) > 1 {
				ks = append(ks, s)
				shown = append(shown, keys.Display(s))
				break
			}
		}
	}
	return key.NewBinding(key.WithKeys(ks...), key.WithHelp(strings.Join(shown, "/"), "移动"))
}

var _ help.KeyMap = filterKeys{}
