package cells

import (
	"reflect"
	"strings"
	"testing"
)

// tui-cjk cases 6 and 9: widths in cells, ambiguous characters narrow.
func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"𠮷野家", 6},
		{"𡒄", 2},
		{"䶮", 2},
		{"─│┌┐└┘", 6},
		{"“停电”……——①②", 12},
		{"盘锦市兴隆台区供电", 18},
		{"葛\U000E0100", 2},
		{"e\u0301", 1},
		// Emoji joined with U+200D are drawn apart (see Split): three
		// emoji, as tmux draws them.
		{"👨\u200d👩\u200d👧", 6},
		{"a👨\u200d👩\u200d👧b", 8},
		{"␛␍␇", 3},
		{"OK", 2},
		{"", 0},
	}
	for _, tt := range tests {
		if got := Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// A title with a family emoji, sanitised, is as wide as it is drawn by a
// terminal that draws the emoji apart, and fills a row exactly.
func TestJoinedEmojiFitsTheRow(t *testing.T) {
	title := Line("全家👨\u200d👩\u200d👧停电")
	if title != "全家👨👩👧停电" {
		t.Fatalf("Line = %q", title)
	}
	if got := Width(title); got != 14 {
		t.Fatalf("Width = %d, want 14", got)
	}
	tests := []struct {
		w    int
		want string
	}{
		{14, "全家👨👩👧停电"},
		{13, "全家👨👩👧停…"},
		{9, "全家👨👩…"},
		{8, "全家👨… "},
		{7, "全家👨…"},
	}
	for _, tt := range tests {
		got := Fit(title, tt.w)
		if got != tt.want || Width(got) != tt.w {
			t.Errorf("Fit(%d) = %q (%d cells), want %q", tt.w, got, Width(got), tt.want)
		}
	}
}

func TestGraphemes(t *testing.T) {
	got := Graphemes("a𠮷e\u0301葛\U000E0100👨\u200d👩\u200d👧")
	want := []string{"a", "𠮷", "e\u0301", "葛\U000E0100", "👨\u200d👩\u200d👧"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Graphemes = %q, want %q", got, want)
	}
}

func TestCutPadFit(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"cut fits", Cut("供电", 4, Ellipsis), "供电"},
		{"cut wide", Cut("盘锦市兴隆台区", 7, Ellipsis), "盘锦市…"},
		{"cut straddle", Cut("盘锦市兴隆台区", 8, Ellipsis), "盘锦市…"},
		{"cut outside BMP", Cut("𠮷野家abc", 5, Ellipsis), "𠮷野…"},
		{"cut keeps cluster", Cut("e\u0301e\u0301e\u0301", 2, ""), "e\u0301e\u0301"},
		{"cut zero", Cut("abc", 0, Ellipsis), ""},
		{"cut tail too wide", Cut("abc", 1, "……"), "a"},
		{"pad", Pad("甲", 5), "甲   "},
		{"pad wider", Pad("甲乙丙", 4), "甲乙丙"},
		{"pad left", PadLeft("35分", 8), "    35分"},
		{"fit pads", Fit("OK", 6), "OK    "},
		{"fit cuts to exact width", Fit("盘锦市兴隆台区", 8), "盘锦市… "},
		{"center", Center("窗口太小", 12), "  窗口太小  "},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// tui-cjk case 10: hostile text becomes inert and visible.
func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clipboard write", "a\x1b]52;c;SGVsbG8=\x07b", "a␛]52;c;SGVsbG8=␇b"},
		{"clear screen", "前\x1b[2J后", "前␛[2J后"},
		{"title", "\x1b]0;title\x07", "␛]0;title␇"},
		{"bare carriage return", "覆盖\r前文", "覆盖␍前文"},
		{"crlf is a line break", "一\r\n二", "一\n二"},
		{"bidi override removed", "abc\u202edef\u202c", "abcdef"},
		{"bidi isolates removed", "\u2066x\u2067y\u2068z\u2069\u200f", "xyz"},
		{"tab to next stop", "a\tb\n甲\t乙", "a   b\n甲  乙"},
		{"C1 CSI", "x\u009b2Jy", "x\ufffd2Jy"},
		{"delete", "x\x7fy", "x␡y"},
		{"nul and bell", "\x00\x07", "␀␇"},
		{"invalid utf-8", "a\xffb", "a\ufffdb"},
		{"line separator", "a\u2028b", "a\nb"},
		{"clean text unchanged", "𠮷野家“停电”……——①②", "𠮷野家“停电”……——①②"},
		{"family emoji split", "家👨\u200d👩\u200d👧庭", "家👨👩👧庭"},
		{"joined emoji with selector and skin tone split", "🏳\ufe0f\u200d🌈 👩🏽\u200d💻", "🏳\ufe0f🌈 👩🏽💻"},
		{"joiner between other characters kept", "क\u094d\u200dष a\u200db", "क\u094d\u200dष a\u200db"},
		{"joiner at the ends kept", "\u200d👨\u200d", "\u200d👨\u200d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			if got != tt.want {
				t.Fatalf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Sanitize(got); again != got {
				t.Fatalf("not idempotent: %q then %q", got, again)
			}
		})
	}
	if got := Line("一\n二\r\n三"); got != "一 二 三" {
		t.Fatalf("Line = %q", got)
	}
}

// tui-cjk case 5: wrapping mixed Chinese and Latin to 36 cells.
func TestWrapMixed(t *testing.T) {
	p := "国网盘锦供电公司接到市民来电反映，兴隆台区某小区自2020年5月起多次停电，每次停电时长约2小时，" +
		"影响居民正常生活。来电人称已拨打95598 hotline多次未果，请尽快处理并回复，谢谢！"
	want := []string{
		"国网盘锦供电公司接到市民来电反映，兴",
		"隆台区某小区自2020年5月起多次停电，",
		"每次停电时长约2小时，影响居民正常生",
		"活。来电人称已拨打95598 hotline多次",
		"未果，请尽快处理并回复，谢谢！",
	}
	got := Wrap(p, 36)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Wrap:\n got %q\nwant %q", got, want)
	}
	if strings.Join(got, "") != p {
		t.Fatalf("characters lost at a wrap")
	}
	for _, l := range got {
		if Width(l) > 36 {
			t.Errorf("line %q is %d cells", l, Width(l))
		}
	}
}

func TestWrapRules(t *testing.T) {
	tests := []struct {
		name string
		in   string
		w    int
		want []string
	}{
		// The colon would start line two: a character moves down with it.
		{"no closing punctuation at line start", "投诉内容：噪音扰民（夜间施工）。请处理，谢谢。", 8,
			[]string{"投诉内", "容：噪音", "扰民（夜", "间施", "工）。请", "处理，谢", "谢。"}},
		{"opening punctuation stays with the next", "一二三四“停电”", 10, []string{"一二三四", "“停电”"}},
		{"breaks between Chinese characters", "一二三四五六七八", 6, []string{"一二三", "四五六", "七八"}},
		{"Latin words kept whole", "see the hotline now", 8, []string{"see the", "hotline", "now"}},
		{"long word split", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"exact fill is one line", "一二三四五", 10, []string{"一二三四五"}},
		{"paragraphs and blank lines kept", "甲\n\n乙", 10, []string{"甲", "", "乙"}},
		{"ellipsis and dash not at line start", "一二三四……", 8, []string{"一二三", "四……"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Wrap(tt.in, tt.w); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Wrap(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
			}
		})
	}
}

func TestBreaks(t *testing.T) {
	tests := []struct {
		line string
		w    int
		want []int
	}{
		{"一二三四五", 10, []int{0}},
		{"一二三四五六", 10, []int{0, 15}},
		{"ab cd", 3, []int{0, 3}},
		{"𠮷𠮷", 1, []int{0, 4}},
		{"", 10, []int{0}},
	}
	for _, tt := range tests {
		if got := Breaks(tt.line, tt.w); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Breaks(%q, %d) = %v, want %v", tt.line, tt.w, got, tt.want)
		}
	}
}
