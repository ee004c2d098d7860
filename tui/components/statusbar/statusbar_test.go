package statusbar

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hotline/tui/cells"
	"hotline/tui/components/progress"
	"hotline/tui/theme"
)

var now = time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)

var format = Format{
	Now:   now,
	Ago:   func(now, t time.Time) string { return fmt.Sprintf("%d秒前", int(now.Sub(t).Seconds())) },
	Clock: func(t time.Time) string { return t.Format("15:04") },
	Bytes: func(n int64) string { return fmt.Sprintf("%dB", n) },
}

func info() Info {
	return Info{Tunnel: "已连接", Handshake: now.Add(-12 * time.Second), Rx: 1250, Tx: 340, Online: true,
		User: "葛𠮷祥", Unit: "国网盘锦供电公司"}
}

// The progress of a first sync comes first (after a message), framed, the
// rest of the bar after it; every line is exactly the width.
func TestViewWithProgress(t *testing.T) {
	styles := theme.Plain()
	line := &progress.Line{Label: "首次同步", Noun: "工单", Done: 1234, Total: 5000, Left: "约 12 秒"}
	for _, c := range []struct {
		width int
		msg   string
		prog  *progress.Line
		want  string
	}{
		{80, "", line,
			" 首次同步 ██░░░░░░░░ 1,234/5,000 工单 · 约 12 秒 │ 隧道 已连接 握手12秒前 ↓1250…"},
		{120, "", line,
			" 首次同步 ███████░░░░░░░░░░░░░░░░░░░░░░░░░ 1,234/5,000 工单 · 约 12 秒 │ 隧道 已连接 握手12秒前 ↓1250B ↑340B │ 未同步 … "},
		{80, "收到新工单 3 件", line,
			" 收到新工单 3 件  首次同步 ██░░░░░░░░ 1,234/5,000 工单 · 约 12 秒 │ 隧道 已连接…"},
		{80, "与平台的连接已断开，操作将在恢复后发送：dial tcp 10.0.0.1:443: i/o timeout", line,
			" 与平台的连接已断开，操…  首次同步 ██░░░░░░░░ 1,234/5,000 工单 · 约 12 秒 │ 隧… "},
		{80, "", &progress.Line{Label: "首次同步", Noun: "工单", Done: 1500}, " 首次同步 1,500 工单                             │ 隧道 已连接 握手12秒前 ↓1250…"},
		{80, "", nil,
			" 隧道 已连接 握手12秒前 ↓1250B ↑340B │ 未同步 待发送 0 │ !超时 0 ▲临近 0 │ 葛𠮷…"},
	} {
		m := New(&styles)
		m.SetSize(c.width, 1)
		in := info()
		in.Msg, in.Progress = c.msg, c.prog
		raw := m.View(in, format)
		got := ansi.Strip(raw)
		if got != c.want {
			t.Errorf("width %d, message %q:\n got %q\nwant %q", c.width, c.msg, got, c.want)
		}
		if w := cells.Width(got); w != c.width {
			t.Errorf("width %d, message %q: %d cells", c.width, c.msg, w)
		}
	}
	// Every width from the narrowest screen up, with and without a
	// message: exactly the width.
	for w := 80; w <= 200; w++ {
		for _, msg := range []string{"", "工单 20200506001 的操作已发送"} {
			m := New(&styles)
			m.SetSize(w, 1)
			in := info()
			in.Msg, in.Progress = msg, line
			if got := cells.Width(ansi.Strip(m.View(in, format))); got != w {
				t.Errorf("width %d, message %q: %d cells", w, msg, got)
			}
		}
	}
}

// Unseen alerts come first, where a narrow bar still shows them (at the
// cost of its end); none, and the bar says nothing of them.
func TestAlertsFirst(t *testing.T) {
	styles := theme.Plain()
	for _, c := range []struct {
		alerts int
		want   string
	}{
		{3, " 提醒 3 │ 隧道 已连接 握手12秒前 ↓1250B ↑340B │ 未同步 待发送 0 │ !超时 0 ▲临近…"},
		{0, " 隧道 已连接 握手12秒前 ↓1250B ↑340B │ 未同步 待发送 0 │ !超时 0 ▲临近 0 │ 葛𠮷…"},
	} {
		m := New(&styles)
		m.SetSize(80, 1)
		in := info()
		in.Alerts = c.alerts
		if got := ansi.Strip(m.View(in, format)); got != c.want {
			t.Errorf("%d alerts:\n got %q\nwant %q", c.alerts, got, c.want)
		}
	}
}
