package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/calendar"
	"hotline/complaint"
	"hotline/tui/cells"
	"hotline/tui/keys"
	"hotline/tui/pages/stats"
)

// newWiredHarness is newHarness with opts as the program passes them: the
// calendar, the weights and the keys come in through Options, as
// cmd/hotline gives them, not set on the context afterwards.
func newWiredHarness(t *testing.T, w, h int, tickets []complaint.Ticket, opts Options) *harness {
	t.Helper()
	hs := &harness{t: t, st: openStore(t, tickets), w: w, h: h}
	opts.Store, opts.User, opts.Unit, opts.Units, opts.People = hs.st, testUser, testUnit, statsUnits(), testPeople
	opts.Now = func() time.Time { return testNow }
	m := New(opts)
	m.ctx.After = func(d time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{d, msg} }
	}
	hs.m = m
	hs.run(m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// totalRow is the figures of the unit's row (合计) of the statistics
// table on screen, as drawn.
func totalRow(h *harness) []string {
	h.t.Helper()
	for _, l := range strings.Split(h.view(), "\n")[3:] {
		f := strings.Fields(strings.TrimPrefix(l, "▸"))
		if len(f) > 1 && f[0] == "合计" && !strings.HasPrefix(l, "合计") {
			return f[1:]
		}
	}
	h.t.Fatalf("no 合计 row on screen:\n%s", h.view())
	return nil
}

// marked is the entry of the tabs' line drawn in the active tab's style.
func marked(h *harness) string {
	raw := strings.Split(h.m.View().Content, "\n")[0]
	for _, label := range []string{" 4 查询 ", " 5 部门 ", " 6 统计 ", " 7 督办 "} {
		if strings.Contains(raw, h.m.ctx.Styles.TabActive.Render(label)) {
			return label
		}
	}
	return ""
}

// From the lists, 6 and 7 open the two statistics screens under the tabs'
// line, which marks them; the figures are complaint.Compute's over the
// cache with the calendar and weights of Options; esc goes back.
func TestStatsWiring(t *testing.T) {
	cal := testCalendar(t)
	// Only the reply rate weighs: the score then differs from the
	// default weights', so that it tells which weights were used.
	w := complaint.Weights{Reply: 1}
	h := newWiredHarness(t, 120, 40, statsData(t), Options{Calendar: cal, Weights: w})

	h.press("6")
	if h.m.screen != screenStats || h.m.stats.Kind() != stats.Handling {
		t.Fatalf("6 opened screen %d", h.m.screen)
	}
	if got := h.line(1); !strings.HasPrefix(got, " 投诉办理情况统计 ") || !strings.Contains(got, "‹ 2020年5月 ›") {
		t.Fatalf("title line %q", got)
	}
	if got := marked(h); got != " 6 统计 " {
		t.Fatalf("tabs' line marks %q", got)
	}
	_, p := h.m.stats.Period()
	ts, err := h.st.History(context.Background(), p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	want := complaint.Compute(ts, statsUnits(), unitCode, p, testUnit.Policy, cal, w, testNow)
	if want.Unit.Received == 0 {
		t.Fatalf("the data set has no ticket in %v", p)
	}
	if got := totalRow(h)[0]; got != fmt.Sprint(want.Unit.Received) {
		t.Fatalf("合计 受理 on screen %s, Compute %d", got, want.Unit.Received)
	}
	shown := h.m.stats.Shown()
	if fmt.Sprint(shown.Statistics) != fmt.Sprint(want) {
		t.Fatalf("figures shown\n%+v\nCompute\n%+v", shown.Statistics, want)
	}
	def := complaint.Compute(ts, statsUnits(), unitCode, p, testUnit.Policy, cal, complaint.DefaultWeights, testNow)
	if shown.Statistics.Unit.Score == def.Unit.Score {
		t.Fatalf("score %v is the default weights' too: the test tells nothing", def.Unit.Score)
	}

	// The key of the screen shown keeps it as it is: another month stays.
	page := h.m.stats
	h.press("left", "6")
	if h.m.stats != page || h.m.screen != screenStats {
		t.Fatalf("6 on 统计 replaced the page")
	}
	if _, p := h.m.stats.Period(); !p.From.Equal(time.Date(2020, 4, 1, 0, 0, 0, 0, shanghai)) {
		t.Fatalf("6 on 统计 moved the period to %v", p)
	}

	h.press("esc")
	if h.m.screen != screenList || h.m.stats != nil {
		t.Fatalf("esc: screen %d, page %v", h.m.screen, h.m.stats)
	}

	h.press("7")
	if h.m.screen != screenStats || h.m.stats.Kind() != stats.Supervision || !strings.HasPrefix(h.line(1), " 本部门督办情况统计 ") {
		t.Fatalf("7 opened screen %d: %q", h.m.screen, h.line(1))
	}
	if got := marked(h); got != " 7 督办 " {
		t.Fatalf("tabs' line marks %q", got)
	}
	all, _ := complaint.Supervise(ts, statsUnits(), unitCode, p, testUnit.Policy, cal, testNow)
	if got := totalRow(h)[0]; got != fmt.Sprint(all.Tickets) {
		t.Fatalf("合计 工单 on screen %s, Supervise %d", got, all.Tickets)
	}
	// 6 from 督办 is 统计; the menu's other keys leave for their screens,
	// and the statistics page goes with it.
	h.press("6")
	if h.m.screen != screenStats || h.m.stats.Kind() != stats.Handling {
		t.Fatalf("6 from 督办: screen %d", h.m.screen)
	}
	h.press("5")
	if h.m.screen != screenDirectory || h.m.stats != nil {
		t.Fatalf("5 from 统计: screen %d, page %v", h.m.screen, h.m.stats)
	}
}

// 1 to 4 choose the period on a statistics screen, not a list; the dates'
// line takes ? as text and puts the terminal's cursor on itself; esc
// closes it before it leaves the screen.
func TestStatsWiringKeys(t *testing.T) {
	h := newWiredHarness(t, 100, 30, statsData(t), Options{Calendar: testCalendar(t)})
	h.press("6", "3")
	if span, _ := h.m.stats.Period(); h.m.screen != screenStats || span != stats.Year {
		t.Fatalf("3 on 统计: screen %d, span %v", h.m.screen, span)
	}
	h.press("4")
	if !h.m.stats.Typing() {
		t.Fatal("4 did not open the dates' line")
	}
	h.press("?")
	if h.m.screen != screenStats {
		t.Fatalf("? on the dates' line opened screen %d", h.m.screen)
	}
	if hint := h.line(h.h - 2); strings.Contains(hint, "? 帮助") || !strings.Contains(hint, "enter 确定日期") {
		t.Fatalf("hint line while typing the dates %q", hint)
	}
	// The cursor is after the ?, on the dates' line under the tabs' line
	// and the title.
	typed := "起止日期：2020-01-01 至 2020-12-31?"
	c := h.m.View().Cursor
	if line := h.line(2); c == nil || c.Y != 2 || c.X != cells.Width(typed) || !strings.HasPrefix(line, typed) {
		t.Fatalf("cursor %+v on %q", c, line)
	}
	h.press("esc")
	if h.m.screen != screenStats || h.m.stats.Typing() {
		t.Fatalf("esc on the dates' line: screen %d, typing %v", h.m.screen, h.m.stats.Typing())
	}
	// ? opens help over the screen, with the group of its keys; help
	// goes back to the same page.
	page := h.m.stats
	h.press("?")
	if h.m.screen != screenHelp {
		t.Fatalf("? on 统计 opened screen %d", h.m.screen)
	}
	var help strings.Builder
	for range 8 {
		help.WriteString(h.view())
		h.press("pgdown")
	}
	for _, want := range []string{"统计（在列表按 6 / 7 打开）", "前后一期", "导出 xlsx", "确定日期"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, help.String())
		}
	}
	h.press("esc")
	if h.m.screen != screenStats || h.m.stats != page {
		t.Fatalf("help went back to screen %d", h.m.screen)
	}
	h.press("q")
	if h.m.screen != screenList || h.quit {
		t.Fatalf("q on 统计: screen %d, quit %v", h.m.screen, h.quit)
	}
}

// Keys rebound in the settings' [keys] act on the statistics screens and
// in help: the export on e, 督办 on D.
func TestStatsWiringRebound(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home) // where exports go by default
	km, err := keys.Rebind(keys.Default(), map[string][]string{"stats.export": {"e"}, "list.tab7": {"D"}})
	if err != nil {
		t.Fatal(err)
	}
	h := newWiredHarness(t, 120, 40, statsData(t), Options{Calendar: testCalendar(t), Keys: km})
	h.press("7")
	if h.m.screen != screenList {
		t.Fatalf("7, no longer 督办's key, opened screen %d", h.m.screen)
	}
	h.press("D")
	if h.m.screen != screenStats || h.m.stats.Kind() != stats.Supervision {
		t.Fatalf("D opened screen %d", h.m.screen)
	}
	h.press("esc", "6")
	if hint := h.line(h.h - 2); !strings.Contains(hint, " e 导出 xlsx ") {
		t.Fatalf("hint line %q", hint)
	}
	seq := h.m.noticeSeq
	h.press("x")
	if h.m.noticeSeq != seq {
		t.Fatalf("x, no longer the export's key, said %q", h.notice())
	}
	h.press("e")
	path := filepath.Join(home, "投诉办理情况统计-2020-05.xlsx")
	if got := h.notice(); got != "已导出到 "+path {
		t.Fatalf("e: notice %q", got)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	h.press("?")
	var help strings.Builder
	for range 8 {
		help.WriteString(h.view())
		h.press("pgdown")
	}
	for _, want := range []string{"统计（在列表按 6 / D 打开）", "e          导出 xlsx"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, help.String())
		}
	}
}

// A sync that stores a ticket of the period shows it in the figures of the
// screen open.
func TestStatsWiringSync(t *testing.T) {
	h := newWiredHarness(t, 100, 30, statsData(t), Options{Calendar: testCalendar(t)})
	h.press("6")
	before := totalRow(h)[0]
	d := testNow.Add(-time.Hour).UTC()
	tk := complaint.Ticket{Number: "20200506999", Title: "新派工单", ReceivedAt: d, DispatchedAt: d, Unit: unitCode,
		State: complaint.Dispatched, Version: 1, UpdatedAt: d,
		Events: []complaint.Event{{Kind: complaint.KindDispatch, Actor: centerUser.Login, Unit: centerCode, At: d, To: complaint.Dispatched}}}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{tk}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{New: []string{tk.Number}, At: testNow})
	var n int
	fmt.Sscan(before, &n)
	if got := totalRow(h)[0]; got != fmt.Sprint(n+1) {
		t.Fatalf("受理 after the sync %s, before %s", got, before)
	}
}

// The calendar of Options reaches the screens only when there is one: a
// nil *calendar.Calendar would pass for one and fail in the figures.
func TestStatsWiringCalendar(t *testing.T) {
	var none *calendar.Calendar
	if m := New(Options{Calendar: none}); m.ctx.Calendar != nil {
		t.Fatalf("a nil *calendar.Calendar became %#v", m.ctx.Calendar)
	}
	cal := testCalendar(t)
	if m := New(Options{Calendar: cal}); m.ctx.Calendar != cal {
		t.Fatalf("the calendar given became %#v", m.ctx.Calendar)
	}
	h := newWiredHarness(t, 80, 24, statsData(t), Options{Calendar: none})
	h.press("6")
	if !strings.Contains(h.view(), "统计失败：未配置工作日历，无法计算工作日") {
		t.Fatalf("without a calendar:\n%s", h.view())
	}
}

// The export's path stays on the statistics page, whole, when a sync's
// notice has taken the status bar; it goes with the page. With a HOME
// that is not there, the export says so in Chinese and creates nothing.
func TestStatsWiringExportLine(t *testing.T) {
	home := filepath.Join(t.TempDir(), "市供电公司客户服务中心统计报表")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	h := newWiredHarness(t, 80, 24, statsData(t), Options{Calendar: testCalendar(t)})
	h.press("6", "x")
	path := filepath.Join(home, "投诉办理情况统计-2020-05.xlsx")
	if got := h.notice(); got != "已导出到 "+path {
		t.Fatalf("notice %q", got)
	}
	// The status bar cannot hold it at 80 columns; the page line can.
	const line = "已导出到 ~/投诉办理情况统计-2020-05.xlsx"
	exportLine := func() string {
		for _, l := range strings.Split(h.view(), "\n") {
			if strings.HasPrefix(l, "已导出到 ") || strings.HasPrefix(l, "导出失败") {
				return strings.TrimRight(l, " ")
			}
		}
		return ""
	}
	if cells.Width("已导出到 "+path) <= 80 {
		t.Fatalf("%s fits the status bar: the test tells nothing", path)
	}
	if got := exportLine(); got != line {
		t.Fatalf("page line %q, want %q\n%s", got, line, h.view())
	}
	d := testNow.Add(-time.Hour).UTC()
	tk := complaint.Ticket{Number: "20200506998", Title: "新派工单", ReceivedAt: d, DispatchedAt: d, Unit: unitCode,
		State: complaint.Dispatched, Version: 1, UpdatedAt: d,
		Events: []complaint.Event{{Kind: complaint.KindDispatch, Actor: centerUser.Login, Unit: centerCode, At: d, To: complaint.Dispatched}}}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{tk}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{New: []string{tk.Number}, At: testNow})
	if got := h.notice(); got != "收到新工单 1 件" {
		t.Fatalf("notice after the sync %q", got)
	}
	if got := exportLine(); got != line {
		t.Fatalf("page line after the sync %q, want %q", got, line)
	}
	h.press("esc", "6")
	if got := exportLine(); got != "" {
		t.Fatalf("a new page shows %q", got)
	}

	missing := filepath.Join(t.TempDir(), "nonexistent", "home")
	t.Setenv("HOME", missing)
	h.press("esc", "6", "x")
	want := "导出失败：无法写入主目录 " + missing + "（不存在或没有写权限），请检查主目录（HOME）后重试"
	if got := h.notice(); got != want {
		t.Fatalf("notice %q, want %q", got, want)
	}
	if got := exportLine(); !strings.HasPrefix(got, "导出失败：无法写入主目录") {
		t.Fatalf("page line %q\n%s", got, h.view())
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Fatalf("the export made %s: %v", filepath.Dir(missing), err)
	}
}
