package report

import (
	"cmp"
	"io"
	"math"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"hotline/complaint"
)

// The sheets of the reports. The first sheet of the figures is named for
// the period they cover (see FiguresSheet): SheetFigures for a month.
const (
	SheetFigures     = "月度统计"
	SheetFiguresYear = "年度统计"
	SheetFiguresDay  = "日统计"
	SheetFiguresDays = "统计" // any other days: a period typed as its dates
	SheetRanking     = "排名"
	SheetDays        = "每日"
	SheetOversight   = "督办"
	SheetDaily       = "日报"
)

// FiguresSheet is the name of the first sheet of Monthly's workbook for
// the figures of p: 月度统计 for a calendar month, 年度统计 for a year,
// 日统计 for a day, 统计 for any other period.
func FiguresSheet(p complaint.Period) string {
	switch spanOf(p) {
	case spanMonth:
		return SheetFigures
	case spanYear:
		return SheetFiguresYear
	case spanDay:
		return SheetFiguresDay
	}
	return SheetFiguresDays
}

// bookTitle is the workbook's own title, in its properties: the monthly
// report (月报), the yearly one (年报), or the figures (统计) of a day or of
// any other days (日报 is the report of a day's closed tickets: Daily).
func bookTitle(p complaint.Period) string {
	switch spanOf(p) {
	case spanMonth:
		return "投诉办理情况月报"
	case spanYear:
		return "投诉办理情况年报"
	}
	return "投诉办理情况统计"
}

// SoFar is stats without its days after now's day in China. The days of a
// period that runs past now (this month, this year) have not all come: a
// day to come would show as a day without tickets, so the days' table and
// chart stop at today, and their title says so. The figures are left as
// they are: they count what has happened.
func SoFar(stats complaint.Statistics, now time.Time) complaint.Statistics {
	y, m, d := now.In(china).Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, china)
	n := 0
	for n < len(stats.Days) && stats.Days[n].Date.Before(tomorrow) {
		n++
	}
	stats.Days = stats.Days[:n:n]
	return stats
}

// totalName names the row of the whole unit.
const totalName = "合计"

// figureColumns are the columns of the figures table: every figure of
// complaint.Figures, in the order of the statistics screen, each rate after
// the count it is made of.
var figureColumns = []struct {
	head string
	get  func(complaint.Figures) value
}{
	{"受理", func(f complaint.Figures) value { return num(f.Received) }},
	{"按时签收", func(f complaint.Figures) value { return num(f.SignedOnTime) }},
	{"签收及时率", func(f complaint.Figures) value { return rate(f.SignRate) }},
	{"办复", func(f complaint.Figures) value { return num(f.Replied) }},
	{"办复率", func(f complaint.Figures) value { return rate(f.ReplyRate) }},
	{"办结", func(f complaint.Figures) value { return num(f.Closed) }},
	{"办结率", func(f complaint.Figures) value { return rate(f.CloseRate) }},
	{"按时办复", func(f complaint.Figures) value { return num(f.OnTime) }},
	{"及时率", func(f complaint.Figures) value { return rate(f.OnTimeRate) }},
	{"回访", func(f complaint.Figures) value { return num(f.Surveyed) }},
	{"满意", func(f complaint.Figures) value { return num(f.Satisfied) }},
	{"满意率", func(f complaint.Figures) value { return rate(f.SatisfactionRate) }},
	{"退单", func(f complaint.Figures) value { return num(f.Returned) }},
	{"退单率", func(f complaint.Figures) value { return rate(f.ReturnRate) }},
	{"重办", func(f complaint.Figures) value { return num(f.Reopened) }},
	{"重办率", func(f complaint.Figures) value { return rate(f.ReopenRate) }},
	{"延期", func(f complaint.Figures) value { return num(f.Extended) }},
	// The handling time is that of the tickets fed back: none when none was.
	{"平均办理工作日", func(f complaint.Figures) value { return dec(f.AvgDays, f.Replied > 0) }},
	{"90%办理工作日", func(f complaint.Figures) value { return dec(f.P90Days, f.Replied > 0) }},
	{"得分", func(f complaint.Figures) value { return dec(f.Score, f.HasScore) }},
}

func nameOf(code, name string) string { return cmp.Or(name, code) }

// figures is the table of every figure: a row per sub-unit, in the order
// given, then the whole unit's.
func figures(stats complaint.Statistics) table {
	t := table{head: []string{"部门代码", "部门"}}
	for _, c := range figureColumns {
		t.head = append(t.head, c.head)
	}
	row := func(f complaint.Figures, name string) []value {
		vs := []value{str(f.Code), str(name)}
		for _, c := range figureColumns {
			vs = append(vs, c.get(f))
		}
		return vs
	}
	for _, f := range stats.Subunits {
		t.rows = append(t.rows, row(f, nameOf(f.Code, f.Name)))
	}
	t.rows = append(t.rows, row(stats.Unit, totalName))
	return t
}

// place is a sub-unit's place in the ranking; 0 when it has no score.
type place struct {
	f     complaint.Figures
	place int
}

// ranking orders the sub-units by score, highest first, equal scores by
// code. Scores are compared as shown, to one decimal, and equal ones share
// a place (1, 2, 2, 4), so that no leader is shown two equal scores in
// different places. Sub-units without a score come last, by code.
func ranking(subs []complaint.Figures) []place {
	tenths := func(f complaint.Figures) float64 { return math.Round(f.Score * 10) }
	var scored, unscored []complaint.Figures
	for _, f := range subs {
		if f.HasScore {
			scored = append(scored, f)
		} else {
			unscored = append(unscored, f)
		}
	}
	slices.SortStableFunc(scored, func(a, b complaint.Figures) int {
		return cmp.Or(cmp.Compare(tenths(b), tenths(a)), cmp.Compare(a.Code, b.Code))
	})
	slices.SortStableFunc(unscored, func(a, b complaint.Figures) int { return cmp.Compare(a.Code, b.Code) })
	out := make([]place, 0, len(subs))
	for i, f := range scored {
		p := i + 1
		if i > 0 && tenths(f) == tenths(scored[i-1]) {
			p = out[i-1].place
		}
		out = append(out, place{f, p})
	}
	for _, f := range unscored {
		out = append(out, place{f, 0})
	}
	return out
}

// Monthly writes the monthly report (月报) as .xlsx: every figure per
// sub-unit and for the whole unit (月度统计), the sub-units ranked by score
// with a bar chart (排名), the days' volume and missed deadlines with a line
// chart (每日), and the supervision figures (督办). oversight holds
// complaint.Supervise's sub-unit rows and then its whole-unit row, whose
// code is stats.Unit.Code. unitName heads every sheet.
//
// The same workbook holds the figures of any period: the first sheet is
// then named for it (FiguresSheet: 年度统计, 日统计, 统计), and every title
// names the period. The days are those of stats.Days: pass SoFar's for a
// period that runs past now.
func Monthly(stats complaint.Statistics, oversight []complaint.Oversight, unitName string, w io.Writer) error {
	b := newBook()
	when := PeriodLabel(stats.Period)

	s := b.add(FiguresSheet(stats.Period))
	t := figures(stats)
	s.line(1, title(unitName, "投诉办理情况统计", when), heading)
	top := 2
	if stats.Note != "" {
		// The calendar's warning: some working days were guessed.
		s.line(2, "注："+stats.Note, note)
		top = 3
	}
	s.table(top, t, func(i int) bool { return i == len(t.rows)-1 })
	s.freeze(top, 2)
	s.fit()
	s.landscape()

	rankSheet(b, stats, unitName, when)
	daysSheet(b, stats, unitName, when)

	s = b.add(SheetOversight)
	t = oversightTable(oversight, stats.Unit.Code)
	s.line(1, title(unitName, "本部门督办情况统计", when), heading)
	s.table(2, t, func(i int) bool { return oversight[i].Code == stats.Unit.Code })
	s.freeze(2, 2)
	s.fit()
	s.landscape()

	return b.write(w, title(unitName, bookTitle(stats.Period), when))
}

func rankSheet(b *book, stats complaint.Statistics, unitName, when string) {
	s := b.add(SheetRanking)
	t := table{head: []string{"名次", "部门代码", "部门", "得分", "办复率", "办结率", "及时率", "满意率"}}
	scored := 0
	for _, p := range ranking(stats.Subunits) {
		f := p.f
		pl := num(p.place)
		if p.place == 0 {
			pl = value{kind: count, none: true}
		} else {
			scored++
		}
		t.rows = append(t.rows, []value{pl, str(f.Code), str(nameOf(f.Code, f.Name)), dec(f.Score, f.HasScore),
			rate(f.ReplyRate), rate(f.CloseRate), rate(f.OnTimeRate), rate(f.SatisfactionRate)})
	}
	s.line(1, title(unitName, "基层单位得分排名", when), heading)
	s.table(2, t, nil)
	s.freeze(2, 0)
	s.fit()
	s.landscape()
	if scored == 0 {
		return
	}
	// Rank 1 on top: bar charts draw their first category at the bottom
	// unless the category axis is reversed.
	lo, hi, one := 0.0, 100.0, false // one colour: the bars are one series
	b.keep(b.f.AddChart(s.name, cell(len(t.head)+2, 2), &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       "'" + s.name + "'!$D$2",
			Categories: s.ref(3, 3, 2+scored),
			Values:     s.ref(4, 3, 2+scored),
		}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "得分"}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: &one,
		XAxis:      excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:      excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorGridLines: true, Font: axisFont},
		PlotArea:   excelize.ChartPlotArea{ShowVal: true},
		Dimension:  excelize.ChartDimension{Width: 560, Height: uint(max(280, 60+32*scored))},
	}))
}

// axisFont makes the axes' labels readable in print: excelize's default
// is a pale grey.
var axisFont = excelize.Font{Size: 10, Color: "404040"}

func daysSheet(b *book, stats complaint.Statistics, unitName, when string) {
	s := b.add(SheetDays)
	t := table{head: []string{"日期", "受理", "超期"}}
	for _, d := range stats.Days {
		t.rows = append(t.rows, []value{day(d.Date), num(d.Received), num(d.Missed)})
	}
	n := len(stats.Days)
	if n > 0 && stats.Days[n-1].Date.In(china).AddDate(0, 0, 1).Before(stats.Period.To) {
		// SoFar stopped the days before the period's end.
		when += "，截至 " + stats.Days[n-1].Date.In(china).Format("2006-01-02")
	}
	s.line(1, title(unitName, "每日受理与超期", when), heading)
	s.table(2, t, nil)
	s.freeze(2, 0)
	s.fit()
	s.landscape()
	if n == 0 {
		return
	}
	// The axis shows month and day, and the year too when the days run
	// over a new year's day, so that no two days read the same.
	axis := "m-d"
	if stats.Days[0].Date.In(china).Year() != stats.Days[n-1].Date.In(china).Year() {
		axis = "yyyy-m-d"
	}
	series := func(col int) excelize.ChartSeries {
		return excelize.ChartSeries{
			Name:       "'" + s.name + "'!$" + colName(col) + "$2",
			Categories: s.ref(1, 3, 2+n),
			Values:     s.ref(col, 3, 2+n),
		}
	}
	b.keep(b.f.AddChart(s.name, cell(len(t.head)+2, 2), &excelize.Chart{
		Type:      excelize.Line,
		Series:    []excelize.ChartSeries{series(2), series(3)},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "每日受理与超期"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: axis}, Font: axisFont},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 720, Height: 320},
	}))
}

// oversightTable is a row per group of oversight, in the order given; the
// row of the unit's code is the total. The columns are the statistics
// screen's.
func oversightTable(groups []complaint.Oversight, unit string) table {
	t := table{head: []string{"部门代码", "部门", "工单", "催办工单", "催办次数", "督办工单", "已反馈", "在办", "超时", "退单", "已响应", "平均响应工作小时", "最长响应工作小时"}}
	for _, o := range groups {
		name := nameOf(o.Code, o.Name)
		if o.Code == unit {
			name = totalName
		}
		acted := o.Acted > 0
		t.rows = append(t.rows, []value{str(o.Code), str(name), num(o.Tickets), num(o.Urged), num(o.Urges), num(o.Supervised),
			num(o.FedBack), num(o.Open), num(o.Overdue), num(o.Returned), num(o.Acted), dec(o.AvgActHours, acted), dec(o.MaxActHours, acted)})
	}
	return t
}
