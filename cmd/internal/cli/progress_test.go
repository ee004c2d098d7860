package cli

import (
	"strings"
	"testing"
	"time"

	"hotline/tui/cells"
)

// clock is a fake clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)

// An import of 10,000 rows at 1,000 rows a second, reported every 100
// rows, then saved: on a stream that is not a terminal, a plain line every
// two seconds with the time left, each step's measured on its own.
func TestProgressPlainLines(t *testing.T) {
	var out strings.Builder
	c := &clock{t0}
	p := newProgress(&out, false, func() int { return 80 }, c.now, "附件4.xlsx")
	p.Phase("rows read")
	for done := 100; done <= 10000; done += 100 {
		c.t = t0.Add(time.Duration(done) * time.Millisecond)
		p.Report(done, 10000)
	}
	// Then 9,990 tickets saved at 2,000 a second, reported every 100.
	c.t = t0.Add(10050 * time.Millisecond)
	p.Phase("tickets saved")
	for k := 0; k < 100; k++ {
		c.t = t0.Add(time.Duration(10050+k*50) * time.Millisecond)
		p.Report(k*100, 9990)
	}
	c.t = t0.Add(15050 * time.Millisecond)
	p.Report(9990, 9990)
	p.Close()
	want := "附件4.xlsx: 2,000/10,000 rows read, about 8 s left\n" +
		"附件4.xlsx: 4,000/10,000 rows read, about 6 s left\n" +
		"附件4.xlsx: 6,000/10,000 rows read, about 4 s left\n" +
		"附件4.xlsx: 8,000/10,000 rows read, about 2 s left\n" +
		"附件4.xlsx: 10,000/10,000 rows read\n" +
		"附件4.xlsx: 3,900/9,990 tickets saved, about 4 s left\n" +
		"附件4.xlsx: 7,900/9,990 tickets saved, about 2 s left\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

// Without a total (an xlsx sheet that does not say its size), the counts
// alone; a job done within two seconds writes nothing at all.
func TestProgressPlainWithoutTotalAndQuick(t *testing.T) {
	var out strings.Builder
	c := &clock{t0}
	p := newProgress(&out, false, func() int { return 80 }, c.now, "e2.xlsx")
	p.Phase("rows read")
	for done := 500; done <= 5000; done += 500 {
		c.t = t0.Add(time.Duration(done) * time.Millisecond)
		p.Report(done, 0)
	}
	if want := "e2.xlsx: 2,000 rows read\ne2.xlsx: 4,000 rows read\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}

	out.Reset()
	c.t = t0
	p = newProgress(&out, false, func() int { return 80 }, c.now, "e2.xlsx")
	p.Phase("rows read")
	for done := 1; done <= 495; done++ {
		c.t = t0.Add(time.Duration(done) * time.Millisecond)
		p.Report(done, 495)
	}
	p.Phase("tickets saved")
	p.Report(494, 494)
	p.Close()
	if out.Len() != 0 {
		t.Errorf("a quick import wrote %q", out.String())
	}
}

// On a terminal: one line redrawn in place at most every 100 ms, one cell
// short of the terminal's width, cleared at the end.
func TestProgressTerminal(t *testing.T) {
	var out strings.Builder
	c := &clock{t0}
	p := newProgress(&out, true, func() int { return 61 }, c.now, "附件4.xlsx")
	read, saved := p.Step("rows"), p.Step("tickets saved")
	for _, r := range []struct {
		ms, done int
	}{{50, 100}, {150, 300}, {200, 400}, {1150, 2300}} {
		c.t = t0.Add(time.Duration(r.ms) * time.Millisecond)
		read(r.done, 2816)
	}
	c.t = c.t.Add(time.Second)
	saved(0, 2816)
	c.t = c.t.Add(50 * time.Millisecond)
	saved(1000, 2816) // 50 ms after the last drawing: not drawn
	c.t = c.t.Add(time.Second)
	saved(2816, 2816)
	p.Close()
	frames := strings.Split(out.String(), "\r")[1:]
	want := []string{
		// 300 rows 150 ms after the start: too early to tell the time left.
		"附件4.xlsx ███░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 300/2,816 rows",
		// The row at 200 ms came 50 ms after the last drawing: not drawn.
		// 2,200 rows in the 1.1 s since the first report: 516 take 0.26 s.
		"附件4.xlsx ████████████░░░ 2,300/2,816 rows · about 1 s left",
		// The next step, measured afresh.
		"附件4.xlsx ░░░░░░░░░░░░░░░░░░░░░░░░░░░ 0/2,816 tickets saved",
		"附件4.xlsx ███████████████████████ 2,816/2,816 tickets saved",
		"\x1b[K",
	}
	if len(frames) != len(want) {
		t.Fatalf("frames %q, want %q", frames, want)
	}
	for i, f := range frames {
		if f != want[i] {
			t.Errorf("frame %d:\n got %q\nwant %q", i, f, want[i])
		}
		if i < len(want)-1 && cells.Width(f) != 60 {
			t.Errorf("frame %d is %d cells, want 60: %q", i, cells.Width(f), f)
		}
	}
}
