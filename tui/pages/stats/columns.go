package stats

import (
	"fmt"
	"strconv"
	"strings"

	"hotline/complaint"
	"hotline/tui/components/chart"
)

// column is one figure of the table: how its cells read, how its bars are
// drawn, and how the detail line tells it for the row under the cursor.
type column struct {
	title string
	text  func(row int) string // the cell
	// bar is the row's value for the chart and what is printed beside
	// it; none is a value that does not exist (a rate of nothing).
	bar func(row int) (v float64, text string, none bool)
	top float64 // the value of a full bar; 0 for the largest
	// detail tells the row's figure with what it is made of.
	detail func(row int) string
	// rate is the figure's rate, for the detail line's list of rates;
	// nil for a count.
	rate func(row int) complaint.Rate
}

// A handling figure, as a count, a rate, or a number of working days or
// points.
type figure struct {
	title string
	count func(complaint.Figures) int
	rate  func(complaint.Figures) complaint.Rate
	// of names the rate's numerator and denominator, as the README
	// defines them.
	of     string
	days   func(complaint.Figures) (float64, bool)
	score  bool
	detail string // what the detail line calls the figure, when not its title
}

// handlingFigures are the columns of 投诉办理情况统计, in the order of the
// procedure; their definitions are complaint.Compute's.
var handlingFigures = []figure{
	{title: "受理", count: func(f complaint.Figures) int { return f.Received }},
	{title: "按时签收", count: func(f complaint.Figures) int { return f.SignedOnTime }},
	{title: "签收及时率", rate: func(f complaint.Figures) complaint.Rate { return f.SignRate }, of: "按时签收/受理"},
	{title: "办复", count: func(f complaint.Figures) int { return f.Replied }},
	{title: "办复率", rate: func(f complaint.Figures) complaint.Rate { return f.ReplyRate }, of: "办复/(受理−退单)"},
	{title: "办结", count: func(f complaint.Figures) int { return f.Closed }},
	{title: "办结率", rate: func(f complaint.Figures) complaint.Rate { return f.CloseRate }, of: "办结/(受理−退单)"},
	{title: "按时办复", count: func(f complaint.Figures) int { return f.OnTime }},
	{title: "及时率", rate: func(f complaint.Figures) complaint.Rate { return f.OnTimeRate }, of: "按时办复/办复"},
	{title: "回访", count: func(f complaint.Figures) int { return f.Surveyed }},
	{title: "满意", count: func(f complaint.Figures) int { return f.Satisfied }},
	{title: "满意率", rate: func(f complaint.Figures) complaint.Rate { return f.SatisfactionRate }, of: "满意/回访"},
	{title: "退单", count: func(f complaint.Figures) int { return f.Returned }},
	{title: "退单率", rate: func(f complaint.Figures) complaint.Rate { return f.ReturnRate }, of: "退单/受理"},
	{title: "重办", count: func(f complaint.Figures) int { return f.Reopened }},
	{title: "重办率", rate: func(f complaint.Figures) complaint.Rate { return f.ReopenRate }, of: "重办/办复"},
	{title: "延期", count: func(f complaint.Figures) int { return f.Extended }},
	{title: "平均天数", detail: "平均办理工作日", days: func(f complaint.Figures) (float64, bool) { return f.AvgDays, f.Replied > 0 }},
	{title: "90%天数", detail: "90%办理工作日", days: func(f complaint.Figures) (float64, bool) { return f.P90Days, f.Replied > 0 }},
	{title: "得分", score: true},
}

// none is a figure that has no value: a rate of nothing, an average of no
// tickets.
const none = "—"

// handlingColumns are the columns over rows, the sub-units then the unit.
func handlingColumns(rows []complaint.Figures) []column {
	out := make([]column, 0, len(handlingFigures))
	for _, fg := range handlingFigures {
		c := column{title: fg.title}
		name := fg.title
		if fg.detail != "" {
			name = fg.detail
		}
		switch {
		case fg.count != nil:
			c.text = func(i int) string { return strconv.Itoa(fg.count(rows[i])) }
			c.bar = func(i int) (float64, string, bool) {
				n := fg.count(rows[i])
				return float64(n), strconv.Itoa(n), false
			}
			c.detail = func(i int) string { return fmt.Sprintf("%s %d 件", name, fg.count(rows[i])) }
		case fg.rate != nil:
			c.top = 1
			c.rate = func(i int) complaint.Rate { return fg.rate(rows[i]) }
			c.text = func(i int) string { return fg.rate(rows[i]).String() }
			c.bar = func(i int) (float64, string, bool) {
				r := fg.rate(rows[i])
				v, ok := r.Value()
				return v, fraction(r) + " " + r.String(), !ok
			}
			c.detail = func(i int) string {
				r := fg.rate(rows[i])
				return fmt.Sprintf("%s %s = %s（%s）", name, r.String(), fraction(r), fg.of)
			}
		case fg.days != nil:
			c.text = func(i int) string { return days(fg.days(rows[i])) }
			c.bar = func(i int) (float64, string, bool) {
				v, ok := fg.days(rows[i])
				return v, days(v, ok), !ok
			}
			c.detail = func(i int) string {
				v, ok := fg.days(rows[i])
				return fmt.Sprintf("%s %s（办复 %d 件）", name, days(v, ok), rows[i].Replied)
			}
		case fg.score:
			c.top = 100
			c.text = func(i int) string { return score(rows[i]) }
			c.bar = func(i int) (float64, string, bool) {
				return rows[i].Score, score(rows[i]), !rows[i].HasScore
			}
			c.detail = func(i int) string { return "得分 " + score(rows[i]) + "（按设置的权重）" }
		}
		out = append(out, c)
	}
	return out
}

// fraction is a rate's numerator over its denominator: "45/50".
func fraction(r complaint.Rate) string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

func days(v float64, ok bool) string {
	if !ok {
		return none
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func score(f complaint.Figures) string {
	if !f.HasScore {
		return none
	}
	return strconv.FormatFloat(f.Score, 'f', 1, 64)
}

// rates lists every rate of row i with what it is made of, but the one
// of column skip: "办复率 45/50 办结率 40/50 …".
func rates(cols []column, i, skip int) string {
	var b strings.Builder
	for j, c := range cols {
		if c.rate == nil || j == skip {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString(c.title + " " + fraction(c.rate(i)))
	}
	return b.String()
}

// An oversight figure: a count, or working hours.
type oversightFigure struct {
	title  string
	detail string
	count  func(complaint.Oversight) int
	hours  func(complaint.Oversight) (float64, bool)
}

// oversightFigures are the columns of 本部门督办情况统计; their definitions
// are complaint.Supervise's.
var oversightFigures = []oversightFigure{
	{title: "工单", detail: "催办或督办的工单", count: func(o complaint.Oversight) int { return o.Tickets }},
	{title: "催办件", detail: "催办工单", count: func(o complaint.Oversight) int { return o.Urged }},
	{title: "催办次", detail: "催办次数", count: func(o complaint.Oversight) int { return o.Urges }},
	{title: "督办件", detail: "督办工单", count: func(o complaint.Oversight) int { return o.Supervised }},
	{title: "已反馈", detail: "现已反馈或办结", count: func(o complaint.Oversight) int { return o.FedBack }},
	{title: "在办", detail: "仍在办理、未超时", count: func(o complaint.Oversight) int { return o.Open }},
	{title: "超时", detail: "仍在办理、已超时", count: func(o complaint.Oversight) int { return o.Overdue }},
	{title: "退单", detail: "已退回中心或离开本单位", count: func(o complaint.Oversight) int { return o.Returned }},
	{title: "已响应", detail: "催办督办后已有行动（次）", count: func(o complaint.Oversight) int { return o.Acted }},
	{title: "平均响应", detail: "平均响应", hours: func(o complaint.Oversight) (float64, bool) { return o.AvgActHours, o.Acted > 0 }},
	{title: "最长响应", detail: "最长响应", hours: func(o complaint.Oversight) (float64, bool) { return o.MaxActHours, o.Acted > 0 }},
}

// oversightColumns are the columns over rows, the sub-units then the unit.
func oversightColumns(rows []complaint.Oversight) []column {
	out := make([]column, 0, len(oversightFigures))
	for _, fg := range oversightFigures {
		c := column{title: fg.title}
		if fg.count != nil {
			c.text = func(i int) string { return strconv.Itoa(fg.count(rows[i])) }
			c.bar = func(i int) (float64, string, bool) {
				n := fg.count(rows[i])
				return float64(n), strconv.Itoa(n), false
			}
			c.detail = func(i int) string { return fmt.Sprintf("%s %d", fg.detail, fg.count(rows[i])) }
		} else {
			c.text = func(i int) string { return hours(fg.hours(rows[i])) }
			c.bar = func(i int) (float64, string, bool) {
				v, ok := fg.hours(rows[i])
				return v, hours(v, ok), !ok
			}
			c.detail = func(i int) string {
				v, ok := fg.hours(rows[i])
				return fmt.Sprintf("%s %s（已响应 %d 次，按工作时间计）", fg.detail, hours(v, ok), rows[i].Acted)
			}
		}
		out = append(out, c)
	}
	return out
}

// outcome is what came of row i's urged and supervised tickets, for the
// detail line.
func outcome(o complaint.Oversight) string {
	return fmt.Sprintf("工单 %d：催办 %d 件 %d 次  督办 %d 件  结果：已反馈 %d 在办 %d 超时 %d 退单 %d  响应 %d 次 平均 %s 最长 %s",
		o.Tickets, o.Urged, o.Urges, o.Supervised, o.FedBack, o.Open, o.Overdue, o.Returned, o.Acted,
		hours(o.AvgActHours, o.Acted > 0), hours(o.MaxActHours, o.Acted > 0))
}

func hours(v float64, ok bool) string {
	if !ok {
		return none
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "时"
}

// bars are column c's bars, one a sub-unit (the first n rows), labelled by
// the sub-units' names.
func bars(c column, labels []string, n int) []chart.Bar {
	out := make([]chart.Bar, n)
	for i := range n {
		v, text, none := c.bar(i)
		out[i] = chart.Bar{Label: labels[i], Value: v, Text: text, None: none}
	}
	return out
}
