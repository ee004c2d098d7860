package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"hotline/client"
	"hotline/print"
	"hotline/store"
	"hotline/tui"
)

// [media] takes a player and a viewer as command lines; one that cannot
// be read is refused naming its key, as is a key [media] does not have.
func TestSettingsMedia(t *testing.T) {
	s, err := loadSettings(writeSettings(t, "[media]\nplayer = \"mpv --no-video\"\nviewer = \"'/opt/看图 王/view' --fit\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Media != (mediaSettings{Player: "mpv --no-video", Viewer: "'/opt/看图 王/view' --fit"}) {
		t.Errorf("media %+v", s.Media)
	}
	if s, err := loadSettings(writeSettings(t, "")); err != nil || s.Media != (mediaSettings{}) {
		t.Errorf("without [media]: %+v (%v)", s.Media, err)
	}
	for _, tt := range []struct{ body, want string }{
		{"[media]\nplayer = \"mpv 'a\"", `%s: [media] player = "mpv 'a": unclosed ' quote`},
		{"[media]\nviewer = \"\\\"\\\"\"", `%s: [media] viewer = "\"\"": no program named`},
		{"[media]\nplayr = \"mpv\"", `%s: unknown setting "media.playr"`},
		{"[media]\nplayer = 3", `%s: toml: line 5 (last key "media.player"): incompatible types: TOML value has type int64; destination has type string`},
	} {
		path := writeSettings(t, tt.body)
		_, err := loadSettings(path)
		if want := strings.ReplaceAll(tt.want, "%s", path); err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", tt.body, err, want)
		}
	}
}

// The link's upload events become the screen's UploadMsg: the file, how
// far, and why it failed in the officer's words.
func TestUIUploadEventsToMessages(t *testing.T) {
	up := store.Upload{ID: "0196a0b0-0000-7000-8000-00000000000a", Ticket: "20240315001", Name: "情况说明.pdf", Size: 29989274}
	at := time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)
	var l link
	failed := up
	failed.State, failed.Error = store.UploadFailed, "文件 /home/u/情况说明.pdf 已被移动或删除，请放回原处后重试，或重新添加"
	for _, tt := range []struct {
		ev   client.Event
		want tui.UploadMsg
	}{
		{client.Event{Kind: client.Uploading, At: at, Upload: &client.UploadProgress{Upload: up, Sent: 1 << 20, Hashing: true}},
			tui.UploadMsg{Ticket: up.Ticket, ID: up.ID, Name: up.Name, Sent: 1 << 20, Size: up.Size, State: store.UploadUploading, Hashing: true}},
		{client.Event{Kind: client.Uploading, At: at, Online: true, Upload: &client.UploadProgress{Upload: up, Sent: 12897485}},
			tui.UploadMsg{Ticket: up.Ticket, ID: up.ID, Name: up.Name, Sent: 12897485, Size: up.Size, State: store.UploadUploading}},
		{client.Event{Kind: client.Uploaded, At: at, Online: true, Upload: &client.UploadProgress{Upload: up, Sent: up.Size}},
			tui.UploadMsg{Ticket: up.Ticket, ID: up.ID, Name: up.Name, Sent: up.Size, Size: up.Size, State: store.UploadDone}},
		{client.Event{Kind: client.UploadFailed, At: at, Online: true, Err: errors.New(failed.Error), Upload: &client.UploadProgress{Upload: failed}},
			tui.UploadMsg{Ticket: up.Ticket, ID: up.ID, Name: up.Name, Size: up.Size, State: store.UploadFailed, Err: failed.Error}},
	} {
		if got := l.apply(tt.ev); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.ev.Kind, got, tt.want)
		}
	}
	if got := l.apply(client.Event{Kind: client.Uploaded}); got != nil {
		t.Errorf("an event without its upload: %#v", got)
	}
}

// What the screen shows when a recording cannot be played: no player, the
// one set not there, one that cannot play the type (the type read from the
// file when the platform gave none).
func TestUIPlayerMessages(t *testing.T) {
	none := func(name string) (string, error) { return "", errors.New(name + ": not found") }
	only := func(want string) func(string) (string, error) {
		return func(name string) (string, error) {
			if name == want {
				return filepath.Join(t.TempDir(), "missing", want), nil
			}
			return "", errors.New(name + ": not found")
		}
	}
	wav := filepath.Join(t.TempDir(), "来电录音")
	if err := os.WriteFile(wav, []byte("RIFF\x24\x00\x00\x00WAVEfmt "), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		configured string
		lookPath   func(string) (string, error)
		path, mime string
		want       string
		prefix     bool // the system's reason follows want
	}{
		{"none", "", none, "/x/来电录音.wav", "audio/wav",
			`没有找到播放录音的程序（已尝试 ffplay、mpv、paplay、aplay）：请安装其中之一，或在 hotline.toml 的 [media] 中设置 player，例如 player = "mpv --no-video"`, false},
		{"configured missing", "vlc --intf dummy", none, "/x/来电录音.wav", "audio/wav",
			`找不到 hotline.toml 中 [media] player = "vlc --intf dummy" 所指的程序：请安装它或改正设置`, false},
		{"paplay and mp3", "", only("paplay"), "/x/来电录音.mp3", "audio/mpeg",
			"播放器 paplay 不能播放这种录音（audio/mpeg）：请安装 ffplay 或 mpv，或在 hotline.toml 的 [media] 中用 player 指定能播放它的程序", false},
		// The type read from the file is WAV, which paplay plays: it is
		// started (and fails, as it is not there).
		{"sniffed", "", only("paplay"), wav, "", "无法启动播放器 paplay：", true},
	} {
		ps := &players{configured: tt.configured, lookPath: tt.lookPath}
		pb, err := ps.play(tt.path, tt.mime)
		if pb != nil || err == nil || !strings.HasPrefix(err.Error(), tt.want) || (!tt.prefix && err.Error() != tt.want) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
}

// A file is opened with the viewer of the settings, its path the last
// word; without one, with the desktop's program for it.
func TestUIOpener(t *testing.T) {
	for _, tt := range []struct{ goos, name, args string }{
		{"linux", "xdg-open", "/tmp/现场 照片.jpg"},
		{"darwin", "open", "/tmp/现场 照片.jpg"},
		{"windows", "rundll32", "url.dll,FileProtocolHandler|/tmp/现场 照片.jpg"},
	} {
		name, args := print.Opener(tt.goos, "/tmp/现场 照片.jpg")
		if name != tt.name || strings.Join(args, "|") != tt.args {
			t.Errorf("%s: %s %q", tt.goos, name, args)
		}
	}
	err := opener("eog --fullscreen", func(string) (string, error) { return "", errors.New("not found") })("/tmp/a.jpg")
	if want := `找不到 hotline.toml 中 [media] viewer = "eog --fullscreen" 所指的程序：请安装它或改正设置`; err == nil || err.Error() != want {
		t.Errorf("viewer missing: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	// A viewer that writes down what it was given.
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "viewer")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > "+out+".tmp && mv "+out+".tmp "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	found := func(string) (string, error) { return script, nil }
	if err := opener("viewer --fit", found)("/tmp/现场 照片.jpg"); err != nil {
		t.Fatal(err)
	}
	// The viewer is not waited for; its note is.
	var got []byte
	for range 500 {
		if b, err := os.ReadFile(out); err == nil {
			got = b
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if string(got) != "--fit\n/tmp/现场 照片.jpg\n" {
		t.Errorf("the viewer was given %q", got)
	}
}

// Without a viewer in the settings and without the desktop's opener on
// this machine, the officer is told in Chinese what is missing and what
// to do, not exec's English.
func TestUIOpenerMissing(t *testing.T) {
	var asked []string
	none := func(name string) (string, error) {
		asked = append(asked, name)
		return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
	want, _ := print.Opener(runtime.GOOS, "")
	err := opener("", none)("/tmp/x/录音.wav")
	if msg := "没有找到打开附件的程序 " + want + "：请安装它，或在 hotline.toml 的 [media] 中用 viewer 指定打开附件的程序"; err == nil || err.Error() != msg {
		t.Errorf("no opener:\n got %v\nwant %s", err, msg)
	}
	if !reflect.DeepEqual(asked, []string{want}) {
		t.Errorf("looked for %q, want %q", asked, want)
	}
}
