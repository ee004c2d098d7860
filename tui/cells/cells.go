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
// sequences (pass untrusted text through Sanitize first). Emoji joined with
// U+200D count as Sanitize draws them, each on its own (see Split).
func Width(s string) int {
	if !strings.ContainsRune(s, zwj) {
		return measure.String(s)
	}
	n := 0
	Each(s, func(_ string, w int) bool {
		n += w
		return true
	})
	return n
}

// Each calls fn for every grapheme cluster of s with its width in cells, in
// order, until fn returns false. A cluster of emoji joined with U+200D stays
// one cluster (one character to delete) but is as wide as its emoji drawn
// apart, which is how Sanitize has it drawn.
func Each(s string, fn func(g string, w int) bool) {
	it := measure.StringGraphemes(s)
	for it.Next() {
		g, w := it.Value(), it.Width()
		if strings.ContainsRune(g, zwj) {
			if split := Split(g); split != g {
				w = measure.String(split)
			}
		}
		if !fn(g, w) {
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

// Sanitize makes untrusted text inert for a terminal and splits emoji joined
// with U+200D, as Split does. Control characters,
// including ESC and BEL of escape sequences, become the visible symbols of
// the Control Pictures block (ESC → ␛), so a clipboard write, a clear screen
// or a title change is shown as text and never acted on. A bare \r becomes ␍
// while \r\n is a line break; tabs are expanded; bidi embeddings, overrides
// and isolates, which could reorder what is shown, are removed; invalid UTF-8
// becomes U+FFFD. Newlines are kept. Sanitize(Sanitize(s)) == Sanitize(s).
func Sanitize(s string) string {
	return Split(Inert(s))
}

// Inert is Sanitize without splitting joined emoji: for text being edited,
// where a family emoji stays one character to move over and delete.
func Inert(s string) string {
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

// zwj is the zero width joiner, U+200D.
const zwj = '\u200d'

// Split removes every U+200D that joins two emoji, so that a sequence such as
// the family 👨‍👩‍👧 is drawn as the emoji it is made of. Terminals disagree
// on such sequences — some draw one emoji two cells wide, tmux and others
// each of its parts — and a row measured one way and drawn the other
// overruns the screen; drawn apart, every terminal agrees. A joiner between
// other characters (in Indic scripts, say) is kept.
func Split(s string) string {
	i := strings.IndexRune(s, zwj)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i >= 0 {
		j := i + len(string(zwj))
		after, _ := utf8.DecodeRuneInString(s[j:])
		if emojiBefore(s[:i]) && isPictographic(after) {
			b.WriteString(s[last:i])
			last = j
		}
		k := strings.IndexRune(s[j:], zwj)
		if k < 0 {
			break
		}
		i = j + k
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// emojiBefore reports whether text ends with an emoji, perhaps followed by
// its presentation selector, a skin tone or tags.
func emojiBefore(text string) bool {
	for text != "" {
		r, size := utf8.DecodeLastRuneInString(text)
		if !isEmojiComponent(r) {
			return isPictographic(r)
		}
		text = text[:len(text)-size]
	}
	return false
}

// isEmojiComponent is what may follow an emoji inside a sequence: the
// emoji presentation selector, a skin tone, a tag.
func isEmojiComponent(r rune) bool {
	return r == 0xfe0f || (r >= 0x1f3fb && r <= 0x1f3ff) || (r >= 0xe0020 && r <= 0xe007f)
}

// pictographic is the Extended_Pictographic property of Unicode (emoji-data
// 15), the characters an emoji ZWJ sequence is made of.
var pictographic = [][2]rune{
	{0x00a9, 0x00a9}, {0x00ae, 0x00ae}, {0x203c, 0x203c}, {0x2049, 0x2049},
	{0x2122, 0x2122}, {0x2139, 0x2139}, {0x2194, 0x2199}, {0x21a9, 0x21aa},
	{0x231a, 0x231b}, {0x2328, 0x2328}, {0x2388, 0x2388}, {0x23cf, 0x23cf},
	{0x23e9, 0x23f3}, {0x23f8, 0x23fa}, {0x24c2, 0x24c2}, {0x25aa, 0x25ab},
	{0x25b6, 0x25b6}, {0x25c0, 0x25c0}, {0x25fb, 0x25fe}, {0x2600, 0x2605},
	{0x2607, 0x2612}, {0x2614, 0x2685}, {0x2690, 0x2705}, {0x2708, 0x2712},
	{0x2714, 0x2714}, {0x2716, 0x2716}, {0x271d, 0x271d}, {0x2721, 0x2721},
	{0x2728, 0x2728}, {0x2733, 0x2734}, {0x2744, 0x2744}, {0x2747, 0x2747},
	{0x274c, 0x274c}, {0x274e, 0x274e}, {0x2753, 0x2755}, {0x2757, 0x2757},
	{0x2763, 0x2767}, {0x2795, 0x2797}, {0x27a1, 0x27a1}, {0x27b0, 0x27b0},
	{0x27bf, 0x27bf}, {0x2934, 0x2935}, {0x2b05, 0x2b07}, {0x2b1b, 0x2b1c},
	{0x2b50, 0x2b50}, {0x2b55, 0x2b55}, {0x3030, 0x3030}, {0x303d, 0x303d},
	{0x3297, 0x3297}, {0x3299, 0x3299}, {0x1f000, 0x1f0ff}, {0x1f10d, 0x1f10f},
	{0x1f12f, 0x1f12f}, {0x1f16c, 0x1f171}, {0x1f17e, 0x1f17f}, {0x1f18e, 0x1f18e},
	{0x1f191, 0x1f19a}, {0x1f1ad, 0x1f1e5}, {0x1f201, 0x1f20f}, {0x1f21a, 0x1f21a},
	{0x1f22f, 0x1f22f}, {0x1f232, 0x1f23a}, {0x1f23c, 0x1f23f}, {0x1f249, 0x1f3fa},
	{0x1f400, 0x1f53d}, {0x1f546, 0x1f64f}, {0x1f680, 0x1f6ff}, {0x1f774, 0x1f77f},
	{0x1f7d5, 0x1f7ff}, {0x1f80c, 0x1f80f}, {0x1f848, 0x1f84f}, {0x1f85a, 0x1f85f},
	{0x1f888, 0x1f88f}, {0x1f8ae, 0x1f8ff}, {0x1f90c, 0x1f93a}, {0x1f93c, 0x1f945},
	{0x1f947, 0x1faff}, {0x1fc00, 0x1fffd},
}

func isPictographic(r rune) bool {
	lo, hi := 0, len(pictographic)
	for lo < hi {
		mid := (lo + hi) / 2
		switch {
		case r < pictographic[mid][0]:
			hi = mid
		case r > pictographic[mid][1]:
			lo = mid + 1
		default:
			return true
		}
	}
	return false
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
