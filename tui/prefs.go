package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hotline/tui/keys"
	"hotline/tui/theme"
)

// What the settings choose beyond the keys: the theme, the bell and the
// mouse (see Options).

// askBackground asks the terminal for its background colour when the theme
// goes by it; the answer comes as a tea.BackgroundColorMsg. A terminal that
// does not answer keeps the dark palette.
func (m *Model) askBackground() tea.Cmd {
	if m.theme != theme.Auto || theme.NoColor() {
		return nil
	}
	return tea.RequestBackgroundColor
}

// background takes the terminal's answer. The pages and components hold a
// pointer to the context's styles, so the next frame is drawn with the new
// ones.
func (m *Model) background(dark bool) {
	if m.theme == theme.Auto {
		m.ctx.Styles = theme.For(theme.Auto, dark)
	}
}

// ring rings the terminal's bell, when the settings want it. The BEL goes
// out with the program's other output; it moves no cursor, so the frame is
// not disturbed.
func (m *Model) ring() tea.Cmd {
	if !m.bell {
		return nil
	}
	return tea.Raw("\a")
}

// mouseInput turns the wheel into the screen's up and down keys, so that
// every screen scrolls as its keys do, and a left click on a row of the
// lists into the keys that move the cursor there; a click on the row under
// the cursor (the second of a double click too) opens it. Mouse events
// that come while keys wait are dropped: the screen under the pointer may
// be about to change.
func (m *Model) mouseInput(msg tea.MouseMsg) tea.Cmd {
	if !m.mouse || m.quitting || m.tooSmall() || len(m.queue) > 0 || !m.ready() {
		return nil
	}
	ms := msg.Mouse()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		up, down := m.scrollKeys()
		switch ms.Button {
		case tea.MouseWheelUp:
			return m.press(up, 1)
		case tea.MouseWheelDown:
			return m.press(down, 1)
		}
	case tea.MouseClickMsg:
		if ms.Button == tea.MouseLeft && m.screen == screenList {
			return m.clickList(ms.Y)
		}
	}
	return nil
}

// scrollKeys is the up and down keys of the screen shown.
func (m *Model) scrollKeys() (up, down key.Binding) {
	k := m.ctx.Keys
	switch m.screen {
	case screenDetail:
		return k.Detail.Scroll.Up, k.Detail.Scroll.Down
	case screenForm:
		return k.Form.Editor.Up, k.Form.Editor.Down
	case screenHelp:
		return k.Help.Scroll.Up, k.Help.Scroll.Down
	case screenSettings:
		return k.Settings.Scroll.Up, k.Settings.Scroll.Down
	case screenPrint:
		if p, ok := m.printing.KeyMap().(keys.Printers); ok {
			return p.Up, p.Down
		}
		return k.Preview.Scroll.Up, k.Preview.Scroll.Down
	case screenSearch:
		return k.Search.Move.Up, k.Search.Move.Down
	case screenDirectory:
		return k.Directory.Move.Up, k.Directory.Move.Down
	case screenStats:
		return k.Stats.Rows.Up, k.Stats.Rows.Down
	case screenAlerts:
		return k.Alerts.Move.Up, k.Alerts.Move.Down
	}
	return k.List.Table.Up, k.List.Table.Down
}

// press types the first key of b n times, as if from the keyboard.
func (m *Model) press(b key.Binding, n int) tea.Cmd {
	if len(b.Keys()) == 0 {
		return nil
	}
	k, err := keys.Parse(b.Keys()[0])
	if err != nil {
		return nil
	}
	var cmds []tea.Cmd
	for range n {
		_, cmd := m.update(tea.KeyPressMsg(k))
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// listRows is the screen row of the lists' first row: under the tabs and
// the column titles.
const listRows = 2

// clickList moves the cursor of the lists to the row at screen row y, or
// opens the ticket when it is there already. The cursor moves by the up and
// down keys, the rows between it and y being on the screen: the list then
// does not scroll, and what was clicked is what is picked.
func (m *Model) clickList(y int) tea.Cmd {
	sel := m.list.Selected()
	lines := strings.Split(ansi.Strip(m.list.View()), "\n")
	if sel == "" || y < listRows || y >= len(lines) || rowNumber(lines[y]) == "" {
		return nil
	}
	cur := slices.IndexFunc(lines[listRows:], func(l string) bool { return rowNumber(l) == sel })
	if cur < 0 {
		return nil
	}
	cur += listRows
	k := m.ctx.Keys.List
	switch {
	case y == cur:
		return m.press(k.Open, 1)
	case y > cur:
		return m.press(k.Table.Down, y-cur)
	}
	return m.press(k.Table.Up, cur-y)
}

// rowNumber is the ticket number a row of the lists begins with, after its
// marks (new, picked), or "" for a blank line.
func rowNumber(line string) string {
	f := strings.Fields(strings.TrimLeft(line, " ●✓"))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
