package chart

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"hotline/tui/cells"
)

// Line is a count over time, drawn as points joined by a line, with a second
// count of the same times overlaid as marks on the same scale: the tickets
// received each day, and the deadlines missed each day.
type Line struct {
	Name     string // what Values count, for the legend: "受理"
	OverName string // what Over counts: "超时"
	Unit     string // what one step of the time axis is, for the legend: "天"
	// Labels are each point's label on the time axis: "5/1". There may be
	// more labels than values: the points still to come of a period that
	// runs past now. The time axis covers them all, so that the reader
	// sees how much of the period has gone; the line stops at the last
	// value and the legend says where ("至 12/5").
	Labels []string
	Values []int
	Over   []int // as many as Values; nil for none
}

// Cells of the plot, and the style each is drawn in.
const (
	styleNone = -1
	styleBar  = 0
	styleMiss = 1
	styleAxis = 2
)

// View draws the chart in exactly h lines of exactly w cells: the legend
// (the totals; the last point with a value, when the axis goes on past it;
// the busiest point, when there was anything), the plot with the count's
// scale on the left, the time axis and its labels. h must be at least 5 (a plot of two rows);
// less draws the legend alone. When there are more points than columns,
// neighbouring points are added up, so that each column covers the same
// number of them; the legend says how many.
func (l Line) View(w, h int, st Styles) []string {
	out := make([]string, 0, h)
	if h <= 0 {
		return out
	}
	if w <= 0 {
		for range h {
			out = append(out, "")
		}
		return out
	}
	values, over, labels, per := l.buckets(w)
	top := 0
	for i := range values {
		top = max(top, values[i], over[i])
	}
	total, missed, peak := 0, 0, -1
	for i, v := range l.Values {
		total += v
		if peak < 0 || v > l.Values[peak] {
			peak = i
		}
	}
	for _, v := range l.Over {
		missed += v
	}
	legend := []string{fmt.Sprintf("%s %s %d", Point, cells.Line(l.Name), total)}
	if l.Over != nil {
		legend = append(legend, fmt.Sprintf("%s %s %d", Over, cells.Line(l.OverName), missed), Both+" 重合")
	}
	if n := len(l.Values); n > 0 && n < len(l.Labels) {
		legend = append(legend, "至 "+cells.Line(l.Labels[n-1]))
	}
	// A peak of nothing tells nothing: "最高 0（12/20）" would name a day
	// at random.
	if peak >= 0 && peak < len(l.Labels) && l.Values[peak] > 0 {
		legend = append(legend, fmt.Sprintf("最高 %d（%s）", l.Values[peak], cells.Line(l.Labels[peak])))
	}
	if per > 1 {
		legend = append(legend, fmt.Sprintf("每格 %d %s", per, cells.Line(l.Unit)))
	}
	out = append(out, cells.Fit(strings.Join(legend, "  "), w))
	if h < 5 {
		for len(out) < h {
			out = append(out, strings.Repeat(" ", w))
		}
		return out
	}

	rows := h - 3
	yLabel := strconv.Itoa(max(top, 1))
	yw := len(yLabel)
	pw := w - yw - 1
	if pw < 1 || len(labels) == 0 {
		for len(out) < h {
			out = append(out, strings.Repeat(" ", w))
		}
		return out
	}
	grid := make([][]string, rows)
	style := make([][]int, rows)
	for r := range grid {
		grid[r] = make([]string, pw)
		style[r] = make([]int, pw)
		for c := range grid[r] {
			grid[r][c], style[r][c] = " ", styleNone
		}
	}
	level := func(v int) int {
		if top == 0 {
			return 0
		}
		return (v*(rows-1)*2 + top) / (top * 2) // rounded
	}
	row := func(lvl int) int { return rows - 1 - lvl }
	cw := max(pw/len(labels), 1)
	x := func(i int) int { return i*cw + (cw-1)/2 }
	set := func(r, c int, s string, k int) {
		grid[r][c], style[r][c] = s, k
	}
	for i, v := range values {
		lv, xi := level(v), x(i)
		if i > 0 {
			prev := level(values[i-1])
			for c := x(i-1) + 1; c < xi; c++ {
				set(row(prev), c, "─", styleBar)
			}
			switch {
			case lv > prev:
				set(row(prev), xi, "┘", styleBar)
			case lv < prev:
				set(row(prev), xi, "┐", styleBar)
			}
			for lo, hi := min(lv, prev)+1, max(lv, prev); lo < hi; lo++ {
				set(row(lo), xi, "│", styleBar)
			}
		}
		set(row(lv), xi, Point, styleBar)
	}
	for i, v := range over {
		if v <= 0 {
			continue
		}
		r, c := row(level(v)), x(i)
		if grid[r][c] == Point {
			set(r, c, Both, styleMiss)
		} else {
			set(r, c, Over, styleMiss)
		}
	}
	styles := []lipgloss.Style{st.Bar, st.Miss, st.Axis}
	for r := range rows {
		label, tick := strings.Repeat(" ", yw), "│"
		switch r {
		case 0:
			label, tick = yLabel, "┤"
		case rows - 1:
			label, tick = cells.PadLeft("0", yw), "┤"
		}
		out = append(out, st.Axis.Render(label+tick)+runs(grid[r], style[r], styles))
	}
	out = append(out, st.Axis.Render(strings.Repeat(" ", yw)+"└"+strings.Repeat("─", pw)))
	out = append(out, st.Axis.Render(strings.Repeat(" ", yw+1)+axisLabels(labels, pw, cw, x)))
	return out
}

// buckets adds up neighbouring points so that there are no more columns
// than cells beside the scale: per points a column, the label of a column
// its first point's. The scale's width follows the sums, so per is found by
// trying. There is a label for every column of the time axis, and a value
// for every column up to the last value's.
func (l Line) buckets(w int) (values, over []int, labels []string, per int) {
	n := l.points()
	for per = 1; ; per++ {
		values, over, labels = l.bucket(per)
		pw := max(w-len(strconv.Itoa(max(maxOf(values, over), 1)))-1, 1)
		if len(labels) <= pw || per >= n {
			return values, over, labels, per
		}
		// Jump close to the answer rather than step through every per.
		per = max(per, (n+pw-1)/pw-1)
	}
}

// points is the number of points of the time axis: a value or a label each.
func (l Line) points() int { return max(len(l.Values), len(l.Labels)) }

// bucket adds up the points per at a time.
func (l Line) bucket(per int) (values, over []int, labels []string) {
	n := len(l.Values)
	for i := 0; i < l.points(); i += per {
		if i < n {
			v, o := 0, 0
			for j := i; j < min(i+per, n); j++ {
				v += l.Values[j]
				if j < len(l.Over) {
					o += l.Over[j]
				}
			}
			values, over = append(values, v), append(over, o)
		}
		label := ""
		if i < len(l.Labels) {
			label = cells.Line(l.Labels[i])
		}
		labels = append(labels, label)
	}
	return values, over, labels
}

func maxOf(a, b []int) int {
	top := 0
	for _, v := range a {
		top = max(top, v)
	}
	for _, v := range b {
		top = max(top, v)
	}
	return top
}

// axisLabels places the points' labels under the time axis, each starting
// at its point's column, as many as fit with a blank between them, at a
// regular step so that the reader can count between them.
func axisLabels(labels []string, pw, cw int, x func(int) int) string {
	widest := 0
	for _, l := range labels {
		widest = max(widest, cells.Width(l))
	}
	step := max((widest+1+cw-1)/cw, 1)
	line := make([]string, 0, len(labels))
	used := 0
	for i := 0; i < len(labels); i += step {
		at, l := x(i), labels[i]
		if at < used || at+cells.Width(l) > pw {
			continue
		}
		line = append(line, strings.Repeat(" ", at-used), l)
		used = at + cells.Width(l)
	}
	return strings.Join(line, "") + strings.Repeat(" ", pw-used)
}
