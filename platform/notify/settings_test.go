package notify

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"hotline/complaint"
)

// unitFile is a unit's file as an administrator writes it: only what
// differs from the defaults.
const unitFile = `
groups = ["wecom"]
quiet = { from = "21:30", to = "08:00" }

[events.dispatch]
channels = ["terminal", "sms", "wecom"]
sms_template = "SMS_270015"
sms_params = ["number", "title", "time=deadline"]

[events.urge]
urgent = true

[events.return_accept]
enabled = false

[[escalation]]
name = "near"
left = 0.2
roles = ["owner"]
channels = ["terminal"]

[[escalation]]
name = "due"
roles = ["owner", "duty"]

[[escalation]]
name = "late"
after = "4h"
working = true
roles = ["supervisor"]
steps = ["contact", "reply"]
text = "【12345】工单{{.Number}}{{.Step}}{{.Left}}，请督办。"
`

func TestSettingsFile(t *testing.T) {
	var s Settings
	md, err := toml.Decode(unitFile, &s)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) != 0 {
		t.Fatalf("undecoded keys %v", u)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	s = s.WithDefaults()
	def := DefaultSettings()
	if s.Quiet != (Span{"21:30", "08:00"}) || s.Business != def.Business || !reflect.DeepEqual(s.Groups, []string{"wecom"}) {
		t.Errorf("spans and groups: %+v %+v %v", s.Quiet, s.Business, s.Groups)
	}
	d := s.Events["dispatch"]
	if !reflect.DeepEqual(d.Channels, []string{"terminal", "sms", "wecom"}) || d.Text != def.Events["dispatch"].Text ||
		!reflect.DeepEqual(d.Roles, []complaint.Role{complaint.RoleDuty}) || d.SMSTemplate != "SMS_270015" {
		t.Errorf("dispatch rule %+v", d)
	}
	if u := s.Events["urge"]; !u.Urgent || !u.On() || !reflect.DeepEqual(u.Channels, def.Events["urge"].Channels) {
		t.Errorf("urge rule %+v", u)
	}
	if s.Events["return_accept"].On() || !s.Events["reject"].On() {
		t.Errorf("return_accept on %v, reject on %v", s.Events["return_accept"].On(), s.Events["reject"].On())
	}
	if len(s.Escalation) != 3 {
		t.Fatalf("%d stages", len(s.Escalation))
	}
	near, due, late := s.Escalation[0], s.Escalation[1], s.Escalation[2]
	if near.Left != 0.2 || near.Text != def.Escalation[0].Text || !reflect.DeepEqual(near.Channels, []string{"terminal"}) {
		t.Errorf("near %+v", near)
	}
	if due.Text != def.Escalation[1].Text || !reflect.DeepEqual(due.Channels, []string{"terminal", "sms"}) {
		t.Errorf("due %+v", due)
	}
	if late.after() != 4*time.Hour || !late.working() || late.Text != "【12345】工单{{.Number}}{{.Step}}{{.Left}}，请督办。" ||
		!reflect.DeepEqual(late.Steps, []complaint.Step{complaint.StepContact, complaint.StepReply}) {
		t.Errorf("late %+v", late)
	}
}

// TestDefaults: the zero settings are the defaults; the defaults pass
// Check and survive TOML and JSON (the units table) unchanged.
func TestDefaults(t *testing.T) {
	def := DefaultSettings()
	if err := def.Check(); err != nil {
		t.Fatalf("DefaultSettings().Check(): %v", err)
	}
	if got := (Settings{}).WithDefaults(); !reflect.DeepEqual(got, def) {
		t.Errorf("Settings{}.WithDefaults() = %+v\nwant %+v", got, def)
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(def); err != nil {
		t.Fatal(err)
	}
	var back Settings
	if _, err := toml.Decode(buf.String(), &back); err != nil {
		t.Fatalf("decode encoded defaults: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(back, def) {
		t.Errorf("TOML round trip changed the defaults:\n%s", buf.String())
	}
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	back = Settings{}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, def) {
		t.Errorf("JSON round trip changed the defaults: %s", b)
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{`quiet = { from = "25:00", to = "07:30" }`, `quiet.from: "25:00" is not a time of day HH:MM`},
		{`business = { from = "18:00", to = "08:30" }`, `business: from 18:00 must be before to 08:30`},
		{`groups = ["terminal"]`, `groups[0]: "terminal" is not a group channel name (lower-case letters, digits, '-', '_', '.')`},
		// A unit's own sender is chosen by channels.toml, not named here.
		{`groups = ["wecom@gdj"]`, `groups[0]: "wecom@gdj": write "wecom" here, and register the unit's own sender as [channel."wecom@gdj"] in channels.toml`},
		{"[events.urge]\nchannels = [\"terminal\", \"sms@gdj\"]", `events.urge.channels[1]: "sms@gdj": write "sms" here, and register the unit's own sender as [channel."sms@gdj"] in channels.toml`},
		{"[events.urge]\nchannels = [\"wecom@\"]", `events.urge.channels[0]: "wecom@" is not a channel name (lower-case letters, digits, '-', '_', '.')`},
		{"[events.sign]\nchannels = [\"sms\"]", `events.sign: no such event; events with rules: dispatch, reopen, assign, reply, reject, urge, supervise, return_accept, return_refuse, extension_decide`},
		{"[events.urge]\nchannels = [\"sms\", \"SMS\"]", `events.urge.channels[1]: "SMS" is not a channel name (lower-case letters, digits, '-', '_', '.')`},
		{"[events.urge]\nchannels = [\"sms\", \"sms\"]", `events.urge.channels[1]: "sms" is given twice`},
		{"[events.urge]\nroles = [\"leader\"]", `events.urge.roles[0]: "leader": want owner, handler, duty, reviewer or supervisor`},
		{"[events.urge]\ntext = \"工单{{.Number}\"", `events.urge.text: template: text:1: bad character U+007D '}'`},
		{"[events.urge]\ntext = \"工单{{.Numbr}}\"", `events.urge.text: {{.Numbr}}: no such field; the fields are .Number .Title .Deadline .Left .Within .Action .Step .Unit .Subunit .Event .Note .Result`},
		{"[events.dispatch]\nchannels = []", `events.dispatch.channels: an empty list does not turn the event off: set enabled = false for that, or leave channels out for the default ones`},
		{"[events.reply]\nroles = []", `events.reply.roles: an empty list does not turn the event off: set enabled = false for that, or leave roles out for the default ones`},
		{"[[escalation]]\nname = \"late\"\nchannels = []", `escalation[0].channels: an empty list does not turn the stage off: set enabled = false for that, or leave channels out for the default ones`},
		{"[events.urge]\nsms_params = [\"number\"]", `events.urge.sms_params: given without sms_template`},
		{"[events.urge]\nsms_template = \"SMS_1\"\nsms_params = [\"no=numbr\"]", `events.urge.sms_params[0]: "no=numbr": no field "numbr"; fields: number, title, deadline, left, within, action, step, unit, subunit, event, note, result`},
		{"[[escalation]]\nname = \"Near\"\nroles = [\"owner\"]", `escalation[0].name: "Near": want 1 to 32 of a-z, 0-9, '-', '_'`},
		{"[[escalation]]\nname = \"a\"\nroles = [\"owner\"]\n[[escalation]]\nname = \"a\"\nroles = [\"duty\"]", `escalation[1].name: "a" is given twice`},
		{"[[escalation]]\nname = \"a\"\nleft = 1.5\nroles = [\"owner\"]", `escalation[0].left: 1.5: want a share of the step's time above 0 and below 1`},
		{"[[escalation]]\nname = \"a\"\nleft = 0.5\nafter = \"1h\"\nroles = [\"owner\"]", `escalation[0].left: give left or after, not both`},
		{"[[escalation]]\nname = \"a\"\nworking = true\nroles = [\"owner\"]", `escalation[0].working: needs after, the business time from the due time`},
		{"[[escalation]]\nname = \"a\"", `escalation[0].roles: empty: say who is reminded`},
		{"[[escalation]]\nname = \"a\"\nroles = [\"owner\"]\nsteps = [\"close\"]", `escalation[0].steps[0]: "close": want one of sign, assign, contact, reply, review, send`},
		{"[[escalation]]\nname = \"a\"\nroles = [\"owner\"]\nchannels = [\"a b\"]", `escalation[0].channels[0]: "a b" is not a channel name (lower-case letters, digits, '-', '_', '.')`},
	} {
		var s Settings
		if _, err := toml.Decode(c.file, &s); err != nil {
			t.Fatalf("%q: %v", c.file, err)
		}
		err := s.Check()
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.file, err, c.want)
		}
	}
	var s Settings
	_, err := toml.Decode("[[escalation]]\nname = \"a\"\nafter = \"2 hours\"\nroles = [\"owner\"]", &s)
	if err == nil || !strings.Contains(err.Error(), `duration "2 hours": want e.g. "2h", "90m", "-30m"`) {
		t.Errorf("bad duration: %v", err)
	}
}

// TestStageInherits: a stage named as a default one takes every field it
// leaves out from that stage, its timing included; a stage of its own
// name takes only the default channels and text.
func TestStageInherits(t *testing.T) {
	var s Settings
	file := `
[[escalation]]
name = "late"
after = "3h"

[[escalation]]
name = "near"
after = "-30m"

[[escalation]]
name = "due"
channels = ["terminal"]

[[escalation]]
name = "late2"
after = "1h"
roles = ["duty"]
`
	if _, err := toml.Decode(file, &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	def := DefaultSettings().Escalation
	got := s.WithDefaults().Escalation
	late, near, due, own := got[0], got[1], got[2], got[3]
	if late.after() != 3*time.Hour || !late.working() || !late.Urgent || late.Text != def[2].Text ||
		!reflect.DeepEqual(late.Roles, []complaint.Role{complaint.RoleSupervisor}) {
		t.Errorf("late after = \"3h\": after %v working %v urgent %v roles %v", late.after(), late.working(), late.Urgent, late.Roles)
	}
	if near.Left != 0 || near.after() != -30*time.Minute || near.working() || near.Urgent ||
		!reflect.DeepEqual(near.Steps, def[0].Steps) || near.Text != def[0].Text {
		t.Errorf("near after = \"-30m\": %+v", near)
	}
	if due.After != nil || due.Left != 0 || !due.Urgent || !reflect.DeepEqual(due.Channels, []string{"terminal"}) || due.Text != def[1].Text {
		t.Errorf("due: %+v", due)
	}
	if own.after() != time.Hour || own.working() || !own.Urgent || own.Text != def[2].Text {
		t.Errorf("a stage of its own: %+v", own)
	}

	// Given explicitly, working = false and a timing of its own stay.
	s = Settings{}
	if _, err := toml.Decode("[[escalation]]\nname = \"late\"\nafter = \"2h\"\nworking = false\n[[escalation]]\nname = \"due\"\nleft = 0.1", &s); err != nil {
		t.Fatal(err)
	}
	got = s.WithDefaults().Escalation
	if got[0].working() || got[0].after() != 2*time.Hour {
		t.Errorf("late with working = false: working %v after %v", got[0].working(), got[0].after())
	}
	if got[1].Left != 0.1 || got[1].After != nil || got[1].Urgent {
		t.Errorf("due with left = 0.1: %+v", got[1])
	}
	// after = "0s" is at the due time: nothing to count in business hours.
	s = Settings{}
	if _, err := toml.Decode("[[escalation]]\nname = \"late\"\nafter = \"0s\"", &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Errorf("late at the due time: %v", err)
	}
	// A late stage named alone is the default late stage.
	s = Settings{Escalation: []Stage{{Name: "late"}}}
	if g := s.WithDefaults().Escalation[0]; !reflect.DeepEqual(g, def[2]) {
		t.Errorf("late alone: %+v\nwant %+v", g, def[2])
	}
}

// TestPrintedUrgent: the settings as printed (hotlined unit notify) say
// urgent = true for the stages at and after the due time, which go through
// quiet hours, and false for the one before it, which is held.
func TestPrintedUrgent(t *testing.T) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(Settings{}.WithDefaults()); err != nil {
		t.Fatal(err)
	}
	_, stages, _ := strings.Cut(buf.String(), "[[escalation]]")
	urgent := map[string]string{}
	for _, block := range strings.Split(stages, "[[escalation]]") {
		var name, u string
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(line)
			if v, ok := strings.CutPrefix(line, "name = "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "urgent = "); ok {
				u = v
			}
		}
		urgent[name] = u
	}
	if want := map[string]string{`"near"`: "false", `"due"`: "true", `"late"`: "true"}; !reflect.DeepEqual(urgent, want) {
		t.Errorf("printed urgent %v, want %v\n%s", urgent, want, buf.String())
	}
}

// TestDurationText: a duration is printed as short as it is written, and
// what is printed reads back as the same duration, in TOML and JSON.
func TestDurationText(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"3h", "3h"},
		{"90m", "1h30m"},
		{"-30m", "-30m"},
		{"-90m", "-1h30m"},
		{"120m", "2h"},
		{"0s", "0s"},
		{"0", "0s"},
		{"45s", "45s"},
		{"1h30s", "1h30s"},
		{"2h30m15s", "2h30m15s"},
		{"1.5s", "1.5s"},
		{"1h0.5s", "1h0m0.5s"}, // below a second: Go's own form
	} {
		var d Duration
		if err := d.UnmarshalText([]byte(c.in)); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		b, err := d.MarshalText()
		if err != nil || string(b) != c.out {
			t.Errorf("%q printed as %q, %v; want %q", c.in, b, err, c.out)
		}
		var back Duration
		if err := back.UnmarshalText(b); err != nil || back != d {
			t.Errorf("%q: %q reads back as %v, %v; want %v", c.in, b, time.Duration(back), err, time.Duration(d))
		}
	}
	// Through the settings file and the units table.
	s := Settings{Escalation: []Stage{{Name: "late", After: durationPtr(90 * time.Minute), Rule: Rule{Roles: []complaint.Role{complaint.RoleSupervisor}}},
		{Name: "early", After: durationPtr(-30 * time.Minute), Rule: Rule{Roles: []complaint.Role{complaint.RoleDuty}}}}}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "after = \"1h30m\"\n") || !strings.Contains(buf.String(), "after = \"-30m\"\n") {
		t.Errorf("printed:\n%s", buf.String())
	}
	var back Settings
	if _, err := toml.Decode(buf.String(), &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("TOML round trip: %v\n%s", err, buf.String())
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"after":"1h30m"`) {
		t.Errorf("JSON %s", b)
	}
	back = Settings{}
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("JSON round trip: %v %s", err, b)
	}
}
