package main

import (
	"strings"
	"testing"
)

// list80x24 is a capture of the demo's list at 80×24, as tmux gave it.
var list80x24 = []string{
	" 1 待办 5   2 未反馈 12   3 已反馈 8                            2026-12-04 20:05",
	"  编号           标题                                环节          时限 状态",
	"  20261203000009 高新区锦绣家园昨晚停电至今未恢复   !派发   超时 1天4时 已签收",
	"  20261204000017 对高新区幸福里小区供电营业厅服务…  !签收 超时 13时54分 待签收",
	"  20261204000018 东城区电力宿舍晚高峰电压过低        签收        剩 9分 待签收",
	"  20261204000019 西城区翠湖苑电线杆倾斜存在安全隐患 !签收  超时 6时42分 待签收",
	"  20261204000020 高新区御景湾临时用电接电费用不清楚 !签收   超时 3时6分 待签收",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
	" enter 打开  / 筛选  space 选择  p 打印  tab 切换列表  S 设置  q 退出  ? 帮助",
	" 隧道 已连接 握手14秒前 ↓42.3K ↑3.2K │ 同步于20:05 待发送 0 │ !超时 6 ▲临近 0 │…",
}

// TestTmuxScreenChecks shows that the checks the tmux tests poll with pass
// a whole screen and catch each way a screen goes wrong.
func TestTmuxScreenChecks(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(l []string) []string
		want string // in the error; "" for none
	}{
		{"whole", func(l []string) []string { return l }, ""},
		{"row shifted by a cell", func(l []string) []string {
			l[3] = strings.Replace(l[3], "服务…", "服务… ", 1)
			return l
		}, `column "时限" (cells 67 to 70) is out of line`},
		{"wide character across a column", func(l []string) []string {
			l[4] = strings.Replace(l[4], "压过低        签收", "压过低吉       签收", 1)
			return l
		}, `column "环节"`},
		{"line too wide", func(l []string) []string {
			l[5] = strings.Replace(l[5], "待签收", "待签收了吗", 1)
			return l
		}, "line 6 is 82 cells wide, more than 80"},
		{"left of the wide frame after a row", func(l []string) []string {
			l[6] = strings.Replace(l[6], "待签收", "待签收 1", 1)
			return l
		}, `a row goes on after its state "待签收 1"`},
		{"left of the wide frame after the header", func(l []string) []string {
			l[1] += " 时"
			return l
		}, `column "时" (cells 77 to 78) is out of line`},
		{"wide frame's column title left", func(l []string) []string {
			l[1] = strings.Replace(l[1], "标题                                ", "标题                 收到时间       ", 1)
			return l
		}, "at 80 cells the header shows 收到时间: true"},
		{"left under the table", func(l []string) []string {
			l[12] = "                                                          ? 帮助"
			return l
		}, "line 13 under the table is not blank"},
		{"clock not at the right edge", func(l []string) []string {
			l[0] = strings.Replace(l[0], "2026-12-04 20:05", "2026-12-04 20:05  ", 1)
			l[0] = strings.TrimSuffix(l[0], "  ")[2:]
			return l
		}, "the tabs' line ends at cell 78"},
		{"status bar above the last line", func(l []string) []string {
			l[22], l[23] = l[23], l[22]
			return l
		}, "the status bar (\"隧道 已连接\") is on line 23, want the last, 24"},
		{"a line more", func(l []string) []string { return append(l, "") }, "the screen has 25 lines, want 24"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := strings.Join(c.edit(append([]string(nil), list80x24...)), "\n") + "\n"
			err := checkList(sc, 80, 24)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("checkList: %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("checkList passed, want an error with %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("checkList: %v\nwant an error with %q", err, c.want)
			}
		})
	}
}
