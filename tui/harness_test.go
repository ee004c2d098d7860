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

const unitCode = "PJGD"

var (
	testUnit = complaint.Unit{Code: unitCode, Name: "国网盘锦供电公司", Kind: complaint.KindUnit}
	// A name with an ideographic variation sequence and a character outside
	// the BMP, as real names have.
	testUser = complaint.User{Login: "duty01", Name: "葛\U000E0100𠮷祥", Unit: unitCode, Roles: []complaint.Role{complaint.RoleDuty}}
)

// hostile is a complaint text carrying terminal attacks: a clipboard write
// (OSC 52), a clear screen, a title change, a bare carriage return and a
// right-to-left override.
const hostile = "物业\x1b]52;c;SGVsbG8=\x07收费\x1b[2J不合理\x1b]0;pwned\x07请核实\r覆盖\u202e反向文字"

func at(d time.Duration) time.Time { return testNow.Add(-d).UTC() }

func ev(kind complaint.Kind, actor string, when time.Time, from, to complaint.State, text string) complaint.Event {
	return complaint.Event{Kind: kind, Actor: actor, Unit: unitCode, At: when, From: from, To: to, Text: text}
}

// fixtures are hand-made tickets covering every state the lists show, wide
// and rare characters, ambiguous-width punctuation, hostile text and a
// content longer than any screen.
func fixtures() []complaint.Ticket {
	long := strings.Repeat("自2020年4月起，兴隆台区振兴街道多个小区频繁停电，每次停电时长约2小时，影响居民正常生活和老人用氧设备。", 6) +
		"\n\n\t来电人称已多次拨打95598 hotline反映，至今未见抢修人员到场。请尽快安排检修并回复处理结果，谢谢！"
	return []complaint.Ticket{
		{
			Number: "20200506001", Title: "盘锦市兴隆台区供电线路老化频繁停电", Content: "小区线路老化，雨天必停电。",
			Caller: "吉先生", Phone: "13800000001", Address: "盘锦市兴隆台区振兴街道", Category: "供电质量",
			ReceivedAt: at(35 * time.Minute), DispatchedAt: at(30 * time.Minute), Deadline: at(-4 * 24 * time.Hour),
			Unit: unitCode, State: complaint.Dispatched, Version: 1,
			Events: []complaint.Event{ev(complaint.KindDispatch, "center01", at(30*time.Minute), "", complaint.Dispatched, "")},
		},
		{
			Number: "20200506002", Title: "𠮷野家门前“停电”……——①② 路灯不亮", Content: "门前路灯“停电”已一周……——①②号杆均不亮。",
			Caller: "𡒄女士", Address: "䶮街3号", ReceivedAt: at(3*time.Hour + 12*time.Minute), DispatchedAt: at(3 * time.Hour),
			Unit: unitCode, State: complaint.Signed, Version: 2,
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(3*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(2*time.Hour), complaint.Dispatched, complaint.Signed, ""),
			},
		},
		{
			Number: "20200504017", Title: "物业收费不合理\x1b[2J\x1b]0;pwned\x07请核实并给出书面答复说明收费依据和标准", Content: hostile + "\n\n" + long,
			Caller: "张\u202e三", Phone: "024-1234\x1b[5m5678", ReceivedAt: at(51 * time.Hour), DispatchedAt: at(50 * time.Hour),
			Unit: unitCode, Subunit: "兴隆台供电分公司", Handler: "handler07", State: complaint.Contacted, Version: 4,
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(50*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindSign, "duty01", at(49*time.Hour), complaint.Dispatched, complaint.Signed, ""),
				ev("assign", "duty01", at(48*time.Hour), complaint.Signed, complaint.Assigned, "请兴隆台供电分公司核实\x1b]52;c;cGF5bG9hZA==\x07处理"),
				ev("contact", "handler07", at(30*time.Hour), complaint.Assigned, complaint.Contacted, "已电话联系来电人，约定上门。"),
			},
		},
		{
			Number: "20200430101", Title: "电费账单金额异常", Content: "四月电费比往月高出三倍。",
			ReceivedAt: at(6*24*time.Hour + 5*time.Hour), DispatchedAt: at(6 * 24 * time.Hour), Unit: unitCode, State: complaint.FedBack, Version: 5,
			Reply: &complaint.Reply{Text: "经核查，系电表故障导致读数偏高，已更换电表并退还多收电费。", By: "duty01", At: at(2 * 24 * time.Hour)},
			Events: []complaint.Event{
				ev(complaint.KindDispatch, "center01", at(6*24*time.Hour), "", complaint.Dispatched, ""),
				ev(complaint.KindReply, "duty01", at(2*24*time.Hour), complaint.Signed, complaint.FedBack, "经核查，系电表故障导致读数偏高。"),
			},
		},
		{
			Number: "20200429088", Title: "施工噪音扰民（夜间施工）", ReceivedAt: at(7 * 24 * time.Hour), Unit: unitCode, State: complaint.Closed, Version: 7,
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
	timers []tea.Msg
	quit   bool
	kicks  int
}

type timerMsg struct{ msg tea.Msg }

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
	hs := &harness{t: t, st: openStore(t, tickets), w: w, h: h}
	m := New(Options{
		Store: hs.st, User: testUser, Unit: testUnit,
		Now:  func() time.Time { return testNow },
		Kick: func() { hs.kicks++ },
		Status: func() Status {
			return Status{Tunnel: "已连接", Handshake: testNow.Add(-12 * time.Second), RxBytes: 1250, TxBytes: 340,
				Online: true, LastSync: testNow.Add(-4 * time.Minute)}
		},
	})
	m.ctx.After = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{msg} }
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
			h.timers = append(h.timers, msg.msg)
			continue
		case tea.QuitMsg:
			h.quit = true
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
	var keep, due []tea.Msg
	for _, m := range h.timers {
		if match(m) {
			due = append(due, m)
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
	"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
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
