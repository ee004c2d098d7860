package notify

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sender"
)

// assigned is a ticket of P1 assigned to P1-01 at 10:00 on Tuesday
// 2026-06-02, its handler h1 named.
func assigned(t testing.TB) complaint.Ticket {
	t.Helper()
	at := cst(2026, 6, 2, 10, 0)
	tk := complaint.Ticket{Number: "2026060200001", Title: "小区门口井盖缺失", Unit: "P1", Subunit: "P1-01", Handler: "h1",
		State: complaint.Assigned, DispatchedAt: at.Add(-time.Hour), UpdatedAt: at,
		Events: []complaint.Event{{Kind: complaint.KindAssign, At: at}}}
	tk.SetDue(complaint.Policy{}, official(t))
	return tk
}

// immediate lists what an event makes at once, as "login channel".
func immediate(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		if n.Event != EventDeadline {
			out = append(out, strings.TrimSpace(n.Login+" "+n.Channel))
		}
	}
	return out
}

// TestRecipients: who each event reaches under the default settings. The
// actor is never told of their own action; duty2 has no phone.
func TestRecipients(t *testing.T) {
	cal := official(t)
	now := cst(2026, 6, 3, 9, 0)
	base := assigned(t)
	for _, c := range []struct {
		kind   complaint.Kind
		actor  string
		edit   func(*complaint.Ticket)
		fields map[string]string
		text   string
		want   []string
	}{
		{kind: complaint.KindDispatch, actor: "c1", edit: func(t *complaint.Ticket) { t.State, t.Subunit, t.Handler = complaint.Dispatched, "", "" },
			want: []string{"duty1 terminal", "duty2 terminal", "duty1 sms"}},
		{kind: complaint.KindReopen, actor: "c1", edit: func(t *complaint.Ticket) { t.State = complaint.Dispatched },
			want: []string{"duty1 terminal", "duty2 terminal", "duty1 sms"}},
		{kind: complaint.KindAssign, actor: "duty1", want: []string{"h1 terminal", "h1 sms"}},
		{kind: complaint.KindAssign, actor: "duty1", edit: func(t *complaint.Ticket) { t.Handler = "" },
			want: []string{"h1 terminal", "h2 terminal", "h1 sms", "h2 sms"}},
		{kind: complaint.KindReply, actor: "h1", edit: func(t *complaint.Ticket) { t.State = complaint.Replied },
			want: []string{"r1 terminal", "r1 sms"}},
		{kind: complaint.KindReject, actor: "r1", edit: func(t *complaint.Ticket) { t.State = complaint.Rejected },
			want: []string{"h1 terminal", "h1 sms"}},
		{kind: complaint.KindUrge, actor: "c1", want: []string{"h1 terminal", "duty1 terminal", "duty2 terminal", "h1 sms", "duty1 sms"}},
		{kind: complaint.KindUrge, actor: "duty1", want: []string{"h1 terminal", "duty2 terminal", "h1 sms"}},
		{kind: complaint.KindSupervise, actor: "s1", want: []string{"h1 terminal", "duty1 terminal", "duty2 terminal", "h1 sms", "duty1 sms"}},
		{kind: complaint.KindReturnAccept, actor: "c1", edit: func(t *complaint.Ticket) { t.State, t.Unit, t.Subunit = complaint.Returned, "C", "" },
			want: []string{"duty1 terminal", "duty2 terminal"}},
		{kind: complaint.KindReturnRefuse, actor: "c1", want: []string{"duty1 terminal", "duty2 terminal"}},
		{kind: complaint.KindExtensionDecide, actor: "c1", fields: map[string]string{"granted": "true"},
			want: []string{"duty1 terminal", "duty2 terminal"}},
		{kind: complaint.KindSign, actor: "duty1", edit: func(t *complaint.Ticket) { t.State = complaint.Signed }},
		{kind: complaint.KindContact, actor: "h1", edit: func(t *complaint.Ticket) { t.State = complaint.Contacted }},
		{kind: complaint.KindApprove, actor: "r1", edit: func(t *complaint.Ticket) { t.State = complaint.Approved }},
	} {
		after := base
		if c.edit != nil {
			c.edit(&after)
		}
		ev := complaint.Event{ID: 9, Kind: c.kind, Actor: c.actor, At: now, Fields: c.fields}
		ns, _, err := Plan(context.Background(), base, after, ev, Settings{}, people, cal, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := immediate(ns); !slices.Equal(got, c.want) {
			t.Errorf("%s by %s (handler %q): %v, want %v", c.kind, c.actor, after.Handler, got, c.want)
		}
		for _, n := range ns {
			if n.Event != EventDeadline && (n.Key != "ev:9" || n.Unit != "P1" || n.Ticket != base.Number) {
				t.Errorf("%s: key %q unit %q ticket %q", c.kind, n.Key, n.Unit, n.Ticket)
			}
		}
	}
}

// TestTexts: the texts and SMS fields an event makes, with a group robot
// that mentions the recipients.
func TestTexts(t *testing.T) {
	cal := official(t)
	now := cst(2026, 6, 2, 15, 20)
	before := assigned(t)
	before.Title = "幸福里\x1b[31m小区\n\u202e晚高峰电压过低，𠮷祥路一带每天傍晚灯光闪烁家电无法正常使用"
	s := Settings{Events: map[string]Rule{
		"urge":             {Channels: []string{"sms", "wecom"}, SMSTemplate: "SMS_9", SMSParams: []string{"number", "t=title", "deadline", "left"}},
		"extension_decide": {Channels: []string{"wecom"}},
	}}
	after, ev, err := complaint.Apply(before, user("c1"), complaint.Action{ID: "u1", Kind: complaint.KindUrge, Ticket: before.Number, Text: "市民\n再次来电"}, now)
	if err != nil {
		t.Fatal(err)
	}
	after.SetDue(complaint.Policy{}, cal)
	ns, notes, err := Plan(context.Background(), before, after, ev, s, people, cal, now)
	if err != nil {
		t.Fatal(err)
	}
	// The event has no id yet (not stored): the action's id keys it.
	var sms, group []Notification
	for _, n := range ns {
		switch {
		case n.Event == EventDeadline:
		case n.Channel == "sms":
			sms = append(sms, n)
		case n.Channel == "wecom":
			group = append(group, n)
		}
	}
	title := "幸福里[31m小区 晚高峰电压过低，𠮷祥路一…" // 40 cells, 𠮷 whole
	wantText := "【12345】工单2026060200001「" + title + "」被催办：市民 再次来电。请联系来电人，时限2026-06-03 10:00。"
	if len(sms) != 2 || sms[0].Login != "h1" || sms[1].Login != "duty1" || sms[0].Phone != "13800000002" {
		t.Fatalf("SMS %+v", sms)
	}
	for _, n := range sms {
		if n.Key != "act:u1" || n.Text != wantText || n.Template != "SMS_9" || n.Title != "工单催办" {
			t.Errorf("SMS to %s: key %q text %q template %q title %q", n.Login, n.Key, n.Text, n.Template, n.Title)
		}
		want := []sender.Param{{Name: "number", Value: "2026060200001"}, {Name: "t", Value: title},
			{Name: "deadline", Value: "2026-06-03 10:00"}, {Name: "left", Value: "剩余18小时40分钟"}}
		if !reflect.DeepEqual(n.Params, want) {
			t.Errorf("params %v, want %v", n.Params, want)
		}
	}
	if len(group) != 1 || group[0].Login != "" || !slices.Equal(group[0].Mention, []string{"13800000002", "13800000001"}) ||
		group[0].Template != "" || group[0].Text != wantText {
		t.Errorf("group %+v", group)
	}
	if !slices.Equal(notes, []string{"ticket 2026060200001: duty2 (赵值班) has no phone: no sms message for act:u1",
		"ticket 2026060200001: duty2 (赵值班) has no phone: no sms message for due:2026060200001:contact:1780452000:due"}) {
		t.Errorf("notes %q", notes)
	}

	// The center grants an extension: the text says so and gives the new deadline.
	before = after
	before.Extension = &complaint.Extension{Days: 3, Reason: "需现场测量"}
	newDue := cst(2026, 6, 8, 17, 0)
	after, ev, err = complaint.Apply(before, user("c1"), complaint.Action{ID: "x1", Kind: complaint.KindExtensionDecide, Ticket: before.Number, Grant: true, Deadline: newDue}, now)
	if err != nil {
		t.Fatal(err)
	}
	after.State = complaint.Contacted
	after.SetDue(complaint.Policy{}, cal)
	ns, _, err = Plan(context.Background(), before, after, ev, s, people, cal, now)
	if err != nil {
		t.Fatal(err)
	}
	if g := ns[0]; g.Channel != "wecom" || g.Text != "【12345】工单2026060200001「"+title+"」延期申请已同意，办理时限2026-06-08 17:00。" {
		t.Errorf("extension: %s %q", g.Channel, g.Text)
	}
}

// TestPlanTrouble: nothing in the settings or the people fails an action;
// a broken directory is an error the caller logs.
func TestPlanTrouble(t *testing.T) {
	cal := official(t)
	now := cst(2026, 6, 2, 15, 0)
	tk := assigned(t)
	ev := complaint.Event{ID: 3, Kind: complaint.KindUrge, Actor: "c1", At: now}

	// An unchecked, broken text falls back to the default, with a note.
	s := Settings{Events: map[string]Rule{"urge": {Channels: []string{Terminal}, Roles: []complaint.Role{complaint.RoleHandler}, Text: "{{.Nope}}"}}}
	ns, notes, err := Plan(context.Background(), tk, tk, ev, s, people, cal, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := immediate(ns); !slices.Equal(got, []string{"h1 terminal"}) || !strings.HasPrefix(ns[0].Text, "【12345】工单2026060200001「小区门口井盖缺失」被催办。") {
		t.Errorf("fallback: %v %q", got, ns[0].Text)
	}
	if len(notes) == 0 || !strings.HasPrefix(notes[0], "ticket 2026060200001: urge text: template: text:1:2: executing \"text\" at <.Nope>") ||
		!strings.HasSuffix(notes[0], "; the default text is used") {
		t.Errorf("notes %q", notes)
	}

	// Disabled: nothing at once; the reminders still follow.
	off := false
	s = Settings{Events: map[string]Rule{"urge": {Enabled: &off}}}
	ns, _, _ = Plan(context.Background(), tk, tk, ev, s, people, cal, now)
	if got := immediate(ns); len(got) != 0 {
		t.Errorf("disabled urge made %v", got)
	}
	if len(ns) == 0 {
		t.Errorf("no reminders with the urge disabled")
	}

	// A handler who is not in the sub-unit: its handlers are told, and a note says why.
	odd := tk
	odd.Handler = "ghost"
	ns, notes, _ = Plan(context.Background(), odd, odd, ev, Settings{}, people, cal, now)
	if got := immediate(ns); !slices.Contains(got, "h2 terminal") || !slices.Contains(notes, "ticket 2026060200001: handler ghost is not a handler of P1-01: the sub-unit's handlers are told") {
		t.Errorf("ghost handler: %v %q", got, notes)
	}

	broken := dir{fail: errors.New("database is closed")}
	_, _, err = Plan(context.Background(), tk, tk, ev, Settings{}, broken, cal, now)
	if err == nil || err.Error() != "notify: handler of unit P1-01: database is closed" {
		t.Errorf("broken directory: %v", err)
	}
}

// TestReminders: the stages of a contact step that started at 10:00 on
// Tuesday 2026-06-02 and is due 10:00 Wednesday, and how urgency and quiet
// hours follow.
func TestReminders(t *testing.T) {
	cal := official(t)
	tk := assigned(t)
	ev := complaint.Event{ID: 1, Kind: complaint.KindAssign, Actor: "duty1", At: tk.StepStart}
	plan := func(now time.Time) []string {
		ns, _, err := Plan(context.Background(), complaint.Ticket{}, tk, ev, Settings{}, people, cal, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range ns {
			if n.Event == EventDeadline && n.Channel == "sms" {
				out = append(out, fmt.Sprintf("%s %s %s urgent=%v %s", n.Stage, n.NotBefore.In(complaint.China).Format("01-02 15:04"), n.Login, n.Urgent, n.Key))
			}
		}
		return out
	}
	// 24 h step: near 6 h before, 04:00 — held to 07:30, still before the
	// due time; late 2 business hours after 10:00, 12:00.
	want := []string{
		"near 06-03 04:00 h1 urgent=false due:2026060200001:contact:1780452000:near",
		"due 06-03 10:00 h1 urgent=true due:2026060200001:contact:1780452000:due",
		"due 06-03 10:00 duty1 urgent=true due:2026060200001:contact:1780452000:due",
		"late 06-03 12:00 s1 urgent=true due:2026060200001:contact:1780452000:late",
	}
	if got := plan(tk.StepStart); !slices.Equal(got, want) {
		t.Errorf("at assignment:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Planned again after the due time (an urge): no near warning.
	if got := plan(cst(2026, 6, 3, 11, 0)); !slices.Equal(got, want[1:]) {
		t.Errorf("after the due time:\n%s", strings.Join(got, "\n"))
	}
	// Quiet hours decide next_at in Enqueue: the near one is held to 07:30.
	db := openDB(t)
	ns, _, _ := Plan(context.Background(), complaint.Ticket{}, tk, ev, Settings{}, people, cal, tk.StepStart)
	enqueue(t, db, ns)
	var next time.Time
	if err := db.QueryRow(`SELECT next_at FROM notifications WHERE stage = 'near' AND channel = 'sms'`).Scan(timeCol(&next)); err != nil {
		t.Fatal(err)
	}
	if !next.Equal(cst(2026, 6, 3, 7, 30)) {
		t.Errorf("near reminder next_at %s, want 07:30", next.In(complaint.China))
	}
	// The terminal's copy is not held.
	if err := db.QueryRow(`SELECT next_at FROM notifications WHERE stage = 'near' AND channel = 'terminal'`).Scan(timeCol(&next)); err != nil {
		t.Fatal(err)
	}
	if !next.Equal(cst(2026, 6, 3, 4, 0)) {
		t.Errorf("near terminal alert next_at %s, want 04:00", next.In(complaint.China))
	}
}

func TestAddWorking(t *testing.T) {
	cal := official(t)
	bh := DefaultSettings().Business
	for _, c := range []struct {
		from time.Time
		d    time.Duration
		want time.Time
	}{
		// 40 min to 17:30, 劳动节 5-01 to 5-05 off, 80 min from 08:30 on 5-06.
		{cst(2026, 4, 30, 16, 50), 2 * time.Hour, cst(2026, 5, 6, 9, 50)},
		// The make-up Saturday 5-09 works; Sunday 5-10 does not.
		{cst(2026, 5, 9, 16, 50), 2 * time.Hour, cst(2026, 5, 11, 9, 50)},
		// Back: 30 min on 5-06 from 08:30, 90 min before 17:30 on 4-30.
		{cst(2026, 5, 6, 9, 0), -2 * time.Hour, cst(2026, 4, 30, 16, 0)},
		// An evening start counts from the next morning.
		{cst(2026, 6, 2, 20, 0), time.Hour, cst(2026, 6, 3, 9, 30)},
		// An ordinary weekend.
		{cst(2026, 6, 6, 10, 0), 30 * time.Minute, cst(2026, 6, 8, 9, 0)},
		// Exactly to the end of the day stays on it.
		{cst(2026, 6, 2, 16, 30), time.Hour, cst(2026, 6, 2, 17, 30)},
		{cst(2026, 6, 2, 16, 30), 0, cst(2026, 6, 2, 16, 30)},
	} {
		if got := addWorking(cal, bh, c.from, c.d); !got.Equal(c.want) {
			t.Errorf("%s %+v: %s, want %s", c.from.Format("01-02 15:04"), c.d, got.In(complaint.China).Format("01-02 15:04"), c.want.Format("01-02 15:04"))
		}
	}
	// Without a calendar, Monday to Friday.
	if got := addWorking(nil, bh, cst(2026, 4, 30, 16, 50), 2*time.Hour); !got.Equal(cst(2026, 5, 1, 9, 50)) {
		t.Errorf("no calendar: %s", got.In(complaint.China))
	}
}

func TestQuiet(t *testing.T) {
	q := Span{From: "22:00", To: "07:30"}
	for _, c := range []struct{ at, want time.Time }{
		{cst(2026, 6, 2, 21, 59), cst(2026, 6, 2, 21, 59)},
		{cst(2026, 6, 2, 22, 0), cst(2026, 6, 3, 7, 30)},
		{cst(2026, 6, 2, 23, 59), cst(2026, 6, 3, 7, 30)},
		{cst(2026, 6, 3, 3, 0), cst(2026, 6, 3, 7, 30)},
		{cst(2026, 6, 3, 7, 30), cst(2026, 6, 3, 7, 30)},
	} {
		if got := q.hold(c.at); !got.Equal(c.want) {
			t.Errorf("hold(%s) = %s, want %s", c.at.Format("01-02 15:04"), got.In(complaint.China).Format("01-02 15:04"), c.want.Format("01-02 15:04"))
		}
	}
	day := Span{From: "12:00", To: "13:30"} // a lunch break, within one day
	if got := day.hold(cst(2026, 6, 2, 12, 10)); !got.Equal(cst(2026, 6, 2, 13, 30)) {
		t.Errorf("lunch: %s", got.In(complaint.China))
	}
	off := Span{From: "00:00", To: "00:00"}
	if got := off.hold(cst(2026, 6, 2, 23, 0)); !got.Equal(cst(2026, 6, 2, 23, 0)) {
		t.Errorf("off: %s", got.In(complaint.China))
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		36 * time.Hour:                  "1天12小时",
		24*time.Hour + 59*time.Minute:   "1天",
		2*time.Hour + 5*time.Minute:     "2小时5分钟",
		2 * time.Hour:                   "2小时",
		30*time.Minute + 59*time.Second: "30分钟",
	} {
		if got := span(d); got != want {
			t.Errorf("span(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestHeldText: a message held by quiet hours says how things stand when it
// is sent, not when it was made.
func TestHeldText(t *testing.T) {
	cal := official(t)
	now := cst(2026, 6, 2, 23, 0)
	tk := complaint.Ticket{Number: "2026060200009", Title: "路灯不亮", Unit: "P1", State: complaint.Dispatched, DispatchedAt: now}
	tk.SetDue(complaint.Policy{}, cal)
	ev := complaint.Event{ID: 5, Kind: complaint.KindDispatch, Actor: "c1", At: now}
	ns, _, err := Plan(context.Background(), complaint.Ticket{}, tk, ev, Settings{}, people, cal, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range ns {
		if n.Channel == "sms" {
			got = append(got, fmt.Sprintf("%s %s urgent=%v %s", n.Event+n.Stage, n.NotBefore.In(complaint.China).Format("01-02 15:04"), n.Urgent, n.Text))
		}
	}
	want := []string{
		"dispatch 06-02 23:00 urgent=false 【12345】工单2026060200009「路灯不亮」已派发给你单位，已过签收时限（2026-06-02 23:30），请立即签收并派发。",
		"deadlinedue 06-02 23:30 urgent=true 【12345】工单2026060200009「路灯不亮」已到签收时限（2026-06-02 23:30），请立即签收并派发。",
		"deadlinelate 06-03 10:30 urgent=true 【12345】督办提醒：工单2026060200009「路灯不亮」签收已超时11小时（时限2026-06-02 23:30），尚未签收并派发。",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNoteEnds: the default urge and supervise texts end the note with
// 。 unless it ends a sentence itself, so a reason written with its own
// full stop, question or exclamation mark is not followed by another.
// (Without a note, "被催办。": TestPlanTrouble.)
func TestNoteEnds(t *testing.T) {
	cal := official(t)
	now := cst(2026, 6, 2, 15, 20)
	const head = "【12345】工单2026060200001「小区门口井盖缺失」"
	const tail = "请联系来电人，时限2026-06-03 10:00。"
	for _, c := range []struct {
		kind  complaint.Kind
		actor string
		note  string
		want  string
	}{
		{complaint.KindUrge, "c1", "市民再次来电，请加快办理。", head + "被催办：市民再次来电，请加快办理。" + tail},
		{complaint.KindUrge, "c1", "市民再次来电", head + "被催办：市民再次来电。" + tail},
		{complaint.KindUrge, "c1", "为何仍未联系？", head + "被催办：为何仍未联系？" + tail},
		{complaint.KindSupervise, "s1", "列入本周督办。", head + "被督办：列入本周督办。" + tail},
		{complaint.KindSupervise, "s1", "列入本周督办", head + "被督办：列入本周督办。" + tail},
		{complaint.KindSupervise, "s1", "今天必须办结！", head + "被督办：今天必须办结！" + tail},
		{complaint.KindSupervise, "s1", "See ticket 12.", head + "被督办：See ticket 12." + tail},
	} {
		before := assigned(t)
		after, ev, err := complaint.Apply(before, user(c.actor), complaint.Action{ID: "n1", Kind: c.kind, Ticket: before.Number, Text: c.note}, now)
		if err != nil {
			t.Fatal(err)
		}
		after.SetDue(complaint.Policy{}, cal)
		ns, _, err := Plan(context.Background(), before, after, ev, Settings{}, people, cal, now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range ns {
			if n.Event != EventDeadline && n.Login == "h1" {
				got = append(got, n.Text)
			}
		}
		if len(got) == 0 {
			t.Errorf("%s %q: nothing to h1", c.kind, c.note)
		}
		for _, text := range got {
			if text != c.want {
				t.Errorf("%s %q:\n got %s\nwant %s", c.kind, c.note, text, c.want)
			}
		}
	}
}
