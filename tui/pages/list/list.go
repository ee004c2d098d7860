// Package list is the ticket lists, as three tabs over the local store: 待办
// (what the logged-in user must act on now, the list a person sees first),
// 未反馈 (everything the unit still has work on) and 已反馈 (fed back, closed
// or returned). The first two show the step each ticket waits on and the
// time left to it, marked when near or past its deadline, most urgent
// first. The page marks tickets that arrived since the program started
// until they are opened, and tickets picked for printing together, which
// stay picked across tabs and reloads.
package list

import (
	"fmt"
	"slices"
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
	Mine = iota // 待办
	Open        // 未反馈
	Done        // 已反馈
	nTabs
)

// LoadedMsg carries the three lists from the store.
type LoadedMsg struct {
	Mine, Open, Done []complaint.Ticket
	Err              error
}

// Model is the lists page.
type Model struct {
	ctx     *app.Context
	tabs    tabs.Model
	tables  [nTabs]table.Model
	tickets [nTabs][]complaint.Ticket
	fresh   map[string]bool // arrived since start, not yet opened
	picked  []string        // ticket numbers picked for printing, in the order picked
	loaded  bool
	failed  bool // the first load failed: there is nothing to wait for
	width   int
	height  int
}

// New returns the page; Load fills it.
func New(ctx *app.Context) *Model {
	m := &Model{ctx: ctx, fresh: map[string]bool{}, width: 1, height: 2}
	m.tabs = tabs.New(&ctx.Styles, tabs.Tab{Title: "待办"}, tabs.Tab{Title: "未反馈"}, tabs.Tab{Title: "已反馈"})
	m.tabs.Right = ctx.Full(ctx.Now())
	for i := range m.tables {
		m.tables[i] = table.New(m.columns(i, 4), ctx.Keys.List.Table, &ctx.Styles)
		m.tables[i].Empty = "正在读取…"
	}
	return m
}

// Widths of the fixed columns, in cells.
const (
	wNumberMin = 4  // "编号"
	wNumberMax = 20 // longer numbers are cut
	wReceived  = 11 // "01-02 15:04", or "2019-01-02" in another year
	wStep      = 5  // the urgency mark and "回复"
	wLeft      = 13 // "超时 23时59分"
	wState     = 8  // "退单申请"
	wideFrom   = 100
)

// columns of tab i: the lists of work carry the step and its time left;
// the fed-back list, the time of the call. A wide screen shows both.
func (m *Model) columns(i, number int) []table.Column {
	cols := []table.Column{
		{Title: "编号", Width: number},
		{Title: "标题", Flex: true},
	}
	if i == Done || m.width >= wideFrom {
		cols = append(cols, table.Column{Title: "收到时间", Width: wReceived})
	}
	if i != Done {
		cols = append(cols,
			table.Column{Title: " 环节", Width: wStep},
			table.Column{Title: "时限", Width: wLeft, Right: true})
	}
	return append(cols, table.Column{Title: "状态", Width: wState})
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

// Picked is the numbers of the tickets picked, in the order they were
// picked.
func (m *Model) Picked() []string { return m.picked }

// pick picks the ticket number, or drops it when it was picked.
func (m *Model) pick(number string) {
	if i := slices.Index(m.picked, number); i >= 0 {
		m.picked = slices.Delete(m.picked, i, i+1)
	} else {
		m.picked = append(m.picked, number)
	}
	m.refresh()
}

// Unpick drops the numbers from the picked: they were printed.
func (m *Model) Unpick(numbers ...string) {
	m.picked = slices.DeleteFunc(m.picked, func(n string) bool { return slices.Contains(numbers, n) })
	m.refresh()
}

// keepPicks drops the picks of tickets no list holds any more (returned
// to the center and gone from the unit, say), so that what is counted is
// what will print.
func (m *Model) keepPicks() {
	in := map[string]bool{}
	for _, ts := range m.tickets {
		for _, t := range ts {
			in[t.Number] = true
		}
	}
	m.picked = slices.DeleteFunc(m.picked, func(n string) bool { return !in[n] })
}

// Load reads the three lists from the store.
func (m *Model) Load() tea.Cmd {
	st, ctx, user, now := m.ctx.Store, m.ctx.Bg(), m.ctx.User, m.ctx.Now()
	return func() tea.Msg {
		yes, no := true, false
		mine, err := st.Tickets(ctx, store.Filter{Mine: &user, Now: now, Order: store.OrderUrgency})
		if err != nil {
			return LoadedMsg{Err: err}
		}
		open, err := st.Tickets(ctx, store.Filter{Open: &yes, Order: store.OrderUrgency})
		if err != nil {
			return LoadedMsg{Err: err}
		}
		done, err := st.Tickets(ctx, store.Filter{Open: &no, Order: store.OrderReceived})
		return LoadedMsg{Mine: mine, Open: open, Done: done, Err: err}
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

// Ready reports whether the lists have been read (or failed to be): keys
// typed before wait for it.
func (m *Model) Ready() bool { return m.loaded || m.failed }

// IsNew reports whether a ticket carries the new mark.
func (m *Model) IsNew(number string) bool { return m.fresh[number] }

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.tabs.SetSize(w, 1)
	for i := range m.tables {
		m.tables[i].SetSize(w, h-1)
	}
	m.refresh()
}

// refresh rebuilds the rows from the tickets: after a load, a new mark, a
// resize, or the clock moving on (the time left).
func (m *Model) refresh() {
	now := m.ctx.Now()
	m.tabs.Right = m.ctx.Full(now)
	if n := len(m.picked); n > 0 {
		// The count of what p will print leads, as the clock may be cut.
		m.tabs.Right = fmt.Sprintf("已选 %d 张 · %s", n, m.tabs.Right)
	}
	for i := range m.tables {
		nw := wNumberMin
		rows := make([]table.Row, len(m.tickets[i]))
		for j, t := range m.tickets[i] {
			num := cells.Line(t.Number)
			nw = max(nw, cells.Width(num))
			vals := []string{num, t.Title}
			if i == Done || m.width >= wideFrom {
				vals = append(vals, m.ctx.Short(t.ReceivedAt))
			}
			var tone table.Tone
			if i != Done {
				u := m.ctx.Urgency(t)
				step := ""
				if t.Step != complaint.StepNone {
					step = app.Mark(u) + t.Step.Label()
				}
				vals = append(vals, step, m.ctx.Left(t))
				switch u {
				case complaint.Overdue:
					tone = table.Alert
				case complaint.Near:
					tone = table.Warn
				}
			}
			vals = append(vals, state(t))
			rows[j] = table.Row{Key: t.Number, Cells: vals, Marked: m.fresh[t.Number], Checked: slices.Contains(m.picked, t.Number), Tone: tone}
		}
		m.tables[i].SetColumns(m.columns(i, min(nw, wNumberMax)))
		m.tables[i].SetRows(rows)
		if m.loaded {
			m.tables[i].Empty = "（没有工单）"
			if i == Mine {
				m.tables[i].Empty = "（没有需要您办理的工单）"
			}
		}
		m.tabs.Tabs[i].Count = len(m.tickets[i])
	}
}

// state is a ticket's state as a list shows it: a closed ticket with the
// citizen's verdict.
func state(t complaint.Ticket) string {
	if t.State == complaint.Closed && t.Satisfaction != "" {
		return t.Satisfaction
	}
	return t.State.Label()
}

// TickMsg tells the page the clock moved on.
type TickMsg struct{}

// Update handles the page's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Err != nil {
			m.failed = true
			return app.NoticeErr("读取工单失败：" + msg.Err.Error())
		}
		m.tickets = [nTabs][]complaint.Ticket{msg.Mine, msg.Open, msg.Done}
		m.loaded = true
		m.keepPicks()
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
	// Quit (q) is the root's: it blanks the screen before the program ends.
	switch {
	case key.Matches(msg, k.NextTab):
		d := 1
		if msg.String() == "shift+tab" {
			d = nTabs - 1
		}
		m.tabs.Active = (m.tabs.Active + d) % nTabs
	case key.Matches(msg, k.Tab1):
		m.tabs.Active = Mine
	case key.Matches(msg, k.Tab2):
		m.tabs.Active = Open
	case key.Matches(msg, k.Tab3):
		m.tabs.Active = Done
	case key.Matches(msg, k.Open):
		if n := m.Selected(); n != "" {
			return m.ctx.Navigate(app.OpenTicketMsg{Number: n})
		}
	case key.Matches(msg, k.Pick):
		if n := m.Selected(); n != "" {
			m.pick(n)
			// On to the next row, so that space space picks two in a row.
			t := &m.tables[m.tabs.Active]
			t.SetCursor(t.Cursor() + 1)
		}
	case key.Matches(msg, k.ClearPicks):
		m.picked = nil
		m.refresh()
	case key.Matches(msg, k.Print):
		numbers := slices.Clone(m.picked)
		if len(numbers) == 0 {
			if n := m.Selected(); n != "" {
				numbers = []string{n}
			}
		}
		if len(numbers) == 0 {
			return app.NoticeErr("没有可打印的工单")
		}
		return m.ctx.Navigate(app.OpenPrintMsg{Numbers: numbers})
	case key.Matches(msg, k.PrintClosed):
		return m.ctx.PrintClosedToday()
	default:
		m.tables[m.tabs.Active].Update(msg)
	}
	return nil
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	return strings.Join([]string{m.tabs.View(), m.tables[m.tabs.Active].View()}, "\n")
}
