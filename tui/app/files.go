package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/cells"
)

// Fetch downloads an attachment of ticket number into the cache, or finds
// it there, and returns the file's path; progress is told the bytes got so
// far, from the command's goroutine. The root's Options bring it (the
// client's Fetch); nil where there is no platform to download from.
type Fetch func(ctx context.Context, number string, a complaint.Attachment, progress func(got int64)) (path string, err error)

// Play starts playing the audio file at path, of MIME type mime, in a
// player of the system's. Its error is for the officer, in Chinese: no
// player found, or one that cannot play this type, with the setting that
// names another. The root's Options bring it (the media package); nil where
// none is set up.
type Play func(path, mime string) (Playback, error)

// Playback is a recording being played, as the screens control it.
// *media.Playback implements it. Pause, Resume and Stop may block a moment
// (Stop until the player has ended): the screens call them from commands.
type Playback interface {
	Pause() error
	Resume() error
	Stop() error
	Paused() bool
	// Done is closed when the player has ended, by itself or by Stop; Err
	// then says why it failed, nil when it played to the end or was
	// stopped.
	Done() <-chan struct{}
	Err() error
	Elapsed() time.Duration
}

// Download is an attachment on its way into the cache. The context keeps
// those under way by the file's SHA-256, so that asking again for a file
// still coming (from its ticket's page left and opened again) joins the
// download instead of fetching the file a second time.
type Download struct {
	Ticket string
	Att    complaint.Attachment
	got    atomic.Int64 // written by the command downloading
}

// Got is how many bytes have come so far.
func (d *Download) Got() int64 { return d.got.Load() }

// DownloadedMsg tells that a download ended: Path is the file in the
// cache, or Err why it could not be had.
type DownloadedMsg struct {
	D    *Download
	Path string
	Err  error
}

// downloadKey is what tells one file from another: its SHA-256, or, for a
// file the platform gave none, its ID.
func downloadKey(a complaint.Attachment) string {
	if a.SHA256 != "" {
		return "sha256:" + a.SHA256
	}
	return "id:" + a.ID
}

// Download returns the download of attachment a of ticket number: the
// one under way for the same file, with start nil, or a new one with
// start, the command that fetches it and answers with a DownloadedMsg.
// It is called from Update, and only where Fetch is set.
func (c *Context) Download(number string, a complaint.Attachment) (d *Download, start tea.Cmd) {
	k := downloadKey(a)
	if d := c.downloads[k]; d != nil {
		return d, nil
	}
	if c.downloads == nil {
		c.downloads = map[string]*Download{}
	}
	d = &Download{Ticket: number, Att: a}
	c.downloads[k] = d
	fetch, ctx := c.Fetch, c.Bg()
	return d, func() tea.Msg {
		path, err := fetch(ctx, number, a, func(got int64) { d.got.Store(got) })
		return DownloadedMsg{D: d, Path: path, Err: err}
	}
}

// Downloaded forgets d once its DownloadedMsg has come: asking for the
// file again fetches it anew (from the cache, at once, when it came).
func (c *Context) Downloaded(d *Download) {
	if k := downloadKey(d.Att); c.downloads[k] == d {
		delete(c.downloads, k)
	}
}

// UploadMsg tells how far a file being attached has got: bytes sent (or,
// while Hashing, read for its SHA-256) of Size, and its state; Err is why
// it failed, in Chinese. The root makes it from the link's upload events.
type UploadMsg struct {
	Ticket  string
	ID      string // the upload's, which is its attach action's
	Name    string
	Sent    int64
	Size    int64
	State   store.UploadState
	Hashing bool
	Err     string
}

// AttachedMsg tells that files were queued to be attached to a ticket on
// their own (not with an action).
type AttachedMsg struct {
	Ticket string
	Names  []string
}

// CheckFiles refuses, in Chinese, a list of files of which one cannot be
// attached: gone, a folder, not readable, or a name the platform would not
// keep. It checks all before any is queued, so that a bad one changes
// nothing.
func CheckFiles(paths []string) error {
	for _, p := range paths {
		if _, err := CheckFile(p); err != nil {
			return err
		}
	}
	return nil
}

// CheckFile is CheckFiles for one file, which it returns the size of.
func CheckFile(path string) (size int64, err error) {
	shown := cells.Line(path)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return 0, fmt.Errorf("找不到文件 %s", shown)
	case errors.Is(err, os.ErrPermission):
		return 0, fmt.Errorf("没有权限读取文件 %s", shown)
	case err != nil:
		return 0, fmt.Errorf("无法读取文件 %s：%v", shown, err)
	case fi.IsDir():
		return 0, fmt.Errorf("%s 是文件夹，请选择其中的文件", shown)
	case !fi.Mode().IsRegular():
		return 0, fmt.Errorf("%s 不是普通文件，不能作为附件", shown)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("没有权限读取文件 %s", shown)
	}
	f.Close()
	if err := complaint.CheckName(filepath.Base(path)); err != nil {
		return 0, fmt.Errorf("%s：%s", cells.Line(filepath.Base(path)), Refusal(err))
	}
	return fi.Size(), nil
}

// ExpandPath reads a path typed: "~" is the home folder; a relative path
// is taken from base.
func ExpandPath(p, home, base string) string {
	switch {
	case p == "~":
		return home
	case strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`):
		return filepath.Join(home, p[2:])
	case !filepath.IsAbs(p):
		return filepath.Join(base, p)
	}
	return filepath.Clean(p)
}

// attachAll queues the files for ticket, in order, and returns their ids.
// On a failure those already queued are withdrawn, so that nothing is left
// half done.
func attachAll(ctx context.Context, st Store, ticket string, base int64, part complaint.Part, files []string) ([]string, error) {
	var ids []string
	for _, p := range files {
		up, err := st.Attach(ctx, ticket, base, part, p)
		if err != nil {
			withdraw(ctx, st, ids)
			return nil, fmt.Errorf("附件 %s 未能添加：%s", cells.Line(filepath.Base(p)), err.Error())
		}
		ids = append(ids, up.ID)
	}
	return ids, nil
}

// withdraw takes attach actions just queued back out of the outbox. The
// store discards only refused actions, so they are refused first; their
// uploads are then never taken (only those of pending actions are).
func withdraw(ctx context.Context, st Store, ids []string) {
	for _, id := range ids {
		if st.MarkRefused(ctx, id, "已撤回", nil) == nil {
			_ = st.Discard(ctx, id)
		}
	}
}

// Attach queues files to be attached to ticket t as part, on their own:
// the answer is an AttachedMsg, or a NoticeMsg saying why nothing was
// queued.
func (c *Context) Attach(t complaint.Ticket, part complaint.Part, files []string) tea.Cmd {
	st, ctx, user, now, kick := c.Store, c.Bg(), c.User, c.Now(), c.Kick
	return func() tea.Msg {
		cur, err := st.Ticket(ctx, t.Number)
		if err != nil {
			return NoticeMsg{Text: "读取工单失败：" + err.Error(), Err: true}
		}
		out, err := st.Outbox(ctx, t.Number)
		if err != nil {
			return NoticeMsg{Text: "读取待发送失败：" + err.Error(), Err: true}
		}
		if err := Can(Projected(cur, out, user, now), user, complaint.KindAttach); err != nil {
			return NoticeMsg{Text: Refusal(err), Err: true}
		}
		if err := CheckFiles(files); err != nil {
			return NoticeMsg{Text: err.Error(), Err: true}
		}
		if _, err := attachAll(ctx, st, t.Number, cur.Version, part, files); err != nil {
			return NoticeMsg{Text: err.Error(), Err: true}
		}
		if kick != nil {
			kick()
		}
		names := make([]string, len(files))
		for i, p := range files {
			names[i] = filepath.Base(p)
		}
		return AttachedMsg{Ticket: t.Number, Names: names}
	}
}

// Size is a file's size as people read it, in units of 1024 and named
// so, as the command line names them: "512 B", "2.1 KiB", "28.6 MiB",
// "1.2 GiB" (10 cells at most: "1023.9 MiB").
func Size(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%d B", max(n, 0))
	case n < k*k:
		return fmt.Sprintf("%.1f KiB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MiB", float64(n)/(k*k))
	default:
		return fmt.Sprintf("%.1f GiB", float64(n)/(k*k*k))
	}
}

// Clock is a recording's length or position as players show it: "0:07",
// "12:30", "1:02:03". Parts of a second are dropped.
func Clock(d time.Duration) string {
	s := int64(max(d, 0) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// FileKind is what an attachment is, in a word: 图片, 录音, PDF, 文档, 表格,
// 演示, 视频, 压缩包, or 文件. The MIME type decides, else the name's
// extension.
func FileKind(a complaint.Attachment) string {
	t := strings.ToLower(strings.TrimSpace(a.Type))
	t, _, _ = strings.Cut(t, ";")
	ext := strings.ToLower(filepath.Ext(a.Name))
	switch {
	case strings.HasPrefix(t, "image/"):
		return "图片"
	case strings.HasPrefix(t, "audio/"), a.Part == complaint.PartRecording:
		return "录音"
	case strings.HasPrefix(t, "video/"):
		return "视频"
	case t == "application/pdf":
		return "PDF"
	case strings.Contains(t, "spreadsheet"), strings.Contains(t, "excel"), t == "text/csv":
		return "表格"
	case strings.Contains(t, "presentation"), strings.Contains(t, "powerpoint"):
		return "演示"
	case strings.Contains(t, "word"), t == "application/ofd", t == "text/plain", t == "application/rtf":
		return "文档"
	case strings.Contains(t, "zip"), strings.Contains(t, "rar"), strings.Contains(t, "7z"):
		return "压缩包"
	}
	switch ext {
	case ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".heic", ".tif", ".tiff":
		return "图片"
	case ".wav", ".mp3", ".amr", ".m4a", ".ogg":
		return "录音"
	case ".mp4", ".avi", ".mov":
		return "视频"
	case ".pdf":
		return "PDF"
	case ".xls", ".xlsx", ".csv", ".et":
		return "表格"
	case ".ppt", ".pptx", ".dps":
		return "演示"
	case ".doc", ".docx", ".wps", ".txt", ".rtf", ".ofd":
		return "文档"
	case ".zip", ".rar", ".7z":
		return "压缩包"
	}
	return "文件"
}

// Audio reports whether an attachment is a sound to play.
func Audio(a complaint.Attachment) bool { return FileKind(a) == "录音" }
