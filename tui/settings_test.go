package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"

	"hotline/tui/cells"
)

// A terminal with its own tunnel, as the tunnel reports it: up, with a
// handshake 95 seconds ago and data a second ago.
func linkUp() Link {
	return Link{
		Tunnel: true, State: "已连接", Platform: "https://10.77.0.1:8443/api/v1",
		PublicKey: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", Address: "10.77.0.2/24",
		ListenPort: 51820, MTU: 1420, Endpoint: "hotline.pj.example.cn:51820", EndpointIP: "203.0.113.7",
		ResolvedAt: at(2 * time.Minute), InitiationAt: at(95 * time.Second), ResponseAt: at(95 * time.Second),
		DataAt: at(time.Second), Handshake: at(95 * time.Second), Rx: 1250, Tx: 3 << 20, Keepalive: 25,
	}
}

// linkStuck is the tunnel once the platform stopped answering: it was up
// until 20 minutes ago, and the last four initiations found no answer.
func linkStuck() Link {
	l := linkUp()
	l.State = "无法连接"
	l.ResolvedAt = at(40 * time.Second)
	l.InitiationAt, l.Initiations = at(3*time.Second), 4
	l.ResponseAt, l.Handshake, l.DataAt = at(20*time.Minute), at(20*time.Minute), at(19*time.Minute)
	l.Errors = []LinkError{
		{At: at(40 * time.Second), Text: "发送握手失败：write udp 0.0.0.0:51820->203.0.113.7:51820: sendto: network is unreachable（网络不可达）"},
		{At: at(3 * time.Second), Text: "平台 203.0.113.7:51820 连续 4 次没有应答握手"},
	}
	return l
}

// linkSite is a terminal behind its site's gateway: no tunnel of its own.
func linkSite() Link {
	return Link{Tunnel: false, Platform: "https://hotline.pj.example.cn/api/v1"}
}

// withLink gives the harness's program a tunnel that reports *l, counting
// the reads in *calls.
func withLink(h *harness, l *Link, calls *int) {
	h.m.linkFn = func() Link {
		if calls != nil {
			*calls++
		}
		return *l
	}
}

// settingsScreen drives a harness to the settings screen with l.
func settingsScreen(l Link) func(h *harness) {
	return func(h *harness) {
		withLink(h, &l, nil)
		h.press("S")
	}
}

// settingsLines is the settings page's whole body, stripped.
func (h *harness) settingsLines() []string {
	h.t.Helper()
	h.view()
	out := make([]string, len(h.m.settings.Lines()))
	for i, l := range h.m.settings.Lines() {
		out[i] = strings.TrimRight(ansi.Strip(l), " ")
	}
	return out
}

func fireTick(h *harness) int {
	return h.fire(func(m tea.Msg) bool { _, ok := m.(tickMsg); return ok })
}

// The screen opens from the list on S, follows the tunnel on the clock's
// tick and goes back with esc; the tunnel is read only while it is shown.
func TestSettingsFollowsTheTunnel(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	l := linkStuck()
	calls := 0
	withLink(h, &l, &calls)
	fireTick(h)
	if calls != 0 {
		t.Fatalf("the tunnel was read %d times with the list shown", calls)
	}
	h.press("S")
	if h.m.screen != screenSettings || calls != 1 {
		t.Fatalf("after S: screen %d, reads %d", h.m.screen, calls)
	}
	if got := h.line(0); got != " 终端机器设置   隧道                                                       21/30" {
		t.Fatalf("title %q", got)
	}
	if got := h.line(2); got != " ○ 无法连接 · 停在第 3 步：收到应答                                             " {
		t.Fatalf("state %q", got)
	}
	if got := h.line(22); got != " ↑/k 上移  ↓/j 下移  PgDn 下一页  esc/q 返回  ? 帮助                            " {
		t.Fatalf("hints %q", got)
	}

	// The platform answers: the next tick shows it.
	l = linkUp()
	l.InitiationAt, l.ResponseAt, l.Handshake = at(2*time.Second), at(2*time.Second), at(2*time.Second)
	l.Rx = 5 << 20
	if n := fireTick(h); n != 1 || calls != 2 {
		t.Fatalf("tick fired %d timers, reads %d", n, calls)
	}
	lines := h.settingsLines()
	want := map[int]string{
		1:  " ● 已连接",
		8:  " ✓ 2 发送握手  15:03:58 2秒前",
		9:  " ✓ 3 收到应答  15:03:58 2秒前",
		13: " （无）",
		16: " 上次握手  15:03:58 2秒前",
		17: " 流量      收到 5.0M · 发出 3.0M",
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d after the tick = %q, want %q", i, lines[i], w)
		}
	}

	// Help from here comes back here; esc goes back to the list, and the
	// tunnel is no longer read.
	h.press("?")
	if h.m.screen != screenHelp {
		t.Fatalf("? from settings: screen %d", h.m.screen)
	}
	fireTick(h)
	if calls != 2 {
		t.Fatalf("the tunnel was read with help shown: %d", calls)
	}
	h.press("esc")
	if h.m.screen != screenSettings {
		t.Fatalf("esc from help went to %d", h.m.screen)
	}
	h.press("esc")
	if h.m.screen != screenList || h.m.settings != nil {
		t.Fatalf("esc from settings went to %d", h.m.screen)
	}
	fireTick(h)
	if calls != 2 {
		t.Fatalf("the tunnel was read after the screen closed: %d", calls)
	}
	// q goes back too, and does not quit.
	h.press("S", "q")
	if h.quit || h.m.screen != screenList {
		t.Fatalf("q from settings: quit %v screen %d", h.quit, h.m.screen)
	}
}

// Drawing never reads the tunnel: View may run many times a second.
func TestSettingsViewNeverReadsTheTunnel(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	l := linkUp()
	calls := 0
	withLink(h, &l, &calls)
	h.press("S")
	if calls != 1 {
		t.Fatalf("opening read the tunnel %d times, want 1", calls)
	}
	for range 50 {
		h.m.View()
	}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.w, h.h = 100, 30
	h.view()
	if calls != 1 {
		t.Fatalf("drawing read the tunnel: %d reads, want 1", calls)
	}
}

// The step the tunnel stops at is the first not done of the handshake
// under way, and the hint under it says what to check.
func TestSettingsStuckStep(t *testing.T) {
	never := Link{Tunnel: true, State: "正在连接", Endpoint: "hotline.pj.example.cn:51820", Address: "10.77.0.2/24"}
	resolved := never
	resolved.EndpointIP, resolved.ResolvedAt = "203.0.113.7", at(5*time.Second)
	sent := resolved
	sent.InitiationAt, sent.Initiations = at(time.Second), 1
	answered := sent
	answered.ResponseAt, answered.Initiations = at(time.Second), 0
	// The handshake completed, but 4 minutes ago: it no longer holds.
	stale := linkUp()
	stale.State = "正在恢复"
	stale.Handshake = at(4 * time.Minute)
	stale.InitiationAt, stale.ResponseAt, stale.DataAt = at(4*time.Minute), at(4*time.Minute), at(4*time.Minute)
	noEndpoint := Link{Tunnel: true, State: "无法连接"}

	tests := []struct {
		name       string
		link       Link
		head, hint string
		marks      string
	}{
		{"never", never, "○ 正在连接 · 停在第 1 步：解析地址",
			"找不到平台端点的地址，请确认：|· 本机已联网（网线或 Wi-Fi）|· DNS 服务器可用|· 端点名称 hotline.pj.example.cn:51820 没有写错", "✗···"},
		{"no endpoint", noEndpoint, "○ 无法连接 · 停在第 1 步：解析地址",
			"隧道配置里没有平台端点：|· 请向平台管理员要一份完整的隧道配置文件（[Peer] 中须有 Endpoint）", "✗···"},
		{"resolved", resolved, "○ 正在连接 · 停在第 2 步：发送握手",
			"握手还没有发出，请确认：|· 本机已联网（网线或 Wi-Fi）|· 防火墙允许本机向外发送 UDP|· 隧道刚启动时，请稍候几秒", "✓✗··"},
		{"sent", sent, "○ 正在连接 · 停在第 3 步：收到应答",
			"平台没有应答，请确认：|· 平台在运行|· 本机能通过 UDP 到达 hotline.pj.example.cn:51820（203.0.113.7）|· 本终端的密钥未被停用", "✓✓✗·"},
		{"answered", answered, "○ 正在连接 · 停在第 4 步：数据往来",
			"握手已成功，但平台没有数据回来，请确认：|· 平台服务在运行|· 平台登记的本终端隧道地址是 10.77.0.2/24", "✓✓✓✗"},
		{"stale", stale, "○ 正在恢复",
			"最近 3 分钟没有完成握手：隧道空闲，有数据要发送时会自动重新握手", "✓✓✓✓"},
		{"up", linkUp(), "● 已连接", "", "✓✓✓✓"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 200, 40, fixtures())
			settingsScreen(tc.link)(h)
			lines := h.settingsLines()
			if got := strings.TrimSpace(lines[1]); got != tc.head {
				t.Errorf("state line %q, want %q", got, tc.head)
			}
			// The checklist runs from its rule to the blank line: a step
			// is " ✓ 1 …", a hint is indented under it.
			marks, hint := "", ""
			start := 0
			for i, l := range lines {
				if strings.HasPrefix(l, "── 连接步骤") {
					start = i + 1
				}
			}
			for _, l := range lines[start:] {
				if l == "" {
					break
				}
				if strings.HasPrefix(l, "   ") {
					if hint != "" {
						hint += "|"
					}
					hint += strings.TrimSpace(l)
					continue
				}
				marks += string([]rune(l)[1])
			}
			if marks != tc.marks {
				t.Errorf("marks %q, want %q", marks, tc.marks)
			}
			if hint != tc.hint {
				t.Errorf("hint %q, want %q", hint, tc.hint)
			}
		})
	}
}

// What the tunnel reports is drawn inert and cut to the width: a hostile
// endpoint name or error cannot act on the terminal or break the layout.
func TestSettingsTextIsInert(t *testing.T) {
	l := linkStuck()
	l.State = "无法\u202e连接"
	l.Endpoint = "evil\x1b]0;pwned\x07.example.cn:51820"
	l.EndpointIP = ""
	l.Errors = []LinkError{{At: at(time.Second), Text: "𠮷野家\x1b[2J" + strings.Repeat("平台拒绝了握手", 20)}}
	for _, sz := range sizes {
		h := newHarness(t, sz.w, sz.h, fixtures())
		settingsScreen(l)(h)
		lines := h.settingsLines() // checks every line is exactly the width
		want := map[int]string{
			1: " ○ 无法连接 · 停在第 3 步：收到应答",
			4: " 平台端点  evil␛]0;pwned␇.example.cn:51820（未解析）",
		}
		for i, w := range want {
			if lines[i] != w {
				t.Errorf("%dx%d line %d = %q, want %q", sz.w, sz.h, i, lines[i], w)
			}
		}
		var errLine string
		for i, s := range lines {
			if strings.HasPrefix(s, "── 最近错误") {
				errLine = lines[i+1]
			}
		}
		if !strings.HasPrefix(errLine, " 15:03:59 1秒前    𠮷野家␛[2J平台拒绝了握手") || !strings.HasSuffix(errLine, "…") ||
			cells.Width(errLine) > sz.w {
			t.Errorf("%dx%d error line %q", sz.w, sz.h, errLine)
		}
	}
}

// Only the newest errors are listed, newest first.
func TestSettingsErrorsNewestFirst(t *testing.T) {
	l := linkStuck()
	l.Errors = nil
	for i := range 10 {
		l.Errors = append(l.Errors, LinkError{At: at(time.Duration(10-i) * time.Minute), Text: fmt.Sprintf("第 %d 个错误", i+1)})
	}
	h := newHarness(t, 120, 40, fixtures())
	settingsScreen(l)(h)
	lines := h.settingsLines()
	var got []string
	for i, s := range lines {
		if strings.HasPrefix(s, "── 最近错误") {
			got = lines[i+1 : i+1+9]
		}
	}
	want := []string{
		" 15:03:00 1分前    第 10 个错误",
		" 15:02:00 2分前    第 9 个错误",
		" 15:01:00 3分前    第 8 个错误",
		" 15:00:00 4分前    第 7 个错误",
		" 14:59:00 5分前    第 6 个错误",
		" 14:58:00 6分前    第 5 个错误",
		" 14:57:00 7分前    第 4 个错误",
		" 14:56:00 8分前    第 3 个错误",
		"",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A section taller than the screen scrolls, and a resize keeps it in
// bounds.
func TestSettingsScrolls(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	settingsScreen(linkStuck())(h)
	h.press("G")
	if got := h.line(0); !strings.HasSuffix(got, " 30/30") {
		t.Fatalf("title after G %q", got)
	}
	if got := strings.TrimRight(h.line(21), " "); got != " 监听端口  51820" {
		t.Fatalf("last line after G %q", got)
	}
	h.press("g", "j")
	if got := strings.TrimRight(h.line(1), " "); got != " ○ 无法连接 · 停在第 3 步：收到应答" {
		t.Fatalf("first line after g j %q", got)
	}
	h.w, h.h = 120, 40
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	if got := strings.TrimRight(h.line(0), " "); got != " 终端机器设置   隧道" {
		t.Fatalf("title at 120x40 %q", got)
	}
	if got := strings.TrimRight(h.line(2), " "); got != " ○ 无法连接 · 停在第 3 步：收到应答" {
		t.Fatalf("state at 120x40 %q", got)
	}
}

// Without a tunnel to read, the screen says so instead of waiting.
func TestSettingsWithoutTunnel(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("S")
	if got := strings.TrimRight(h.line(2), " "); got != " 本程序没有可读的隧道信息。" {
		t.Fatalf("line 2 %q", got)
	}
}
