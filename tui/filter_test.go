package tui

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hotline/complaint"
	"hotline/tui/cells"
)

// run is text drawn underlined (what the filter found), with the screen
// column it starts at.
type run struct {
	text string
	col  int
}

var sgrParams = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// underlined reads a raw line of the screen and returns its runs of
// underlined text: SGR 4 turns underline on, 24 and a reset off.
func underlined(raw string) []run {
	var (
		out   []run
		on    bool
		col   int
		joint bool // the last run may go on
	)
	text := func(s string) {
		cells.Each(s, func(g string, w int) bool {
			if on {
				if n := len(out); joint && n > 0 {
					out[n-1].text += g
				} else {
					out = append(out, run{g, col})
				}
				joint = true
			} else {
				joint = false
			}
			col += w
			return true
		})
	}
	at := 0
	for _, m := range sgrParams.FindAllStringSubmatchIndex(raw, -1) {
		text(raw[at:m[0]])
		at = m[1]
		ps := strings.Split(raw[m[2]:m[3]], ";")
		for i := 0; i < len(ps); i++ {
			switch ps[i] {
			case "", "0", "24":
				on = false
			case "4":
				on = true
			case "38", "48", "58": // a colour's own numbers follow
				if i+1 < len(ps) && ps[i+1] == "5" {
					i += 2
				} else if i+1 < len(ps) && ps[i+1] == "2" {
					i += 4
				}
			}
		}
	}
	text(raw[at:])
	return out
}

// rawLines is the screen with its style sequences, a line each.
func (h *harness) rawLines() []string {
	h.view() // the checks of every screen
	return strings.Split(h.m.View().Content, "\n")
}

// shown is the ticket numbers list tab shows, in order.
func (h *harness) shown(tab int) []string {
	ns, _ := h.m.list.Shown(tab)
	return ns
}

// tui-cjk case 3: filtering by 兴隆 highlights exactly those two characters
// (the 4th and 5th, indexes 3 and 4) of 盘锦市兴隆台区, by character, not by
// byte, in colour and without it.
func TestFilterHighlightsTheCharactersFound(t *testing.T) {
	for _, noColor := range []string{"", "1"} {
		t.Run("NO_COLOR="+noColor, func(t *testing.T) {
			t.Setenv("NO_COLOR", noColor)
			h := newHarness(t, 80, 24, fixtures())
			h.press("2", "/")
			h.typeText("兴隆")
			if got, want := h.shown(1), []string{"20200506001", "20200505030"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("shown %v, want %v", got, want)
			}
			lines := h.rawLines()
			// Row 2 is under the cursor (reverse), row 3 is near its
			// deadline (yellow): the highlight shows on both.
			for y, want := range map[int][]run{2: {{"兴隆", 20}}, 3: {{"兴隆", 14}}} {
				if got := underlined(lines[y]); !reflect.DeepEqual(got, want) {
					t.Errorf("row %d: underlined %+v, want %+v\n%q", y, got, want, lines[y])
				}
			}
			// The title starts at column 14: 兴 is its character 3, 隆 4.
			title := cells.Graphemes("盘锦市兴隆台区供电线路老化频繁停电")
			if at := (20 - 14) / 2; title[at] != "兴" || title[at+1] != "隆" || at != 3 {
				t.Errorf("highlight at character %d", at)
			}
			if !strings.Contains(lines[2], "\x1b[7m") && !strings.Contains(lines[2], ";7") {
				t.Errorf("the row under the cursor is not reverse: %q", lines[2])
			}
			if noColor != "" && colorSGR.MatchString(strings.Join(lines, "\n")) {
				t.Errorf("colour drawn with NO_COLOR: %q", colorSGR.FindString(strings.Join(lines, "\n")))
			}
			// Nothing else on the screen is underlined.
			for y, l := range lines {
				if y != 2 && y != 3 && len(underlined(l)) > 0 {
					t.Errorf("row %d underlined: %+v", y, underlined(l))
				}
			}
		})
	}
}

// A match cut off by the column's width is highlighted as far as it
// shows, with the ellipsis standing for the rest; a match wholly cut off
// leaves the ellipsis highlighted alone. Lines stay exactly the width.
func TestFilterHighlightSurvivesTheCut(t *testing.T) {
	tests := []struct {
		filter string
		want   []run
	}{
		// The title shows as "物业收费不合理␛[2J␛]0;pwned␇请核实并…".
		{"核实并给出", []run{{"核实并…", 44}}},
		{"书面答复", []run{{"…", 50}}},
		{"PWNED", []run{{"pwned", 36}}}, // Latin letters in either case
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			h.press("2", "/")
			h.typeText(tt.filter)
			if got := h.shown(1); !reflect.DeepEqual(got, []string{"20200504017"}) {
				t.Fatalf("shown %v", got)
			}
			if got := underlined(h.rawLines()[2]); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("underlined %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFilterByNumberColumnAndTerms(t *testing.T) {
	tests := []struct {
		filter string
		tab    string
		want   []string
		runs   []run // of the first row
	}{
		{"20200506", "2", []string{"20200506002", "20200506001"}, []run{{"20200506", 2}}},
		{"0428", "2", []string{"20200428066"}, []run{{"0428", 6}}},
		{"标题:兴隆", "2", []string{"20200506001", "20200505030"}, []run{{"兴隆", 20}}},
		{"标题：兴隆", "2", []string{"20200506001", "20200505030"}, []run{{"兴隆", 20}}}, // full-width colon
		{"编号:兴隆", "2", nil, nil},
		{"状态:待审核", "2", []string{"20200505030"}, []run{{"待审核", 72}}},
		{"审核", "2", []string{"20200505030"}, []run{{"审核", 53}, {"审核", 74}}},
		{"兴隆 审核", "2", []string{"20200505030"}, []run{{"兴隆", 14}, {"审核", 53}, {"审核", 74}}},
		{"时限:超时", "2", []string{"20200506002", "20200503011"}, []run{{"超时", 59}}},
		{"环节:签收", "2", []string{"20200506001"}, []run{{"签收", 53}}},
		// The fed-back list has no time left: a filter on it keeps none.
		{"时限:剩", "3", nil, nil},
		{"收到时间:04-29", "3", []string{"20200429088"}, []run{{"04-29", 60}}},
		// A colon after no column's name is text.
		{"0;pwned", "2", []string{"20200504017"}, []run{{"0;pwned", 34}}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			h.press(tt.tab, "/")
			h.typeText(tt.filter)
			tab := int(tt.tab[0]-'0') - 1
			if got := h.shown(tab); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("shown %v, want %v", got, tt.want)
			}
			if len(tt.want) == 0 {
				if got := h.view(); !strings.Contains(got, "（没有符合筛选的工单）") {
					t.Errorf("empty list without its notice:\n%s", got)
				}
				return
			}
			if got := underlined(h.rawLines()[2]); !reflect.DeepEqual(got, tt.runs) {
				t.Errorf("underlined %+v, want %+v", got, tt.runs)
			}
		})
	}
}

// Tab in the filter line puts the next column's name before the terms,
// shift+tab the one before; after the last, none.
func TestFilterColumnByTab(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("2", "/")
	h.typeText("兴隆")
	for _, tt := range []struct {
		key, line string
		n         int
	}{
		{"tab", "/ 编号:兴隆", 0},
		{"tab", "/ 标题:兴隆", 2},
		{"tab", "/ 环节:兴隆", 0},
		{"shift+tab", "/ 标题:兴隆", 2},
		{"tab", "/ 环节:兴隆", 0},
		{"tab", "/ 时限:兴隆", 0},
		{"tab", "/ 状态:兴隆", 0},
		{"tab", "/ 兴隆", 2},
		{"shift+tab", "/ 状态:兴隆", 0},
	} {
		h.press(tt.key)
		if got := strings.TrimRight(h.line(21), " "); got != tt.line {
			t.Fatalf("after %s the filter line is %q, want %q", tt.key, got, tt.line)
		}
		if got := len(h.shown(1)); got != tt.n {
			t.Fatalf("%s: %d shown, want %d", tt.line, got, tt.n)
		}
	}
}

// The tabs' line counts what the filter keeps of each list and shows the
// filter; enter keeps it with the line closed, esc on the list or in the
// line drops it.
func TestFilterCountsKeepAndClear(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("2", "/")
	h.typeText("兴隆")
	want := " 1 待办 1/2   2 未反馈 2/6   3 已反馈 0/2  4查询 5部门 6统计 7督办     筛选 兴隆"
	if got := h.line(0); got != want {
		t.Fatalf("tabs line\n got %q\nwant %q", got, want)
	}
	if got := strings.TrimRight(h.line(22), " "); got != " enter 完成筛选  esc 清除筛选  tab 筛选哪一列  ↑/↓/PgUp/PgDn 移动" {
		t.Errorf("hint line in the filter %q", got)
	}
	h.press("enter")
	if h.m.list.Typing() || h.line(0) != want {
		t.Fatalf("enter did not keep the filter: typing %v, %q", h.m.list.Typing(), h.line(0))
	}
	if got := h.line(21); strings.HasPrefix(got, "/") {
		t.Errorf("filter line still open: %q", got)
	}
	// On the lists, the keys are the lists' again; the filter stays.
	h.press("3")
	if got := h.shown(2); len(got) != 0 {
		t.Errorf("fed back list shows %v", got)
	}
	h.press("1")
	if got := h.shown(0); !reflect.DeepEqual(got, []string{"20200506001"}) {
		t.Errorf("待办 shows %v", got)
	}
	h.press("esc")
	if got := h.line(0); got != " 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04" {
		t.Fatalf("esc on the list did not clear: %q", got)
	}
	if got := h.shown(0); len(got) != 2 {
		t.Fatalf("after esc 待办 shows %v", got)
	}
	// esc in the line drops what was typed and closes it.
	h.press("/")
	h.typeText("停电")
	h.press("esc")
	if h.m.list.Typing() || len(h.shown(1)) != 6 || strings.Contains(h.line(0), "筛选") {
		t.Fatalf("esc in the filter line kept %v: %q", h.shown(1), h.line(0))
	}
	// Opened again, the line is empty.
	h.press("/")
	if got := strings.TrimRight(h.line(21), " "); !strings.HasPrefix(got, "/ 输入文字筛选") {
		t.Errorf("filter line reopened as %q", got)
	}
}

// Keys that act on the lists, the root's among them (q quits, ? helps, S
// opens the settings), are text in the filter line.
func TestFilterTakesEveryCharacter(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("/")
	h.typeText("q?S1 2pPxo/")
	if h.quit || h.m.screen != screenList {
		t.Fatalf("a character acted: quit %v, screen %d", h.quit, h.m.screen)
	}
	if got := strings.TrimRight(h.line(21), " "); got != "/ q?S1 2pPxo/" {
		t.Fatalf("filter line %q", got)
	}
	h.press("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c does not quit from the filter line")
	}
}

// tui-cjk cases 1 and 4 in the filter line: the cursor after wide text at
// its display column, a commit of several characters arriving whole, a
// paste on one line.
func TestFilterCursorAfterWideText(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("/")
	h.send(tea.KeyPressMsg{Code: '供', Text: "供电临时用电"})
	v := h.m.View()
	if v.Cursor == nil || v.Cursor.X != 14 || v.Cursor.Y != 21 {
		t.Fatalf("cursor %+v, want (14,21)", v.Cursor)
	}
	h.press("backspace", "backspace")
	h.send(tea.PasteMsg{Content: "兴隆\n台区"})
	if got := strings.TrimRight(h.line(21), " "); got != "/ 供电临时兴隆 台区" {
		t.Fatalf("filter line %q", got)
	}
	if v := h.m.View(); v.Cursor == nil || v.Cursor.X != 2+cells.Width("供电临时兴隆 台区") {
		t.Fatalf("cursor after the paste %+v", v.Cursor)
	}
	h.press("enter")
	if v := h.m.View(); v.Cursor != nil {
		t.Fatalf("cursor shown on the list: %+v", v.Cursor)
	}
}

// o sorts the list shown by the next column, O the other way; after the
// last column the list's own order comes back. The times sort by the time,
// the step and the state by the procedure, numbers by value, Chinese text
// by pinyin; rows with nothing in the column come last either way.
func TestSortByEveryColumn(t *testing.T) {
	const (
		n002 = "20200506002" // 𠮷野家, 派发 overdue 1h30, 已签收, received 3h12 ago
		n001 = "20200506001" // 盘锦市, 签收 5 min left, 待签收, 35 min ago
		n011 = "20200503011" // 双台子区, 回复 overdue 30 min, 已退回, 73h ago
		n017 = "20200504017" // 物业, 回复 2 days left, 已联系, 51h ago
		n030 = "20200505030" // 兴隆台区, 审核 20 min left, 待审核, 26h ago
		n066 = "20200428066" // 中兴路, no step, 退单申请, 8 days ago
	)
	tests := []struct {
		keys   []string
		header string // the sorted column's title as drawn
		want   []string
	}{
		{nil, "", []string{n002, n011, n001, n030, n017, n066}},
		{[]string{"o"}, "编号▲", []string{n066, n011, n017, n030, n001, n002}},
		{[]string{"o", "O"}, "编号▼", []string{n002, n001, n030, n017, n011, n066}},
		{[]string{"o", "o"}, "标题▲", []string{n002, n001, n011, n017, n030, n066}}, // jí pán shuāng wù xīng zhōng
		{[]string{"o", "o", "O"}, "标题▼", []string{n066, n030, n017, n011, n001, n002}},
		{[]string{"o", "o", "o"}, "环节▲", []string{n001, n002, n011, n017, n030, n066}},
		{[]string{"o", "o", "o", "O"}, "环节▼", []string{n030, n011, n017, n002, n001, n066}},
		{[]string{"o", "o", "o", "o"}, "时限▲", []string{n002, n011, n001, n030, n017, n066}},
		{[]string{"o", "o", "o", "o", "O"}, "时限▼", []string{n017, n030, n001, n011, n002, n066}},
		{[]string{"o", "o", "o", "o", "o"}, "状态▲", []string{n001, n002, n017, n030, n011, n066}},
		{[]string{"o", "o", "o", "o", "o", "O"}, "状态▼", []string{n066, n011, n030, n017, n002, n001}},
		{[]string{"o", "o", "o", "o", "o", "o"}, "", []string{n002, n011, n001, n030, n017, n066}},
		// O on the list's own order changes nothing.
		{[]string{"O"}, "", []string{n002, n011, n001, n030, n017, n066}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ""), func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			h.press("2")
			h.press(tt.keys...)
			if got := h.shown(1); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("order %v\n want %v", got, tt.want)
			}
			header := h.line(1)
			if tt.header == "" && strings.ContainsAny(header, "▲▼") || tt.header != "" && !strings.Contains(header, " "+tt.header+" ") {
				t.Errorf("header %q, want %q marked", header, tt.header)
			}
			for y, n := range tt.want {
				if got := h.line(2 + y); !strings.HasPrefix(got, "  "+n) {
					t.Errorf("row %d %q, want %s", y, got, n)
				}
			}
		})
	}
	// The time of the call: on a wide screen in the lists of work, and in
	// the fed-back list, by the time (its text leaves out the year).
	h := newHarness(t, 120, 40, fixtures())
	h.press("2", "o", "o", "o")
	if got, want := h.shown(1), []string{n066, n011, n017, n030, n002, n001}; !reflect.DeepEqual(got, want) {
		t.Errorf("收到时间▲ %v, want %v", got, want)
	}
	if !strings.Contains(h.line(1), " 收到时间▲ ") {
		t.Errorf("header %q", h.line(1))
	}
	old := complaint.Ticket{Number: "20191231001", Title: "去年的工单", ReceivedAt: time.Date(2019, 12, 31, 9, 0, 0, 0, shanghai),
		Unit: unitCode, State: complaint.Closed, Satisfaction: complaint.Satisfied, Version: 1}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{old}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{At: testNow})
	h.press("3", "o", "o", "o")
	if got, want := h.shown(2), []string{"20191231001", "20200429088", "20200430101"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fed back by 收到时间▲ %v, want %v", got, want)
	}
	h.press("O")
	if got, want := h.shown(2), []string{"20200430101", "20200429088", "20191231001"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fed back by 收到时间▼ %v, want %v", got, want)
	}
}

// The cursor stays on its ticket while the filter and the order change and
// the lists are read again, as long as the ticket is shown; a ticket
// filtered out leaves it on the first row.
func TestFilterAndSortKeepTheCursor(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("2", "j", "j", "j")
	if got := h.m.list.Selected(); got != "20200505030" {
		t.Fatalf("selected %q", got)
	}
	h.press("/")
	h.typeText("兴")
	if got := h.m.list.Selected(); got != "20200505030" {
		t.Fatalf("after 兴 selected %q", got)
	}
	h.typeText("隆")
	h.press("enter", "o")
	if got := h.m.list.Selected(); got != "20200505030" {
		t.Fatalf("after sorting selected %q", got)
	}
	// A sync brings a new ticket that the filter keeps, above the cursor.
	fresh := complaint.Ticket{Number: "20200506009", Title: "兴隆台区新到工单", ReceivedAt: at(time.Minute), DispatchedAt: at(time.Minute),
		Unit: unitCode, State: complaint.Dispatched, Version: 1, Step: complaint.StepSign, StepStart: at(time.Minute), Due: at(-29 * time.Minute)}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{fresh}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{New: []string{fresh.Number}, At: testNow})
	if got, want := h.shown(1), []string{"20200505030", "20200506001", "20200506009"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the sync %v, want %v", got, want)
	}
	if got := h.m.list.Selected(); got != "20200505030" {
		t.Fatalf("after the sync selected %q", got)
	}
	if got := h.line(4); !strings.HasPrefix(got, "● 20200506009") {
		t.Errorf("new ticket not marked: %q", got)
	}
	// Space picks in the filtered list and moves on, as ever.
	h.press("space")
	if got := h.m.list.Picked(); !reflect.DeepEqual(got, []string{"20200505030"}) || h.m.list.Selected() != "20200506001" {
		t.Fatalf("picked %v, selected %q", got, h.m.list.Selected())
	}
	h.press("esc")
	if got := h.m.list.Selected(); got != "20200506001" {
		t.Fatalf("after clearing the filter selected %q", got)
	}
	if got := h.m.list.Picked(); !reflect.DeepEqual(got, []string{"20200505030"}) {
		t.Fatalf("clearing the filter changed the picks: %v", got)
	}
	// Filtered out, the cursor goes to the first row shown (by number:
	// the list is still sorted so).
	h.press("/")
	h.typeText("路灯")
	if got := h.m.list.Selected(); got != "20200428066" {
		t.Fatalf("selected %q after its ticket was filtered out", got)
	}
}

// The clock redraws the time left of the rows it changed, and a filter on
// the time left follows it.
func TestFilterFollowsTheClock(t *testing.T) {
	now := testNow
	h := newHarness(t, 80, 24, fixtures())
	h.m.ctx.Now = func() time.Time { return now }
	h.press("2", "/")
	h.typeText("时限:超时")
	if got := h.shown(1); !reflect.DeepEqual(got, []string{"20200506002", "20200503011"}) {
		t.Fatalf("overdue %v", got)
	}
	// Six minutes on, 20200506001 (5 minutes left) is overdue too.
	now = testNow.Add(6 * time.Minute)
	h.fire(func(msg tea.Msg) bool { _, ok := msg.(tickMsg); return ok })
	if got := h.shown(1); !reflect.DeepEqual(got, []string{"20200506002", "20200503011", "20200506001"}) {
		t.Fatalf("overdue six minutes on %v", got)
	}
	if got := h.line(4); !strings.Contains(got, "!签收      超时 1分 待签收") {
		t.Errorf("row %q", got)
	}
}

func TestFilterGoldens(t *testing.T) {
	for _, sc := range []struct {
		name  string
		drive func(h *harness)
	}{
		// Filtered, sorted by the title the other way (pinyin: zhōng
		// xīng jí).
		{"list-filtered-sorted", func(h *harness) {
			h.press("2", "/")
			h.typeText("路灯")
			h.press("enter", "o", "o", "O")
		}},
		// The filter line open on a column.
		{"list-filtering", func(h *harness) {
			h.press("2", "/")
			h.typeText("兴隆")
			h.press("tab", "tab")
		}},
	} {
		for _, sz := range []struct{ w, h int }{{80, 24}, {100, 30}, {120, 40}} {
			name := sc.name + "-" + strconv.Itoa(sz.w) + "x" + strconv.Itoa(sz.h)
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, sz.w, sz.h, fixtures())
				sc.drive(h)
				golden(t, name+".golden", h.view())
				// Resizing keeps the filter and the order, and the screen exact.
				h.w, h.h = sz.w+17, sz.h+3
				h.send(tea.WindowSizeMsg{Width: h.w, Height: h.h})
				if ansi.Strip(h.m.View().Content) == "" {
					t.Fatal("blank after resize")
				}
				h.view()
			})
		}
	}
}

// A kept filter that leaves a list empty says so in the middle of the
// list, on each of the three lists and after a sync redraws them: never a
// blank list, nor the list's own empty text (the list has tickets).
func TestFilterLeavingNoneSaysSo(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, fixtures())
			h.press("/")
			h.typeText("没有这样的字")
			h.press("enter")
			// The list's rows start under the tabs' line and the header;
			// the last is above the hint line and the status bar.
			first, last := 2, sz.h-3
			mid := first + (last-first+1)/2
			check := func(when string) {
				t.Helper()
				for _, tab := range []string{"1", "2", "3"} {
					h.press(tab)
					if got := h.shown(h.m.list.Active()); len(got) != 0 {
						t.Fatalf("%s, tab %s shows %v", when, tab, got)
					}
					if got := strings.TrimSpace(h.line(mid)); got != "（没有符合筛选的工单）" {
						t.Errorf("%s, tab %s: row %d is %q\n%s", when, tab, mid, got, h.view())
					}
				}
			}
			check("kept")
			h.send(SyncedMsg{At: testNow})
			check("after a sync")
		})
	}
}
