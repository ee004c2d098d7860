package notify

import (
	"context"
	"testing"

	"hotline/complaint"
)

// A ticket dispatched at 03:21 is due to be signed at 03:51. The terminal
// alert goes at once and says 30 minutes are left; the SMS is held by quiet
// hours to 07:30 and says, then, that the time is past.
func TestNightDispatchTexts(t *testing.T) {
	cal := official(t)
	at := cst(2026, 12, 5, 3, 21)
	tk := complaint.Ticket{Number: "20261205000001", Title: "南湖区紫荆花园电表更换后读数异常", Unit: "P1", State: complaint.Dispatched,
		DispatchedAt: at, UpdatedAt: at, Events: []complaint.Event{{ID: 7, Kind: complaint.KindDispatch, At: at, To: complaint.Dispatched}}}
	tk.SetDue(complaint.Policy{}, cal)
	ns, _, err := Plan(context.Background(), complaint.Ticket{}, tk, tk.Events[0], Settings{}, people, cal, at)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, n := range ns {
		if n.Event == "dispatch" && n.Login == "duty1" {
			texts[n.Channel] = n.Text
		}
	}
	const p = "【12345】工单20261205000001「南湖区紫荆花园电表更换后读数异常」已派发给你单位，"
	if got, want := texts["terminal"], p+"请在30分钟内签收并派发。"; got != want {
		t.Errorf("terminal alert %q, want %q", got, want)
	}
	if got, want := texts["sms"], p+"已过签收时限（2026-12-05 03:51），请立即签收并派发。"; got != want {
		t.Errorf("SMS held to the morning %q, want %q", got, want)
	}
}
