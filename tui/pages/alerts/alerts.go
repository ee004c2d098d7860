// Package alerts is 提醒: the alerts the platform sent the logged-in user
// (a ticket dispatched, a deadline near or past, a reply to review, a
// rejection, an urge), newest first, as the link keeps them in the store;
// and, as the page's second view, 通知发送记录: the unit's delivery log of
// the last days — every SMS, group robot message and terminal alert with
// its outcome — as the platform tells it. Showing the alerts marks them
// seen. The page reads the store and asks for the log in commands; it does
// not know how the log reaches it (Source).
package alerts

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/table"
	"hotline/tui/components/tabs"
)

// View is what the page shows: the alerts or the delivery log.
type View int

const (
	List View = iota // 提醒
	Log              // 通知发送记录
)

const (
	// Limit is how many alerts are listed: the newest.
	Limit = 500
	// LogDays is how far back the delivery log goes.
	LogDays = 7
	// LogTimeout bounds the platform's answer.
	LogTimeout = 30 * time.Second
)

// Delivery is one notification of the unit's delivery log with its
// outcome.
type Delivery struct {
	Ticket  string
	Event   string // what made it: "dispatch", "urge", …, "deadline"
	Channel string // "terminal", or a sender as the platform names it: "sms", "wecom@PJGD"
	// Login and Name are the person told; both "" for a group robot's
	// message.
	Login, Name string
	Text        string
	Urgent      bool
	Status      string // queued, sending, sent, failed, dropped
	Attempts    int
	LastError   string
	// At is when it was due to go: the platform reads the log's window
	// by it, newest first, and the page dates the rows by it, so that no
	// row is dated before the time the page says the log begins.
	At     time.Time
	SentAt time.Time
}

// Source reads the unit's delivery log of [from, to) from the platform,
// its error in Chinese for the page to show (offline, not allowed). It is
// called from a command; nil: there is no platform to ask.
type Source func(ctx context.Context, from, to time.Time) (Reading, error)

// Reading is what a Source reads: the newest rows of the window, which is all
// the platform sends of a long log, and what it counts over the whole
// window (nil, or nil Counts: it gave none, and the page counts the rows).
type Reading struct {
	Deliveries []Delivery
	Totals     *Totals
}

// Totals is what the platform counts over the whole window it was asked
// for, of which it sent the newest rows only.
type Totals struct {
	Total  int
	Counts map[string]int // by status
}

// Messages of the page's commands.
type (
	// LoadedMsg is the alerts read from the store, as they were before
	// the page marked them seen: the root counts the unseen again on it.
	LoadedMsg struct {
		Alerts []store.Alert
		Err    error
	}
	loggedMsg struct {
		page       int64
		seq        int
		from       time.Time
		deliveries []Delivery
		totals     *Totals // nil: the Source did not report any
		err        error
	}
)

// statusLabels are the outcomes of a delivery as the page says them.
var statusLabels = map[string]string{
	"queued":  "待发送",
	"sending": "发送中",
	"sent":    "已送达",
	"failed":  "失败",
	"dropped": "已放弃",
}

// StatusLabel is a delivery's status in Chinese; one the page does not
// know shows as the platform wrote it.
func StatusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return s
}

// ChannelLabel is a delivery's channel as the page shows it: the terminal
// in Chinese, the senders by the names the platform's settings give them.
func ChannelLabel(c string) string {
	if c == "terminal" {
		return "终端"
	}
	return c
}

// Recipient is who a delivery went to: the person's name, else login; a
// group robot's message goes to 群.
func Recipient(d Delivery) string {
	switch {
	case strings.TrimSpace(d.Name) != "":
		return d.Name
	case d.Login != "":
		return d.Login
	}
	return "群"
}

// pages numbers the pages of the program, so that the log read for one
// that was closed is not taken by the next.
var pages atomic.Int64

// Model is the alerts page.
type Model struct {
	ctx    *app.Context
	id     int64
	source Source
	view   View
	tabs   tabs.Model

	list   table.Model // the alerts
	alerts []store.Alert
	loaded bool
	failed string // why the alerts could not be read
	// fresh is how many of the alerts listed were unseen when read:
	// they keep their mark while the page shows them.
	fresh int

	log        table.Model
	deliveries []Delivery
	logTotals  *Totals // the platform's counts over the window, nil when it gave none
	logFrom    time.Time
	logState   logState
	logErr     string
	seq        int // the log's reading asked for last

	width, height int
}

type logState int

const (
	logNone logState = iota
	logLoading
	logLoaded
	logFailed
)

// Columns of the two tables.
const (
	colTime      = "时间"
	colTicket    = "工单"
	colLevel     = "级别"
	colText      = "内容"
	colChannel   = "渠道"
	colRecipient = "接收人"
	colStatus    = "状态"
	colAttempts  = "次数"
	colNote      = "内容 / 失败原因"

	wTime      = 11 // "05-06 14:30", or "2019-12-30" in another year
	wTicket    = 11 // "20200506001"; wider when a number shown is (14 digits today)
	wTicketMax = 20
	urgent     = "紧急"
	wStatus    = 6 // "已送达"
	wCount     = 4
	// A channel and a recipient are as wide as the widest shown, within
	// these: "wecom@PJGD" whole, a login of ten characters; the text takes
	// the rest.
	wChannelMax = 12
	wNameMax    = 10
)

// New returns the page; source reads the delivery log, nil where there is
// no platform. Show opens a view and reads what it shows.
func New(ctx *app.Context, source Source) *Model {
	m := &Model{ctx: ctx, source: source, id: pages.Add(1), width: 1, height: 4}
	k := ctx.Keys.Alerts
	m.tabs = tabs.New(&ctx.Styles,
		tabs.Tab{Key: k.Mine.Help().Key, Title: "提醒"},
		tabs.Tab{Key: k.Log.Help().Key, Title: "通知发送记录", NoCount: true})
	// Nothing on the right, with the tabs drawn roomy.
	m.tabs.Right = []string{""}
	m.list = table.New(alertColumns(nil), k.Move, &ctx.Styles)
	m.list.Empty = "正在读取提醒…"
	m.log = table.New(logColumns(nil), k.Move, &ctx.Styles)
	return m
}

// alertColumns are the list's columns for as, the ticket's as wide as
// the widest number.
func alertColumns(as []store.Alert) []table.Column {
	num := wTicket
	for _, a := range as {
		num = max(num, cells.Width(cells.Line(a.Ticket)))
	}
	return []table.Column{
		{Title: colTime, Width: wTime},
		{Title: colTicket, Width: min(num, wTicketMax)},
		{Title: colLevel, Width: cells.Width(urgent)},
		{Title: colText, Flex: true},
	}
}

// logColumns are the log's columns for ds: the ticket, the channel and the
// recipient as wide as the widest of ds within their limits.
func logColumns(ds []Delivery) []table.Column {
	ch, who, num := cells.Width(colChannel), cells.Width(colRecipient), wTicket
	for _, d := range ds {
		num = max(num, cells.Width(cells.Line(d.Ticket)))
		ch = max(ch, cells.Width(cells.Line(ChannelLabel(d.Channel))))
		who = max(who, cells.Width(cells.Line(Recipient(d))))
	}
	return []table.Column{
		{Title: colTime, Width: wTime},
		{Title: colTicket, Width: min(num, wTicketMax)},
		{Title: colChannel, Width: min(ch, wChannelMax)},
		{Title: colRecipient, Width: min(who, wNameMax)},
		{Title: colStatus, Width: wStatus},
		{Title: colAttempts, Width: wCount, Right: true},
		{Title: colNote, Flex: true},
	}
}

// Shown is the view shown.
func (m *Model) Shown() View { return m.view }

// Ready reports whether the page takes keys: once the alerts are read, so
// that an enter typed at once opens the row it was meant for. The log may
// take its time: its keys wait for no platform.
func (m *Model) Ready() bool { return m.loaded || m.failed != "" }

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.Alerts }

// SetSize sets the cells the page draws in: the tabs, a line that says
// what is listed, the table, and under it the whole of the row under the
// cursor.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, max(h, 10)
	m.tabs.SetSize(w, 1)
	th := m.height - 2 - 1 - m.paneLines()
	m.list.SetSize(w, th)
	m.log.SetSize(w, th)
}

// paneLines is the lines of text under the table, its rule not counted:
// a long alert is cut in the table, and read whole here.
func (m *Model) paneLines() int {
	if m.height >= 30 {
		return 4
	}
	return 3
}

// Show opens view v and reads it: the alerts from the store, marked seen
// as they are shown; the log from the platform, once a page opening (r
// reads it again).
func (m *Model) Show(v View) tea.Cmd {
	m.view = v
	if v == Log && (m.logState == logNone || m.logState == logFailed) {
		return tea.Batch(m.Load(), m.loadLog())
	}
	return m.Load()
}

// Load reads the alerts again; when they are shown, those read are marked
// seen.
func (m *Model) Load() tea.Cmd {
	st, ctx, see := m.ctx.Store, m.ctx.Bg(), m.view == List
	return func() tea.Msg {
		as, err := st.Alerts(ctx, Limit)
		if err != nil || !see || len(as) == 0 {
			return LoadedMsg{Alerts: as, Err: err}
		}
		// Up to the last one read, not all: one that came meanwhile has
		// not been seen. The list is in the order they fell due; the ids
		// are in the order they came.
		var last int64
		for _, a := range as {
			last = max(last, a.ID)
		}
		if err := st.SeeAlerts(ctx, last); err != nil {
			return LoadedMsg{Alerts: as, Err: err}
		}
		return LoadedMsg{Alerts: as}
	}
}

// loadLog asks the platform for the unit's deliveries of the last LogDays
// days.
func (m *Model) loadLog() tea.Cmd {
	m.seq++
	m.logState, m.logErr = logLoading, ""
	m.log.Empty = "正在从平台读取…"
	if m.source == nil {
		m.logState, m.logErr = logFailed, "未连接平台：本机没有可询问的平台"
		m.refreshLog()
		return nil
	}
	src, id, seq, now := m.source, m.id, m.seq, m.ctx.Now()
	from := now.Add(-LogDays * 24 * time.Hour)
	m.refreshLog()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), LogTimeout)
		defer cancel()
		// A minute ahead: what was made just now, by a platform whose
		// clock is a little ahead of this one's.
		l, err := src(ctx, from, now.Add(time.Minute))
		msg := loggedMsg{page: id, seq: seq, from: from, deliveries: l.Deliveries, err: err}
		if l.Totals != nil && l.Totals.Counts != nil {
			msg.totals = l.Totals
		}
		return msg
	}
}

// Update handles the page's keys and what its commands read.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Err != nil && msg.Alerts == nil {
			m.failed = "读取提醒失败：" + msg.Err.Error()
			m.refreshList()
			return nil
		}
		m.failed, m.loaded = "", true
		if msg.Err != nil {
			m.failed = "标记已读失败：" + msg.Err.Error()
		}
		m.setAlerts(msg.Alerts)
	case loggedMsg:
		if msg.page != m.id || msg.seq != m.seq {
			return nil
		}
		if msg.err != nil {
			m.logState, m.logErr = logFailed, msg.err.Error()
		} else {
			m.logState, m.logFrom, m.logTotals = logLoaded, msg.from, msg.totals
			m.deliveries = slices.Clone(msg.deliveries)
			slices.SortStableFunc(m.deliveries, func(a, b Delivery) int { return b.At.Compare(a.At) })
		}
		m.log.SetColumns(logColumns(m.deliveries))
		m.refreshLog()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

// setAlerts lists as. An alert unseen when first listed keeps its mark
// while the page is open, though the store has it seen now.
func (m *Model) setAlerts(as []store.Alert) {
	was := map[int64]bool{}
	for _, a := range m.alerts {
		if !a.Seen {
			was[a.ID] = true
		}
	}
	m.alerts = slices.Clone(as)
	m.fresh = 0
	for i := range m.alerts {
		if was[m.alerts[i].ID] {
			m.alerts[i].Seen = false
		}
		if !m.alerts[i].Seen {
			m.fresh++
		}
	}
	m.list.SetColumns(alertColumns(m.alerts))
	m.refreshList()
}

func (m *Model) refreshList() {
	rows := make([]table.Row, len(m.alerts))
	for i, a := range m.alerts {
		level := ""
		tone := table.Plain
		if a.Urgent {
			level, tone = urgent, table.Alert
		}
		rows[i] = table.Row{Key: strconv.FormatInt(a.ID, 10), Marked: !a.Seen, Tone: tone,
			Cells: []string{m.ctx.Short(a.At), orDash(a.Ticket), level, content(a.Text, a.Ticket)}}
	}
	switch {
	case m.failed != "" && !m.loaded:
		m.list.Empty = "无法读取提醒"
	case m.loaded:
		m.list.Empty = "暂无提醒"
	}
	m.list.SetRows(rows)
	t := &m.tabs.Tabs[0]
	t.Count, t.NoCount = len(m.alerts), !m.loaded
}

func (m *Model) refreshLog() {
	rows := make([]table.Row, len(m.deliveries))
	for i, d := range m.deliveries {
		note := content(d.Text, d.Ticket)
		tone := table.Plain
		switch d.Status {
		case "failed":
			tone = table.Alert
		case "dropped":
			tone = table.Warn
		}
		if (d.Status == "failed" || d.Status == "dropped") && d.LastError != "" {
			note = d.LastError
		}
		rows[i] = table.Row{Key: strconv.Itoa(i), Tone: tone, Cells: []string{
			m.ctx.Short(d.At), orDash(d.Ticket), ChannelLabel(d.Channel), Recipient(d),
			StatusLabel(d.Status), strconv.Itoa(d.Attempts), note,
		}}
	}
	switch m.logState {
	case logLoaded:
		m.log.Empty = fmt.Sprintf("近 %d 天没有通知", LogDays)
	case logFailed:
		m.log.Empty = "无法读取通知发送记录"
	}
	m.log.SetRows(rows)
	t := &m.tabs.Tabs[1]
	_, total := m.logCounts()
	t.Count, t.NoCount = total, m.logState != logLoaded
}

// logCounts is the log's count of each status and in all: the platform's
// over the whole window when it gave them, else the rows'.
func (m *Model) logCounts() (map[string]int, int) {
	if m.logTotals != nil {
		return m.logTotals.Counts, m.logTotals.Total
	}
	counts := map[string]int{}
	for _, d := range m.deliveries {
		counts[d.Status]++
	}
	return counts, len(m.deliveries)
}

// content is a notification's text as a table's content column shows it:
// without a leading 【…】 tag (the sender's signature on every message),
// and without a leading 工单<number> when the number is the row's ticket,
// which the ticket column shows already. The pane under the table shows
// the text whole.
func content(text, ticket string) string {
	s := strings.TrimLeft(text, " ")
	if rest, ok := strings.CutPrefix(s, "【"); ok {
		if _, after, ok := strings.Cut(rest, "】"); ok {
			s = strings.TrimLeft(after, " ")
		}
	}
	if ticket = strings.TrimSpace(ticket); ticket != "" {
		rest, ok := strings.CutPrefix(s, "工单")
		if ok {
			rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " "), ticket)
		}
		// Not a longer number that begins with this one.
		if ok && (rest == "" || rest[0] < '0' || rest[0] > '9') {
			rest = strings.TrimLeft(rest, " ")
			// "工单…的回复被退回" reads "回复被退回"; "工单…：签收" "签收".
			for _, sep := range []string{"的", "：", ":", "，", ","} {
				if after, ok := strings.CutPrefix(rest, sep); ok {
					rest = after
					break
				}
			}
			s = rest
		}
	}
	if strings.TrimSpace(s) == "" {
		return text
	}
	return s
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Alerts
	switch {
	case key.Matches(msg, k.Back):
		return m.ctx.Navigate(app.BackMsg{})
	case key.Matches(msg, k.Mine):
		if m.view != List {
			return m.Show(List)
		}
	case key.Matches(msg, k.Log):
		if m.view != Log {
			return m.Show(Log)
		}
	case key.Matches(msg, k.Next):
		return m.Show(1 - m.view)
	case key.Matches(msg, k.Refresh):
		if m.view == Log {
			return m.loadLog()
		}
		return m.Load()
	case key.Matches(msg, k.Open):
		return m.open()
	case m.view == Log:
		m.log.Update(msg)
	default:
		m.list.Update(msg)
	}
	return nil
}

// open shows the ticket of the row under the cursor.
func (m *Model) open() tea.Cmd {
	number := m.Selected()
	if number == "" {
		return nil
	}
	return m.ctx.Navigate(app.OpenTicketMsg{Number: number})
}

// Selected is the ticket number of the row under the cursor, "" when there
// is none or the row names no ticket.
func (m *Model) Selected() string {
	if m.view == Log {
		d, _ := m.delivery()
		return d.Ticket
	}
	a, _ := m.alert()
	return a.Ticket
}

// alert is the alert of the list's row under the cursor.
func (m *Model) alert() (store.Alert, bool) {
	r, ok := m.list.Selected()
	if !ok {
		return store.Alert{}, false
	}
	for _, a := range m.alerts {
		if strconv.FormatInt(a.ID, 10) == r.Key {
			return a, true
		}
	}
	return store.Alert{}, false
}

// delivery is the delivery of the log's row under the cursor.
func (m *Model) delivery() (Delivery, bool) {
	r, ok := m.log.Selected()
	if !ok {
		return Delivery{}, false
	}
	i, _ := strconv.Atoi(r.Key)
	return m.deliveries[i], true
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// info is the line under the tabs: what is listed, or why it is not.
func (m *Model) info() string {
	st := m.ctx.Styles
	line := func(s string) string { return st.Muted.Render(cells.Fit(" "+s, m.width)) }
	fail := func(s string) string { return st.Error.Render(cells.Fit(" "+cells.Line(s), m.width)) }
	if m.view == List {
		switch {
		case m.failed != "":
			return fail(m.failed)
		case !m.loaded:
			return line("")
		}
		s := fmt.Sprintf("共 %d 条", len(m.alerts))
		if m.fresh > 0 {
			s += fmt.Sprintf("，新到 %d 条（标 %s，现已读）", m.fresh, strings.TrimSpace(table.Mark))
		}
		return line(s + " · " + m.ctx.Keys.Alerts.Open.Help().Key + " 打开所在工单")
	}
	switch m.logState {
	case logFailed:
		return fail("读取通知发送记录失败：" + m.logErr)
	case logLoaded:
		counts, total := m.logCounts()
		s := fmt.Sprintf("本单位 %s 以来的通知 %d 条", m.ctx.Short(m.logFrom), total)
		if total > len(m.deliveries) {
			// The platform sent the newest only: the counts are the
			// window's, the rows fewer.
			s = fmt.Sprintf("共 %d 条，显示最近 %d 条", total, len(m.deliveries))
		}
		for _, status := range []string{"sent", "failed", "dropped", "queued", "sending"} {
			if n := counts[status]; n > 0 {
				s += fmt.Sprintf(" · %s %d", StatusLabel(status), n)
			}
		}
		return line(s)
	}
	return line(fmt.Sprintf("正在从平台读取本单位近 %d 天的通知发送记录…", LogDays))
}

// pane is the row under the cursor whole: a rule that says what it is
// about, then its text wrapped, the last line ending in … when there is
// more.
func (m *Model) pane() []string {
	st := m.ctx.Styles
	title, text := m.whole()
	rule := "──"
	if title != "" {
		rule += " " + cells.Line(title) + " "
	}
	out := []string{st.Section.Render(cells.Fit(rule+strings.Repeat("─", max(m.width-cells.Width(rule), 0)), m.width))}
	n := m.paneLines()
	lines := cells.Wrap(cells.Sanitize(text), max(m.width-2, 1))
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = cells.Cut(lines[n-1], max(m.width-2-cells.Width(cells.Ellipsis), 1), "") + cells.Ellipsis
	}
	for i := range n {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out = append(out, cells.Fit(" "+l, m.width))
	}
	return out
}

// whole is the title and the text of the row under the cursor, "" without
// one.
func (m *Model) whole() (title, text string) {
	if m.view == Log {
		d, ok := m.delivery()
		if !ok {
			return "", ""
		}
		title = fmt.Sprintf("工单 %s · %s · %s · %s", orDash(d.Ticket), ChannelLabel(d.Channel), Recipient(d), StatusLabel(d.Status))
		if d.Attempts > 0 {
			title += fmt.Sprintf("（发送 %d 次）", d.Attempts)
		}
		text = d.Text
		if !d.SentAt.IsZero() {
			text = "送达于 " + m.ctx.Full(d.SentAt) + "：" + text
		}
		if d.LastError != "" {
			text += "\n失败原因：" + d.LastError
		}
		return title, text
	}
	a, ok := m.alert()
	if !ok {
		return "", ""
	}
	title = "工单 " + orDash(a.Ticket) + " · " + m.ctx.Full(a.At)
	if a.Urgent {
		title += " · " + urgent
	}
	return title, a.Text
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	m.tabs.Active = int(m.view)
	t := m.list.View()
	if m.view == Log {
		t = m.log.View()
	}
	return strings.Join(append([]string{m.tabs.View(), m.info(), t}, m.pane()...), "\n")
}
