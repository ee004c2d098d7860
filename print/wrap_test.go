package print

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func cellMeasure(c string) float64 { return float64(cells(c)) }

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"comma stays with the word before it", "市民反映，小区停电。", 8,
			[]string{"市民反", "映，小区", "停电。"}},
		{"opening bracket goes with the word after it", "他说（请看附件）好", 6,
			[]string{"他说", "（请看", "附件）", "好"}},
		{"quotes hold to their words", "称“停电”。", 6,
			[]string{"称“停", "电”。"}},
		{"spaces at a break are dropped", "call 12345 now please", 10,
			[]string{"call 12345", "now please"}},
		{"a number too long for a line is cut", "电话13800138000号", 6,
			[]string{"电话", "138001", "38000", "号"}},
		{"a cut does not start a line with a comma", "abcdefg,hij", 7,
			[]string{"abcdef", "g,hij"}},
		{"a cut does not end a line with an opening quote", "称“停电", 4,
			[]string{"称", "“停", "电"}},
		{"no break after a space before closing punctuation", "网友 ：您好", 6,
			[]string{"网", "友 ：", "您好"}},
		{"no break after opening punctuation and a space", "第七条“ 保密”", 8,
			[]string{"第七", "条“ 保", "密”"}},
		{"newlines break, blank lines stay", "一\n\n二三\n", 10,
			[]string{"一", "", "二三"}},
		{"characters outside the BMP are whole", "𠮷𠮷𠮷", 4,
			[]string{"𠮷𠮷", "𠮷"}},
		{"a character wider than the line stands alone", "中文", 1,
			[]string{"中", "文"}},
		{"empty text has no line", "", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.text, tt.width, cellMeasure)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Wrap(%q, %v) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

// Closing and opening punctuation a Chinese line must not start or end
// with, as typesetting rules (and UAX #14) have them.
const (
	noStart = "，。、；：？！）》」』】〕〉”’…,.;:?!)]}"
	noEnd   = "（《「『【〔〈“‘([{"
)

// checkLines fails when a line starts with closing punctuation or ends
// with opening punctuation.
func checkLines(t *testing.T, where string, lines []string) {
	t.Helper()
	bad := 0
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(l)
		last, _ := utf8.DecodeLastRuneInString(l)
		if strings.ContainsRune(noStart, first) || strings.ContainsRune(noEnd, last) {
			t.Errorf("%s line %d: %q", where, i+1, l)
			if bad++; bad > 10 {
				t.FailNow()
			}
		}
	}
}

// TestWrapRealText wraps every content and reply of the center's file at
// several widths: no line is too wide, the lines give back the text, and no
// line but a paragraph's first (which starts as the text does) starts with
// closing punctuation, none ends with opening punctuation.
func TestWrapRealText(t *testing.T) {
	tickets := realTickets(t)
	for _, width := range []float64{17, 61} {
		for _, tk := range tickets {
			for _, text := range []string{tk.Content, tk.Reply.Text} {
				text = tidy(text)
				lines := Wrap(text, width, cellMeasure)
				for i, l := range lines {
					if w := cells(l); float64(w) > width {
						t.Fatalf("ticket %s width %v line %d is %d cells: %q", tk.Number, width, i+1, w, l)
					}
				}
				if got, want := squeeze(strings.Join(lines, "")), squeeze(text); got != want {
					t.Fatalf("ticket %s width %v: lines do not give back the text", tk.Number, width)
				}
				var paragraphs []string
				for _, p := range strings.Split(text, "\n") {
					pl := Wrap(p, width, cellMeasure)
					if len(pl) == 0 {
						pl = []string{""}
					}
					paragraphs = append(paragraphs, pl...)
					checkLines(t, "ticket "+tk.Number, pl[1:])
				}
				if !slices.Equal(lines, paragraphs) {
					t.Fatalf("ticket %s width %v: wrapping the whole text differs from wrapping each paragraph", tk.Number, width)
				}
			}
		}
	}
}

// squeeze drops all white space, which wrapping may add or remove.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// unit measures every cluster as one.
func unit(string) float64 { return 1 }

// TestWrapKeepsEveryCharacter is a fault shipped by another PDF library,
// whose splitter dropped the character at each break: wrapped at every
// width from one character's to the whole text's, with the sheet font's
// measure as the PDF has it and with a unit measure, the lines give back
// the text exactly, none is empty and each fits.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	const text = "小区物业费收费不合理，业主投诉多次未处理"
	d := &document{font: sheetFont(t)}
	for _, m := range []struct {
		name    string
		measure func(string) float64
		step    float64
	}{
		{"sheet font", d.measure(bodySize), 0.01}, // millimetres
		{"unit", unit, 0.125},
	} {
		one := m.measure("小")
		// The widths where a line of k characters just fits, summed as
		// Wrap sums them, and the widths between in small steps.
		var widths []float64
		all := 0.0
		for _, r := range text {
			all += m.measure(string(r))
			widths = append(widths, all)
		}
		for w := one; w < all; w += m.step {
			widths = append(widths, w)
		}
		for _, w := range widths {
			lines := Wrap(text, w, m.measure)
			if got := strings.Join(lines, ""); got != text {
				t.Fatalf("%s, width %v: lines %q give back %q", m.name, w, lines, got)
			}
			for i, l := range lines {
				lw := 0.0
				for _, r := range l {
					lw += m.measure(string(r))
				}
				if l == "" || (lw > w+1e-9 && utf8.RuneCountInString(l) > 1) {
					t.Fatalf("%s, width %v: line %d %q is empty or too wide (%v)", m.name, w, i+1, l, lw)
				}
			}
		}
		if n := len(Wrap(text, one, m.measure)); n != 20 {
			t.Errorf("%s: one character's width gives %d lines, want 20", m.name, n)
		}
		if n := len(Wrap(text, all, m.measure)); n != 1 {
			t.Errorf("%s: the whole text's width gives %d lines, want 1", m.name, n)
		}
		t.Logf("%s: %d widths", m.name, len(widths))
	}
}

// TestWrapPunctuationMovesDown is a fault shipped by another PDF library:
// where a line would start with closing punctuation, the character before
// goes down with it.
func TestWrapPunctuationMovesDown(t *testing.T) {
	const text = "投诉内容：噪音扰民（夜间施工）。请处理，谢谢。"
	// Four characters a line: a plain split gives 投诉内容 / ：噪音扰 / 民（夜间
	// / 施工）。 / 请处理， / 谢谢。. Here 容 goes down with ：, and 工 with ）。.
	want := []string{"投诉内", "容：噪音", "扰民（夜", "间施", "工）。请", "处理，谢", "谢。"}
	if got := Wrap(text, 4, unit); !slices.Equal(got, want) {
		t.Errorf("Wrap at 4 = %q, want %q", got, want)
	}
	const (
		notFirst = "：，。）、；！？」』》"
		notLast  = "（「『《"
	)
	d := &document{font: sheetFont(t)}
	for _, m := range []struct {
		name    string
		measure func(string) float64
		step    float64
	}{
		{"sheet font", d.measure(bodySize), 0.01},
		{"unit", unit, 0.125},
	} {
		all := 0.0
		for _, r := range text {
			all += m.measure(string(r))
		}
		// 工）。 cannot be parted, so from three characters' width on; below
		// it a line must overflow or start with 。, and fitting wins (a
		// preview line is exactly the terminal's width).
		for w := 3 * m.measure("工"); w <= all; w += m.step {
			lines := Wrap(text, w, m.measure)
			if got := strings.Join(lines, ""); got != text {
				t.Fatalf("%s, width %v: lines %q give back %q", m.name, w, lines, got)
			}
			for i, l := range lines {
				first, _ := utf8.DecodeRuneInString(l)
				last, _ := utf8.DecodeLastRuneInString(l)
				if strings.ContainsRune(notFirst, first) || strings.ContainsRune(notLast, last) {
					t.Fatalf("%s, width %v: line %d %q (all %q)", m.name, w, i+1, l, lines)
				}
			}
		}
	}
}
