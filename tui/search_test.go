package tui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/keys"
	"hotline/tui/pages/search"
)

// searchDue fires the search's pause: the search runs on what was typed.
func searchDue(h *harness) {
	h.fire(func(m tea.Msg) bool { _, ok := m.(search.RunMsg); return ok })
}

// searchFor opens 投诉查询 and searches for q.
func searchFor(h *harness, q string) {
	h.t.Helper()
	h.press("4")
	if h.m.screen != screenSearch {
		h.t.Fatalf("4 opened screen %d, not the search", h.m.screen)
	}
	h.typeText(q)
	searchDue(h)
}

func (h *harness) found() []string { return h.m.search.Shown() }

// Rows of the search screen: the tabs' line, the query, two lines of
// conditions, what was found, the results' header, the results.
const (
	searchQueryRow = 1
	searchToldRow  = 4
	searchFirstRow = 6
)

// tui-cjk case 3 on the search: typing 兴隆 finds the tickets holding it
// anywhere and highlights exactly those two characters of the titles
// (characters 3 and 4 of 盘锦市兴隆台区…), in colour and without it.
func TestSearchHighlightsTheCharactersFound(t *testing.T) {
	for _, noColor := range []string{"", "1"} {
		t.Run("NO_COLOR="+noColor, func(t *testing.T) {
			t.Setenv("NO_COLOR", noColor)
			h := newHarness(t, 80, 24, fixtures())
			searchFor(h, "兴隆")
			// 20200504017's title lacks 兴隆: its text and its history hold it.
			if got, want := h.found(), []string{"20200506001", "20200505030", "20200504017"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("found %v, want %v", got, want)
			}
			if got := strings.TrimSpace(h.line(searchToldRow)); got != "找到 3 张" {
				t.Errorf("told %q", got)
			}
			lines := h.rawLines()
			for y, want := range map[int][]run{searchFirstRow: {{"兴隆", 20}}, searchFirstRow + 1: {{"兴隆", 14}}} {
				if got := underlined(lines[y]); !reflect.DeepEqual(got, want) {
					t.Errorf("row %d: underlined %+v, want %+v\n%q", y, got, want, lines[y])
				}
			}
			title := []rune("盘锦市兴隆台区供电线路老化频繁停电")
			if at := (20 - 14) / 2; string(title[at:at+2]) != "兴隆" || at != 3 {
				t.Errorf("highlight at character %d", at)
			}
			for y, l := range lines {
				if y != searchFirstRow && y != searchFirstRow+1 && len(underlined(l)) > 0 {
					t.Errorf("row %d underlined: %+v", y, underlined(l))
				}
			}
			if noColor != "" && colorSGR.MatchString(strings.Join(lines, "\n")) {
				t.Errorf("colour drawn with NO_COLOR: %q", colorSGR.FindString(strings.Join(lines, "\n")))
			}
			// tui-cjk case 1: the terminal cursor after the wide query:
			// " 查询 " is 6 cells, 兴隆 4 more, on the line under the tabs.
			if v := h.m.View(); v.Cursor == nil || v.Cursor.X != 10 || v.Cursor.Y != searchQueryRow {
				t.Errorf("cursor %+v, want (10,%d)", v.Cursor, searchQueryRow)
			}
		})
	}
}

// tui-cjk cases 4, 8 and 9 in the query: an input method's commit of
// several characters arrives whole, backspace takes a whole character,
// a name outside the BMP is found and highlighted over its 6 cells.
func TestSearchQueryTakesChineseWhole(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("4")
	h.send(tea.KeyPressMsg{Code: '你', Text: "你好世界"})
	if got := h.m.search.Value("查询"); got != "你好世界" {
		t.Fatalf("query %q after one commit of four characters", got)
	}
	for range 4 {
		h.press("backspace")
	}
	h.typeText("𠮷野家")
	h.press("backspace")
	if got := h.m.search.Value("查询"); got != "𠮷野" {
		t.Fatalf("query %q after backspace", got)
	}
	searchDue(h)
	if got := h.found(); !reflect.DeepEqual(got, []string{"20200506002"}) {
		t.Fatalf("found %v", got)
	}
	if got := underlined(h.rawLines()[searchFirstRow]); !reflect.DeepEqual(got, []run{{"𠮷野", 14}}) {
		t.Errorf("underlined %+v", got)
	}
	if v := h.m.View(); v.Cursor == nil || v.Cursor.X != 6+4 {
		t.Errorf("cursor %+v, want x 10", v.Cursor)
	}
	// tui-cjk case 2: a text that exactly fills its field (电话 takes 12
	// cells, the 13th is the cursor's) stays one line, the cursor after it.
	h.press("tab", "tab")
	h.typeText("010-12345678")
	if got := h.line(2); !strings.HasPrefix(got, " 编号 不限             电话 010-12345678   日期 ") {
		t.Errorf("conditions %q", got)
	}
	if v := h.m.View(); v.Cursor == nil || v.Cursor.X != 28+12 || v.Cursor.Y != 2 {
		t.Errorf("cursor %+v, want (40,2)", v.Cursor)
	}
}

// Each condition narrows the search alone and with the query: the fields
// are reached with tab, choices move with →, 仅超时 ticks with space.
func TestSearchConditions(t *testing.T) {
	tests := []struct {
		name  string
		drive func(h *harness)
		want  []string
	}{
		{"number", func(h *harness) { h.press("tab"); h.typeText("20200506") }, []string{"20200506001", "20200506002"}},
		{"phone apart", func(h *harness) { h.press("tab", "tab"); h.typeText("139 0000") }, []string{"20200505030"}},
		{"days", func(h *harness) {
			h.press("tab", "tab", "tab")
			h.typeText("2020-05-04")
			h.press("tab")
			h.typeText("2020-5-5")
		}, []string{"20200505030", "20200504017"}},
		{"from only", func(h *harness) { h.press("tab", "tab", "tab"); h.typeText("2020/5/6") }, []string{"20200506001", "20200506002"}},
		{"state", func(h *harness) { h.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "right") }, []string{"20200506001"}},
		{"state back round", func(h *harness) { h.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "left", "left") }, []string{"20200428066"}},
		{"subunit", func(h *harness) { h.press("shift+tab", "shift+tab", "shift+tab", "right") }, []string{"20200505030", "20200504017", "20200503011"}},
		{"category", func(h *harness) { h.press("shift+tab", "shift+tab"); h.typeText("供电质量") }, []string{"20200506001"}},
		{"overdue", func(h *harness) { h.press("shift+tab", "space") }, []string{"20200506002", "20200503011"}},
		{"overdue off again", func(h *harness) { h.typeText("兴隆"); h.press("shift+tab", "space", "space") },
			[]string{"20200506001", "20200505030", "20200504017"}},
		{"query and subunit", func(h *harness) { h.typeText("兴隆"); h.press("shift+tab", "shift+tab", "shift+tab", "right") },
			[]string{"20200505030", "20200504017"}},
		{"query and state", func(h *harness) {
			h.typeText("兴隆")
			h.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "right")
		}, []string{"20200506001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			h.press("4")
			tt.drive(h)
			searchDue(h)
			if got := h.found(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("found %v, want %v", got, tt.want)
			}
			if h.m.search.Err() != "" {
				t.Fatalf("error %q", h.m.search.Err())
			}
		})
	}
}

// A condition field shows what it holds: the state and sub-unit chosen,
// 仅超时 ticked.
func TestSearchConditionLines(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("4", "shift+tab", "space", "shift+tab", "shift+tab", "right", "shift+tab", "right", "right")
	want := " 状态 ‹已签收›    基层单位 ‹兴隆台供电分公司›    类别 不限          仅超时 [x]  "
	if got := h.line(3); got != want {
		t.Fatalf("conditions\n got %q\nwant %q", got, want)
	}
	searchDue(h)
	if got := h.found(); !reflect.DeepEqual(got, []string(nil)) {
		t.Fatalf("found %v", got)
	}
	if !strings.Contains(h.view(), "（没有找到符合的工单）") {
		t.Fatalf("no notice of nothing found:\n%s", h.view())
	}
}

// Bad input says what is wrong in Chinese and changes nothing: the results
// of the last good question stay until the input is right again.
func TestSearchBadInput(t *testing.T) {
	all := []string{"20200506001", "20200505030", "20200504017"}
	tests := []struct {
		name  string
		drive func(h *harness)
		want  string
		after []string // found once the field is cleared
	}{
		{"month 13", func(h *harness) { h.press("tab", "tab", "tab"); h.typeText("2020-13-01") }, "起始日期 2020-13-01 不存在（没有 13 月）", all},
		{"half a date", func(h *harness) { h.press("tab", "tab", "tab", "tab"); h.typeText("2020-05") }, "截止日期应写作 2020-05-06 这样的格式", all},
		{"words", func(h *harness) { h.press("tab", "tab", "tab"); h.typeText("五月六日") }, "起始日期应写作 2020-05-06 这样的格式", all},
		{"ends before it starts", func(h *harness) {
			h.press("tab", "tab", "tab")
			h.typeText("2020-05-06")
			h.press("tab")
			h.typeText("2020-05-01")
		}, "起始日期晚于截止日期", []string{"20200506001"}},
		{"phone with letters", func(h *harness) { h.press("tab", "tab"); h.typeText("139abc") }, "电话只能填写数字，可带空格、短横线或括号", all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			searchFor(h, "兴隆")
			before := h.found()
			tt.drive(h)
			searchDue(h)
			if got := h.m.search.Err(); got != tt.want {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
			if got := h.found(); !reflect.DeepEqual(got, before) {
				t.Fatalf("results changed to %v", got)
			}
			if got := strings.TrimSpace(h.line(searchToldRow)); got != tt.want+"（结果未更新）" {
				t.Fatalf("told %q", got)
			}
			// Cleared, the field asks nothing: the results follow again.
			for range 12 {
				h.press("backspace")
			}
			searchDue(h)
			if h.m.search.Err() != "" || !reflect.DeepEqual(h.found(), tt.after) {
				t.Fatalf("after clearing: error %q, found %v", h.m.search.Err(), h.found())
			}
			if got, want := strings.TrimSpace(h.line(searchToldRow)), fmt.Sprintf("找到 %d 张", len(tt.after)); got != want {
				t.Fatalf("told %q after clearing, want %q", got, want)
			}
		})
	}
}

// Nothing asked shows a hint and no ticket; emptying the query drops the
// results.
func TestSearchEmptyAsksNothing(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("4")
	if got := strings.TrimSpace(h.line(searchToldRow)); got != "输入文字即在本机缓存中查询；ctrl+r 在平台查询本机没有的工单" {
		t.Fatalf("told %q", got)
	}
	if !strings.Contains(h.view(), "（请输入查询内容或条件）") || len(h.found()) != 0 {
		t.Fatalf("not empty:\n%s", h.view())
	}
	h.typeText("停电")
	searchDue(h)
	if len(h.found()) != 3 {
		t.Fatalf("停电 found %v", h.found())
	}
	h.press("backspace", "backspace")
	searchDue(h)
	if len(h.found()) != 0 || !strings.Contains(h.view(), "（请输入查询内容或条件）") {
		t.Fatalf("emptied query still shows %v", h.found())
	}
	// Blanks are not a question either.
	h.typeText("   ")
	searchDue(h)
	if len(h.found()) != 0 {
		t.Fatalf("blanks found %v", h.found())
	}
}

// enter opens the ticket under the cursor as the lists do; esc on it comes
// back to the search as it was left, and esc there to the lists.
func TestSearchEnterOpens(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	searchFor(h, "兴隆")
	h.press("down", "enter")
	if h.m.screen != screenDetail || h.m.detail.Number() != "20200505030" {
		t.Fatalf("enter opened screen %d", h.m.screen)
	}
	if got := h.line(0); !strings.HasPrefix(got, "工单 20200505030 · ") {
		t.Fatalf("ticket page title %q", got)
	}
	h.press("esc")
	if h.m.screen != screenSearch || h.m.search.Value("查询") != "兴隆" || len(h.found()) != 3 {
		t.Fatalf("back to screen %d, query %q", h.m.screen, h.m.search.Value("查询"))
	}
	// Keys typed right after enter reach the ticket's page, not the query.
	h.press("enter", "G")
	if h.m.screen != screenDetail || h.m.search.Value("查询") != "兴隆" {
		t.Fatalf("G after enter: screen %d, query %q", h.m.screen, h.m.search.Value("查询"))
	}
	h.press("esc", "esc")
	if h.m.screen != screenList {
		t.Fatalf("esc from the search went to %d", h.m.screen)
	}
	// From the lists a ticket's page still returns to the lists.
	h.press("enter", "esc")
	if h.m.screen != screenList {
		t.Fatalf("a ticket opened from the lists returned to %d", h.m.screen)
	}
	// 4 again: the question is still there, asked again of the cache.
	h.press("4")
	if h.m.search.Value("查询") != "兴隆" || len(h.found()) != 3 {
		t.Fatalf("search reopened with %q, %v", h.m.search.Value("查询"), h.found())
	}
}

// collect runs cmd and what it batches, returning the messages without
// giving them to the model.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, collect(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// An answer that comes back after the question changed is dropped, and a
// pause that ended before the last key searches nothing.
func TestSearchStaleResultsDiscarded(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("4")
	h.typeText("兴隆")
	// Both pauses are held; the first ended before 隆 was typed.
	var runs []search.RunMsg
	for _, tm := range h.timers {
		if r, ok := tm.msg.(search.RunMsg); ok {
			runs = append(runs, r)
			if tm.d != search.Debounce {
				t.Errorf("pause %v, want %v", tm.d, search.Debounce)
			}
		}
	}
	if len(runs) != 2 {
		t.Fatalf("%d pauses held, want 2", len(runs))
	}
	h.timers = nil
	if _, cmd := h.m.Update(runs[0]); len(collect(cmd)) != 0 {
		t.Fatalf("the pause of 兴 searched after 隆 was typed")
	}
	// The search of 兴隆 runs, but its answer is held back …
	_, cmd := h.m.Update(runs[1])
	stale := collect(cmd)
	if len(stale) != 1 {
		t.Fatalf("search of 兴隆 gave %d messages", len(stale))
	}
	if _, ok := stale[0].(search.FoundMsg); !ok {
		t.Fatalf("search of 兴隆 gave %T", stale[0])
	}
	// … while the query becomes 电费 and that search answers.
	h.press("backspace", "backspace")
	h.typeText("电费")
	searchDue(h)
	want := []string{"20200503011", "20200430101"}
	if got := h.found(); !reflect.DeepEqual(got, want) {
		t.Fatalf("电费 found %v, want %v", got, want)
	}
	h.send(stale...)
	if got := h.found(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the late answer of 兴隆 replaced the results: %v", got)
	}
	if got := underlined(h.rawLines()[searchFirstRow]); !reflect.DeepEqual(got, []run{{"电费", 22}}) {
		t.Errorf("underlined %+v", got)
	}
}

// ctrl+r asks the platform too. Without a platform it says so and changes
// nothing; with one, the tickets the cache lacks join the results, marked
// 平台, and cannot be opened here; a failure keeps the results.
func TestSearchRemote(t *testing.T) {
	ctrlR := tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	t.Run("none", func(t *testing.T) {
		h := newHarness(t, 80, 24, fixtures())
		searchFor(h, "兴隆")
		h.send(ctrlR)
		if h.notice() != "未连接平台：无法在平台查询" || !h.m.noticeErr {
			t.Fatalf("notice %q", h.notice())
		}
		if got := h.found(); len(got) != 3 {
			t.Fatalf("found %v", got)
		}
	})
	old := complaint.Ticket{Number: "20190312008", Title: "兴隆台区变压器噪音", ReceivedAt: time.Date(2019, 3, 12, 9, 30, 0, 0, shanghai).UTC(),
		Unit: unitCode, State: complaint.Closed, Satisfaction: complaint.Satisfied}
	var asked []string
	var filters []store.Filter
	remote := func(o *Options) {
		o.Remote = func(ctx context.Context, q string, f store.Filter) ([]complaint.Ticket, error) {
			asked = append(asked, q)
			filters = append(filters, f)
			if q == "失败" {
				return nil, errors.New("平台没有应答")
			}
			// A ticket the cache holds too comes back once.
			return []complaint.Ticket{{Number: "20200505030", Title: "兴隆台区振兴街道路灯不亮", ReceivedAt: at(26 * time.Hour)}, old}, nil
		}
	}
	t.Run("merged", func(t *testing.T) {
		asked, filters = nil, nil
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), remote)
		searchFor(h, "兴隆")
		h.press("shift+tab", "shift+tab", "shift+tab", "right") // the sub-unit goes with the question
		searchDue(h)
		h.send(ctrlR)
		if len(asked) != 1 || asked[0] != "兴隆" || filters[0].Subunit != subXL {
			t.Fatalf("platform asked %q with %+v", asked, filters)
		}
		if got, want := h.found(), []string{"20200505030", "20200504017", "20190312008"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("found %v, want %v", got, want)
		}
		if got := strings.TrimSpace(h.line(searchToldRow)); got != "找到 3 张，其中 1 张只在平台上（标“平台”）" {
			t.Fatalf("told %q", got)
		}
		if got := h.line(searchFirstRow - 1); !strings.HasSuffix(got, "基层单位     来源") {
			t.Fatalf("header %q", got)
		}
		for y, want := range map[int]string{
			searchFirstRow:     "兴隆台供电…" + strings.Repeat(" ", 6),
			searchFirstRow + 1: "兴隆台供电…" + strings.Repeat(" ", 6),
			searchFirstRow + 2: "2019-03-12  满意" + strings.Repeat(" ", 18) + "平台",
		} {
			if got := h.line(y); !strings.HasSuffix(got, want) {
				t.Errorf("row %d %q does not end in %q", y, got, want)
			}
		}
		if got := h.line(searchFirstRow + 2); !strings.HasPrefix(got, "  20190312008 兴隆台区变压器噪音 ") {
			t.Fatalf("row %q", got)
		}
		h.press("down", "down", "enter")
		if h.m.screen != screenSearch || h.notice() != "工单 20190312008 只在平台上，本机尚未缓存，不能打开" {
			t.Fatalf("enter on a platform ticket: screen %d, notice %q", h.m.screen, h.notice())
		}
	})
	t.Run("merged in order", func(t *testing.T) {
		asked, filters = nil, nil
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), remote)
		searchFor(h, "兴隆")
		h.send(ctrlR)
		if got, want := h.found(), []string{"20200506001", "20200505030", "20200504017", "20190312008"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("found %v, want %v", got, want)
		}
		if got := h.line(searchFirstRow + 1); strings.HasSuffix(strings.TrimRight(got, " "), "平台") {
			t.Fatalf("a cached ticket marked 平台: %q", got)
		}
		// The next key asks the cache again: the platform's answer goes.
		h.typeText(" ")
		searchDue(h)
		if got := h.found(); len(got) != 3 || strings.Contains(h.line(searchFirstRow-1), "来源") {
			t.Fatalf("after typing on: %v", got)
		}
	})
	t.Run("failed", func(t *testing.T) {
		asked, filters = nil, nil
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), remote)
		searchFor(h, "失败")
		h.send(ctrlR)
		if got := h.m.search.Err(); got != "平台查询失败：平台没有应答" {
			t.Fatalf("error %q", got)
		}
		if got := strings.TrimSpace(h.line(searchToldRow)); got != "平台查询失败：平台没有应答（结果未更新）" {
			t.Fatalf("told %q", got)
		}
	})
	t.Run("nothing asked", func(t *testing.T) {
		asked, filters = nil, nil
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), remote)
		h.press("4")
		h.send(ctrlR)
		if len(asked) != 0 || h.notice() != "请先输入查询内容或条件" {
			t.Fatalf("asked %d times, notice %q", len(asked), h.notice())
		}
	})
}

// The search's keys are rebindable; a plain character would be typed into
// its fields instead, but for the keys of the fields that hold no text.
func TestSearchKeysRebind(t *testing.T) {
	if _, err := keys.Rebind(keys.Default(), map[string][]string{"search.remote": {"r"}}); err == nil ||
		err.Error() != `"search.remote" = "r": a character here would be typed into the search's fields instead: give a key with ctrl+ or alt+, or a key such as f2` {
		t.Fatalf("error %v", err)
	}
	if _, err := keys.Rebind(keys.Default(), map[string][]string{"search.remote": {"ctrl+b"}, "search.up": {"ctrl+b"}}); err == nil ||
		err.Error() != `"search.up" and "search.remote" both have "ctrl+b" on the search screen: give one of them another key` {
		t.Fatalf("error %v", err)
	}
	h := newHarnessWith(t, testUser, 80, 24, fixtures(), rebound(t, map[string][]string{
		"search.remote": {"ctrl+p"}, "search.toggle": {"x"}, "list.tab4": {"f4"},
	}))
	h.press("4")
	if h.m.screen != screenList {
		t.Fatalf("4 still opens screen %d", h.m.screen)
	}
	if got := h.line(0); !strings.Contains(got, " f4 查询 ") {
		t.Fatalf("tabs' line %q", got)
	}
	h.key("f4")
	if h.m.screen != screenSearch {
		t.Fatalf("f4 opened screen %d", h.m.screen)
	}
	if got := h.line(22); !strings.Contains(got, " ctrl+p 在平台查询 ") {
		t.Fatalf("hint line %q", got)
	}
	h.press("shift+tab", "x")
	searchDue(h)
	if got := h.found(); !reflect.DeepEqual(got, []string{"20200506002", "20200503011"}) {
		t.Fatalf("x as 勾选 found %v", got)
	}
	h.key("ctrl+p")
	if h.notice() != "未连接平台：无法在平台查询" {
		t.Fatalf("ctrl+p: notice %q", h.notice())
	}
}

// The menu is on the tabs' line of every screen of it, the one shown
// marked; keys 4 and 5 go between the search and the directory, 1 to 3
// back to the lists; the hint line leaves them to the tabs' line, which
// shows them, and keeps q; help tells the screens' keys.
func TestMenuKeys(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	if got := h.line(22); strings.Contains(got, "4 查询") || !strings.Contains(got, " q 退出 ") {
		t.Fatalf("hint line of the lists %q", got)
	}
	want := " 1 待办 2   2 未反馈 6   3 已反馈 2   4 查询   5 部门   6 统计   7 督办    15:04"
	for _, k := range []string{"", "4", "esc", "5"} {
		if k != "" {
			h.press(k)
		}
		if got := h.line(0); got != want {
			t.Fatalf("after %q the tabs' line is %q", k, got)
		}
	}
	active := func() string {
		// The marked entry is drawn in the active tab's style.
		raw := h.rawLines()[0]
		st := h.m.ctx.Styles.TabActive
		for _, label := range []string{" 1 待办 2 ", " 2 未反馈 6 ", " 3 已反馈 2 ", " 4 查询 ", " 5 部门 ", " 6 统计 ", " 7 督办 "} {
			if strings.Contains(raw, st.Render(label)) {
				return label
			}
		}
		return ""
	}
	if got := active(); got != " 5 部门 " {
		t.Fatalf("on the directory the marked entry is %q", got)
	}
	h.press("4")
	if h.m.screen != screenSearch || active() != " 4 查询 " {
		t.Fatalf("4 from the directory: screen %d, marked %q", h.m.screen, active())
	}
	// On the search, digits are text.
	h.typeText("5")
	if h.m.screen != screenSearch || h.m.search.Value("查询") != "5" {
		t.Fatalf("5 on the search: screen %d", h.m.screen)
	}
	h.press("esc", "5", "3")
	if h.m.screen != screenList || h.m.list.Active() != 2 || active() != " 3 已反馈 2 " {
		t.Fatalf("3 from the directory: screen %d, tab %d", h.m.screen, h.m.list.Active())
	}
	// 6 and 7 open the statistics screens, marked on the tabs' line too
	// (stats_wiring_test.go drives them).
	h.press("6")
	if h.m.screen != screenStats || active() != " 6 统计 " {
		t.Fatalf("6: screen %d, marked %q", h.m.screen, active())
	}
	h.press("7")
	if h.m.screen != screenStats || active() != " 7 督办 " {
		t.Fatalf("7 from 统计: screen %d, marked %q", h.m.screen, active())
	}
	h.press("esc")
	if h.m.screen != screenList {
		t.Fatalf("esc from 督办: screen %d", h.m.screen)
	}
	h.press("?")
	var screen strings.Builder
	for range 6 {
		screen.WriteString(h.view())
		h.press("pgdown")
	}
	for _, want := range []string{"投诉查询（在列表按 4 打开）", "ctrl+r     在平台查询", "部门查询（在列表按 5 打开）", "enter/→    查看人员"} {
		if !strings.Contains(screen.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, screen.String())
		}
	}
}

// BenchmarkSearchTyping is a key typed into the query of 投诉查询 over
// 100,000 cached tickets, as the officer sees it: the search of the cache
// after the pause (a two-character word, then a four-character one, which
// go different ways through the store), the results put in the table and
// the frame drawn.
func BenchmarkSearchTyping(b *testing.B) {
	h := newHarness(b, 120, 40, manyTickets(100_000))
	h.press("4")
	words := []string{"停电", "频繁停电"}
	i := 0
	for b.Loop() {
		h.send(tea.PasteMsg{Content: words[i%2]})
		searchDue(h)
		_ = h.m.View()
		for range len([]rune(words[i%2])) {
			h.press("backspace")
		}
		h.timers = h.timers[:0]
		i++
	}
	b.ReportMetric(float64(len(h.found())), "found")
}

// BenchmarkDirectoryLoad counts the load of every unit over 100,000 cached
// tickets and draws the directory.
func BenchmarkDirectoryLoad(b *testing.B) {
	h := newHarness(b, 120, 40, manyTickets(100_000))
	h.press("5")
	for b.Loop() {
		h.run(h.m.directory.Load())
		_ = h.m.View()
	}
}

// outages are n tickets about a power cut, one received every hour before
// the fixtures' clock, the newest first: more than a screen of results.
func outages(n int) []complaint.Ticket {
	var out []complaint.Ticket
	for i := range n {
		out = append(out, complaint.Ticket{Number: fmt.Sprintf("20200501%03d", n-i), Title: fmt.Sprintf("第%d次停电", n-i),
			ReceivedAt: at(time.Duration(i+5*24) * time.Hour), Unit: unitCode, State: complaint.Closed, Version: 1})
	}
	return out
}

// New results start at the top, the newest first under the cursor: the
// cursor left at the bottom of the last results does not scroll the new
// ones. The same question asked again, because the cache changed, keeps
// the cursor where it was.
func TestSearchNewResultsStartAtTheTop(t *testing.T) {
	h := newHarness(t, 80, 24, append(fixtures(), outages(40)...))
	searchFor(h, "停电")
	if got := len(h.found()); got != 43 {
		t.Fatalf("found %d, want 43", got)
	}
	h.send(tea.KeyPressMsg{Code: tea.KeyEnd, Mod: tea.ModCtrl})
	if got := h.m.search.Selected(); got != "20200501001" {
		t.Fatalf("ctrl+end on %q", got)
	}
	// A condition that keeps every result, the one under the cursor too.
	h.press("tab", "tab", "tab")
	h.typeText("2020-04-30")
	searchDue(h)
	if got := len(h.found()); got != 43 {
		t.Fatalf("found %d after the condition, want 43", got)
	}
	newest := h.found()[0]
	if got := h.m.search.Selected(); got != newest {
		t.Errorf("cursor on %q after new results, want the newest %q", got, newest)
	}
	if got := h.line(searchFirstRow); !strings.HasPrefix(got, "  "+newest+" ") {
		t.Errorf("first row %q, want the newest %s", got, newest)
	}
	// The same question again after a sync keeps the cursor.
	h.press("down", "down", "down")
	want := h.found()[3]
	h.send(SyncedMsg{At: testNow})
	if got := h.m.search.Selected(); got != want {
		t.Errorf("cursor on %q after the sync, want %q as before", got, want)
	}
	// So does coming back from a ticket.
	h.press("enter", "esc")
	if got := h.m.search.Selected(); h.m.screen != screenSearch || got != want {
		t.Errorf("back from the ticket: screen %d, cursor on %q, want %q", h.m.screen, got, want)
	}
	// Another query is new again.
	h.press("shift+tab", "shift+tab", "shift+tab")
	h.typeText(" 次")
	searchDue(h)
	if len(h.found()) != 41 {
		t.Fatalf("停电 次 found %d, want 41", len(h.found()))
	}
	if got, first := h.m.search.Selected(), h.found()[0]; got != first {
		t.Errorf("cursor on %q after another query, want %q", got, first)
	}
}

// A date written in the right form that does not exist is told so, not
// told to be written otherwise.
func TestSearchImpossibleDates(t *testing.T) {
	for _, tt := range []struct {
		field []string
		typed string
		want  string
	}{
		{[]string{"tab", "tab", "tab", "tab"}, "2026-02-30", "截止日期 2026-02-30 不存在（2 月没有 30 日）"},
		{[]string{"tab", "tab", "tab", "tab"}, "2026-13-01", "截止日期 2026-13-01 不存在（没有 13 月）"},
		{[]string{"tab", "tab", "tab"}, "2026/2/29", "起始日期 2026/2/29 不存在（2 月没有 29 日）"},
		{[]string{"tab", "tab", "tab"}, "2024-4-31", "起始日期 2024-4-31 不存在（4 月没有 31 日）"},
		{[]string{"tab", "tab", "tab"}, "2026-00-10", "起始日期 2026-00-10 不存在（没有 0 月）"},
		{[]string{"tab", "tab", "tab"}, "2026-02-00", "起始日期 2026-02-00 不存在（2 月没有 0 日）"},
		// Still the form when it is not one.
		{[]string{"tab", "tab", "tab", "tab"}, "2026-2", "截止日期应写作 2020-05-06 这样的格式"},
		{[]string{"tab", "tab", "tab", "tab"}, "26-02-28", "截止日期应写作 2020-05-06 这样的格式"},
	} {
		t.Run(tt.typed, func(t *testing.T) {
			h := newHarness(t, 80, 24, fixtures())
			h.press("4")
			h.press(tt.field...)
			h.typeText(tt.typed)
			searchDue(h)
			if got := h.m.search.Err(); got != tt.want {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
		})
	}
	// A leap day that exists is taken.
	h := newHarness(t, 80, 24, fixtures())
	h.press("4", "tab", "tab", "tab")
	h.typeText("2020-02-29")
	searchDue(h)
	if got := h.m.search.Err(); got != "" {
		t.Fatalf("2020-02-29: error %q", got)
	}
}

// A phone copied as the screens show it, masked, is refused with what to
// type instead; its last digits find the ticket.
func TestSearchMaskedPhone(t *testing.T) {
	masked := complaint.Ticket{Number: "20200501077", Title: "电表走字快", Phone: "139****7868", ReceivedAt: at(30 * time.Hour),
		Unit: unitCode, State: complaint.Closed, Version: 1}
	h := newHarness(t, 80, 24, append(fixtures(), masked))
	h.press("4", "tab", "tab")
	h.typeText("139****7868")
	searchDue(h)
	if got, want := h.m.search.Err(), "电话只能填写数字；屏幕上的 139****7868 请只输入末几位，如 7868"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	if got := strings.TrimSpace(h.line(searchToldRow)); got != "电话只能填写数字；屏幕上的 139****7868 请只输入末几位，如 7868（结果未更新）" {
		t.Errorf("told %q", got)
	}
	for range 11 {
		h.press("backspace")
	}
	h.typeText("7868")
	searchDue(h)
	if got := h.found(); h.m.search.Err() != "" || !reflect.DeepEqual(got, []string{masked.Number}) {
		t.Fatalf("7868: error %q, found %v", h.m.search.Err(), got)
	}
	for _, tt := range []struct{ p, tail string }{
		{"139****7868", "7868"}, {"139 **** 7868", "7868"}, {"0427-****-5678", "5678"},
		{"139****", ""}, {"139abc", ""}, {"13*9x", ""}, {"7868", ""},
	} {
		if tail, ok := search.MaskedTail(tt.p); tail != tt.tail || ok != (tt.tail != "") {
			t.Errorf("MaskedTail(%q) = %q, %v, want %q", tt.p, tail, ok, tt.tail)
		}
	}
}
