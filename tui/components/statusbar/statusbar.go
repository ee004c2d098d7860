// Package statusbar draws the last line of the screen: the user's unseen
// alerts, the tunnel, the sync state and the outbox, the tickets near or
// past their deadline, who is logged in, a transient message, and the
// progress of a long sync.
package statusbar

import (
	"fmt"
	"strings"
	"time"

	"hotline/tui/cells"
	"hotline/tui/components/progress"
	"hotline/tui/theme"
)

// Info is everything the bar shows.
type Info struct {
	Tunnel    string // "已连接", "未连接", ...; "" when unknown
	Handshake time.Time
	Rx, Tx    int64
	Online    bool
	LastSync  time.Time
	SyncErr   string
	Pending   int
	Near      int // open tickets near their step's deadline
	Overdue   int // open tickets past it
	Alerts    int // the user's alerts not seen yet; shown only when there are any
	User      string
	Unit      string
	Msg       string // transient message, shown first
	MsgErr    bool
	// Progress is a long sync under way (the first of an empty cache, or
	// one far behind), shown after the message; nil when there is none.
	Progress *progress.Line
}

// Format turns times and sizes into text; the app package provides them.
type Format struct {
	Now   time.Time
	Ago   func(now, t time.Time) string
	Clock func(t time.Time) string
	Bytes func(n int64) string
}

// Model is the status bar.
type Model struct {
	width  int
	styles *theme.Styles
}

// New returns a status bar.
func New(styles *theme.Styles) Model { return Model{styles: styles, width: 1} }

// SetSize sets the width; the bar is one line high.
func (m *Model) SetSize(w, _ int) { m.width = w }

const sep = " │ "

// Text is the bar's information as plain text, before the message.
func Text(in Info, f Format) string {
	tunnel := "隧道 " + orDash(cells.Line(in.Tunnel))
	if in.Handshake.IsZero() {
		tunnel += " 未握手"
	} else {
		tunnel += " 握手" + f.Ago(f.Now, in.Handshake)
	}
	tunnel += fmt.Sprintf(" ↓%s ↑%s", f.Bytes(in.Rx), f.Bytes(in.Tx))

	var parts []string
	switch {
	case !in.Online:
		parts = append(parts, "离线")
	case in.SyncErr != "":
		parts = append(parts, "同步出错")
	}
	if in.LastSync.IsZero() {
		parts = append(parts, "未同步")
	} else {
		parts = append(parts, "同步于"+f.Clock(in.LastSync))
	}
	parts = append(parts, fmt.Sprintf("待发送 %d", in.Pending))
	sync := strings.Join(parts, " ")

	// The marks say it without colour, as in the lists.
	due := fmt.Sprintf("!超时 %d ▲临近 %d", in.Overdue, in.Near)

	who := cells.Line(in.User)
	if in.Unit != "" {
		who += " · " + cells.Line(in.Unit)
	}
	out := []string{tunnel, sync, due, who}
	if in.Alerts > 0 {
		// First: the bar is cut from the right on a narrow screen, and
		// an alert is what the officer must not miss.
		out = append([]string{fmt.Sprintf("提醒 %d", in.Alerts)}, out...)
	}
	return strings.Join(out, sep)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// View draws exactly one line of exactly the width. The message takes at
// most two thirds of it (a third while a sync's progress is shown), the
// progress up to ProgressWidth; the rest is cut from the right.
func (m Model) View(in Info, f Format) string {
	rest := " " + Text(in, f)
	w := m.width
	var b strings.Builder
	if in.Msg != "" {
		room := w * 2 / 3
		if in.Progress != nil {
			room = w / 3
		}
		msg := " " + cells.Line(in.Msg) + " "
		msg = cells.Cut(msg, max(room, 1), cells.Ellipsis+" ")
		style := m.styles.StatusMsg
		if in.MsgErr {
			style = m.styles.StatusErr
		}
		b.WriteString(style.Render(msg))
		w -= cells.Width(msg)
	}
	// The progress is framed as " line │", three cells around it.
	if in.Progress != nil && w > 3 {
		pw := min(ProgressWidth(m.width), w)
		b.WriteString(m.styles.Status.Render(" " + in.Progress.View(pw-3) + " │"))
		w -= pw
	}
	b.WriteString(m.styles.Status.Render(cells.Fit(rest, w)))
	return b.String()
}

// ProgressWidth is the part of a bar of width w that a sync's progress
// takes: most of it on a narrow screen, where the bar and its counts need
// the room, and no more than is worth it on a wide one.
func ProgressWidth(w int) int { return min(max(w*5/8, 40), 72, w) }
