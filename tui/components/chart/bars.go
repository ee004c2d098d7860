package chart

import (
	"math"
	"strings"

	"hotline/tui/cells"
)

// Bar is one labelled value.
type Bar struct {
	Label string  // untrusted text is fine: it is sanitised and cut by width
	Value float64 // not negative
	Text  string  // the value as printed beside the bar
	// None is a value that does not exist (a rate with nothing to divide
	// by): no bar is drawn, only Text ("—").
	None bool
}

// Bars is a bar chart: one row a bar, label on the left, the value printed
// on the right.
type Bars struct {
	Bars []Bar
	// Max is the value of a bar across the whole width; zero means the
	// largest value, so the longest bar fills it.
	Max float64
	// Cursor is the bar marked with Selected, -1 for none.
	Cursor int
	// MaxLabel caps the labels' column, in cells; zero means a third of
	// the width.
	MaxLabel int
}

// Layout of a bar row: the cursor's mark, the label, a blank, the bar, a
// blank, the value.
const markWidth = 2

// Fill is the bar of value v against max in a field w cells wide, in
// eighths of a cell: full blocks, then the partial block of the remainder,
// then blanks. A value above zero shows at least an eighth, so that a small
// count is not drawn as none; a value at or above max fills the field.
func Fill(v, top float64, w int) string {
	if w <= 0 {
		return ""
	}
	n := 0
	if top > 0 && v > 0 {
		n = int(math.Round(v / top * float64(w*8)))
		n = max(min(w*8, n), 1)
	}
	s := strings.Repeat(Full, n/8) + eighths[n%8]
	used := n / 8
	if n%8 > 0 {
		used++
	}
	return s + strings.Repeat(" ", w-used)
}

// View draws rows bars from first, each exactly w cells wide: rows lines in
// all, blank lines after the last bar. The labels' column is as wide as
// the widest label shown, within MaxLabel; a longer label is cut with an
// ellipsis. The values' column is as wide as the widest value.
func (c Bars) View(w, rows, first int, st Styles) []string {
	out := make([]string, 0, rows)
	if w <= 0 {
		for range rows {
			out = append(out, "")
		}
		return out
	}
	labelCap := c.MaxLabel
	if labelCap <= 0 {
		labelCap = w / 3
	}
	lw, vw := 0, 0
	for _, b := range c.Bars {
		lw = max(lw, cells.Width(cells.Line(b.Label)))
		vw = max(vw, cells.Width(cells.Line(b.Text)))
	}
	lw = min(lw, labelCap)
	bw := w - markWidth - lw - 1 - 1 - vw
	if bw < 1 {
		// Too narrow for all of it: the bar keeps a cell, the label gives way.
		lw = max(0, lw+bw-1)
		bw = 1
	}
	top := c.Max
	if top <= 0 {
		for _, b := range c.Bars {
			if !b.None && b.Value > top {
				top = b.Value
			}
		}
	}
	for i := first; len(out) < rows; i++ {
		if i < 0 || i >= len(c.Bars) {
			out = append(out, strings.Repeat(" ", w))
			continue
		}
		b := c.Bars[i]
		mark := "  "
		if i == c.Cursor {
			mark = Selected + " "
		}
		name := cells.Fit(cells.Line(b.Label), lw)
		bar := strings.Repeat(" ", bw)
		if !b.None {
			bar = Fill(b.Value, top, bw)
		}
		value := cells.PadLeft(cells.Cut(cells.Line(b.Text), vw, cells.Ellipsis), vw)
		if plain := mark + name + " " + bar + " " + value; cells.Width(plain) != w {
			// Narrower than a label's ellipsis and a value: text alone.
			out = append(out, cells.Fit(plain, w))
			continue
		}
		if i == c.Cursor {
			name = st.Label.Render(name)
		}
		solid := strings.TrimRight(bar, " ")
		out = append(out, mark+name+" "+st.Bar.Render(solid)+bar[len(solid):]+" "+value)
	}
	return out
}
