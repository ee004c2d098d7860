// Package search is 投诉查询: the tickets of the terminal's cache found by
// their text (title, content, address, the reply, … as store.Search reads
// it) and narrowed by conditions — number, caller's phone, the days
// received, state, sub-unit, category, overdue — and, on request, the same
// search on the platform, for older tickets the cache does not hold. What
// the query matched is highlighted in the titles. The page searches as
// one types, after a short pause, and shows only the answer to the latest
// question: an answer that comes back after the question changed is
// dropped.
package search

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
)

// Debounce is the pause in typing after which the page searches.
const Debounce = 250 * time.Millisecond

// Cap is the most tickets a search shows; a question that finds more is
// told to narrow itself.
const Cap = 1000

// RemoteTimeout bounds a search on the platform.
const RemoteTimeout = 30 * time.Second

// Messages of the page's timer and commands. Seq is the question they
// answer: one asked before the latest is dropped.
type (
	// RunMsg is the pause after a change: search if nothing changed since.
	RunMsg struct{ Seq int }
	// FoundMsg is the cache's answer.
	FoundMsg struct {
		Seq     int
		Tickets []complaint.Ticket
		Err     error
	}
	// RemoteMsg is the platform's answer.
	RemoteMsg struct {
		Seq     int
		Tickets []complaint.Ticket
		Err     error
	}
)

type kind int

const (
	text kind = iota
	choice
	toggle
)

// option is one choice of a choice field: what it shows and the value it
// stands for ("" is any).
type option struct{ label, value string }

// field is one input of the page.
type field struct {
	label string
	kind  kind
	width int // cells of the value, the cell the cursor may take after a full text included
	ed    editor.Model
	value string          // choice: the option chosen
	opts  func() []option // choice
	on    bool            // toggle
}

// The fields, in the order tab moves through them.
const (
	fQuery = iota
	fNumber
	fPhone
	fFrom
	fTo
	fState
	fSubunit
	fCategory
	fOverdue
	nFields
)

// rows lays the fields out: the query alone on the first line, the
// conditions on the next two.
var rows = [][]int{{fQuery}, {fNumber, fPhone, fFrom, fTo}, {fState, fSubunit, fCategory, fOverdue}}

// head is the lines above the results: the fields and a line that tells
// what was found.
const head = 4

// The results' columns.
const (
	colNumber   = "编号"
	colTitle    = "标题"
	colReceived = "收到时间"
	colState    = "状态"
	colSubunit  = "基层单位"
	colSource   = "来源"
)

// platformMark marks a ticket found only on the platform.
const platformMark = "平台"

// Model is the search page.
type Model struct {
	ctx    *app.Context
	fields [nFields]*field
	focus  int
	table  table.Model
	width  int
	height int

	seq     int  // the question now asked; each change asks another
	pending bool // an answer to seq is awaited (from the cache or the platform)
	remote  bool // the pending answer is the platform's
	asked   bool // the results answer a question (else: nothing asked yet)
	// sent is the question the cache was last asked; shown, the one the
	// results answer. A new question's results start at the top; the
	// same question asked again (the cache changed) keeps the cursor.
	sent, shown ask

	found   []complaint.Ticket // the results, in order
	only    map[string]bool    // numbers found on the platform alone
	more    bool               // the cache holds more than Cap
	fromNet int                // tickets the platform added
	terms   []string           // the query's terms, highlighted
	err     string             // what is wrong with the question, or the last failure
}

// New returns the page with nothing asked.
func New(ctx *app.Context) *Model {
	m := &Model{ctx: ctx, width: 1, height: head + 2}
	line := func(label string, width int, placeholder string) *field {
		f := &field{label: label, kind: text, width: width, ed: editor.New(ctx.Keys.Form.Editor)}
		f.ed.Placeholder = placeholder
		return f
	}
	m.fields[fQuery] = line("查询", 0, "输入文字查询标题、内容、地址、答复等；tab 填写条件")
	m.fields[fNumber] = line("编号", 15, "不限")
	m.fields[fPhone] = line("电话", 13, "不限")
	m.fields[fFrom] = line("日期", 11, "年-月-日")
	m.fields[fTo] = line("至", 11, "年-月-日")
	m.fields[fState] = &field{label: "状态", kind: choice, width: 10, opts: states}
	m.fields[fSubunit] = &field{label: "基层单位", kind: choice, width: 20, opts: m.subunits}
	m.fields[fCategory] = line("类别", 12, "不限")
	m.fields[fOverdue] = &field{label: "仅超时", kind: toggle, width: 3}
	m.table = table.New(m.columns(4, false), ctx.Keys.Search.Move, &ctx.Styles)
	m.table.Empty = hint
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

// hint is what the page says before anything is asked.
const hint = "（请输入查询内容或条件）"

// states is the choice of 状态: any, or one state of the procedure.
func states() []option {
	out := []option{{"全部", ""}}
	for _, s := range complaint.States {
		out = append(out, option{s.Label(), string(s)})
	}
	return out
}

// subunits is the choice of 基层单位: any, or one sub-unit of the user's
// unit (every sub-unit the tree knows, for the center).
func (m *Model) subunits() []option {
	scope := m.ctx.User.Unit
	for _, u := range m.ctx.Units {
		if u.Code == scope && u.Kind == complaint.KindSubunit {
			scope = u.Parent
		}
	}
	center := m.ctx.User.Has(complaint.RoleCenter)
	out := []option{{"全部", ""}}
	for _, u := range m.ctx.Units {
		if u.Kind == complaint.KindSubunit && (center || u.Parent == scope) {
			out = append(out, option{cells.Line(u.Name), u.Code})
		}
	}
	return out
}

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.Search }

// Value is the text of the field with the label, for tests.
func (m *Model) Value(label string) string {
	for _, f := range m.fields {
		if f.label == label {
			if f.kind == text {
				return f.ed.Value()
			}
			return f.value
		}
	}
	return ""
}

// Shown is the numbers of the tickets found, in order.
func (m *Model) Shown() []string {
	var out []string
	for _, r := range m.table.Rows() {
		out = append(out, r.Key)
	}
	return out
}

// Selected is the number of the ticket under the cursor, or "".
func (m *Model) Selected() string {
	r, _ := m.table.Selected()
	return r.Key
}

// Err is what the page says is wrong, or "".
func (m *Model) Err() string { return m.err }

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, max(h, head+2)
	q := m.fields[fQuery]
	q.width = max(w-1-cells.Width(q.label)-1, 1)
	for _, f := range m.fields {
		if f.kind == text {
			// The last cell stays free for the cursor after a full text.
			f.ed.SetSize(f.width-1, 1)
		}
	}
	m.table.SetSize(w, m.height-head)
	m.fill()
}

// Refresh asks the current question again at once: the cache may have
// changed since it was answered.
func (m *Model) Refresh() tea.Cmd {
	if !m.asked {
		return nil
	}
	m.seq++
	return m.run()
}

// Cursor is where the terminal cursor belongs, in cells from the page's
// top-left corner: in the field being typed in.
func (m *Model) Cursor() (x, y int, ok bool) {
	f := m.fields[m.focus]
	if f.kind != text {
		return 0, 0, false
	}
	fx, fy := m.place(m.focus)
	ex, _ := f.ed.Cursor()
	return fx + ex, fy, true
}

// place is where field i's value starts.
func (m *Model) place(i int) (x, y int) {
	for r, row := range rows {
		x = 1
		for j, fi := range row {
			if j > 0 {
				x += gap
			}
			f := m.fields[fi]
			x += cells.Width(f.label) + 1
			if fi == i {
				return x, r
			}
			x += f.width
		}
	}
	return 0, 0
}

// gap is the blanks between two fields of a line.
const gap = 2

// Update handles the page's keys, pastes and the answers to its questions.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case RunMsg:
		if msg.Seq != m.seq {
			return nil
		}
		return m.run()
	case FoundMsg:
		if msg.Seq != m.seq || m.remote {
			return nil
		}
		m.pending = false
		if msg.Err != nil {
			m.err = "查询失败：" + msg.Err.Error()
			return nil
		}
		m.err = ""
		m.asked = true
		m.more = len(msg.Tickets) > Cap
		m.found = msg.Tickets[:min(len(msg.Tickets), Cap)]
		m.only, m.fromNet = nil, 0
		m.fill()
		if m.sent != m.shown {
			m.table.SetCursor(0)
		}
		m.shown = m.sent
	case RemoteMsg:
		if msg.Seq != m.seq || !m.remote {
			return nil
		}
		m.pending, m.remote = false, false
		if msg.Err != nil {
			m.err = "平台查询失败：" + msg.Err.Error()
			return nil
		}
		m.err = ""
		m.merge(msg.Tickets)
		m.fill()
	case tea.PasteMsg:
		return m.edit(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Search
	f := m.fields[m.focus]
	switch {
	case key.Matches(msg, k.Back):
		return m.ctx.Navigate(app.BackMsg{})
	case key.Matches(msg, k.Open):
		return m.open()
	case key.Matches(msg, k.Next):
		m.focus = (m.focus + 1) % nFields
	case key.Matches(msg, k.Prev):
		m.focus = (m.focus + nFields - 1) % nFields
	case key.Matches(msg, k.Remote):
		return m.searchRemote()
	case key.Matches(msg, k.Move.Up, k.Move.Down, k.Move.PageUp, k.Move.PageDown, k.Move.Top, k.Move.Bottom):
		m.table.Update(msg)
	case f.kind == choice && key.Matches(msg, k.Choose):
		// The first of the keys goes back (←), the others on (→).
		ks := k.Choose.Keys()
		d := 1
		if len(ks) > 1 && msg.String() == ks[0] {
			d = -1
		}
		return m.choose(f, d)
	case f.kind == toggle && key.Matches(msg, k.Toggle):
		f.on = !f.on
		return m.changed()
	case f.kind == text:
		return m.edit(msg)
	}
	return nil
}

// edit gives a key or a paste to the text field focused; a change asks the
// question again after the pause. The fields are one line: a line break
// pasted is a blank.
func (m *Model) edit(msg tea.Msg) tea.Cmd {
	f := m.fields[m.focus]
	if f.kind != text {
		return nil
	}
	if km, ok := msg.(tea.KeyPressMsg); ok && key.Matches(km, f.ed.KeyMap().Newline) {
		return nil
	}
	if !f.ed.Update(msg) {
		return nil
	}
	if v := f.ed.Value(); strings.Contains(v, "\n") {
		f.ed.SetValue(strings.ReplaceAll(v, "\n", " "))
	}
	return m.changed()
}

// choose moves a choice d options on, wrapping round.
func (m *Model) choose(f *field, d int) tea.Cmd {
	opts := f.opts()
	i := slices.IndexFunc(opts, func(o option) bool { return o.value == f.value })
	i = ((max(i, 0)+d)%len(opts) + len(opts)) % len(opts)
	f.value = opts[i].value
	return m.changed()
}

// changed asks a new question, after the pause: the answers to the ones
// before are dropped when they come.
func (m *Model) changed() tea.Cmd {
	m.seq++
	if m.remote {
		m.pending, m.remote = false, false
	}
	return m.ctx.After(Debounce, RunMsg{Seq: m.seq})
}

// ask is a question as the cache is asked it, to tell a new one from
// the same asked again: the filter but for the instant "overdue" is judged
// at, which moves on while the question stays.
type ask struct {
	query, number, phone, category, subunit string
	from, to                                time.Time
	states                                  string
	overdue                                 bool
}

func askOf(q string, f store.Filter) ask {
	var states []string
	for _, s := range f.States {
		states = append(states, string(s))
	}
	return ask{query: q, number: f.Number, phone: f.Phone, category: f.Category, subunit: f.Subunit,
		from: f.From, to: f.To, states: strings.Join(states, ","), overdue: f.Overdue}
}

// question is what the fields ask: the query's text and the conditions.
// empty says nothing is asked; err, what is wrong, in Chinese.
func (m *Model) question() (q string, f store.Filter, empty bool, err string) {
	val := func(i int) string { return strings.TrimSpace(m.fields[i].ed.Value()) }
	q = strings.Join(strings.Fields(val(fQuery)), " ")
	f = store.Filter{Number: val(fNumber), Phone: val(fPhone), Category: val(fCategory), Subunit: m.fields[fSubunit].value,
		Order: store.OrderReceived, Limit: Cap + 1}
	if p := f.Phone; p != "" && !store.ValidPhone(p) {
		if tail, ok := MaskedTail(p); ok {
			return "", f, false, fmt.Sprintf("电话只能填写数字；屏幕上的 %s 请只输入末几位，如 %s", p, tail)
		}
		return "", f, false, "电话只能填写数字，可带空格、短横线或括号"
	}
	from, bad := day(val(fFrom), m.ctx.Loc)
	if bad != "" {
		return "", f, false, "起始日期" + bad
	}
	to, bad := day(val(fTo), m.ctx.Loc)
	if bad != "" {
		return "", f, false, "截止日期" + bad
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return "", f, false, "起始日期晚于截止日期"
	}
	f.From = from
	if !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole of the last day
	}
	if s := m.fields[fState].value; s != "" {
		f.States = []complaint.State{complaint.State(s)}
	}
	if m.fields[fOverdue].on {
		f.Overdue, f.Now = true, m.ctx.Now()
	}
	empty = q == "" && f.Number == "" && f.Phone == "" && f.From.IsZero() && f.To.IsZero() && len(f.States) == 0 &&
		f.Subunit == "" && f.Category == "" && !f.Overdue
	return q, f, empty, ""
}

// MaskedTail is the digits after the stars of a phone masked as the
// screens show callers' numbers, 7868 of 139****7868, and whether p is
// such a phone. Those digits are what to search for: they find the number
// whether it is kept whole or masked.
func MaskedTail(p string) (string, bool) {
	i := strings.LastIndex(p, "*")
	if i < 0 {
		return "", false
	}
	// The blanks, dashes and brackets of phone numbers around it.
	tail := strings.Trim(p[i+1:], " -()\u3000")
	if tail == "" || !store.ValidPhone(tail) {
		return "", false
	}
	return tail, true
}

// dateForm is a date in the form day reads, to tell a date that does not
// exist (2020-02-30) from one written otherwise.
var dateForm = regexp.MustCompile(`^\d{4}-(\d{1,2})-(\d{1,2})$`)

// day reads a date as people write it, 2020-05-06, 2020-5-6 or 2020/5/6,
// as the start of that day in loc; "" is no date. What is wrong with s
// completes a sentence that starts with the field's name.
func day(s string, loc *time.Location) (time.Time, string) {
	if s == "" {
		return time.Time{}, ""
	}
	d := strings.NewReplacer("/", "-", ".", "-").Replace(s)
	t, err := time.ParseInLocation("2006-1-2", d, loc)
	if err == nil {
		return t, ""
	}
	if p := dateForm.FindStringSubmatch(d); p != nil {
		mo, _ := strconv.Atoi(p[1])
		dd, _ := strconv.Atoi(p[2])
		if mo < 1 || mo > 12 {
			return time.Time{}, fmt.Sprintf(" %s 不存在（没有 %d 月）", s, mo)
		}
		// The month is one: the day is past its end, or 0.
		return time.Time{}, fmt.Sprintf(" %s 不存在（%d 月没有 %d 日）", s, mo, dd)
	}
	return time.Time{}, "应写作 2020-05-06 这样的格式"
}

// run asks the cache the question now in the fields. A question with
// something wrong changes nothing but the message; an empty one asks
// nothing and clears the results.
func (m *Model) run() tea.Cmd {
	q, f, empty, bad := m.question()
	if bad != "" {
		m.err, m.pending = bad, false
		return nil
	}
	m.err = ""
	m.remote = false
	if empty {
		m.pending, m.asked = false, false
		m.found, m.only, m.more, m.fromNet = nil, nil, false, 0
		m.sent, m.shown = ask{}, ask{}
		m.fill()
		return nil
	}
	m.sent = askOf(q, f)
	m.terms = terms(q)
	m.pending = true
	st, ctx, seq := m.ctx.Store, m.ctx.Bg(), m.seq
	return func() tea.Msg {
		ts, err := st.Search(ctx, q, f)
		return FoundMsg{Seq: seq, Tickets: ts, Err: err}
	}
}

// terms is the query's words as the highlight takes them: store.Search
// skips a bare AND.
func terms(q string) []string {
	return slices.DeleteFunc(strings.Fields(q), func(s string) bool { return s == "AND" })
}

// searchRemote asks the platform the question of the fields, for tickets
// the cache lacks; they join the results marked 平台.
func (m *Model) searchRemote() tea.Cmd {
	if m.ctx.Remote == nil {
		return app.NoticeErr("未连接平台：无法在平台查询")
	}
	q, f, empty, bad := m.question()
	switch {
	case bad != "":
		m.err = bad
		return nil
	case empty:
		return app.NoticeErr("请先输入查询内容或条件")
	}
	// The cache's answer to the same question comes first, so that what
	// the platform adds is merged into it.
	if !m.asked || m.pending {
		return app.NoticeErr("请等本机查询完成后再在平台查询")
	}
	f.Limit = Cap
	m.err = ""
	m.pending, m.remote = true, true
	remote, seq := m.ctx.Remote, m.seq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), RemoteTimeout)
		defer cancel()
		ts, err := remote(ctx, q, f)
		return RemoteMsg{Seq: seq, Tickets: ts, Err: err}
	}
}

// merge adds the platform's tickets that the results lack, newest call
// first among all.
func (m *Model) merge(ts []complaint.Ticket) {
	have := map[string]bool{}
	for _, t := range m.found {
		have[t.Number] = true
	}
	m.only, m.fromNet = map[string]bool{}, 0
	all := slices.Clone(m.found)
	for _, t := range ts {
		if have[t.Number] {
			continue
		}
		have[t.Number] = true
		m.only[t.Number] = true
		m.fromNet++
		all = append(all, t)
	}
	slices.SortStableFunc(all, func(a, b complaint.Ticket) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Number, a.Number)
	})
	m.found = all
}

// open shows the ticket under the cursor, as the lists do.
func (m *Model) open() tea.Cmd {
	r, ok := m.table.Selected()
	if !ok {
		return nil
	}
	if m.only[r.Key] {
		return app.NoticeErr("工单 " + cells.Line(r.Key) + " 只在平台上，本机尚未缓存，不能打开")
	}
	return m.ctx.Navigate(app.OpenTicketMsg{Number: r.Key})
}

// Widths of the results' fixed columns, in cells.
const (
	wNumberMin = 4
	wNumberMax = 20
	wReceived  = 11
	wState     = 8
	wSubunit   = 12
	wSubunitW  = 18 // from wide
	wSource    = 4
	wide       = 100
)

func (m *Model) columns(number int, source bool) []table.Column {
	sub := wSubunit
	if m.width >= wide {
		sub = wSubunitW
	}
	cols := []table.Column{
		{Title: colNumber, Width: number},
		{Title: colTitle, Flex: true},
		{Title: colReceived, Width: wReceived},
		{Title: colState, Width: wState},
		{Title: colSubunit, Width: sub},
	}
	if source {
		cols = append(cols, table.Column{Title: colSource, Width: wSource})
	}
	return cols
}

// fill puts the results in the table.
func (m *Model) fill() {
	nw := wNumberMin
	rows := make([]table.Row, len(m.found))
	for i, t := range m.found {
		n := cells.Line(t.Number)
		nw = max(nw, cells.Width(n))
		sub := ""
		if t.Subunit != "" {
			sub = m.ctx.UnitName(t.Subunit)
		}
		cs := []string{n, t.Title, m.ctx.Short(t.ReceivedAt), state(t), sub}
		if len(m.only) > 0 {
			src := ""
			if m.only[t.Number] {
				src = platformMark
			}
			cs = append(cs, src)
		}
		rows[i] = table.Row{Key: t.Number, Cells: cs}
	}
	m.table.SetColumns(m.columns(min(nw, wNumberMax), len(m.only) > 0))
	m.table.SetRows(rows)
	m.table.Mark(m.terms, colTitle)
	m.table.Empty = hint
	if m.asked {
		m.table.Empty = "（没有找到符合的工单）"
	}
}

// state is a ticket's state as the lists show it: a closed ticket with the
// citizen's verdict.
func state(t complaint.Ticket) string {
	if t.State == complaint.Closed && t.Satisfaction != "" {
		return t.Satisfaction
	}
	return t.State.Label()
}

// told is the line under the fields: what is wrong, what was found, or
// what to do.
func (m *Model) told() (string, bool) {
	switch {
	case m.err != "":
		return m.err + "（结果未更新）", true
	case m.pending && m.remote:
		return "正在平台查询…", false
	case m.pending:
		return "正在查询…", false
	case !m.asked:
		return "输入文字即在本机缓存中查询；" + m.ctx.Keys.Search.Remote.Help().Key + " 在平台查询本机没有的工单", false
	}
	s := fmt.Sprintf("找到 %d 张", len(m.found))
	if m.more {
		s = fmt.Sprintf("找到超过 %d 张，显示最新的 %d 张；请加条件缩小范围", Cap, Cap)
	}
	switch {
	case m.only != nil && m.fromNet > 0:
		s += fmt.Sprintf("，其中 %d 张只在平台上（标“%s”）", m.fromNet, platformMark)
	case m.only != nil:
		s += "，平台上没有本机以外的工单"
	}
	return s, false
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	st := m.ctx.Styles
	out := make([]string, 0, m.height)
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(" ")
		used := 1
		for j, fi := range row {
			if j > 0 {
				b.WriteString(strings.Repeat(" ", gap))
				used += gap
			}
			f := m.fields[fi]
			label := st.Label
			if fi == m.focus {
				label = st.Selected
			}
			b.WriteString(label.Render(cells.Line(f.label)) + " ")
			b.WriteString(m.value(f, fi == m.focus))
			used += cells.Width(f.label) + 1 + f.width
		}
		b.WriteString(strings.Repeat(" ", max(m.width-used, 0)))
		out = append(out, b.String())
	}
	line, bad := m.told()
	if bad {
		out = append(out, st.Error.Render(cells.Fit(" "+cells.Line(line), m.width)))
	} else {
		out = append(out, st.Muted.Render(cells.Fit(" "+line, m.width)))
	}
	out = append(out, m.table.View())
	return strings.Join(out, "\n")
}

// value draws a field's value in exactly its width.
func (m *Model) value(f *field, focused bool) string {
	st := m.ctx.Styles
	switch f.kind {
	case choice:
		// A sub-unit the tree no longer has still narrows the search:
		// it shows by its code.
		label := cells.Line(f.value)
		for _, o := range f.opts() {
			if o.value == f.value {
				label = o.label
			}
		}
		s := "‹" + cells.Cut(label, f.width-2, cells.Ellipsis) + "›"
		pad := strings.Repeat(" ", f.width-cells.Width(s))
		if focused {
			return st.Title.Render(s) + pad
		}
		return s + pad
	case toggle:
		if f.on {
			return "[x]"
		}
		return "[ ]"
	}
	f.ed.PlaceholderStyle = st.Muted
	return f.ed.View() + " "
}
