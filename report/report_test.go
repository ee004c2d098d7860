package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hotline/complaint"
	"hotline/internal/testenv"
)

func cn(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, complaint.China)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func r(num, den int) complaint.Rate { return complaint.Rate{Num: num, Den: den} }

// november is a month of a unit with four sub-units: one with a score
// that ties another's as shown (86.04 and 86.0), one with nothing to count.
// Its days stop on the 3rd, as SoFar leaves them on 3 November.
func november(tb testing.TB) (complaint.Statistics, []complaint.Oversight) {
	cd := complaint.Figures{Code: "gdj-cd", Name: "城东供电所",
		Received: 10, SignedOnTime: 9, Replied: 8, Closed: 7, OnTime: 6, Surveyed: 7, Satisfied: 6, Returned: 1, Reopened: 1, Extended: 2,
		SignRate: r(9, 10), ReplyRate: r(8, 9), CloseRate: r(7, 9), OnTimeRate: r(6, 8), SatisfactionRate: r(6, 7), ReturnRate: r(1, 10), ReopenRate: r(1, 8),
		AvgDays: 2.25, P90Days: 3.5, Score: 86.04, HasScore: true}
	cx := complaint.Figures{Code: "gdj-cx", Name: "城西供电所",
		Received: 4, SignedOnTime: 4, Replied: 4, Closed: 4, OnTime: 4, Surveyed: 4, Satisfied: 4,
		SignRate: r(4, 4), ReplyRate: r(4, 4), CloseRate: r(4, 4), OnTimeRate: r(4, 4), SatisfactionRate: r(4, 4), ReturnRate: r(0, 4), ReopenRate: r(0, 4),
		AvgDays: 1, P90Days: 1.5, Score: 91.2, HasScore: true}
	kf := complaint.Figures{Code: "gdj-kf", Name: "开发区供电所",
		Received: 2, SignedOnTime: 1, Replied: 1, Closed: 1, OnTime: 1, Surveyed: 1, Satisfied: 0, Extended: 1,
		SignRate: r(1, 2), ReplyRate: r(1, 2), CloseRate: r(1, 2), OnTimeRate: r(1, 1), SatisfactionRate: r(0, 1), ReturnRate: r(0, 2), ReopenRate: r(0, 1),
		AvgDays: 4, P90Days: 4, Score: 86.0, HasScore: true}
	jl := complaint.Figures{Code: "gdj-jl", Name: "计量中心"}
	unit := complaint.Figures{Code: "gdj", Name: "市供电公司",
		Received: 16, SignedOnTime: 14, Replied: 13, Closed: 12, OnTime: 11, Surveyed: 12, Satisfied: 10, Returned: 1, Reopened: 1, Extended: 3,
		SignRate: r(14, 16), ReplyRate: r(13, 15), CloseRate: r(12, 15), OnTimeRate: r(11, 13), SatisfactionRate: r(10, 12), ReturnRate: r(1, 16), ReopenRate: r(1, 13),
		AvgDays: 2.1, P90Days: 4, Score: 87.5, HasScore: true}
	stats := complaint.Statistics{
		Period:   complaint.Period{From: cn(tb, "2026-11-01 00:00"), To: cn(tb, "2026-12-01 00:00")},
		Unit:     unit,
		Subunits: []complaint.Figures{cd, cx, kf, jl},
		Days: []complaint.Day{
			{Date: cn(tb, "2026-11-01 00:00"), Received: 5, Missed: 0},
			{Date: cn(tb, "2026-11-02 00:00"), Received: 7, Missed: 2},
			{Date: cn(tb, "2026-11-03 00:00"), Received: 4, Missed: 1},
		},
	}
	over := []complaint.Oversight{
		{Code: "gdj-cd", Name: "城东供电所", Urged: 2, Urges: 3, Supervised: 1, Tickets: 3, FedBack: 1, Open: 1, Overdue: 1, Acted: 2, AvgActHours: 1.5, MaxActHours: 2.25},
		{Code: "gdj-cx", Name: "城西供电所"},
		{Code: "gdj", Name: "市供电公司", Urged: 2, Urges: 3, Supervised: 2, Tickets: 4, FedBack: 1, Open: 1, Overdue: 1, Returned: 1, Acted: 2, AvgActHours: 1.5, MaxActHours: 2.25},
	}
	return stats, over
}

func open(tb testing.TB, b []byte) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// rows is a sheet's cells as shown (number formats applied), or raw.
func rows(tb testing.TB, f *excelize.File, sheet string, raw bool) [][]string {
	tb.Helper()
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: raw})
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

func checkRows(tb testing.TB, f *excelize.File, sheet string, raw bool, want [][]string) {
	tb.Helper()
	got := rows(tb, f, sheet, raw)
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s (raw %v):\n got %q\nwant %q", sheet, raw, got, want)
	}
}

// checkWidths compares the widths of the columns from A on.
func checkWidths(tb testing.TB, f *excelize.File, sheet string, want []float64) {
	tb.Helper()
	var got []float64
	for c := range want {
		w, err := f.GetColWidth(sheet, colName(c+1))
		if err != nil {
			tb.Fatal(err)
		}
		got = append(got, w)
	}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s column widths\n got %v\nwant %v", sheet, got, want)
	}
}

func checkPanes(tb testing.TB, f *excelize.File, sheet string, x, y int, top string) {
	tb.Helper()
	p, err := f.GetPanes(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	if !p.Freeze || p.XSplit != x || p.YSplit != y || p.TopLeftCell != top {
		tb.Errorf("%s panes %+v, want frozen at %d columns, %d rows, %s", sheet, p, x, y, top)
	}
}

// format is the number format of a cell: a built-in's id, or the custom
// format.
func format(tb testing.TB, f *excelize.File, sheet, ref string) string {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		tb.Fatal(err)
	}
	if s.CustomNumFmt != nil {
		return *s.CustomNumFmt
	}
	return "#" + strconv.Itoa(s.NumFmt)
}

// parts are the files inside an xlsx, by name.
func parts(tb testing.TB, b []byte) map[string]string {
	tb.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range z.File {
		rc, err := zf.Open()
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out[zf.Name] = string(body)
	}
	return out
}

func TestMonthly(t *testing.T) {
	stats, over := november(t)
	var buf bytes.Buffer
	if err := Monthly(stats, over, "市供电公司", &buf); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{"月度统计", "排名", "每日", "督办"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if got := f.GetSheetName(f.GetActiveSheetIndex()); got != "月度统计" {
		t.Errorf("the workbook opens on %s", got)
	}

	head := []string{"部门代码", "部门", "受理", "按时签收", "签收及时率", "办复", "办复率", "办结", "办结率", "按时办复", "及时率",
		"回访", "满意", "满意率", "退单", "退单率", "重办", "重办率", "延期", "平均办理工作日", "90%办理工作日", "得分"}
	// Shown rounded half away from zero, as Excel shows them: 1/16 is 6.3%,
	// 2.25 days 2.3.
	checkRows(t, f, "月度统计", false, [][]string{
		{"市供电公司 投诉办理情况统计（2026年11月）"},
		head,
		{"gdj-cd", "城东供电所", "10", "9", "90.0%", "8", "88.9%", "7", "77.8%", "6", "75.0%", "7", "6", "85.7%", "1", "10.0%", "1", "12.5%", "2", "2.3", "3.5", "86.0"},
		{"gdj-cx", "城西供电所", "4", "4", "100.0%", "4", "100.0%", "4", "100.0%", "4", "100.0%", "4", "4", "100.0%", "0", "0.0%", "0", "0.0%", "0", "1.0", "1.5", "91.2"},
		{"gdj-kf", "开发区供电所", "2", "1", "50.0%", "1", "50.0%", "1", "50.0%", "1", "100.0%", "1", "0", "0.0%", "0", "0.0%", "0", "0.0%", "1", "4.0", "4.0", "86.0"},
		{"gdj-jl", "计量中心", "0", "0", "—", "0", "—", "0", "—", "0", "—", "0", "0", "—", "0", "—", "0", "—", "0", "—", "—", "—"},
		{"gdj", "合计", "16", "14", "87.5%", "13", "86.7%", "12", "80.0%", "11", "84.6%", "12", "10", "83.3%", "1", "6.3%", "1", "7.7%", "3", "2.1", "4.0", "87.5"},
	})
	// Rates are numbers, the fraction itself to Excel's 15 digits, not text.
	raw := rows(t, f, "月度统计", true)
	var rates []string
	for _, c := range []int{4, 6, 8, 10, 13, 15, 17} {
		rates = append(rates, raw[2][c])
	}
	if want := []string{"0.9", "0.888888888888889", "0.777777777777778", "0.75", "0.857142857142857", "0.1", "0.125"}; !reflect.DeepEqual(rates, want) {
		t.Errorf("城东's rates stored as %q, want %q", rates, want)
	}
	if got := raw[2][19:22]; !reflect.DeepEqual(got, []string{"2.25", "3.5", "86.04"}) {
		t.Errorf("城东's days and score stored as %q", got)
	}
	for ref, want := range map[string]string{"C3": "#1", "E3": "0.0%", "R7": "0.0%", "T3": "0.0", "V7": "0.0"} {
		if got := format(t, f, "月度统计", ref); got != want {
			t.Errorf("月度统计!%s is formatted %q, want %q", ref, got, want)
		}
	}
	for _, ref := range []string{"E6", "V6"} {
		if typ, _ := f.GetCellType("月度统计", ref); typ != excelize.CellTypeSharedString {
			t.Errorf("月度统计!%s (no value) is of type %v, want a string", ref, typ)
		}
	}
	// Display width of the widest text plus 2, at least 6: 部门代码 is 8
	// cells, 开发区供电所 12, 签收及时率 10, 100.0% 6, 平均办理工作日 14,
	// 90%办理工作日 13.
	checkWidths(t, f, "月度统计", []float64{10, 14, 6, 10, 12, 6, 8, 6, 8, 10, 8, 6, 6, 8, 6, 8, 6, 8, 6, 16, 15, 6})
	checkPanes(t, f, "月度统计", 2, 2, "C3")

	checkRows(t, f, "排名", false, [][]string{
		{"市供电公司 基层单位得分排名（2026年11月）"},
		{"名次", "部门代码", "部门", "得分", "办复率", "办结率", "及时率", "满意率"},
		{"1", "gdj-cx", "城西供电所", "91.2", "100.0%", "100.0%", "100.0%", "100.0%"},
		{"2", "gdj-cd", "城东供电所", "86.0", "88.9%", "77.8%", "75.0%", "85.7%"},
		{"2", "gdj-kf", "开发区供电所", "86.0", "50.0%", "50.0%", "100.0%", "0.0%"},
		{"—", "gdj-jl", "计量中心", "—", "—", "—", "—", "—"},
	})
	checkWidths(t, f, "排名", []float64{6, 10, 14, 6, 8, 8, 8, 8})
	checkPanes(t, f, "排名", 0, 2, "A3")

	checkRows(t, f, "每日", false, [][]string{
		{"市供电公司 每日受理与超期（2026年11月，截至 2026-11-03）"},
		{"日期", "受理", "超期"},
		{"2026-11-01", "5", "0"},
		{"2026-11-02", "7", "2"},
		{"2026-11-03", "4", "1"},
	})
	if got := rows(t, f, "每日", true)[2][0]; got != "46327" {
		t.Errorf("每日!A3 stored as %s, want 46327 (2026-11-01 as Excel counts days)", got)
	}
	if got := format(t, f, "每日", "A3"); got != "yyyy-mm-dd" {
		t.Errorf("每日!A3 is formatted %q", got)
	}
	checkWidths(t, f, "每日", []float64{12, 6, 6})
	checkPanes(t, f, "每日", 0, 2, "A3")

	checkRows(t, f, "督办", false, [][]string{
		{"市供电公司 本部门督办情况统计（2026年11月）"},
		{"部门代码", "部门", "工单", "催办工单", "催办次数", "督办工单", "已反馈", "在办", "超时", "退单", "已响应", "平均响应工作小时", "最长响应工作小时"},
		{"gdj-cd", "城东供电所", "3", "2", "3", "1", "1", "1", "1", "0", "2", "1.5", "2.3"},
		{"gdj-cx", "城西供电所", "0", "0", "0", "0", "0", "0", "0", "0", "0", "—", "—"},
		{"gdj", "合计", "4", "2", "3", "2", "1", "1", "1", "1", "2", "1.5", "2.3"},
	})
	checkWidths(t, f, "督办", []float64{10, 12, 6, 10, 10, 10, 8, 6, 6, 6, 8, 18, 18})
	checkPanes(t, f, "督办", 2, 2, "C3")

	// Two charts: the ranked sub-units' scores as bars, on 排名, and the
	// days as lines, on 每日.
	p := parts(t, buf.Bytes())
	bar, line := p["xl/charts/chart1.xml"], p["xl/charts/chart2.xml"]
	for _, want := range []string{"<barChart>", `<barDir val="bar">`, "<f>&#39;排名&#39;!$C$3:$C$5</f>", "<f>&#39;排名&#39;!$D$3:$D$5</f>", "<f>&#39;排名&#39;!$D$2</f>", "<a:t>得分</a:t>"} {
		if !strings.Contains(bar, want) {
			t.Errorf("the bar chart lacks %s:\n%s", want, bar)
		}
	}
	for _, want := range []string{"<lineChart>", "<f>&#39;每日&#39;!$A$3:$A$5</f>", "<f>&#39;每日&#39;!$B$3:$B$5</f>", "<f>&#39;每日&#39;!$C$3:$C$5</f>", "<f>&#39;每日&#39;!$B$2</f>", "<f>&#39;每日&#39;!$C$2</f>"} {
		if !strings.Contains(line, want) {
			t.Errorf("the line chart lacks %s:\n%s", want, line)
		}
	}
	if _, ok := p["xl/charts/chart3.xml"]; ok {
		t.Error("a third chart")
	}
	for sheet, drawing := range map[string]string{"排名": "xl/drawings/drawing1.xml", "每日": "xl/drawings/drawing2.xml"} {
		d := p[drawing]
		if !strings.Contains(d, "<c:chart ") {
			t.Errorf("%s: no chart in %s", sheet, drawing)
		}
	}
	if !strings.Contains(p["xl/worksheets/_rels/sheet2.xml.rels"], "drawing1.xml") || !strings.Contains(p["xl/worksheets/_rels/sheet3.xml.rels"], "drawing2.xml") {
		t.Errorf("charts not on 排名 and 每日: %q, %q", p["xl/worksheets/_rels/sheet2.xml.rels"], p["xl/worksheets/_rels/sheet3.xml.rels"])
	}
}

// TestMonthlyEmpty: a month without sub-units and days still makes every
// sheet, with no chart where there is nothing to draw.
func TestMonthlyEmpty(t *testing.T) {
	stats := complaint.Statistics{
		Period: complaint.Period{From: cn(t, "2026-02-01 00:00"), To: cn(t, "2026-03-01 00:00")},
		Unit:   complaint.Figures{Code: "gdj"},
		Note:   "2027 年的节假日安排未公布，按周一至周五计算",
	}
	var buf bytes.Buffer
	if err := Monthly(stats, nil, "市供电公司", &buf); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := f.GetSheetList(); len(got) != 4 {
		t.Fatalf("sheets %q", got)
	}
	checkRows(t, f, "排名", false, [][]string{{"市供电公司 基层单位得分排名（2026年2月）"}, {"名次", "部门代码", "部门", "得分", "办复率", "办结率", "及时率", "满意率"}})
	// The calendar's warning goes under the title, the table one row down.
	fig := rows(t, f, "月度统计", false)
	if len(fig) != 4 || !reflect.DeepEqual(fig[1], []string{"注：2027 年的节假日安排未公布，按周一至周五计算"}) || fig[2][0] != "部门代码" || fig[3][1] != "合计" {
		t.Errorf("月度统计 with a note: %q", fig)
	}
	checkPanes(t, f, "月度统计", 2, 3, "C4")
	for name := range parts(t, buf.Bytes()) {
		if strings.HasPrefix(name, "xl/charts/") {
			t.Errorf("a chart without data: %s", name)
		}
	}
}

// days is a Day for every date from from to to, both included, with
// received counting them from 1.
func days(tb testing.TB, from, to string) []complaint.Day {
	var out []complaint.Day
	for d, i := cn(tb, from+" 00:00"), 1; !d.After(cn(tb, to+" 00:00")); d, i = d.AddDate(0, 0, 1), i+1 {
		out = append(out, complaint.Day{Date: d, Received: i})
	}
	return out
}

func TestSoFar(t *testing.T) {
	stats := complaint.Statistics{Period: complaint.Period{From: cn(t, "2026-11-01 00:00"), To: cn(t, "2026-12-01 00:00")},
		Unit: complaint.Figures{Received: 7}, Days: days(t, "2026-11-01", "2026-11-30")}
	for _, c := range []struct {
		now  time.Time
		want int // days kept
	}{
		{cn(t, "2026-11-20 23:59"), 20},
		// 00:30 on the 21st in China is still the 20th in UTC.
		{cn(t, "2026-11-21 00:30").UTC(), 21},
		{cn(t, "2026-11-01 00:00"), 1},
		{cn(t, "2026-10-31 23:59"), 0},
		{cn(t, "2026-12-01 00:00"), 30},
		{cn(t, "2027-06-01 12:00"), 30},
	} {
		got := SoFar(stats, c.now)
		if len(got.Days) != c.want || (c.want > 0 && !got.Days[c.want-1].Date.Equal(stats.Days[c.want-1].Date)) {
			t.Errorf("SoFar at %v kept %d days, want %d", c.now, len(got.Days), c.want)
		}
		if got.Unit.Received != 7 || got.Period != stats.Period {
			t.Errorf("SoFar at %v changed the figures: %+v", c.now, got)
		}
	}
	// What is added to the days kept does not write over the days given.
	kept := SoFar(stats, cn(t, "2026-11-02 12:00"))
	_ = append(kept.Days, complaint.Day{Received: 99})
	if stats.Days[2].Received != 3 {
		t.Fatalf("appending to SoFar's days changed the third day: %+v", stats.Days[2])
	}
}

// The figures of a year, a day or any days are in the same workbook, its
// first sheet named for the period and every title naming it; days that
// run over a new year's day are charted with their years.
func TestFiguresOfAnyPeriod(t *testing.T) {
	for _, c := range []struct {
		from, to     string // the period's first and last day
		sheet, when  string
		book, axis   string
		shownThrough string // the last day of the days given
	}{
		{"2026-11-01", "2026-11-30", "月度统计", "2026年11月", "投诉办理情况月报", "m-d", "2026-11-30"},
		{"2026-01-01", "2026-12-31", "年度统计", "2026年，截至 2026-12-05", "投诉办理情况年报", "m-d", "2026-12-05"},
		{"2026-12-05", "2026-12-05", "日统计", "2026-12-05", "投诉办理情况统计", "m-d", "2026-12-05"},
		{"2025-12-20", "2026-01-10", "统计", "2025-12-20 至 2026-01-10", "投诉办理情况统计", "yyyy-m-d", "2026-01-10"},
		{"2025-12-20", "2026-01-10", "统计", "2025-12-20 至 2026-01-10，截至 2025-12-31", "投诉办理情况统计", "m-d", "2025-12-31"},
	} {
		from, last := cn(t, c.from+" 00:00"), cn(t, c.to+" 00:00")
		stats := complaint.Statistics{Period: complaint.Period{From: from, To: last.AddDate(0, 0, 1)},
			Unit: complaint.Figures{Code: "gdj", Received: 3}, Days: days(t, c.from, c.shownThrough)}
		var buf bytes.Buffer
		if err := Monthly(stats, []complaint.Oversight{{Code: "gdj"}}, "市供电公司", &buf); err != nil {
			t.Fatal(err)
		}
		if got := FiguresSheet(stats.Period); got != c.sheet {
			t.Errorf("%s–%s: FiguresSheet %q, want %q", c.from, c.to, got, c.sheet)
		}
		f := open(t, buf.Bytes())
		if got, want := f.GetSheetList(), []string{c.sheet, "排名", "每日", "督办"}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s–%s: sheets %q, want %q", c.from, c.to, got, want)
			continue
		}
		period := strings.SplitN(c.when, "，", 2)[0]
		if got := rows(t, f, c.sheet, false)[0][0]; got != "市供电公司 投诉办理情况统计（"+period+"）" {
			t.Errorf("%s–%s: title %q", c.from, c.to, got)
		}
		day := rows(t, f, "每日", false)
		if day[0][0] != "市供电公司 每日受理与超期（"+c.when+"）" || day[len(day)-1][0] != c.shownThrough {
			t.Errorf("%s–%s: 每日 %q … %q", c.from, c.to, day[0], day[len(day)-1])
		}
		p := parts(t, buf.Bytes())
		if want := "<dc:title>市供电公司 " + c.book + "（" + period + "）</dc:title>"; !strings.Contains(p["docProps/core.xml"], want) {
			t.Errorf("%s–%s: the workbook's title is not %s", c.from, c.to, want)
		}
		// The category axis (at the bottom) shows the dates in this format.
		if want := `<axPos val="b"></axPos><numFmt formatCode="` + c.axis + `"`; !strings.Contains(p["xl/charts/chart1.xml"], want) {
			t.Errorf("%s–%s: the days' axis is not formatted %s", c.from, c.to, c.axis)
		}
	}
}

func TestRanking(t *testing.T) {
	f := func(code string, score float64, has bool) complaint.Figures {
		return complaint.Figures{Code: code, Score: score, HasScore: has}
	}
	got := ranking([]complaint.Figures{f("e", 0, false), f("d", 70, true), f("c", 90.04, true), f("b", 89.96, true), f("a", 70, true), f("f", 100, true), f("0", 0, false)})
	var s []string
	for _, p := range got {
		s = append(s, p.f.Code+":"+strconv.Itoa(p.place))
	}
	// 90.04 and 89.96 both show as 90.0: one place, by code.
	if want := "f:1 b:2 c:2 a:4 d:4 0:0 e:0"; strings.Join(s, " ") != want {
		t.Errorf("ranking %s, want %s", strings.Join(s, " "), want)
	}
}

func TestPeriodLabel(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"2026-11-01 00:00", "2026-12-01 00:00", "2026年11月"},
		{"2026-12-01 00:00", "2027-01-01 00:00", "2026年12月"},
		{"2026-01-01 00:00", "2027-01-01 00:00", "2026年"},
		{"2026-12-03 00:00", "2026-12-04 00:00", "2026-12-03"},
		{"2026-11-03 00:00", "2026-11-21 00:00", "2026-11-03 至 2026-11-20"},
		{"2026-11-03 08:30", "2026-11-04 00:00", "2026-11-03 08:30 至 2026-11-04 00:00"},
	} {
		p := complaint.Period{From: cn(t, c.from), To: cn(t, c.to)}
		if got := PeriodLabel(p); got != c.want {
			t.Errorf("PeriodLabel(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
	// Instants given in UTC are read in China.
	p := complaint.Period{From: cn(t, "2026-11-01 00:00").UTC(), To: cn(t, "2026-12-01 00:00").UTC()}
	if got := PeriodLabel(p); got != "2026年11月" {
		t.Errorf("a UTC month: %q", got)
	}
}

// closedDay is 2026-12-03's closed tickets: one whose title is a formula,
// whose caller's name holds an escape sequence and whose reply runs over
// lines; one whose reply is in the record sheet's parts only; one not
// surveyed.
func closedDay(tb testing.TB) []complaint.Ticket {
	closed := func(at string) []complaint.Event {
		return []complaint.Event{{Kind: complaint.KindClose, At: cn(tb, at), To: complaint.Closed}}
	}
	return []complaint.Ticket{
		{Number: "20261201000007", Title: `=HYPERLINK("http://x","点我")`, Caller: "张\x1b[31m先生", Subunit: "gdj-cd", Unit: "gdj",
			ReceivedAt: cn(tb, "2026-12-01 09:15"), State: complaint.Closed, Satisfaction: complaint.Satisfied,
			Reply: &complaint.Reply{Text: "经核查，线路老化。\n已于12月2日更换。"}, Events: closed("2026-12-03 10:05")},
		{Number: "20261202000012", Title: "𠮷祥小区电费突然上涨一倍", Caller: "+86 138", Subunit: "gdj-jl", Unit: "gdj",
			ReceivedAt: cn(tb, "2026-12-02 14:00"), State: complaint.Closed, Satisfaction: complaint.FairlySatisfied,
			Reply: &complaint.Reply{Findings: "电表正常", CitizenOpinion: "认可"}, Events: closed("2026-12-03 16:30")},
		{Number: "0012", Title: "停电", Caller: "李女士", Unit: "gdj",
			ReceivedAt: cn(tb, "2026-12-02 20:00"), State: complaint.Closed, Events: closed("2026-12-03 17:45")},
	}
}

func names(code string) string {
	return map[string]string{"gdj": "市供电公司", "gdj-cd": "城东供电所", "gdj-jl": "计量中心"}[code]
}

func TestDaily(t *testing.T) {
	var buf bytes.Buffer
	if err := Daily(closedDay(t), cn(t, "2026-12-03 18:00"), "市供电公司", names, &buf); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"日报"}) {
		t.Fatalf("sheets %q", got)
	}
	head := []string{"序号", "工单编号", "标题", "来电人", "承办部门", "受理时间", "办结时间", "满意度", "回复内容"}
	checkRows(t, f, "日报", false, [][]string{
		{"市供电公司 办结工单日报（2026-12-03）"},
		{"共办结 3 件：满意 1 件，基本满意 1 件，不满意 0 件，未回访 1 件"},
		head,
		{"1", "20261201000007", `=HYPERLINK("http://x","点我")`, "张␛[31m先生", "城东供电所", "2026-12-01 09:15", "2026-12-03 10:05", "满意", "经核查，线路老化。\n已于12月2日更换。"},
		{"2", "20261202000012", "𠮷祥小区电费突然上涨一倍", "+86 138", "计量中心", "2026-12-02 14:00", "2026-12-03 16:30", "基本满意", "处理情况：电表正常\n客户意见：认可"},
		{"3", "0012", "停电", "李女士", "市供电公司", "2026-12-02 20:00", "2026-12-03 17:45"},
	})
	// The times are China's wall clock as Excel serials: 2026-12-01 09:15
	// is day 46357 and 37/96 of a day, rounded to Excel's 15 digits (not
	// cut, which LibreOffice would show as 09:14).
	if got := rows(t, f, "日报", true)[3][5]; got != "46357.3854166667" {
		t.Errorf("日报!F4 stored as %s", got)
	}
	if got := format(t, f, "日报", "G4"); got != "yyyy-mm-dd hh:mm" {
		t.Errorf("日报!G4 formatted %q", got)
	}

	// The formula-like title is a string, not a formula.
	if got, err := f.GetCellFormula("日报", "C4"); err != nil || got != "" {
		t.Errorf("日报!C4 has the formula %q, %v", got, err)
	}
	if typ, _ := f.GetCellType("日报", "C4"); typ != excelize.CellTypeSharedString {
		t.Errorf("日报!C4 is of type %v, want a shared string", typ)
	}
	sheet := parts(t, buf.Bytes())["xl/worksheets/sheet1.xml"]
	if strings.Contains(sheet, "<f>") || strings.Contains(sheet, "<f ") {
		t.Errorf("the sheet holds a formula:\n%s", sheet)
	}

	// 序号 6 (at least), 工单编号 14+2, 标题 29+2 (the formula-like one;
	// 𠮷祥小区… is 24, 𠮷 two cells), 来电人 张␛[31m先生 11+2 (␛ is one),
	// 承办部门 10+2, times 16+2, 满意度 8+2 (基本满意), the reply 18+2 (its
	// longest line, 经核查，线路老化。).
	checkWidths(t, f, "日报", []float64{6, 16, 31, 13, 12, 18, 18, 10, 20})
	checkPanes(t, f, "日报", 2, 3, "C4")
	// The two-line replies make their rows two lines tall; the others keep
	// the default height.
	for row, want := range map[int]float64{4: 32, 5: 32, 6: 15} {
		if got, _ := f.GetRowHeight("日报", row); got != want {
			t.Errorf("日报 row %d is %v points high, want %v", row, got, want)
		}
	}
	id, _ := f.GetCellStyle("日报", "I4")
	if s, _ := f.GetStyle(id); s.Alignment == nil || !s.Alignment.WrapText {
		t.Errorf("the reply does not wrap: %+v", s.Alignment)
	}
}

func TestDailyEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Daily(nil, cn(t, "2026-12-05 00:00"), "市供电公司", nil, &buf); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	checkRows(t, f, "日报", false, [][]string{
		{"市供电公司 办结工单日报（2026-12-05）"},
		{"当日无办结工单"},
		{"序号", "工单编号", "标题", "来电人", "承办部门", "受理时间", "办结时间", "满意度", "回复内容"},
	})
}

func TestMonthlyCSV(t *testing.T) {
	stats, _ := november(t)
	stats.Subunits = stats.Subunits[2:]
	var buf bytes.Buffer
	if err := MonthlyCSV(stats, &buf); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF部门代码,部门,受理,按时签收,签收及时率,办复,办复率,办结,办结率,按时办复,及时率,回访,满意,满意率,退单,退单率,重办,重办率,延期,平均办理工作日,90%办理工作日,得分\r\n" +
		"gdj-kf,开发区供电所,2,1,50.0%,1,50.0%,1,50.0%,1,100.0%,1,0,0.0%,0,0.0%,0,0.0%,1,4.0,4.0,86.0\r\n" +
		"gdj-jl,计量中心,0,0,—,0,—,0,—,0,—,0,0,—,0,—,0,—,0,—,—,—\r\n" +
		"gdj,合计,16,14,87.5%,13,86.7%,12,80.0%,11,84.6%,12,10,83.3%,1,6.3%,1,7.7%,3,2.1,4.0,87.5\r\n"
	if got := buf.String(); got != want {
		t.Errorf("monthly CSV\n got %q\nwant %q", got, want)
	}
}

func TestDailyCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := DailyCSV(closedDay(t), names, &buf); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF序号,工单编号,标题,来电人,承办部门,受理时间,办结时间,满意度,回复内容\r\n" +
		"1,\"\t20261201000007\",\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",张␛[31m先生,城东供电所,2026-12-01 09:15,2026-12-03 10:05,满意,\"经核查，线路老化。\r\n已于12月2日更换。\"\r\n" +
		"2,\"\t20261202000012\",𠮷祥小区电费突然上涨一倍,'+86 138,计量中心,2026-12-02 14:00,2026-12-03 16:30,基本满意,\"处理情况：电表正常\r\n客户意见：认可\"\r\n" +
		"3,\"\t0012\",停电,李女士,市供电公司,2026-12-02 20:00,2026-12-03 17:45,,\r\n"
	if got := buf.String(); got != want {
		t.Errorf("daily CSV\n got %q\nwant %q", got, want)
	}
}

func TestCSVField(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+2", "'=1+2"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"a=1", "a=1"}, {"", ""}, {"12345678901", "12345678901"}, {"123456789012", "\t123456789012"},
		{"0571", "\t0571"}, {"0", "\t0"}, {"1", "1"}, {"１２３", "１２３"},
	} {
		if got := csvField(str(c.in)); got != c.want {
			t.Errorf("csvField(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Numbers the report computed are not text: never guarded.
	if got := csvField(num(-1)); got != "-1" {
		t.Errorf("csvField(-1) = %q", got)
	}
}

// TestLibreOffice: LibreOffice opens both reports and prints them to PDF,
// with their Chinese titles and figures.
func TestLibreOffice(t *testing.T) {
	lo := testenv.Command(t, "libreoffice", "libreoffice-calc-nogui")
	pdftotext := testenv.Command(t, "pdftotext", "poppler-utils")
	dir := t.TempDir()
	stats, over := november(t)
	var monthly, daily bytes.Buffer
	if err := Monthly(stats, over, "市供电公司", &monthly); err != nil {
		t.Fatal(err)
	}
	if err := Daily(closedDay(t), cn(t, "2026-12-03 18:00"), "市供电公司", names, &daily); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"月报-2026-11.xlsx": monthly.Bytes(), "日报-2026-12-03.xlsx": daily.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A profile of its own, so that a LibreOffice the user has open does
	// not take the job, and the test leaves no profile behind.
	profile := "-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile"))
	cmd := exec.Command(lo, profile, "--headless", "--convert-to", "pdf", "--outdir", dir,
		filepath.Join(dir, "月报-2026-11.xlsx"), filepath.Join(dir, "日报-2026-12-03.xlsx"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	for pdf, wants := range map[string][]string{
		"月报-2026-11.pdf":    {"市供电公司 投诉办理情况统计（2026年11月）", "基层单位得分排名", "每日受理与超期", "本部门督办情况统计", "开发区供电所", "85.7%"},
		"日报-2026-12-03.pdf": {"市供电公司 办结工单日报（2026-12-03）", "共办结 3 件", `=HYPERLINK("http://x","点我")`, "𠮷祥小区", "2026-12-01 09:15", "2026-12-03 10:05"},
	} {
		text, err := exec.Command(pdftotext, "-layout", filepath.Join(dir, pdf), "-").Output()
		if err != nil {
			t.Fatalf("%s: %v (libreoffice said %s)", pdf, err, out)
		}
		for _, want := range wants {
			if !strings.Contains(string(text), want) {
				t.Errorf("%s lacks %q:\n%s", pdf, want, text)
			}
		}
	}
}

// BenchmarkDaily writes the daily report of a heavy day: 300 tickets
// with replies of 600 characters.
func BenchmarkDaily(b *testing.B) {
	day := closedDay(b)
	reply := strings.Repeat("经核查，该户电表运行正常，已向市民解释阶梯电价的计算方法。\n", 20)
	var tickets []complaint.Ticket
	for i := range 300 {
		tk := day[i%len(day)]
		tk.Reply = &complaint.Reply{Text: reply}
		tickets = append(tickets, tk)
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Daily(tickets, cn(b, "2026-12-03 00:00"), "市供电公司", names, &buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/report")
}

// BenchmarkMonthly writes the monthly report of a unit of 40 sub-units.
func BenchmarkMonthly(b *testing.B) {
	stats, over := november(b)
	subs := stats.Subunits
	stats.Subunits = nil
	for i := range 40 {
		f := subs[i%len(subs)]
		f.Code = fmt.Sprintf("s%02d", i)
		stats.Subunits = append(stats.Subunits, f)
	}
	for i := range 30 {
		stats.Days = append(stats.Days, complaint.Day{Date: cn(b, "2026-11-01 00:00").AddDate(0, 0, i), Received: i, Missed: i % 3})
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Monthly(stats, over, "市供电公司", &buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/report")
}
