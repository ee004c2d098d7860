// Package cells is the one place where the terminal UI measures, cuts, pads
// and wraps text by terminal cells, and where untrusted text is made safe to
// draw. Every width is counted per grapheme cluster with East Asian ambiguous
// characters as one cell, whatever RUNEWIDTH_EASTASIAN or the locale say, so
// that box drawing, quotes and ellipses keep the layout in every locale.
package cells

import (
	"strings"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"
)

// measure pins ambiguous characters to one cell. The package-level functions of
// x/ansi follow RUNEWIDTH_EASTASIAN, read once at start-up, so they are not
// used for layout.
var measure = displaywidth.Options{EastAsianWidth: false}

// Ellipsis ends text that was cut to fit.
const Ellipsis = "…"

// TabWidth is the distance between tab stops when tabs are expanded.
const TabWidth = 4

// Width is the number of cells s occupies. s must be plain text: no escape
// sequences (pass untrusted text through Sanitize first).
func Width(s string) int {
	return measure.String(s)
}

// Each calls fn for every grapheme cluster of s with its width in cells, in
// order, until fn returns false.
func Each(s string, fn func(g string, w int) bool) {
	it := measure.StringGraphemes(s)
	for it.Next() {
		if !fn(it.Value(), it.Width()) {
			return
		}
	}
}

// Graphemes splits s into its grapheme clusters: what a reader counts as one
// character, such as 𠮷, e + U+0301 or a family emoji joined with U+200D.
func Graphemes(s string) []string {
	var out []string
	Each(s, func(g string, _ int) bool {
		out = append(out, g)
		return true
	})
	return out
}

// Cut shortens s to at most w cells, ending it with tail when something was
// cut. A wide character that would straddle the limit is dropped whole.
func Cut(s string, w int, tail string) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	tw := Width(tail)
	if tw > w {
		tail, tw = "", 0
	}
	limit := w - tw
	var b strings.Builder
	used := 0
	Each(s, func(g string, gw int) bool {
		if used+gw > limit {
			return false
		}
		b.WriteString(g)
		used += gw
		return true
	})
	b.WriteString(tail)
	return b.String()
}

// Pad adds spaces after s up to w cells. Text already w cells or wider is
// returned as it is.
func Pad(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// PadLeft adds spaces before s up to w cells.
func PadLeft(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// Fit makes s exactly w cells: cut with an ellipsis when too wide, padded
// with spaces when too narrow. This is what keeps a redrawn row free of
// leftovers of a wider one.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return Pad(Cut(s, w, Ellipsis), w)
}

// Center places s in the middle of w cells, cut to fit.
func Center(s string, w int) string {
	s = Cut(s, w, Ellipsis)
	left := (w - Width(s)) / 2
	return Pad(strings.Repeat(" ", left)+s, w)
}

// Sanitize makes untrusted text inert for a terminal. Control characters,
// including ESC and BEL of escape sequences, become the visible symbols of
// the Control Pictures block (ESC → ␛), so a clipboard write, a clear screen
// or a title change is shown as text and never acted on. A bare \r becomes ␍
// while \r\n is a line break; tabs are expanded; bidi embeddings, overrides
// and isolates, which could reorder what is shown, are removed; invalid UTF-8
// becomes U+FFFD. Newlines are kept. Sanitize(Sanitize(s)) == Sanitize(s).
func Sanitize(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	col := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
			col++
		case r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
			col = 0
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			b.WriteRune('␍')
			col++
		case r == '\t':
			n := TabWidth - col%TabWidth
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20:
			b.WriteRune(0x2400 + r)
			col++
		case r == 0x7f:
			b.WriteRune('␡')
			col++
		case r >= 0x80 && r <= 0x9f:
			// C1 controls: CSI (U+009B) and OSC (U+009D) start sequences
			// on terminals that honour 8-bit controls.
			b.WriteRune(utf8.RuneError)
			col++
		case isBidiControl(r):
		default:
			b.WriteRune(r)
			col += measure.Rune(r)
		}
	}
	return b.String()
}

// Line is Sanitize for a single line: line breaks become spaces.
func Line(s string) string {
	return strings.ReplaceAll(Sanitize(s), "\n", " ")
}

// isClean reports whether Sanitize would return s unchanged, so that the
// common case costs no allocation.
func isClean(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n':
		case r == utf8.RuneError, r < 0x20, r >= 0x7f && r <= 0x9f, isBidiControl(r),
			r == '\u2028', r == '\u2029':
			return false
		}
	}
	return true
}

func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
