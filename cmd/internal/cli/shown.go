package cli

import (
	"strings"

	"hotline/tui/cells"
)

// Shown is outside text (a file name or path, a ticket number, a type read
// from a file) made safe to print on one line: control characters, line
// breaks among them, become visible symbols (␛, ␊) instead of clearing the
// screen or splitting the message.
func Shown(s string) string {
	return cells.Line(strings.NewReplacer("\r\n", "␍␊", "\n", "␊").Replace(s))
}
