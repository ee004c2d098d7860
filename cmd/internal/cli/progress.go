package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/charmbracelet/x/term"

	"hotline/tui/cells"
	"hotline/tui/components/progress"
)

// Progress reports a command's long job (an import) on stderr. On a
// terminal it is one line redrawn in place: a bar, the counts and the time
// left. Anywhere else (a CI log, a file) it is a plain line every
// PlainEvery, so that the log stays readable. A job done before its first
// line is due writes nothing.
type Progress struct {
	out   io.Writer
	tty   bool
	width func() int // of the terminal
	now   func() time.Time
	name  string // what the job works on: a file's name
	noun  string // what the step counts: "rows read"

	meter progress.Meter
	start time.Time
	last  time.Time // of the last line written (or the start)
	drawn bool      // a line is on the terminal, to be cleared
}

// PlainEvery is how often a plain line is written; drawEvery how often the
// terminal's line is redrawn.
const (
	PlainEvery = 2 * time.Second
	drawEvery  = 100 * time.Millisecond
)

// NewProgress reports on stderr the job on name (a file). Its steps are
// begun with Phase or Step.
func NewProgress(name string) *Progress {
	fd := os.Stderr.Fd()
	width := func() int {
		if w, _, err := term.GetSize(fd); err == nil && w > 0 {
			return w
		}
		return 80
	}
	return newProgress(os.Stderr, term.IsTerminal(fd), width, time.Now, name)
}

func newProgress(out io.Writer, tty bool, width func() int, now func() time.Time, name string) *Progress {
	p := &Progress{out: out, tty: tty, width: width, now: now, name: cells.Line(name)}
	p.start = now()
	p.last = p.start
	p.meter.Start(p.start)
	return p
}

// Report says done of total are done; total is 0 when not known.
func (p *Progress) Report(done, total int) {
	now := p.now()
	p.meter.Observe(now, done)
	if !p.due(now) {
		return
	}
	left := ""
	if d, ok := p.meter.Left(total); ok {
		if n, u, ok := progress.Round(d); ok {
			left = fmt.Sprintf("about %d %s left", n, [...]string{"s", "min", "h"}[u])
		}
	}
	if p.tty {
		l := progress.Line{Label: p.name, Noun: p.noun, Done: done, Total: total, Left: left}
		p.draw(l.View(p.room()))
		return
	}
	text := fmt.Sprintf("%s: %s", p.name, progress.Count(done))
	if total > 0 {
		text += "/" + progress.Count(total)
	}
	text += " " + p.noun
	if left != "" {
		text += ", " + left
	}
	fmt.Fprintln(p.out, text)
}

// Phase begins the next step of the job, counting noun ("tickets saved");
// its time left is measured afresh.
func (p *Progress) Phase(noun string) {
	p.noun = noun
	p.meter.Start(p.now())
}

// Step is a report for a step of the job that begins it at its first
// call: the callback of a step that may not happen (a file with bad rows
// is never saved).
func (p *Progress) Step(noun string) func(done, total int) {
	begun := false
	return func(done, total int) {
		if !begun {
			begun = true
			p.Phase(noun)
		}
		p.Report(done, total)
	}
}

// Close clears the terminal's line, for what the command writes next.
func (p *Progress) Close() {
	if p.tty && p.drawn {
		fmt.Fprint(p.out, "\r\x1b[K")
		p.drawn = false
	}
}

// due reports whether a line is to be written at now.
func (p *Progress) due(now time.Time) bool {
	every := PlainEvery
	if p.tty {
		every = drawEvery
	}
	if now.Sub(p.last) < every {
		return false
	}
	p.last = now
	return true
}

// room is the width of the terminal's line, less its last column: writing
// there makes some terminals wrap.
func (p *Progress) room() int { return max(p.width()-1, 1) }

func (p *Progress) draw(line string) {
	fmt.Fprint(p.out, "\r"+line)
	p.drawn = true
}
