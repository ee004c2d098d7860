package platform

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// searchEnv is the fixture with tickets 1–8 of U1 and 1–5 of U2 (see
// ticketN: 路灯 is in the title and text of 2 and 7, the caller of 1 and 6
// is 吉𠮷, ticket i is received at 08:00 + i minutes on 2024-03-14 and its
// caller's phone is 138 followed by i in eight digits), where U1's 3 is
// closed with a reply, its 4 assigned to the sub-unit U1-01, its 5 signed,
// and its 6 of another category; and handler2, a handler of U1-01.
func searchEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, Options{})
	ctx := context.Background()
	if err := e.db.AddUser(ctx, complaint.User{Login: "handler2", Name: "周承办", Unit: "U1-01", Roles: []complaint.Role{complaint.RoleHandler}}, testPassword); err != nil {
		t.Fatal(err)
	}
	u1 := ticketsFor("U1", 1, 8)
	u1[2].State = complaint.Closed
	u1[2].Reply = &complaint.Reply{Text: "已更换路灯。", Findings: "灯具损坏", Basis: "《城市照明管理规定》第二十条", At: clockAt.Add(-time.Hour)}
	u1[3].State, u1[3].Subunit = complaint.Assigned, "U1-01"
	u1[4].State = complaint.Signed
	u1[5].Category = "表扬"
	mustDispatch(t, e.db, u1)
	mustDispatch(t, e.db, ticketsFor("U2", 1, 5))
	return e
}

func u1(is ...int) []string {
	out := []string{}
	for _, i := range is {
		out = append(out, fmt.Sprintf("GD2024U1%06d", i))
	}
	return out
}

func TestSearchAPI(t *testing.T) {
	e := searchEnv(t)
	ctx := context.Background()
	day := func(h, m int) time.Time { return time.Date(2024, 3, 14, h, m, 0, 0, shanghai) }

	duty := e.client(t, "duty1")
	tests := []struct {
		name string
		q    api.SearchQuery
		want []string
		more bool
	}{
		{"everything", api.SearchQuery{}, u1(8, 7, 6, 5, 4, 3, 2, 1), false},
		{"two characters", api.SearchQuery{Query: "路灯"}, u1(7, 3, 2), false},
		{"in the reply's basis", api.SearchQuery{Query: "城市照明"}, u1(3), false},
		{"in the reply's findings", api.SearchQuery{Query: "灯具"}, u1(3), false},
		{"non-BMP caller", api.SearchQuery{Query: "吉𠮷"}, u1(6, 1), false},
		{"non-BMP alone", api.SearchQuery{Query: "𠮷"}, u1(6, 1), false},
		{"in the address", api.SearchQuery{Query: "解放路7号"}, u1(7), false},
		{"words ANDed", api.SearchQuery{Query: "路灯 AND 夜间"}, u1(7, 2), false},
		{"words ANDed, none", api.SearchQuery{Query: "路灯 噪音"}, []string{}, false},
		{"ASCII case", api.SearchQuery{Query: "gd2024u1000005"}, u1(5), false},
		{"number exact", api.SearchQuery{Number: "GD2024U1000004"}, u1(4), false},
		{"number prefix", api.SearchQuery{Number: "GD2024U10000"}, u1(8, 7, 6, 5, 4, 3, 2, 1), false},
		{"number inside", api.SearchQuery{Number: "000004"}, []string{}, false},
		{"phone", api.SearchQuery{Phone: "138-0000 0004"}, u1(4), false},
		{"phone part", api.SearchQuery{Phone: "0000000"}, u1(8, 7, 6, 5, 4, 3, 2, 1), false},
		{"received from, to", api.SearchQuery{From: day(8, 3), To: day(8, 5)}, u1(4, 3), false},
		{"received to, UTC", api.SearchQuery{To: day(8, 2).UTC()}, u1(1), false},
		{"state", api.SearchQuery{States: []complaint.State{complaint.Assigned}}, u1(4), false},
		{"states", api.SearchQuery{States: []complaint.State{complaint.Assigned, complaint.Closed}}, u1(4, 3), false},
		{"subunit", api.SearchQuery{Subunit: "U1-01"}, u1(4), false},
		{"category", api.SearchQuery{Category: "表扬"}, u1(6), false},
		{"overdue", api.SearchQuery{Overdue: true}, u1(8, 7, 6, 5, 4, 2, 1), false},
		{"limit", api.SearchQuery{Limit: 3}, u1(8, 7, 6), true},
		{"limit exactly reached", api.SearchQuery{Query: "路灯", Limit: 3}, u1(7, 3, 2), false},
		{"all together", api.SearchQuery{Query: "路灯", Number: "GD2024U1", Phone: "138", From: day(8, 0), To: day(9, 0),
			States: []complaint.State{complaint.Dispatched}, Category: "投诉"}, u1(7, 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := duty.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(res.Tickets), tt.want) || res.More != tt.more {
				t.Errorf("Search(%v) = %v more=%v, want %v more=%v", tt.q.Values(), numbers(res.Tickets), res.More, tt.want, tt.more)
			}
		})
	}

	// Overdue is judged at the server's clock; due at that instant is
	// overdue. The steps are due at 08:41 (1), 08:42 (2), 08:45 (5),
	// 08:46 (6) … and 08:14 the next day (4).
	for _, c := range []struct {
		now  time.Time
		want []string
	}{
		{day(8, 40), []string{}},
		{day(8, 45).Add(-time.Second), u1(2, 1)},
		{day(8, 45), u1(5, 2, 1)},
		{day(8, 48), u1(8, 7, 6, 5, 2, 1)},
		{day(8, 0).Add(24*time.Hour + 14*time.Minute), u1(8, 7, 6, 5, 4, 2, 1)},
	} {
		e.now = c.now
		res, err := duty.Search(ctx, api.SearchQuery{Overdue: true})
		if err != nil || !slices.Equal(numbers(res.Tickets), c.want) {
			t.Errorf("Search(overdue) at %s = %v, %v; want %v", c.now.Format("01-02 15:04:05"), numbers(res.Tickets), err, c.want)
		}
	}
	e.now = clockAt

	// The tickets come whole but for their history.
	res, err := duty.Search(ctx, api.SearchQuery{Number: "GD2024U1000003"})
	if err != nil || len(res.Tickets) != 1 {
		t.Fatalf("Search(number 3) = %v, %v", res, err)
	}
	stored, err := e.db.Ticket(ctx, "GD2024U1000003")
	if err != nil {
		t.Fatal(err)
	}
	got := res.Tickets[0]
	if got.Events != nil || got.Reply == nil || *got.Reply != *stored.Reply || got.State != complaint.Closed || got.Version != stored.Version ||
		!got.ReceivedAt.Equal(stored.ReceivedAt) || got.Title != stored.Title || got.Content != stored.Content {
		t.Errorf("searched ticket %+v\nstored %+v", got, stored)
	}
}

// Each user finds only what complaint.Visible lets them see.
func TestSearchAPIScope(t *testing.T) {
	e := searchEnv(t)
	ctx := context.Background()
	u2 := func(is ...int) []string {
		out := []string{}
		for _, i := range is {
			out = append(out, fmt.Sprintf("GD2024U2%06d", i))
		}
		return out
	}
	tests := []struct {
		login string
		q     api.SearchQuery
		want  []string
	}{
		{"duty2", api.SearchQuery{}, u2(5, 4, 3, 2, 1)},
		{"duty2", api.SearchQuery{Query: "路灯"}, u2(2)},
		{"duty2", api.SearchQuery{Query: "城市照明"}, []string{}},
		{"duty2", api.SearchQuery{Number: "GD2024U1"}, []string{}},
		{"duty2", api.SearchQuery{Phone: "13800000004"}, u2(4)},
		{"duty2", api.SearchQuery{Subunit: "U1-01"}, []string{}},
		{"duty1", api.SearchQuery{Phone: "13800000004"}, u1(4)},
		{"handler1", api.SearchQuery{Query: "路灯"}, u1(7, 3, 2)},
		{"handler2", api.SearchQuery{}, u1(4)},
		{"handler2", api.SearchQuery{Query: "路灯"}, []string{}},
		{"center1", api.SearchQuery{Phone: "13800000004"}, append(u2(4), u1(4)...)},
		{"center1", api.SearchQuery{Query: "路灯"}, []string{"GD2024U1000007", "GD2024U1000003", "GD2024U2000002", "GD2024U1000002"}},
	}
	clients := map[string]*api.Client{}
	for _, tt := range tests {
		c := clients[tt.login]
		if c == nil {
			c = e.client(t, tt.login)
			clients[tt.login] = c
		}
		res, err := c.Search(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(numbers(res.Tickets), tt.want) {
			t.Errorf("%s: Search(%v) = %v, want %v", tt.login, tt.q.Values(), numbers(res.Tickets), tt.want)
		}
	}
	// Ties on the time of the call come by number, highest first: the
	// fixture's U1 and U2 tickets of the same i were received together
	// (U1's 6 at 08:06, U2's 1 and U1's 1 at 08:01).
	if res, err := clients["center1"].Search(ctx, api.SearchQuery{Query: "吉𠮷", Limit: 2}); err != nil ||
		!slices.Equal(numbers(res.Tickets), []string{"GD2024U1000006", "GD2024U2000001"}) || !res.More {
		t.Errorf("center: Search(吉𠮷, limit 2) = %v more=%v, %v", numbers(res.Tickets), res.More, err)
	}
}

// What cannot be read is a 400 that names the parameter and the form it
// takes; nothing else answers.
func TestSearchAPIBadParameters(t *testing.T) {
	e := searchEnv(t)
	token := e.login(t, "duty1", fromA)
	bad := func(msg string) api.Error { return api.Error{Code: api.CodeBadRequest, Message: msg} }
	tests := []struct {
		query string
		want  api.Error
	}{
		{"from=2026-11-01", bad(`参数 from 无效："2026-11-01"，应为 RFC 3339 时间，如 2026-11-01T00:00:00+08:00`)},
		{"to=yesterday", bad(`参数 to 无效："yesterday"，应为 RFC 3339 时间，如 2026-11-01T00:00:00+08:00`)},
		{"from=2026-11-02T00:00:00%2B08:00&to=2026-11-01T00:00:00%2B08:00", bad("参数 from 应早于 to")},
		{"limit=0", bad(`参数 limit 无效："0"，应为 1 到 1000 的整数`)},
		{"limit=1001", bad(`参数 limit 无效："1001"，应为 1 到 1000 的整数`)},
		{"limit=ten", bad(`参数 limit 无效："ten"，应为 1 到 1000 的整数`)},
		{"overdue=yes", bad(`参数 overdue 无效："yes"，应为 1 或 0`)},
		{"state=open", bad(`参数 state 无效："open"，应为状态代码，如 assigned`)},
		{"phone=138x", bad(`参数 phone 无效："138x"，应为电话号码的数字（可带空格、横线、括号）`)},
		{"phone=--", bad(`参数 phone 无效："--"，应为电话号码的数字（可带空格、横线、括号）`)},
		{"number=1&number=2", bad("参数 number 只能给一次")},
		{"keyword=路灯", bad("未知参数 keyword；可用参数：q, number, phone, from, to, state, subunit, category, overdue, limit")},
		{"q=" + url.QueryEscape(strings.Repeat("路", 201)), bad("参数 q 过长：201 个字，最多 200 个")},
	}
	for _, tt := range tests {
		code, ae := e.do(t, "GET", api.PathSearch+"?"+tt.query, fromA, token, nil, nil)
		if code != 400 || ae != tt.want {
			t.Errorf("GET search?%s = %d %+v, want 400 %+v", tt.query, code, ae, tt.want)
		}
	}
	// The label of a state, and a state given twice, are fine.
	var res api.SearchResult
	if code, ae := e.do(t, "GET", api.PathSearch+"?state="+url.QueryEscape("已派发")+"&state=closed", fromA, token, nil, &res); code != 200 ||
		!slices.Equal(numbers(res.Tickets), u1(4, 3)) {
		t.Errorf("GET search?state=已派发&state=closed = %d %+v %v", code, ae, numbers(res.Tickets))
	}
	if code, ae := e.do(t, "GET", api.PathSearch+"?q="+url.QueryEscape(strings.Repeat("路", 200)), fromA, token, nil, &res); code != 200 || len(res.Tickets) != 0 {
		t.Errorf("GET search with q of 200 characters = %d %+v %v", code, ae, numbers(res.Tickets))
	}
	if code, ae := e.do(t, "POST", api.PathSearch, fromA, token, nil, nil); code != 405 || ae != bad("不支持的请求方法 POST") {
		t.Errorf("POST search = %d %+v", code, ae)
	}
	if code, ae := e.do(t, "GET", api.PathSearch+"?q=路灯", fromA, "", nil, nil); code != 401 || ae.Code != api.CodeUnauthorized {
		t.Errorf("search without a session = %d %+v", code, ae)
	}
}
