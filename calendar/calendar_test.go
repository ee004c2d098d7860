package calendar_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"hotline/calendar"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

const layout = "2006-01-02 15:04:05 -0700 Mon"

func newCal(tb testing.TB, opts calendar.Options) *calendar.Calendar {
	tb.Helper()
	c, err := calendar.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// at parses "2006-01-02 15:04" in Asia/Shanghai.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func date(tb testing.TB, s string) time.Time { return at(tb, s+" 00:00") }

func TestAddWorkdays(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for _, tc := range []struct {
		name  string
		start time.Time
		n     int
		want  string
	}{
		{"next day", at(t, "2025-09-29 10:00"), 1, "2025-09-30 10:00:00 +0800 Tue"},
		{"over National Day and Mid-Autumn", at(t, "2025-09-30 10:00"), 1, "2025-10-09 10:00:00 +0800 Thu"},
		{"four days over Spring Festival 2026", at(t, "2026-02-12 10:00"), 4, "2026-02-25 10:00:00 +0800 Wed"},
		{"start on a day off", at(t, "2025-10-04 15:00"), 1, "2025-10-10 08:30:00 +0800 Fri"},
		{"zero from a day off", at(t, "2025-10-04 15:00"), 0, "2025-10-09 08:30:00 +0800 Thu"},
		{"zero from a working day", at(t, "2025-09-29 10:00"), 0, "2025-09-29 10:00:00 +0800 Mon"},
		{"start on a make-up Sunday", at(t, "2025-09-28 10:00"), 1, "2025-09-29 10:00:00 +0800 Mon"},
		{"onto a make-up Saturday", at(t, "2025-10-10 16:00"), 1, "2025-10-11 16:00:00 +0800 Sat"},
		{"after business hours keeps the time", at(t, "2025-09-29 20:00"), 1, "2025-09-30 20:00:00 +0800 Tue"},
		{"before business hours keeps the time", at(t, "2025-09-30 07:00"), 1, "2025-10-09 07:00:00 +0800 Thu"},
		{"reply over National Day", at(t, "2025-09-28 09:15"), 4, "2025-10-10 09:15:00 +0800 Fri"},
		{"reply over Spring Festival 2025", at(t, "2025-01-24 10:00"), 4, "2025-02-06 10:00:00 +0800 Thu"},
		{"over New Year into 2026", at(t, "2025-12-31 10:00"), 1, "2026-01-04 10:00:00 +0800 Sun"},
		{"from inside Spring Festival 2026", at(t, "2026-02-15 09:00"), 1, "2026-02-25 08:30:00 +0800 Wed"},
		{"instant given in UTC", time.Date(2025, 9, 30, 2, 0, 0, 0, time.UTC), 1, "2025-10-09 10:00:00 +0800 Thu"},
		{"UTC evening is the next Shanghai day", time.Date(2025, 10, 10, 17, 0, 0, 0, time.UTC), 1, "2025-10-13 01:00:00 +0800 Mon"},
	} {
		got, err := c.AddWorkdays(tc.start, tc.n)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if s := got.Format(layout); s != tc.want {
			t.Errorf("%s: AddWorkdays(%s, %d) = %s, want %s", tc.name, tc.start.Format(layout), tc.n, s, tc.want)
		}
	}
	if _, err := c.AddWorkdays(at(t, "2025-09-29 10:00"), -1); err == nil {
		t.Error("AddWorkdays(-1): no error")
	}
}

func TestIsWorkday(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{at(t, "2025-09-28 00:00"), true},  // make-up Sunday
		{at(t, "2025-10-11 23:59"), true},  // make-up Saturday
		{at(t, "2025-10-08 12:00"), false}, // last day of the National Day break
		{at(t, "2025-10-12 12:00"), false}, // ordinary Sunday
		// 2025-10-10 16:30 UTC is Saturday 00:30 in Shanghai, a working day.
		{time.Date(2025, 10, 10, 16, 30, 0, 0, time.UTC), true},
		// 2025-09-30 16:30 UTC is 1 October 00:30 in Shanghai.
		{time.Date(2025, 9, 30, 16, 30, 0, 0, time.UTC), false},
	} {
		got, err := c.IsWorkday(tc.t)
		if err != nil || got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v, nil", tc.t.Format(layout), got, err, tc.want)
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for _, tc := range []struct {
		a, b time.Time
		want int
	}{
		{at(t, "2025-09-30 10:00"), at(t, "2025-10-09 10:00"), 1},
		{at(t, "2025-09-30 10:00"), at(t, "2025-10-09 09:59"), 0},
		{at(t, "2025-09-29 10:00"), at(t, "2025-10-10 10:00"), 3},
		{at(t, "2025-09-29 10:00"), at(t, "2025-10-08 23:59"), 1},
		{at(t, "2025-10-04 15:00"), at(t, "2025-10-09 08:30"), 0},
		{at(t, "2025-10-04 15:00"), at(t, "2025-10-10 08:29"), 0},
		{at(t, "2025-10-04 15:00"), at(t, "2025-10-10 08:30"), 1},
		{at(t, "2025-10-04 15:00"), at(t, "2025-10-05 15:00"), 0},
		{at(t, "2025-10-09 10:00"), at(t, "2025-09-30 10:00"), -1},
		{at(t, "2025-09-29 10:00"), at(t, "2025-09-29 10:00"), 0},
		{at(t, "2026-02-12 10:00"), at(t, "2026-02-25 10:00"), 4},
		{at(t, "2024-12-31 12:00"), at(t, "2025-12-31 12:00"), 248},
	} {
		got, err := c.WorkdaysBetween(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d, nil", tc.a.Format(layout), tc.b.Format(layout), got, err, tc.want)
		}
	}
}

// TestWorkdaysBetweenUndoesAdd checks WorkdaysBetween(a, AddWorkdays(a, n))
// is n, and one nanosecond earlier n-1, from starts on and off working days.
func TestWorkdaysBetweenUndoesAdd(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for _, s := range []string{"2025-09-26 17:45", "2025-09-28 10:00", "2025-10-01 09:00", "2026-02-12 10:00", "2026-02-21 07:00", "2025-12-30 23:59"} {
		a := at(t, s)
		for n := 0; n <= 12; n++ {
			r, err := c.AddWorkdays(a, n)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.WorkdaysBetween(a, r); err != nil || got != n {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", s, r.Format(layout), got, err, n)
			}
			if n == 0 {
				continue
			}
			if got, _ := c.WorkdaysBetween(a, r.Add(-time.Nanosecond)); got != n-1 {
				t.Errorf("WorkdaysBetween(%s, %s - 1ns) = %d, want %d", s, r.Format(layout), got, n-1)
			}
		}
	}
}

func TestWorkingTime(t *testing.T) {
	c := newCal(t, calendar.Options{})
	for _, tc := range []struct {
		a, b time.Time
		want time.Duration
	}{
		// 7h30 on 30 September, nothing 1–8 October, 1h30 on 9 October.
		{at(t, "2025-09-30 10:00"), at(t, "2025-10-09 10:00"), 9 * time.Hour},
		{at(t, "2025-10-09 10:00"), at(t, "2025-09-30 10:00"), -9 * time.Hour},
		{at(t, "2025-10-04 00:00"), at(t, "2025-10-08 23:59"), 0},
		// 30 min Friday, the make-up Sunday whole, 30 min Monday.
		{at(t, "2025-09-26 17:00"), at(t, "2025-09-29 09:00"), 10 * time.Hour},
		{at(t, "2025-09-29 20:00"), at(t, "2025-09-30 08:00"), 0},
		{at(t, "2025-09-29 09:00"), at(t, "2025-09-29 12:00"), 3 * time.Hour},
		{at(t, "2025-09-29 06:00"), at(t, "2025-09-29 23:00"), 9 * time.Hour},
		// Spring Festival 2026: Thu 12 from 10:00, Fri 13, make-up Sat 14, Tue 24 to 10:00.
		{at(t, "2026-02-12 10:00"), at(t, "2026-02-24 10:00"), 7*time.Hour + 30*time.Minute + 18*time.Hour + 90*time.Minute},
	} {
		got, err := c.WorkingTime(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("WorkingTime(%s, %s) = %v, %v; want %v, nil", tc.a.Format(layout), tc.b.Format(layout), got, err, tc.want)
		}
	}
}

func TestBusinessHours(t *testing.T) {
	c := newCal(t, calendar.Options{DayStart: 9 * time.Hour, DayEnd: 17 * time.Hour})
	got, err := c.AddWorkdays(at(t, "2025-10-04 15:00"), 1)
	if err != nil || got.Format(layout) != "2025-10-10 09:00:00 +0800 Fri" {
		t.Errorf("AddWorkdays from a day off = %s, %v; want 2025-10-10 09:00", got.Format(layout), err)
	}
	d, err := c.WorkingTime(at(t, "2025-09-30 10:00"), at(t, "2025-10-09 10:00"))
	if err != nil || d != 8*time.Hour {
		t.Errorf("WorkingTime = %v, %v; want 8h", d, err)
	}
	utc := newCal(t, calendar.Options{Location: time.UTC})
	// 2025-10-09 00:30 Shanghai is 8 October 16:30 UTC, still the holiday.
	if w, err := utc.IsWorkday(at(t, "2025-10-09 00:30")); err != nil || w {
		t.Errorf("IsWorkday in UTC = %v, %v; want false", w, err)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts calendar.Options
		want string
	}{
		{"start after end", calendar.Options{DayStart: 18 * time.Hour}, "calendar: business hours 18h0m0s to 17h30m0s: want 0 <= start < end <= 24h"},
		{"end past midnight", calendar.Options{DayEnd: 25 * time.Hour}, "calendar: business hours 8h30m0s to 25h0m0s: want 0 <= start < end <= 24h"},
		{"bad date", calendar.Options{Extra: []calendar.Day{{Date: "2026-05-06"}, {Date: "2026-5-7"}}}, `calendar: extra day 2 date "2026-5-7": want YYYY-MM-DD`},
		{"impossible date", calendar.Options{Extra: []calendar.Day{{Date: "2026-02-29"}}}, `calendar: extra day 1 date "2026-02-29": no such date`},
		{"same date twice", calendar.Options{Extra: []calendar.Day{{Date: "2026-05-06"}, {Date: "2026-05-06", Work: true}}}, "calendar: extra day 2 date 2026-05-06: already given as extra day 1"},
	} {
		_, err := calendar.New(tc.opts)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: New error = %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestExtra(t *testing.T) {
	c := newCal(t, calendar.Options{Extra: []calendar.Day{
		{Date: "2026-05-06", Work: false, Name: "单位调休"}, // a Wednesday
		{Date: "2026-05-16", Work: true, Name: "补班"},    // a Saturday
		{Date: "2026-10-10", Work: false, Name: "改休"},   // an official make-up Saturday
	}})
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2026-05-06", false},
		{"2026-05-07", true},
		{"2026-05-09", true}, // official make-up day untouched
		{"2026-05-16", true},
		{"2026-05-17", false},
		{"2026-10-10", false},
	} {
		got, err := c.IsWorkday(at(t, tc.day+" 12:00"))
		if err != nil || got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v", tc.day, got, err, tc.want)
		}
	}
	plain := newCal(t, calendar.Options{})
	for _, tc := range []struct {
		start       string
		n           int
		want, plain string
	}{
		{"2026-04-30 10:00", 1, "2026-05-07 10:00:00 +0800 Thu", "2026-05-06 10:00:00 +0800 Wed"},
		{"2026-05-14 10:00", 2, "2026-05-16 10:00:00 +0800 Sat", "2026-05-18 10:00:00 +0800 Mon"},
	} {
		got, err := c.AddWorkdays(at(t, tc.start), tc.n)
		if err != nil || got.Format(layout) != tc.want {
			t.Errorf("with extra days AddWorkdays(%s, %d) = %s, %v; want %s", tc.start, tc.n, got.Format(layout), err, tc.want)
		}
		got, err = plain.AddWorkdays(at(t, tc.start), tc.n)
		if err != nil || got.Format(layout) != tc.plain {
			t.Errorf("official AddWorkdays(%s, %d) = %s, %v; want %s", tc.start, tc.n, got.Format(layout), err, tc.plain)
		}
	}
}

func TestNotCovered(t *testing.T) {
	c := newCal(t, calendar.Options{})
	const text2099 = "2099 年的法定节假日安排尚未收录，工作日按周一至周五推算；请更新程序，或在单位日历文件中补充该年安排"
	for _, tc := range []struct {
		day  string
		want bool
	}{{"2099-03-02", true}, {"2099-03-01", false}} {
		got, err := c.IsWorkday(at(t, tc.day+" 10:00"))
		if got != tc.want || !errors.Is(err, calendar.ErrNotCovered) {
			t.Fatalf("IsWorkday(%s) = %v, %v; want %v and ErrNotCovered", tc.day, got, err, tc.want)
		}
		var nc *calendar.NotCoveredError
		if !errors.As(err, &nc) || nc.Year != 2099 {
			t.Fatalf("IsWorkday(%s) error %v does not name 2099", tc.day, err)
		}
		if err.Error() != "calendar: 2099: year not covered by the official holiday tables; working days counted Monday to Friday" {
			t.Errorf("error text = %q", err.Error())
		}
		if nc.Warning() != text2099 {
			t.Errorf("Warning() = %q", nc.Warning())
		}
	}

	// Into 2028: the answer is still given, counted Monday to Friday.
	got, err := c.AddWorkdays(at(t, "2027-12-30 10:00"), 2)
	var nc *calendar.NotCoveredError
	if got.Format(layout) != "2028-01-03 10:00:00 +0800 Mon" || !errors.As(err, &nc) || nc.Year != 2028 {
		t.Errorf("AddWorkdays into 2028 = %s, %v; want 2028-01-03 10:00 and 2028 not covered", got.Format(layout), err)
	}
	if got, err := c.AddWorkdays(at(t, "2027-12-29 10:00"), 1); err != nil || got.Format(layout) != "2027-12-30 10:00:00 +0800 Thu" {
		t.Errorf("AddWorkdays within 2027 = %s, %v; want 2027-12-30 10:00, nil", got.Format(layout), err)
	}
	if n, err := c.WorkdaysBetween(at(t, "2027-12-30 10:00"), at(t, "2028-01-04 10:00")); n != 3 || !errors.Is(err, calendar.ErrNotCovered) {
		t.Errorf("WorkdaysBetween into 2028 = %d, %v; want 3 and ErrNotCovered", n, err)
	}
	if d, err := c.WorkingTime(at(t, "2027-12-31 17:00"), at(t, "2028-01-03 09:30")); d != 90*time.Minute || !errors.Is(err, calendar.ErrNotCovered) {
		t.Errorf("WorkingTime into 2028 = %v, %v; want 1h30m and ErrNotCovered", d, err)
	}

	for _, tc := range []struct {
		now   time.Time
		years []int
	}{
		{at(t, "2026-06-01 10:00"), nil},
		{at(t, "2027-06-01 10:00"), []int{2028}},
		// 2027-12-31 16:30 UTC is already 2028 in Shanghai.
		{time.Date(2027, 12, 31, 16, 30, 0, 0, time.UTC), []int{2028, 2029}},
		{at(t, "2099-01-01 10:00"), []int{2099, 2100}},
	} {
		got := c.Warnings(tc.now)
		var want []string
		for _, y := range tc.years {
			want = append(want, (&calendar.NotCoveredError{Year: y}).Warning())
		}
		if !slices.Equal(got, want) {
			t.Errorf("Warnings(%s) = %q, want %q", tc.now.Format(layout), got, want)
		}
	}
	if w := c.Warnings(at(t, "2099-01-01 10:00")); len(w) == 0 || w[0] != text2099 {
		t.Errorf("Warnings(2099) = %q", w)
	}
}

// TestExtraCoversYear: a unit that lists a year's days itself makes the year
// covered, with no warning.
func TestExtraCoversYear(t *testing.T) {
	c := newCal(t, calendar.Options{Extra: []calendar.Day{{Date: "2028-01-01", Name: "元旦"}}})
	if !c.Covered(2028) {
		t.Fatal("Covered(2028) = false with a 2028 extra day")
	}
	got, err := c.AddWorkdays(at(t, "2027-12-30 10:00"), 2)
	if err != nil || got.Format(layout) != "2028-01-03 10:00:00 +0800 Mon" {
		t.Errorf("AddWorkdays into 2028 = %s, %v; want 2028-01-03 10:00, nil", got.Format(layout), err)
	}
	if w := c.Warnings(at(t, "2027-06-01 10:00")); w != nil {
		t.Errorf("Warnings(2027) = %q, want none", w)
	}
}

func BenchmarkAddWorkdays(b *testing.B) {
	c := newCal(b, calendar.Options{})
	start := at(b, "2026-02-12 10:00")
	for b.Loop() {
		if _, err := c.AddWorkdays(start, 4); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorkingTime(b *testing.B) {
	c := newCal(b, calendar.Options{})
	from, to := at(b, "2026-02-12 10:00"), at(b, "2026-02-25 10:00")
	for b.Loop() {
		if _, err := c.WorkingTime(from, to); err != nil {
			b.Fatal(err)
		}
	}
}
