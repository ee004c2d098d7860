package platform

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"hotline/complaint"
)

// utc returns t with every instant in UTC, as the database gives it back.
func utc(t complaint.Ticket) complaint.Ticket {
	u := func(x time.Time) time.Time {
		if x.IsZero() {
			return x
		}
		return x.UTC()
	}
	t.ReceivedAt, t.DispatchedAt, t.Deadline, t.UpdatedAt = u(t.ReceivedAt), u(t.DispatchedAt), u(t.Deadline), u(t.UpdatedAt)
	if t.Reply != nil {
		r := *t.Reply
		r.At = u(r.At)
		t.Reply = &r
	}
	evs := make([]complaint.Event, len(t.Events))
	for i, e := range t.Events {
		e.At = u(e.At)
		evs[i] = e
	}
	if t.Events == nil {
		evs = nil
	}
	t.Events = evs
	return t
}

func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDispatch(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	ts := ticketsFor("U1", 1, 3)
	closed := ticketN("U1", 4)
	closed.State = complaint.Closed
	closed.Reply = &complaint.Reply{Text: "经核实，已安排抢修，路灯已恢复。", Findings: "线路老化", By: "handler1",
		At: time.Date(2024, 3, 14, 16, 0, 0, 0, shanghai)}
	ts = append(ts, closed)

	tests := []struct {
		name string
		in   []complaint.Ticket
		want Summary
	}{
		{"first time", ts, Summary{Added: 4}},
		{"same tickets again", ts, Summary{Existing: 4}},
		{"one new, one known, one twice", []complaint.Ticket{ticketN("U1", 5), ts[0], ticketN("U1", 5)}, Summary{Added: 1, Existing: 2}},
	}
	for _, tt := range tests {
		sum, err := db.Dispatch(ctx, tt.in, "center1")
		if err != nil || sum != tt.want {
			t.Errorf("%s: Dispatch = %+v, %v; want %+v", tt.name, sum, err, tt.want)
		}
	}
	if n := count(t, db, "events"); n != 5 {
		t.Errorf("events = %d, want 5", n)
	}
	if n := count(t, db, "changes"); n != 5 {
		t.Errorf("changes = %d, want 5", n)
	}

	got, err := loadTickets(ctx, db.sql, []string{ts[0].Number, closed.Number})
	if err != nil {
		t.Fatal(err)
	}
	now := clockAt.UTC()
	want0 := utc(ts[0])
	want0.State, want0.Version, want0.UpdatedAt = complaint.Dispatched, 1, now
	// Signing is due 30 minutes after the dispatch.
	want0.Step, want0.StepStart, want0.Due = complaint.StepSign, ts[0].DispatchedAt.UTC(), time.Date(2024, 3, 14, 0, 41, 0, 0, time.UTC)
	want0.Events = []complaint.Event{{ID: 1, Kind: complaint.KindDispatch, Actor: "center1", Unit: "C", At: ts[0].DispatchedAt.UTC(), To: complaint.Dispatched}}
	wantC := utc(closed)
	wantC.Version, wantC.UpdatedAt = 1, now
	wantC.Events = []complaint.Event{{ID: 4, Kind: complaint.KindImport, Actor: "center1", Unit: "C", At: now, To: complaint.Closed}}
	if len(got) != 2 || !reflect.DeepEqual(got[0], want0) || !reflect.DeepEqual(got[1], wantC) {
		t.Errorf("stored tickets =\n%+v\nwant\n%+v\n%+v", got, want0, wantC)
	}
	if got[0].Caller != "吉𠮷" {
		t.Errorf("caller = %q, want 吉𠮷", got[0].Caller)
	}
}

func TestDispatchRefusesBadBatch(t *testing.T) {
	tests := []struct {
		name    string
		bad     complaint.Ticket
		wantErr error
		wantMsg string
	}{
		{"unknown unit", ticketN("U9", 1), ErrUnknown, `dispatch: ticket GD2024U9000001: unknown unit "U9"`},
		{"to a subunit", ticketN("U1-01", 1), ErrInvalid, "dispatch: ticket GD2024U1-01000001: invalid: U1-01 is a subunit, tickets go to units"},
		{"to the center", ticketN("C", 1), ErrInvalid, "dispatch: ticket GD2024C000001: invalid: C is a center, tickets go to units"},
		{"no number", complaint.Ticket{Unit: "U1"}, ErrInvalid, "dispatch: ticket 2: invalid: empty number"},
		{"bad state", complaint.Ticket{Number: "X1", Unit: "U1", State: "lost"}, ErrInvalid, `dispatch: ticket X1: invalid state "lost"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openFixture(t)
			_, err := db.Dispatch(context.Background(), []complaint.Ticket{ticketN("U1", 1), tt.bad}, "center1")
			if !errors.Is(err, tt.wantErr) || err.Error() != tt.wantMsg {
				t.Errorf("Dispatch = %v, want %q", err, tt.wantMsg)
			}
			for _, table := range []string{"tickets", "events", "changes"} {
				if n := count(t, db, table); n != 0 {
					t.Errorf("%s = %d rows after a refused batch, want 0", table, n)
				}
			}
		})
	}
}

// Dispatch wakes long-pollers after its commit.
func TestDispatchWakes(t *testing.T) {
	db := openFixture(t)
	wake := db.changed()
	mustDispatch(t, db, ticketsFor("U1", 1, 1))
	select {
	case <-wake:
	default:
		t.Fatal("Dispatch did not close the wake channel")
	}
	if db.changed() == wake {
		t.Fatal("the wake channel was not replaced")
	}
}
