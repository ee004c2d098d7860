package complaint

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Period is the half-open range of instants [From, To) a set of figures
// covers. Days are days in China.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Has reports whether at falls in the period.
func (p Period) Has(at time.Time) bool {
	return !at.Before(p.From) && at.Before(p.To)
}

// Rate is a share with its numerator and denominator kept, so that every
// figure can show what it was computed from. A zero denominator has no value.
type Rate struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Value is Num/Den, and false when Den is zero.
func (r Rate) Value() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// String is the rate as a percentage with one decimal ("87.5%"), or "—"
// when there is nothing to divide by.
func (r Rate) String() string {
	if r.Den == 0 {
		return "—"
	}
	// Tenths of a percent, rounded half away from zero in integers: the
	// way a spreadsheet shows the same fraction (fmt's %.1f would round
	// 13/16 = 81.25 % to even, 81.2, where the sheet shows 81.3).
	t := (2000*r.Num + r.Den) / (2 * r.Den)
	return fmt.Sprintf("%d.%d%%", t/10, t%10)
}

// OneDecimal formats x with one decimal, halves rounded away from zero as
// spreadsheets do (fmt rounds 2.25 to 2.2; a sheet shows 2.3).
func OneDecimal(x float64) string {
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64)
}

// Weights weigh the rates that make a score; a unit sets them in its
// settings. The zero value means DefaultWeights; a weight of 0 among others
// leaves that rate out of the score.
type Weights struct {
	Reply        float64 `json:"reply" toml:"reply"`               // 办复率
	Close        float64 `json:"close" toml:"close"`               // 办结率
	OnTime       float64 `json:"on_time" toml:"on_time"`           // 及时率
	Satisfaction float64 `json:"satisfaction" toml:"satisfaction"` // 满意率
	Return       float64 `json:"return" toml:"return"`             // 退单率, counted as 1 − rate
	Reopen       float64 `json:"reopen" toml:"reopen"`             // 重办率, counted as 1 − rate
}

// DefaultWeights put timeliness and satisfaction, which the citizen feels,
// above reply and closure, which the unit mostly controls by paperwork; a
// return or a reopen costs a little. They sum to 1.
var DefaultWeights = Weights{Reply: 0.2, Close: 0.2, OnTime: 0.25, Satisfaction: 0.25, Return: 0.05, Reopen: 0.05}

// WithDefaults is w, or DefaultWeights when w is the zero value.
func (w Weights) WithDefaults() Weights {
	if w == (Weights{}) {
		return DefaultWeights
	}
	return w
}

// Named lists the weights with their keys in the settings, in the order of
// the struct.
func (w Weights) Named() []struct {
	Key   string
	Value float64
} {
	return []struct {
		Key   string
		Value float64
	}{
		{"reply", w.Reply}, {"close", w.Close}, {"on_time", w.OnTime},
		{"satisfaction", w.Satisfaction}, {"return", w.Return}, {"reopen", w.Reopen},
	}
}

// Check refuses a weight that is negative or not a number, and weights
// that are all zero; the error names the key and says what to give.
func (w Weights) Check() error {
	var sum float64
	for _, n := range w.Named() {
		if n.Value < 0 || math.IsNaN(n.Value) || math.IsInf(n.Value, 0) {
			return fmt.Errorf("%s = %v: a weight is a number of 0 or more, as in %s = %g", n.Key, n.Value, n.Key, defaultWeight(n.Key))
		}
		sum += n.Value
	}
	if sum == 0 {
		return errors.New("every weight is 0: give at least one weight above 0, or leave the weights out for the defaults")
	}
	return nil
}

func defaultWeight(key string) float64 {
	for _, n := range DefaultWeights.Named() {
		if n.Key == key {
			return n.Value
		}
	}
	return 0
}

// Figures are one group's handling figures (投诉办理情况统计) over a period:
// a sub-unit's, or the whole unit's. Their definitions are in one place,
// Compute, and written out in the README.
type Figures struct {
	Code string `json:"code"` // the sub-unit's code, or the unit's for the whole unit
	Name string `json:"name"`

	Received     int `json:"received"`       // 受理
	SignedOnTime int `json:"signed_on_time"` // 按时签收
	Replied      int `json:"replied"`        // 办复: fed back to the center
	Closed       int `json:"closed"`         // 办结
	OnTime       int `json:"on_time"`        // fed back by the reply deadline
	Surveyed     int `json:"surveyed"`       // closed with a callback verdict
	Satisfied    int `json:"satisfied"`      // 满意 + 基本满意
	Returned     int `json:"returned"`       // 退单 accepted by the center
	Reopened     int `json:"reopened"`       // 重办 at least once
	Extended     int `json:"extended"`       // an extension granted

	SignRate         Rate `json:"sign_rate"`         // 签收及时率
	ReplyRate        Rate `json:"reply_rate"`        // 办复率
	CloseRate        Rate `json:"close_rate"`        // 办结率
	OnTimeRate       Rate `json:"on_time_rate"`      // 及时率
	SatisfactionRate Rate `json:"satisfaction_rate"` // 满意率
	ReturnRate       Rate `json:"return_rate"`       // 退单率
	ReopenRate       Rate `json:"reopen_rate"`       // 重办率

	// Handling time, in working days, of the tickets fed back (Replied of
	// them; both are 0 when none was).
	AvgDays float64 `json:"avg_days"`
	P90Days float64 `json:"p90_days"`

	// Score is 0–100 from the rates and the weights; HasScore is false
	// when no rate has a value.
	Score    float64 `json:"score"`
	HasScore bool    `json:"has_score"`
}

// Day is one day's volume for the daily chart.
type Day struct {
	Date     time.Time `json:"date"`     // midnight in China
	Received int       `json:"received"` // tickets dispatched to the unit that day
	Missed   int       `json:"missed"`   // deadlines that passed unmet that day
}

// Statistics are a unit's figures over a period: the whole unit's, each
// sub-unit's (by code), and the days of the period.
type Statistics struct {
	Period   Period    `json:"period"`
	Unit     Figures   `json:"unit"`
	Subunits []Figures `json:"subunits"`
	Days     []Day     `json:"days"`
	// Note is the calendar's warning when a working-day count went
	// through a year its tables do not cover; show it beside the figures.
	Note string `json:"note,omitempty"`
}

// Oversight is one group's supervision figures (本部门督办情况统计): the
// tickets urged (催办) or supervised (督办) in the period and what came of
// them.
type Oversight struct {
	Code string `json:"code"`
	Name string `json:"name"`

	Urged      int `json:"urged"`      // tickets urged in the period
	Urges      int `json:"urges"`      // urge events in the period
	Supervised int `json:"supervised"` // tickets supervised in the period
	Tickets    int `json:"tickets"`    // tickets urged or supervised in the period

	// What came of the urged or supervised tickets, now. Together with
	// Returned they make Tickets.
	FedBack  int `json:"fed_back"` // fed back or closed
	Open     int `json:"open"`     // still in hand, not overdue
	Overdue  int `json:"overdue"`  // still in hand, past the step's deadline
	Returned int `json:"returned"` // returned to the center, or left the unit

	// Time from an urge or supervision to the unit's next action on the
	// ticket, in working hours; Acted counts the ones followed by one.
	Acted       int     `json:"acted"`
	AvgActHours float64 `json:"avg_act_hours"`
	MaxActHours float64 `json:"max_act_hours"`
}

// Hours is the calendar arithmetic the figures need: deadlines in working
// days and business time between two instants. calendar.Calendar provides
// it.
type Hours interface {
	Workdays
	WorkingTime(a, b time.Time) (time.Duration, error)
}

// Compute works out a unit's handling figures over the period p, as the
// tickets' histories stand at now. Every figure is defined here, once; the
// README's table says the same in words.
//
// The population is the tickets whose first dispatch to the unit falls in
// p, each counted once however often it was returned and dispatched back.
// A ticket belongs to the sub-unit it was last assigned to; one never
// assigned counts for the unit only. Of the population:
//
//   - Received: all of them.
//   - SignedOnTime: the first signing came within policy.NotifyMinutes of
//     the first dispatch (an imported ticket has no signing to judge and
//     does not count).
//   - Replied: fed back to the center — a send, or an approval when the
//     policy does not leave sending to the duty officer (approval then
//     sends at once), or an import in state fed back or closed.
//   - OnTime: of Replied, the first feedback came by the reply deadline:
//     policy.ReplyDays working days after the first assignment of the stay
//     at the unit it was fed back in (else after its signing, else its
//     dispatch), or, when an extension was granted in that stay before,
//     the granted deadline. A re-assignment inside the unit does not
//     restart the count.
//   - Closed: closed now (a reopened ticket counts again only when closed
//     again); Surveyed: closed with a callback verdict, from the latest
//     close; Satisfied: of those, 满意 or 基本满意.
//   - Returned: a return accepted by the center and the ticket not
//     dispatched back to the unit since: it left for good. A ticket that
//     came back is the unit's to handle and is counted as such.
//   - Reopened: reopened (重办) at least once; Extended: an extension
//     granted at least once.
//
// Rates: SignRate = SignedOnTime/Received; ReplyRate = Replied/(Received −
// Returned); CloseRate = Closed/(Received − Returned); OnTimeRate =
// OnTime/Replied; SatisfactionRate = Satisfied/Surveyed; ReturnRate =
// Returned/Received; ReopenRate = Reopened/Replied.
//
// Handling time is the business time from the first dispatch to the first
// feedback divided by the length of one working day's business hours: its
// mean, and its 90th percentile by nearest rank (the value at position
// ⌈0.9·n⌉ of the n sorted times).
//
// Score is 100 × the weighted mean of the rates that have a value, with
// ReturnRate and ReopenRate counted as 1 − rate; weights of rates without a
// value are left out of the mean.
//
// Days has one entry per day in China that p touches. Received counts the
// population by the day of first dispatch; Missed counts step deadlines
// (sign, assign, contact, reply and review, as Due works them out while the
// ticket is at the unit) that fell on the day and had passed before the
// step was done, or are past at now and not done: each step of each ticket
// at most once for one start (an extension that moves a deadline already
// missed does not count it again). Missed counts every given ticket at the
// unit, whenever it was dispatched.
func Compute(tickets []Ticket, units []Unit, unit string, p Period, policy Policy, cal Hours, w Weights, now time.Time) Statistics {
	policy = policy.WithDefaults()
	w = w.WithDefaults()
	tr := newTree(units, unit)
	sums := map[string]*sum{}
	total := &sum{}
	days, dayOf := periodDays(p)
	var note noter
	for _, t := range tickets {
		c := follow(t, tr, policy, cal, now, &note)
		for _, d := range c.misses {
			if i, ok := dayOf(d); ok {
				days[i].Missed++
			}
		}
		if !c.in || !p.Has(c.dispatched) {
			continue
		}
		if i, ok := dayOf(c.dispatched); ok {
			days[i].Received++
		}
		hours := time.Duration(0)
		if !c.fedBack.IsZero() {
			d, err := cal.WorkingTime(c.dispatched, c.fedBack)
			note.add(err)
			hours = d
		}
		total.add(c, hours)
		if c.subunit != "" {
			s := sums[c.subunit]
			if s == nil {
				s = &sum{}
				sums[c.subunit] = s
			}
			s.add(c, hours)
		}
	}
	day := dayLength(cal, p.From)
	st := Statistics{Period: p, Days: days}
	st.Unit = total.figures(unit, UnitName(units, unit), day, w)
	for _, code := range groups(tr, sums) {
		s := sums[code]
		if s == nil {
			s = &sum{}
		}
		st.Subunits = append(st.Subunits, s.figures(code, UnitName(units, code), day, w))
	}
	st.Note = note.text
	return st
}

// Supervise works out the supervision figures (本部门督办情况统计) of the
// unit over p, for the whole unit and for each sub-unit (the sub-unit a
// ticket was last assigned to, as in Compute), as things stand at now.
//
// A ticket counts when it was urged or supervised in p while at the unit,
// whenever it was dispatched. Urges counts the urge events in p. The
// outcome is the ticket's now: fed back (by Compute's rule) or closed;
// returned, or gone from the unit; overdue, when its step now due is past
// its deadline (the ticket's Due) at now; open otherwise.
//
// The time to act is counted for each urge or supervision in p: the
// business time from it to the next event on the ticket by someone not of
// the center, of a kind the unit takes to move the ticket on (sign, assign,
// contact, reply, approve, reject, send, return or extension request), in
// hours. One that no such event followed yet is not Acted.
func Supervise(tickets []Ticket, units []Unit, unit string, p Period, policy Policy, cal Hours, now time.Time) (all Oversight, subunits []Oversight) {
	policy = policy.WithDefaults()
	tr := newTree(units, unit)
	watches := map[string]*watch{}
	total := &watch{}
	var note noter
	for _, t := range tickets {
		c := follow(t, tr, policy, cal, now, &note)
		if !c.in {
			continue
		}
		var urges int
		var urged, supervised bool
		var acts []float64
		for _, m := range c.marks {
			if !p.Has(m.at) {
				continue
			}
			if m.kind == KindUrge {
				urges++
				urged = true
			} else {
				supervised = true
			}
			if !m.acted.IsZero() {
				d, err := cal.WorkingTime(m.at, m.acted)
				note.add(err)
				acts = append(acts, d.Hours())
			}
		}
		if !urged && !supervised {
			continue
		}
		outcome := outcomeOf(t, c, policy, now)
		total.add(urges, urged, supervised, outcome, acts)
		if c.subunit != "" {
			g := watches[c.subunit]
			if g == nil {
				g = &watch{}
				watches[c.subunit] = g
			}
			g.add(urges, urged, supervised, outcome, acts)
		}
	}
	all = total.oversight(unit, UnitName(units, unit))
	for _, code := range groups(tr, watches) {
		g := watches[code]
		if g == nil {
			g = &watch{}
		}
		subunits = append(subunits, g.oversight(code, UnitName(units, code)))
	}
	return all, subunits
}

type outcome int

const (
	outFedBack outcome = iota
	outOpen
	outOverdue
	outReturned
)

func outcomeOf(t Ticket, c course, policy Policy, now time.Time) outcome {
	switch {
	case c.fedBackNow:
		return outFedBack
	case c.returned || !c.at || !t.State.Open():
		return outReturned
	case policy.Urgency(t, now) == Overdue:
		return outOverdue
	}
	return outOpen
}

// tree is the unit, its sub-units and the center, as Compute and Supervise
// need them.
type tree struct {
	unit     string
	members  map[string]bool // the unit and its sub-units: whose people act for it
	centers  map[string]bool
	subunits []string // from units, by code
}

func newTree(units []Unit, unit string) tree {
	tr := tree{unit: unit, members: map[string]bool{unit: true}, centers: map[string]bool{}}
	for _, u := range units {
		switch {
		case u.Kind == KindCenter:
			tr.centers[u.Code] = true
		case u.Kind == KindSubunit && u.Parent == unit:
			tr.members[u.Code] = true
			tr.subunits = append(tr.subunits, u.Code)
		}
	}
	return tr
}

// groups are the sub-units to show: every sub-unit of the unit, with or
// without tickets, and any other code tickets were assigned to, by code.
func groups[T any](tr tree, seen map[string]T) []string {
	out := slices.Clone(tr.subunits)
	for code := range seen {
		out = append(out, code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// course is what one ticket's history says about its handling by one unit.
type course struct {
	in           bool      // dispatched to the unit at some time up to now
	at           bool      // at the unit now
	dispatched   time.Time // the first dispatch to the unit
	subunit      string    // the sub-unit last assigned, "" if none
	signedOnTime bool
	fedBack      time.Time // the first feedback to the center, zero if none
	fedBackNow   bool      // fed back or closed now, not reopened since
	onTime       bool
	closed       bool   // closed now
	verdict      string // the latest close's satisfaction
	returned     bool   // returned, and not dispatched back since
	reopened     bool
	extended     bool
	misses       []time.Time // deadlines of steps missed while at the unit
	marks        []mark      // urges and supervisions while at the unit
}

// mark is an urge or a supervision and the unit's next action after it.
type mark struct {
	kind  Kind
	at    time.Time
	acted time.Time // zero if none yet
}

// counted are the steps whose missed deadlines Days counts: the
// procedure's own deadlines. Sending is left out: by default approval sends
// at once, and where the duty officer sends (DutySends) its half hour is
// the unit's rule, not the procedure's.
var counted = map[Step]bool{StepSign: true, StepAssign: true, StepContact: true, StepReply: true, StepReview: true}

// acting are the kinds of event by which the unit moves a ticket on.
var acting = map[Kind]bool{
	KindSign: true, KindAssign: true, KindContact: true, KindReply: true, KindApprove: true,
	KindReject: true, KindSend: true, KindReturnRequest: true, KindExtensionRequest: true,
}

// follow replays t's history up to now for the unit of tr.
func follow(t Ticket, tr tree, policy Policy, cal Hours, now time.Time, note *noter) course {
	evs := t.Events
	if !slices.IsSortedFunc(evs, func(a, b Event) int { return a.At.Compare(b.At) }) {
		evs = slices.Clone(evs)
		slices.SortStableFunc(evs, func(a, b Event) int { return a.At.Compare(b.At) })
	}
	if n := len(evs); n > 0 && evs[n-1].At.After(now) {
		i, _ := slices.BinarySearchFunc(evs, now, func(e Event, at time.Time) int {
			if e.At.After(at) {
				return 1
			}
			return -1
		})
		evs = evs[:i]
	}

	var c course
	stays := 0
	var stayStart, staySign, stayAssign, stayExt time.Time
	// snap is the ticket as it stood after each event, for Due.
	snap := Ticket{Number: t.Number, Deadline: t.Deadline, Unit: t.Unit}
	type pending struct {
		step       Step
		start, due time.Time
	}
	var pend pending
	var missed []pending
	end := func(at time.Time) {
		if pend.step == StepNone || pend.due.IsZero() || !at.After(pend.due) {
			return
		}
		for _, m := range missed {
			if m.step == pend.step && m.start.Equal(pend.start) {
				return
			}
		}
		missed = append(missed, pend)
		c.misses = append(c.misses, pend.due)
	}
	for i, e := range evs {
		end(e.At)
		leave := false
		switch e.Kind {
		case KindDispatch, KindImport:
			c.at = dispatchedHere(t, evs, i, tr)
			if !c.at {
				break
			}
			start := e.At
			if e.Kind == KindImport {
				start = importStart(t, evs, i)
			}
			stays++
			if !c.in {
				c.in, c.dispatched = true, start
			}
			stayStart, staySign, stayAssign, stayExt = start, time.Time{}, time.Time{}, time.Time{}
			c.returned = false
			snap.DispatchedAt, snap.Extension = start, nil
		}
		if c.at {
			switch e.Kind {
			case KindSign:
				if staySign.IsZero() {
					staySign = e.At
					if stays == 1 {
						c.signedOnTime = !e.At.After(stayStart.Add(time.Duration(policy.NotifyMinutes) * time.Minute))
					}
				}
			case KindAssign:
				if stayAssign.IsZero() {
					stayAssign = e.At
				}
				if s := e.Fields["subunit"]; s != "" {
					c.subunit = s
				}
			case KindExtensionRequest:
				snap.Extension = &Extension{}
			case KindExtensionDecide:
				x := &Extension{Decided: true}
				if e.Fields["granted"] == "true" {
					c.extended = true
					d, err := time.Parse(time.RFC3339, e.Fields["deadline"])
					if err == nil {
						x.Granted, x.Deadline = true, d
						stayExt = d
					}
				}
				snap.Extension = x
			case KindClose:
				c.closed, c.verdict = true, e.Fields["satisfaction"]
			case KindReopen:
				c.reopened, c.closed, c.verdict = true, false, ""
				stayExt, snap.Extension = time.Time{}, nil
			case KindReturnAccept:
				c.returned, leave = true, true
			case KindUrge, KindSupervise:
				c.marks = append(c.marks, mark{kind: e.Kind, at: e.At})
			}
			if e.Kind == KindImport && e.To == Closed {
				c.closed, c.verdict = true, t.Satisfaction
			}
			if c.fedBack.IsZero() && fedBack(e, policy) {
				c.fedBack = e.At
				if e.Kind == KindImport && t.Reply != nil && !t.Reply.At.IsZero() {
					c.fedBack = t.Reply.At
				}
				start := cmp.Or(stayAssign, staySign, stayStart)
				due, err := cal.AddWorkdays(start, policy.ReplyDays)
				note.add(err)
				if !stayExt.IsZero() {
					due = stayExt
				}
				c.onTime = !c.fedBack.After(due)
			}
			if acting[e.Kind] && !tr.centers[e.Unit] {
				// Every mark since the last action is answered by this one.
				for j := range c.marks {
					if c.marks[j].acted.IsZero() && !c.marks[j].at.After(e.At) {
						c.marks[j].acted = e.At
					}
				}
			}
		}
		if e.To != "" {
			snap.State = e.To
		}
		snap.Events, snap.UpdatedAt = evs[:i+1], e.At
		pend = pending{}
		if c.at {
			if step, start, due, _ := Due(snap, policy, cal); counted[step] {
				pend = pending{step, start, due}
			}
		}
		if leave {
			c.at = false
		}
	}
	end(now)
	c.fedBackNow = c.at && (snap.State == FedBack || snap.State == Closed || snap.State == Approved && !policy.DutySends)
	return c
}

// fedBack reports whether e is the reply going to the center.
func fedBack(e Event, policy Policy) bool {
	switch {
	case e.Kind == KindSend, e.To == FedBack:
		return true
	case e.Kind == KindApprove:
		return !policy.DutySends
	case e.Kind == KindImport:
		return e.To == Closed
	}
	return false
}

// dispatchedHere reports whether the dispatch or import evs[i] brought the
// ticket to the unit. A re-dispatch names its unit; the center's first
// dispatch and an import do not (the ticket's unit was the unit then), so
// for those: the unit's own people acted on the ticket before the next
// dispatch, or, with no dispatch since, the ticket is the unit's now.
func dispatchedHere(t Ticket, evs []Event, i int, tr tree) bool {
	if u := evs[i].Fields["unit"]; u != "" {
		return u == tr.unit
	}
	for _, e := range evs[i+1:] {
		if e.Kind == KindDispatch || e.Kind == KindImport {
			return false
		}
		if tr.members[e.Unit] {
			return true
		}
	}
	return t.Unit == tr.unit
}

// importStart is when an imported ticket was dispatched: the time the file
// gave (DispatchedAt), unless a later dispatch has overwritten that, when the
// time of the call (which the importer put in both) stands for it.
func importStart(t Ticket, evs []Event, i int) time.Time {
	at := t.DispatchedAt
	for _, e := range evs[i+1:] {
		if e.Kind == KindDispatch {
			at = t.ReceivedAt
			break
		}
	}
	return cmp.Or(at, evs[i].At)
}

// sum adds up one group's tickets for Compute.
type sum struct {
	f     Figures
	hours []time.Duration
}

func (s *sum) add(c course, hours time.Duration) {
	f := &s.f
	f.Received++
	if c.signedOnTime {
		f.SignedOnTime++
	}
	if !c.fedBack.IsZero() {
		f.Replied++
		s.hours = append(s.hours, hours)
		if c.onTime {
			f.OnTime++
		}
	}
	if c.closed {
		f.Closed++
		if c.verdict != "" {
			f.Surveyed++
			if c.verdict == Satisfied || c.verdict == FairlySatisfied {
				f.Satisfied++
			}
		}
	}
	if c.returned {
		f.Returned++
	}
	if c.reopened {
		f.Reopened++
	}
	if c.extended {
		f.Extended++
	}
}

func (s *sum) figures(code, name string, day time.Duration, w Weights) Figures {
	f := s.f
	f.Code, f.Name = code, name
	kept := f.Received - f.Returned
	f.SignRate = Rate{f.SignedOnTime, f.Received}
	f.ReplyRate = Rate{f.Replied, kept}
	f.CloseRate = Rate{f.Closed, kept}
	f.OnTimeRate = Rate{f.OnTime, f.Replied}
	f.SatisfactionRate = Rate{f.Satisfied, f.Surveyed}
	f.ReturnRate = Rate{f.Returned, f.Received}
	f.ReopenRate = Rate{f.Reopened, f.Replied}
	if n := len(s.hours); n > 0 {
		days := make([]float64, n)
		var total float64
		for i, h := range s.hours {
			days[i] = float64(h) / float64(day)
			total += days[i]
		}
		f.AvgDays = total / float64(n)
		f.P90Days = nearestRank(days, 0.9)
	}
	f.Score, f.HasScore = score(f, w)
	return f
}

// nearestRank is the q-quantile of xs by nearest rank: the ⌈q·n⌉-th
// smallest. It sorts xs.
func nearestRank(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	k := int(math.Ceil(q * float64(len(xs))))
	return xs[max(k, 1)-1]
}

// score is 100 × the weighted mean of the rates that have a value.
func score(f Figures, w Weights) (float64, bool) {
	var num, den float64
	for _, r := range []struct {
		rate    Rate
		w       float64
		inverse bool
	}{
		{f.ReplyRate, w.Reply, false},
		{f.CloseRate, w.Close, false},
		{f.OnTimeRate, w.OnTime, false},
		{f.SatisfactionRate, w.Satisfaction, false},
		{f.ReturnRate, w.Return, true},
		{f.ReopenRate, w.Reopen, true},
	} {
		v, ok := r.rate.Value()
		if !ok || r.w <= 0 {
			continue
		}
		if r.inverse {
			v = 1 - v
		}
		num += r.w * v
		den += r.w
	}
	if den == 0 {
		return 0, false
	}
	return 100 * num / den, true
}

// watch adds up one group's urged and supervised tickets for Supervise.
type watch struct {
	o    Oversight
	acts []float64
}

func (w *watch) add(urges int, urged, supervised bool, out outcome, acts []float64) {
	o := &w.o
	o.Tickets++
	o.Urges += urges
	if urged {
		o.Urged++
	}
	if supervised {
		o.Supervised++
	}
	switch out {
	case outFedBack:
		o.FedBack++
	case outOpen:
		o.Open++
	case outOverdue:
		o.Overdue++
	case outReturned:
		o.Returned++
	}
	w.acts = append(w.acts, acts...)
}

func (w *watch) oversight(code, name string) Oversight {
	o := w.o
	o.Code, o.Name = code, name
	o.Acted = len(w.acts)
	var total float64
	for _, h := range w.acts {
		total += h
		o.MaxActHours = max(o.MaxActHours, h)
	}
	if o.Acted > 0 {
		o.AvgActHours = total / float64(o.Acted)
	}
	return o
}

// periodDays makes one Day for each day in China that p touches, and a way
// to find the day of an instant.
func periodDays(p Period) ([]Day, func(time.Time) (int, bool)) {
	var days []Day
	if !p.From.Before(p.To) {
		return nil, func(time.Time) (int, bool) { return 0, false }
	}
	y, m, d := p.From.In(China).Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, China)
	for at := first; at.Before(p.To); at = at.AddDate(0, 0, 1) {
		days = append(days, Day{Date: at})
	}
	return days, func(at time.Time) (int, bool) {
		if !p.Has(at) {
			return 0, false
		}
		y, m, d := at.In(China).Date()
		// Dates, not durations: a day is not always 24 hours long
		// (China kept summer time from 1986 to 1991).
		i := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		return i, i >= 0 && i < len(days)
	}
}

// dayLength is the business time of one whole working day, the unit the
// handling time is counted in; the calendar's hours are 8:30–17:30 (9 hours)
// unless the unit sets others. It is measured on the first working day from
// near, as the calendar counts it.
func dayLength(cal Hours, near time.Time) time.Duration {
	const fallback = 9 * time.Hour
	if near.IsZero() {
		near = time.Now()
	}
	d, _ := cal.AddWorkdays(near, 0)
	y, m, dd := d.In(China).Date()
	midnight := time.Date(y, m, dd, 0, 0, 0, 0, China)
	n, _ := cal.WorkingTime(midnight, midnight.AddDate(0, 0, 1))
	if n <= 0 {
		return fallback
	}
	return n
}

// noter keeps the first calendar warning met.
type noter struct{ text string }

func (n *noter) add(err error) {
	if err == nil || n.text != "" {
		return
	}
	var warn interface{ Warning() string }
	if errors.As(err, &warn) {
		n.text = warn.Warning()
		return
	}
	n.text = err.Error()
}
