package stats

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"hotline/complaint"
)

// Span is the kind of period the figures cover.
type Span int

const (
	Day    Span = iota // 今日, and the days before it
	Month              // 本月
	Year               // 本年
	Custom             // 自定义: whole days from one date to another
)

// spans are the period selector's tabs, in order.
var spans = []struct {
	span  Span
	title string
}{{Day, "今日"}, {Month, "本月"}, {Year, "本年"}, {Custom, "自定义"}}

// Current is the period of span s that holds now: the day, the month or
// the year, in China. A custom period starts as the month.
func Current(s Span, now time.Time) complaint.Period {
	t := now.In(complaint.China)
	y, m, d := t.Date()
	var from, to time.Time
	switch s {
	case Day:
		from = time.Date(y, m, d, 0, 0, 0, 0, complaint.China)
		to = from.AddDate(0, 0, 1)
	case Year:
		from = time.Date(y, 1, 1, 0, 0, 0, 0, complaint.China)
		to = from.AddDate(1, 0, 0)
	default:
		from = time.Date(y, m, 1, 0, 0, 0, 0, complaint.China)
		to = from.AddDate(0, 1, 0)
	}
	return complaint.Period{From: from, To: to}
}

// Shift moves p of span s n periods later (earlier for n < 0): a day, a
// month, a year, or as many whole days as a custom period covers. Dates are
// counted in China, so a period always starts and ends at midnight there.
func Shift(s Span, p complaint.Period, n int) complaint.Period {
	from, to := p.From.In(complaint.China), p.To.In(complaint.China)
	switch s {
	case Day:
		return complaint.Period{From: from.AddDate(0, 0, n), To: to.AddDate(0, 0, n)}
	case Month:
		y, m, _ := from.Date()
		f := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, complaint.China)
		return complaint.Period{From: f, To: f.AddDate(0, 1, 0)}
	case Year:
		f := time.Date(from.Year()+n, 1, 1, 0, 0, 0, 0, complaint.China)
		return complaint.Period{From: f, To: f.AddDate(1, 0, 0)}
	}
	days := Days(p)
	return complaint.Period{From: from.AddDate(0, 0, n*days), To: to.AddDate(0, 0, n*days)}
}

// Days is the number of days, in China, that p covers.
func Days(p complaint.Period) int {
	from, to := p.From.In(complaint.China), p.To.In(complaint.China)
	n := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// Label names p as the selector shows it: "2020-05-06 周三", "2020年5月",
// "2020年", "2020-05-01 至 2020-05-31" (the last day included).
func Label(s Span, p complaint.Period) string {
	from := p.From.In(complaint.China)
	switch s {
	case Day:
		return from.Format("2006-01-02") + " " + weekdays[from.Weekday()]
	case Month:
		return fmt.Sprintf("%d年%d月", from.Year(), from.Month())
	case Year:
		return fmt.Sprintf("%d年", from.Year())
	}
	return Range(p)
}

// Range is p as its first and last dates: "2020-05-01 至 2020-05-31".
func Range(p complaint.Period) string {
	from, to := p.From.In(complaint.China), p.To.In(complaint.China).AddDate(0, 0, -1)
	return from.Format("2006-01-02") + " 至 " + to.Format("2006-01-02")
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// dateLayouts are the ways a date may be typed.
var dateLayouts = []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "20060102"}

// ParseRange reads a custom period typed as its first and last dates, both
// included: "2020-05-01 2020-05-31", or with 至, ~ or a comma between them.
// One date alone is that day.
func ParseRange(text string) (complaint.Period, error) {
	f := strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '~' || r == '～' || r == '至' || r == ',' || r == '，' || r == '—' || r == '–' || r == '　'
	})
	if len(f) == 0 || len(f) > 2 {
		return complaint.Period{}, errors.New("请输入起止日期，如 2020-05-01 2020-05-31")
	}
	var days []time.Time
	for _, s := range f {
		d, err := parseDate(s)
		if err != nil {
			return complaint.Period{}, err
		}
		days = append(days, d)
	}
	from, last := days[0], days[len(days)-1]
	if last.Before(from) {
		return complaint.Period{}, fmt.Errorf("结束日期 %s 早于开始日期 %s", last.Format("2006-01-02"), from.Format("2006-01-02"))
	}
	return complaint.Period{From: from, To: last.AddDate(0, 0, 1)}, nil
}

func parseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if d, err := time.ParseInLocation(l, s, complaint.China); err == nil {
			return d, nil
		}
	}
	return time.Time{}, fmt.Errorf("日期 %q 无法识别，请写成 2020-05-01", s)
}
