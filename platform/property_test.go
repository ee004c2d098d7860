package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"pgregory.net/rapid"

	"hotline/api"
	"hotline/complaint"
)

// serve sends one request in process without a *testing.T, for rapid.
func (e *env) serve(method, path, token string, body any) (int, []byte) {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.RemoteAddr = fromA
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// sideways are the actions that do not take a ticket on through the
// procedure; the property test draws them less often so that runs go deep.
var sideways = []complaint.Kind{complaint.KindReturnRequest, complaint.KindExtensionRequest, complaint.KindExtensionDecide,
	complaint.KindUrge, complaint.KindSupervise, complaint.KindReopen}

// fragments make the texts people type: Chinese, a character outside the
// BMP, punctuation, a line break.
var fragments = []string{"已联系市民", "吉𠮷先生反映停电", "经核实属实，已处理。", "请于今日17:00前回复", "不属本单位职责\n应由燃气公司办理", "同意"}

// Random sequences of random actions by random people on a few tickets keep
// the procedure's invariants: one valid state at a time; a complete history
// in order, each event starting where the last ended; one version per
// event; every text typed in an applied action found in the history;
// refused actions change nothing; a ticket visible to exactly the people
// complaint.Visible names, and gone from the feed of those who saw it.
func TestProcedureProperties(t *testing.T) {
	e := newProcEnv(t)
	ctx := context.Background()
	// U2's duty officer sends approved replies; U1's are sent by approval.
	if err := e.db.SetPolicy(ctx, "U2", complaint.Policy{DutySends: true}); err != nil {
		t.Fatal(err)
	}
	people := []complaint.User{userCenter, userDuty, userHandler, userReviewer, userSuper, userAdmin, userSubH, userSubH2,
		userWater, userWaterRev, userWaterSubH}
	tokens := map[string]string{}
	for _, u := range people {
		tokens[u.Login] = e.login(t, u.Login, fromA)
	}
	policy := map[string]complaint.Policy{"U2": {DutySends: true}}
	round, ids, typedN := 0, 0, 0
	applied := map[complaint.Kind]int{} // how deep the runs went, for the log

	rapid.Check(t, func(rt *rapid.T) {
		round++
		var start int64
		if err := e.db.sql.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(&start); err != nil {
			rt.Fatal(err)
		}
		var nums []string
		var batch []complaint.Ticket
		for i := range 3 {
			tk := ticketN(rapid.SampledFrom([]string{"U1", "U2"}).Draw(rt, "unit"), i)
			tk.Number = fmt.Sprintf("P%05d-%d", round, i)
			nums = append(nums, tk.Number)
			batch = append(batch, tk)
		}
		if _, err := e.db.Dispatch(ctx, batch, "center1"); err != nil {
			rt.Fatal(err)
		}
		cur := map[string]complaint.Ticket{}
		seen := map[string]map[string]bool{} // login → numbers it has seen
		for _, u := range people {
			seen[u.Login] = map[string]bool{}
		}
		look := func(n string) complaint.Ticket {
			tk, err := e.db.Ticket(ctx, n)
			if err != nil {
				rt.Fatal(err)
			}
			cur[n] = tk
			for _, u := range people {
				if complaint.Visible(u, tk) {
					seen[u.Login][n] = true
				}
			}
			return tk
		}
		for _, n := range nums {
			look(n)
		}
		typed := map[string][]string{} // number → texts typed in applied actions
		var valid bool
		text := func(label string) string {
			if !valid && rapid.IntRange(0, 9).Draw(rt, label+" blank") == 0 {
				return rapid.SampledFrom([]string{"", "  "}).Draw(rt, label)
			}
			typedN++
			return fmt.Sprintf("%s%d", rapid.SampledFrom(fragments).Draw(rt, label), typedN)
		}
		now := clockAt

		// Each person's terminal follows the feed from where it stands, as
		// the real one does, applying tickets and removals.
		type terminal struct {
			cursor  int64
			held    map[string]complaint.Ticket
			removed map[string]bool
		}
		terms := map[string]*terminal{}
		for _, u := range people {
			terms[u.Login] = &terminal{cursor: start, held: map[string]complaint.Ticket{}, removed: map[string]bool{}}
		}
		sync := func(u complaint.User) {
			tm := terms[u.Login]
			for {
				code, body := e.serve("GET", api.PathChanges+fmt.Sprintf("?after=%d", tm.cursor), tokens[u.Login], nil)
				var ch api.Changes
				if code != 200 || json.Unmarshal(body, &ch) != nil {
					rt.Fatalf("%s: changes %d", u.Login, code)
				}
				for _, tk := range ch.Tickets {
					tm.held[tk.Number] = tk
				}
				for _, r := range ch.Removed {
					tm.removed[r] = true
					delete(tm.held, r)
				}
				tm.cursor = ch.Cursor
				if !ch.More {
					return
				}
			}
		}

		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for range steps {
			if rapid.IntRange(0, 2).Draw(rt, "sync") == 0 {
				sync(rapid.SampledFrom(people).Draw(rt, "who syncs"))
			}
			n := rapid.SampledFrom(nums).Draw(rt, "ticket")
			before := cur[n]
			var u complaint.User
			var k complaint.Kind
			valid = false // fields the platform will accept
			if rapid.Bool().Draw(rt, "by the procedure") {
				// Mostly an action the procedure has for this state, by
				// someone of the right role, so that paths go deep.
				forward := rapid.IntRange(0, 2).Draw(rt, "forward") > 0
				var kinds []complaint.Kind
				for _, kk := range complaint.Kinds {
					if slices.Contains(procedure[kk].from, before.State) && (!forward || !slices.Contains(sideways, kk)) {
						kinds = append(kinds, kk)
					}
				}
				if len(kinds) == 0 {
					kinds = complaint.Kinds
				}
				k = rapid.SampledFrom(kinds).Draw(rt, "kind")
				var who []complaint.User
				for _, p := range people {
					if slices.ContainsFunc(procedure[k].roles, p.Has) && complaint.Visible(p, before) {
						who = append(who, p)
					}
				}
				if len(who) == 0 {
					who = people
				}
				u = rapid.SampledFrom(who).Draw(rt, "user")
				valid = rapid.IntRange(0, 4).Draw(rt, "valid") > 0
			} else {
				k = rapid.SampledFrom(complaint.Kinds).Draw(rt, "kind")
				u = rapid.SampledFrom(people).Draw(rt, "user")
			}
			now = now.Add(time.Duration(rapid.IntRange(0, 600).Draw(rt, "minutes")) * time.Minute)
			e.now = now
			ids++
			a := complaint.Action{ID: newID(1<<24 + ids), Kind: k, Ticket: n, BaseVersion: before.Version, CreatedAt: now}
			if !valid && rapid.IntRange(0, 9).Draw(rt, "stale") == 0 {
				a.BaseVersion--
			}
			var texts []string // what this action carries that must reach the history
			switch k {
			case complaint.KindDispatch:
				a.Unit = rapid.SampledFrom([]string{"U1", "U2", "U1-01", "C", "U9"}).Draw(rt, "to unit")
				if valid {
					a.Unit = rapid.SampledFrom([]string{"U1", "U2"}).Draw(rt, "to unit")
				}
				a.Text = text("text")
			case complaint.KindAssign:
				a.Subunit = rapid.SampledFrom([]string{"U1-01", "U1-02", "U2-01", "U1", ""}).Draw(rt, "subunit")
				a.Handler = rapid.SampledFrom([]string{"", "handler11", "handler12", "handler21", "duty1"}).Draw(rt, "handler")
				if subs := map[string][][2]string{
					"U1": {{"U1-01", "handler11"}, {"U1-02", "handler12"}},
					"U2": {{"U2-01", "handler21"}},
				}[before.Unit]; valid && len(subs) > 0 {
					sh := rapid.SampledFrom(subs).Draw(rt, "sub-unit and handler")
					a.Subunit, a.Handler = sh[0], sh[1]
					if rapid.Bool().Draw(rt, "no handler") {
						a.Handler = ""
					}
				}
			case complaint.KindContact:
				if valid || rapid.IntRange(0, 9).Draw(rt, "no contact") > 0 {
					a.Contact = &complaint.Contact{At: now.Add(-10 * time.Minute), How: rapid.SampledFrom([]string{"电话", "上门", "短信"}).Draw(rt, "how"), Result: text("result")}
					texts = append(texts, a.Contact.How, a.Contact.Result)
				}
			case complaint.KindReply:
				form := rapid.IntRange(0, 2).Draw(rt, "reply form")
				if valid {
					form %= 2
				}
				switch form {
				case 0:
					a.Reply = &complaint.Reply{Text: text("reply")}
					texts = append(texts, a.Reply.Text)
				case 1:
					a.Reply = &complaint.Reply{Findings: text("findings"), Explanation: text("explanation"), Measures: text("measures"),
						Basis: text("basis"), CitizenOpinion: text("opinion")}
					texts = append(texts, a.Reply.Findings, a.Reply.Explanation, a.Reply.Measures, a.Reply.Basis, a.Reply.CitizenOpinion)
				}
			case complaint.KindReject:
				if valid {
					a.Criteria = rapid.SliceOfN(rapid.IntRange(1, 5), 1, 3).Draw(rt, "criteria")
				} else {
					a.Criteria = rapid.SliceOfN(rapid.IntRange(0, 6), 0, 3).Draw(rt, "criteria")
				}
				a.Text = text("note")
			case complaint.KindExtensionRequest:
				if valid {
					a.Days = rapid.IntRange(1, 30).Draw(rt, "days")
				} else {
					a.Days = rapid.IntRange(0, 31).Draw(rt, "days")
				}
				a.Text = text("reason")
			case complaint.KindExtensionDecide:
				a.Grant = rapid.Bool().Draw(rt, "grant")
				if valid || rapid.IntRange(0, 5).Draw(rt, "no deadline") > 0 {
					a.Deadline = now.Add(time.Duration(rapid.IntRange(1, 20).Draw(rt, "days more")) * 24 * time.Hour)
				}
				a.Text = text("note")
			case complaint.KindClose:
				choices := []string{complaint.Satisfied, complaint.FairlySatisfied, complaint.Unsatisfied, "很好"}
				if valid {
					choices = choices[:3]
				}
				a.Satisfaction = rapid.SampledFrom(choices).Draw(rt, "satisfaction")
			default:
				a.Text = text("text")
			}
			if k != complaint.KindContact && k != complaint.KindReply {
				texts = append(texts, a.Text)
			}

			var rowsBefore, rowsAfter counts
			rowsBefore, _ = countRows(rt, e.db, n)
			code, body := e.serve("POST", api.PathActions, tokens[u.Login], a)
			after := look(n)
			rowsAfter, _ = countRows(rt, e.db, n)
			if code != 200 {
				var ae api.Error
				if err := json.Unmarshal(body, &ae); err != nil {
					rt.Fatalf("%s %s: %d %q", u.Login, k, code, body)
				}
				wantCode := 0
				switch {
				case !complaint.Visible(u, before):
					wantCode = 404
				case a.BaseVersion != before.Version:
					wantCode = 409
				case !complaint.Allowed(u, k):
					wantCode = 403
				default:
					wantCode = 422
				}
				if code != wantCode || !strings.ContainsFunc(ae.Message, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
					rt.Fatalf("%s %s on %s (%s): %d %+v, want %d with a Chinese reason", u.Login, k, n, before.State, code, ae, wantCode)
				}
				if !reflect.DeepEqual(after, before) || rowsAfter != rowsBefore {
					rt.Fatalf("%s %s refused with %d but changed the ticket or wrote rows %+v → %+v", u.Login, k, code, rowsBefore, rowsAfter)
				}
				if again, _ := e.serve("POST", api.PathActions, tokens[u.Login], a); again != code {
					rt.Fatalf("%s %s resent: %d, first %d", u.Login, k, again, code)
				}
				continue
			}

			var res api.ActionResult
			if err := json.Unmarshal(body, &res); err != nil {
				rt.Fatal(err)
			}
			added := 1
			if k == complaint.KindApprove && !policy[before.Unit].DutySends {
				added = 2
			}
			if !reflect.DeepEqual(res.Ticket, after) || res.Replayed {
				rt.Fatalf("%s %s: the answer is not the stored ticket", u.Login, k)
			}
			if len(after.Events) != len(before.Events)+added || !reflect.DeepEqual(after.Events[:len(before.Events)], before.Events) ||
				rowsAfter.events != rowsBefore.events+added || rowsAfter.changes <= rowsBefore.changes {
				rt.Fatalf("%s %s: %d events → %d, want %d more and the old ones kept", u.Login, k, len(before.Events), len(after.Events), added)
			}
			if ev := after.Events[len(before.Events)]; ev.Kind != k || ev.Actor != u.Login || ev.Action != a.ID || !ev.At.Equal(now) {
				rt.Fatalf("%s %s: event %+v", u.Login, k, ev)
			}
			if !after.State.Valid() || after.State != after.Events[len(after.Events)-1].To || after.Version != int64(len(after.Events)) {
				rt.Fatalf("%s %s: state %q version %d with %d events", u.Login, k, after.State, after.Version, len(after.Events))
			}
			for i := 1; i < len(after.Events); i++ {
				p, ev := after.Events[i-1], after.Events[i]
				if ev.From != p.To || ev.ID <= p.ID || ev.At.Before(p.At) {
					rt.Fatalf("%s: event %d %+v does not follow %+v", n, i, ev, p)
				}
			}
			step, start, due, note := complaint.Due(after, policy[after.Unit], monFri{})
			if after.Step != step || !after.StepStart.Equal(start) || !after.Due.Equal(due) || after.DueNote != note {
				rt.Fatalf("%s: stored step %s %v %v, want %s %v %v", n, after.Step, after.StepStart, after.Due, step, start, due)
			}
			typed[n] = append(typed[n], texts...)
			applied[k]++
			// Some of those who held the ticket catch up now, so that a
			// change that takes it from them lands after their cursor.
			for _, p := range people {
				if complaint.Visible(p, before) && rapid.Bool().Draw(rt, "catch up") {
					sync(p)
				}
			}

			// A retry is answered with the first result and writes nothing.
			code, body = e.serve("POST", api.PathActions, tokens[u.Login], a)
			var replay api.ActionResult
			json.Unmarshal(body, &replay)
			if again, _ := countRows(rt, e.db, n); code != 200 || !replay.Replayed || !reflect.DeepEqual(replay.Ticket, after) || again != rowsAfter {
				rt.Fatalf("%s %s replayed: %d %v", u.Login, k, code, replay.Replayed)
			}
		}

		for _, n := range nums {
			history := ""
			for _, ev := range cur[n].Events {
				history += ev.Text + "\n"
				for _, v := range ev.Fields {
					history += v + "\n"
				}
			}
			for _, s := range typed[n] {
				if strings.TrimSpace(s) != "" && !strings.Contains(history, strings.TrimSpace(s)) {
					rt.Fatalf("%s: %q typed in an applied action is not in the history", n, s)
				}
			}
		}
		for _, u := range people {
			sync(u)
			inFeed, removed := terms[u.Login].held, terms[u.Login].removed
			for _, n := range nums {
				tk := cur[n]
				vis := complaint.Visible(u, tk)
				got, ok := inFeed[n]
				switch {
				case vis && (!ok || !reflect.DeepEqual(got, tk)):
					rt.Fatalf("%s sees %s (%s of %s/%s) but its terminal does not hold it current", u.Login, n, tk.State, tk.Unit, tk.Subunit)
				case !vis && ok:
					rt.Fatalf("%s's terminal holds %s of %s/%s, which it may not see", u.Login, n, tk.Unit, tk.Subunit)
				case !vis && seen[u.Login][n] && !removed[n]:
					rt.Fatalf("%s saw %s, now of %s/%s, but its feed does not remove it", u.Login, n, tk.Unit, tk.Subunit)
				}
				code, _ := e.serve("GET", api.PathTickets+n, tokens[u.Login], nil)
				if (code == 200) != vis || (code != 200 && code != 404) {
					rt.Fatalf("%s reads %s: %d, visible %v", u.Login, n, code, vis)
				}
			}
		}
	})
	t.Logf("%d runs; applied actions by kind: %v", round, applied)
}
