package print

import (
	"slices"
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// cellWidth pins East Asian ambiguous characters to one cell, as the
// terminal UI measures, so the preview's lines have the width the UI counts.
var cellWidth = displaywidth.Options{EastAsianWidth: false}

// Preview draws the sheet as text for a terminal: the title centred, then
// the table ruled with box-drawing characters, long values wrapped by Wrap.
// Every line is exactly width cells wide; the caller scrolls them. Pairs of
// fields share a row when width allows (64 cells or more), else each takes
// its own. Below 24 cells the sheet is laid out at 24 and cut.
func Preview(s Sheet, width int) []string {
	if width <= 0 {
		return nil
	}
	w := max(width, 24)
	labelW := 0
	for _, r := range s.Rows {
		for _, f := range r.Fields {
			labelW = max(labelW, cells(previewText(f.Label)))
		}
	}
	labelW = min(max(labelW, 2), (w-7)/3)

	type prow struct {
		cols   []int // the width of each cell, labels and values in turn
		blocks [][]string
	}
	var rows []prow
	add := func(fields []Field) {
		var cols []int
		switch len(fields) {
		case 1:
			cols = []int{labelW, w - labelW - 7}
		default:
			v := w - 2*labelW - 13
			cols = []int{labelW, v / 2, labelW, v - v/2}
		}
		p := prow{cols: cols}
		for i, f := range fields {
			p.blocks = append(p.blocks,
				wrapCells(previewText(f.Label), cols[2*i]),
				wrapCells(previewText(f.Value), cols[2*i+1]))
		}
		rows = append(rows, p)
	}
	for _, r := range s.Rows {
		switch {
		case len(r.Fields) == 0:
		case len(r.Fields) == 1:
			add(r.Fields)
		case len(r.Fields) == 2 && w >= 64:
			add(r.Fields)
		default:
			for _, f := range r.Fields {
				add([]Field{f})
			}
		}
	}

	// Borders: the column positions where a vertical line meets a
	// horizontal one, so the joints are drawn right between rows of
	// different shape.
	joints := func(cols []int) []int {
		var at []int
		x := 0
		for _, c := range cols[:len(cols)-1] {
			x += c + 3
			at = append(at, x)
		}
		return at
	}
	rule := func(above, below []int, left, mid, right, up, down, cross string) string {
		var b strings.Builder
		b.WriteString(left)
		for x := 1; x < w-1; x++ {
			a, c := slices.Contains(above, x), slices.Contains(below, x)
			switch {
			case a && c:
				b.WriteString(cross)
			case a:
				b.WriteString(up)
			case c:
				b.WriteString(down)
			default:
				b.WriteString(mid)
			}
		}
		b.WriteString(right)
		return b.String()
	}

	out := []string{center(previewText(s.Title), w)}
	var prev []int
	for i, r := range rows {
		at := joints(r.cols)
		if i == 0 {
			out = append(out, rule(nil, at, "┌", "─", "┐", "┴", "┬", "┼"))
		} else {
			out = append(out, rule(prev, at, "├", "─", "┤", "┴", "┬", "┼"))
		}
		n := 1
		for _, b := range r.blocks {
			n = max(n, len(b))
		}
		for j := range n {
			var b strings.Builder
			b.WriteString("│")
			for k, c := range r.cols {
				t := ""
				if j < len(r.blocks[k]) {
					t = r.blocks[k][j]
				}
				b.WriteString(" " + fit(t, c) + " │")
			}
			out = append(out, b.String())
		}
		prev = at
	}
	if len(rows) > 0 {
		out = append(out, rule(prev, nil, "└", "─", "┘", "┴", "┬", "┼"))
	}
	if width < w {
		for i, l := range out {
			out[i] = fit(l, width)
		}
	}
	return out
}

// previewText is a field's text made safe and plain for a terminal. Emoji
// joined with U+200D are drawn apart, as the terminal UI draws them, so
// that both count the same width.
func previewText(s string) string {
	return strings.ReplaceAll(tidy(s), "\u200d", "")
}

func cells(s string) int {
	return cellWidth.String(s)
}

func wrapCells(s string, w int) []string {
	if s == "" {
		return nil
	}
	return Wrap(s, float64(w), func(c string) float64 { return float64(cells(c)) })
}

// fit cuts s to at most w cells between grapheme clusters, then pads it
// with spaces to exactly w.
func fit(s string, w int) string {
	n := cells(s)
	if n > w {
		var b strings.Builder
		n = 0
		g := cellWidth.StringGraphemes(s)
		for g.Next() {
			if n+g.Width() > w {
				break
			}
			b.WriteString(g.Value())
			n += g.Width()
		}
		s = b.String()
	}
	return s + strings.Repeat(" ", w-n)
}

func center(s string, w int) string {
	s = fit(s, w)
	s = strings.TrimRight(s, " ")
	left := (w - cells(s)) / 2
	return fit(strings.Repeat(" ", left)+s, w)
}
