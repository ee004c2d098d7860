// Package picker is the file picker: a page that lists one folder of this
// machine, folders first and names in the order of Chinese dictionaries,
// to pick files from (several at once) to attach to a ticket or a reply. A
// path can be typed to go to, and hidden files shown. It reads the disk
// only in commands; what it finds comes back as messages that carry the
// picker they are for, so that a host may forward every message to it.
// It neither attaches nor keeps anything: the host gets the files picked
// in a DoneMsg.
package picker

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bhelp "charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/editor"
)

// File is a file picked.
type File struct {
	Path string // absolute
	Name string // its name on disk, as the attachment will be called
	Size int64
}

// Paths is the paths of files, in their order: what is attached.
func Paths(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}

// DoneMsg gives the host the files picked, in the order they were picked
// (their keys pressed), as the picker's summary line lists them.
type DoneMsg struct {
	Picker *Model
	Files  []File
}

// CancelMsg tells the host the picker was left without picking.
type CancelMsg struct{ Picker *Model }

// entry is one name of the folder listed.
type entry struct {
	name string
	dir  bool
	size int64
	mod  time.Time
}

// listedMsg brings a folder read, or why it could not be.
type listedMsg struct {
	p       *Model
	seq     int
	dir     string
	entries []entry
	focus   string // the name to put the cursor on
	err     error
	gone    bool // err is that the path typed to go to is not there
}

// checkedMsg brings the answer on a file about to be picked; turn is
// when its key was pressed.
type checkedMsg struct {
	p      *Model
	file   File
	turn   int
	err    error
	finish bool
}

// Model is the picker.
type Model struct {
	ctx    *app.Context
	title  string
	home   string
	dir    string
	all    []entry // the folder, sorted
	shown  []int   // all's indexes shown: hidden names left out unless asked for
	hidden bool
	cursor int // into shown
	top    int
	// picked are the files picked, in the order their keys were pressed
	// (turns: the checks that answer run side by side and may come back
	// in another order). The summary line, DoneMsg and so the form's
	// list and the order of uploading all follow it.
	picked []File
	turns  map[string]int // path → turn
	turn   int            // the last turn given
	// checking counts the files being checked: keys wait for them
	// (Ready), so that enter after space finishes with both.
	checking int
	loading  bool
	seq      int
	typing   bool
	line     editor.Model
	err      string
	width    int
	height   int
}

// New returns a picker titled title; Init lists the folder it starts in:
// the one the picker was last left in, else the home folder.
func New(ctx *app.Context, title string) *Model {
	home, _ := os.UserHomeDir()
	ks := ctx.Keys.Form.Editor
	ks.Newline = key.NewBinding(key.WithDisabled())
	m := &Model{ctx: ctx, title: title, home: home, line: editor.New(ks), width: 1, height: 4}
	m.line.Prompt = "路径："
	// A long path scrolls under the prompt, which stays.
	m.line.OneLine = true
	m.line.Placeholder = "~/下载、/media/U盘，或相对当前文件夹的路径"
	m.line.PlaceholderStyle = ctx.Styles.Muted
	return m
}

// Init lists the starting folder; where it is gone, the home folder.
func (m *Model) Init() tea.Cmd {
	start := m.ctx.PickDir
	if start == "" {
		start = m.home
	}
	if start == "" {
		start = string(filepath.Separator)
	}
	return m.list(start, "", m.home)
}

// Ready reports whether the picker takes keys now: not while a folder is
// being read, when the rows keys would act on are not there yet, nor while
// a file picked is being checked.
func (m *Model) Ready() bool { return !m.loading && m.checking == 0 }

// Typing reports whether the path line is open, where keys are text.
func (m *Model) Typing() bool { return m.typing }

// Picked is the files picked so far.
func (m *Model) Picked() []File { return m.picked }

// KeyMap is the keys that act now, for help.
func (m *Model) KeyMap() bhelp.KeyMap {
	if m.typing {
		return m.ctx.Keys.PickerLine
	}
	return m.ctx.Keys.Picker
}

// SetSize sets the cells the picker draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.line.SetSize(w, 1)
	m.scroll()
}

// list reads dir in a command; focus is the name to put the cursor on, and
// fallback a folder to read instead when dir cannot be ("" none).
func (m *Model) list(dir, focus, fallback string) tea.Cmd {
	return m.reading(func() listedMsg { return listing(dir, focus, fallback) })
}

// reading runs find in a command, as the picker's latest reading: the
// answer of one asked for before it is dropped.
func (m *Model) reading(find func() listedMsg) tea.Cmd {
	m.seq++
	m.loading = true
	p, seq := m, m.seq
	return func() tea.Msg {
		msg := find()
		msg.p, msg.seq = p, seq
		return msg
	}
}

// listing is what list's command answers.
func listing(dir, focus, fallback string) listedMsg {
	entries, err := read(dir)
	if err != nil && fallback != "" && fallback != dir {
		if e, ferr := read(fallback); ferr == nil {
			return listedMsg{dir: fallback, entries: e}
		}
	}
	return listedMsg{dir: dir, entries: entries, focus: focus, err: err}
}

// read lists dir, folders first, then by name in the order of Chinese
// dictionaries (pinyin), numbers by their value. A link is listed as what
// it points to; a broken one as a file, which picking then refuses.
func read(dir string) ([]entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil && len(des) == 0 {
		return nil, err
	}
	out := make([]entry, 0, len(des))
	for _, de := range des {
		info, err := de.Info()
		if err != nil {
			continue
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			if target, err := os.Stat(filepath.Join(dir, de.Name())); err == nil {
				info = target
			}
		}
		out = append(out, entry{name: de.Name(), dir: info.IsDir(), size: info.Size(), mod: info.ModTime()})
	}
	coll := collate.New(language.Chinese, collate.Numeric)
	var buf collate.Buffer
	keys := make(map[string][]byte, len(out))
	for _, e := range out {
		keys[e.name] = coll.KeyFromString(&buf, e.name)
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		if a.dir != b.dir {
			if a.dir {
				return -1
			}
			return 1
		}
		if c := bytes.Compare(keys[a.name], keys[b.name]); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out, nil
}

// Update handles the picker's keys and messages; others are ignored.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listedMsg:
		if msg.p != m || msg.seq != m.seq {
			return nil
		}
		m.loading = false
		if msg.err != nil {
			m.err = folderError(m.shownPath(msg.dir), msg.err)
			if msg.gone {
				m.err = "找不到 " + m.shownPath(msg.dir)
			}
			if m.dir == "" {
				// Nothing to stay in: show the folder empty, with why.
				m.dir = msg.dir
			}
			return nil
		}
		m.dir, m.all, m.err = msg.dir, msg.entries, ""
		m.filter()
		m.cursor, m.top = 0, 0
		for i, j := range m.shown {
			if m.all[j].name == msg.focus {
				m.cursor = i
			}
		}
		m.scroll()
	case checkedMsg:
		if msg.p != m {
			return nil
		}
		m.checking = max(m.checking-1, 0)
		if msg.err != nil {
			m.err = msg.err.Error()
			return nil
		}
		m.err = ""
		if !m.isPicked(msg.file.Path) {
			i := len(m.picked)
			for i > 0 && m.turns[m.picked[i-1].Path] > msg.turn {
				i--
			}
			m.picked = slices.Insert(m.picked, i, msg.file)
			if m.turns == nil {
				m.turns = map[string]int{}
			}
			m.turns[msg.file.Path] = msg.turn
		}
		if msg.finish {
			return m.done()
		}
	case tea.PasteMsg:
		if m.typing {
			m.line.Update(msg)
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.typing {
		lk := m.ctx.Keys.PickerLine
		switch {
		case key.Matches(msg, lk.Go):
			m.typing = false
			return m.goTo(m.line.Value())
		case key.Matches(msg, lk.Close):
			m.typing = false
		default:
			m.line.Update(msg)
		}
		return nil
	}
	k := m.ctx.Keys.Picker
	if c, ok := k.Move.Scroll(msg, m.cursor, m.rows(), len(m.shown)-1); ok {
		m.cursor = max(0, min(c, len(m.shown)-1))
		m.scroll()
		return nil
	}
	e, onEntry := m.current()
	switch {
	case key.Matches(msg, k.Cancel):
		m.leave()
		return app.Send(CancelMsg{Picker: m})
	case key.Matches(msg, k.Done):
		if len(m.picked) == 0 {
			m.err = "尚未选择文件：在文件上按 " + k.Pick.Help().Key + " 选择，或按 " + k.Enter.Help().Key + " 选定"
			return nil
		}
		return m.done()
	case key.Matches(msg, k.Parent):
		parent := filepath.Dir(m.dir)
		if parent == m.dir {
			return nil
		}
		return m.list(parent, filepath.Base(m.dir), "")
	case key.Matches(msg, k.Path):
		// Empty: a path relative to the folder shown goes from there.
		m.typing, m.err = true, ""
		m.line.SetValue("")
		return nil
	case key.Matches(msg, k.Hidden):
		name := ""
		if onEntry {
			name = e.name
		}
		m.hidden = !m.hidden
		m.filter()
		m.cursor = 0
		for i, j := range m.shown {
			if m.all[j].name == name {
				m.cursor = i
			}
		}
		m.scroll()
		return nil
	case !onEntry:
		return nil
	case key.Matches(msg, k.Enter):
		path := filepath.Join(m.dir, e.name)
		if e.dir {
			return m.list(path, "", "")
		}
		if m.isPicked(path) {
			return m.done()
		}
		return m.check(path, true)
	case key.Matches(msg, k.Pick):
		path := filepath.Join(m.dir, e.name)
		if e.dir {
			m.err = cells.Line(e.name) + " 是文件夹：按 " + k.Enter.Help().Key + " 进入后选择其中的文件"
			return nil
		}
		if m.isPicked(path) {
			m.picked = slices.DeleteFunc(m.picked, func(f File) bool { return f.Path == path })
			delete(m.turns, path)
			m.err = ""
			return nil
		}
		return m.check(path, false)
	}
	return nil
}

// done ends the picking with the files picked.
func (m *Model) done() tea.Cmd {
	m.leave()
	return app.Send(DoneMsg{Picker: m, Files: slices.Clone(m.picked)})
}

// leave keeps the folder for the next picker to open in.
func (m *Model) leave() {
	if m.dir != "" {
		m.ctx.PickDir = m.dir
	}
}

// check makes sure, in a command, that the file at path can be attached,
// and answers with its size.
func (m *Model) check(path string, finish bool) tea.Cmd {
	p := m
	m.turn++
	m.checking++
	turn := m.turn
	return func() tea.Msg {
		size, err := app.CheckFile(path)
		if err != nil {
			return checkedMsg{p: p, turn: turn, err: err}
		}
		return checkedMsg{p: p, turn: turn, file: File{Path: path, Name: filepath.Base(path), Size: size}, finish: finish}
	}
}

// goTo goes to the path typed: into a folder, or to a file's folder with
// the cursor on it. "~" is the home folder; a relative path starts from the
// folder shown. The path is looked at in the command that reads it.
func (m *Model) goTo(typed string) tea.Cmd {
	p := strings.TrimSpace(typed)
	if p == "" {
		return nil
	}
	p = filepath.Clean(app.ExpandPath(p, m.home, m.dir))
	return m.reading(func() listedMsg {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			return listedMsg{dir: p, err: err, gone: errors.Is(err, fs.ErrNotExist)}
		case fi.IsDir():
			return listing(p, "", "")
		}
		return listing(filepath.Dir(p), filepath.Base(p), "")
	})
}

func folderError(shown string, err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "没有权限打开文件夹 " + shown
	case errors.Is(err, fs.ErrNotExist):
		return "找不到文件夹 " + shown
	}
	return "无法打开文件夹 " + shown + "：" + err.Error()
}

func (m *Model) isPicked(path string) bool {
	return slices.ContainsFunc(m.picked, func(f File) bool { return f.Path == path })
}

// current is the entry under the cursor.
func (m *Model) current() (entry, bool) {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return entry{}, false
	}
	return m.all[m.shown[m.cursor]], true
}

// filter leaves hidden names out of what is shown unless asked for.
func (m *Model) filter() {
	m.shown = m.shown[:0]
	for i, e := range m.all {
		if m.hidden || !strings.HasPrefix(e.name, ".") {
			m.shown = append(m.shown, i)
		}
	}
}

// rows is how many entries fit: the page less its title, the column
// titles and the last line.
func (m *Model) rows() int { return max(m.height-3, 1) }

func (m *Model) scroll() {
	n := m.rows()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+n {
		m.top = m.cursor - n + 1
	}
	m.top = max(0, min(m.top, len(m.shown)-n))
}

// shownPath is p as the picker writes it: under the home folder from "~",
// made safe to draw (a folder's name is outside text).
func (m *Model) shownPath(p string) string {
	if m.home != "" {
		if p == m.home {
			return "~"
		}
		if rel, ok := strings.CutPrefix(p, m.home+string(filepath.Separator)); ok {
			p = "~" + string(filepath.Separator) + rel
		}
	}
	return cells.Line(p)
}

// Widths of the columns besides the name.
const (
	markW = 2
	sizeW = 10 // 1023.9 MiB
	timeW = 11
)

// View draws exactly the page's height in lines of exactly its width: the
// folder, the column titles, the entries and a last line with the files
// picked, a problem, or the path line.
func (m *Model) View() string {
	st := m.ctx.Styles
	w := m.width
	out := make([]string, 0, m.height)
	title := m.title + "：" + m.shownPath(m.dir)
	if m.hidden {
		title += "（显示隐藏文件）"
	}
	if cells.Width(title) > w {
		// The end of a long path is the part that tells where one is.
		title = cells.Ellipsis + tail(title, w-1)
	}
	out = append(out, st.Title.Render(cells.Fit(title, w)))
	nameW := max(w-markW-sizeW-timeW-4, 1)
	head := strings.Repeat(" ", markW) + cells.Fit("名称", nameW) + "  " + cells.PadLeft("大小", sizeW) + "  " + cells.Fit("修改时间", timeW)
	out = append(out, st.Header.Render(cells.Fit(head, w)))
	n := m.rows()
	switch {
	case m.loading && len(m.all) == 0:
		out = append(out, st.Muted.Render(cells.Fit("  正在读取…", w)))
	case len(m.shown) == 0:
		text := "  （空文件夹）"
		if len(m.all) > 0 {
			text = "  （只有隐藏文件：按 " + m.ctx.Keys.Picker.Hidden.Help().Key + " 显示）"
		}
		out = append(out, st.Muted.Render(cells.Fit(text, w)))
	}
	for i := m.top; i < len(m.shown) && i < m.top+n; i++ {
		e := m.all[m.shown[i]]
		mark := "  "
		if !e.dir && m.isPicked(filepath.Join(m.dir, e.name)) {
			mark = "✓ "
		}
		name, size := cells.Line(e.name), app.Size(e.size)
		if e.dir {
			name += string(filepath.Separator)
			size = "文件夹"
		}
		row := mark + cells.Fit(name, nameW) + "  " + cells.PadLeft(size, sizeW) + "  " + cells.Fit(m.ctx.Short(e.mod), timeW)
		row = cells.Fit(row, w)
		if i == m.cursor {
			row = st.Selected.Render(row)
		}
		out = append(out, row)
	}
	for len(out) < m.height-1 {
		out = append(out, strings.Repeat(" ", w))
	}
	out = append(out[:m.height-1], m.lastLine())
	return strings.Join(out, "\n")
}

// lastLine is the path line while it is open, else a problem, else what
// has been picked.
func (m *Model) lastLine() string {
	st := m.ctx.Styles
	w := m.width
	switch {
	case m.typing:
		return m.line.View()
	case m.err != "":
		return st.Error.Render(cells.Fit(" "+cells.Line(m.err), w))
	case len(m.picked) == 0:
		k := m.ctx.Keys.Picker
		return st.Muted.Render(cells.Fit(" 尚未选择：按 "+k.Pick.Help().Key+" 选择（可多选），"+k.Enter.Help().Key+" 选定并完成", w))
	}
	var total int64
	names := make([]string, len(m.picked))
	for i, f := range m.picked {
		total += f.Size
		names[i] = cells.Line(f.Name)
	}
	text := fmt.Sprintf(" 已选 %d 个（共 %s）：%s", len(m.picked), app.Size(total), strings.Join(names, "、"))
	return cells.Fit(text, w)
}

// tail is the end of s that fits in w cells.
func tail(s string, w int) string {
	gs := cells.Graphemes(s)
	used := 0
	i := len(gs)
	for i > 0 && used+cells.Width(gs[i-1]) <= w {
		used += cells.Width(gs[i-1])
		i--
	}
	return strings.Join(gs[i:], "")
}

// Cursor is where the terminal cursor belongs, from the page's top-left,
// and whether it is shown: in the path line only.
func (m *Model) Cursor() (x, y int, ok bool) {
	if !m.typing {
		return 0, 0, false
	}
	cx, _ := m.line.Cursor()
	return cx, m.height - 1, true
}
