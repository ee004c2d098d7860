package complaint

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestApply(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	duty := User{Login: "duty", Unit: "gdj", Roles: []Role{RoleDuty}}
	handler := User{Login: "wang", Unit: "gdj", Roles: []Role{RoleHandler}}
	other := User{Login: "x", Unit: "sw", Roles: []Role{RoleDuty}}
	reply := &Reply{Text: "已联系吉𠮷先生，“停电”原因已查明。"}
	cases := []struct {
		name    string
		state   State
		user    User
		action  Action
		to      State
		refusal string
	}{
		{"duty signs", Dispatched, duty, Action{Kind: KindSign}, Signed, ""},
		{"handler may not sign", Dispatched, handler, Action{Kind: KindSign}, "", "not allowed: 当前用户无权执行“签收”"},
		{"sign twice", Signed, duty, Action{Kind: KindSign}, "", "not allowed: 工单状态为“已签收”，不能签收"},
		{"other unit", Dispatched, other, Action{Kind: KindSign}, "", "not allowed: 工单 T1 不属于本单位"},
		{"duty replies", Signed, duty, Action{Kind: KindReply, Reply: reply}, Replied, ""},
		{"handler replies", Contacted, handler, Action{Kind: KindReply, Reply: reply}, Replied, ""},
		{"reply before sign", Dispatched, duty, Action{Kind: KindReply, Reply: reply}, "", "not allowed: 工单状态为“待签收”，不能回复"},
		{"empty reply", Signed, duty, Action{Kind: KindReply, Reply: &Reply{Text: " \n"}}, "", "not allowed: 回复内容不能为空"},
		{"no reply", Signed, duty, Action{Kind: KindReply}, "", "not allowed: 回复内容不能为空"},
		{"reply after feedback", FedBack, duty, Action{Kind: KindReply, Reply: reply}, "", "not allowed: 工单状态为“已反馈”，不能回复"},
		{"unknown action", Signed, duty, Action{Kind: "fly"}, "", `not allowed: 未知操作 "fly"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := Ticket{Number: "T1", Unit: "gdj", State: c.state, Version: 4}
			c.action.ID, c.action.Ticket = "0190-a", "T1"
			got, ev, err := Apply(tk, c.user, c.action, now)
			if c.refusal != "" {
				if err == nil || err.Error() != c.refusal || !errors.Is(err, ErrNotAllowed) {
					t.Fatalf("err = %v, want %q", err, c.refusal)
				}
				if got.State != c.state || len(got.Events) != 0 {
					t.Fatalf("a refused action changed the ticket: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Event{Kind: c.action.Kind, Actor: c.user.Login, Unit: "gdj", At: now, From: c.state, To: c.to, Action: "0190-a"}
			if c.action.Kind == KindReply {
				want.Text = reply.Text
				if got.Reply == nil || got.Reply.Text != reply.Text || got.Reply.By != c.user.Login || !got.Reply.At.Equal(now) {
					t.Fatalf("reply = %+v", got.Reply)
				}
			}
			if !reflect.DeepEqual(ev, want) || len(got.Events) != 1 || !reflect.DeepEqual(got.Events[0], want) {
				t.Fatalf("event = %+v, want %+v", ev, want)
			}
			if got.State != c.to || !got.UpdatedAt.Equal(now) || got.Version != 4 {
				t.Fatalf("ticket after = state %s updated %v version %d", got.State, got.UpdatedAt, got.Version)
			}
		})
	}
}

func TestStates(t *testing.T) {
	for _, c := range []struct {
		in   string
		want State
		ok   bool
	}{
		{"dispatched", Dispatched, true},
		{"待签收", Dispatched, true},
		{" 已反馈 ", FedBack, true},
		{"closed", Closed, true},
		{"done", "", false},
	} {
		got, ok := ParseState(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseState(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	open := map[State]bool{Dispatched: true, Signed: true, Assigned: true, Contacted: true, Replied: true, Rejected: true, Approved: true, FedBack: false, Closed: false, ReturnRequested: true, Returned: false}
	for s, want := range open {
		if s.Open() != want || !s.Valid() {
			t.Errorf("%s: Open() = %v, want %v", s, s.Open(), want)
		}
	}
	if State("x").Valid() || State("x").Label() != "x" || Signed.Label() != "已签收" {
		t.Error("labels of unknown and known states")
	}
}

func TestHistoryKeepsEveryTypedField(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	h := User{Login: "wang", Unit: "gdj-cd", Roles: []Role{RoleHandler}}
	tk := Ticket{Number: "T1", Unit: "gdj", Subunit: "gdj-cd", State: Assigned}
	tk, ev, err := Apply(tk, h, Action{Kind: KindContact, Text: "先发短信后回电", Contact: &Contact{At: now, How: "电话", Result: "已约次日上门"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Text != "已约次日上门" || ev.Fields["note"] != "先发短信后回电" || ev.Fields["how"] != "电话" {
		t.Fatalf("contact event = %+v, %v", ev, err)
	}
	rep := &Reply{Findings: "电表正常", Explanation: "已解释阶梯电价", Measures: "重新抄表", Basis: "《供电营业规则》", CitizenOpinion: "满意"}
	tk, ev, err = Apply(tk, h, Action{Kind: KindReply, Text: "请领导审核", Reply: rep}, now)
	if err != nil {
		t.Fatal(err)
	}
	// The composed text holds the fields: the event does not repeat them.
	if want := map[string]string{"note": "请领导审核"}; !reflect.DeepEqual(ev.Fields, want) {
		t.Fatalf("reply event fields = %v", ev.Fields)
	}
	if ev.Text != "处理情况：电表正常\n沟通解释结果：已解释阶梯电价\n采取措施：重新抄表\n处理依据：《供电营业规则》\n客户意见：满意" || tk.Reply.Text != ev.Text {
		t.Fatalf("composed reply = %q", ev.Text)
	}
	// A reply whose text was written apart keeps its fields in the history.
	tk.State = Rejected
	own := *rep
	own.Text = "经核查电表正常，已向市民解释。"
	_, ev, err = Apply(tk, h, Action{Kind: KindReply, Reply: &own}, now.Add(time.Hour))
	want := map[string]string{"findings": "电表正常", "explanation": "已解释阶梯电价", "measures": "重新抄表", "basis": "《供电营业规则》", "citizen_opinion": "满意"}
	if err != nil || ev.Text != own.Text || !reflect.DeepEqual(ev.Fields, want) {
		t.Fatalf("reply with its own text: %+v, %v", ev, err)
	}
}

func TestClosedAt(t *testing.T) {
	first := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	second := time.Date(2026, 12, 3, 2, 30, 0, 0, time.UTC)
	tk := Ticket{State: Closed, Events: []Event{
		{Kind: KindClose, At: first, To: Closed},
		{Kind: KindReopen, At: first.Add(time.Hour), From: Closed, To: Signed},
		{Kind: KindClose, At: second, To: Closed},
		{Kind: KindUrge, At: second.Add(time.Hour)},
	}}
	if got := tk.ClosedAt(); !got.Equal(second) {
		t.Errorf("ClosedAt = %v, want the last close %v", got, second)
	}
	tk.State = Signed
	if got := tk.ClosedAt(); !got.IsZero() {
		t.Errorf("ClosedAt of a reopened ticket = %v, want zero", got)
	}
}
