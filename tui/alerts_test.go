package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/store"
	"hotline/tui/cells"
	alertspage "hotline/tui/pages/alerts"
	"hotline/tui/pages/stats"
)

// testAlerts are the user's alerts as the link keeps them, oldest first:
// two seen, three not; one urgent; one whose text carries a clear screen
// and a title change; a rare character outside the BMP; one longer than any
// screen.
func testAlerts() []store.Alert {
	return []store.Alert{
		{ID: 11, Event: "dispatch", Ticket: "20200504017", At: at(50 * time.Hour), Seen: true,
			Text: "【12345】工单20200504017「物业收费不合理」已派发给你单位，请在30分钟内签收并派发。"},
		{ID: 12, Event: "reject", Ticket: "20200503011", At: at(25 * time.Hour), Seen: true,
			Text: "工单20200503011的回复被赵分管退回：请补充向市民解释的内容和市民本人的意见"},
		{ID: 13, Event: "urge", Ticket: "20200503011", At: at(4 * time.Hour),
			Text: "工单20200503011「双台子区电费催缴短信频繁」被12345中心催办：市民再次来电，请加快办理。" + strings.Repeat("请于今日内回复处理结果，", 9)},
		{ID: 14, Event: "deadline", Stage: "near", Ticket: "20200506002", At: at(30 * time.Minute),
			Text: "工单20200506002「𠮷野家门前路灯不亮」派发时限将到\x1b[2J\x1b]0;pwned\x07，还剩 1时30分"},
		{ID: 15, Event: "deadline", Stage: "due", Ticket: "20200506001", At: at(5 * time.Minute), Urgent: true,
			Text: "工单20200506001「盘锦市兴隆台区供电线路老化频繁停电」签收已到时限，请立即签收"},
	}
}

// alertsHarness is the harness with testAlerts kept, the status bar's link
// of newHarness, and set's options.
func alertsHarness(t *testing.T, w, h int, set func(*Options)) *harness {
	t.Helper()
	hs := newHarnessWith(t, testUser, w, h, fixtures(), func(o *Options) {
		o.Status = func() Status {
			return Status{Tunnel: "已连接", Handshake: testNow.Add(-12 * time.Second), RxBytes: 1250, TxBytes: 340,
				Online: true, LastSync: testNow.Add(-4 * time.Minute)}
		}
		set(o)
	})
	// The store keeps alerts unseen; the two seen are marked so, as the
	// page marks them.
	if err := hs.st.AddAlerts(context.Background(), testAlerts()); err != nil {
		t.Fatal(err)
	}
	if err := hs.st.SeeAlerts(context.Background(), 12); err != nil {
		t.Fatal(err)
	}
	// As at start: the count read from the store.
	hs.run(hs.m.loadUnseen())
	return hs
}

func noOptions(*Options) {}

func (h *harness) unseen() int {
	h.t.Helper()
	n, err := h.st.Unseen(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// hasLine reports whether a line of the screen is s alone, but for blanks.
func (h *harness) hasLine(s string) bool {
	h.t.Helper()
	return slices.Contains(strings.Split(h.view(), "\n"), cells.Center(s, h.w))
}

func (h *harness) statusBar() string {
	h.t.Helper()
	return h.line(h.h - 1)
}

// An alert rings the bell once a message, however many alerts it brings,
// when the settings want the bell; shows the one that matters most, made
// inert; and the status bar counts the unseen exactly.
func TestAlertBellNoticeAndCount(t *testing.T) {
	ring := func(o *Options) { o.Bell = true }
	as := testAlerts()
	for _, tt := range []struct {
		name    string
		set     func(*Options)
		alerts  []store.Alert
		bells   int
		notice  string
		urgent  bool
		counted string
	}{
		{"one", ring, as[3:4], 1,
			"提醒：工单20200506002「𠮷野家门前路灯不亮」派发时限将到␛[2J␛]0;pwned␇，还剩 1时30分", false, " 提醒 3 │ 隧道 "},
		{"the urgent one of two", ring, as[3:5], 1,
			"提醒 2 条：工单20200506001「盘锦市兴隆台区供电线路老化频繁停电」签收已到时限，请立即签收", true, " 提醒 3 │ 隧道 "},
		{"bell off", noOptions, as[4:5], 0,
			"提醒：工单20200506001「盘锦市兴隆台区供电线路老化频繁停电」签收已到时限，请立即签收", true, " 提醒 3 │ 隧道 "},
		{"none", ring, nil, 0, "", false, " 提醒 3 │ 隧道 "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := alertsHarness(t, 120, 40, tt.set)
			if got := h.bells(AlertMsg{Alerts: tt.alerts}); got != tt.bells {
				t.Errorf("%d bells, want %d", got, tt.bells)
			}
			if h.notice() != tt.notice || h.m.noticeErr != tt.urgent {
				t.Errorf("notice %q (error style %v), want %q (%v)", h.notice(), h.m.noticeErr, tt.notice, tt.urgent)
			}
			bar := h.statusBar()
			if !strings.Contains(bar, tt.counted) {
				t.Errorf("status bar %q lacks %q", bar, tt.counted)
			}
		})
	}
	// Each message rings once, on any screen; the count follows the store.
	h := alertsHarness(t, 80, 24, ring)
	h.open("20200506002")
	for i := range 3 {
		a := store.Alert{ID: int64(20 + i), Event: "urge", Ticket: "20200506002", Text: fmt.Sprintf("催办第 %d 次", i+1), At: testNow}
		if err := h.st.AddAlerts(context.Background(), []store.Alert{a}); err != nil {
			t.Fatal(err)
		}
		if got := h.bells(AlertMsg{Alerts: []store.Alert{a}}); got != 1 {
			t.Fatalf("alert %d: %d bells", i, got)
		}
		want := fmt.Sprintf("提醒 %d │", 4+i)
		if bar := h.statusBar(); !strings.Contains(bar, want) {
			t.Errorf("alert %d: status bar %q lacks %q", i, bar, want)
		}
	}
}

// Without unseen alerts the status bar says nothing of them: the screens
// of every other golden stay as they were.
func TestAlertCountHiddenAtZero(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	if bar := h.statusBar(); strings.Contains(bar, "提醒") || !strings.HasPrefix(bar, " 隧道 ") {
		t.Errorf("status bar %q", bar)
	}
}

// The alerts page, newest first, in Chinese at both sizes: the alerts new
// until now marked ●, the urgent one 紧急; under the table the whole text
// of the one under the cursor, its clear screen inert. Opening the page
// marks them all seen and the count goes.
func TestAlertsPageGoldens(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := alertsHarness(t, sz.w, sz.h, noOptions)
			if n := h.unseen(); n != 3 {
				t.Fatalf("%d unseen before, want 3", n)
			}
			h.press("!", "down")
			if h.m.screen != screenAlerts || h.m.alerts.Shown() != alertspage.List {
				t.Fatalf("! shows screen %d", h.m.screen)
			}
			golden(t, fmt.Sprintf("alerts-%dx%d.golden", sz.w, sz.h), h.view())
			if n := h.unseen(); n != 0 {
				t.Errorf("%d unseen after the page was shown, want 0", n)
			}
			if bar := h.statusBar(); strings.Contains(bar, "提醒") {
				t.Errorf("status bar still counts: %q", bar)
			}
			// The content column leaves out the 【12345】 tag and the
			// ticket's own number; the pane shows the text whole.
			for _, want := range []string{"共 5 条，新到 3 条（标 ●，现已读）", "● 05-06 14:59 20200506001 紧急 「盘锦市兴隆台区供电线路老化",
				"── 工单 20200506002 · 2020-05-06 14:34 ──", " 工单20200506002「𠮷野家门前路灯不亮」派发时限将到␛[2J␛]0;pwned␇，还剩 1时30分",
				"  05-04 13:04 20200504017      「物业收费不合理」已派发给你单位", "  05-05 14:04 20200503011      回复被赵分管退回："} {
				if !strings.Contains(h.view(), want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

// An alert longer than the lines under the table ends there in …; one
// that fits is shown whole.
func TestAlertsPaneCutsLongText(t *testing.T) {
	h := alertsHarness(t, 80, 24, noOptions)
	h.press("!", "down", "down")
	lines := strings.Split(h.view(), "\n")
	pane := lines[18:22]
	if !strings.HasPrefix(pane[0], "── 工单 20200503011 · 2020-05-06 11:04 ──") {
		t.Fatalf("pane rule %q", pane[0])
	}
	if !strings.HasPrefix(pane[1], " 工单20200503011「双台子区电费催缴短信频繁」被12345中心催办：") ||
		!strings.HasSuffix(strings.TrimRight(pane[3], " "), "…") {
		t.Errorf("pane:\n%s", strings.Join(pane, "\n"))
	}
}

// enter opens the ticket of the alert under the cursor; its page goes back
// to the alerts, the alerts back to where they were opened from. The alerts
// key on that ticket's page goes back to them too, not round again.
func TestAlertsPageOpensTicket(t *testing.T) {
	h := alertsHarness(t, 80, 24, noOptions)
	h.press("2", "!", "down", "down")
	if got := h.m.alerts.Selected(); got != "20200503011" {
		t.Fatalf("cursor on %q", got)
	}
	h.press("enter")
	if h.m.screen != screenDetail || h.m.detail.Number() != "20200503011" {
		t.Fatalf("enter shows screen %d", h.m.screen)
	}
	h.press("esc")
	if h.m.screen != screenAlerts || h.m.alerts.Selected() != "20200503011" {
		t.Fatalf("back from the ticket to screen %d, cursor on %q", h.m.screen, h.m.alerts.Selected())
	}
	h.press("up", "enter", "!")
	if h.m.screen != screenAlerts || h.m.detail != nil {
		t.Fatalf("! on a ticket opened from the alerts: screen %d", h.m.screen)
	}
	h.press("esc")
	if h.m.screen != screenList || h.m.list.Active() != 1 {
		t.Fatalf("back from the alerts to screen %d", h.m.screen)
	}
	// From a ticket opened from the lists, back to it.
	h.open("20200506001")
	h.press("!", "esc")
	if h.m.screen != screenDetail || h.m.detail.Number() != "20200506001" {
		t.Fatalf("back from the alerts to screen %d", h.m.screen)
	}
}

// An alert that comes while the page is shown is listed, marked new, and
// seen at once.
func TestAlertWhileThePageIsShown(t *testing.T) {
	h := alertsHarness(t, 80, 24, noOptions)
	h.press("!")
	a := store.Alert{ID: 30, Event: "review", Ticket: "20200505030", At: testNow, Text: "工单20200505030的回复待你审核"}
	if err := h.st.AddAlerts(context.Background(), []store.Alert{a}); err != nil {
		t.Fatal(err)
	}
	h.send(AlertMsg{Alerts: []store.Alert{a}})
	if !strings.Contains(h.line(3), "● 05-06 15:04 20200505030      回复待你审核") {
		t.Errorf("first row %q", h.line(3))
	}
	if !strings.Contains(h.view(), "共 6 条，新到 4 条") {
		t.Errorf("count line %q", h.line(1))
	}
	if n := h.unseen(); n != 0 {
		t.Errorf("%d unseen", n)
	}
}

func TestAlertsPageEmpty(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("!")
	if !h.hasLine("暂无提醒") {
		t.Errorf("empty page:\n%s", h.view())
	}
}

// deliveries is a delivery log with every status, a group robot's message
// and a failure's reason, as Options.Deliveries gives it; asked records
// the times it was asked for. With rows set it gives those instead, and
// with totals it reports the platform's counts over the window as well.
type deliveries struct {
	asked  [][2]time.Time
	err    error
	rows   []Delivery
	totals *alertspage.Totals
}

func (d *deliveries) read(ctx context.Context, from, to time.Time) (DeliveryLog, error) {
	d.asked = append(d.asked, [2]time.Time{from, to})
	if d.err != nil {
		return DeliveryLog{}, d.err
	}
	if d.rows != nil {
		return DeliveryLog{Deliveries: d.rows, Totals: d.totals}, nil
	}
	return DeliveryLog{Deliveries: []Delivery{
		{Ticket: "20200504017", Event: "dispatch", Channel: "terminal", Login: "duty01", Name: "葛\U000E0100𠮷祥", Status: "sent", Attempts: 1,
			Text: "【12345】工单20200504017已派发给你单位", At: at(50 * time.Hour), SentAt: at(50 * time.Hour)},
		{Ticket: "20200504017", Event: "dispatch", Channel: "sms", Login: "duty02", Name: "刘强", Status: "failed", Attempts: 20,
			LastError: "号码无效：isv.MOBILE_NUMBER_ILLEGAL\x1b[2J", Text: "【12345】工单20200504017已派发给你单位", At: at(50*time.Hour - time.Second)},
		{Ticket: "20200503011", Event: "urge", Channel: "wecom@PJGD", Status: "dropped", Attempts: 3,
			LastError: "工单已办结", Text: "催办：双台子区电费催缴短信频繁", At: at(4 * time.Hour)},
		{Ticket: "20200506002", Event: "deadline", Channel: "sms", Login: "handler07", Status: "queued",
			Text: "工单20200506002派发时限将到", At: at(30 * time.Minute)},
		{Ticket: "20200506001", Event: "deadline", Channel: "dingtalk", Status: "sending", Attempts: 1, Urgent: true,
			Text: "工单20200506001签收已到时限", At: at(5 * time.Minute)},
	}, Totals: d.totals}, nil
}

// 通知发送记录: tab shows the unit's deliveries of the last seven days,
// newest first, each status in Chinese, a failure's reason inert.
func TestDeliveryLogGoldens(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			d := &deliveries{}
			h := alertsHarness(t, sz.w, sz.h, func(o *Options) { o.Deliveries = d.read })
			h.press("!", "tab", "down", "down", "down")
			if h.m.alerts.Shown() != alertspage.Log {
				t.Fatal("tab did not show the log")
			}
			golden(t, fmt.Sprintf("alerts-log-%dx%d.golden", sz.w, sz.h), h.view())
			want := [2]time.Time{testNow.Add(-7 * 24 * time.Hour), testNow.Add(time.Minute)}
			if len(d.asked) != 1 || !d.asked[0][0].Equal(want[0]) || !d.asked[0][1].Equal(want[1]) {
				t.Errorf("asked for %v, want once for %v", d.asked, want)
			}
			view := h.view()
			for _, label := range []string{"已送达", "失败", "已放弃", "待发送", "发送中", "终端", "wecom@PJGD", " 群 ",
				"── 工单 20200504017 · sms · 刘强 · 失败（发送 20 次） ──", " 失败原因：号码无效：isv.MOBILE_NUMBER_ILLEGAL␛[2J",
				// The content column leaves out the tag and the number;
				// the pane under the table does not.
				"葛\U000E0100𠮷祥    已送达    1 已派发给你单位", " 【12345】工单20200504017已派发给你单位"} {
				if !strings.Contains(view, label) {
					t.Errorf("log lacks %q", label)
				}
			}
			// Going back to the alerts and to the log again asks no more;
			// r does.
			h.press("tab", "tab")
			if len(d.asked) != 1 {
				t.Errorf("asked %d times after tab, tab", len(d.asked))
			}
			h.press("r")
			if len(d.asked) != 2 {
				t.Errorf("asked %d times after r", len(d.asked))
			}
			h.press("enter")
			if h.m.screen != screenDetail || h.m.detail.Number() != "20200504017" {
				t.Errorf("enter on the failed delivery shows screen %d", h.m.screen)
			}
		})
	}
}

// A log longer than the platform sends says so: the window's count and
// the rows shown, each status counted over the whole window, the tab
// counting it all. The rows are dated by when they were due to go, as
// the platform reads the window: the last row, at G, is of the window.
func TestDeliveryLogCapped(t *testing.T) {
	var rows []Delivery
	for i := range 500 {
		d := Delivery{Ticket: fmt.Sprintf("20200506%06d", i), Event: "deadline", Channel: "sms", Login: "duty01", Name: "刘强",
			Status: "queued", Text: fmt.Sprintf("【12345】工单20200506%06d派发时限将到", i), At: testNow.Add(-time.Duration(i) * 20 * time.Minute)}
		if i%2 == 0 {
			d.Status, d.Attempts, d.SentAt = "sent", 1, d.At
		}
		rows = append(rows, d)
	}
	d := &deliveries{rows: rows, totals: &alertspage.Totals{Total: 845, Counts: map[string]int{"sent": 147, "dropped": 363, "queued": 335}}}
	h := alertsHarness(t, 80, 24, func(o *Options) { o.Deliveries = d.read })
	h.press("!", "2")
	golden(t, "alerts-log-capped-80x24.golden", h.view())
	if got, want := strings.TrimRight(h.line(1), " "), " 共 845 条，显示最近 500 条 · 已送达 147 · 已放弃 363 · 待发送 335"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	if got, want := h.line(0), " 1 提醒 5   2 通知发送记录 845 "; !strings.HasPrefix(got, want) {
		t.Errorf("tabs %q, want %q", got, want)
	}
	if got, want := h.line(3), "  05-06 15:04 20200506000000 sms  刘强   已送达    1 派发时限将到"; !strings.HasPrefix(got, want) {
		t.Errorf("first row %q, want %q", got, want)
	}
	// 499 × 20 minutes before 05-06 15:04 is 04-29 16:44, after the
	// window's 04-29 15:04.
	h.press("G")
	view := h.view()
	if want := "  04-29 16:44 20200506000499 sms  刘强   待发送    0 派发时限将到"; !strings.Contains(view, want) {
		t.Errorf("after G the last row is not %q:\n%s", want, view)
	}
	// Without the platform's counts (an older Source) the rows are
	// counted, as before.
	d.totals = nil
	h.press("r")
	if got, want := strings.TrimRight(h.line(1), " "), " 本单位 04-29 15:04 以来的通知 500 条 · 已送达 250 · 待发送 250"; got != want {
		t.Errorf("header without counts %q, want %q", got, want)
	}
}

// The log that cannot be read says why in the page: the platform's refusal
// of the user's role, no platform at all.
func TestDeliveryLogErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Options)
		want string
	}{
		{"refused", func(o *Options) {
			o.Deliveries = (&deliveries{err: errors.New("当前用户无权查看通知发送记录")}).read
		}, " 读取通知发送记录失败：当前用户无权查看通知发送记录"},
		{"no platform", noOptions, " 读取通知发送记录失败：未连接平台：本机没有可询问的平台"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := alertsHarness(t, 80, 24, tt.set)
			h.press("!", "2")
			if got := strings.TrimRight(h.line(1), " "); got != tt.want {
				t.Errorf("line %q, want %q", got, tt.want)
			}
			if !h.hasLine("无法读取通知发送记录") {
				t.Errorf("table does not say it cannot read:\n%s", h.view())
			}
			// The alerts are still there.
			h.press("1")
			if !strings.Contains(h.view(), "共 5 条") {
				t.Errorf("alerts gone:\n%s", h.view())
			}
		})
	}
}

// 本部门督办情况统计 offers the log in its hint line; l opens it and esc
// comes back to the figures, not to the lists.
func TestDeliveryLogFromSupervision(t *testing.T) {
	d := &deliveries{}
	h := alertsHarness(t, 120, 40, func(o *Options) { o.Deliveries = d.read })
	statsReady(h)
	h.press("7")
	if hint := h.line(38); !strings.Contains(hint, " l 通知记录 ") {
		t.Errorf("hint line %q", hint)
	}
	h.press("l")
	if h.m.screen != screenAlerts || h.m.alerts.Shown() != alertspage.Log || len(d.asked) != 1 {
		t.Fatalf("l shows screen %d, asked %d times", h.m.screen, len(d.asked))
	}
	// The log shown is not the alerts: they stay unseen.
	if n := h.unseen(); n != 3 {
		t.Errorf("%d unseen, want 3", n)
	}
	h.press("esc")
	if h.m.screen != screenStats || h.m.stats == nil || h.m.stats.Kind() != stats.Supervision {
		t.Fatalf("esc shows screen %d", h.m.screen)
	}
	// 投诉办理情况统计 does not offer it.
	h.press("6")
	if hint := h.line(38); strings.Contains(hint, "通知记录") {
		t.Errorf("handling statistics hint line %q", hint)
	}
}

// The alerts key is rebindable: the new key opens the page, the old one no
// longer does, and help tells it.
func TestAlertsKeyRebound(t *testing.T) {
	h := newHarnessWith(t, testUser, 120, 40, fixtures(), rebound(t, map[string][]string{"global.alerts": {"f3"}}))
	h.press("!")
	if h.m.screen != screenList {
		t.Fatalf("! still opens screen %d", h.m.screen)
	}
	h.key("f3")
	if h.m.screen != screenAlerts {
		t.Fatalf("f3 shows screen %d", h.m.screen)
	}
	h.press("?")
	top := h.view()
	h.press("G")
	if end := h.view(); !strings.Contains(top, "  f3         提醒 ") || !strings.Contains(end, "提醒（在各页按 f3 打开）") {
		t.Errorf("help does not tell f3:\n%s\n%s", top, end)
	}
}

// Both views fit every size exactly, resized too.
func TestAlertsPageFitsEverySize(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {81, 25}, {100, 30}, {157, 51}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			d := &deliveries{}
			h := alertsHarness(t, sz.w, sz.h, func(o *Options) { o.Deliveries = d.read })
			for _, k := range []string{"!", "2"} {
				h.press(k)
				h.view()
				h.w, h.h = h.w+7, h.h+3
				h.send(tea.WindowSizeMsg{Width: h.w, Height: h.h})
				h.view()
			}
		})
	}
}

// The alerts' goldens hold under an East Asian locale, where ambiguous
// characters (─, …, ●) are wide to the width library: the layout pins them
// to one cell, as TestEastAsianLocaleKeepsLayout checks the other screens.
func TestAlertsEastAsianLocale(t *testing.T) {
	if os.Getenv("HOTLINE_TUI_EASTASIAN_CHILD") == "1" {
		t.Skip("running as the child")
	}
	if *update {
		t.Skip("goldens are being rewritten")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestAlertsPageGoldens|TestDeliveryLogGoldens|TestDeliveryLogCapped|TestEastAsianChild)$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HOTLINE_TUI_EASTASIAN_CHILD=1", "RUNEWIDTH_EASTASIAN=1", "LANG=zh_CN.UTF-8", "LC_ALL=zh_CN.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("alerts' goldens under RUNEWIDTH_EASTASIAN=1 LANG=zh_CN.UTF-8: %v\n%s", err, out)
	}
	for _, name := range []string{"TestAlertsPageGoldens", "TestDeliveryLogGoldens", "TestDeliveryLogCapped", "TestEastAsianChild"} {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("child did not pass %s:\n%s", name, out)
		}
	}
}

// Alerts are listed in the order they fell due, not the order they came
// in: a reminder comes with the change that schedules it and falls due
// later. A ticket number of today's 14 digits is shown whole, and opening
// the page sees every alert read, though the one that came last is not on
// top.
func TestAlertsInTheOrderTheyFellDue(t *testing.T) {
	h := alertsHarness(t, 80, 24, noOptions)
	ctx := context.Background()
	late := store.Alert{ID: 9, Event: "deadline", Stage: "due", Ticket: "20261205000020", At: testNow.Add(-time.Minute), Urgent: true,
		Text: "工单20261205000020签收已到时限"}
	if err := h.st.AddAlerts(ctx, []store.Alert{late}); err != nil {
		t.Fatal(err)
	}
	h.press("!")
	if got, want := h.line(3), "● 05-06 15:03 20261205000020 紧急 签收已到时限"; !strings.HasPrefix(got, want) {
		t.Errorf("first row %q, want %q", got, want)
	}
	if got, want := h.line(4), "● 05-06 14:59 20200506001    紧急 「盘锦市兴隆台区供电线路老化频繁停电」签收已"; !strings.HasPrefix(got, want) {
		t.Errorf("second row %q, want %q", got, want)
	}
	if n := h.unseen(); n != 0 {
		t.Errorf("%d unseen after the page was opened", n)
	}
}
