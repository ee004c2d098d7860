package notify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/clipperhouse/displaywidth"

	"hotline/complaint"
	"hotline/platform/sender"
)

// Notification is one message to one person (or one group) on one channel,
// as Plan makes it and Enqueue stores it.
type Notification struct {
	// Key makes duplicates impossible: with Login and Channel it is unique
	// in the table. "ev:<event id>" for what an event makes at once,
	// "due:<ticket>:<step>:<due unix>:<stage>" for a deadline's reminder.
	Key    string
	Event  string // the event kind, or "deadline" for a reminder
	Stage  string // a reminder's stage name
	Ticket string
	Unit   string // the first-level unit whose settings made it
	// Login, Name and Phone are the recipient's; a group message has no
	// Login and mentions the recipients' phones instead.
	Login   string
	Name    string
	Phone   string
	Mention []string
	Channel string
	Text    string
	Title   string
	// Template and Params are for SMS providers (Rule.SMSTemplate).
	Template string
	Params   []sender.Param
	// NotBefore is when it is due to go; Enqueue holds a non-urgent one to
	// the end of Quiet.
	NotBefore time.Time
	Urgent    bool
	Quiet     Span
	// Step and Due are the ticket's step and deadline it was made for; a
	// notification that asks for that step's act (asks) whose ticket has
	// moved on is dropped, not sent.
	Step      complaint.Step
	Due       time.Time
	CreatedAt time.Time
}

// Reminder reports whether n is a deadline's reminder.
func (n Notification) Reminder() bool { return n.Event == EventDeadline }

// EventDeadline is the Event of a deadline's reminder.
const EventDeadline = "deadline"

// asks reports whether a notification of event asks its reader to act on
// the step the ticket waited on when it was made: a reminder; a new or
// reopened ticket (sign it), an assignment (contact the caller), a reply
// (review it), a rejection (reply again), urging and supervision. Such a
// notification is dropped unsent once the ticket has moved on. The
// center's decisions on a return or an extension only inform: they go
// whatever the ticket has done since.
func asks(event string) bool {
	switch complaint.Kind(event) {
	case EventDeadline, complaint.KindDispatch, complaint.KindReopen, complaint.KindAssign, complaint.KindReply,
		complaint.KindReject, complaint.KindUrge, complaint.KindSupervise:
		return true
	}
	return false
}

// Directory finds the people to notify. The platform implements it from
// its users table.
type Directory interface {
	Users(ctx context.Context, unit string, role complaint.Role) ([]complaint.User, error)
}

// Namer is what a Directory may also do: name a unit for the texts. Without
// it the texts show unit codes.
type Namer interface {
	UnitName(ctx context.Context, code string) (string, error)
}

// Data is what a text template sees.
type Data struct {
	Number   string // the ticket number
	Title    string // the ticket's title, one line, cut to 40 cells
	Deadline string // the step's deadline, "2006-01-02 15:04" in Shanghai; empty when none
	Left     string // "剩余2小时", "已到期", "已超时1天3小时" at the moment it is sent
	Within   string // the time left without "剩余" ("30分钟"); empty when past
	Action   string // what to do now, e.g. "联系来电人"
	Step     string // the step's name: 签收, 派发, 联系, 回复, 审核, 反馈
	Unit     string // the unit's name
	Subunit  string // the sub-unit's name
	Event    string // the event's name: 派发, 催办, …
	Note     string // the event's text (urge reason, review note), one line, cut to 60 cells; {{sentence .Note}} ends it with 。 unless it has its own stop
	Result   string // extension_decide: 已同意 or 未同意
}

var sampleData = Data{Number: "20261203000123", Title: "小区门口井盖缺失", Deadline: "2026-12-04 16:50",
	Left: "剩余2小时", Within: "2小时", Action: "联系来电人", Step: "联系", Unit: "市供电公司", Subunit: "城东供电所",
	Event: "催办", Note: "请尽快处理", Result: "已同意"}

// field returns the Data field named (case-insensitively) name.
func (d Data) field(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "number":
		return d.Number, true
	case "title":
		return d.Title, true
	case "deadline":
		return d.Deadline, true
	case "left":
		return d.Left, true
	case "within":
		return d.Within, true
	case "action":
		return d.Action, true
	case "step":
		return d.Step, true
	case "unit":
		return d.Unit, true
	case "subunit":
		return d.Subunit, true
	case "event":
		return d.Event, true
	case "note":
		return d.Note, true
	case "result":
		return d.Result, true
	}
	return "", false
}

// param splits an sms_params entry into the template variable and the
// Data field.
func param(p string) (name, field string, err error) {
	name, field, ok := strings.Cut(p, "=")
	if !ok {
		field = name
	}
	name, field = strings.TrimSpace(name), strings.TrimSpace(field)
	if name == "" {
		return "", "", fmt.Errorf("%q: empty variable name", p)
	}
	if _, ok := (Data{}).field(field); !ok {
		return "", "", fmt.Errorf("%q: no field %q; fields: number, title, deadline, left, within, action, step, unit, subunit, event, note, result", p, field)
	}
	return name, field, nil
}

var actions = map[complaint.Step]string{
	complaint.StepSign:    "签收并派发",
	complaint.StepAssign:  "派发至基层单位",
	complaint.StepContact: "联系来电人",
	complaint.StepReply:   "完成办理并提交回复",
	complaint.StepReview:  "审核回复",
	complaint.StepSend:    "将回复反馈中心",
}

// owners is whom each step waits on.
var owners = map[complaint.Step]complaint.Role{
	complaint.StepSign:    complaint.RoleDuty,
	complaint.StepAssign:  complaint.RoleDuty,
	complaint.StepContact: complaint.RoleHandler,
	complaint.StepReply:   complaint.RoleHandler,
	complaint.StepReview:  complaint.RoleReviewer,
	complaint.StepSend:    complaint.RoleDuty,
}

// Plan works out what one applied action makes: the notifications of the
// event ev that took the ticket from before to after (sent as soon as
// quiet hours allow), and the reminders of the step after waits on, each due
// at its stage's moment. s are the settings of the ticket's unit (the unit
// it left, for return_accept); cal counts working days, as for the
// deadlines.
//
// Nothing Plan finds wrong should fail the action: a recipient without a
// phone gets no SMS, a text that will not render falls back to the default
// one, and each such case is a note for the caller to log. err is a
// Directory failure; the notifications planned before it are returned.
func Plan(ctx context.Context, before, after complaint.Ticket, ev complaint.Event, s Settings, dir Directory,
	cal complaint.Workdays, now time.Time) (ns []Notification, notes []string, err error) {
	p := planner{ctx: ctx, t: after, ev: ev, s: s.WithDefaults(), dir: dir, cal: cal, now: now.UTC(), people: map[string][]complaint.User{}}
	p.unit = after.Unit
	if ev.Kind == complaint.KindReturnAccept && before.Unit != "" {
		p.unit = before.Unit
	}
	p.names()
	if err := p.event(); err != nil {
		return p.out, p.notes, err
	}
	if err := p.reminders(); err != nil {
		return p.out, p.notes, err
	}
	return p.out, p.notes, nil
}

type planner struct {
	ctx   context.Context
	t     complaint.Ticket
	ev    complaint.Event
	s     Settings
	dir   Directory
	cal   complaint.Workdays
	now   time.Time
	unit  string
	out   []Notification
	notes []string

	unitName, subunitName string
	people                map[string][]complaint.User // by unit and role
}

func (p *planner) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf("ticket %s: ", p.t.Number)+fmt.Sprintf(format, args...))
}

func (p *planner) names() {
	p.unitName, p.subunitName = p.unit, p.t.Subunit
	n, ok := p.dir.(Namer)
	if !ok {
		return
	}
	if v, err := n.UnitName(p.ctx, p.unit); err == nil && v != "" {
		p.unitName = v
	}
	if p.t.Subunit != "" {
		if v, err := n.UnitName(p.ctx, p.t.Subunit); err == nil && v != "" {
			p.subunitName = v
		}
	}
}

// event plans the notifications of the event itself.
func (p *planner) event() error {
	r, ok := p.s.Events[string(p.ev.Kind)]
	if !ok || !r.On() {
		return nil
	}
	key := "ev:" + strconv.FormatInt(p.ev.ID, 10)
	if p.ev.ID == 0 {
		// An event not yet stored has no id; the client's action id is as
		// unique, and a retried action carries the same one.
		if p.ev.Action == "" {
			p.note("event %s has neither an id nor an action id: no notification", p.ev.Kind)
			return nil
		}
		key = "act:" + p.ev.Action
	}
	people, err := p.recipients(r.Roles, true)
	if err != nil {
		return err
	}
	at := p.ev.At
	if at.IsZero() {
		at = p.now
	}
	p.add(r, key, string(p.ev.Kind), "", people, at.UTC(), r.Urgent)
	return nil
}

// reminders plans the stages of the step the ticket now waits on.
func (p *planner) reminders() error {
	t := p.t
	if t.Step == complaint.StepNone || t.Due.IsZero() || !t.State.Open() {
		return nil
	}
	due := t.Due.UTC()
	for _, g := range p.s.Escalation {
		if !g.On() || len(g.Steps) > 0 && !slices.Contains(g.Steps, t.Step) {
			continue
		}
		at, ok := p.moment(g, t.StepStart, due)
		if !ok {
			continue
		}
		urgent := g.Urgent || !at.Before(due)
		if !urgent && (!p.now.Before(due) || !p.s.Quiet.hold(at).Before(due)) {
			// A warning that would come when the deadline has passed
			// already; the overdue stages say it better.
			continue
		}
		people, err := p.recipients(g.Roles, false)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("due:%s:%s:%d:%s", t.Number, t.Step, due.Unix(), g.Name)
		p.add(g.Rule, key, EventDeadline, g.Name, people, at, urgent)
	}
	return nil
}

// moment is when a stage fires.
func (p *planner) moment(g Stage, start, due time.Time) (time.Time, bool) {
	switch {
	case g.Left > 0:
		if start.IsZero() || !start.Before(due) {
			return time.Time{}, false
		}
		left := time.Duration(float64(due.Sub(start)) * g.Left).Round(time.Second)
		return due.Add(-left), true
	case g.working():
		return addWorking(p.cal, p.s.Business, due, g.after()).UTC(), true
	}
	return due.Add(g.after()), true
}

// add makes the notifications of one rule for people at the moment at.
func (p *planner) add(r Rule, key, event, stage string, people []complaint.User, at time.Time, urgent bool) {
	if len(people) == 0 {
		return
	}
	// A text says how much time is left when it arrives: a message held by
	// quiet hours is worded for the end of them, a terminal alert (never
	// held) for now.
	send := at
	if !urgent {
		send = p.s.Quiet.hold(at)
	}
	later := func(t time.Time) time.Time {
		if t.Before(p.now) {
			return p.now
		}
		return t
	}
	text, params, d := p.compose(r, event, stage, later(send))
	alertText, _, _ := p.compose(r, event, stage, later(at))
	title := "工单提醒"
	if event == EventDeadline {
		title = "工单" + d.Step + "时限提醒"
	} else if l := complaint.Kind(event).Label(); l != event {
		title = "工单" + l
	}
	base := Notification{Key: key, Event: event, Stage: stage, Ticket: p.t.Number, Unit: p.unit, Text: text, Title: title,
		NotBefore: at, Urgent: urgent, Quiet: p.s.Quiet, Step: p.t.Step, Due: p.t.Due.UTC(), CreatedAt: p.now}
	for _, ch := range r.Channels {
		n := base
		n.Channel = ch
		switch {
		case ch == Terminal:
			n.Text = alertText
			for _, u := range people {
				n.Login, n.Name = u.Login, u.Name
				p.out = append(p.out, n)
			}
		case slices.Contains(p.s.Groups, ch):
			for _, u := range people {
				if u.Phone != "" {
					n.Mention = append(n.Mention, u.Phone)
				}
			}
			p.out = append(p.out, n)
		default:
			n.Template, n.Params = r.SMSTemplate, params
			for _, u := range people {
				if strings.TrimSpace(u.Phone) == "" {
					p.note("%s (%s) has no phone: no %s message for %s", u.Login, u.Name, ch, key)
					continue
				}
				n.Login, n.Name, n.Phone = u.Login, u.Name, strings.TrimSpace(u.Phone)
				p.out = append(p.out, n)
			}
		}
	}
}

// data is what the templates see for a message sent at.
func (p *planner) data(at time.Time) Data {
	t := p.t
	d := Data{
		Number:  t.Number,
		Title:   line(t.Title, 40),
		Action:  actions[t.Step],
		Step:    t.Step.Label(),
		Unit:    line(p.unitName, 40),
		Subunit: line(p.subunitName, 40),
		Event:   p.ev.Kind.Label(),
		Note:    line(p.ev.Text, 60),
	}
	if !t.Due.IsZero() {
		d.Deadline = t.Due.In(complaint.China).Format("2006-01-02 15:04")
		switch left := t.Due.Sub(at); {
		case left >= time.Minute:
			// To the nearest minute: planned a moment after the step
			// began, 29m59.9s left is "30分钟".
			d.Within = span(left.Round(time.Minute))
			d.Left = "剩余" + d.Within
		case left > 0:
			d.Within, d.Left = "1分钟", "剩余不足1分钟"
		case left > -time.Minute:
			d.Left = "已到期"
		default:
			d.Left = "已超时" + span(-left)
		}
	}
	if p.ev.Kind == complaint.KindExtensionDecide {
		d.Result = "未同意"
		if p.ev.Fields["granted"] == "true" {
			d.Result = "已同意"
		}
	}
	return d
}

// span says a duration in its two largest units, rounded down: "1天3小时",
// "2小时", "45分钟".
func span(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	var b strings.Builder
	switch {
	case days > 0:
		b.WriteString(strconv.Itoa(days) + "天")
		if hours > 0 {
			b.WriteString(strconv.Itoa(hours) + "小时")
		}
	case hours > 0:
		b.WriteString(strconv.Itoa(hours) + "小时")
		if mins > 0 {
			b.WriteString(strconv.Itoa(mins) + "分钟")
		}
	default:
		b.WriteString(strconv.Itoa(mins) + "分钟")
	}
	return b.String()
}

func render(text string, d Data) (string, error) {
	t, err := parseText(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// line makes outside text fit for a message: control characters and bidi
// controls out, line breaks and runs of space as one space, cut to cells
// display cells with an ellipsis. Characters outside the BMP stay whole.
func line(s string, cells int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\uFFFD':
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return displaywidth.TruncateString(b.String(), cells, "…")
}

// recipients resolves roles to people, each once, by login. The actor of an
// event is left out of what the event makes: they know what they did.
func (p *planner) recipients(roles []complaint.Role, skipActor bool) ([]complaint.User, error) {
	var out []complaint.User
	seen := map[string]bool{}
	for _, role := range roles {
		if role == RoleOwner {
			role = owners[p.t.Step]
			if role == "" {
				continue
			}
		}
		var us []complaint.User
		var err error
		if role == complaint.RoleHandler {
			us, err = p.handlers()
		} else {
			us, err = p.users(p.unit, role)
		}
		if err != nil {
			return out, err
		}
		for _, u := range us {
			if seen[u.Login] || skipActor && u.Login == p.ev.Actor {
				continue
			}
			seen[u.Login] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// handlers are the ticket's handler when it names one, else the handlers of
// its sub-unit; none before it is assigned.
func (p *planner) handlers() ([]complaint.User, error) {
	t := p.t
	if t.Subunit == "" {
		return nil, nil
	}
	us, err := p.users(t.Subunit, complaint.RoleHandler)
	if err != nil || t.Handler == "" {
		return us, err
	}
	for _, u := range us {
		if u.Login == t.Handler {
			return []complaint.User{u}, nil
		}
	}
	p.note("handler %s is not a handler of %s: the sub-unit's handlers are told", t.Handler, t.Subunit)
	return us, nil
}

func (p *planner) users(unit string, role complaint.Role) ([]complaint.User, error) {
	if unit == "" {
		return nil, nil
	}
	k := unit + "\x00" + string(role)
	if us, ok := p.people[k]; ok {
		return us, nil
	}
	us, err := p.dir.Users(p.ctx, unit, role)
	if err != nil {
		return nil, fmt.Errorf("notify: %s of unit %s: %w", role, unit, err)
	}
	us = slices.Clone(us)
	slices.SortFunc(us, func(a, b complaint.User) int { return strings.Compare(a.Login, b.Login) })
	p.people[k] = us
	return us, nil
}

// hold moves t out of the quiet hours: to their end when t falls in them.
func (q Span) hold(t time.Time) time.Time {
	from, err1 := clockOf(q.From)
	to, err2 := clockOf(q.To)
	if err1 != nil || err2 != nil || from == to {
		return t
	}
	local := t.In(complaint.China)
	y, m, d := local.Date()
	mid := time.Date(y, m, d, 0, 0, 0, 0, complaint.China)
	now := local.Sub(mid)
	end := time.Date(y, m, d, int(to/time.Hour), int(to%time.Hour/time.Minute), 0, 0, complaint.China)
	switch {
	case from < to && now >= from && now < to:
		return end.UTC()
	case from > to && now >= from:
		return end.AddDate(0, 0, 1).UTC()
	case from > to && now < to:
		return end.UTC()
	}
	return t
}

// addWorking moves t by d of business time (back for a negative d): the
// hours within bh on the calendar's working days.
func addWorking(cal complaint.Workdays, bh Span, t time.Time, d time.Duration) time.Time {
	if d == 0 {
		return t
	}
	from, err1 := clockOf(bh.From)
	to, err2 := clockOf(bh.To)
	if err1 != nil || err2 != nil || from >= to {
		from, to = 8*time.Hour+30*time.Minute, 17*time.Hour+30*time.Minute
	}
	t = t.In(complaint.China)
	at := func(day time.Time, c time.Duration) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), int(c/time.Hour), int(c%time.Hour/time.Minute), 0, 0, complaint.China)
	}
	// Ten years of days off in a row is a broken calendar, not a deadline.
	for range 3660 {
		y, m, dd := t.Date()
		day := time.Date(y, m, dd, 0, 0, 0, 0, complaint.China)
		work := workday(cal, day)
		lo, hi := at(day, from), at(day, to)
		if d > 0 {
			if work {
				s := t
				if s.Before(lo) {
					s = lo
				}
				if s.Before(hi) {
					if left := hi.Sub(s); d <= left {
						return s.Add(d)
					} else {
						d -= left
					}
				}
			}
			t = day.AddDate(0, 0, 1)
			continue
		}
		if work {
			e := t
			if e.After(hi) {
				e = hi
			}
			if e.After(lo) {
				if left := e.Sub(lo); -d <= left {
					return e.Add(d)
				} else {
					d += left
				}
			}
		}
		t = day.Add(-time.Nanosecond)
	}
	return t
}

// workday reports whether day is a working day on cal, using only
// AddWorkdays: zero working days from a working day's noon is that noon,
// from a day off it is the next working day's start of business.
func workday(cal complaint.Workdays, day time.Time) bool {
	noon := day.Add(12 * time.Hour)
	if cal == nil {
		wd := noon.Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	got, _ := cal.AddWorkdays(noon, 0)
	return got.Equal(noon)
}

// compose renders rule r's text and SMS parameters for a message sent at
// send.
func (p *planner) compose(r Rule, event, stage string, send time.Time) (string, []sender.Param, Data) {
	d := p.data(send)
	text, err := render(r.Text, d)
	if err != nil {
		p.note("%s text: %v; the default text is used", event, err)
		def := DefaultSettings()
		fallback := def.Events[event].Text
		for _, g := range def.Escalation {
			if g.Name == stage {
				fallback = g.Text
			}
		}
		if fallback == "" {
			fallback = def.Escalation[1].Text
		}
		text, _ = render(fallback, d)
	}
	var params []sender.Param
	if r.SMSTemplate != "" {
		for _, v := range r.SMSParams {
			name, field, err := param(v)
			if err != nil {
				p.note("%s sms_params: %v", event, err)
				continue
			}
			val, _ := d.field(field)
			params = append(params, sender.Param{Name: name, Value: val})
		}
	}
	return text, params, d
}
