package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"hotline/api"
	"hotline/calendar"
	"hotline/complaint"
	"hotline/platform"
	"hotline/platform/sample"
)

// step is one action of the demo's seed and the login that takes it.
type step struct {
	who string
	a   complaint.Action
}

// timed is a step of the seed and when it is taken.
type timed struct {
	at time.Time
	step
}

// scenario is what the demo does to one open ticket: the actions, in order.
// The duty officer signs and assigns soon after the dispatch; the later
// steps are spread over the rest of the time from the dispatch to now, so
// that deadlines fall before and after now and the lists show every
// urgency.
type scenario []step

// byHandler reports whether the demo's handler login takes a step of sc:
// such a ticket must be in the handler's sub-unit.
func (sc scenario) byHandler() bool {
	for _, s := range sc {
		if s.who == "handler" {
			return true
		}
	}
	return false
}

// partial is a reply that leaves out its basis, for the review pre-check
// to mark and the reviewer to send back.
func partial(t complaint.Ticket) *complaint.Reply {
	r := &complaint.Reply{
		Findings:       fmt.Sprintf("经核查，“%s”问题属实，已安排城东供电所现场处理。", t.Title),
		Explanation:    "已电话向来电人说明原因和处理时间，来电人表示理解。",
		Measures:       "已派员到场处理，问题已解决。",
		CitizenOpinion: "来电人表示满意。",
	}
	r.Text = r.Compose()
	return r
}

var (
	signStep    = step{"duty", complaint.Action{Kind: complaint.KindSign}}
	contactStep = step{"handler", complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{How: "电话", Result: "已电话联系来电人，约定现场查看。"}}}
)

// assignStep hands the ticket to sub, naming the demo's handler when sub is
// the handler's sub-unit (the other sub-units have no demo login).
func assignStep(sub string) step {
	a := complaint.Action{Kind: complaint.KindAssign, Subunit: sub, Text: "请于一个工作日内联系来电人"}
	if sub == sample.HandlerUnit {
		a.Handler = "handler"
	}
	return step{"duty", a}
}

func scenarios(t complaint.Ticket) []scenario {
	assign := assignStep(sample.HandlerUnit)
	reply := step{"handler", complaint.Action{Kind: complaint.KindReply, Reply: partial(t)}}
	return []scenario{
		{signStep},
		{signStep, assign},
		{signStep, assign, contactStep},
		{signStep, assign, contactStep, reply},
		{signStep, assign, contactStep, reply, {"leader", complaint.Action{Kind: complaint.KindReject, Criteria: []int{4}, Text: "请补充处理依据（规程条款或检测数据）"}}},
		{signStep, {"duty", complaint.Action{Kind: complaint.KindReturnRequest, Text: "该处线路为小区物业自管资产，不属供电公司职责，请转物业主管部门。"}}},
		{signStep, assign, {"duty", complaint.Action{Kind: complaint.KindExtensionRequest, Days: 3, Text: "需停电检修，须提前三天公告。"}}},
		{signStep, assign, contactStep, {"center", complaint.Action{Kind: complaint.KindUrge, Text: "市民再次来电，请加快办理。"}},
			{"jcb", complaint.Action{Kind: complaint.KindSupervise, Text: "列入本周督办。"}}},
		nil, // left to sign
	}
}

// signDelay is how long after its dispatch the k-th ticket of the seed was
// signed: within the procedure's half hour, except every sixth, so that the
// figures' 签收及时率 is neither nothing nor everything.
func signDelay(k int) time.Duration {
	if k%6 == 5 {
		return time.Duration(35+k*7%50) * time.Minute
	}
	return time.Duration(5+k*7%21) * time.Minute
}

// assignDelay is how long after signing the k-th ticket was assigned.
func assignDelay(k int) time.Duration {
	return time.Duration(3+k*5%13) * time.Minute
}

// procedure works the demo's tickets through the platform's own API, in
// this process, as each role would, at times in the past. The fed-back
// tickets go the whole way to the center, assigned to the sub-units in
// turn, and every other one is closed since; the open ones get one
// scenario each in turn, the newest three left to sign.
func (p *demoPlatform) procedure(ctx context.Context, fed, open []complaint.Ticket, now time.Time) error {
	s, err := newSeeder(ctx, p.db, now)
	if err != nil {
		return err
	}
	approved, err := s.feedBack(fed, p.cal, now)
	if err != nil {
		return err
	}
	if err := s.closeHalf(fed, approved, now); err != nil {
		return err
	}
	return s.work(open, len(fed), now)
}

// subunits are the codes of the demo unit's sub-units, in the sample's
// order, with their names.
func subunits() ([]string, map[string]string) {
	var codes []string
	names := map[string]string{}
	for _, u := range sample.Units() {
		if u.Kind == complaint.KindSubunit {
			codes = append(codes, u.Code)
			names[u.Code] = u.Name
		}
	}
	return codes, names
}

// feedBack takes each ticket through sign, assign, contact, reply and
// approval, which sends the reply to the center: signed within minutes
// (see signDelay), replied within the 4 working days but a few a day late,
// each approved before a day ago. It returns when each was approved.
func (s *seeder) feedBack(fed []complaint.Ticket, cal *calendar.Calendar, now time.Time) ([]time.Time, error) {
	subs, names := subunits()
	// The demo unit keeps the default policy: 4 working days to reply, and
	// approval sends the reply to the center at once.
	policy := complaint.Policy{}.WithDefaults()
	// Every fed-back ticket was approved before this, so that the
	// center's callback, a day or so later, can fall today.
	limit := now.Add(-20 * time.Hour)
	approved := make([]time.Time, len(fed))
	for i, t := range fed {
		// In turn, one further on each round, so that the closed ones
		// (every other) fall in every sub-unit too.
		sub := subs[(i+i/len(subs))%len(subs)]
		// The other sub-units have no demo login: the duty officer enters
		// their contact and reply, as the procedure lets him.
		who := "duty"
		if sub == sample.HandlerUnit {
			who = "handler"
		}
		sign := t.DispatchedAt.Add(signDelay(i))
		assign := sign.Add(assignDelay(i))
		contact := assign.Add(time.Duration(1+i%5) * time.Hour)
		// An uncovered year only makes the calendar guess; the demo's
		// times need no more than that.
		due, _ := cal.AddWorkdays(assign, policy.ReplyDays)
		// A few replied a working day late, where the ticket is old
		// enough for that.
		late := i%7 == 2
		var reply time.Time
		if late {
			reply, _ = cal.AddWorkdays(assign, policy.ReplyDays+1)
		} else {
			reply, _ = cal.AddWorkdays(assign, 1+i%3)
			reply = reply.Add(-time.Duration(i%4) * time.Hour)
		}
		approve := reply.Add(time.Duration(20+i*13%90) * time.Minute)
		if approve.After(limit) {
			// Too young for its plan: replied and approved in the time
			// it has had.
			late = false
			reply = contact.Add(limit.Sub(contact) / 2)
			approve = reply.Add(min(40*time.Minute, limit.Sub(reply)/2))
		}
		c := *contactStep.a.Contact
		c.At = contact.Add(-10 * time.Minute)
		steps := []timed{
			{sign, signStep},
			{assign, assignStep(sub)},
			{contact, step{who, complaint.Action{Kind: complaint.KindContact, Contact: &c}}},
		}
		if late {
			// Past its deadline the center urges and the supervision
			// office takes it up, so that 督办 has more than one sub-unit.
			steps = append(steps,
				timed{due.Add(time.Hour), step{"center", complaint.Action{Kind: complaint.KindUrge, Text: "已超过办理时限，市民再次来电催问。"}}},
				timed{due.Add(2 * time.Hour), step{"jcb", complaint.Action{Kind: complaint.KindSupervise, Text: "超期未反馈，列入督办。"}}})
		}
		steps = append(steps,
			timed{reply, step{who, complaint.Action{Kind: complaint.KindReply, Reply: demoReply(&t, names[sub])}}},
			timed{approve, step{"leader", complaint.Action{Kind: complaint.KindApprove}}})
		for _, st := range steps {
			if err := s.act(st.who, t.Number, st.at, st.a); err != nil {
				return nil, err
			}
		}
		approved[i] = approve
	}
	return approved, nil
}

// closeHalf has the center close every other fed-back ticket, some of them
// today, so that the closed lists, the day's print and 满意率 have some.
func (s *seeder) closeHalf(fed []complaint.Ticket, approved []time.Time, now time.Time) error {
	var closing []int
	for i := 0; i < len(fed); i += 2 {
		closing = append(closing, i)
	}
	for j, i := range closing {
		// The center's callback a day or so after the feedback, never
		// later than a few minutes ago.
		at := approved[i].Add(time.Duration(18+j%12) * time.Hour)
		if limit := now.Add(-time.Duration(5+j) * time.Minute); at.After(limit) || j == len(closing)-1 {
			at = limit
		}
		if y, m, d := now.In(shanghai).Date(); j == len(closing)-1 {
			// The last one today, China time, even just after midnight.
			at = maxTime(at, time.Date(y, m, d, 0, 0, 0, 0, shanghai))
		}
		sat := []string{complaint.Satisfied, complaint.FairlySatisfied}[j%2]
		if j%5 == 3 {
			sat = complaint.Unsatisfied
		}
		if err := s.act("center", fed[i].Number, at, complaint.Action{Kind: complaint.KindClose, Satisfaction: sat}); err != nil {
			return err
		}
	}
	return nil
}

// work takes each open ticket but the newest three through one scenario,
// in turn; the k-th of them is the (first+k)-th ticket of the seed.
func (s *seeder) work(open []complaint.Ticket, first int, now time.Time) error {
	subs, _ := subunits()
	others := slices.DeleteFunc(subs, func(code string) bool { return code == sample.HandlerUnit })
	turn := 0
	for i, t := range open {
		if i >= len(open)-3 {
			break
		}
		sc := scenarios(t)[i%len(scenarios(t))]
		if !sc.byHandler() && len(sc) > 1 && sc[1].a.Kind == complaint.KindAssign {
			// Nothing here for the handler to do: the other sub-units
			// take it, in turn.
			sc[1] = assignStep(others[turn%len(others)])
			turn++
		}
		k := first + i
		d := t.DispatchedAt
		// Signing and the next step come within minutes, unless the
		// ticket is younger than that.
		slot := now.Sub(d) / time.Duration(len(sc)+2)
		var at, base time.Time
		for j, st := range sc {
			switch j {
			case 0:
				at = d.Add(min(signDelay(k), slot))
			case 1:
				at = at.Add(min(assignDelay(k), slot))
				base = at
			default:
				at = base.Add(now.Sub(base) * time.Duration(j-1) / time.Duration(len(sc)-1))
			}
			a := st.a
			if a.Contact != nil {
				c := *a.Contact
				c.At = maxTime(at.Add(-10*time.Minute), base)
				a.Contact = &c
			}
			if err := s.act(st.who, t.Number, at, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// seeder takes the seed's actions through the API of a platform server of
// its own, whose clock it sets to each action's time.
type seeder struct {
	ctx     context.Context
	mu      sync.Mutex
	clock   time.Time
	clients map[string]*api.Client // by login
	version map[string]int64       // by ticket: the version the seed last saw
}

func newSeeder(ctx context.Context, db *platform.DB, now time.Time) (*seeder, error) {
	s := &seeder{ctx: ctx, clock: now, clients: map[string]*api.Client{}, version: map[string]int64{}}
	srv := platform.NewServer(db, platform.Options{Now: func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.clock }})
	hc := &http.Client{Transport: inProcess{srv.Handler()}}
	for _, u := range sample.Users() {
		c := &api.Client{Base: "http://demo", HTTP: hc}
		if _, err := c.Login(ctx, u.Login, sample.Password(u.Login)); err != nil {
			return nil, fmt.Errorf("demo seed: login %s: %w", u.Login, err)
		}
		s.clients[u.Login] = c
	}
	return s, nil
}

// act does a to the ticket as who, at the given time. The seed is the
// only writer, so the version an action returns is the base of the next;
// only a ticket's first action asks for it.
func (s *seeder) act(who, number string, at time.Time, a complaint.Action) error {
	s.mu.Lock()
	s.clock = at
	s.mu.Unlock()
	c := s.clients[who]
	base, ok := s.version[number]
	if !ok {
		cur, err := c.Ticket(s.ctx, number)
		if err != nil {
			return fmt.Errorf("demo seed: ticket %s: %w", number, err)
		}
		base = cur.Version
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	a.ID, a.Ticket, a.BaseVersion, a.CreatedAt = id.String(), number, base, at
	res, err := c.Act(s.ctx, a)
	if err != nil {
		var se *api.StatusError
		if errors.As(err, &se) {
			return fmt.Errorf("demo seed: %s %s by %s: %s", a.Kind, number, who, se.Err.Message)
		}
		return fmt.Errorf("demo seed: %s %s: %w", a.Kind, number, err)
	}
	s.version[number] = res.Ticket.Version
	return nil
}

// inProcess answers HTTP requests with a handler in this process, from a
// loopback address: the demo's seeding uses the API without a tunnel.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	in := r.Clone(r.Context())
	in.RemoteAddr = "127.0.0.1:1"
	in.RequestURI = r.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	return rec.Result(), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
