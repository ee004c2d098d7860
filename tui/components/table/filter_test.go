package table

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"hotline/tui/cells"
	"hotline/tui/theme"
)

func keysOf(m Model) []string {
	var out []string
	for _, r := range m.Rows() {
		out = append(out, r.Key)
	}
	return out
}

// naive is what a filter must keep, by the plainest reading: every term,
// lower-cased, in the lower-cased text of a column (or any).
func naive(rows []Row, cols []Column, f Filter) []string {
	var out []string
	for _, r := range rows {
		ok := true
		for _, t := range f.Terms {
			found := false
			for c := range cols {
				if (f.Column == "" || strings.TrimSpace(cols[c].Title) == f.Column) &&
					strings.Contains(strings.ToLower(cells.Line(r.Cells[c])), strings.ToLower(t)) {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			out = append(out, r.Key)
		}
	}
	return out
}

// However a filter is reached (typed on, taken back, on rows changed since
// the search text was made), it keeps exactly the rows the plain reading
// keeps, in their order.
func TestFilterAgreesWithThePlainReading(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"兴隆", "台区", "停电", "路灯", "ABC", "abc", "𠮷野家", "e\u0301", "电费", "12345", "盘锦"}
	cell := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	var rows []Row
	for i := range 400 {
		rows = append(rows, Row{Key: fmt.Sprint(i), Cells: []string{cell(), cell(), cell()}})
	}
	m := newTable(60, 10, rows...)
	cols := m.Columns()
	queries := []Filter{
		{Terms: []string{"兴"}}, {Terms: []string{"兴隆"}}, {Terms: []string{"兴隆", "停"}}, {Terms: []string{"兴隆", "停电"}},
		{Terms: []string{"兴隆"}}, {Terms: []string{"AbC"}}, {Terms: []string{"abc", "野"}}, {Terms: []string{"é"}},
		{Terms: []string{"兴隆"}, Column: "标题"}, {Terms: []string{"兴隆台"}, Column: "标题"}, {Terms: []string{"2"}, Column: "状态"},
		{Terms: []string{"兴隆"}, Column: "无此列"}, {},
	}
	check := func(step string) {
		t.Helper()
		for _, f := range queries {
			m.SetFilter(f)
			if got, want := keysOf(m), naive(m.rows, cols, f); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, filter %+v: %d rows, want %d\n got %v\nwant %v", step, f, len(got), len(want), got, want)
			}
		}
	}
	check("fresh")
	// Change a few rows, then many: the changed ones are searched one by
	// one, then the search text is made again.
	for _, n := range []int{3, 60} {
		m.UpdateRows(func(i int, r *Row) bool {
			if i%(400/n) != 0 {
				return false
			}
			r.Cells = []string{cell(), cell(), cell()}
			return true
		})
		check(fmt.Sprintf("after changing %d rows", n))
	}
}

// Rows changed while a filter is on come in or go out in their place.
func TestUpdateRowsRefilters(t *testing.T) {
	m := newTable(40, 10,
		Row{Key: "a", Cells: []string{"甲", "兴隆", "x"}},
		Row{Key: "b", Cells: []string{"乙", "双台", "x"}},
		Row{Key: "c", Cells: []string{"丙", "兴隆", "x"}},
		Row{Key: "d", Cells: []string{"丁", "双台", "x"}},
	)
	m.SetFilter(Filter{Terms: []string{"兴隆"}})
	m.SetCursor(1)
	m.UpdateRows(func(i int, r *Row) bool {
		switch r.Key {
		case "b":
			r.Cells = []string{"乙", "兴隆台", "x"}
			return true
		case "a":
			r.Cells = []string{"甲", "台区", "x"}
			return true
		}
		return false
	})
	if got := keysOf(m); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Fatalf("shown %v", got)
	}
	if r, _ := m.Selected(); r.Key != "c" {
		t.Fatalf("cursor on %q, want c", r.Key)
	}
	if got := lines(m)[1]; got != "  乙       兴隆台                 x     " {
		t.Fatalf("row %q", got)
	}
}

// Sorting by text goes by pinyin, with numbers by value; rows with nothing
// in the column come last both ways; rows alike keep their order.
func TestSortByText(t *testing.T) {
	m := newTable(40, 10,
		Row{Key: "1", Cells: []string{"10号楼", "中兴路", "a"}},
		Row{Key: "2", Cells: []string{"9号楼", "", "b"}},
		Row{Key: "3", Cells: []string{"9号楼", "安居小区", "c"}},
		Row{Key: "4", Cells: []string{"100号楼", "北京路", "d"}},
	)
	tests := []struct {
		by   string
		desc bool
		want []string
		head string
	}{
		{"姓名", false, []string{"2", "3", "1", "4"}, "  姓名▲    标题                   状态  "},
		{"姓名", true, []string{"4", "1", "2", "3"}, "  姓名▼    标题                   状态  "},
		{"标题", false, []string{"3", "4", "1", "2"}, "  姓名     标题▲                  状态  "},
		{"标题", true, []string{"1", "4", "3", "2"}, "  姓名     标题▼                  状态  "},
		{"", false, []string{"1", "2", "3", "4"}, "  姓名     标题                   状态  "},
		{"无此列", false, []string{"1", "2", "3", "4"}, "  姓名     标题                   状态  "},
	}
	for _, tt := range tests {
		m.SortBy(tt.by, tt.desc)
		if got := keysOf(m); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("by %q desc %v: %v, want %v", tt.by, tt.desc, got, tt.want)
		}
		if got := lines(m)[0]; got != tt.head {
			t.Errorf("by %q desc %v: header %q, want %q", tt.by, tt.desc, got, tt.head)
		}
	}
}

// A sort mark in a column too narrow for its title and the mark cuts the
// title, never the mark (收到 would be 5 cells with the ellipsis: 收 alone
// is left).
func TestSortMarkInANarrowColumn(t *testing.T) {
	m := New([]Column{{Title: "收到时间", Width: 5}, {Title: "标题", Flex: true}}, DefaultKeyMap(), &styles)
	m.SetSize(20, 3)
	m.SetRows([]Row{{Key: "1", Cells: []string{"05-06", "停电"}}})
	m.SortBy("收到时间", true)
	if got := lines(m)[0]; got != "  收…▼  标题        " {
		t.Fatalf("header %q", got)
	}
}

// The highlight of a row wider than the table (columns that add up to more
// than its width) is cut with the row, and the ellipsis says a found
// character went.
func TestHighlightOnARowCutToTheWidth(t *testing.T) {
	st := theme.New(true)
	m := New([]Column{{Title: "编号", Width: 12}, {Title: "标题", Flex: true}, {Title: "状态", Width: 8}}, DefaultKeyMap(), &st)
	m.SetSize(18, 3)
	m.SetRows([]Row{{Key: "1", Cells: []string{"盘锦市兴隆台区", "x", "兴隆"}}})
	m.SetFilter(Filter{Terms: []string{"兴隆"}})
	raw := strings.Split(m.View(), "\n")[1]
	// 编号 cut to 12 cells, 标题 left none, the row cut in 状态's 兴.
	if got := ansi.Strip(raw); got != "  盘锦市兴隆…   … " || cells.Width(got) != 18 {
		t.Fatalf("row %q", got)
	}
	// 兴隆 underlined, then the ellipsis that hides the other 兴隆.
	// (Lip Gloss draws underlined text a character at a time.)
	got := strings.NewReplacer("\x1b[4;7;4m", "<u>", "\x1b[7m", "<r>", "\x1b[m", "</>").Replace(raw)
	for {
		merged := regexp.MustCompile(`<u>([^<]*)</><u>`).ReplaceAllString(got, "<u>$1")
		if merged == got {
			break
		}
		got = merged
	}
	if want := "<r>  盘锦市</><u>兴隆</><r>…   </><u>…</><r> </>"; got != want {
		t.Fatalf("raw row\n got %q\nwant %q", got, want)
	}
}
