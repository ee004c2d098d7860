// Package calendar owns the China working-day calendar — the State Council's
// holidays and make-up working days as github.com/6tail/lunar-go records them,
// plus a unit's own days off and on — and the deadline arithmetic on it:
// N working days from an instant, whole working days and business time
// between two instants. It stores, fetches and shows nothing.
//
// A year the official table does not hold is never guessed silently: every
// answer that touches such a year is still computed Monday to Friday, and
// comes with an error wrapping ErrNotCovered that names the year, so callers
// can show the warning (NotCoveredError.Warning, or Calendar.Warnings for a
// standing notice) next to the figure.
package calendar

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database
)

// ErrNotCovered is wrapped by every error about a year that neither the
// official table nor the unit's own days cover.
var ErrNotCovered = errors.New("year not covered by the official holiday tables")

// NotCoveredError names the first uncovered year an answer touched.
type NotCoveredError struct{ Year int }

func (e *NotCoveredError) Error() string {
	return fmt.Sprintf("calendar: %d: %v; working days counted Monday to Friday", e.Year, ErrNotCovered)
}

func (e *NotCoveredError) Unwrap() error { return ErrNotCovered }

// Warning is the Chinese text to show beside a figure computed for the year.
func (e *NotCoveredError) Warning() string { return warning(e.Year) }

func warning(year int) string {
	return fmt.Sprintf("%d 年的法定节假日安排尚未收录，工作日按周一至周五推算；请更新程序，或在单位日历文件中补充该年安排", year)
}

// Day is one of a unit's own days: a day off on an ordinary working day, or a
// working day on a day that would be off.
type Day struct {
	Date string // 2006-01-02
	Work bool
	Name string
}

// Options configures a Calendar; the zero value is the official calendar in
// Asia/Shanghai with business hours 8:30 to 17:30.
type Options struct {
	// Location is where days begin and end; default Asia/Shanghai.
	Location *time.Location
	// Extra overrides the official table day by day. Any day listed in a
	// year the official table lacks makes the whole year covered: the list
	// is then taken as that year's complete arrangement, and its other days
	// run Monday to Friday without a warning.
	Extra []Day
	// DayStart and DayEnd are the business hours as time since midnight;
	// zero means the default (8:30, 17:30). DayStart is where a count that
	// starts on a day off begins; both bound WorkingTime.
	DayStart, DayEnd time.Duration
}

const (
	defaultStart = 8*time.Hour + 30*time.Minute
	defaultEnd   = 17*time.Hour + 30*time.Minute
)

// Calendar answers working-day questions. It is immutable after New and safe
// for concurrent use.
type Calendar struct {
	loc        *time.Location
	start, end clock
	official   *officialTable
	extra      map[ordinal]bool
	extraYears map[int]bool // years covered only by Extra
}

// clock is a wall-clock time of day; kept as fields, not a duration, so that
// "the same time of day" stays the same on the clock whatever the zone does.
type clock struct{ h, m, s, ns int }

func clockOf(t time.Time) clock {
	h, m, s := t.Clock()
	return clock{h, m, s, t.Nanosecond()}
}

func clockFor(d time.Duration) clock {
	return clock{int(d / time.Hour), int(d % time.Hour / time.Minute), int(d % time.Minute / time.Second), int(d % time.Second)}
}

// New builds a calendar from the official table and opts.
func New(opts Options) (*Calendar, error) {
	off, err := official()
	if err != nil {
		return nil, err
	}
	loc := opts.Location
	if loc == nil {
		if loc, err = time.LoadLocation("Asia/Shanghai"); err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
	}
	start, end := opts.DayStart, opts.DayEnd
	if start == 0 {
		start = defaultStart
	}
	if end == 0 {
		end = defaultEnd
	}
	if start < 0 || end > 24*time.Hour || start >= end {
		return nil, fmt.Errorf("calendar: business hours %v to %v: want 0 <= start < end <= 24h", start, end)
	}
	c := &Calendar{
		loc:        loc,
		start:      clockFor(start),
		end:        clockFor(end),
		official:   off,
		extra:      make(map[ordinal]bool, len(opts.Extra)),
		extraYears: map[int]bool{},
	}
	seen := make(map[ordinal]int, len(opts.Extra))
	for i, day := range opts.Extra {
		d, err := parseDate(day.Date)
		if err != nil {
			return nil, fmt.Errorf("calendar: extra day %d date %q: %w", i+1, day.Date, err)
		}
		if j, dup := seen[d]; dup {
			return nil, fmt.Errorf("calendar: extra day %d date %s: already given as extra day %d", i+1, day.Date, j+1)
		}
		seen[d] = i
		c.extra[d] = day.Work
		if y := d.year(); !off.years[y] {
			c.extraYears[y] = true
		}
	}
	return c, nil
}

// Covered reports whether the official table or the unit's own days hold the
// arrangement for year.
func (c *Calendar) Covered(year int) bool {
	return c.official.years[year] || c.extraYears[year]
}

// Warnings returns the standing notices to show at now: one for this year
// and one for next year when the calendar does not cover it. Next year is
// included because deadlines late in the year run into it.
func (c *Calendar) Warnings(now time.Time) []string {
	var out []string
	y := now.In(c.loc).Year()
	for _, year := range []int{y, y + 1} {
		if !c.Covered(year) {
			out = append(out, warning(year))
		}
	}
	return out
}

// status reports whether d is a working day and whether that is known rather
// than counted Monday to Friday.
func (c *Calendar) status(d ordinal) (work, known bool) {
	if len(c.extra) > 0 {
		if w, ok := c.extra[d]; ok {
			return w, true
		}
	}
	t := c.official
	if d >= t.lo && d <= t.hi {
		if s := t.status[d-t.lo]; s != statusUnknown {
			return s == statusWork, true
		}
	}
	if len(c.extraYears) > 0 && c.extraYears[d.year()] {
		return weekdayWork(d), true
	}
	return weekdayWork(d), false
}

// tally remembers the first uncovered year a computation went through.
type tally struct {
	year    int
	guessed bool
}

func (c *Calendar) work(d ordinal, tl *tally) bool {
	w, known := c.status(d)
	if !known && !tl.guessed {
		tl.year, tl.guessed = d.year(), true
	}
	return w
}

func (tl *tally) err() error {
	if !tl.guessed {
		return nil
	}
	return &NotCoveredError{Year: tl.year}
}

func (c *Calendar) at(d ordinal, ck clock) time.Time {
	y, m, dd := d.civil()
	return time.Date(y, m, dd, ck.h, ck.m, ck.s, ck.ns, c.loc)
}

// IsWorkday reports whether t's day (in the calendar's location) is a working
// day. For a year not covered it returns the Monday-to-Friday answer and a
// *NotCoveredError.
func (c *Calendar) IsWorkday(t time.Time) (bool, error) {
	d := ordinalOf(t.In(c.loc))
	w, known := c.status(d)
	if !known {
		return w, &NotCoveredError{Year: d.year()}
	}
	return w, nil
}

// begin is where a count from t starts: t itself on a working day, whatever
// its time of day, or the start of business of the next working day.
func (c *Calendar) begin(t time.Time, tl *tally) (ordinal, clock) {
	t = t.In(c.loc)
	d := ordinalOf(t)
	if c.work(d, tl) {
		return d, clockOf(t)
	}
	return c.next(d, tl), c.start
}

func (c *Calendar) next(d ordinal, tl *tally) ordinal {
	for {
		d++
		if c.work(d, tl) {
			return d
		}
	}
}

// AddWorkdays returns the deadline n working days after t: the same time of
// day on the n-th following working day. A start on a day off counts from
// the next working day's start of business (DayStart). A start on a working
// day keeps its time of day even outside business hours — received Monday
// 20:00, one working day is Tuesday 20:00 — because the procedure counts
// calendar time of day, not business hours. n = 0 gives the start itself.
//
// When the span crosses a year not covered, the result is still returned,
// counted Monday to Friday there, with a *NotCoveredError that the caller
// shows beside it.
func (c *Calendar) AddWorkdays(t time.Time, n int) (time.Time, error) {
	if n < 0 {
		return time.Time{}, fmt.Errorf("calendar: add %d working days: negative count", n)
	}
	var tl tally
	d, ck := c.begin(t, &tl)
	for ; n > 0; n-- {
		d = c.next(d, &tl)
	}
	return c.at(d, ck), tl.err()
}

// WorkdaysBetween returns the whole working days from a to b: the largest n
// with AddWorkdays(a, n) not after b, so that it undoes AddWorkdays. It is
// negative, -WorkdaysBetween(b, a), when b is before a. Uncovered years are
// reported as in AddWorkdays.
func (c *Calendar) WorkdaysBetween(a, b time.Time) (int, error) {
	if b.Before(a) {
		n, err := c.WorkdaysBetween(b, a)
		return -n, err
	}
	var tl tally
	d, ck := c.begin(a, &tl)
	b = b.In(c.loc)
	last := ordinalOf(b)
	n := 0
	for x := d + 1; x <= last; x++ {
		if c.work(x, &tl) {
			n++
			if x == last && b.Before(c.at(x, ck)) {
				n--
			}
		}
	}
	return n, tl.err()
}

// WorkingTime returns the business time between a and b: the parts of
// [a, b] that fall on working days between DayStart and DayEnd. It is
// negative when b is before a. Uncovered years are reported as in
// AddWorkdays.
func (c *Calendar) WorkingTime(a, b time.Time) (time.Duration, error) {
	if b.Before(a) {
		d, err := c.WorkingTime(b, a)
		return -d, err
	}
	var tl tally
	a, b = a.In(c.loc), b.In(c.loc)
	var sum time.Duration
	for d, last := ordinalOf(a), ordinalOf(b); d <= last; d++ {
		if !c.work(d, &tl) {
			continue
		}
		lo, hi := c.at(d, c.start), c.at(d, c.end)
		if a.After(lo) {
			lo = a
		}
		if b.Before(hi) {
			hi = b
		}
		if hi.After(lo) {
			sum += hi.Sub(lo)
		}
	}
	return sum, tl.err()
}
