package calendar_test

import (
	"testing"
	"time"

	"hotline/calendar"
)

// listed is a span of days the State Council's notice for the year names.
type listed struct {
	from, to string
	work     bool
	name     string
}

// Every holiday and make-up working day of 2025 and 2026 as the State
// Council's notices set them (the 2025 notice of November 2024; for 2026 the
// arrangement lunar-go v1.4.7 holds, checked day by day below).
var notices = map[int][]listed{
	2025: {
		{"2025-01-01", "2025-01-01", false, "元旦"},
		{"2025-01-26", "2025-01-26", true, "春节 (Sunday)"},
		{"2025-01-28", "2025-02-04", false, "春节"},
		{"2025-02-08", "2025-02-08", true, "春节 (Saturday)"},
		{"2025-04-04", "2025-04-06", false, "清明节"},
		{"2025-04-27", "2025-04-27", true, "劳动节 (Sunday)"},
		{"2025-05-01", "2025-05-05", false, "劳动节"},
		{"2025-05-31", "2025-06-02", false, "端午节"},
		{"2025-09-28", "2025-09-28", true, "国庆中秋 (Sunday)"},
		{"2025-10-01", "2025-10-08", false, "国庆中秋"},
		{"2025-10-11", "2025-10-11", true, "国庆中秋 (Saturday)"},
	},
	2026: {
		{"2026-01-01", "2026-01-03", false, "元旦"},
		{"2026-01-04", "2026-01-04", true, "元旦 (Sunday)"},
		{"2026-02-14", "2026-02-14", true, "春节 (Saturday)"},
		{"2026-02-15", "2026-02-23", false, "春节"},
		{"2026-02-28", "2026-02-28", true, "春节 (Saturday)"},
		{"2026-04-04", "2026-04-06", false, "清明节"},
		{"2026-05-01", "2026-05-05", false, "劳动节"},
		{"2026-05-09", "2026-05-09", true, "劳动节 (Saturday)"},
		{"2026-06-19", "2026-06-21", false, "端午节"},
		{"2026-09-20", "2026-09-20", true, "国庆节 (Sunday)"},
		{"2026-09-25", "2026-09-27", false, "中秋节"},
		{"2026-10-01", "2026-10-07", false, "国庆节"},
		{"2026-10-10", "2026-10-10", true, "国庆节 (Saturday)"},
	},
}

// TestOfficialYears checks every day of 2025 and 2026: the listed days as
// the notices set them, every other day Monday to Friday.
func TestOfficialYears(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for year, spans := range notices {
		want := map[string]listed{}
		for _, s := range spans {
			for d := date(t, s.from); !d.After(date(t, s.to)); d = d.AddDate(0, 0, 1) {
				want[d.Format(time.DateOnly)] = s
			}
		}
		workdays := 0
		for d := date(t, fmtYear(year)); d.Year() == year; d = d.AddDate(0, 0, 1) {
			key := d.Format(time.DateOnly)
			exp := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
			why := "ordinary " + d.Weekday().String()
			if s, ok := want[key]; ok {
				exp, why = s.work, s.name
			}
			got, err := c.IsWorkday(d.Add(12 * time.Hour))
			if err != nil {
				t.Fatalf("IsWorkday(%s): %v", key, err)
			}
			if got != exp {
				t.Errorf("IsWorkday(%s) = %v, want %v (%s)", key, got, exp, why)
			}
			if got {
				workdays++
			}
		}
		// 261 weekdays in each year; 2025: 18 off, 5 on; 2026: 19 off, 6 on.
		if workdays != 248 {
			t.Errorf("%d has %d working days, want 248", year, workdays)
		}
	}
}

func fmtYear(y int) string { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly) }

func TestCovered(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for _, tc := range []struct {
		year int
		want bool
	}{
		{2001, false}, // only the 2002 New Year days taken in late 2001
		{2002, true},
		{2020, true},
		{2025, true},
		{2026, true},
		{2027, true},
		{2028, false},
		{2099, false},
	} {
		if got := c.Covered(tc.year); got != tc.want {
			t.Errorf("Covered(%d) = %v, want %v", tc.year, got, tc.want)
		}
	}
}
