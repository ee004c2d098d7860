// Package editor is a multi-line text editor for Chinese text that measures
// by terminal cells and edits by grapheme clusters: a wide character is two
// cells, 𠮷 or e + U+0301 is one character to move over and delete, several
// characters committed at once by an input method all arrive, and a row that
// exactly fills the width is one row with the cursor after it.
//
// It exists because the bubbles textarea places the cursor by runes and
// deletes by code points.
package editor

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hotline/tui/cells"
)

// KeyMap is the editing keys.
type KeyMap struct {
	Left, Right, Up, Down key.Binding
	LineStart, LineEnd    key.Binding
	Backspace, Delete     key.Binding
	// DeleteWord deletes the word before the cursor, and the spaces and
	// punctuation between them: in a path, its last part with the /
	// after it. DeleteToStart deletes from the line's start to the
	// cursor.
	DeleteWord, DeleteToStart key.Binding
	Newline                   key.Binding
}

// DefaultKeyMap is the editing keys of a common terminal editor.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Left:      key.NewBinding(key.WithKeys("left", "ctrl+b"), key.WithHelp("←/→", "左右移动")),
		Right:     key.NewBinding(key.WithKeys("right", "ctrl+f")),
		Up:        key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑/↓", "上下移动")),
		Down:      key.NewBinding(key.WithKeys("down", "ctrl+n")),
		LineStart: key.NewBinding(key.WithKeys("home", "ctrl+a"), key.WithHelp("home/end", "行首/行尾")),
		LineEnd:   key.NewBinding(key.WithKeys("end", "ctrl+e")),
		Backspace: key.NewBinding(key.WithKeys("backspace", "ctrl+h"), key.WithHelp("backspace", "删除前一字")),
		Delete:    key.NewBinding(key.WithKeys("delete", "ctrl+d"), key.WithHelp("delete", "删除后一字")),
		// As in a shell's line and most terminal programs.
		DeleteWord:    key.NewBinding(key.WithKeys("ctrl+w", "alt+backspace"), key.WithHelp("ctrl+w", "删除前一词")),
		DeleteToStart: key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "删除至行首")),
		Newline:       key.NewBinding(key.WithKeys("enter", "ctrl+j"), key.WithHelp("enter", "换行")),
	}
}

// ShortHelp is the keys worth a place in a one-line hint.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Newline, k.Backspace}
}

// FullHelp is every editing key that has help text.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Left, k.Up, k.LineStart, k.Backspace, k.Delete, k.DeleteWord, k.DeleteToStart, k.Newline}}
}

// Model is the editor's state. The zero value is not usable; call New.
type Model struct {
	// Prompt is drawn before the first row; later rows are indented by its
	// width.
	Prompt string
	// Placeholder is shown, in PlaceholderStyle, while the text is empty.
	Placeholder      string
	PlaceholderStyle lipgloss.Style
	// OneLine draws each line on one row that scrolls sideways to keep
	// the cursor in view, the prompt always before it, instead of
	// wrapping it into rows: for a path typed under a label that says
	// what it is for. Where text was scrolled out of view, an ellipsis
	// says so.
	OneLine bool

	keys   KeyMap
	lines  []string // logical lines, never containing \n
	row    int      // logical line of the cursor
	col    int      // byte offset of the cursor in lines[row], on a grapheme boundary
	want   int      // cell column kept across vertical moves; -1 when none
	width  int      // whole width, prompt included
	height int
	offset int // first visual row shown
	shift  int // OneLine: byte offset in lines[row] of the first character shown
}

// New returns an empty editor.
func New(keys KeyMap) Model {
	return Model{keys: keys, lines: []string{""}, want: -1, width: 1, height: 1}
}

// KeyMap returns the editor's keys, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// SetSize sets the cells the editor draws in, prompt included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 1), max(h, 1)
	m.scroll()
}

// Value is the text, lines joined with \n.
func (m Model) Value() string { return strings.Join(m.lines, "\n") }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.lines = []string{""}
	m.row, m.col, m.want, m.offset, m.shift = 0, 0, -1, 0, 0
	m.InsertString(s)
}

// Len is the number of characters (grapheme clusters), line breaks aside.
func (m Model) Len() int {
	n := 0
	for _, l := range m.lines {
		n += len(cells.Graphemes(l))
	}
	return n
}

// Update applies a key press or a paste and reports whether the text
// changed. Keys it does not know are ignored.
func (m *Model) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.InsertString(msg.Content)
		return msg.Content != ""
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return false
}

func (m *Model) key(msg tea.KeyPressMsg) bool {
	k := m.keys
	switch {
	case key.Matches(msg, k.Left):
		m.left()
	case key.Matches(msg, k.Right):
		m.right()
	case key.Matches(msg, k.Up):
		m.vertical(-1)
		return false
	case key.Matches(msg, k.Down):
		m.vertical(1)
		return false
	case key.Matches(msg, k.LineStart):
		m.col = 0
	case key.Matches(msg, k.LineEnd):
		m.col = len(m.lines[m.row])
	case key.Matches(msg, k.Backspace):
		return m.backspace()
	case key.Matches(msg, k.Delete):
		return m.delete()
	case key.Matches(msg, k.DeleteWord):
		return m.cut(m.wordStart())
	case key.Matches(msg, k.DeleteToStart):
		return m.cut(0)
	case key.Matches(msg, k.Newline):
		m.InsertString("\n")
		return true
	default:
		// Text arrives whole: an input method may commit several
		// characters in one key event.
		if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModSuper|tea.ModHyper|tea.ModMeta) != 0 {
			return false
		}
		m.InsertString(msg.Text)
		return true
	}
	m.want = -1
	m.scroll()
	return false
}

// InsertString inserts s at the cursor and moves the cursor after it.
// Line ends of any convention become line breaks; control characters are
// made visible as everywhere else. Emoji joined with U+200D stay joined: one
// character to move over and delete, drawn apart (see cells.Split).
func (m *Model) InsertString(s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = cells.Inert(s)
	line := m.lines[m.row]
	before, after := line[:m.col], line[m.col:]
	parts := strings.Split(s, "\n")
	last := len(parts) - 1
	newLines := make([]string, 0, len(m.lines)+last)
	newLines = append(newLines, m.lines[:m.row]...)
	for i, p := range parts {
		switch {
		case i == 0 && i == last:
			newLines = append(newLines, before+p+after)
		case i == 0:
			newLines = append(newLines, before+p)
		case i == last:
			newLines = append(newLines, p+after)
		default:
			newLines = append(newLines, p)
		}
	}
	newLines = append(newLines, m.lines[m.row+1:]...)
	m.lines = newLines
	m.row += last
	if last == 0 {
		m.col = len(before) + len(parts[0])
	} else {
		m.col = len(parts[last])
	}
	// A combining mark typed alone joins the character before it: keep the
	// cursor on a cluster boundary.
	m.col = snap(m.lines[m.row], m.col)
	m.want = -1
	m.scroll()
}

// snap moves off to the nearest grapheme boundary at or after it.
func snap(line string, off int) int {
	pos := 0
	for _, g := range cells.Graphemes(line) {
		if pos >= off {
			return pos
		}
		pos += len(g)
	}
	return len(line)
}

// lastGrapheme is the length in bytes of the last character of s.
func lastGrapheme(s string) int {
	gs := cells.Graphemes(s)
	if len(gs) == 0 {
		return 0
	}
	return len(gs[len(gs)-1])
}

func firstGrapheme(s string) int {
	gs := cells.Graphemes(s)
	if len(gs) == 0 {
		return 0
	}
	return len(gs[0])
}

func (m *Model) left() {
	if m.col > 0 {
		m.col -= lastGrapheme(m.lines[m.row][:m.col])
	} else if m.row > 0 {
		m.row--
		m.col = len(m.lines[m.row])
	}
}

func (m *Model) right() {
	if line := m.lines[m.row]; m.col < len(line) {
		m.col += firstGrapheme(line[m.col:])
	} else if m.row < len(m.lines)-1 {
		m.row++
		m.col = 0
	}
}

func (m *Model) backspace() bool {
	m.want = -1
	defer m.scroll()
	line := m.lines[m.row]
	if m.col > 0 {
		n := lastGrapheme(line[:m.col])
		m.lines[m.row] = line[:m.col-n] + line[m.col:]
		m.col -= n
		return true
	}
	if m.row == 0 {
		return false
	}
	prev := m.lines[m.row-1]
	m.lines[m.row-1] = prev + line
	m.lines = append(m.lines[:m.row], m.lines[m.row+1:]...)
	m.row--
	m.col = snap(m.lines[m.row], len(prev))
	return true
}

// cut deletes the cursor's line from byte offset from to the cursor.
func (m *Model) cut(from int) bool {
	m.want = -1
	defer m.scroll()
	if from >= m.col {
		return false
	}
	line := m.lines[m.row]
	m.lines[m.row] = line[:from] + line[m.col:]
	m.col = from
	return true
}

// wordStart is where the word before the cursor begins: back over what is
// not a word (spaces, punctuation, a path's /), then over the word's
// characters, letters and digits of any script. A run of Chinese is one
// word up to its punctuation, as editors take it.
func (m *Model) wordStart() int {
	gs := cells.Graphemes(m.lines[m.row][:m.col])
	i := len(gs)
	for i > 0 && !wordChar(gs[i-1]) {
		i--
	}
	for i > 0 && wordChar(gs[i-1]) {
		i--
	}
	n := 0
	for _, g := range gs[:i] {
		n += len(g)
	}
	return n
}

func wordChar(g string) bool {
	r, _ := utf8.DecodeRuneInString(g)
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

func (m *Model) delete() bool {
	m.want = -1
	defer m.scroll()
	line := m.lines[m.row]
	if m.col < len(line) {
		n := firstGrapheme(line[m.col:])
		m.lines[m.row] = line[:m.col] + line[m.col+n:]
		return true
	}
	if m.row == len(m.lines)-1 {
		return false
	}
	m.lines[m.row] = line + m.lines[m.row+1]
	m.lines = append(m.lines[:m.row+1], m.lines[m.row+2:]...)
	m.col = snap(m.lines[m.row], m.col)
	return true
}

// vrow is one row on screen: a stretch of a logical line.
type vrow struct {
	line       int
	start, end int
	last       bool // the logical line's last row
}

func (m Model) textWidth() int {
	return max(m.width-cells.Width(m.Prompt), 1)
}

func (m Model) rows() []vrow {
	tw := m.textWidth()
	var out []vrow
	for i, l := range m.lines {
		if m.OneLine {
			out = append(out, vrow{line: i, start: 0, end: len(l), last: true})
			continue
		}
		br := cells.Breaks(l, tw)
		for j, start := range br {
			end := len(l)
			if j+1 < len(br) {
				end = br[j+1]
			}
			out = append(out, vrow{line: i, start: start, end: end, last: j == len(br)-1})
		}
	}
	return out
}

// cursorRow is the index in rows of the row holding the cursor. The cursor
// at the end of a row that is not its line's last belongs to the next row;
// at the end of a line's last row it stays there, after the text, even when
// the row is full.
func (m Model) cursorRow(rows []vrow) int {
	at := 0
	for i, r := range rows {
		if r.line == m.row && r.start <= m.col {
			at = i
		}
	}
	return at
}

func (m *Model) vertical(d int) {
	rows := m.rows()
	cur := m.cursorRow(rows)
	r := rows[cur]
	x := cells.Width(m.lines[m.row][r.start:m.col])
	if m.want < 0 {
		m.want = x
	}
	target := cur + d
	if target < 0 || target >= len(rows) {
		return
	}
	t := rows[target]
	line := m.lines[t.line]
	// Take the last character boundary at or left of the wanted column; on
	// a row that wraps, stop before its end, which belongs to the next row.
	off, used := t.start, 0
	cells.Each(line[t.start:t.end], func(g string, w int) bool {
		if used+w > m.want || (!t.last && off+len(g) >= t.end) {
			return false
		}
		used += w
		off += len(g)
		return true
	})
	m.row, m.col = t.line, off
	m.scroll()
}

// scroll keeps the cursor's row in view, and in OneLine its column.
func (m *Model) scroll() {
	if m.OneLine {
		m.slide()
	}
	rows := m.rows()
	cur := m.cursorRow(rows)
	if cur < m.offset {
		m.offset = cur
	}
	if cur >= m.offset+m.height {
		m.offset = cur - m.height + 1
	}
	m.offset = max(0, min(m.offset, len(rows)-m.height))
}

// slide sets shift, for OneLine, so that the cursor's cell is in view and,
// once text is scrolled out on the left, a character of it before the
// cursor (drawn as the ellipsis); the text fills the row where it can.
func (m *Model) slide() {
	line := m.lines[m.row]
	tw := m.textWidth()
	m.shift = snap(line, min(m.shift, len(line)))
	if m.shift > m.col {
		m.shift = m.col
	}
	if m.shift > 0 && m.shift == m.col {
		m.shift -= lastGrapheme(line[:m.shift])
	}
	// The cursor takes a cell after the text before it.
	for m.shift < m.col && cells.Width(line[m.shift:m.col])+1 > tw {
		m.shift += firstGrapheme(line[m.shift:])
	}
	// Text deleted at the end: show again what fits on the left.
	for m.shift > 0 {
		p := m.shift - lastGrapheme(line[:m.shift])
		need := cells.Width(line[p:])
		if m.col == len(line) {
			need++
		}
		if need > tw {
			break
		}
		m.shift = p
	}
}

// Cursor is where the terminal cursor belongs, in cells from the editor's
// top-left corner. x may equal the width when the cursor follows a row that
// exactly fills it: the cursor then sits in the cell just right of the
// editor, which the caller leaves free (a border or margin).
func (m Model) Cursor() (x, y int) {
	rows := m.rows()
	cur := m.cursorRow(rows)
	r := rows[cur]
	if m.OneLine {
		r.start = m.shift
	}
	return cells.Width(m.Prompt) + cells.Width(m.lines[m.row][r.start:m.col]), cur - m.offset
}

// View draws exactly height rows of exactly width cells.
func (m Model) View() string {
	tw := m.textWidth()
	pw := cells.Width(m.Prompt)
	indent := strings.Repeat(" ", pw)
	rows := m.rows()
	out := make([]string, 0, m.height)
	empty := len(m.lines) == 1 && m.lines[0] == ""
	for i := m.offset; i < m.offset+m.height; i++ {
		prefix := indent
		if i == 0 || m.OneLine && i == m.offset {
			prefix = m.Prompt
		}
		switch {
		case empty && i == 0 && m.Placeholder != "":
			out = append(out, prefix+m.PlaceholderStyle.Render(cells.Fit(m.Placeholder, tw)))
		case m.OneLine && i < len(rows) && rows[i].line == m.row && m.shift > 0:
			// The first character shown gives its cells to the ellipsis.
			rest := m.lines[m.row][m.shift:]
			g := firstGrapheme(rest)
			lead := cells.Ellipsis + strings.Repeat(" ", max(cells.Width(rest[:g])-1, 0))
			out = append(out, prefix+cells.Fit(lead+cells.Split(rest[g:]), tw))
		case i < len(rows):
			r := rows[i]
			out = append(out, prefix+cells.Fit(cells.Split(m.lines[r.line][r.start:r.end]), tw))
		default:
			out = append(out, indent+strings.Repeat(" ", tw))
		}
	}
	return strings.Join(out, "\n")
}
