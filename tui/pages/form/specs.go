package form

import (
	"strconv"
	"strings"
	"time"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/keys"
)

// Names of the reply form's fields: the record sheet's five.
const (
	ReplyFindings    = "reply.findings"
	ReplyExplanation = "reply.explanation"
	ReplyMeasures    = "reply.measures"
	ReplyBasis       = "reply.basis"
	ReplyOpinion     = "reply.opinion"
	// ReplyFiles is the files that go with the reply: their paths, one a
	// line, are its draft.
	ReplyFiles = "reply.attachments"
)

// TimeLayout is how a time is typed in a form.
const TimeLayout = "2006-01-02 15:04"

// ContactWays are the ways of reaching a citizen, in the contact form.
var ContactWays = []string{"电话", "上门", "短信", "其他"}

// Satisfactions are the callback's verdicts, in the close form.
var Satisfactions = []string{complaint.Satisfied, complaint.FairlySatisfied, complaint.Unsatisfied}

// New returns the form called name (one of the keys.Form* names) for
// ticket t. item, when not nil, is a refused action to correct: the form
// opens with what it carried. Init reads the drafts.
func New(ctx *app.Context, name string, t complaint.Ticket, item *store.OutboxItem) *Model {
	m := &Model{ctx: ctx, name: name, ticket: t, item: item, width: 3, height: 4, last: &lastSave{}}
	var prev complaint.Action // what the refused action carried
	if item != nil {
		prev = item.Action
	}
	text := func(fname, label, hint string, rows int, initial string) *Field {
		f := m.add(&Field{Name: fname, Label: label, Kind: Text, Hint: hint, Rows: rows})
		f.ed.SetValue(initial)
		return f
	}
	// note is the optional or required text most actions carry.
	note := func(label, hint string, required string) {
		text(name+".text", label, hint, 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: m.kinds[0], Text: strings.TrimSpace(m.Value(name + ".text"))}
			if required != "" && a.Text == "" {
				return a, m.fault(name+".text", required)
			}
			return a, ""
		}
	}
	switch name {
	case keys.FormAssign:
		m.title, m.kinds = "派发", []complaint.Kind{complaint.KindAssign}
		sub := m.add(&Field{Name: "assign.subunit", Label: "基层单位", Kind: List, Hint: "（本单位没有基层单位）"})
		for _, u := range ctx.Units {
			if u.Kind == complaint.KindSubunit && u.Parent == t.Unit {
				sub.Options = append(sub.Options, Option{u.Code, u.Name})
			}
		}
		sub.Select(firstOf(prev.Subunit, t.Subunit))
		m.add(&Field{Name: "assign.handler", Label: "承办人", Kind: List})
		m.handlers()
		m.Field("assign.handler").Select(firstOf(prev.Handler, t.Handler))
		m.onChange = func(m *Model, f *Field) {
			if f.Name == "assign.subunit" {
				m.handlers()
			}
		}
		text("assign.text", "说明", "交办要求（可不填）", 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.KindAssign, Subunit: m.Field("assign.subunit").Selected(),
				Handler: m.Field("assign.handler").Selected(), Text: strings.TrimSpace(m.Value("assign.text"))}
			if a.Subunit == "" {
				return a, m.fault("assign.subunit", "请选择基层单位")
			}
			return a, ""
		}
	case keys.FormContact:
		m.title, m.kinds = "联系客户", []complaint.Kind{complaint.KindContact}
		at := ctx.Now()
		how, result := ContactWays[0], ""
		if c := prev.Contact; c != nil {
			at, how, result = c.At, c.How, c.Result
		}
		f := m.add(&Field{Name: "contact.at", Label: "联系时间", Kind: Line, Hint: TimeLayout})
		f.ed.SetValue(at.In(ctx.Loc).Format(TimeLayout))
		ways := m.add(&Field{Name: "contact.how", Label: "联系方式", Kind: Choice})
		for _, w := range ContactWays {
			ways.Options = append(ways.Options, Option{w, w})
		}
		ways.Select(how)
		text("contact.result", "联系结果", "与市民沟通的内容和约定", 3, result)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.KindContact}
			when, err := m.parseTime(m.Value("contact.at"))
			if err != "" {
				return a, m.fault("contact.at", "联系时间"+err)
			}
			if when.After(m.ctx.Now().Add(5 * time.Minute)) {
				return a, m.fault("contact.at", "联系时间不能晚于现在")
			}
			a.Contact = &complaint.Contact{At: when.UTC(), How: m.Field("contact.how").Selected(), Result: strings.TrimSpace(m.Value("contact.result"))}
			if a.Contact.Result == "" {
				return a, m.fault("contact.result", "请填写联系结果")
			}
			return a, ""
		}
		m.focus = 2
	case keys.FormReply:
		m.title, m.kinds, m.precheck = "回复", []complaint.Kind{complaint.KindReply}, true
		r := prev.Reply
		if r == nil && t.Reply != nil {
			// A reply sent back by the reviewer comes back to be edited.
			r = t.Reply
		}
		var v complaint.Reply
		if r != nil {
			v = *r
			if v.Findings == "" && v.Explanation == "" && v.Measures == "" && v.Basis == "" && v.CitizenOpinion == "" {
				v.Findings = v.Text
			}
		}
		text(ReplyFindings, "处理情况", "查明的情况和已做的处理", 2, v.Findings)
		text(ReplyExplanation, "沟通解释结果", "向市民解释了什么，市民的反应", 2, v.Explanation)
		text(ReplyMeasures, "采取措施", "已采取和将采取的措施", 2, v.Measures)
		text(ReplyBasis, "处理依据", "政策、法规条款或检测数据", 2, v.Basis)
		text(ReplyOpinion, "客户意见", "市民本人的意见（满意、认可或仍有异议）", 2, v.CitizenOpinion)
		m.add(&Field{Name: ReplyFiles, Label: "附件", Kind: Files,
			Hint: "（无）按 enter 或 " + ctx.Keys.Form.Attach.Help().Key + " 选择情况说明、照片等，可多选"})
		m.part = complaint.PartReply
		m.build = func(m *Model) (complaint.Action, string) {
			r := m.reply()
			a := complaint.Action{Kind: complaint.KindReply, Reply: &r}
			if strings.TrimSpace(r.Text) == "" {
				return a, m.fault(ReplyFindings, "回复内容不能为空")
			}
			return a, ""
		}
	case keys.FormReview:
		m.title, m.kinds = "审核", []complaint.Kind{complaint.KindApprove, complaint.KindReject}
		var r complaint.Reply
		if t.Reply != nil {
			r = *t.Reply
		}
		m.add(&Field{Name: "review.reply", Label: "待审核回复", Kind: Static, Hint: orNone(r.Text)})
		dec := m.add(&Field{Name: "review.decision", Label: "审核结论", Kind: Choice,
			Options: []Option{{string(complaint.KindApprove), "通过"}, {string(complaint.KindReject), "退回"}}})
		crit := m.add(&Field{Name: "review.criteria", Label: "不符合标准", Kind: Checks})
		for i, c := range complaint.Criteria {
			crit.Options = append(crit.Options, Option{strconv.Itoa(i + 1), Circled(i+1) + " " + c})
		}
		crit.grow()
		crit.Notes = make([]string, len(complaint.Criteria))
		if t.Reply != nil {
			for _, f := range complaint.Precheck(t, r) {
				if n := f.Criterion - 1; n >= 0 && n < len(crit.Notes) {
					if crit.Notes[n] != "" {
						crit.Notes[n] += "；"
					}
					crit.Notes[n] += f.Message
				}
			}
		}
		if prev.Kind == complaint.KindReject {
			dec.Select(string(complaint.KindReject))
			for _, c := range prev.Criteria {
				crit.Check(c)
			}
		}
		m.onChange = func(m *Model, f *Field) {
			if f.Name == "review.criteria" && len(f.Checked()) > 0 {
				m.Field("review.decision").Select(string(complaint.KindReject))
			}
		}
		text("review.text", "意见", "审核意见（退回时写明要补充什么）", 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.Kind(m.Field("review.decision").Selected()), Text: strings.TrimSpace(m.Value("review.text"))}
			crit := m.Field("review.criteria").Checked()
			if a.Kind == complaint.KindApprove {
				if len(crit) > 0 {
					return a, m.fault("review.decision", "已勾选不符合的标准：请选择“退回”，或取消勾选后通过")
				}
				return a, ""
			}
			if len(crit) == 0 {
				return a, m.fault("review.criteria", "退回须勾选不符合的审核标准（1–5）")
			}
			a.Criteria = crit
			return a, ""
		}
		m.focus = 1
	case keys.FormReturnRequest:
		m.title, m.kinds = "退单申请", []complaint.Kind{complaint.KindReturnRequest}
		note("退单理由", "为何不属本单位职责，应由哪个单位办理", "请填写退单理由")
	case keys.FormExtension:
		m.title, m.kinds = "延期申请", []complaint.Kind{complaint.KindExtensionRequest}
		days := ""
		if prev.Days > 0 {
			days = strconv.Itoa(prev.Days)
		}
		f := m.add(&Field{Name: "extension.days", Label: "延期天数", Kind: Line, Hint: "工作日，1–30"})
		f.ed.SetValue(days)
		text("extension_request.text", "延期理由", "为何不能按期办结", 3, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.KindExtensionRequest, Text: strings.TrimSpace(m.Value("extension_request.text"))}
			n, err := strconv.Atoi(strings.TrimSpace(m.Value("extension.days")))
			if err != nil || n < 1 || n > 30 {
				return a, m.fault("extension.days", "延期天数应为 1–30 的整数（工作日）")
			}
			a.Days = n
			if a.Text == "" {
				return a, m.fault("extension_request.text", "请填写延期理由")
			}
			return a, ""
		}
	case keys.FormDispatch:
		m.title, m.kinds = "派单", []complaint.Kind{complaint.KindDispatch}
		u := m.add(&Field{Name: "dispatch.unit", Label: "承办单位", Kind: List, Hint: "（没有可派的单位）"})
		for _, x := range ctx.Units {
			if x.Kind == complaint.KindUnit {
				u.Options = append(u.Options, Option{x.Code, x.Name})
			}
		}
		u.Select(firstOf(prev.Unit, t.Unit))
		text("dispatch.text", "说明", "派单说明（可不填）", 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.KindDispatch, Unit: m.Field("dispatch.unit").Selected(), Text: strings.TrimSpace(m.Value("dispatch.text"))}
			if a.Unit == "" {
				return a, m.fault("dispatch.unit", "请选择承办单位")
			}
			return a, ""
		}
	case keys.FormReturnDecide:
		m.title, m.kinds = "退单审批", []complaint.Kind{complaint.KindReturnAccept, complaint.KindReturnRefuse}
		reason := ""
		if t.Return != nil {
			reason = t.Return.Reason
		}
		m.add(&Field{Name: "return.request", Label: "退单理由", Kind: Static, Hint: orNone(reason)})
		dec := m.add(&Field{Name: "return.decision", Label: "审批结论", Kind: Choice,
			Options: []Option{{string(complaint.KindReturnAccept), "同意退单"}, {string(complaint.KindReturnRefuse), "不同意"}}})
		dec.Select(string(prev.Kind))
		text("return_decide.text", "意见", "不同意时写明理由", 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.Kind(m.Field("return.decision").Selected()), Text: strings.TrimSpace(m.Value("return_decide.text"))}
			if a.Kind == complaint.KindReturnRefuse && a.Text == "" {
				return a, m.fault("return_decide.text", "不同意退单须填写理由")
			}
			return a, ""
		}
		m.focus = 1
	case keys.FormExtensionDecide:
		m.title, m.kinds = "延期审批", []complaint.Kind{complaint.KindExtensionDecide}
		days, reason := 0, ""
		if x := t.Extension; x != nil {
			days, reason = x.Days, x.Reason
		}
		m.add(&Field{Name: "extension.request", Label: "延期申请", Kind: Static, Hint: "延期 " + strconv.Itoa(days) + " 个工作日：" + reason})
		dec := m.add(&Field{Name: "extension.decision", Label: "审批结论", Kind: Choice, Options: []Option{{"grant", "同意延期"}, {"refuse", "不同意"}}})
		if item != nil && !prev.Grant {
			dec.Select("refuse")
		}
		deadline := prev.Deadline
		if deadline.IsZero() {
			// The center sets the new deadline; a start it can correct is
			// the current one moved by the days asked, in calendar days.
			base := firstTime(t.Due, t.Deadline, ctx.Now())
			deadline = base.AddDate(0, 0, days)
		}
		f := m.add(&Field{Name: "extension.deadline", Label: "新的办理时限", Kind: Line, Hint: TimeLayout,
			Show: func(m *Model) bool { return m.Field("extension.decision").Selected() == "grant" }})
		f.ed.SetValue(deadline.In(ctx.Loc).Format(TimeLayout))
		text("extension_decide.text", "意见", "审批意见（不同意时写明理由）", 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			a := complaint.Action{Kind: complaint.KindExtensionDecide, Text: strings.TrimSpace(m.Value("extension_decide.text"))}
			if m.Field("extension.decision").Selected() != "grant" {
				if a.Text == "" {
					return a, m.fault("extension_decide.text", "不同意延期须填写理由")
				}
				return a, ""
			}
			d, err := m.parseTime(m.Value("extension.deadline"))
			if err != "" {
				return a, m.fault("extension.deadline", "新的办理时限"+err)
			}
			a.Grant, a.Deadline = true, d.UTC()
			return a, ""
		}
		m.focus = 1
	case keys.FormClose:
		m.title, m.kinds = "办结", []complaint.Kind{complaint.KindClose}
		if t.Reply != nil {
			m.add(&Field{Name: "close.reply", Label: "单位回复", Kind: Static, Hint: t.Reply.Text})
		}
		s := m.add(&Field{Name: "close.satisfaction", Label: "满意度", Kind: Choice})
		for _, v := range Satisfactions {
			s.Options = append(s.Options, Option{v, v})
		}
		s.Select(prev.Satisfaction)
		text("close.text", "回访记录", "回访时市民的原话（可不填）", 2, prev.Text)
		m.build = func(m *Model) (complaint.Action, string) {
			return complaint.Action{Kind: complaint.KindClose, Satisfaction: m.Field("close.satisfaction").Selected(),
				Text: strings.TrimSpace(m.Value("close.text"))}, ""
		}
		m.focus = len(m.fields) - 2
	case keys.FormReopen:
		m.title, m.kinds = "重办", []complaint.Kind{complaint.KindReopen}
		note("重办理由", "市民不满意之处，要求重新办理的内容", "请填写重办理由")
	case keys.FormUrge:
		m.title, m.kinds = "催办", []complaint.Kind{complaint.KindUrge}
		note("催办说明", "催办的要求", "请填写催办说明")
	case keys.FormSupervise:
		m.title, m.kinds = "督办", []complaint.Kind{complaint.KindSupervise}
		note("督办说明", "督办的事项和要求", "请填写督办说明")
	default:
		m.title = name
		m.add(&Field{Name: "unknown", Label: "", Kind: Static, Hint: "没有这个表单：" + name})
		m.build = func(*Model) (complaint.Action, string) { return complaint.Action{}, "没有这个表单：" + name }
	}
	if m.err == "" && item != nil && item.LastError != "" {
		m.err = "被退回：" + item.LastError
	}
	return m
}

// handlers fills the handler list with the handlers of the sub-unit chosen,
// after "not named".
func (m *Model) handlers() {
	h := m.Field("assign.handler")
	sub := m.Field("assign.subunit").Selected()
	keep := h.Selected()
	h.Options = []Option{{"", "（不指定，由基层单位安排）"}}
	for _, p := range m.ctx.People {
		if p.Unit == sub && p.Has(complaint.RoleHandler) {
			h.Options = append(h.Options, Option{p.Login, p.Name})
		}
	}
	h.sel = 0
	h.Select(keep)
}

// reply is the record sheet the reply form holds, with the whole text the
// center receives.
func (m *Model) reply() complaint.Reply {
	r := complaint.Reply{
		Findings:       strings.TrimSpace(m.Value(ReplyFindings)),
		Explanation:    strings.TrimSpace(m.Value(ReplyExplanation)),
		Measures:       strings.TrimSpace(m.Value(ReplyMeasures)),
		Basis:          strings.TrimSpace(m.Value(ReplyBasis)),
		CitizenOpinion: strings.TrimSpace(m.Value(ReplyOpinion)),
	}
	r.Text = r.Compose()
	return r
}

// parseTime reads a time typed in China time; the error completes a
// sentence that starts with the field's name.
func (m *Model) parseTime(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{TimeLayout, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, m.ctx.Loc); err == nil {
			if layout == "2006-01-02" {
				// A date alone is the end of that working day.
				t = t.Add(17 * time.Hour)
			}
			return t, ""
		}
	}
	return time.Time{}, "应写作 " + m.ctx.Now().In(m.ctx.Loc).Format(TimeLayout) + " 这样的格式"
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "（无）"
	}
	return s
}
