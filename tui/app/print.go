package app

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"hotline/print"
)

// Printer is the office's printing as the screens use it; the root's
// Options bring it. Its methods block, so they run in commands.
type Printer interface {
	Printers(ctx context.Context) ([]print.Printer, error)
	Print(ctx context.Context, printer string, job print.Job, seen func(print.JobStatus)) (print.JobStatus, error)
	Show(pdf []byte, name string) (string, error)
}

// OpenPrintMsg asks the root to show the print preview of tickets, in
// order. Title names a batch chosen by a rule ("今日办结"). With no
// numbers the root shows Why instead, as an error when Err.
type OpenPrintMsg struct {
	Numbers []string
	Title   string
	Why     string
	Err     bool
}

// PrintClosedToday is a Cmd for NavigateAfter: the print preview of every
// ticket closed today, China time, in the order they were closed.
func (c *Context) PrintClosedToday() tea.Cmd {
	st, ctx, now, loc := c.Store, c.Bg(), c.Now(), c.Loc
	return c.NavigateAfter(func() tea.Msg {
		closed, err := st.ClosedOn(ctx, now, loc)
		numbers := make([]string, len(closed))
		for i, t := range closed {
			numbers[i] = t.Number
		}
		switch {
		case err != nil:
			return OpenPrintMsg{Why: "读取今日办结的工单失败：" + err.Error(), Err: true}
		case len(numbers) == 0:
			return OpenPrintMsg{Why: "今天（" + now.In(loc).Format("01-02") + "）没有办结的工单"}
		}
		return OpenPrintMsg{Numbers: numbers, Title: "今日办结"}
	})
}

// PrinterState is a printer's state as the chooser shows it: "空闲",
// "正在打印", "已停止", followed by " · 不接受任务" when CUPS refuses jobs
// for it.
func PrinterState(p print.Printer) string {
	var s string
	switch p.State {
	case "idle":
		s = "空闲"
	case "processing":
		s = "正在打印"
	case "stopped":
		s = "已停止"
	default:
		s = "状态未知"
	}
	if !p.Accepting {
		s += " · 不接受任务"
	}
	return s
}
