// Package form is the keyboard form of every action on a ticket: assign,
// contact, reply, review, return, extension, dispatch, close, reopen, urge and
// supervise. A form is a column of fields — texts edited with the
// width-correct editor, one-line entries, choices, lists, criteria to
// tick and files to attach, picked with the file picker — over the
// ticket's number and title. Every text, and the list of files, is kept as
// a draft in the store a moment after the typing stops and when the form is
// left, and comes back when the form is opened again; ctrl+s puts the
// action in the outbox, after its files, or in the place of the refused
// action the form was opened to correct.
package form

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/editor"
	"hotline/tui/pages/picker"
)

// DraftDelay is how long typing must pause before a draft is saved.
const DraftDelay = 700 * time.Millisecond

// Kind is what a field holds and how it is edited.
type Kind int

const (
	Text   Kind = iota // several lines of text
	Line               // one line: a time, a number
	Choice             // one of a few options, side by side (←/→)
	List               // one of many options, one a line (↑/↓)
	Checks             // numbered criteria to tick (space, 1–5)
	Static             // text to read, not to edit
	Files              // files to attach with the action, picked with the file picker
)

// Option is one choice of a Choice or List field.
type Option struct {
	Value string
	Label string
}

// Field is one entry of a form.
type Field struct {
	Name  string // its draft's name in the store, and how the form finds it
	Label string
	Kind  Kind
	Hint  string // shown while a text is empty
	Rows  int    // Text: the fewest rows it is drawn with
	// Options of a Choice or List; the items of Checks.
	Options []Option
	// Notes are drawn after the Checks item of the same index (the
	// review pre-check's marks).
	Notes []string
	// Show, when set, hides the field while it returns false.
	Show func(m *Model) bool

	ed       editor.Model
	files    []picker.File
	sel      int // Choice, List: the option chosen; Checks, Files: the cursor
	checked  []bool
	top      int // List: first option drawn
	seq      int // edits so far
	savedSeq int // the edit the stored draft holds
}

// Value is the text of a Text or Line field.
func (f *Field) Value() string { return f.ed.Value() }

// Selected is the value of the option chosen in a Choice or List field.
func (f *Field) Selected() string {
	if f.sel < 0 || f.sel >= len(f.Options) {
		return ""
	}
	return f.Options[f.sel].Value
}

// grow makes room for a tick for every item of a Checks field.
func (f *Field) grow() {
	for len(f.checked) < len(f.Options) {
		f.checked = append(f.checked, false)
	}
}

// Check ticks item n (from 1) of a Checks field.
func (f *Field) Check(n int) {
	f.grow()
	if n >= 1 && n <= len(f.checked) {
		f.checked[n-1] = true
	}
}

// Checked lists the ticked items of a Checks field, numbered from 1.
func (f *Field) Checked() []int {
	var out []int
	for i, c := range f.checked {
		if c {
			out = append(out, i+1)
		}
	}
	return out
}

// Select chooses the option with the value, if there is one.
func (f *Field) Select(value string) {
	for i, o := range f.Options {
		if o.Value == value {
			f.sel = i
			return
		}
	}
}

// SetValue replaces the text of a Text or Line field.
func (f *Field) SetValue(s string) { f.ed.SetValue(s) }

func (f *Field) editable() bool { return f.Kind == Text || f.Kind == Line }

// drafted reports whether the field is kept as a draft: texts, and the
// list of files (their paths, one a line).
func (f *Field) drafted() bool { return f.editable() || f.Kind == Files }

// Files is the files of a Files field, in the order they were added.
func (f *Field) Files() []picker.File { return f.files }

// AddFiles adds files to a Files field, each once.
func (f *Field) AddFiles(files ...picker.File) {
	for _, x := range files {
		if !slices.ContainsFunc(f.files, func(y picker.File) bool { return y.Path == x.Path }) {
			f.files = append(f.files, x)
		}
	}
}

// draft is what the store keeps of the field.
func (f *Field) draft() string {
	if f.Kind != Files {
		return f.Value()
	}
	return strings.Join(picker.Paths(f.files), "\n")
}

// Model is one action's form on one ticket.
type Model struct {
	ctx    *app.Context
	name   string
	title  string
	ticket complaint.Ticket
	item   *store.OutboxItem // the refused action being corrected, or nil
	fields []*Field
	focus  int
	// build turns the fields into the action, or says what is missing.
	build func(m *Model) (complaint.Action, string)
	// kinds are the actions the form may submit, to know its answers.
	kinds []complaint.Kind
	// precheck, when set, shows the review pre-check of the reply the
	// fields make, beside or under them, as it is typed.
	precheck bool
	// onChange runs after a Choice or List field changed (the handlers
	// of the sub-unit chosen).
	onChange func(m *Model, f *Field)
	// part is what the files of a Files field are attached as.
	part complaint.Part

	restored   bool
	submitting bool
	err        string
	// faulty is the field the last problem build found is about (see
	// fault), or "".
	faulty  string
	savedAt time.Time
	saveErr error
	width   int
	height  int
	// picker is the file picker while it is open over the form.
	picker *picker.Model
	// last orders the saves of drafts (see SaveNow).
	last *lastSave
}

// lastSave lets SaveNow have the last word: once it has run, a save
// still on its way in a command (of an older text) writes nothing.
type lastSave struct {
	mu   sync.Mutex
	done bool
}

// Name is the form's name (one of the keys.Form* names).
func (m *Model) Name() string { return m.name }

// Ticket is the ticket the form acts on.
func (m *Model) Ticket() complaint.Ticket { return m.ticket }

// Field returns the field with the name, or nil.
func (m *Model) Field(name string) *Field {
	for _, f := range m.fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Value is the text of the named field ("" when there is none).
func (m *Model) Value(name string) string {
	if f := m.Field(name); f != nil {
		return f.Value()
	}
	return ""
}

// Focused is the field with the focus.
func (m *Model) Focused() *Field { return m.fields[m.focus] }

// Ready reports whether the form takes keys now: not while an action it
// sent is being checked and stored, when its answer decides whether the form
// closes. Keys typed meanwhile wait for it. Drafts do not make it wait: keys
// typed before they arrive win over them.
func (m *Model) Ready() bool { return !m.submitting && (m.picker == nil || m.picker.Ready()) }

// Picking reports whether the file picker is open over the form.
func (m *Model) Picking() bool { return m.picker != nil }

// Typing reports whether every key but force quit is the form's: always
// but in the file picker outside its path line, whose keys are not text.
func (m *Model) Typing() bool { return m.picker == nil || m.picker.Typing() }

// Err is the form's complaint about what was typed, or the refusal.
func (m *Model) Err() string { return m.err }

// KeyMap is the form's keys, for help.
func (m *Model) KeyMap() help.KeyMap {
	if m.picker != nil {
		return m.picker.KeyMap()
	}
	return m.ctx.Keys.Form
}

func (m *Model) add(f *Field) *Field {
	ks := m.ctx.Keys.Form.Editor
	if f.Kind == Line {
		// Enter moves on in a one-line entry.
		ks.Newline = key.NewBinding(key.WithDisabled())
	}
	f.ed = editor.New(ks)
	f.ed.Placeholder = f.Hint
	f.ed.PlaceholderStyle = m.ctx.Styles.Muted
	m.fields = append(m.fields, f)
	return f
}

func (m *Model) visible(f *Field) bool { return f.Show == nil || f.Show(m) }

// Init reads the drafts of the form's texts.
func (m *Model) Init() tea.Cmd {
	st, ctx, n, form := m.ctx.Store, m.ctx.Bg(), m.ticket.Number, m.name
	var names, lists []string
	for _, f := range m.fields {
		switch {
		case f.editable():
			names = append(names, f.Name)
		case f.Kind == Files:
			lists = append(lists, f.Name)
		}
	}
	return func() tea.Msg {
		vals := map[string]string{}
		for _, name := range names {
			v, err := st.Draft(ctx, n, name)
			if err != nil {
				return DraftsLoadedMsg{Ticket: n, Form: form, Err: err}
			}
			if v != "" {
				vals[name] = v
			}
		}
		files := map[string][]picker.File{}
		for _, name := range lists {
			v, err := st.Draft(ctx, n, name)
			if err != nil {
				return DraftsLoadedMsg{Ticket: n, Form: form, Err: err}
			}
			for _, p := range strings.Split(v, "\n") {
				if p == "" {
					continue
				}
				// A file moved since is listed as gone (Size -1):
				// sending refuses it, saying so, until it is taken off.
				f := picker.File{Path: p, Name: filepath.Base(p), Size: -1}
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
					f.Size = fi.Size()
				}
				files[name] = append(files[name], f)
			}
		}
		return DraftsLoadedMsg{Ticket: n, Form: form, Values: vals, Files: files}
	}
}

// DraftsLoadedMsg carries the saved drafts of a form's texts and lists of
// files.
type DraftsLoadedMsg struct {
	Ticket string
	Form   string
	Values map[string]string
	Files  map[string][]picker.File
	Err    error
}

// draftDueMsg fires DraftDelay after an edit; it saves only if no later
// edit of the field came.
type draftDueMsg struct {
	ticket, field string
	seq           int
}

// DraftSavedMsg reports a draft save.
type DraftSavedMsg struct {
	Ticket string
	Field  string
	Seq    int
	At     time.Time
	Err    error
}

// SetSize sets the cells the form draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.picker != nil {
		m.picker.SetSize(w, h)
	}
	m.layout()
}

// Update handles the form's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if m.picker != nil {
		switch msg := msg.(type) {
		case picker.DoneMsg:
			if msg.Picker == m.picker {
				m.picker = nil
				return m.addFiles(msg.Files)
			}
		case picker.CancelMsg:
			if msg.Picker == m.picker {
				m.picker = nil
			}
		case tea.KeyPressMsg, tea.PasteMsg:
			return m.picker.Update(msg)
		default:
			// Its own messages (a folder read); the form's go on below.
			if cmd := m.picker.Update(msg); cmd != nil {
				return tea.Batch(cmd, m.update(msg))
			}
		}
	}
	return m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	n := m.ticket.Number
	switch msg := msg.(type) {
	case DraftsLoadedMsg:
		if msg.Ticket != n || msg.Form != m.name || m.restored {
			return nil
		}
		m.restored = true
		if msg.Err != nil {
			return app.NoticeErr("读取草稿失败：" + msg.Err.Error())
		}
		restored := 0
		for _, f := range m.fields {
			// Keys typed before the drafts arrived win over them.
			if v, ok := msg.Values[f.Name]; ok && f.seq == 0 {
				f.ed.SetValue(v)
				f.savedSeq = f.seq
				restored++
			}
			if v, ok := msg.Files[f.Name]; ok && f.seq == 0 && len(v) > 0 {
				f.files = v
				restored++
			}
		}
		m.layout()
		if restored > 0 {
			return app.Notice("已恢复草稿")
		}
	case draftDueMsg:
		if msg.ticket != n {
			return nil
		}
		if f := m.Field(msg.field); f != nil && msg.seq == f.seq && f.seq != f.savedSeq {
			return m.save(f)
		}
	case DraftSavedMsg:
		if msg.Ticket != n {
			return nil
		}
		m.saveErr = msg.Err
		if f := m.Field(msg.Field); f != nil && msg.Err == nil {
			f.savedSeq = max(f.savedSeq, msg.Seq)
			m.savedAt = msg.At
		}
	case app.EnqueuedMsg:
		if m.submitting && msg.Action.Ticket == n && m.mine(msg.Action.Kind) {
			m.submitting = false
			for _, f := range m.fields {
				f.savedSeq = f.seq
			}
			return m.ctx.Navigate(app.BackMsg{})
		}
	case app.RefusedMsg:
		if m.submitting && msg.Action.Ticket == n && m.mine(msg.Action.Kind) {
			m.submitting = false
			m.err = msg.Reason
		}
	case tea.PasteMsg:
		return m.edit(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) mine(k complaint.Kind) bool {
	for _, x := range m.kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Form
	switch {
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.Attach):
		return m.pick()
	case key.Matches(msg, k.Cancel):
		return tea.Sequence(m.saveAll(), m.ctx.Navigate(app.BackMsg{}))
	case key.Matches(msg, k.Next):
		m.move(1)
		return nil
	case key.Matches(msg, k.Prev):
		m.move(-1)
		return nil
	}
	f := m.Focused()
	ed := k.Editor
	up := key.Matches(msg, ed.Up) || msg.String() == "k"
	down := key.Matches(msg, ed.Down) || msg.String() == "j"
	enter := msg.String() == "enter"
	switch f.Kind {
	case Line:
		if enter {
			m.move(1)
			return nil
		}
		return m.edit(msg)
	case Text:
		return m.edit(msg)
	case Files:
		switch {
		case up:
			f.sel = max(f.sel-1, 0)
		case down:
			f.sel = max(min(f.sel+1, len(f.files)-1), 0)
		case enter:
			return m.pick()
		case key.Matches(msg, k.Detach) && len(f.files) > 0:
			f.files = slices.Delete(f.files, f.sel, f.sel+1)
			f.sel = max(min(f.sel, len(f.files)-1), 0)
			f.seq++
			m.err = ""
			m.layout()
			return m.save(f)
		}
	case Choice:
		switch {
		case key.Matches(msg, ed.Left):
			m.choose(f, f.sel-1)
		case key.Matches(msg, ed.Right), msg.String() == "space":
			m.choose(f, f.sel+1)
		case enter:
			m.move(1)
		}
	case List:
		switch {
		case up:
			m.choose(f, f.sel-1)
		case down:
			m.choose(f, f.sel+1)
		case enter:
			m.move(1)
		}
	case Checks:
		switch s := msg.String(); {
		case up:
			f.sel = max(f.sel-1, 0)
		case down:
			f.sel = min(f.sel+1, len(f.Options)-1)
		case key.Matches(msg, k.Toggle):
			// A digit ticks its own item; space the one under the cursor.
			if len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
				n := int(s[0] - '1')
				if n >= len(f.Options) {
					break
				}
				f.sel = n
			}
			m.toggle(f, f.sel)
		case enter:
			m.move(1)
		}
	}
	m.layout()
	return nil
}

// choose selects option i of a Choice (wrapping round) or a List (stopping
// at the ends).
func (m *Model) choose(f *Field, i int) {
	n := len(f.Options)
	if n == 0 {
		return
	}
	if f.Kind == Choice {
		i = (i%n + n) % n
	} else {
		i = max(0, min(i, n-1))
	}
	if i == f.sel {
		return
	}
	f.sel = i
	m.err = ""
	if m.onChange != nil {
		m.onChange(m, f)
	}
}

func (m *Model) toggle(f *Field, i int) {
	f.grow()
	f.checked[i] = !f.checked[i]
	m.err = ""
	if m.onChange != nil {
		m.onChange(m, f)
	}
}

// filesField is the form's list of files, or nil when it takes none.
func (m *Model) filesField() *Field {
	for _, f := range m.fields {
		if f.Kind == Files {
			return f
		}
	}
	return nil
}

// pick opens the file picker over the form.
func (m *Model) pick() tea.Cmd {
	f := m.filesField()
	if f == nil {
		return app.NoticeErr("“" + m.title + "”不带附件：在工单页按 " + m.ctx.Keys.Detail.Files.Attach.Help().Key + " 添加附件")
	}
	m.focus = slices.Index(m.fields, f)
	m.picker = picker.New(m.ctx, "选择"+f.Label)
	m.picker.SetSize(m.width, m.height)
	return m.picker.Init()
}

// addFiles puts the files picked on the list and keeps it as a draft at
// once: picking them again would be tedious.
func (m *Model) addFiles(files []picker.File) tea.Cmd {
	f := m.filesField()
	if f == nil || len(files) == 0 {
		m.layout()
		return nil
	}
	f.AddFiles(files...)
	f.sel = len(f.files) - 1
	f.seq++
	m.err = ""
	m.layout()
	return m.save(f)
}

// move gives the focus to the next (d=1) or previous (d=-1) field that is
// shown and can be edited.
func (m *Model) move(d int) {
	n := len(m.fields)
	for i := 1; i <= n; i++ {
		j := ((m.focus+d*i)%n + n) % n
		if f := m.fields[j]; f.Kind != Static && m.visible(f) {
			m.focus = j
			break
		}
	}
	m.layout()
}

func (m *Model) edit(msg tea.Msg) tea.Cmd {
	f := m.Focused()
	if !f.editable() || !f.ed.Update(msg) {
		m.layout()
		return nil
	}
	f.seq++
	m.err = ""
	m.layout()
	return m.ctx.After(DraftDelay, draftDueMsg{ticket: m.ticket.Number, field: f.Name, seq: f.seq})
}

// save writes a field's text as it is now; an emptied field forgets its
// draft.
func (m *Model) save(f *Field) tea.Cmd {
	write, last := m.writer(f), m.last
	return func() tea.Msg {
		last.mu.Lock()
		defer last.mu.Unlock()
		if last.done {
			return nil
		}
		return write()
	}
}

// writer is what save and SaveNow write of f: its text as it is now.
func (m *Model) writer(f *Field) func() DraftSavedMsg {
	st, ctx, n, name, seq, text, now := m.ctx.Store, m.ctx.Bg(), m.ticket.Number, f.Name, f.seq, f.draft(), m.ctx.Now
	return func() DraftSavedMsg {
		var err error
		if strings.TrimSpace(text) == "" {
			err = st.DeleteDraft(ctx, n, name)
		} else {
			err = st.SaveDraft(ctx, n, name, text)
		}
		return DraftSavedMsg{Ticket: n, Field: name, Seq: seq, At: now(), Err: err}
	}
}

// SaveNow saves, in the caller's goroutine and before it returns, every
// draft not saved since its last edit: for the end of the program, when
// the save a moment after the typing would never come. From then on only
// SaveNow writes the form's drafts, so that a save of an older text still
// on its way cannot land after it. It returns the first failure.
func (m *Model) SaveNow() error {
	m.last.mu.Lock()
	defer m.last.mu.Unlock()
	m.last.done = true
	var first error
	for _, f := range m.fields {
		if !f.drafted() || f.seq == f.savedSeq {
			continue
		}
		saved := m.writer(f)()
		if saved.Err != nil {
			if first == nil {
				first = saved.Err
			}
			continue
		}
		f.savedSeq, m.savedAt = saved.Seq, saved.At
	}
	m.saveErr = first
	return first
}

// saveAll saves every text not saved since its last edit.
func (m *Model) saveAll() tea.Cmd {
	var cmds []tea.Cmd
	for _, f := range m.fields {
		if f.drafted() && f.seq != f.savedSeq {
			cmds = append(cmds, m.save(f))
		}
	}
	return tea.Sequence(cmds...)
}

// forget is what deletes every draft of the form once its action is
// queued. It runs in the command, off the model: what it needs is taken now.
func (m *Model) forget() func(ctx context.Context) error {
	st, number := m.ctx.Store, m.ticket.Number
	var names []string
	for _, f := range m.fields {
		if f.drafted() {
			names = append(names, f.Name)
		}
	}
	return func(ctx context.Context) error {
		var first error
		for _, name := range names {
			if err := st.DeleteDraft(ctx, number, name); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
}

func (m *Model) submit() tea.Cmd {
	if m.submitting {
		return nil
	}
	m.faulty = ""
	a, problem := m.build(m)
	if problem != "" {
		m.err = problem
		// The field at fault takes the focus, to be corrected there.
		for i, f := range m.fields {
			if f.Name == m.faulty && f.Kind != Static && m.visible(f) {
				m.focus = i
			}
		}
		m.layout()
		return app.NoticeErr(problem)
	}
	m.err = ""
	m.submitting = true
	a.Ticket = m.ticket.Number
	a.BaseVersion = m.ticket.Version
	// The files go first, so that the action waits in the outbox for them.
	var files []string
	if f := m.filesField(); f != nil {
		files = picker.Paths(f.files)
	}
	if m.item != nil {
		return m.ctx.ReplaceWith(*m.item, a, files, m.part, m.forget())
	}
	return m.ctx.ActWith(a, files, m.part, m.forget())
}

// fault returns problem, a problem with the field called name, and notes
// the field for submit to give it the focus.
func (m *Model) fault(name, problem string) string {
	m.faulty = name
	return problem
}

// Len is the number of characters typed in the texts of the form.
func (m *Model) Len() int {
	n := 0
	for _, f := range m.fields {
		if f.Kind == Text {
			n += f.ed.Len()
		}
	}
	return n
}

// Width of the label column: the focus mark, the longest label and a gap.
const labelWidth = 15

// maxFileRows is the most files a list shows at once; a longer one
// scrolls, with a row under it that counts the files out of view.
const maxFileRows = 3

// fileRows is how many files f shows at once, and whether the row
// counting those out of view follows them.
func fileRows(f *Field) (shown int, more bool) {
	if len(f.files) > maxFileRows {
		return maxFileRows, true
	}
	return max(len(f.files), 1), false
}

// focusMark is drawn before the label of the field with the focus.
const focusMark = "▶ "

// panelMin is the narrowest screen that shows the pre-check beside the
// fields rather than under them.
const panelMin = 110

// layout sizes the editors for the current width, height and fields.
func (m *Model) layout() {
	w := m.fieldsWidth()
	cw := max(w-labelWidth-1, 1)
	rows := m.rows()
	for i, f := range m.fields {
		if f.editable() {
			f.ed.SetSize(cw, max(rows[i], 1))
		}
	}
}

func (m *Model) panelWidth() int {
	if !m.precheck || m.width < panelMin {
		return 0
	}
	return min(48, m.width/3)
}

func (m *Model) fieldsWidth() int {
	if pw := m.panelWidth(); pw > 0 {
		return m.width - pw - 1
	}
	return m.width
}

// panelRows is the height of the pre-check when it is under the fields: a
// heading and one line for each criterion, whether or not it is marked, so
// that the fields keep still while the marks come and go.
func (m *Model) panelRows() int {
	if !m.precheck || m.panelWidth() > 0 {
		return 0
	}
	return 1 + len(complaint.Criteria)
}

// rows gives each field its height: fixed kinds what they need, texts at
// least their Rows, texts to read up to their length, and what is left to
// the text with the focus, else to the first.
func (m *Model) rows() []int {
	avail := m.height - 2 - m.panelRows()
	out := make([]int, len(m.fields))
	var texts, statics []int
	cw := max(m.fieldsWidth()-labelWidth-1, 1)
	for i, f := range m.fields {
		if !m.visible(f) {
			continue
		}
		switch f.Kind {
		case Line, Choice:
			out[i] = 1
		case Files:
			n, more := fileRows(f)
			if more {
				n++
			}
			out[i] = n
		case Checks:
			out[i] = len(f.Options)
		case List:
			out[i] = max(min(len(f.Options), 6), 1)
		case Text:
			out[i] = max(f.Rows, 2)
			texts = append(texts, i)
		case Static:
			statics = append(statics, i)
		}
		avail -= out[i]
	}
	for _, i := range statics {
		n := len(cells.Wrap(cells.Sanitize(m.fields[i].Hint), cw))
		out[i] = max(min(n, avail), 1)
		avail -= out[i]
	}
	if len(texts) > 0 && avail > 0 {
		each, extra := avail/len(texts), avail%len(texts)
		target := texts[0]
		for _, i := range texts {
			out[i] += each
			if i == m.focus {
				target = i
			}
		}
		out[target] += extra
	}
	return out
}

// Cursor is where the terminal cursor belongs, from the page's top-left,
// and whether it is shown (only in a text).
func (m *Model) Cursor() (x, y int, ok bool) {
	if m.picker != nil {
		return m.picker.Cursor()
	}
	f := m.Focused()
	if !f.editable() {
		return 0, 0, false
	}
	rows := m.rows()
	y = 1
	for i := 0; i < m.focus; i++ {
		if m.visible(m.fields[i]) {
			y += rows[i]
		}
	}
	ex, ey := f.ed.Cursor()
	return labelWidth + ex, y + ey, true
}

// View draws exactly the page's height in lines of exactly its width: the
// title, the fields, the pre-check and an information line.
func (m *Model) View() string {
	if m.picker != nil {
		return m.picker.View()
	}
	st := m.ctx.Styles
	w := m.width
	fw := m.fieldsWidth()
	cw := max(fw-labelWidth-1, 1)
	rows := m.rows()
	var body []string
	for i, f := range m.fields {
		if !m.visible(f) || rows[i] <= 0 {
			continue
		}
		body = append(body, m.drawField(f, i == m.focus, rows[i], cw)...)
	}
	bodyH := m.height - 2
	panel := m.panel()
	if pw := m.panelWidth(); pw > 0 {
		for i := range body {
			p := strings.Repeat(" ", pw)
			if i < len(panel) {
				p = panel[i]
			}
			body[i] += " " + p
		}
		for i := len(body); i < bodyH; i++ {
			p := strings.Repeat(" ", pw)
			if i < len(panel) {
				p = panel[i]
			}
			body = append(body, strings.Repeat(" ", fw+1)+p)
		}
	} else if len(panel) > 0 {
		for len(body) < bodyH-len(panel) {
			body = append(body, strings.Repeat(" ", w))
		}
		body = append(body[:min(len(body), bodyH-len(panel))], panel...)
	}
	out := make([]string, 0, m.height)
	out = append(out, st.Title.Render(cells.Fit(m.titleText(), w)))
	for i := 0; i < bodyH; i++ {
		if i < len(body) {
			out = append(out, body[i])
		} else {
			out = append(out, strings.Repeat(" ", w))
		}
	}
	out = append(out, m.infoLine())
	return strings.Join(out, "\n")
}

func (m *Model) titleText() string {
	t := m.title + " · 工单 " + cells.Line(m.ticket.Number) + " · " + cells.Line(m.ticket.Title)
	if m.item != nil {
		t = "修改后重发：" + t
	}
	return t
}

func (m *Model) infoLine() string {
	st := m.ctx.Styles
	if m.err != "" {
		return st.Error.Render(cells.Fit(" "+cells.Line(m.err), m.width))
	}
	info := " "
	if m.Len() > 0 || m.hasText() {
		info += fmt.Sprintf("已输入 %d 字", m.Len())
	}
	if f := m.filesField(); f != nil && len(f.files) > 0 {
		var total int64
		for _, x := range f.files {
			total += max(x.Size, 0)
		}
		if info != " " {
			info += " · "
		}
		info += fmt.Sprintf("附件 %d 个（%s）", len(f.files), app.Size(total))
	}
	unsaved := false
	for _, f := range m.fields {
		unsaved = unsaved || f.drafted() && f.seq != f.savedSeq
	}
	note := ""
	switch {
	case m.submitting:
		note = "正在保存…"
	case m.saveErr != nil:
		note = "草稿保存失败：" + m.saveErr.Error()
	case unsaved:
		note = "草稿未保存"
	case !m.savedAt.IsZero():
		note = "草稿已保存 " + m.savedAt.In(m.ctx.Loc).Format("15:04:05")
	}
	if note != "" {
		if info != " " {
			info += " · "
		}
		info += note
	}
	return st.Muted.Render(cells.Fit(info, m.width))
}

func (m *Model) hasText() bool {
	for _, f := range m.fields {
		if f.Kind == Text {
			return true
		}
	}
	return false
}

// drawField draws a field in rows lines of exactly labelWidth+cw+1 cells.
func (m *Model) drawField(f *Field, focused bool, rows, cw int) []string {
	st := m.ctx.Styles
	lab := "  " + f.Label
	if focused {
		lab = focusMark + f.Label
	}
	label := cells.Fit(lab, labelWidth)
	if focused {
		label = st.Title.Render(label)
	} else {
		label = st.Label.Render(label)
	}
	blank := strings.Repeat(" ", labelWidth)
	var content []string
	switch f.Kind {
	case Text, Line:
		content = strings.Split(f.ed.View(), "\n")
	case Choice:
		var b strings.Builder
		for i, o := range f.Options {
			if i > 0 {
				b.WriteString("  ")
			}
			mark := "○ "
			if i == f.sel {
				mark = "● "
			}
			b.WriteString(mark + o.Label)
		}
		content = []string{cells.Fit(b.String(), cw)}
	case List:
		if f.sel < f.top {
			f.top = f.sel
		}
		if f.sel >= f.top+rows {
			f.top = f.sel - rows + 1
		}
		f.top = max(0, min(f.top, len(f.Options)-rows))
		if len(f.Options) == 0 {
			content = []string{st.Muted.Render(cells.Fit(f.Hint, cw))}
		}
		for i := f.top; i < len(f.Options) && i < f.top+rows; i++ {
			mark := "○ "
			if i == f.sel {
				mark = "● "
			}
			s := cells.Fit(mark+cells.Line(f.Options[i].Label), cw)
			if i == f.sel && focused {
				s = st.Selected.Render(s)
			}
			content = append(content, s)
		}
	case Checks:
		f.grow()
		for i, o := range f.Options {
			box := "[ ] "
			if f.checked[i] {
				box = "[x] "
			}
			s := box + o.Label
			if i < len(f.Notes) && f.Notes[i] != "" {
				s += "  " + app.MarkNear + f.Notes[i]
			}
			s = cells.Fit(s, cw)
			if i == f.sel && focused {
				s = st.Selected.Render(s)
			}
			content = append(content, s)
		}
	case Files:
		if len(f.files) == 0 {
			content = []string{st.Muted.Render(cells.Fit(f.Hint, cw))}
		}
		shown, more := fileRows(f)
		rows := min(rows, shown)
		if f.sel < f.top {
			f.top = f.sel
		}
		if f.sel >= f.top+rows {
			f.top = f.sel - rows + 1
		}
		f.top = max(0, min(f.top, len(f.files)-rows))
		const sizeW = 12 // （已不存在）
		for i := f.top; i < len(f.files) && i < f.top+rows; i++ {
			x := f.files[i]
			size := app.Size(x.Size)
			if x.Size < 0 {
				size = "（已不存在）"
			}
			s := cells.Fit(cells.Line(x.Name), max(cw-sizeW-2, 1)) + "  " + cells.PadLeft(size, sizeW)
			s = cells.Fit(s, cw)
			if i == f.sel && focused {
				s = st.Selected.Render(s)
			}
			content = append(content, s)
		}
		if more {
			// Every file can be seen: say how many are out of view, and
			// how to reach them.
			s := fmt.Sprintf("…另有 %d 个附件", len(f.files)-rows)
			if focused {
				s += "，↑/↓ 查看"
			}
			content = append(content, st.Muted.Render(cells.Fit(s, cw)))
		}
	case Static:
		lines := cells.Wrap(cells.Sanitize(f.Hint), cw)
		if len(lines) > rows {
			lines = lines[:rows]
			lines[rows-1] = cells.Cut(lines[rows-1], cw-1, "") + cells.Ellipsis
		}
		for _, l := range lines {
			content = append(content, st.Muted.Render(cells.Fit(l, cw)))
		}
	}
	out := make([]string, rows)
	for i := range out {
		c := strings.Repeat(" ", cw)
		if i < len(content) {
			c = content[i]
		}
		l := blank
		if i == 0 {
			l = label
		}
		out[i] = l + c + " "
	}
	return out
}

// panel is the review pre-check of the reply the form holds: a heading and
// a line for each criterion, marked where it looks unmet.
func (m *Model) panel() []string {
	if !m.precheck {
		return nil
	}
	st := m.ctx.Styles
	w := m.panelWidth()
	if w == 0 {
		w = m.width
	}
	findings := complaint.Precheck(m.ticket, m.reply())
	byCrit := map[int][]string{}
	for _, f := range findings {
		byCrit[f.Criterion] = append(byCrit[f.Criterion], f.Message)
	}
	head := fmt.Sprintf("预审：%d 项待完善（审核人看到同样提示）", len(byCrit))
	if len(byCrit) == 0 {
		head = "预审：未发现问题（审核人看到同样提示）"
	}
	out := []string{st.Section.Render(cells.Fit(head, w))}
	for i := range complaint.Criteria {
		n := i + 1
		s := Circled(n) + " " + checkNames[i]
		if msgs, ok := byCrit[n]; ok {
			s = app.MarkNear + s + "：" + strings.Join(msgs, "；")
			out = append(out, st.Warn.Render(cells.Fit(s, w)))
		} else {
			s = " " + s + " ✓"
			out = append(out, st.Muted.Render(cells.Fit(s, w)))
		}
	}
	return out
}

// checkNames say what each review criterion asks of a reply, the positive
// of complaint.Criteria, for the pre-check's lines.
var checkNames = []string{
	"针对所反映的问题答复",
	"说明解释内容及结果",
	"采取有效措施",
	"给出处理依据",
	"记录市民本人意见",
}

// Circled is criterion n's number as the review sheet writes it: ①…⑤.
func Circled(n int) string {
	if n >= 1 && n <= 20 {
		return string(rune('①' + n - 1))
	}
	return fmt.Sprintf("(%d)", n)
}
