// Package printing is the print screens: the preview of the record sheets
// (市民投诉电话记录单) of one or several tickets as they will print, drawn
// by the print package for the terminal and scrolled like a ticket's page,
// and the printer chooser that sends them to CUPS as one job and follows it
// until it is done. Where no CUPS answers (Windows), the PDF is saved and
// opened in the system's viewer to print from there. Every call to the
// printer, the font and the PDF writer runs in a command; a job goes on
// when the officer leaves the screen, and its end is told in the status
// bar by the root.
package printing

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/print"
	"hotline/tui/app"
	"hotline/tui/cells"
)

// MinCopies and MaxCopies bound the copies of a job.
const (
	MinCopies = 1
	MaxCopies = 99
)

// margin is the blank cells left and right of a sheet in the preview.
const margin = 2

// pages and jobs number the pages and jobs of the program, so that an
// answer meant for an earlier page or job is known.
var pages, jobs atomic.Int64

// Model is the preview, and the printer chooser over it.
type Model struct {
	ctx     *app.Context
	id      int64
	numbers []string
	title   string // the batch's rule, "今日办结"; "" when picked

	tickets []complaint.Ticket
	sheets  []print.Sheet
	loaded  bool
	loadErr error

	out       print.Output
	rendered  bool
	renderErr string // why there is no PDF: what to install, say

	lines  []string // the preview's body, each exactly the width
	offset int

	saving  bool
	shown   string // the PDF's path once saved
	showErr string

	choosing    bool
	listed      bool // the printers have been read (or failed to be)
	printers    []print.Printer
	listErr     error
	unreachable bool
	cursor      int
	copies      int
	job         *job // the job sent from here, the last one

	width, height int
}

// job is a print job as the chooser shows it.
type job struct {
	id      int64
	printer string
	status  print.JobStatus
	seen    bool // a state has come
	done    *JobDoneMsg
}

// New returns the preview of the tickets, in that order; Load fills it.
func New(ctx *app.Context, numbers []string, title string) *Model {
	return &Model{ctx: ctx, id: pages.Add(1), numbers: numbers, title: title, copies: MinCopies, width: 1, height: 3}
}

// Messages of the page's commands.
type (
	loadedMsg struct {
		page    int64
		tickets []complaint.Ticket
		err     error
	}
	renderedMsg struct {
		page int64
		out  print.Output
		err  string
	}
	printersMsg struct {
		page     int64
		printers []print.Printer
		err      error
	}
)

// ShownMsg tells that the PDF was saved at Path and opened in the system's
// viewer, or why not: Path is set when only the opening failed.
type ShownMsg struct {
	page int64
	Path string
	Err  error
}

// Notice is what the status bar says of it.
func (m ShownMsg) Notice() (string, bool) {
	switch {
	case m.Err == nil:
		return "PDF 已保存并打开：" + m.Path, false
	case m.Path != "":
		return "PDF 已保存到 " + m.Path + "，但未能打开：" + m.Err.Error(), true
	}
	return "保存 PDF 失败：" + m.Err.Error(), true
}

// JobMsg is a new state of a job under way.
type JobMsg struct {
	Job    int64
	Status print.JobStatus
	next   <-chan tea.Msg
}

// Next is the Cmd that waits for the job's next message.
func (m JobMsg) Next() tea.Cmd { return wait(m.next) }

// JobDoneMsg tells that a job ended: its last state, or the error that
// stopped following it.
type JobDoneMsg struct {
	Job     int64
	Numbers []string // the tickets printed
	Printer string   // "" for CUPS's default
	What    string   // what was printed: "工单 20200506001", "3 张记录单"
	Pages   int      // pages sent: the document's times the copies
	Status  print.JobStatus
	Err     error
}

// Outcome is the job's end in a sentence, and whether it failed.
func (m JobDoneMsg) Outcome() (string, bool) {
	where := "打印机 " + m.Printer
	if m.Printer == "" {
		where = "默认打印机"
	}
	switch {
	case m.Err != nil:
		return "打印失败（" + where + "）：" + m.Err.Error(), true
	case m.Status.State == print.JobCompleted:
		n := m.Status.Pages
		if n <= 0 {
			// Not every printer counts; the job is done, so all went.
			n = m.Pages
		}
		return fmt.Sprintf("已打印 %d 页（%s，%s）", n, m.What, where), false
	case m.Status.State == print.JobCanceled:
		return "打印已取消（" + where + "）", true
	}
	return "打印失败（" + where + "）：" + why(m.Status), true
}

// why is what CUPS says of a job that failed: the printer's own words, else
// the job's state reasons, else its state.
func why(st print.JobStatus) string {
	if msg := strings.TrimSpace(st.Message); msg != "" {
		return msg
	}
	var rs []string
	for _, r := range st.Reasons {
		if r != "none" {
			rs = append(rs, r)
		}
	}
	if len(rs) > 0 {
		return st.State.Label() + "（" + strings.Join(rs, ", ") + "）"
	}
	return st.State.Label()
}

func wait(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// KeyMap is the keys of the screen shown, for help.
func (m *Model) KeyMap() help.KeyMap {
	if m.choosing {
		return m.ctx.Keys.Printers
	}
	return m.ctx.Keys.Preview
}

// Ready reports whether the page takes keys: once the tickets are read and
// the PDF made (or either failed), and in the chooser once the printers are
// read. Keys typed before wait.
func (m *Model) Ready() bool {
	switch {
	case m.loadErr != nil:
		return true
	case !m.loaded, !m.rendered:
		return false
	}
	return !m.choosing || m.listed
}

// Choosing reports whether the printer chooser is shown.
func (m *Model) Choosing() bool { return m.choosing }

// Lines is the preview's whole body as drawn, for tests.
func (m *Model) Lines() []string { return m.lines }

// Output is the PDF made of the sheets, once made.
func (m *Model) Output() print.Output { return m.out }

// Name is what the job and the saved file are called after.
func (m *Model) Name() string {
	return print.JobName(m.numbers, m.title, m.ctx.Now().In(m.ctx.Loc))
}

// what is what is printed, for sentences.
func (m *Model) what() string {
	if len(m.numbers) == 1 && m.title == "" {
		return "工单 " + cells.Line(m.numbers[0])
	}
	if m.title != "" {
		return fmt.Sprintf("%s %d 张记录单", m.title, len(m.numbers))
	}
	return fmt.Sprintf("%d 张记录单", len(m.numbers))
}

// Load reads the tickets whole, history and all.
func (m *Model) Load() tea.Cmd {
	st, ctx, id, numbers := m.ctx.Store, m.ctx.Bg(), m.id, m.numbers
	return func() tea.Msg {
		out := make([]complaint.Ticket, 0, len(numbers))
		for _, n := range numbers {
			t, err := st.Ticket(ctx, n)
			if err != nil {
				return loadedMsg{page: id, err: fmt.Errorf("读取工单 %s 失败：%w", cells.Line(n), err)}
			}
			out = append(out, t)
		}
		return loadedMsg{page: id, tickets: out}
	}
}

// render makes the PDF of the sheets once.
func (m *Model) render() tea.Cmd {
	font, id, sheets := m.ctx.Font, m.id, m.sheets
	if font == nil {
		font = func() (*print.Font, error) { return print.FindFont("") }
	}
	return func() tea.Msg {
		f, err := font()
		if err != nil {
			return renderedMsg{page: id, err: "字体不可用，无法生成 PDF（检查设置中的 font，或安装中文字体）：" + err.Error()}
		}
		out, err := print.PDF(f, sheets...)
		if err != nil {
			return renderedMsg{page: id, err: "生成 PDF 失败：" + err.Error()}
		}
		return renderedMsg{page: id, out: out}
	}
}

// errNoPrinting is the chooser's answer when the program was started
// without printing.
var errNoPrinting = errors.New("本终端未启用打印")

func (m *Model) listPrinters() tea.Cmd {
	pr, ctx, id := m.ctx.Printer, m.ctx.Bg(), m.id
	if pr == nil {
		return func() tea.Msg { return printersMsg{page: id, err: errNoPrinting} }
	}
	return func() tea.Msg {
		ps, err := pr.Printers(ctx)
		return printersMsg{page: id, printers: ps, err: err}
	}
}

func (m *Model) save() tea.Cmd {
	if m.renderErr != "" {
		return app.NoticeErr(m.renderErr)
	}
	if m.ctx.Printer == nil {
		return app.NoticeErr(errNoPrinting.Error())
	}
	if m.saving {
		return nil
	}
	m.saving = true
	pr, pdf, name, id := m.ctx.Printer, m.out.PDF, m.Name(), m.id
	return func() tea.Msg {
		path, err := pr.Show(pdf, name)
		return ShownMsg{page: id, Path: path, Err: err}
	}
}

// send prints the PDF on printer and follows the job: the command brings
// the first message, and each JobMsg the Cmd for the next, until the
// JobDoneMsg.
func (m *Model) send(printer string) tea.Cmd {
	id := jobs.Add(1)
	m.job = &job{id: id, printer: printer}
	pr, ctx := m.ctx.Printer, m.ctx.Bg()
	j := print.Job{Name: m.Name(), PDF: m.out.PDF, Copies: m.copies}
	done := JobDoneMsg{Job: id, Numbers: m.numbers, Printer: printer, What: m.what(), Pages: m.out.Pages * m.copies}
	return func() tea.Msg {
		ch := make(chan tea.Msg, 8)
		go func() {
			defer close(ch)
			st, err := pr.Print(ctx, printer, j, func(st print.JobStatus) {
				select {
				case ch <- JobMsg{Job: id, Status: st, next: ch}:
				case <-ctx.Done():
				}
			})
			done.Status, done.Err = st, err
			ch <- done
		}()
		return <-ch
	}
}

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// Update handles the page's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.page != m.id {
			return nil
		}
		m.loaded, m.loadErr = msg.err == nil, msg.err
		if msg.err != nil {
			m.layout()
			return nil
		}
		m.tickets = msg.tickets
		names := print.Names{Unit: m.ctx.UnitName, Person: m.ctx.PersonName}
		m.sheets = make([]print.Sheet, len(m.tickets))
		for i, t := range m.tickets {
			m.sheets[i] = print.NewSheet(t, names)
		}
		m.layout()
		return m.render()
	case renderedMsg:
		if msg.page == m.id {
			m.out, m.renderErr, m.rendered = msg.out, msg.err, true
		}
	case printersMsg:
		if msg.page == m.id {
			m.listed = true
			m.printers, m.listErr = msg.printers, msg.err
			m.unreachable = errors.Is(msg.err, print.ErrUnreachable)
			m.cursor = m.preselect()
		}
	case ShownMsg:
		if msg.page == m.id {
			m.saving = false
			m.shown, m.showErr = msg.Path, ""
			if msg.Err != nil {
				m.showErr = msg.Err.Error()
			}
		}
	case JobMsg:
		if m.job != nil && m.job.id == msg.Job {
			m.job.status, m.job.seen = msg.Status, true
		}
	case JobDoneMsg:
		if m.job != nil && m.job.id == msg.Job {
			m.job.done = &msg
			m.job.status, m.job.seen = msg.Status, true
		}
	case tea.KeyPressMsg:
		if m.choosing {
			return m.chooserKey(msg)
		}
		return m.previewKey(msg)
	}
	return nil
}

// preselect is the printer the chooser starts on: the one of the settings
// when CUPS has it, else CUPS's default, else the first.
func (m *Model) preselect() int {
	def := 0
	for i, p := range m.printers {
		if m.ctx.PrinterName != "" && p.Name == m.ctx.PrinterName {
			return i
		}
		if p.Default {
			def = i
		}
	}
	return def
}

func (m *Model) previewKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Preview
	if off, ok := k.Scroll.Scroll(msg, m.offset, m.bodyHeight(), len(m.lines)); ok {
		m.offset = off
		m.clamp()
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return m.ctx.Navigate(app.BackMsg{})
	case m.loadErr != nil:
		return app.NoticeErr(m.loadErr.Error())
	case key.Matches(msg, k.Save):
		return m.save()
	case key.Matches(msg, k.Printers):
		if m.renderErr != "" {
			return app.NoticeErr(m.renderErr)
		}
		m.choosing, m.listed = true, false
		return m.listPrinters()
	}
	return nil
}

func (m *Model) chooserKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Printers
	switch {
	case key.Matches(msg, k.Back):
		m.choosing = false
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.cursor = max(min(m.cursor+1, len(m.printers)-1), 0)
	case key.Matches(msg, k.More):
		m.copies = min(m.copies+1, MaxCopies)
	case key.Matches(msg, k.Less):
		m.copies = max(m.copies-1, MinCopies)
	case key.Matches(msg, k.Save):
		return m.save()
	case key.Matches(msg, k.Print):
		return m.print()
	}
	return nil
}

// print sends the job to the printer under the cursor.
func (m *Model) print() tea.Cmd {
	save := m.ctx.Keys.Printers.Save.Help().Key
	switch {
	case m.unreachable:
		return app.NoticeErr("未找到打印服务（CUPS）：按 " + save + " 保存 PDF 并用系统的查看器打开")
	case m.listErr != nil:
		return app.NoticeErr("读取打印机失败：" + m.listErr.Error())
	case len(m.printers) == 0:
		return app.NoticeErr("没有可用的打印机：按 " + save + " 保存 PDF 并用系统的查看器打开")
	case m.job != nil && m.job.done == nil:
		return app.NoticeErr("正在打印，请等这份打完")
	}
	p := m.printers[m.cursor]
	if !p.Accepting {
		return app.NoticeErr("打印机 " + cells.Line(p.Name) + " 不接受任务，请选择其他打印机")
	}
	return m.send(p.Name)
}

func (m *Model) head() int {
	n := 2
	if len(m.out.Missing) > 0 {
		n++
	}
	if m.shown != "" || m.showErr != "" {
		n++
	}
	return n
}

func (m *Model) bodyHeight() int { return max(m.height-m.head(), 1) }

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyHeight()))
}

// layout draws the sheets for the width, one after another, each under a
// line that names its ticket.
func (m *Model) layout() {
	w := m.width
	st := m.ctx.Styles
	var out []string
	n := len(m.sheets)
	for i, s := range m.sheets {
		head := "── 工单 " + cells.Line(s.Number)
		if n > 1 {
			head += fmt.Sprintf(" · 第 %d/%d 张", i+1, n)
		}
		head += " "
		out = append(out, st.Section.Render(cells.Fit(head+strings.Repeat("─", max(w-cells.Width(head), 0)), w)))
		inner := max(w-2*margin, 1)
		pad := strings.Repeat(" ", margin)
		for _, l := range print.Preview(s, inner) {
			out = append(out, cells.Fit(pad+cells.Fit(cells.Line(l), inner)+pad, w))
		}
		out = append(out, strings.Repeat(" ", w))
	}
	m.lines = out
	m.clamp()
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	var out []string
	if m.choosing {
		out = m.chooser()
	} else {
		out = m.preview()
	}
	for len(out) < m.height {
		out = append(out, strings.Repeat(" ", m.width))
	}
	return strings.Join(out[:m.height], "\n")
}

// count is the sheets and the PDF's pages: "2 张记录单 · PDF 共 3 页".
func (m *Model) count() string {
	s := fmt.Sprintf("%d 张记录单", len(m.numbers))
	if m.rendered && m.renderErr == "" {
		s += fmt.Sprintf(" · PDF 共 %d 页（A4）", m.out.Pages)
	}
	return s
}

func (m *Model) preview() []string {
	st := m.ctx.Styles
	w := m.width
	title := " 打印预览 · " + m.what()
	if m.title != "" {
		title += fmt.Sprintf("（%s）", m.ctx.Now().In(m.ctx.Loc).Format("2006-01-02"))
	}
	h := m.bodyHeight()
	pos := ""
	if len(m.lines) > h {
		pos = fmt.Sprintf(" %d/%d", m.offset+h, len(m.lines))
	}
	out := []string{st.Title.Render(cells.Fit(title, w-cells.Width(pos))) + st.Muted.Render(pos)}
	switch {
	case m.loadErr != nil:
		out = append(out, st.Error.Render(cells.Fit(" "+cells.Line(m.loadErr.Error()), w)))
	case !m.loaded:
		out = append(out, cells.Fit(" 正在读取工单…", w))
	case !m.rendered:
		out = append(out, cells.Fit(" "+m.count()+" · 正在生成 PDF…", w))
	case m.renderErr != "":
		out = append(out, st.Error.Render(cells.Fit(" "+cells.Line(m.renderErr), w)))
	default:
		out = append(out, cells.Fit(" "+m.count(), w))
	}
	if len(m.out.Missing) > 0 {
		chars := make([]string, len(m.out.Missing))
		for i, r := range m.out.Missing {
			chars[i] = string(r)
		}
		// The list is cut before the sentence's end, which must show.
		tail := "，打印为 □"
		list := cells.Cut(cells.Line(strings.Join(chars, " ")), max(w-1-cells.Width("字体缺少："+tail), 1), " "+cells.Ellipsis)
		out = append(out, st.Warn.Render(cells.Fit(" 字体缺少："+list+tail, w)))
	}
	switch {
	case m.showErr != "" && m.shown != "":
		out = append(out, st.Error.Render(cells.Fit(" PDF 已保存到 "+cells.Line(m.shown)+"，但未能打开："+cells.Line(m.showErr), w)))
	case m.showErr != "":
		out = append(out, st.Error.Render(cells.Fit(" 保存 PDF 失败："+cells.Line(m.showErr), w)))
	case m.shown != "":
		out = append(out, st.OK.Render(cells.Fit(" PDF 已保存并打开："+cells.Line(m.shown), w)))
	}
	for i := m.offset; i < m.offset+h && i < len(m.lines); i++ {
		out = append(out, m.lines[i])
	}
	return out
}

// Widths of the chooser's columns.
const (
	nameMin   = 6
	nameMax   = 24
	flagWidth = 4  // "默认"
	stateW    = 20 // "已停止 · 不接受任务"
)

func (m *Model) chooser() []string {
	st := m.ctx.Styles
	w := m.width
	var out []string
	add := func(s string) { out = append(out, cells.Fit(s, w)) }
	styled := func(render func(...string) string, s string) { out = append(out, render(cells.Fit(s, w))) }
	text := func(render func(...string) string, s string) {
		for _, l := range cells.Wrap(s, w-3) {
			styled(render, "   "+l)
		}
	}
	title := " 选择打印机 · " + m.what()
	if m.rendered && m.renderErr == "" {
		title += fmt.Sprintf(" · PDF 共 %d 页（A4）", m.out.Pages)
	}
	styled(st.Title.Render, title)
	add("")
	save := m.ctx.Keys.Printers.Save.Help().Key
	switch {
	case !m.listed:
		add(" 正在读取打印机…")
	case m.unreachable:
		styled(st.Error.Render, " ○ 未找到打印服务（CUPS）")
		text(st.Muted.Render, "这台电脑上没有可用的打印服务（Windows，或没有安装 CUPS 的电脑）。按 "+save+
			" 保存 PDF 并用系统的 PDF 查看器打开，从查看器打印。")
	case m.listErr != nil:
		styled(st.Error.Render, " 读取打印机失败："+cells.Line(m.listErr.Error()))
	case len(m.printers) == 0:
		styled(st.Error.Render, " 打印服务（CUPS）中没有打印机")
		text(st.Muted.Render, "请让管理员在 CUPS 中添加打印机；现在可按 "+save+" 保存 PDF 并用系统的查看器打开后打印。")
	default:
		out = append(out, m.rows()...)
		if name := m.ctx.PrinterName; name != "" && m.cursor < len(m.printers) && m.printers[m.cursor].Name != name {
			add("")
			styled(st.Warn.Render, " 设置中的打印机 "+cells.Line(name)+" 不在打印服务中，已选默认打印机")
		}
	}
	add("")
	add(fmt.Sprintf(" 份数  %d", m.copies))
	if j := m.job; j != nil {
		add("")
		render, s := m.progress(j)
		styled(render, " "+s)
	}
	return out
}

// rows are the printers, one a line, the one under the cursor reversed.
func (m *Model) rows() []string {
	st := m.ctx.Styles
	w := m.width
	nameW := nameMin
	for _, p := range m.printers {
		nameW = max(nameW, cells.Width(cells.Line(p.Name)))
	}
	nameW = min(nameW, nameMax)
	// Room for the rows: the title, a blank, the copies and the job take
	// six lines.
	avail := max(m.height-6, 1)
	offset := max(0, m.cursor-avail+1)
	var out []string
	for i := offset; i < len(m.printers) && i < offset+avail; i++ {
		p := m.printers[i]
		mark := "  "
		if i == m.cursor {
			mark = "▶ "
		}
		flag := ""
		if p.Default {
			flag = "默认"
		}
		var about []string
		if info := cells.Line(p.Info); info != "" && info != cells.Line(p.Name) {
			about = append(about, info)
		}
		if loc := cells.Line(p.Location); loc != "" {
			about = append(about, loc)
		}
		line := " " + mark + cells.Fit(cells.Line(p.Name), nameW) + "  " + cells.Pad(flag, flagWidth) + "  " +
			cells.Pad(app.PrinterState(p), stateW) + "  " + strings.Join(about, " · ")
		line = cells.Fit(line, w)
		if i == m.cursor {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// progress is the line of the job sent from here: its state as CUPS last
// told it, then its end.
func (m *Model) progress(j *job) (func(...string) string, string) {
	st := m.ctx.Styles
	where := "打印机 " + cells.Line(j.printer)
	if j.printer == "" {
		where = "默认打印机"
	}
	switch {
	case j.done != nil:
		text, failed := j.done.Outcome()
		if failed {
			return st.Error.Render, cells.Line(text)
		}
		return st.OK.Render, cells.Line(text)
	case !j.seen:
		return st.Muted.Render, "正在发送到" + where + "…"
	}
	s := where + "：" + j.status.State.Label()
	if j.status.Pages > 0 {
		s += fmt.Sprintf(" · 已完成 %d 页", j.status.Pages)
	}
	if msg := strings.TrimSpace(j.status.Message); msg != "" {
		s += " · " + cells.Line(msg)
	}
	return st.Warn.Render, s
}
