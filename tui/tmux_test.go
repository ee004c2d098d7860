package tui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/store"
)

// tmuxServer is a tmux server of the test's own, on its own socket, with one
// session of the given size running command.
type tmuxServer struct {
	t      *testing.T
	socket string
}

func newTmuxServer(t *testing.T, w, h int, command string) *tmuxServer {
	t.Helper()
	testenv.Command(t, "tmux", "tmux")
	s := &tmuxServer{t: t, socket: fmt.Sprintf("hotline-tui-test-%d", os.Getpid())}
	out, err := exec.Command("tmux", "-L", s.socket, "-f", "/dev/null", "new-session", "-d", "-s", "ui",
		"-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-e", "TERM=xterm-256color", command).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxServer) run(args ...string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux %s: %v %s", strings.Join(args, " "), err, out)
	}
}

func (s *tmuxServer) screen() string {
	out, _ := exec.Command("tmux", "-L", s.socket, "capture-pane", "-p", "-t", "ui").Output()
	return string(out)
}

// waitUntil polls the screen until ok accepts it; the limit only keeps a
// broken run from hanging.
func (s *tmuxServer) waitUntil(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sc := s.screen()
		if ok(sc) {
			return sc
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never %s:\n%s", what, sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The program runs in the alternate screen and leaves the terminal as it
// found it, also after the window was resized: in tmux only the shell's
// lines from before and after it are left, none of the list. On the way, a
// title with a family emoji, which tmux draws as three emoji, leaves its
// row exactly the width: the state at its end is whole.
func TestTmuxResizeQuitAndJoinedEmoji(t *testing.T) {
	if os.Getenv("HOTLINE_TUI_TMUX_CHILD") != "" {
		t.Skip("running as the child")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "cache.db")
	st := openStoreAt(t, db)
	st.Close()
	command := fmt.Sprintf("echo BEFORE; HOTLINE_TUI_TMUX_CHILD=%s %s -test.run='^TestTmuxChild$' 2>%s; echo EXIT=$?; sleep 60",
		db, os.Args[0], filepath.Join(dir, "stderr"))
	s := newTmuxServer(t, 100, 30, command)
	has := func(want string, yes bool) func(string) bool {
		return func(sc string) bool { return strings.Contains(sc, want) == yes }
	}
	// From 100 columns the lists show when each ticket came in.
	sc := s.waitUntil("showed the list", has("收到时间", true))
	row := ""
	for _, l := range strings.Split(sc, "\n") {
		if strings.Contains(l, familyTicket) {
			row = strings.TrimRight(l, " ")
		}
	}
	if !strings.Contains(row, "全家👨👩👧停电") || !strings.HasSuffix(row, " 待签收") {
		t.Errorf("the row of the title with a family emoji is not drawn whole:\n%s", sc)
	}
	s.run("resize-window", "-t", "ui", "-x", "90", "-y", "28")
	s.waitUntil("was redrawn at 90×28", has("收到时间", false))
	s.run("resize-window", "-t", "ui", "-x", "110", "-y", "32")
	s.waitUntil("was redrawn at 110×32", has("收到时间", true))
	s.run("send-keys", "-t", "ui", "q")
	sc = s.waitUntil("showed the shell after q", has("EXIT=", true))
	var left []string
	for _, l := range strings.Split(sc, "\n") {
		if strings.TrimSpace(l) != "" {
			left = append(left, strings.TrimRight(l, " "))
		}
	}
	if want := []string{"BEFORE", "EXIT=0"}; strings.Join(left, "\n") != strings.Join(want, "\n") {
		b, _ := os.ReadFile(filepath.Join(dir, "stderr"))
		t.Fatalf("after quitting the terminal shows %q, want %q\nscreen:\n%s\nstderr:\n%s", left, want, sc, b)
	}
}

// TestTmuxChild is the program that TestTmuxResizeQuitAndJoinedEmoji runs
// in tmux, on the store it names.
func TestTmuxChild(t *testing.T) {
	db := os.Getenv("HOTLINE_TUI_TMUX_CHILD")
	if db == "" {
		t.Skip("only in the child of TestTmuxResizeQuitAndJoinedEmoji")
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: st, User: testUser, Unit: unitOf(testUser), Units: testUnits, People: testPeople,
		Now: func() time.Time { return testNow }})
	_, err = tea.NewProgram(m).Run()
	st.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Exit here: the test framework's own output would land on the
	// terminal being checked.
	os.Exit(0)
}

// familyTicket has a title with a family emoji, long enough to be cut.
const familyTicket = "20200506003"

// openStoreAt is a store at path holding the fixtures and familyTicket.
func openStoreAt(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	family := due(complaint.Ticket{
		Number: familyTicket, Title: "全家👨\u200d👩\u200d👧停电，线路老化，请尽快安排抢修并回复处理结果谢谢", Content: "停电。",
		ReceivedAt: at(20 * time.Minute), DispatchedAt: at(15 * time.Minute), Unit: unitCode, State: complaint.Dispatched, Version: 1,
	}, complaint.StepSign, at(15*time.Minute), at(-15*time.Minute))
	if _, err := st.Apply(context.Background(), append(fixtures(), family), nil, 1); err != nil {
		t.Fatal(err)
	}
	return st
}
