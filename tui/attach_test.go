package tui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/cells"
	"hotline/tui/keys"
	"hotline/tui/pages/form"
)

// Files of a picker's test: a home folder holding 下载, which holds a
// folder, files named in Chinese (one whose pinyin comes first though its
// code point comes last), a name carrying an escape sequence, and a hidden
// file. Each has a size and a time of its own.
type pickFiles struct {
	home, dir string
	docx, jpg string // 情况说明.docx, 现场照片（1）.jpg
}

const (
	docxSize = 23552   // 23.0 KiB
	jpgSize  = 2202009 // 2.1 MiB
)

func makePickFiles(t *testing.T) pickFiles {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, "下载")
	if err := os.MkdirAll(filepath.Join(dir, "照片"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name string
		size int64
		age  time.Duration
	}{
		{"情况说明.docx", docxSize, 3 * time.Hour},
		{"现场照片（1）.jpg", jpgSize, 50 * time.Minute},
		{"阿里照片.png", 512, 26 * time.Hour},
		{"恶意\x1b[2J名称.txt", 100, 400 * 24 * time.Hour},
		{".隐藏笔记.txt", 10, time.Hour},
		{filepath.Join("照片", "门前.jpg"), 4096, time.Hour},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		// Sparse: the size without the bytes.
		if err := os.Truncate(p, f.size); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, testNow.Add(-f.age), testNow.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{filepath.Join(dir, "照片"), dir} {
		when := testNow.Add(-2 * 24 * time.Hour)
		if err := os.Chtimes(d, when, when); err != nil {
			t.Fatal(err)
		}
	}
	return pickFiles{home: home, dir: dir, docx: filepath.Join(dir, "情况说明.docx"), jpg: filepath.Join(dir, "现场照片（1）.jpg")}
}

var ctrlO = tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}

// openPicker opens the reply form of 20200504017 as its handler, writes
// its findings and opens the picker, then goes into 下载.
func openPicker(t *testing.T, w, hgt int) (*harness, pickFiles) {
	t.Helper()
	pf := makePickFiles(t)
	h := newHarnessAs(t, handlerUser, w, hgt, fixtures())
	h.open("20200504017")
	h.press("r")
	h.typeText("已到现场核实，情况属实。")
	h.send(ctrlO)
	if h.m.form == nil || !h.m.form.Picking() {
		t.Fatal("ctrl+o did not open the picker")
	}
	if got := h.line(0); !strings.HasPrefix(got, "选择附件：~ ") {
		t.Fatalf("the picker opens at %q, want the home folder", got)
	}
	h.press("enter") // 下载/, the one entry of home
	return h, pf
}

// The picker lists folders first, then the files in pinyin order (阿 before
// 恶, 情 and 现, though its code point is the greatest), leaves hidden files
// out until asked, shows sizes as people read them and times in China
// time, and a name's escape sequence as visible symbols.
func TestPickerGoldens(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h, _ := openPicker(t, sz.w, sz.h)
			h.press("down", "down", "down", "space", "down")
			golden(t, fmt.Sprintf("picker-%dx%d.golden", sz.w, sz.h), h.view())
			var names []string
			for _, l := range strings.Split(h.view(), "\n")[2:7] {
				names = append(names, strings.Fields(strings.TrimLeft(l, " ✓"))[0])
			}
			want := []string{"照片/", "阿里照片.png", "恶意␛[2J名称.txt", "情况说明.docx", "现场照片（1）.jpg"}
			if !reflect.DeepEqual(names, want) {
				t.Errorf("order %q, want %q", names, want)
			}
			h.press(".")
			if got := h.line(0); !strings.HasSuffix(strings.TrimRight(got, " "), "（显示隐藏文件）") || !strings.Contains(h.view(), ".隐藏笔记.txt") {
				t.Errorf(". does not show the hidden file: %q", got)
			}
		})
	}
}

// Two files picked in the reply form go to the outbox before the reply,
// in the order picked, with their names and sizes; the reply waits for
// them. The list is a draft until then, and is forgotten after.
func TestReplyWithTwoFiles(t *testing.T) {
	h, pf := openPicker(t, 100, 30)
	h.press("down", "down", "down", "space", "down", "enter")
	if h.m.form.Picking() {
		t.Fatal("enter on a file did not finish the picking")
	}
	files := h.m.form.Field(form.ReplyFiles).Files()
	if len(files) != 2 || files[0].Path != pf.docx || files[0].Size != docxSize || files[1].Path != pf.jpg || files[1].Size != jpgSize {
		t.Fatalf("files on the form: %+v", files)
	}
	view := h.view()
	for _, want := range []string{"情况说明.docx", "23.0 KiB", "现场照片（1）.jpg", "2.1 MiB", "附件 2 个（2.1 MiB）"} {
		if !strings.Contains(view, want) {
			t.Errorf("the form does not show %q:\n%s", want, view)
		}
	}
	ctx := context.Background()
	if d, err := h.st.Draft(ctx, "20200504017", form.ReplyFiles); err != nil || d != pf.docx+"\n"+pf.jpg {
		t.Fatalf("draft of the files %q (%v)", d, err)
	}
	kicks := h.kicks
	h.press("ctrl+s")
	if h.m.screen != screenDetail {
		t.Fatalf("the form did not close: %q", h.m.form.Err())
	}
	if want := "回复及 2 个附件已保存，等待发送（工单 20200504017）"; h.notice() != want {
		t.Errorf("notice %q, want %q", h.notice(), want)
	}
	pending, err := h.st.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range pending {
		s := string(it.Kind)
		if a := it.Attachment; a != nil {
			s += fmt.Sprintf(" %s %d %s", a.Name, a.Size, a.Part)
		}
		got = append(got, s)
	}
	want := []string{"attach 情况说明.docx 23552 reply", "attach 现场照片（1）.jpg 2202009 reply", "reply"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outbox, oldest first:\n got %q\nwant %q", got, want)
	}
	if r := pending[2].Reply; r == nil || r.Findings != "已到现场核实，情况属实。" {
		t.Errorf("the reply %+v", r)
	}
	ups, err := h.st.Uploads(ctx, "20200504017")
	if err != nil || len(ups) != 2 {
		t.Fatalf("uploads %+v (%v)", ups, err)
	}
	for i, p := range []string{pf.docx, pf.jpg} {
		if u := ups[i]; u.Path != p || u.ID != pending[i].ID || u.State != store.UploadWaiting {
			t.Errorf("upload %d: %+v, want %s waiting under its action's id", i, u, p)
		}
	}
	if d, _ := h.st.Draft(ctx, "20200504017", form.ReplyFiles); d != "" {
		t.Errorf("the files' draft is kept after sending: %q", d)
	}
	if h.kicks != kicks+1 {
		t.Errorf("kicks %d, want %d", h.kicks, kicks+1)
	}
	// The page shows them on their way, the reply waiting after them.
	body := h.body()
	for _, want := range []string{"回复附件  情况说明.docx", "排队中", "── 待发送 "} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
}

// Files picked are kept with the form's texts: leaving the form and
// coming back finds them; one taken off the list stays off.
func TestPickedFilesSurviveLeavingTheForm(t *testing.T) {
	h, pf := openPicker(t, 100, 30)
	h.press("down", "down", "down", "space", "down", "enter")
	h.press("esc")
	if h.m.screen != screenDetail {
		t.Fatal("esc did not leave the form")
	}
	h.press("r")
	files := h.m.form.Field(form.ReplyFiles).Files()
	if len(files) != 2 || files[0].Path != pf.docx || files[1].Path != pf.jpg || files[1].Size != jpgSize {
		t.Fatalf("files after coming back: %+v", files)
	}
	if h.m.form.Value(form.ReplyFindings) != "已到现场核实，情况属实。" {
		t.Errorf("findings %q", h.m.form.Value(form.ReplyFindings))
	}
	// To the files, the first of them, and off the list.
	h.press("tab", "tab", "tab", "tab", "tab", "up", "backspace")
	if f := h.m.form.Focused(); f.Name != form.ReplyFiles {
		t.Fatalf("focus on %q", f.Name)
	}
	files = h.m.form.Field(form.ReplyFiles).Files()
	if len(files) != 1 || files[0].Path != pf.jpg {
		t.Fatalf("files after taking one off: %+v", files)
	}
	if d, _ := h.st.Draft(context.Background(), "20200504017", form.ReplyFiles); d != pf.jpg {
		t.Errorf("draft %q", d)
	}
	// A file moved away since is listed as gone, and refused on sending.
	if err := os.Remove(pf.jpg); err != nil {
		t.Fatal(err)
	}
	h.press("esc", "r")
	if !strings.Contains(h.view(), "（已不存在）") {
		t.Errorf("a file gone is not said to be:\n%s", h.view())
	}
	h.press("ctrl+s")
	if want := "找不到文件 " + pf.jpg; h.m.screen != screenForm || h.m.form.Err() != want {
		t.Fatalf("screen %d, error %q, want %q", h.m.screen, h.m.form.Err(), want)
	}
	if items := h.outbox("20200504017"); len(items) != 0 {
		t.Fatalf("something was queued: %+v", items)
	}
}

// What cannot be attached is refused in Chinese where it is picked, and
// nothing is picked.
func TestPickerRefuses(t *testing.T) {
	h, pf := openPicker(t, 100, 30)
	// The picker's last line, over the hint line and the status bar.
	last := func() string { return strings.TrimRight(h.line(27), " ") }
	h.press("space")
	if got := last(); got != " 照片 是文件夹：按 enter 进入后选择其中的文件" {
		t.Errorf("a folder picked: %q", got)
	}
	h.press("down", "down", "space")
	if got := last(); got != " 恶意␛[2J名称.txt：附件文件名含有控制字符（U+001B）" {
		t.Errorf("a name with an escape: %q", got)
	}
	h.press("ctrl+s")
	if got := last(); got != " 尚未选择文件：在文件上按 space 选择，或按 enter 选定" {
		t.Errorf("done with nothing picked: %q", got)
	}
	if !h.m.form.Picking() {
		t.Fatal("the picker closed")
	}
	t.Run("unreadable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		if err := os.Chmod(pf.docx, 0); err != nil {
			t.Fatal(err)
		}
		h.press("down", "space")
		if got, want := last(), " 没有权限读取文件 "+pf.docx; got != want {
			t.Errorf("an unreadable file: %q, want %q", got, want)
		}
	})
	h.press("esc")
	if h.m.form.Picking() || len(h.m.form.Field(form.ReplyFiles).Files()) != 0 {
		t.Fatal("esc did not leave the picker with nothing picked")
	}
	// A path typed: a file's folder with the cursor on it; then one that
	// is not there.
	h.send(ctrlO)
	h.press("/")
	if got := last(); got != "路径：~/下载、/media/U盘，或相对当前文件夹的路径" {
		t.Fatalf("path line %q", got)
	}
	h.typeText("照片/门前.jpg")
	h.press("enter")
	if got := h.line(0); !strings.HasPrefix(got, "选择附件：~/下载/照片 ") || !strings.HasPrefix(strings.TrimLeft(h.line(2), " "), "门前.jpg") {
		t.Fatalf("after the path: %q / %q", got, h.line(2))
	}
	h.press(":")
	h.typeText("~/没有这个")
	h.press("enter")
	if got := last(); got != " 找不到 ~/没有这个" {
		t.Errorf("a path not there: %q", got)
	}
	h.press("backspace")
	if got := h.line(0); !strings.HasPrefix(got, "选择附件：~/下载 ") || !strings.HasPrefix(strings.TrimLeft(h.line(2), " "), "照片/") {
		t.Errorf("up a folder: %q, cursor on %q", got, h.line(2))
	}
}

// The 附件 section of a ticket: the call recording first with its length,
// then the photo, each with its type, size, who and when; a file on its
// way up at 43% under them.
const filesNumber = "20200506009"

var (
	recording = complaint.Attachment{ID: "0196a0b0-0000-7000-8000-000000000001", Name: "来电录音.wav", Type: "audio/wav", Size: 112044,
		SHA256: sum("录音"), Part: complaint.PartRecording, Duration: 7*time.Second + 300*time.Millisecond, By: "center01", At: at(4 * time.Hour)}
	photo = complaint.Attachment{ID: "0196a0b0-0000-7000-8000-000000000002", Name: "现场照片（1）.jpg", Type: "image/jpeg", Size: jpgSize,
		SHA256: sum("照片"), Part: complaint.PartTicket, By: "handler07", At: at(30 * time.Minute)}
)

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func filesTicket(as ...complaint.Attachment) complaint.Ticket {
	return due(complaint.Ticket{
		Number: filesNumber, Title: "变压器夜间噪音扰民", Content: "小区变压器夜间噪音大，影响休息。",
		Caller: "钱女士", Phone: "13700000003", ReceivedAt: at(5 * time.Hour), DispatchedAt: at(4 * time.Hour),
		Unit: unitCode, Subunit: subXL, Handler: "handler07", State: complaint.Assigned, Version: 5, Attachments: as,
		Events: []complaint.Event{
			ev(complaint.KindDispatch, "center01", at(4*time.Hour), "", complaint.Dispatched, ""),
			ev(complaint.KindSign, "duty01", at(3*time.Hour), complaint.Dispatched, complaint.Signed, ""),
			with(ev(complaint.KindAssign, "duty01", at(2*time.Hour), complaint.Signed, complaint.Assigned, ""), "subunit", subXL, "handler", "handler07"),
			with(ev(complaint.KindAttach, "handler07", at(30*time.Minute), complaint.Assigned, complaint.Assigned, ""),
				"name", photo.Name, "size", fmt.Sprint(photo.Size), "part", string(photo.Part)),
		},
	}, complaint.StepContact, at(2*time.Hour), at(-22*time.Hour))
}

// A statement of 28.6 MiB on its way up, as the reply's.
const (
	pdfSize = 29989274
	pdfSent = 12897485 // 43%: 12.3 MiB
)

// filesHarness opens the ticket with the recording and the photo (listed
// photo first: the page puts the recording first), with a statement being
// uploaded, as its handler.
func filesHarness(t *testing.T, w, hgt int, extra ...complaint.Attachment) (*harness, store.Upload) {
	t.Helper()
	h := newHarnessAs(t, handlerUser, w, hgt, append(fixtures(), filesTicket(append([]complaint.Attachment{photo, recording}, extra...)...)))
	pdf := filepath.Join(t.TempDir(), "情况说明.pdf")
	if err := os.WriteFile(pdf, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(pdf, pdfSize); err != nil {
		t.Fatal(err)
	}
	up, err := h.st.Attach(context.Background(), filesNumber, 5, complaint.PartReply, pdf)
	if err != nil {
		t.Fatal(err)
	}
	h.m.ctx.Fetch = func(context.Context, string, complaint.Attachment, func(int64)) (string, error) {
		return "", errors.New("not in this test")
	}
	h.open(filesNumber)
	return h, up
}

func TestDetailFilesGoldens(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h, up := filesHarness(t, sz.w, sz.h)
			h.send(UploadMsg{Ticket: filesNumber, ID: up.ID, Name: up.Name, Sent: pdfSent, Size: pdfSize, State: store.UploadUploading})
			h.press("G")
			golden(t, fmt.Sprintf("detail-files-%dx%d.golden", sz.w, sz.h), h.view())
			body := h.body()
			for _, want := range []string{
				"▶ 来电录音  来电录音.wav",
				"时长 0:07",
				"  工单附件  现场照片（1）.jpg",
				"  回复附件  情况说明.pdf",
				"上传中 43% 12.3 MiB/28.6 MiB",
				// The attach event in the history, in words.
				"    附件：现场照片（1）.jpg",
				"    附件类别：工单附件",
				"    大小：2.1 MiB",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			rec, ph := strings.Index(body, "来电录音.wav"), strings.Index(body, "现场照片（1）.jpg")
			if rec < 0 || ph < rec {
				t.Errorf("the recording is not first")
			}
		})
	}
}

// An upload's row follows it: queued, hashed, moving, on the platform,
// failed; a failed one is sent again from its file with R.
func TestDetailUploadStates(t *testing.T) {
	h, up := filesHarness(t, 120, 40)
	ctx := context.Background()
	row := func() string {
		for _, l := range strings.Split(h.body(), "\n") {
			if strings.Contains(l, "情况说明.pdf") {
				return strings.TrimSpace(l[strings.Index(l, "情况说明.pdf")+len("情况说明.pdf"):])
			}
		}
		return "(none)"
	}
	if got := row(); got != "排队中" {
		t.Errorf("queued: %q", got)
	}
	h.send(UploadMsg{Ticket: filesNumber, ID: up.ID, Name: up.Name, Sent: 9000000, Size: pdfSize, State: store.UploadUploading, Hashing: true})
	if got := row(); got != "校验中 30%" {
		t.Errorf("hashing: %q", got)
	}
	h.send(UploadMsg{Ticket: filesNumber, ID: up.ID, Name: up.Name, Sent: pdfSent, Size: pdfSize, State: store.UploadUploading})
	if got := row(); got != "█████░░░░░░░ 上传中 43% 12.3 MiB/28.6 MiB" {
		t.Errorf("uploading: %q", got)
	}
	if err := h.st.UploadDone(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	h.send(UploadMsg{Ticket: filesNumber, ID: up.ID, Name: up.Name, Sent: pdfSize, Size: pdfSize, State: store.UploadDone})
	if got := row(); got != "已上传，等待发送" {
		t.Errorf("done: %q", got)
	}
	reason := "文件 " + up.Path + " 已被移动或删除，请放回原处后重试，或重新添加"
	if err := h.st.UploadFailed(ctx, up.ID, reason); err != nil {
		t.Fatal(err)
	}
	h.send(UploadMsg{Ticket: filesNumber, ID: up.ID, Name: up.Name, Sent: 0, Size: pdfSize, State: store.UploadFailed, Err: reason})
	if got := failedReason(t, h, "情况说明.pdf"); noSpace(got) != noSpace("失败："+reason) {
		t.Errorf("failed: %q, want the reason whole", got)
	}
	if !strings.Contains(h.body(), "添加附件  已退回：文件 "+up.Path+" 已被移动或删除") {
		t.Errorf("the refused attachment is not shown with its reason:\n%s", h.body())
	}
	if want := "附件“情况说明.pdf”上传失败：" + reason; h.notice() != want || !h.m.noticeErr {
		t.Errorf("notice %q", h.notice())
	}
	// R and X say what they do to a file.
	if !strings.Contains(h.body(), "    R 重新上传 · X 放弃此附件") {
		t.Errorf("the failed file offers no way on:\n%s", h.body())
	}
	if got := strings.TrimRight(h.line(1), " "); !strings.HasSuffix(got, "R 重新上传附件  X 放弃上传失败的附件") {
		t.Errorf("action line %q", got)
	}
	h.press("R")
	u, _, err := h.st.Upload(ctx, up.ID)
	if err != nil || u.State != store.UploadWaiting {
		t.Fatalf("after R the upload is %q (%v)", u.State, err)
	}
	if items := h.outbox(filesNumber); len(items) != 1 || items[0].ID != up.ID || items[0].Status != store.StatusPending {
		t.Fatalf("after R the outbox is %+v", items)
	}
	if got := row(); got != "排队中" {
		t.Errorf("sent again: %q", got)
	}
}

// failedReason is what the 附件 section says of a file that failed to
// upload, its row and the lines wrapped under it joined, after the name;
// each line is checked to be in the column the row's text starts in.
func failedReason(t *testing.T, h *harness, name string) string {
	t.Helper()
	lines := strings.Split(h.body(), "\n")
	for i, l := range lines {
		at := strings.Index(l, name+"  失败：")
		if at < 0 {
			continue
		}
		col := cells.Width(l[:at+len(name)+2])
		text := strings.TrimRight(l[at+len(name)+2:], " ")
		for _, next := range lines[i+1:] {
			rest, ok := strings.CutPrefix(next, strings.Repeat(" ", col))
			if !ok || strings.TrimSpace(rest) == "" || strings.HasPrefix(rest, " ") {
				break
			}
			text += strings.TrimRight(rest, " ")
		}
		return text
	}
	t.Fatalf("no failed row of %s:\n%s", name, h.body())
	return ""
}

func noSpace(s string) string { return strings.ReplaceAll(s, " ", "") }

// A failed upload's reason says what to do about the file: it has the
// width the row leaves after the file's name, whatever the attachments'
// columns, and wraps under it in that column, whole, at any width.
func TestFailedUploadReasonWhole(t *testing.T) {
	for _, w := range []int{80, 160} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			h, up := filesHarness(t, w, 30)
			reason := "文件 " + up.Path + " 已被移动或删除，请放回原处后重试，或重新添加"
			if err := h.st.UploadFailed(context.Background(), up.ID, reason); err != nil {
				t.Fatal(err)
			}
			h.send(UploadMsg{Ticket: filesNumber, ID: up.ID, Name: up.Name, Size: pdfSize, State: store.UploadFailed, Err: reason})
			// A space where a row breaks is dropped.
			if got := failedReason(t, h, "情况说明.pdf"); noSpace(got) != noSpace("失败："+reason) {
				t.Errorf("reason %q", got)
			}
			// The row, and the rows under it that go on in its column.
			var rows []string
			lines := strings.Split(h.body(), "\n")
			for i, l := range lines {
				if !strings.Contains(l, "情况说明.pdf  失败：") {
					continue
				}
				rows = append(rows, l)
				for _, next := range lines[i+1:] {
					rest, under := strings.CutPrefix(next, strings.Repeat(" ", cells.Width("  回复附件  情况说明.pdf  ")))
					if !under || rest == "" || strings.HasPrefix(rest, " ") {
						break
					}
					rows = append(rows, next)
				}
				break
			}
			// The name takes no more than it needs; a row that wraps is
			// filled up to its last cell or two (a wide character that
			// did not fit).
			if !strings.HasPrefix(rows[0], "  回复附件  情况说明.pdf  失败：文件 /") {
				t.Errorf("the row %q", rows[0])
			}
			for _, r := range rows[:len(rows)-1] {
				if cells.Width(strings.TrimRight(r, " ")) < w-1 {
					t.Errorf("the row %q does not give the reason the width", r)
				}
			}
			if w == 160 && len(rows) != 1 {
				t.Errorf("at 160 columns the reason takes %d rows", len(rows))
			}
		})
	}
}

// lineWith is the screen's first line that holds s, trimmed on the right,
// or "".
func (h *harness) lineWith(s string) string {
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.Contains(l, s) {
			return strings.TrimRight(l, " ")
		}
	}
	return ""
}

// fakePlayback is a player that does nothing but note what it was told.
type fakePlayback struct {
	calls   []string
	paused  bool
	elapsed time.Duration
	done    chan struct{}
	err     error
}

func newFakePlayback() *fakePlayback { return &fakePlayback{done: make(chan struct{})} }

func (p *fakePlayback) Pause() error { p.calls = append(p.calls, "pause"); p.paused = true; return nil }
func (p *fakePlayback) Resume() error {
	p.calls = append(p.calls, "resume")
	p.paused = false
	return nil
}
func (p *fakePlayback) Stop() error {
	p.calls = append(p.calls, "stop")
	p.end()
	return nil
}
func (p *fakePlayback) end() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
}
func (p *fakePlayback) Paused() bool           { return p.paused }
func (p *fakePlayback) Done() <-chan struct{}  { return p.done }
func (p *fakePlayback) Err() error             { return p.err }
func (p *fakePlayback) Elapsed() time.Duration { return p.elapsed }

// fakeMedia is the Fetch, Open and Play a test gives the screens.
type fakeMedia struct {
	fetched []string // names
	opened  []string
	played  [][2]string // path, MIME type
	pbs     []*fakePlayback
	playErr error
	// src, when set, is the file every download gives.
	src string
}

func (f *fakeMedia) install(h *harness) {
	h.m.ctx.Fetch = func(_ context.Context, number string, a complaint.Attachment, progress func(int64)) (string, error) {
		if number != filesNumber {
			return "", fmt.Errorf("ticket %s", number)
		}
		f.fetched = append(f.fetched, a.Name)
		progress(a.Size / 2)
		progress(a.Size)
		if f.src != "" {
			return f.src, nil
		}
		return filepath.Join("/cache", a.SHA256, a.Name), nil
	}
	h.m.ctx.Open = func(path string) error {
		f.opened = append(f.opened, path)
		return nil
	}
	h.m.ctx.Play = func(path, mime string) (Playback, error) {
		f.played = append(f.played, [2]string{path, mime})
		if f.playErr != nil {
			return nil, f.playErr
		}
		pb := newFakePlayback()
		f.pbs = append(f.pbs, pb)
		return pb, nil
	}
}

func isPlayTick(msg tea.Msg) bool { return fmt.Sprintf("%T", msg) == "detail.playTickMsg" }

// l plays the call recording from the cache through the player, with its
// type; space pauses and goes on, x stops; the line under the actions
// says where it is. It ends by itself, and with the page.
func TestPlayRecording(t *testing.T) {
	h, _ := filesHarness(t, 100, 30)
	var f fakeMedia
	f.install(h)
	h.press("tab") // to the photo: l still plays the recording
	h.press("l")
	wantPath := filepath.Join("/cache", recording.SHA256, "来电录音.wav")
	if !reflect.DeepEqual(f.fetched, []string{"来电录音.wav"}) || !reflect.DeepEqual(f.played, [][2]string{{wantPath, "audio/wav"}}) {
		t.Fatalf("fetched %q, played %q", f.fetched, f.played)
	}
	status := func() string {
		if l := h.lineWith("正在播放"); l != "" {
			return l
		}
		return h.lineWith("已暂停")
	}
	if got := status(); got != " ▶ 正在播放 来电录音.wav 0:00 / 0:07 · space 暂停 · x 停止" {
		t.Errorf("playing: %q", got)
	}
	pb := f.pbs[0]
	pb.elapsed = 3*time.Second + 600*time.Millisecond
	if n := h.fire(isPlayTick); n != 1 {
		t.Fatalf("%d ticks", n)
	}
	if got := status(); got != " ▶ 正在播放 来电录音.wav 0:03 / 0:07 · space 暂停 · x 停止" {
		t.Errorf("after 3 s: %q", got)
	}
	h.press("space")
	if got := status(); got != " ⏸ 已暂停 来电录音.wav 0:03 / 0:07 · space 继续 · x 停止" {
		t.Errorf("paused: %q", got)
	}
	h.press("space", "x")
	if !reflect.DeepEqual(pb.calls, []string{"pause", "resume", "stop"}) {
		t.Errorf("calls %q", pb.calls)
	}
	if strings.Contains(h.view(), "正在播放") || h.notice() != "已停止播放" {
		t.Errorf("after stop: notice %q\n%s", h.notice(), h.view())
	}
	// It plays to its end.
	h.fire(isPlayTick)
	h.press("l")
	pb = f.pbs[1]
	pb.end()
	h.fire(isPlayTick)
	if h.notice() != "“来电录音.wav”播放完毕" || strings.Contains(h.view(), "正在播放") {
		t.Errorf("at its end: notice %q", h.notice())
	}
	// Leaving the page stops it.
	h.press("l")
	h.press("esc")
	if pb := f.pbs[2]; !reflect.DeepEqual(pb.calls, []string{"stop"}) {
		t.Errorf("leaving the page: calls %q", pb.calls)
	}
	// No player: the reason as Play gives it.
	h.open(filesNumber)
	f.playErr = errors.New(`没有找到播放录音的程序（已尝试 ffplay、mpv、paplay、aplay）：请安装其中之一，或在 hotline.toml 的 [media] 中设置 player，例如 player = "mpv --no-video"`)
	h.press("l")
	if want := "无法播放“来电录音.wav”：" + f.playErr.Error(); h.notice() != want || !h.m.noticeErr {
		t.Errorf("no player: %q", h.notice())
	}
	if h.m.detail.Playing() != "" {
		t.Error("playing without a player")
	}
}

// enter downloads the attachment under the cursor and opens it with the
// system's viewer; without a platform it says it cannot.
func TestOpenAttachment(t *testing.T) {
	h, _ := filesHarness(t, 100, 30)
	var f fakeMedia
	f.install(h)
	h.press("tab", "enter")
	want := filepath.Join("/cache", photo.SHA256, photo.Name)
	if !reflect.DeepEqual(f.fetched, []string{photo.Name}) || !reflect.DeepEqual(f.opened, []string{want}) {
		t.Fatalf("fetched %q, opened %q", f.fetched, f.opened)
	}
	if h.notice() != "已用系统程序打开“现场照片（1）.jpg”" {
		t.Errorf("notice %q", h.notice())
	}
	h.m.ctx.Fetch = nil
	h.open(filesNumber)
	h.press("enter")
	if h.notice() != "未接入平台：附件不能下载" || !strings.Contains(h.body(), "（未接入平台：附件不能下载）") {
		t.Errorf("offline: notice %q", h.notice())
	}
	if len(f.opened) != 1 {
		t.Errorf("opened %q", f.opened)
	}
}

// w saves a copy where asked, under the save folder by default; a file
// there is replaced only when confirmed.
func TestSaveAttachment(t *testing.T) {
	h, _ := filesHarness(t, 120, 40)
	var f fakeMedia
	f.install(h)
	dir := t.TempDir()
	f.src = filepath.Join(t.TempDir(), "cached.jpg")
	if err := os.WriteFile(f.src, []byte("照片一"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.m.ctx.SaveDir = dir
	dest := filepath.Join(dir, photo.Name)
	h.press("tab", "w")
	if got := h.lineWith("另存为："); got != " 另存为："+dest {
		t.Fatalf("prompt %q", got)
	}
	h.press("enter")
	if b, err := os.ReadFile(dest); err != nil || string(b) != "照片一" {
		t.Fatalf("saved %q (%v)", b, err)
	}
	if h.notice() != "已另存为 "+dest {
		t.Errorf("notice %q", h.notice())
	}
	if err := os.WriteFile(f.src, []byte("照片二"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.press("w", "enter")
	if got, want := h.lineWith("已存在"), " 文件 "+dest+" 已存在：按 y 覆盖，其他键取消"; got != want {
		t.Fatalf("over a file: %q, want %q", got, want)
	}
	h.press("n")
	if b, _ := os.ReadFile(dest); string(b) != "照片一" {
		t.Fatalf("replaced without asking: %q", b)
	}
	h.press("w", "enter", "y")
	if b, _ := os.ReadFile(dest); string(b) != "照片二" {
		t.Fatalf("not replaced when confirmed: %q", b)
	}
	// A folder typed takes the attachment's name.
	sub := filepath.Join(dir, "存档")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	h.press("w")
	for range len([]rune(dest)) {
		h.press("backspace")
	}
	h.typeText(sub)
	h.press("enter")
	if b, err := os.ReadFile(filepath.Join(sub, photo.Name)); err != nil || string(b) != "照片二" {
		t.Fatalf("saved into a folder: %q (%v)", b, err)
	}
}

// A on the ticket's page attaches files to the ticket itself; it is
// refused where the state machine refuses it.
func TestAttachFromDetail(t *testing.T) {
	pf := makePickFiles(t)
	h := newHarnessAs(t, handlerUser, 100, 30, fixtures())
	h.open("20200504017")
	h.press("A")
	if _, ok := h.m.detail.KeyMap().(keys.Picker); !ok {
		t.Fatal("A did not open the picker")
	}
	h.press("enter", "down", "down", "down", "enter")
	if want := "已添加附件“情况说明.docx”，等待上传（工单 20200504017）"; h.notice() != want {
		t.Fatalf("notice %q, want %q", h.notice(), want)
	}
	items := h.outbox("20200504017")
	if len(items) != 1 || items[0].Kind != complaint.KindAttach || items[0].Attachment == nil ||
		*items[0].Attachment != (complaint.Attachment{Name: "情况说明.docx", Size: docxSize, Part: complaint.PartTicket}) {
		t.Fatalf("outbox %+v", items)
	}
	if ups, _ := h.st.Uploads(context.Background(), "20200504017"); len(ups) != 1 || ups[0].Path != pf.docx {
		t.Fatalf("uploads %+v", ups)
	}
	if !strings.Contains(h.body(), "  工单附件  情况说明.docx") {
		t.Errorf("the page does not show the file:\n%s", h.body())
	}
	c := newHarnessAs(t, centerUser, 100, 30, fixtures())
	c.open("20200429088")
	c.press("A")
	if _, ok := c.m.detail.KeyMap().(keys.Picker); c.notice() != "工单状态为“办结”，不能添加附件" || ok {
		t.Errorf("closed ticket: notice %q", c.notice())
	}
}

// Names of attachments are outside text: an escape sequence in one is
// drawn as visible symbols (the harness fails on any control character
// reaching the screen).
func TestHostileAttachmentName(t *testing.T) {
	bad := photo
	bad.ID, bad.Name, bad.SHA256 = "0196a0b0-0000-7000-8000-000000000003", "现场\x1b]0;pwned\x07照片\x1b[2J.jpg", sum("坏")
	h, _ := filesHarness(t, 120, 40, bad)
	h.press("G")
	if body := h.body(); !strings.Contains(body, "现场␛]0;pwned␇照片␛[2J.jpg") {
		t.Errorf("the name is not shown made safe:\n%s", body)
	}
}

// A refused reply corrected with a file attached goes after the file: it
// is queued anew behind it, and the refused one given up.
func TestCorrectedReplyWithFile(t *testing.T) {
	pf := makePickFiles(t)
	h := newHarnessAs(t, handlerUser, 100, 30, fixtures())
	old := h.refuse(complaint.Action{Kind: complaint.KindReply, Ticket: "20200504017", BaseVersion: 3,
		Reply: &complaint.Reply{Findings: "已核实。", Text: "已核实。"}, CreatedAt: testNow}, "缺少情况说明")
	h.open("20200504017")
	h.press("m")
	h.send(ctrlO)
	h.press("enter", "down", "down", "down", "enter", "ctrl+s")
	if h.m.screen != screenDetail {
		t.Fatalf("the form did not close: %q", h.m.form.Err())
	}
	items := h.outbox("20200504017") // newest first
	if len(items) != 2 || items[1].Kind != complaint.KindAttach || items[1].Attachment.Name != "情况说明.docx" ||
		items[0].Kind != complaint.KindReply || items[0].ID == old.ID || items[0].Status != store.StatusPending {
		t.Fatalf("outbox %+v", items)
	}
	if ups, _ := h.st.Uploads(context.Background(), "20200504017"); len(ups) != 1 || ups[0].Path != pf.docx {
		t.Fatalf("uploads %+v", ups)
	}
}

func isFetchTick(msg tea.Msg) bool { return fmt.Sprintf("%T", msg) == "detail.fetchTickMsg" }

// While a file downloads, the line under the actions says how far.
func TestDownloadProgressLine(t *testing.T) {
	h, _ := filesHarness(t, 100, 30)
	var f fakeMedia
	f.install(h)
	var during string
	h.m.ctx.Fetch = func(_ context.Context, _ string, a complaint.Attachment, progress func(int64)) (string, error) {
		progress(a.Size*43/100 + 1) // 43% exactly
		h.fire(isFetchTick)
		during = h.lineWith("正在下载")
		return "/cache/" + a.Name, nil
	}
	h.press("tab", "enter")
	if want := " 正在下载 现场照片（1）.jpg ████████░░░░░░░░░░░░ 43% 924.7 KiB/2.1 MiB"; during != want {
		t.Errorf("during the download:\n got %q\nwant %q", during, want)
	}
	if h.lineWith("正在下载") != "" || !reflect.DeepEqual(f.opened, []string{"/cache/现场照片（1）.jpg"}) {
		t.Errorf("after it: opened %q\n%s", f.opened, h.view())
	}
}

// A long folder scrolls with the cursor; the screen keeps its size.
func TestPickerScrolls(t *testing.T) {
	pf := makePickFiles(t)
	for i := 1; i <= 40; i++ {
		if err := os.WriteFile(filepath.Join(pf.dir, "照片", fmt.Sprintf("门前%d.jpg", i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarnessAs(t, handlerUser, 80, 24, fixtures())
	h.open("20200504017")
	h.press("r")
	h.send(ctrlO)
	h.press("enter", "enter", "G")
	rows := strings.Split(h.view(), "\n")[2:21]
	if got := strings.Fields(rows[len(rows)-1])[0]; got != "门前40.jpg" {
		t.Errorf("the last row after G is %q, want 门前40.jpg (numbers by value)", got)
	}
	// 41 files in 19 rows: the last 19 of them.
	if got := strings.Fields(rows[0])[0]; got != "门前22.jpg" {
		t.Errorf("the first row after G is %q", got)
	}
	h.press("g")
	if got := strings.Fields(h.line(2))[0]; got != "门前.jpg" {
		t.Errorf("the first row after g is %q", got)
	}
}

// Quitting stops the recording playing: the player is a process of its
// own.
func TestQuitStopsPlayback(t *testing.T) {
	h, _ := filesHarness(t, 100, 30)
	var f fakeMedia
	f.install(h)
	h.press("l", "ctrl+c")
	if !h.quit || len(f.pbs) != 1 || !reflect.DeepEqual(f.pbs[0].calls, []string{"stop"}) {
		t.Fatalf("quit %v, playbacks %d, calls %q", h.quit, len(f.pbs), f.pbs[0].calls)
	}
}
