package complaint

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/calendar"
)

// The figures' data set: unit U1 of the center C, with sub-units U1-01,
// U1-02 and U1-03 (which gets no ticket), in October 2025, the month of
// National Day. On the official calendar October 2025 has 18 working days:
// 1–8 October are off, Saturday 11 October is a make-up working day
// (and Sunday 28 September before it). Business hours are 8:30–17:30, so a
// working day is 9 hours. Every time below is China time.
//
// The tickets, and what each is there to show:
//
//	T01 plain: U1-01, fed back in 11 business hours, 满意.
//	T02 dispatched on a holiday (3 October): its days count from 9 October;
//	    fed back late, 基本满意.
//	T03 on time only thanks to an extension: U1-02, 不满意.
//	T04 signed late, returned, dispatched back to U1: one ticket, not
//	    returned, on time from the second assignment, 满意.
//	T05 closed 不满意, reopened, closed again 满意: U1-02.
//	T06 signed late, never assigned (unit only), urged twice, no action.
//	T07 contacted late, urged and supervised, reply waiting for review.
//	T08 returned for good.
//	T09 approved but not sent: fed back by approval under the default policy.
//	T10 dispatched in September: not received in October, but its reply
//	    deadline (11 October) is missed in it and it is urged in it.
//	T11 another unit's ticket: counts nowhere.
//	T12 dispatched to U2, returned, dispatched to U1 on 21 October: counts
//	    from then, signed late, fed back late, urged by U1's duty officer.
//	T13 imported closed, without a verdict or any step: unit only.
//	T14 dispatched at 23:00 on 31 October, not signed.
//	T15 dispatched on 1 November: outside the period, as is its urge.
//	T16 contacted, supervised, its reply not yet due at now.
//
// now is Tuesday 4 November 2025 12:00.

var (
	c1 = User{Login: "c1", Unit: "C", Roles: []Role{RoleCenter}}
	d1 = User{Login: "d1", Unit: "U1", Roles: []Role{RoleDuty}}
	h1 = User{Login: "h1", Unit: "U1-01", Roles: []Role{RoleHandler}}
	h2 = User{Login: "h2", Unit: "U1-02", Roles: []Role{RoleHandler}}
	r1 = User{Login: "r1", Unit: "U1", Roles: []Role{RoleReviewer}}
	s1 = User{Login: "s1", Unit: "U1", Roles: []Role{RoleSupervisor}}
	d2 = User{Login: "d2", Unit: "U2", Roles: []Role{RoleDuty}}
)

var figureUnits = []Unit{
	{Code: "C", Name: "12345中心", Kind: KindCenter},
	{Code: "U1", Name: "城东供电公司", Kind: KindUnit, Parent: "C"},
	{Code: "U1-02", Name: "城西营业所", Kind: KindSubunit, Parent: "U1"},
	{Code: "U1-01", Name: "城东营业所", Kind: KindSubunit, Parent: "U1"},
	{Code: "U1-03", Name: "抢修班", Kind: KindSubunit, Parent: "U1"},
	{Code: "U2", Name: "城西供水公司", Kind: KindUnit, Parent: "C"},
}

func cn(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, China)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func octoberCalendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// story builds a ticket the way the platform does: the center's first
// dispatch event without a unit field, every later step through Apply, the
// deadline worked out after each, and a returned ticket moved to the center.
type story struct {
	t   testing.TB
	cal Workdays
	tk  Ticket
}

func newStory(t testing.TB, cal Workdays, number, unit, dispatched string) *story {
	at := cn(t, dispatched)
	s := &story{t: t, cal: cal, tk: Ticket{
		Number: number, Title: "投诉" + number, Unit: unit, State: Dispatched,
		ReceivedAt: at.Add(-10 * time.Minute), DispatchedAt: at, UpdatedAt: at,
		Events: []Event{{Kind: KindDispatch, Actor: "c1", Unit: "C", At: at, To: Dispatched}},
	}}
	s.tk.SetDue(Policy{}, cal)
	return s
}

func (s *story) do(u User, when string, a Action) *story {
	s.t.Helper()
	a.Ticket = s.tk.Number
	now := cn(s.t, when)
	next, _, err := Apply(s.tk, u, a, now)
	if err != nil {
		s.t.Fatalf("%s: %s at %s: %v", s.tk.Number, a.Kind, when, err)
	}
	if a.Kind == KindReturnAccept {
		next.Unit = "C"
	}
	next.SetDue(Policy{}, s.cal)
	s.tk = next
	return s
}

func (s *story) sign(u User, when string) *story { return s.do(u, when, Action{Kind: KindSign}) }
func (s *story) assign(when, sub string) *story {
	return s.do(d1, when, Action{Kind: KindAssign, Subunit: sub})
}
func (s *story) contact(u User, when string) *story {
	return s.do(u, when, Action{Kind: KindContact, Contact: &Contact{At: cn(s.t, when), How: "电话", Result: "已联系"}})
}
func (s *story) reply(u User, when string) *story {
	return s.do(u, when, Action{Kind: KindReply, Reply: &Reply{Text: "已处理"}})
}

// approve approves and, as the platform does under the default policy,
// sends at once.
func (s *story) approve(when string) *story {
	return s.do(r1, when, Action{Kind: KindApprove}).do(r1, when, Action{Kind: KindSend})
}
func (s *story) close(when, verdict string) *story {
	return s.do(c1, when, Action{Kind: KindClose, Satisfaction: verdict})
}
func (s *story) urge(u User, when string) *story {
	return s.do(u, when, Action{Kind: KindUrge, Text: "请抓紧办理"})
}

func figureTickets(t testing.TB, cal Workdays) []Ticket {
	h := func(sub string) User {
		if sub == "U1-01" {
			return h1
		}
		return h2
	}
	plain := func(number, dispatched, signed, assigned, sub, contacted, replied, approved string) *story {
		return newStory(t, cal, number, "U1", dispatched).sign(d1, signed).assign(assigned, sub).
			contact(h(sub), contacted).reply(h(sub), replied).approve(approved)
	}
	var out []Ticket
	add := func(s *story) { out = append(out, s.tk) }

	add(plain("T01", "2025-10-09 09:00", "2025-10-09 09:10", "2025-10-09 09:20", "U1-01", "2025-10-09 10:00", "2025-10-10 10:00", "2025-10-10 11:00").
		close("2025-10-13 10:00", Satisfied))
	add(plain("T02", "2025-10-03 10:00", "2025-10-03 10:20", "2025-10-03 10:25", "U1-01", "2025-10-09 09:00", "2025-10-14 09:00", "2025-10-14 10:00").
		close("2025-10-15 09:00", FairlySatisfied))
	add(newStory(t, cal, "T03", "U1", "2025-10-13 09:00").sign(d1, "2025-10-13 09:05").assign("2025-10-13 09:10", "U1-02").
		contact(h2, "2025-10-13 14:00").
		do(d1, "2025-10-15 10:00", Action{Kind: KindExtensionRequest, Days: 3, Text: "需现场勘查"}).
		do(c1, "2025-10-15 15:00", Action{Kind: KindExtensionDecide, Grant: true, Deadline: cn(t, "2025-10-22 17:00")}).
		reply(h2, "2025-10-21 10:00").approve("2025-10-21 11:00").close("2025-10-23 10:00", Unsatisfied))
	add(newStory(t, cal, "T04", "U1", "2025-10-09 14:00").sign(d1, "2025-10-09 14:40").
		do(d1, "2025-10-09 15:00", Action{Kind: KindReturnRequest, Text: "非本单位职责"}).
		do(c1, "2025-10-10 09:00", Action{Kind: KindReturnAccept}).
		do(c1, "2025-10-10 10:00", Action{Kind: KindDispatch, Unit: "U1"}).
		sign(d1, "2025-10-10 10:05").assign("2025-10-10 10:10", "U1-01").contact(h1, "2025-10-10 15:00").
		reply(h1, "2025-10-13 10:00").approve("2025-10-13 11:00").close("2025-10-14 09:00", Satisfied))
	add(plain("T05", "2025-10-20 09:00", "2025-10-20 09:20", "2025-10-20 09:30", "U1-02", "2025-10-20 11:00", "2025-10-21 09:00", "2025-10-21 10:00").
		close("2025-10-22 09:00", Unsatisfied).
		do(c1, "2025-10-22 10:00", Action{Kind: KindReopen, Text: "市民不满意"}).
		sign(d1, "2025-10-22 10:10").assign("2025-10-22 10:20", "U1-02").contact(h2, "2025-10-22 14:00").
		reply(h2, "2025-10-24 09:00").approve("2025-10-24 09:30").close("2025-10-27 10:00", Satisfied))
	add(newStory(t, cal, "T06", "U1", "2025-10-28 09:00").sign(d1, "2025-10-28 09:50").
		urge(c1, "2025-10-29 10:00").urge(c1, "2025-10-30 10:00"))
	add(newStory(t, cal, "T07", "U1", "2025-10-29 09:00").sign(d1, "2025-10-29 09:10").assign("2025-10-29 09:15", "U1-01").
		urge(c1, "2025-10-30 09:00").contact(h1, "2025-10-30 14:00").
		do(s1, "2025-10-30 16:00", Action{Kind: KindSupervise, Text: "列入督办"}).
		reply(h1, "2025-10-31 10:00"))
	add(newStory(t, cal, "T08", "U1", "2025-10-16 09:00").sign(d1, "2025-10-16 09:10").
		do(d1, "2025-10-16 10:00", Action{Kind: KindReturnRequest, Text: "非本单位职责"}).
		do(c1, "2025-10-17 09:00", Action{Kind: KindReturnAccept}))
	add(newStory(t, cal, "T09", "U1", "2025-10-22 09:00").sign(d1, "2025-10-22 09:05").assign("2025-10-22 09:10", "U1-02").
		contact(h2, "2025-10-22 10:00").reply(h2, "2025-10-23 09:00").
		do(r1, "2025-10-23 10:00", Action{Kind: KindApprove}))
	add(newStory(t, cal, "T10", "U1", "2025-09-29 09:00").sign(d1, "2025-09-29 09:10").assign("2025-09-29 09:20", "U1-01").
		contact(h1, "2025-09-29 15:00").urge(c1, "2025-10-09 09:00").
		reply(h1, "2025-10-13 09:00").approve("2025-10-13 10:00").close("2025-10-14 10:00", Satisfied))
	add(newStory(t, cal, "T11", "U2", "2025-10-09 09:00").sign(d2, "2025-10-09 09:10"))
	add(newStory(t, cal, "T12", "U2", "2025-10-20 09:00").sign(d2, "2025-10-20 09:05").
		do(d2, "2025-10-20 09:30", Action{Kind: KindReturnRequest, Text: "应由供电公司办理"}).
		do(c1, "2025-10-20 14:00", Action{Kind: KindReturnAccept}).
		do(c1, "2025-10-21 09:00", Action{Kind: KindDispatch, Unit: "U1"}).
		sign(d1, "2025-10-21 09:40").assign("2025-10-21 09:50", "U1-02").contact(h2, "2025-10-21 10:30").
		urge(d1, "2025-10-22 09:00").
		reply(h2, "2025-10-27 10:00").approve("2025-10-27 10:30"))
	// T13 as the platform imports a file's closed row: the call's time
	// for the dispatch, the file's reply time, one import event at the
	// time of the import.
	t13 := Ticket{Number: "T13", Title: "投诉T13", Unit: "U1", State: Closed,
		ReceivedAt: cn(t, "2025-10-15 10:00"), DispatchedAt: cn(t, "2025-10-15 10:00"),
		Reply: &Reply{Text: "已答复", At: cn(t, "2025-10-17 16:00")}, UpdatedAt: cn(t, "2025-10-17 16:00"),
		Events: []Event{{Kind: KindImport, Actor: "import", At: cn(t, "2025-11-01 09:00"), To: Closed}}}
	t13.SetDue(Policy{}, cal)
	out = append(out, t13)
	add(newStory(t, cal, "T14", "U1", "2025-10-31 23:00"))
	add(newStory(t, cal, "T15", "U1", "2025-11-01 00:10").urge(c1, "2025-11-03 10:00"))
	add(newStory(t, cal, "T16", "U1", "2025-10-30 09:00").sign(d1, "2025-10-30 09:05").assign("2025-10-30 09:10", "U1-02").
		contact(h2, "2025-10-30 11:00").do(s1, "2025-10-31 09:00", Action{Kind: KindSupervise, Text: "列入督办"}))
	return out
}

func october(t testing.TB) Period {
	return Period{From: cn(t, "2025-10-01 00:00"), To: cn(t, "2025-11-01 00:00")}
}

const near = 1e-9

func same(a, b float64) bool { return math.Abs(a-b) < near }

// checkFigures compares every field, floats to 1e-9.
func checkFigures(t *testing.T, got, want Figures) {
	t.Helper()
	g, w := got, want
	for _, f := range []struct {
		name   string
		g, w   float64
		gp, wp *float64
	}{
		{"AvgDays", g.AvgDays, w.AvgDays, &g.AvgDays, &w.AvgDays},
		{"P90Days", g.P90Days, w.P90Days, &g.P90Days, &w.P90Days},
		{"Score", g.Score, w.Score, &g.Score, &w.Score},
	} {
		if !same(f.g, f.w) {
			t.Errorf("%s %s = %.12f, want %.12f", want.Code, f.name, f.g, f.w)
		}
		*f.gp, *f.wp = 0, 0
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", want.Code, g, w)
	}
}

func TestComputeFigures(t *testing.T) {
	cal := octoberCalendar(t)
	tickets := figureTickets(t, cal)
	now := cn(t, "2025-11-04 12:00")
	st := Compute(tickets, figureUnits, "U1", october(t), Policy{}, cal, Weights{}, now)

	// Population: first dispatch to U1 in October — T01–T09, T12, T13,
	// T14, T16 = 13 (not T10: September; T11: U2; T15: November).
	// Sub-units by last assignment: U1-01 = T01 T02 T04 T07;
	// U1-02 = T03 T05 T09 T12 T16; unit only: T06 T08 T13 T14.
	//
	// Signed within 30 min of the first dispatch: T01 (10 min), T02 (20),
	// T03 (5), T05 (20), T07 (10), T08 (10), T09 (5), T16 (5) = 8;
	// not: T04 (40), T06 (50), T12 (40 after U1's dispatch), T13
	// (imported), T14 (not signed).
	//
	// Fed back (first feedback), business hours from the first dispatch,
	// and the reply deadline (first assignment + 4 working days):
	//	T01 10-10 11:00  8.5+2.5            = 11    due 10-14 09:20  on time
	//	T02 10-14 10:00  9+9+9+9+1.5        = 37.5  due 10-14 08:30  late (counted from 10-09 08:30)
	//	T03 10-21 11:00  8.5+4×9+9+2.5      = 56    due 10-17 09:10, extended to 10-22 17:00: on time
	//	T04 10-13 11:00  3.5+9+9+2.5        = 24    due 10-15 10:10 (second stay)  on time
	//	T05 10-21 10:00  8.5+1.5            = 10    due 10-24 09:30  on time
	//	T09 10-23 10:00  8.5+1.5            = 10    approval, no send; due 10-28 09:10  on time
	//	T12 10-27 10:30  8.5+9+9+9+2        = 37.5  due 10-27 09:50  late
	//	T13 10-17 16:00  7.5+9+7.5          = 24    from the dispatch: due 10-21 10:00  on time
	// Replied 8, OnTime 6. Sum 210 h = 23.333… days; mean 210/8/9;
	// nearest rank ⌈0.9×8⌉ = 8th of 8 = 56 h.
	//
	// Closed now: T01 T02 T03 T04 T05 (closed again) T13 = 6; surveyed
	// (a verdict) 5, satisfied T01 T02 T04 T05 = 4 (T03 不满意).
	// Returned for good: T08 (T04 came back). Reopened T05. Extended T03.
	//
	// Score, default weights: 0.2×8/12 + 0.2×6/12 + 0.25×6/8 + 0.25×4/5 +
	// 0.05×(1−1/13) + 0.05×(1−1/8) = 0.233333… + 0.3875 + 0.089903846… =
	// 0.710737179…
	unit := Figures{Code: "U1", Name: "城东供电公司",
		Received: 13, SignedOnTime: 8, Replied: 8, Closed: 6, OnTime: 6, Surveyed: 5, Satisfied: 4,
		Returned: 1, Reopened: 1, Extended: 1,
		SignRate: Rate{8, 13}, ReplyRate: Rate{8, 12}, CloseRate: Rate{6, 12}, OnTimeRate: Rate{6, 8},
		SatisfactionRate: Rate{4, 5}, ReturnRate: Rate{1, 13}, ReopenRate: Rate{1, 8},
		AvgDays: 2.916666666667, P90Days: 6.222222222222, Score: 71.073717948718, HasScore: true}
	checkFigures(t, st.Unit, unit)

	// U1-01: T01 T02 T04 T07. Signed on time T01 T02 T07; fed back T01
	// (11 h) T02 (37.5 h) T04 (24 h), on time T01 T04; all three closed
	// and satisfied. Mean 72.5/3/9 days; nearest rank ⌈2.7⌉ = 3rd = 37.5 h.
	// Score 0.2×3/4 + 0.2×3/4 + 0.25×2/3 + 0.25×1 + 0.05×1 + 0.05×1 = 0.816666…
	//
	// U1-02: T03 T05 T09 T12 T16. Signed on time T03 T05 T09 T16; fed
	// back T03 (56 h) T05 (10) T09 (10) T12 (37.5), on time T03 T05 T09;
	// closed T03 (不满意) T05 (满意). Mean 113.5/4/9 days; ⌈3.6⌉ = 4th = 56 h.
	// Score 0.2×4/5 + 0.2×2/5 + 0.25×3/4 + 0.25×1/2 + 0.05×1 + 0.05×3/4 = 0.64
	//
	// U1-03 has no ticket: every rate "—" and no score.
	subs := []Figures{
		{Code: "U1-01", Name: "城东营业所", Received: 4, SignedOnTime: 3, Replied: 3, Closed: 3, OnTime: 2, Surveyed: 3, Satisfied: 3,
			SignRate: Rate{3, 4}, ReplyRate: Rate{3, 4}, CloseRate: Rate{3, 4}, OnTimeRate: Rate{2, 3},
			SatisfactionRate: Rate{3, 3}, ReturnRate: Rate{0, 4}, ReopenRate: Rate{0, 3},
			AvgDays: 2.685185185185, P90Days: 4.166666666667, Score: 81.666666666667, HasScore: true},
		{Code: "U1-02", Name: "城西营业所", Received: 5, SignedOnTime: 4, Replied: 4, Closed: 2, OnTime: 3, Surveyed: 2, Satisfied: 1,
			Reopened: 1, Extended: 1,
			SignRate: Rate{4, 5}, ReplyRate: Rate{4, 5}, CloseRate: Rate{2, 5}, OnTimeRate: Rate{3, 4},
			SatisfactionRate: Rate{1, 2}, ReturnRate: Rate{0, 5}, ReopenRate: Rate{1, 4},
			AvgDays: 3.152777777778, P90Days: 6.222222222222, Score: 64, HasScore: true},
		{Code: "U1-03", Name: "抢修班"},
	}
	if len(st.Subunits) != len(subs) {
		t.Fatalf("%d sub-units, want %d: %+v", len(st.Subunits), len(subs), st.Subunits)
	}
	for i := range subs {
		checkFigures(t, st.Subunits[i], subs[i])
	}

	// The rates as shown.
	var shown []string
	for _, r := range []Rate{unit.SignRate, unit.ReplyRate, unit.CloseRate, unit.OnTimeRate, unit.SatisfactionRate, unit.ReturnRate, unit.ReopenRate} {
		shown = append(shown, r.String())
	}
	if got, want := strings.Join(shown, " "), "61.5% 66.7% 50.0% 75.0% 80.0% 7.7% 12.5%"; got != want {
		t.Errorf("unit rates shown %q, want %q", got, want)
	}
	for _, r := range []Rate{st.Subunits[2].SignRate, st.Subunits[2].ReplyRate, st.Subunits[2].OnTimeRate, st.Subunits[2].ReopenRate} {
		if r.String() != "—" {
			t.Errorf("U1-03 rate %+v shown %q, want —", r, r.String())
		}
	}
	if st.Note != "" {
		t.Errorf("note %q, want none: 2025 is covered", st.Note)
	}

	// Days: 31. Received by the day of first dispatch; missed deadlines
	// (the step's deadline, the time it was done):
	//	10-09 T04 sign 14:30, signed 14:40
	//	10-11 T10 reply 09:20 (09-29 09:20 + 4 working days), replied 10-13
	//	10-14 T02 reply 08:30, replied 09:00
	//	10-16 T08 assign 09:40, return requested 10:00
	//	10-21 T12 sign 09:30, signed 09:40
	//	10-27 T12 reply 09:50, replied 10:00
	//	10-28 T06 sign 09:30, signed 09:50; T06 assign 10:20, never
	//	10-30 T07 contact 09:15 (10-29 09:15 + 1), contacted 14:00
	//	10-31 T07 review 12:00, never; T14 sign 23:30, never
	// Not missed: T03's reply (extended before its deadline), T09's send
	// (not a counted step), T15's sign (1 November), T12's steps at U2.
	received := map[int]int{3: 1, 9: 2, 13: 1, 15: 1, 16: 1, 20: 1, 21: 1, 22: 1, 28: 1, 29: 1, 30: 1, 31: 1}
	missed := map[int]int{9: 1, 11: 1, 14: 1, 16: 1, 21: 1, 27: 1, 28: 2, 30: 1, 31: 2}
	if len(st.Days) != 31 {
		t.Fatalf("%d days, want 31", len(st.Days))
	}
	for i, d := range st.Days {
		want := Day{Date: time.Date(2025, 10, i+1, 0, 0, 0, 0, China), Received: received[i+1], Missed: missed[i+1]}
		if !d.Date.Equal(want.Date) || d.Received != want.Received || d.Missed != want.Missed {
			t.Errorf("day %d: got %s %d/%d, want %s %d/%d", i+1, d.Date, d.Received, d.Missed, want.Date, want.Received, want.Missed)
		}
	}
}

// With sending left to the duty officer, T09's approval is not a feedback:
// 7 replied (T09 was on time, 10 h), U1-02 3.
func TestComputeDutySends(t *testing.T) {
	cal := octoberCalendar(t)
	st := Compute(figureTickets(t, cal), figureUnits, "U1", october(t), Policy{DutySends: true}, cal, Weights{}, cn(t, "2025-11-04 12:00"))
	u, sub := st.Unit, st.Subunits[1]
	if u.Replied != 7 || u.OnTime != 5 || u.ReplyRate != (Rate{7, 12}) || u.ReopenRate != (Rate{1, 7}) {
		t.Errorf("unit replied %d on time %d reply %v reopen %v, want 7, 5, 7/12, 1/7", u.Replied, u.OnTime, u.ReplyRate, u.ReopenRate)
	}
	// 200 h over 7 tickets.
	if !same(u.AvgDays, 200.0/7/9) {
		t.Errorf("unit mean %.12f days, want %.12f", u.AvgDays, 200.0/7/9)
	}
	if sub.Code != "U1-02" || sub.Replied != 3 || sub.OnTime != 2 {
		t.Errorf("%s replied %d on time %d, want U1-02, 3, 2", sub.Code, sub.Replied, sub.OnTime)
	}
}

// The weights: only satisfaction gives the satisfaction rate; an empty
// period has nothing to divide and no score.
func TestComputeWeightsAndEmpty(t *testing.T) {
	cal := octoberCalendar(t)
	tickets := figureTickets(t, cal)
	now := cn(t, "2025-11-04 12:00")
	st := Compute(tickets, figureUnits, "U1", october(t), Policy{}, cal, Weights{Satisfaction: 1}, now)
	if !same(st.Unit.Score, 80) || !st.Unit.HasScore {
		t.Errorf("satisfaction only: score %v %v, want 80 true", st.Unit.Score, st.Unit.HasScore)
	}
	// Return only: 1 − 1/13.
	st = Compute(tickets, figureUnits, "U1", october(t), Policy{}, cal, Weights{Return: 2}, now)
	if !same(st.Unit.Score, 100*12.0/13) {
		t.Errorf("return only: score %v, want %v", st.Unit.Score, 100*12.0/13)
	}

	december := Period{From: cn(t, "2025-12-01 00:00"), To: cn(t, "2026-01-01 00:00")}
	st = Compute(tickets, figureUnits, "U1", december, Policy{}, cal, Weights{}, now)
	want := Figures{Code: "U1", Name: "城东供电公司"}
	checkFigures(t, st.Unit, want)
	if st.Unit.ReplyRate.String() != "—" || st.Unit.SatisfactionRate.String() != "—" {
		t.Errorf("empty period shows %s and %s, want —", st.Unit.ReplyRate, st.Unit.SatisfactionRate)
	}
	if len(st.Days) != 31 || st.Days[30].Received != 0 || st.Days[30].Missed != 0 {
		t.Errorf("December: %d days, last %+v", len(st.Days), st.Days[len(st.Days)-1])
	}
}

func TestSuperviseFigures(t *testing.T) {
	cal := octoberCalendar(t)
	now := cn(t, "2025-11-04 12:00")
	all, subs := Supervise(figureTickets(t, cal), figureUnits, "U1", october(t), Policy{}, cal, now)

	// Urged or supervised in October while at U1:
	//	T06 (unit only) urged 10-29 10:00 and 10-30 10:00, nothing since;
	//	    signed, assignment due 10-28 10:20: overdue.
	//	T07 (U1-01) urged 10-30 09:00 → contacted 14:00: 5 h;
	//	    supervised 10-30 16:00 → replied 10-31 10:00: 1.5+1.5 = 3 h;
	//	    review due 10-31 12:00: overdue.
	//	T10 (U1-01) urged 10-09 09:00 → replied 10-13 09:00:
	//	    8.5+9+9 (Saturday 11th works)+0.5 = 27 h; closed: fed back.
	//	T12 (U1-02) urged by U1's duty officer 10-22 09:00 → replied
	//	    10-27 10:00: 8.5+9+9+1.5 = 28 h; fed back.
	//	T16 (U1-02) supervised 10-31 09:00, nothing since; reply due
	//	    11-05 09:10: open.
	// T15's urge is in November.
	want := Oversight{Code: "U1", Name: "城东供电公司", Urged: 4, Urges: 5, Supervised: 2, Tickets: 5,
		FedBack: 2, Open: 1, Overdue: 2, Acted: 4, AvgActHours: (5 + 3 + 27 + 28) / 4.0, MaxActHours: 28}
	checkOversight(t, all, want)
	wantSubs := []Oversight{
		{Code: "U1-01", Name: "城东营业所", Urged: 2, Urges: 2, Supervised: 1, Tickets: 2, FedBack: 1, Overdue: 1,
			Acted: 3, AvgActHours: (5 + 3 + 27) / 3.0, MaxActHours: 27},
		{Code: "U1-02", Name: "城西营业所", Urged: 1, Urges: 1, Supervised: 1, Tickets: 2, FedBack: 1, Open: 1,
			Acted: 1, AvgActHours: 28, MaxActHours: 28},
		{Code: "U1-03", Name: "抢修班"},
	}
	if len(subs) != len(wantSubs) {
		t.Fatalf("%d sub-units, want %d", len(subs), len(wantSubs))
	}
	for i := range wantSubs {
		checkOversight(t, subs[i], wantSubs[i])
	}
}

func checkOversight(t *testing.T, got, want Oversight) {
	t.Helper()
	if !same(got.AvgActHours, want.AvgActHours) {
		t.Errorf("%s AvgActHours = %.12f, want %.12f", want.Code, got.AvgActHours, want.AvgActHours)
	}
	got.AvgActHours, want.AvgActHours = 0, 0
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", want.Code, got, want)
	}
}

func TestFiguresNearestRank(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 3},                            // ⌈2.7⌉ = 3rd
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 9},      // ⌈9⌉ = 9th
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 10}, // ⌈9.9⌉ = 10th
	} {
		if got := nearestRank(tt.xs, 0.9); got != tt.want {
			t.Errorf("nearestRank(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestFiguresWeightsCheck(t *testing.T) {
	if (Weights{}).WithDefaults() != DefaultWeights || (Weights{Close: 1}).WithDefaults() != (Weights{Close: 1}) {
		t.Error("WithDefaults")
	}
	if err := DefaultWeights.Check(); err != nil {
		t.Error(err)
	}
	for _, tt := range []struct {
		w    Weights
		want string
	}{
		{Weights{Reply: -1, Close: 1}, "reply = -1: a weight is a number of 0 or more, as in reply = 0.2"},
		{Weights{OnTime: math.NaN()}, "on_time = NaN: a weight is a number of 0 or more, as in on_time = 0.25"},
		{Weights{}, "every weight is 0: give at least one weight above 0, or leave the weights out for the defaults"},
	} {
		if err := tt.w.Check(); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: %v, want %s", tt.w, err, tt.want)
		}
	}
}

// From U2's side: T11 is U2's, and T12 was U2's until it was returned for
// good (it went to U1 afterwards). T11's assignment, due 10-09 09:40, is
// still not done.
func TestComputeOtherUnit(t *testing.T) {
	cal := octoberCalendar(t)
	st := Compute(figureTickets(t, cal), figureUnits, "U2", october(t), Policy{}, cal, Weights{}, cn(t, "2025-11-04 12:00"))
	want := Figures{Code: "U2", Name: "城西供水公司", Received: 2, SignedOnTime: 2, Returned: 1,
		SignRate: Rate{2, 2}, ReplyRate: Rate{0, 1}, CloseRate: Rate{0, 1}, ReturnRate: Rate{1, 2},
		// 0.2×0 + 0.2×0 + 0.05×(1 − 1/2) over 0.45
		Score: 100 * 0.025 / 0.45, HasScore: true}
	checkFigures(t, st.Unit, want)
	if len(st.Subunits) != 0 {
		t.Errorf("U2 has no sub-units, got %+v", st.Subunits)
	}
	var missed []int
	for i, d := range st.Days {
		for range d.Missed {
			missed = append(missed, i+1)
		}
	}
	if !reflect.DeepEqual(missed, []int{9}) {
		t.Errorf("U2 missed on days %v, want [9]", missed)
	}
}

// A year the official tables do not cover is counted Monday to Friday, and
// the figures carry the calendar's warning.
func TestComputeUncoveredYear(t *testing.T) {
	cal := octoberCalendar(t)
	if cal.Covered(2300) {
		t.Skip("the tables cover 2300")
	}
	s := newStory(t, cal, "T90", "U1", "2300-03-01 09:00").sign(d1, "2300-03-01 09:10").assign("2300-03-01 09:20", "U1-01").
		contact(h1, "2300-03-01 10:00").reply(h1, "2300-03-02 10:00").approve("2300-03-02 11:00")
	p := Period{From: cn(t, "2300-03-01 00:00"), To: cn(t, "2300-04-01 00:00")}
	st := Compute([]Ticket{s.tk}, figureUnits, "U1", p, Policy{}, cal, Weights{}, cn(t, "2300-04-02 00:00"))
	if st.Unit.Replied != 1 || st.Unit.OnTime != 1 || !strings.Contains(st.Note, "2300 年的法定节假日安排尚未收录") {
		t.Errorf("replied %d on time %d note %q", st.Unit.Replied, st.Unit.OnTime, st.Note)
	}
}

// BenchmarkComputeMonth computes a month from 8,000 tickets with their
// histories (the data set above 500 times): about a busy unit's month plus
// its open tickets, what Store.History gives.
func BenchmarkComputeMonth(b *testing.B) {
	cal := octoberCalendar(b)
	one := figureTickets(b, cal)
	var tickets []Ticket
	for range 500 {
		tickets = append(tickets, one...)
	}
	now := cn(b, "2025-11-04 12:00")
	for b.Loop() {
		st := Compute(tickets, figureUnits, "U1", october(b), Policy{}, cal, Weights{}, now)
		if st.Unit.Received != 13*500 {
			b.Fatalf("received %d", st.Unit.Received)
		}
		Supervise(tickets, figureUnits, "U1", october(b), Policy{}, cal, now)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/month")
}

// Rates and decimals round halves away from zero, as the spreadsheet of the
// monthly report shows the same numbers.
func TestRoundingMatchesSpreadsheets(t *testing.T) {
	for _, c := range []struct {
		r    Rate
		want string
	}{
		{Rate{13, 16}, "81.3%"}, // 81.25
		{Rate{1, 2000}, "0.1%"}, // 0.05
		{Rate{1, 3}, "33.3%"},
		{Rate{2, 3}, "66.7%"},
		{Rate{5, 5}, "100.0%"},
		{Rate{0, 7}, "0.0%"},
		{Rate{0, 0}, "—"},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("%d/%d shown %q, want %q", c.r.Num, c.r.Den, got, c.want)
		}
	}
	for x, want := range map[float64]string{2.25: "2.3", 2.24: "2.2", 0.05: "0.1", 7: "7.0"} {
		if got := OneDecimal(x); got != want {
			t.Errorf("OneDecimal(%v) = %q, want %q", x, got, want)
		}
	}
}
