// Package detail is one ticket's page: every field, the citizen's full text
// wrapped to the width, the reply, the history and what waits in the outbox
// for this ticket, in one scrollable column. From here the officer signs for
// the ticket or opens the reply form.
package detail

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
)

// LoadedMsg carries a ticket with its history and outbox from the store.
type LoadedMsg struct {
	Number string
	Ticket complaint.Ticket
	Outbox []store.OutboxItem
	Err    error
}

// Model is the ticket page.
type Model struct {
	ctx    *app.Context
	number string
	ticket complaint.Ticket
	outbox []store.OutboxItem
	loaded bool
	err    error
	lines  []string // the scrollable body, each exactly width cells
	offset int
	width  int
	height int
}

// New returns the page for ticket number; Load fills it.
func New(ctx *app.Context, number string) *Model {
	return &Model{ctx: ctx, number: number, width: 1, height: 2}
}

// Number is the ticket shown.
func (m *Model) Number() string { return m.number }

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.Detail }

// Load reads the ticket and its outbox.
func (m *Model) Load() tea.Cmd {
	st, ctx, n := m.ctx.Store, m.ctx.Bg(), m.number
	return func() tea.Msg {
		t, err := st.Ticket(ctx, n)
		if err != nil {
			return LoadedMsg{Number: n, Err: err}
		}
		out, err := st.Outbox(ctx, n)
		return LoadedMsg{Number: n, Ticket: t, Outbox: out, Err: err}
	}
}

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

func (m *Model) bodyHeight() int { return max(m.height-1, 1) }

// Update handles the page's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Number != m.number {
			return nil
		}
		m.err = msg.Err
		if msg.Err == nil {
			m.ticket, m.outbox, m.loaded = msg.Ticket, msg.Outbox, true
		}
		m.layout()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Detail
	page := m.bodyHeight()
	switch {
	case key.Matches(msg, k.Back):
		return app.Send(app.BackMsg{})
	case key.Matches(msg, k.Sign):
		if !m.loaded {
			return nil
		}
		return m.ctx.Act(complaint.Action{Kind: complaint.KindSign, Ticket: m.number, BaseVersion: m.ticket.Version}, nil)
	case key.Matches(msg, k.Reply):
		if !m.loaded {
			return nil
		}
		// Refuse early what the form could never submit, saying why.
		probe := complaint.Action{Kind: complaint.KindReply, Ticket: m.number, Reply: &complaint.Reply{Text: "-"}}
		proj := app.Projected(m.ticket, m.outbox, m.ctx.User, m.ctx.Now())
		if err := complaint.Check(proj, m.ctx.User, probe); err != nil {
			return app.NoticeErr(app.Refusal(err))
		}
		return app.Send(app.OpenReplyMsg{Ticket: m.ticket})
	case key.Matches(msg, k.Scroll.Up):
		m.offset--
	case key.Matches(msg, k.Scroll.Down):
		m.offset++
	case key.Matches(msg, k.Scroll.PageUp):
		m.offset -= page
	case key.Matches(msg, k.Scroll.PageDown):
		m.offset += page
	case key.Matches(msg, k.Scroll.Top):
		m.offset = 0
	case key.Matches(msg, k.Scroll.Bottom):
		m.offset = len(m.lines)
	}
	m.clamp()
	return nil
}

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyHeight()))
}

// Width of the label column of the fields.
const labelWidth = 10

// layout rebuilds the body for the current ticket and width.
func (m *Model) layout() {
	w := m.width
	var out []string
	add := func(s string) { out = append(out, cells.Fit(s, w)) }
	styled := func(st func(...string) string, s string) { out = append(out, st(cells.Fit(s, w))) }
	st := m.ctx.Styles
	switch {
	case m.err != nil:
		styled(st.Error.Render, "读取工单失败："+m.err.Error())
	case !m.loaded:
		add("正在读取…")
	default:
		t := m.ticket
		field := func(label, value string) {
			lines := cells.Wrap(cells.Sanitize(value), w-labelWidth)
			if len(lines) == 0 {
				lines = []string{"—"}
			}
			for i, l := range lines {
				lab := ""
				if i == 0 {
					lab = label
				}
				out = append(out, st.Label.Render(cells.Pad(lab, labelWidth))+cells.Fit(l, w-labelWidth))
			}
		}
		section := func(title string) {
			add("")
			head := "── " + title + " "
			styled(st.Section.Render, head+strings.Repeat("─", max(w-cells.Width(head), 0)))
		}
		text := func(s string, indent int) {
			for _, l := range cells.Wrap(cells.Sanitize(s), w-indent) {
				add(strings.Repeat(" ", indent) + l)
			}
		}
		now := m.ctx.Now()
		field("编号", t.Number)
		field("标题", t.Title)
		field("状态", t.State.Label())
		field("来电人", orDash(t.Caller))
		field("电话", orDash(t.Phone))
		field("地址", orDash(t.Address))
		field("类别", orDash(t.Category))
		field("收到时间", fmt.Sprintf("%s（已过 %s）", m.ctx.Full(t.ReceivedAt), app.Elapsed(now.Sub(t.ReceivedAt))))
		field("派单时间", m.ctx.Full(t.DispatchedAt))
		field("办理时限", m.ctx.Full(t.Deadline))
		field("承办部门", orDash(t.Subunit))
		field("承办人", orDash(t.Handler))
		section("诉求内容")
		text(strings.TrimSpace(t.Content), 0)
		if r := t.Reply; r != nil {
			section("回复")
			add(fmt.Sprintf("%s  %s", m.ctx.Full(r.At), cells.Line(orDash(r.By))))
			text(r.Text, 2)
		}
		section("处理记录")
		if len(t.Events) == 0 {
			add("（无）")
		}
		// Columns of the history: who and what, as wide as the widest.
		actorW, kindW := 0, 0
		for _, e := range t.Events {
			actorW = max(actorW, cells.Width(cells.Line(orDash(e.Actor))))
			kindW = max(kindW, cells.Width(e.Kind.Label()))
		}
		actorW, kindW = min(actorW, 16), min(kindW, 10)
		for _, e := range t.Events {
			move := ""
			if e.From != "" || e.To != "" {
				move = stateLabel(e.From) + "→" + stateLabel(e.To)
			}
			add(fmt.Sprintf("%s  %s  %s  %s", m.ctx.Short(e.At), cells.Fit(cells.Line(orDash(e.Actor)), actorW),
				cells.Fit(e.Kind.Label(), kindW), move))
			if e.Text != "" {
				text(e.Text, 4)
			}
		}
		if len(m.outbox) > 0 {
			section("待发送")
			for _, it := range m.outbox {
				line := fmt.Sprintf("%s  %s  %s", m.ctx.Short(it.CreatedAt), it.Kind.Label(), status(it))
				if it.Status == store.StatusRefused {
					styled(st.Error.Render, line)
				} else {
					add(line)
				}
				body := it.Text
				if it.Reply != nil {
					body = it.Reply.Text
				}
				if body != "" {
					text(body, 4)
				}
			}
		}
	}
	m.lines = out
	m.clamp()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func stateLabel(s complaint.State) string {
	if s == "" {
		return "—"
	}
	return s.Label()
}

// status is an outbox item's state as the officer reads it.
func status(it store.OutboxItem) string {
	switch it.Status {
	case store.StatusPending:
		if it.Attempts > 0 {
			return fmt.Sprintf("待发送（已尝试 %d 次：%s）", it.Attempts, cells.Line(it.LastError))
		}
		return "待发送"
	case store.StatusSent:
		return "已发送"
	case store.StatusRefused:
		return "已退回：" + cells.Line(it.LastError)
	}
	return string(it.Status)
}

// View draws exactly the page's height in lines of exactly its width: a
// title line, then the visible part of the body.
func (m *Model) View() string {
	st := m.ctx.Styles
	title := "工单 " + cells.Line(m.number)
	if m.loaded {
		title += " · " + m.ticket.State.Label() + " · " + cells.Line(m.ticket.Title)
	}
	h := m.bodyHeight()
	pos := ""
	if len(m.lines) > h {
		pos = fmt.Sprintf(" %d/%d", m.offset+h, len(m.lines))
	}
	out := make([]string, 0, m.height)
	out = append(out, st.Title.Render(cells.Fit(title, m.width-cells.Width(pos)))+st.Muted.Render(pos))
	for i := m.offset; i < m.offset+h; i++ {
		if i < len(m.lines) {
			out = append(out, m.lines[i])
		} else {
			out = append(out, strings.Repeat(" ", m.width))
		}
	}
	return strings.Join(out, "\n")
}
