// Package progress shows how far a long job has got (the first sync of the
// cache, an import): a bar, the counts and the time left, estimated from the
// job's recent pace. It draws in exactly the width it is given, in plain
// characters that read without colour; it does not run the job or keep time
// itself: the job reports its counts with the time of each report.
package progress

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"hotline/tui/cells"
)

// Window is how far back the pace is averaged: long enough to smooth one slow
// page, short enough to follow a job that speeds up or slows down.
const Window = 10 * time.Second

// spacing is the least time kept between two samples, so that a job
// reporting every row keeps a few dozen samples, not thousands.
const spacing = 200 * time.Millisecond

type sample struct {
	at   time.Time
	done int
}

// Meter estimates a job's rate from its reports: the count done over the
// time it took, across the last Window of reports (a moving average). Start
// it before the first report.
type Meter struct {
	start   time.Time
	samples []sample // oldest first; one at or before the window's start
	started bool
}

// Start begins a job at start with nothing done.
func (m *Meter) Start(start time.Time) {
	*m = Meter{start: start, started: true}
}

// Observe records that done units were done at at.
func (m *Meter) Observe(at time.Time, done int) {
	s := sample{at, done}
	if n := len(m.samples); n >= 2 && at.Sub(m.samples[n-2].at) < spacing {
		m.samples[n-1] = s
	} else {
		m.samples = append(m.samples, s)
	}
	for len(m.samples) > 2 && at.Sub(m.samples[1].at) >= Window {
		m.samples = m.samples[1:]
	}
}

// Rate is units per second over the window. It is not told (false) until
// the reports span at least spacing, or the last came at least a second
// after the start (then the pace is taken from the start): one early report
// would give an absurd estimate.
func (m *Meter) Rate() (float64, bool) {
	n := len(m.samples)
	if n == 0 {
		return 0, false
	}
	from, last := m.samples[0], m.samples[n-1]
	if last.at.Sub(from.at) < spacing {
		if last.at.Sub(m.start) < time.Second {
			return 0, false
		}
		from = sample{m.start, 0}
	}
	if last.done <= from.done {
		return 0, false
	}
	return float64(last.done-from.done) / last.at.Sub(from.at).Seconds(), true
}

// Left is the time the rest of total takes at the current rate; false when
// it cannot be told yet, or nothing is left.
func (m *Meter) Left(total int) (time.Duration, bool) {
	n := len(m.samples)
	if n == 0 || total <= m.samples[n-1].done {
		return 0, false
	}
	r, ok := m.Rate()
	if !ok {
		return 0, false
	}
	// A crawl would overflow a Duration; past maxLeft it is not told anyway.
	secs := float64(total-m.samples[n-1].done) / r
	if secs >= maxLeft.Seconds() {
		return maxLeft, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// Unit is the unit a time left is told in.
type Unit int

const (
	Seconds Unit = iota
	Minutes
	Hours
)

// maxLeft is the longest time left told: beyond it the estimate says more
// about a stalled link than about the job.
const maxLeft = 24 * time.Hour

// Round is d as a person says it: whole seconds under a minute (rounded up,
// so the last second is 1, never 0), whole minutes under an hour, whole
// hours under a day. false for a time left not worth telling (zero,
// negative, a day or more).
func Round(d time.Duration) (int, Unit, bool) {
	if d <= 0 || d >= maxLeft {
		return 0, Seconds, false
	}
	secs := int(math.Ceil(d.Seconds()))
	if secs < 60 {
		return secs, Seconds, true
	}
	mins := int(math.Round(float64(secs) / 60))
	if mins < 60 {
		return mins, Minutes, true
	}
	return int(math.Round(float64(secs) / 3600)), Hours, true
}

// TimeLeft is d as the screens show it: "约 12 秒", "约 3 分钟", "约 2 小时";
// "" when Round would not tell it.
func TimeLeft(d time.Duration) string {
	n, u, ok := Round(d)
	if !ok {
		return ""
	}
	return fmt.Sprintf("约 %d %s", n, [...]string{"秒", "分钟", "小时"}[u])
}

// Count writes n with thousands separated by commas: 1,234.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Full and Empty are the cells of the bar: they differ in shape, not only in
// colour, so the bar reads on a terminal without colour.
const (
	Full  = "█"
	Empty = "░"
)

// Bar is width cells: done/total of them Full (rounded down, so that the bar
// is full only when the job is), the rest Empty.
func Bar(done, total, width int) string {
	if width <= 0 {
		return ""
	}
	full := 0
	switch {
	case total <= 0:
	case done >= total:
		full = width
	case done > 0:
		full = int(int64(done) * int64(width) / int64(total))
	}
	return strings.Repeat(Full, full) + strings.Repeat(Empty, width-full)
}

// MinBar is the narrowest bar drawn; below it the line leaves the bar out.
const MinBar = 6

// Line is one line of progress: Label, a bar, "done/total Noun" and the time
// left, as "首次同步 ████░░░░ 1,234/5,000 工单 · 约 12 秒". Without a total
// there is no bar: "首次同步 1,234 工单".
type Line struct {
	Label string
	Noun  string // what is counted: 工单, 行
	Done  int
	Total int    // 0: not known
	Left  string // the time left as TimeLeft wrote it; "" to leave it out
}

// View draws the line in exactly width cells. When it does not fit, it
// gives up, in order, the time left, the noun, the label and the bar; the
// counts go last.
func (l Line) View(width int) string {
	if width <= 0 {
		return ""
	}
	counts := Count(l.Done)
	if l.Total > 0 {
		counts += "/" + Count(l.Total)
	}
	left := ""
	if l.Left != "" {
		left = " · " + l.Left
	}
	noun := ""
	if l.Noun != "" {
		noun = " " + l.Noun
	}
	label := ""
	if l.Label != "" {
		label = l.Label + " "
	}
	for _, try := range []struct{ label, noun, left string }{
		{label, noun, left}, {label, noun, ""}, {label, "", ""}, {"", "", ""},
	} {
		text := counts + try.noun + try.left
		if l.Total <= 0 {
			if cells.Width(try.label+text) <= width {
				return cells.Pad(try.label+text, width)
			}
			continue
		}
		if room := width - cells.Width(try.label+text) - 1; room >= MinBar {
			return try.label + Bar(l.Done, l.Total, room) + " " + text
		}
	}
	return cells.Fit(counts, width)
}

// Model is a job's progress as a screen keeps it between reports.
type Model struct {
	Label string
	Noun  string
	meter Meter
	start time.Time
	done  int
	total int
	shown bool
}

// Report takes a report of the job begun at start: done of total (0: not
// known) at at. A report with another start begins a new job.
func (m *Model) Report(start, at time.Time, done, total int) {
	if !m.meter.started || !m.start.Equal(start) {
		m.start = start
		m.meter.Start(start)
	}
	m.meter.Observe(at, done)
	m.done, m.total, m.shown = done, total, true
}

// Hide stops showing the job; a report of the same job shows it again,
// with its pace kept.
func (m *Model) Hide() { m.shown = false }

// Shown reports whether there is a job to show.
func (m *Model) Shown() bool { return m.shown }

// Line is what to draw of the job.
func (m *Model) Line() Line {
	l := Line{Label: m.Label, Noun: m.Noun, Done: m.done, Total: m.total}
	if d, ok := m.meter.Left(m.total); ok {
		l.Left = TimeLeft(d)
	}
	return l
}

// View draws the job in exactly width cells.
func (m *Model) View(width int) string { return m.Line().View(width) }
