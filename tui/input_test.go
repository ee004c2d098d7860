package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/tui/app"
)

// burst sends keys as a terminal delivers keys typed fast: each reaches the
// model before any command of the ones before has run. The commands then
// run in order.
func (h *harness) burst(names ...string) {
	var cmds []tea.Cmd
	for _, n := range names {
		_, cmd := h.m.Update(keyPress(n))
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		h.run(c)
	}
}

// Keys typed before a page has its data, or while another page is on its
// way, wait and reach that page once it can take them.
func TestKeysTypedFastAreKept(t *testing.T) {
	t.Run("enter s signs the ticket opened", func(t *testing.T) {
		h := newHarness(t, 80, 24, fixtures())
		h.press("down") // 20200506001, waiting to be signed
		h.burst("enter", "s")
		if h.m.screen != screenDetail || h.m.detail.Number() != "20200506001" {
			t.Fatalf("screen %d", h.m.screen)
		}
		out := h.outbox("20200506001")
		if len(out) != 1 || out[0].Kind != complaint.KindSign {
			t.Fatalf("outbox after enter s: %+v (notice %q)", out, h.notice())
		}
		if len(h.m.queue) != 0 {
			t.Fatalf("%d keys left waiting", len(h.m.queue))
		}
	})
	t.Run("enter s a assigns the ticket as signed", func(t *testing.T) {
		h := newHarness(t, 80, 24, fixtures())
		h.press("down")
		h.burst("enter", "s", "a", "down")
		if h.m.screen != screenForm || h.m.form.Name() != "assign" {
			t.Fatalf("screen %d, notice %q", h.m.screen, h.notice())
		}
		if got := h.m.form.Field("assign.subunit").Selected(); got != subST {
			t.Fatalf("down in the form chose %q, want %q", got, subST)
		}
	})
	t.Run("esc down enter opens the next ticket", func(t *testing.T) {
		h := newHarness(t, 80, 24, fixtures())
		h.open("20200506002")
		h.burst("esc", "down", "enter")
		if h.m.screen != screenDetail || h.m.detail.Number() != "20200506001" {
			t.Fatalf("screen %d", h.m.screen)
		}
	})
	t.Run("text typed as the form opens", func(t *testing.T) {
		h := newHarnessAs(t, handlerUser, 80, 24, fixtures())
		h.open("20200504017")
		h.burst("r", "经", "核", "实")
		if h.m.screen != screenForm || h.m.form.Value("reply.findings") != "经核实" {
			t.Fatalf("screen %d, findings %q", h.m.screen, h.m.form.Value("reply.findings"))
		}
	})
	t.Run("ctrl+c is not kept waiting", func(t *testing.T) {
		h := newHarness(t, 80, 24, fixtures())
		_, cmd := h.m.Update(keyPress("enter"))
		_, quit := h.m.Update(keyPress("ctrl+c"))
		if quit == nil || len(h.m.queue) != 0 {
			t.Fatalf("ctrl+c waited behind the page: queue %d", len(h.m.queue))
		}
		h.run(quit)
		if !h.quit {
			t.Fatal("ctrl+c did not quit")
		}
		_ = cmd
	})
}

// A message about one page goes when another is shown; the one that says a
// form's action was saved stays as the form closes; every message goes
// after NoticeTime.
func TestNoticesAreTransient(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.open("20200506002") // signed already
	h.press("s")
	if h.notice() != "工单状态为“已签收”，不能签收" {
		t.Fatalf("notice %q", h.notice())
	}
	h.press("u")
	if h.m.screen != screenForm || h.notice() != "" {
		t.Fatalf("the refusal stayed on the form: screen %d, notice %q", h.m.screen, h.notice())
	}
	if strings.Contains(h.line(23), "不能签收") {
		t.Fatalf("status bar still says it: %q", h.line(23))
	}
	h.typeText("请今日内派发")
	h.press("ctrl+s")
	if h.m.screen != screenDetail || h.notice() != "催办已保存，等待发送（工单 20200506002）" {
		t.Fatalf("after the form: screen %d, notice %q", h.m.screen, h.notice())
	}
	h.press("esc")
	if h.notice() != "" {
		t.Fatalf("notice %q on the list", h.notice())
	}

	// Expiry: each notice sets a timer of NoticeTime that clears it, and
	// only it.
	h.timers = nil
	h.send(app.NoticeMsg{Text: "第一条"})
	h.send(app.NoticeMsg{Text: "第二条"})
	var delays []time.Duration
	for _, tm := range h.timers {
		if _, ok := tm.msg.(clearNoticeMsg); ok {
			delays = append(delays, tm.d)
		}
	}
	if len(delays) != 2 || delays[0] != NoticeTime || delays[1] != NoticeTime {
		t.Fatalf("notice timers %v, want two of %v", delays, NoticeTime)
	}
	isClear := func(m tea.Msg) bool { _, ok := m.(clearNoticeMsg); return ok }
	first := h.timers[0]
	h.timers = h.timers[1:]
	h.send(first.msg)
	if h.notice() != "第二条" {
		t.Fatalf("the first notice's timer cleared the second: %q", h.notice())
	}
	if n := h.fire(isClear); n != 1 || h.notice() != "" {
		t.Fatalf("fired %d, notice %q", n, h.notice())
	}

	// The program's own timer delivers its message.
	real := New(Options{Now: func() time.Time { return testNow }})
	if got := real.ctx.After(time.Millisecond, clearNoticeMsg{seq: 7})(); got != (clearNoticeMsg{seq: 7}) {
		t.Fatalf("After delivered %#v", got)
	}
}

// Every view asks for the alternate screen, and the last one, as the
// program quits, is blank: nothing of the screens is left for a terminal
// to copy back onto the normal screen.
func TestAltScreenAndBlankLastFrame(t *testing.T) {
	for _, sc := range screens {
		h := newHarnessAs(t, sc.user, 80, 24, fixtures())
		sc.drive(h)
		if !h.m.View().AltScreen {
			t.Errorf("%s: view not in the alternate screen", sc.name)
		}
	}
	for _, sz := range []struct{ w, h int }{{40, 10}, {0, 0}} {
		h := newHarness(t, sz.w, sz.h, fixtures())
		if !h.m.View().AltScreen {
			t.Errorf("%d×%d: view not in the alternate screen", sz.w, sz.h)
		}
	}
	blank := strings.TrimSuffix(strings.Repeat(strings.Repeat(" ", 80)+"\n", 24), "\n")
	tests := []struct {
		name  string
		user  complaint.User
		drive func(h *harness)
	}{
		{"q on the list", testUser, func(h *harness) { h.press("q") }},
		{"ctrl+c in a form", handlerUser, func(h *harness) { h.open("20200504017"); h.press("r", "ctrl+c") }},
		{"q on the too-small notice", testUser, func(h *harness) {
			h.send(tea.WindowSizeMsg{Width: 60, Height: 20})
			h.press("q")
			h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			tt.drive(h)
			v := h.m.View()
			if !h.quit || !v.AltScreen || v.Cursor != nil || v.Content != blank {
				t.Fatalf("quit %v, alt screen %v, cursor %v, content %q", h.quit, v.AltScreen, v.Cursor, v.Content)
			}
		})
	}
}

// The page lists under one heading the actions not sent yet and those
// refused, never those sent; under the refused action the keys act on are
// the keys open on it, as on the action line.
func TestOutboxOnThePage(t *testing.T) {
	ctx := context.Background()
	h := newHarnessAs(t, handlerUser, 120, 40, fixtures())
	enqueue := func(a complaint.Action) complaint.Action {
		a.Ticket, a.CreatedAt = "20200504017", testNow
		a, err := h.st.Enqueue(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	sent := enqueue(complaint.Action{Kind: complaint.KindReply, BaseVersion: 4, Reply: &complaint.Reply{Text: "第一次回复：已发出"}})
	if err := h.st.MarkSent(ctx, sent.ID, complaint.Ticket{}); err != nil {
		t.Fatal(err)
	}
	h.open("20200504017")
	if strings.Contains(h.body(), "第一次回复") || strings.Contains(h.body(), "已发送") || strings.Contains(h.body(), "── 待发送") {
		t.Fatalf("a sent action is listed:\n%s", h.body())
	}
	h.refuse(complaint.Action{Kind: complaint.KindContact, Ticket: "20200504017", BaseVersion: 4, CreatedAt: testNow,
		Contact: &complaint.Contact{At: at(time.Hour), How: "电话", Result: "再次联系"}}, "工单已被更新，请核对后重发")
	h.open("20200504017")
	checkSection(t, h, "── 已退回 ──", []string{
		"05-06 15:04  联系客户  已退回：工单已被更新，请核对后重发",
		"    联系方式：电话",
		"    联系时间：2020-05-06 14:04",
		"    再次联系",
		"    m 修改后重发 · R 原样重发 · X 放弃",
	})
	enqueue(complaint.Action{Kind: complaint.KindReply, BaseVersion: 4, Reply: &complaint.Reply{Text: "第二次回复"}})
	h.open("20200504017")
	checkSection(t, h, "── 待发送 / 已退回 ──", []string{
		"05-06 15:04  回复  待发送",
		"    第二次回复",
		"05-06 15:04  联系客户  已退回：工单已被更新，请核对后重发",
		"    联系方式：电话",
		"    联系时间：2020-05-06 14:04",
		"    再次联系",
		"    m 修改后重发 · R 原样重发 · X 放弃",
	})

	// Only actions waiting: the heading says so.
	h = newHarness(t, 120, 40, fixtures())
	if _, err := h.st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: "20200506001", BaseVersion: 1, CreatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	h.open("20200506001")
	checkSection(t, h, "── 待发送 ──", []string{"05-06 15:04  签收  待发送"})

	// A refused sign has nothing to correct: neither line offers m, and
	// only the newest refused action, the one the keys act on, has keys.
	h = newHarness(t, 120, 40, fixtures())
	h.refuse(complaint.Action{Kind: complaint.KindReturnRequest, Ticket: "20200506001", BaseVersion: 1, Text: "不属本单位", CreatedAt: testNow.Add(-time.Minute)}, "已有退单申请")
	h.refuse(complaint.Action{Kind: complaint.KindSign, Ticket: "20200506001", BaseVersion: 0, CreatedAt: testNow}, "工单已被更新，请核对后重发")
	h.open("20200506001")
	if got := strings.TrimRight(h.line(1), " "); got != " 可办理：s 签收  t 退单申请  e 延期申请  u 催办  R 原样重发  X 放弃被退回的操作" {
		t.Fatalf("action line %q", got)
	}
	checkSection(t, h, "── 已退回 ──", []string{
		"05-06 15:04  签收  已退回：工单已被更新，请核对后重发",
		"    R 原样重发 · X 放弃",
		"05-06 15:03  退单申请  已退回：已有退单申请",
		"    不属本单位",
	})
	h.press("m")
	if h.notice() != "“签收”没有可修改的内容：按 R 原样重发或 X 放弃" {
		t.Fatalf("m on a refused sign: notice %q", h.notice())
	}
}

// checkSection checks the lines of the page's last section, from its
// heading.
func checkSection(t *testing.T, h *harness, heading string, want []string) {
	t.Helper()
	lines := strings.Split(h.body(), "\n")
	at := -1
	for i, l := range lines {
		if strings.HasPrefix(l, heading) {
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("no section %q:\n%s", heading, h.body())
	}
	got := lines[at+1:]
	for i := range got {
		got[i] = strings.TrimRight(got[i], " ")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("section %q:\n got %q\nwant %q", heading, got, want)
	}
}

// The history names people from the unit directory the program has, and
// follows it when it changes; a login it does not know is shown as it is.
// The first event has no state before it.
func TestHistoryNamesAndFirstMove(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	h.open("20200506001")
	const first = "05-06 14:39  周话务  派单  →待签收"
	if !strings.Contains(h.body(), first) {
		t.Fatalf("history lacks %q:\n%s", first, h.body())
	}
	var others []complaint.User
	for _, p := range testPeople {
		if p.Login != "center01" {
			others = append(others, p)
		}
	}
	h.send(DirectoryMsg{Units: testUnits, People: append(others, complaint.User{Login: "center01", Name: "周新"})})
	if want := "05-06 14:39  周新  派单  →待签收"; !strings.Contains(h.body(), want) {
		t.Fatalf("history lacks %q after the directory changed:\n%s", want, h.body())
	}
	h.send(DirectoryMsg{Units: testUnits, People: others})
	if want := "05-06 14:39  center01  派单  →待签收"; !strings.Contains(h.body(), want) {
		t.Fatalf("history lacks %q for a login not in the directory:\n%s", want, h.body())
	}
}

// Old tickets: a date of another year carries the year, and a long age is
// said compactly; neither column is ever cut.
func TestOldTicketsFitTheColumns(t *testing.T) {
	received := time.Date(2013, 1, 8, 11, 23, 0, 0, shanghai)
	old := due(complaint.Ticket{
		Number: "20130108001", Title: "老旧小区线路改造", Content: "线路老化。", ReceivedAt: received.UTC(), DispatchedAt: received.UTC(),
		Unit: unitCode, State: complaint.Signed, Version: 2,
		Events: []complaint.Event{
			ev(complaint.KindDispatch, "center01", received.UTC(), "", complaint.Dispatched, ""),
			ev(complaint.KindSign, "duty01", at(time.Hour), complaint.Dispatched, complaint.Signed, ""),
		},
	}, complaint.StepAssign, received.UTC(), at(2521*24*time.Hour+13*time.Hour))
	fedBack := complaint.Ticket{Number: "20191231001", Title: "跨年工单", ReceivedAt: time.Date(2019, 12, 31, 23, 30, 0, 0, shanghai).UTC(),
		Unit: unitCode, State: complaint.FedBack, Version: 3}
	h := newHarness(t, 100, 30, append(fixtures(), old, fedBack))
	h.press("2")
	for _, want := range []string{
		"  20130108001 老旧小区线路改造                              2013-01-08  !派发  超时 6年11月 已签收  ",
		"  20200506002 𠮷野家门前“停电”……——①② 路灯不亮               05-06 11:52 !派发  超时 1时30分 已签收  ",
	} {
		if !strings.Contains(h.view(), want) {
			t.Errorf("the list lacks %q:\n%s", want, h.view())
		}
	}
	h.press("3")
	if want := "  20191231001 跨年工单                                                          2019-12-31  已反馈  "; !strings.Contains(h.view(), want) {
		t.Errorf("the list lacks %q:\n%s", want, h.view())
	}
	h.open("20130108001")
	for _, want := range []string{
		"收到时间      2013-01-08 11:23（已过 7年4月）",
		"2013-01-08 11:23  周话务  派单  →待签收",
		"2020-05-06 14:04  葛\U000E0100𠮷祥  签收  待签收→已签收",
	} {
		if !strings.Contains(h.body(), want) {
			t.Errorf("the page lacks %q:\n%s", want, h.body())
		}
	}
}

// A link that stopped for good (the platform refuses this terminal) stays
// said in the status bar: its notice expires, but the bar keeps the reason
// whenever nothing else is said, on every screen.
func TestStoppedLinkStaysInTheStatusBar(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	const why = "平台拒绝本终端（已停用或未登记），同步已停止"
	h.send(LinkMsg{Online: false, Err: why, Stopped: true})
	if h.notice() != why {
		t.Fatalf("notice %q", h.notice())
	}
	h.fire(func(m tea.Msg) bool { _, ok := m.(clearNoticeMsg); return ok })
	if h.notice() != "" || !strings.Contains(h.line(39), why) {
		t.Fatalf("after the notice expired: notice %q, bar %q", h.notice(), h.line(39))
	}
	if strings.Contains(h.line(39), "将在恢复后发送") {
		t.Errorf("the bar promises a recovery: %q", h.line(39))
	}
	h.open("20200506002")
	h.send(app.NoticeMsg{Text: "另一条消息"})
	if bar := h.line(39); !strings.Contains(bar, "另一条消息") || strings.Contains(bar, why) {
		t.Errorf("a notice shows over the reason: %q", bar)
	}
	h.fire(func(m tea.Msg) bool { _, ok := m.(clearNoticeMsg); return ok })
	if !strings.Contains(h.line(39), why) {
		t.Errorf("the reason is gone on the ticket's page: %q", h.line(39))
	}
}
