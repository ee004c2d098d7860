package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sample"
	"hotline/store"
)

// office is a demo platform with one terminal per role, each logged in
// through its own tunnel, and the subcommands run as each role would.
type office struct {
	t        *testing.T
	p        *demoPlatform
	settings map[string]string // login → settings file
	dir      string
}

func newOffice(t *testing.T, tickets int) (*office, []complaint.Ticket) {
	t.Helper()
	p, err := startDemoPlatform(t.TempDir(), demoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ts := p.gen.Tickets(tickets, time.Now(), time.Hour)
	if _, err := p.db.Dispatch(context.Background(), ts, "center"); err != nil {
		t.Fatal(err)
	}
	o := &office{t: t, p: p, settings: map[string]string{}, dir: t.TempDir()}
	for _, u := range sample.Users() {
		term, settings := p.loggedInAs(t, u.Login, u.Login+"-term", "")
		term.close()
		o.settings[u.Login] = settings
	}
	return o, ts
}

// as runs a hotline subcommand in the terminal of login and returns what
// it printed and its error.
func (o *office) as(login string, args ...string) (string, error) {
	o.t.Helper()
	var buf bytes.Buffer
	stdout = &buf
	defer func() { stdout = os.Stdout }()
	err := run(append(args, "--config", o.settings[login]))
	return buf.String(), err
}

// must is as, failing the test on an error or on output other than want.
func (o *office) must(login, want string, args ...string) {
	o.t.Helper()
	out, err := o.as(login, args...)
	if err != nil || out != want {
		o.t.Fatalf("%s: hotline %s\n got %q, %v\nwant %q", login, strings.Join(args, " "), out, err, want)
	}
}

// file writes text to a file and returns its path.
func (o *office) file(name, text string) string {
	o.t.Helper()
	p := filepath.Join(o.dir, name)
	if err := os.WriteFile(p, []byte(text+"\n"), 0o644); err != nil {
		o.t.Fatal(err)
	}
	return p
}

// timeline is the ticket's history in login's cache, after a sync: each
// event as "kind from→to".
func (o *office) timeline(login, number string) (complaint.Ticket, []string) {
	o.t.Helper()
	if _, err := o.as(login, "sync", "--once"); err != nil {
		o.t.Fatal(err)
	}
	term, err := openTerminal(o.settings[login])
	if err != nil {
		o.t.Fatal(err)
	}
	defer term.close()
	tk, err := term.store.Ticket(context.Background(), number)
	if err != nil {
		o.t.Fatalf("%s's cache: %v", login, err)
	}
	var out []string
	for _, e := range tk.Events {
		out = append(out, fmt.Sprintf("%s %s→%s", e.Kind, e.From, e.To))
	}
	return tk, out
}

func (o *office) checkTimeline(login, number string, want []string) complaint.Ticket {
	o.t.Helper()
	tk, got := o.timeline(login, number)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		o.t.Fatalf("%s's timeline of %s:\n%s\nwant\n%s", login, number, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return tk
}

// The whole procedure through the tunnel, each step by the right role's
// terminal: dispatch → sign → assign → contact → reply → reject (criterion
// 5) → reply again → approve (which sends to the center) → the center closes
// as 满意.
func TestFullPathThroughTheTunnel(t *testing.T) {
	o, ts := newOffice(t, 1)
	n := ts[0].Number
	o.must("duty", "签收 "+n+": done; state 已签收\n", "sign", n)
	o.must("duty", "派发 "+n+": done; state 已派发\n", "assign", n, "--subunit", "城东供电所", "--handler", "王芳", "--note", "请一个工作日内联系")
	if _, err := o.as("handler", "sync", "--once"); err != nil {
		t.Fatal(err)
	}
	if out, err := o.as("handler", "list", "--mine"); err != nil || !strings.Contains(out, n) || !strings.Contains(out, "联系 剩 ") {
		t.Fatalf("handler's 待办: %q %v", out, err)
	}
	o.must("handler", "联系客户 "+n+": done; state 已联系\n", "contact", n, "--how", "电话",
		"--result-file", o.file("result", "已电话联系来电人吉𠮷先生，约定明日上门。"), "--at", time.Now().In(shanghai).Format("2006-01-02T15:04"))

	findings := o.file("findings", "经现场核查，"+ts[0].Title+"属实，系线路老化。")
	explanation := o.file("explanation", "已向来电人说明原因和抢修安排，来电人表示理解。")
	measures := o.file("measures", "已更换老化线路。")
	basis := o.file("basis", "《供电营业规则》第五十七条。")
	opinion := o.file("opinion", "来电人表示满意。")
	out, err := o.as("handler", "precheck", n, "--findings-file", findings, "--explanation-file", explanation, "--measures-file", measures, "--basis-file", basis)
	want := "预审 " + n + "（文件中的回复）：1 项可能不符合\n" +
		"① ✓ 未针对市民反映的具体问题答复，或答复不全面\n" +
		"② ✓ 未说明向市民解释的内容及结果\n" +
		"③ ✓ 未采取有效措施\n" +
		"④ ✓ 缺少应有的依据（政策、法规、检测数据）\n" +
		"⑤ ✗ 未记录市民本人的意见\n" +
		"    “客户意见”未填写\n"
	if err != nil || out != want {
		t.Fatalf("precheck:\n%s%v\nwant\n%s", out, err, want)
	}
	o.must("handler", "回复 "+n+": done; state 待审核\n", "reply", n, "--findings-file", findings, "--explanation-file", explanation,
		"--measures-file", measures, "--basis-file", basis)
	if _, err := o.as("leader", "sync", "--once"); err != nil {
		t.Fatal(err)
	}
	if out, err := o.as("leader", "precheck", n); err != nil || !strings.Contains(out, "（工单的回复）：1 项可能不符合") || !strings.Contains(out, "⑤ ✗") {
		t.Fatalf("the reviewer's precheck: %q %v", out, err)
	}
	o.must("leader", "审核退回 "+n+": done; state 已退回\n", "reject", n, "--criteria", "5", "--note-file", o.file("note", "请记录市民本人的意见。"))
	o.must("handler", "回复 "+n+": done; state 待审核\n", "reply", n, "--findings-file", findings, "--explanation-file", explanation,
		"--measures-file", measures, "--basis-file", basis, "--opinion-file", opinion)
	o.must("leader", "审核通过 "+n+": done; state 已反馈\n", "approve", n, "--note", "同意")
	o.must("center", "办结 "+n+": done; state 办结\n", "close", n, "--satisfaction", "满意")

	for _, login := range []string{"duty", "handler"} {
		tk := o.checkTimeline(login, n, []string{
			"dispatch →dispatched",
			"sign dispatched→signed",
			"assign signed→assigned",
			"contact assigned→contacted",
			"reply contacted→replied",
			"reject replied→rejected",
			"reply rejected→replied",
			"approve replied→approved",
			"send approved→fed_back",
			"close fed_back→closed",
		})
		if tk.Satisfaction != complaint.Satisfied || tk.Subunit != sample.HandlerUnit || tk.Handler != "handler" ||
			tk.Reply == nil || tk.Reply.CitizenOpinion != "来电人表示满意。" || tk.Review == nil || !tk.Review.Approved {
			t.Fatalf("%s's cached ticket: satisfaction %q subunit %q handler %q reply %+v review %+v", login, tk.Satisfaction, tk.Subunit, tk.Handler, tk.Reply, tk.Review)
		}
		if ev := tk.Events[5]; ev.Fields["criteria"] != "5" || ev.Text != "请记录市民本人的意见。" || ev.Actor != "leader" {
			t.Fatalf("reject event %+v", ev)
		}
	}
	show, err := o.as("duty", "show", n)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"状态：办结", "满意度：满意", "基层单位：城东供电所", "承办人：王芳",
		"审核退回  待审核→已退回", "不符合标准：⑤ 未记录市民本人的意见", "反馈中心  已审核→已反馈", "办结  已反馈→办结", "满意度：满意"} {
		if !strings.Contains(show, w) {
			t.Errorf("show lacks %q:\n%s", w, show)
		}
	}
}

// The return path: the duty officer asks to return, the center refuses with
// a reason (the ticket goes back where it was), the officer asks again, the
// center accepts (the ticket leaves the unit) and dispatches it again.
func TestReturnPathThroughTheTunnel(t *testing.T) {
	o, ts := newOffice(t, 1)
	n := ts[0].Number
	o.must("duty", "签收 "+n+": done; state 已签收\n", "sign", n)
	o.must("duty", "退单申请 "+n+": done; state 退单申请\n", "return", n, "--reason-file", o.file("r1", "不属供电公司职责。"))
	o.must("center", "不同意退单 "+n+": done; state 已签收\n", "refuse-return", n, "--reason-file", o.file("r2", "线路属供电公司资产，请继续办理。"))
	o.must("duty", "退单申请 "+n+": done; state 退单申请\n", "return", n, "--reason-file", o.file("r3", "经查为小区自建线路，产权属物业。"))
	o.must("center", "同意退单 "+n+": done; state 已退单\n", "accept-return", n)
	if _, err := o.as("duty", "sync", "--once"); err != nil {
		t.Fatal(err)
	}
	if out, err := o.as("duty", "show", n); err == nil {
		t.Fatalf("the returned ticket is still in the unit's cache:\n%s", out)
	}
	o.must("center", "派单 "+n+": done; state 待签收\n", "dispatch", n, "--unit", "市供电公司")
	want := []string{
		"dispatch →dispatched",
		"sign dispatched→signed",
		"return_request signed→return_requested",
		"return_refuse return_requested→signed",
		"return_request signed→return_requested",
		"return_accept return_requested→returned",
		"dispatch returned→dispatched",
	}
	o.checkTimeline("center", n, want)
	tk := o.checkTimeline("duty", n, want)
	if tk.Unit != sample.UnitCode || tk.State != complaint.Dispatched || tk.Step != complaint.StepSign {
		t.Fatalf("re-dispatched ticket: unit %s state %s step %s", tk.Unit, tk.State, tk.Step)
	}
	if ev := tk.Events[3]; ev.Text != "线路属供电公司资产，请继续办理。" || ev.Actor != "center" {
		t.Fatalf("refusal event %+v", ev)
	}
}

// The extension path: asked, refused with a note, asked again, granted with
// a new deadline that the ticket then carries.
func TestExtensionPathThroughTheTunnel(t *testing.T) {
	o, ts := newOffice(t, 1)
	n := ts[0].Number
	o.must("duty", "签收 "+n+": done; state 已签收\n", "sign", n)
	o.must("duty", "派发 "+n+": done; state 已派发\n", "assign", n, "--subunit", sample.HandlerUnit)
	o.must("duty", "延期申请 "+n+": done; state 已派发\n", "extend", n, "--days", "3", "--reason-file", o.file("x1", "需停电检修，须提前三天公告。"))
	if out, err := o.as("duty", "extend", n, "--days", "2", "--reason-file", o.file("x0", "再次申请")); err == nil || !strings.Contains(err.Error(), "已有待审批的延期申请") {
		t.Fatalf("a second request while one waits: %q %v", out, err)
	}
	o.must("center", "延期审批 "+n+": done; state 已派发\n", "decide-extension", n, "--refuse", "--note-file", o.file("x2", "不符合延期条件。"))
	o.must("duty", "延期申请 "+n+": done; state 已派发\n", "extend", n, "--days", "2", "--reason-file", o.file("x3", "需等待检测报告。"))
	deadline := time.Now().In(shanghai).AddDate(0, 0, 10).Truncate(time.Minute)
	o.must("center", "延期审批 "+n+": done; state 已派发\n", "decide-extension", n, "--grant", "--deadline", deadline.Format("2006-01-02T15:04"))
	o.must("handler", "联系客户 "+n+": done; state 已联系\n", "contact", n, "--how", "上门", "--result-file", o.file("c", "上门说明检修安排。"))
	tk := o.checkTimeline("duty", n, []string{
		"dispatch →dispatched",
		"sign dispatched→signed",
		"assign signed→assigned",
		"extension_request assigned→assigned",
		"extension_decide assigned→assigned",
		"extension_request assigned→assigned",
		"extension_decide assigned→assigned",
		"contact assigned→contacted",
	})
	if !tk.Deadline.Equal(deadline) || tk.Extension == nil || !tk.Extension.Granted || tk.Extension.Days != 2 {
		t.Fatalf("deadline %v extension %+v; want %v granted", tk.Deadline, tk.Extension, deadline)
	}
	if tk.Step != complaint.StepReply || !tk.Due.Equal(deadline) {
		t.Fatalf("step %s due %v; want the reply due at the new deadline %v", tk.Step, tk.Due, deadline)
	}
	if f := tk.Events[4].Fields; f["granted"] != "false" || tk.Events[4].Text != "不符合延期条件。" {
		t.Fatalf("refused extension event %+v", tk.Events[4])
	}
	if f := tk.Events[6].Fields; f["granted"] != "true" || f["deadline"] != deadline.UTC().Format(time.RFC3339) {
		t.Fatalf("granted extension event %+v", tk.Events[6])
	}
}

// A refused action exits non-zero with the reason: refused here by the
// state machine (nothing is queued), or by the platform (kept in the outbox
// with its text).
func TestActionRefusals(t *testing.T) {
	o, ts := newOffice(t, 1)
	n := ts[0].Number
	tests := []struct {
		login string
		args  []string
		want  string
	}{
		{"leader", []string{"sign", n}, "签收 " + n + " refused: 当前用户无权执行“签收”"},
		{"handler", []string{"sign", n}, "ticket " + n + " is not in this terminal's cache: run `hotline sync --once`"},
		{"duty", []string{"reply", n, "--text-file", o.file("t", "已处理")}, "回复 " + n + " refused: 工单状态为“待签收”，不能回复"},
		{"center", []string{"close", n, "--satisfaction", "很好"}, "办结 " + n + " refused: 工单状态为“待签收”，不能办结"},
		{"duty", []string{"reject", n, "--criteria", "2"}, "审核退回 " + n + " refused: 当前用户无权执行“审核退回”"},
		{"duty", []string{"assign", n}, "assign needs --subunit (see hotline help)"},
		{"duty", []string{"show", "404404"}, "ticket 404404 is not in this terminal's cache: run `hotline sync --once`"},
	}
	for _, tt := range tests {
		out, err := o.as(tt.login, tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: hotline %s: %q, %v; want %q", tt.login, strings.Join(tt.args, " "), out, err, tt.want)
		}
	}
	o.must("duty", "签收 "+n+": done; state 已签收\n", "sign", n)
	// Only the platform knows the sub-units of the unit.
	_, err := o.as("duty", "assign", n, "--subunit", "gdj-nowhere")
	if err == nil || !strings.HasPrefix(err.Error(), "派发 "+n+" refused: ") {
		t.Fatalf("assign to an unknown sub-unit: %v", err)
	}
	term, err := openTerminal(o.settings["duty"])
	if err != nil {
		t.Fatal(err)
	}
	defer term.close()
	// The command said the refusal; its copy is not left in the outbox.
	items, err := term.store.Outbox(context.Background(), n)
	if err != nil || len(items) != 1 || items[0].Kind != complaint.KindSign || items[0].Status != store.StatusSent {
		t.Fatalf("outbox after the platform's refusal: %+v %v", items, err)
	}
}

// The demo's seed leaves every role something in 待办, and its handler in
// a sub-unit.
//
// 30 tickets: 12 fed back, every other one closed since; of the 18 open,
// the 15 older are worked through the nine scenarios in turn and the newest
// 3 left to sign. In 待办: the duty officer signs the 4 dispatched and
// assigns the 2 signed; the handler has the 城东供电所 tickets it contacted
// (2, and the urged and supervised one) and the 2 rejected (the assigned
// ones went to the other sub-units); the reviewer the 2 replied; the center
// the 2 return requests, the 6 fed back and the pending extension. The
// supervisor's (supervised or overdue) depend on the hour the test runs.
func TestDemoGivesEveryRoleWork(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{Tickets: 30, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ctx := context.Background()
	states := map[complaint.State]int{}
	work := map[string]int{"duty": 6, "handler": 5, "leader": 2, "center": 9}
	for _, u := range sample.Users() {
		term, _ := p.loggedInAs(t, u.Login, u.Login+"-demo", "")
		if _, err := term.client.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		mine, err := term.store.Tickets(ctx, store.Filter{Mine: &u})
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) == 0 {
			t.Errorf("%s has nothing in 待办", u.Login)
		}
		if n, ok := work[u.Login]; ok && len(mine) != n {
			t.Errorf("%s has %d in 待办, want %d", u.Login, len(mine), n)
		}
		if u.Login == "center" {
			all, err := term.store.Tickets(ctx, store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range all {
				states[tk.State]++
			}
		}
		if u.Login == "duty" {
			today, err := term.store.ClosedOn(ctx, time.Now(), shanghai)
			if err != nil {
				t.Fatal(err)
			}
			// Closed at most a day after the reply, the newest of them
			// today, whatever the hour the test runs.
			if len(today) == 0 {
				t.Error("the demo has no ticket closed today")
			}
			for _, tk := range today {
				if tk.Review == nil || !tk.Review.Approved || tk.Reply == nil || tk.Reply.Basis == "" || tk.Satisfaction == "" {
					t.Errorf("closed ticket %s lacks its reply's parts, review or satisfaction: %+v", tk.Number, tk)
				}
			}
		}
		term.close()
	}
	want := map[complaint.State]int{
		complaint.FedBack: 6, complaint.Closed: 6, complaint.Dispatched: 4, complaint.Signed: 2, complaint.Assigned: 3, complaint.Contacted: 3,
		complaint.Replied: 2, complaint.Rejected: 2, complaint.ReturnRequested: 2,
	}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Fatalf("states of the demo's tickets: %v, want %v", states, want)
	}
}
