// Package help is the help screen: every key, grouped by the screen it acts
// on, drawn from the key maps themselves.
package help

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bhelp "charm.land/bubbles/v2/help"

	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/keys"
)

// Model is the help screen.
type Model struct {
	ctx    *app.Context
	offset int
	width  int
	height int
}

// New returns the help screen.
func New(ctx *app.Context) *Model { return &Model{ctx: ctx, width: 1, height: 2} }

// KeyMap is the screen's own keys.
func (m *Model) KeyMap() bhelp.KeyMap { return m.ctx.Keys.Help }

// SetSize sets the cells the screen draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// Update scrolls, or asks to go back.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := m.ctx.Keys.Help
	if key.Matches(km, k.Close) {
		return m.ctx.Navigate(app.BackMsg{})
	}
	if off, ok := k.Scroll.Scroll(km, m.offset, m.height-1, len(m.body())); ok {
		m.offset = off
	}
	m.clamp()
	return nil
}

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.body())-(m.height-1)))
}

// gap separates two columns of groups.
const gap = 2

// columns is how many columns of groups the width takes: two from 80
// cells, three from 100, where each still holds a key and its longest
// description.
func (m *Model) columns() int {
	switch {
	case m.width >= 100:
		return 3
	case m.width >= 80:
		return 2
	}
	return 1
}

// body lays the groups out in as many columns as the width allows.
func (m *Model) body() []string {
	groups := m.ctx.Keys.Groups()
	keyW := 0
	for _, g := range groups {
		for _, b := range g.Keys {
			keyW = max(keyW, cells.Width(b.Help().Key))
		}
	}
	cols := m.columns()
	colW := (m.width - gap*(cols-1)) / cols
	blocks := make([][]string, len(groups))
	total := 0
	for i, g := range groups {
		blocks[i] = m.block(g, keyW, colW)
		total += len(blocks[i])
	}
	// Fill each column but the last up to about its share of the lines,
	// in order.
	columns := make([][]string, cols)
	c := 0
	for _, b := range blocks {
		if c < cols-1 && len(columns[c]) > 0 && len(columns[c])+len(b) > (total+cols-1)/cols {
			c++
		}
		columns[c] = append(columns[c], b...)
	}
	rows := 0
	for _, col := range columns {
		rows = max(rows, len(col))
	}
	out := make([]string, rows)
	for r := range out {
		var b strings.Builder
		for ci, col := range columns {
			w := colW
			if ci == cols-1 {
				w = m.width - (colW+gap)*(cols-1)
			} else {
				w += gap
			}
			if r < len(col) {
				b.WriteString(col[r])
				b.WriteString(strings.Repeat(" ", w-colW))
			} else {
				b.WriteString(strings.Repeat(" ", w))
			}
		}
		out[r] = b.String()
	}
	return out
}

// block is one group: its title, its keys, a blank line; each line colW
// cells wide.
func (m *Model) block(g keys.Group, keyW, colW int) []string {
	st := m.ctx.Styles
	out := []string{st.Title.Render(cells.Fit(g.Title, colW))}
	for _, b := range g.Keys {
		h := b.Help()
		if !b.Enabled() || h.Key == "" {
			continue
		}
		k := cells.Pad("  "+h.Key, keyW+2)
		desc := cells.Fit("  "+h.Desc, max(colW-cells.Width(k), 0))
		out = append(out, st.HelpKey.Render(cells.Cut(k, colW, ""))+st.HelpDesc.Render(desc))
	}
	return append(out, strings.Repeat(" ", colW))
}

// View draws exactly the screen's height in lines of exactly its width.
func (m *Model) View() string {
	st := m.ctx.Styles
	out := []string{st.Title.Render(cells.Fit("帮助 · 按键一览（"+m.ctx.Keys.Help.Close.Help().Key+" 关闭）", m.width))}
	body := m.body()
	for i := m.offset; i < m.offset+m.height-1; i++ {
		if i < len(body) {
			out = append(out, body[i])
		} else {
			out = append(out, strings.Repeat(" ", m.width))
		}
	}
	return strings.Join(out, "\n")
}
