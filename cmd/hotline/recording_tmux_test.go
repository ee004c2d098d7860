package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/media"
	"hotline/store"
	"hotline/tui/app"
)

// TestRecordingPlaysInTmux: the demo's center dispatches tickets with the
// citizen's call, spoken by espeak-ng -v zh, attached. The duty officer
// opens the newest in the real program, sees the recording with the length
// read from the file, and plays it with l through the player hotline.toml
// names: a stub that writes down what it was given. The terminal's cache
// holds the recording's exact duration, and the file the player got is the
// recording, byte for byte.
func TestRecordingPlaysInTmux(t *testing.T) {
	testenv.Command(t, "espeak-ng", "espeak-ng")
	hotline, _ := binaries(t)
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo")
	run := fmt.Sprintf("%s demo --every 0 --tickets 20 --dir %s 2>>%s", hotline, demo, filepath.Join(dir, "stderr"))

	// A first run makes the kept demo and its terminal's settings.
	s := newTmux(t, tmuxOptions{width: 120, height: 40, lang: "zh_CN.UTF-8"}, run)
	s.waitFor("1 待办 5", statusMark)
	s.keys("q")
	s.waitExit()

	recs, err := filepath.Glob(filepath.Join(demo, "recordings", "来电录音-*.wav"))
	if err != nil || len(recs) != 3 {
		t.Fatalf("recordings %q, %v; want the three newest tickets'", recs, err)
	}
	rec := recs[len(recs)-1] // the newest: the last row of 待办
	number := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(rec), "来电录音-"), ".wav")
	want, err := media.FileDuration(rec)
	if err != nil || want < time.Second {
		t.Fatalf("the recording's duration: %v, %v", want, err)
	}

	args := filepath.Join(dir, "player-args")
	stub := filepath.Join(dir, "player")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '" + args + "'; done\nexec sleep 60\n"
	if err := os.WriteFile(stub, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(demo, "duty-demo", "hotline.toml")
	f, err := os.OpenFile(settings, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n[media]\nplayer = '%s --no-video'\n", stub)
	f.Close()

	s = newTmux(t, tmuxOptions{width: 120, height: 40, lang: "zh_CN.UTF-8"}, run)
	sc := s.waitFor("1 待办 5", statusMark, number)
	rows := screenLines(sc)
	at := -1
	for i, l := range rows {
		if strings.Contains(l, number) {
			at = i
		}
	}
	// The list's cursor starts on its first ticket, on line 2.
	for range at - 2 {
		s.keys("Down")
	}
	s.keys("Enter")
	clock := "时长 " + app.Clock(want)
	s.waitFor("工单 "+number, "── 附件", "来电录音  来电录音-"+number+".wav", clock)
	s.keys("l")
	sc = s.waitFor("▶ 正在播放 来电录音-"+number+".wav", "/ "+app.Clock(want))

	var got []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, _ = os.ReadFile(args)
		if strings.Count(string(got), "\n") >= 2 || time.Now().After(deadline) {
			break
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "--no-video" || filepath.Base(lines[1]) != "来电录音-"+number+".wav" {
		t.Fatalf("the player was given %q, want --no-video and the cached recording:\n%s", lines, sc)
	}
	cached, err := os.ReadFile(lines[1])
	if err != nil {
		t.Fatal(err)
	}
	original, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if string(cached) != string(original) {
		t.Fatalf("the player got %d bytes, not the recording's %d", len(cached), len(original))
	}

	s.keys("x")
	s.waitFor("已停止播放")
	s.keys("Escape")
	s.waitFor("1 待办 5")
	s.keys("q")
	s.waitExit()

	// What the terminal keeps is the duration the platform read from the
	// file, to the nanosecond.
	st, err := store.Open(filepath.Join(demo, "duty-demo", "state", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tk, err := st.Ticket(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 1 || tk.Attachments[0].Part != complaint.PartRecording || tk.Attachments[0].Duration != want {
		t.Fatalf("the cache holds %+v, want one recording of %v", tk.Attachments, want)
	}
}
