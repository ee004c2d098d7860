package complaint

import (
	"time"
)

// Step is the part of the procedure a ticket now waits on.
type Step string

const (
	StepNone    Step = ""
	StepSign    Step = "sign"    // 签收: sign and hand on within the notify time of dispatch
	StepAssign  Step = "assign"  // 派发: notify the sub-unit within the notify time of signing
	StepContact Step = "contact" // 联系: contact the citizen within the contact working days
	StepReply   Step = "reply"   // 回复: reply within the reply working days of assignment
	StepReview  Step = "review"  // 审核: the leader's review within the review time
	StepSend    Step = "send"    // 反馈: the approved reply goes to the center
)

var stepLabels = map[Step]string{
	StepSign: "签收", StepAssign: "派发", StepContact: "联系", StepReply: "回复", StepReview: "审核", StepSend: "反馈",
}

// Label is the step's name on screen.
func (s Step) Label() string { return stepLabels[s] }

// Policy is a unit's deadlines and the choices of its procedure. The zero
// value of a field means the default.
type Policy struct {
	NotifyMinutes int     `json:"notify_minutes,omitempty" toml:"notify_minutes"` // sign and assign: 30
	ContactDays   int     `json:"contact_days,omitempty" toml:"contact_days"`     // working days: 1
	ReplyDays     int     `json:"reply_days,omitempty" toml:"reply_days"`         // working days: 4
	ReviewMinutes int     `json:"review_minutes,omitempty" toml:"review_minutes"` // 120
	Near          float64 `json:"near,omitempty" toml:"near"`                     // share of the step's time left that counts as near: 0.25
	// DutySends leaves an approved reply for the duty officer to send;
	// by default approval sends it to the center at once.
	DutySends bool `json:"duty_sends,omitempty" toml:"duty_sends"`
}

// WithDefaults fills the fields left zero.
func (p Policy) WithDefaults() Policy {
	if p.NotifyMinutes <= 0 {
		p.NotifyMinutes = 30
	}
	if p.ContactDays <= 0 {
		p.ContactDays = 1
	}
	if p.ReplyDays <= 0 {
		p.ReplyDays = 4
	}
	if p.ReviewMinutes <= 0 {
		p.ReviewMinutes = 120
	}
	if p.Near <= 0 || p.Near >= 1 {
		p.Near = 0.25
	}
	return p
}

// Workdays is the calendar arithmetic deadlines need; calendar.Calendar
// provides it. An error means the result was guessed (a year the official
// tables do not cover) and must be shown as a warning, not hidden.
type Workdays interface {
	AddWorkdays(t time.Time, n int) (time.Time, error)
}

// Due works out the step a ticket waits on, when that step started and when
// it is due; note says why the date is uncertain, when it is.
func Due(t Ticket, p Policy, cal Workdays) (step Step, start, due time.Time, note string) {
	p = p.WithDefaults()
	notify := time.Duration(p.NotifyMinutes) * time.Minute
	days := func(from time.Time, n int) time.Time {
		d, err := cal.AddWorkdays(from, n)
		if err != nil {
			note = err.Error()
		}
		return d
	}
	switch t.State {
	case Dispatched:
		start = lastEvent(t, t.DispatchedAt, KindDispatch, KindReopen)
		return StepSign, start, start.Add(notify), ""
	case Signed:
		start = lastEvent(t, t.DispatchedAt, KindSign)
		return StepAssign, start, start.Add(notify), ""
	case Assigned:
		start = lastEvent(t, t.DispatchedAt, KindAssign)
		return StepContact, start, days(start, p.ContactDays), note
	case Contacted, Rejected:
		start = lastEvent(t, t.DispatchedAt, KindAssign)
		due = days(start, p.ReplyDays)
		switch {
		case t.Extension != nil && t.Extension.Granted:
			due = t.Extension.Deadline
		case !t.Deadline.IsZero() && t.Deadline.Before(due):
			due = t.Deadline
		}
		return StepReply, start, due, note
	case Replied:
		start = lastEvent(t, t.UpdatedAt, KindReply)
		return StepReview, start, start.Add(time.Duration(p.ReviewMinutes) * time.Minute), ""
	case Approved:
		start = lastEvent(t, t.UpdatedAt, KindApprove)
		return StepSend, start, start.Add(notify), ""
	}
	return StepNone, time.Time{}, time.Time{}, ""
}

// SetDue stores Due's answer on the ticket.
func (t *Ticket) SetDue(p Policy, cal Workdays) {
	t.Step, t.StepStart, t.Due, t.DueNote = Due(*t, p, cal)
}

// lastEvent is the time of the latest event of one of the kinds, or def.
func lastEvent(t Ticket, def time.Time, kinds ...Kind) time.Time {
	for i := len(t.Events) - 1; i >= 0; i-- {
		for _, k := range kinds {
			if t.Events[i].Kind == k {
				return t.Events[i].At
			}
		}
	}
	return def
}

// Urgency says how a ticket stands against its step's deadline.
type Urgency int

const (
	OnTime  Urgency = iota
	Near            // less than the policy's share of the step's time is left
	Overdue         // past the deadline
)

// Urgency of t at now, from the stored step and deadline.
func (p Policy) Urgency(t Ticket, now time.Time) Urgency {
	if t.Due.IsZero() {
		return OnTime
	}
	if !now.Before(t.Due) {
		return Overdue
	}
	p = p.WithDefaults()
	total := t.Due.Sub(t.StepStart)
	if total > 0 && float64(t.Due.Sub(now)) < p.Near*float64(total) {
		return Near
	}
	return OnTime
}
