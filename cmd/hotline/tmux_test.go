package main

import (
	"fmt"
	"hotline/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession runs a command in a detached tmux session of the given size.
type tmuxSession struct {
	t    *testing.T
	name string
}

func newTmux(t *testing.T, w, h int, command string) *tmuxSession {
	t.Helper()
	testenv.Command(t, "tmux", "tmux")
	s := &tmuxSession{t: t, name: fmt.Sprintf("hotline-test-%d", os.Getpid())}
	out, err := exec.Command("tmux", "new-session", "-d", "-s", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-e", "LANG=zh_CN.UTF-8", "-e", "TERM=xterm-256color", command).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) screen() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys: %v %s", err, out)
	}
}

// waitFor polls the screen until it shows all of want; the limit only keeps
// a broken run from hanging.
func (s *tmuxSession) waitFor(want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sc := s.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(sc, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return sc
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", missing, sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDemoInTmux runs the real demo in a real terminal and works tickets
// through it with keys, as the duty officer: the first list is 待办, most
// urgent first; assign the signed ticket on top of it, then sign and reply
// to the next one, back, quit.
func TestDemoInTmux(t *testing.T) {
	hotline, _ := binaries(t)
	dir := t.TempDir()
	s := newTmux(t, 100, 30, fmt.Sprintf("%s demo --every 0 --tickets 20 --dir %s 2>%s", hotline, dir, filepath.Join(dir, "stderr")))
	// 20 tickets: 8 fed back, 12 open; the duty officer's are the one the
	// seed signed and the four left to sign.
	sc := s.waitFor("1 待办 5", "2 未反馈 12", "3 已反馈 8", "隧道 已连接", "值班员 李明", "!签收")
	lines := strings.Split(strings.TrimRight(sc, "\n"), "\n")
	if len(lines) != 30 {
		t.Fatalf("screen has %d lines, want 30:\n%s", len(lines), sc)
	}
	if !strings.Contains(lines[2], "!派发") || !strings.Contains(lines[2], "已签收") {
		t.Fatalf("the most urgent of 待办 is not the signed ticket:\n%s", sc)
	}
	s.keys("Enter")
	s.waitFor("· 已签收 ·", "可办理：a 派发", "── 诉求内容")
	s.keys("a")
	s.waitFor("派发 · 工单", "● 城东供电所")
	s.keys("C-s")
	s.waitFor("· 已派发 ·")
	s.keys("Escape")
	s.waitFor("1 待办 4", "2 未反馈 12")
	s.keys("Enter")
	s.waitFor("· 待签收 ·", "可办理：s 签收")
	s.keys("s")
	s.waitFor("· 已签收 ·")
	s.keys("r")
	s.waitFor("回复 · 工单", "预审：5 项待完善")
	s.keys("已联系吉𠮷先生，“停电”原因已查明。")
	s.waitFor("已联系吉𠮷先生，“停电”原因已查明。")
	s.keys("C-s")
	s.waitFor("· 待审核 ·")
	s.keys("Escape")
	s.waitFor("1 待办 3", "2 未反馈 12", "3 已反馈 8")
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not quit on q:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "stderr")); strings.Contains(string(b), "panic") || strings.Count(string(b), "\n") > 1 {
		t.Fatalf("the demo wrote to its terminal:\n%s", b)
	}
}
