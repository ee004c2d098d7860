// Package theme holds the one set of styles the terminal UI draws with.
// Components take their styles from here and never pick colours of their
// own; with NO_COLOR set every style is plain apart from bold and reverse,
// which carry meaning (new, selected) without colour.
package theme

import (
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
}

// NoColor reports whether the user asked for no colour (https://no-color.org:
// NO_COLOR set to anything but the empty string).
func NoColor() bool { return os.Getenv("NO_COLOR") != "" }

// New builds the styles; noColor leaves out every colour.
func New(noColor bool) Styles {
	s := lipgloss.NewStyle()
	if noColor {
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
		}
	}
	// The 16 basic colours follow the user's terminal palette, light or dark.
	var (
		accent = lipgloss.Color("4")
		muted  = lipgloss.Color("8")
		red    = lipgloss.Color("1")
		green  = lipgloss.Color("2")
		yellow = lipgloss.Color("3")
		fg     = lipgloss.Color("15")
		bg     = lipgloss.Color("0")
	)
	return Styles{
		Title:       s.Bold(true).Foreground(accent),
		TabActive:   s.Bold(true).Foreground(fg).Background(accent),
		TabInactive: s.Foreground(muted),
		Header:      s.Bold(true).Foreground(accent),
		Selected:    s.Reverse(true),
		New:         s.Bold(true).Foreground(yellow),
		Muted:       s.Foreground(muted),
		Label:       s.Foreground(muted),
		Section:     s.Bold(true).Foreground(accent),
		Error:       s.Bold(true).Foreground(red),
		Warn:        s.Foreground(yellow),
		Overdue:     s.Foreground(red),
		OK:          s.Foreground(green),
		Box:         s.Foreground(muted),
		Status:      s.Foreground(fg).Background(muted),
		StatusMsg:   s.Bold(true).Foreground(bg).Background(yellow),
		StatusErr:   s.Bold(true).Foreground(fg).Background(red),
		HelpKey:     s.Bold(true).Foreground(accent),
		HelpDesc:    s,
	}
}
