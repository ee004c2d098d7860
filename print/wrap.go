package print

import (
	"strings"

	"github.com/rivo/uniseg"
)

// Wrap breaks text into lines no wider than width, where measure gives the
// width of one grapheme cluster (in points for a PDF, in cells for a
// terminal). Lines break only where the Unicode line breaking algorithm
// (UAX #14) allows, so no line starts with closing punctuation such as ，。、）》”
// and none ends with opening punctuation such as （《“; a newline always
// breaks. UAX #14 allows a break after spaces whatever follows them; Wrap
// does not break there before closing or after opening punctuation either,
// as Chinese text with stray spaces needs. Spaces at a break are dropped. A
// run with no break opportunity that is wider than a line (a long number,
// a URL) is cut between characters, still keeping punctuation on its side.
// A line holds at least one character, even one wider than width.
func Wrap(text string, width float64, measure func(cluster string) float64) []string {
	w := wrapper{width: width, measure: measure}
	state := -1
	for rest := text; rest != ""; {
		var cluster string
		var boundaries int
		cluster, rest, boundaries, state = uniseg.StepString(rest, state)
		w.add(cluster)
		switch boundaries & uniseg.MaskLine {
		case uniseg.LineMustBreak:
			w.endSegment()
			if strings.ContainsAny(cluster, "\n\r\v\f\u0085\u2028\u2029") {
				w.place()
				w.flush()
			}
		case uniseg.LineCanBreak:
			w.endSegment()
		}
	}
	w.endSegment()
	w.place()
	if len(w.line) > 0 {
		w.flush()
	}
	return w.lines
}

type cluster struct {
	text  string
	width float64
	space bool // a space that may hang past the end of a line
}

type wrapper struct {
	width   float64
	measure func(string) float64
	lines   []string
	line    []cluster // the line being filled
	lineW   float64   // its width, trailing spaces included
	seg     []cluster // the clusters since the last break opportunity
	pending []cluster // segments waiting to see whether the next may follow a break
}

func (w *wrapper) add(c string) {
	switch {
	case strings.ContainsAny(c, "\n\r\v\f\u0085\u2028\u2029"):
		return // a hard break, handled by the caller
	case c == " " || c == "\t":
		w.seg = append(w.seg, cluster{c, w.measure(c), true})
	default:
		w.seg = append(w.seg, cluster{c, w.measure(c), false})
	}
}

// endSegment ends a segment at a break opportunity. The segment is held
// back until the next one shows whether the break is wanted: not when
// spaces are all that part closing punctuation from what comes before, or
// opening punctuation from what follows.
func (w *wrapper) endSegment() {
	seg := w.seg
	w.seg = nil
	if len(seg) == 0 {
		return
	}
	if len(w.pending) > 0 && (opening(lastText(w.pending)) || closing(seg[0].text)) {
		w.pending = append(w.pending, seg...)
		return
	}
	w.place()
	w.pending = seg
}

// lastText is the last cluster of seg that is not a space.
func lastText(seg []cluster) string {
	for i := len(seg) - 1; i >= 0; i-- {
		if !seg[i].space {
			return seg[i].text
		}
	}
	return ""
}

// place puts the pending clusters on the current line when they fit
// (trailing spaces may hang past the end), else on a new one.
func (w *wrapper) place() {
	seg := w.pending
	w.pending = nil
	if len(seg) == 0 {
		return
	}
	content := 0.0 // width without trailing spaces
	end := len(seg)
	for end > 0 && seg[end-1].space {
		end--
	}
	for _, c := range seg[:end] {
		content += c.width
	}
	if len(w.line) > 0 && w.lineW+content > w.width {
		w.flush()
	}
	if len(w.line) == 0 && content > w.width {
		seg = w.cut(seg[:end], seg[end:])
	}
	for _, c := range seg {
		w.line = append(w.line, c)
		w.lineW += c.width
	}
}

// cut breaks a run too wide for a line between characters, filling lines
// while the rest is too wide; it returns what is left to start the next
// line with. It moves a cut back rather than start a line with closing
// punctuation or end one with opening punctuation.
func (w *wrapper) cut(run, spaces []cluster) []cluster {
	for {
		n, used := 0, 0.0
		for n < len(run) && (n == 0 || used+run[n].width <= w.width) {
			used += run[n].width
			n++
		}
		if n == len(run) {
			return append(run, spaces...)
		}
		for k := n; k >= 1; k-- {
			next, prev := k, k-1
			for next < len(run) && run[next].space {
				next++
			}
			for prev > 0 && run[prev].space {
				prev--
			}
			if (next == len(run) || !closing(run[next].text)) && !opening(run[prev].text) {
				n = k
				break
			}
		}
		w.line = append(w.line, run[:n]...)
		w.flush()
		run = run[n:]
		for len(run) > 0 && run[0].space {
			run = run[1:]
		}
	}
}

func (w *wrapper) flush() {
	var b strings.Builder
	end := len(w.line)
	for end > 0 && w.line[end-1].space {
		end--
	}
	for _, c := range w.line[:end] {
		b.WriteString(c.text)
	}
	w.lines = append(w.lines, b.String())
	w.line, w.lineW = w.line[:0], 0
}

// closing and opening are the punctuation that must not start, or end,
// a line, for the cuts UAX #14 gives no say in.
func closing(s string) bool {
	return s != "" && strings.ContainsRune(closers, firstRune(s))
}

func opening(s string) bool {
	return s != "" && strings.ContainsRune(openers, firstRune(s))
}

const (
	closers = "，。、；：？！）》」』】〕〉〗｝］”’…‥・ー々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:?!)]}%％‰℃"
	openers = "（《「『【〔〈〖｛［“‘([{$￥¥"
)

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
