package calendar

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// officialTable is the State Council's arrangement as lunar-go records it,
// flattened once into one status per day so that counting days costs an
// index, not a string search. A year counts as covered when the table holds
// an arrangement for one of its holidays (a record whose target falls in
// that year): lunar-go lists only days that differ from Monday to Friday, so
// a year it has no records for is unknown, not ordinary.
type officialTable struct {
	years  map[int]bool
	lo, hi ordinal // first and last day of the covered span
	status []int8  // per day from lo: statusWork, statusOff or statusUnknown
}

const (
	statusOff     int8 = 0
	statusWork    int8 = 1
	statusUnknown int8 = -1
)

// Years searched for records; lunar-go's table starts in 2001 and the range
// leaves room for later releases.
const searchFrom, searchTo = 1990, 2200

var official = sync.OnceValues(loadOfficial)

func loadOfficial() (*officialTable, error) {
	type rec struct {
		day  ordinal
		work bool
	}
	var recs []rec
	years := map[int]bool{}
	for y := searchFrom; y <= searchTo; y++ {
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			day, err := parseDate(h.GetDay())
			if err != nil {
				return nil, fmt.Errorf("calendar: lunar-go holiday day %q: %w", h.GetDay(), err)
			}
			target, err := parseDate(h.GetTarget())
			if err != nil {
				return nil, fmt.Errorf("calendar: lunar-go holiday target %q: %w", h.GetTarget(), err)
			}
			years[target.year()] = true
			recs = append(recs, rec{day, h.IsWork()})
		}
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("calendar: lunar-go holiday table is empty")
	}
	first, last := searchTo, searchFrom
	for y := range years {
		first, last = min(first, y), max(last, y)
	}
	t := &officialTable{years: years, lo: dateOf(first, 1, 1), hi: dateOf(last, 12, 31)}
	t.status = make([]int8, t.hi-t.lo+1)
	for d := t.lo; d <= t.hi; d++ {
		switch {
		case !years[d.year()]:
			t.status[d-t.lo] = statusUnknown
		case weekdayWork(d):
			t.status[d-t.lo] = statusWork
		default:
			t.status[d-t.lo] = statusOff
		}
	}
	for _, r := range recs {
		// Records before the first covered year (the 2002 New Year days
		// taken in late 2001) stay out: the rest of that year is unknown.
		if r.day < t.lo || r.day > t.hi || t.status[r.day-t.lo] == statusUnknown {
			continue
		}
		if r.work {
			t.status[r.day-t.lo] = statusWork
		} else {
			t.status[r.day-t.lo] = statusOff
		}
	}
	return t, nil
}

// ordinal is a civil date as days since 1970-01-01, so that "the next day"
// is +1 whatever the time zone does.
type ordinal int64

func dateOf(y int, m time.Month, d int) ordinal {
	return ordinal(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func ordinalOf(t time.Time) ordinal {
	y, m, d := t.Date()
	return dateOf(y, m, d)
}

func (d ordinal) civil() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d ordinal) year() int {
	y, _, _ := d.civil()
	return y
}

func (d ordinal) weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((int64(d)+4)%7 + 7) % 7)
}

func (d ordinal) String() string {
	y, m, dd := d.civil()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

func weekdayWork(d ordinal) bool {
	wd := d.weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// parseDate reads a YYYY-MM-DD date; time.Parse already refuses "2026-2-3"
// and "2026-02-30", and the message tells a wrong shape from an impossible day.
func parseDate(s string) (ordinal, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if len(s) == 10 && s[4] == '-' && s[7] == '-' {
			if _, aerr := strconv.Atoi(s[:4] + s[5:7] + s[8:]); aerr == nil {
				return 0, fmt.Errorf("no such date")
			}
		}
		return 0, fmt.Errorf("want YYYY-MM-DD")
	}
	return ordinalOf(t), nil
}
