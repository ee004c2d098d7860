// Package list is the ticket lists: 未反馈 (the unit still has work on them)
// and 已反馈 (fed back, closed or returned), as two tabs over the local
// store. It marks tickets that arrived since the program started until they
// are opened.
package list

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/table"
	"hotline/tui/components/tabs"
)

// The tabs, in order.
const (
	Open = iota // 未反馈
	Done        // 已反馈
)

// LoadedMsg carries both lists from the store.
type LoadedMsg struct {
	Open, Done []complaint.Ticket
	Err        error
}

// Model is the lists page.
type Model struct {
	ctx     *app.Context
	tabs    tabs.Model
	tables  [2]table.Model
	tickets [2][]complaint.Ticket
	fresh   map[string]bool // arrived since start, not yet opened
	loaded  bool
	width   int
	height  int
}

// New returns the page; Load fills it.
func New(ctx *app.Context) *Model {
	m := &Model{ctx: ctx, fresh: map[string]bool{}, width: 1, height: 2}
	m.tabs = tabs.New(&ctx.Styles, tabs.Tab{Title: "未反馈"}, tabs.Tab{Title: "已反馈"})
	m.tabs.Right = ctx.Full(ctx.Now())
	for i := range m.tables {
		m.tables[i] = table.New(columns(4), ctx.Keys.List.Table, &ctx.Styles)
		m.tables[i].Empty = "正在读取…"
	}
	return m
}

// Widths of the fixed columns, in cells.
const (
	wNumberMin = 4  // "编号"
	wNumberMax = 20 // longer numbers are cut
	wReceived  = 11 // "01-02 15:04"
	wElapsed   = 8  // "23时59分"
	wState     = 6  // "待签收"
)

func columns(number int) []table.Column {
	return []table.Column{
		{Title: "编号", Width: number},
		{Title: "标题", Flex: true},
		{Title: "收到时间", Width: wReceived},
		{Title: "已过", Width: wElapsed, Right: true},
		{Title: "状态", Width: wState},
	}
}

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.List }

// Active is the tab shown.
func (m *Model) Active() int { return m.tabs.Active }

// Selected is the ticket number under the cursor, or "".
func (m *Model) Selected() string {
	r, ok := m.tables[m.tabs.Active].Selected()
	if !ok {
		return ""
	}
	return r.Key
}

// Load reads both lists from the store.
func (m *Model) Load() tea.Cmd {
	st, ctx := m.ctx.Store, m.ctx.Bg()
	return func() tea.Msg {
		yes, no := true, false
		open, err := st.Tickets(ctx, store.Filter{Open: &yes, Order: store.OrderReceived})
		if err != nil {
			return LoadedMsg{Err: err}
		}
		done, err := st.Tickets(ctx, store.Filter{Open: &no, Order: store.OrderReceived})
		return LoadedMsg{Open: open, Done: done, Err: err}
	}
}

// MarkNew marks tickets as new until they are opened.
func (m *Model) MarkNew(numbers []string) {
	for _, n := range numbers {
		m.fresh[n] = true
	}
	m.refresh()
}

// Seen clears a ticket's new mark.
func (m *Model) Seen(number string) {
	delete(m.fresh, number)
	m.refresh()
}

// IsNew reports whether a ticket carries the new mark.
func (m *Model) IsNew(number string) bool { return m.fresh[number] }

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.tabs.SetSize(w, 1)
	for i := range m.tables {
		m.tables[i].SetSize(w, h-1)
	}
}

// refresh rebuilds the rows from the tickets: after a load, a new mark, or
// the clock moving on (the 已过 column).
func (m *Model) refresh() {
	now := m.ctx.Now()
	m.tabs.Right = m.ctx.Full(now)
	for i := range m.tables {
		nw := wNumberMin
		rows := make([]table.Row, len(m.tickets[i]))
		for j, t := range m.tickets[i] {
			num := cells.Line(t.Number)
			nw = max(nw, cells.Width(num))
			rows[j] = table.Row{
				Key: t.Number,
				Cells: []string{
					num,
					t.Title,
					m.ctx.Short(t.ReceivedAt),
					app.Elapsed(now.Sub(t.ReceivedAt)),
					t.State.Label(),
				},
				Marked: m.fresh[t.Number],
			}
		}
		m.tables[i].SetColumns(columns(min(nw, wNumberMax)))
		m.tables[i].SetRows(rows)
		if m.loaded {
			m.tables[i].Empty = "（没有工单）"
		}
		m.tabs.Tabs[i].Count = len(m.tickets[i])
	}
}

// TickMsg tells the page the clock moved on.
type TickMsg struct{}

// Update handles the page's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Err != nil {
			return app.NoticeErr("读取工单失败：" + msg.Err.Error())
		}
		m.tickets = [2][]complaint.Ticket{msg.Open, msg.Done}
		m.loaded = true
		m.refresh()
	case TickMsg:
		m.refresh()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.List
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.NextTab):
		m.tabs.Active = 1 - m.tabs.Active
	case key.Matches(msg, k.Tab1):
		m.tabs.Active = Open
	case key.Matches(msg, k.Tab2):
		m.tabs.Active = Done
	case key.Matches(msg, k.Open):
		if n := m.Selected(); n != "" {
			return app.Send(app.OpenTicketMsg{Number: n})
		}
	default:
		m.tables[m.tabs.Active].Update(msg)
	}
	return nil
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	return strings.Join([]string{m.tabs.View(), m.tables[m.tabs.Active].View()}, "\n")
}
