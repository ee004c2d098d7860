package cells

import "strings"

// Characters that may not begin a line (closing punctuation) and that may
// not end one (opening punctuation), after the Chinese line-breaking rules
// (GB/T 15834 and W3C clreq).
const (
	noStart = "，。、；：！？）》”’」』】〕〉〗｝…—～·%,.;:!?)]}"
	noEnd   = "（《“‘「『【〔〈〖｛([{"
)

// unit is a stretch of text that wrapping keeps on one line: a Latin word, a
// run of spaces, or one CJK character with the punctuation glued to it.
type unit struct {
	start, end int // byte offsets
	width      int
	space      bool
	graphemes  []grapheme
}

type grapheme struct {
	start, end, width int
}

// units splits a line (no \n) into the pieces wrapping may not split.
func units(line string) []unit {
	var (
		out      []unit
		glueNext bool
		off      int
	)
	Each(line, func(g string, w int) bool {
		gr := grapheme{off, off + len(g), w}
		off += len(g)
		space := g == " "
		word := !space && w == 1 && !strings.Contains(noStart+noEnd, g)
		last := len(out) - 1
		join := false
		switch {
		case last < 0:
		case glueNext:
			join = true
		case strings.Contains(noStart, g):
			join = true
		case space:
			join = out[last].space
		case word:
			join = out[last].isWord(line)
		}
		if join {
			u := &out[last]
			u.end = gr.end
			u.width += w
			u.space = u.space && space
			u.graphemes = append(u.graphemes, gr)
		} else {
			out = append(out, unit{start: gr.start, end: gr.end, width: w, space: space, graphemes: []grapheme{gr}})
		}
		glueNext = strings.Contains(noEnd, g)
		return true
	})
	return out
}

// isWord reports whether u is a run of narrow letters that a following
// narrow letter continues.
func (u unit) isWord(line string) bool {
	if u.space {
		return false
	}
	for _, g := range u.graphemes {
		s := line[g.start:g.end]
		if g.width != 1 || s == " " || strings.Contains(noStart+noEnd, s) {
			return false
		}
	}
	return true
}

// Breaks returns the byte offsets where the rows of line begin when it is
// wrapped to w cells; the first is always 0. Every byte belongs to a row and
// no row is wider than w, except a single character wider than w. Breaks
// fall between Chinese characters, at spaces and between words; closing
// punctuation stays with the character before it and opening punctuation
// with the one after. A row that exactly fills w ends there: no empty row
// follows it.
func Breaks(line string, w int) []int {
	rows := []int{0}
	if w <= 0 {
		return rows
	}
	used := 0
	newRow := func(at int) {
		if at > rows[len(rows)-1] {
			rows = append(rows, at)
			used = 0
		}
	}
	for _, u := range units(line) {
		if used+u.width <= w {
			used += u.width
			continue
		}
		if used > 0 {
			newRow(u.start)
		}
		if u.width <= w {
			used = u.width
			continue
		}
		// Wider than a whole row: split it between its graphemes.
		for _, g := range u.graphemes {
			if used+g.width > w && used > 0 {
				newRow(g.start)
			}
			used += g.width
		}
	}
	return rows
}

// Wrap breaks s into lines of at most w cells, keeping its own line breaks
// (an empty line stays empty). Spaces at a wrap are dropped. s must be
// sanitised text.
func Wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		para = strings.TrimRight(para, " ")
		br := Breaks(para, w)
		for i, start := range br {
			end := len(para)
			if i+1 < len(br) {
				end = br[i+1]
			}
			row := strings.TrimRight(para[start:end], " ")
			if i > 0 {
				row = strings.TrimLeft(row, " ")
				if row == "" {
					continue
				}
			}
			out = append(out, row)
		}
	}
	return out
}
