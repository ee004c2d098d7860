package complaint

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// weekdays counts Monday to Friday only: enough to check Due's arithmetic,
// which the calendar package checks on the official tables.
type weekdays struct{}

func (weekdays) AddWorkdays(t time.Time, n int) (time.Time, error) {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t, nil
}

func TestDue(t *testing.T) {
	dispatched := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) // a Thursday
	signed := dispatched.Add(10 * time.Minute)
	assigned := dispatched.Add(20 * time.Minute)
	replied := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	events := []Event{{Kind: KindDispatch, At: dispatched}, {Kind: KindSign, At: signed}, {Kind: KindAssign, At: assigned}, {Kind: KindReply, At: replied}}
	granted := &Extension{Granted: true, Deadline: time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		name       string
		t          Ticket
		step       Step
		start, due time.Time
	}{
		{"to sign", Ticket{State: Dispatched, DispatchedAt: dispatched, Events: events[:1]}, StepSign, dispatched, dispatched.Add(30 * time.Minute)},
		{"to assign", Ticket{State: Signed, DispatchedAt: dispatched, Events: events[:2]}, StepAssign, signed, signed.Add(30 * time.Minute)},
		{"to contact: next working day", Ticket{State: Assigned, DispatchedAt: dispatched, Events: events[:3]}, StepContact, assigned, time.Date(2026, 12, 4, 9, 20, 0, 0, time.UTC)},
		{"to reply: over the weekend", Ticket{State: Contacted, DispatchedAt: dispatched, Events: events[:3]}, StepReply, assigned, time.Date(2026, 12, 9, 9, 20, 0, 0, time.UTC)},
		{"center's earlier deadline", Ticket{State: Contacted, DispatchedAt: dispatched, Events: events[:3], Deadline: dispatched.Add(48 * time.Hour)}, StepReply, assigned, dispatched.Add(48 * time.Hour)},
		{"extension granted", Ticket{State: Rejected, DispatchedAt: dispatched, Events: events[:3], Extension: granted, Deadline: granted.Deadline}, StepReply, assigned, granted.Deadline},
		{"to review", Ticket{State: Replied, DispatchedAt: dispatched, Events: events}, StepReview, replied, replied.Add(2 * time.Hour)},
		{"fed back", Ticket{State: FedBack, DispatchedAt: dispatched, Events: events}, StepNone, time.Time{}, time.Time{}},
	} {
		step, start, due, note := Due(c.t, Policy{}, weekdays{})
		if step != c.step || !start.Equal(c.start) || !due.Equal(c.due) || note != "" {
			t.Errorf("%s: Due = %s %v %v %q; want %s %v %v", c.name, step, start, due, note, c.step, c.start, c.due)
		}
	}
	p := Policy{}
	tk := Ticket{StepStart: dispatched, Due: dispatched.Add(4 * time.Hour)}
	for _, c := range []struct {
		at   time.Duration
		want Urgency
	}{{0, OnTime}, {3 * time.Hour, OnTime}, {3*time.Hour + time.Minute, Near}, {4 * time.Hour, Overdue}} {
		if got := p.Urgency(tk, dispatched.Add(c.at)); got != c.want {
			t.Errorf("Urgency at +%v = %d, want %d", c.at, got, c.want)
		}
	}
}

func TestPrecheck(t *testing.T) {
	tk := Ticket{Title: "景蓉华苑物业管理有问题"}
	full := Reply{Findings: "经查景蓉华苑物业交接期间服务中断", Explanation: "已向业主说明交接安排", Measures: "街道临时托管", Basis: "《物业管理条例》第三十八条", CitizenOpinion: "表示满意"}
	if got := Precheck(tk, full); len(got) != 0 {
		t.Fatalf("a full reply: %v", got)
	}
	got := Precheck(tk, Reply{Text: "已处理，谢谢。"})
	want := []Finding{
		{1, "回复未提及诉求主题（景蓉、蓉华、华苑）"},
		{2, "“沟通解释结果”未填写"},
		{3, "“采取措施”未填写"},
		{4, "“处理依据”未填写"},
		{5, "“客户意见”未填写"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Precheck = %v\nwant %v", got, want)
	}
	if got := Precheck(tk, Reply{}); !reflect.DeepEqual(got, append([]Finding{{1, "回复为空"}}, want[1:]...)) {
		t.Fatalf("empty reply: %v", got)
	}
}

func TestTimesThatCannotBeRight(t *testing.T) {
	now := time.Date(2026, 12, 4, 3, 11, 0, 0, time.UTC)
	assigned := now.Add(-time.Hour)
	h := User{Login: "wang", Unit: "gdj-cd", Roles: []Role{RoleHandler}}
	c := User{Login: "zhou", Unit: "12345", Roles: []Role{RoleCenter}}
	tk := Ticket{Number: "T", Unit: "gdj", Subunit: "gdj-cd", State: Assigned, DispatchedAt: now.Add(-2 * time.Hour), Events: []Event{{Kind: KindAssign, At: assigned}}}
	for _, c2 := range []struct {
		at   time.Time
		want string
	}{
		{assigned.Add(-time.Minute), "not allowed: 联系时间不能早于派发时间（2026-12-04 10:11）"},
		{now.Add(time.Hour), "not allowed: 联系时间不能晚于现在"},
		{now, ""},
	} {
		_, _, err := Apply(tk, h, Action{Kind: KindContact, Contact: &Contact{At: c2.at, How: "电话", Result: "已联系"}}, now)
		if got := fmt.Sprint(err); c2.want != "" && got != c2.want || c2.want == "" && err != nil {
			t.Errorf("contact at %v: %v, want %q", c2.at, err, c2.want)
		}
	}
	tk.State, tk.Due = Contacted, now.Add(48*time.Hour)
	tk.Extension = &Extension{Days: 3, Reason: "需检测"}
	for _, c2 := range []struct {
		deadline time.Time
		want     string
	}{
		{now.Add(-time.Hour), "not allowed: 新的办理时限已过，请给出今后的时间"},
		{now.Add(24 * time.Hour), "not allowed: 新的办理时限早于现在的时限（2026-12-06 11:11），延期不能缩短办理时间"},
		{now.Add(96 * time.Hour), ""},
	} {
		_, _, err := Apply(tk, c, Action{Kind: KindExtensionDecide, Grant: true, Deadline: c2.deadline}, now)
		if got := fmt.Sprint(err); c2.want != "" && got != c2.want || c2.want == "" && err != nil {
			t.Errorf("grant until %v: %v, want %q", c2.deadline, err, c2.want)
		}
	}
}
