package platform

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// The procedure's fixture adds to the basic one a second sub-unit of U1, a
// sub-unit of U2, and one person for each role.
var (
	subPower2 = complaint.Unit{Code: "U1-02", Name: "城西供电所", Kind: complaint.KindSubunit, Parent: "U1"}
	subWater  = complaint.Unit{Code: "U2-01", Name: "城南水务所", Kind: complaint.KindSubunit, Parent: "U2"}

	userReviewer  = complaint.User{Login: "reviewer1", Name: "刘分管", Unit: "U1", Roles: []complaint.Role{complaint.RoleReviewer}}
	userSuper     = complaint.User{Login: "super1", Name: "孙监察", Unit: "U1", Roles: []complaint.Role{complaint.RoleSupervisor}}
	userAdmin     = complaint.User{Login: "admin1", Name: "周管理", Unit: "U1", Roles: []complaint.Role{complaint.RoleAdmin}}
	userSubH      = complaint.User{Login: "handler11", Name: "吴承办", Unit: "U1-01", Roles: []complaint.Role{complaint.RoleHandler}, Phone: "13900000011"}
	userSubH2     = complaint.User{Login: "handler12", Name: "郑承办", Unit: "U1-02", Roles: []complaint.Role{complaint.RoleHandler}}
	userWaterRev  = complaint.User{Login: "reviewer2", Name: "冯分管", Unit: "U2", Roles: []complaint.Role{complaint.RoleReviewer}}
	userWaterSubH = complaint.User{Login: "handler21", Name: "蒋承办", Unit: "U2-01", Roles: []complaint.Role{complaint.RoleHandler}}
)

// addProcedure adds the procedure's units and people to a fixture database
// and counts its deadlines on the Monday-to-Friday calendar.
func addProcedure(t testing.TB, db *DB) {
	t.Helper()
	ctx := context.Background()
	for _, u := range []complaint.Unit{subPower2, subWater} {
		if err := db.AddUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []complaint.User{userReviewer, userSuper, userAdmin, userSubH, userSubH2, userWaterRev, userWaterSubH} {
		if err := db.AddUser(ctx, u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	db.SetCalendar(monFri{})
	// The file every attach action of the procedure names, as an upload
	// would have left it.
	if _, err := db.sql.ExecContext(ctx, `INSERT INTO files (sha256, size, type, duration, created_by, created_at) VALUES (?, ?, ?, 0, ?, ?)`,
		procFile.SHA256, procFile.Size, "image/jpeg", "duty1", dbTime(clockAt)); err != nil {
		t.Fatal(err)
	}
}

// procFile is the attachment of the procedure's attach actions.
var procFile = complaint.Attachment{Name: "现场照片（1）.jpg", Size: 2048, Part: complaint.PartTicket,
	SHA256: "5b2c8f2f4e0c1a3a3c0f4a7c6d0e7b1e9c6a2d5f8e1b4c7a0d3f6e9b2c5a8d1e"}

func newProcEnv(t testing.TB) *env {
	t.Helper()
	e := newEnv(t, Options{})
	addProcedure(t, e.db)
	return e
}

// monFri is the test calendar: Monday to Friday in China time, the same time
// of day n weekdays on; a start on a weekend counts from Monday 8:30.
type monFri struct{}

func (monFri) AddWorkdays(t time.Time, n int) (time.Time, error) {
	t = t.In(shanghai)
	switch t.Weekday() {
	case time.Saturday:
		t = time.Date(t.Year(), t.Month(), t.Day()+2, 8, 30, 0, 0, shanghai)
	case time.Sunday:
		t = time.Date(t.Year(), t.Month(), t.Day()+1, 8, 30, 0, 0, shanghai)
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t, nil
}

// cst is a wall-clock time in China, for exact deadlines.
func cst(month time.Month, day, hour, min int) time.Time {
	return time.Date(2024, month, day, hour, min, 0, 0, shanghai)
}

// putTickets stores tickets as they are, each with one import event into
// its state, in one transaction: for building a ticket in any state.
func putTickets(t testing.TB, db *DB, ts []complaint.Ticket) {
	t.Helper()
	ctx := context.Background()
	err := db.write(ctx, true, func(tx *sql.Tx) error {
		w, err := newTicketWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, tk := range ts {
			tk.Version = 1
			ev := complaint.Event{Kind: complaint.KindImport, Actor: "import", At: tk.UpdatedAt, To: tk.State}
			tk.Events = []complaint.Event{ev}
			db.setDue(&tk, complaint.Policy{})
			tk.Events = nil
			if ok, err := w.insert(ctx, tk); err != nil || !ok {
				return fmt.Errorf("put %s: %v %v", tk.Number, ok, err)
			}
			if _, err := w.event(ctx, tk.Number, ev); err != nil {
				return err
			}
			for _, v := range views(tk) {
				if err := w.change(ctx, tk.Number, v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// inState builds a ticket of U1 in state st with the parts the state
// implies: assigned to U1-01 and handler11 from 已派发 on, a contact, a
// reply and its review where the procedure has made them, a return request
// made from 已派发, and the center as its unit once returned. pending adds an
// extension request waiting for the center.
func inState(number string, st complaint.State, pending bool) complaint.Ticket {
	at := clockAt.Add(-time.Hour)
	tk := ticketN("U1", 1)
	tk.Number, tk.State, tk.UpdatedAt = number, st, at
	assigned := func() { tk.Subunit, tk.Handler = "U1-01", "handler11" }
	contact := func() {
		tk.Contact = &complaint.Contact{At: at, How: "电话", Result: "已联系市民", By: "handler11"}
	}
	reply := func() {
		tk.Reply = &complaint.Reply{Text: "已查明停电原因并恢复供电。", Findings: "线路检修", By: "handler11", At: at}
	}
	switch st {
	case complaint.Assigned:
		assigned()
	case complaint.Contacted:
		assigned()
		contact()
	case complaint.Replied:
		assigned()
		contact()
		reply()
	case complaint.Rejected:
		assigned()
		contact()
		reply()
		tk.Review = &complaint.Review{Criteria: []int{5}, Note: "未记录市民意见", By: "reviewer1", At: at}
	case complaint.Approved, complaint.FedBack, complaint.Closed:
		assigned()
		contact()
		reply()
		tk.Review = &complaint.Review{Approved: true, By: "reviewer1", At: at}
		if st == complaint.Closed {
			tk.Satisfaction = complaint.Satisfied
		}
	case complaint.ReturnRequested:
		assigned()
		tk.Return = &complaint.ReturnRequest{Reason: "非本单位职责", From: complaint.Assigned, By: "duty1", At: at}
	case complaint.Returned:
		tk.Unit = "C"
		tk.Return = &complaint.ReturnRequest{Reason: "非本单位职责", From: complaint.Signed, By: "duty1", At: at}
	}
	if pending {
		tk.Extension = &complaint.Extension{Days: 3, Reason: "需协调燃气公司", By: "duty1", At: at}
	}
	return tk
}

// actionFor is an action of kind k on ticket number with every field the
// kind needs, valid for the procedure's fixture.
func actionFor(k complaint.Kind, id int, number string, base int64) complaint.Action {
	a := complaint.Action{ID: newID(id), Kind: k, Ticket: number, BaseVersion: base, CreatedAt: clockAt}
	switch k {
	case complaint.KindDispatch:
		a.Unit, a.Text = "U2", "请水务集团办理"
	case complaint.KindSign:
		a.Text = "已签收"
	case complaint.KindAssign:
		a.Subunit, a.Handler = "U1-01", "handler11"
	case complaint.KindContact:
		a.Contact = &complaint.Contact{At: clockAt.Add(-30 * time.Minute), How: "电话", Result: "已电话联系市民，说明检修安排"}
	case complaint.KindReply:
		a.Reply = &complaint.Reply{Text: "经核实，停电系计划检修，已向市民解释。", Findings: "计划检修", Explanation: "市民表示理解",
			Measures: "提前张贴通知", Basis: "《供电营业规则》", CitizenOpinion: "满意"}
	case complaint.KindApprove:
		a.Text = "同意"
	case complaint.KindReject:
		a.Criteria, a.Text = []int{5}, "未记录市民意见"
	case complaint.KindSend:
		a.Text = "反馈中心"
	case complaint.KindReturnRequest:
		a.Text = "非本单位职责"
	case complaint.KindReturnAccept:
		a.Text = "同意退单"
	case complaint.KindReturnRefuse:
		a.Text = "属本单位职责"
	case complaint.KindExtensionRequest:
		a.Days, a.Text = 3, "需协调多个部门"
	case complaint.KindExtensionDecide:
		a.Grant, a.Deadline, a.Text = true, cst(3, 29, 17, 0), "同意延期"
	case complaint.KindClose:
		a.Satisfaction = complaint.Satisfied
	case complaint.KindReopen:
		a.Text = "市民不满意，重办"
	case complaint.KindUrge:
		a.Text = "请尽快办理"
	case complaint.KindSupervise:
		a.Text = "纳入督办"
	case complaint.KindAttach:
		f := procFile
		a.Attachment = &f
	}
	return a
}

// counts are the rows an action may write.
type counts struct{ events, changes, actions int }

// fataler is what countRows needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func countRows(t fataler, db *DB, number string) (all, ticket counts) {
	t.Helper()
	q := func(query string, args ...any) int {
		var n int
		if err := db.sql.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	all = counts{q(`SELECT COUNT(*) FROM events`), q(`SELECT COUNT(*) FROM changes`), q(`SELECT COUNT(*) FROM actions`)}
	ticket = counts{q(`SELECT COUNT(*) FROM events WHERE ticket = ?`, number), q(`SELECT COUNT(*) FROM changes WHERE ticket = ?`, number),
		q(`SELECT COUNT(*) FROM actions WHERE ticket = ?`, number)}
	return all, ticket
}

// act sends an action in process as the user of token and decodes the
// answer.
func (e *env) act(t testing.TB, token string, a complaint.Action) (int, api.ActionResult, api.Error) {
	t.Helper()
	var res api.ActionResult
	code, ae := e.do(t, "POST", api.PathActions, fromA, token, a, &res)
	return code, res, ae
}
