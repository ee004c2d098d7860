package tui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The fixed clock of every test: 2020-05-06 15:04 China time.
var (
	shanghai = app.Shanghai()
	testNow  = time.Date(2020, 5, 6, 15, 4, 0, 0, shanghai)
)

const (
	unitCode   = "PJGD"
	centerCode = "12345"
	subXL      = "PJGD-XL"
	subST      = "PJGD-ST"
)

var (
	testUnit = complaint.Unit{Code: unitCode, Name: "国网盘锦供电公司", Kind: complaint.KindUnit, Parent: centerCode}
	// A name with an ideographic variation sequence and a character outside
	// the BMP, as real names have.
	testUser = complaint.User{Login: "duty01", Name: "葛\U000E0100𠮷祥", Unit: unitCode, Roles: []complaint.Role{complaint.RoleDuty}}

	handlerUser  = complaint.User{Login: "handler07", Name: "王𠮷芳", Unit: subXL, Roles: []complaint.Role{complaint.RoleHandler}}
	reviewerUser = complaint.User{Login: "leader01", Name: "赵分管", Unit: unitCode, Roles: []complaint.Role{complaint.RoleReviewer}}
	jcbUser      = complaint.User{Login: "jcb01", Name: "陈监察", Unit: unitCode, Roles: []complaint.Role{complaint.RoleSupervisor}}
	centerUser   = complaint.User{Login: "center01", Name: "周话务", Unit: centerCode, Roles: []complaint.Role{complaint.RoleCenter}}

	testUnits = []complaint.Unit{
		{Code: centerCode, Name: "12345市民服务热线中心", Kind: complaint.KindCenter},
		testUnit,
		{Code: subXL, Name: "兴隆台供电分公司", Kind: complaint.KindSubunit, Parent: unitCode},
		{Code: subST, Name: "双台子供电分公司", Kind: complaint.KindSubunit, Parent: unitCode},
		{Code: "PJSW", Name: "盘锦市水务集团", Kind: complaint.KindUnit, Parent: centerCode},
	}
	testPeople = []complaint.User{
		testUser, handlerUser, reviewerUser, jcbUser, centerUser,
		{Login: "handler08", Name: "刘强", Unit: subXL, Roles: []complaint.Role{complaint.RoleHandler}},
		{Login: "handler09", Name: "孙丽", Unit: subST, Roles: []complaint.Role{complaint.RoleHandler}},
	}
)

// unitOf is the unit a user logs in under, as the session carries it.
func unitOf(u complaint.User) complaint.Unit {
	for _, x := range testUnits {
		if x.Code == u.Unit {
			return x
		}
	}
	return testUnit
}

// hostile is a complaint text carrying terminal attacks: a clipboard write
// (OSC 52), a clear screen, a title change, a bare carriage return and a
// right-to-left override.
const hostile = "物业\x1b]52;c;SGVsbG8=\x07收费\x1b[2J不合理\x1b]0;pwned\x07请核实\r覆盖\u202e反向文字"

func at(d time.Duration) time.Time { return testNow.Add(-d).UTC() }

func ev(kind complaint.Kind, actor string, when time.Time, from, to complaint.State, text string) complaint.Event {
	return complaint.Event{Kind: kind, Actor: actor, Unit: unitCode, At: when, From: from, To: to, Text: text}
}

// with returns e carrying fields, as key, value pairs.
func with(e complaint.Event, kv ...string) complaint.Event {
	e.Fields = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Fields[kv[i]] = kv[i+1]
	}
	return e
}

// due sets the step a ticket waits on and its deadline.
func due(t complaint.Ticket, step complaint.Step, start, deadline time.Time) complaint.Ticket {
	t.Step, t.StepStart, t.Due = step, start, deadline
	return t
}

// A reply in the record sheet's fields that leaves out the basis and the
// citizen's opinion, for the pre-check to mark.
var partReply = complaint.Reply{
	Findings:    "经现场核查，振兴街道3号杆路灯控制器损坏。",
	Explanation: "已电话向来电人说明原因和修复时间，来电人表示理解。",
	Measures:    "已更换控制器，路灯恢复照明。",
	By:          "handler07",
}

// fixtures are hand-made tickets covering every state the lists show and
// the step each waits on (near, past and well within its deadline), wide
// and rare characters, ambiguous-width punctuation, hostile text, a content
// longer than any screen, a reply sent back with its criteria, a pending
// extension, an urge, a supervision and a return request.
func fixtures() []complaint.Ticket {
	long := strings.Repeat("自2020年4月起，兴隆台区振兴街道多个小区频繁停电，每次停电时长约2小时，影响居民正常生活和老人用氧设备。", 6) +
		"\n\n\t来电人称已多次拨打95598 hotline反映，至今未见抢修人员到场。请尽快安排检修并回复处理结果，谢谢！"
	part := partReply
	part.At = at(100 * time.Minute)
	part.Text = part.Compose()
	rejected := part
	rejected.At = at(26 * time.Hour)
	rejected.Text = rejected.Compose()
	return []complaint.Ticket{
		due(complaint.Ticket{
			Number: "20200506001", Title: "盘锦市兴隆台区供电线路老化频繁停电", Content: "小区线路老化，雨天必停电。",
			Caller: "吉先生", Phone: "13800000001", Address: "盘锦市兴隆台区振兴街道", Category: "供电质量",
			ReceivedAt: at(35 * time.Minute), DispatchedAt: at(25 * time.Minute), Deadline: at(-4 * 24 * time.Hour),
			Unit: unitCode, State: complaint.Dispatched, Version: 1,
			Events: []complaint.Event{ev(complaint.KindDispatch, "center01", at(25*time.Minute), "", complaint.Dispatched, "")},
		}, complaint.StepSign, at(25*time.Minute), at(-5*time.Minute)),
		due(complaint.Ticket{
			Number: "20200506002", Title: "𠮷野家门前“停电”……——①② 路灯不亮", Content: "门前路灯“停电”已一周……——①②号杆均不亮。",
			Caller: "𡒄女士", Address: "䶮街3号", ReceivedAt: at(3*time.Hour + 12*time.Minute), DispatchedAt: at(3 * time.Hour),
			Unit: unitCode, State: complaint.Signed, Version: 2,
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(3*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(2*time.Hour), complaint.Dispatched, complaint.Signed, ""),
			},
		}, complaint.StepAssign, at(2*time.Hour), at(90*time.Minute)),
		due(complaint.Ticket{
			Number: "20200504017", Title: "物业收费不合理\x1b[2J\x1b]0;pwned\x07请核实并给出书面答复说明收费依据和标准", Content: hostile + "\n\n" + long,
			Caller: "张\u202e三", Phone: "024-1234\x1b[5m5678", ReceivedAt: at(51 * time.Hour), DispatchedAt: at(50 * time.Hour),
			Unit: unitCode, Subunit: subXL, Handler: "handler07", State: complaint.Contacted, Version: 4,
			Contact: &complaint.Contact{At: at(30 * time.Hour), How: "电话", Result: "已电话联系来电人，约定上门。", By: "handler07"},
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(50*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(49*time.Hour), complaint.Dispatched, complaint.Signed, ""),
				with(ev(complaint.KindAssign, "duty01", at(48*time.Hour), complaint.Signed, complaint.Assigned, "请兴隆台供电分公司核实\x1b]52;c;cGF5bG9hZA==\x07处理"),
					"subunit", subXL, "handler", "handler07"),
				with(ev(complaint.KindContact, "handler07", at(30*time.Hour), complaint.Assigned, complaint.Contacted, "已电话联系来电人，约定上门。"),
					"how", "电话", "at", at(30*time.Hour).Format(time.RFC3339)),
			},
		}, complaint.StepReply, at(48*time.Hour), at(-48*time.Hour)),
		due(complaint.Ticket{
			Number: "20200505030", Title: "兴隆台区振兴街道路灯不亮", Content: "振兴街道3号杆路灯已连续一周不亮，夜间出行不便。",
			Caller: "李女士", Phone: "13900000002", ReceivedAt: at(26 * time.Hour), DispatchedAt: at(25 * time.Hour),
			Unit: unitCode, Subunit: subXL, Handler: "handler07", State: complaint.Replied, Version: 6, Reply: &part,
			Contact: &complaint.Contact{At: at(20 * time.Hour), How: "上门", Result: "上门查看，控制器损坏。", By: "handler07"},
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(25*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(24*time.Hour), complaint.Dispatched, complaint.Signed, ""),
				with(ev(complaint.KindAssign, "duty01", at(23*time.Hour+50*time.Minute), complaint.Signed, complaint.Assigned, ""), "subunit", subXL),
				with(ev(complaint.KindContact, "handler07", at(20*time.Hour), complaint.Assigned, complaint.Contacted, "上门查看，控制器损坏。"),
					"how", "上门", "at", at(20*time.Hour).Format(time.RFC3339)),
				ev(complaint.KindReply, "handler07", at(100*time.Minute), complaint.Contacted, complaint.Replied, part.Text),
			},
		}, complaint.StepReview, at(100*time.Minute), at(-20*time.Minute)),
		due(complaint.Ticket{
			Number: "20200503011", Title: "双台子区电费催缴短信频繁", Content: "每天收到多条电费催缴短信，实际已按时缴费。",
			Caller: "赵先生", ReceivedAt: at(73 * time.Hour), DispatchedAt: at(72 * time.Hour),
			Unit: unitCode, Subunit: subXL, Handler: "handler07", State: complaint.Rejected, Version: 9, Reply: &rejected,
			Review:    &complaint.Review{Criteria: []int{2, 5}, Note: "请补充向市民解释的内容和市民本人的意见", By: "leader01", At: at(25 * time.Hour)},
			Extension: &complaint.Extension{Days: 3, Reason: "需协调营销系统核查缴费记录", By: "duty01", At: at(5 * time.Hour)},
			Urges:     1, Supervised: true,
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(72*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(71*time.Hour+50*time.Minute), complaint.Dispatched, complaint.Signed, ""),
				with(ev(complaint.KindAssign, "duty01", at(71*time.Hour+40*time.Minute), complaint.Signed, complaint.Assigned, ""), "subunit", subXL, "handler", "handler07"),
				with(ev(complaint.KindContact, "handler07", at(50*time.Hour), complaint.Assigned, complaint.Contacted, "电话说明短信系统自动发送。"),
					"how", "电话", "at", at(50*time.Hour).Format(time.RFC3339)),
				ev(complaint.KindReply, "handler07", at(26*time.Hour), complaint.Contacted, complaint.Replied, rejected.Text),
				with(ev(complaint.KindReject, "leader01", at(25*time.Hour), complaint.Replied, complaint.Rejected, "请补充向市民解释的内容和市民本人的意见"), "criteria", "2,5"),
				with(ev(complaint.KindExtensionRequest, "duty01", at(5*time.Hour), complaint.Rejected, complaint.Rejected, "需协调营销系统核查缴费记录"), "days", "3"),
				ev(complaint.KindUrge, "center01", at(4*time.Hour), complaint.Rejected, complaint.Rejected, "市民再次来电，请加快办理"),
				ev(complaint.KindSupervise, "jcb01", at(3*time.Hour), complaint.Rejected, complaint.Rejected, "列入本周督办"),
			},
		}, complaint.StepReply, at(71*time.Hour+40*time.Minute), at(30*time.Minute)),
		{
			Number: "20200428066", Title: "中兴路路灯杆广告牌松动", Content: "中兴路路灯杆上的广告牌松动，大风天有掉落危险。",
			ReceivedAt: at(8 * 24 * time.Hour), DispatchedAt: at(8 * 24 * time.Hour), Unit: unitCode, State: complaint.ReturnRequested, Version: 3,
			Return: &complaint.ReturnRequest{Reason: "路灯杆广告牌由市城管局管理，不属供电公司职责", From: complaint.Signed, By: "duty01", At: at(7 * 24 * time.Hour)},
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(8*24*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(7*24*time.Hour+time.Hour), complaint.Dispatched, complaint.Signed, ""),
				ev(complaint.KindReturnRequest, "duty01", at(7*24*time.Hour), complaint.Signed, complaint.ReturnRequested, "路灯杆广告牌由市城管局管理，不属供电公司职责"),
			},
		},
		{
			Number: "20200430101", Title: "电费账单金额异常", Content: "四月电费比往月高出三倍。",
			ReceivedAt: at(6*24*time.Hour + 5*time.Hour), DispatchedAt: at(6 * 24 * time.Hour), Unit: unitCode, State: complaint.FedBack, Version: 5,
			Reply: &complaint.Reply{Text: "经核查，系电表故障导致读数偏高，已更换电表并退还多收电费。", By: "duty01", At: at(2 * 24 * time.Hour)},
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(6*24*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindReply, "duty01", at(2*24*time.Hour), complaint.Signed, complaint.Replied, "经核查，系电表故障导致读数偏高。"),
				ev(complaint.KindApprove, "leader01", at(2*24*time.Hour-time.Hour), complaint.Replied, complaint.Approved, ""),
				ev(complaint.KindSend, "leader01", at(2*24*time.Hour-time.Hour), complaint.Approved, complaint.FedBack, ""),
			},
		},
		{
			Number: "20200429088", Title: "施工噪音扰民（夜间施工）", ReceivedAt: at(7 * 24 * time.Hour), Unit: unitCode, State: complaint.Closed,
			Satisfaction: complaint.Satisfied, Version: 7,
		},
	}
}

// harness drives the root model as the program would, running every
// command in the test and feeding its message back; timers are held until
// the test fires them.
type harness struct {
	t      testing.TB
	m      *Model
	st     *store.Store
	w, h   int
	timers []timerMsg
	quit   bool
	kicks  int
	// hold, when set, keeps the messages it accepts in held instead of
	// delivering them: a command's answer the test sends later with send,
	// as a download that ends while the officer does something else.
	hold func(tea.Msg) bool
	held []tea.Msg
}

// timerMsg is a timer held by the harness: its message and the delay it
// was set for.
type timerMsg struct {
	d   time.Duration
	msg tea.Msg
}

func openStore(t testing.TB, tickets []complaint.Ticket) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Apply(context.Background(), tickets, nil, 1); err != nil {
		t.Fatal(err)
	}
	return st
}

func newHarness(t testing.TB, w, h int, tickets []complaint.Ticket) *harness {
	t.Helper()
	return newHarnessAs(t, testUser, w, h, tickets)
}

// newHarnessAs is newHarness logged in as u.
func newHarnessAs(t testing.TB, u complaint.User, w, h int, tickets []complaint.Ticket) *harness {
	t.Helper()
	hs := &harness{t: t, st: openStore(t, tickets), w: w, h: h}
	m := New(Options{
		Store: hs.st, User: u, Unit: unitOf(u), Units: testUnits, People: testPeople,
		Now:  func() time.Time { return testNow },
		Kick: func() { hs.kicks++ },
		Status: func() Status {
			return Status{Tunnel: "已连接", Handshake: testNow.Add(-12 * time.Second), RxBytes: 1250, TxBytes: 340,
				Online: true, LastSync: testNow.Add(-4 * time.Minute)}
		},
	})
	m.ctx.After = func(d time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{d, msg} }
	}
	hs.m = m
	hs.run(m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

var cmdType = reflect.TypeOf(tea.Cmd(nil))

// run executes cmd and everything that follows from it, in order.
func (h *harness) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if msg == nil {
			continue
		}
		// Batches and sequences are slices of commands (sequences have an
		// unexported type); both run here in order.
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
			sub := make([]tea.Cmd, v.Len())
			for i := range sub {
				sub[i] = v.Index(i).Interface().(tea.Cmd)
			}
			queue = append(sub, queue...)
			continue
		}
		switch msg := msg.(type) {
		case timerMsg:
			h.timers = append(h.timers, msg)
			continue
		case tea.QuitMsg:
			h.quit = true
			continue
		}
		if h.hold != nil && h.hold(msg) {
			h.held = append(h.held, msg)
			continue
		}
		_, next := h.m.Update(msg)
		queue = append(queue, next)
	}
}

func (h *harness) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		_, cmd := h.m.Update(msg)
		h.run(cmd)
	}
}

// press sends key presses by name, as the terminal reports them.
func (h *harness) press(names ...string) {
	for _, n := range names {
		h.send(keyPress(n))
	}
}

// typeText types s one character at a time.
func (h *harness) typeText(s string) {
	for _, g := range cells.Graphemes(s) {
		h.send(keyPress(g))
	}
}

// fire delivers the held timers whose message match accepts.
func (h *harness) fire(match func(tea.Msg) bool) int {
	var keep []timerMsg
	var due []tea.Msg
	for _, m := range h.timers {
		if match(m.msg) {
			due = append(due, m.msg)
		} else {
			keep = append(keep, m)
		}
	}
	h.timers = keep
	h.send(due...)
	return len(due)
}

var named = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"esc":       {Code: tea.KeyEscape},
	"tab":       {Code: tea.KeyTab},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"left":      {Code: tea.KeyLeft},
	"right":     {Code: tea.KeyRight},
	"pgup":      {Code: tea.KeyPgUp},
	"pgdown":    {Code: tea.KeyPgDown},
	"home":      {Code: tea.KeyHome},
	"end":       {Code: tea.KeyEnd},
	"backspace": {Code: tea.KeyBackspace},
	"f1":        {Code: tea.KeyF1},
	"space":     {Code: tea.KeySpace, Text: " "},
	"ctrl+s":    {Code: 's', Mod: tea.ModCtrl},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
	"ctrl+a":    {Code: 'a', Mod: tea.ModCtrl},
	"ctrl+e":    {Code: 'e', Mod: tea.ModCtrl},
	"ctrl+u":    {Code: 'u', Mod: tea.ModCtrl},
	"ctrl+w":    {Code: 'w', Mod: tea.ModCtrl},
}

func keyPress(s string) tea.KeyPressMsg {
	if k, ok := named[s]; ok {
		return k
	}
	r := []rune(s)
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

var (
	sgr      = regexp.MustCompile(`\x1b\[[0-9;:]*m`)
	colorSGR = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:[;m])`)
)

// eastAsianAnsi reports whether x/ansi counts ambiguous characters as wide
// in this process (RUNEWIDTH_EASTASIAN=1 at start-up).
func eastAsianAnsi() bool { return ansi.StringWidth("─") == 2 }

// view renders the screen and checks what must hold on every screen: only
// style sequences reach the terminal, no control character of the data
// does, and the text is exactly w×h cells.
func (h *harness) view() string {
	h.t.Helper()
	raw := h.m.View().Content
	checkScreen(h.t, raw, h.w, h.h)
	return ansi.Strip(raw)
}

func checkScreen(t testing.TB, raw string, w, hgt int) {
	t.Helper()
	if rest := sgr.ReplaceAllString(raw, ""); strings.ContainsAny(rest, "\x1b\x07\r\x9b\x9d\u202e\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d") {
		t.Fatalf("screen holds a control character besides style sequences: %q", rest)
	}
	lines := strings.Split(ansi.Strip(raw), "\n")
	if len(lines) != hgt {
		t.Fatalf("screen has %d lines, want %d", len(lines), hgt)
	}
	for i, l := range lines {
		// Under RUNEWIDTH_EASTASIAN=1 x/ansi measures ─ as two cells; the
		// layout is pinned to one, so it is checked with our own measure.
		got := ansi.StringWidth(l)
		if eastAsianAnsi() {
			got = cells.Width(l)
		}
		if got != w {
			t.Errorf("line %d is %d cells, want %d: %q", i, got, w, l)
		}
	}
}

// golden compares text with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui/ -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// line returns row y of the stripped screen.
func (h *harness) line(y int) string {
	return strings.Split(h.view(), "\n")[y]
}

func (h *harness) outbox(ticket string) []store.OutboxItem {
	h.t.Helper()
	items, err := h.st.Outbox(context.Background(), ticket)
	if err != nil {
		h.t.Fatal(err)
	}
	return items
}

func (h *harness) notice() string { return h.m.notice }

// open shows a ticket's page from the lists, by its number.
func (h *harness) open(number string) {
	h.t.Helper()
	if h.m.screen != screenList {
		h.press("esc")
	}
	h.send(app.OpenTicketMsg{Number: number})
	if h.m.screen != screenDetail || h.m.detail.Number() != number {
		h.t.Fatalf("ticket %s not opened", number)
	}
}

// body is the whole scrollable body of the ticket's page, stripped, one
// line a row: what scrolling would show.
func (h *harness) body() string {
	h.t.Helper()
	h.view()
	return ansi.Strip(strings.Join(h.m.detail.Lines(), "\n"))
}
