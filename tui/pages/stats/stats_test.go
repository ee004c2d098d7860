package stats

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/xuri/excelize/v2"

	"hotline/complaint"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/keys"
	"hotline/tui/theme"
)

var china = complaint.China

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, china) }

func period(from, to time.Time) complaint.Period { return complaint.Period{From: from, To: to} }

func TestCurrentShiftLabel(t *testing.T) {
	// 00:30 on New Year's Day in China is still the old year in UTC.
	now := time.Date(2019, 12, 31, 16, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		span  Span
		n     int
		want  complaint.Period
		label string
	}{
		{Day, 0, period(day(2020, 1, 1), day(2020, 1, 2)), "2020-01-01 周三"},
		{Day, -1, period(day(2019, 12, 31), day(2020, 1, 1)), "2019-12-31 周二"},
		{Month, 0, period(day(2020, 1, 1), day(2020, 2, 1)), "2020年1月"},
		{Month, -1, period(day(2019, 12, 1), day(2020, 1, 1)), "2019年12月"},
		{Month, -13, period(day(2018, 12, 1), day(2019, 1, 1)), "2018年12月"},
		{Month, 1, period(day(2020, 2, 1), day(2020, 3, 1)), "2020年2月"},
		{Year, 0, period(day(2020, 1, 1), day(2021, 1, 1)), "2020年"},
		{Year, -1, period(day(2019, 1, 1), day(2020, 1, 1)), "2019年"},
	} {
		got := Shift(tc.span, Current(tc.span, now), tc.n)
		if !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) {
			t.Errorf("span %d shifted %d: %v – %v, want %v – %v", tc.span, tc.n, got.From, got.To, tc.want.From, tc.want.To)
		}
		if l := Label(tc.span, got); l != tc.label {
			t.Errorf("span %d shifted %d: label %q, want %q", tc.span, tc.n, l, tc.label)
		}
	}
	// A custom period moves by its own length, in days.
	p := period(day(2019, 12, 25), day(2020, 1, 4))
	if got := Shift(Custom, p, -1); !got.From.Equal(day(2019, 12, 15)) || !got.To.Equal(day(2019, 12, 25)) {
		t.Errorf("custom shifted back: %v – %v", got.From, got.To)
	}
	if got := Label(Custom, p); got != "2019-12-25 至 2020-01-03" {
		t.Errorf("custom label %q", got)
	}
	if got := Days(p); got != 10 {
		t.Errorf("Days = %d, want 10", got)
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in       string
		from, to time.Time
		err      string
	}{
		{in: "2019-12-25 2020-01-03", from: day(2019, 12, 25), to: day(2020, 1, 4)},
		{in: "2019-12-25至2020-01-03", from: day(2019, 12, 25), to: day(2020, 1, 4)},
		{in: " 2019/12/25 ~ 2020/1/3 ", from: day(2019, 12, 25), to: day(2020, 1, 4)},
		{in: "20191225，20200103", from: day(2019, 12, 25), to: day(2020, 1, 4)},
		{in: "2020-02-29", from: day(2020, 2, 29), to: day(2020, 3, 1)},
		{in: "", err: "请输入起止日期，如 2020-05-01 2020-05-31"},
		{in: "2020-01-03 2019-12-25", err: "结束日期 2019-12-25 早于开始日期 2020-01-03"},
		{in: "2019-02-29", err: `日期 "2019-02-29" 无法识别，请写成 2020-05-01`},
		{in: "1 2 3", err: "请输入起止日期，如 2020-05-01 2020-05-31"},
	} {
		p, err := ParseRange(tc.in)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseRange(%q) error %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("ParseRange(%q): %v", tc.in, err)
		case !p.From.Equal(tc.from) || !p.To.Equal(tc.to) || p.From.Location() != china:
			t.Errorf("ParseRange(%q) = %v – %v, want %v – %v", tc.in, p.From, p.To, tc.from, tc.to)
		}
	}
}

// rig drives a page as the program would: commands run in the test and
// their messages come back through Update. The source answers with the
// figures of fixed, and records the periods it was asked for.
type rig struct {
	t       *testing.T
	m       *Model
	asked   []complaint.Period
	notices []string
}

func fig(code, name string, n int) complaint.Figures {
	return complaint.Figures{
		Code: code, Name: name, Received: n, SignedOnTime: n - 1, Replied: n - 2, Closed: n - 4, OnTime: n - 3,
		Surveyed: n - 5, Satisfied: n - 6, Returned: 1, Reopened: n / 10, Extended: 2,
		SignRate: complaint.Rate{Num: n - 1, Den: n}, ReplyRate: complaint.Rate{Num: n - 2, Den: n - 1},
		CloseRate: complaint.Rate{Num: n - 4, Den: n - 1}, OnTimeRate: complaint.Rate{Num: n - 3, Den: n - 2},
		SatisfactionRate: complaint.Rate{Num: n - 6, Den: n - 5}, ReturnRate: complaint.Rate{Num: 1, Den: n},
		ReopenRate: complaint.Rate{Num: n / 10, Den: n - 2}, AvgDays: float64(n) / 16, P90Days: float64(n) / 8,
		Score: 50 + float64(n)/2, HasScore: true,
	}
}

// fixed is the hand-made figures of every period: three sub-units, one with
// a name wider than the table's first column, and the unit.
func fixed(p complaint.Period) Figures {
	s := complaint.Statistics{Period: p, Unit: fig("PJ", "国网盘锦供电公司", 100),
		Subunits: []complaint.Figures{fig("XL", "兴隆台供电分公司", 40), fig("YX", "营销部客户服务中心𠮷野家", 20), fig("JL", "计量", 10)}}
	s.Subunits[2].ReplyRate = complaint.Rate{} // nothing to divide
	for d := p.From; d.Before(p.To); d = d.AddDate(0, 0, 1) {
		s.Days = append(s.Days, complaint.Day{Date: d, Received: d.Day() % 5, Missed: d.Day() % 3 / 2})
	}
	o := func(code, name string, n int) complaint.Oversight {
		return complaint.Oversight{Code: code, Name: name, Tickets: n, Urged: n - 1, Urges: 2 * n, Supervised: n / 2,
			FedBack: n - 2, Open: 1, Overdue: 1, Acted: n, AvgActHours: 1.5, MaxActHours: 4.25}
	}
	return Figures{Statistics: s, Oversight: o("PJ", "国网盘锦供电公司", 9),
		Subunits: []complaint.Oversight{o("XL", "兴隆台供电分公司", 6), o("YX", "营销部客户服务中心𠮷野家", 3), {Code: "JL", Name: "计量"}}}
}

func newRig(t *testing.T, kind Kind, now time.Time, w, h int) *rig {
	ctx := &app.Context{Width: w, Height: h + 2, Styles: theme.Plain(), Keys: keys.Default(),
		Now: func() time.Time { return now }, Loc: china}
	r := &rig{t: t, m: newModel(ctx, kind)}
	r.m.source = func(_ context.Context, q Query) (Figures, error) {
		r.asked = append(r.asked, q.Period)
		return fixed(q.Period), nil
	}
	r.m.SetSize(w, h)
	r.run(r.m.Init())
	return r
}

func (r *rig) run(cmd tea.Cmd) {
	for queue := []tea.Cmd{cmd}; len(queue) > 0; queue = queue[1:] {
		if queue[0] == nil {
			continue
		}
		switch msg := queue[0]().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case app.NoticeMsg:
			r.notices = append(r.notices, msg.Text)
		default:
			queue = append(queue, r.m.Update(msg))
		}
	}
}

var named = map[string]tea.KeyPressMsg{
	"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "tab": {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape},
	"down": {Code: tea.KeyDown}, "up": {Code: tea.KeyUp}, "backspace": {Code: tea.KeyBackspace},
}

func press(k string) tea.KeyPressMsg {
	if m, ok := named[k]; ok {
		return m
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func (r *rig) press(keys ...string) {
	for _, k := range keys {
		r.run(r.m.Update(press(k)))
	}
}

func (r *rig) typeText(s string) {
	for _, g := range cells.Graphemes(s) {
		r.run(r.m.Update(press(g)))
	}
}

// view is the page drawn, checked to be exactly its size.
func (r *rig) view() []string {
	r.t.Helper()
	lines := strings.Split(ansi.Strip(r.m.View()), "\n")
	if len(lines) != r.m.height {
		r.t.Fatalf("view has %d lines, want %d", len(lines), r.m.height)
	}
	for i, l := range lines {
		if cells.Width(l) != r.m.width {
			r.t.Fatalf("line %d is %d cells, want %d: %q", i, cells.Width(l), r.m.width, l)
		}
	}
	return lines
}

func (r *rig) period() complaint.Period {
	_, p := r.m.Period()
	return p
}

func (r *rig) wantPeriod(span Span, from, to time.Time) {
	r.t.Helper()
	s, p := r.m.Period()
	if s != span || !p.From.Equal(from) || !p.To.Equal(to) {
		r.t.Fatalf("period %d %v – %v, want %d %v – %v", s, p.From, p.To, span, from, to)
	}
	last := r.asked[len(r.asked)-1]
	if !last.From.Equal(from) || !last.To.Equal(to) {
		r.t.Fatalf("computed %v – %v, want %v – %v", last.From, last.To, from, to)
	}
	if got := r.m.Shown().Period; got != p {
		r.t.Fatalf("shown %v, asked %v", got, p)
	}
}

// ← and → move across the year's end at midnight China time, whatever
// the span; 1–4 choose the span, and → stops at the period of now.
func TestPeriodNavigationAcrossTheYear(t *testing.T) {
	now := time.Date(2020, 1, 15, 9, 0, 0, 0, china)
	r := newRig(t, Handling, now, 100, 28)
	r.wantPeriod(Month, day(2020, 1, 1), day(2020, 2, 1))
	r.press("left")
	r.wantPeriod(Month, day(2019, 12, 1), day(2020, 1, 1))
	if got := r.period().From.UTC(); !got.Equal(time.Date(2019, 11, 30, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("December starts at %v UTC", got)
	}
	if !strings.Contains(r.view()[0], "‹ 2019年12月 ›") {
		t.Fatalf("title: %q", r.view()[0])
	}
	r.press("left")
	r.wantPeriod(Month, day(2019, 11, 1), day(2019, 12, 1))
	r.press("right", "right")
	r.wantPeriod(Month, day(2020, 1, 1), day(2020, 2, 1))
	n := len(r.asked)
	r.press("right")
	if len(r.asked) != n || len(r.notices) != 1 || r.notices[0] != "没有更晚的统计期" {
		t.Fatalf("→ past now: asked %d more, notices %q", len(r.asked)-n, r.notices)
	}

	r.press("1")
	r.wantPeriod(Day, day(2020, 1, 15), day(2020, 1, 16))
	for range 15 {
		r.press("left")
	}
	r.wantPeriod(Day, day(2019, 12, 31), day(2020, 1, 1))
	r.press("right")
	r.wantPeriod(Day, day(2020, 1, 1), day(2020, 1, 2))

	r.press("3", "left")
	r.wantPeriod(Year, day(2019, 1, 1), day(2020, 1, 1))
	r.press("3") // again: back to now
	r.wantPeriod(Year, day(2020, 1, 1), day(2021, 1, 1))

	r.press("4")
	if !r.m.Typing() {
		t.Fatal("4 does not open the dates' line")
	}
	for range cells.Graphemes(Range(r.period())) {
		r.press("backspace")
	}
	r.typeText("2019-12-25 2020-01-03")
	r.press("enter")
	r.wantPeriod(Custom, day(2019, 12, 25), day(2020, 1, 4))
	r.press("left")
	r.wantPeriod(Custom, day(2019, 12, 15), day(2019, 12, 25))
}

func TestCustomDatesLine(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	r.press("4")
	// The line opens with the period shown, the cursor after it: the
	// prompt 起止日期： is 10 cells, the dates 24 (至 is two).
	if x, y, ok := r.m.Cursor(); !ok || x != 10+24 || y != 1 {
		t.Fatalf("cursor at %d,%d (%v), want 34,1", x, y, ok)
	}
	lines := r.view()
	if lines[1] != cells.Pad("起止日期：2020-05-01 至 2020-05-31", 80) {
		t.Fatalf("dates' line %q", lines[1])
	}
	// Keys are text here: 2 does not choose 本月, q does not leave.
	r.typeText("q2")
	if s, _ := r.m.Period(); s != Month || !r.m.Typing() {
		t.Fatal("keys act while typing")
	}
	r.press("enter")
	if !r.m.Typing() || !strings.Contains(r.view()[2+4], "日期 \"2020-05-31q2\" 无法识别") {
		t.Fatalf("a bad date does not say so:\n%s", strings.Join(r.view(), "\n"))
	}
	n := len(r.asked)
	r.press("esc")
	if r.m.Typing() || len(r.asked) != n {
		t.Fatal("esc does not close the line without computing")
	}
	// A custom period's dates take the arrows' room in the title at 80.
	r.press("4")
	for range cells.Graphemes(Range(r.period())) {
		r.press("backspace")
	}
	r.typeText("2020-04-20 2020-05-03")
	r.press("enter")
	if got, want := r.view()[0], " 投诉办理情况统计   1今日   2本月   3本年   4自定义     2020-04-20 至 2020-05-03"; got != want {
		t.Fatalf("title\n%q\nwant\n%q", got, want)
	}
}

// Names come from the platform: whatever they hold is drawn inert, in the
// table, the detail line and the charts.
func TestHostileNames(t *testing.T) {
	now := time.Date(2020, 5, 6, 15, 4, 0, 0, china)
	for _, kind := range []Kind{Handling, Supervision} {
		r := newRig(t, kind, now, 80, 22)
		evil := "兴隆\x1b]52;c;SGVsbG8=\x07台\x1b[2J\u202e分公司\r"
		r.m.source = func(_ context.Context, q Query) (Figures, error) {
			f := fixed(q.Period)
			f.Statistics.Subunits[0].Name, f.Subunits[0].Name = evil, evil
			return f, nil
		}
		r.press("r", "home")
		raw := r.m.View()
		if strings.ContainsAny(ansi.Strip(raw), "\x1b\x07\r\u202e") {
			t.Fatalf("control characters drawn: %q", ansi.Strip(raw))
		}
		lines := r.view()
		if !strings.HasPrefix(lines[2], "▸ 兴隆␛]52;c;SGVsbG…") || !strings.HasPrefix(lines[6], "兴隆␛]52;c;SGVsbG8=␇台␛[2J分公司␍  ") {
			t.Fatalf("hostile name drawn as:\n%s", strings.Join(lines, "\n"))
		}
	}
}

// The chart shows the figure of the table's column under the cursor, and
// tab reaches every figure, the table scrolling to show it.
func TestColumnChangesTheChart(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	bar := func(lines []string) (rule, xl string) {
		for i, l := range lines {
			if strings.HasPrefix(l, "── 各部门 ") {
				return l, lines[i+1]
			}
		}
		t.Fatalf("no bar chart:\n%s", strings.Join(lines, "\n"))
		return "", ""
	}
	steps := []struct{ title, total, xl string }{
		{"受理", "100", "40"},
		{"按时签收", "99", "39"},
		{"签收及时率", "99/100 99.0%", "39/40 97.5%"},
		{"办复", "98", "38"},
		{"办复率", "98/99 99.0%", "38/39 97.4%"},
	}
	for i, s := range steps {
		if i > 0 {
			r.press("tab")
		}
		if r.m.Column() != s.title {
			t.Fatalf("step %d: column %q, want %q", i, r.m.Column(), s.title)
		}
		rule, xl := bar(r.view())
		if !strings.HasPrefix(rule, "── 各部门 "+s.title+"（合计 "+s.total+"） ─") {
			t.Fatalf("step %d: rule %q", i, rule)
		}
		if !strings.HasPrefix(xl, "  兴隆台供电分公司 ") || !strings.HasSuffix(xl, " "+s.xl) {
			t.Fatalf("step %d: first bar %q, want it to end %q", i, xl, s.xl)
		}
	}
	// Every figure is reachable at 80 cells: its title under the cursor's
	// mark in the header, and the detail line telling it.
	r.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
	for c := range handlingFigures {
		if c > 0 {
			r.press("tab")
		}
		lines := r.view()
		title := handlingFigures[c].title
		if !strings.Contains(lines[1], "▾"+title) {
			t.Fatalf("column %d %s not in the header: %q", c, title, lines[1])
		}
		if rule, _ := bar(lines); !strings.HasPrefix(rule, "── 各部门 "+title+"（") {
			t.Fatalf("column %d: rule %q", c, rule)
		}
	}
	if lines := r.view(); !strings.HasPrefix(lines[1], cells.Pad("  部门", 19)+"‹") {
		t.Fatalf("scrolled header does not show columns are hidden left: %q", lines[1])
	}
	r.press("tab")
	if r.m.Column() != "受理" {
		t.Fatalf("tab past the last column moved to %q, want round to the first", r.m.Column())
	}
	r.press("shift+tab")
	if r.m.Column() != "得分" {
		t.Fatalf("shift+tab from the first column moved to %q, want round to the last", r.m.Column())
	}
}

// The detail line tells the rate under the cursor as its numerator over
// its denominator, and the row's other rates the same way.
func TestDetailShowsFractions(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 200, 30)
	r.press("up", "up", "up") // from the unit's row to the first sub-unit
	r.press("tab", "tab", "tab", "tab")
	detail := r.view()[2+4]
	want := "兴隆台供电分公司  办复率 97.4% = 38/39（办复/(受理−退单)）  ·  签收及时率 39/40  办结率 36/39  及时率 37/38  满意率 34/35  退单率 1/40  重办率 4/38"
	if strings.TrimRight(detail, " ") != want {
		t.Fatalf("detail:\n%q\nwant\n%q", strings.TrimRight(detail, " "), want)
	}
	// 计量 has no reply rate: — in the table and the chart.
	r.press("down", "down")
	lines := r.view()
	if !strings.HasPrefix(lines[2+4], "计量  办复率 — = 0/0") {
		t.Fatalf("detail of a rate of nothing: %q", lines[2+4])
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "▸ 计量 ") && strings.Contains(l, "—") {
			return
		}
	}
	t.Fatalf("no — in 计量's row:\n%s", strings.Join(lines, "\n"))
}

// Computing runs in a command: until it answers the page says 计算中…,
// keys work, and an answer for a period no longer asked for is dropped.
func TestComputingDoesNotBlock(t *testing.T) {
	now := time.Date(2020, 5, 6, 15, 4, 0, 0, china)
	ctx := &app.Context{Width: 80, Height: 24, Styles: theme.Plain(), Keys: keys.Default(), Now: func() time.Time { return now }, Loc: china}
	m := New(ctx)
	release := make(chan struct{})
	m.source = func(ctx context.Context, q Query) (Figures, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return Figures{}, ctx.Err()
		}
		return fixed(q.Period), nil
	}
	m.SetSize(80, 22)
	first := m.Init()
	done := make(chan tea.Msg)
	go func() { done <- first() }()
	if !strings.Contains(m.View(), "计算中…") || !m.Computing() {
		t.Fatalf("no 计算中… while computing:\n%s", m.View())
	}
	// A key while the first computation runs: April is asked for.
	second := m.Update(press("left"))
	if _, p := m.Period(); !p.From.Equal(day(2020, 4, 1)) {
		t.Fatalf("← while computing: %v", p.From)
	}
	// The first was abandoned; its answer, whatever it is, is dropped.
	if msg := <-done; m.Update(msg) != nil || m.Shown() != nil {
		t.Fatal("an answer for May shown while April is asked for")
	}
	close(release)
	m.Update(second())
	if m.Computing() || m.Shown() == nil || !m.Shown().Period.From.Equal(day(2020, 4, 1)) {
		t.Fatalf("April not shown: %+v", m.Shown())
	}
	if strings.Contains(m.View(), "计算中…") {
		t.Fatal("计算中… after the answer")
	}
}

func TestSupervisionScreen(t *testing.T) {
	r := newRig(t, Supervision, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 140, 28)
	lines := r.view()
	if !strings.HasPrefix(lines[0], " 本部门督办情况统计 ") {
		t.Fatalf("title %q", lines[0])
	}
	for _, title := range []string{"工单", "催办件", "催办次", "督办件", "已反馈", "在办", "超时", "退单", "已响应", "平均响应", "最长响应"} {
		if !strings.Contains(lines[1], title) {
			t.Errorf("header lacks %s: %q", title, lines[1])
		}
	}
	r.press("up", "up", "up")
	for range 9 {
		r.press("tab")
	}
	lines = r.view()
	want := "兴隆台供电分公司  平均响应 1.5时（已响应 6 次，按工作时间计）  ·  工单 6：催办 5 件 12 次  督办 3 件  结果：已反馈 4 在办 1 超时 1 退单 0"
	if !strings.HasPrefix(lines[2+4], want) {
		t.Fatalf("detail:\n%q\nwant prefix\n%q", lines[2+4], want)
	}
	var rule int
	for i, l := range lines {
		if strings.HasPrefix(l, "── 各部门 平均响应（合计 1.5时）") {
			rule = i
		}
	}
	if rule == 0 || !strings.HasSuffix(lines[rule+1], " 1.5时") || !strings.HasPrefix(lines[rule+1], "▸ 兴隆台供电分公司") ||
		!strings.HasSuffix(lines[rule+3], " —") {
		t.Fatalf("bars of 平均响应:\n%s", strings.Join(lines, "\n"))
	}
	// The row's outcomes under the bars: 6 tickets, 4 fed back.
	if rule == 0 || !strings.HasPrefix(lines[rule+4], "── 兴隆台供电分公司 催办督办工单的结果（共 6 件） ─") ||
		!strings.HasPrefix(lines[rule+5], "  已反馈 ") || !strings.HasSuffix(lines[rule+5], " 4 件 66.7%") ||
		!strings.HasSuffix(lines[rule+8], " 0 件 0.0%") {
		t.Fatalf("outcomes:\n%s", strings.Join(lines, "\n"))
	}
	if r.m.KeyMap().(KeyMap).Chart.Enabled() {
		t.Fatal("v is offered where both charts fit")
	}
}

// The supervision screen offers the unit's delivery log (l) and asks the
// root for it; the handling screen neither offers nor takes the key.
func TestDeliveryLogKey(t *testing.T) {
	now := time.Date(2020, 5, 6, 15, 4, 0, 0, china)
	for _, tc := range []struct {
		kind Kind
		want tea.Msg
	}{
		{Supervision, app.OpenAlertsMsg{Log: true}},
		{Handling, nil},
	} {
		r := newRig(t, tc.kind, now, 80, 22)
		if got := r.m.KeyMap().(KeyMap).Deliveries.Enabled(); got != (tc.want != nil) {
			t.Errorf("%s: l offered %v", tc.kind.Title(), got)
		}
		var got tea.Msg
		if cmd := r.m.Update(press("l")); cmd != nil {
			got = cmd()
		}
		if got != tc.want {
			t.Errorf("%s: l gives %#v, want %#v", tc.kind.Title(), got, tc.want)
		}
	}
}

func TestPathLines(t *testing.T) {
	// The prefix is 9 cells, the name 44.
	const pre = "已导出到 "
	name := "投诉办理情况统计-2026-11-20至2026-12-05.xlsx"
	for _, tc := range []struct {
		what       string
		path, home string
		w          int
		want       []string
	}{
		{"fits whole", "/root/" + name, "/root", 80, []string{pre + "/root/" + name}},
		{"home as ~ to fit one line", "/home/zhangsan/" + name, "/home/zhangsan", 60, []string{pre + "~/" + name}},
		{"home only at a directory's end", "/home/zhangsan2/" + name, "/home/zhangsan", 60,
			[]string{pre + "/home/zhangsan2/", sp(9) + name}},
		{"wrapped after a directory, the name whole under the path", "/srv/市供电公司客户服务中心/统计报表导出目录/二〇二〇年/" + name, "/root", 80,
			[]string{pre + "/srv/市供电公司客户服务中心/统计报表导出目录/二〇二〇年/", sp(9) + name}},
		{"a directory wider than a row is broken", "/" + strings.Repeat("目录", 20) + "/" + name, "", 60,
			[]string{pre + "/" + strings.Repeat("目录", 12) + "目", sp(9) + "录" + strings.Repeat("目录", 7) + "/", sp(9) + name}},
		{"too narrow to indent the name", "/data/exports/" + name, "", 50,
			[]string{pre + "/data/exports/", name}},
		{"names from outside drawn inert, 𠮷 kept", "/home/𠮷野\x1b[2J/" + name, "/root", 60,
			[]string{pre + "/home/𠮷野␛[2J/", sp(9) + name}},
	} {
		got := pathLines(pre, tc.path, tc.home, tc.w)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%q\nwant\n%q", tc.what, got, tc.want)
		}
		for i, l := range got {
			if cells.Width(l) > tc.w {
				t.Errorf("%s: row %d is %d cells, more than %d", tc.what, i, cells.Width(l), tc.w)
			}
		}
	}
}

func sp(n int) string { return strings.Repeat(" ", n) }

// exportLines are the lines of the page from the one under the detail line
// (the table's four rows at these sizes) to the first chart's rule.
func (r *rig) exportLines() []string {
	lines := r.view()
	var out []string
	for _, l := range lines[7:] {
		if strings.HasPrefix(l, "── ") {
			break
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

// The page tells where the last export went, whole, under the detail
// line, until the next export: the status bar's notice is cut at the
// screen's width and soon replaced.
func TestExportShownOnThePage(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	home := t.TempDir()
	r.m.home = home
	if got := r.exportLines(); len(got) != 0 {
		t.Fatalf("an export line before any export: %q", got)
	}
	dir := filepath.Join(home, "统计报表", "二〇二〇年")
	deep := filepath.Join(home, "市供电公司客户服务中心", "统计报表导出目录", "二〇二〇年", "五月")
	for _, d := range []string{dir, deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.m.SetDir(dir)
	r.press("x")
	path := filepath.Join(dir, "投诉办理情况统计-2020-05.xlsx")
	if len(r.notices) != 1 || r.notices[0] != "已导出到 "+path {
		t.Fatalf("notices %q", r.notices)
	}
	// The temporary home makes the path wider than the page: with ~ it
	// fits.
	if cells.Width("已导出到 "+path) <= 80 {
		t.Fatalf("%s fits: the test tells nothing", path)
	}
	want := []string{"已导出到 ~/统计报表/二〇二〇年/投诉办理情况统计-2020-05.xlsx"}
	if got := r.exportLines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("export line:\n%q\nwant\n%q", got, want)
	}
	// It stays while the officer goes on: another figure, another month.
	r.press("tab", "left")
	if got := r.exportLines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("export line after tab and ←:\n%q\nwant\n%q", got, want)
	}
	// The next export replaces it; 9 + 76 cells even with ~, it takes two
	// lines, the name whole under the path's start.
	r.m.SetDir(deep)
	r.press("x")
	want = []string{"已导出到 ~/市供电公司客户服务中心/统计报表导出目录/二〇二〇年/五月/", sp(9) + "投诉办理情况统计-2020-04.xlsx"}
	if got := r.exportLines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("second export line:\n%q\nwant\n%q", got, want)
	}
	if n := len(r.notices); r.notices[n-1] != "已导出到 "+filepath.Join(deep, "投诉办理情况统计-2020-04.xlsx") {
		t.Fatalf("notices %q", r.notices)
	}
}

// A directory that is not there, or not a directory, is never created:
// the page says in Chinese, whole, what and where, and what to do.
func TestExportFailureShown(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(base, "nonexistent", "home")
	for _, tc := range []struct {
		dir, home, want string
	}{
		{missing, missing, "导出失败：无法写入主目录 " + missing + "（不存在或没有写权限），请检查主目录（" + homeVar() + "）后重试"},
		{missing, "/root", "导出失败：无法写入目录 " + missing + "（不存在或没有写权限），请确认该目录存在且可写后重试"},
		{file, "/root", "导出失败：无法写入目录 " + file + "（不存在或没有写权限），请确认该目录存在且可写后重试"},
	} {
		r.notices = nil
		r.m.SetDir(tc.dir)
		r.m.home = tc.home
		r.press("x")
		if len(r.notices) != 1 || r.notices[0] != tc.want {
			t.Fatalf("notices %q, want %q", r.notices, tc.want)
		}
		// Wrapped at the width: the spaces where it is wrapped go.
		unspaced := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		lines := r.exportLines()
		if got := strings.Join(lines, ""); unspaced(got) != unspaced(tc.want) {
			t.Fatalf("page says\n%q\nwant\n%q", lines, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "nonexistent")); !os.IsNotExist(err) {
		t.Fatalf("the missing directory was created: %v", err)
	}
}

// A file that fails while being written is removed, and the failure says
// which file.
func TestCreateFailsWhileWriting(t *testing.T) {
	dir := t.TempDir()
	path, err := create(dir, "a.xlsx", func(f *os.File) error {
		f.WriteString("half")
		return errors.New("no space left on device")
	})
	var fe *fileError
	if path != "" || !errors.As(err, &fe) || fe.path != filepath.Join(dir, "a.xlsx") {
		t.Fatalf("create = %q, %v", path, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.xlsx")); !os.IsNotExist(err) {
		t.Fatalf("the half-written file is left: %v", err)
	}
	m := &Model{home: "/root"}
	if got, want := m.failure(err), "导出失败：写入 "+fe.path+" 时出错，文件未保存，请检查磁盘空间后重试"; got != want {
		t.Fatalf("failure %q, want %q", got, want)
	}
}

// The daily chart of a period that runs past now stops at today and says
// so; its axis is the whole period. The export's 每日 sheet stops there
// too, and its first sheet is named for the period.
func TestDaysStopAtToday(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	lines := r.view()
	var legend, axis int
	for i, l := range lines {
		if strings.HasPrefix(l, "● 受理 ") {
			legend = i
		}
		if strings.HasPrefix(l, " └") {
			axis = i
		}
	}
	// Days 1 to 6 of fixed: 1+2+3+4+0+1 received, misses on the 2nd and 5th.
	if legend == 0 || strings.TrimRight(lines[legend], " ") != "● 受理 11  ✕ 超时 2  ⊗ 重合  至 5/6  最高 4（5/4）" {
		t.Fatalf("legend:\n%s", strings.Join(lines, "\n"))
	}
	// 31 days in 78 columns: two cells a day, the 6th's point in column
	// 2+5*2; nothing is drawn right of it.
	for _, l := range lines[legend+1 : axis] {
		if rest := strings.TrimRight(prefixCells(l, 80)[13:], " "); rest != "" {
			t.Fatalf("drawn after the 6th: %q", l)
		}
	}
	if !strings.Contains(lines[axis+1], "5/31") {
		t.Fatalf("the axis stops before the month's end: %q", lines[axis+1])
	}

	dir := t.TempDir()
	r.m.SetDir(dir)
	r.press("x", "3", "x")
	for _, c := range []struct{ file, sheet, title string }{
		{"投诉办理情况统计-2020-05.xlsx", "月度统计", "每日受理与超期（2020年5月，截至 2020-05-06）"},
		{"投诉办理情况统计-2020.xlsx", "年度统计", "每日受理与超期（2020年，截至 2020-05-06）"},
	} {
		f, err := excelize.OpenFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 4 || got[0] != c.sheet {
			t.Fatalf("%s: sheets %q", c.file, got)
		}
		days, err := f.GetRows("每日")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(days[0][0], c.title) || days[len(days)-1][0] != "2020-05-06" {
			t.Fatalf("%s: 每日 %q … %q", c.file, days[0], days[len(days)-1])
		}
	}
}

// prefixCells is the first w cells of s with each glyph of one cell made
// one byte, so that a byte's index in it is its column.
func prefixCells(s string, w int) string {
	var b strings.Builder
	n := 0
	cells.Each(s, func(g string, gw int) bool {
		if n+gw > w {
			return false
		}
		if gw == 1 && len(g) > 1 {
			g = "*" // one cell, one byte
		}
		b.WriteString(g)
		n += gw
		return true
	})
	return b.String()
}

// A custom period over a new year's day labels its days with their year.
func TestDaysOfTwoYears(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	r.press("4")
	for range cells.Graphemes(Range(r.period())) {
		r.press("backspace")
	}
	r.typeText("2019-12-25 2020-01-03")
	r.press("enter")
	lines := r.view()
	var legend, axis int
	for i, l := range lines {
		if strings.HasPrefix(l, "● 受理 ") {
			legend = i
		}
		if strings.HasPrefix(l, " └") {
			axis = i
		}
	}
	// The 29th's 4 is the peak; the period is over, so no 至.
	if legend == 0 || strings.TrimRight(lines[legend], " ") != "● 受理 17  ✕ 超时 3  ⊗ 重合  最高 4（2019/12/29）" {
		t.Fatalf("legend:\n%s", strings.Join(lines, "\n"))
	}
	if got := strings.Fields(lines[axis+1]); strings.Join(got, " ") != "2019/12/25 2019/12/27 2019/12/29 2019/12/31 2020/1/2" {
		t.Fatalf("axis labels %q", got)
	}
}

// A custom period entirely to come is refused, as ← and → refuse one; a
// period from today on is taken.
func TestCustomPeriodToCome(t *testing.T) {
	r := newRig(t, Handling, time.Date(2020, 5, 6, 15, 4, 0, 0, china), 80, 22)
	n := len(r.asked)
	r.press("4")
	for range cells.Graphemes(Range(r.period())) {
		r.press("backspace")
	}
	r.typeText("2020-05-07 2020-06-30")
	r.press("enter")
	const want = "开始日期 2020-05-07 晚于今天（2020-05-06），没有可统计的工单"
	if !r.m.Typing() || len(r.asked) != n || len(r.notices) != 1 || r.notices[0] != want {
		t.Fatalf("typing %v, asked %d more, notices %q", r.m.Typing(), len(r.asked)-n, r.notices)
	}
	if got := strings.TrimRight(r.view()[2+4], " "); got != want {
		t.Fatalf("hint line %q, want %q", got, want)
	}
	for range cells.Graphemes("2020-05-07 2020-06-30") {
		r.press("backspace")
	}
	r.typeText("2020-05-06 2020-06-30")
	r.press("enter")
	r.wantPeriod(Custom, day(2020, 5, 6), day(2020, 7, 1))
}
