package table

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hotline/tui/cells"
	"hotline/tui/theme"
)

var styles = theme.New(true)

func newTable(w, h int, rows ...Row) Model {
	m := New([]Column{{Title: "姓名", Width: 8}, {Title: "标题", Flex: true}, {Title: "状态", Width: 6}}, DefaultKeyMap(), &styles)
	m.SetSize(w, h)
	m.SetRows(rows)
	return m
}

func lines(m Model) []string {
	return strings.Split(ansi.Strip(m.View()), "\n")
}

// tui-cjk case 9: rare characters measure 6, 2 and 2 cells and the columns
// after them stay aligned.
func TestRareCharactersKeepColumns(t *testing.T) {
	m := newTable(40, 6,
		Row{Key: "1", Cells: []string{"𠮷野家", "甲", "待签收"}},
		Row{Key: "2", Cells: []string{"𡒄", "乙", "已签收"}},
		Row{Key: "3", Cells: []string{"䶮", "丙", "办结"}},
		Row{Key: "4", Cells: []string{"葛\U000E0100𠮷祥", "丁", "已反馈"}},
	)
	want := []string{
		"  姓名     标题                   状态  ",
		"  𠮷野家   甲                     待签收",
		"  𡒄       乙                     已签收",
		"  䶮       丙                     办结  ",
		"  葛\U000E0100𠮷祥   丁                     已反馈",
		strings.Repeat(" ", 40),
	}
	got := lines(m)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want[i])
		}
		if w := ansi.StringWidth(got[i]); w != 40 {
			t.Errorf("row %d is %d cells", i, w)
		}
	}
}

// tui-cjk case 7: a row redrawn with shorter text holds blanks after it,
// no half characters or leftovers.
func TestRedrawShorter(t *testing.T) {
	m := newTable(40, 3, Row{Key: "1", Cells: []string{"张三", "盘锦市兴隆台区供电", "待签收"}})
	if got := lines(m)[1]; got != "  张三     盘锦市兴隆台区供电     待签收" {
		t.Fatalf("before: %q", got)
	}
	m.SetRows([]Row{{Key: "1", Cells: []string{"张三", "OK", "待签收"}}})
	if got := lines(m)[1]; got != "  张三     OK                     待签收" {
		t.Fatalf("after: %q", got)
	}
	// A wide character cut at an odd column leaves a blank, not half of it.
	m = newTable(22, 3, Row{Key: "1", Cells: []string{"张三", "盘锦市兴隆台区供电", "待签收"}})
	if got := lines(m)[1]; got != "  张三     盘…  待签收" || cells.Width(got) != 22 {
		t.Fatalf("cut: %q", got)
	}
}

// A title with a family emoji is drawn as its three emoji, six cells, so that
// the row is exactly the width in a terminal that draws them apart (tmux)
// as in one that would join them: the state column is never pushed out.
func TestJoinedEmojiKeepsTheRowWidth(t *testing.T) {
	family := "👨\u200d👩\u200d👧"
	m := newTable(40, 4,
		Row{Key: "1", Cells: []string{"张三", "全家" + family + "停电，线路老化", "待签收"}},
		Row{Key: "2", Cells: []string{"李四", family + "一二三四五六七八", "已签收"}},
	)
	want := []string{
		"  张三     全家👨👩👧停电，线路…  待签收",
		"  李四     👨👩👧一二三四五六七八 已签收",
	}
	got := lines(m)
	for i, w := range want {
		if got[i+1] != w {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, got[i+1], w)
		}
		if n := cells.Width(got[i+1]); n != 40 {
			t.Errorf("row %d is %d cells", i+1, n)
		}
	}
}

func TestCursorAndSelectionAcrossReloads(t *testing.T) {
	rows := func(keys ...string) []Row {
		out := make([]Row, len(keys))
		for i, k := range keys {
			out[i] = Row{Key: k, Cells: []string{k}}
		}
		return out
	}
	m := newTable(30, 4, rows("a", "b", "c", "d", "e")...)
	press := func(code rune, text string) { m.Update(tea.KeyPressMsg{Code: code, Text: text}) }
	press('j', "j")
	press('j', "j")
	if r, _ := m.Selected(); r.Key != "c" {
		t.Fatalf("selected %q", r.Key)
	}
	// A row arrives on top: the cursor stays on c.
	m.SetRows(rows("new", "a", "b", "c", "d", "e"))
	if r, _ := m.Selected(); r.Key != "c" || m.Cursor() != 3 {
		t.Fatalf("after reload selected %q at %d", r.Key, m.Cursor())
	}
	// c goes away: the cursor keeps its position.
	m.SetRows(rows("new", "a", "b", "d", "e"))
	if r, _ := m.Selected(); r.Key != "d" {
		t.Fatalf("after removal selected %q", r.Key)
	}
	press('G', "G")
	if m.Cursor() != 4 || m.offset != 2 {
		t.Fatalf("G: cursor %d offset %d", m.Cursor(), m.offset)
	}
	press(tea.KeyPgUp, "")
	if m.Cursor() != 1 {
		t.Fatalf("pgup: cursor %d", m.Cursor())
	}
	press('g', "g")
	if m.Cursor() != 0 || m.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", m.Cursor(), m.offset)
	}
	if got := lines(m)[1]; !strings.HasPrefix(got, "  new") {
		t.Fatalf("first row %q", got)
	}
}

func TestEmpty(t *testing.T) {
	m := newTable(20, 4)
	m.Empty = "（没有工单）"
	got := lines(m)
	if got[2] != "    （没有工单）    " {
		t.Fatalf("empty row %q", got[2])
	}
	if _, ok := m.Selected(); ok {
		t.Fatal("selection in an empty table")
	}
}
