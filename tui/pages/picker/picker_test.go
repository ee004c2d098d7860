package picker

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hotline/tui/app"
	"hotline/tui/keys"
	"hotline/tui/theme"
)

var space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
var down = tea.KeyPressMsg{Code: tea.KeyDown}

// folder makes a folder of three files, whose pinyin order (阿, 波, 车)
// is the list's, and a picker open on it.
func folder(t *testing.T) (*Model, string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"车辆照片.jpg", "阿里说明.docx", "波形记录.pdf"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("内容"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2020, 5, 6, 15, 4, 0, 0, app.Shanghai())
	ctx := &app.Context{Keys: keys.Default(), Styles: theme.Plain(), Now: func() time.Time { return now }, Loc: app.Shanghai(), PickDir: dir}
	m := New(ctx, "选择附件")
	m.SetSize(80, 10)
	m.Update(m.Init()())
	if m.loading || len(m.shown) != 3 {
		t.Fatalf("the folder is not listed: %+v", m.all)
	}
	return m, dir
}

func names(fs []File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// Files picked keep the order their keys were pressed in, not the list's
// and not that in which the checks come back: the summary line and the
// files given to the host agree. Keys wait while a file is checked.
func TestPickOrder(t *testing.T) {
	m, _ := folder(t)
	// 车 (third in the list), then 阿 (first): their checks answer in
	// the other order.
	m.Update(down)
	m.Update(down)
	first := m.Update(space)
	if m.Ready() {
		t.Error("keys do not wait for the file being checked")
	}
	m.cursor = 0
	second := m.Update(space)
	m.Update(second())
	m.Update(first())
	if !m.Ready() {
		t.Error("keys still wait once the checks answered")
	}
	want := []string{"车辆照片.jpg", "阿里说明.docx"}
	if got := names(m.Picked()); !reflect.DeepEqual(got, want) {
		t.Fatalf("picked %q, want %q", got, want)
	}
	last := strings.TrimRight(ansi.Strip(m.lastLine()), " ")
	if want := " 已选 2 个（共 12 B）：车辆照片.jpg、阿里说明.docx"; last != want {
		t.Errorf("summary %q, want %q", last, want)
	}
	// 波 joins at the end; unpicking 车 keeps the others' order.
	m.cursor = 1
	m.Update(m.Update(space)())
	m.cursor = 2
	m.Update(space)
	done, ok := m.done()().(DoneMsg)
	if !ok || !reflect.DeepEqual(names(done.Files), []string{"阿里说明.docx", "波形记录.pdf"}) {
		t.Errorf("done with %q", names(done.Files))
	}
}
