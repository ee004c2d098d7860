package notify

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sender"
)

// world applies actions to tickets as the platform does (complaint.Apply,
// the step's deadline under the default policy on the official calendar),
// then plans and enqueues what each makes, in one transaction.
type world struct {
	t       *testing.T
	db      *sql.DB
	clock   *clock
	cal     complaint.Workdays
	s       Settings
	policy  complaint.Policy // the unit's deadlines; zero: the defaults
	tickets map[string]complaint.Ticket
	eventID int64
	notes   []string
}

func (w *world) current(_ context.Context, number string) (complaint.Ticket, error) {
	return w.tickets[number], nil
}

// dispatch brings a new ticket in from the center.
func (w *world) dispatch(number, title string) {
	now := w.clock.Now().UTC()
	w.eventID++
	ev := complaint.Event{ID: w.eventID, Kind: complaint.KindDispatch, Actor: "c1", Unit: "C", At: now, To: complaint.Dispatched}
	t := complaint.Ticket{Number: number, Title: title, Unit: "P1", State: complaint.Dispatched, ReceivedAt: now, DispatchedAt: now,
		UpdatedAt: now, Events: []complaint.Event{ev}}
	t.SetDue(w.policy, w.cal)
	w.plan(complaint.Ticket{}, t, ev)
}

// act applies one action of login to the ticket at the clock's time.
func (w *world) act(login, number string, a complaint.Action) {
	w.t.Helper()
	now := w.clock.Now().UTC()
	a.Ticket = number
	a.ID = fmt.Sprintf("a-%s-%s-%d", number, a.Kind, now.Unix())
	before := w.tickets[number]
	after, ev, err := complaint.Apply(before, user(login), a, now)
	if err != nil {
		w.t.Fatalf("%s %s at %s: %v", a.Kind, number, now.In(complaint.China), err)
	}
	w.eventID++
	ev.ID = w.eventID
	after.SetDue(w.policy, w.cal)
	w.plan(before, after, ev)
}

func (w *world) plan(before, after complaint.Ticket, ev complaint.Event) {
	w.t.Helper()
	ns, notes, err := Plan(context.Background(), before, after, ev, w.s, people, w.cal, w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	w.notes = append(w.notes, notes...)
	enqueue(w.t, w.db, ns)
	w.tickets[after.Number] = after
}

// step is an action at a time in the story.
type step struct {
	at time.Time
	do func()
}

// run drives the story and the dispatcher on the fake clock until end:
// the clock jumps to the next action or the next moment the dispatcher has
// work, whichever is first; at one instant actions come first, as an action
// commits before the dispatcher is woken.
func (w *world) run(d *Dispatcher, story []step, end time.Time) {
	w.t.Helper()
	ctx := context.Background()
	for {
		next, err := d.NextAt(ctx)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(story) > 0 && (next.IsZero() || !story[0].at.After(next)) {
			next = story[0].at
		}
		if next.IsZero() || next.After(end) {
			return
		}
		w.clock.Set(next)
		for len(story) > 0 && story[0].at.Equal(next) {
			story[0].do()
			story = story[1:]
		}
		if _, _, err := d.RunOnce(ctx); err != nil {
			w.t.Fatal(err)
		}
	}
}

// TestHolidayTimeline follows two tickets assigned at 16:50 on Thursday
// 2026-04-30, the last working day before 劳动节 (off 5-01 to 5-05; Saturday
// 5-09 is a make-up working day), under the default settings.
//
// Deadlines by the working-day rule (the same time of day on the N-th
// following working day, complaint.Due):
//   - contact, 1 working day after 4-30 16:50: 5-06 (Wed) 16:50;
//   - reply, 4 working days: 5-06, 5-07, 5-08, 5-09 (make-up Saturday) → 5-09 16:50.
//
// Stages (DefaultSettings):
//   - near, a quarter of the step's time left: contact 144 h → 36 h before
//     the due time = 5-05 04:50, in quiet hours, held to 07:30; reply 216 h →
//     54 h before = 5-07 10:50;
//   - due, at the due time, to the handler and duty: urgent;
//   - late, 2 business hours (08:30–17:30 on working days) after: contact
//     5-06 16:50 + 40 min to 17:30, + 80 min from 08:30 on 5-07 = 5-07 09:50;
//     reply 5-09 16:50 + 40 min, Sunday 5-10 off, + 80 min on 5-11 = 5-11 09:50.
//
// Ticket A is contacted in time (5-06 10:30), so its contact reminders of
// 5-06 16:50 and 5-07 09:50 are dropped; it is replied late at night on
// 5-11 22:15: the review is due two hours later, 00:15 — that overdue notice
// goes out at night, while the reply's own "please review" waits until
// 07:30, and the near-review warning (23:45, held to 07:30, after the due
// time) is not made at all; its late stage, 00:15 + 2 business hours, would
// be 10:30, but the reply is approved and sent by then. Ticket B is never contacted: overdue to handler and duty on 5-06
// 16:50, to the supervisor 5-07 09:50.
func TestHolidayTimeline(t *testing.T) {
	db := openDB(t)
	clk := &clock{t: cst(2026, 4, 30, 16, 30)}
	w := &world{t: t, db: db, clock: clk, cal: official(t), tickets: map[string]complaint.Ticket{}}
	sms := &recorder{channel: "sms", clock: clk}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": sms}, Now: clk.Now, Current: w.current}

	const a, b = "2026043000101", "2026043000102"
	story := []step{
		{cst(2026, 4, 30, 16, 30), func() {
			w.dispatch(a, "小区门口井盖缺失")
			w.dispatch(b, "幸福里小区晚高峰电压过低")
		}},
		{cst(2026, 4, 30, 16, 40), func() {
			w.act("duty1", a, complaint.Action{Kind: complaint.KindSign})
			w.act("duty1", b, complaint.Action{Kind: complaint.KindSign})
		}},
		{cst(2026, 4, 30, 16, 50), func() {
			w.act("duty1", a, complaint.Action{Kind: complaint.KindAssign, Subunit: "P1-01", Handler: "h1"})
			w.act("duty1", b, complaint.Action{Kind: complaint.KindAssign, Subunit: "P1-01", Handler: "h1"})
		}},
		{cst(2026, 5, 6, 10, 30), func() {
			w.act("h1", a, complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{At: cst(2026, 5, 6, 10, 20), How: "电话", Result: "已约定上门"}})
		}},
		{cst(2026, 5, 7, 14, 0), func() {
			w.act("duty1", b, complaint.Action{Kind: complaint.KindUrge, Text: "请今天内联系来电人"})
		}},
		{cst(2026, 5, 11, 22, 15), func() {
			w.act("h1", a, complaint.Action{Kind: complaint.KindReply, Reply: &complaint.Reply{Text: "已更换井盖。"}})
		}},
		{cst(2026, 5, 12, 8, 0), func() { w.act("r1", a, complaint.Action{Kind: complaint.KindApprove}) }},
		{cst(2026, 5, 12, 8, 10), func() { w.act("duty1", a, complaint.Action{Kind: complaint.KindSend}) }},
	}
	w.run(d, story, cst(2026, 5, 13, 0, 0))

	// Every SMS, in the order sent: when, ticket, to whom, what.
	want := []string{
		"04-30 16:30 A duty1 dispatch",
		"04-30 16:30 B duty1 dispatch",
		"04-30 16:50 A h1 assign",
		"04-30 16:50 B h1 assign",
		"05-05 07:30 A h1 deadline/near", // due at 04:50, held by quiet hours
		"05-05 07:30 B h1 deadline/near",
		"05-06 16:50 B duty1 deadline/due",
		"05-06 16:50 B h1 deadline/due",
		"05-07 09:50 B s1 deadline/late",
		"05-07 10:50 A h1 deadline/near",
		"05-07 14:00 B h1 urge", // duty1 urged: not told of their own urge; duty2 has no phone
		"05-09 16:50 A duty1 deadline/due",
		"05-09 16:50 A h1 deadline/due",
		"05-11 09:50 A s1 deadline/late",
		"05-12 00:15 A duty1 deadline/due", // review overdue at night: urgent, through quiet hours
		"05-12 00:15 A r1 deadline/due",
		"05-12 07:30 A r1 reply", // made at 22:15, not urgent, held
	}
	name := map[string]string{a: "A", b: "B"}
	var got []string
	rows, err := db.Query(`SELECT ticket, login, event, stage, sent_at FROM notifications WHERE channel = 'sms' AND status = 'sent' ORDER BY sent_at, ticket, login`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ticket, login, event, stage string
		var at time.Time
		if err := rows.Scan(&ticket, &login, &event, &stage, timeCol(&at)); err != nil {
			t.Fatal(err)
		}
		what := event
		if stage != "" {
			what += "/" + stage
		}
		got = append(got, fmt.Sprintf("%s %s %s %s", at.In(complaint.China).Format("01-02 15:04"), name[ticket], login, what))
	}
	rows.Close()
	if !slices.Equal(got, want) {
		t.Errorf("SMS sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The provider got exactly those, each once, at those instants.
	if rec := sms.all(); len(rec) != len(want) {
		t.Errorf("provider got %d messages, want %d", len(rec), len(want))
	} else {
		seen := map[string]bool{}
		for _, s := range rec {
			if seen[s.Msg.ID] {
				t.Errorf("notification %s sent twice", s.Msg.ID)
			}
			seen[s.Msg.ID] = true
		}
	}

	texts := map[string]string{}
	for _, s := range sms.all() {
		var ticket, login, event, stage string
		if err := db.QueryRow(`SELECT ticket, login, event, stage FROM notifications WHERE id = ?`, s.Msg.ID).Scan(&ticket, &login, &event, &stage); err != nil {
			t.Fatal(err)
		}
		texts[s.At.In(complaint.China).Format("01-02 15:04")+" "+name[ticket]+" "+login+" "+event+stage] = s.Msg.Text
	}
	for k, want := range map[string]string{
		"04-30 16:30 A duty1 dispatch":    "【12345】工单2026043000101「小区门口井盖缺失」已派发给你单位，请在30分钟内签收并派发。",
		"04-30 16:50 A h1 assign":         "【12345】工单2026043000101「小区门口井盖缺失」已派发至城东供电所，请于2026-05-06 16:50前联系来电人。",
		"05-05 07:30 A h1 deadlinenear":   "【12345】工单2026043000101「小区门口井盖缺失」联系时限将到（2026-05-06 16:50，剩余1天9小时），请尽快联系来电人。",
		"05-06 16:50 B h1 deadlinedue":    "【12345】工单2026043000102「幸福里小区晚高峰电压过低」已到联系时限（2026-05-06 16:50），请立即联系来电人。",
		"05-07 09:50 B s1 deadlinelate":   "【12345】督办提醒：工单2026043000102「幸福里小区晚高峰电压过低」联系已超时17小时（时限2026-05-06 16:50），城东供电所尚未联系来电人。",
		"05-07 10:50 A h1 deadlinenear":   "【12345】工单2026043000101「小区门口井盖缺失」回复时限将到（2026-05-09 16:50，剩余2天6小时），请尽快完成办理并提交回复。",
		"05-07 14:00 B h1 urge":           "【12345】工单2026043000102「幸福里小区晚高峰电压过低」被催办：请今天内联系来电人。请联系来电人，时限2026-05-06 16:50。",
		"05-12 00:15 A r1 deadlinedue":    "【12345】工单2026043000101「小区门口井盖缺失」已到审核时限（2026-05-12 00:15），请立即审核回复。",
		"05-11 09:50 A s1 deadlinelate":   "【12345】督办提醒：工单2026043000101「小区门口井盖缺失」回复已超时1天17小时（时限2026-05-09 16:50），城东供电所尚未完成办理并提交回复。",
		"05-12 07:30 A r1 reply":          "【12345】工单2026043000101「小区门口井盖缺失」已回复待审核，请于2026-05-12 00:15前审核。",
		"05-06 16:50 B duty1 deadlinedue": "【12345】工单2026043000102「幸福里小区晚高峰电压过低」已到联系时限（2026-05-06 16:50），请立即联系来电人。",
	} {
		if texts[k] != want {
			t.Errorf("%s text:\n got %q\nwant %q", k, texts[k], want)
		}
	}

	// The reminders of steps left in time were dropped, with the reason,
	// never sent: the sign and assign steps' (signed and assigned in time),
	// A's contact stages (contacted 5-06 10:30), A's review and send stages.
	dropped := map[string]string{}
	rows, err = db.Query(`SELECT ticket, step, stage, login, last_error FROM notifications WHERE channel = 'sms' AND status = 'dropped' ORDER BY ticket, next_at, login, id`)
	if err != nil {
		t.Fatal(err)
	}
	var drops []string
	for rows.Next() {
		var ticket, st, stage, login, reason string
		if err := rows.Scan(&ticket, &st, &stage, &login, &reason); err != nil {
			t.Fatal(err)
		}
		k := name[ticket] + " " + st + "/" + stage + " " + login
		drops = append(drops, k)
		dropped[k] = reason
	}
	rows.Close()
	wantDrops := []string{
		"A sign/due duty1", "A assign/due duty1", "A sign/late s1", "A assign/late s1",
		"A contact/due duty1", "A contact/due h1", "A contact/late s1",
		"A send/due duty1", "A review/late s1", "A send/late s1",
		"B sign/due duty1", "B assign/due duty1", "B sign/late s1", "B assign/late s1",
	}
	if !slices.Equal(drops, wantDrops) {
		t.Errorf("dropped:\n%s\nwant:\n%s", strings.Join(drops, "\n"), strings.Join(wantDrops, "\n"))
	}
	if r := dropped["A contact/due h1"]; r != "工单已进入“回复”环节（时限 05-09 16:50），不再提醒联系" {
		t.Errorf("A's contact reminder dropped because %q", r)
	}
	if r := dropped["A review/late s1"]; r != "工单已反馈" {
		t.Errorf("A's review escalation dropped because %q", r)
	}
	// B's reply reminders were never made: B never reached the reply step.
	if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE ticket = ? AND step = 'reply'`, b); n != 0 {
		t.Errorf("B has %d reply reminders", n)
	}
	// Nothing is left to do: every row was sent, dropped or is an alert.
	if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE status IN ('sending', 'failed') OR status = 'queued' AND channel != 'terminal'`); n != 0 {
		t.Errorf("%d rows neither sent nor dropped", n)
	}

	// duty2, without a phone, had everything duty1 had on the terminal.
	inbox, err := Inbox(context.Background(), db, "duty2", 0, 0, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, al := range inbox {
		alerts = append(alerts, fmt.Sprintf("%s %s %s%s", al.At.In(complaint.China).Format("01-02 15:04"), name[al.Ticket], al.Event, "/"+al.Stage))
	}
	wantAlerts := []string{
		"04-30 16:30 A dispatch/", "04-30 16:30 B dispatch/",
		"05-06 16:50 B deadline/due",
		"05-07 14:00 B urge/",
		"05-09 16:50 A deadline/due",
		"05-12 00:15 A deadline/due",
	}
	if !slices.Equal(alerts, wantAlerts) {
		t.Errorf("duty2's alerts:\n%s\nwant:\n%s", strings.Join(alerts, "\n"), strings.Join(wantAlerts, "\n"))
	}
	var noPhone int
	for _, n := range w.notes {
		if strings.Contains(n, "duty2 (赵值班) has no phone: no sms message") {
			noPhone++
		}
	}
	if noPhone == 0 {
		t.Errorf("no note about duty2's missing phone in %q", w.notes)
	}
}
