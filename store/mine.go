package store

import (
	"fmt"
	"strings"
	"time"

	"hotline/complaint"
)

// mineRule is one line of the "must act on now" table: a user holding role
// must act on a ticket in one of states (any state when empty) for which
// cond holds. cond is SQL on alias t in which :unit, :login and :now stand
// for the user's unit, the user's login and the instant judged at.
type mineRule struct {
	role   complaint.Role
	states []complaint.State
	cond   string
}

// mineRules say whose move a ticket waits on, from its state and the user's
// roles; a user holding several roles gets the tickets of each. A ticket
// waiting on someone else (a return or extension request on the center, a
// reply on the reviewer) is not the waiting party's: it shows in the open
// list, not in theirs.
//
//   - duty: sign what was dispatched, assign what was signed, send what was
//     approved, in the unit; and redo a rejected reply nobody was assigned
//     (the duty officer replied without assigning).
//   - handler: contact and reply on what is assigned to the user's sub-unit
//     (or to no sub-unit of the user's unit, where the unit has none), unless
//     it names another handler; and on whatever names the user as handler.
//   - reviewer: review the replies of the unit.
//   - supervisor: the unit's open tickets that are supervised or overdue.
//   - center: decide return requests, close fed-back tickets, dispatch
//     returned ones again, decide pending extensions, in every unit.
var mineRules = []mineRule{
	{complaint.RoleDuty, []complaint.State{complaint.Dispatched, complaint.Signed, complaint.Approved}, `t.unit = :unit`},
	{complaint.RoleDuty, []complaint.State{complaint.Rejected}, `t.unit = :unit AND t.subunit = ''`},
	{complaint.RoleHandler, []complaint.State{complaint.Assigned, complaint.Contacted, complaint.Rejected},
		`t.handler = :login OR t.handler = '' AND (t.subunit = :unit OR t.subunit = '' AND t.unit = :unit)`},
	{complaint.RoleReviewer, []complaint.State{complaint.Replied}, `t.unit = :unit`},
	{complaint.RoleSupervisor, nil, `t.open AND t.unit = :unit AND (t.supervised OR t.due <= :now)`},
	{complaint.RoleCenter, []complaint.State{complaint.ReturnRequested, complaint.FedBack, complaint.Returned}, ``},
	{complaint.RoleCenter, nil, `t.extension_pending`},
}

// mineCond is the SQL condition (on alias t) and args selecting the tickets
// u must act on at now: the rules of u's roles, ORed.
func mineCond(u complaint.User, now time.Time) (string, []any, error) {
	vals := map[string]any{"unit": u.Unit, "login": u.Login, "now": dbTime(now)}
	var ors []string
	var args []any
	for _, r := range mineRules {
		if !u.Has(r.role) {
			continue
		}
		var parts []string
		if len(r.states) > 0 {
			parts = append(parts, `t.state IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(r.states)), ", ")+`)`)
			for _, st := range r.states {
				args = append(args, string(st))
			}
		}
		if r.cond != "" {
			c, a, err := bindNamed(r.cond, vals)
			if err != nil {
				return "", nil, fmt.Errorf("rule for %s: %w", r.role, err)
			}
			parts = append(parts, `(`+c+`)`)
			args = append(args, a...)
		}
		if len(parts) == 0 {
			parts = append(parts, `1`)
		}
		ors = append(ors, `(`+strings.Join(parts, ` AND `)+`)`)
	}
	if len(ors) == 0 {
		return `0`, nil, nil
	}
	return `(` + strings.Join(ors, ` OR `) + `)`, args, nil
}

// bindNamed replaces each :name in cond by ? and returns the values in the
// order they occur, so that the table above reads as SQL while the values
// still go in as parameters.
func bindNamed(cond string, vals map[string]any) (string, []any, error) {
	var b strings.Builder
	var args []any
	for i := 0; i < len(cond); i++ {
		if cond[i] != ':' {
			b.WriteByte(cond[i])
			continue
		}
		j := i + 1
		for j < len(cond) && (cond[j] >= 'a' && cond[j] <= 'z' || cond[j] == '_') {
			j++
		}
		name := cond[i+1 : j]
		v, ok := vals[name]
		if !ok {
			return "", nil, fmt.Errorf("unknown parameter :%s in %q", name, cond)
		}
		b.WriteByte('?')
		args = append(args, v)
		i = j - 1
	}
	return b.String(), args, nil
}
