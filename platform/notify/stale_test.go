package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sender"
)

// TestHeldDispatchDropped: with two minutes to sign, tickets A and B are
// dispatched at 06:20, in quiet hours (to 07:30); their dispatch messages
// by SMS and WeCom are held to 07:30. A is signed at 06:40: at 07:30 its
// held messages ask for a signature already given, and are dropped with
// the reason in the delivery log. B is not signed: its messages go at
// 07:30, worded for then. C's return is asked for and refused at night,
// then C is signed: its dispatch messages are dropped as A's, but the
// center's refusal, held as well, only informs and goes at 07:30.
func TestHeldDispatchDropped(t *testing.T) {
	db := openDB(t)
	clk := &clock{t: cst(2026, 12, 3, 6, 20)}
	s := Settings{Events: map[string]Rule{
		"dispatch":      {Channels: []string{Terminal, "sms", "wecom"}},
		"return_refuse": {Channels: []string{Terminal, "sms"}},
	}}
	w := &world{t: t, db: db, clock: clk, cal: official(t), s: s, policy: complaint.Policy{NotifyMinutes: 2}, tickets: map[string]complaint.Ticket{}}
	sms := &recorder{channel: "sms", clock: clk}
	wecom := &recorder{channel: "wecom", clock: clk}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": sms, "wecom": wecom}, Now: clk.Now, Current: w.current}

	const a, b, c = "20261203000001", "20261203000002", "20261203000003"
	story := []step{
		{cst(2026, 12, 3, 6, 20), func() {
			w.dispatch(a, "小区门口井盖缺失")
			w.dispatch(b, "幸福里小区晚高峰电压过低")
			w.dispatch(c, "路灯不亮")
			w.act("duty1", c, complaint.Action{Kind: complaint.KindReturnRequest, Text: "不属于本单位"})
		}},
		{cst(2026, 12, 3, 6, 30), func() {
			w.act("c1", c, complaint.Action{Kind: complaint.KindReturnRefuse, Text: "属于供电范围"})
		}},
		{cst(2026, 12, 3, 6, 40), func() {
			w.act("duty1", a, complaint.Action{Kind: complaint.KindSign})
			w.act("duty1", c, complaint.Action{Kind: complaint.KindSign})
		}},
	}
	w.run(d, story, cst(2026, 12, 3, 7, 31))

	name := map[string]string{a: "A", b: "B", c: "C"}
	// What each channel sent of the events (the reminders of the overdue
	// sign step went at 06:22, urgent, and are not this test's).
	var got []string
	for _, r := range []*recorder{sms, wecom} {
		for _, m := range r.all() {
			var ticket, event, login string
			if err := db.QueryRow(`SELECT ticket, event, login FROM notifications WHERE id = ?`, m.Msg.ID).Scan(&ticket, &event, &login); err != nil {
				t.Fatal(err)
			}
			if event == EventDeadline {
				continue
			}
			got = append(got, fmt.Sprintf("%s %s %s %s %s %s", m.At.In(complaint.China).Format("15:04"), r.channel, name[ticket], event, login, m.Msg.Text))
		}
	}
	const tb = "【12345】工单20261203000002「幸福里小区晚高峰电压过低」"
	want := []string{
		"07:30 sms B dispatch duty1 " + tb + "已派发给你单位，已过签收时限（2026-12-03 06:22），请立即签收并派发。",
		"07:30 sms C return_refuse duty1 【12345】工单20261203000003「路灯不亮」中心不同意退单（属于供电范围），请继续办理。",
		"07:30 wecom B dispatch  " + tb + "已派发给你单位，已过签收时限（2026-12-03 06:22），请立即签收并派发。",
	}
	slices.Sort(got) // sends on one channel run side by side
	if !slices.Equal(got, want) {
		t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A's and C's held dispatch messages were dropped, each with the
	// reason, in the row and in its delivery log; none was ever claimed.
	rows, err := db.Query(`SELECT n.channel, n.status, n.attempts, n.last_error, d.outcome, d.error, d.at
		FROM notifications n JOIN deliveries d ON d.notification = n.id
		WHERE n.ticket IN (?, ?) AND n.event = 'dispatch' AND n.channel != 'terminal' ORDER BY n.ticket, n.channel, d.id`, a, c)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for rows.Next() {
		var ch, status, last, outcome, why string
		var attempts int
		var at time.Time
		if err := rows.Scan(&ch, &status, &attempts, &last, &outcome, &why, timeCol(&at)); err != nil {
			t.Fatal(err)
		}
		if last != why {
			t.Errorf("%s: last_error %q, delivery log %q", ch, last, why)
		}
		log = append(log, fmt.Sprintf("%s %s %d %s %s %s", ch, status, attempts, outcome, at.In(complaint.China).Format("15:04"), why))
	}
	rows.Close()
	const reason = "工单已进入“派发”环节（时限 12-03 06:42），不再提醒签收"
	wantLog := []string{
		"sms dropped 0 dropped 07:30 " + reason,
		"wecom dropped 0 dropped 07:30 " + reason,
		"sms dropped 0 dropped 07:30 " + reason,
		"wecom dropped 0 dropped 07:30 " + reason,
	}
	if !slices.Equal(log, wantLog) {
		t.Errorf("A's and C's dispatch messages:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(wantLog, "\n"))
	}
	// A's terminal alert was in duty1's inbox at once, at 06:20.
	inbox, err := Inbox(context.Background(), db, "duty1", 0, 0, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, al := range inbox {
		if al.Event == "dispatch" {
			alerts = append(alerts, name[al.Ticket]+" "+al.At.In(complaint.China).Format("15:04"))
		}
	}
	if want := []string{"A 06:20", "B 06:20", "C 06:20"}; !slices.Equal(alerts, want) {
		t.Errorf("duty1's dispatch alerts %v, want %v", alerts, want)
	}
}

// TestMovedOn: which notifications the ticket's later state makes stale,
// and why, for each event that asks for an act and for those that only
// inform: in Chinese for the delivery log, times in China time to the
// minute, every step named; in English for the platform's log.
func TestMovedOn(t *testing.T) {
	due := time.Date(2026, 12, 3, 8, 50, 0, 0, time.UTC)
	later := due.Add(48 * time.Hour)
	// As a ticket's deadline is stored: to the nanosecond, in UTC.
	odd := time.Date(2026, 12, 3, 3, 56, 16, 845438109, time.UTC)
	at := func(st complaint.State, step complaint.Step, d time.Time) complaint.Ticket {
		return complaint.Ticket{Number: "20261203000001", State: st, Step: step, Due: d}
	}
	const (
		laterLog = "2026-12-05T08:50:00.000000000Z"
		// Of the ticket waiting on the center, no step.
		returnAsked    = "工单现为“退单申请”，已不在“签收”环节，不再提醒签收"
		returnAskedLog = "ticket moved on: state return_requested, no longer at the sign step this asked to act on"
	)
	for _, c := range []struct {
		name      string
		event     string
		step      complaint.Step
		now       complaint.Ticket
		text, log string
	}{
		{"dispatch, not signed", "dispatch", complaint.StepSign, at(complaint.Dispatched, complaint.StepSign, due), "", ""},
		{"dispatch, signed", "dispatch", complaint.StepSign, at(complaint.Signed, complaint.StepAssign, later),
			"工单已进入“派发”环节（时限 12-05 16:50），不再提醒签收",
			"ticket moved on: step assign due " + laterLog + ", no longer at the sign step this asked to act on"},
		{"dispatch, signed, deadline to the nanosecond", "dispatch", complaint.StepSign, at(complaint.Signed, complaint.StepAssign, odd),
			"工单已进入“派发”环节（时限 12-03 11:56），不再提醒签收",
			"ticket moved on: step assign due 2026-12-03T03:56:16.845438109Z, no longer at the sign step this asked to act on"},
		{"dispatch, signed, no deadline", "dispatch", complaint.StepSign, at(complaint.Signed, complaint.StepAssign, time.Time{}),
			"工单已进入“派发”环节，不再提醒签收",
			"ticket moved on: step assign due none, no longer at the sign step this asked to act on"},
		{"dispatch, return asked", "dispatch", complaint.StepSign, at(complaint.ReturnRequested, complaint.StepNone, time.Time{}),
			returnAsked, returnAskedLog},
		{"dispatch, returned", "dispatch", complaint.StepSign, at(complaint.Returned, complaint.StepNone, time.Time{}),
			"工单已退单", "ticket is returned"},
		{"reopen, dispatched again", "reopen", complaint.StepSign, at(complaint.Dispatched, complaint.StepSign, later),
			"“签收”时限已改为 12-05 16:50，原时限下的通知不再发送",
			"ticket's sign step is due " + laterLog + " now: this was for the deadline before"},
		{"assign, not contacted", "assign", complaint.StepContact, at(complaint.Assigned, complaint.StepContact, due), "", ""},
		{"assign, contacted", "assign", complaint.StepContact, at(complaint.Contacted, complaint.StepReply, later),
			"工单已进入“回复”环节（时限 12-05 16:50），不再提醒联系",
			"ticket moved on: step reply due " + laterLog + ", no longer at the contact step this asked to act on"},
		{"reply, approved", "reply", complaint.StepReview, at(complaint.Approved, complaint.StepSend, later),
			"工单已进入“反馈”环节（时限 12-05 16:50），不再提醒审核",
			"ticket moved on: step send due " + laterLog + ", no longer at the review step this asked to act on"},
		{"reject, contacted again", "reject", complaint.StepReply, at(complaint.Contacted, complaint.StepReply, due), "", ""},
		{"reject, extended", "reject", complaint.StepReply, at(complaint.Rejected, complaint.StepReply, later),
			"“回复”时限已改为 12-05 16:50，原时限下的通知不再发送",
			"ticket's reply step is due " + laterLog + " now: this was for the deadline before"},
		{"urge, closed", "urge", complaint.StepReply, at(complaint.Closed, complaint.StepNone, time.Time{}), "工单已办结", "ticket is closed"},
		{"urge, fed back", "urge", complaint.StepSend, at(complaint.FedBack, complaint.StepNone, time.Time{}), "工单已反馈", "ticket is fed_back"},
		{"supervise, gone", "supervise", complaint.StepReply, complaint.Ticket{}, "工单已不存在", "ticket no longer exists"},
		{"reminder, same step", EventDeadline, complaint.StepReply, at(complaint.Rejected, complaint.StepReply, due), "", ""},
		{"reminder, moved on", EventDeadline, complaint.StepReply, at(complaint.Replied, complaint.StepReview, later),
			"工单已进入“审核”环节（时限 12-05 16:50），不再提醒回复",
			"ticket moved on: step review due " + laterLog + ", no longer at the reply step this asked to act on"},
		// The tester's "ticket moved on: step  due": a reminder of a ticket
		// now waiting on the center, at no step.
		{"reminder, return asked", EventDeadline, complaint.StepSign, at(complaint.ReturnRequested, complaint.StepNone, time.Time{}),
			returnAsked, returnAskedLog},
		{"reminder, deadline gone", EventDeadline, complaint.StepReply, at(complaint.Rejected, complaint.StepReply, time.Time{}),
			"“回复”环节已不计时限，原时限下的通知不再发送",
			"ticket's reply step has no deadline now: this was for the one before"},
		{"reminder, fed back", EventDeadline, complaint.StepSend, at(complaint.FedBack, complaint.StepNone, time.Time{}),
			"工单已反馈", "ticket is fed_back"},
	} {
		if !asks(c.event) {
			t.Errorf("%s: %s does not ask for an act", c.name, c.event)
		}
		if got := movedOn(c.now, c.event, c.step, due); got.text != c.text || got.log != c.log {
			t.Errorf("%s:\n got %q\n     %q\nwant %q\n     %q", c.name, got.text, got.log, c.text, c.log)
		}
	}
	// The center's decisions inform; they go whatever happened since.
	for _, ev := range []string{"return_accept", "return_refuse", "extension_decide"} {
		if asks(ev) {
			t.Errorf("%s asks for an act", ev)
		}
	}
}
