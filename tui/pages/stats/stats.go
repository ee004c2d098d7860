// Package stats is the two figures screens: 投诉办理情况统计 (handling
// statistics: every figure of complaint.Compute per sub-unit and for the
// unit, a bar chart of any figure and the daily volume with the deadlines
// missed) and 本部门督办情况统计 (supervision statistics: what was urged and
// supervised, what came of it and how soon the unit acted, per sub-unit and
// for the unit, with a bar chart of any figure and the outcomes of the row
// under the cursor). Both cover a day, a month, a year or any range of
// days, moved back and forth a period at a time. The figures are computed
// from the cache in a command, never in Update or View; keys keep working
// while they are. Either screen exports the period's figures with one key,
// as package report's monthly report (.xlsx) or its CSV.
package stats

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/report"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/chart"
	"hotline/tui/components/editor"
)

// Kind is which of the two screens a page is.
type Kind int

const (
	Handling    Kind = iota // 投诉办理情况统计
	Supervision             // 本部门督办情况统计
)

// Title is the screen's name, as the old platform's menu called it.
func (k Kind) Title() string {
	if k == Supervision {
		return "本部门督办情况统计"
	}
	return "投诉办理情况统计"
}

// The two charts of a screen, when only one fits: the bars of the figure
// under the cursor, and the other — the daily volume (handling), or what
// came of the urged and supervised tickets of the row under the cursor
// (supervision).
const (
	chartBars = iota
	chartOther
)

// pages numbers the pages of the program, so that an answer meant for an
// earlier page is known.
var pages atomic.Int64

// Figures is what a page shows for one period: the handling statistics,
// or the oversight of the unit and of each sub-unit.
type Figures struct {
	Period complaint.Period
	// Now is when they were computed: the days of the period after it have
	// not come, and are not drawn as days without tickets.
	Now        time.Time
	Statistics complaint.Statistics
	Oversight  complaint.Oversight
	Subunits   []complaint.Oversight
}

// Query is what figures are computed from, taken from the program's
// context when the computation starts, so that the command reads nothing
// the UI may change meanwhile.
type Query struct {
	Period   complaint.Period
	Units    []complaint.Unit
	Unit     string // the first-level unit whose figures these are
	Policy   complaint.Policy
	Calendar app.Calendar
	Weights  complaint.Weights
	Now      time.Time
}

// Source computes the figures of a query; it runs in a command. The
// default reads the cache's tickets of the period and computes them (see
// load.go).
type Source func(ctx context.Context, q Query) (Figures, error)

// Model is one of the statistics screens.
type Model struct {
	ctx    *app.Context
	kind   Kind
	keys   KeyMap
	id     int64
	source Source

	span      Span
	period    complaint.Period // the period asked for
	seq       int              // the computation asked for last
	computing bool
	cancel    context.CancelFunc
	err       string // why the computation of period failed

	shown  *Figures // the figures on screen; nil before the first
	labels []string // the rows' names: the sub-units', then the unit's
	cols   []column

	row, col        int
	rowTop, colLeft int
	chart           int
	code            string // the sub-unit under the cursor, kept across periods

	typing   bool
	input    editor.Model
	inputErr string

	dir       string // where exports are written
	home      string // the user's home directory, shown as ~ when room is short
	exporting bool
	exported  *result // the last export's outcome, shown until the next

	width, height int
}

// New returns the handling statistics screen (投诉办理情况统计) over the
// current month; Init computes it.
func New(ctx *app.Context) *Model { return newModel(ctx, Handling) }

// NewOversight returns the supervision statistics screen (本部门督办情况统计)
// over the current month; Init computes it.
func NewOversight(ctx *app.Context) *Model { return newModel(ctx, Supervision) }

func newModel(ctx *app.Context, kind Kind) *Model {
	m := &Model{ctx: ctx, kind: kind, keys: DefaultKeyMap(), id: pages.Add(1), span: Month, width: 1, height: 3}
	m.source = fromStore(ctx.Store)
	m.dir = DefaultDir()
	m.home, _ = os.UserHomeDir()
	m.period = Current(Month, ctx.Now())
	m.input = editor.New(ctx.Keys.Form.Editor)
	m.input.Prompt = "起止日期："
	m.input.Placeholder = "2020-05-01 2020-05-31"
	return m
}

// SetKeys replaces the default keys with the settings' (ctx.Keys.Stats).
func (m *Model) SetKeys(k KeyMap) { m.keys = k }

// SetDir sets the directory exports are written to.
func (m *Model) SetDir(dir string) { m.dir = dir }

// Kind is which screen the page is.
func (m *Model) Kind() Kind { return m.kind }

// Period is the period asked for, and its span.
func (m *Model) Period() (Span, complaint.Period) { return m.span, m.period }

// Shown is the figures on screen, nil before the first are computed.
func (m *Model) Shown() *Figures { return m.shown }

// Computing reports whether a computation is under way.
func (m *Model) Computing() bool { return m.computing }

// Selected is the row (a sub-unit, the last the unit) and the figure (the
// table's column) under the cursor.
func (m *Model) Selected() (row, col int) { return m.row, m.col }

// Column is the title of the figure under the cursor.
func (m *Model) Column() string {
	if m.col < len(m.cols) {
		return m.cols[m.col].title
	}
	return ""
}

// Ready reports whether the page takes keys: always, computing or not.
func (m *Model) Ready() bool { return true }

// Typing reports whether the dates' line is open and takes every key.
func (m *Model) Typing() bool { return m.typing }

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap {
	if m.typing {
		return typingKeys{m.keys}
	}
	k := m.keys
	k.Chart.SetEnabled(!m.both())
	k.CSV.SetEnabled(m.kind == Handling)
	k.Deliveries.SetEnabled(m.kind == Supervision)
	return k
}

// Cursor is where the terminal cursor belongs while the dates' line is
// open, in cells from the page's top-left corner.
func (m *Model) Cursor() (x, y int, ok bool) {
	if !m.typing {
		return 0, 0, false
	}
	x, y = m.input.Cursor()
	return x, y + 1, true
}

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetSize(max(w-1, 1), 1)
	m.scroll()
}

// Messages of the page's commands.
type (
	computedMsg struct {
		page    int64
		seq     int
		figures Figures
		err     error
	}
	exportedMsg struct {
		page int64
		path string
		err  error // a *dirError or a *fileError
	}
)

// Init computes the figures of the period shown.
func (m *Model) Init() tea.Cmd { return m.compute() }

// Refresh computes the figures again, keeping them on screen meanwhile:
// the cache changed.
func (m *Model) Refresh() tea.Cmd { return m.compute() }

// Close stops a computation under way: the page is left.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// compute starts computing the period asked for, abandoning the one under
// way.
func (m *Model) compute() tea.Cmd {
	m.Close()
	m.seq++
	m.computing, m.err = true, ""
	ctx, cancel := context.WithCancel(m.ctx.Bg())
	m.cancel = cancel
	src, q, id, seq := m.source, m.query(), m.id, m.seq
	return func() tea.Msg {
		f, err := src(ctx, q)
		f.Period, f.Now = q.Period, q.Now
		return computedMsg{page: id, seq: seq, figures: f, err: err}
	}
}

// query is the figures asked for, as the context has them now.
func (m *Model) query() Query {
	c := m.ctx
	unit := c.Unit.Code
	if c.Unit.Kind == complaint.KindSubunit && c.Unit.Parent != "" {
		// A handler sees the figures of the unit their sub-unit is part of.
		unit = c.Unit.Parent
	}
	return Query{Period: m.period, Units: slices.Clone(c.Units), Unit: unit, Policy: c.Policy(),
		Calendar: c.Calendar, Weights: c.Weights, Now: c.Now()}
}

// Update handles the page's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case computedMsg:
		if msg.page != m.id || msg.seq != m.seq {
			return nil
		}
		m.computing, m.cancel = false, nil
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.show(msg.figures)
		return nil
	case exportedMsg:
		if msg.page != m.id {
			return nil
		}
		m.exporting = false
		if msg.err != nil {
			text := m.failure(msg.err)
			m.exported = &result{fail: text}
			return app.NoticeErr(text)
		}
		m.exported = &result{path: msg.path}
		return app.Notice("已导出到 " + msg.path)
	case tea.PasteMsg:
		if m.typing {
			m.input.Update(msg)
		}
	case tea.KeyPressMsg:
		if m.typing {
			return m.typingKey(msg)
		}
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.Close()
		return m.ctx.Navigate(app.BackMsg{})
	case key.Matches(msg, k.Earlier):
		return m.move(-1)
	case key.Matches(msg, k.Later):
		return m.move(1)
	case key.Matches(msg, k.Day):
		return m.choose(Day)
	case key.Matches(msg, k.Month):
		return m.choose(Month)
	case key.Matches(msg, k.Year):
		return m.choose(Year)
	case key.Matches(msg, k.Custom):
		m.typing, m.inputErr = true, ""
		m.input.SetValue(Range(m.period))
		return nil
	case key.Matches(msg, k.Next) && len(m.cols) > 0:
		// Round, as tab goes round a form's fields.
		m.setCol((m.col + 1) % len(m.cols))
		return nil
	case key.Matches(msg, k.Prev) && len(m.cols) > 0:
		m.setCol((m.col + len(m.cols) - 1) % len(m.cols))
		return nil
	case key.Matches(msg, k.Chart):
		m.chart = 1 - m.chart
		return nil
	case key.Matches(msg, k.Export):
		return m.export(xlsx)
	case key.Matches(msg, k.CSV):
		return m.export(csv)
	case key.Matches(msg, k.Refresh):
		return m.compute()
	case key.Matches(msg, k.Deliveries) && m.kind == Supervision:
		// What the platform sent the unit's people, and what came of
		// it, is part of supervising: the log opens from here.
		return m.ctx.Navigate(app.OpenAlertsMsg{Log: true})
	}
	if row, ok := k.Rows.Scroll(msg, m.row, m.tableRows(), m.rows()-1); ok {
		m.setRow(row)
	}
	return nil
}

func (m *Model) typingKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.typing, m.inputErr = false, ""
		return nil
	case key.Matches(msg, m.keys.Done):
		p, err := ParseRange(m.input.Value())
		if err != nil {
			m.inputErr = err.Error()
			return nil
		}
		if now := m.ctx.Now(); !p.From.Before(now) {
			// As ← and → refuse a period to come: there is nothing to
			// count in it yet.
			today := now.In(complaint.China).Format("2006-01-02")
			m.inputErr = "开始日期 " + p.From.In(complaint.China).Format("2006-01-02") + " 晚于今天（" + today + "），没有可统计的工单"
			return app.Notice(m.inputErr)
		}
		m.typing, m.inputErr = false, ""
		m.span, m.period = Custom, p
		return m.compute()
	}
	if m.input.Update(msg) {
		m.inputErr = ""
	}
	return nil
}

// choose shows the current period of span s: again when it is shown
// already, which brings a period moved away from back to now.
func (m *Model) choose(s Span) tea.Cmd {
	p := Current(s, m.ctx.Now())
	if s == Custom {
		p = m.period
	}
	if s == m.span && same(p, m.period) && !m.computing {
		return nil
	}
	m.span, m.period = s, p
	return m.compute()
}

// move shows the period n periods later (earlier for n < 0). Periods that
// start after now have nothing to count: the page stays.
func (m *Model) move(n int) tea.Cmd {
	p := Shift(m.span, m.period, n)
	if !p.From.Before(m.ctx.Now()) {
		return app.Notice("没有更晚的统计期")
	}
	m.period = p
	return m.compute()
}

// same reports whether a and b are the same instants.
func same(a, b complaint.Period) bool { return a.From.Equal(b.From) && a.To.Equal(b.To) }

// show puts the figures on screen, keeping the cursor on the sub-unit it
// was on.
func (m *Model) show(f Figures) {
	m.shown = &f
	m.labels = m.labels[:0]
	switch m.kind {
	case Handling:
		rows := append(slices.Clone(f.Statistics.Subunits), f.Statistics.Unit)
		for _, s := range f.Statistics.Subunits {
			m.labels = append(m.labels, s.Name)
		}
		m.cols = handlingColumns(rows)
	case Supervision:
		rows := append(slices.Clone(f.Subunits), f.Oversight)
		for _, s := range f.Subunits {
			m.labels = append(m.labels, s.Name)
		}
		m.cols = oversightColumns(rows)
	}
	m.labels = append(m.labels, totalLabel)
	row := len(m.labels) - 1
	for i, c := range m.codes() {
		if c == m.code {
			row = i
		}
	}
	m.setRow(row)
	m.setCol(m.col)
}

// totalLabel names the unit's row.
const totalLabel = "合计"

// codes are the rows' codes: the sub-units', then the unit's.
func (m *Model) codes() []string {
	var out []string
	if m.shown == nil {
		return out
	}
	if m.kind == Handling {
		for _, s := range m.shown.Statistics.Subunits {
			out = append(out, s.Code)
		}
		return append(out, m.shown.Statistics.Unit.Code)
	}
	for _, s := range m.shown.Subunits {
		out = append(out, s.Code)
	}
	return append(out, m.shown.Oversight.Code)
}

// rows is the number of rows: the sub-units and the unit.
func (m *Model) rows() int { return len(m.labels) }

// subunits is the number of sub-units: the rows but the unit's.
func (m *Model) subunits() int { return max(len(m.labels)-1, 0) }

func (m *Model) setRow(r int) {
	m.row = max(0, min(r, m.rows()-1))
	if codes := m.codes(); m.row < len(codes) {
		m.code = codes[m.row]
	}
	m.scroll()
}

func (m *Model) setCol(c int) {
	m.col = max(0, min(c, len(m.cols)-1))
	m.scroll()
}

// Layout of the screen, from the top: the title with the period, the
// table's header, its rows, the detail line of the row under the cursor,
// then the charts.
const (
	minChart = 6 // the fewest lines the charts get below the table
	minDaily = 8 // the fewest lines of the daily chart: title, legend, plot of 3, axis, labels
	outcomes = 5 // the lines of the outcome chart: title, a bar each of four outcomes
	minTable = 2 // the fewest rows of the table shown
)

// tableRows is the number of table rows shown.
func (m *Model) tableRows() int {
	return max(min(m.rows(), m.height-3-minChart), min(m.rows(), minTable), 1)
}

// chartHeight is the lines left for the charts.
func (m *Model) chartHeight() int {
	return max(m.height-3-m.tableRows()-len(m.note())-len(m.exportLines()), 0)
}

// note is the calendar's warning about the figures shown, as a line of
// its own, or nothing.
func (m *Model) note() []string {
	if m.shown == nil || m.shown.Statistics.Note == "" {
		return nil
	}
	return []string{m.ctx.Styles.Warn.Render(cells.Fit("注意："+cells.Line(m.shown.Statistics.Note), m.width))}
}

// barsHeight is the lines the bar chart needs whole: its title and a bar a
// sub-unit.
func (m *Model) barsHeight() int { return 1 + m.subunits() }

// both reports whether the bar chart and the daily chart fit together.
func (m *Model) both() bool {
	other := minDaily
	if m.kind == Supervision {
		other = outcomes
	}
	return m.chartHeight() >= m.barsHeight()+other
}

// scroll keeps the cursor's row and column in view.
func (m *Model) scroll() {
	n := m.tableRows()
	if m.row < m.rowTop {
		m.rowTop = m.row
	}
	if m.row >= m.rowTop+n {
		m.rowTop = m.row - n + 1
	}
	m.rowTop = max(0, min(m.rowTop, m.rows()-n))
	if m.col < m.colLeft {
		m.colLeft = m.col
	}
	for m.colLeft < m.col && m.lastCol(m.colLeft) < m.col {
		m.colLeft++
	}
}

// nameWidth is the table's first column: the cursor's mark and the names,
// cut at a quarter of the width.
func (m *Model) nameWidth() int {
	w := cells.Width(totalLabel)
	for _, l := range m.labels {
		w = max(w, cells.Width(cells.Line(l)))
	}
	return max(min(w+2, m.width/4), 8)
}

// colWidth is column c's cells: a blank, the cursor's mark, and the wider
// of its title and its values.
func (m *Model) colWidth(c int) int {
	w := cells.Width(m.cols[c].title) + 1
	for r := range m.rows() {
		w = max(w, cells.Width(m.cols[c].text(r)))
	}
	return w + 1
}

// lastCol is the last column shown whole when the columns start at left.
func (m *Model) lastCol(left int) int {
	room := m.width - m.nameWidth() - 1
	last := left
	for c := left; c < len(m.cols); c++ {
		room -= m.colWidth(c)
		if room < 0 {
			break
		}
		last = c
	}
	return last
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	out := make([]string, 0, m.height)
	out = append(out, m.titleLine())
	st := m.ctx.Styles
	switch {
	case m.typing && m.shown == nil:
		out = append(out, m.inputLine(), m.inputHint())
	case m.typing:
		body := m.body()
		body[0] = m.inputLine()
		body[1+m.tableRows()] = m.inputHint()
		out = append(out, body...)
	case m.err != "":
		out = append(out, m.message(st.Error.Render, "统计失败："+m.err)...)
	case m.shown == nil || !same(m.shown.Period, m.period):
		out = append(out, m.message(st.Muted.Render, "计算中…")...)
	default:
		out = append(out, m.body()...)
	}
	for len(out) < m.height {
		out = append(out, strings.Repeat(" ", m.width))
	}
	return strings.Join(out[:m.height], "\n")
}

// inputLine is the dates' line; the cell right of it stays free for the
// cursor after a line that fills it.
func (m *Model) inputLine() string { return m.input.View() + " " }

// inputHint says what the dates' line takes, or what was wrong with it.
func (m *Model) inputHint() string {
	st := m.ctx.Styles
	if m.inputErr != "" {
		return st.Error.Render(cells.Fit(cells.Line(m.inputErr), m.width))
	}
	msg := "输入起止日期（含首尾两天），" + m.keys.Done.Help().Key + " 确定，" + m.keys.Cancel.Help().Key + " 取消"
	return st.Muted.Render(cells.Fit(msg, m.width))
}

// message is the body's lines with text in their middle.
func (m *Model) message(render func(...string) string, text string) []string {
	lines := cells.Wrap(cells.Sanitize(text), m.width)
	top := max((m.height-1-len(lines))/2, 0)
	out := make([]string, 0, m.height-1)
	for len(out) < top {
		out = append(out, strings.Repeat(" ", m.width))
	}
	for _, l := range lines {
		out = append(out, render(cells.Center(l, m.width)))
	}
	return out
}

// titleLine is the screen's name, the period selector and the period
// shown; without room for all of it, plain and cut.
func (m *Model) titleLine() string {
	st := m.ctx.Styles
	title := " " + m.kind.Title() + " "
	var tabs []string
	for _, s := range spans {
		tabs = append(tabs, fmt.Sprintf(" %s%s ", m.spanKey(s.span), s.title))
	}
	plain := title + " " + strings.Join(tabs, " ")
	label := Label(m.span, m.period)
	if m.computing && m.shown != nil && same(m.shown.Period, m.period) {
		label = "计算中… " + label
	}
	// The arrows say that ←/→ move the period; they go first when room
	// is short.
	right := "‹ " + label + " ›"
	if cells.Width(plain)+1+cells.Width(right) > m.width {
		right = label
	}
	used := cells.Width(plain) + 1 + cells.Width(right)
	if used > m.width {
		return cells.Fit(plain+" "+right, m.width)
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(title) + " ")
	for i, s := range spans {
		if i > 0 {
			b.WriteString(" ")
		}
		if s.span == m.span {
			b.WriteString(st.TabActive.Render(tabs[i]))
		} else {
			b.WriteString(st.TabInactive.Render(tabs[i]))
		}
	}
	b.WriteString(strings.Repeat(" ", m.width-used+1))
	b.WriteString(right)
	return b.String()
}

// spanKey is the first key of span s's binding, as help shows it.
func (m *Model) spanKey(s Span) string {
	switch s {
	case Day:
		return m.keys.Day.Help().Key
	case Month:
		return m.keys.Month.Help().Key
	case Year:
		return m.keys.Year.Help().Key
	}
	return m.keys.Custom.Help().Key
}

// body is the lines under the title: the table's header and rows, the
// detail line and the charts, height-1 lines in all.
func (m *Model) body() []string {
	out := make([]string, 0, m.height)
	out = append(out, m.header())
	n := m.tableRows()
	for r := m.rowTop; r < m.rowTop+n; r++ {
		out = append(out, m.tableRow(r))
	}
	out = append(out, m.detail())
	out = append(out, m.note()...)
	out = append(out, m.exportLines()...)
	out = append(out, m.charts(m.chartHeight())...)
	return out
}

// visible is the columns shown, from colLeft.
func (m *Model) visible() (first, last int) {
	return m.colLeft, m.lastCol(m.colLeft)
}

func (m *Model) header() string {
	st := m.ctx.Styles
	nw := m.nameWidth()
	first, last := m.visible()
	name := "  部门"
	left := " "
	if first > 0 {
		left = "‹"
	}
	var b strings.Builder
	b.WriteString(cells.Fit(name, nw-1) + left)
	used := nw
	for c := first; c <= last && c < len(m.cols); c++ {
		mark := " "
		if c == m.col {
			mark = "▾"
		}
		cw := m.colWidth(c)
		b.WriteString(cells.PadLeft(mark+m.cols[c].title, cw))
		used += cw
	}
	right := " "
	if last < len(m.cols)-1 {
		right = "›"
	}
	return st.Header.Render(b.String() + strings.Repeat(" ", max(m.width-used-1, 0)) + right)
}

func (m *Model) tableRow(r int) string {
	st := m.ctx.Styles
	if r >= m.rows() {
		return strings.Repeat(" ", m.width)
	}
	nw := m.nameWidth()
	mark := "  "
	if r == m.row {
		mark = chart.Selected + " "
	}
	var b strings.Builder
	b.WriteString(mark + cells.Fit(cells.Line(m.labels[r]), nw-2))
	used := nw
	first, last := m.visible()
	for c := first; c <= last && c < len(m.cols); c++ {
		cw := m.colWidth(c)
		b.WriteString(cells.PadLeft(m.cols[c].text(r), cw))
		used += cw
	}
	line := b.String() + strings.Repeat(" ", max(m.width-used, 0))
	switch {
	case r == m.row:
		return st.Selected.Render(line)
	case r == m.rows()-1:
		return st.Header.Render(line)
	}
	return line
}

// detail tells the figure under the cursor for the row under it, with
// what it is made of, and then the row's other rates (handling) or its
// whole outcome (supervision).
func (m *Model) detail() string {
	if m.row >= m.rows() || m.col >= len(m.cols) {
		return strings.Repeat(" ", m.width)
	}
	c := m.cols[m.col]
	text := cells.Line(m.labels[m.row]) + "  " + c.detail(m.row)
	if m.kind == Handling {
		if rest := rates(m.cols, m.row, m.col); rest != "" {
			text += "  ·  " + rest
		}
	} else {
		text += "  ·  " + outcome(m.oversightRow(m.row))
	}
	return cells.Fit(text, m.width)
}

func (m *Model) oversightRow(r int) complaint.Oversight {
	if r < len(m.shown.Subunits) {
		return m.shown.Subunits[r]
	}
	return m.shown.Oversight
}

// charts is the chart area, h lines: the bar chart of the figure under the
// cursor and the daily chart when both fit, else the one chosen.
func (m *Model) charts(h int) []string {
	if h <= 0 {
		return nil
	}
	other := m.dailyChart
	if m.kind == Supervision {
		other = m.outcomeChart
	}
	switch {
	case m.both():
		bh := m.barsHeight()
		return append(m.barChart(bh), other(h-bh)...)
	case m.chart == chartOther:
		return other(h)
	}
	return m.barChart(h)
}

// rule is a chart's title line: "── 各部门 办复率 ────".
func (m *Model) rule(title string) string {
	text := "── " + title + " "
	return m.ctx.Styles.Section.Render(cells.Fit(text+strings.Repeat("─", max(m.width-cells.Width(text), 0)), m.width))
}

func (m *Model) barChart(h int) []string {
	c := m.cols[m.col]
	total := m.rows() - 1
	_, text, _ := c.bar(total)
	out := []string{m.rule(fmt.Sprintf("各部门 %s（合计 %s）", c.title, text))}
	if h <= 1 {
		return out[:h]
	}
	rows := h - 1
	cursor := -1
	if m.row < m.subunits() {
		cursor = m.row
	}
	first := 0
	if cursor >= rows {
		first = cursor - rows + 1
	}
	if m.subunits() == 0 {
		return append(out, m.ctx.Styles.Muted.Render(cells.Fit("  （本单位没有部门）", m.width)))
	}
	b := chart.Bars{Bars: bars(c, m.labels, m.subunits()), Max: c.top, Cursor: cursor}
	return append(out, b.View(m.width, rows, first, chart.NewStyles(m.ctx.Styles))...)
}

// outcomeChart is what came of the urged and supervised tickets of the
// row under the cursor: a bar for each outcome, against all of them.
func (m *Model) outcomeChart(h int) []string {
	o := m.oversightRow(m.row)
	out := []string{m.rule(fmt.Sprintf("%s 催办督办工单的结果（共 %d 件）", cells.Line(m.labels[m.row]), o.Tickets))}
	if h <= 1 {
		return out[:h]
	}
	share := func(n int) string {
		if o.Tickets == 0 {
			return fmt.Sprintf("%d 件", n)
		}
		return fmt.Sprintf("%d 件 %.1f%%", n, 100*float64(n)/float64(o.Tickets))
	}
	var bs []chart.Bar
	for _, x := range []struct {
		label string
		n     int
	}{{"已反馈", o.FedBack}, {"在办", o.Open}, {"超时", o.Overdue}, {"退单", o.Returned}} {
		bs = append(bs, chart.Bar{Label: x.label, Value: float64(x.n), Text: share(x.n)})
	}
	b := chart.Bars{Bars: bs, Max: float64(o.Tickets), Cursor: -1}
	return append(out, b.View(m.width, h-1, 0, chart.NewStyles(m.ctx.Styles))...)
}

// dailyChart is the tickets received each day of the period, with the
// deadlines missed each day overlaid. The time axis is the whole period;
// the line stops at the day the figures were computed, as the days after
// it have not come (the legend says 至 12/5).
func (m *Model) dailyChart(h int) []string {
	all := m.shown.Statistics.Days
	days := report.SoFar(m.shown.Statistics, m.shown.Now).Days
	out := []string{m.rule("每日受理量与超时（" + Range(m.shown.Period) + "）")}
	if h <= 1 {
		return out[:h]
	}
	// Days of two years carry their year: 12/31 then 1/1 would read as
	// the same year's.
	layout := "1/2"
	if n := len(all); n > 0 && all[0].Date.In(complaint.China).Year() != all[n-1].Date.In(complaint.China).Year() {
		layout = "2006/1/2"
	}
	l := chart.Line{Name: "受理", OverName: "超时", Unit: "天"}
	for i, d := range all {
		l.Labels = append(l.Labels, d.Date.In(complaint.China).Format(layout))
		if i < len(days) {
			l.Values = append(l.Values, d.Received)
			l.Over = append(l.Over, d.Missed)
		}
	}
	return append(out, l.View(m.width, h-1, chart.NewStyles(m.ctx.Styles))...)
}
