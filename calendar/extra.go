package calendar

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// LoadExtra reads a unit's own days from a plain text file, one day a line:
//
//	# 单位日历
//	2026-05-06 off 单位调休
//	2026-05-16 on  补班
//
// The date, then "off" or "on", then an optional name; blank lines and lines
// starting with # are skipped. The file is UTF-8 (a leading byte-order mark
// is allowed). Errors name the file, the line and the field.
func LoadExtra(path string) ([]Day, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return parseExtra(path, string(data))
}

func parseExtra(path, text string) ([]Day, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	var days []Day
	seen := map[ordinal]int{}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s line %d: not UTF-8 text; save the file as UTF-8", path, n)
		}
		f := strings.Fields(line)
		d, err := parseDate(f[0])
		if err != nil {
			return nil, fmt.Errorf("%s line %d: field 1 (date) %q: %w", path, n, f[0], err)
		}
		if prev, dup := seen[d]; dup {
			return nil, fmt.Errorf("%s line %d: field 1 (date) %s: already given on line %d", path, n, f[0], prev)
		}
		seen[d] = n
		if len(f) < 2 {
			return nil, fmt.Errorf("%s line %d: field 2 (off or on) missing", path, n)
		}
		var work bool
		switch strings.ToLower(f[1]) {
		case "off":
		case "on":
			work = true
		default:
			return nil, fmt.Errorf("%s line %d: field 2 %q: want off or on", path, n, f[1])
		}
		days = append(days, Day{Date: f[0], Work: work, Name: strings.Join(f[2:], " ")})
	}
	return days, nil
}
