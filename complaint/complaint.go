// Package complaint is the domain of citizen-hotline tickets: units, users and
// their roles, tickets with their history, the actions people take on them and
// the state machine that decides which action is allowed when. It knows nothing
// of storage, networks or screens.
package complaint

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zoneinfo database
)

// China is the zone every time of the procedure is read and shown in:
// Asia/Shanghai (from the embedded database where the system has none),
// not a fixed +08:00, for China kept summer time from 1986 to 1991.
var China = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(fmt.Sprintf("load Asia/Shanghai: %v", err)) // unreachable with time/tzdata linked in
	}
	return loc
}()

// State is where a ticket stands in the unit's procedure.
type State string

const (
	Dispatched      State = "dispatched"       // 待签收: the center has sent it to the unit
	Signed          State = "signed"           // 已签收
	Assigned        State = "assigned"         // 已派发 to a sub-unit
	Contacted       State = "contacted"        // 已联系 the citizen
	Replied         State = "replied"          // 待审核: the reply waits for the leader
	Rejected        State = "rejected"         // 已退回: the leader sent the reply back to be redone
	Approved        State = "approved"         // 已审核: approved, waiting for the duty officer to send it
	FedBack         State = "fed_back"         // 已反馈: the reply has gone to the center
	Closed          State = "closed"           // 办结
	ReturnRequested State = "return_requested" // 退单申请: the unit asked the center to take it back
	Returned        State = "returned"         // 已退单: left the unit
)

var stateLabels = map[State]string{
	Dispatched:      "待签收",
	Signed:          "已签收",
	Assigned:        "已派发",
	Contacted:       "已联系",
	Replied:         "待审核",
	Rejected:        "已退回",
	Approved:        "已审核",
	FedBack:         "已反馈",
	Closed:          "办结",
	ReturnRequested: "退单申请",
	Returned:        "已退单",
}

// States lists every state in the order of the procedure.
var States = []State{Dispatched, Signed, Assigned, Contacted, Replied, Rejected, Approved, FedBack, Closed, ReturnRequested, Returned}

// Label is the state's name on screen.
func (s State) Label() string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool { _, ok := stateLabels[s]; return ok }

// Open reports whether the unit still has work on a ticket in this state
// (or waits on the center's answer to a return): it belongs in the 未反馈 list.
func (s State) Open() bool {
	switch s {
	case FedBack, Closed, Returned:
		return false
	}
	return true
}

// ParseState accepts a state's code or its Chinese label.
func ParseState(v string) (State, bool) {
	v = strings.TrimSpace(v)
	for s, l := range stateLabels {
		if v == string(s) || v == l {
			return s, true
		}
	}
	return "", false
}

// Role is what a user may do.
type Role string

const (
	RoleCenter     Role = "center"     // 12345 center operator
	RoleDuty       Role = "duty"       // 专职人员: the unit's duty officer
	RoleHandler    Role = "handler"    // 承办人
	RoleReviewer   Role = "reviewer"   // 分管领导
	RoleSupervisor Role = "supervisor" // 监察部
	RoleAdmin      Role = "admin"
)

// UnitKind places a unit in the tree: the center dispatches to units, a unit
// assigns to its sub-units.
type UnitKind string

const (
	KindCenter  UnitKind = "center"
	KindUnit    UnitKind = "unit"
	KindSubunit UnitKind = "subunit"
)

// Unit is the center, a first-level unit or one of its sub-units.
type Unit struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Kind   UnitKind `json:"kind"`
	Parent string   `json:"parent,omitempty"`
	Phone  string   `json:"phone,omitempty"`
	// Policy holds a first-level unit's deadlines and procedure choices.
	Policy Policy `json:"policy,omitzero"`
}

// User is a person who logs in.
type User struct {
	Login string `json:"login"`
	Name  string `json:"name"`
	Unit  string `json:"unit"`
	Roles []Role `json:"roles"`
	Phone string `json:"phone,omitempty"`
}

// Has reports whether the user holds role r.
func (u User) Has(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Contact records the first (or a later) contact with the citizen.
type Contact struct {
	At     time.Time `json:"at"`     // when the citizen was reached
	How    string    `json:"how"`    // 电话, 上门, 短信 …
	Result string    `json:"result"` // what was said and agreed
	By     string    `json:"by,omitempty"`
}

// Review is the leader's decision on a reply. Criteria lists the failed
// criteria (1–5, see Criteria) of a rejection.
type Review struct {
	Approved bool      `json:"approved"`
	Criteria []int     `json:"criteria,omitempty"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
}

// ReturnRequest is the unit's request to hand a ticket back to the center.
type ReturnRequest struct {
	Reason string    `json:"reason"`
	From   State     `json:"from"` // where the ticket goes back to if the center refuses
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// Extension is a request for more time and the center's decision on it.
type Extension struct {
	Days     int       `json:"days"`
	Reason   string    `json:"reason"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
	Decided  bool      `json:"decided"`
	Granted  bool      `json:"granted"`
	Deadline time.Time `json:"deadline,omitzero"` // the new deadline when granted
	Note     string    `json:"note,omitempty"`    // the center's word on it
}

// Satisfaction is the citizen's verdict in the center's callback.
const (
	Satisfied       = "满意"
	FairlySatisfied = "基本满意"
	Unsatisfied     = "不满意"
)

// Reply is the unit's answer to the citizen, in the fields of the record sheet.
// Text is the whole reply as sent to the center.
type Reply struct {
	Text           string    `json:"text"`
	Findings       string    `json:"findings,omitempty"`
	Explanation    string    `json:"explanation,omitempty"`
	Measures       string    `json:"measures,omitempty"`
	Basis          string    `json:"basis,omitempty"`
	CitizenOpinion string    `json:"citizen_opinion,omitempty"`
	By             string    `json:"by,omitempty"`
	At             time.Time `json:"at"`
}

// Ticket is one citizen request as dispatched by the center. Number is the
// center's ticket number and the ticket's identity everywhere.
type Ticket struct {
	Number       string         `json:"number"`
	Title        string         `json:"title"`
	Content      string         `json:"content"`
	Caller       string         `json:"caller,omitempty"`
	Phone        string         `json:"phone,omitempty"`
	Address      string         `json:"address,omitempty"`
	Category     string         `json:"category,omitempty"`
	ReceivedAt   time.Time      `json:"received_at"`   // when the citizen called or wrote
	DispatchedAt time.Time      `json:"dispatched_at"` // when the center sent it to the unit
	Deadline     time.Time      `json:"deadline,omitzero"`
	Unit         string         `json:"unit"`
	Subunit      string         `json:"subunit,omitempty"`
	Handler      string         `json:"handler,omitempty"`
	State        State          `json:"state"`
	Contact      *Contact       `json:"contact,omitempty"`
	Reply        *Reply         `json:"reply,omitempty"`
	Review       *Review        `json:"review,omitempty"`
	Return       *ReturnRequest `json:"return,omitempty"`
	Extension    *Extension     `json:"extension,omitempty"`
	Satisfaction string         `json:"satisfaction,omitempty"`
	Reopens      int            `json:"reopens,omitempty"`
	Urges        int            `json:"urges,omitempty"`
	Supervised   bool           `json:"supervised,omitempty"`
	// The step now due and its deadline, worked out by Due whenever the
	// ticket changes, so that lists can show and sort by time left without
	// the history.
	Step      Step      `json:"step,omitempty"`
	StepStart time.Time `json:"step_start,omitzero"`
	Due       time.Time `json:"due,omitzero"`
	DueNote   string    `json:"due_note,omitempty"` // e.g. the calendar did not cover the year
	// Version grows by one with every change; actions name the version they
	// were based on so that a stale action is refused, not applied blindly.
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Events    []Event   `json:"events,omitempty"`
	// Attachments are the files added to the ticket, its reply and the
	// center's call recording, oldest first.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Event is one entry in a ticket's history: who did what, when, and the state
// before and after.
type Event struct {
	ID     int64     `json:"id"`
	Kind   Kind      `json:"kind"`
	Actor  string    `json:"actor"`
	Unit   string    `json:"unit,omitempty"`
	At     time.Time `json:"at"`
	From   State     `json:"from,omitempty"`
	To     State     `json:"to,omitempty"`
	Text   string    `json:"text,omitempty"`
	Action string    `json:"action,omitempty"` // the client-made action id, if any
	// Fields holds what the action carried besides text (sub-unit, criteria,
	// days, satisfaction …), as short labelled values for the timeline.
	Fields map[string]string `json:"fields,omitempty"`
}

// ClosedAt is when the ticket was closed (办结), from its last close event;
// zero when it is not closed now.
func (t Ticket) ClosedAt() time.Time {
	if t.State != Closed {
		return time.Time{}
	}
	for i := len(t.Events) - 1; i >= 0; i-- {
		if t.Events[i].Kind == KindClose {
			return t.Events[i].At
		}
	}
	return time.Time{}
}

// StateLine is the state as shown on a ticket's page, with its marks:
// how often it was urged and reopened, and whether it is supervised.
func (t Ticket) StateLine() string {
	s := t.State.Label()
	if t.Urges > 0 {
		s += fmt.Sprintf(" · 催办 %d 次", t.Urges)
	}
	if t.Supervised {
		s += " · 督办"
	}
	if t.Reopens > 0 {
		s += fmt.Sprintf(" · 重办 %d 次", t.Reopens)
	}
	return s
}

// UnitName is the name of the unit with the code among units, or the code.
func UnitName(units []Unit, code string) string {
	for _, u := range units {
		if u.Code == code && u.Name != "" {
			return u.Name
		}
	}
	return code
}

// PersonName is the name of the user with the login among people, or the
// login.
func PersonName(people []User, login string) string {
	for _, u := range people {
		if u.Login == login && u.Name != "" {
			return u.Name
		}
	}
	return login
}
