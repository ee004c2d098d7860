// Package reply is the form in which the officer writes the reply to a
// ticket. What is typed is kept as a draft in the store a moment after the
// typing stops and when the form is left, and comes back when the form is
// opened again; ctrl+s puts the reply in the outbox.
package reply

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/editor"
)

// Field names the draft of this form in the store.
const Field = "reply"

// DraftDelay is how long typing must pause before the draft is saved.
const DraftDelay = 700 * time.Millisecond

// DraftLoadedMsg carries the saved draft.
type DraftLoadedMsg struct {
	Ticket string
	Text   string
	Err    error
}

// draftDueMsg fires DraftDelay after an edit; it saves only if no later
// edit came.
type draftDueMsg struct {
	ticket string
	seq    int
}

// DraftSavedMsg reports a draft save.
type DraftSavedMsg struct {
	Ticket string
	Seq    int
	At     time.Time
	Err    error
}

// Model is the reply form.
type Model struct {
	ctx        *app.Context
	ticket     complaint.Ticket
	editor     editor.Model
	seq        int // edits so far
	savedSeq   int // the edit the stored draft holds
	savedAt    time.Time
	saveErr    error
	restored   bool
	submitting bool
	width      int
	height     int
}

// New returns the form for ticket t; Init reads its draft.
func New(ctx *app.Context, t complaint.Ticket) *Model {
	ed := editor.New(ctx.Keys.Reply.Editor)
	ed.Placeholder = "在此输入回复内容（处理情况、沟通解释结果、采取措施、处理依据、客户意见）"
	ed.PlaceholderStyle = ctx.Styles.Muted
	return &Model{ctx: ctx, ticket: t, editor: ed, width: 3, height: 4}
}

// Ticket is the ticket being replied to.
func (m *Model) Ticket() complaint.Ticket { return m.ticket }

// Value is the text typed so far.
func (m *Model) Value() string { return m.editor.Value() }

// KeyMap is the form's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.Reply }

// Init reads the saved draft.
func (m *Model) Init() tea.Cmd {
	st, ctx, n := m.ctx.Store, m.ctx.Bg(), m.ticket.Number
	return func() tea.Msg {
		text, err := st.Draft(ctx, n, Field)
		return DraftLoadedMsg{Ticket: n, Text: text, Err: err}
	}
}

// SetSize sets the cells the form draws in: a title line, the framed editor
// and an information line.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.editor.SetSize(max(w-2, 1), max(h-4, 1))
}

// Update handles the form's keys and its messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	n := m.ticket.Number
	switch msg := msg.(type) {
	case DraftLoadedMsg:
		if msg.Ticket != n || m.restored {
			return nil
		}
		m.restored = true
		if msg.Err != nil {
			return app.NoticeErr("读取草稿失败：" + msg.Err.Error())
		}
		// Keys typed before the draft arrived win over it.
		if msg.Text != "" && m.seq == 0 {
			m.editor.SetValue(msg.Text)
			return app.Notice("已恢复草稿")
		}
	case draftDueMsg:
		if msg.ticket == n && msg.seq == m.seq && m.seq != m.savedSeq {
			return m.save()
		}
	case DraftSavedMsg:
		if msg.Ticket != n {
			return nil
		}
		m.saveErr = msg.Err
		if msg.Err == nil {
			m.savedSeq = max(m.savedSeq, msg.Seq)
			m.savedAt = msg.At
		}
	case app.EnqueuedMsg:
		if m.submitting && msg.Action.Ticket == n && msg.Action.Kind == complaint.KindReply {
			m.submitting = false
			m.savedSeq = m.seq
			return app.Send(app.BackMsg{})
		}
	case app.RefusedMsg:
		if msg.Action.Ticket == n && msg.Action.Kind == complaint.KindReply {
			m.submitting = false
		}
	case tea.PasteMsg:
		return m.edit(msg)
	case tea.KeyPressMsg:
		k := m.ctx.Keys.Reply
		switch {
		case key.Matches(msg, k.Submit):
			return m.submit()
		case key.Matches(msg, k.Cancel):
			if m.seq != m.savedSeq {
				return tea.Sequence(m.save(), app.Send(app.BackMsg{}))
			}
			return app.Send(app.BackMsg{})
		}
		return m.edit(msg)
	}
	return nil
}

func (m *Model) edit(msg tea.Msg) tea.Cmd {
	if !m.editor.Update(msg) {
		return nil
	}
	m.seq++
	return m.ctx.After(DraftDelay, draftDueMsg{ticket: m.ticket.Number, seq: m.seq})
}

// save writes the text as it is now; an emptied form forgets its draft.
func (m *Model) save() tea.Cmd {
	st, ctx, n, seq, text, now := m.ctx.Store, m.ctx.Bg(), m.ticket.Number, m.seq, m.editor.Value(), m.ctx.Now
	return func() tea.Msg {
		var err error
		if strings.TrimSpace(text) == "" {
			err = st.DeleteDraft(ctx, n, Field)
		} else {
			err = st.SaveDraft(ctx, n, Field, text)
		}
		return DraftSavedMsg{Ticket: n, Seq: seq, At: now(), Err: err}
	}
}

func (m *Model) submit() tea.Cmd {
	if m.submitting {
		return nil
	}
	text := m.editor.Value()
	if strings.TrimSpace(text) == "" {
		return app.NoticeErr("回复内容不能为空")
	}
	m.submitting = true
	st, n := m.ctx.Store, m.ticket.Number
	a := complaint.Action{
		Kind:        complaint.KindReply,
		Ticket:      n,
		BaseVersion: m.ticket.Version,
		Reply:       &complaint.Reply{Text: text},
	}
	return m.ctx.Act(a, func(ctx context.Context) error { return st.DeleteDraft(ctx, n, Field) })
}

// Cursor is where the terminal cursor belongs, from the page's top-left.
func (m *Model) Cursor() (x, y int) {
	ex, ey := m.editor.Cursor()
	return 1 + ex, 2 + ey
}

// View draws exactly the page's height in lines of exactly its width.
func (m *Model) View() string {
	st := m.ctx.Styles
	w := m.width
	inner := max(w-2, 1)
	title := fmt.Sprintf("回复工单 %s · %s", cells.Line(m.ticket.Number), cells.Line(m.ticket.Title))
	out := []string{
		st.Title.Render(cells.Fit(title, w)),
		st.Box.Render("┌" + strings.Repeat("─", inner) + "┐"),
	}
	side := st.Box.Render("│")
	for _, l := range strings.Split(m.editor.View(), "\n") {
		out = append(out, side+l+side)
	}
	out = append(out, st.Box.Render("└"+strings.Repeat("─", inner)+"┘"))
	info := fmt.Sprintf("已输入 %d 字", m.editor.Len())
	switch {
	case m.submitting:
		info += " · 正在保存…"
	case m.saveErr != nil:
		info += " · 草稿保存失败：" + m.saveErr.Error()
	case m.seq == m.savedSeq && !m.savedAt.IsZero():
		info += " · 草稿已保存 " + m.savedAt.In(m.ctx.Loc).Format("15:04:05")
	case m.seq != m.savedSeq:
		info += " · 草稿未保存"
	}
	out = append(out, st.Muted.Render(cells.Fit(info, w)))
	return strings.Join(out, "\n")
}
