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
	"hotline/tui/cells"
	"hotline/tui/pages/form"
)

var sizes = []struct{ w, h int }{{80, 24}, {100, 30}, {120, 40}}

// screens drives the model, logged in as user, to each screen that has
// golden files.
var screens = []struct {
	name  string
	user  complaint.User
	drive func(h *harness)
}{
	{"list", testUser, func(h *harness) {}},
	{"list-open", testUser, func(h *harness) { h.press("2") }},
	{"list-done", testUser, func(h *harness) { h.press("3") }},
	{"list-handler", handlerUser, func(h *harness) {}},
	{"list-center", centerUser, func(h *harness) {}},
	{"detail", testUser, func(h *harness) { h.open("20200504017") }},
	{"detail-scrolled", testUser, func(h *harness) { h.open("20200504017"); h.press("pgdown") }},
	{"detail-timeline", reviewerUser, func(h *harness) { h.open("20200503011"); h.press("G") }},
	{"detail-review", reviewerUser, func(h *harness) { h.open("20200505030"); h.press("pgdown") }},
	{"form-reply", handlerUser, func(h *harness) {
		h.open("20200504017")
		h.press("r")
		h.typeText("经现场核查，")
		h.press("enter")
		h.typeText("𠮷野家门前①②号路灯已于5月6日修复。")
		h.press("tab")
		h.typeText("已向来电人说明修复情况。")
	}},
	{"form-assign", testUser, func(h *harness) { h.open("20200506002"); h.press("a", "down", "tab", "down") }},
	{"form-contact", handlerUser, func(h *harness) {
		h.open("20200504017")
		h.press("c", "shift+tab", "right")
		h.press("tab")
		h.typeText("市民同意明日上门")
	}},
	{"form-review", reviewerUser, func(h *harness) {
		h.open("20200505030")
		h.press("v", "tab", "4", "5", "tab")
		h.typeText("请补充处理依据和市民意见")
	}},
	{"form-return", testUser, func(h *harness) { h.open("20200506001"); h.press("t"); h.typeText("路灯不属供电公司管理") }},
	{"form-extension", testUser, func(h *harness) {
		h.open("20200506002")
		h.press("e")
		h.typeText("3")
		h.press("tab")
		h.typeText("需协调市政部门")
	}},
	{"form-extension-decide", centerUser, func(h *harness) { h.open("20200503011"); h.press("E") }},
	{"form-return-decide", centerUser, func(h *harness) {
		h.open("20200428066")
		h.press("T", "right", "tab")
		h.typeText("路灯杆归属供电公司资产")
	}},
	{"form-close", centerUser, func(h *harness) { h.open("20200430101"); h.press("o", "right") }},
	{"form-supervise", jcbUser, func(h *harness) { h.open("20200503011"); h.press("U"); h.typeText("请本周内办结") }},
	{"form-urge", testUser, func(h *harness) { h.open("20200506002"); h.press("u"); h.typeText("请今日内派发") }},
	{"form-reopen", centerUser, func(h *harness) {
		h.open("20200429088")
		h.press("O")
		h.typeText("市民回访不满意：路灯仍不亮")
	}},
	{"form-dispatch", centerUser, func(h *harness) {
		returned := complaint.Ticket{Number: "20200427005", Title: "广告牌松动", Content: "路灯杆广告牌松动。", ReceivedAt: at(9 * 24 * time.Hour),
			Unit: centerCode, State: complaint.Returned, Version: 6}
		if err := h.st.PutTicket(context.Background(), returned); err != nil {
			h.t.Fatal(err)
		}
		h.open("20200427005")
		h.press("d", "down")
	}},
	{"form-resend", handlerUser, func(h *harness) {
		h.refuse(complaint.Action{Kind: complaint.KindReply, Ticket: "20200504017", BaseVersion: 3,
			Reply: &complaint.Reply{Findings: "已核实，收费符合物价局文件。", Basis: "物价局文件"}}, "工单已被更新，请核对后重发")
		h.open("20200504017")
		h.press("m")
	}},
	{"help", testUser, func(h *harness) { h.press("?") }},
	{"settings-up", testUser, settingsScreen(linkUp())},
	{"settings-stuck", testUser, settingsScreen(linkStuck())},
	{"settings-site", testUser, settingsScreen(linkSite())},
	{"search", testUser, func(h *harness) { searchFor(h, "兴隆") }},
	{"search-conditions", testUser, func(h *harness) {
		searchFor(h, "停电")
		h.press("shift+tab", "space", "shift+tab", "shift+tab", "shift+tab", "right", "right")
		searchDue(h)
	}},
	{"search-bad-date", testUser, func(h *harness) {
		searchFor(h, "停电")
		h.press("tab", "tab", "tab")
		h.typeText("2020-13-01")
		searchDue(h)
	}},
	{"directory", testUser, func(h *harness) { h.press("5") }},
	{"directory-people", handlerUser, func(h *harness) { h.press("5", "enter", "j") }},
	// The statistics screens under the tabs' line, over the fixtures'
	// May: the figures, the supervision of the ticket urged and
	// supervised, and the dates' line open on a sub-unit's row.
	{"stats-screen", testUser, func(h *harness) { statsReady(h); h.press("6") }},
	{"stats-screen-oversight", testUser, func(h *harness) { statsReady(h); h.press("7", "home", "j") }},
	{"stats-screen-dates", testUser, func(h *harness) { statsReady(h); h.press("6", "home", "4", "backspace", "backspace") }},
}

// statsReady gives the model what the statistics screens count with: the
// working-day calendar and the unit tree with a sub-unit of a long name.
func statsReady(h *harness) {
	h.m.ctx.Calendar = testCalendar(h.t)
	h.m.ctx.Units = statsUnits()
}

func TestGoldens(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s-%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				h := newHarnessAs(t, sc.user, sz.w, sz.h, fixtures())
				sc.drive(h)
				golden(t, fmt.Sprintf("%s-%dx%d.golden", sc.name, sz.w, sz.h), h.view())
			})
		}
	}
}

// tui-cjk case 6: with a Chinese locale and RUNEWIDTH_EASTASIAN=1, box
// drawing, quotes, ellipses and circled digits stay one cell: every screen
// is drawn exactly as in the default locale (the statistics pages', the
// file picker's and the 附件 section's goldens too). The environment is read once
// at start-up, so the goldens are checked again in a child process.
func TestEastAsianLocaleKeepsLayout(t *testing.T) {
	if os.Getenv("HOTLINE_TUI_EASTASIAN_CHILD") == "1" {
		t.Skip("running as the child")
	}
	if *update {
		t.Skip("goldens are being rewritten")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestGoldens|TestStatsGoldens|TestPickerGoldens|TestDetailFilesGoldens|TestEastAsianChild)$", "-test.count=1")
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
				h := newHarnessAs(t, sc.user, sz.w, sz.h, fixtures())
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
	want := "至少需要 80×24，当前 60×20"
	if !strings.Contains(h.view(), want) {
		t.Fatalf("notice does not say %q:\n%s", want, h.view())
	}
	h.w, h.h = 80, 24
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if got := h.line(2); !strings.Contains(got, "20200506002") {
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
		{nil, "20200506002"},
		{[]string{"j"}, "20200506001"},
		{[]string{"j", "j"}, "20200506001"},
		{[]string{"2"}, "20200506002"},
		{[]string{"2", "j"}, "20200503011"},
		{[]string{"2", "down", "down", "up"}, "20200503011"},
		{[]string{"2", "G"}, "20200428066"},
		{[]string{"2", "G", "g"}, "20200506002"},
		{[]string{"2", "end", "k"}, "20200504017"},
		{[]string{"2", "pgdown"}, "20200428066"},
		{[]string{"2", "pgdown", "pgup"}, "20200506002"},
		{[]string{"3"}, "20200430101"},
		{[]string{"tab", "tab", "j"}, "20200429088"},
		{[]string{"tab", "tab", "tab"}, "20200506002"},
		{[]string{"shift+tab"}, "20200430101"},
		{[]string{"3", "j", "1"}, "20200506002"},
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

// The lists show the step due and the time left, marked near (▲) and past
// (!) the deadline, most urgent first; 待办 holds only what the user must
// act on, by role.
func TestListColumns(t *testing.T) {
	tests := []struct {
		user complaint.User
		keys []string
		rows []string
	}{
		{testUser, nil, []string{
			" 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                   环节          时限 状态    ",
			"  20200506002 𠮷野家门前“停电”……——①② 路灯不亮       !派发  超时 1时30分 已签收  ",
			"  20200506001 盘锦市兴隆台区供电线路老化频繁停电    ▲签收        剩 5分 待签收  ",
			"                                                                                ",
		}},
		{testUser, []string{"2"}, []string{
			" 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                   环节          时限 状态    ",
			"  20200506002 𠮷野家门前“停电”……——①② 路灯不亮       !派发  超时 1时30分 已签收  ",
			"  20200503011 双台子区电费催缴短信频繁              !回复     超时 30分 已退回  ",
			"  20200506001 盘锦市兴隆台区供电线路老化频繁停电    ▲签收        剩 5分 待签收  ",
			"  20200505030 兴隆台区振兴街道路灯不亮              ▲审核       剩 20分 待审核  ",
			"  20200504017 物业收费不合理␛[2J␛]0;pwned␇请核实并…  回复     剩 2天0时 已联系  ",
			"  20200428066 中兴路路灯杆广告牌松动                                    退单申请",
		}},
		{testUser, []string{"3"}, []string{
			" 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                          收到时间    状态    ",
			"  20200430101 电费账单金额异常                              04-30 10:04 已反馈  ",
			"  20200429088 施工噪音扰民（夜间施工）                      04-29 15:04 满意    ",
		}},
		{handlerUser, nil, []string{
			" 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                   环节          时限 状态    ",
			"  20200503011 双台子区电费催缴短信频繁              !回复     超时 30分 已退回  ",
			"  20200504017 物业收费不合理␛[2J␛]0;pwned␇请核实并…  回复     剩 2天0时 已联系  ",
		}},
		{reviewerUser, nil, []string{
			" 1 待办 1   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                   环节          时限 状态    ",
			"  20200505030 兴隆台区振兴街道路灯不亮              ▲审核       剩 20分 待审核  ",
		}},
		{jcbUser, nil, []string{
			" 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                   环节          时限 状态    ",
			"  20200506002 𠮷野家门前“停电”……——①② 路灯不亮       !派发  超时 1时30分 已签收  ",
			"  20200503011 双台子区电费催缴短信频繁              !回复     超时 30分 已退回  ",
		}},
		{centerUser, nil, []string{
			" 1 待办 3   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04",
			"  编号        标题                                   环节          时限 状态    ",
			// The center decides these: the unit's step and time would mislead.
			"  20200503011 双台子区电费催缴短信频繁               延期        待审批 已退回  ",
			"  20200430101 电费账单金额异常                                          已反馈  ",
			"  20200428066 中兴路路灯杆广告牌松动                 退单        待审批 退单申请",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.user.Login+strings.Join(tt.keys, ","), func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			h.press(tt.keys...)
			for y, want := range tt.rows {
				if got := h.line(y); got != want {
					t.Errorf("row %d:\n got %q\nwant %q", y, got, want)
				}
			}
		})
	}
}

// Near and overdue rows are coloured as well as marked; the marks alone
// carry it without colour.
func TestDeadlineColours(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("2", "G") // the cursor off the rows looked at
	raw := strings.Split(h.m.View().Content, "\n")
	red, yellow := "\x1b[31m", "\x1b[33m"
	for y, want := range map[int]string{2: red, 3: red, 4: yellow, 5: yellow} {
		if !strings.Contains(raw[y], want) {
			t.Errorf("row %d is not coloured %q: %q", y, want, raw[y])
		}
	}
	if strings.Contains(raw[6], red) || strings.Contains(raw[6], yellow) {
		t.Errorf("on-time row coloured: %q", raw[6])
	}
}

func TestLeftAndMarks(t *testing.T) {
	ctx := &app.Context{Now: func() time.Time { return testNow }, Loc: shanghai}
	tests := []struct {
		start, due time.Time
		left       string
		urgency    complaint.Urgency
	}{
		{at(25 * time.Minute), at(-5 * time.Minute), "剩 5分", complaint.Near},
		{at(2 * time.Hour), at(90 * time.Minute), "超时 1时30分", complaint.Overdue},
		{at(48 * time.Hour), at(-48 * time.Hour), "剩 2天0时", complaint.OnTime},
		{at(time.Hour), at(0), "超时 0分", complaint.Overdue},
		{at(4 * time.Hour), at(-2*time.Hour - 10*time.Minute), "剩 2时10分", complaint.OnTime},
		{time.Time{}, time.Time{}, "", complaint.OnTime},
	}
	for _, tt := range tests {
		tk := complaint.Ticket{StepStart: tt.start, Due: tt.due}
		if got := ctx.Left(tk); got != tt.left {
			t.Errorf("Left(due %v) = %q, want %q", tt.due, got, tt.left)
		}
		if got := ctx.Urgency(tk); got != tt.urgency {
			t.Errorf("Urgency(due %v) = %d, want %d", tt.due, got, tt.urgency)
		}
	}
	// A unit may count more of the step's time as near.
	ctx.Unit.Policy.Near = 0.6
	if got := ctx.Urgency(complaint.Ticket{StepStart: at(48 * time.Hour), Due: at(-48 * time.Hour)}); got != complaint.Near {
		t.Errorf("with Near 0.6, half the time left is %d, want near", got)
	}
	for u, want := range map[complaint.Urgency]string{complaint.OnTime: " ", complaint.Near: "▲", complaint.Overdue: "!"} {
		if got := app.Mark(u); got != want {
			t.Errorf("Mark(%d) = %q, want %q", u, got, want)
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
		{99*24*time.Hour + 23*time.Hour, "99天23时"},
		// From 100 days the hours are dropped, from a year the days.
		{100 * 24 * time.Hour, "100天"},
		{364*24*time.Hour + 23*time.Hour, "364天"},
		{365 * 24 * time.Hour, "1年0月"},
		{400 * 24 * time.Hour, "1年1月"},
		{729 * 24 * time.Hour, "1年11月"},
		{2521*24*time.Hour + 13*time.Hour, "6年11月"},
		{36499 * 24 * time.Hour, "99年11月"},
	}
	for _, tt := range tests {
		got := app.Elapsed(tt.d)
		if got != tt.want {
			t.Errorf("Elapsed(%v) = %q, want %q", tt.d, got, tt.want)
		}
		// The 时限 column is 13 cells: "超时 " and at most 8.
		if w := cells.Width(got); w > 8 {
			t.Errorf("Elapsed(%v) = %q is %d cells, more than 8", tt.d, got, w)
		}
	}
}

// The detail page's action line lists what this user may do on this
// ticket now, by role and state.
func TestActionsAvailable(t *testing.T) {
	tests := []struct {
		user   complaint.User
		ticket string
		want   string
	}{
		{testUser, "20200506001", " 可办理：s 签收  t 退单申请  e 延期申请  u 催办"},
		{testUser, "20200506002", " 可办理：a 派发  r 回复  t 退单申请  e 延期申请  u 催办"},
		{testUser, "20200505030", " 可办理：e 延期申请  u 催办"},
		{testUser, "20200503011", " 可办理：c 联系客户  r 回复  u 催办"},
		{testUser, "20200430101", " 可办理：（当前没有您可办理的操作）"},
		{handlerUser, "20200504017", " 可办理：c 联系客户  r 回复"},
		{reviewerUser, "20200505030", " 可办理：v 审核"},
		{jcbUser, "20200506002", " 可办理：u 催办  U 督办"},
		{centerUser, "20200503011", " 可办理：E 延期审批  u 催办"},
		{centerUser, "20200428066", " 可办理：T 退单审批"},
		{centerUser, "20200430101", " 可办理：o 办结  O 重办"},
		{centerUser, "20200429088", " 可办理：O 重办"},
	}
	for _, tt := range tests {
		t.Run(tt.user.Login+"-"+tt.ticket, func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			h.open(tt.ticket)
			if got := strings.TrimRight(h.line(1), " "); got != tt.want {
				t.Fatalf("action line\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A key of an action the user may not take says why, and opens nothing.
func TestActionRefusedSaysWhy(t *testing.T) {
	tests := []struct {
		user        complaint.User
		ticket, key string
		want        string
	}{
		{testUser, "20200506001", "r", "工单状态为“待签收”，不能回复"},
		{testUser, "20200505030", "v", "当前用户无权执行“审核通过”"},
		{handlerUser, "20200504017", "s", "当前用户无权执行“签收”"},
		{centerUser, "20200430101", "T", "工单状态为“已反馈”，不能同意退单"},
		{testUser, "20200503011", "e", "已有待审批的延期申请"},
	}
	for _, tt := range tests {
		t.Run(tt.user.Login+"-"+tt.key, func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			h.open(tt.ticket)
			h.press(tt.key)
			if h.m.screen != screenDetail || h.notice() != tt.want || !h.m.noticeErr {
				t.Fatalf("screen %d, notice %q (error %v), want %q", h.m.screen, h.notice(), h.m.noticeErr, tt.want)
			}
			if n := len(h.outbox(tt.ticket)); n != 0 {
				t.Fatalf("outbox holds %d items", n)
			}
		})
	}
}

// The detail page shows the contact record, the reply by the record
// sheet's fields with the pre-check's marks, the review with its failed
// criteria by text, the extension, the urge and supervision marks, and the
// history with each event's fields in Chinese.
func TestDetailShowsTheRecord(t *testing.T) {
	h := newHarnessAs(t, reviewerUser, 120, 40, fixtures())
	h.open("20200503011")
	all := h.body()
	for _, want := range []string{
		"状态          已退回 · 催办 1 次 · 督办",
		"当前环节      ! 回复 · 时限 2020-05-06 14:34 · 超时 30分（已超时）",
		"基层单位      兴隆台供电分公司",
		"承办人        王𠮷芳",
		"沟通解释结果  已电话向来电人说明原因和修复时间，来电人表示理解。",
		"处理依据      —",
		"预审提示      ▲① 回复未提及诉求主题（双台、台子、子区）",
		"              ▲④ “处理依据”未填写",
		"              ▲⑤ “客户意见”未填写",
		"审核结论      退回",
		"不符合标准    ② 未说明向市民解释的内容及结果",
		"              ⑤ 未记录市民本人的意见",
		"审核意见      请补充向市民解释的内容和市民本人的意见",
		"延期天数      3 个工作日",
		"审批          待中心审批",
		"05-03 15:24  葛\U000E0100𠮷祥  派发      已签收→已派发",
		"    基层单位：兴隆台供电分公司",
		"    承办人：王𠮷芳",
		"    联系方式：电话",
		"    联系时间：2020-05-04 13:04",
		"05-05 14:04  赵分管  审核退回  待审核→已退回",
		"    不符合标准：② 未说明向市民解释的内容及结果；⑤ 未记录市民本人的意见",
		"05-06 10:04  葛\U000E0100𠮷祥  延期申请",
		"    延期天数：3 个工作日",
		"05-06 12:04  陈监察  督办",
		"    列入本周督办",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// An event that leaves the state as it was shows no move.
	if strings.Contains(all, "已退回→已退回") {
		t.Error("an event that moved nothing shows a move")
	}
	h.open("20200504017")
	for _, want := range []string{"联系时间      2020-05-05 09:04", "联系方式      电话", "联系结果      已电话联系来电人，约定上门。", "联系人        王𠮷芳"} {
		if !strings.Contains(h.body(), want) {
			t.Errorf("contact record lacks %q", want)
		}
	}
}

// The flow the officer follows: open a ticket, fill in the reply by the
// record sheet's fields, submit; the reply waits for review.
func TestReplyFlow(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.open("20200506002")
	h.press("r")
	if h.m.screen != screenForm || h.m.form.Name() != "reply" {
		t.Fatalf("r did not open the reply form: %s", h.notice())
	}
	fields := []string{"查明门前路灯线路断线𠮷", "已向𡒄女士说明“停电”原因，表示理解", "已更换线路", "《城市照明管理规定》", "满意"}
	for i, f := range fields {
		if i > 0 {
			h.press("tab")
		}
		h.typeText(f)
	}
	h.press("ctrl+s")

	items := h.outbox("20200506002")
	if len(items) != 1 {
		t.Fatalf("outbox holds %d items, want 1: %+v", len(items), items)
	}
	it := items[0]
	want := complaint.Reply{Findings: fields[0], Explanation: fields[1], Measures: fields[2], Basis: fields[3], CitizenOpinion: fields[4]}
	want.Text = want.Compose()
	if it.Kind != complaint.KindReply || it.Ticket != "20200506002" || it.BaseVersion != 2 || it.Status != store.StatusPending ||
		it.Reply == nil || *it.Reply != want {
		t.Fatalf("outbox item = %+v reply %+v", it, it.Reply)
	}
	if want.Text != "处理情况：查明门前路灯线路断线𠮷\n沟通解释结果：已向𡒄女士说明“停电”原因，表示理解\n采取措施：已更换线路\n处理依据：《城市照明管理规定》\n客户意见：满意" {
		t.Fatalf("composed text %q", want.Text)
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
	if !strings.Contains(h.body(), "05-06 15:04  回复  待发送") || !strings.Contains(h.body(), "    处理情况：查明门前路灯线路断线𠮷") {
		t.Errorf("the ticket's page does not show the waiting reply:\n%s", h.body())
	}
	for _, f := range []string{form.ReplyFindings, form.ReplyExplanation, form.ReplyOpinion} {
		if d, _ := h.st.Draft(context.Background(), "20200506002", f); d != "" {
			t.Errorf("draft %s = %q left after submitting", f, d)
		}
	}
	// The reply in the outbox makes the ticket wait for review: a second
	// reply is refused before the form opens.
	h.press("r")
	if h.m.screen != screenDetail || h.notice() != "工单状态为“待审核”，不能回复" {
		t.Errorf("second reply: screen %d, notice %q", h.m.screen, h.notice())
	}
}

// The review pre-check is shown live as the reply is typed.
func TestReplyPrecheckLive(t *testing.T) {
	h := newHarnessAs(t, handlerUser, 80, 24, fixtures())
	h.open("20200504017")
	h.press("r")
	marks := func() []string {
		lines := strings.Split(h.view(), "\n")
		return lines[15:21]
	}
	if got := marks(); got[0] != "预审：5 项待完善（审核人看到同样提示）                                          " ||
		got[1] != "▲① 针对所反映的问题答复：回复为空                                               " ||
		got[5] != "▲⑤ 记录市民本人意见：“客户意见”未填写                                           " {
		t.Fatalf("empty reply marks:\n%s", strings.Join(got, "\n"))
	}
	h.typeText("经核实物业收费标准合理")
	h.press("tab")
	h.typeText("已向市民解释")
	want := []string{
		"预审：3 项待完善（审核人看到同样提示）                                          ",
		" ① 针对所反映的问题答复 ✓                                                       ",
		" ② 说明解释内容及结果 ✓                                                         ",
		"▲③ 采取有效措施：“采取措施”未填写                                               ",
		"▲④ 给出处理依据：“处理依据”未填写                                               ",
		"▲⑤ 记录市民本人意见：“客户意见”未填写                                           ",
	}
	if got := marks(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("marks:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	h.send(tea.KeyPressMsg{Code: tea.KeyTab})
	h.typeText("更换电表")
	h.press("tab")
	h.typeText("《供电营业规则》")
	h.press("tab")
	h.typeText("市民表示满意")
	if got := marks()[0]; got != "预审：未发现问题（审核人看到同样提示）                                          " {
		t.Fatalf("complete reply: %q", got)
	}
}

// A reply sent back by the reviewer opens with its text kept for editing.
func TestRejectedReplyComesBackToEdit(t *testing.T) {
	h := newHarnessAs(t, handlerUser, 80, 24, fixtures())
	h.open("20200503011")
	h.press("r")
	for name, want := range map[string]string{
		form.ReplyFindings:    partReply.Findings,
		form.ReplyExplanation: partReply.Explanation,
		form.ReplyMeasures:    partReply.Measures,
		form.ReplyBasis:       "",
	} {
		if got := h.m.form.Value(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	h.press("tab", "tab", "tab", "tab")
	h.typeText("市民认可")
	h.press("ctrl+s")
	items := h.outbox("20200503011")
	if len(items) != 1 || items[0].Reply.CitizenOpinion != "市民认可" || items[0].Reply.Findings != partReply.Findings {
		t.Fatalf("outbox %+v", items)
	}
}

func TestReplyEmptyRefused(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.open("20200506002")
	h.press("r")
	h.typeText("  ")
	h.press("enter", "ctrl+s")
	if h.notice() != "回复内容不能为空" || !h.m.noticeErr {
		t.Fatalf("notice %q (error %v)", h.notice(), h.m.noticeErr)
	}
	if h.m.screen != screenForm {
		t.Fatalf("form left after an empty submit")
	}
	if n := len(h.outbox("20200506002")); n != 0 {
		t.Fatalf("outbox holds %d items", n)
	}
	if !strings.Contains(h.line(23), "回复内容不能为空") || !strings.Contains(h.line(21), "回复内容不能为空") {
		t.Fatalf("the refusal is not shown: %q / %q", h.line(21), h.line(23))
	}
}

func TestDraftSavedAndRestored(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.open("20200506002")
	h.press("r")
	h.typeText("草稿第一句")
	isDraft := func(m tea.Msg) bool { return strings.Contains(fmt.Sprintf("%T", m), "draftDue") }
	if n := h.fire(isDraft); n != 5 {
		t.Fatalf("%d draft timers, want one per edit (5)", n)
	}
	ctx := context.Background()
	if d, _ := h.st.Draft(ctx, "20200506002", form.ReplyFindings); d != "草稿第一句" {
		t.Fatalf("draft after the pause = %q", d)
	}
	if !strings.Contains(h.line(21), "草稿已保存 15:04:00") {
		t.Errorf("info line %q", h.line(21))
	}
	// Typing on, in another field too, then leaving before the pause: the
	// drafts are saved on esc.
	h.typeText("，第二句")
	h.press("tab", "tab", "tab", "tab")
	h.typeText("市民认可")
	h.press("esc")
	if h.m.screen != screenDetail {
		t.Fatalf("esc did not go back")
	}
	if d, _ := h.st.Draft(ctx, "20200506002", form.ReplyFindings); d != "草稿第一句，第二句" {
		t.Fatalf("draft after esc = %q", d)
	}
	if d, _ := h.st.Draft(ctx, "20200506002", form.ReplyOpinion); d != "市民认可" {
		t.Fatalf("opinion draft after esc = %q", d)
	}
	h.fire(isDraft) // stale timers save nothing more
	h.press("r")
	if got := h.m.form.Value(form.ReplyFindings); got != "草稿第一句，第二句" {
		t.Fatalf("reopened form holds %q", got)
	}
	if got := h.m.form.Value(form.ReplyOpinion); got != "市民认可" {
		t.Fatalf("reopened form holds opinion %q", got)
	}
	if h.notice() != "已恢复草稿" {
		t.Errorf("notice %q", h.notice())
	}
	// The real cursor sits after the restored text: the label column,
	// then 9 wide characters and a wide comma, on the form's first row.
	v := h.m.View()
	if v.Cursor == nil || v.Cursor.X != 15+18 || v.Cursor.Y != 1 {
		t.Fatalf("cursor %+v, want (33,1)", v.Cursor)
	}
}

// Every text of every form is kept as a draft as it is typed.
func TestEveryFormKeepsDrafts(t *testing.T) {
	tests := []struct {
		user        complaint.User
		ticket, key string
		tabs        int
		field       string
	}{
		{testUser, "20200506002", "a", 2, "assign.text"},
		{handlerUser, "20200504017", "c", 0, "contact.result"},
		{reviewerUser, "20200505030", "v", 2, "review.text"},
		{testUser, "20200506001", "t", 0, "return_request.text"},
		{testUser, "20200506002", "e", 1, "extension_request.text"},
		{centerUser, "20200428066", "T", 1, "return_decide.text"},
		{centerUser, "20200503011", "E", 2, "extension_decide.text"},
		{centerUser, "20200430101", "o", 1, "close.text"},
		{centerUser, "20200430101", "O", 0, "reopen.text"},
		{centerUser, "20200506002", "u", 0, "urge.text"},
		{jcbUser, "20200506002", "U", 0, "supervise.text"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			h.open(tt.ticket)
			h.press(tt.key)
			if h.m.screen != screenForm {
				t.Fatalf("%s did not open a form: %q", tt.key, h.notice())
			}
			for i := 0; i < tt.tabs; i++ {
				h.press("tab")
			}
			h.typeText("说明𠮷")
			h.press("esc")
			if d, _ := h.st.Draft(context.Background(), tt.ticket, tt.field); d != "说明𠮷" {
				t.Fatalf("draft %s = %q", tt.field, d)
			}
			h.press(tt.key)
			if got := h.m.form.Value(tt.field); got != "说明𠮷" {
				t.Fatalf("reopened %s holds %q", tt.field, got)
			}
		})
	}
}

// Each role's main action, driven by keys, puts exactly the action the
// platform needs in the outbox.
func TestRoleActions(t *testing.T) {
	deadline := time.Date(2020, 5, 12, 17, 0, 0, 0, shanghai).UTC()
	contactAt := time.Date(2020, 5, 6, 14, 30, 0, 0, shanghai).UTC()
	tests := []struct {
		name   string
		user   complaint.User
		ticket string
		drive  func(h *harness)
		want   complaint.Action
	}{
		{"duty signs", testUser, "20200506001", func(h *harness) { h.press("s") },
			complaint.Action{Kind: complaint.KindSign, BaseVersion: 1}},
		{"duty assigns to a handler", testUser, "20200506002", func(h *harness) {
			h.press("a", "down", "up", "tab", "down")
			h.press("tab")
			h.typeText("请三日内答复")
		}, complaint.Action{Kind: complaint.KindAssign, BaseVersion: 2, Subunit: subXL, Handler: "handler07", Text: "请三日内答复"}},
		{"duty assigns to another sub-unit", testUser, "20200506002", func(h *harness) {
			h.press("a", "down", "tab", "down")
		}, complaint.Action{Kind: complaint.KindAssign, BaseVersion: 2, Subunit: subST, Handler: "handler09"}},
		{"duty asks to return", testUser, "20200506001", func(h *harness) { h.press("t"); h.typeText("不属本单位") },
			complaint.Action{Kind: complaint.KindReturnRequest, BaseVersion: 1, Text: "不属本单位"}},
		{"duty asks for more time", testUser, "20200506002", func(h *harness) {
			h.press("e")
			h.typeText("3")
			h.press("enter")
			h.typeText("需现场检测")
		}, complaint.Action{Kind: complaint.KindExtensionRequest, BaseVersion: 2, Days: 3, Text: "需现场检测"}},
		{"handler records the contact", handlerUser, "20200504017", func(h *harness) {
			h.press("c", "shift+tab", "shift+tab")
			for range 16 {
				h.press("backspace")
			}
			h.typeText("2020-05-06 14:30")
			h.press("tab", "right", "tab")
			h.typeText("上门核实")
		}, complaint.Action{Kind: complaint.KindContact, BaseVersion: 4, Contact: &complaint.Contact{At: contactAt, How: "上门", Result: "上门核实"}}},
		{"reviewer approves", reviewerUser, "20200505030", func(h *harness) { h.press("v", "tab", "tab"); h.typeText("同意") },
			complaint.Action{Kind: complaint.KindApprove, BaseVersion: 6, Text: "同意"}},
		{"reviewer rejects on criteria 4 and 5", reviewerUser, "20200505030", func(h *harness) {
			h.press("v", "tab", "5", "up", "space", "tab")
			h.typeText("补充依据和市民意见")
		}, complaint.Action{Kind: complaint.KindReject, BaseVersion: 6, Criteria: []int{4, 5}, Text: "补充依据和市民意见"}},
		{"center accepts a return", centerUser, "20200428066", func(h *harness) { h.press("T") },
			complaint.Action{Kind: complaint.KindReturnAccept, BaseVersion: 3}},
		{"center refuses a return", centerUser, "20200428066", func(h *harness) { h.press("T", "left", "tab"); h.typeText("属供电资产") },
			complaint.Action{Kind: complaint.KindReturnRefuse, BaseVersion: 3, Text: "属供电资产"}},
		{"center grants an extension", centerUser, "20200503011", func(h *harness) {
			h.press("E", "tab")
			for range 16 {
				h.press("backspace")
			}
			h.typeText("2020-05-12 17:00")
		}, complaint.Action{Kind: complaint.KindExtensionDecide, BaseVersion: 9, Grant: true, Deadline: deadline}},
		{"center refuses an extension", centerUser, "20200503011", func(h *harness) { h.press("E", "right", "tab"); h.typeText("不符合延期条件") },
			complaint.Action{Kind: complaint.KindExtensionDecide, BaseVersion: 9, Text: "不符合延期条件"}},
		{"center closes as fairly satisfied", centerUser, "20200430101", func(h *harness) { h.press("o", "right") },
			complaint.Action{Kind: complaint.KindClose, BaseVersion: 5, Satisfaction: complaint.FairlySatisfied}},
		{"center reopens", centerUser, "20200430101", func(h *harness) { h.press("O"); h.typeText("市民不满意") },
			complaint.Action{Kind: complaint.KindReopen, BaseVersion: 5, Text: "市民不满意"}},
		{"center urges", centerUser, "20200506002", func(h *harness) { h.press("u"); h.typeText("请加快") },
			complaint.Action{Kind: complaint.KindUrge, BaseVersion: 2, Text: "请加快"}},
		{"supervisor supervises", jcbUser, "20200506002", func(h *harness) { h.press("U"); h.typeText("列入督办") },
			complaint.Action{Kind: complaint.KindSupervise, BaseVersion: 2, Text: "列入督办"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			h.open(tt.ticket)
			tt.drive(h)
			if tt.want.Kind != complaint.KindSign {
				h.press("ctrl+s")
			}
			items := h.outbox(tt.ticket)
			if len(items) != 1 {
				t.Fatalf("outbox holds %d items (notice %q, form error %q)", len(items), h.notice(), formErr(h))
			}
			got := items[0].Action
			got.ID, got.CreatedAt = "", time.Time{}
			want := tt.want
			want.Ticket = tt.ticket
			gc, wc := got.Contact, want.Contact
			got.Contact, want.Contact = nil, nil
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) || (gc == nil) != (wc == nil) ||
				gc != nil && (!gc.At.Equal(wc.At) || gc.How != wc.How || gc.Result != wc.Result || gc.By != wc.By) {
				t.Fatalf("action\n got %+v %+v\nwant %+v %+v", got, gc, want, wc)
			}
			if h.m.screen != screenDetail {
				t.Fatalf("screen %d after the action, want the ticket", h.m.screen)
			}
		})
	}
}

func formErr(h *harness) string {
	if h.m.form == nil {
		return ""
	}
	return h.m.form.Err()
}

// What a form refuses is said in it and in the status bar; nothing is
// queued and the text stays.
func TestFormRefusals(t *testing.T) {
	tests := []struct {
		name   string
		user   complaint.User
		ticket string
		drive  func(h *harness)
		want   string
	}{
		{"reject without criteria", reviewerUser, "20200505030", func(h *harness) { h.press("v", "right", "tab", "tab"); h.typeText("不行") },
			"退回须勾选不符合的审核标准（1–5）"},
		{"approve with criteria ticked", reviewerUser, "20200505030", func(h *harness) { h.press("v", "tab", "2", "shift+tab", "left") },
			"已勾选不符合的标准：请选择“退回”，或取消勾选后通过"},
		{"extension days", testUser, "20200506002", func(h *harness) { h.press("e"); h.typeText("三"); h.press("tab"); h.typeText("理由") },
			"延期天数应为 1–30 的整数（工作日）"},
		{"contact time", handlerUser, "20200504017", func(h *harness) {
			h.press("c", "shift+tab", "shift+tab", "backspace")
			h.press("tab", "tab")
			h.typeText("已联系")
		}, "联系时间应写作 2020-05-06 15:04 这样的格式"},
		{"contact in the future", handlerUser, "20200504017", func(h *harness) {
			h.press("c", "shift+tab", "shift+tab")
			for range 16 {
				h.press("backspace")
			}
			h.typeText("2020-05-07 09:00")
			h.press("tab", "tab")
			h.typeText("已联系")
		}, "联系时间不能晚于现在"},
		{"refuse a return without reason", centerUser, "20200428066", func(h *harness) { h.press("T", "right") },
			"不同意退单须填写理由"},
		{"urge without a note", centerUser, "20200506002", func(h *harness) { h.press("u") }, "请填写催办说明"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarnessAs(t, tt.user, 80, 24, fixtures())
			h.open(tt.ticket)
			tt.drive(h)
			h.press("ctrl+s")
			if h.m.screen != screenForm || h.m.form.Err() != tt.want || h.notice() != tt.want {
				t.Fatalf("screen %d, form error %q, notice %q; want %q", h.m.screen, h.m.form.Err(), h.notice(), tt.want)
			}
			if n := len(h.outbox(tt.ticket)); n != 0 {
				t.Fatalf("outbox holds %d items", n)
			}
			if !strings.Contains(h.line(21), tt.want) {
				t.Fatalf("the form's last line does not say it: %q", h.line(21))
			}
		})
	}
}

func TestSignThenReplyOffline(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.open("20200506001")
	h.press("r")
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
	if got := strings.TrimRight(h.line(1), " "); got != " 可办理：a 派发  r 回复  t 退单申请  e 延期申请  u 催办" {
		t.Errorf("actions after an offline sign: %q", got)
	}
	h.press("s")
	if h.notice() != "工单状态为“已签收”，不能签收" || len(h.outbox("20200506001")) != 1 {
		t.Fatalf("second sign: notice %q, %d items", h.notice(), len(h.outbox("20200506001")))
	}
	// The sign waits in the outbox; the reply is allowed on top of it.
	h.press("r")
	if h.m.screen != screenForm {
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

// refuse puts an action in the outbox and has the platform refuse it.
func (h *harness) refuse(a complaint.Action, reason string) complaint.Action {
	h.t.Helper()
	ctx := context.Background()
	a, err := h.st.Enqueue(ctx, a)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.st.MarkRefused(ctx, a.ID, reason, nil); err != nil {
		h.t.Fatal(err)
	}
	return a
}

func TestRefusedActionShownWithText(t *testing.T) {
	h := newHarnessAs(t, handlerUser, 120, 40, fixtures())
	h.refuse(complaint.Action{Kind: complaint.KindReply, Ticket: "20200504017", BaseVersion: 3,
		Reply: &complaint.Reply{Text: "已核实，收费符合物价局文件。"}, CreatedAt: testNow}, "工单已被更新，请核对后重发")
	h.open("20200504017")
	h.send(OutboxMsg{Ticket: "20200504017", Refused: true, Reason: "工单已被更新，请核对后重发"})
	if want := "工单 20200504017 的操作被退回：工单已被更新，请核对后重发"; h.notice() != want || !h.m.noticeErr {
		t.Fatalf("notice %q", h.notice())
	}
	if got := strings.TrimRight(h.line(1), " "); got != " 可办理：c 联系客户  r 回复  m 修改被退回的操作  R 原样重发  X 放弃被退回的操作" {
		t.Fatalf("action line %q", got)
	}
	for _, want := range []string{"05-06 15:04  回复  已退回：工单已被更新，请核对后重发", "    已核实，收费符合物价局文件。", "    m 修改后重发 · R 原样重发 · X 放弃"} {
		if !strings.Contains(h.body(), want) {
			t.Errorf("page lacks %q:\n%s", want, h.body())
		}
	}
}

// A refused action is corrected in its form and sent again in its place,
// sent again as it is, or given up.
func TestRefusedEditResendDiscard(t *testing.T) {
	ctx := context.Background()
	t.Run("edit", func(t *testing.T) {
		h := newHarnessAs(t, handlerUser, 80, 24, fixtures())
		old := h.refuse(complaint.Action{Kind: complaint.KindReply, Ticket: "20200504017", BaseVersion: 3,
			Reply: &complaint.Reply{Findings: "已核实", Text: "处理情况：已核实"}}, "工单已被更新，请核对后重发")
		h.open("20200504017")
		h.press("m")
		if h.m.screen != screenForm || h.m.form.Value(form.ReplyFindings) != "已核实" {
			t.Fatalf("m did not open the reply with its text: screen %d", h.m.screen)
		}
		if got := h.line(0); !strings.HasPrefix(got, "修改后重发：回复 · 工单 20200504017") {
			t.Fatalf("title %q", got)
		}
		if got := strings.TrimSpace(h.line(21)); got != "被退回：工单已被更新，请核对后重发" {
			t.Fatalf("reason line %q", got)
		}
		h.typeText("，收费合规")
		h.press("ctrl+s")
		items := h.outbox("20200504017")
		if len(items) != 1 || items[0].ID == old.ID || items[0].Status != store.StatusPending || items[0].BaseVersion != 4 ||
			items[0].Reply.Findings != "已核实，收费合规" {
			t.Fatalf("outbox after edit: %+v", items)
		}
	})
	t.Run("edit into another kind", func(t *testing.T) {
		h := newHarnessAs(t, reviewerUser, 80, 24, fixtures())
		old := h.refuse(complaint.Action{Kind: complaint.KindReject, Ticket: "20200505030", BaseVersion: 5, Criteria: []int{4}, Text: "缺依据"}, "工单已被更新，请核对后重发")
		h.open("20200505030")
		h.press("m")
		if h.m.form.Field("review.decision").Selected() != "reject" || fmt.Sprint(h.m.form.Field("review.criteria").Checked()) != "[4]" {
			t.Fatalf("the rejection's choices did not come back")
		}
		h.press("tab", "4", "shift+tab", "left", "ctrl+s")
		items := h.outbox("20200505030")
		if len(items) != 1 || items[0].ID == old.ID || items[0].Kind != complaint.KindApprove || items[0].Text != "缺依据" || items[0].BaseVersion != 6 {
			t.Fatalf("outbox after turning the rejection into an approval: %+v", items)
		}
	})
	t.Run("resend", func(t *testing.T) {
		h := newHarnessAs(t, testUser, 80, 24, fixtures())
		old := h.refuse(complaint.Action{Kind: complaint.KindSign, Ticket: "20200506001", BaseVersion: 0}, "工单已被更新，请核对后重发")
		h.open("20200506001")
		h.press("R")
		items := h.outbox("20200506001")
		if len(items) != 1 || items[0].Status != store.StatusPending || items[0].BaseVersion != 1 || items[0].ID == old.ID {
			t.Fatalf("outbox after resend: %+v", items)
		}
		if h.kicks != 1 {
			t.Fatalf("kicks %d", h.kicks)
		}
	})
	t.Run("discard", func(t *testing.T) {
		h := newHarnessAs(t, testUser, 80, 24, fixtures())
		h.refuse(complaint.Action{Kind: complaint.KindReturnRequest, Ticket: "20200506001", BaseVersion: 0, Text: "不属本单位"}, "工单已被更新，请核对后重发")
		h.open("20200506001")
		h.press("X")
		if got := strings.TrimSpace(h.line(1)); got != "放弃被退回的“退单申请”及其内容？按 y 确认，其他键取消" {
			t.Fatalf("confirm line %q", got)
		}
		h.press("n")
		if n := len(h.outbox("20200506001")); n != 1 {
			t.Fatalf("n discarded: %d items", n)
		}
		h.press("X", "y")
		if n := len(h.outbox("20200506001")); n != 0 {
			t.Fatalf("y left %d items", n)
		}
		if h.notice() != "已放弃被退回的“退单申请”" {
			t.Fatalf("notice %q", h.notice())
		}
		if strings.Contains(h.body(), "待发送") {
			t.Fatalf("the page still shows the outbox")
		}
	})
	_ = ctx
}

// tui-cjk case 10: hostile text is drawn inert, control characters shown.
func TestHostileTextIsInert(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	h.open("20200504017")
	screen := h.body() // checks that no control character reaches the terminal
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
	if got := h.line(3); got != "  20200506001 盘锦市兴隆台区供电                    ▲签收        剩 5分 待签收  " {
		t.Fatalf("before: %q", got)
	}
	changed := tickets[0]
	changed.Title, changed.Version = "OK", 2
	if err := h.st.PutTicket(context.Background(), changed); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{At: testNow})
	if got := h.line(3); got != "  20200506001 OK                                    ▲签收        剩 5分 待签收  " {
		t.Fatalf("after: %q", got)
	}
}

func TestSyncedMarksNewAndKeepsSelection(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("j")
	fresh := complaint.Ticket{Number: "20200506009", Title: "新到工单", ReceivedAt: at(time.Minute), DispatchedAt: at(time.Minute),
		Unit: unitCode, State: complaint.Dispatched, Version: 1, Step: complaint.StepSign, StepStart: at(time.Minute), Due: at(-29 * time.Minute)}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{fresh}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{New: []string{"20200506009"}, At: testNow})
	if got := h.m.list.Selected(); got != "20200506001" {
		t.Fatalf("selection moved to %q", got)
	}
	if got := h.line(4); got != "● 20200506009 新到工单                               签收       剩 29分 待签收  " {
		t.Fatalf("new row %q", got)
	}
	if h.notice() != "收到新工单 1 件" {
		t.Errorf("notice %q", h.notice())
	}
	if !strings.Contains(h.line(23), "同步于15:04") {
		t.Errorf("status bar %q", h.line(23))
	}
	h.press("G", "enter", "esc")
	if got := h.line(4); !strings.HasPrefix(got, "  20200506009") {
		t.Fatalf("mark kept after opening: %q", got)
	}
}

func TestStatusBar(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	want := " 隧道 已连接 握手12秒前 ↓1.2K ↑340B │ 同步于15:00 待发送 0 │ !超时 2 ▲临近 2 │ 葛\U000E0100𠮷祥 · 国网盘锦供电公司"
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

// The counts of the status bar follow the clock: a ticket crosses into
// overdue as time passes.
func TestStatusBarCountsFollowTheClock(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	now := testNow
	h.m.ctx.Now = func() time.Time { return now }
	now = testNow.Add(6 * time.Minute) // 001's sign step is past its deadline
	h.fire(func(m tea.Msg) bool { _, ok := m.(tickMsg); return ok })
	if got := h.line(39); !strings.Contains(got, "│ !超时 3 ▲临近 1 │") {
		t.Fatalf("status bar after 6 minutes: %q", got)
	}
	if got := h.line(3); got != "  20200506001 盘锦市兴隆台区供电线路老化频繁停电                                05-06 14:29 !签收      超时 1分 待签收  " {
		t.Fatalf("row after 6 minutes: %q", got)
	}
}

func TestHelpAndQuit(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("?")
	if h.m.screen != screenHelp || !strings.Contains(h.view(), "帮助 · 按键一览") {
		t.Fatalf("help not shown")
	}
	h.press("esc")
	if h.m.screen != screenList {
		t.Fatalf("esc from help went to %d", h.m.screen)
	}
	h.open("20200506002")
	h.press("r")
	h.typeText("q?")
	if h.quit || h.m.form.Value(form.ReplyFindings) != "q?" || h.m.screen != screenForm {
		t.Fatalf("q/? in the form: quit %v value %q screen %d", h.quit, h.m.form.Value(form.ReplyFindings), h.m.screen)
	}
	h.press("f1")
	if h.m.screen != screenHelp {
		t.Fatalf("f1 in the form did not open help")
	}
	h.press("esc")
	if h.m.screen != screenForm || h.m.form.Value(form.ReplyFindings) != "q?" {
		t.Fatalf("back from help: screen %d value %q", h.m.screen, h.m.form.Value(form.ReplyFindings))
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
	// Without colour the marks still say near and overdue.
	if got := h.line(2); !strings.Contains(got, "!派发  超时 1时30分") {
		t.Fatalf("overdue row without its mark: %q", got)
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
	h.open("20200506002")
	h.press("r")
	h.send(tea.KeyPressMsg{Code: '供', Text: "供电临时用电"})
	if got := h.m.form.Value(form.ReplyFindings); got != "供电临时用电" {
		t.Fatalf("value %q", got)
	}
	v := h.m.View()
	if v.Cursor == nil || v.Cursor.X != 15+12 || v.Cursor.Y != 1 {
		t.Fatalf("cursor %+v, want (27,1)", v.Cursor)
	}
	h.send(tea.PasteMsg{Content: "你好世界"})
	if got := h.m.form.Value(form.ReplyFindings); got != "供电临时用电你好世界" {
		t.Fatalf("value after paste %q", got)
	}
	h.press("backspace")
	if got := h.m.form.Value(form.ReplyFindings); got != "供电临时用电你好世" {
		t.Fatalf("value after backspace %q", got)
	}
	// In the second field the cursor sits on that field's first row.
	h.press("tab")
	h.typeText("说明")
	v = h.m.View()
	if v.Cursor == nil || v.Cursor.X != 15+4 || v.Cursor.Y != 1+2 {
		t.Fatalf("cursor in the second field %+v, want (19,3)", v.Cursor)
	}
}
