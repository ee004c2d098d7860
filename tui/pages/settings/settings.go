// Package settings is the terminal settings screen (终端机器设置): one
// section a subject, named in a row of tabs at the top, in one scrollable
// column. The tunnel is its section now: whether it works at a glance and,
// when it does not, the step of the handshake it stops at and what to check,
// in place of the manual steps of a separate VPN client. The page only
// draws the Link it is given; the root reads it from the tunnel.
package settings

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/tui/app"
	"hotline/tui/cells"
)

// Link is the tunnel as the page draws it; the root fills it from its own
// Link, field for field.
type Link struct {
	Tunnel       bool // false: the site's network carries the traffic; only Platform counts
	State        string
	Platform     string
	PublicKey    string
	Address      string
	ListenPort   int
	MTU          int
	Endpoint     string
	EndpointIP   string
	ResolvedAt   time.Time
	InitiationAt time.Time
	Initiations  int
	ResponseAt   time.Time
	DataAt       time.Time
	Handshake    time.Time
	Rx, Tx       int64
	Keepalive    int
	Errors       []LinkError // newest last
}

// LinkError is one recent fault of the tunnel.
type LinkError struct {
	At   time.Time
	Text string
}

// Live is how long a handshake keeps the tunnel working: WireGuard drops
// a session's keys 180 seconds after the handshake that made them
// (RejectAfterTime), and renews them well before while packets flow.
const Live = 180 * time.Second

// MaxErrors is how many recent faults the page lists.
const MaxErrors = 8

// section is one subject of the settings; its body is built for the page's
// width.
type section struct {
	title string
	body  func(m *Model) []string
}

// sections are the subjects, in the order of their tabs. Printer,
// notifications and calendar join here as they come.
var sections = []section{
	{"隧道", (*Model).tunnel},
}

// Model is the settings screen.
type Model struct {
	ctx    *app.Context
	link   Link
	have   bool // a Link has been read
	source bool // the program has a tunnel to read at all
	active int  // the section shown
	lines  []string
	offset int
	width  int
	height int
}

// New returns the page. source tells whether there is a tunnel to read;
// without one the page says so rather than wait.
func New(ctx *app.Context, source bool) *Model {
	m := &Model{ctx: ctx, source: source, width: 1, height: 2}
	m.layout()
	return m
}

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.Settings }

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// SetLink shows the tunnel as last read, with its ages counted from now.
func (m *Model) SetLink(l Link) {
	m.link, m.have = l, true
	m.layout()
}

// Update scrolls, or asks to go back.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := m.ctx.Keys.Settings
	if key.Matches(km, k.Back) {
		return m.ctx.Navigate(app.BackMsg{})
	}
	if off, ok := k.Scroll.Scroll(km, m.offset, m.bodyHeight(), len(m.lines)); ok {
		m.offset = off
		m.clamp()
	}
	return nil
}

// Lines is the whole scrollable body as drawn, for tests.
func (m *Model) Lines() []string { return m.lines }

func (m *Model) bodyHeight() int { return max(m.height-1, 1) }

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyHeight()))
}

func (m *Model) layout() {
	m.lines = sections[m.active].body(m)
	m.clamp()
}

// View draws exactly the page's height in lines of exactly its width: the
// title with the tabs of the sections, then the section shown.
func (m *Model) View() string {
	st := m.ctx.Styles
	h := m.bodyHeight()
	pos := ""
	if len(m.lines) > h {
		pos = fmt.Sprintf(" %d/%d", m.offset+h, len(m.lines))
	}
	var head strings.Builder
	title := " 终端机器设置 "
	used := cells.Width(title)
	head.WriteString(st.Title.Render(title))
	for i, s := range sections {
		tab := " " + s.title + " "
		if used+1+cells.Width(tab)+cells.Width(pos) > m.width {
			break
		}
		head.WriteString(" ")
		if i == m.active {
			head.WriteString(st.TabActive.Render(tab))
		} else {
			head.WriteString(st.TabInactive.Render(tab))
		}
		used += 1 + cells.Width(tab)
	}
	if used+cells.Width(pos) > m.width {
		pos = ""
	}
	head.WriteString(strings.Repeat(" ", max(m.width-used-cells.Width(pos), 0)))
	head.WriteString(st.Muted.Render(pos))

	out := make([]string, 0, m.height)
	out = append(out, head.String())
	for i := m.offset; len(out) < m.height; i++ {
		if i < len(m.lines) {
			out = append(out, m.lines[i])
		} else {
			out = append(out, strings.Repeat(" ", m.width))
		}
	}
	return strings.Join(out, "\n")
}

// labelWidth is the column of the field names: "上次握手" and a gap.
const labelWidth = 10

// page gathers the lines of a section, each exactly the width.
type page struct {
	m   *Model
	out []string
}

func (p *page) add(s string) { p.out = append(p.out, cells.Fit(s, p.m.width)) }

func (p *page) styled(render func(...string) string, s string) {
	p.out = append(p.out, render(cells.Fit(s, p.m.width)))
}

// field is a name and its value on one line, the value cut to fit: keys,
// addresses and URLs are read whole or not at all, never wrapped.
func (p *page) field(label, value string) {
	st := p.m.ctx.Styles
	w := p.m.width
	p.out = append(p.out, " "+st.Label.Render(cells.Pad(label, labelWidth))+cells.Fit(value, w-1-labelWidth))
}

func (p *page) rule(title string) {
	p.add("")
	head := "── " + title + " "
	p.styled(p.m.ctx.Styles.Section.Render, head+strings.Repeat("─", max(p.m.width-cells.Width(head), 0)))
}

// text wraps a paragraph under an indent.
func (p *page) text(render func(...string) string, s string, indent int) {
	for _, l := range cells.Wrap(s, p.m.width-indent) {
		p.styled(render, strings.Repeat(" ", indent)+l)
	}
}

// item is one point of a list, wrapped under its own text.
func (p *page) item(render func(...string) string, s string, indent int) {
	for i, l := range cells.Wrap(s, p.m.width-indent-2) {
		mark := "  "
		if i == 0 {
			mark = "· "
		}
		p.styled(render, strings.Repeat(" ", indent)+mark+l)
	}
}

// clock is a time of day in China time with its age: "15:03:58 2秒前".
func (m *Model) clock(t time.Time) string {
	return t.In(m.ctx.Loc).Format("15:04:05") + " " + app.Ago(m.ctx.Now(), t)
}

// Steps of the handshake, in the order they happen.
const (
	stepResolve = iota
	stepInitiate
	stepResponse
	stepData
	nSteps
)

var stepNames = [nSteps]string{"解析地址", "发送握手", "收到应答", "数据往来"}

// stepTimes are the times of the steps, each zero until it happened.
func (l Link) stepTimes() [nSteps]time.Time {
	return [nSteps]time.Time{l.ResolvedAt, l.InitiationAt, l.ResponseAt, l.DataAt}
}

// done reports which steps have happened for the handshake under way. A
// step counts once the one before it does; an answer, when it came after
// the last initiation, and data, after the last answer: older ones belong
// to a session gone by. The address is resolved again now and then, so it
// may be newer than the initiation it served.
func (l Link) done() [nSteps]bool {
	t := l.stepTimes()
	var d [nSteps]bool
	d[stepResolve] = !t[stepResolve].IsZero()
	d[stepInitiate] = d[stepResolve] && !t[stepInitiate].IsZero()
	d[stepResponse] = d[stepInitiate] && !t[stepResponse].IsZero() && !t[stepResponse].Before(t[stepInitiate])
	d[stepData] = d[stepResponse] && !t[stepData].IsZero() && !t[stepData].Before(t[stepResponse])
	return d
}

// live reports whether the last handshake still holds the tunnel up.
func (l Link) live(now time.Time) bool {
	return !l.Handshake.IsZero() && now.Sub(l.Handshake) < Live
}

// stuck is the step the tunnel stops at: the first not done, while the
// tunnel is not up; -1 when it is up or every step is done.
func (l Link) stuck(now time.Time) int {
	if l.live(now) {
		return -1
	}
	for i, ok := range l.done() {
		if !ok {
			return i
		}
	}
	return -1
}

// endpoint is the platform's endpoint with the address it resolved to.
func (l Link) endpoint() string {
	e := cells.Line(l.Endpoint)
	if e == "" {
		return "（未配置）"
	}
	if ip := cells.Line(l.EndpointIP); ip != "" {
		return e + " → " + ip
	}
	return e + "（未解析）"
}

// hint says in plain words what to check when the tunnel stops at step:
// what went wrong, then one thing to check a line.
func (l Link) hint(step int) (lead string, checks []string) {
	ep := cells.Line(l.Endpoint)
	if ip := cells.Line(l.EndpointIP); ip != "" && ip != ep {
		ep += "（" + ip + "）"
	}
	switch step {
	case stepResolve:
		if l.Endpoint == "" {
			return "隧道配置里没有平台端点：", []string{"请向平台管理员要一份完整的隧道配置文件（[Peer] 中须有 Endpoint）"}
		}
		return "找不到平台端点的地址，请确认：", []string{"本机已联网（网线或 Wi-Fi）", "DNS 服务器可用", "端点名称 " + ep + " 没有写错"}
	case stepInitiate:
		return "握手还没有发出，请确认：", []string{"本机已联网（网线或 Wi-Fi）", "防火墙允许本机向外发送 UDP", "隧道刚启动时，请稍候几秒"}
	case stepResponse:
		return "平台没有应答，请确认：", []string{"平台在运行", "本机能通过 UDP 到达 " + ep, "本终端的密钥未被停用"}
	case stepData:
		return "握手已成功，但平台没有数据回来，请确认：", []string{"平台服务在运行", "平台登记的本终端隧道地址是 " + orDash(cells.Line(l.Address))}
	}
	return "", nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func number(n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprint(n)
}

// Widths of the checklist's columns.
const (
	stepWidth = 15 // " ✓ 1 解析地址  "
	timeWidth = 18 // "15:03:58 100天前" and a gap
)

// tunnel is the tunnel's section.
func (m *Model) tunnel() []string {
	p := &page{m: m}
	st := m.ctx.Styles
	switch {
	case !m.source:
		p.add("")
		p.add(" 本程序没有可读的隧道信息。")
		return p.out
	case !m.have:
		p.add("")
		p.add(" 正在读取隧道状态…")
		return p.out
	}
	l := m.link
	now := m.ctx.Now()
	if !l.Tunnel {
		p.add("")
		p.styled(st.Title.Render, " ◇ 使用本单位网络，没有本机隧道")
		p.text(st.Muted.Render, "本终端经本单位的网络（站点网关）连接平台，不需要自己的隧道；连不上平台时，请联系本单位的网络管理员。", 3)
		p.add("")
		p.field("平台地址", orDash(cells.Line(l.Platform)))
		return p.out
	}

	live := l.live(now)
	stuck := l.stuck(now)
	state := cells.Line(l.State)
	if state == "" {
		state = "未连接"
		if live {
			state = "已连接"
		}
	}
	p.add("")
	if live {
		p.styled(st.OK.Bold(true).Render, " ● "+state)
	} else {
		head := " ○ " + state
		if stuck >= 0 {
			head += fmt.Sprintf(" · 停在第 %d 步：%s", stuck+1, stepNames[stuck])
		}
		p.styled(st.Error.Render, head)
	}
	p.add("")
	p.field("平台地址", orDash(cells.Line(l.Platform)))
	p.field("平台端点", l.endpoint())

	p.rule("连接步骤")
	times, done := l.stepTimes(), l.done()
	for i := range nSteps {
		mark := "·"
		switch {
		case done[i]:
			mark = "✓"
		case i == stuck:
			mark = "✗"
		}
		when := "未完成"
		if done[i] {
			when = m.clock(times[i])
		}
		var extra []string
		if i == stuck {
			extra = append(extra, "← 停在这一步")
		}
		if !done[i] && !times[i].IsZero() {
			extra = append(extra, "上次 "+m.clock(times[i]))
		}
		if i == stepInitiate && l.Initiations > 0 {
			extra = append(extra, fmt.Sprintf("已发送 %d 次未获应答", l.Initiations))
		}
		line := cells.Pad(fmt.Sprintf(" %s %d %s", mark, i+1, stepNames[i]), stepWidth) +
			cells.Pad(when, timeWidth) + strings.Join(extra, "  ")
		if i == stuck {
			p.styled(st.Error.Render, line)
			lead, checks := l.hint(i)
			p.text(st.Warn.Render, lead, stepWidth)
			for _, c := range checks {
				p.item(st.Warn.Render, c, stepWidth)
			}
		} else {
			p.add(line)
		}
	}
	if !live && stuck < 0 {
		p.text(st.Warn.Render, "最近 3 分钟没有完成握手：隧道空闲，有数据要发送时会自动重新握手", 3)
	}

	p.rule("最近错误（新的在前）")
	errs := l.Errors
	if len(errs) > MaxErrors {
		errs = errs[len(errs)-MaxErrors:]
	}
	if len(errs) == 0 {
		p.add(" （无）")
	}
	for i := len(errs) - 1; i >= 0; i-- {
		e := errs[i]
		when := "—"
		if !e.At.IsZero() {
			when = m.clock(e.At)
		}
		p.add(" " + cells.Pad(when, timeWidth) + cells.Line(e.Text))
	}

	p.rule("连接详情")
	hs := "从未完成"
	if !l.Handshake.IsZero() {
		hs = m.clock(l.Handshake)
	}
	p.field("上次握手", hs)
	p.field("流量", "收到 "+app.Bytes(l.Rx)+" · 发出 "+app.Bytes(l.Tx))
	keep := "关闭"
	if l.Keepalive > 0 {
		keep = fmt.Sprintf("%d 秒", l.Keepalive)
	}
	p.field("保活", keep)
	p.field("MTU", number(l.MTU))

	p.rule("本终端")
	p.field("公钥", orDash(cells.Line(l.PublicKey)))
	p.field("隧道地址", orDash(cells.Line(l.Address)))
	p.field("监听端口", number(l.ListenPort))
	return p.out
}
