package complaint

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind names an action, and the event it leaves in the history.
type Kind string

const (
	KindDispatch         Kind = "dispatch"          // 派单: center → unit (again, after a return)
	KindSign             Kind = "sign"              // 签收
	KindAssign           Kind = "assign"            // 派发: unit → sub-unit (and handler)
	KindContact          Kind = "contact"           // 联系客户
	KindReply            Kind = "reply"             // 回复: submitted for review
	KindApprove          Kind = "approve"           // 审核通过
	KindReject           Kind = "reject"            // 审核退回
	KindSend             Kind = "send"              // 反馈: the approved reply goes to the center
	KindReturnRequest    Kind = "return_request"    // 退单申请
	KindReturnAccept     Kind = "return_accept"     // 同意退单
	KindReturnRefuse     Kind = "return_refuse"     // 不同意退单
	KindExtensionRequest Kind = "extension_request" // 延期申请
	KindExtensionDecide  Kind = "extension_decide"  // 延期审批
	KindClose            Kind = "close"             // 办结, with the callback's satisfaction
	KindReopen           Kind = "reopen"            // 重办
	KindUrge             Kind = "urge"              // 催办
	KindSupervise        Kind = "supervise"         // 督办
	KindAttach           Kind = "attach"            // 添加附件: a file already uploaded, by its SHA-256
	KindImport           Kind = "import"            // came in from a file, already in the state the file gives
)

var kindLabels = map[Kind]string{
	KindDispatch:         "派单",
	KindSign:             "签收",
	KindAssign:           "派发",
	KindContact:          "联系客户",
	KindReply:            "回复",
	KindApprove:          "审核通过",
	KindReject:           "审核退回",
	KindSend:             "反馈中心",
	KindReturnRequest:    "退单申请",
	KindReturnAccept:     "同意退单",
	KindReturnRefuse:     "不同意退单",
	KindExtensionRequest: "延期申请",
	KindExtensionDecide:  "延期审批",
	KindClose:            "办结",
	KindReopen:           "重办",
	KindUrge:             "催办",
	KindSupervise:        "督办",
	KindAttach:           "添加附件",
	KindImport:           "导入",
}

// Label is the action's name on screen.
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// Kinds lists the actions people take, in the order of the procedure.
var Kinds = []Kind{KindDispatch, KindSign, KindAssign, KindContact, KindReply, KindApprove, KindReject, KindSend,
	KindReturnRequest, KindReturnAccept, KindReturnRefuse, KindExtensionRequest, KindExtensionDecide,
	KindClose, KindReopen, KindUrge, KindSupervise, KindAttach}

// Action is one thing a person asks to do to a ticket. ID is made by the
// client (a UUIDv7) so that a retried action is recognised and applied once.
// Besides Text (a reason or note), each kind uses its own fields.
type Action struct {
	ID          string    `json:"id"`
	Kind        Kind      `json:"kind"`
	Ticket      string    `json:"ticket"`
	BaseVersion int64     `json:"base_version"`
	Text        string    `json:"text,omitempty"`
	CreatedAt   time.Time `json:"created_at"`

	Unit         string      `json:"unit,omitempty"`         // dispatch: the unit
	Subunit      string      `json:"subunit,omitempty"`      // assign: the sub-unit
	Handler      string      `json:"handler,omitempty"`      // assign: the handler, optional
	Contact      *Contact    `json:"contact,omitempty"`      // contact
	Reply        *Reply      `json:"reply,omitempty"`        // reply
	Criteria     []int       `json:"criteria,omitempty"`     // reject: the failed criteria
	Days         int         `json:"days,omitempty"`         // extension_request
	Grant        bool        `json:"grant,omitempty"`        // extension_decide
	Deadline     time.Time   `json:"deadline,omitzero"`      // extension_decide (granted), dispatch (optional)
	Satisfaction string      `json:"satisfaction,omitempty"` // close
	Attachment   *Attachment `json:"attachment,omitempty"`   // attach
}

// ErrNotAllowed is wrapped by every refusal of the state machine.
var ErrNotAllowed = errors.New("not allowed")

// Reason is a refusal's words as the officer reads them, without the
// ErrNotAllowed prefix; another error's text as it is.
func Reason(err error) string {
	return strings.TrimPrefix(err.Error(), ErrNotAllowed.Error()+": ")
}

// refuse makes a refusal; its text is Chinese because it is shown to the
// officer as it is.
func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotAllowed, fmt.Sprintf(format, args...))
}

// rule is one kind of action: who may take it, from which states, and where
// it leads (to == "" keeps the state).
type rule struct {
	roles []Role
	from  []State
	to    State
}

// working are the states in which the unit has the ticket in hand.
var working = []State{Dispatched, Signed, Assigned, Contacted, Replied, Rejected, Approved}

var rules = map[Kind]rule{
	KindDispatch:         {roles: []Role{RoleCenter}, from: []State{Returned}, to: Dispatched},
	KindSign:             {roles: []Role{RoleDuty}, from: []State{Dispatched}, to: Signed},
	KindAssign:           {roles: []Role{RoleDuty}, from: []State{Signed, Assigned}, to: Assigned},
	KindContact:          {roles: []Role{RoleHandler, RoleDuty}, from: []State{Assigned, Contacted, Rejected}, to: Contacted},
	KindReply:            {roles: []Role{RoleHandler, RoleDuty}, from: []State{Signed, Assigned, Contacted, Rejected}, to: Replied},
	KindApprove:          {roles: []Role{RoleReviewer}, from: []State{Replied}, to: Approved},
	KindReject:           {roles: []Role{RoleReviewer}, from: []State{Replied}, to: Rejected},
	KindSend:             {roles: []Role{RoleDuty, RoleReviewer}, from: []State{Approved}, to: FedBack},
	KindReturnRequest:    {roles: []Role{RoleDuty}, from: []State{Dispatched, Signed, Assigned}, to: ReturnRequested},
	KindReturnAccept:     {roles: []Role{RoleCenter}, from: []State{ReturnRequested}, to: Returned},
	KindReturnRefuse:     {roles: []Role{RoleCenter}, from: []State{ReturnRequested}},
	KindExtensionRequest: {roles: []Role{RoleDuty}, from: working},
	KindExtensionDecide:  {roles: []Role{RoleCenter}, from: working},
	KindClose:            {roles: []Role{RoleCenter}, from: []State{FedBack}, to: Closed},
	KindReopen:           {roles: []Role{RoleCenter}, from: []State{FedBack, Closed}, to: Dispatched},
	KindUrge:             {roles: []Role{RoleCenter, RoleSupervisor, RoleDuty}, from: working},
	KindSupervise:        {roles: []Role{RoleSupervisor}, from: working},
	// Evidence may be added while the unit has the ticket and after it was
	// fed back (a late scan); the center adds the call recording in any
	// state but closed.
	KindAttach: {roles: []Role{RoleCenter, RoleDuty, RoleHandler, RoleReviewer}, from: append(slices.Clone(working), ReturnRequested, FedBack)},
}

// Allowed reports whether the action kind exists for people and whether the
// user's roles allow it at all, whatever the ticket.
func Allowed(u User, k Kind) bool {
	r, ok := rules[k]
	if !ok {
		return false
	}
	for _, role := range r.roles {
		if u.Has(role) {
			return true
		}
	}
	return false
}

// Visible reports whether u may see t: the center sees every ticket; the
// unit's own people see the unit's tickets; a sub-unit's handler sees the
// tickets assigned to that sub-unit.
func Visible(u User, t Ticket) bool {
	switch {
	case u.Has(RoleCenter):
		return true
	case t.Unit != "" && u.Unit == t.Unit && (u.Has(RoleDuty) || u.Has(RoleReviewer) || u.Has(RoleSupervisor) || u.Has(RoleAdmin)):
		return true
	case t.Subunit != "" && u.Unit == t.Subunit && u.Has(RoleHandler):
		return true
	case t.Unit != "" && u.Unit == t.Unit && u.Has(RoleHandler):
		// A handler placed in the unit itself, not in a sub-unit, works
		// the unit's tickets: small units have no sub-units.
		return true
	}
	return false
}

// Check validates an action against the ticket and the user without changing
// anything. Things only the platform knows (that a sub-unit belongs to the
// unit, that a unit exists) it checks itself.
func Check(t Ticket, u User, a Action) error {
	r, ok := rules[a.Kind]
	if !ok {
		return refuse("未知操作 %q", a.Kind)
	}
	if !Visible(u, t) {
		return refuse("工单 %s 不属于本单位", t.Number)
	}
	if !Allowed(u, a.Kind) {
		return refuse("当前用户无权执行“%s”", a.Kind.Label())
	}
	if !slices.Contains(r.from, t.State) {
		return refuse("工单状态为“%s”，不能%s", t.State.Label(), a.Kind.Label())
	}
	return checkFields(t, u, a)
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func checkFields(t Ticket, u User, a Action) error {
	switch a.Kind {
	case KindDispatch:
		if blank(a.Unit) {
			return refuse("派单须指定承办单位")
		}
	case KindAssign:
		if blank(a.Subunit) {
			return refuse("派发须指定基层单位")
		}
	case KindContact:
		if a.Contact == nil || a.Contact.At.IsZero() || blank(a.Contact.How) || blank(a.Contact.Result) {
			return refuse("联系客户须填写联系时间、方式和结果")
		}
	case KindReply:
		if a.Reply == nil || blank(a.Reply.Text) && blank(a.Reply.Findings) {
			return refuse("回复内容不能为空")
		}
	case KindReject:
		if len(a.Criteria) == 0 {
			return refuse("退回须指明不符合的审核标准")
		}
		for _, c := range a.Criteria {
			if c < 1 || c > len(Criteria) {
				return refuse("审核标准 %d 不存在（应为 1–%d）", c, len(Criteria))
			}
		}
	case KindReturnRequest, KindReturnRefuse, KindReopen:
		if blank(a.Text) {
			return refuse("%s须填写理由", a.Kind.Label())
		}
	case KindExtensionRequest:
		if a.Days < 1 || a.Days > 30 {
			return refuse("延期天数应为 1–30 个工作日")
		}
		if blank(a.Text) {
			return refuse("延期申请须填写理由")
		}
		if t.Extension != nil && !t.Extension.Decided {
			return refuse("已有待审批的延期申请")
		}
	case KindExtensionDecide:
		if t.Extension == nil || t.Extension.Decided {
			return refuse("没有待审批的延期申请")
		}
		if a.Grant && a.Deadline.IsZero() {
			return refuse("同意延期须给出新的办理时限")
		}
	case KindClose:
		if a.Satisfaction != Satisfied && a.Satisfaction != FairlySatisfied && a.Satisfaction != Unsatisfied {
			return refuse("办结须选择满意度：满意、基本满意或不满意")
		}
	case KindAttach:
		return checkAttachment(u, a.Attachment)
	case KindUrge, KindSupervise:
		if blank(a.Text) {
			return refuse("%s须填写说明", a.Kind.Label())
		}
	}
	return nil
}

// Apply checks the action and returns the ticket as it is after it, with the
// new event appended. The caller stores both; Version and event IDs are the
// store's to assign, and so is the move of a returned ticket to the center.
func Apply(t Ticket, u User, a Action, now time.Time) (Ticket, Event, error) {
	if err := Check(t, u, a); err != nil {
		return t, Event{}, err
	}
	if err := checkTimes(t, a, now); err != nil {
		return t, Event{}, err
	}
	r := rules[a.Kind]
	to := r.to
	if to == "" {
		to = t.State
	}
	ev := Event{Kind: a.Kind, Actor: u.Login, Unit: u.Unit, At: now, From: t.State, To: to, Text: strings.TrimSpace(a.Text), Action: a.ID}
	field := func(k, v string) {
		if ev.Fields == nil {
			ev.Fields = map[string]string{}
		}
		ev.Fields[k] = v
	}
	switch a.Kind {
	case KindDispatch:
		t.Unit, t.Subunit, t.Handler = a.Unit, "", ""
		t.DispatchedAt = now
		t.Contact, t.Reply, t.Review, t.Return, t.Extension = nil, nil, nil, nil, nil
		if !a.Deadline.IsZero() {
			t.Deadline = a.Deadline
		}
		field("unit", a.Unit)
	case KindAssign:
		t.Subunit, t.Handler = a.Subunit, a.Handler
		field("subunit", a.Subunit)
		if a.Handler != "" {
			field("handler", a.Handler)
		}
	case KindContact:
		c := *a.Contact
		c.By = u.Login
		t.Contact = &c
		if ev.Text != "" {
			field("note", ev.Text)
		}
		ev.Text = c.Result
		field("how", c.How)
		field("at", c.At.UTC().Format(time.RFC3339))
	case KindReply:
		rep := *a.Reply
		rep.By, rep.At = u.Login, now
		composed := blank(rep.Text)
		if composed {
			rep.Text = rep.Compose()
		}
		t.Reply = &rep
		t.Review = nil
		if ev.Text != "" {
			field("note", ev.Text)
		}
		ev.Text = rep.Text
		// The history keeps every field as typed, since a later reply
		// replaces the ticket's; a composed text already holds them.
		for k, v := range map[string]string{"findings": rep.Findings, "explanation": rep.Explanation, "measures": rep.Measures, "basis": rep.Basis, "citizen_opinion": rep.CitizenOpinion} {
			if !composed && strings.TrimSpace(v) != "" {
				field(k, v)
			}
		}
	case KindApprove:
		t.Review = &Review{Approved: true, Note: ev.Text, By: u.Login, At: now}
	case KindReject:
		crit := slices.Clone(a.Criteria)
		slices.Sort(crit)
		crit = slices.Compact(crit)
		t.Review = &Review{Criteria: crit, Note: ev.Text, By: u.Login, At: now}
		parts := make([]string, len(crit))
		for i, c := range crit {
			parts[i] = strconv.Itoa(c)
		}
		field("criteria", strings.Join(parts, ","))
	case KindReturnRequest:
		t.Return = &ReturnRequest{Reason: ev.Text, From: t.State, By: u.Login, At: now}
	case KindReturnRefuse:
		to = t.Return.From
		ev.To = to
		t.Return = nil
	case KindReturnAccept:
		t.Subunit, t.Handler = "", ""
	case KindExtensionRequest:
		t.Extension = &Extension{Days: a.Days, Reason: ev.Text, By: u.Login, At: now}
		field("days", strconv.Itoa(a.Days))
	case KindExtensionDecide:
		x := *t.Extension
		x.Decided, x.Granted, x.Note = true, a.Grant, ev.Text
		if a.Grant {
			x.Deadline = a.Deadline
			t.Deadline = a.Deadline
			field("deadline", a.Deadline.UTC().Format(time.RFC3339))
		}
		t.Extension = &x
		field("granted", strconv.FormatBool(a.Grant))
	case KindClose:
		t.Satisfaction = a.Satisfaction
		field("satisfaction", a.Satisfaction)
	case KindReopen:
		t.Reopens++
		t.Satisfaction = ""
		t.Contact, t.Reply, t.Review, t.Extension = nil, nil, nil, nil
	case KindUrge:
		t.Urges++
	case KindSupervise:
		t.Supervised = true
	case KindAttach:
		at := *a.Attachment
		at.ID, at.By, at.At = a.ID, u.Login, now
		at.Name = strings.TrimSpace(at.Name)
		t.Attachments = append(slices.Clone(t.Attachments), at)
		field("name", at.Name)
		field("size", strconv.FormatInt(at.Size, 10))
		field("part", string(at.Part))
	}
	t.State = to
	t.UpdatedAt = now
	t.Events = append(t.Events, ev)
	return t, ev, nil
}

// checkTimes refuses times that cannot be right at now: a contact before the
// ticket reached the sub-unit or in the future, a granted deadline that is
// already past or earlier than the one it extends.
func checkTimes(t Ticket, a Action, now time.Time) error {
	switch a.Kind {
	case KindContact:
		since := lastEvent(t, t.DispatchedAt, KindAssign)
		if a.Contact.At.After(now.Add(time.Minute)) {
			return refuse("联系时间不能晚于现在")
		}
		// Times are given to the minute.
		if a.Contact.At.Before(since.Truncate(time.Minute)) {
			return refuse("联系时间不能早于派发时间（%s）", since.In(shanghai).Format("2006-01-02 15:04"))
		}
	case KindExtensionDecide:
		if !a.Grant {
			return nil
		}
		if !a.Deadline.After(now) {
			return refuse("新的办理时限已过，请给出今后的时间")
		}
		if !t.Due.IsZero() && a.Deadline.Before(t.Due) {
			return refuse("新的办理时限早于现在的时限（%s），延期不能缩短办理时间", t.Due.In(shanghai).Format("2006-01-02 15:04"))
		}
	}
	return nil
}

var shanghai = China

// Compose joins the record sheet's fields into the one text the center
// receives, each under its heading; empty fields are left out.
func (r Reply) Compose() string {
	var b strings.Builder
	for _, f := range []struct{ label, v string }{
		{"处理情况", r.Findings},
		{"沟通解释结果", r.Explanation},
		{"采取措施", r.Measures},
		{"处理依据", r.Basis},
		{"客户意见", r.CitizenOpinion},
	} {
		if v := strings.TrimSpace(f.v); v != "" {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(f.label + "：" + v)
		}
	}
	return b.String()
}

// EventFields are the keys an Event's Fields may hold, in the order they
// are shown, with their names on screen.
var EventFields = []struct{ Key, Label string }{
	{"unit", "承办单位"},
	{"subunit", "基层单位"},
	{"handler", "承办人"},
	{"how", "联系方式"},
	{"at", "联系时间"},
	{"criteria", "不符合标准"},
	{"days", "延期天数"},
	{"granted", "审批结论"},
	{"deadline", "新的办理时限"},
	{"satisfaction", "满意度"},
	{"findings", "处理情况"},
	{"explanation", "沟通解释结果"},
	{"measures", "采取措施"},
	{"basis", "处理依据"},
	{"citizen_opinion", "客户意见"},
	{"name", "附件"},
	{"part", "附件类别"},
	{"size", "大小"},
	{"note", "备注"},
}
