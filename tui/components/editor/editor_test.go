package editor

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hotline/tui/cells"
)

func press(code rune, text string, mod tea.KeyMod) tea.KeyPressMsg {
	return tea.KeyPressMsg{Code: code, Text: text, Mod: mod}
}

var (
	backspace = press(tea.KeyBackspace, "", 0)
	left      = press(tea.KeyLeft, "", 0)
	right     = press(tea.KeyRight, "", 0)
	up        = press(tea.KeyUp, "", 0)
	down      = press(tea.KeyDown, "", 0)
	enter     = press(tea.KeyEnter, "", 0)
)

func typed(s string) tea.KeyPressMsg {
	r := []rune(s)
	return press(r[0], s, 0)
}

func newEditor(w, h int, prompt string) Model {
	m := New(DefaultKeyMap())
	m.Prompt = prompt
	m.SetSize(w, h)
	return m
}

func checkBox(t *testing.T, m Model, w, h int) {
	t.Helper()
	lines := strings.Split(m.View(), "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, m.View())
	}
	for i, l := range lines {
		if got := ansi.StringWidth(ansi.Strip(l)); got != w {
			t.Errorf("line %d is %d cells, want %d: %q", i, got, w, l)
		}
	}
}

// tui-cjk case 1: the real cursor after wide text.
func TestCursorAfterWideText(t *testing.T) {
	m := newEditor(40, 1, "> ")
	for _, r := range "供电临时用电" {
		m.Update(typed(string(r)))
	}
	x, y := m.Cursor()
	if x != 14 || y != 0 {
		t.Fatalf("cursor at (%d,%d), want (14,0)", x, y)
	}
	m.Update(left)
	if x, _ := m.Cursor(); x != 12 {
		t.Fatalf("after left cursor x = %d, want 12", x)
	}
	if got := ansi.Strip(strings.Split(m.View(), "\n")[0]); got != "> 供电临时用电"+strings.Repeat(" ", 26) {
		t.Fatalf("view = %q", got)
	}
}

// tui-cjk case 2: a line that exactly fills the width.
func TestExactlyFullLine(t *testing.T) {
	m := newEditor(10, 3, "")
	m.SetValue("一二三四五")
	lines := strings.Split(m.View(), "\n")
	want := []string{"一二三四五", strings.Repeat(" ", 10), strings.Repeat(" ", 10)}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("row %d = %q, want %q", i, lines[i], want[i])
		}
	}
	if got := len(m.rows()); got != 1 {
		t.Fatalf("rows = %d, want 1 (no phantom row)", got)
	}
	if x, y := m.Cursor(); x != 10 || y != 0 {
		t.Fatalf("cursor at (%d,%d), want (10,0) right after the text", x, y)
	}
	m.Update(left)
	if x, y := m.Cursor(); x != 8 || y != 0 {
		t.Fatalf("after left cursor at (%d,%d), want (8,0)", x, y)
	}
	m.Update(right)
	m.Update(typed("六"))
	if got := m.Value(); got != "一二三四五六" {
		t.Fatalf("value = %q", got)
	}
	lines = strings.Split(m.View(), "\n")
	if lines[0] != "一二三四五" || lines[1] != "六"+strings.Repeat(" ", 8) {
		t.Fatalf("after typing view = %q", lines)
	}
	if x, y := m.Cursor(); x != 2 || y != 1 {
		t.Fatalf("after typing cursor at (%d,%d), want (2,1)", x, y)
	}
	m.Update(up)
	if x, y := m.Cursor(); x != 2 || y != 0 {
		t.Fatalf("after up cursor at (%d,%d), want (2,0)", x, y)
	}
	checkBox(t, m, 10, 3)
}

// tui-cjk case 4: an input method commits several characters in one read.
func TestIMECommit(t *testing.T) {
	m := newEditor(20, 2, "")
	m.Update(typed("同意"))
	if changed := m.Update(typed("你好世界")); !changed {
		t.Fatal("multi-character commit reported no change")
	}
	m.Update(tea.PasteMsg{Content: "。\r\n第二行"})
	if got, want := m.Value(), "同意你好世界。\n第二行"; got != want {
		t.Fatalf("value = %q, want %q", got, want)
	}
	if got := m.Len(); got != 10 {
		t.Fatalf("Len = %d, want 10", got)
	}
}

// tui-cjk case 8: backspace removes a whole visible character.
func TestBackspaceWholeCharacter(t *testing.T) {
	tests := []struct{ name, last string }{
		{"ideograph with variation selector", "葛\U000E0100"},
		{"e with combining acute", "e\u0301"},
		{"family emoji with ZWJ", "👨\u200d👩\u200d👧"},
		{"outside the BMP", "𠮷"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newEditor(20, 2, "")
			m.SetValue("甲" + tt.last)
			if !m.Update(backspace) {
				t.Fatal("backspace reported no change")
			}
			if got := m.Value(); got != "甲" {
				t.Fatalf("after one backspace value = %q, want %q", got, "甲")
			}
			// Typed in two key events, the mark still joins its base.
			m.SetValue("")
			for _, r := range tt.last {
				m.Update(typed(string(r)))
			}
			m.Update(backspace)
			if got := m.Value(); got != "" {
				t.Fatalf("typed rune by rune, one backspace left %q", got)
			}
		})
	}
}

// A family emoji stays one character in the text (one move, one delete) but
// is drawn and measured as its three emoji, as tmux draws it.
func TestJoinedEmojiDrawnApart(t *testing.T) {
	family := "👨\u200d👩\u200d👧"
	m := newEditor(12, 2, "> ")
	m.SetValue("甲" + family + "乙")
	if got := m.Value(); got != "甲"+family+"乙" {
		t.Fatalf("value = %q, joiners lost", got)
	}
	if x, y := m.Cursor(); x != 12 || y != 0 {
		t.Fatalf("cursor at (%d,%d), want (12,0)", x, y)
	}
	m.Update(left)
	if x, _ := m.Cursor(); x != 10 {
		t.Fatalf("after ←, cursor x = %d, want 10", x)
	}
	m.Update(left)
	if x, _ := m.Cursor(); x != 4 {
		t.Fatalf("one ← over the family: cursor x = %d, want 4", x)
	}
	if got, want := ansi.Strip(m.View()), "> 甲👨👩👧乙\n            "; got != want {
		t.Fatalf("view = %q, want %q", got, want)
	}
	checkBox(t, m, 12, 2)
	// The row is full: one more character wraps.
	m.Update(right)
	m.Update(right)
	m.Update(typed("丙"))
	if got, want := ansi.Strip(m.View()), "> 甲👨👩👧乙\n  丙        "; got != want {
		t.Fatalf("view = %q, want %q", got, want)
	}
}

func TestEditing(t *testing.T) {
	tests := []struct {
		name   string
		keys   []tea.Msg
		value  string
		cx, cy int
	}{
		{"newline and join", []tea.Msg{typed("甲乙"), enter, typed("丙"), press(tea.KeyHome, "", 0), backspace}, "甲乙丙", 4, 0},
		{"delete forward", []tea.Msg{typed("甲𠮷乙"), left, left, press(tea.KeyDelete, "", 0)}, "甲乙", 2, 0},
		{"delete joins next line", []tea.Msg{typed("甲"), enter, typed("乙"), up, press(tea.KeyEnd, "", 0), press(tea.KeyDelete, "", 0)}, "甲乙", 2, 0},
		{"ctrl keys do not type", []tea.Msg{typed("甲"), press('x', "x", tea.ModCtrl)}, "甲", 2, 0},
		{"tab expands", []tea.Msg{tea.PasteMsg{Content: "a\tb"}}, "a   b", 5, 0},
		{"escape shown, not kept", []tea.Msg{tea.PasteMsg{Content: "\x1b[2J"}}, "␛[2J", 4, 0},
		{"down keeps column", []tea.Msg{typed("一二三"), enter, typed("a"), enter, typed("四五六"), up, up, left, down, down}, "一二三\na\n四五六", 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newEditor(20, 4, "")
			for _, k := range tt.keys {
				m.Update(k)
			}
			if got := m.Value(); got != tt.value {
				t.Fatalf("value = %q, want %q", got, tt.value)
			}
			if x, y := m.Cursor(); x != tt.cx || y != tt.cy {
				t.Fatalf("cursor (%d,%d), want (%d,%d)", x, y, tt.cx, tt.cy)
			}
			checkBox(t, m, 20, 4)
		})
	}
}

func TestScrollKeepsCursorVisible(t *testing.T) {
	m := newEditor(6, 2, "")
	m.SetValue("一二三四五六七八九十")
	if x, y := m.Cursor(); x != 2 || y != 1 {
		t.Fatalf("cursor (%d,%d), want (2,1)", x, y)
	}
	want := []string{"一二三", "七八九", "十    "}
	lines := strings.Split(m.View(), "\n")
	if lines[0] != want[1] || lines[1] != want[2] {
		t.Fatalf("view = %q", lines)
	}
	m.Update(up)
	m.Update(up)
	m.Update(up)
	if got := strings.Split(m.View(), "\n")[0]; got != want[0] {
		t.Fatalf("after scrolling up first row = %q, want %q", got, want[0])
	}
	checkBox(t, m, 6, 2)
}

func TestPlaceholder(t *testing.T) {
	m := newEditor(12, 2, "")
	m.Placeholder = "在此输入回复内容"
	if got := ansi.Strip(strings.Split(m.View(), "\n")[0]); got != "在此输入回… " {
		t.Fatalf("placeholder row = %q", got)
	}
	checkBox(t, m, 12, 2)
}

var (
	ctrlW        = press('w', "", tea.ModCtrl)
	ctrlU        = press('u', "", tea.ModCtrl)
	ctrlA        = press('a', "", tea.ModCtrl)
	ctrlE        = press('e', "", tea.ModCtrl)
	altBackspace = press(tea.KeyBackspace, "", tea.ModAlt)
)

// ctrl+w deletes the word before the cursor with what separates it from
// the one before: in a path, a part at a time; in Chinese, back to the
// punctuation. ctrl+u deletes from the line's start to the cursor. Each
// reports the change, and nothing to delete is no change.
func TestDeleteWordAndToStart(t *testing.T) {
	m := newEditor(60, 1, "")
	m.SetValue("/root/下载/big.bin")
	for _, want := range []string{"/root/下载/big.", "/root/下载/", "/root/", "/", ""} {
		if !m.Update(ctrlW) {
			t.Fatalf("ctrl+w changed nothing before %q", want)
		}
		if got := m.Value(); got != want {
			t.Fatalf("after ctrl+w %q, want %q", got, want)
		}
	}
	if m.Update(ctrlW) {
		t.Error("ctrl+w on nothing reports a change")
	}
	m.SetValue("已到现场核实，情况属实。 𠮷野家")
	m.Update(altBackspace)
	if got := m.Value(); got != "已到现场核实，情况属实。 " {
		t.Errorf("alt+backspace: %q", got)
	}
	m.Update(ctrlW)
	if got := m.Value(); got != "已到现场核实，" {
		t.Errorf("ctrl+w over Chinese: %q", got)
	}
	// ctrl+u from inside the line keeps what follows the cursor.
	m.SetValue("第一行\n处理情况：已更换")
	m.Update(left)
	m.Update(left)
	if !m.Update(ctrlU) || m.Value() != "第一行\n更换" {
		t.Fatalf("ctrl+u: %q", m.Value())
	}
	if x, _ := m.Cursor(); x != 0 {
		t.Errorf("cursor after ctrl+u at column %d, want 0", x)
	}
	if m.Update(ctrlU) {
		t.Error("ctrl+u at the line's start reports a change")
	}
}

// oneLine is the row drawn and the cursor's column, with the row's width
// checked.
func oneLine(t *testing.T, m Model, w int) (string, int) {
	t.Helper()
	v := m.View()
	if strings.Contains(v, "\n") || cells.Width(v) != w {
		t.Fatalf("one-line view %q is %d cells, want one row of %d", v, cells.Width(v), w)
	}
	x, y := m.Cursor()
	if y != 0 || x >= w {
		t.Fatalf("cursor at (%d,%d), outside the row of %d", x, y, w)
	}
	return v, x
}

// A one-line editor keeps its prompt whatever the length of the text: the
// text scrolls sideways with the cursor, an ellipsis where some is out of
// view, and comes back into view as it is deleted.
func TestOneLineScrolls(t *testing.T) {
	const w = 24
	m := New(DefaultKeyMap())
	m.Prompt = " 另存为："
	m.OneLine = true
	m.SetSize(w, 1)
	m.SetValue("/root/下载/现场照片（1）.jpg")
	for _, tt := range []struct {
		key  tea.KeyPressMsg
		view string
		x    int
	}{
		// The end, the cursor after it; the wide 场 given to the
		// ellipsis is one cell too many to show more.
		{tea.KeyPressMsg{}, " 另存为：… 片（1）.jpg  ", 22},
		{ctrlA, " 另存为：/root/下载/现… ", 9},
		{right, " 另存为：/root/下载/现… ", 10},
		{ctrlE, " 另存为：… 片（1）.jpg  ", 22},
		// On the last character, the cell the cursor took after the
		// text shows one more.
		{left, " 另存为：… 照片（1）.jpg", 23},
		{ctrlW, " 另存为：… 场照片（1）.g", 23},
	} {
		if tt.key.Code != 0 {
			m.Update(tt.key)
		}
		view, x := oneLine(t, m, w)
		if view != tt.view || x != tt.x {
			t.Errorf("after %q: %q cursor %d, want %q cursor %d", tt.key.String(), view, x, tt.view, tt.x)
		}
	}
	m.Update(ctrlU)
	if view, x := oneLine(t, m, w); view != " 另存为：g              " || x != 9 {
		t.Errorf("after ctrl+u: %q cursor %d", view, x)
	}
}
