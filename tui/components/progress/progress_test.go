package progress

import (
	"testing"
	"time"

	"hotline/tui/cells"
)

var t0 = time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)

func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

func TestTimeLeft(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, ""},
		{-3 * time.Second, ""},
		{300 * time.Millisecond, "约 1 秒"},
		{12 * time.Second, "约 12 秒"},
		{12*time.Second + time.Millisecond, "约 13 秒"},
		{59 * time.Second, "约 59 秒"},
		{59*time.Second + 200*time.Millisecond, "约 1 分钟"},
		{75 * time.Second, "约 1 分钟"},
		{90 * time.Second, "约 2 分钟"},
		{44 * time.Minute, "约 44 分钟"},
		{59*time.Minute + 40*time.Second, "约 1 小时"},
		{100 * time.Minute, "约 2 小时"},
		{23 * time.Hour, "约 23 小时"},
		{24 * time.Hour, ""},
		{400 * time.Hour, ""},
	} {
		if got := TimeLeft(c.d); got != c.want {
			t.Errorf("TimeLeft(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234: "1,234", 25000: "25,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBar(t *testing.T) {
	for _, c := range []struct {
		done, total, width int
		want               string
	}{
		{0, 5000, 10, "░░░░░░░░░░"},
		{1234, 5000, 12, "██░░░░░░░░░░"}, // 2.96 cells: rounded down
		{2500, 5000, 10, "█████░░░░░"},
		{4999, 5000, 10, "█████████░"}, // full only when done
		{5000, 5000, 10, "██████████"},
		{6000, 5000, 4, "████"},
		{10, 0, 5, "░░░░░"},
		{1, 1, 0, ""},
	} {
		got := Bar(c.done, c.total, c.width)
		if got != c.want || cells.Width(got) != c.width {
			t.Errorf("Bar(%d, %d, %d) = %q (%d cells), want %q", c.done, c.total, c.width, got, cells.Width(got), c.want)
		}
	}
}

// A line of progress at every width: exactly that many cells, Chinese
// counted as two, giving up the time left, the noun, the label and the
// bar in turn as the room shrinks.
func TestLineView(t *testing.T) {
	sync := Line{Label: "首次同步", Noun: "工单", Done: 1234, Total: 5000, Left: "约 12 秒"}
	for _, c := range []struct {
		l     Line
		width int
		want  string
	}{
		{sync, 60, "首次同步 █████░░░░░░░░░░░░░░░░░░ 1,234/5,000 工单 · 约 12 秒"},
		{sync, 43, "首次同步 █░░░░░ 1,234/5,000 工单 · 约 12 秒"},
		{sync, 42, "首次同步 ███░░░░░░░░░░░░░ 1,234/5,000 工单"},
		{sync, 32, "首次同步 █░░░░░ 1,234/5,000 工单"},
		{sync, 31, "首次同步 ██░░░░░░░░ 1,234/5,000"},
		{sync, 27, "首次同步 █░░░░░ 1,234/5,000"},
		{sync, 26, "███░░░░░░░░░░░ 1,234/5,000"},
		{sync, 18, "█░░░░░ 1,234/5,000"},
		{sync, 17, "1,234/5,000      "},
		{sync, 8, "1,234/5…"},
		{sync, 1, "…"},
		{Line{Label: "首次同步", Noun: "工单", Done: 1500}, 30, "首次同步 1,500 工单           "},
		{Line{Label: "首次同步", Noun: "工单", Done: 1500}, 18, "首次同步 1,500    "},
		{Line{Label: "首次同步", Noun: "工单", Done: 1500}, 13, "1,500        "},
		{Line{Label: "首次同步", Noun: "工单", Done: 1500}, 4, "1,5…"},
		{Line{Label: "导入", Noun: "行", Done: 5000, Total: 5000}, 30, "导入 ██████████ 5,000/5,000 行"},
	} {
		got := c.l.View(c.width)
		if got != c.want {
			t.Errorf("%+v at %d:\n got %q\nwant %q", c.l, c.width, got, c.want)
		}
		if w := cells.Width(got); w != c.width {
			t.Errorf("%+v at %d: %d cells", c.l, c.width, w)
		}
	}
	for w := 0; w <= 90; w++ {
		for _, l := range []Line{sync, {Label: "首次同步", Noun: "工单", Done: 1500}, {Label: "正在同步", Noun: "工单", Done: 0, Total: 3}} {
			if got := l.View(w); cells.Width(got) != w {
				t.Errorf("%+v at %d: %q is %d cells", l, w, got, cells.Width(got))
			}
		}
	}
}

func TestMeter(t *testing.T) {
	type rep struct {
		at   time.Time
		done int
	}
	for _, c := range []struct {
		name    string
		reports []rep
		total   int
		want    string // TimeLeft of the estimate; "" hidden
	}{
		{"nothing yet", nil, 5000, ""},
		{"one page at 0.4 s", []rep{{ms(400), 500}}, 5000, ""},
		{"two pages 50 ms apart", []rep{{ms(100), 500}, {ms(150), 1000}}, 5000, ""},
		// 300 in 1.5 s from the start: 200 a second, 2,700 left.
		{"one page at 1.5 s", []rep{{ms(1500), 300}}, 3000, "约 14 秒"},
		// 500 in the half second between the pages: 1,000 a second.
		{"two pages", []rep{{ms(300), 500}, {ms(800), 1000}}, 5000, "约 4 秒"},
		{"75 s left", []rep{{ms(1000), 100}, {ms(2000), 200}}, 7700, "约 1 分钟"},
		{"done", []rep{{ms(300), 500}, {ms(800), 5000}}, 5000, ""},
		{"stalled", []rep{{ms(300), 500}, {ms(800), 500}}, 5000, ""},
		// One more in ten seconds, a million to go: not told.
		{"crawling", []rep{{ms(1000), 1}, {ms(11000), 2}}, 1000000, ""},
	} {
		var m Meter
		m.Start(t0)
		for _, r := range c.reports {
			m.Observe(r.at, r.done)
		}
		got := ""
		if d, ok := m.Left(c.total); ok {
			got = TimeLeft(d)
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// The pace is the recent one: after ten seconds at 100 a second and fifteen
// at 400, the rate is 400 (the whole job's average would be 280).
func TestMeterFollowsThePace(t *testing.T) {
	var m Meter
	m.Start(t0)
	done := 0
	for s := 1; s <= 25; s++ {
		if s <= 10 {
			done += 100
		} else {
			done += 400
		}
		m.Observe(t0.Add(time.Duration(s)*time.Second), done)
	}
	r, ok := m.Rate()
	if !ok || r != 400 {
		t.Errorf("rate %v %v, want 400", r, ok)
	}
	if d, ok := m.Left(done + 4000); !ok || d != 10*time.Second {
		t.Errorf("left %v %v, want 10s", d, ok)
	}
	// Reports closer than the spacing replace the last sample: a job
	// reporting every row keeps few samples.
	m.Start(t0)
	for i := 1; i <= 10000; i++ {
		m.Observe(t0.Add(time.Duration(i)*time.Millisecond), i)
	}
	if n := len(m.samples); n != 52 {
		t.Errorf("%d samples kept for 10,000 reports over 10 s, want 52", n)
	}
}

// A new start is a new job: the pace of the old one is forgotten.
func TestModelNewJob(t *testing.T) {
	m := Model{Label: "首次同步", Noun: "工单"}
	if m.Shown() {
		t.Fatal("shown before any report")
	}
	m.Report(t0, ms(500), 500, 2500)
	m.Report(t0, ms(1000), 1000, 2500)
	if got := m.View(50); got != "首次同步 █████░░░░░░░░░ 1,000/2,500 工单 · 约 2 秒" {
		t.Errorf("view %q", got)
	}
	m.Hide()
	if m.Shown() {
		t.Error("shown after Hide")
	}
	m.Report(ms(5000), ms(5100), 10, 1000)
	if got := m.Line(); got.Left != "" || got.Done != 10 || !m.Shown() {
		t.Errorf("new job: %+v shown %v, want no time left yet", got, m.Shown())
	}
}
