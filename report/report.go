// Package report writes what the leader is handed: the monthly report (月报)
// of every handling figure per sub-unit, with a ranking, the days and the
// supervision figures (the same workbook holds a year's, a day's or any
// days' figures), and the daily report (日报) of the tickets closed on a day
// with their replies, each as .xlsx and as CSV. It lays out figures
// it is given; it computes none (that is complaint.Compute's) and reads no
// storage.
package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hotline/complaint"
	"hotline/tui/cells"
)

var china = complaint.China

// none is shown where a figure has no value, as the statistics screen
// shows it (complaint.Rate.String).
const none = "—"

// kind is how a value is stored in a cell and shown.
type kind int

const (
	text    kind = iota
	wrapped      // long text: wrapped in its cell, the row as tall as it needs
	count
	percent // a share, stored as the fraction and formatted as a percentage
	decimal // one decimal place
	minute  // an instant, shown in China time to the minute
	date    // a day
)

// value is one cell of a table: what goes into the spreadsheet's cell, and
// as text what a reader sees, which is also what the CSV holds.
type value struct {
	kind kind
	s    string // the text of text and wrapped values
	n    float64
	t    time.Time
	none bool // no value: shown as none
}

// str is text from outside (a title, a name, a reply): made safe to show
// (control characters become visible symbols, bidi overrides go) and kept
// on one line. It is never read as a formula: see book.put and csvField.
func str(s string) value { return value{kind: text, s: cells.Line(s)} }

// para is text from outside that keeps its line breaks, wrapped in its cell.
func para(s string) value { return value{kind: wrapped, s: cells.Sanitize(s)} }

func num(n int) value { return value{kind: count, n: float64(n)} }

// rate is a share as the fraction, shown as a percentage with one decimal.
func rate(r complaint.Rate) value {
	v, ok := r.Value()
	return value{kind: percent, n: v, none: !ok}
}

// round1 rounds to one decimal, halves away from zero (四舍五入), as Excel
// and LibreOffice round a number to its format: 13/16 shows as 81.3%
// there, so it must here too, where fmt's %.1f would make it 81.2.
func round1(n float64) string { return complaint.OneDecimal(n) }

// dec is a number shown with one decimal, or none when ok is false.
func dec(n float64, ok bool) value { return value{kind: decimal, n: n, none: !ok} }

// at is an instant; the zero time is an empty cell.
func at(t time.Time) value {
	if t.IsZero() {
		return value{kind: text}
	}
	return value{kind: minute, t: t.In(china)}
}

func day(t time.Time) value { return value{kind: date, t: t.In(china)} }

// String is the value as a reader sees it.
func (v value) String() string {
	if v.none {
		return none
	}
	switch v.kind {
	case count:
		return strconv.Itoa(int(v.n))
	case decimal:
		return round1(v.n)
	case percent:
		return round1(100*v.n) + "%"
	case minute:
		return v.t.Format("2006-01-02 15:04")
	case date:
		return v.t.Format("2006-01-02")
	}
	return v.s
}

// table is a header and rows of values, as both formats write it.
type table struct {
	head []string
	rows [][]value
}

// span is what a period covers, as a report names it.
type span int

const (
	spanDays    span = iota // whole days in China, from one date to another
	spanDay                 // one day
	spanMonth               // a calendar month
	spanYear                // a calendar year
	spanInstant             // not from midnight to midnight in China
)

func spanOf(p complaint.Period) span {
	from, to := p.From.In(china), p.To.In(china)
	midnight := func(t time.Time) bool {
		return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	switch {
	case !midnight(from) || !midnight(to) || !to.After(from):
		return spanInstant
	case from.Day() == 1 && from.Month() == time.January && to.Equal(from.AddDate(1, 0, 0)):
		return spanYear
	case from.Day() == 1 && to.Equal(from.AddDate(0, 1, 0)):
		return spanMonth
	case to.Equal(from.AddDate(0, 0, 1)):
		return spanDay
	}
	return spanDays
}

// PeriodLabel names a period as a report's title does: 2026年11月 for a
// calendar month, 2026年 for a year, 2026-12-03 for a day, else the first
// and last day, or the instants when the period does not run from midnight
// to midnight in China.
func PeriodLabel(p complaint.Period) string {
	from, to := p.From.In(china), p.To.In(china)
	switch spanOf(p) {
	case spanInstant:
		return from.Format("2006-01-02 15:04") + " 至 " + to.Format("2006-01-02 15:04")
	case spanYear:
		return fmt.Sprintf("%d年", from.Year())
	case spanMonth:
		return fmt.Sprintf("%d年%d月", from.Year(), from.Month())
	case spanDay:
		return from.Format("2006-01-02")
	}
	return from.Format("2006-01-02") + " 至 " + to.AddDate(0, 0, -1).Format("2006-01-02")
}

// title is a sheet's title: the unit, what the sheet holds, and when.
func title(unit, what, when string) string {
	return strings.TrimSpace(cells.Line(unit)+" "+what) + "（" + when + "）"
}
