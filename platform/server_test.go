package platform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// env is a platform on a fixture database, served on loopback.
type env struct {
	db  *DB
	srv *Server
	h   http.Handler
	ts  *httptest.Server
	now time.Time // the server's clock
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	e := &env{db: openFixture(t), now: clockAt}
	opts.Now = func() time.Time { return e.now }
	e.srv = NewServer(e.db, opts)
	e.h = e.srv.Handler()
	e.ts = httptest.NewServer(e.h)
	t.Cleanup(e.ts.Close)
	return e
}

// client logs login in through the loopback server.
func (e *env) client(t testing.TB, login string) *api.Client {
	t.Helper()
	c := &api.Client{Base: e.ts.URL, HTTP: e.ts.Client()}
	if _, err := c.Login(context.Background(), login, testPassword); err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	return c
}

// do serves one request in process, from remote (host:port), and decodes
// the answer into out when it is 2xx or into an api.Error otherwise.
func (e *env) do(t testing.TB, method, path, remote, token string, body any, out any) (int, api.Error) {
	t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	var ae api.Error
	if rec.Code/100 != 2 {
		if err := json.Unmarshal(rec.Body.Bytes(), &ae); err != nil {
			t.Fatalf("%s %s: %d with a body that is not an api.Error: %q", method, path, rec.Code, rec.Body)
		}
		return rec.Code, ae
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return rec.Code, ae
}

// login logs in in process from remote and returns the token.
func (e *env) login(t testing.TB, login, remote string) string {
	t.Helper()
	var s api.Session
	if code, ae := e.do(t, "POST", api.PathLogin, remote, "", api.LoginRequest{Login: login, Password: testPassword}, &s); code != 200 {
		t.Fatalf("login %s from %s: %d %+v", login, remote, code, ae)
	}
	return s.Token
}

const (
	fromA = "10.77.0.2:51820"
	fromB = "10.77.0.3:40000"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name     string
		method   string
		body     any
		wantCode int
		wantErr  api.Error
	}{
		{"ok", "POST", api.LoginRequest{Login: "duty1", Password: testPassword}, 200, api.Error{}},
		{"wrong password", "POST", api.LoginRequest{Login: "duty1", Password: "热线-密码-2023"}, 401, api.Error{Code: api.CodeUnauthorized, Message: "用户名或密码错误"}},
		{"unknown login", "POST", api.LoginRequest{Login: "nobody", Password: testPassword}, 401, api.Error{Code: api.CodeUnauthorized, Message: "用户名或密码错误"}},
		{"empty password", "POST", api.LoginRequest{Login: "duty1"}, 400, api.Error{Code: api.CodeBadRequest, Message: "请输入用户名和密码"}},
		{"not JSON", "POST", "login=duty1", 400, api.Error{Code: api.CodeBadRequest, Message: "请求格式错误：invalid character 'l' looking for beginning of value"}},
		{"too large", "POST", `{"login":"` + strings.Repeat("a", maxBody) + `"}`, 413, api.Error{Code: api.CodeBadRequest, Message: "请求内容超过 1048576 字节"}},
		{"GET", "GET", nil, 405, api.Error{Code: api.CodeBadRequest, Message: "不支持的请求方法 GET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s api.Session
			code, ae := e.do(t, tt.method, api.PathLogin, fromA, "", tt.body, &s)
			if code != tt.wantCode || ae != tt.wantErr {
				t.Fatalf("login = %d %+v, want %d %+v", code, ae, tt.wantCode, tt.wantErr)
			}
			if code != 200 {
				return
			}
			if !reflect.DeepEqual(s.User, userDuty) || s.Unit != unitPower {
				t.Errorf("session user, unit = %+v, %+v", s.User, s.Unit)
			}
			raw, err := decodeToken(s.Token)
			if err != nil || len(raw) != 32 {
				t.Errorf("token %q: %d bytes, %v; want 32 bytes of base64url", s.Token, len(raw), err)
			}
			sum := sha256.Sum256([]byte(s.Token))
			var user, ip, created, expires string
			err = e.db.sql.QueryRow(`SELECT user, ip, created_at, expires_at FROM sessions WHERE token_hash = ?`, hex.EncodeToString(sum[:])).
				Scan(&user, &ip, &created, &expires)
			if err != nil {
				t.Fatalf("stored session: %v", err)
			}
			got := []string{user, ip, created, expires}
			want := []string{"duty1", "10.77.0.2", "2024-03-15T01:00:00.000000000Z", "2024-04-14T01:00:00.000000000Z"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("stored session = %q, want %q", got, want)
			}
			var n int
			e.db.sql.QueryRow(`SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, s.Token).Scan(&n)
			if n != 0 {
				t.Error("the token itself is stored")
			}
		})
	}
}

func decodeToken(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

func TestSession(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.login(t, "duty1", fromA)
	tests := []struct {
		name     string
		prepare  func()
		remote   string
		token    string
		wantCode int
		wantErr  api.Error
	}{
		{"same address", nil, fromA, token, 200, api.Error{}},
		{"same address, other port", nil, "10.77.0.2:1", token, 200, api.Error{}},
		{"another address", nil, fromB, token, 401, api.Error{Code: api.CodeUnauthorized, Message: "登录凭证不属于本终端，请重新登录"}},
		{"no token", nil, fromA, "", 401, api.Error{Code: api.CodeUnauthorized, Message: "未登录或登录已失效，请重新登录"}},
		{"unknown token", nil, fromA, "x" + token, 401, api.Error{Code: api.CodeUnauthorized, Message: "未登录或登录已失效，请重新登录"}},
		{"one second before expiry", func() { e.now = clockAt.Add(sessionTTL - time.Second) }, fromA, token, 200, api.Error{}},
		{"expired", func() { e.now = clockAt.Add(sessionTTL) }, fromA, token, 401, api.Error{Code: api.CodeUnauthorized, Message: "登录已过期，请重新登录"}},
		{"expired session is gone", nil, fromA, token, 401, api.Error{Code: api.CodeUnauthorized, Message: "未登录或登录已失效，请重新登录"}},
	}
	for _, tt := range tests {
		if tt.prepare != nil {
			tt.prepare()
		}
		var s api.Session
		code, ae := e.do(t, "GET", api.PathMe, tt.remote, tt.token, nil, &s)
		if code != tt.wantCode || ae != tt.wantErr {
			t.Errorf("%s: me = %d %+v, want %d %+v", tt.name, code, ae, tt.wantCode, tt.wantErr)
		}
		if code == 200 && (s.Token != "" || !reflect.DeepEqual(s.User, userDuty) || s.Unit != unitPower) {
			t.Errorf("%s: me = %+v", tt.name, s)
		}
	}

	// A new password ends the user's sessions.
	e.now = clockAt
	token = e.login(t, "duty1", fromA)
	if err := e.db.SetPassword(context.Background(), "duty1", "新的热线密码2024"); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.do(t, "GET", api.PathMe, fromA, token, nil, nil); code != 401 {
		t.Errorf("me after a password change = %d, want 401", code)
	}
}

func TestRequireTerminal(t *testing.T) {
	e := newEnv(t, Options{RequireTerminal: true})
	ctx := context.Background()
	if _, err := e.db.AddTerminal(ctx, "值班台", "duty1", keyA, tunnelNet); err != nil { // 10.77.0.2
		t.Fatal(err)
	}
	if _, err := e.db.AddTerminal(ctx, "承办台", "handler1", keyB, tunnelNet); err != nil { // 10.77.0.3
		t.Fatal(err)
	}
	noTerminal := api.Error{Code: api.CodeTerminal, Message: "本终端未登记或已停用，请联系管理员"}
	tests := []struct {
		login, remote string
		wantCode      int
		wantErr       api.Error
	}{
		{"duty1", fromA, 200, api.Error{}},
		{"handler1", fromB, 200, api.Error{}},
		{"handler1", fromA, 403, api.Error{Code: api.CodeForbidden, Message: "本终端登记给其他用户，不能以 handler1 登录"}},
		{"duty1", "10.77.0.9:1", 403, noTerminal},
		{"duty1", "127.0.0.1:1", 403, noTerminal},
	}
	for _, tt := range tests {
		code, ae := e.do(t, "POST", api.PathLogin, tt.remote, "", api.LoginRequest{Login: tt.login, Password: testPassword}, nil)
		if code != tt.wantCode || ae != tt.wantErr {
			t.Errorf("login %s from %s = %d %+v, want %d %+v", tt.login, tt.remote, code, ae, tt.wantCode, tt.wantErr)
		}
	}

	token := e.login(t, "duty1", fromA)
	if code, ae := e.do(t, "GET", api.PathMe, fromA, token, nil, nil); code != 200 {
		t.Fatalf("me = %d %+v", code, ae)
	}
	if err := e.db.RevokeTerminal(ctx, "值班台"); err != nil {
		t.Fatal(err)
	}
	if code, ae := e.do(t, "GET", api.PathMe, fromA, token, nil, nil); code != 403 || ae != noTerminal {
		t.Errorf("me from a revoked terminal = %d %+v, want 403 %+v", code, ae, noTerminal)
	}
}

// statusOf returns the status and body of an api call's error.
func statusOf(err error) (int, api.Error) {
	var se *api.StatusError
	if errors.As(err, &se) {
		return se.Status, se.Err
	}
	return 0, api.Error{}
}

var notFound = api.Error{Code: api.CodeNotFound, Message: "没有这张工单，或它不属于本单位"}

func TestUnitScope(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	power := ticketsFor("U1", 1, 3)
	water := ticketsFor("U2", 1, 2)
	mustDispatch(t, e.db, power)
	mustDispatch(t, e.db, water)

	tests := []struct {
		login      string
		wantFeed   []string
		wantCursor int64
	}{
		{"duty1", numbers(power), 3},
		{"duty2", numbers(water), 5},
		{"center1", append(numbers(power), numbers(water)...), 5},
	}
	for _, tt := range tests {
		c := e.client(t, tt.login)
		ch, err := c.Changes(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(ch.Tickets); !reflect.DeepEqual(got, tt.wantFeed) || ch.Cursor != tt.wantCursor || ch.More || ch.Removed != nil {
			t.Errorf("%s: changes = %v cursor %d more %v removed %v; want %v cursor %d", tt.login, got, ch.Cursor, ch.More, ch.Removed, tt.wantFeed, tt.wantCursor)
		}
	}

	water2 := e.client(t, "duty2")
	_, err := water2.Ticket(ctx, power[0].Number)
	if code, ae := statusOf(err); code != 404 || ae != notFound {
		t.Errorf("another unit's ticket = %d %+v, want 404", code, ae)
	}
	_, err = water2.Act(ctx, complaint.Action{ID: newID(1), Kind: complaint.KindSign, Ticket: power[0].Number, BaseVersion: 1})
	if code, ae := statusOf(err); code != 404 || ae != notFound {
		t.Errorf("action on another unit's ticket = %d %+v, want 404", code, ae)
	}
	_, err = water2.Ticket(ctx, "GD-NONE")
	if code, ae := statusOf(err); code != 404 || ae != notFound {
		t.Errorf("unknown ticket = %d %+v, want 404", code, ae)
	}
	got, err := e.client(t, "center1").Ticket(ctx, power[0].Number)
	if err != nil || got.Number != power[0].Number || got.Caller != "吉𠮷" || len(got.Events) != 1 {
		t.Errorf("center reads a unit's ticket = %+v, %v", got, err)
	}
}

// newID returns a fixed UUID (version 7 layout) numbered i.
func newID(i int) string {
	const base = "0190f3a4-7b2c-7def-8a00-000000000000"
	s := []byte(base)
	for p := len(s) - 1; i > 0; p-- {
		s[p] = "0123456789abcdef"[i%16]
		i /= 16
	}
	return string(s)
}

func TestSignThenReply(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	tk := ticketN("U1", 1)
	mustDispatch(t, e.db, []complaint.Ticket{tk})
	duty := e.client(t, "duty1")

	ch, err := duty.Changes(ctx, 0, 0)
	if err != nil || len(ch.Tickets) != 1 || ch.Tickets[0].Version != 1 || ch.Tickets[0].State != complaint.Dispatched {
		t.Fatalf("first feed = %+v, %v", ch, err)
	}

	signAt := clockAt.Add(5 * time.Minute)
	e.now = signAt
	signed, err := duty.Act(ctx, complaint.Action{ID: newID(1), Kind: complaint.KindSign, Ticket: tk.Number, BaseVersion: 1, Text: "已签收，转城东供电所"})
	if err != nil {
		t.Fatal(err)
	}
	replyAt := clockAt.Add(3 * time.Hour)
	e.now = replyAt
	reply := &complaint.Reply{Text: "经现场核实，该处停电系线路检修，已向来电人吉𠮷解释并致歉。", Explanation: "来电人表示理解", CitizenOpinion: "满意"}
	replied, err := duty.Act(ctx, complaint.Action{ID: newID(2), Kind: complaint.KindReply, Ticket: tk.Number, BaseVersion: 2, Reply: reply})
	if err != nil {
		t.Fatal(err)
	}

	dispatchEv := complaint.Event{ID: 1, Kind: complaint.KindDispatch, Actor: "center1", Unit: "C", At: tk.DispatchedAt.UTC(), To: complaint.Dispatched}
	signEv := complaint.Event{ID: 2, Kind: complaint.KindSign, Actor: "duty1", Unit: "U1", At: signAt.UTC(), From: complaint.Dispatched, To: complaint.Signed, Text: "已签收，转城东供电所", Action: newID(1)}
	replyEv := complaint.Event{ID: 3, Kind: complaint.KindReply, Actor: "duty1", Unit: "U1", At: replyAt.UTC(), From: complaint.Signed, To: complaint.Replied, Text: reply.Text, Action: newID(2),
		Fields: map[string]string{"explanation": "来电人表示理解", "citizen_opinion": "满意"}}

	want2 := utc(tk)
	want2.State, want2.Version, want2.UpdatedAt = complaint.Signed, 2, signAt.UTC()
	// Assigning is due 30 minutes after signing, reviewing 2 hours after
	// the reply.
	want2.Step, want2.StepStart, want2.Due = complaint.StepAssign, signAt.UTC(), signAt.Add(30*time.Minute).UTC()
	want2.Events = []complaint.Event{dispatchEv, signEv}
	want3 := want2
	want3.State, want3.Version, want3.UpdatedAt = complaint.Replied, 3, replyAt.UTC()
	want3.Step, want3.StepStart, want3.Due = complaint.StepReview, replyAt.UTC(), replyAt.Add(2*time.Hour).UTC()
	want3.Reply = &complaint.Reply{Text: reply.Text, Explanation: "来电人表示理解", CitizenOpinion: "满意", By: "duty1", At: replyAt.UTC()}
	want3.Events = []complaint.Event{dispatchEv, signEv, replyEv}

	if !reflect.DeepEqual(signed, api.ActionResult{Ticket: want2}) {
		t.Errorf("sign =\n%+v\nwant\n%+v", signed, want2)
	}
	if !reflect.DeepEqual(replied, api.ActionResult{Ticket: want3}) {
		t.Errorf("reply =\n%+v\nwant\n%+v", replied, want3)
	}
	got, err := duty.Ticket(ctx, tk.Number)
	if err != nil || !reflect.DeepEqual(got, want3) {
		t.Errorf("ticket =\n%+v, %v\nwant\n%+v", got, err, want3)
	}
	ch, err = duty.Changes(ctx, ch.Cursor, 0)
	if err != nil || ch.Cursor != 3 || len(ch.Tickets) != 1 || !reflect.DeepEqual(ch.Tickets[0], want3) || ch.More {
		t.Errorf("feed after the actions = %+v, %v; want the ticket at version 3, cursor 3", ch, err)
	}
}

func TestActionReplay(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	tk := ticketN("U1", 1)
	mustDispatch(t, e.db, []complaint.Ticket{tk})
	duty := e.client(t, "duty1")
	a := complaint.Action{ID: newID(7), Kind: complaint.KindSign, Ticket: tk.Number, BaseVersion: 1}

	first, err := duty.Act(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	e.now = clockAt.Add(time.Hour) // a replay does not restamp anything
	second, err := duty.Act(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if first.Replayed || !second.Replayed {
		t.Errorf("Replayed = %v then %v, want false then true", first.Replayed, second.Replayed)
	}
	if !reflect.DeepEqual(first.Ticket, second.Ticket) {
		t.Errorf("replayed ticket =\n%+v\nwant\n%+v", second.Ticket, first.Ticket)
	}
	for table, want := range map[string]int{"events": 2, "changes": 2, "actions": 1} {
		if n := count(t, e.db, table); n != want {
			t.Errorf("%s = %d rows, want %d", table, n, want)
		}
	}
	// The same id from someone else is not a replay of theirs.
	_, err = e.client(t, "handler1").Act(ctx, a)
	if code, ae := statusOf(err); code != 400 || ae.Message != "操作编号 "+newID(7)+" 已用于其他操作" {
		t.Errorf("same id, other user = %d %+v", code, ae)
	}
}

func TestActionRefused(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	ts := ticketsFor("U1", 1, 2)
	mustDispatch(t, e.db, ts)
	duty := e.client(t, "duty1")
	if _, err := duty.Act(ctx, complaint.Action{ID: newID(1), Kind: complaint.KindSign, Ticket: ts[0].Number, BaseVersion: 1}); err != nil {
		t.Fatal(err)
	}
	reply := &complaint.Reply{Text: "已处理。"}
	tests := []struct {
		name     string
		who      string
		a        complaint.Action
		wantCode int
		wantErr  api.Error
		wantCur  int64 // version of the ticket in a conflict
	}{
		{"stale base version", "duty1", complaint.Action{ID: newID(2), Kind: complaint.KindReply, Ticket: ts[0].Number, BaseVersion: 1, Reply: reply},
			409, api.Error{Code: api.CodeConflict, Message: "工单 GD2024U1000001 已被更新（当前版本 2），请核对后重新操作"}, 2},
		{"reply to an unsigned ticket", "duty1", complaint.Action{ID: newID(3), Kind: complaint.KindReply, Ticket: ts[1].Number, BaseVersion: 1, Reply: reply},
			422, api.Error{Code: api.CodeRefused, Message: "工单状态为“待签收”，不能回复"}, 0},
		{"handler signs", "handler1", complaint.Action{ID: newID(4), Kind: complaint.KindSign, Ticket: ts[1].Number, BaseVersion: 1},
			403, api.Error{Code: api.CodeForbidden, Message: "当前用户无权执行“签收”"}, 0},
		{"empty reply", "duty1", complaint.Action{ID: newID(5), Kind: complaint.KindReply, Ticket: ts[0].Number, BaseVersion: 2, Reply: &complaint.Reply{Text: " "}},
			422, api.Error{Code: api.CodeRefused, Message: "回复内容不能为空"}, 0},
		{"center signs a unit's ticket", "center1", complaint.Action{ID: newID(6), Kind: complaint.KindSign, Ticket: ts[1].Number, BaseVersion: 1},
			403, api.Error{Code: api.CodeForbidden, Message: "当前用户无权执行“签收”"}, 0},
		{"center dispatches a ticket the unit holds", "center1", complaint.Action{ID: newID(11), Kind: complaint.KindDispatch, Ticket: ts[1].Number, BaseVersion: 1, Unit: "U2"},
			422, api.Error{Code: api.CodeRefused, Message: "工单状态为“待签收”，不能派单"}, 0},
		{"not a UUID", "duty1", complaint.Action{ID: "action-1", Kind: complaint.KindSign, Ticket: ts[1].Number, BaseVersion: 1},
			400, api.Error{Code: api.CodeBadRequest, Message: `操作编号无效："action-1"`}, 0},
		{"unknown kind", "duty1", complaint.Action{ID: newID(8), Kind: "approve-all", Ticket: ts[1].Number, BaseVersion: 1},
			400, api.Error{Code: api.CodeBadRequest, Message: `未知操作："approve-all"`}, 0},
		{"import is not a user action", "center1", complaint.Action{ID: newID(9), Kind: complaint.KindImport, Ticket: ts[1].Number, BaseVersion: 1},
			400, api.Error{Code: api.CodeBadRequest, Message: `未知操作："import"`}, 0},
		{"another unit's ticket", "duty2", complaint.Action{ID: newID(12), Kind: complaint.KindSign, Ticket: ts[1].Number, BaseVersion: 1},
			404, notFound, 0},
		{"no ticket", "duty1", complaint.Action{ID: newID(10), Kind: complaint.KindSign, BaseVersion: 1},
			400, api.Error{Code: api.CodeBadRequest, Message: "未指定工单"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client(t, tt.who).Act(ctx, tt.a)
			code, ae := statusOf(err)
			cur := ae.Ticket
			ae.Ticket = nil
			if code != tt.wantCode || ae != tt.wantErr {
				t.Errorf("act = %d %+v, want %d %+v", code, ae, tt.wantCode, tt.wantErr)
			}
			switch {
			case tt.wantCur == 0 && cur != nil:
				t.Errorf("error carries a ticket: %+v", cur)
			case tt.wantCur != 0 && (cur == nil || cur.Version != tt.wantCur || cur.State != complaint.Signed || len(cur.Events) != 2):
				t.Errorf("conflict ticket = %+v, want the current one at version %d", cur, tt.wantCur)
			}
		})
	}
	// Refusals change nothing and are not recorded: only the sign is.
	for table, want := range map[string]int{"events": 3, "changes": 3, "actions": 1} {
		if n := count(t, e.db, table); n != want {
			t.Errorf("%s = %d rows, want %d", table, n, want)
		}
	}
}

func TestChangesBadRequest(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.login(t, "duty1", fromA)
	tests := []struct {
		query string
		want  api.Error
	}{
		{"?after=-1", api.Error{Code: api.CodeBadRequest, Message: `after 参数无效："-1"`}},
		{"?after=12abc", api.Error{Code: api.CodeBadRequest, Message: `after 参数无效："12abc"`}},
		{"?wait=soon", api.Error{Code: api.CodeBadRequest, Message: `wait 参数无效："soon"`}},
		{"?wait=-1s", api.Error{Code: api.CodeBadRequest, Message: `wait 参数无效："-1s"`}},
	}
	for _, tt := range tests {
		if code, ae := e.do(t, "GET", api.PathChanges+tt.query, fromA, token, nil, nil); code != 400 || ae != tt.want {
			t.Errorf("changes%s = %d %+v, want 400 %+v", tt.query, code, ae, tt.want)
		}
	}
	if code, ae := e.do(t, "GET", "/api/v1/nothing", fromA, token, nil, nil); code != 404 || ae.Code != api.CodeNotFound {
		t.Errorf("unknown path = %d %+v", code, ae)
	}
}

func TestLongPoll(t *testing.T) {
	e := newEnv(t, Options{})
	waiting := make(chan struct{}, 8)
	e.srv.waitHook = func() { waiting <- struct{}{} }
	ctx := context.Background()
	duty := e.client(t, "duty1")

	type answer struct {
		ch  api.Changes
		err error
	}
	done := make(chan answer, 1)
	go func() {
		ch, err := duty.Changes(ctx, 0, time.Minute)
		done <- answer{ch, err}
	}()
	<-waiting
	// Another unit's ticket wakes the poller, which finds nothing of its
	// own and waits again.
	mustDispatch(t, e.db, ticketsFor("U2", 1, 1))
	<-waiting
	mustDispatch(t, e.db, ticketsFor("U1", 1, 1))
	got := <-done
	if got.err != nil || got.ch.Cursor != 2 || !reflect.DeepEqual(numbers(got.ch.Tickets), []string{"GD2024U1000001"}) {
		t.Errorf("long-poll = %+v, %v; want GD2024U1000001 at cursor 2", got.ch, got.err)
	}

	// Nothing new: the answer comes when the wait is over, empty, cursor unchanged.
	ch, err := duty.Changes(ctx, 2, 20*time.Millisecond)
	if err != nil || ch.Cursor != 2 || len(ch.Tickets) != 0 || ch.Tickets == nil || ch.More || ch.Removed != nil {
		t.Errorf("long-poll with nothing new = %+v, %v; want cursor 2, no tickets", ch, err)
	}
	<-waiting
}

// A long-poll ends when its client goes away.
func TestLongPollClientGone(t *testing.T) {
	e := newEnv(t, Options{})
	waiting := make(chan struct{}, 1)
	e.srv.waitHook = func() { waiting <- struct{}{} }
	token := e.login(t, "duty1", fromA)
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, "GET", api.PathChanges+"?after=0&wait=1m", nil)
	req.RemoteAddr = fromA
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		e.h.ServeHTTP(rec, req)
		close(done)
	}()
	<-waiting
	cancel()
	<-done
	if rec.Body.Len() != 0 {
		t.Errorf("answer to a client that went away: %q", rec.Body)
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t, Options{PageSize: 500})
	ctx := context.Background()
	ts := ticketsFor("U1", 1, 1200)
	if sum := mustDispatch(t, e.db, ts); sum != (Summary{Added: 1200}) {
		t.Fatalf("Dispatch = %+v", sum)
	}
	duty := e.client(t, "duty1")
	type page struct {
		n      int
		cursor int64
		more   bool
	}
	var got []page
	var all []string
	var cursor int64
	for range 4 {
		ch, err := duty.Changes(ctx, cursor, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page{len(ch.Tickets), ch.Cursor, ch.More})
		all = append(all, numbers(ch.Tickets)...)
		cursor = ch.Cursor
		if !ch.More {
			break
		}
	}
	want := []page{{500, 500, true}, {500, 1000, true}, {200, 1200, false}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages = %+v, want %+v", got, want)
	}
	if !reflect.DeepEqual(all, numbers(ts)) {
		t.Errorf("paged tickets are not the 1,200 dispatched, in order")
	}
}

// moveTicket re-dispatches a ticket to another unit, as a return accepted by
// the center would.
func moveTicket(t *testing.T, db *DB, number, to string) {
	t.Helper()
	ctx := context.Background()
	err := db.write(ctx, true, func(tx *sql.Tx) error {
		ts, err := loadTickets(ctx, tx, []string{number})
		if err != nil {
			return err
		}
		cur := ts[0]
		next := cur
		next.Unit, next.State, next.Version = to, complaint.Dispatched, cur.Version+1
		next.Events = append(append([]complaint.Event(nil), cur.Events...),
			complaint.Event{Kind: complaint.KindDispatch, Actor: "center1", Unit: "C", At: clockAt, From: cur.State, To: complaint.Dispatched})
		w, err := newTicketWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		_, err = w.save(ctx, cur, next)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFeedRemovedAndCollapsed(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	ts := ticketsFor("U1", 1, 2) // seq 1, 2
	mustDispatch(t, db, ts)
	moveTicket(t, db, ts[0].Number, "U2") // seq 3 (U2), 4 (U1, leaving)

	tests := []struct {
		name        string
		user        complaint.User
		after       int64
		wantTickets []string
		wantRemoved []string
		wantCursor  int64
	}{
		{"old unit, caught up before the move", userDuty, 2, []string{}, []string{ts[0].Number}, 4},
		{"old unit, from the start", userDuty, 0, []string{ts[1].Number}, []string{ts[0].Number}, 4},
		{"new unit", userWater, 0, []string{ts[0].Number}, nil, 3},
		{"center, one entry per ticket", userCenter, 0, []string{ts[1].Number, ts[0].Number}, nil, 4},
		{"nothing newer", userDuty, 4, []string{}, nil, 4},
	}
	for _, tt := range tests {
		ch, err := db.feed(ctx, tt.user, tt.after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(ch.Tickets); !reflect.DeepEqual(got, tt.wantTickets) || !reflect.DeepEqual(ch.Removed, tt.wantRemoved) || ch.Cursor != tt.wantCursor || ch.More {
			t.Errorf("%s: feed = %v removed %v cursor %d more %v; want %v removed %v cursor %d",
				tt.name, got, ch.Removed, ch.Cursor, ch.More, tt.wantTickets, tt.wantRemoved, tt.wantCursor)
		}
		for _, tk := range ch.Tickets {
			if tk.Number == ts[0].Number && (tk.Version != 2 || tk.Unit != "U2" || len(tk.Events) != 2) {
				t.Errorf("%s: moved ticket = version %d unit %s %d events; want 2, U2, 2", tt.name, tk.Version, tk.Unit, len(tk.Events))
			}
		}
	}
}

// A long-poll asking for more than MaxWait waits MaxWait.
func TestLongPollMaxWait(t *testing.T) {
	e := newEnv(t, Options{MaxWait: 10 * time.Millisecond})
	ch, err := e.client(t, "duty1").Changes(context.Background(), 0, time.Hour)
	if err != nil || ch.Cursor != 0 || len(ch.Tickets) != 0 {
		t.Errorf("changes = %+v, %v; want empty at cursor 0", ch, err)
	}
}

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "took" {
				return slog.Attr{}
			}
			return a
		},
	}))
	e := newEnv(t, Options{Logger: log})
	token := e.login(t, "duty1", fromA)
	e.do(t, "GET", api.PathMe, fromB, token, nil, nil)
	want := "level=INFO msg=request method=POST path=/api/v1/login remote=10.77.0.2:51820 status=200\n" +
		"level=INFO msg=request method=GET path=/api/v1/me remote=10.77.0.3:40000 status=401 error=\"401 unauthorized: 登录凭证不属于本终端，请重新登录\"\n"
	if buf.String() != want {
		t.Errorf("log =\n%s\nwant\n%s", buf.String(), want)
	}
}
