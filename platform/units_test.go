package platform

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// Assignments go to a sub-unit of the ticket's unit and one of its
// handlers; dispatches go to first-level units. A re-assignment takes the
// ticket out of the old sub-unit's view.
func TestPlatformChecks(t *testing.T) {
	e := newProcEnv(t)
	tok := loginAll(t, e, "duty1", "center1", "handler11", "handler12")
	putTickets(t, e.db, []complaint.Ticket{inState("T1", complaint.Signed, false), inState("T2", complaint.Returned, false)})
	refused := func(msg string) api.Error { return api.Error{Code: api.CodeRefused, Message: msg} }
	tests := []struct {
		name string
		who  string
		a    complaint.Action
		want api.Error
	}{
		{"unknown sub-unit", "duty1", complaint.Action{Kind: complaint.KindAssign, Ticket: "T1", Subunit: "U1-09"}, refused("基层单位 U1-09 不存在")},
		{"another unit's sub-unit", "duty1", complaint.Action{Kind: complaint.KindAssign, Ticket: "T1", Subunit: "U2-01"}, refused("城南水务所（U2-01）不是本单位的基层单位")},
		{"a unit", "duty1", complaint.Action{Kind: complaint.KindAssign, Ticket: "T1", Subunit: "U1"}, refused("市供电公司（U1）不是本单位的基层单位")},
		{"another sub-unit's handler", "duty1", complaint.Action{Kind: complaint.KindAssign, Ticket: "T1", Subunit: "U1-01", Handler: "handler12"}, refused("郑承办（handler12）不是城东供电所的承办人")},
		{"not a handler", "duty1", complaint.Action{Kind: complaint.KindAssign, Ticket: "T1", Subunit: "U1-01", Handler: "duty1"}, refused("王值班（duty1）不是城东供电所的承办人")},
		{"unknown handler", "duty1", complaint.Action{Kind: complaint.KindAssign, Ticket: "T1", Subunit: "U1-01", Handler: "nobody"}, refused("承办人 nobody 不存在")},
		{"dispatch to an unknown unit", "center1", complaint.Action{Kind: complaint.KindDispatch, Ticket: "T2", Unit: "U9"}, refused("承办单位 U9 不存在")},
		{"dispatch to a sub-unit", "center1", complaint.Action{Kind: complaint.KindDispatch, Ticket: "T2", Unit: "U1-01"}, refused("城东供电所（U1-01）不是承办单位，不能派单")},
		{"dispatch to the center", "center1", complaint.Action{Kind: complaint.KindDispatch, Ticket: "T2", Unit: "C"}, refused("12345市民服务热线（C）不是承办单位，不能派单")},
		{"dispatch without a unit", "center1", complaint.Action{Kind: complaint.KindDispatch, Ticket: "T2"}, refused("派单须指定承办单位")},
	}
	for i, tt := range tests {
		tt.a.ID, tt.a.BaseVersion = newID(i+1), 1
		all, _ := countRows(t, e.db, tt.a.Ticket)
		code, _, ae := e.act(t, tok[tt.who], tt.a)
		if after, _ := countRows(t, e.db, tt.a.Ticket); code != 422 || ae != tt.want || after != all {
			t.Errorf("%s: %d %+v, rows %+v → %+v; want 422 %+v and nothing written", tt.name, code, ae, all, after, tt.want)
		}
	}

	// Assigned to U1-01, then re-assigned to U1-02.
	got := e.walk(t, tok, "T1", 1, []step{
		{clockAt, "duty1", complaint.Action{Kind: complaint.KindAssign, Subunit: "U1-01", Handler: "handler11"}, complaint.Assigned},
	})
	cursor := e.feedOf(t, tok["handler11"], 0)
	if !reflect.DeepEqual(numbers(cursor.Tickets), []string{"T1"}) || got.Handler != "handler11" {
		t.Fatalf("U1-01's feed after the assignment: %v", numbers(cursor.Tickets))
	}
	got = e.walk(t, tok, "T1", got.Version, []step{
		{clockAt, "duty1", complaint.Action{Kind: complaint.KindAssign, Subunit: "U1-02"}, complaint.Assigned},
	})
	if got.Subunit != "U1-02" || got.Handler != "" {
		t.Errorf("re-assigned: subunit %q handler %q", got.Subunit, got.Handler)
	}
	if ch := e.feedOf(t, tok["handler11"], cursor.Cursor); len(ch.Tickets) != 0 || !reflect.DeepEqual(ch.Removed, []string{"T1"}) {
		t.Errorf("U1-01's feed after the re-assignment: %v removed %v; want removed [T1]", numbers(ch.Tickets), ch.Removed)
	}
	if ch := e.feedOf(t, tok["handler12"], 0); !reflect.DeepEqual(numbers(ch.Tickets), []string{"T1"}) || ch.Removed != nil {
		t.Errorf("U1-02's feed: %v removed %v; want [T1]", numbers(ch.Tickets), ch.Removed)
	}
}

func TestCenterOf(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	for _, u := range []complaint.Unit{
		{Code: "C2", Name: "另一中心", Kind: complaint.KindCenter},
		{Code: "U3", Name: "市燃气集团", Kind: complaint.KindUnit, Parent: "C2"},
	} {
		if err := db.AddUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		unit, want, err string
	}{
		{"U3", "C2", ""},
		{"U1", "", "not allowed: 无法确定退单退回哪个中心，请管理员为市供电公司设置上级中心"},
	}
	for _, tt := range tests {
		got, err := centerOf(ctx, db.sql, tt.unit)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("centerOf(%s) = %q, %v; want %q, %q", tt.unit, got, err, tt.want, tt.err)
		}
	}
	// With one center, a unit without a parent goes back to it.
	db = openFixture(t)
	if got, err := centerOf(ctx, db.sql, "U1"); got != "C" || err != nil {
		t.Errorf("centerOf(U1) with one center = %q, %v; want C", got, err)
	}
}

func TestPolicy(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	gas := complaint.Unit{Code: "U3", Name: "市燃气集团", Kind: complaint.KindUnit, Policy: complaint.Policy{ReplyDays: 3, Near: 0.5, DutySends: true}}
	tests := []struct {
		name    string
		unit    complaint.Unit
		wantErr error
		wantMsg string
	}{
		{"a unit's policy", gas, nil, ""},
		{"on a sub-unit", complaint.Unit{Code: "U3-01", Name: "某所", Kind: complaint.KindSubunit, Parent: "U3", Policy: complaint.Policy{ReplyDays: 2}}, ErrInvalid,
			"add unit U3-01: invalid: a policy belongs to a first-level unit, not a subunit"},
		{"negative", complaint.Unit{Code: "U4", Name: "某单位", Kind: complaint.KindUnit, Policy: complaint.Policy{ContactDays: -1}}, ErrInvalid,
			"add unit U4: invalid policy: negative time"},
		{"near of 1", complaint.Unit{Code: "U4", Name: "某单位", Kind: complaint.KindUnit, Policy: complaint.Policy{Near: 1}}, ErrInvalid,
			"add unit U4: invalid policy: near 1 must be a share between 0 and 1"},
	}
	for _, tt := range tests {
		err := db.AddUnit(ctx, tt.unit)
		if !errors.Is(err, tt.wantErr) || (err != nil && err.Error() != tt.wantMsg) {
			t.Errorf("%s: AddUnit = %v, want %q", tt.name, err, tt.wantMsg)
		}
	}
	setTests := []struct {
		unit    string
		p       complaint.Policy
		wantMsg string
	}{
		{"U1", complaint.Policy{NotifyMinutes: 20, ContactDays: 2, ReplyDays: 5, ReviewMinutes: 90, Near: 0.3}, ""},
		{"U1-01", complaint.Policy{ReplyDays: 5}, "set policy of U1-01: invalid: a policy belongs to a first-level unit, not a subunit"},
		{"U9", complaint.Policy{}, `set policy: unknown unit "U9"`},
		{"U2", complaint.Policy{ReviewMinutes: -5}, "set policy of U2: invalid policy: negative time"},
	}
	for _, tt := range setTests {
		err := db.SetPolicy(ctx, tt.unit, tt.p)
		if (err == nil) != (tt.wantMsg == "") || (err != nil && err.Error() != tt.wantMsg) {
			t.Errorf("SetPolicy(%s) = %v, want %q", tt.unit, err, tt.wantMsg)
		}
	}
	units, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	power := unitPower
	power.Policy = setTests[0].p
	want := []complaint.Unit{unitCenter, power, subPower, unitWater, gas}
	if !reflect.DeepEqual(units, want) {
		t.Errorf("Units =\n%+v\nwant\n%+v", units, want)
	}

	// The session's unit carries it.
	e := newEnv(t, Options{})
	if err := e.db.SetPolicy(ctx, "U1", complaint.Policy{ReplyDays: 6, DutySends: true}); err != nil {
		t.Fatal(err)
	}
	s, err := e.client(t, "duty1").Me(ctx)
	if err != nil || s.Unit.Policy != (complaint.Policy{ReplyDays: 6, DutySends: true}) {
		t.Errorf("me: unit %+v, %v", s.Unit, err)
	}
}

func TestDirectory(t *testing.T) {
	e := newProcEnv(t)
	ctx := context.Background()
	if err := e.db.SetPolicy(ctx, "U1", complaint.Policy{ReplyDays: 5}); err != nil {
		t.Fatal(err)
	}
	tree := func(d api.Directory) [][]string {
		var out [][]string
		for _, u := range d.Units {
			row := []string{u.Code}
			for _, p := range u.Users {
				row = append(row, p.Login)
			}
			out = append(out, row)
		}
		return out
	}
	power := [][]string{
		{"C", "center1"},
		{"U1", "admin1", "duty1", "handler1", "reviewer1", "super1"},
		{"U1-01", "handler11"},
		{"U1-02", "handler12"},
	}
	tests := []struct {
		login string
		want  [][]string
	}{
		{"duty1", power},
		{"handler11", power},
		{"duty2", [][]string{{"C", "center1"}, {"U2", "duty2", "reviewer2"}, {"U2-01", "handler21"}}},
		{"center1", append(power, []string{"U2", "duty2", "reviewer2"}, []string{"U2-01", "handler21"})},
	}
	for _, tt := range tests {
		d, err := e.client(t, tt.login).Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := tree(d); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: directory = %v, want %v", tt.login, got, tt.want)
		}
	}
	d, err := e.client(t, "handler11").Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantU1 := unitPower
	wantU1.Policy = complaint.Policy{ReplyDays: 5}
	if !reflect.DeepEqual(d.Units[1].Unit, wantU1) || !reflect.DeepEqual(d.Units[2], api.DirectoryUnit{Unit: subPower, Users: []complaint.User{userSubH}}) {
		t.Errorf("directory entries = %+v, %+v", d.Units[1].Unit, d.Units[2])
	}
	if code, ae := e.do(t, "POST", api.PathUnits, fromA, e.login(t, "duty1", fromA), nil, nil); code != 405 || ae.Code != api.CodeBadRequest {
		t.Errorf("POST units = %d %+v, want 405", code, ae)
	}
}

// A database made by the first schema is brought up to date with its
// tickets whole: no step yet, no parts, no policy.
func TestMigrateFromFirstSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "platform.db")
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`,
		schemaV1,
		`INSERT INTO schema_version VALUES (1, '2024-03-01T00:00:00.000000000Z')`,
		`INSERT INTO units (code, name, kind) VALUES ('U1', '市供电公司', 'unit')`,
		`INSERT INTO tickets (number, title, unit, state, reply, version, updated_at)
			VALUES ('T1', '停电', 'U1', 'closed', '{"text":"已恢复","at":"2024-03-01T08:00:00Z"}', 1, '2024-03-01T08:00:00.000000000Z')`,
		`INSERT INTO events (ticket, kind, actor, at, to_state) VALUES ('T1', 'import', 'import', '2024-03-01T08:00:00.000000000Z', 'closed')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Ticket(context.Background(), "T1")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	want := complaint.Ticket{Number: "T1", Title: "停电", Unit: "U1", State: complaint.Closed, Version: 1, UpdatedAt: at,
		Reply:  &complaint.Reply{Text: "已恢复", At: at},
		Events: []complaint.Event{{ID: 1, Kind: complaint.KindImport, Actor: "import", At: at, To: complaint.Closed}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("migrated ticket =\n%+v\nwant\n%+v", got, want)
	}
	units, err := db.Units(context.Background())
	if err != nil || len(units) != 1 || units[0].Policy != (complaint.Policy{}) {
		t.Errorf("migrated units = %+v, %v", units, err)
	}
}
