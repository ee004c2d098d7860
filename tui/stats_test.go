package tui

import (
	"bytes"
	"context"
	encsv "encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/xuri/excelize/v2"

	"hotline/calendar"
	"hotline/complaint"
	reports "hotline/report"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/pages/stats"
)

// statsYX is a sub-unit of the figures' data set whose name is wider than
// the table's first column at any size, with a character outside the BMP.
var statsYX = complaint.Unit{Code: "PJGD-YX", Name: "营销部客户服务中心𠮷野家（城区）", Kind: complaint.KindSubunit, Parent: unitCode}

func statsUnits() []complaint.Unit { return append(slices.Clone(testUnits), statsYX) }

func testCalendar(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

// worked is n tickets dispatched to the unit every step from first, each
// worked through the procedure by the state machine (complaint.Apply) as far
// as now allows, with the unit's default deadlines: signed (one in seven
// late), returned (one in thirteen), assigned to the three sub-units in
// turn, contacted (one in eleven late), urged (one in four) and supervised
// (one in seven), extended (one in ten), left there (one in nineteen) or
// replied after one to five days, sent back once (one in eight), approved
// and sent to the center, closed with
// the three verdicts (three in four), reopened (one in seventeen). What
// would happen after now has not happened: recent tickets are at every
// step of the work.
func worked(tb testing.TB, cal *calendar.Calendar, n int, first time.Time, step time.Duration, now time.Time) []complaint.Ticket {
	policy := testUnit.Policy
	subs := []string{subXL, subST, statsYX.Code}
	handlers := map[string]complaint.User{subXL: handlerUser, subST: testPeople[6]}
	center, duty, leader := centerUser, testUser, reviewerUser
	out := make([]complaint.Ticket, 0, n)
	for i := range n {
		d := first.Add(time.Duration(i) * step).UTC()
		t := complaint.Ticket{
			Number: fmt.Sprintf("2020%07d", i), Title: fmt.Sprintf("兴隆台区第%d号杆路灯不亮", i%50+1),
			Content: "路灯不亮，夜间出行不便。", ReceivedAt: d.Add(-10 * time.Minute), DispatchedAt: d,
			Unit: unitCode, State: complaint.Dispatched, Version: 1, UpdatedAt: d,
			Events: []complaint.Event{{Kind: complaint.KindDispatch, Actor: center.Login, Unit: centerCode, At: d, To: complaint.Dispatched}},
		}
		t.SetDue(policy, cal)
		at := d
		apply := func(after time.Duration, u complaint.User, a complaint.Action) bool {
			at = at.Add(after)
			if at.After(now) {
				return false
			}
			a.Ticket, a.BaseVersion = t.Number, t.Version
			next, _, err := complaint.Apply(t, u, a, at)
			if err != nil {
				tb.Fatalf("ticket %d: %s: %v", i, a.Kind, err)
			}
			t = next
			t.Version++
			t.SetDue(policy, cal)
			return true
		}
		sign := 10 * time.Minute
		if i%7 == 3 {
			sign = 50 * time.Minute
		}
		sub := subs[i%3]
		handler, ok := handlers[sub]
		if !ok {
			handler = duty
		}
		reply := &complaint.Reply{Findings: "经现场核查，路灯控制器损坏。", Explanation: "已向来电人说明。",
			Measures: "已更换控制器。", Basis: "《城市照明管理规定》", CitizenOpinion: "来电人表示满意。"}
		contact := 2 * time.Hour
		if i%11 == 7 {
			contact = 30 * time.Hour
		}
		// Each step happens only when the one before did and its time has
		// come.
		func() {
			if !apply(sign, duty, complaint.Action{Kind: complaint.KindSign}) {
				return
			}
			if i%13 == 5 {
				apply(time.Hour, duty, complaint.Action{Kind: complaint.KindReturnRequest, Text: "不属本单位职责"})
				apply(3*time.Hour, center, complaint.Action{Kind: complaint.KindReturnAccept})
				return
			}
			if !apply(10*time.Minute, duty, complaint.Action{Kind: complaint.KindAssign, Subunit: sub, Handler: handler.Login}) ||
				!apply(contact, handler, complaint.Action{Kind: complaint.KindContact,
					Contact: &complaint.Contact{At: at.Add(contact), How: "电话", Result: "已电话联系来电人。"}}) {
				return
			}
			if i%4 == 1 && !apply(20*time.Hour, center, complaint.Action{Kind: complaint.KindUrge, Text: "市民再次来电"}) {
				return
			}
			if i%7 == 2 && !apply(3*time.Hour, jcbUser, complaint.Action{Kind: complaint.KindSupervise, Text: "列入督办"}) {
				return
			}
			if i%10 == 4 && (!apply(time.Hour, duty, complaint.Action{Kind: complaint.KindExtensionRequest, Days: 3, Text: "需协调"}) ||
				!apply(2*time.Hour, center, complaint.Action{Kind: complaint.KindExtensionDecide, Grant: true, Deadline: t.Due.AddDate(0, 0, 5)})) {
				return
			}
			if i%19 == 11 || !apply(time.Duration(i%5)*24*time.Hour+time.Hour, handler, complaint.Action{Kind: complaint.KindReply, Reply: reply}) {
				return
			}
			if i%8 == 2 && (!apply(time.Hour, leader, complaint.Action{Kind: complaint.KindReject, Criteria: []int{2}, Text: "请补充解释"}) ||
				!apply(24*time.Hour, handler, complaint.Action{Kind: complaint.KindReply, Reply: reply})) {
				return
			}
			if !apply(time.Hour, leader, complaint.Action{Kind: complaint.KindApprove}) ||
				!apply(0, leader, complaint.Action{Kind: complaint.KindSend}) || i%4 == 3 {
				return
			}
			verdict := []string{complaint.Unsatisfied, complaint.FairlySatisfied, complaint.Satisfied, complaint.Satisfied, complaint.Satisfied}[i%5]
			if apply(48*time.Hour, center, complaint.Action{Kind: complaint.KindClose, Satisfaction: verdict}) && i%17 == 8 {
				apply(24*time.Hour, center, complaint.Action{Kind: complaint.KindReopen, Text: "市民不满意"})
			}
		}()
		if t.State == complaint.Returned {
			// Gone back to the center: the terminal keeps what it had.
			t.Unit = centerCode
		}
		out = append(out, t)
	}
	return out
}

// statsData is the fixed data set of the statistics screens: 150 tickets
// from 1 April to 6 May 2020, every five and a half hours or so.
func statsData(tb testing.TB) []complaint.Ticket {
	first := time.Date(2020, 4, 1, 8, 20, 0, 0, shanghai)
	return worked(tb, testCalendar(tb), 150, first, 5*time.Hour+47*time.Minute, testNow)
}

// statsRig is a statistics page over a real store and the root's context,
// driven as the root drives a page: its commands run here and their
// messages come back to it; the notices it asks the root to show are kept.
type statsRig struct {
	t       testing.TB
	h       *harness
	p       *stats.Model
	w, hgt  int // the page's cells: the screen less the hint line and the status bar
	notices []app.NoticeMsg
}

func newStatsRig(t testing.TB, kind stats.Kind, w, h int, tickets []complaint.Ticket) *statsRig {
	t.Helper()
	hs := newHarness(t, w, h, tickets)
	hs.m.ctx.Calendar = testCalendar(t)
	hs.m.ctx.Units = statsUnits()
	r := &statsRig{t: t, h: hs, w: w, hgt: h - 2}
	if kind == stats.Supervision {
		r.p = stats.NewOversight(hs.m.ctx)
	} else {
		r.p = stats.New(hs.m.ctx)
	}
	r.p.SetSize(r.w, r.hgt)
	r.run(r.p.Init())
	return r
}

func (r *statsRig) run(cmd tea.Cmd) {
	for queue := []tea.Cmd{cmd}; len(queue) > 0; queue = queue[1:] {
		if queue[0] == nil {
			continue
		}
		switch msg := queue[0]().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case app.NoticeMsg:
			r.notices = append(r.notices, msg)
		default:
			queue = append(queue, r.p.Update(msg))
		}
	}
}

func (r *statsRig) press(names ...string) {
	for _, n := range names {
		r.run(r.p.Update(keyPress(n)))
	}
}

// view is the page drawn, checked as every screen is: nothing but style
// sequences, every line exactly the width, exactly the page's height.
func (r *statsRig) view() string {
	r.t.Helper()
	raw := r.p.View()
	checkScreen(r.t, raw, r.w, r.hgt)
	return ansi.Strip(raw)
}

var statsScreens = []struct {
	name  string
	kind  stats.Kind
	drive func(r *statsRig)
}{
	// April, the cursor on the first sub-unit and its reply rate.
	{"stats", stats.Handling, func(r *statsRig) { r.press("left", "home", "tab", "tab", "tab", "tab") }},
	// The whole year, the cursor on the score.
	{"stats-year", stats.Handling, func(r *statsRig) { r.press("3", "up", "shift+tab") }},
	{"stats-oversight", stats.Supervision, func(r *statsRig) { r.press("left", "home", "tab", "tab", "tab", "tab", "tab", "tab") }},
}

// The statistics screens' goldens are the page as the root gives it room:
// the whole screen less the hint line and the status bar under it.
func TestStatsGoldens(t *testing.T) {
	data := statsData(t)
	for _, sc := range statsScreens {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s-%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				r := newStatsRig(t, sc.kind, sz.w, sz.h, data)
				sc.drive(r)
				golden(t, fmt.Sprintf("%s-%dx%d.golden", sc.name, sz.w, sz.h), r.view())
			})
		}
	}
}

func TestStatsFitEverySize(t *testing.T) {
	data := statsData(t)
	for _, sc := range statsScreens {
		for _, sz := range []struct{ w, h int }{{80, 24}, {81, 25}, {100, 30}, {157, 51}, {200, 60}} {
			t.Run(fmt.Sprintf("%s-%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				r := newStatsRig(t, sc.kind, sz.w, sz.h, data)
				sc.drive(r)
				r.view()
				// Resizing keeps the page exact, and so does every chart.
				r.w, r.hgt = sz.w+7, sz.h+1
				r.p.SetSize(r.w, r.hgt)
				r.view()
				r.press("v")
				r.view()
			})
		}
	}
}

// column is the text of every row of the column under the cursor, as the
// table draws it: its cells end where its title does.
func (r *statsRig) column() (title string, values []string) {
	r.t.Helper()
	lines := strings.Split(r.view(), "\n")
	head := lines[1]
	i := strings.Index(head, "▾")
	if i < 0 {
		r.t.Fatalf("no column under the cursor: %q", head)
	}
	title = strings.Fields(head[i+len("▾"):])[0]
	title = strings.TrimSuffix(title, "›")
	end := cells.Width(head[:i]) + cells.Width("▾"+title)
	for _, l := range lines[2:] {
		f := strings.Fields(prefix(l, end))
		if len(f) < 2 || (!strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "▸ ")) {
			break
		}
		values = append(values, f[len(f)-1])
		if strings.HasPrefix(strings.TrimLeft(l, "▸ "), "合计") {
			break
		}
	}
	return title, values
}

// prefix is the first w cells of s.
func prefix(s string, w int) string {
	var b strings.Builder
	n := 0
	cells.Each(s, func(g string, gw int) bool {
		if n+gw > w {
			return false
		}
		b.WriteString(g)
		n += gw
		return true
	})
	return b.String()
}

// xlsxHeads are the report's names of the figures the screen names
// otherwise, for want of room.
var xlsxHeads = map[string]string{"平均天数": "平均办理工作日", "90%天数": "90%办理工作日"}

// The export writes what the screen shows: every figure of every row of
// the table, read off the screen column by column, equals the .xlsx's
// cell and the CSV's field.
func TestStatsExportEqualsScreen(t *testing.T) {
	r := newStatsRig(t, stats.Handling, 120, 40, statsData(t))
	dir := t.TempDir()
	r.p.SetDir(dir)
	r.press("left")
	shown := map[string][]string{}
	var order []string
	for {
		title, values := r.column()
		if _, seen := shown[title]; seen {
			break
		}
		if len(values) != 4 {
			t.Fatalf("column %s: %d rows read, want 3 sub-units and 合计: %q", title, len(values), values)
		}
		shown[title] = values
		order = append(order, title)
		r.press("tab")
	}
	if len(order) != 20 {
		t.Fatalf("%d figures reached with tab, want 20: %v", len(order), order)
	}
	// A figure of each kind as the screen draws it, so that the
	// comparison below is of something.
	for _, want := range [][2]string{{"受理", "124"}, {"及时率", "%"}, {"平均天数", "."}} {
		if !strings.Contains(strings.Join(shown[want[0]], " "), want[1]) {
			t.Fatalf("%s shows %q", want[0], shown[want[0]])
		}
	}

	r.press("x")
	r.press("X")
	if len(r.notices) != 2 || r.notices[0].Err || r.notices[1].Err {
		t.Fatalf("notices %+v", r.notices)
	}
	xlsx := strings.TrimPrefix(r.notices[0].Text, "已导出到 ")
	csvPath := strings.TrimPrefix(r.notices[1].Text, "已导出到 ")
	if want := filepath.Join(dir, "投诉办理情况统计-2020-04.xlsx"); xlsx != want {
		t.Fatalf("xlsx at %q, want %q", xlsx, want)
	}
	if want := filepath.Join(dir, "投诉办理情况统计-2020-04.csv"); csvPath != want {
		t.Fatalf("csv at %q, want %q", csvPath, want)
	}

	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet, err := f.GetRows(reports.SheetFigures)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sheet[0][0], "2020年4月") {
		t.Fatalf("sheet title %q", sheet[0][0])
	}
	compare := func(what string, table [][]string) {
		head := table[0]
		rows := table[1:]
		if len(rows) != 4 || rows[3][1] != "合计" {
			t.Fatalf("%s rows: %q", what, rows)
		}
		for _, title := range order {
			name := title
			if n, ok := xlsxHeads[title]; ok {
				name = n
			}
			c := slices.Index(head, name)
			if c < 0 {
				t.Fatalf("%s has no column %s: %q", what, name, head)
			}
			for i, row := range rows {
				if got := row[c]; got != shown[title][i] {
					t.Errorf("%s %s of row %d (%s) = %q, the screen shows %q", what, title, i, row[1], got, shown[title][i])
				}
			}
		}
	}
	compare("xlsx", sheet[1:])

	raw, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	table, err := encsv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	compare("csv", table)

	// A second export of the same period does not overwrite the first.
	r.notices = nil
	r.press("x")
	if len(r.notices) != 1 || r.notices[0].Text != "已导出到 "+filepath.Join(dir, "投诉办理情况统计-2020-04 (2).xlsx") {
		t.Fatalf("second export: %+v", r.notices)
	}
}

// The supervision screen's figures are those of complaint.Supervise over
// the same tickets, row for row.
func TestStatsOversightFromTheStore(t *testing.T) {
	data := statsData(t)
	r := newStatsRig(t, stats.Supervision, 120, 40, data)
	r.press("left")
	p := complaint.Period{From: time.Date(2020, 4, 1, 0, 0, 0, 0, shanghai), To: time.Date(2020, 5, 1, 0, 0, 0, 0, shanghai)}
	all, subs := complaint.Supervise(data, statsUnits(), unitCode, p, testUnit.Policy, testCalendar(t), testNow)
	shown := r.p.Shown()
	if shown == nil || !shown.Period.From.Equal(p.From) || !shown.Period.To.Equal(p.To) {
		t.Fatalf("shown %+v", shown)
	}
	if fmt.Sprint(shown.Oversight) != fmt.Sprint(all) || fmt.Sprint(shown.Subunits) != fmt.Sprint(subs) {
		t.Fatalf("screen %+v %+v\nSupervise %+v %+v", shown.Oversight, shown.Subunits, all, subs)
	}
	if all.Tickets == 0 || all.Acted == 0 {
		t.Fatalf("the data set urges nothing in April: %+v", all)
	}
	_, values := r.column()
	if values[3] != fmt.Sprint(all.Tickets) {
		t.Fatalf("工单 column %q, want the unit's %d last", values, all.Tickets)
	}

	// The export's 督办 sheet holds the same numbers, in its own names;
	// the screen's hours are the sheet's numbers.
	dir := t.TempDir()
	r.p.SetDir(dir)
	r.press("x", "X")
	if len(r.notices) != 2 || r.notices[0].Err || !r.notices[1].Err ||
		r.notices[0].Text != "已导出到 "+filepath.Join(dir, "本部门督办情况统计-2020-04.xlsx") {
		t.Fatalf("notices %+v", r.notices)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "本部门督办情况统计-2020-04.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet, err := f.GetRows(reports.SheetOversight)
	if err != nil {
		t.Fatal(err)
	}
	head, rows := sheet[1], sheet[2:]
	aliases := map[string]string{"催办件": "催办工单", "催办次": "催办次数", "督办件": "督办工单",
		"平均响应": "平均响应工作小时", "最长响应": "最长响应工作小时"}
	seen := map[string]bool{}
	for range 11 {
		title, values := r.column()
		c := slices.Index(head, title)
		if c < 0 {
			c = slices.Index(head, aliases[title])
		}
		for i, row := range rows {
			if c < 0 || row[c] != strings.TrimSuffix(values[i], "时") {
				t.Fatalf("%s of row %d: sheet %q (column %d of %q), screen %q", title, i, row, c, head, values[i])
			}
		}
		seen[title] = true
		r.press("tab")
	}
	if len(seen) != 11 || len(rows) != 4 || rows[3][1] != "合计" {
		t.Fatalf("compared %d columns over rows %q", len(seen), rows)
	}
}

// Without a calendar the page says why it has no figures.
func TestStatsWithoutCalendar(t *testing.T) {
	r := newStatsRig(t, stats.Handling, 80, 24, fixtures())
	r.h.m.ctx.Calendar = nil
	r.press("r")
	if !strings.Contains(r.view(), "统计失败：未配置工作日历，无法计算工作日") {
		t.Fatalf("no reason shown:\n%s", r.view())
	}
}

// BenchmarkStatistics is the handling statistics of 100,000 cached tickets
// with their histories (a year of them, about 11 events each), for a month
// and for the year: reading the period's tickets from the store, computing
// the figures and the supervision figures, the page's whole command (both,
// from the key to the figures shown), and drawing the screen. The cache is
// built once, which takes a while.
//
//	go test ./tui/ -run '^$' -bench BenchmarkStatistics -benchtime 5x
func BenchmarkStatistics(b *testing.B) {
	cal := testCalendar(b)
	first := testNow.AddDate(-1, 0, 0)
	data := worked(b, cal, 100_000, first, testNow.Sub(first)/100_000, testNow)
	events := 0
	for _, t := range data {
		events += len(t.Events)
	}
	r := newStatsRig(b, stats.Handling, 120, 40, data)
	b.Logf("%d tickets, %d events", len(data), events)
	cal2 := r.h.m.ctx.Calendar
	for _, span := range []struct{ name, key string }{{"month", "2"}, {"year", "3"}} {
		r.press(span.key)
		_, p := r.p.Period()
		b.Run(span.name, func(b *testing.B) {
			var read, figures, page, view time.Duration
			n := 0
			for b.Loop() {
				// The parts of the page's command, one by one...
				start := time.Now()
				ts, err := r.h.st.History(context.Background(), p.From, p.To)
				if err != nil {
					b.Fatal(err)
				}
				read += time.Since(start)
				n = len(ts)
				start = time.Now()
				complaint.Compute(ts, statsUnits(), unitCode, p, testUnit.Policy, cal2, complaint.Weights{}, testNow)
				complaint.Supervise(ts, statsUnits(), unitCode, p, testUnit.Policy, cal2, testNow)
				figures += time.Since(start)
				// ...and the whole of it, from the key to the figures
				// shown, and a frame.
				start = time.Now()
				r.press("r")
				page += time.Since(start)
				start = time.Now()
				_ = r.p.View()
				view += time.Since(start)
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
			b.ReportMetric(float64(n), "tickets-read")
			b.ReportMetric(ms(read), "read-ms")
			b.ReportMetric(ms(figures), "compute-ms")
			b.ReportMetric(ms(page), "page-ms")
			b.ReportMetric(ms(view), "view-ms")
		})
	}
}
