package detail

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/editor"
	"hotline/tui/components/progress"
	"hotline/tui/pages/picker"
)

// FetchTick is how often the line of a download is redrawn, and PlayTick
// that of a recording playing (whose end it also notices).
const (
	FetchTick = 200 * time.Millisecond
	PlayTick  = time.Second
)

// files is what the page does with the ticket's attachments.
type files struct {
	sel     int   // the attachment under the cursor, in the order shown
	lines   []int // the body's line of each attachment, in that order
	uploads []store.Upload
	picker  *picker.Model // adding files to the ticket
	fetch   *fetchJob     // the download this page waits for
	play    *playing      // the recording playing
	prompt  *savePrompt   // asking where to save a copy
	// exists is the copy asked for over a file that is there: y
	// overwrites it.
	exists *copyJob
	// typed is the path last typed to save an attachment, until a copy
	// is saved: w on the same attachment offers it again, to be
	// corrected, rather than the default.
	typed typedPath
	// hashing are the uploads being read for their hash, by ID.
	hashing map[string]bool
}

// Why an attachment is being downloaded.
type purpose int

const (
	toOpen purpose = iota
	toPlay
	toSave
)

// fetchJob is what the page waits for a download to do: the download is
// the program's (app.Download), the purpose the page's. shown is how far
// it had got at the page's last tick.
type fetchJob struct {
	dl    *app.Download
	why   purpose
	dest  string // toSave: where the copy goes
	into  bool   // toSave: dest is a folder to save into
	shown int64
}

// typedPath is the path typed to save attachment id.
type typedPath struct{ id, text string }

// playing is a recording being played.
type playing struct {
	pb      app.Playback
	name    string
	total   time.Duration
	elapsed time.Duration
	paused  bool
}

// savePrompt is the line where the copy's path is typed.
type savePrompt struct {
	att  complaint.Attachment
	line editor.Model
}

func (p *savePrompt) resize(w int) {
	if p != nil {
		p.line.SetSize(w, 1)
	}
}

// copyJob is a copy of a file downloaded, to be made at dest; into dest,
// under the attachment's name, when into is set or dest is a folder.
type copyJob struct {
	name, src, dest string
	into            bool
}

// Messages of the page's commands on files. Each carries the page it is
// for: the root gives every message to every page open.
type (
	fetchTickMsg struct {
		m   *Model
		job *fetchJob
	}
	openedMsg struct {
		m    *Model
		name string
		err  error
	}
	playStartedMsg struct {
		m   *Model
		att complaint.Attachment
		pb  app.Playback
		err error
	}
	playTickMsg struct {
		m  *Model
		pb app.Playback
	}
	pausedMsg struct {
		m      *Model
		pb     app.Playback
		paused bool
		err    error
	}
	stoppedMsg struct {
		m   *Model
		pb  app.Playback
		err error
	}
	savedMsg struct {
		m      *Model
		job    copyJob
		exists bool
		err    error
	}
)

// Typing reports whether the page's keys are text: in the picker's path
// line, or the line asking where to save a copy.
func (m *Model) Typing() bool {
	return m.files.prompt != nil || (m.files.picker != nil && m.files.picker.Typing())
}

// Cursor is where the terminal cursor belongs, from the page's top-left,
// and whether it is shown: in a line being typed.
func (m *Model) Cursor() (x, y int, ok bool) {
	if m.files.picker != nil {
		return m.files.picker.Cursor()
	}
	if p := m.files.prompt; p != nil {
		cx, _ := p.line.Cursor()
		return cx, 1 + len(m.bar), true
	}
	return 0, 0, false
}

// Playing is the recording playing, "" when none.
func (m *Model) Playing() string {
	if m.files.play == nil {
		return ""
	}
	return m.files.play.name
}

// Close stops the recording playing, when the page is left: a command, as
// stopping waits for the player to end.
func (m *Model) Close() tea.Cmd {
	p := m.files.play
	if p == nil {
		return nil
	}
	m.files.play = nil
	return func() tea.Msg {
		_ = p.pb.Stop()
		return nil
	}
}

// attachments are the ticket's files in the order shown: the call
// recording first, then the ticket's, then the reply's, each as added.
func (m *Model) attachments() []complaint.Attachment {
	rank := map[complaint.Part]int{complaint.PartRecording: 0, complaint.PartTicket: 1, complaint.PartReply: 2}
	out := slices.Clone(m.ticket.Attachments)
	slices.SortStableFunc(out, func(a, b complaint.Attachment) int {
		ra, ok := rank[a.Part]
		if !ok {
			ra = 3
		}
		rb, ok := rank[b.Part]
		if !ok {
			rb = 3
		}
		return ra - rb
	})
	return out
}

// selected is the attachment under the cursor.
func (m *Model) selected() (complaint.Attachment, bool) {
	as := m.attachments()
	if len(as) == 0 {
		return complaint.Attachment{}, false
	}
	return as[max(0, min(m.files.sel, len(as)-1))], true
}

// waiting are the files of this ticket on their way up, with the part
// each goes as: those whose attach action is still in the outbox (waiting,
// or refused when the file failed) and not yet on the ticket.
func (m *Model) waiting() []waitingFile {
	parts := map[string]complaint.Part{}
	for _, it := range m.outbox {
		if it.Kind == complaint.KindAttach && (it.Status == store.StatusPending || it.Status == store.StatusRefused) {
			p := complaint.PartTicket
			if it.Attachment != nil {
				p = it.Attachment.Part
			}
			parts[it.ID] = p
		}
	}
	var out []waitingFile
	for _, u := range m.files.uploads {
		p, ok := parts[u.ID]
		if !ok || slices.ContainsFunc(m.ticket.Attachments, func(a complaint.Attachment) bool { return a.ID == u.ID }) {
			continue
		}
		out = append(out, waitingFile{Upload: u, part: p, hashing: m.files.hashing[u.ID]})
	}
	return out
}

type waitingFile struct {
	store.Upload
	part    complaint.Part
	hashing bool
}

// fileSection is the lines of the 附件 section, whose first line will be
// line start of the body; it notes where each attachment is.
func (m *Model) fileSection(start int) []string {
	st := m.ctx.Styles
	w := m.width
	k := m.keys.Files
	var out []string
	add := func(s string) { out = append(out, cells.Fit(s, w)) }
	muted := func(s string) { out = append(out, st.Muted.Render(cells.Fit(s, w))) }
	as := m.attachments()
	ups := m.waiting()
	m.files.lines = m.files.lines[:0]
	m.files.sel = max(0, min(m.files.sel, len(as)-1))
	canAttach := m.loaded && complaint.Allowed(m.ctx.User, complaint.KindAttach) && app.Can(m.projected(), m.ctx.User, complaint.KindAttach) == nil
	if len(as) == 0 && len(ups) == 0 {
		text := "（无）"
		if canAttach {
			text += "  按 " + k.Attach.Help().Key + " 添加附件"
		}
		muted(text)
		return out
	}
	c := m.fileColumns(as)
	for i, a := range as {
		m.files.lines = append(m.files.lines, start+len(out))
		mark := "  "
		if i == m.files.sel {
			mark = "▶ "
		}
		row := mark + cells.Pad(a.Part.Label(), partW) + "  " + cells.Fit(cells.Line(a.Name), c.name) +
			"  " + cells.Pad(app.FileKind(a), c.kind) + "  " + cells.PadLeft(app.Size(a.Size), c.size) +
			"  " + cells.Fit(cells.Line(m.ctx.PersonName(orDash(a.By))), c.who) + "  " + cells.Fit(m.ctx.Short(a.At), timeW)
		if c.dur > 0 && a.Duration > 0 {
			row += "  " + "时长 " + app.Clock(a.Duration)
		}
		add(row)
	}
	for _, u := range ups {
		status := m.uploadStatus(u)
		lead := func(nameW int) string {
			return "  " + cells.Pad(u.part.Label(), partW) + "  " + cells.Fit(cells.Line(u.Name), nameW) + "  "
		}
		// The name in the attachments' column; where what follows would
		// not fit after it, in no more than the name needs, so that how
		// far the file got, or why it failed, has the rest of the row.
		row := lead(c.name)
		if cells.Width(row)+cells.Width(status) > w {
			row = lead(min(max(cells.Width(cells.Line(u.Name)), 8), c.name))
		}
		room := w - cells.Width(row)
		if bar := 12; u.State == store.UploadUploading && room >= bar+1+cells.Width(status) {
			status = progress.Bar(int(u.Sent/1024), int(max(u.Size, 1)/1024), bar) + " " + status
		}
		if u.State != store.UploadFailed {
			add(row + status)
			continue
		}
		// The reason whole, wrapped in the room the row leaves: it says
		// what to do about the file.
		for i, l := range fill(status, max(room, 1)) {
			if i > 0 {
				row = strings.Repeat(" ", cells.Width(row))
			}
			out = append(out, st.Error.Render(cells.Fit(row+l, w)))
		}
	}
	if len(as) > 0 {
		if m.ctx.Fetch == nil {
			muted("（未接入平台：附件不能下载）")
		}
		hints := []string{k.NextFile.Help().Key + " 选择", k.Open.Help().Key + " 打开", k.Save.Help().Key + " 另存"}
		if slices.ContainsFunc(as, app.Audio) {
			hints = append(hints, k.Play.Help().Key+" 播放录音")
		}
		if canAttach {
			hints = append(hints, k.Attach.Help().Key+" 添加附件")
		}
		muted("  " + strings.Join(hints, " · "))
	} else if canAttach {
		muted("  " + k.Attach.Help().Key + " 添加附件")
	}
	return out
}

// Widths of the fixed columns of the 附件 section.
const (
	partW = 8  // 来电录音
	timeW = 11 // 05-06 14:20
	durW  = 9  // 时长 0:07
)

type fileCols struct{ name, kind, size, who, dur int }

// fileColumns sizes the columns to what they hold; the name takes what is
// left, at least 8 cells.
func (m *Model) fileColumns(as []complaint.Attachment) fileCols {
	c := fileCols{kind: 4, size: 6, who: 2}
	for _, a := range as {
		c.kind = max(c.kind, cells.Width(app.FileKind(a)))
		c.size = max(c.size, cells.Width(app.Size(a.Size)))
		c.who = max(c.who, min(cells.Width(cells.Line(m.ctx.PersonName(orDash(a.By)))), 8))
		if a.Duration > 0 {
			c.dur = durW
		}
	}
	fixed := 2 + partW + 2 + 2 + c.kind + 2 + c.size + 2 + c.who + 2 + timeW
	if c.dur > 0 {
		fixed += 2 + c.dur
	}
	c.name = max(m.width-fixed, 8)
	return c
}

// uploadStatus is how far a file on its way up has got, in words.
func (m *Model) uploadStatus(u waitingFile) string {
	pct := func(n, of int64) int64 {
		if of <= 0 {
			return 0
		}
		return min(n*100/of, 100)
	}
	switch {
	case u.State == store.UploadFailed:
		return "失败：" + cells.Line(u.Error)
	case u.hashing:
		return fmt.Sprintf("校验中 %d%%", pct(u.Sent, u.Size))
	case u.State == store.UploadUploading:
		return fmt.Sprintf("上传中 %d%% %s/%s", pct(u.Sent, u.Size), app.Size(u.Sent), app.Size(u.Size))
	case u.State == store.UploadDone:
		return "已上传，等待发送"
	}
	return "排队中"
}

// statusLines are drawn under the action line while something is going
// on with a file: the line asking where to save, the question whether to
// overwrite, the download and the playback.
func (m *Model) statusLines() []string {
	st := m.ctx.Styles
	w := m.width
	var out []string
	f := &m.files
	if f.prompt != nil {
		out = append(out, f.prompt.line.View())
	}
	if f.exists != nil {
		c := m.ctx.Keys.Form.Confirm.Help().Key
		out = append(out, st.Error.Render(cells.Fit(" 文件 "+cells.Line(f.exists.dest)+" 已存在：按 "+c+" 覆盖，其他键取消", w)))
	}
	if j := f.fetch; j != nil {
		a := j.dl.Att
		text := " 正在下载 " + cells.Line(a.Name) + " "
		counts := fmt.Sprintf(" %s/%s", app.Size(j.shown), app.Size(a.Size))
		if a.Size > 0 {
			counts = fmt.Sprintf(" %d%%", min(j.shown*100/a.Size, 100)) + counts
		}
		room := w - cells.Width(text) - cells.Width(counts)
		if room >= progress.MinBar {
			text += progress.Bar(int(j.shown/1024), int(max(a.Size, 1)/1024), min(room, 20))
		}
		out = append(out, cells.Fit(text+counts, w))
	}
	if p := f.play; p != nil {
		k := m.keys.Files
		state, act := "▶ 正在播放 ", " 暂停"
		if p.paused {
			state, act = "⏸ 已暂停 ", " 继续"
		}
		pos := app.Clock(p.elapsed)
		if p.total > 0 {
			// A player that runs on past the end (its own silence, a
			// length the platform rounded) shows the end, not beyond.
			pos = app.Clock(min(p.elapsed, p.total)) + " / " + app.Clock(p.total)
		}
		text := " " + state + cells.Line(p.name) + " " + pos + " · " + k.Pause.Help().Key + act + " · " + k.Stop.Help().Key + " 停止"
		out = append(out, st.OK.Render(cells.Fit(text, w)))
	}
	return out
}

// updateFiles handles what is the files' business; done is true when the
// message was theirs alone.
func (m *Model) updateFiles(msg tea.Msg) (tea.Cmd, bool) {
	f := &m.files
	if f.picker != nil {
		switch msg := msg.(type) {
		case picker.DoneMsg:
			if msg.Picker != f.picker {
				return nil, false
			}
			f.picker = nil
			m.layout()
			if len(msg.Files) == 0 {
				return nil, true
			}
			return m.ctx.Attach(m.ticket, complaint.PartTicket, picker.Paths(msg.Files)), true
		case picker.CancelMsg:
			if msg.Picker == f.picker {
				f.picker = nil
				m.layout()
				return nil, true
			}
		case tea.KeyPressMsg, tea.PasteMsg:
			return f.picker.Update(msg), true
		default:
			// Its own messages: they are its alone.
			if cmd := f.picker.Update(msg); cmd != nil {
				return cmd, true
			}
		}
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if f.prompt != nil {
			f.prompt.line.Update(msg)
		}
		return nil, true
	case app.UploadMsg:
		if msg.Ticket != m.number {
			return nil, true
		}
		i := slices.IndexFunc(f.uploads, func(u store.Upload) bool { return u.ID == msg.ID })
		if i < 0 {
			f.uploads = append(f.uploads, store.Upload{ID: msg.ID, Ticket: msg.Ticket, Name: msg.Name})
			i = len(f.uploads) - 1
		}
		u := &f.uploads[i]
		u.Size, u.Sent, u.State, u.Error = msg.Size, msg.Sent, msg.State, msg.Err
		delete(f.hashing, u.ID)
		if msg.Hashing {
			u.State = store.UploadWaiting
			if f.hashing == nil {
				f.hashing = map[string]bool{}
			}
			f.hashing[u.ID] = true
		}
		m.layout()
		return nil, true
	case fetchTickMsg:
		if msg.m != m || f.fetch != msg.job {
			return nil, true
		}
		f.fetch.shown = f.fetch.dl.Got()
		return m.ctx.After(FetchTick, msg), true
	case openedMsg:
		if msg.m != m {
			return nil, true
		}
		if msg.err != nil {
			return app.NoticeErr("无法打开“" + cells.Line(msg.name) + "”：" + msg.err.Error()), true
		}
		return app.Notice("已用系统程序打开“" + cells.Line(msg.name) + "”"), true
	case playStartedMsg:
		if msg.m != m {
			if msg.pb != nil {
				// The page was left while the player started.
				pb := msg.pb
				return func() tea.Msg { _ = pb.Stop(); return nil }, true
			}
			return nil, true
		}
		if msg.err != nil {
			return app.NoticeErr("无法播放“" + cells.Line(msg.att.Name) + "”：" + msg.err.Error()), true
		}
		f.play = &playing{pb: msg.pb, name: msg.att.Name, total: msg.att.Duration}
		return m.ctx.After(PlayTick, playTickMsg{m: m, pb: msg.pb}), true
	case playTickMsg:
		p := f.play
		if msg.m != m || p == nil || p.pb != msg.pb {
			return nil, true
		}
		select {
		case <-p.pb.Done():
			f.play = nil
			if err := p.pb.Err(); err != nil {
				return app.NoticeErr("播放“" + cells.Line(p.name) + "”出错：" + err.Error()), true
			}
			return app.Notice("“" + cells.Line(p.name) + "”播放完毕"), true
		default:
		}
		p.elapsed, p.paused = p.pb.Elapsed(), p.pb.Paused()
		return m.ctx.After(PlayTick, msg), true
	case pausedMsg:
		if msg.m != m || f.play == nil || f.play.pb != msg.pb {
			return nil, true
		}
		f.play.paused, f.play.elapsed = msg.paused, msg.pb.Elapsed()
		if msg.err != nil {
			return app.NoticeErr("暂停或继续播放失败：" + msg.err.Error()), true
		}
		return nil, true
	case stoppedMsg:
		if msg.m != m {
			return nil, true
		}
		if f.play != nil && f.play.pb == msg.pb {
			f.play = nil
		}
		if msg.err != nil {
			return app.NoticeErr("停止播放失败：" + msg.err.Error()), true
		}
		return app.Notice("已停止播放"), true
	case savedMsg:
		if msg.m != m {
			return nil, true
		}
		switch {
		case msg.exists:
			f.exists = &msg.job
			return nil, true
		case msg.err != nil:
			return app.NoticeErr("另存“" + cells.Line(msg.job.name) + "”失败：" + msg.err.Error()), true
		}
		f.typed = typedPath{}
		return app.Notice("已另存为 " + cells.Line(msg.job.dest)), true
	}
	return nil, false
}

// fill breaks s into rows of w cells, filling each: a reason names paths,
// which word wrapping would push whole to a row of their own, leaving the
// row before nearly empty. A space where a row breaks is dropped.
func fill(s string, w int) []string {
	var rows []string
	var b strings.Builder
	used := 0
	cells.Each(s, func(g string, gw int) bool {
		if used+gw > w && used > 0 {
			rows = append(rows, b.String())
			b.Reset()
			used = 0
			if g == " " {
				return true
			}
		}
		b.WriteString(g)
		used += gw
		return true
	})
	return append(rows, b.String())
}

// fileKey handles the keys of the files; ok is false for a key that is not
// theirs now.
func (m *Model) fileKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	f := &m.files
	k := m.keys.Files
	if f.prompt != nil {
		lk := m.ctx.Keys.PickerLine
		switch {
		case key.Matches(msg, lk.Go):
			p := f.prompt
			f.prompt = nil
			m.layout()
			typed := strings.TrimSpace(p.line.Value())
			dest := m.expand(typed)
			if dest == "" {
				return nil, true
			}
			f.typed = typedPath{id: p.att.ID, text: typed}
			return m.fetch(p.att, toSave, dest, folderTyped(typed)), true
		case key.Matches(msg, lk.Close):
			f.prompt = nil
			m.layout()
		default:
			f.prompt.line.Update(msg)
		}
		return nil, true
	}
	if job := f.exists; job != nil {
		f.exists = nil
		m.layout()
		if key.Matches(msg, m.ctx.Keys.Form.Confirm) {
			return m.copyTo(*job, true), true
		}
		return nil, true
	}
	if m.confirm {
		return nil, false
	}
	switch {
	case f.play != nil && key.Matches(msg, k.Pause):
		pb, paused := f.play.pb, f.play.paused
		return func() tea.Msg {
			var err error
			if paused {
				err = pb.Resume()
			} else {
				err = pb.Pause()
			}
			return pausedMsg{m: m, pb: pb, paused: pb.Paused(), err: err}
		}, true
	case key.Matches(msg, k.Stop):
		if f.play == nil {
			return app.NoticeErr("没有正在播放的录音"), true
		}
		pb := f.play.pb
		return func() tea.Msg { return stoppedMsg{m: m, pb: pb, err: pb.Stop()} }, true
	case key.Matches(msg, k.Attach):
		if !m.loaded {
			return nil, true
		}
		if err := app.Can(m.projected(), m.ctx.User, complaint.KindAttach); err != nil {
			return app.NoticeErr(app.Refusal(err)), true
		}
		f.picker = picker.New(m.ctx, "选择工单附件")
		f.picker.SetSize(m.width, m.height)
		return f.picker.Init(), true
	case key.Matches(msg, k.NextFile), key.Matches(msg, k.PrevFile):
		as := m.attachments()
		if len(as) == 0 {
			return app.NoticeErr("本工单没有附件"), true
		}
		d := 1
		if key.Matches(msg, k.PrevFile) {
			d = -1
		}
		f.sel = ((f.sel+d)%len(as) + len(as)) % len(as)
		m.layout()
		m.reveal()
		return nil, true
	case key.Matches(msg, k.Open):
		a, ok := m.selected()
		if !ok {
			return app.NoticeErr("本工单没有附件"), true
		}
		if m.ctx.Open == nil {
			return app.NoticeErr("本终端没有设置打开附件的程序"), true
		}
		return m.fetch(a, toOpen, "", false), true
	case key.Matches(msg, k.Play):
		a, ok := m.recording()
		if !ok {
			return app.NoticeErr("本工单没有录音"), true
		}
		if m.ctx.Play == nil {
			return app.NoticeErr("本终端没有设置播放器：在 hotline.toml 的 [media] 中设置 player"), true
		}
		var stop tea.Cmd
		if p := f.play; p != nil {
			// One recording at a time: the one playing stops first.
			f.play = nil
			stop = func() tea.Msg { _ = p.pb.Stop(); return nil }
		}
		return tea.Sequence(stop, m.fetch(a, toPlay, "", false)), true
	case key.Matches(msg, k.Save):
		a, ok := m.selected()
		if !ok {
			return app.NoticeErr("本工单没有附件"), true
		}
		dir := m.ctx.SaveDir
		if dir == "" {
			dir, _ = os.UserHomeDir()
		}
		ks := m.ctx.Keys.Form.Editor
		ks.Newline = key.NewBinding(key.WithDisabled())
		p := &savePrompt{att: a, line: editor.New(ks)}
		p.line.Prompt = " 另存为："
		// A long path scrolls under the prompt, which stays.
		p.line.OneLine = true
		if f.typed.id == a.ID && f.typed.text != "" {
			p.line.SetValue(f.typed.text)
		} else {
			p.line.SetValue(filepath.Join(dir, cleanName(a.Name)))
		}
		p.resize(m.width)
		f.prompt = p
		m.layout()
		// The line takes a row from the body: the attachment stays shown.
		m.reveal()
		return nil, true
	}
	return nil, false
}

// recording is the recording to play: the one under the cursor, else the
// first (the call's, shown first).
func (m *Model) recording() (complaint.Attachment, bool) {
	if a, ok := m.selected(); ok && app.Audio(a) {
		return a, true
	}
	for _, a := range m.attachments() {
		if app.Audio(a) {
			return a, true
		}
	}
	return complaint.Attachment{}, false
}

// reveal scrolls the body so that the attachment under the cursor shows.
func (m *Model) reveal() {
	if m.files.sel >= len(m.files.lines) {
		return
	}
	y, h := m.files.lines[m.files.sel], m.bodyHeight()
	if y < m.offset {
		m.offset = y
	}
	if y >= m.offset+h {
		m.offset = y - h + 1
	}
	m.clamp()
}

// fetch has a downloaded into the cache, then does with it what why
// says. A download of the same file under way, started from this ticket's
// page before it was left, is joined: the file is not fetched twice.
func (m *Model) fetch(a complaint.Attachment, why purpose, dest string, into bool) tea.Cmd {
	if m.ctx.Fetch == nil {
		return app.NoticeErr("未接入平台：附件不能下载")
	}
	if j := m.files.fetch; j != nil {
		return app.NoticeErr("正在下载“" + cells.Line(j.dl.Att.Name) + "”，请稍候")
	}
	d, start := m.ctx.Download(m.number, a)
	job := &fetchJob{dl: d, why: why, dest: dest, into: into, shown: d.Got()}
	m.files.fetch = job
	m.layout()
	return tea.Batch(m.ctx.After(FetchTick, fetchTickMsg{m: m, job: job}), start)
}

// Downloaded takes the end of a download, and reports whether the page
// acted on it: only when it waits for that download and is shown
// (shown), it opens, plays or saves the file as it was asked to. A page
// under a form or help lets go of it: a viewer or a player starting for a
// page not in sight would come out of the blue; the root then says the
// file came, and the key asks again (from the cache, at once).
func (m *Model) Downloaded(msg app.DownloadedMsg, shown bool) (tea.Cmd, bool) {
	j := m.files.fetch
	if j == nil || j.dl != msg.D {
		return nil, false
	}
	m.files.fetch = nil
	m.layout()
	if !shown {
		return nil, false
	}
	a := j.dl.Att
	if msg.Err != nil {
		return app.NoticeErr("下载附件“" + cells.Line(a.Name) + "”失败：" + msg.Err.Error()), true
	}
	switch j.why {
	case toPlay:
		return m.startPlay(a, msg.Path), true
	case toSave:
		return m.copyTo(copyJob{name: a.Name, src: msg.Path, dest: j.dest, into: j.into}, false), true
	}
	return m.open(a.Name, msg.Path), true
}

// folderTyped reports whether a path typed names a folder by its form:
// it ends in a separator.
func folderTyped(p string) bool {
	return strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator))
}

// open hands the file downloaded to the system's viewer.
func (m *Model) open(name, path string) tea.Cmd {
	open := m.ctx.Open
	if open == nil {
		return app.NoticeErr("本终端没有设置打开附件的程序")
	}
	return func() tea.Msg { return openedMsg{m: m, name: name, err: open(path)} }
}

// startPlay plays the recording downloaded.
func (m *Model) startPlay(a complaint.Attachment, path string) tea.Cmd {
	play := m.ctx.Play
	return func() tea.Msg {
		pb, err := play(path, a.Type)
		return playStartedMsg{m: m, att: a, pb: pb, err: err}
	}
}

// copyTo copies the file downloaded to job.dest; into it, by the
// attachment's name, when dest is a folder. A file there is overwritten
// only when overwrite is set; else the answer says it exists.
func (m *Model) copyTo(job copyJob, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		if fi, err := os.Stat(job.dest); job.into || err == nil && fi.IsDir() {
			// A folder typed that is not there fails below, as any
			// path into a folder not there does.
			job.dest = filepath.Join(job.dest, cleanName(job.name))
			job.into = false
		}
		exists, err := copyFile(job.src, job.dest, overwrite)
		return savedMsg{m: m, job: job, exists: exists, err: err}
	}
}

// copyFile copies src to dest, refusing to replace a file unless
// overwrite; exists reports a refusal for that reason.
func copyFile(src, dest string, overwrite bool) (exists bool, err error) {
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	out, err := os.OpenFile(dest, flag, 0o644)
	switch {
	case errors.Is(err, fs.ErrExist):
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("文件夹 %s 不存在", cells.Line(filepath.Dir(dest)))
	case errors.Is(err, fs.ErrPermission):
		return false, fmt.Errorf("没有权限写入 %s", cells.Line(dest))
	case err != nil:
		if fi, serr := os.Stat(filepath.Dir(dest)); serr == nil && !fi.IsDir() {
			return false, fmt.Errorf("%s 是文件，不是文件夹", cells.Line(filepath.Dir(dest)))
		}
		return false, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return false, err
	}
	return false, out.Close()
}

// expand reads a path typed: "~" is the home folder; a relative path is
// taken from the folder copies are saved in.
func (m *Model) expand(p string) string {
	if p == "" {
		return ""
	}
	home, _ := os.UserHomeDir()
	dir := m.ctx.SaveDir
	if dir == "" {
		dir = home
	}
	return app.ExpandPath(p, home, dir)
}

// cleanName is an attachment's name made safe as a file name here: the
// platform keeps names as given, and a name is outside text.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(name, ". ") == "" {
		return "附件"
	}
	return name
}
