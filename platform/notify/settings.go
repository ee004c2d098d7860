package notify

import (
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"hotline/complaint"
)

// Terminal is the channel of the in-terminal alert. It has no sender: its
// notifications wait in the table until the user's terminal fetches them
// (Inbox).
const Terminal = "terminal"

// Settings are a first-level unit's notification rules. The zero value of a
// field means the default (see DefaultSettings); WithDefaults fills them.
//
// In TOML (hotlined unit notify CODE --file x.toml):
//
//	groups = ["wecom"]                       # channels that post to a group
//	quiet = { from = "22:00", to = "07:30" } # held till "to" unless urgent
//	business = { from = "08:30", to = "17:30" }
//
//	[events.urge]                            # one table per event kind
//	channels = ["terminal", "sms", "wecom"]
//	roles = ["handler", "duty"]
//	text = "【12345】工单{{.Number}}「{{.Title}}」被催办…"
//	sms_template = "SMS_123456"
//	sms_params = ["number", "title", "deadline"]
//
//	[[escalation]]                           # replaces the default stages
//	name = "late"
//	after = "2h"
//	working = true
//	roles = ["supervisor"]
//	channels = ["terminal", "sms"]
type Settings struct {
	// Quiet are the hours when non-urgent notifications to phones and
	// groups are held until Quiet.To (Asia/Shanghai). From equal to To
	// (e.g. both "00:00") turns quiet hours off.
	Quiet Span `json:"quiet,omitzero" toml:"quiet"`
	// Business are the working hours that stages with working = true count
	// in, on the calendar's working days. Keep them equal to the calendar's.
	Business Span `json:"business,omitzero" toml:"business"`
	// Groups are the channels that post to a group chat (robots): one
	// message per event that @mentions the recipients, not one per person.
	// Every other channel but "terminal" sends to a person's phone.
	// groups = [] says no channel is a group: stored as given (omitzero),
	// not taken for "left out".
	Groups []string `json:"groups,omitzero" toml:"groups"`
	// Events holds one rule per event kind (complaint.Kind: "dispatch",
	// "assign", "reply", ...). A kind left out keeps its default rule.
	Events map[string]Rule `json:"events,omitempty" toml:"events"`
	// Escalation are the reminders of a step's deadline. When given, the
	// list replaces the default one whole; a stage named as a default one
	// (near, due, late) takes each field it leaves out from it.
	Escalation []Stage `json:"escalation,omitempty" toml:"escalation"`
}

// Rule says whom an event or a stage reaches, on which channels, and with
// which text. Fields left out take the default rule's; an empty list
// (channels = []) is refused, since it would read as "none" but mean "the
// default": enabled = false is what turns a rule off.
type Rule struct {
	// Enabled: unset means on.
	Enabled *bool `json:"enabled,omitempty" toml:"enabled"`
	// Roles are the recipients: "handler" (the ticket's handler, or the
	// handlers of its sub-unit), "duty", "reviewer", "supervisor" (the
	// unit's people with the role), and "owner" (whoever the step now waits
	// on: duty for sign, assign and send; the handler for contact and
	// reply; the reviewer for review).
	Roles []complaint.Role `json:"roles,omitempty" toml:"roles"`
	// Channels: "terminal", a group channel (Groups), or a sender's name
	// for SMS ("sms").
	Channels []string `json:"channels,omitempty" toml:"channels"`
	// Text is a text/template over Data: the message as people read it.
	Text string `json:"text,omitempty" toml:"text"`
	// Urgent lets the notification through quiet hours. Deadline stages at
	// or after the due time are urgent whatever this says: WithDefaults
	// sets it for them, so that printed settings say what is in force.
	Urgent bool `json:"urgent,omitempty" toml:"urgent"`
	// SMSTemplate is the provider's approved template code; SMSParams name
	// its variables in order, each filled from the Data field of the same
	// name ("number"), or "var=field" for another name ("code=number").
	SMSTemplate string   `json:"sms_template,omitempty" toml:"sms_template,omitempty"`
	SMSParams   []string `json:"sms_params,omitempty" toml:"sms_params,omitempty"`
}

// On reports whether the rule is enabled.
func (r Rule) On() bool { return r.Enabled == nil || *r.Enabled }

// Stage is one reminder of a step's deadline. It fires at the due time,
// unless Left or After say otherwise:
//
//   - left = 0.25: when a quarter of the step's time is left (the ▲ mark of
//     the lists, complaint.Policy.Near);
//   - after = "2h": two hours after the due time ("-30m": before it); with
//     working = true the hours are business hours on working days, so
//     "2h" after 16:50 on a Thursday before a holiday is 09:50 on the
//     first working day after it.
//
// A stage before the due time is held by quiet hours and left out when it
// would only arrive after the due time; a stage at or after it is urgent.
//
// A stage named as a default one (near, due, late) takes from it each field
// it leaves out: its timing when it gives neither left nor after, working
// when it gives a non-zero after alone, steps, roles, channels and texts. After and
// Working are pointers so that "after = \"0s\"" and "working = false" are
// told apart from left out.
type Stage struct {
	// Name is part of the reminder's dedupe key; unique in the list.
	Name    string           `json:"name" toml:"name"`
	Left    float64          `json:"left,omitempty" toml:"left,omitzero"`
	After   *Duration        `json:"after,omitempty" toml:"after"`
	Working *bool            `json:"working,omitempty" toml:"working"`
	Steps   []complaint.Step `json:"steps,omitzero" toml:"steps"` // empty: every step; left out: the default stage's
	Rule
}

// after is the stage's offset from the due time.
func (g Stage) after() time.Duration {
	if g.After == nil {
		return 0
	}
	return time.Duration(*g.After)
}

// working reports whether after counts business hours.
func (g Stage) working() bool { return g.Working != nil && *g.Working }

// overdue reports whether the stage fires at or after the due time, which
// makes it urgent.
func (g Stage) overdue() bool { return g.Left == 0 && g.after() >= 0 }

// over fills what g leaves out from def, the default stage of its name.
func (g Stage) over(def Stage) Stage {
	switch {
	case g.Left == 0 && g.After == nil:
		g.Left, g.After = def.Left, def.After
		if g.Working == nil {
			g.Working = def.Working
		}
	case g.After != nil && *g.After != 0 && def.Left == 0 && g.Working == nil:
		g.Working = def.Working
	}
	if g.Steps == nil {
		g.Steps = def.Steps
	}
	g.Rule = g.Rule.over(def.Rule)
	return g
}

// Span is a daily span of wall-clock time "HH:MM" in Asia/Shanghai; To
// before From runs past midnight.
type Span struct {
	From string `json:"from" toml:"from"`
	To   string `json:"to" toml:"to"`
}

// Duration is a time.Duration written as in Go ("2h", "90m", "-30m").
type Duration time.Duration

// String is the duration as an administrator writes it: "3h", "1h30m",
// "-30m", not Go's "3h0m0s". Below a second it is Go's own form.
func (d Duration) String() string {
	v := time.Duration(d)
	if v == 0 || v%time.Second != 0 {
		return v.String()
	}
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		v = -v // whole seconds, so not math.MinInt64, which has no negation
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := v / u.unit; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			v -= n * u.unit
		}
	}
	return b.String()
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalTOML takes a duration in quotes, and refuses a bare number
// with what to write instead.
func (d *Duration) UnmarshalTOML(v any) error {
	if s, ok := v.(string); ok {
		return d.UnmarshalText([]byte(s))
	}
	return fmt.Errorf("%v is not a duration: write it in quotes with its unit, e.g. \"2h\", \"90m\", \"-30m\"", v)
}

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("duration %q: want e.g. \"2h\", \"90m\", \"-30m\"", string(b))
	}
	*d = Duration(v)
	return nil
}

// The event kinds that have rules. Others (sign, contact, approve, …) make
// no immediate notification; the reminders of the step they lead to still
// follow.
var ruleKinds = []complaint.Kind{
	complaint.KindDispatch, complaint.KindReopen, complaint.KindAssign, complaint.KindReply,
	complaint.KindReject, complaint.KindUrge, complaint.KindSupervise,
	complaint.KindReturnAccept, complaint.KindReturnRefuse, complaint.KindExtensionDecide,
}

// RoleOwner stands for whoever the ticket's step now waits on.
const RoleOwner complaint.Role = "owner"

var ruleRoles = []complaint.Role{RoleOwner, complaint.RoleHandler, complaint.RoleDuty, complaint.RoleReviewer, complaint.RoleSupervisor}

var (
	phone    = []string{Terminal, "sms"}
	terminal = []string{Terminal}
)

// DefaultSettings are the rules for the procedure as written: new tickets to
// the duty officers, assignments to the handler, replies to the reviewer,
// rejections back to the handler, urging and supervision to handler and
// duty, the center's decisions to duty; deadlines near to the one the step
// waits on, overdue to them and duty, two working hours late to the
// supervisors. Quiet 22:00–07:30, business hours 08:30–17:30.
func DefaultSettings() Settings {
	handler, duty := []complaint.Role{complaint.RoleHandler}, []complaint.Role{complaint.RoleDuty}
	const p = "【12345】工单{{.Number}}「{{.Title}}」"
	return Settings{
		Quiet:    Span{From: "22:00", To: "07:30"},
		Business: Span{From: "08:30", To: "17:30"},
		Groups:   []string{"wecom", "dingtalk", "feishu"},
		Events: map[string]Rule{
			"dispatch": {Roles: duty, Channels: phone, Text: p + "已派发给你单位，{{if .Within}}请在{{.Within}}内签收并派发{{else}}已过签收时限（{{.Deadline}}），请立即签收并派发{{end}}。"},
			"reopen":   {Roles: duty, Channels: phone, Text: p + "市民不满意，中心要求重办，{{if .Within}}请在{{.Within}}内签收{{else}}请立即签收{{end}}。"},
			"assign":   {Roles: handler, Channels: phone, Text: p + "已派发至{{.Subunit}}，请于{{.Deadline}}前联系来电人。"},
			"reply":    {Roles: []complaint.Role{complaint.RoleReviewer}, Channels: phone, Text: p + "已回复待审核，请于{{.Deadline}}前审核。"},
			"reject":   {Roles: handler, Channels: phone, Text: p + "的回复被退回{{with .Note}}（{{.}}）{{end}}，请重新办理，于{{.Deadline}}前回复。"},
			"urge": {Roles: []complaint.Role{complaint.RoleHandler, complaint.RoleDuty}, Channels: phone,
				Text: p + "被催办{{with .Note}}：{{sentence .}}{{else}}。{{end}}{{if .Action}}请{{.Action}}{{with .Deadline}}，时限{{.}}{{end}}。{{end}}"},
			"supervise": {Roles: []complaint.Role{complaint.RoleHandler, complaint.RoleDuty}, Channels: phone,
				Text: p + "被督办{{with .Note}}：{{sentence .}}{{else}}。{{end}}{{if .Action}}请{{.Action}}{{with .Deadline}}，时限{{.}}{{end}}。{{end}}"},
			"return_accept":    {Roles: duty, Channels: terminal, Text: p + "中心已同意退单。"},
			"return_refuse":    {Roles: duty, Channels: terminal, Text: p + "中心不同意退单{{with .Note}}（{{.}}）{{end}}，请继续办理。"},
			"extension_decide": {Roles: duty, Channels: terminal, Text: p + "延期申请{{.Result}}{{with .Deadline}}，办理时限{{.}}{{end}}。"},
		},
		Escalation: []Stage{
			{Name: "near", Left: 0.25, Steps: []complaint.Step{complaint.StepContact, complaint.StepReply, complaint.StepReview},
				Rule: Rule{Roles: []complaint.Role{RoleOwner}, Channels: phone, Text: p + "{{.Step}}时限将到（{{.Deadline}}，{{.Left}}），请尽快{{.Action}}。"}},
			{Name: "due",
				Rule: Rule{Roles: []complaint.Role{RoleOwner, complaint.RoleDuty}, Channels: phone, Urgent: true, Text: p + "已到{{.Step}}时限（{{.Deadline}}），请立即{{.Action}}。"}},
			{Name: "late", After: durationPtr(2 * time.Hour), Working: boolPtr(true),
				Rule: Rule{Roles: []complaint.Role{complaint.RoleSupervisor}, Channels: phone, Urgent: true, Text: "【12345】督办提醒：工单{{.Number}}「{{.Title}}」{{.Step}}{{.Left}}（时限{{.Deadline}}），{{with .Subunit}}{{.}}{{end}}尚未{{.Action}}。"}},
		},
	}
}

func durationPtr(d time.Duration) *Duration { v := Duration(d); return &v }

func boolPtr(b bool) *bool { return &b }

// WithDefaults fills what s leaves empty from DefaultSettings.
func (s Settings) WithDefaults() Settings {
	d := DefaultSettings()
	if s.Quiet == (Span{}) {
		s.Quiet = d.Quiet
	}
	if s.Business == (Span{}) {
		s.Business = d.Business
	}
	if s.Groups == nil {
		s.Groups = d.Groups
	}
	events := make(map[string]Rule, len(d.Events))
	for k, r := range d.Events {
		if own, ok := s.Events[k]; ok {
			r = own.over(r)
		}
		events[k] = r
	}
	for k, r := range s.Events { // unknown kinds stay for Check to name
		if _, ok := events[k]; !ok {
			events[k] = r
		}
	}
	s.Events = events
	if s.Escalation == nil {
		s.Escalation = d.Escalation
	} else {
		st := make([]Stage, len(s.Escalation))
		for i, g := range s.Escalation {
			if j := slices.IndexFunc(d.Escalation, func(x Stage) bool { return x.Name == g.Name }); j >= 0 {
				g = g.over(d.Escalation[j])
			} else {
				g.Rule = g.Rule.over(Rule{Channels: phone, Text: defaultStageText(g, d)})
			}
			g.Urgent = g.Urgent || g.overdue()
			st[i] = g
		}
		s.Escalation = st
	}
	return s
}

// defaultStageText is the text of a stage with a name of its own: the
// default near text before the due time, the overdue one after.
func defaultStageText(g Stage, d Settings) string {
	name := "due"
	switch {
	case g.Left > 0 || g.after() < 0:
		name = "near"
	case g.after() > 0:
		name = "late"
	}
	for _, x := range d.Escalation {
		if x.Name == name {
			return x.Text
		}
	}
	return ""
}

// over fills r's empty fields from def.
func (r Rule) over(def Rule) Rule {
	if r.Enabled == nil {
		r.Enabled = def.Enabled
	}
	if len(r.Roles) == 0 {
		r.Roles = def.Roles
	}
	if len(r.Channels) == 0 {
		r.Channels = def.Channels
	}
	if strings.TrimSpace(r.Text) == "" {
		r.Text = def.Text
	}
	if r.SMSTemplate == "" && len(r.SMSParams) == 0 {
		r.SMSTemplate, r.SMSParams = def.SMSTemplate, def.SMSParams
	}
	return r
}

var (
	stageName   = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	channelName = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)
)

// ValidChannel reports whether name can name a channel in the settings:
// 1 to 64 of a-z, 0-9, '-', '_', '.'.
func ValidChannel(name string) bool { return channelName.MatchString(name) }

// Check reports the first bad setting, by its TOML key. It checks s as
// WithDefaults completes it, so a file need only hold what it changes.
func (s Settings) Check() error {
	if err := s.checkEmpty(); err != nil {
		return err
	}
	s = s.WithDefaults()
	for _, f := range []struct {
		key string
		sp  Span
	}{{"quiet", s.Quiet}, {"business", s.Business}} {
		from, err := clockOf(f.sp.From)
		if err != nil {
			return fmt.Errorf("%s.from: %w", f.key, err)
		}
		to, err := clockOf(f.sp.To)
		if err != nil {
			return fmt.Errorf("%s.to: %w", f.key, err)
		}
		if f.key == "business" && from >= to {
			return fmt.Errorf("business: from %s must be before to %s", f.sp.From, f.sp.To)
		}
	}
	for i, g := range s.Groups {
		if err := ownSender(g); err != nil {
			return fmt.Errorf("groups[%d]: %w", i, err)
		}
		if g == Terminal || !channelName.MatchString(g) {
			return fmt.Errorf("groups[%d]: %q is not a group channel name (lower-case letters, digits, '-', '_', '.')", i, g)
		}
	}
	for k, r := range s.Events {
		if !slices.Contains(ruleKinds, complaint.Kind(k)) {
			return fmt.Errorf("events.%s: no such event; events with rules: %s", k, kindList())
		}
		if err := r.check(); err != nil {
			return fmt.Errorf("events.%s.%w", k, err)
		}
	}
	seen := map[string]bool{}
	for i, g := range s.Escalation {
		key := fmt.Sprintf("escalation[%d]", i)
		switch {
		case !stageName.MatchString(g.Name):
			return fmt.Errorf("%s.name: %q: want 1 to 32 of a-z, 0-9, '-', '_'", key, g.Name)
		case seen[g.Name]:
			return fmt.Errorf("%s.name: %q is given twice", key, g.Name)
		case g.Left < 0 || g.Left >= 1:
			return fmt.Errorf("%s.left: %v: want a share of the step's time above 0 and below 1", key, g.Left)
		case g.Left > 0 && (g.After != nil || g.working()):
			return fmt.Errorf("%s.left: give left or after, not both", key)
		case g.working() && g.after() == 0:
			return fmt.Errorf("%s.working: needs after, the business time from the due time", key)
		case len(g.Roles) == 0:
			return fmt.Errorf("%s.roles: empty: say who is reminded", key)
		}
		seen[g.Name] = true
		for j, st := range g.Steps {
			if st.Label() == "" {
				return fmt.Errorf("%s.steps[%d]: %q: want one of sign, assign, contact, reply, review, send", key, j, st)
			}
		}
		if err := g.Rule.check(); err != nil {
			return fmt.Errorf("%s.%w", key, err)
		}
	}
	return nil
}

// checkEmpty refuses the empty lists of s as given: WithDefaults cannot
// tell "channels = []" from a list left out, and either reading would
// surprise someone.
func (s Settings) checkEmpty() error {
	check := func(key string, r Rule, what string) error {
		for _, f := range []struct {
			name  string
			empty bool
		}{{"roles", r.Roles != nil && len(r.Roles) == 0}, {"channels", r.Channels != nil && len(r.Channels) == 0}} {
			if f.empty {
				return fmt.Errorf("%s.%s: an empty list does not turn the %s off: set enabled = false for that, or leave %s out for the default ones", key, f.name, what, f.name)
			}
		}
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(s.Events)) {
		if err := check("events."+k, s.Events[k], "event"); err != nil {
			return err
		}
	}
	for i, g := range s.Escalation {
		if err := check(fmt.Sprintf("escalation[%d]", i), g.Rule, "stage"); err != nil {
			return err
		}
	}
	return nil
}

func kindList() string {
	var ks []string
	for _, k := range ruleKinds {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}

// check reports a bad field of r, its text starting with the field's key.
func (r Rule) check() error {
	for i, role := range r.Roles {
		if !slices.Contains(ruleRoles, role) {
			return fmt.Errorf("roles[%d]: %q: want owner, handler, duty, reviewer or supervisor", i, role)
		}
	}
	if r.On() && len(r.Channels) == 0 {
		return fmt.Errorf("channels: empty: name at least one, or set enabled = false")
	}
	seen := map[string]bool{}
	for i, c := range r.Channels {
		if err := ownSender(c); err != nil {
			return fmt.Errorf("channels[%d]: %w", i, err)
		}
		if !channelName.MatchString(c) {
			return fmt.Errorf("channels[%d]: %q is not a channel name (lower-case letters, digits, '-', '_', '.')", i, c)
		}
		if seen[c] {
			return fmt.Errorf("channels[%d]: %q is given twice", i, c)
		}
		seen[c] = true
	}
	t, err := parseText(r.Text)
	if err != nil {
		return fmt.Errorf("text: %w", err)
	}
	if err := t.Execute(io.Discard, sampleData); err != nil {
		if m := noField.FindStringSubmatch(err.Error()); m != nil {
			return fmt.Errorf("text: {{.%s}}: no such field; the fields are %s", m[1], dataFields())
		}
		return fmt.Errorf("text: %w", err)
	}
	if r.SMSTemplate == "" && len(r.SMSParams) > 0 {
		return fmt.Errorf("sms_params: given without sms_template")
	}
	for i, p := range r.SMSParams {
		if _, _, err := param(p); err != nil {
			return fmt.Errorf("sms_params[%d]: %w", i, err)
		}
	}
	return nil
}

// ownSender refuses a unit's own sender ("wecom@gdj") named in the
// settings: the channel is named alone, and channels.toml decides whether
// the unit has a sender of its own under that name or uses the common one.
func ownSender(name string) error {
	ch, unit, ok := strings.Cut(name, "@")
	if !ok || ch == Terminal || !channelName.MatchString(ch) || strings.TrimSpace(unit) == "" || strings.Contains(unit, "@") {
		return nil
	}
	return fmt.Errorf("%q: write %q here, and register the unit's own sender as [channel.%q] in channels.toml", name, ch, name)
}

// noField finds the field a template named that Data does not have.
var noField = regexp.MustCompile(`can't evaluate field (\w+) in type`)

// dataFields lists Data's fields as a text names them.
func dataFields() string {
	t := reflect.TypeFor[Data]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = "." + t.Field(i).Name
	}
	return strings.Join(names, " ")
}

// parseText parses a rule's text. Templates produce plain text: no HTML
// escaping, and a field Data lacks is an error when checked.
func parseText(text string) (*template.Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("empty")
	}
	return template.New("text").Option("missingkey=error").Funcs(textFuncs).Parse(text)
}

// textFuncs are the functions a text can call besides the fields of Data.
var textFuncs = template.FuncMap{"sentence": sentence}

// sentence ends s with 。 unless it ends a sentence already: a note people
// write ("列入本周督办。", "为何仍未联系？") often brings its own stop, and
// 。 after it is a doubled one.
func sentence(s string) string {
	if r, _ := utf8.DecodeLastRuneInString(s); s == "" || strings.ContainsRune("。！？.!?", r) {
		return s
	}
	return s + "。"
}

// clockOf parses "HH:MM" into the time since midnight.
func clockOf(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
