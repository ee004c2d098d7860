package platform

import (
	"context"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// step is one action of a path: when, by whom, and the answer wanted.
type step struct {
	at   time.Time
	who  string
	a    complaint.Action
	want complaint.State
}

// walkIDs numbers the actions of walks, apart from the tests' own ids.
var walkIDs atomic.Int64

func init() { walkIDs.Store(1 << 20) }

// walk takes the steps on ticket number in order, each based on the version
// the previous one answered, and returns the ticket after the last.
func (e *env) walk(t *testing.T, tokens map[string]string, number string, version int64, steps []step) complaint.Ticket {
	t.Helper()
	var tk complaint.Ticket
	for i, s := range steps {
		e.now = s.at
		s.a.ID, s.a.Ticket, s.a.BaseVersion = newID(int(walkIDs.Add(1))), number, version
		code, res, ae := e.act(t, tokens[s.who], s.a)
		if code != 200 || res.Ticket.State != s.want {
			t.Fatalf("step %d (%s %s): %d %+v, state %s; want %s", i+1, s.who, s.a.Kind, code, ae, res.Ticket.State, s.want)
		}
		tk = res.Ticket
		version = tk.Version
	}
	return tk
}

func loginAll(t *testing.T, e *env, logins ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range logins {
		out[l] = e.login(t, l, fromA)
	}
	return out
}

// feedOf reads u's whole feed after cursor.
func (e *env) feedOf(t *testing.T, token string, after int64) api.Changes {
	t.Helper()
	var ch api.Changes
	if code, ae := e.do(t, "GET", api.PathChanges+"?after="+strconv.FormatInt(after, 10), fromA, token, nil, &ch); code != 200 {
		t.Fatalf("changes: %d %+v", code, ae)
	}
	return ch
}

// eventsOf gives each event as kind, from, to, actor, unit and text.
func eventsOf(tk complaint.Ticket) [][6]string {
	var out [][6]string
	for _, ev := range tk.Events {
		out = append(out, [6]string{string(ev.Kind), string(ev.From), string(ev.To), ev.Actor, ev.Unit, ev.Text})
	}
	return out
}

func TestReturnPath(t *testing.T) {
	e := newProcEnv(t)
	tok := loginAll(t, e, "duty1", "handler11", "center1", "duty2")
	tk := ticketN("U1", 1)
	mustDispatch(t, e.db, []complaint.Ticket{tk})
	got := e.walk(t, tok, tk.Number, 1, []step{
		{clockAt, "duty1", complaint.Action{Kind: complaint.KindSign}, complaint.Signed},
		{clockAt.Add(10 * time.Minute), "duty1", complaint.Action{Kind: complaint.KindAssign, Subunit: "U1-01", Handler: "handler11"}, complaint.Assigned},
		{clockAt.Add(20 * time.Minute), "duty1", complaint.Action{Kind: complaint.KindReturnRequest, Text: "非本单位职责，应由水务集团办理"}, complaint.ReturnRequested},
	})
	dutyCursor := e.feedOf(t, tok["duty1"], 0).Cursor
	handlerCursor := e.feedOf(t, tok["handler11"], 0).Cursor

	got = e.walk(t, tok, tk.Number, got.Version, []step{
		{clockAt.Add(time.Hour), "center1", complaint.Action{Kind: complaint.KindReturnAccept, Text: "同意退单"}, complaint.Returned},
	})
	if got.Unit != "C" || got.Subunit != "" || got.Handler != "" || got.Step != complaint.StepNone || !got.Due.IsZero() {
		t.Errorf("returned ticket: unit %q subunit %q handler %q step %q due %v; want the center's, no sub-unit, no step", got.Unit, got.Subunit, got.Handler, got.Step, got.Due)
	}
	for _, who := range []struct {
		login  string
		cursor int64
	}{{"duty1", dutyCursor}, {"handler11", handlerCursor}} {
		ch := e.feedOf(t, tok[who.login], who.cursor)
		if len(ch.Tickets) != 0 || !reflect.DeepEqual(ch.Removed, []string{tk.Number}) {
			t.Errorf("%s's feed after the return: tickets %v removed %v; want removed [%s]", who.login, numbers(ch.Tickets), ch.Removed, tk.Number)
		}
		if code, ae := e.do(t, "GET", api.PathTickets+tk.Number, fromA, tok[who.login], nil, nil); code != 404 || ae != notFound {
			t.Errorf("%s reads the returned ticket: %d %+v", who.login, code, ae)
		}
	}
	dutyCursor = e.feedOf(t, tok["duty1"], dutyCursor).Cursor

	e.now = clockAt.Add(2 * time.Hour)
	code, res, ae := e.act(t, tok["center1"], complaint.Action{ID: newID(1), Kind: complaint.KindDispatch, Ticket: tk.Number, BaseVersion: 5, Unit: "U2", Text: "请水务集团办理"})
	if code != 200 {
		t.Fatalf("re-dispatch: %d %+v", code, ae)
	}
	got = res.Ticket
	at := clockAt.Add(2 * time.Hour).UTC()
	if got.Unit != "U2" || got.State != complaint.Dispatched || got.Version != 6 || !got.DispatchedAt.Equal(at) ||
		got.Return != nil || got.Step != complaint.StepSign || !got.Due.Equal(at.Add(30*time.Minute)) {
		t.Errorf("re-dispatched ticket: unit %s state %s version %d dispatched %v return %+v step %s due %v", got.Unit, got.State, got.Version, got.DispatchedAt, got.Return, got.Step, got.Due)
	}
	water := e.feedOf(t, tok["duty2"], 0)
	if len(water.Tickets) != 1 || !reflect.DeepEqual(water.Tickets[0], got) {
		t.Errorf("U2's feed = %v, want the ticket at version 6", numbers(water.Tickets))
	}
	if ch := e.feedOf(t, tok["duty1"], dutyCursor); len(ch.Tickets) != 0 || ch.Removed != nil || ch.Cursor != dutyCursor {
		t.Errorf("U1's feed after the re-dispatch = %+v; want nothing new", ch)
	}
	want := [][6]string{
		{"dispatch", "", "dispatched", "center1", "C", ""},
		{"sign", "dispatched", "signed", "duty1", "U1", ""},
		{"assign", "signed", "assigned", "duty1", "U1", ""},
		{"return_request", "assigned", "return_requested", "duty1", "U1", "非本单位职责，应由水务集团办理"},
		{"return_accept", "return_requested", "returned", "center1", "C", "同意退单"},
		{"dispatch", "returned", "dispatched", "center1", "C", "请水务集团办理"},
	}
	if !reflect.DeepEqual(eventsOf(got), want) || !reflect.DeepEqual(got.Events[5].Fields, map[string]string{"unit": "U2"}) {
		t.Errorf("history =\n%v\nwant\n%v", eventsOf(got), want)
	}

	// Refused: back where it was, with the center's reason in the history.
	tk2 := ticketN("U1", 2)
	mustDispatch(t, e.db, []complaint.Ticket{tk2})
	got = e.walk(t, tok, tk2.Number, 1, []step{
		{clockAt, "duty1", complaint.Action{Kind: complaint.KindSign}, complaint.Signed},
		{clockAt.Add(time.Minute), "duty1", complaint.Action{Kind: complaint.KindReturnRequest, Text: "非本单位职责"}, complaint.ReturnRequested},
		{clockAt.Add(time.Hour), "center1", complaint.Action{Kind: complaint.KindReturnRefuse, Text: "经核实属供电公司职责，请继续办理"}, complaint.Signed},
	})
	last := got.Events[len(got.Events)-1]
	if got.Unit != "U1" || got.Return != nil || got.Step != complaint.StepAssign ||
		last.Kind != complaint.KindReturnRefuse || last.From != complaint.ReturnRequested || last.To != complaint.Signed || last.Text != "经核实属供电公司职责，请继续办理" {
		t.Errorf("refused return: unit %s return %+v step %s last event %+v", got.Unit, got.Return, got.Step, last)
	}
	if code, _ := e.do(t, "GET", api.PathTickets+tk2.Number, fromA, tok["duty1"], nil, nil); code != 200 {
		t.Errorf("the unit reads its refused return: %d", code)
	}
}

func TestExtensionPath(t *testing.T) {
	e := newProcEnv(t)
	tok := loginAll(t, e, "duty1", "handler11", "center1")
	tk := ticketN("U1", 1) // the center's deadline: Tue 2024-03-19 08:01
	mustDispatch(t, e.db, []complaint.Ticket{tk})
	got := e.walk(t, tok, tk.Number, 1, []step{
		{clockAt, "duty1", complaint.Action{Kind: complaint.KindSign}, complaint.Signed},
		{clockAt, "duty1", complaint.Action{Kind: complaint.KindAssign, Subunit: "U1-01"}, complaint.Assigned},
		{clockAt.Add(time.Hour), "handler11", complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{At: clockAt.Add(50 * time.Minute), How: "电话", Result: "市民同意等待检测结果"}}, complaint.Contacted},
	})
	// Four working days from Fri 09:00 is Thu 09:00, after the center's
	// deadline, which wins.
	if !got.Due.Equal(cst(3, 19, 8, 1)) || got.Step != complaint.StepReply {
		t.Fatalf("due before the extension: %s %v", got.Step, got.Due)
	}
	got = e.walk(t, tok, tk.Number, got.Version, []step{
		{clockAt.Add(2 * time.Hour), "duty1", complaint.Action{Kind: complaint.KindExtensionRequest, Days: 3, Text: "需协调燃气公司共同检测"}, complaint.Contacted},
	})
	if !got.Due.Equal(cst(3, 19, 8, 1)) || got.Extension == nil || got.Extension.Decided || got.Extension.Days != 3 {
		t.Fatalf("a request moves nothing: due %v extension %+v", got.Due, got.Extension)
	}
	newDeadline := cst(3, 22, 17, 0)
	got = e.walk(t, tok, tk.Number, got.Version, []step{
		{clockAt.Add(3 * time.Hour), "center1", complaint.Action{Kind: complaint.KindExtensionDecide, Grant: true, Deadline: newDeadline, Text: "同意延期至3月22日"}, complaint.Contacted},
	})
	wantExt := &complaint.Extension{Days: 3, Reason: "需协调燃气公司共同检测", By: "duty1", At: clockAt.Add(2 * time.Hour).UTC(),
		Decided: true, Granted: true, Deadline: newDeadline.UTC(), Note: "同意延期至3月22日"}
	if !got.Deadline.Equal(newDeadline) || !got.Due.Equal(newDeadline) || !reflect.DeepEqual(got.Extension, wantExt) {
		t.Errorf("after the grant: deadline %v due %v extension %+v; want both %v, %+v", got.Deadline, got.Due, got.Extension, newDeadline, wantExt)
	}
	n := len(got.Events)
	req, dec := got.Events[n-2], got.Events[n-1]
	if req.Kind != complaint.KindExtensionRequest || req.Text != "需协调燃气公司共同检测" || !reflect.DeepEqual(req.Fields, map[string]string{"days": "3"}) ||
		dec.Kind != complaint.KindExtensionDecide || dec.Text != "同意延期至3月22日" ||
		!reflect.DeepEqual(dec.Fields, map[string]string{"granted": "true", "deadline": "2024-03-22T09:00:00Z"}) {
		t.Errorf("history of the extension:\n%+v\n%+v", req, dec)
	}

	// A second request, refused: the granted deadline stays.
	got = e.walk(t, tok, tk.Number, got.Version, []step{
		{clockAt.Add(4 * time.Hour), "duty1", complaint.Action{Kind: complaint.KindExtensionRequest, Days: 2, Text: "检测报告未出"}, complaint.Contacted},
		{clockAt.Add(5 * time.Hour), "center1", complaint.Action{Kind: complaint.KindExtensionDecide, Text: "不同意，请按期办结"}, complaint.Contacted},
	})
	if !got.Deadline.Equal(newDeadline) || got.Extension.Granted || !got.Extension.Decided || len(got.Events) != 8 {
		t.Errorf("after a refusal: deadline %v extension %+v events %d", got.Deadline, got.Extension, len(got.Events))
	}
}

// Each write of a ticket stores the step it waits on and when that is due,
// under the unit's policy, on the Monday-to-Friday test calendar.
func TestDue(t *testing.T) {
	e := newProcEnv(t)
	ctx := context.Background()
	if err := e.db.SetPolicy(ctx, "U2", complaint.Policy{NotifyMinutes: 15, ContactDays: 2, ReviewMinutes: 60, DutySends: true}); err != nil {
		t.Fatal(err)
	}
	tok := loginAll(t, e, "duty1", "handler11", "reviewer1", "center1", "duty2", "reviewer2")
	type row struct {
		at    time.Time
		who   string
		a     complaint.Action
		step  complaint.Step
		start time.Time
		due   time.Time
	}
	reply := &complaint.Reply{Text: "已恢复供电。"}
	var none time.Time
	tests := []struct {
		name     string
		unit     string
		deadline time.Time
		rows     []row
	}{
		{"default policy, no center deadline", "U1", none, []row{
			// dispatched Thu 2024-03-14 08:11
			{cst(3, 15, 9, 0), "duty1", complaint.Action{Kind: complaint.KindSign}, complaint.StepAssign, cst(3, 15, 9, 0), cst(3, 15, 9, 30)},
			{cst(3, 15, 16, 0), "duty1", complaint.Action{Kind: complaint.KindAssign, Subunit: "U1-01"}, complaint.StepContact, cst(3, 15, 16, 0), cst(3, 18, 16, 0)},
			{cst(3, 18, 10, 0), "handler11", complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{At: cst(3, 18, 9, 50), How: "电话", Result: "已联系"}}, complaint.StepReply, cst(3, 15, 16, 0), cst(3, 21, 16, 0)},
			{cst(3, 18, 11, 0), "handler11", complaint.Action{Kind: complaint.KindReply, Reply: reply}, complaint.StepReview, cst(3, 18, 11, 0), cst(3, 18, 13, 0)},
			{cst(3, 18, 12, 0), "reviewer1", complaint.Action{Kind: complaint.KindReject, Criteria: []int{5}}, complaint.StepReply, cst(3, 15, 16, 0), cst(3, 21, 16, 0)},
			{cst(3, 18, 14, 0), "handler11", complaint.Action{Kind: complaint.KindReply, Reply: reply}, complaint.StepReview, cst(3, 18, 14, 0), cst(3, 18, 16, 0)},
			{cst(3, 18, 15, 0), "reviewer1", complaint.Action{Kind: complaint.KindApprove}, complaint.StepNone, none, none},
			{cst(3, 19, 10, 0), "center1", complaint.Action{Kind: complaint.KindClose, Satisfaction: complaint.Unsatisfied}, complaint.StepNone, none, none},
			{cst(3, 19, 11, 0), "center1", complaint.Action{Kind: complaint.KindReopen, Text: "市民不满意"}, complaint.StepSign, cst(3, 19, 11, 0), cst(3, 19, 11, 30)},
		}},
		{"the center's deadline comes first", "U1", cst(3, 20, 12, 0), []row{
			{cst(3, 15, 9, 0), "duty1", complaint.Action{Kind: complaint.KindSign}, complaint.StepAssign, cst(3, 15, 9, 0), cst(3, 15, 9, 30)},
			{cst(3, 15, 16, 0), "duty1", complaint.Action{Kind: complaint.KindAssign, Subunit: "U1-01"}, complaint.StepContact, cst(3, 15, 16, 0), cst(3, 18, 16, 0)},
			{cst(3, 18, 10, 0), "handler11", complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{At: cst(3, 18, 9, 50), How: "电话", Result: "已联系"}}, complaint.StepReply, cst(3, 15, 16, 0), cst(3, 20, 12, 0)},
		}},
		{"U2: its own times, and the duty officer sends", "U2", none, []row{
			{cst(3, 15, 9, 0), "duty2", complaint.Action{Kind: complaint.KindSign}, complaint.StepAssign, cst(3, 15, 9, 0), cst(3, 15, 9, 15)},
			{cst(3, 15, 16, 0), "duty2", complaint.Action{Kind: complaint.KindAssign, Subunit: "U2-01"}, complaint.StepContact, cst(3, 15, 16, 0), cst(3, 19, 16, 0)},
			{cst(3, 18, 10, 0), "duty2", complaint.Action{Kind: complaint.KindReply, Reply: reply}, complaint.StepReview, cst(3, 18, 10, 0), cst(3, 18, 11, 0)},
			{cst(3, 18, 10, 30), "reviewer2", complaint.Action{Kind: complaint.KindApprove}, complaint.StepSend, cst(3, 18, 10, 30), cst(3, 18, 10, 45)},
			{cst(3, 18, 10, 40), "duty2", complaint.Action{Kind: complaint.KindSend}, complaint.StepNone, none, none},
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := ticketN(tt.unit, i+1)
			tk.Deadline = tt.deadline
			mustDispatch(t, e.db, []complaint.Ticket{tk})
			stored, err := e.db.Ticket(ctx, tk.Number)
			if err != nil || stored.Step != complaint.StepSign || !stored.StepStart.Equal(cst(3, 14, 8, 10+i+1)) || !stored.Due.Equal(stored.StepStart.Add(map[string]time.Duration{"U1": 30, "U2": 15}[tt.unit]*time.Minute)) {
				t.Fatalf("dispatched: %s %v %v, %v", stored.Step, stored.StepStart, stored.Due, err)
			}
			version := int64(1)
			for j, r := range tt.rows {
				e.now = r.at
				r.a.ID, r.a.Ticket, r.a.BaseVersion = newID(100*i+j+1), tk.Number, version
				code, res, ae := e.act(t, tok[r.who], r.a)
				if code != 200 {
					t.Fatalf("row %d %s: %d %+v", j+1, r.a.Kind, code, ae)
				}
				got := res.Ticket
				version = got.Version
				if got.Step != r.step || !got.StepStart.Equal(r.start) || !got.Due.Equal(r.due) || got.DueNote != "" {
					t.Errorf("row %d %s: step %q %v → %v %q; want %q %v → %v",
						j+1, r.a.Kind, got.Step, got.StepStart.In(shanghai), got.Due.In(shanghai), got.DueNote, r.step, r.start, r.due)
				}
			}
		})
	}
}

// warnCal answers like a calendar that lacks a year: the Monday-to-Friday
// date with an error carrying the Chinese warning.
type warnCal struct{}

type notCovered struct{}

func (notCovered) Error() string { return "calendar: 2024: year not covered" }
func (notCovered) Warning() string {
	return "2024 年的法定节假日安排尚未收录，工作日按周一至周五推算"
}

func (warnCal) AddWorkdays(t time.Time, n int) (time.Time, error) {
	d, _ := monFri{}.AddWorkdays(t, n)
	return d, notCovered{}
}

func TestDueNote(t *testing.T) {
	assigned := inState("T1", complaint.Assigned, false)
	assigned.Events = []complaint.Event{{Kind: complaint.KindAssign, At: cst(3, 15, 16, 0)}}
	signed := inState("T2", complaint.Signed, false)
	signed.Events = []complaint.Event{{Kind: complaint.KindSign, At: cst(3, 15, 16, 0)}}
	tests := []struct {
		name     string
		cal      complaint.Workdays
		tk       complaint.Ticket
		wantDue  time.Time
		wantNote string
	}{
		{"no calendar", nil, assigned, cst(3, 18, 16, 0), "未配置节假日日历，按周一至周五计算"},
		{"no calendar, a step in minutes", nil, signed, cst(3, 15, 16, 30), ""},
		{"a calendar", monFri{}, assigned, cst(3, 18, 16, 0), ""},
		{"a calendar lacking the year", warnCal{}, assigned, cst(3, 18, 16, 0), "2024 年的法定节假日安排尚未收录，工作日按周一至周五推算"},
	}
	for _, tt := range tests {
		db := &DB{}
		db.SetCalendar(tt.cal)
		tk := tt.tk
		db.setDue(&tk, complaint.Policy{})
		if !tk.Due.Equal(tt.wantDue) || tk.DueNote != tt.wantNote {
			t.Errorf("%s: due %v note %q; want %v %q", tt.name, tk.Due, tk.DueNote, tt.wantDue, tt.wantNote)
		}
	}
}

func TestWeekdays(t *testing.T) {
	tests := []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{cst(3, 15, 16, 0), 1, cst(3, 18, 16, 0)},                              // Fri → Mon
		{cst(3, 18, 20, 0), 1, cst(3, 19, 20, 0)},                              // after hours keeps its time
		{cst(3, 15, 16, 0), 4, cst(3, 21, 16, 0)},                              // Fri + 4 → Thu
		{cst(3, 16, 10, 0), 1, cst(3, 19, 8, 30)},                              // Sat → from Mon 8:30
		{cst(3, 17, 23, 0), 0, cst(3, 18, 8, 30)},                              // Sun, 0 days → Mon 8:30
		{time.Date(2024, 3, 15, 16, 30, 0, 0, time.UTC), 1, cst(3, 19, 8, 30)}, // Fri 16:30 UTC is Sat in China
	}
	for _, tt := range tests {
		got, err := weekdays{}.AddWorkdays(tt.from, tt.n)
		if !got.Equal(tt.want) || err == nil || err.Error() != noCalendarNote {
			t.Errorf("AddWorkdays(%v, %d) = %v, %v; want %v with the note", tt.from, tt.n, got, err, tt.want)
		}
	}
}

// With DutySends the approved reply waits for the duty officer: approval
// writes one event and leaves 已审核.
func TestApprovalSends(t *testing.T) {
	tests := []struct {
		name      string
		policy    complaint.Policy
		wantState complaint.State
		wantKinds []complaint.Kind
	}{
		{"approval sends", complaint.Policy{}, complaint.FedBack, []complaint.Kind{complaint.KindImport, complaint.KindApprove, complaint.KindSend}},
		{"the duty officer sends", complaint.Policy{DutySends: true}, complaint.Approved, []complaint.Kind{complaint.KindImport, complaint.KindApprove}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newProcEnv(t)
			if err := e.db.SetPolicy(context.Background(), "U1", tt.policy); err != nil {
				t.Fatal(err)
			}
			putTickets(t, e.db, []complaint.Ticket{inState("T1", complaint.Replied, false)})
			code, res, ae := e.act(t, e.login(t, "reviewer1", fromA), complaint.Action{ID: newID(1), Kind: complaint.KindApprove, Ticket: "T1", BaseVersion: 1, Text: "同意"})
			if code != 200 {
				t.Fatalf("approve: %d %+v", code, ae)
			}
			got := res.Ticket
			var kinds []complaint.Kind
			for _, ev := range got.Events {
				kinds = append(kinds, ev.Kind)
			}
			if got.State != tt.wantState || got.Version != int64(len(tt.wantKinds)) || !reflect.DeepEqual(kinds, tt.wantKinds) {
				t.Errorf("state %s version %d events %v; want %s, %d, %v", got.State, got.Version, kinds, tt.wantState, len(tt.wantKinds), tt.wantKinds)
			}
			if len(got.Events) == 3 {
				send := got.Events[2]
				want := complaint.Event{ID: 3, Kind: complaint.KindSend, Actor: "reviewer1", Unit: "U1", At: clockAt.UTC(), From: complaint.Approved, To: complaint.FedBack, Text: "审核通过，自动反馈中心"}
				if !reflect.DeepEqual(send, want) || got.Events[1].Action != newID(1) {
					t.Errorf("send event = %+v, want %+v", send, want)
				}
			}
		})
	}
}
