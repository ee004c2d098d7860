package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"hotline/complaint"
)

// worklistNow is the instant the worklist fixture is judged at.
var worklistNow = time.Date(2025, 10, 9, 10, 0, 0, 0, cst)

// worklist caches one ticket in every situation the lists tell apart, in
// unit U01 (sub-units U01-A and U01-B) and one in U02. Each is received an
// hour after the one before it.
func worklist(t *testing.T) *Store {
	t.Helper()
	const h, m = time.Hour, time.Minute
	rows := []struct {
		number     string
		state      complaint.State
		unit, sub  string
		handler    string
		step       complaint.Step
		span, left time.Duration // the step's length and the time left at worklistNow; span 0: nothing due
		supervised bool
		extension  *complaint.Extension
	}{
		{"D1", complaint.Dispatched, "U01", "", "", complaint.StepSign, 30 * m, 20 * m, false, nil},           // on time
		{"S1", complaint.Signed, "U01", "", "", complaint.StepAssign, 30 * m, -10 * m, false, nil},            // overdue
		{"A1", complaint.Assigned, "U01", "U01-A", "", complaint.StepContact, 24 * h, 2 * h, false, nil},      // near
		{"A2", complaint.Assigned, "U01", "U01-B", "", complaint.StepContact, 24 * h, 20 * h, false, nil},     // on time
		{"C1", complaint.Contacted, "U01", "U01-A", "zhao", complaint.StepReply, 96 * h, 72 * h, false, nil},  // on time
		{"C2", complaint.Contacted, "U01", "U01-B", "wang", complaint.StepReply, 96 * h, 24 * h, false, nil},  // exactly 25 % left: on time
		{"J1", complaint.Rejected, "U01", "U01-A", "wang", complaint.StepReply, 96 * h, 24*h - m, false, nil}, // just under 25 %: near
		{"J2", complaint.Rejected, "U01", "", "", complaint.StepReply, 96 * h, -h, false, nil},                // overdue
		{"R1", complaint.Replied, "U01", "U01-A", "wang", complaint.StepReview, 2 * h, 0, false, nil},         // due now: overdue
		{"P1", complaint.Approved, "U01", "U01-A", "wang", complaint.StepSend, 30 * m, 29 * m, false, nil},    // on time
		{"Q1", complaint.ReturnRequested, "U01", "", "", complaint.StepNone, 0, 0, false, nil},
		{"F1", complaint.FedBack, "U01", "U01-A", "wang", complaint.StepNone, 0, 0, false, nil},
		{"X1", complaint.Returned, "U01", "", "", complaint.StepNone, 0, 0, false, nil},
		{"K1", complaint.Closed, "U01", "U01-B", "", complaint.StepReply, 96 * h, -2 * h, false, nil}, // closed: a stale deadline counts for nothing
		{"E1", complaint.Contacted, "U01", "U01-A", "wang", complaint.StepReply, 96 * h, 48 * h, true, // half left; supervised; extension pending
			&complaint.Extension{Days: 3, Reason: "等待检测", By: "li", At: worklistNow.Add(-h)}},
		{"E2", complaint.Assigned, "U01", "U01-B", "", complaint.StepContact, 24 * h, h, false, // near; extension refused
			&complaint.Extension{Days: 2, Reason: "等待", By: "li", At: worklistNow.Add(-2 * h), Decided: true}},
		{"O1", complaint.Dispatched, "U02", "", "", complaint.StepSign, 30 * m, -5 * m, false, nil}, // overdue, other unit
		{"Q2", complaint.ReturnRequested, "U01", "", "", complaint.StepNone, 0, 0, false, nil},
	}
	received := time.Date(2025, 9, 1, 9, 0, 0, 0, cst)
	var page []complaint.Ticket
	for i, r := range rows {
		tk := smallTicket(r.number, r.state, 1, received.Add(time.Duration(i)*h))
		tk.Unit, tk.Subunit, tk.Handler, tk.Step = r.unit, r.sub, r.handler, r.step
		tk.Supervised, tk.Extension = r.supervised, r.extension
		if r.span > 0 {
			tk.Due = worklistNow.Add(r.left)
			tk.StepStart = tk.Due.Add(-r.span)
		}
		page = append(page, tk)
	}
	s := openTest(t)
	if _, err := s.Apply(context.Background(), page, nil, 1); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFilterProcedure(t *testing.T) {
	s := worklist(t)
	ctx := context.Background()
	user := func(login, unit string, roles ...complaint.Role) *complaint.User {
		return &complaint.User{Login: login, Unit: unit, Roles: roles}
	}
	yes, no := true, false
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"urgency, open", Filter{Open: &yes, Order: OrderUrgency},
			[]string{"J2", "S1", "O1", "R1", "D1", "P1", "E2", "A1", "A2", "J1", "C2", "E1", "C1", "Q2", "Q1"}},
		{"urgency, done", Filter{Open: &no, Order: OrderUrgency}, []string{"K1", "X1", "F1"}},
		{"urgency, limit", Filter{Order: OrderUrgency, Limit: 3}, []string{"K1", "J2", "S1"}},
		{"step reply", Filter{Steps: []complaint.Step{complaint.StepReply}, Order: OrderNumber}, []string{"C1", "C2", "E1", "J1", "J2", "K1"}},
		{"steps sign and send", Filter{Steps: []complaint.Step{complaint.StepSign, complaint.StepSend}, Order: OrderNumber}, []string{"D1", "O1", "P1"}},
		{"no step", Filter{Steps: []complaint.Step{complaint.StepNone}, Order: OrderNumber}, []string{"F1", "Q1", "Q2", "X1"}},
		{"subunit A", Filter{Subunit: "U01-A", Order: OrderNumber}, []string{"A1", "C1", "E1", "F1", "J1", "P1", "R1"}},
		{"subunit B, open, contact", Filter{Subunit: "U01-B", Open: &yes, Steps: []complaint.Step{complaint.StepContact}, Order: OrderNumber}, []string{"A2", "E2"}},
		{"subunit unknown", Filter{Subunit: "U09"}, []string{}},
		{"mine: duty", Filter{Mine: user("li", "U01", complaint.RoleDuty), Order: OrderNumber}, []string{"D1", "J2", "P1", "S1"}},
		{"mine: duty of U02", Filter{Mine: user("qian", "U02", complaint.RoleDuty), Order: OrderNumber}, []string{"O1"}},
		{"mine: handler of U01-A", Filter{Mine: user("wang", "U01-A", complaint.RoleHandler), Order: OrderNumber}, []string{"A1", "C2", "E1", "J1"}},
		{"mine: other handler of U01-A", Filter{Mine: user("zhao", "U01-A", complaint.RoleHandler), Order: OrderNumber}, []string{"A1", "C1"}},
		{"mine: handler of U01-B", Filter{Mine: user("sun", "U01-B", complaint.RoleHandler), Order: OrderNumber}, []string{"A2", "E2"}},
		{"mine: handler in the unit itself", Filter{Mine: user("zhou", "U01", complaint.RoleHandler), Order: OrderNumber}, []string{"J2"}},
		{"mine: reviewer", Filter{Mine: user("zhang", "U01", complaint.RoleReviewer), Order: OrderNumber}, []string{"R1"}},
		{"mine: supervisor", Filter{Mine: user("jian", "U01", complaint.RoleSupervisor), Order: OrderNumber}, []string{"E1", "J2", "R1", "S1"}},
		{"mine: supervisor 25 min later", Filter{Mine: user("jian", "U01", complaint.RoleSupervisor), Order: OrderNumber, Now: worklistNow.Add(25 * time.Minute)},
			[]string{"D1", "E1", "J2", "R1", "S1"}},
		{"mine: center", Filter{Mine: user("center", "C", complaint.RoleCenter), Order: OrderNumber}, []string{"E1", "F1", "Q1", "Q2", "X1"}},
		{"mine: center, open only", Filter{Mine: user("center", "C", complaint.RoleCenter), Open: &yes, Order: OrderNumber}, []string{"E1", "Q1", "Q2"}},
		{"mine: duty and reviewer", Filter{Mine: user("li", "U01", complaint.RoleDuty, complaint.RoleReviewer), Order: OrderUrgency}, []string{"J2", "S1", "R1", "D1", "P1"}},
		{"mine: admin", Filter{Mine: user("root", "U01", complaint.RoleAdmin)}, []string{}},
		{"mine: no roles", Filter{Mine: &complaint.User{}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.f.Now.IsZero() {
				tt.f.Now = worklistNow
			}
			got, err := s.Tickets(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(got), tt.want) {
				t.Errorf("Tickets = %v, want %v", numbers(got), tt.want)
			}
			wantCount := len(tt.want)
			if tt.f.Limit > 0 {
				wantCount = 18
			}
			if n, err := s.Count(ctx, tt.f); err != nil || n != wantCount {
				t.Errorf("Count = %d, %v; want %d", n, err, wantCount)
			}
		})
	}
}

// Without Filter.Now, Mine judges "overdue" by the store's clock.
func TestMineUsesStoreClock(t *testing.T) {
	s := worklist(t)
	ctx := context.Background()
	sup := &complaint.User{Login: "jian", Unit: "U01", Roles: []complaint.Role{complaint.RoleSupervisor}}
	for _, tt := range []struct {
		now  time.Time
		want []string
	}{
		{worklistNow.Add(-time.Hour), []string{"E1", "J2"}},
		{worklistNow, []string{"E1", "J2", "R1", "S1"}},
		{worklistNow.Add(30 * time.Minute), []string{"D1", "E1", "J2", "P1", "R1", "S1"}},
	} {
		s.now = func() time.Time { return tt.now }
		got, err := s.Tickets(ctx, Filter{Mine: sup, Order: OrderNumber})
		if err != nil || !slices.Equal(numbers(got), tt.want) {
			t.Errorf("at %v: Tickets = %v, %v; want %v", tt.now, numbers(got), err, tt.want)
		}
	}
}

func TestDueCounts(t *testing.T) {
	s := worklist(t)
	ctx := context.Background()
	tests := []struct {
		name          string
		now           time.Time
		p             complaint.Policy
		near, overdue int
	}{
		// near: A1, J1, E2; overdue: S1, J2, R1 (due at now), O1. K1 is closed.
		{"default policy", worklistNow, complaint.Policy{}, 3, 4},
		// C2 has exactly 25 % left: near at half; E1's exact half is not.
		{"near at half", worklistNow, complaint.Policy{Near: 0.5}, 4, 4},
		// An hour earlier: near A1 (3 h of 24 left) and E2 (2 h of 24);
		// overdue only J2 (due then). R1 has half its review left, J1 and
		// C2 just over a quarter; S1, O1, D1, P1 more than their whole step.
		{"an hour earlier", worklistNow.Add(-time.Hour), complaint.Policy{}, 2, 1},
		// A day later every step of a day or less is overdue (D1, S1, A1,
		// A2, R1, P1, E2, O1), and so are C2, J1, J2 (24 h left or less);
		// E1 has 24 h of 96 left, exactly 25 %: on time; C1 48 h: on time.
		{"a day later", worklistNow.Add(24 * time.Hour), complaint.Policy{}, 0, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			near, overdue, err := s.DueCounts(ctx, tt.now, tt.p)
			if err != nil || near != tt.near || overdue != tt.overdue {
				t.Errorf("DueCounts = %d near, %d overdue, %v; want %d, %d", near, overdue, err, tt.near, tt.overdue)
			}
		})
	}
	empty := openTest(t)
	if near, overdue, err := empty.DueCounts(ctx, worklistNow, complaint.Policy{}); err != nil || near != 0 || overdue != 0 {
		t.Errorf("DueCounts of an empty cache = %d, %d, %v", near, overdue, err)
	}
}

// Search looks in the reply's fields too, and works with the new filters.
func TestSearchReplyFields(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	r := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	a := smallTicket("R1", complaint.Replied, 1, r)
	a.Reply = &complaint.Reply{Text: "已处理", Findings: "施工单位夜间作业", Explanation: "已向吉𠮷解释“夜间施工”许可",
		Measures: "责令停工整改", Basis: "《噪声污染防治法》第四十三条", CitizenOpinion: "基本满意"}
	a.Contact = &complaint.Contact{At: r, How: "电话", Result: "来电人不在家"}
	b := smallTicket("R2", complaint.Contacted, 1, r.Add(time.Hour))
	b.Content = "责令整改不到位"
	if _, err := s.Apply(ctx, []complaint.Ticket{a, b}, nil, 1); err != nil {
		t.Fatal(err)
	}
	reviewer := &complaint.User{Login: "zhang", Unit: "U01", Roles: []complaint.Role{complaint.RoleReviewer}}
	tests := []struct {
		query string
		f     Filter
		want  []string
	}{
		{"夜间作业", Filter{}, []string{"R1"}},
		{"吉𠮷", Filter{}, []string{"R1"}},
		{"停工", Filter{}, []string{"R1"}},
		{"噪声污染防治法 四十三", Filter{}, []string{"R1"}},
		{"基本满意", Filter{}, []string{"R1"}},
		{"责令", Filter{}, []string{"R2", "R1"}},
		{"责令", Filter{Mine: reviewer}, []string{"R1"}},
		{"责令", Filter{Steps: []complaint.Step{complaint.StepNone}, Order: OrderUrgency}, []string{"R2", "R1"}},
		{"不在家", Filter{}, []string{}}, // the contact's result is not searched
	}
	for _, tt := range tests {
		got, err := s.Search(ctx, tt.query, tt.f)
		if err != nil || !slices.Equal(numbers(got), tt.want) {
			t.Errorf("Search(%q, %+v) = %v, %v; want %v", tt.query, tt.f, numbers(got), err, tt.want)
		}
	}
}

func TestMineRulesBind(t *testing.T) {
	u := complaint.User{Login: "li", Unit: "U01", Roles: []complaint.Role{complaint.RoleDuty, complaint.RoleHandler,
		complaint.RoleReviewer, complaint.RoleSupervisor, complaint.RoleCenter, complaint.RoleAdmin}}
	cond, args, err := mineCond(u, worklistNow)
	if err != nil {
		t.Fatal(err)
	}
	// One argument per state listed and per :name used, in order.
	var want int
	for _, r := range mineRules {
		_, a, err := bindNamed(r.cond, map[string]any{"unit": "", "login": "", "now": ""})
		if err != nil {
			t.Errorf("rule for %s: %v", r.role, err)
		}
		want += len(r.states) + len(a)
	}
	if len(args) != want || want != 19 {
		t.Errorf("mineCond(every role) has %d args, rules want %d; want 19\n%s", len(args), want, cond)
	}
	if _, _, err := bindNamed("t.unit = :unknown", map[string]any{}); err == nil {
		t.Error("bindNamed with an unknown name succeeded")
	}
}
