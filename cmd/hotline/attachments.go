package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"hotline/complaint"
	"hotline/media"
	"hotline/print"
	"hotline/tui"
)

// What the screens do with attachments, given to them as functions (the
// tui reaches neither the network nor the media package): download into
// the cache, open in the desktop's viewer, play a recording.

// filesDir is the cache of downloaded attachments, beside the cache
// database: <state>/files/<sha256>/<name>.
func (t *terminal) filesDir() string { return filepath.Join(t.settings.State, "files") }

// fetch downloads an attachment into the cache, or finds it there.
func (t *terminal) fetch(ctx context.Context, number string, a complaint.Attachment, progress func(got int64)) (string, error) {
	return t.client.Fetch(ctx, t.filesDir(), number, a, progress)
}

// opener opens a file in viewer, the settings' [media] viewer (a command
// line, the file's path added as its last word), or else in the program the
// desktop uses for it. It does not wait for the viewer; its errors are for
// the officer.
func opener(viewer string, lookPath func(string) (string, error)) func(path string) error {
	return func(path string) error {
		var name string
		var args []string
		if strings.TrimSpace(viewer) != "" {
			cmd, err := media.Command(viewer)
			if err == nil {
				cmd[0], err = lookPath(cmd[0])
			}
			if err != nil {
				return fmt.Errorf("找不到 hotline.toml 中 [media] viewer = %q 所指的程序：请安装它或改正设置", viewer)
			}
			name, args = cmd[0], append(cmd[1:], path)
		} else {
			name, args = print.Opener(runtime.GOOS, path)
			// A desktop without its opener (a bare server, a minimal
			// install) is told so in words, not by exec's English.
			p, err := lookPath(name)
			if err != nil {
				return noViewer(name)
			}
			name = p
		}
		cmd := exec.Command(name, args...)
		// Stdin, Stdout and Stderr stay nil (the null device): the screen
		// is the TUI's.
		if err := cmd.Start(); err != nil {
			if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
				return noViewer(filepath.Base(name))
			}
			return fmt.Errorf("无法启动 %s（%v）：请在 hotline.toml 的 [media] 中用 viewer 指定打开附件的程序", filepath.Base(name), err)
		}
		go func() { _ = cmd.Wait() }()
		return nil
	}
}

// noViewer is the error of an opener not found: what to install, or set.
func noViewer(name string) error {
	return fmt.Errorf("没有找到打开附件的程序 %s：请安装它，或在 hotline.toml 的 [media] 中用 viewer 指定打开附件的程序", name)
}

// players starts recordings with the settings' [media] player, or the
// first of the usual players found, and keeps those it started so that
// none outlives the program.
type players struct {
	configured string
	lookPath   func(string) (string, error)

	mu      sync.Mutex
	started []*media.Playback
}

// play starts playing the file at path, of MIME type mime (read from the
// file when empty). Its errors are for the officer: no player found, or one
// that cannot play the type, each with the setting to change.
func (ps *players) play(path, mime string) (tui.Playback, error) {
	p, err := media.FindPlayer(ps.configured, ps.lookPath)
	switch {
	case err == nil:
	case errors.Is(err, media.ErrNoPlayer) && strings.TrimSpace(ps.configured) == "":
		return nil, errors.New(`没有找到播放录音的程序（已尝试 ffplay、mpv、paplay、aplay）：请安装其中之一，或在 hotline.toml 的 [media] 中设置 player，例如 player = "mpv --no-video"`)
	case errors.Is(err, media.ErrNoPlayer):
		return nil, fmt.Errorf("找不到 hotline.toml 中 [media] player = %q 所指的程序：请安装它或改正设置", ps.configured)
	default:
		return nil, fmt.Errorf("hotline.toml 中 [media] player = %q 有误：%v", ps.configured, errors.Unwrap(err))
	}
	if mime == "" {
		mime = sniff(path)
	}
	if !p.Plays(mime) {
		return nil, fmt.Errorf("播放器 %s 不能播放这种录音（%s）：请安装 ffplay 或 mpv，或在 hotline.toml 的 [media] 中用 player 指定能播放它的程序", p.Name(), mime)
	}
	pb, err := p.Start(path)
	if err != nil {
		return nil, fmt.Errorf("无法启动播放器 %s：%v", p.Name(), err)
	}
	ps.mu.Lock()
	ps.started = append(ps.started, pb)
	ps.mu.Unlock()
	return pb, nil
}

// stopAll stops every recording still playing: the screen stops the one
// it shows when it ends, this is for an end it did not see (a signal).
func (ps *players) stopAll() {
	ps.mu.Lock()
	started := ps.started
	ps.started = nil
	ps.mu.Unlock()
	for _, pb := range started {
		_ = pb.Stop()
	}
}

// sniff is the MIME type of the file at path, from its name and first
// bytes.
func sniff(path string) string {
	head := make([]byte, 512)
	f, err := os.Open(path)
	if err != nil {
		return media.Type(filepath.Base(path), nil)
	}
	defer f.Close()
	n, _ := io.ReadFull(f, head)
	return media.Type(filepath.Base(path), head[:n])
}
