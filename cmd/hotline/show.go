package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"hotline/complaint"
	"hotline/tui/app"
	"hotline/tui/cells"
)

// due is the step a ticket waits on and its time left, marked as on the
// screen by the unit's policy p: "▲审核 剩 1时10分", "!回复 超时 35分"; ""
// when nothing is due.
func due(tk complaint.Ticket, now time.Time, p complaint.Policy) string {
	mark, text := dueParts(tk, now, p)
	return mark + text
}

// dueParts is due as its mark ("!", "▲" or "") and the rest, for a column
// that keeps the marks in one place.
func dueParts(tk complaint.Ticket, now time.Time, p complaint.Policy) (mark, text string) {
	if tk.Step == complaint.StepNone || tk.Due.IsZero() {
		return "", ""
	}
	mark = strings.TrimSpace(app.Mark(p.Urgency(tk, now)))
	left := tk.Due.Sub(now)
	if left > 0 {
		return mark, fmt.Sprintf("%s 剩 %s", tk.Step.Label(), app.Elapsed(left))
	}
	return mark, fmt.Sprintf("%s 超时 %s", tk.Step.Label(), app.Elapsed(-left))
}

// writeTicket prints a ticket for `hotline show`: its fields, the step due,
// the citizen's text, the contact record, the reply by the record sheet's
// fields with the pre-check, the review, the return and extension requests,
// the attachments and the history with what each event carried.
func writeTicket(w io.Writer, tk complaint.Ticket, units []complaint.Unit, people []complaint.User, p complaint.Policy, now time.Time) {
	unitName := func(code string) string { return complaint.UnitName(units, code) }
	person := func(login string) string { return complaint.PersonName(people, login) }
	at := func(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }
	field := func(label, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s：%s\n", label, cells.Line(v))
		}
	}
	block := func(label, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s：\n%s\n", label, cells.Sanitize(v))
		}
	}
	field("编号", tk.Number)
	field("标题", tk.Title)
	field("状态", tk.StateLine())
	if d := due(tk, now, p); d != "" {
		field("当前环节", d+"（时限 "+at(tk.Due)+"）")
	}
	field("时限说明", tk.DueNote)
	field("满意度", tk.Satisfaction)
	field("来电时间", tk.ReceivedAt.In(shanghai).Format(time.DateTime))
	field("来电人", tk.Caller)
	field("联系电话", tk.Phone)
	field("地址", tk.Address)
	field("诉求类别", tk.Category)
	if !tk.Deadline.IsZero() {
		field("办理时限", at(tk.Deadline))
	}
	field("承办单位", unitName(tk.Unit))
	field("基层单位", unitName(tk.Subunit))
	field("承办人", person(tk.Handler))
	block("诉求内容", tk.Content)
	if c := tk.Contact; c != nil {
		field("联系记录", fmt.Sprintf("%s %s（%s）：%s", at(c.At), c.How, person(c.By), c.Result))
	}
	if r := tk.Reply; r != nil {
		fmt.Fprintf(w, "回复（%s，%s）：\n%s\n", r.At.In(shanghai).Format(time.DateTime), cells.Line(person(r.By)), cells.Sanitize(r.Text))
		if tk.State.Open() {
			for _, f := range complaint.Precheck(tk, *r) {
				field("预审", circled(f.Criterion)+" "+f.Message)
			}
		}
	}
	if rv := tk.Review; rv != nil {
		verdict := "通过"
		if !rv.Approved {
			verdict = "退回"
		}
		field("审核", fmt.Sprintf("%s（%s，%s）", verdict, person(rv.By), at(rv.At)))
		for _, c := range rv.Criteria {
			if c >= 1 && c <= len(complaint.Criteria) {
				field("不符合标准", circled(c)+" "+complaint.Criteria[c-1])
			}
		}
		field("审核意见", rv.Note)
	}
	if r := tk.Return; r != nil {
		field("退单申请", fmt.Sprintf("%s（%s，%s）", r.Reason, person(r.By), at(r.At)))
	}
	if x := tk.Extension; x != nil {
		decision := "待审批"
		switch {
		case x.Decided && x.Granted:
			decision = "同意，新的办理时限 " + at(x.Deadline)
		case x.Decided:
			decision = "不同意"
		}
		field("延期申请", fmt.Sprintf("%d 个工作日：%s（%s，%s）；%s", x.Days, x.Reason, person(x.By), at(x.At), decision))
		field("延期审批意见", x.Note)
	}
	if len(tk.Attachments) > 0 {
		fmt.Fprintln(w, "附件：")
		rows := make([][]string, len(tk.Attachments))
		for i, a := range tk.Attachments {
			rows[i] = attachmentCells(a, person, at)
		}
		writeColumns(w, "  ", rows, 3)
	}
	if len(tk.Events) > 0 {
		// The actors' column is as wide as the widest name, by display
		// width, so that what they did lines up.
		actorW := 8
		for _, e := range tk.Events {
			actorW = max(actorW, cells.Width(cells.Line(person(e.Actor))))
		}
		fmt.Fprintln(w, "办理记录：")
		for _, e := range tk.Events {
			fmt.Fprintf(w, "  %s  %s %s", at(e.At), cells.Pad(cells.Line(person(e.Actor)), actorW), e.Kind.Label())
			if e.To != "" && e.From != e.To {
				fmt.Fprintf(w, "  %s→%s", stateOrDash(e.From), e.To.Label())
			}
			fmt.Fprintln(w)
			for _, f := range eventFields(e, unitName, person, at) {
				fmt.Fprintf(w, "      %s\n", cells.Line(f))
			}
			if e.Text != "" {
				for _, l := range strings.Split(cells.Sanitize(e.Text), "\n") {
					fmt.Fprintf(w, "      %s\n", l)
				}
			}
		}
	}
}

// attachmentCells is one attachment as show lists it, made safe to print:
// part, name, type, size, who added it, when, and a recording's length.
func attachmentCells(a complaint.Attachment, person func(string) string, at func(time.Time) string) []string {
	typ, when, length := a.Type, "", ""
	if typ == "" {
		typ = "—"
	}
	if !a.At.IsZero() {
		when = at(a.At)
	}
	if a.Duration > 0 {
		length = "时长 " + app.Clock(a.Duration)
	}
	out := []string{a.Part.Label(), a.Name, typ, app.Size(a.Size), orDashText(person(a.By)), when, length}
	for i, c := range out {
		out[i] = cells.Line(c)
	}
	return out
}

// writeColumns writes rows as columns two spaces apart, each as wide as
// its widest cell by display width; column right is aligned right (a
// size); a line's trailing blanks are left out.
func writeColumns(w io.Writer, indent string, rows [][]string, right int) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], cells.Width(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == right {
				b.WriteString(cells.PadLeft(c, widths[i]))
			} else {
				b.WriteString(cells.Pad(c, widths[i]))
			}
		}
		fmt.Fprintln(w, indent+strings.TrimRight(b.String(), " "))
	}
}

func orDashText(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func stateOrDash(s complaint.State) string {
	if s == "" {
		return "—"
	}
	return s.Label()
}

// eventFields are what an event carried, in Chinese, as "label：value".
func eventFields(e complaint.Event, unit, person func(string) string, at func(time.Time) string) []string {
	var keys []string
	known := map[string]bool{}
	for _, f := range complaint.EventFields {
		known[f.Key] = true
		if _, ok := e.Fields[f.Key]; ok {
			keys = append(keys, f.Key)
		}
	}
	var rest []string
	for k := range e.Fields {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	var out []string
	for _, k := range keys {
		v := e.Fields[k]
		switch k {
		case "unit", "subunit":
			v = unit(v)
		case "handler":
			v = person(v)
		case "at", "deadline":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = at(t)
			}
		case "granted":
			v = map[bool]string{true: "同意", false: "不同意"}[v == "true"]
		case "part":
			v = complaint.Part(v).Label()
		case "size":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				v = app.Size(n)
			}
		case "criteria":
			var parts []string
			for _, s := range strings.Split(v, ",") {
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 1 && n <= len(complaint.Criteria) {
					parts = append(parts, circled(n)+" "+complaint.Criteria[n-1])
				}
			}
			v = strings.Join(parts, "；")
		}
		label := k
		for _, f := range complaint.EventFields {
			if f.Key == k {
				label = f.Label
			}
		}
		out = append(out, label+"："+v)
	}
	return out
}
