// Package detail is one ticket's page: every field, the step due and its
// time left, the citizen's full text, its attachments (the call recording,
// photos, statements) with the files still on their way up, the contact
// record, the reply in the
// record sheet's fields with the review pre-check, the review, the return
// and extension requests, the history as a timeline, and what waits in the
// outbox — in one scrollable column under a line of the actions this user
// may take on this ticket now, each with its key. A refused action is shown
// with its text and the reason, to be corrected and sent again, sent again
// as it is, or given up. An attachment is downloaded into the cache and
// opened with the system's viewer, or saved as a copy; the recording is
// played, paused and stopped from here (files.go).
package detail

import (
	"fmt"
	"sort"
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
	"hotline/tui/keys"
)

// LoadedMsg carries a ticket with its history and outbox from the store.
type LoadedMsg struct {
	Number  string
	Ticket  complaint.Ticket
	Outbox  []store.OutboxItem
	Uploads []store.Upload
	Err     error
}

// Model is the ticket page.
type Model struct {
	ctx     *app.Context
	number  string
	ticket  complaint.Ticket
	outbox  []store.OutboxItem
	loaded  bool
	err     error
	keys    keys.Detail // the ticket's action keys, enabled as allowed
	bar     []string    // the action line(s), each exactly width cells
	lines   []string    // the scrollable body, each exactly width cells
	confirm bool        // X was pressed: y gives up the refused action
	// acting is set from an action taken at once (sign, send) until the
	// page shows its outcome: refused, or stored and the page read again.
	// Keys typed meanwhile wait, so that s then r replies to the ticket
	// as signed.
	acting   bool
	enqueued bool // the action acting waits on is stored; the reload follows
	offset   int
	width    int
	height   int
	files    files // the attachments: cursor, download, playback (files.go)
}

// New returns the page for ticket number; Load fills it.
func New(ctx *app.Context, number string) *Model {
	m := &Model{ctx: ctx, number: number, width: 1, height: 3}
	m.keys = ctx.Keys.Detail
	m.keys.Actions = append([]keys.Action(nil), ctx.Keys.Detail.Actions...)
	m.enable()
	return m
}

// Ready reports whether the page takes keys now: once the ticket is read
// (or failed to be) and no action taken at once is on its way. Keys typed
// before wait for it.
func (m *Model) Ready() bool {
	return (m.loaded || m.err != nil) && !m.acting && (m.files.picker == nil || m.files.picker.Ready())
}

// Number is the ticket shown.
func (m *Model) Number() string { return m.number }

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap {
	if m.files.picker != nil {
		return m.files.picker.KeyMap()
	}
	if m.files.prompt != nil {
		// The path line's keys, said for saving.
		k := m.ctx.Keys.PickerLine
		k.Go.SetHelp(k.Go.Help().Key, "保存")
		k.Close.SetHelp(k.Close.Help().Key, "取消")
		return k
	}
	return m.keys
}

// Load reads the ticket and its outbox.
func (m *Model) Load() tea.Cmd {
	st, ctx, n := m.ctx.Store, m.ctx.Bg(), m.number
	return func() tea.Msg {
		t, err := st.Ticket(ctx, n)
		if err != nil {
			return LoadedMsg{Number: n, Err: err}
		}
		out, err := st.Outbox(ctx, n)
		if err != nil {
			return LoadedMsg{Number: n, Err: err}
		}
		ups, err := st.Uploads(ctx, n)
		return LoadedMsg{Number: n, Ticket: t, Outbox: out, Uploads: ups, Err: err}
	}
}

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.files.picker != nil {
		m.files.picker.SetSize(w, h)
	}
	m.files.prompt.resize(w)
	m.layout()
}

func (m *Model) bodyHeight() int { return max(m.height-1-len(m.bar)-len(m.statusLines()), 1) }

// formKind is the action whose permission opens each form: the review form
// serves approval and rejection, the return decision acceptance and refusal.
var formKind = map[string]complaint.Kind{
	keys.ActSign:             complaint.KindSign,
	keys.ActSend:             complaint.KindSend,
	keys.FormAssign:          complaint.KindAssign,
	keys.FormContact:         complaint.KindContact,
	keys.FormReply:           complaint.KindReply,
	keys.FormReview:          complaint.KindApprove,
	keys.FormReturnRequest:   complaint.KindReturnRequest,
	keys.FormExtension:       complaint.KindExtensionRequest,
	keys.FormDispatch:        complaint.KindDispatch,
	keys.FormReturnDecide:    complaint.KindReturnAccept,
	keys.FormExtensionDecide: complaint.KindExtensionDecide,
	keys.FormClose:           complaint.KindClose,
	keys.FormReopen:          complaint.KindReopen,
	keys.FormUrge:            complaint.KindUrge,
	keys.FormSupervise:       complaint.KindSupervise,
}

// projected is the ticket as it will be once the waiting actions are sent.
func (m *Model) projected() complaint.Ticket {
	return app.Projected(m.ticket, m.outbox, m.ctx.User, m.ctx.Now())
}

// enable turns on the keys of the actions the user may take now, and the
// keys of a refused action when there is one.
func (m *Model) enable() {
	p := m.projected()
	for i, a := range m.keys.Actions {
		on := m.loaded && complaint.Allowed(m.ctx.User, formKind[a.Form]) && app.Can(p, m.ctx.User, formKind[a.Form]) == nil
		m.keys.Actions[i].Binding.SetEnabled(on)
	}
	it, refused := m.refused()
	m.keys.Edit.SetEnabled(refused && editable(it.Kind) && complaint.Allowed(m.ctx.User, it.Kind))
	m.keys.Resend.SetEnabled(refused)
	m.keys.Discard.SetEnabled(refused)
	// Said for what they act on: an action, or a file that failed to
	// upload (its attach action is the one refused).
	resend, discard := "原样重发", "放弃被退回的操作"
	if refused && it.Kind == complaint.KindAttach {
		resend, discard = "重新上传附件", "放弃上传失败的附件"
	}
	m.keys.Resend.SetHelp(m.keys.Resend.Help().Key, resend)
	m.keys.Discard.SetHelp(m.keys.Discard.Help().Key, discard)
}

// editable reports whether an action of kind k has a form to correct it in.
func editable(k complaint.Kind) bool {
	f := formOf(k)
	return f != "" && f[0] != '!'
}

// refusedKeys are the keys open now on the refused action the page acts on,
// with what each does to it: the action line and the line under the action
// both offer these, and only these.
func (m *Model) refusedKeys() []key.Binding {
	var out []key.Binding
	for _, b := range []key.Binding{m.keys.Edit, m.keys.Resend, m.keys.Discard} {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

// refused is the newest action of the ticket the platform refused: the one
// the keys act on.
func (m *Model) refused() (store.OutboxItem, bool) {
	for _, it := range m.outbox {
		if it.Status == store.StatusRefused {
			return it, true
		}
	}
	return store.OutboxItem{}, false
}

// Update handles the page's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, done := m.updateFiles(msg); done {
		return cmd
	}
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Number != m.number {
			return nil
		}
		m.err = msg.Err
		if msg.Err == nil {
			m.ticket, m.outbox, m.loaded = msg.Ticket, msg.Outbox, true
			m.files.uploads = msg.Uploads
		}
		if m.enqueued {
			m.acting, m.enqueued = false, false
		}
		m.enable()
		m.layout()
	case app.EnqueuedMsg:
		if m.acting && msg.Action.Ticket == m.number {
			m.enqueued = true
		}
	case app.RefusedMsg:
		if m.acting && msg.Action.Ticket == m.number {
			m.acting = false
		}
	case app.DiscardedMsg:
		if msg.Item.Ticket == m.number {
			return tea.Batch(m.Load(), app.Notice("已放弃被退回的“"+msg.Item.Kind.Label()+"”"))
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.confirm {
		m.confirm = false
		m.layout()
		if key.Matches(msg, m.ctx.Keys.Form.Confirm) {
			if it, ok := m.refused(); ok {
				return m.ctx.Discard(it)
			}
		}
		return nil
	}
	if cmd, ok := m.fileKey(msg); ok {
		return cmd
	}
	if off, ok := k.Scroll.Scroll(msg, m.offset, m.bodyHeight(), len(m.lines)); ok {
		m.offset = off
		m.clamp()
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return m.ctx.Navigate(app.BackMsg{})
	case key.Matches(msg, k.Print):
		return m.ctx.Navigate(app.OpenPrintMsg{Numbers: []string{m.number}})
	// Off, these keys still match, to say why they do nothing.
	case key.Matches(msg, on(k.Edit)), key.Matches(msg, on(k.Resend)), key.Matches(msg, on(k.Discard)):
		it, ok := m.refused()
		if !ok {
			return app.NoticeErr("本工单没有被退回的操作")
		}
		switch {
		case key.Matches(msg, k.Resend):
			return m.ctx.Resend(it)
		case key.Matches(msg, k.Discard):
			m.confirm = true
			m.layout()
			return nil
		}
		form := formOf(it.Kind)
		if !editable(it.Kind) {
			return app.NoticeErr("“" + it.Kind.Label() + "”没有可修改的内容：按 " + k.Resend.Help().Key + " 原样重发或 " + k.Discard.Help().Key + " 放弃")
		}
		return m.ctx.Navigate(app.OpenFormMsg{Form: form, Ticket: m.ticket, Item: &it})
	default:
		for _, a := range k.Actions {
			// Disabled keys still match here, so that the officer is told
			// why the action is not open to them.
			if key.Matches(msg, on(a.Binding)) {
				return m.act(a.Form)
			}
		}
	}
	m.clamp()
	return nil
}

// on is b switched on, to match a key whatever the binding's state.
func on(b key.Binding) key.Binding {
	b.SetEnabled(true)
	return b
}

// formOf is the form that takes an action of kind k.
func formOf(k complaint.Kind) string {
	switch k {
	case complaint.KindApprove, complaint.KindReject:
		return keys.FormReview
	case complaint.KindReturnAccept, complaint.KindReturnRefuse:
		return keys.FormReturnDecide
	}
	for f, x := range formKind {
		if x == k {
			return f
		}
	}
	return ""
}

// act opens the form of an action, or takes an action that has none, once
// the state machine allows it on the ticket as it will be.
func (m *Model) act(form string) tea.Cmd {
	if !m.loaded {
		return nil
	}
	kind := formKind[form]
	if err := app.Can(m.projected(), m.ctx.User, kind); err != nil {
		return app.NoticeErr(app.Refusal(err))
	}
	if form[0] == '!' {
		m.acting = true
		return m.ctx.Act(complaint.Action{Kind: kind, Ticket: m.number, BaseVersion: m.ticket.Version}, nil)
	}
	return m.ctx.Navigate(app.OpenFormMsg{Form: form, Ticket: m.projected()})
}

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyHeight()))
}

// Width of the label column of the fields.
const labelWidth = 14

// layout rebuilds the action line and the body for the current ticket and
// width.
func (m *Model) layout() {
	m.bar = m.actionBar()
	w := m.width
	var out []string
	add := func(s string) { out = append(out, cells.Fit(s, w)) }
	st := m.ctx.Styles
	styled := func(style func(...string) string, s string) { out = append(out, style(cells.Fit(s, w))) }
	switch {
	case m.err != nil:
		styled(st.Error.Render, "读取工单失败："+m.err.Error())
	case !m.loaded:
		add("正在读取…")
	default:
		out = m.body()
	}
	m.lines = out
	m.clamp()
}

// actionBar lists the keys of the actions open now, as many lines as they
// take, each exactly the width.
func (m *Model) actionBar() []string {
	st := m.ctx.Styles
	w := m.width
	if m.confirm {
		it, _ := m.refused()
		return []string{st.Error.Render(cells.Fit(" 放弃被退回的“"+it.Kind.Label()+"”及其内容？按 "+m.ctx.Keys.Form.Confirm.Help().Key+" 确认，其他键取消", w))}
	}
	var items []key.Binding
	for _, a := range m.keys.Actions {
		if a.Binding.Enabled() {
			items = append(items, a.Binding)
		}
	}
	items = append(items, m.refusedKeys()...)
	head := " 可办理："
	if len(items) == 0 {
		text := head + "（当前没有您可办理的操作）"
		if !m.loaded {
			text = head
		}
		return []string{st.Muted.Render(cells.Fit(text, w))}
	}
	var lines []string
	var b strings.Builder
	headW := cells.Width(head)
	used := headW
	b.WriteString(st.Muted.Render(head))
	for _, k := range items {
		h := k.Help()
		iw := cells.Width(h.Key) + 1 + cells.Width(h.Desc) + 2
		if used+iw > w && used > headW {
			lines = append(lines, b.String()+strings.Repeat(" ", w-used))
			b.Reset()
			b.WriteString(strings.Repeat(" ", headW))
			used = headW
		}
		if used+iw > w {
			b.WriteString(cells.Fit(h.Key+" "+h.Desc, w-used))
			used = w
			continue
		}
		b.WriteString(st.HelpKey.Render(h.Key) + " " + h.Desc + "  ")
		used += iw
	}
	lines = append(lines, b.String()+strings.Repeat(" ", max(w-used, 0)))
	return lines
}

// body is the scrollable column of the loaded ticket.
func (m *Model) body() []string {
	w := m.width
	st := m.ctx.Styles
	var out []string
	add := func(s string) { out = append(out, cells.Fit(s, w)) }
	styled := func(style func(...string) string, s string) { out = append(out, style(cells.Fit(s, w))) }
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
	t := m.ticket
	now := m.ctx.Now()
	field("编号", t.Number)
	field("标题", t.Title)
	field("状态", t.StateLine())
	if t.Step != complaint.StepNone {
		u := m.ctx.Urgency(t)
		due := fmt.Sprintf("%s · 时限 %s · %s", t.Step.Label(), m.ctx.Full(t.Due), m.ctx.Left(t))
		switch u {
		case complaint.Overdue:
			due = app.MarkOverdue + " " + due + "（已超时）"
		case complaint.Near:
			due = app.MarkNear + " " + due + "（临近时限）"
		}
		start := len(out)
		field("当前环节", due)
		if u != complaint.OnTime {
			style := st.Warn
			if u == complaint.Overdue {
				style = st.Overdue
			}
			for i := start; i < len(out); i++ {
				out[i] = style.Render(out[i])
			}
		}
		if t.DueNote != "" {
			field("", "时限仅供参考："+t.DueNote)
		}
	}
	if t.Satisfaction != "" {
		field("满意度", t.Satisfaction)
	}
	field("来电人", orDash(t.Caller))
	field("电话", orDash(t.Phone))
	field("地址", orDash(t.Address))
	field("类别", orDash(t.Category))
	field("收到时间", fmt.Sprintf("%s（已过 %s）", m.ctx.Full(t.ReceivedAt), app.Elapsed(now.Sub(t.ReceivedAt))))
	field("派单时间", m.ctx.Full(t.DispatchedAt))
	field("办理时限", m.ctx.Full(t.Deadline))
	field("承办单位", orDash(m.ctx.UnitName(t.Unit)))
	field("基层单位", orDash(m.ctx.UnitName(t.Subunit)))
	field("承办人", orDash(m.ctx.PersonName(t.Handler)))
	section("诉求内容")
	text(strings.TrimSpace(t.Content), 0)
	section("附件")
	out = append(out, m.fileSection(len(out))...)
	if c := t.Contact; c != nil {
		section("联系记录")
		field("联系时间", m.ctx.Full(c.At))
		field("联系方式", orDash(c.How))
		field("联系结果", orDash(c.Result))
		field("联系人", orDash(m.ctx.PersonName(c.By)))
	}
	if r := t.Reply; r != nil {
		section("回复")
		field("回复人", fmt.Sprintf("%s · %s", m.ctx.PersonName(orDash(r.By)), m.ctx.Full(r.At)))
		if r.Findings == "" && r.Explanation == "" && r.Measures == "" && r.Basis == "" && r.CitizenOpinion == "" {
			field("回复内容", orDash(r.Text))
		} else {
			field("处理情况", orDash(r.Findings))
			field("沟通解释结果", orDash(r.Explanation))
			field("采取措施", orDash(r.Measures))
			field("处理依据", orDash(r.Basis))
			field("客户意见", orDash(r.CitizenOpinion))
		}
		if t.State.Open() {
			var marks []string
			for _, f := range complaint.Precheck(t, *r) {
				marks = append(marks, app.MarkNear+circled(f.Criterion)+" "+f.Message)
			}
			if len(marks) == 0 {
				marks = []string{"未发现问题"}
			}
			start := len(out)
			for i, s := range marks {
				lab := ""
				if i == 0 {
					lab = "预审提示"
				}
				field(lab, s)
			}
			if marks[0] != "未发现问题" {
				for i := start; i < len(out); i++ {
					out[i] = st.Warn.Render(out[i])
				}
			}
		}
	}
	if rv := t.Review; rv != nil {
		section("审核")
		verdict := "通过"
		if !rv.Approved {
			verdict = "退回"
		}
		field("审核结论", verdict)
		field("审核人", fmt.Sprintf("%s · %s", m.ctx.PersonName(orDash(rv.By)), m.ctx.Full(rv.At)))
		for i, c := range rv.Criteria {
			lab := ""
			if i == 0 {
				lab = "不符合标准"
			}
			field(lab, criterion(c))
		}
		if rv.Note != "" {
			field("审核意见", rv.Note)
		}
	}
	if r := t.Return; r != nil {
		section("退单申请")
		field("退单理由", orDash(r.Reason))
		field("申请人", fmt.Sprintf("%s · %s", m.ctx.PersonName(orDash(r.By)), m.ctx.Full(r.At)))
		if t.State == complaint.ReturnRequested {
			field("审批", "待中心审批")
		}
	}
	if x := t.Extension; x != nil {
		section("延期")
		field("延期天数", fmt.Sprintf("%d 个工作日", x.Days))
		field("延期理由", orDash(x.Reason))
		field("申请人", fmt.Sprintf("%s · %s", m.ctx.PersonName(orDash(x.By)), m.ctx.Full(x.At)))
		switch {
		case !x.Decided:
			field("审批", "待中心审批")
		case x.Granted:
			field("审批", "同意，新的办理时限 "+m.ctx.Full(x.Deadline))
		default:
			field("审批", "不同意")
		}
		if x.Note != "" {
			field("审批意见", x.Note)
		}
	}
	section("处理记录")
	out = append(out, m.timeline()...)
	// Actions waiting to be sent and those the platform refused; the ones
	// already sent are in the history and not repeated here.
	var waiting []store.OutboxItem
	pending, refusedN := 0, 0
	for _, it := range m.outbox {
		switch {
		case it.Kind == complaint.KindAttach && it.Status == store.StatusPending:
			// Shown with its upload in the 附件 section.
			continue
		case it.Status == store.StatusPending:
			pending++
		case it.Status == store.StatusRefused:
			refusedN++
		default:
			continue
		}
		waiting = append(waiting, it)
	}
	if len(waiting) > 0 {
		switch {
		case refusedN == 0:
			section("待发送")
		case pending == 0:
			section("已退回")
		default:
			section("待发送 / 已退回")
		}
		target, _ := m.refused()
		for _, it := range waiting {
			line := fmt.Sprintf("%s  %s  %s", m.ctx.Short(it.CreatedAt), it.Kind.Label(), status(it))
			if it.Status == store.StatusRefused {
				styled(st.Error.Render, line)
			} else {
				add(line)
			}
			for _, f := range m.actionFields(it.Action) {
				add("    " + f)
			}
			body := it.Text
			if it.Reply != nil {
				body = it.Reply.Text
			}
			if it.Contact != nil {
				body = it.Contact.Result
			}
			if body != "" {
				text(body, 4)
			}
			if it.Status == store.StatusRefused && it.ID == target.ID {
				// The keys of the action line (refusedKeys), said short.
				var hints []string
				resend, discard := "原样重发", "放弃"
				if it.Kind == complaint.KindAttach {
					resend, discard = "重新上传", "放弃此附件"
				}
				for _, k := range []struct {
					b    key.Binding
					what string
				}{{m.keys.Edit, "修改后重发"}, {m.keys.Resend, resend}, {m.keys.Discard, discard}} {
					if k.b.Enabled() {
						hints = append(hints, k.b.Help().Key+" "+k.what)
					}
				}
				if len(hints) > 0 {
					add("    " + strings.Join(hints, " · "))
				}
			}
		}
	}
	return out
}

// timeline is the history, oldest first: when, who, what and the move
// between states, then what the action carried and its text.
func (m *Model) timeline() []string {
	w := m.width
	t := m.ticket
	if len(t.Events) == 0 {
		return []string{cells.Fit("（无）", w)}
	}
	var out []string
	actorW, kindW := 0, 0
	for _, e := range t.Events {
		actorW = max(actorW, cells.Width(cells.Line(orDash(m.ctx.PersonName(e.Actor)))))
		kindW = max(kindW, cells.Width(e.Kind.Label()))
	}
	actorW, kindW = min(actorW, 16), min(kindW, 10)
	// Times of another year carry it; then all do, to keep the column.
	stamp := m.ctx.Short
	for _, e := range t.Events {
		if !e.At.IsZero() && !m.ctx.ThisYear(e.At) {
			stamp = m.ctx.Full
			break
		}
	}
	for _, e := range t.Events {
		move := ""
		switch {
		case e.From == "" && e.To != "":
			// The first event (the dispatch) has no state before it.
			move = "→" + e.To.Label()
		case e.From == e.To:
			// An urge, an attachment: the state did not move.
		case e.From != "" || e.To != "":
			move = stateLabel(e.From) + "→" + stateLabel(e.To)
		}
		out = append(out, cells.Fit(fmt.Sprintf("%s  %s  %s  %s", stamp(e.At),
			cells.Fit(cells.Line(orDash(m.ctx.PersonName(e.Actor))), actorW), cells.Fit(e.Kind.Label(), kindW), move), w))
		for _, f := range m.eventFields(e) {
			for _, l := range cells.Wrap(cells.Sanitize(f), w-4) {
				out = append(out, cells.Fit("    "+l, w))
			}
		}
		if e.Text != "" {
			for _, l := range cells.Wrap(cells.Sanitize(e.Text), w-4) {
				out = append(out, cells.Fit("    "+l, w))
			}
		}
	}
	return out
}

// eventFields are an event's fields as "label：value" lines, values made
// readable: names for codes and logins, China time, criteria by their text.
func (m *Model) eventFields(e complaint.Event) []string {
	var out []string
	seen := map[string]bool{}
	for _, fl := range complaint.EventFields {
		v, ok := e.Fields[fl.Key]
		if !ok {
			continue
		}
		seen[fl.Key] = true
		switch fl.Key {
		case "unit", "subunit":
			v = m.ctx.UnitName(v)
		case "handler":
			v = m.ctx.PersonName(v)
		case "at", "deadline":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = m.ctx.Full(t)
			}
		case "days":
			v += " 个工作日"
		case "granted":
			if v == "true" {
				v = "同意"
			} else {
				v = "不同意"
			}
		case "part":
			v = complaint.Part(v).Label()
		case "size":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				v = app.Size(n)
			}
		case "criteria":
			var parts []string
			for _, s := range strings.Split(v, ",") {
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					parts = append(parts, criterion(n))
				}
			}
			v = strings.Join(parts, "；")
		}
		out = append(out, fl.Label+"："+v)
	}
	// Fields this version does not know are shown as they came.
	var rest []string
	for k := range e.Fields {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, k+"："+e.Fields[k])
	}
	return out
}

// actionFields are what a waiting action carries besides its text, as the
// timeline would show it once applied.
func (m *Model) actionFields(a complaint.Action) []string {
	f := map[string]string{}
	switch a.Kind {
	case complaint.KindDispatch:
		f["unit"] = a.Unit
	case complaint.KindAssign:
		f["subunit"] = a.Subunit
		if a.Handler != "" {
			f["handler"] = a.Handler
		}
	case complaint.KindContact:
		if a.Contact != nil {
			f["how"] = a.Contact.How
			f["at"] = a.Contact.At.UTC().Format(time.RFC3339)
		}
	case complaint.KindReject:
		var parts []string
		for _, c := range a.Criteria {
			parts = append(parts, strconv.Itoa(c))
		}
		f["criteria"] = strings.Join(parts, ",")
	case complaint.KindExtensionRequest:
		f["days"] = strconv.Itoa(a.Days)
	case complaint.KindExtensionDecide:
		f["granted"] = strconv.FormatBool(a.Grant)
		if a.Grant {
			f["deadline"] = a.Deadline.UTC().Format(time.RFC3339)
		}
	case complaint.KindClose:
		f["satisfaction"] = a.Satisfaction
	case complaint.KindAttach:
		if at := a.Attachment; at != nil {
			f["name"], f["part"], f["size"] = at.Name, string(at.Part), strconv.FormatInt(at.Size, 10)
		}
	}
	return m.eventFields(complaint.Event{Fields: f})
}

func circled(n int) string {
	if n >= 1 && n <= 20 {
		return string(rune('①' + n - 1))
	}
	return fmt.Sprintf("(%d)", n)
}

// criterion is review criterion n with its text.
func criterion(n int) string {
	if n >= 1 && n <= len(complaint.Criteria) {
		return circled(n) + " " + complaint.Criteria[n-1]
	}
	return circled(n)
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
// title line, the action line(s), then the visible part of the body.
func (m *Model) View() string {
	if m.files.picker != nil {
		return m.files.picker.View()
	}
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
	out = append(out, m.bar...)
	out = append(out, m.statusLines()...)
	for i := m.offset; i < m.offset+h && len(out) < m.height; i++ {
		if i < len(m.lines) {
			out = append(out, m.lines[i])
		} else {
			out = append(out, strings.Repeat(" ", m.width))
		}
	}
	for len(out) < m.height {
		out = append(out, strings.Repeat(" ", m.width))
	}
	return strings.Join(out[:m.height], "\n")
}

// Lines is the whole scrollable body as drawn, for tests.
func (m *Model) Lines() []string { return m.lines }
