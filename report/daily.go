package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"hotline/complaint"
)

// dailyTable is the day's closed tickets, a row each in the order given,
// with the name of the sub-unit that handled it (names turns a unit's code
// into its name; nil shows codes).
func dailyTable(tickets []complaint.Ticket, names func(code string) string) table {
	t := table{head: []string{"序号", "工单编号", "标题", "来电人", "承办部门", "受理时间", "办结时间", "满意度", "回复内容"}}
	for i, tk := range tickets {
		handler := cmp.Or(tk.Subunit, tk.Unit)
		if names != nil {
			handler = names(handler)
		}
		var reply string
		if r := tk.Reply; r != nil {
			reply = r.Text
			if strings.TrimSpace(reply) == "" {
				reply = r.Compose()
			}
		}
		t.rows = append(t.rows, []value{num(i + 1), str(tk.Number), str(tk.Title), str(tk.Caller), str(handler),
			at(tk.ReceivedAt), at(tk.ClosedAt()), str(tk.Satisfaction), para(reply)})
	}
	return t
}

// summary is the day in one line: how many tickets were closed, and how
// the citizens judged them in the center's callback.
func summary(tickets []complaint.Ticket) string {
	if len(tickets) == 0 {
		return "当日无办结工单"
	}
	by := map[string]int{}
	for _, tk := range tickets {
		by[tk.Satisfaction]++
	}
	s := fmt.Sprintf("共办结 %d 件：", len(tickets))
	parts := []string{}
	for _, v := range []string{complaint.Satisfied, complaint.FairlySatisfied, complaint.Unsatisfied} {
		parts = append(parts, fmt.Sprintf("%s %d 件", v, by[v]))
		delete(by, v)
	}
	if n := by[""]; n > 0 {
		parts = append(parts, fmt.Sprintf("未回访 %d 件", n))
		delete(by, "")
	}
	other := 0
	for _, n := range by {
		other += n
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("其他 %d 件", other))
	}
	return s + strings.Join(parts, "，")
}

// dayLabel is the day in China.
func dayLabel(day time.Time) string { return day.In(china).Format("2006-01-02") }

// Daily writes the daily report (日报) as .xlsx: one sheet of the tickets
// closed (办结) on day, with their replies in full, under the unit's name
// and a line that sums the day up.
func Daily(tickets []complaint.Ticket, day time.Time, unitName string, names func(code string) string, w io.Writer) error {
	b := newBook()
	s := b.add(SheetDaily)
	t := dailyTable(tickets, names)
	s.line(1, title(unitName, "办结工单日报", dayLabel(day)), heading)
	s.line(2, summary(tickets), note)
	s.table(3, t, nil)
	s.freeze(3, 2)
	s.fit()
	s.landscape()
	return b.write(w, title(unitName, "办结工单日报", dayLabel(day)))
}
