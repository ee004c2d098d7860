package main

import (
	"encoding/base64"
	"fmt"
	"hotline/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// tmuxSession runs a command in a detached tmux session of its own tmux
// server, so that the server's options and paste buffers are the test's
// alone and no tmux the user runs is touched.
type tmuxSession struct {
	t      *testing.T
	socket string // the server's, for tmux -S
	name   string
}

// tmuxOptions say how a session starts.
type tmuxOptions struct {
	width, height int
	lang          string   // LANG inside the pane; LC_ALL and LC_CTYPE are emptied so that it counts
	config        []string // tmux commands run as the server starts, before the command
}

var tmuxSessions atomic.Int64

func newTmux(t *testing.T, o tmuxOptions, command string) *tmuxSession {
	t.Helper()
	testenv.Command(t, "tmux", "tmux")
	// A socket's path must be short (about 100 bytes), which a test's
	// temporary directory, named after the test, may not be.
	dir, err := os.MkdirTemp("", "hotline-tmux-")
	if err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: filepath.Join(dir, "socket"), name: fmt.Sprintf("hotline-test-%d", tmuxSessions.Add(1))}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte(strings.Join(o.config, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tmux", "-u", "-S", s.socket, "-f", conf, "new-session", "-d", "-s", s.name,
		"-x", fmt.Sprint(o.width), "-y", fmt.Sprint(o.height),
		"-e", "LANG="+o.lang, "-e", "LC_ALL=", "-e", "LC_CTYPE=", "-e", "TERM=xterm-256color", command)
	// Inside a tmux the test would otherwise talk to that one.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TMUX=") })
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() {
		s.tmux("kill-server").Run()
		os.RemoveAll(dir)
	})
	return s
}

// tmux is a tmux command on the session's server.
func (s *tmuxSession) tmux(args ...string) *exec.Cmd {
	cmd := exec.Command("tmux", append([]string{"-u", "-S", s.socket}, args...)...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TMUX=") })
	return cmd
}

// run runs a tmux command and returns its output, failing the test on an
// error.
func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := s.tmux(args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// display is a tmux format, such as #{pane_title}, for the session's pane.
func (s *tmuxSession) display(format string) string {
	s.t.Helper()
	return strings.TrimSuffix(s.run("display-message", "-p", "-t", s.name, format), "\n")
}

func (s *tmuxSession) screen() string {
	out, _ := s.tmux("capture-pane", "-p", "-t", s.name).Output()
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.run(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

// typeText types text as it is, never as key names.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	s.run("send-keys", "-l", "-t", s.name, text)
}

// waitUntil polls the screen until check passes on it; the limit only
// keeps a broken run from hanging.
func (s *tmuxSession) waitUntil(check func(sc string) error) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sc := s.screen()
		err := check(sc)
		if err == nil {
			return sc
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%v:\n%s", err, sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFor polls the screen until it shows all of want.
func (s *tmuxSession) waitFor(want ...string) string {
	s.t.Helper()
	return s.waitUntil(func(sc string) error {
		for _, w := range want {
			if !strings.Contains(sc, w) {
				return fmt.Errorf("the screen never showed %q", w)
			}
		}
		return nil
	})
}

// waitExit waits for the session's command to end, which ends the session.
func (s *tmuxSession) waitExit() {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.tmux("has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("the program did not end:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// resize makes the window w×h and waits until tmux has it so.
func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	// A detached session follows its clients' sizes unless told not to;
	// resize-window says so itself in tmux 3.3, older ones need it set.
	s.run("set-option", "-w", "-t", s.name, "window-size", "manual")
	s.run("resize-window", "-t", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h))
	if got, want := s.display("#{pane_width}x#{pane_height}"), fmt.Sprintf("%dx%d", w, h); got != want {
		s.t.Fatalf("the pane is %s after resize-window, want %s", got, want)
	}
}

// checkQuiet fails the test when the program wrote anything but its
// start-up line and, once the screen is gone, the line that says where a
// kept demo's files are, to the stderr file.
func checkQuiet(t *testing.T, stderr string) {
	t.Helper()
	b, _ := os.ReadFile(stderr)
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "hotline demo: starting the platform in ") && !strings.HasPrefix(line, "hotline demo: files kept in ") {
			t.Fatalf("the demo wrote to its terminal:\n%s", b)
		}
	}
}

// TestDemoInTmux runs the real demo in a real terminal and works tickets
// through it with keys, as the duty officer, in each locale a desktop may
// have: the first list is 待办, most urgent first; assign the signed ticket
// on top of it, then sign and reply to the next one in Chinese with a
// character outside the BMP, curly quotes, an ellipsis and a Latin word,
// back, shrink the window from 100×30 to 80×24, quit. Every screen on the
// way must be whole: no line wider than the pane, the status bar on the
// last line; the list's columns in line with their titles at both sizes
// and nothing of the wider frame left after the shrink.
//
// Only C.UTF-8 may be installed as a locale: LANG still reaches the
// program, whose width libraries read it (go-runewidth makes ambiguous
// characters such as “ and … two cells wide under zh_CN), while tmux
// measures with its own, single-cell, widths.
func TestDemoInTmux(t *testing.T) {
	for _, lang := range []string{"zh_CN.UTF-8", "C.UTF-8"} {
		t.Run(lang, func(t *testing.T) { demoInTmux(t, lang) })
	}
}

func demoInTmux(t *testing.T, lang string) {
	hotline, _ := binaries(t)
	dir := t.TempDir()
	stderr := filepath.Join(dir, "stderr")
	s := newTmux(t, tmuxOptions{width: 100, height: 30, lang: lang}, fmt.Sprintf("%s demo --every 0 --tickets 20 --dir %s 2>%s", hotline, filepath.Join(dir, "demo"), stderr))
	// 20 tickets: 8 fed back, 12 open; the duty officer's are the one the
	// seed signed and the four left to sign.
	sc := s.waitFor("1 待办 5", "2 未反馈 12", "3 已反馈 8", statusMark, "李明", "!签收")
	if err := checkList(sc, 100, 30); err != nil {
		t.Fatalf("the first list: %v:\n%s", err, sc)
	}
	if lines := screenLines(sc); !strings.Contains(lines[2], "!派发") || !strings.Contains(lines[2], "已签收") {
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
	// 28 characters: 𠮷 is one, as are each “, ” and ….
	const reply = "已联系吉𠮷先生，“停电”原因已查明……Wi-Fi 正常。"
	s.typeText(reply)
	sc = s.waitFor("▶ 处理情况     "+reply, "已输入 28 字")
	if err := checkFrame(sc, 100, 30); err != nil {
		t.Fatalf("the reply form: %v:\n%s", err, sc)
	}
	s.keys("C-s")
	sc = s.waitFor("· 待审核 ·", "处理情况      "+reply)
	if err := checkFrame(sc, 100, 30); err != nil {
		t.Fatalf("the ticket after the reply: %v:\n%s", err, sc)
	}
	s.keys("Escape")
	sc = s.waitFor("1 待办 3", "2 未反馈 12", "3 已反馈 8")
	if err := checkList(sc, 100, 30); err != nil {
		t.Fatalf("the list after the reply: %v:\n%s", err, sc)
	}
	wide, _ := readList(sc)

	s.resize(80, 24)
	sc = s.waitUntil(func(sc string) error { return checkList(sc, 80, 24) })
	narrow, _ := readList(sc)
	if !slices.Equal(narrow.numbers, wide.numbers) {
		t.Fatalf("the list at 80×24 shows %v, at 100×30 it showed %v:\n%s", narrow.numbers, wide.numbers, sc)
	}
	s.keys("q")
	s.waitExit()
	checkQuiet(t, stderr)
}

// clipboardWrite is OSC 52: put "pwned" on the clipboard.
var clipboardWrite = "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("pwned")) + "\a"

// hostile carries what a terminal acts on: a clipboard write, a clear
// screen, a window title (OSC 0), a bare carriage return and a
// right-to-left override (see tui-cjk.md, case 10). raw is the part that
// leaves a mark on tmux, for the control.
var hostile = struct{ title, content, raw string }{
	title:   "停电" + clipboardWrite + "清屏\x1b[2J改标题\x1b]0;pwned-title\a回车\r覆盖\u202e反向文字",
	content: "小区停电三天。" + clipboardWrite + "剪贴板\x1b[2J清屏\x1b]0;pwned-title\a标题\r回车\u202e倒序文字结束",
	raw:     clipboardWrite + "\x1b]0;pwned-title\a",
}

// hostileConfig lets programs in the pane write tmux's clipboard, which
// lands in its paste buffers (tmux lets them set the pane's title anyway).
var hostileConfig = []string{"set-option -s set-clipboard on"}

// TestHostileTextInTmux imports a complaint whose title and content carry
// escape sequences, a bare \r and a bidi override into the real demo, and
// opens it: the terminal's title, clipboard and screen must stay as they
// were, the text shown with the sanitiser's visible placeholders (␛ for
// ESC, ␇ for BEL, ␍ for a bare CR, the override dropped). A control first
// shows that tmux, as set up here, does act on the same bytes written raw.
func TestHostileTextInTmux(t *testing.T) {
	t.Run("control", func(t *testing.T) {
		raw := filepath.Join(t.TempDir(), "raw")
		if err := os.WriteFile(raw, []byte(hostile.raw), 0o600); err != nil {
			t.Fatal(err)
		}
		s := newTmux(t, tmuxOptions{width: 100, height: 30, lang: "C.UTF-8", config: hostileConfig},
			"tmux wait-for go; cat "+raw+"; exec sleep 60")
		s.run("select-pane", "-t", s.name, "-T", "hotline-test")
		if got := s.display("#{pane_title}"); got != "hotline-test" {
			t.Fatalf("pane title %q before the bytes, want hotline-test", got)
		}
		s.run("wait-for", "-S", "go")
		deadline := time.Now().Add(10 * time.Second)
		for s.display("#{pane_title}") != "pwned-title" || !strings.Contains(s.run("list-buffers", "-F", "#{buffer_sample}"), "pwned") {
			if time.Now().After(deadline) {
				t.Fatalf("raw OSC 0 and OSC 52 did not reach tmux: title %q, buffers %q", s.display("#{pane_title}"), s.run("list-buffers"))
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("demo", hostileDemo)
}

func hostileDemo(t *testing.T) {
	hotline, _ := binaries(t)
	dir := t.TempDir()
	csv := filepath.Join(dir, "hostile.csv")
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	file := "留言编号,留言用户,留言主题,留言时间,留言详情\n" +
		strings.Join([]string{"20260001", "A00001", quote(hostile.title), "2026/1/5 9:32:09", quote(hostile.content)}, ",") + "\n"
	if err := os.WriteFile(csv, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr := filepath.Join(dir, "stderr")
	s := newTmux(t, tmuxOptions{width: 100, height: 30, lang: "zh_CN.UTF-8", config: hostileConfig},
		fmt.Sprintf("%s demo --every 0 --import %s --dir %s 2>%s", hotline, csv, filepath.Join(dir, "demo"), stderr))
	s.run("select-pane", "-t", s.name, "-T", "hotline-test")
	intact := func(where string) {
		t.Helper()
		if got := s.display("#{pane_title}"); got != "hotline-test" {
			t.Fatalf("%s: the pane title is %q, want hotline-test", where, got)
		}
		if got := s.run("list-buffers"); got != "" {
			t.Fatalf("%s: a paste buffer appeared: %q", where, got)
		}
		if got := s.display("#{alternate_on}"); got != "1" {
			t.Fatalf("%s: alternate_on is %q, want 1", where, got)
		}
	}
	sc := s.waitFor("1 待办 1", "2 未反馈 1", statusMark)
	intact("the list")
	if err := checkList(sc, 100, 30); err != nil {
		t.Fatalf("the list: %v:\n%s", err, sc)
	}
	if row := screenLines(sc)[2]; !strings.HasPrefix(row, "  20260001 停电␛]52;c;cHduZWQ=␇清屏␛[2J") {
		t.Fatalf("the list's row does not show the title inert: %q", row)
	}

	s.keys("Enter")
	const (
		title   = "停电␛]52;c;cHduZWQ=␇清屏␛[2J改标题␛]0;pwned-title␇回车␍覆盖反向文字"
		content = "小区停电三天。␛]52;c;cHduZWQ=␇剪贴板␛[2J清屏␛]0;pwned-title␇标题␍回车倒序文字结束"
	)
	sc = s.waitFor("工单 20260001 · 待签收 · ", "── 诉求内容", statusMark)
	intact("the ticket")
	lines := screenLines(sc)
	if want := "工单 20260001 · 待签收 · " + title; lines[0] != want {
		t.Fatalf("the title line is %q, want %q:\n%s", lines[0], want, sc)
	}
	if err := checkFrame(sc, 100, 30); err != nil {
		t.Fatalf("the ticket: %v:\n%s", err, sc)
	}
	for _, want := range []string{"标题          " + title, content} {
		if !strings.Contains(sc, want) {
			t.Fatalf("the ticket does not show %q:\n%s", want, sc)
		}
	}
	if strings.ContainsRune(sc, '\u202e') {
		t.Fatalf("the ticket shows U+202E:\n%s", sc)
	}

	s.keys("Escape")
	sc = s.waitFor("1 待办 1", "2 未反馈 1", "3 已反馈 0")
	if err := checkList(sc, 100, 30); err != nil {
		t.Fatalf("the list after the ticket: %v:\n%s", err, sc)
	}
	intact("the list after the ticket")
	s.keys("q")
	s.waitExit()
	checkQuiet(t, stderr)
}
