// Package theme holds the one set of styles the terminal UI draws with.
// Components take their styles from here and never pick colours of their
// own. There is a palette for a dark background and one for a light one,
// chosen by the settings or by asking the terminal; with NO_COLOR set every
// style is plain apart from bold and reverse, which carry meaning (new,
// selected) without colour. Whatever the palette, colour only repeats what
// the text already says (marks, words).
package theme

import (
	"fmt"
	"image/color"
	"os"

	"charm.land/lipgloss/v2"
)

// Styles are applied to text that is already cut and padded to its width:
// none of them sets a width, padding or border, so styling never changes
// the layout.
type Styles struct {
	Title       lipgloss.Style // a page's first line
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	Header      lipgloss.Style // table column titles
	Selected    lipgloss.Style // the row under the cursor
	New         lipgloss.Style // a ticket not yet opened since it arrived
	Muted       lipgloss.Style
	Label       lipgloss.Style // field names in the detail page
	Section     lipgloss.Style // section rules in the detail page
	Error       lipgloss.Style
	Warn        lipgloss.Style // near a deadline; the ▲ mark says it without colour
	Overdue     lipgloss.Style // past a deadline; the ! mark says it without colour
	OK          lipgloss.Style
	Box         lipgloss.Style // frame of the reply editor
	Status      lipgloss.Style // the status bar
	StatusMsg   lipgloss.Style // a transient message in the status bar
	StatusErr   lipgloss.Style // a transient error in the status bar
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
	// Match is what a list's filter found in a row's text. It is
	// underlined in every theme, so that it shows without colour and on
	// the reverse row under the cursor.
	Match lipgloss.Style
}

// Name is a theme as the settings name it.
type Name string

const (
	// Dark is for a dark background: the terminal's own 16 colours.
	Dark Name = "dark"
	// Light is for a light background: darker colours of the 256-colour
	// palette, which stay readable on white.
	Light Name = "light"
	// Auto asks the terminal for its background and picks dark or light;
	// a terminal that does not answer gets Dark.
	Auto Name = "auto"
)

// ParseName checks a theme's name from the settings.
func ParseName(s string) (Name, error) {
	switch n := Name(s); n {
	case Dark, Light, Auto:
		return n, nil
	}
	return "", fmt.Errorf("theme %q: give \"dark\", \"light\" or \"auto\"", s)
}

// NoColor reports whether the user asked for no colour (https://no-color.org:
// NO_COLOR set to anything but the empty string).
func NoColor() bool { return os.Getenv("NO_COLOR") != "" }

// For is the styles of theme n on a background that is dark or not (what
// the terminal answered; Auto goes by it, Dark and Light do not). NO_COLOR
// wins over every theme.
func For(n Name, darkBackground bool) Styles {
	switch {
	case NoColor():
		return Plain()
	case n == Light, n == Auto && !darkBackground:
		return palette(light)
	}
	return palette(dark)
}

// New builds the styles of the dark theme; noColor leaves out every colour.
func New(noColor bool) Styles {
	if noColor {
		return Plain()
	}
	return palette(dark)
}

// Plain is the styles without colour: bold and reverse only.
func Plain() Styles {
	s := lipgloss.NewStyle()
	return Styles{
		Title:       s.Bold(true),
		TabActive:   s.Bold(true).Reverse(true),
		TabInactive: s,
		Header:      s.Bold(true),
		Selected:    s.Reverse(true),
		New:         s.Bold(true),
		Muted:       s,
		Label:       s,
		Section:     s.Bold(true),
		Error:       s.Bold(true),
		Warn:        s,
		Overdue:     s.Bold(true),
		OK:          s,
		Box:         s,
		Status:      s.Reverse(true),
		StatusMsg:   s.Reverse(true).Bold(true),
		StatusErr:   s.Reverse(true).Bold(true),
		HelpKey:     s.Bold(true),
		HelpDesc:    s,
		Match:       s.Underline(true),
	}
}

// colours is a palette: the few colours every style is made of.
type colours struct {
	accent, muted, red, green, yellow color.Color
	// onAccent is text on the accent and on red; onMuted text on the
	// status bar's muted background; onYellow text on yellow.
	onAccent, onMuted, onYellow color.Color
	statusBg                    color.Color
}

var (
	// The 16 basic colours follow the user's terminal palette; bright
	// white on them reads on any dark background.
	dark = colours{
		accent: lipgloss.Color("4"), muted: lipgloss.Color("8"), red: lipgloss.Color("1"),
		green: lipgloss.Color("2"), yellow: lipgloss.Color("3"),
		onAccent: lipgloss.Color("15"), onMuted: lipgloss.Color("15"), onYellow: lipgloss.Color("0"),
		statusBg: lipgloss.Color("8"),
	}
	// On white the basic yellow and bright colours fade out: fixed darker
	// shades of the 256-colour palette instead (blue 25, grey 242, red
	// 160, green 28, amber 130), and a light grey status bar.
	light = colours{
		accent: lipgloss.Color("25"), muted: lipgloss.Color("242"), red: lipgloss.Color("160"),
		green: lipgloss.Color("28"), yellow: lipgloss.Color("130"),
		onAccent: lipgloss.Color("231"), onMuted: lipgloss.Color("232"), onYellow: lipgloss.Color("231"),
		statusBg: lipgloss.Color("252"),
	}
)

// palette builds the styles of a palette; both palettes set the same
// attributes (bold, reverse) as Plain, so nothing rests on colour alone.
func palette(c colours) Styles {
	s := lipgloss.NewStyle()
	return Styles{
		Title:       s.Bold(true).Foreground(c.accent),
		TabActive:   s.Bold(true).Foreground(c.onAccent).Background(c.accent),
		TabInactive: s.Foreground(c.muted),
		Header:      s.Bold(true).Foreground(c.accent),
		Selected:    s.Reverse(true),
		New:         s.Bold(true).Foreground(c.yellow),
		Muted:       s.Foreground(c.muted),
		Label:       s.Foreground(c.muted),
		Section:     s.Bold(true).Foreground(c.accent),
		Error:       s.Bold(true).Foreground(c.red),
		Warn:        s.Foreground(c.yellow),
		Overdue:     s.Foreground(c.red),
		OK:          s.Foreground(c.green),
		Box:         s.Foreground(c.muted),
		Status:      s.Foreground(c.onMuted).Background(c.statusBg),
		StatusMsg:   s.Bold(true).Foreground(c.onYellow).Background(c.yellow),
		StatusErr:   s.Bold(true).Foreground(c.onAccent).Background(c.red),
		HelpKey:     s.Bold(true).Foreground(c.accent),
		HelpDesc:    s,
		Match:       s.Underline(true).Bold(true).Foreground(c.accent),
	}
}
