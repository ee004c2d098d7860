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
func (p *demoPlatform) procedure(ctx context.Context, open []complaint.Ticket, now time.Time) error {
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
			c := clients[step.who]
			cur, err := c.Ticket(ctx, t.Number)
			if err != nil {
				return fmt.Errorf("demo seed: ticket %s: %w", t.Number, err)
			}
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			a := step.a
			a.ID, a.Ticket, a.BaseVersion, a.CreatedAt = id.String(), t.Number, cur.Version, at
			if a.Contact != nil {
				c := *a.Contact
				c.At = at.Add(-10 * time.Minute)
				a.Contact = &c
			}
			if _, err := c.Act(ctx, a); err != nil {
				var se *api.StatusError
				if errors.As(err, &se) {
					return fmt.Errorf("demo seed: %s %s by %s: %s", a.Kind, t.Number, step.who, se.Err.Message)
				}
				return fmt.Errorf("demo seed: %s %s: %w", a.Kind, t.Number, err)
			}
		}
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
