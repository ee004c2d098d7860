package tui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/pages/reply"
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// screens drives the model to each screen that has golden files.
var screens = []struct {
	name  string
	drive func(h *harness)
}{
	{"list", func(h *harness) {}},
	{"list-done", func(h *harness) { h.press("2") }},
	{"detail", func(h *harness) { h.press("j", "j", "enter") }},
	{"detail-scrolled", func(h *harness) { h.press("j", "j", "enter", "pgdown") }},
	{"reply", func(h *harness) {
		h.press("j", "enter", "r")
		h.typeText("经现场核查，")
		h.press("enter")
		h.typeText("𠮷野家门前①②号路灯已于5月6日修复。")
	}},
	{"help", func(h *harness) { h.press("?") }},
}

func TestGoldens(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s-%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				h := newHarness(t, sz.w, sz.h, fixtures())
				sc.drive(h)
				golden(t, fmt.Sprintf("%s-%dx%d.golden", sc.name, sz.w, sz.h), h.view())
			})
		}
	}
}

// tui-cjk case 6: with a Chinese locale and RUNEWIDTH_EASTASIAN=1, box
// drawing, quotes, ellipses and circled digits stay one cell: every screen
// is drawn exactly as in the default locale. The environment is read once
// at start-up, so the goldens are checked again in a child process.
func TestEastAsianLocaleKeepsLayout(t *testing.T) {
	if os.Getenv("HOTLINE_TUI_EASTASIAN_CHILD") == "1" {
		t.Skip("running as the child")
	}
	if *update {
		t.Skip("goldens are being rewritten")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestGoldens|TestEastAsianChild)$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HOTLINE_TUI_EASTASIAN_CHILD=1", "RUNEWIDTH_EASTASIAN=1", "LANG=zh_CN.UTF-8", "LC_ALL=zh_CN.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("goldens under RUNEWIDTH_EASTASIAN=1 LANG=zh_CN.UTF-8: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") || strings.Contains(string(out), "no tests to run") {
		t.Fatalf("child ran no test:\n%s", out)
	}
}

// TestEastAsianChild proves the child really measures ambiguous characters
// as wide with x/ansi, so that its pass means something.
func TestEastAsianChild(t *testing.T) {
	if os.Getenv("HOTLINE_TUI_EASTASIAN_CHILD") != "1" {
		t.Skip("only in the child of TestEastAsianLocaleKeepsLayout")
	}
	if !eastAsianAnsi() {
		t.Fatal("RUNEWIDTH_EASTASIAN=1 did not make x/ansi measure ─ as 2 cells")
	}
}

func TestEveryScreenFitsEverySize(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range []struct{ w, h int }{{80, 24}, {81, 25}, {100, 30}, {157, 51}, {200, 60}} {
			t.Run(fmt.Sprintf("%s-%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				h := newHarness(t, sz.w, sz.h, fixtures())
				sc.drive(h)
				h.view()
				// Resizing keeps every screen exact.
				h.w, h.h = sz.w+7, sz.h+3
				h.send(tea.WindowSizeMsg{Width: h.w, Height: h.h})
				h.view()
			})
		}
	}
}

func TestTooSmall(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{79, 24}, {80, 23}, {40, 10}, {10, 3}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, fixtures())
			screen := h.view()
			if sz.w >= 20 && !strings.Contains(screen, "窗口太小") {
				t.Fatalf("no 窗口太小 notice:\n%s", screen)
			}
			h.press("q")
			if !h.quit {
				t.Fatal("q does not quit from the too-small notice")
			}
		})
	}
	h := newHarness(t, 60, 20, fixtures())
	want := fmt.Sprintf("至少需要 80×24，当前 60×20")
	if !strings.Contains(h.view(), want) {
		t.Fatalf("notice does not say %q:\n%s", want, h.view())
	}
	h.w, h.h = 80, 24
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if got := h.line(2); !strings.Contains(got, "20200506001") {
		t.Fatalf("after growing, row 2 = %q", got)
	}
}

func TestKeyNames(t *testing.T) {
	// The test keys are what the terminal reports for these names, so
	// bindings written with the names match them.
	for name := range named {
		if got := keyPress(name).String(); got != name && !(name == "space" && got == " ") {
			t.Errorf("key %q reports itself as %q", name, got)
		}
	}
}

func TestListNavigation(t *testing.T) {
	tests := []struct {
		keys []string
		want string // ticket under the cursor
	}{
		{nil, "20200506001"},
		{[]string{"j"}, "20200506002"},
		{[]string{"down", "down", "up"}, "20200506002"},
		{[]string{"G"}, "20200504017"},
		{[]string{"G", "g"}, "20200506001"},
		{[]string{"end", "k"}, "20200506002"},
		{[]string{"pgdown"}, "20200504017"},
		{[]string{"pgdown", "pgup"}, "20200506001"},
		{[]string{"k", "k"}, "20200506001"},
		{[]string{"2"}, "20200430101"},
		{[]string{"tab", "j"}, "20200429088"},
		{[]string{"tab", "j", "1"}, "20200506001"},
		{[]string{"j", "tab", "tab"}, "20200506002"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			h.press(tt.keys...)
			if got := h.m.list.Selected(); got != tt.want {
				t.Fatalf("selected %q, want %q", got, tt.want)
			}
		})
	}
}

func TestListColumns(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	tests := []struct {
		y    int
		want string
	}{
		{0, " 1 未反馈 3   2 已反馈 2                                        2020-05-06 15:04"},
		{1, "  编号        标题                                   收到时间        已过 状态  "},
		{2, "  20200506001 盘锦市兴隆台区供电线路老化频繁停电     05-06 14:29     35分 待签收"},
		{3, "  20200506002 𠮷野家门前“停电”……——①② 路灯不亮        05-06 11:52  3时12分 已签收"},
		{4, "  20200504017 物业收费不合理␛[2J␛]0;pwned␇请核实并…  05-04 12:04   2天3时 已联系"},
	}
	for _, tt := range tests {
		if got := h.line(tt.y); got != tt.want {
			t.Errorf("row %d:\n got %q\nwant %q", tt.y, got, tt.want)
		}
	}
}

func TestElapsed(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Minute, "0分"},
		{59 * time.Second, "0分"},
		{35 * time.Minute, "35分"},
		{time.Hour, "1时0分"},
		{3*time.Hour + 12*time.Minute, "3时12分"},
		{23*time.Hour + 59*time.Minute, "23时59分"},
		{24 * time.Hour, "1天0时"},
		{51 * time.Hour, "2天3时"},
		{400 * 24 * time.Hour, "400天0时"},
	}
	for _, tt := range tests {
		if got := app.Elapsed(tt.d); got != tt.want {
			t.Errorf("Elapsed(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// The flow the officer follows: open a ticket, write the reply, submit.
func TestReplyFlow(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("j", "enter")
	if h.m.screen != screenDetail || h.m.detail.Number() != "20200506002" {
		t.Fatalf("enter did not open 20200506002 (screen %d)", h.m.screen)
	}
	h.press("r")
	if h.m.screen != screenReply {
		t.Fatalf("r did not open the reply form: %s", h.notice())
	}
	h.typeText("同意处理𠮷“测试”")
	h.press("ctrl+s")

	items := h.outbox("20200506002")
	if len(items) != 1 {
		t.Fatalf("outbox holds %d items, want 1: %+v", len(items), items)
	}
	it := items[0]
	if it.Kind != complaint.KindReply || it.Ticket != "20200506002" || it.BaseVersion != 2 ||
		it.Status != store.StatusPending || it.Reply == nil || it.Reply.Text != "同意处理𠮷“测试”" {
		t.Fatalf("outbox item = %+v reply %+v", it, it.Reply)
	}
	if !it.CreatedAt.Equal(testNow) {
		t.Errorf("created at %v, want %v", it.CreatedAt, testNow)
	}
	if h.m.screen != screenDetail {
		t.Errorf("after submitting the screen is %d, want the ticket", h.m.screen)
	}
	if h.kicks != 1 {
		t.Errorf("sender woken %d times, want 1", h.kicks)
	}
	if want := "回复已保存，等待发送（工单 20200506002）"; h.notice() != want {
		t.Errorf("notice %q, want %q", h.notice(), want)
	}
	if h.m.pending != 1 {
		t.Errorf("status bar pending = %d, want 1", h.m.pending)
	}
	h.press("G")
	if !strings.Contains(h.view(), "05-06 15:04  回复  待发送") || !strings.Contains(h.view(), "    同意处理𠮷“测试”") {
		t.Errorf("the ticket's page does not show the waiting reply:\n%s", h.view())
	}
	if d, _ := h.st.Draft(context.Background(), "20200506002", reply.Field); d != "" {
		t.Errorf("draft %q left after submitting", d)
	}
	// The reply in the outbox makes the ticket fed back: a second reply is
	// refused before the form opens.
	h.press("r")
	if h.m.screen != screenDetail || h.notice() != "工单状态为“已反馈”，不能回复" {
		t.Errorf("second reply: screen %d, notice %q", h.m.screen, h.notice())
	}
}

func TestReplyEmptyRefused(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("j", "enter", "r")
	h.typeText("  ")
	h.press("enter", "ctrl+s")
	if h.notice() != "回复内容不能为空" || !h.m.noticeErr {
		t.Fatalf("notice %q (error %v)", h.notice(), h.m.noticeErr)
	}
	if h.m.screen != screenReply {
		t.Fatalf("form left after an empty submit")
	}
	if n := len(h.outbox("20200506002")); n != 0 {
		t.Fatalf("outbox holds %d items", n)
	}
	if !strings.Contains(h.line(23), "回复内容不能为空") {
		t.Fatalf("status bar does not show the refusal: %q", h.line(23))
	}
}

func TestDraftSavedAndRestored(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("j", "enter", "r")
	h.typeText("草稿第一句")
	isDraft := func(m tea.Msg) bool { return strings.Contains(fmt.Sprintf("%T", m), "draftDue") }
	if n := h.fire(isDraft); n != 5 {
		t.Fatalf("%d draft timers, want one per edit (5)", n)
	}
	ctx := context.Background()
	if d, _ := h.st.Draft(ctx, "20200506002", reply.Field); d != "草稿第一句" {
		t.Fatalf("draft after the pause = %q", d)
	}
	if !strings.Contains(h.line(21), "草稿已保存 15:04:00") {
		t.Errorf("info line %q", h.line(21))
	}
	// Typing on, then leaving before the pause: the draft is saved on esc.
	h.typeText("，第二句")
	h.press("esc")
	if h.m.screen != screenDetail {
		t.Fatalf("esc did not go back")
	}
	if d, _ := h.st.Draft(ctx, "20200506002", reply.Field); d != "草稿第一句，第二句" {
		t.Fatalf("draft after esc = %q", d)
	}
	h.fire(isDraft) // stale timers save nothing more
	h.press("r")
	if got := h.m.reply.Value(); got != "草稿第一句，第二句" {
		t.Fatalf("reopened form holds %q", got)
	}
	if h.notice() != "已恢复草稿" {
		t.Errorf("notice %q", h.notice())
	}
	// The real cursor sits after the restored text: frame, then 9 wide
	// characters and a wide comma.
	v := h.m.View()
	if v.Cursor == nil || v.Cursor.X != 1+18 || v.Cursor.Y != 2 {
		t.Fatalf("cursor %+v, want (19,2)", v.Cursor)
	}
}

func TestSignThenReplyOffline(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("enter", "r")
	if h.m.screen != screenDetail || h.notice() != "工单状态为“待签收”，不能回复" {
		t.Fatalf("reply before signing: screen %d notice %q", h.m.screen, h.notice())
	}
	h.press("s")
	items := h.outbox("20200506001")
	if len(items) != 1 || items[0].Kind != complaint.KindSign || items[0].BaseVersion != 1 || items[0].Status != store.StatusPending {
		t.Fatalf("outbox after s = %+v", items)
	}
	if h.notice() != "签收已保存，等待发送（工单 20200506001）" {
		t.Errorf("notice %q", h.notice())
	}
	h.press("s")
	if h.notice() != "工单状态为“已签收”，不能签收" || len(h.outbox("20200506001")) != 1 {
		t.Fatalf("second sign: notice %q, %d items", h.notice(), len(h.outbox("20200506001")))
	}
	// The sign waits in the outbox; the reply is allowed on top of it.
	h.press("r")
	if h.m.screen != screenReply {
		t.Fatalf("reply after an offline sign refused: %q", h.notice())
	}
	h.typeText("已安排抢修")
	h.press("ctrl+s")
	items = h.outbox("20200506001")
	if len(items) != 2 || items[0].Kind != complaint.KindReply || items[1].Kind != complaint.KindSign {
		t.Fatalf("outbox = %+v", items)
	}
	if h.kicks != 2 {
		t.Errorf("kicks = %d, want 2", h.kicks)
	}
}

func TestRefusedActionShownWithText(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	ctx := context.Background()
	a, err := h.st.Enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: "20200504017", BaseVersion: 3,
		Reply: &complaint.Reply{Text: "已核实，收费符合物价局文件。"}, CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.MarkRefused(ctx, a.ID, "工单已被更新，请核对后重发", nil); err != nil {
		t.Fatal(err)
	}
	h.press("G", "enter")
	h.send(OutboxMsg{Ticket: "20200504017", Refused: true, Reason: "工单已被更新，请核对后重发"})
	if want := "工单 20200504017 的操作被退回：工单已被更新，请核对后重发"; h.notice() != want || !h.m.noticeErr {
		t.Fatalf("notice %q", h.notice())
	}
	h.press("G")
	screen := h.view()
	for _, want := range []string{"05-06 15:04  回复  已退回：工单已被更新，请核对后重发", "    已核实，收费符合物价局文件。"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}

// tui-cjk case 10: hostile text is drawn inert, control characters shown.
func TestHostileTextIsInert(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	h.press("G", "enter")
	screen := h.view() // checks that no control character reaches the terminal
	for _, want := range []string{
		"物业␛]52;c;SGVsbG8=␇收费␛[2J不合理␛]0;pwned␇请核实␍覆盖反向文字",
		"张三",
		"024-1234␛[5m5678",
		"请兴隆台供电分公司核实␛]52;c;cGF5bG9hZA==␇处理",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if v := h.m.View(); v.WindowTitle != "" {
		t.Errorf("window title set to %q", v.WindowTitle)
	}
}

// tui-cjk case 7: a row redrawn with shorter text is blank after it.
func TestRedrawLeavesNoStaleCells(t *testing.T) {
	tickets := fixtures()
	tickets[0].Title = "盘锦市兴隆台区供电"
	h := newHarness(t, 80, 24, tickets)
	if got := h.line(2); got != "  20200506001 盘锦市兴隆台区供电                     05-06 14:29     35分 待签收" {
		t.Fatalf("before: %q", got)
	}
	changed := fixtures()[0]
	changed.Title, changed.Version = "OK", 2
	if err := h.st.PutTicket(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{At: testNow})
	if got := h.line(2); got != "  20200506001 OK                                     05-06 14:29     35分 待签收" {
		t.Fatalf("after: %q", got)
	}
}

func TestSyncedMarksNewAndKeepsSelection(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("j", "j")
	fresh := complaint.Ticket{Number: "20200506009", Title: "新到工单", ReceivedAt: at(time.Minute), Unit: unitCode, State: complaint.Dispatched, Version: 1}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{fresh}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{New: []string{"20200506009"}, At: testNow})
	if got := h.m.list.Selected(); got != "20200504017" {
		t.Fatalf("selection moved to %q", got)
	}
	if got := h.line(2); got != "● 20200506009 新到工单                               05-06 15:03      1分 待签收" {
		t.Fatalf("new row %q", got)
	}
	if h.notice() != "收到新工单 1 件" {
		t.Errorf("notice %q", h.notice())
	}
	if !strings.Contains(h.line(23), "同步于15:04") {
		t.Errorf("status bar %q", h.line(23))
	}
	h.press("g", "enter", "esc")
	if got := h.line(2); !strings.HasPrefix(got, "  20200506009") {
		t.Fatalf("mark kept after opening: %q", got)
	}
}

func TestStatusBar(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	want := " 隧道 已连接 握手12秒前 ↓1.2K ↑340B │ 同步于15:00 待发送 0 │ 葛\U000E0100𠮷祥 · 国网盘锦供电公司"
	if got := strings.TrimRight(h.line(39), " "); got != want {
		t.Fatalf("status bar\n got %q\nwant %q", got, want)
	}
	h.send(LinkMsg{Online: false, Err: "dial tcp 10.0.0.1:443: i/o timeout"})
	if got := h.line(39); !strings.HasPrefix(got, " 与平台的连接已断开，操作将在恢复后发送：dial tcp 10.0.0.1:443: i/o timeout  隧道 已连接") {
		t.Fatalf("offline status bar %q", got)
	}
	// The message goes when its timer fires.
	h.fire(func(m tea.Msg) bool { _, ok := m.(clearNoticeMsg); return ok })
	if h.notice() != "" {
		t.Fatalf("notice %q stayed", h.notice())
	}
	if got := h.line(39); !strings.HasPrefix(got, " 隧道 已连接 握手12秒前 ↓1.2K ↑340B │ 离线 同步于15:00 待发送 0 │ ") {
		t.Fatalf("offline status bar %q", got)
	}
	h.send(LinkMsg{Online: true})
	if h.notice() != "已连接平台" {
		t.Fatalf("notice %q", h.notice())
	}
}

func TestHelpAndQuit(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("?")
	if h.m.screen != screenHelp || !strings.Contains(h.view(), "ctrl+s") {
		t.Fatalf("help not shown")
	}
	h.press("esc")
	if h.m.screen != screenList {
		t.Fatalf("esc from help went to %d", h.m.screen)
	}
	h.press("j", "enter", "r")
	h.typeText("q?")
	if h.quit || h.m.reply.Value() != "q?" || h.m.screen != screenReply {
		t.Fatalf("q/? in the form: quit %v value %q screen %d", h.quit, h.m.reply.Value(), h.m.screen)
	}
	h.press("f1")
	if h.m.screen != screenHelp {
		t.Fatalf("f1 in the form did not open help")
	}
	h.press("esc")
	if h.m.screen != screenReply || h.m.reply.Value() != "q?" {
		t.Fatalf("back from help: screen %d value %q", h.m.screen, h.m.reply.Value())
	}
	h.press("esc", "esc", "q")
	if !h.quit {
		t.Fatal("q from the list did not quit")
	}
	h = newHarness(t, 80, 24, fixtures())
	h.press("enter", "ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	h := newHarness(t, 80, 24, fixtures())
	h.press("j")
	raw := h.m.View().Content
	if colorSGR.MatchString(raw) {
		t.Fatalf("colours drawn with NO_COLOR set: %q", colorSGR.FindString(raw))
	}
	if !strings.Contains(raw, "\x1b[7m") {
		t.Fatalf("the selected row is not shown in reverse")
	}
	t.Setenv("NO_COLOR", "")
	h = newHarness(t, 80, 24, fixtures())
	if !colorSGR.MatchString(h.m.View().Content) {
		t.Fatalf("no colour without NO_COLOR")
	}
}

// tui-cjk cases 1 and 4 through the whole program: the terminal cursor
// after wide text in the form, and an input method's commit of several
// characters in one key event.
func TestReplyCursorAndIME(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("j", "enter", "r")
	h.send(tea.KeyPressMsg{Code: '供', Text: "供电临时用电"})
	if got := h.m.reply.Value(); got != "供电临时用电" {
		t.Fatalf("value %q", got)
	}
	v := h.m.View()
	if v.Cursor == nil || v.Cursor.X != 1+12 || v.Cursor.Y != 2 {
		t.Fatalf("cursor %+v, want (13,2)", v.Cursor)
	}
	h.send(tea.PasteMsg{Content: "你好世界"})
	if got := h.m.reply.Value(); got != "供电临时用电你好世界" {
		t.Fatalf("value after paste %q", got)
	}
	h.press("backspace")
	if got := h.m.reply.Value(); got != "供电临时用电你好世" {
		t.Fatalf("value after backspace %q", got)
	}
}
