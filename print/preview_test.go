package print

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hotline/complaint"
)

var update = flag.Bool("update", false, "rewrite the golden files and testdata/sheet.png")

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./print -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n%s", t.Name(), path, got)
	}
}

func TestPreviewGolden(t *testing.T) {
	s := NewSheet(sample(), names)
	for _, w := range []int{80, 50} {
		golden(t, "preview"+strconv.Itoa(w)+".golden", strings.Join(Preview(s, w), "\n")+"\n")
	}
}

// hostile is a ticket whose text tries to act on the terminal and to break
// the layout.
func hostile() complaint.Ticket {
	t := sample()
	t.Title = "标题\x1b[2J\x1b]0;pwned\x07\x1b]52;c;aGk=\x07清屏\u009b31m"
	t.Caller = "𠮷野家\u202e反向"
	t.Content = "第一行\r\n\t缩进的第二行😀👨\u200d👩\u200d👧 e\u0301 ｆｕｌｌ\x00\x08\x7f" + strings.Repeat("很长的内容，", 60)
	t.Address = strings.Repeat("A", 300)
	return t
}

// TestPreviewWidth holds every line to exactly the width asked for, at
// every width, with real, hostile and empty tickets.
func TestPreviewWidth(t *testing.T) {
	sheets := map[string]Sheet{
		"sample":  NewSheet(sample(), names),
		"hostile": NewSheet(hostile(), names),
		"empty":   NewSheet(complaint.Ticket{}, Names{}),
		"long":    NewSheet(realTicket(t, "96762"), Names{}),
	}
	for name, s := range sheets {
		for _, w := range []int{1, 10, 23, 24, 25, 40, 63, 64, 80, 81, 120, 200} {
			lines := Preview(s, w)
			if len(lines) < 3 {
				t.Fatalf("%s at %d: %d lines", name, w, len(lines))
			}
			for i, l := range lines {
				if got := cells(l); got != w {
					t.Fatalf("%s at %d: line %d is %d cells: %q", name, w, i, got, l)
				}
				if strings.ContainsFunc(l, func(r rune) bool {
					return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x202e || r == 0x200d
				}) {
					t.Fatalf("%s at %d: line %d holds a control character: %q", name, w, i, l)
				}
			}
			if w >= 24 {
				last := lines[len(lines)-1]
				if !strings.HasPrefix(last, "└") || !strings.HasSuffix(last, "┘") || !strings.HasPrefix(lines[1], "┌") {
					t.Fatalf("%s at %d: table not closed:\n%s", name, w, strings.Join(lines, "\n"))
				}
				for _, l := range lines[2 : len(lines)-1] {
					if !strings.HasPrefix(l, "│") && !strings.HasPrefix(l, "├") {
						t.Fatalf("%s at %d: line outside the frame: %q", name, w, l)
					}
				}
			}
		}
	}
}

// TestPreviewText keeps the text whole: outside-BMP characters, and the
// reply of a real ticket, which the preview's lines give back.
func TestPreviewText(t *testing.T) {
	lines := Preview(NewSheet(hostile(), names), 80)
	all := strings.Join(lines, "\n")
	for _, want := range []string{"𠮷野家反向", "标题清屏", "缩进的第二行"} {
		if !strings.Contains(all, want) {
			t.Errorf("preview lacks %q", want)
		}
	}

	tk := realTicket(t, "2549")
	var inside strings.Builder
	for _, l := range Preview(NewSheet(tk, Names{}), 100) {
		// The value column of full-width rows: after the second rule.
		parts := strings.Split(l, "│")
		if len(parts) == 4 {
			inside.WriteString(parts[2])
		}
	}
	for _, text := range []string{tk.Content, tk.Reply.Text} {
		if !strings.Contains(squeeze(inside.String()), squeeze(tidy(text))) {
			t.Errorf("preview does not give back %.40q…", squeeze(text))
		}
	}
}
