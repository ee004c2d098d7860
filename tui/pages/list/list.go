// Package list is the ticket lists, as three tabs over the local store: 待办
// (what the logged-in user must act on now, the list a person sees first),
// 未反馈 (everything the unit still has work on) and 已反馈 (fed back, closed
// or returned). The first two show the step each ticket waits on and the
// time left to it, marked when near or past its deadline, most urgent
// first. The page marks tickets that arrived since the program started
// until they are opened, and tickets picked for printing together, which
// stay picked across tabs and reloads. One filter, typed in a line under
// the list, narrows the three lists at once (see filter.go); each list
// sorts by any of its columns.
package list

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/editor"
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
	// stamps holds, for each ticket of the lists of work, what its time
	// left and its mark were drawn from (see stamp): the clock redraws
	// only the rows whose text it changed.
	stamps [nTabs][]int64
	fresh  map[string]bool // arrived since start, not yet opened
	picked []string        // ticket numbers picked for printing, in the order picked
	loaded bool
	failed bool // the first load failed: there is nothing to wait for
	width  int
	height int
	wide   bool // the lists of work show the time of the call too

	// filter is the filter line's text, the one filter of the three
	// lists; typing is whether the line is open and takes the keys.
	filter editor.Model
	typing bool
}

// New returns the page; Load fills it.
func New(ctx *app.Context) *Model {
	m := &Model{ctx: ctx, fresh: map[string]bool{}, width: 1, height: 2}
	k := ctx.Keys.List
	tab := func(b key.Binding, title string, count bool) tabs.Tab {
		return tabs.Tab{Key: b.Help().Key, Title: title, NoCount: !count}
	}
	// After the lists, the other screens of the old platform's menu, which
	// the root opens: the tabs' line is the menu.
	m.tabs = tabs.New(&ctx.Styles, tab(k.Tab1, "待办", true), tab(k.Tab2, "未反馈", true), tab(k.Tab3, "已反馈", true),
		tab(k.Tab4, "查询", false), tab(k.Tab5, "部门", false), tab(k.Tab6, "统计", false), tab(k.Tab7, "督办", false))
	m.tabs.Right = m.clock(nil)
	for i := range m.tables {
		m.tables[i] = table.New(m.columns(i, 4), ctx.Keys.List.Table, &ctx.Styles)
		m.tables[i].Empty = "正在读取…"
		m.tables[i].NoMatch = "（没有符合筛选的工单）"
	}
	m.filter = editor.New(ctx.Keys.Form.Editor)
	m.filter.Prompt = filterPrompt
	m.filter.Placeholder = "输入文字筛选三个列表；tab 选择列，如 标题:兴隆"
	m.filter.PlaceholderStyle = ctx.Styles.Muted
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

// The columns' titles, which also name them in the filter ("标题:兴隆").
const (
	colNumber   = "编号"
	colTitle    = "标题"
	colReceived = "收到时间"
	colStep     = "环节"
	colLeft     = "时限"
	colState    = "状态"
)

// titles is the columns of tab i, in order: the lists of work carry the
// step and its time left; the fed-back list, the time of the call. A wide
// screen shows both.
func (m *Model) titles(i int) []string {
	out := []string{colNumber, colTitle}
	if i == Done || m.wide {
		out = append(out, colReceived)
	}
	if i != Done {
		out = append(out, colStep, colLeft)
	}
	return append(out, colState)
}

// columns of tab i. The times sort by the time, not its text; the step
// and the state by their place in the procedure; the rest by their text.
func (m *Model) columns(i, number int) []table.Column {
	ts := func() []complaint.Ticket { return m.tickets[i] }
	var cols []table.Column
	for _, title := range m.titles(i) {
		switch title {
		case colNumber:
			cols = append(cols, table.Column{Title: title, Width: number})
		case colTitle:
			cols = append(cols, table.Column{Title: title, Flex: true})
		case colReceived:
			cols = append(cols, table.Column{Title: title, Width: wReceived, Compare: func(a, b int) int {
				return ts()[a].ReceivedAt.Compare(ts()[b].ReceivedAt)
			}})
		case colStep:
			// The blank lines the title up with the steps after their mark.
			cols = append(cols, table.Column{Title: " " + title, Width: wStep, Compare: func(a, b int) int {
				return cmp.Compare(slices.Index(steps, ts()[a].Step), slices.Index(steps, ts()[b].Step))
			}})
		case colLeft:
			cols = append(cols, table.Column{Title: title, Width: wLeft, Right: true, Compare: func(a, b int) int {
				return ts()[a].Due.Compare(ts()[b].Due)
			}})
		case colState:
			cols = append(cols, table.Column{Title: title, Width: wState, Compare: func(a, b int) int {
				x, y := ts()[a], ts()[b]
				return cmp.Or(cmp.Compare(slices.Index(complaint.States, x.State), slices.Index(complaint.States, y.State)),
					strings.Compare(state(x), state(y)))
			}})
		}
	}
	return cols
}

// steps is the order of the procedure, which the step column sorts by.
var steps = []complaint.Step{complaint.StepSign, complaint.StepAssign, complaint.StepContact,
	complaint.StepReply, complaint.StepReview, complaint.StepSend}

// KeyMap is the page's keys, for help: the filter line's while it is open.
func (m *Model) KeyMap() help.KeyMap {
	if m.typing {
		return filterKeys{m.ctx.Keys.FilterLine, m.ctx.Keys.List.Table}
	}
	return m.ctx.Keys.List
}

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

// Shown is the numbers of the tickets list tab shows, in order, and the
// number of tickets it holds before the filter.
func (m *Model) Shown(tab int) (numbers []string, of int) {
	for _, r := range m.tables[tab].Rows() {
		numbers = append(numbers, r.Key)
	}
	return numbers, m.tables[tab].Total()
}

// Position is the place of the cursor in the list shown, and how many
// tickets it shows.
func (m *Model) Position() (at, of int) {
	t := m.tables[m.tabs.Active]
	return t.Cursor(), t.Len()
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
	m.flag(number)
}

// Unpick drops the numbers from the picked: they were printed.
func (m *Model) Unpick(numbers ...string) {
	m.picked = slices.DeleteFunc(m.picked, func(n string) bool { return slices.Contains(numbers, n) })
	m.flag(numbers...)
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
	m.flag(numbers...)
}

// Seen clears a ticket's new mark.
func (m *Model) Seen(number string) {
	delete(m.fresh, number)
	m.flag(number)
}

// flag redraws the new and picked marks of the tickets with the numbers,
// or of every ticket when none is given.
func (m *Model) flag(numbers ...string) {
	these := map[string]bool{}
	for _, n := range numbers {
		these[n] = true
	}
	picked := map[string]bool{}
	for _, n := range m.picked {
		picked[n] = true
	}
	for i := range m.tables {
		m.tables[i].UpdateRows(func(_ int, r *table.Row) bool {
			if len(numbers) > 0 && !these[r.Key] {
				return false
			}
			if r.Marked == m.fresh[r.Key] && r.Checked == picked[r.Key] {
				return false
			}
			r.Marked, r.Checked = m.fresh[r.Key], picked[r.Key]
			return true
		})
	}
	m.status()
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
	// The cell right of the filter line stays free for the cursor after
	// a text that fills it.
	m.filter.SetSize(w-1, 1)
	m.layout()
	if wide := w >= wideFrom; wide != m.wide {
		m.wide = wide
		m.refresh()
	}
	m.status()
}

// layout gives the lists the page's height but the tabs' line and the
// filter line's, while it is open.
func (m *Model) layout() {
	h := m.height - 1
	if m.typing {
		h--
	}
	for i := range m.tables {
		m.tables[i].SetSize(m.width, h)
	}
}

// refresh rebuilds the rows from the tickets: after a load, or when the
// columns change. The clock changes only the rows it must (see tick).
func (m *Model) refresh() {
	now := m.ctx.Now()
	picked := map[string]bool{}
	for _, n := range m.picked {
		picked[n] = true
	}
	for i := range m.tables {
		titles := m.titles(i)
		nw := wNumberMin
		rows := make([]table.Row, len(m.tickets[i]))
		m.stamps[i] = make([]int64, len(m.tickets[i]))
		for j, t := range m.tickets[i] {
			vals := make([]string, len(titles))
			var tone table.Tone
			for c, title := range titles {
				switch title {
				case colNumber:
					vals[c] = cells.Line(t.Number)
					nw = max(nw, cells.Width(vals[c]))
				case colTitle:
					vals[c] = t.Title
				case colReceived:
					vals[c] = m.ctx.Short(t.ReceivedAt)
				case colStep:
					var left string
					vals[c], left, tone, m.stamps[i][j] = m.timely(t, now)
					vals[c+1] = left
				case colState:
					vals[c] = state(t)
				}
			}
			rows[j] = table.Row{Key: t.Number, Cells: vals, Marked: m.fresh[t.Number], Checked: picked[t.Number], Tone: tone}
		}
		m.tables[i].SetColumns(m.columns(i, min(nw, wNumberMax)))
		m.tables[i].SetRows(rows)
		if m.loaded {
			m.tables[i].Empty = "（没有工单）"
			if i == Mine {
				m.tables[i].Empty = "（没有需要您办理的工单）"
			}
		}
	}
	m.status()
}

// timely is what of a ticket the clock changes: its step with the mark of
// its urgency, the time left, the row's tone, and a stamp that changes
// whenever any of them does (the minutes left, their sign, the urgency).
func (m *Model) timely(t complaint.Ticket, now time.Time) (step, left string, tone table.Tone, stamp int64) {
	if m.ctx.User.Has(complaint.RoleCenter) {
		// What the center decides has no deadline of the unit's: the
		// unit's step and its time left would mislead.
		switch {
		case t.State == complaint.ReturnRequested:
			return " 退单", "待审批", table.Plain, -1
		case t.Extension != nil && !t.Extension.Decided:
			return " 延期", "待审批", table.Plain, -2
		}
	}
	u := m.ctx.Policy().Urgency(t, now)
	if t.Step != complaint.StepNone {
		step = app.Mark(u) + t.Step.Label()
	}
	switch u {
	case complaint.Overdue:
		tone = table.Alert
	case complaint.Near:
		tone = table.Warn
	}
	stamp = int64(u)
	if !t.Due.IsZero() {
		// Left shows whole minutes, to go or past.
		d := t.Due.Sub(now)
		shown := int64(-d/time.Minute) * 2
		if d > 0 {
			shown = int64(d/time.Minute)*2 + 1
		}
		stamp += 4 * (shown + 1)
		left = m.ctx.Left(t)
	}
	return step, left, tone, stamp
}

// tick redraws what the clock changed: the time on the tabs' line, and the
// rows whose time left or urgency moved on. A list of a hundred thousand
// tickets is not rebuilt every second.
func (m *Model) tick() {
	now := m.ctx.Now()
	for i := range m.tables {
		if i == Done {
			continue
		}
		c := slices.Index(m.titles(i), colStep)
		m.tables[i].UpdateRows(func(j int, r *table.Row) bool {
			t := m.tickets[i][j]
			step, left, tone, stamp := m.timely(t, now)
			if stamp == m.stamps[i][j] {
				return false
			}
			m.stamps[i][j] = stamp
			cs := slices.Clone(r.Cells)
			cs[c], cs[c+1] = step, left
			r.Cells, r.Tone = cs, tone
			return true
		})
	}
	m.status()
}

// status writes the tabs' line: each list's count (of the total, under a
// filter), and on the right what is picked, the filter and the time.
func (m *Model) status() {
	filtered := m.tables[0].Filtered()
	for i := range m.tables {
		m.tabs.Tabs[i].Count = m.tables[i].Len()
		m.tabs.Tabs[i].Of = m.tables[i].Total()
		m.tabs.Tabs[i].Filtered = filtered
	}
	var right []string
	if n := len(m.picked); n > 0 {
		// The count of what p will print leads, as the rest may be cut.
		right = append(right, fmt.Sprintf("已选 %d 张", n))
	}
	if filtered {
		right = append(right, "筛选 "+strings.Join(strings.Fields(m.filter.Value()), " "))
	}
	m.tabs.Right = m.clock(right)
}

// clock is the texts for the right end of the tabs' line, longest first:
// what is picked and the filter, then the date and time, the time alone,
// no clock.
func (m *Model) clock(before []string) []string {
	now := m.ctx.Now()
	with := func(t string) string { return strings.Join(append(slices.Clone(before), t), " · ") }
	return []string{with(m.ctx.Full(now)), with(now.In(m.ctx.Loc).Format("15:04")), strings.Join(before, " · ")}
}

// Bar is the tabs' line with entry i of the menu marked as the screen
// shown, counted from 0: the three lists, then 查询, 部门, 统计, 督办.
func (m *Model) Bar(i int) string {
	t := m.tabs
	t.Active = i
	return t.View()
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
		m.tick()
	case tea.PasteMsg:
		if m.typing {
			m.edit(msg)
		}
	case tea.KeyPressMsg:
		if m.typing {
			m.typeKey(msg)
			return nil
		}
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
		m.flag()
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
	case key.Matches(msg, k.Find.Filter):
		m.typing = true
		m.layout()
	case key.Matches(msg, k.Find.ClearFilter):
		m.setFilter("")
	case key.Matches(msg, k.Find.Sort):
		m.sortNext()
	case key.Matches(msg, k.Find.SortReverse):
		t := &m.tables[m.tabs.Active]
		if by, desc := t.SortedBy(); by != "" {
			t.SortBy(by, !desc)
		}
	default:
		m.tables[m.tabs.Active].Update(msg)
	}
	return nil
}

// sortNext sorts the list shown by the column after the one it is sorted
// by, ascending; after the last, it goes back to the list's own order.
func (m *Model) sortNext() {
	t := &m.tables[m.tabs.Active]
	by, _ := t.SortedBy()
	titles := append(m.titles(m.tabs.Active), "")
	next := titles[0]
	if i := slices.Index(titles, by); i >= 0 {
		next = titles[(i+1)%len(titles)]
	}
	t.SortBy(next, false)
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	out := []string{m.tabs.View(), m.tables[m.tabs.Active].View()}
	if m.typing {
		// The styles may have changed with the terminal's background.
		m.filter.PlaceholderStyle = m.ctx.Styles.Muted
		out = append(out, m.filter.View()+" ")
	}
	return strings.Join(out, "\n")
}
