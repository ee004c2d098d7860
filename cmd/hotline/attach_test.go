package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
	"hotline/platform"
	"hotline/store"
)

// TestReplyWaitsForItsFiles: a duty officer attaches a photo and the
// written statement to the reply and sends the reply, all while the tunnel
// is cut. Nothing goes; when the tunnel is back the files go first, then
// the attach actions, then the reply, and the platform's history has them
// in that order. The files come back down into the cache under their exact
// Chinese names, byte for byte.
func TestReplyWaitsForItsFiles(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ctx := context.Background()
	ts := p.gen.Tickets(1, time.Now(), time.Hour)
	if _, err := p.db.Dispatch(ctx, ts, "center"); err != nil {
		t.Fatal(err)
	}
	number := ts[0].Number
	rl := newRelay(t, p.endpoint())
	term, _ := p.loggedInAs(t, "duty", "duty-files", rl.addr())
	defer term.close()
	if err := term.connect(); err != nil {
		t.Fatal(err)
	}
	if _, err := term.client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	photo := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4}, 40_000)
	statement := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("情况说明"), 5_000)...)
	files := map[string][]byte{"现场照片（1）.jpg": photo, "情况说明.docx": statement}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	rl.cut.Store(true)
	tk, err := term.store.Ticket(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"现场照片（1）.jpg", "情况说明.docx"} {
		if _, err := term.store.Attach(ctx, number, tk.Version, complaint.PartReply, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []complaint.Kind{complaint.KindSign} {
		if _, err := term.enqueue(ctx, complaint.Action{Kind: k, Ticket: number}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := term.enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: number, Reply: &complaint.Reply{Text: "经核实，已派员到现场处理，详见情况说明。"}}); err != nil {
		t.Fatal(err)
	}
	// The sender goes through the outbox with the files not on the
	// platform: nothing on the ticket may go.
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	res, err := term.client.Flush(short)
	cancel()
	if err != nil || res.Sent != 0 {
		t.Fatalf("flush with the files waiting: %+v, %v; want nothing sent", res, err)
	}

	rl.cut.Store(false)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := term.client.UploadAll(ctx, nil); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("uploads did not finish within 60 s of the tunnel's return")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if res, err := term.client.Flush(ctx); err != nil || res.Sent != 4 || res.Refused != 0 {
		t.Fatalf("flush after the uploads: %+v, %v; want the 2 attachments, the sign and the reply sent", res, err)
	}
	pending, _ := term.store.Pending(ctx)
	if len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}

	got, err := p.db.Ticket(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []complaint.Kind
	for _, e := range got.Events[1:] {
		kinds = append(kinds, e.Kind)
	}
	if want := []complaint.Kind{complaint.KindAttach, complaint.KindAttach, complaint.KindSign, complaint.KindReply}; !slices.Equal(kinds, want) {
		t.Errorf("platform history %v, want %v", kinds, want)
	}
	if got.State != complaint.Replied || len(got.Attachments) != 2 {
		t.Fatalf("platform ticket: state %s, attachments %+v", got.State, got.Attachments)
	}
	cache := t.TempDir()
	for _, a := range got.Attachments {
		if a.Part != complaint.PartReply || a.By != "duty" {
			t.Errorf("attachment %+v", a)
		}
		path, err := term.client.Fetch(ctx, cache, number, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if filepath.Base(path) != a.Name || err != nil || !bytes.Equal(b, files[a.Name]) {
			t.Errorf("downloaded %s as %s: %d bytes, %v", a.Name, path, len(b), err)
		}
	}
	ups, _ := term.store.Uploads(ctx, number)
	for _, u := range ups {
		if u.State != store.UploadDone || u.Sent != u.Size {
			t.Errorf("upload %+v", u)
		}
	}
}

// dutyDesk is a demo platform with one ticket dispatched to the duty
// officer's unit, and the officer's terminal, logged in with the ticket in
// its cache, dialing the platform through a relay that can cut the tunnel.
type dutyDesk struct {
	t        *testing.T
	p        *demoPlatform
	rl       *relay
	settings string
	number   string
	title    string
	dir      string // the files to attach
}

func newDutyDesk(t *testing.T, o demoOptions) *dutyDesk {
	t.Helper()
	p, err := startDemoPlatform(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ctx := context.Background()
	ts := p.gen.Tickets(1, time.Now(), time.Hour)
	if _, err := p.db.Dispatch(ctx, ts, "center"); err != nil {
		t.Fatal(err)
	}
	rl := newRelay(t, p.endpoint())
	term, settings := p.loggedInAs(t, "duty", "duty-desk", rl.addr())
	_, err = term.client.SyncOnce(ctx)
	term.close()
	if err != nil {
		t.Fatal(err)
	}
	return &dutyDesk{t: t, p: p, rl: rl, settings: settings, number: ts[0].Number, title: ts[0].Title, dir: t.TempDir()}
}

// run runs a hotline command in the desk's terminal, in this process, and
// returns what it printed and its error; a command still running after
// limit fails the test.
func (d *dutyDesk) run(limit time.Duration, args ...string) (string, error) {
	d.t.Helper()
	var buf bytes.Buffer
	stdout = &buf
	defer func() { stdout = os.Stdout }()
	done := make(chan error, 1)
	go func() { done <- run(append(args, "--config", d.settings)) }()
	select {
	case err := <-done:
		return buf.String(), err
	case <-time.After(limit):
		d.t.Fatalf("hotline %s still running after %v; printed %q", strings.Join(args, " "), limit, buf.String())
		return "", nil
	}
}

// file writes b to name in the desk's directory and returns its path.
func (d *dutyDesk) file(name string, b []byte) string {
	d.t.Helper()
	path := filepath.Join(d.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		d.t.Fatal(err)
	}
	return path
}

// terminal opens the desk's terminal (its cache) for the test to look at.
func (d *dutyDesk) terminal() *terminal {
	d.t.Helper()
	term, err := openTerminal(d.settings)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(term.close)
	return term
}

var jpeg7 = []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}

// Every file is checked before any is queued: a missing file, a folder or
// a name the platform cannot keep among several queues none of them, and
// the error names the file (its control characters shown) and why.
func TestAttachChecksEveryFileFirst(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	d.file("a.jpg", jpeg7)
	d.file("b.docx", []byte("PK\x03\x04情况说明"))
	d.file("nl\nname.txt", []byte("text"))
	d.file("恶意\x1b[2J名称.txt", []byte("text"))
	if err := os.Mkdir(filepath.Join(d.dir, "照片"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(d.dir)
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{"a.jpg", "nl\nname.txt", "b.docx"}, "nl␊name.txt：附件文件名含有控制字符（U+000A）; no file was queued"},
		{[]string{"a.jpg", "b.docx", "恶意\x1b[2J名称.txt"}, "恶意␛[2J名称.txt：附件文件名含有控制字符（U+001B）; no file was queued"},
		{[]string{"没有.jpg", "a.jpg"}, "没有.jpg：找不到文件; no file was queued"},
		{[]string{"a.jpg", "照片"}, "照片：是文件夹，请选择文件; no file was queued"},
	} {
		out, err := d.run(time.Minute, append([]string{"attach", d.number, "--no-wait"}, tc.files...)...)
		var ue usageError
		if err == nil || err.Error() != tc.want || errors.As(err, &ue) || out != "" {
			t.Errorf("attach %q: printed %q, error %v\nwant nothing printed and the error %q (exit status 1)", tc.files, out, err, tc.want)
		}
	}
	t.Run("unreadable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		if err := os.Chmod(filepath.Join(d.dir, "b.docx"), 0); err != nil {
			t.Fatal(err)
		}
		out, err := d.run(time.Minute, "attach", d.number, "--no-wait", "a.jpg", "b.docx")
		if want := "b.docx：没有权限读取文件; no file was queued"; err == nil || err.Error() != want || out != "" {
			t.Errorf("an unreadable file: printed %q, error %v; want %q", out, err, want)
		}
	})
	term := d.terminal()
	if ups, err := term.store.Uploads(context.Background(), ""); err != nil || len(ups) != 0 {
		t.Errorf("queued: %+v (%v)", ups, err)
	}
	if items, err := term.store.Unsent(context.Background()); err != nil || len(items) != 0 {
		t.Errorf("in the outbox: %+v (%v)", items, err)
	}
}

// With the platform out of reach, attach says so after the tunnel's
// handshake wait, as an action does, and that the files stay queued and how
// they go on; --resume says the same. With the platform back, --resume
// sends them.
func TestAttachWhilePlatformDown(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	photo := d.file("现场照片.jpg", jpeg7)
	s, err := loadSettings(d.settings)
	if err != nil {
		t.Fatal(err)
	}
	why := fmt.Sprintf("no WireGuard handshake with %s in 6s: check that the platform is running (hotlined serve), that UDP reaches it from here, and that %s is this terminal's current file (a revoked terminal gets no answer; see hotlined terminal list)", d.rl.addr(), s.Tunnel)
	then := "; `hotline attach --resume` sends them, as do `hotline sync --once` and the full-screen hotline\n"
	d.rl.cut.Store(true)
	out, err := d.run(30*time.Second, "attach", d.number, photo)
	if want := "添加附件 " + d.number + ": queued 现场照片.jpg (7 字节)\n添加附件 " + d.number + ": the files stay queued (" + why + ")" + then; err != nil || out != want {
		t.Errorf("attach with the platform down: %q, %v\nwant %q", out, err, want)
	}
	listed := "添加附件 " + d.number + ": 现场照片.jpg (7 字节), 0 字节 on the platform\n"
	out, err = d.run(30*time.Second, "attach", "--resume")
	if want := listed + "添加附件: the files stay queued (" + why + ")" + then; err != nil || out != want {
		t.Errorf("attach --resume with the platform down: %q, %v\nwant %q", out, err, want)
	}
	d.rl.cut.Store(false)
	out, err = d.run(time.Minute, "attach", "--resume")
	if want := listed + "uploaded 现场照片.jpg\nattached: every file is on the platform\n"; err != nil || out != want {
		t.Errorf("attach --resume with the platform back: %q, %v\nwant %q", out, err, want)
	}
}

// Contents the platform holds already (a copy of a file attached before)
// are said to be there when --resume lists what waits, not "0 字节".
func TestResumeSaysWhatThePlatformHolds(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	out, err := d.run(time.Minute, "attach", d.number, d.file("现场照片.jpg", jpeg7))
	if want := "添加附件 " + d.number + ": queued 现场照片.jpg (7 字节)\nuploaded 现场照片.jpg\nattached: every file is on the platform\n"; err != nil || out != want {
		t.Fatalf("attach: %q, %v\nwant %q", out, err, want)
	}
	// The copy was queued and read by a run stopped before it sent it.
	term := d.terminal()
	ctx := context.Background()
	tk, err := term.store.Ticket(ctx, d.number)
	if err != nil {
		t.Fatal(err)
	}
	up, err := term.store.Attach(ctx, d.number, tk.Version, complaint.PartTicket, d.file("现场照片（副本）.jpg", jpeg7))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(jpeg7)
	if err := term.store.SetUploadHash(ctx, up.ID, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	term.close()
	out, err = d.run(time.Minute, "attach", "--resume")
	if want := "添加附件 " + d.number + ": 现场照片（副本）.jpg (7 字节), already on the platform\nuploaded 现场照片（副本）.jpg\nattached: every file is on the platform\n"; err != nil || out != want {
		t.Errorf("attach --resume: %q, %v\nwant %q", out, err, want)
	}
}

// sync --once sends what waits: the file, then its attach action and the
// action queued behind it; and it fetches the user's new alerts, which
// hotline alerts then lists.
func TestSyncSendsWhatWaits(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	term := d.terminal()
	ctx := context.Background()
	tk, err := term.store.Ticket(ctx, d.number)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := term.store.Attach(ctx, d.number, tk.Version, complaint.PartTicket, d.file("现场照片.jpg", jpeg7)); err != nil {
		t.Fatal(err)
	}
	if _, err := term.enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: d.number}); err != nil {
		t.Fatal(err)
	}
	term.close()

	out, err := d.run(time.Minute, "sync", "--once")
	re := regexp.MustCompile(`^uploaded 现场照片\.jpg\nsynced in \d+\.\ds: 0 new, 0 updated, 0 removed; cursor \d+\noutbox: 2 sent, 0 refused, 0 not sent\nalerts: 2 new \(hotline alerts lists them\)\n$`)
	if err != nil || !re.MatchString(out) {
		t.Fatalf("sync --once: %q, %v\nwant it to match %s", out, err, re)
	}
	got, err := d.p.db.Ticket(ctx, d.number)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != complaint.Signed || len(got.Attachments) != 1 || got.Attachments[0].Name != "现场照片.jpg" {
		t.Errorf("on the platform: state %s, attachments %+v", got.State, got.Attachments)
	}

	// The dispatch's alert and, the ticket being an hour old, its late
	// signing's, urgent.
	term = d.terminal()
	kept, err := term.store.Alerts(ctx, 10)
	term.close()
	if err != nil || len(kept) != 2 || kept[0].Event != "deadline" || !kept[0].Urgent || kept[1].Event != "dispatch" || kept[1].Urgent ||
		!strings.HasPrefix(kept[1].Text, fmt.Sprintf("【12345】工单%s「%s」已派发给你单位", d.number, d.title)) {
		t.Fatalf("alerts kept: %+v, %v", kept, err)
	}
	at := func(a store.Alert) string { return a.At.In(shanghai).Format("2006-01-02 15:04") }
	out, err = d.run(time.Minute, "alerts")
	want := "● " + at(kept[0]) + "  " + d.number + "  紧急 " + kept[0].Text + "\n" +
		"● " + at(kept[1]) + "  " + d.number + "  " + kept[1].Text + "\n" +
		"2 shown, 2 not seen yet\n"
	if err != nil || out != want {
		t.Errorf("alerts: %q, %v\nwant %q", out, err, want)
	}
	if out, err := d.run(time.Minute, "alerts", "--limit", "1"); err != nil || out != "● "+at(kept[0])+"  "+d.number+"  紧急 "+kept[0].Text+"\n1 shown, 2 not seen yet\n" {
		t.Errorf("alerts --limit 1: %q, %v", out, err)
	}
	if out, err := d.run(time.Minute, "sync", "--once"); err != nil || !regexp.MustCompile(`^synced in \d+\.\ds: 0 new, 0 updated, 0 removed; cursor \d+\n$`).MatchString(out) {
		t.Errorf("sync --once with nothing new: %q, %v", out, err)
	}
}

// hotline alerts prints one alert a line, newest first as given: ● for one
// not seen yet, China time, the ticket, 紧急 for an urgent one and the text
// on one line with its control characters shown.
func TestWriteAlerts(t *testing.T) {
	var b strings.Builder
	writeAlerts(&b, []store.Alert{
		{ID: 3, Event: "deadline", Stage: "late", Ticket: "9002", Text: "工单9002已超时\n请尽快回复\x1b[2J", At: time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), Urgent: true},
		{ID: 1, Event: "dispatch", Ticket: "9001", Text: "工单9001已派发给你单位", At: time.Date(2026, 12, 2, 23, 5, 0, 0, time.UTC), Seen: true},
	})
	want := "● 2026-12-03 17:30  9002  紧急 工单9002已超时 请尽快回复␛[2J\n" +
		"  2026-12-03 07:05  9001  工单9001已派发给你单位\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// throttle slows what the platform reads of uploads to about 320 KiB/s,
// so that a test can stop an upload half way.
func throttle(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			r.Body = slowBody{r.Body}
		}
		h.ServeHTTP(w, r)
	})
}

type slowBody struct{ io.ReadCloser }

func (s slowBody) Read(p []byte) (int, error) {
	time.Sleep(50 * time.Millisecond)
	return s.ReadCloser.Read(p[:min(len(p), 16<<10)])
}

// TestResumeRefusesAChangedFile: attach is interrupted (SIGINT) with part
// of the file on the platform, and ends by that signal with the files
// queued; then a byte already sent is changed. attach --resume must not
// finish the upload with the old bytes and attach the old version: it
// fails the upload, says why and exits 1, and nothing is attached.
func TestResumeRefusesAChangedFile(t *testing.T) {
	hotline, _ := binaries(t)
	d := newDutyDesk(t, demoOptions{Wrap: throttle})
	src := d.file("big.bin", nil)
	bigFile(t, src, 2<<20)
	proc := func(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		cmd := exec.Command(hotline, append(args, "--config", d.settings)...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
		})
		return cmd, &out, &errOut
	}

	first, out, errOut := proc("attach", d.number, src)
	deadline := time.Now().Add(time.Minute)
	for received(d.p.dir) < 64<<10 {
		if time.Now().After(deadline) {
			t.Fatalf("no upload within a minute; hotline printed %q %q", out, errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
	first.Process.Signal(os.Interrupt)
	first.Wait()
	ws, _ := first.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("interrupted attach ended with %v; want it ended by SIGINT (status 130 in a shell)", first.ProcessState)
	}
	if want := "添加附件 " + d.number + ": queued big.bin (2.0 MiB（2097152 字节）)\n"; out.String() != want {
		t.Errorf("interrupted attach printed %q, want %q", out, want)
	}
	if want := "hotline: attach interrupted: the files stay queued; `hotline attach --resume` goes on from where they are, as do `hotline sync --once` and the full-screen hotline\n"; !strings.HasSuffix(errOut.String(), want) {
		t.Errorf("interrupted attach said %q, want it to end %q", errOut, want)
	}
	had := received(d.p.dir)
	if had < 64<<10 || had >= 2<<20 {
		t.Fatalf("the platform holds %d bytes, want part of the file", had)
	}

	f, err := os.OpenFile(src, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{'X'}, 1000); err != nil {
		t.Fatal(err)
	}
	f.Close()

	second, out, errOut := proc("attach", "--resume")
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("attach --resume still running after a minute; printed %q %q", out, errOut)
	}
	if code := second.ProcessState.ExitCode(); code != 1 {
		t.Errorf("attach --resume of a changed file: exit status %d, want 1", code)
	}
	if want := regexp.MustCompile(`^添加附件 ` + d.number + `: big\.bin \(2\.0 MiB（2097152 字节）\), \d+ 字节 on the platform\n$`); !want.MatchString(out.String()) {
		t.Errorf("attach --resume printed %q, want it to match %s", out, want)
	}
	if want := "hotline: attach refused: big.bin: 文件 " + src + " 在上传过程中被修改，请重新添加\n"; errOut.String() != want {
		t.Errorf("attach --resume said %q\nwant %q", errOut, want)
	}
	tk, err := d.p.db.Ticket(context.Background(), d.number)
	if err != nil || len(tk.Attachments) != 0 {
		t.Errorf("attached on the platform: %+v (%v)", tk.Attachments, err)
	}
}

// When the screen ends with files still going up, the terminal says which,
// and how they go on.
func TestSayUnsent(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ctx := context.Background()
	ts := p.gen.Tickets(1, time.Now(), time.Hour)
	if _, err := p.db.Dispatch(ctx, ts, "center"); err != nil {
		t.Fatal(err)
	}
	term, _ := p.loggedInAs(t, "duty", "duty-unsent", "")
	defer term.close()
	if err := term.connect(); err != nil {
		t.Fatal(err)
	}
	if _, err := term.client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var none bytes.Buffer
	term.sayUnsent(ctx, &none)
	if none.Len() != 0 {
		t.Fatalf("with nothing waiting: %q", none.String())
	}
	tk, err := term.store.Ticket(ctx, ts[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"现场照片（1）.jpg", "情况说明.docx", "整改报告.pdf", "附图.png"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := term.store.Attach(ctx, tk.Number, tk.Version, complaint.PartReply, path); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	term.sayUnsent(ctx, &out)
	if want := "hotline: 4 file(s) not yet on the platform (现场照片（1）.jpg, 情况说明.docx, 整改报告.pdf, …); they go on when hotline starts again, or with hotline attach --resume\n"; out.String() != want {
		t.Errorf("said\n%q\nwant\n%q", out.String(), want)
	}
}

// The platform stops answering after the tunnel's handshake: attach does
// not wait for it forever, but says the files stay queued, as when it was
// away from the start.
func TestAttachGivesUpOnASilentPlatform(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	photo := d.file("现场照片.jpg", jpeg7)
	defer func(was time.Duration) { giveUpAfter = was }(giveUpAfter)
	giveUpAfter = 2 * time.Second
	d.rl.dataCut.Store(true)
	start := time.Now()
	out, err := d.run(2*time.Minute, "attach", d.number, photo)
	took := time.Since(start)
	head := "添加附件 " + d.number + ": queued 现场照片.jpg (7 字节)\n添加附件: the files stay queued (the platform has not answered for "
	if err != nil || !strings.HasPrefix(out, head) || !strings.HasSuffix(out, "); `hotline attach --resume` sends them, as do `hotline sync --once` and the full-screen hotline\n") {
		t.Fatalf("attach with a silent platform: %q, %v", out, err)
	}
	t.Logf("gave up after %v: %s", took.Round(time.Millisecond), out)
	d.rl.dataCut.Store(false)
	out, err = d.run(time.Minute, "attach", "--resume")
	if want := "添加附件 " + d.number + ": 现场照片.jpg (7 字节), 0 字节 on the platform\nuploaded 现场照片.jpg\nattached: every file is on the platform\n"; err != nil || out != want {
		t.Errorf("attach --resume with the platform back: %q, %v\nwant %q", out, err, want)
	}
}

// sync --once fetches every alert waiting, page after page, and says how
// many came: 130 new tickets make more than the platform's page of alerts.
func TestSyncFetchesEveryAlertPage(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	ctx := context.Background()
	if _, err := d.p.db.Dispatch(ctx, d.p.gen.Tickets(130, time.Now(), time.Hour), "center"); err != nil {
		t.Fatal(err)
	}
	out, err := d.run(time.Minute, "sync", "--once")
	if err != nil {
		t.Fatal(err)
	}
	term := d.terminal()
	defer term.close()
	kept, err := term.store.Alerts(ctx, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) <= api.AlertsPage {
		t.Fatalf("only %d alerts kept: the test needs more than a page", len(kept))
	}
	if want := fmt.Sprintf("alerts: %d new (hotline alerts lists them)\n", len(kept)); !strings.HasSuffix(out, want) {
		t.Errorf("sync --once said %q, want it to end %q", out, want)
	}
	// A second sync finds none left.
	out, err = d.run(time.Minute, "sync", "--once")
	if err != nil || strings.Contains(out, "alerts:") {
		t.Errorf("the second sync: %q, %v", out, err)
	}
}

// An upload the platform dropped after a week without a byte is made again
// when the terminal comes back: the file still arrives.
func TestResumeAfterTheUploadExpired(t *testing.T) {
	d := newDutyDesk(t, demoOptions{})
	photo := d.file("现场照片.jpg", jpeg7)
	if out, err := d.run(time.Minute, "attach", "--no-wait", d.number, photo); err != nil {
		t.Fatalf("attach --no-wait: %q, %v", out, err)
	}
	// A run that made the upload and sent nothing, then stopped.
	term := d.terminal()
	if err := term.connect(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ups, err := term.store.Unfinished(ctx)
	if err != nil || len(ups) != 1 {
		t.Fatalf("unfinished uploads %+v, %v", ups, err)
	}
	up := ups[0]
	sum := sha256.Sum256(jpeg7)
	if err := term.store.SetUploadHash(ctx, up.ID, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	loc, err := term.api.CreateUpload(ctx, up.Size, api.UploadMeta{Name: up.Name, SHA256: hex.EncodeToString(sum[:]), Ticket: up.Ticket})
	if err != nil {
		t.Fatal(err)
	}
	if err := term.store.SetUploadLocation(ctx, up.ID, loc); err != nil {
		t.Fatal(err)
	}
	term.close()
	if n, err := d.p.files.Expire(time.Now().Add(platform.UploadExpiry+time.Hour), platform.UploadExpiry); err != nil || n != 1 {
		t.Fatalf("Expire: %d, %v; want the one upload dropped", n, err)
	}
	out, err := d.run(time.Minute, "attach", "--resume")
	if want := "添加附件 " + d.number + ": 现场照片.jpg (7 字节), 0 字节 on the platform\nuploaded 现场照片.jpg\nattached: every file is on the platform\n"; err != nil || out != want {
		t.Errorf("attach --resume after the upload expired: %q, %v\nwant %q", out, err, want)
	}
}
