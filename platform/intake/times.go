package intake

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"hotline/complaint"
)

// china is the zone of every time in the center's files. Asia/Shanghai, not a
// fixed +08:00, because China kept summer time from 1986 to 1991.
var china = complaint.China

// parseTime reads a time written as text in one of the forms the center's
// files use: 2019/4/25 9:32:09, 2019-04-25 09:32:09, 2019/4/25 9:32,
// 2019/4/25, 2019-04-25. Date and time may also be joined by a "T". The
// date's two separators must be the same. The result is in China time.
func parseTime(s string) (time.Time, error) {
	date, clock, hasClock := strings.Cut(s, " ")
	if !hasClock {
		date, clock, hasClock = strings.Cut(s, "T")
	}
	clock = strings.TrimLeft(clock, " ")
	var sep string
	switch {
	case strings.Contains(date, "/"):
		sep = "/"
	case strings.Contains(date, "-"):
		sep = "-"
	default:
		return time.Time{}, errTimeForm
	}
	ymd := strings.Split(date, sep)
	if len(ymd) != 3 || len(ymd[0]) != 4 {
		return time.Time{}, errTimeForm
	}
	y, ok1 := digits(ymd[0], 4, 4)
	mo, ok2 := digits(ymd[1], 1, 2)
	d, ok3 := digits(ymd[2], 1, 2)
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, errTimeForm
	}
	var h, mi, sec int
	if hasClock {
		hms := strings.Split(clock, ":")
		if len(hms) != 2 && len(hms) != 3 {
			return time.Time{}, errTimeForm
		}
		var okh, okm, oks bool
		h, okh = digits(hms[0], 1, 2)
		mi, okm = digits(hms[1], 2, 2)
		oks = true
		if len(hms) == 3 {
			sec, oks = digits(hms[2], 2, 2)
		}
		if !okh || !okm || !oks {
			return time.Time{}, errTimeForm
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("no such date or time")
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, china), nil
}

var errTimeForm = fmt.Errorf("not a time in a known form (2019/4/25 9:32:09, 2019-04-25 09:32:09, 2019/4/25 9:32, 2019/4/25)")

// digits parses s as a decimal number of min to max ASCII digits.
func digits(s string, min, max int) (int, bool) {
	if len(s) < min || len(s) > max {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Excel's serial date limits in the 1900 system: 1 is 1900-01-01, 2958465
// is 9999-12-31.
const (
	minSerial = 1
	maxSerial = 2958466
)

// serialTime converts an Excel serial date (days since the workbook's epoch,
// the fraction being the time of day) to China time, rounded to the nearest
// second. In the 1900 system Excel counts a 29 February 1900 that never was
// (serial 60), so serials before it are one day later than plain counting.
func serialTime(serial float64, date1904 bool) (time.Time, error) {
	lowest := float64(minSerial)
	if date1904 {
		lowest = 0 // 1904-01-01
	}
	if math.IsNaN(serial) || serial < lowest || serial >= maxSerial || (!date1904 && serial >= 60 && serial < 61) {
		return time.Time{}, fmt.Errorf("serial date %s is outside the calendar", strconv.FormatFloat(serial, 'f', -1, 64))
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if serial < 60 {
		epoch = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	// Whole seconds from the epoch; the wall clock is then read as China time.
	// Rounding the product, not the fraction alone, carries 23:59:59.6 into
	// the next day correctly.
	secs := int64(math.Round(serial * 86400))
	w := epoch.Add(time.Duration(secs) * time.Second)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, china), nil
}

// isoTime reads the value of an xlsx cell of type "d": an ISO 8601 wall-clock
// time (Excel writes a "Z" but means the workbook's own clock), read as China
// time and rounded to the second.
func isoTime(s string) (time.Time, error) {
	v := strings.TrimSuffix(strings.ReplaceAll(s, ",", "."), "Z")
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02", "20060102T150405.999999999"} {
		if w, err := time.Parse(layout, v); err == nil {
			w = w.Round(time.Second)
			return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, china), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date")
}
