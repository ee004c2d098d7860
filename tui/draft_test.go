package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/tui/app"
	"hotline/tui/pages/form"
)

// typedReply is 106 characters, as the officer had typed.
var typedReply = strings.Repeat("已到现场核实，线路老化属实，", 5) + "已安排更换电缆，预计本周五完工，届时恢复正常供电。请市民放心。谢谢配合。"

func draftOf(t *testing.T, h *harness, field string) string {
	t.Helper()
	d, err := h.st.Draft(context.Background(), "20200504017", field)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func isDraftDue(msg tea.Msg) bool { return fmt.Sprintf("%T", msg) == "form.draftDueMsg" }

// Nothing typed is lost on quitting: ctrl+c right after the typing, before
// the save that waits for it to pause, saves the form's text as it is,
// the part saved before included.
func TestQuitSavesDraft(t *testing.T) {
	if n := len([]rune(typedReply)); n != 106 {
		t.Fatalf("the reply is %d characters", n)
	}
	h := newHarnessAs(t, handlerUser, 100, 30, fixtures())
	h.open("20200504017")
	h.press("r")
	cut := strings.Index(typedReply, "已安排")
	h.typeText(typedReply[:cut])
	// The save after a pause: the first part is in the store.
	h.fire(isDraftDue)
	if got := draftOf(t, h, form.ReplyFindings); got != typedReply[:cut] {
		t.Fatalf("the draft after a pause is %q", got)
	}
	h.typeText(typedReply[cut:])
	if !strings.Contains(h.view(), "已输入 106 字") || !strings.Contains(h.view(), "草稿未保存") {
		t.Fatalf("the form does not say the draft is behind:\n%s", h.view())
	}
	h.press("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c did not quit")
	}
	if got := draftOf(t, h, form.ReplyFindings); got != typedReply {
		t.Errorf("after ctrl+c the draft is %q, want all that was typed", got)
	}
	// A save on its way, of the older text, does not land after it.
	h.fire(isDraftDue)
	if got := draftOf(t, h, form.ReplyFindings); got != typedReply {
		t.Errorf("a later save wrote %q", got)
	}
}

// The program ended through its context (a signal: SIGTERM, SIGHUP), with
// no Update after the last key: Flush, which the command calls after the
// program, saves the text typed since the last draft.
func TestFlushAfterProgramKilled(t *testing.T) {
	st := openStore(t, fixtures())
	m := New(Options{Store: st, User: handlerUser, Unit: unitOf(handlerUser), Units: testUnits, People: testPeople,
		Now: func() time.Time { return testNow }})
	// No timer ever fires: the draft's save after a pause never comes.
	m.ctx.After = func(time.Duration, tea.Msg) tea.Cmd { return nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	typed := make(chan struct{})
	seen := false
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithoutSignalHandler(), tea.WithWindowSize(100, 30),
		// Runs in the program's loop, before each message: it sees the
		// model after the one before.
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if !seen && m.form != nil && m.form.Value(form.ReplyFindings) == typedReply {
				seen = true
				close(typed)
			}
			return msg
		}))
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	p.Send(app.OpenTicketMsg{Number: "20200504017"})
	p.Send(keyPress("r"))
	p.Send(tea.PasteMsg{Content: typedReply})
	deadline := time.After(20 * time.Second)
wait:
	for {
		select {
		case <-typed:
			break wait
		case <-deadline:
			cancel()
			t.Fatal("the form never held the text")
		case <-time.After(10 * time.Millisecond):
			p.Send(nudgeMsg{}) // a message for the filter to look before
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, tea.ErrProgramKilled) {
		t.Fatalf("the program ended with %v", err)
	}
	if d, _ := st.Draft(context.Background(), "20200504017", form.ReplyFindings); d != "" {
		t.Fatalf("a draft was saved while the program ran: %q", d)
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if d, err := st.Draft(context.Background(), "20200504017", form.ReplyFindings); err != nil || d != typedReply {
		t.Errorf("after Flush the draft is %q (%v)", d, err)
	}
}

type nudgeMsg struct{}

// A reply form of five files at 80×24 shows three and says how many more
// there are; moving through the list brings each into view.
func TestFormSaysFilesOutOfView(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := 1; i <= 5; i++ {
		p := filepath.Join(dir, fmt.Sprintf("现场照片%d.jpg", i))
		if err := os.WriteFile(p, []byte("照片"), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	h := newHarnessAs(t, handlerUser, 80, 24, fixtures())
	if err := h.st.SaveDraft(context.Background(), "20200504017", form.ReplyFiles, strings.Join(paths, "\n")); err != nil {
		t.Fatal(err)
	}
	h.open("20200504017")
	h.press("r")
	// The rows of the list, past its label, spaces made one.
	rows := func() []string {
		var out []string
		for _, l := range strings.Split(h.view(), "\n") {
			i := strings.Index(l, "现场照片")
			if j := strings.Index(l, "…另有"); j >= 0 {
				i = j
			}
			if i >= 0 {
				out = append(out, strings.Join(strings.Fields(l[i:]), " "))
			}
		}
		return out
	}
	want := []string{"现场照片1.jpg 6 B", "现场照片2.jpg 6 B", "现场照片3.jpg 6 B", "…另有 2 个附件"}
	if got := rows(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("five files:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(h.view(), "附件 5 个（30 B）") {
		t.Errorf("the count of files is not told:\n%s", h.view())
	}
	h.press("tab", "tab", "tab", "tab", "tab")
	if f := h.m.form.Focused(); f.Name != form.ReplyFiles {
		t.Fatalf("focus on %q", f.Name)
	}
	h.press("down", "down", "down", "down")
	want = []string{"现场照片3.jpg 6 B", "现场照片4.jpg 6 B", "现场照片5.jpg 6 B", "…另有 2 个附件，↑/↓ 查看"}
	if got := rows(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("at the last file:\n got %q\nwant %q", got, want)
	}
}
