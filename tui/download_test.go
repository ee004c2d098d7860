package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/tui/app"
	"hotline/tui/cells"
)

func isDownloaded(msg tea.Msg) bool { _, ok := msg.(app.DownloadedMsg); return ok }

// deliver sends the downloads' ends held so far.
func (h *harness) deliver() {
	h.t.Helper()
	if len(h.held) == 0 {
		h.t.Fatal("no download to end")
	}
	held := h.held
	h.held = nil
	h.send(held...)
}

// A download belongs to the program, not to the page that asked for it:
// enter again on a file still coming, from its ticket's page left and
// opened again, joins it (its line shows again) and does not fetch the
// file a second time. It is opened when it comes only on the page shown
// that asked for it; where none does, the status bar says it came.
func TestDownloadOutlivesThePage(t *testing.T) {
	h, _ := filesHarness(t, 100, 30)
	var f fakeMedia
	f.install(h)
	h.hold = isDownloaded
	cached := filepath.Join("/cache", photo.SHA256, photo.Name)
	h.press("tab", "enter")
	if got := h.lineWith("正在下载"); !strings.HasPrefix(got, " 正在下载 现场照片（1）.jpg ") {
		t.Fatalf("no download line: %q", got)
	}
	h.press("esc")
	h.open(filesNumber)
	if got := h.lineWith("正在下载"); got != "" {
		t.Errorf("a page that did not ask shows %q", got)
	}
	h.press("tab", "enter")
	if !reflect.DeepEqual(f.fetched, []string{photo.Name}) {
		t.Fatalf("fetched %q: the file was asked for twice", f.fetched)
	}
	// Joined where it had got: all of it, waiting for the end.
	if got, want := h.lineWith("正在下载"), " 正在下载 现场照片（1）.jpg ████████████████████ 100% 2.1 MiB/2.1 MiB"; got != want {
		t.Errorf("joined:\n got %q\nwant %q", got, want)
	}
	h.deliver()
	if !reflect.DeepEqual(f.opened, []string{cached}) || h.notice() != "已用系统程序打开“现场照片（1）.jpg”" {
		t.Fatalf("on the page that asked: opened %q, notice %q", f.opened, h.notice())
	}
	if got := h.lineWith("正在下载"); got != "" {
		t.Errorf("the line stays after the end: %q", got)
	}

	// Once ended, it is fetched anew (from the cache). Left before its
	// end: said, not opened.
	h.press("enter")
	h.press("esc")
	h.deliver()
	if h.notice() != "已下载“现场照片（1）.jpg”" || h.m.noticeErr || len(f.opened) != 1 {
		t.Errorf("page left: notice %q, opened %q", h.notice(), f.opened)
	}
	// The ticket's page again, not asking: the same.
	h.open(filesNumber)
	h.press("tab", "enter")
	h.press("esc")
	h.open(filesNumber)
	h.deliver()
	if h.notice() != "已下载“现场照片（1）.jpg”" || len(f.opened) != 1 {
		t.Errorf("page opened again without asking: notice %q, opened %q", h.notice(), f.opened)
	}
	// The page that asked, under help: not opened out of sight.
	h.press("tab", "enter", "?")
	h.deliver()
	if h.notice() != "已下载“现场照片（1）.jpg”" || len(f.opened) != 1 {
		t.Errorf("under help: notice %q, opened %q", h.notice(), f.opened)
	}
	h.press("esc")
	if h.m.screen != screenDetail || h.lineWith("正在下载") != "" {
		t.Errorf("back from help: screen %d, line %q", h.m.screen, h.lineWith("正在下载"))
	}
	if want := []string{photo.Name, photo.Name, photo.Name, photo.Name}; !reflect.DeepEqual(f.fetched, want) {
		t.Errorf("fetched %q, want %q", f.fetched, want)
	}
}

// saveFile makes the file every download of the test gives.
func saveFile(t *testing.T, f *fakeMedia, content string) {
	t.Helper()
	f.src = filepath.Join(t.TempDir(), "cached")
	if err := os.WriteFile(f.src, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A path typed ending in / names a folder: the copy goes into it under
// the attachment's name; a folder not there is refused as any path into
// a folder not there is, and nothing is written in its place. The line
// offers the path typed again after a failure, and the default after a
// copy saved.
func TestSaveIntoFolderTyped(t *testing.T) {
	h, _ := filesHarness(t, 120, 40)
	var f fakeMedia
	f.install(h)
	saveFile(t, &f, "照片")
	home := t.TempDir()
	t.Setenv("HOME", home)
	h.m.ctx.SaveDir = filepath.Join(home, "下载")
	h.press("tab", "w", "ctrl+u")
	h.typeText("~/保存 目录/")
	h.press("enter")
	folder := filepath.Join(home, "保存 目录")
	if want := "另存“现场照片（1）.jpg”失败：文件夹 " + folder + " 不存在"; h.notice() != want || !h.m.noticeErr {
		t.Errorf("a folder not there:\n got %q\nwant %q", h.notice(), want)
	}
	if _, err := os.Lstat(folder); !os.IsNotExist(err) {
		t.Errorf("something was written at %s: %v", folder, err)
	}
	// w offers what was typed, to be corrected.
	h.press("w")
	if got := h.lineWith("另存为："); got != " 另存为：~/保存 目录/" {
		t.Errorf("after a failure: %q", got)
	}
	h.press("ctrl+u")
	wav := filepath.Join(home, "不存在", "录音.wav")
	h.typeText(wav)
	h.press("enter")
	if want := "另存“现场照片（1）.jpg”失败：文件夹 " + filepath.Join(home, "不存在") + " 不存在"; h.notice() != want {
		t.Errorf("a file in a folder not there:\n got %q\nwant %q", h.notice(), want)
	}
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	h.press("w", "ctrl+u")
	h.typeText("~/保存 目录/")
	h.press("enter")
	dest := filepath.Join(folder, photo.Name)
	if b, err := os.ReadFile(dest); err != nil || string(b) != "照片" || h.notice() != "已另存为 "+dest {
		t.Fatalf("into the folder: %q (%v), notice %q", b, err, h.notice())
	}
	// An existing folder named without the / is a folder too.
	if err := os.Remove(dest); err != nil {
		t.Fatal(err)
	}
	h.press("w")
	if got, want := h.lineWith("另存为："), " 另存为："+filepath.Join(home, "下载", photo.Name); got != want {
		t.Errorf("after a copy saved: %q, want the default %q", got, want)
	}
	h.press("ctrl+u")
	h.typeText(folder)
	h.press("enter")
	if b, err := os.ReadFile(dest); err != nil || string(b) != "照片" {
		t.Fatalf("into the folder named: %q (%v)", b, err)
	}
}

// The save line edits as every text line does: ctrl+w deletes a word,
// ctrl+u to the start, ctrl+a and ctrl+e go to the ends, ←/→ move. At
// 80 columns a long path keeps the line's label and scrolls.
func TestSaveLineEditing(t *testing.T) {
	long := photo
	long.ID, long.SHA256 = "0196a0b0-0000-7000-8000-000000000004", sum("长")
	long.Name = "兴隆台区振兴街道变压器夜间噪音扰民现场录像及居民联名信扫描件（第一批共十二页）.pdf"
	h, _ := filesHarness(t, 80, 24, long)
	var f fakeMedia
	f.install(h)
	saveFile(t, &f, "扫描件")
	dir := filepath.Join(t.TempDir(), "保存的附件", "二〇二〇年五月")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h.m.ctx.SaveDir = dir
	h.press("tab", "tab", "w")
	row := func() (string, int) {
		t.Helper()
		v := h.m.View()
		lines := strings.Split(h.view(), "\n")
		for y, l := range lines {
			if strings.HasPrefix(l, " 另存为：") {
				if v.Cursor == nil || v.Cursor.Y != y || v.Cursor.X >= 80 {
					t.Fatalf("cursor %+v, not on the line %d", v.Cursor, y)
				}
				return strings.TrimRight(l, " "), v.Cursor.X
			}
		}
		t.Fatalf("the line lost its label:\n%s", h.view())
		return "", 0
	}
	// The end of the path, the cursor after it.
	if got, x := row(); !strings.HasPrefix(got, " 另存为：…") || !strings.HasSuffix(got, "（第一批共十二页）.pdf") || x != cells.Width(got) {
		t.Errorf("a long path: %q, cursor %d", got, x)
	}
	h.press("ctrl+a")
	if got, x := row(); !strings.HasPrefix(got, " 另存为："+dir) || !strings.HasSuffix(got, cells.Ellipsis) || x != cells.Width(" 另存为：") {
		t.Errorf("ctrl+a: %q, cursor %d", got, x)
	}
	// The extension, then back to the bracket, then the rest of the name.
	h.press("ctrl+e", "ctrl+w", "ctrl+w")
	if got, _ := row(); !strings.HasSuffix(got, "联名信扫描件（") {
		t.Errorf("ctrl+w twice: %q", got)
	}
	h.press("ctrl+w")
	if got, _ := row(); got != " 另存为："+dir+"/" {
		t.Errorf("ctrl+w thrice: %q", got)
	}
	h.press("ctrl+u")
	h.typeText("说明.pdf")
	h.press("left", "left", "left", "left")
	h.typeText("（一）")
	h.press("right")
	h.typeText("x")
	h.press("backspace", "enter")
	dest := filepath.Join(dir, "说明（一）.pdf")
	if b, err := os.ReadFile(dest); err != nil || string(b) != "扫描件" || h.notice() != "已另存为 "+dest {
		t.Fatalf("saved %q (%v), notice %q", b, err, h.notice())
	}
}

// The time shown of a recording playing stops at its length, when the
// player runs on past it.
func TestPlayTimeStopsAtLength(t *testing.T) {
	h, _ := filesHarness(t, 100, 30)
	var f fakeMedia
	f.install(h)
	h.press("l")
	f.pbs[0].elapsed = 9 * time.Second
	h.fire(isPlayTick)
	if got := h.lineWith("正在播放"); got != " ▶ 正在播放 来电录音.wav 0:07 / 0:07 · space 暂停 · x 停止" {
		t.Errorf("past the end: %q", got)
	}
}

// w, like enter and tab, says the ticket has no attachment rather than
// nothing.
func TestNoAttachmentSaid(t *testing.T) {
	h := newHarnessAs(t, handlerUser, 100, 30, fixtures())
	h.open("20200504017")
	for _, k := range []string{"w", "enter", "tab"} {
		h.m.notice = ""
		h.press(k)
		if h.notice() != "本工单没有附件" || !h.m.noticeErr {
			t.Errorf("%s: notice %q", k, h.notice())
		}
	}
	h.press("l")
	if h.notice() != "本工单没有录音" {
		t.Errorf("l: notice %q", h.notice())
	}
}
