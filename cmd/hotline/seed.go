package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/google/uuid"

	"hotline/api"
	"hotline/complaint"
	"hotline/platform"
	"hotline/platform/sample"
)

// scenario is what the demo does to one open ticket: the actions, by whom,
// in order. The steps are spread over the time from the ticket's dispatch to
// now, so that deadlines fall before and after now and the lists show every
// urgency.
type scenario []struct {
	who string
	a   complaint.Action
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

func scenarios(t complaint.Ticket) []scenario {
	sign := struct {
		who string
		a   complaint.Action
	}{"duty", complaint.Action{Kind: complaint.KindSign}}
	assign := struct {
		who string
		a   complaint.Action
	}{"duty", complaint.Action{Kind: complaint.KindAssign, Subunit: sample.HandlerUnit, Handler: "handler", Text: "请于一个工作日内联系来电人"}}
	contact := struct {
		who string
		a   complaint.Action
	}{"handler", complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{How: "电话", Result: "已电话联系来电人，约定现场查看。"}}}
	reply := struct {
		who string
		a   complaint.Action
	}{"handler", complaint.Action{Kind: complaint.KindReply, Reply: partial(t)}}
	return []scenario{
		{sign},
		{sign, assign},
		{sign, assign, contact},
		{sign, assign, contact, reply},
		{sign, assign, contact, reply, {"leader", complaint.Action{Kind: complaint.KindReject, Criteria: []int{4}, Text: "请补充处理依据（规程条款或检测数据）"}}},
		{sign, {"duty", complaint.Action{Kind: complaint.KindReturnRequest, Text: "该处线路为小区物业自管资产，不属供电公司职责，请转物业主管部门。"}}},
		{sign, assign, {"duty", complaint.Action{Kind: complaint.KindExtensionRequest, Days: 3, Text: "需停电检修，须提前三天公告。"}}},
		{sign, assign, contact, {"center", complaint.Action{Kind: complaint.KindUrge, Text: "市民再次来电，请加快办理。"}},
			{"jcb", complaint.Action{Kind: complaint.KindSupervise, Text: "列入本周督办。"}}},
		nil, // left to sign
	}
}

// procedure works the open tickets through the platform's own API, in this
// process, as each role would: every ticket gets one scenario in turn; the
// newest three are left to sign.
func (p *demoPlatform) procedure(ctx context.Context, open, closing []complaint.Ticket, now time.Time) error {
	var mu sync.Mutex
	clock := now
	srv := platform.NewServer(p.db, platform.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	hc := &http.Client{Transport: inProcess{srv.Handler()}}
	clients := map[string]*api.Client{}
	for _, u := range sample.Users() {
		c := &api.Client{Base: "http://demo", HTTP: hc}
		if _, err := c.Login(ctx, u.Login, sample.Password(u.Login)); err != nil {
			return fmt.Errorf("demo seed: login %s: %w", u.Login, err)
		}
		clients[u.Login] = c
	}
	for i, t := range closing {
		// The center's callback a day or so after the reply, never later
		// than a few minutes ago.
		at := t.Reply.At.Add(time.Duration(18+i%12) * time.Hour)
		if limit := now.Add(-time.Duration(5+i) * time.Minute); at.After(limit) || i == len(closing)-1 {
			at = limit
		}
		if y, m, d := now.In(shanghai).Date(); i == len(closing)-1 {
			// The last one today, China time, even just after midnight.
			at = maxTime(at, time.Date(y, m, d, 0, 0, 0, 0, shanghai))
		}
		mu.Lock()
		clock = at
		mu.Unlock()
		sat := []string{complaint.Satisfied, complaint.FairlySatisfied}[i%2]
		if err := seedAct(ctx, clients["center"], "center", t.Number, complaint.Action{Kind: complaint.KindClose, Satisfaction: sat, CreatedAt: at}); err != nil {
			return err
		}
	}
	for i, t := range open {
		if i >= len(open)-3 {
			break
		}
		sc := scenarios(t)[i%len(scenarios(t))]
		for k, step := range sc {
			// Spread the steps over the ticket's life so far.
			at := t.DispatchedAt.Add(now.Sub(t.DispatchedAt) * time.Duration(k+1) / time.Duration(len(sc)+2))
			mu.Lock()
			clock = at
			mu.Unlock()
			a := step.a
			a.CreatedAt = at
			if a.Contact != nil {
				c := *a.Contact
				c.At = at.Add(-10 * time.Minute)
				a.Contact = &c
			}
			if err := seedAct(ctx, clients[step.who], step.who, t.Number, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedAct does a to the ticket as it now stands on the platform, as who.
func seedAct(ctx context.Context, c *api.Client, who, number string, a complaint.Action) error {
	cur, err := c.Ticket(ctx, number)
	if err != nil {
		return fmt.Errorf("demo seed: ticket %s: %w", number, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	a.ID, a.Ticket, a.BaseVersion = id.String(), number, cur.Version
	if _, err := c.Act(ctx, a); err != nil {
		var se *api.StatusError
		if errors.As(err, &se) {
			return fmt.Errorf("demo seed: %s %s by %s: %s", a.Kind, number, who, se.Err.Message)
		}
		return fmt.Errorf("demo seed: %s %s: %w", a.Kind, number, err)
	}
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
