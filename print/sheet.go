package print

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // China time on machines without a zone database

	"hotline/complaint"
)

// Title is the heading of every record sheet.
const Title = "市民投诉电话记录单"

// Sheet is one ticket's record sheet: the one layout that PDF and Preview
// both draw. Text in it may come straight from outside; both clean it before
// laying it out.
type Sheet struct {
	Title  string // the heading, normally Title
	Number string // the ticket number, repeated on continuation pages
	Rows   []Row
}

// Row is one row of the sheet's table: one field across the whole width,
// or two side by side.
type Row struct {
	Fields []Field // one or two
	// Lines is the least number of text lines the row is tall, leaving room
	// to write by hand on a printed sheet whose field is still empty.
	Lines int
}

// Field is a label and its value.
type Field struct {
	Label string
	Value string
}

// Names turns the codes a ticket holds into the names printed on the sheet.
// Either function may be nil, and may return the code itself when it knows
// no name (as complaint.UnitName and complaint.PersonName do).
type Names struct {
	Unit   func(code string) string
	Person func(login string) string
}

func (n Names) unit(code string) string {
	if code == "" || n.Unit == nil {
		return code
	}
	return n.Unit(code)
}

func (n Names) person(login string) string {
	if login == "" || n.Person == nil {
		return login
	}
	return n.Person(login)
}

// china is where the sheet's times are read: the hotline's.
var china = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(fmt.Sprintf("load Asia/Shanghai: %v", err)) // time/tzdata is linked in
	}
	return loc
}()

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(china).Format("2006-01-02 15:04")
}

// NewSheet lays out the record sheet of a ticket. Every field of the paper
// form is there even when the ticket has nothing for it yet, so a printed
// sheet can be filled in by hand.
func NewSheet(t complaint.Ticket, names Names) Sheet {
	one := func(label, value string, lines int) Row {
		return Row{Fields: []Field{{label, value}}, Lines: lines}
	}
	two := func(l1, v1, l2, v2 string) Row {
		return Row{Fields: []Field{{l1, v1}, {l2, v2}}, Lines: 1}
	}
	dispatchedTo := names.unit(t.Unit)
	if t.Subunit != "" {
		dispatchedTo = strings.TrimSpace(dispatchedTo + "　" + names.unit(t.Subunit))
	}
	var contact string
	if c := t.Contact; c != nil {
		contact = strings.Join(nonEmpty(when(c.At), c.How, c.Result), "　")
	}
	var r complaint.Reply
	if t.Reply != nil {
		r = *t.Reply
	}
	findings := r.Findings
	if findings == "" && r.Explanation == "" && r.Measures == "" && r.Basis == "" && r.CitizenOpinion == "" {
		// A reply taken in whole from the center's files has no parts.
		findings = r.Text
	}
	handler := t.Handler
	if handler == "" {
		handler = r.By
	}
	var outcome, reviewer, reviewed string
	if v := t.Review; v != nil {
		outcome = reviewOutcome(*v)
		reviewer, reviewed = names.person(v.By), when(v.At)
	}
	return Sheet{
		Title:  Title,
		Number: t.Number,
		Rows: []Row{
			two("编号", t.Number, "来电时间", when(t.ReceivedAt)),
			two("来电人", t.Caller, "联系电话", t.Phone),
			one("地址", t.Address, 1),
			two("诉求类别", t.Category, "办理时限", when(t.Deadline)),
			two("派发单位", dispatchedTo, "派发时间", when(t.DispatchedAt)),
			one("标题", t.Title, 1),
			one("诉求内容", t.Content, 5),
			one("联系情况", contact, 1),
			one("处理情况", findings, 5),
			one("沟通解释结果", r.Explanation, 2),
			one("采取措施", r.Measures, 2),
			one("处理依据", r.Basis, 2),
			one("客户意见", r.CitizenOpinion, 2),
			two("承办人", names.person(handler), "回复时间", when(r.At)),
			one("审核意见", outcome, 2),
			two("审核人", reviewer, "日期", reviewed),
		},
	}
}

// reviewOutcome says what the leader decided, naming the criteria a
// rejected reply failed.
func reviewOutcome(v complaint.Review) string {
	var b strings.Builder
	if v.Approved {
		b.WriteString("通过")
	} else {
		b.WriteString("退回")
		for i, c := range v.Criteria {
			if i == 0 {
				b.WriteString("。不符合：")
			} else {
				b.WriteString("；")
			}
			b.WriteString(strconv.Itoa(c) + ". ")
			if c >= 1 && c <= len(complaint.Criteria) {
				b.WriteString(complaint.Criteria[c-1])
			}
		}
	}
	if note := strings.TrimSpace(v.Note); note != "" {
		b.WriteString("。" + note)
	}
	return b.String()
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tidy cleans a field's text and trims it for a form: blank space around each
// line and blank lines at either end go, and runs of blank lines become one.
// A leading ideographic space (a Chinese paragraph indent) stays.
func tidy(s string) string {
	s = Clean(s)
	if !strings.ContainsAny(s, "\n ") {
		return s
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.Trim(l, " ")
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
