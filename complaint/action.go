package complaint

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind names an action, and the event it leaves in the history.
type Kind string

const (
	KindDispatch Kind = "dispatch" // 派单: center → unit
	KindSign     Kind = "sign"     // 签收
	KindReply    Kind = "reply"    // 回复
	KindImport   Kind = "import"   // came in from a file, already in the state the file gives
)

var kindLabels = map[Kind]string{
	KindDispatch: "派单",
	KindSign:     "签收",
	KindReply:    "回复",
	KindImport:   "导入",
}

// Label is the action's name on screen.
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// Action is one thing a person asks to do to a ticket. ID is made by the
// client (a UUIDv7) so that a retried action is recognised and applied once.
type Action struct {
	ID          string    `json:"id"`
	Kind        Kind      `json:"kind"`
	Ticket      string    `json:"ticket"`
	BaseVersion int64     `json:"base_version"`
	Text        string    `json:"text,omitempty"`
	Reply       *Reply    `json:"reply,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// ErrNotAllowed is wrapped by every refusal of the state machine.
var ErrNotAllowed = errors.New("not allowed")

// rule is one transition: who may take the action, from which states, and
// where it leads.
type rule struct {
	roles []Role
	from  []State
	to    State
}

var rules = map[Kind]rule{
	KindSign:  {roles: []Role{RoleDuty}, from: []State{Dispatched}, to: Signed},
	KindReply: {roles: []Role{RoleDuty, RoleHandler}, from: []State{Signed, Assigned, Contacted}, to: FedBack},
}

// Check validates an action against the ticket and the user without changing
// anything. The error says, in Chinese, why the action was refused, since it
// is shown to the officer as it is.
func Check(t Ticket, u User, a Action) error {
	r, ok := rules[a.Kind]
	if !ok {
		return fmt.Errorf("%w: 未知操作 %q", ErrNotAllowed, a.Kind)
	}
	if u.Unit != t.Unit {
		return fmt.Errorf("%w: 工单 %s 不属于本单位", ErrNotAllowed, t.Number)
	}
	roleOK := false
	for _, role := range r.roles {
		roleOK = roleOK || u.Has(role)
	}
	if !roleOK {
		return fmt.Errorf("%w: 当前用户无权执行“%s”", ErrNotAllowed, a.Kind.Label())
	}
	stateOK := false
	for _, s := range r.from {
		stateOK = stateOK || t.State == s
	}
	if !stateOK {
		return fmt.Errorf("%w: 工单状态为“%s”，不能%s", ErrNotAllowed, t.State.Label(), a.Kind.Label())
	}
	if a.Kind == KindReply {
		if a.Reply == nil || strings.TrimSpace(a.Reply.Text) == "" {
			return fmt.Errorf("%w: 回复内容不能为空", ErrNotAllowed)
		}
	}
	return nil
}

// Apply checks the action and returns the ticket as it is after it, with the
// new event appended. The caller stores both; Version and event IDs are the
// store's to assign.
func Apply(t Ticket, u User, a Action, now time.Time) (Ticket, Event, error) {
	if err := Check(t, u, a); err != nil {
		return t, Event{}, err
	}
	r := rules[a.Kind]
	ev := Event{Kind: a.Kind, Actor: u.Login, Unit: u.Unit, At: now, From: t.State, To: r.to, Text: a.Text, Action: a.ID}
	t.State = r.to
	t.UpdatedAt = now
	if a.Kind == KindReply {
		rep := *a.Reply
		rep.By = u.Login
		rep.At = now
		t.Reply = &rep
		ev.Text = rep.Text
	}
	t.Events = append(t.Events, ev)
	return t, ev, nil
}
