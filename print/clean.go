package print

import (
	"strings"
	"unicode/utf8"
)

// Clean makes untrusted text plain before it is laid out: escape sequences
// (CSI, OSC, DCS and the rest, in their 7-bit and 8-bit forms) are removed
// whole, other C0 and C1 control characters and DEL are dropped, bidi
// embeddings, overrides and isolates are dropped, line ends become \n, tabs
// become spaces and invalid UTF-8 becomes U+FFFD. Characters outside the BMP
// are kept as they are.
func Clean(s string) string {
	if plain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				break
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r == 0x1b:
			i += sequence(s[i:])
			continue
		case r == 0x9b, r == 0x9d, r == 0x90, r == 0x98, r == 0x9e, r == 0x9f:
			i += sequence(s[i:])
			continue
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		case bidi(r):
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// plain reports whether s needs no cleaning, the common case.
func plain(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError ||
			r == 0x2028 || r == 0x2029 || bidi(r) {
			return false
		}
	}
	return true
}

func bidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// sequence is the length in bytes of the escape sequence at the start of s,
// which starts with ESC or an 8-bit introducer. A sequence cut off by the end
// of the text runs to the end.
func sequence(s string) int {
	kind := byte(0)
	start := 0
	if s[0] == 0x1b {
		if len(s) < 2 {
			return 1
		}
		start = 2
		switch c := s[1]; c {
		case '[':
			kind = '['
		case ']', 'P', 'X', '^', '_':
			kind = ']'
		default:
			// Intermediates then one final byte: ESC ( B, ESC c, ESC 7 ...
			i := 1
			for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
				i++
			}
			if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
				i++
			}
			return i
		}
	} else {
		r, size := utf8.DecodeRuneInString(s)
		start = size
		if r == 0x9b {
			kind = '['
		} else {
			kind = ']'
		}
	}
	if kind == '[' {
		// Parameters and intermediates, then a final byte in @–~.
		for i := start; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
			if s[i] < 0x20 || s[i] > 0x7e {
				return i // not a sequence after all: keep what follows
			}
		}
		return len(s)
	}
	// A string, ended by BEL, ESC \ or the 8-bit ST.
	for i := start; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
	}
	return len(s)
}
