// Package chart draws charts in terminal cells: horizontal bars, one per
// labelled value, and a line of counts over time with a second count
// overlaid as marks. Every chart reads without colour: bars are block
// glyphs to an eighth of a cell, the line and its overlay are marks named in
// a legend, and the values are printed beside them. Styles only repeat what
// the glyphs say. Every line drawn is exactly the width asked for.
package chart

import (
	"strings"

	"charm.land/lipgloss/v2"

	"hotline/tui/theme"
)

// Glyphs of the charts. Block elements, box drawing and the marks are one
// cell each whatever the locale (see cells).
const (
	Full     = "█"
	Selected = "▸" // before the label of the bar under the cursor
	Point    = "●" // a point of the line
	Over     = "✕" // a point of the overlay
	Both     = "⊗" // a point of the line and of the overlay in one cell
)

// eighths are the partial blocks, from one eighth of a cell to seven.
var eighths = [8]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// Styles colour a chart. The zero value draws plain text.
type Styles struct {
	Bar   lipgloss.Style // the bars, and the line
	Miss  lipgloss.Style // the overlay's marks
	Axis  lipgloss.Style // axes and their labels
	Label lipgloss.Style // the label of the bar under the cursor
}

// NewStyles takes a chart's styles from the theme: the accent for what is
// counted, the overdue colour for the deadlines missed.
func NewStyles(st theme.Styles) Styles {
	return Styles{Bar: st.Title, Miss: st.Overdue, Axis: st.Muted, Label: st.Selected}
}

// runs draws a row of cells, each with its style, joining neighbours of
// the same style into one styled run.
func runs(cellsOf []string, styleOf []int, styles []lipgloss.Style) string {
	var b strings.Builder
	for i := 0; i < len(cellsOf); {
		j := i
		var run strings.Builder
		for j < len(cellsOf) && styleOf[j] == styleOf[i] {
			run.WriteString(cellsOf[j])
			j++
		}
		if k := styleOf[i]; k >= 0 {
			b.WriteString(styles[k].Render(run.String()))
		} else {
			b.WriteString(run.String())
		}
		i = j
	}
	return b.String()
}
