package platform

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"hotline/api"
	"hotline/complaint"
)

// procedure is the unit's written procedure, written out here on its own
// rather than taken from package complaint, so that the platform is checked
// against the procedure and not against itself: who may take each action,
// from which states, and where it leads ("" keeps the state; a refused
// return goes back to where it came from).
var procedure = map[complaint.Kind]struct {
	roles []complaint.Role
	from  []complaint.State
	to    complaint.State
}{
	complaint.KindDispatch:         {[]complaint.Role{complaint.RoleCenter}, []complaint.State{complaint.Returned}, complaint.Dispatched},
	complaint.KindSign:             {[]complaint.Role{complaint.RoleDuty}, []complaint.State{complaint.Dispatched}, complaint.Signed},
	complaint.KindAssign:           {[]complaint.Role{complaint.RoleDuty}, []complaint.State{complaint.Signed, complaint.Assigned}, complaint.Assigned},
	complaint.KindContact:          {[]complaint.Role{complaint.RoleHandler, complaint.RoleDuty}, []complaint.State{complaint.Assigned, complaint.Contacted, complaint.Rejected}, complaint.Contacted},
	complaint.KindReply:            {[]complaint.Role{complaint.RoleHandler, complaint.RoleDuty}, []complaint.State{complaint.Signed, complaint.Assigned, complaint.Contacted, complaint.Rejected}, complaint.Replied},
	complaint.KindApprove:          {[]complaint.Role{complaint.RoleReviewer}, []complaint.State{complaint.Replied}, complaint.Approved},
	complaint.KindReject:           {[]complaint.Role{complaint.RoleReviewer}, []complaint.State{complaint.Replied}, complaint.Rejected},
	complaint.KindSend:             {[]complaint.Role{complaint.RoleDuty, complaint.RoleReviewer}, []complaint.State{complaint.Approved}, complaint.FedBack},
	complaint.KindReturnRequest:    {[]complaint.Role{complaint.RoleDuty}, []complaint.State{complaint.Dispatched, complaint.Signed, complaint.Assigned}, complaint.ReturnRequested},
	complaint.KindReturnAccept:     {[]complaint.Role{complaint.RoleCenter}, []complaint.State{complaint.ReturnRequested}, complaint.Returned},
	complaint.KindReturnRefuse:     {[]complaint.Role{complaint.RoleCenter}, []complaint.State{complaint.ReturnRequested}, ""},
	complaint.KindExtensionRequest: {[]complaint.Role{complaint.RoleDuty}, unitWorking, ""},
	complaint.KindExtensionDecide:  {[]complaint.Role{complaint.RoleCenter}, unitWorking, ""},
	complaint.KindClose:            {[]complaint.Role{complaint.RoleCenter}, []complaint.State{complaint.FedBack}, complaint.Closed},
	complaint.KindReopen:           {[]complaint.Role{complaint.RoleCenter}, []complaint.State{complaint.FedBack, complaint.Closed}, complaint.Dispatched},
	complaint.KindUrge:             {[]complaint.Role{complaint.RoleCenter, complaint.RoleSupervisor, complaint.RoleDuty}, unitWorking, ""},
	complaint.KindSupervise:        {[]complaint.Role{complaint.RoleSupervisor}, unitWorking, ""},
	complaint.KindAttach: {[]complaint.Role{complaint.RoleCenter, complaint.RoleDuty, complaint.RoleHandler, complaint.RoleReviewer},
		append(slices.Clone(unitWorking), complaint.ReturnRequested, complaint.FedBack), ""},
}

// unitWorking are the states in which the unit has the ticket in hand.
var unitWorking = []complaint.State{complaint.Dispatched, complaint.Signed, complaint.Assigned, complaint.Contacted,
	complaint.Replied, complaint.Rejected, complaint.Approved}

// seesState says whether the table's user of each role sees a ticket built by
// inState: the center every one; the unit's people those the unit holds
// (not a returned one, which is the center's); the sub-unit's handler those
// assigned to the sub-unit.
func seesState(r complaint.Role, st complaint.State) bool {
	switch r {
	case complaint.RoleCenter:
		return true
	case complaint.RoleHandler:
		return !slices.Contains([]complaint.State{complaint.Dispatched, complaint.Signed, complaint.Returned}, st)
	}
	return st != complaint.Returned
}

// Every (role × action × state) through the HTTP API: what the procedure
// allows succeeds and writes one event (two for an approval, which sends the
// reply at once); everything else is refused with its reason and writes
// nothing.
func TestEveryRoleActionState(t *testing.T) {
	e := newProcEnv(t)
	people := []complaint.User{userCenter, userDuty, userSubH, userReviewer, userSuper, userAdmin}
	tokens := map[string]string{}
	for _, u := range people {
		tokens[u.Login] = e.login(t, u.Login, fromA)
	}
	if len(procedure) != len(complaint.Kinds) {
		t.Fatalf("the test's procedure has %d kinds, complaint.Kinds %d", len(procedure), len(complaint.Kinds))
	}
	number := func(u complaint.User, k complaint.Kind, st complaint.State) string {
		return fmt.Sprintf("T-%s-%s-%s", u.Login, k, st)
	}
	var all []complaint.Ticket
	for _, u := range people {
		for _, k := range complaint.Kinds {
			for _, st := range complaint.States {
				all = append(all, inState(number(u, k, st), st, k == complaint.KindExtensionDecide))
			}
		}
	}
	putTickets(t, e.db, all)

	id, allowed := 0, 0
	for _, u := range people {
		role := u.Roles[0]
		for _, k := range complaint.Kinds {
			rule := procedure[k]
			for _, st := range complaint.States {
				id++
				n := number(u, k, st)
				before, err := e.db.Ticket(context.Background(), n)
				if err != nil {
					t.Fatal(err)
				}
				allBefore, mineBefore := countRows(t, e.db, n)
				code, res, ae := e.act(t, tokens[u.Login], actionFor(k, id, n, 1))
				allAfter, mineAfter := countRows(t, e.db, n)
				name := fmt.Sprintf("%s %s %s", role, k, st)

				var wantCode int
				var wantErr api.Error
				switch {
				case !seesState(role, st):
					wantCode, wantErr = 404, notFound
				case !slices.Contains(rule.roles, role):
					wantCode, wantErr = 403, api.Error{Code: api.CodeForbidden, Message: fmt.Sprintf("当前用户无权执行“%s”", k.Label())}
				case !slices.Contains(rule.from, st):
					wantCode, wantErr = 422, api.Error{Code: api.CodeRefused, Message: fmt.Sprintf("工单状态为“%s”，不能%s", st.Label(), k.Label())}
				default:
					wantCode = 200
				}
				if code != wantCode || ae != wantErr {
					t.Errorf("%s: %d %+v, want %d %+v", name, code, ae, wantCode, wantErr)
					continue
				}
				if code != 200 {
					after, _ := e.db.Ticket(context.Background(), n)
					if allAfter != allBefore || !reflect.DeepEqual(after, before) {
						t.Errorf("%s: a refused action wrote rows %+v → %+v or changed the ticket", name, allBefore, allAfter)
					}
					continue
				}

				allowed++
				to := rule.to
				switch {
				case to == "" && k == complaint.KindReturnRefuse:
					to = before.Return.From
				case to == "":
					to = st
				}
				kinds := []complaint.Kind{k}
				if k == complaint.KindApprove {
					to, kinds = complaint.FedBack, []complaint.Kind{k, complaint.KindSend}
				}
				got := res.Ticket
				var gotKinds []complaint.Kind
				for _, ev := range got.Events[1:] {
					gotKinds = append(gotKinds, ev.Kind)
				}
				if got.State != to || got.Version != int64(1+len(kinds)) || !slices.Equal(gotKinds, kinds) {
					t.Errorf("%s: state %s version %d events %v; want %s, %d, %v", name, got.State, got.Version, gotKinds, to, 1+len(kinds), kinds)
				}
				// One change row per view the ticket is in or left.
				views := map[string]bool{before.Unit: true, got.Unit: true}
				for _, s := range []string{before.Subunit, got.Subunit} {
					if s != "" {
						views[s] = true
					}
				}
				want := counts{mineBefore.events + len(kinds), mineBefore.changes + len(views), 1}
				if mineAfter != want || allAfter.events-allBefore.events != len(kinds) {
					t.Errorf("%s: rows of the ticket %+v → %+v, want %+v", name, mineBefore, mineAfter, want)
				}
				stored, err := e.db.Ticket(context.Background(), n)
				if err != nil || !reflect.DeepEqual(stored, got) {
					t.Errorf("%s: stored ticket differs from the answer:\n%+v\n%+v", name, stored, got)
				}
			}
		}
	}
	// The procedure, counted by hand from the table: 71 role-action-state
	// combinations of the 17 kinds before attachments are its own (21 of
	// them urges); attach adds 34 (center, duty officer and reviewer in
	// each of its 9 states, the sub-unit's handler in the 7 it sees); the
	// other 1,083 of the 1,188 (6 people × 18 kinds × 11 states) are refused.
	if id != 1188 || allowed != 105 {
		t.Errorf("%d combinations, %d allowed; want 1188, 105", id, allowed)
	}
}
