package media

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFields(t *testing.T) {
	tests := []struct {
		in     string
		escape bool
		want   []string
	}{
		{"mpv --no-video", true, []string{"mpv", "--no-video"}},
		{"  ffplay\t-nodisp  -autoexit ", true, []string{"ffplay", "-nodisp", "-autoexit"}},
		{`"/opt/播放 器/play" --title '来电 录音' a""b ''`, true, []string{"/opt/播放 器/play", "--title", "来电 录音", "ab", ""}},
		{`echo 'it'\''s' it\'s 'it\'s`, true, []string{"echo", "it's", "it's", `it\s`}}, // no escapes inside '…'
		{`play --name=𠮷\ 田 "say \"hi\" \\ \x" 'a\b'`, true, []string{"play", "--name=𠮷 田", `say "hi" \ \x`, `a\b`}},
		{`"C:\Program Files\mpv\mpv.exe" --no-video \\srv\d\x.wav`, false, []string{`C:\Program Files\mpv\mpv.exe`, "--no-video", `\\srv\d\x.wav`}},
		{`mpv "--no-video`, true, nil},
		{`mpv \`, true, nil},
		{"   ", true, nil},
		{`"" --x`, true, nil},
	}
	for _, tt := range tests {
		got, err := fields(tt.in, tt.escape)
		if tt.want == nil {
			if err == nil {
				t.Errorf("fields(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("fields(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// installed is a lookPath that finds the programs named, in /usr/bin, and
// records what it was asked for.
func installed(asked *[]string, names ...string) func(string) (string, error) {
	return func(name string) (string, error) {
		*asked = append(*asked, name)
		if slices.Contains(names, name) {
			return "/usr/bin/" + name, nil
		}
		return "", errors.New("executable file not found in $PATH")
	}
}

func TestFindPlayer(t *testing.T) {
	tests := []struct {
		configured string
		have       []string
		asked      []string
		want       []string
	}{
		{"", []string{"ffplay", "mpv", "paplay", "aplay"}, []string{"ffplay"},
			[]string{"/usr/bin/ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"}},
		{"", []string{"mpv", "paplay", "aplay"}, []string{"ffplay", "mpv"},
			[]string{"/usr/bin/mpv", "--no-video", "--really-quiet"}},
		{"", []string{"paplay", "aplay"}, []string{"ffplay", "mpv", "paplay"},
			[]string{"/usr/bin/paplay"}},
		{"", []string{"aplay"}, []string{"ffplay", "mpv", "paplay", "aplay"},
			[]string{"/usr/bin/aplay", "-q"}},
		{"mpv --no-video --volume=80 '--title=来电 录音'", []string{"ffplay", "mpv"}, []string{"mpv"},
			[]string{"/usr/bin/mpv", "--no-video", "--volume=80", "--title=来电 录音"}},
	}
	for _, tt := range tests {
		var asked []string
		p, err := FindPlayer(tt.configured, installed(&asked, tt.have...))
		if err != nil {
			t.Errorf("FindPlayer(%q) with %v: %v", tt.configured, tt.have, err)
			continue
		}
		if !slices.Equal(p.Command, tt.want) || !slices.Equal(asked, tt.asked) {
			t.Errorf("FindPlayer(%q) with %v = %q after looking for %q; want %q after %q", tt.configured, tt.have, p.Command, asked, tt.want, tt.asked)
		}
	}

	var asked []string
	_, err := FindPlayer("", installed(&asked))
	if !errors.Is(err, ErrNoPlayer) {
		t.Fatalf("FindPlayer with nothing installed: %v, want ErrNoPlayer", err)
	}
	if !slices.Equal(asked, []string{"ffplay", "mpv", "paplay", "aplay"}) {
		t.Errorf("looked for %q", asked)
	}
	for _, s := range []string{"ffplay, mpv, paplay, aplay", "[media]", `player = "mpv --no-video"`, "hotline.toml"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}

	_, err = FindPlayer("vlc --intf dummy", installed(&asked, "ffplay"))
	if !errors.Is(err, ErrNoPlayer) || !strings.Contains(err.Error(), `[media] player = "vlc --intf dummy"`) {
		t.Errorf("FindPlayer of a configured player that is missing: %v", err)
	}
	_, err = FindPlayer(`mpv "--no-video`, installed(&asked, "mpv"))
	if err == nil || errors.Is(err, ErrNoPlayer) || !strings.Contains(err.Error(), "unclosed") {
		t.Errorf("FindPlayer of a broken setting: %v", err)
	}
}

func TestPlays(t *testing.T) {
	tests := []struct {
		player string
		mime   string
		want   bool
	}{
		{"/usr/bin/ffplay", "audio/mpeg", true},
		{"/usr/bin/ffplay", "audio/wav", true},
		{"/usr/bin/mpv", "audio/amr", true},
		{"/opt/bin/my-player", "audio/mpeg", true},
		{"/usr/bin/paplay", "audio/wav", true},
		{"/usr/bin/paplay", "audio/x-wav", true},
		{"/usr/bin/aplay", "Audio/WAV; codecs=1", true},
		{"/usr/bin/aplay", "audio/mpeg", false},
		{"/usr/bin/paplay", "audio/mpeg", false},
		{"/usr/bin/ffplay", "image/jpeg", false},
		{"/usr/bin/ffplay", "", false},
	}
	for _, tt := range tests {
		if got := (Player{Command: []string{tt.player}}).Plays(tt.mime); got != tt.want {
			t.Errorf("%s plays %q: %v, want %v", tt.player, tt.mime, got, tt.want)
		}
	}
}

// stub writes a player that appends its arguments, one a line, to args and
// then runs body (by default it sleeps as a long recording plays). It is a
// shell script, so the sleep is a second process in the player's group.
func stub(t *testing.T, body string) (path, args string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stub player is a shell script")
	}
	dir := t.TempDir()
	path, args = filepath.Join(dir, "stub"), filepath.Join(dir, "args")
	script := "#!/bin/sh\nfor a in \"$0\" \"$@\"; do printf '%s\\n' \"$a\" >> '" + args + "'; done\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, args
}

// eventually waits for cond, which the player's process makes true soon.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10 s", what)
		}
	}
}

// states maps each live process in group pgid to its state letter from
// /proc/PID/stat ("R", "S", "T"...). Zombies are left out: a helper killed
// with the player is reparented to init, which reaps it in its own time.
func states(t *testing.T, pgid int) map[int]string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	m := map[int]string{}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
		s := string(b)
		rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(rest) < 3 || rest[2] != strconv.Itoa(pgid) || rest[0] == "Z" || rest[0] == "X" {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(s)[0])
		m[pid] = rest[0]
	}
	return m
}

func all(m map[int]string, state string) bool {
	for _, s := range m {
		if s != state {
			return false
		}
	}
	return len(m) > 0
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestPlayback(t *testing.T) {
	path, args := stub(t, "sleep 30")
	p, err := FindPlayer(path+" --flag", func(name string) (string, error) { return name, nil })
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)}
	p.Now = c.now
	recording := filepath.Join(t.TempDir(), "来电录音.wav")
	pb, err := p.Start(recording)
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Stop()

	want := path + "\n--flag\n" + recording + "\n"
	var got []byte
	eventually(t, "written its arguments", func() bool {
		got, _ = os.ReadFile(args)
		return len(got) >= len(want)
	})
	if string(got) != want {
		t.Errorf("the player was given\n%s\nwant\n%s", got, want)
	}

	pid := pb.cmd.Process.Pid
	linux := runtime.GOOS == "linux"
	if linux {
		eventually(t, "two processes in the player's group", func() bool { return len(states(t, pid)) == 2 })
	}
	c.add(3 * time.Second)
	if err := pb.Pause(); err != nil {
		t.Fatal(err)
	}
	if !pb.Paused() {
		t.Error("Paused() = false after Pause")
	}
	if linux {
		eventually(t, "stopped (T)", func() bool { return all(states(t, pid), "T") })
	}
	c.add(10 * time.Second)
	if d := pb.Elapsed(); d != 3*time.Second {
		t.Errorf("Elapsed while paused = %v, want 3s", d)
	}
	if err := pb.Resume(); err != nil {
		t.Fatal(err)
	}
	if pb.Paused() {
		t.Error("Paused() = true after Resume")
	}
	if linux {
		eventually(t, "running again", func() bool {
			m := states(t, pid)
			return len(m) == 2 && !all(m, "T") && m[pid] != "T"
		})
		for p, s := range states(t, pid) {
			if s == "T" {
				t.Errorf("process %d is still stopped", p)
			}
		}
	}
	c.add(2 * time.Second)
	if d := pb.Elapsed(); d != 5*time.Second {
		t.Errorf("Elapsed after resuming = %v, want 5s", d)
	}
	select {
	case <-pb.Done():
		t.Fatal("Done before Stop")
	default:
	}

	if err := pb.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pb.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if err := pb.Err(); err != nil {
		t.Errorf("Err after Stop = %v, want nil", err)
	}
	if linux {
		eventually(t, "gone, helper process too", func() bool { return len(states(t, pid)) == 0 })
	}
	c.add(7 * time.Second)
	if d := pb.Elapsed(); d != 5*time.Second {
		t.Errorf("Elapsed after Stop = %v, want 5s", d)
	}
	if err := pb.Pause(); !errors.Is(err, ErrEnded) {
		t.Errorf("Pause after Stop = %v, want ErrEnded", err)
	}
	if err := pb.Stop(); err != nil {
		t.Errorf("second Stop = %v", err)
	}
}

// TestPlaybackStopPaused stops a paused player whose helper ignores SIGTERM:
// the group is killed after two seconds.
func TestPlaybackStopPaused(t *testing.T) {
	path, args := stub(t, "trap '' TERM\nsleep 30")
	pb, err := (Player{Command: []string{path}}).Start("来电录音.wav")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "started", func() bool { b, _ := os.ReadFile(args); return strings.Count(string(b), "\n") == 2 })
	if b, _ := os.ReadFile(args); !strings.HasSuffix(string(b), "\n"+filepath.Join(mustGetwd(t), "来电录音.wav")+"\n") {
		t.Errorf("a relative path was given as\n%s", b)
	}
	if err := pb.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := pb.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pb.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if runtime.GOOS == "linux" {
		if m := states(t, pb.cmd.Process.Pid); len(m) != 0 {
			t.Errorf("left running: %v", m)
		}
	}
}

func mustGetwd(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPlaybackEnds(t *testing.T) {
	path, _ := stub(t, "exit 0")
	pb, err := (Player{Command: []string{path}}).Start("a.wav")
	if err != nil {
		t.Fatal(err)
	}
	<-pb.Done()
	if err := pb.Err(); err != nil {
		t.Errorf("Err = %v after playing to the end", err)
	}
	if err := pb.Resume(); !errors.Is(err, ErrEnded) {
		t.Errorf("Resume after the end = %v, want ErrEnded", err)
	}

	path, _ = stub(t, "echo 'ALSA lib pcm.c: cannot open audio device' >&2\nexit 3")
	pb, err = (Player{Command: []string{path}}).Start("a.wav")
	if err != nil {
		t.Fatal(err)
	}
	<-pb.Done()
	err = pb.Err()
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "cannot open audio device") {
		t.Errorf("Err = %v, want the exit status and the player's last words", err)
	}

	if _, err := (Player{Command: []string{filepath.Join(t.TempDir(), "missing")}}).Start("a.wav"); err == nil {
		t.Error("Start of a missing program succeeded")
	}
}
