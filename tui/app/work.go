package app

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/store"
)

// Marks of a ticket's standing against its deadline. They carry the meaning
// without colour (NO_COLOR, a monochrome terminal, a printout of the screen).
const (
	MarkNear    = "▲"
	MarkOverdue = "!"
)

// Policy is the deadlines and procedure of the user's unit.
func (c *Context) Policy() complaint.Policy { return c.Unit.Policy }

// Urgency is how t stands against its step's deadline now.
func (c *Context) Urgency(t complaint.Ticket) complaint.Urgency {
	return c.Policy().Urgency(t, c.Now())
}

// Mark is the one-cell mark of an urgency: MarkOverdue, MarkNear or a blank.
func Mark(u complaint.Urgency) string {
	switch u {
	case complaint.Overdue:
		return MarkOverdue
	case complaint.Near:
		return MarkNear
	}
	return " "
}

// Left is the time left of the step t waits on, as an officer reads it:
// "剩 2时10分", or "超时 35分" once the deadline has passed; "" when no step
// is due.
func (c *Context) Left(t complaint.Ticket) string {
	if t.Due.IsZero() {
		return ""
	}
	d := t.Due.Sub(c.Now())
	if d > 0 {
		return "剩 " + Elapsed(d)
	}
	return "超时 " + Elapsed(-d)
}

// UnitName is the name of the unit with the code, or the code when the tree
// does not know it.
func (c *Context) UnitName(code string) string {
	if name := complaint.UnitName(c.Units, code); name != code {
		return name
	}
	return complaint.UnitName([]complaint.Unit{c.Unit}, code)
}

// PersonName is the name of the user with the login, or the login.
func (c *Context) PersonName(login string) string {
	if name := complaint.PersonName(c.People, login); name != login {
		return name
	}
	return complaint.PersonName([]complaint.User{c.User}, login)
}

// probe is an action of kind k with every field filled, so that Check
// refuses it only for who, when and what state — never for a missing field.
func probe(k complaint.Kind, t complaint.Ticket) complaint.Action {
	a := complaint.Action{Kind: k, Ticket: t.Number, BaseVersion: t.Version, Text: "-"}
	switch k {
	case complaint.KindDispatch:
		a.Unit = "-"
	case complaint.KindAssign:
		a.Subunit = "-"
	case complaint.KindContact:
		a.Contact = &complaint.Contact{At: time.Unix(1, 0), How: "-", Result: "-"}
	case complaint.KindReply:
		a.Reply = &complaint.Reply{Text: "-"}
	case complaint.KindReject:
		a.Criteria = []int{1}
	case complaint.KindExtensionRequest:
		a.Days = 1
	case complaint.KindClose:
		a.Satisfaction = complaint.Satisfied
	case complaint.KindAttach:
		a.Attachment = &complaint.Attachment{Name: "-", SHA256: strings.Repeat("0", 64), Part: complaint.PartTicket}
	}
	return a
}

// Can reports whether u may take an action of kind k on t now. The fields
// of the action are taken as filled: the form asks for them.
func Can(t complaint.Ticket, u complaint.User, k complaint.Kind) error {
	return complaint.Check(t, u, probe(k, t))
}

// Available lists the kinds of action u may take on t now, in the order of
// the procedure.
func Available(t complaint.Ticket, u complaint.User) []complaint.Kind {
	var out []complaint.Kind
	for _, k := range complaint.Kinds {
		if complaint.Allowed(u, k) && Can(t, u, k) == nil {
			out = append(out, k)
		}
	}
	return out
}

// OpenFormMsg asks the root to show the form of an action on a ticket.
// Item, when set, is a refused action the form opens with, to be corrected
// and sent again in its place.
type OpenFormMsg struct {
	Form   string
	Ticket complaint.Ticket
	Item   *store.OutboxItem
}

// ReplaceWith puts a corrected action in the place of a refused one, the
// files (none or more) attached first, as ActWith. An action of the same
// kind without files is revised where it stands in the queue; one of
// another kind (a rejection corrected into an approval), or one that files
// now go with, is queued first and the refused one discarded after, so
// that a crash in between leaves both, never neither. The result is an
// EnqueuedMsg or a RefusedMsg.
func (c *Context) ReplaceWith(old store.OutboxItem, a complaint.Action, files []string, part complaint.Part, then func(ctx context.Context) error) tea.Cmd {
	a.ID = ""
	a.CreatedAt = c.Now()
	return c.queue(a, files, part, then, func(ctx context.Context, st Store, t complaint.Ticket, a complaint.Action) (complaint.Action, error) {
		// Revised in place, it would stand before the files just
		// queued and go without waiting for them.
		if old.Kind == a.Kind && len(files) == 0 {
			return st.ReviseAction(ctx, old.ID, a, t.Version)
		}
		a.BaseVersion = t.Version
		stored, err := st.Enqueue(ctx, a)
		if err == nil {
			err = st.Discard(ctx, old.ID)
		}
		return stored, err
	})
}

// Resend sends a refused action again as it is, based on the ticket as now
// cached; Discard gives it up. Each answers with an EnqueuedMsg or a
// NoticeMsg. A refused attachment is sent again from its file: its upload
// starts over under the same id (the upload's), which a resend under a new
// id would lose.
func (c *Context) Resend(it store.OutboxItem) tea.Cmd {
	st, ctx, kick := c.Store, c.Bg(), c.Kick
	return func() tea.Msg {
		if it.Kind == complaint.KindAttach {
			if err := st.RetryUpload(ctx, it.ID); err != nil {
				return NoticeMsg{Text: "重新上传失败：" + err.Error(), Err: true}
			}
			if kick != nil {
				kick()
			}
			return EnqueuedMsg{Action: it.Action}
		}
		t, err := st.Ticket(ctx, it.Ticket)
		if err != nil {
			return NoticeMsg{Text: "读取工单失败：" + err.Error(), Err: true}
		}
		if err := st.Resend(ctx, it.ID, t.Version); err != nil {
			return NoticeMsg{Text: "重发失败：" + err.Error(), Err: true}
		}
		if kick != nil {
			kick()
		}
		return EnqueuedMsg{Action: it.Action}
	}
}

// DiscardedMsg tells that a refused action was given up.
type DiscardedMsg struct{ Item store.OutboxItem }

// Discard gives up a refused action; the answer is a DiscardedMsg or a
// NoticeMsg.
func (c *Context) Discard(it store.OutboxItem) tea.Cmd {
	st, ctx := c.Store, c.Bg()
	return func() tea.Msg {
		if err := st.Discard(ctx, it.ID); err != nil {
			return NoticeMsg{Text: "放弃失败：" + err.Error(), Err: true}
		}
		return DiscardedMsg{Item: it}
	}
}
