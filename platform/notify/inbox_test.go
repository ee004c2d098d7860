package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sender"
)

func alertList(as []Alert) string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%d %s %s", a.ID, a.Ticket, a.Text))
	}
	return strings.Join(out, "; ")
}

// TestInbox: a user's alerts only, oldest first, after the cursor; a
// reminder planned before and due after an alert already fetched still
// comes, after it; one whose ticket moved on never does.
func TestInbox(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	due := t0.Add(time.Hour)
	alert := func(key, login, ticket, text string, at time.Time, event string, step complaint.Step) Notification {
		return Notification{Key: key, Event: event, Ticket: ticket, Unit: "P1", Login: login, Channel: Terminal, Text: text,
			NotBefore: at, CreatedAt: t0, Step: step, Due: due, Quiet: Span{From: "00:00", To: "23:59"}}
	}
	// The reminders are stored first, so their ids are the lowest. Quiet
	// hours hold no terminal alert.
	enqueue(t, db, []Notification{
		alert("due:T1", "h1", "T1", "T1 到期", due, EventDeadline, complaint.StepContact),
		alert("due:T2", "h1", "T2", "T2 到期", due, EventDeadline, complaint.StepContact),
	})
	enqueue(t, db, []Notification{
		alert("ev:1", "h1", "T1", "T1 派发", t0, "assign", complaint.StepContact),
		alert("ev:1", "duty1", "T1", "T1 给值班", t0, "assign", complaint.StepContact),
		alert("ev:2", "h1", "T2", "T2 派发", t0, "assign", complaint.StepContact),
	})
	ctx := context.Background()

	got, err := Inbox(ctx, db, "h1", 0, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if s := alertList(got); s != "1 T1 T1 派发; 3 T2 T2 派发" {
		t.Errorf("h1's inbox: %s", s)
	}
	cursor := got[len(got)-1].ID
	if got, _ := Inbox(ctx, db, "h1", cursor, 0, t0); len(got) != 0 {
		t.Errorf("after the cursor before any reminder is due: %s", alertList(got))
	}
	if got, _ := Inbox(ctx, db, "duty1", 0, 0, t0); alertList(got) != "2 T1 T1 给值班" {
		t.Errorf("duty1's inbox: %s", alertList(got))
	}

	// At the due time T1 is still in its contact step, T2 has moved on.
	tickets := map[string]complaint.Ticket{
		"T1": {Number: "T1", State: complaint.Assigned, Step: complaint.StepContact, Due: due},
		"T2": {Number: "T2", State: complaint.Contacted, Step: complaint.StepReply, Due: due.Add(72 * time.Hour)},
	}
	d := &Dispatcher{DB: db, Now: clk.Now, Current: func(_ context.Context, n string) (complaint.Ticket, error) { return tickets[n], nil }}
	clk.Set(due)
	if sent, failed, err := d.RunOnce(ctx); sent != 0 || failed != 0 || err != nil {
		t.Errorf("RunOnce placing alerts: sent %d failed %d err %v; terminal alerts are not sent", sent, failed, err)
	}
	got, err = Inbox(ctx, db, "h1", cursor, 0, due)
	if err != nil {
		t.Fatal(err)
	}
	if s := alertList(got); s != "4 T1 T1 到期" {
		t.Errorf("h1's inbox after the cursor at the due time: %s", s)
	}
	if !got[0].At.Equal(due) || got[0].Event != EventDeadline {
		t.Errorf("reminder alert %+v", got[0])
	}
	if st, _ := statusOf(t, db, 2); st != Dropped {
		t.Errorf("T2's moved-on reminder is %s, want dropped", st)
	}

	// Asking again from the start returns the same, in order; each counts
	// as sent once, when first fetched.
	again, err := Inbox(ctx, db, "h1", 0, 2, due)
	if err != nil {
		t.Fatal(err)
	}
	if s := alertList(again); s != "1 T1 T1 派发; 3 T2 T2 派发" {
		t.Errorf("h1's inbox again with limit 2: %s", s)
	}
	var fetched []string
	rows, err := db.Query(`SELECT n.login, n.dedupe, n.status, n.sent_at, COUNT(d.id) FROM notifications n
		LEFT JOIN deliveries d ON d.notification = n.id AND d.outcome = 'fetched' GROUP BY n.id ORDER BY n.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var login, key, status, at string
		var n int
		if err := rows.Scan(&login, &key, &status, &at, &n); err != nil {
			t.Fatal(err)
		}
		fetched = append(fetched, fmt.Sprintf("%s %s %s %q ×%d", login, key, status, at, n))
	}
	rows.Close()
	want := []string{
		`h1 due:T1 sent "2026-06-02T03:00:00.000000000Z" ×1`, `h1 due:T2 dropped "" ×0`,
		`h1 ev:1 sent "2026-06-02T02:00:00.000000000Z" ×1`, `duty1 ev:1 sent "2026-06-02T02:00:00.000000000Z" ×1`,
		`h1 ev:2 sent "2026-06-02T02:00:00.000000000Z" ×1`,
	}
	if !slices.Equal(fetched, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(fetched, "\n"), strings.Join(want, "\n"))
	}

	b, _ := json.Marshal(got[0])
	if s := string(b); s != `{"id":4,"event":"deadline","ticket":"T1","text":"T1 到期","at":"2026-06-02T03:00:00Z","urgent":false}` {
		t.Errorf("alert JSON %s", s)
	}
}

// TestLog: the delivery log of a unit, newest first, with each attempt and
// its error; another unit's rows are not in it.
func TestLog(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	calls := 0
	sms := &recorder{channel: "sms", clock: clk, fail: func(m sender.Message) error {
		if m.Text != "工单 ev:1" {
			return nil
		}
		calls++
		if calls == 1 {
			return &sender.Error{Channel: "sms", Temporary: true, Status: 502, Message: "bad gateway"}
		}
		return nil
	}}
	n := func(key, unit, login string, at time.Time) Notification {
		return Notification{Key: key, Event: "assign", Ticket: "T-" + key, Unit: unit, Login: login, Name: "李承办", Phone: "13800000002",
			Channel: "sms", Text: "工单 " + key, NotBefore: at, CreatedAt: at, Urgent: true}
	}
	enqueue(t, db, []Notification{n("ev:1", "P1", "h1", t0), n("ev:2", "P1", "h1", t0.Add(time.Minute)), n("ev:3", "Q1", "q1", t0)})
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": sms}, Now: clk.Now}
	drive(t, d, clk, t0.Add(time.Hour))

	log, err := Log(context.Background(), db, "P1", t0, t0.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log.Deliveries {
		var tries []string
		for _, a := range e.Tries {
			tries = append(tries, fmt.Sprintf("%s %s %q", a.At.In(complaint.China).Format("15:04:05"), a.Outcome, a.Error))
		}
		got = append(got, fmt.Sprintf("%s %s %s %s attempts=%d sent=%s err=%q [%s]", e.Ticket, e.Login, e.Channel, e.Status, e.Attempts,
			e.SentAt.In(complaint.China).Format("15:04:05"), e.LastError, strings.Join(tries, ", ")))
	}
	want := []string{
		`T-ev:2 h1 sms sent attempts=1 sent=10:01:00 err="" [10:01:00 sent ""]`,
		`T-ev:1 h1 sms sent attempts=2 sent=10:00:30 err="" [10:00:00 retry "sms: HTTP 502 bad gateway", 10:00:30 sent ""]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b, _ := json.Marshal(log.Deliveries[0])
	if strings.Contains(string(b), "13800000002") {
		t.Errorf("the log shows the phone: %s", b)
	}
	if l, _ := Log(context.Background(), db, "P1", t0.Add(2*time.Minute), t0.Add(time.Hour), 0); len(l.Deliveries) != 0 || l.Total() != 0 {
		t.Errorf("log from 10:02 has %d rows, counts %v", len(l.Deliveries), l.Counts)
	}
}
