package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// output runs hotlined with args and returns what it printed on stdout and
// on stderr.
func output(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	read := func(f *os.File, into *string, done chan<- struct{}) {
		b, _ := io.ReadAll(f)
		*into = string(b)
		close(done)
	}
	or, ow, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	er, ew, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	od, ed := make(chan struct{}), make(chan struct{})
	go read(or, &stdout, od)
	go read(er, &stderr, ed)
	so, se := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = ow, ew
	err = run(args)
	os.Stdout, os.Stderr = so, se
	ow.Close()
	ew.Close()
	<-od
	<-ed
	return stdout, stderr, err
}

// platformDir makes a platform with the center, unit gdj and its sub-unit.
func platformDir(t *testing.T) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "init", "--dir", data, "--endpoint", "platform.example.org:51820")
	mustRun(t, "unit", "add", "--dir", data, "--code", "12345", "--name", "12345中心", "--kind", "center")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj-cd", "--name", "城东供电所", "--kind", "subunit", "--parent", "gdj")
	return data
}

// TestUnitNotifyFile: a unit's settings are refused with the file, line,
// key and what it wants; accepted ones that name a channel channels.toml
// lacks are set, with a warning naming the channel and the file.
func TestUnitNotifyFile(t *testing.T) {
	data := platformDir(t)
	file := filepath.Join(t.TempDir(), "x.toml")
	set := func(text string) (string, string, error) {
		t.Helper()
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return output(t, "unit", "notify", "--dir", data, "--unit", "gdj", "--file", file)
	}
	for _, c := range []struct{ text, want string }{
		{"[events.urge]\nurgent = \"yes\"\n", file + `:2: events.urge.urgent: want true or false, not a string`},
		{"[[escalation]]\nname = \"late\"\nafter = 2\n", file + `:3: escalation.after: 2 is not a duration: write it in quotes with its unit, e.g. "2h", "90m", "-30m"`},
		{"[[escalation]]\nname = \"late\"\nafter = \"2 hours\"\n", file + `:3: escalation.after: duration "2 hours": want e.g. "2h", "90m", "-30m"`},
		{"[event.urge]\nurgent = true\n", file + `:1: unknown table "event.urge"`},
		{"[[escalation]]\nname = \"near\"\n\n[[escalation]]\nname = \"x\"\nafter = \"1h\"\nroles = [\"duty\"]\nchannels = [\"terminal\", \"SMS\"]\n", file + `:8: escalation[1].channels[1]: "SMS" is not a channel name (lower-case letters, digits, '-', '_', '.')`},
		{"[[escalation]]\nname = \"x\"\nroles = [\"duty\"]\n\n[[escalation]]\nname = \"y\"\nafter = \"1h\"\n", file + `:5: escalation[1].roles: empty: say who is reminded`},
		{"[events.dispatch]\nchannels = []\n", file + `:2: events.dispatch.channels: an empty list does not turn the event off: set enabled = false for that, or leave channels out for the default ones`},
		{"[events.urge]\ntext = \"工单{{.Nope}}\"\n", file + `:2: events.urge.text: {{.Nope}}: no such field; the fields are .Number .Title .Deadline .Left .Within .Action .Step .Unit .Subunit .Event .Note .Result`},
		// Lists checked after decoding are placed on the key's line too.
		{"# gdj\n[events.urge]\nchannels = [\"terminal\", \"SMS\"]\n", file + `:3: events.urge.channels[1]: "SMS" is not a channel name (lower-case letters, digits, '-', '_', '.')`},
		{"[events.urge]\nurgent = true\nroles = [\"king\"]\n", file + `:3: events.urge.roles[0]: "king": want owner, handler, duty, reviewer or supervisor`},
		{"[events.urge]\nchannels = [\"terminal\", \"wecom@gdj\"]\n", file + `:2: events.urge.channels[1]: "wecom@gdj": write "wecom" here, and register the unit's own sender as [channel."wecom@gdj"] in channels.toml`},
		{"quiet = { from = \"22:00\", to = \"07:00\" }\ngroups = [\"wecom@gdj\"]\n", file + `:2: groups[0]: "wecom@gdj": write "wecom" here, and register the unit's own sender as [channel."wecom@gdj"] in channels.toml`},
		// A value where a table belongs.
		{"events = \"urge\"\n", file + `:1: events: want tables [events.NAME], not a string`},
		{"[events]\nurge = true\n", file + `:2: events.urge: want a table [events.urge], not true or false`},
		{"quiet = \"22:00-07:30\"\n", file + `:1: quiet: want a table [quiet] with from = "HH:MM" and to = "HH:MM", not a string`},
	} {
		if _, _, err := set(c.text); err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.text, err, c.want)
		}
	}

	// No channels.toml: the channels named are warned of, not refused.
	out, errOut, err := set("[events.urge]\nchannels = [\"terminal\", \"pager\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	chans := filepath.Join(data, channelsFile)
	if out != "notification settings of gdj set from "+file+"\n" {
		t.Errorf("stdout %q", out)
	}
	want := "warning: channel \"pager\" (events.urge) has no sender in " + chans + ": its messages are dropped until [channel.pager] or [channel.\"pager@gdj\"] is set there\n" +
		"warning: channel \"sms\" (events.assign, events.dispatch, events.reject, events.reopen, events.reply, events.supervise, escalation near, escalation due, escalation late) has no sender in " + chans + ": its messages are dropped until [channel.sms] or [channel.\"sms@gdj\"] is set there\n"
	if errOut != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	// With sms configured, and a robot of the unit's own, pager alone.
	os.WriteFile(chans, []byte("[channel.sms]\nkind = \"gateway\"\nurl = \"https://sms.example.cn/send\"\n[channel.\"pager@gdj\"]\nkind = \"wecom\"\nwebhook = \"https://x\"\n"), 0o600)
	if _, errOut, err = set("[events.urge]\nchannels = [\"terminal\", \"pager\", \"fax\"]\n"); err != nil || errOut != "warning: channel \"fax\" (events.urge) has no sender in "+chans+": its messages are dropped until [channel.fax] or [channel.\"fax@gdj\"] is set there\n" {
		t.Errorf("with channels.toml: %v\n%s", err, errOut)
	}

	// Printed, the stages at and after the due time say they are urgent,
	// and the late stage given only after = "3h" counts working hours as
	// the default late stage does.
	if _, _, err := set("[[escalation]]\nname = \"due\"\n[[escalation]]\nname = \"late\"\nafter = \"3h\"\n"); err != nil {
		t.Fatal(err)
	}
	out, _, err = output(t, "unit", "notify", "--dir", data, "--unit", "gdj")
	if err != nil {
		t.Fatal(err)
	}
	_, stages, _ := strings.Cut(out, "[[escalation]]")
	for _, want := range []string{"name = \"due\"", "name = \"late\"", "after = \"3h\"", "working = true"} {
		if !strings.Contains(stages, want) {
			t.Errorf("printed stages lack %q:\n%s", want, stages)
		}
	}
	if n := strings.Count(stages, "urgent = true"); n != 2 || strings.Contains(stages, "urgent = false") {
		t.Errorf("printed stages: %d urgent:\n%s", n, stages)
	}
}

// TestUserPhone: a phone is checked and stored in one form when a user is
// added or changed, and shown by user list.
func TestUserPhone(t *testing.T) {
	data := platformDir(t)
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("correct-horse\n"), 0o600)
	const bad = `invalid phone "abc<>": want a mobile number, 11 digits starting with 1 (13812345678), or + with the country code (+85291234567); spaces and dashes are allowed (see hotlined help)`
	if err := run([]string{"user", "add", "--dir", data, "--login", "duty", "--name", "李明", "--unit", "gdj", "--roles", "duty", "--phone", "abc<>", "--password-file", pw}); err == nil || err.Error() != bad {
		t.Errorf("user add --phone abc<>: %v", err)
	}
	mustRun(t, "user", "add", "--dir", data, "--login", "duty", "--name", "李明", "--unit", "gdj", "--roles", "duty", "--phone", "+86 138-0000-0001", "--password-file", pw)
	mustRun(t, "user", "add", "--dir", data, "--login", "h1", "--name", "王芳", "--unit", "gdj-cd", "--roles", "handler", "--password-file", pw)
	list := func() string {
		t.Helper()
		out, _, err := output(t, "user", "list", "--dir", data)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := list(), "LOGIN  UNIT    ROLES    PHONE        NAME\nduty   gdj     duty     13800000001  李明\nh1     gdj-cd  handler  -            王芳\n"; got != want {
		t.Errorf("user list:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range []struct {
		args []string
		out  string
		err  string
	}{
		{[]string{"--login", "h1", "--phone", "139 0000 0002"}, "phone of h1 set to 13900000002\n", ""},
		{[]string{"--login", "duty", "--clear"}, "phone of duty cleared\n", ""},
		{[]string{"--login", "h1", "--phone", "abc<>"}, "", bad},
		{[]string{"--login", "h1"}, "", "user phone needs --phone NUMBER or --clear (see hotlined help)"},
		{[]string{"--login", "h1", "--phone", "13900000002", "--clear"}, "", "give --phone NUMBER or --clear, not both (see hotlined help)"},
		{[]string{"--phone", "13900000002"}, "", "user phone needs --login (see hotlined help)"},
		{[]string{"--login", "nobody", "--phone", "13900000002"}, "", `set phone: unknown user "nobody"`},
	} {
		out, _, err := output(t, append([]string{"user", "phone", "--dir", data}, c.args...)...)
		if out != c.out || (err == nil) != (c.err == "") || err != nil && err.Error() != c.err {
			t.Errorf("user phone %s = %q, %v; want %q, %q", strings.Join(c.args, " "), out, err, c.out, c.err)
		}
	}
	if got, want := list(), "LOGIN  UNIT    ROLES    PHONE        NAME\nduty   gdj     duty     -            李明\nh1     gdj-cd  handler  13900000002  王芳\n"; got != want {
		t.Errorf("user list after user phone:\n%s\nwant:\n%s", got, want)
	}
}

// TestMaxFileSizeNumber: a bare number for max_file_size is refused with
// what to write, not the decoder's type error.
func TestMaxFileSizeNumber(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, settingsFile)
	os.WriteFile(path, []byte("network = \"10.77.0.0/24\"\nendpoint = \"h:1\"\nmax_file_size = 100\n"), 0o644)
	want := path + `:3: max_file_size = 100: write the size in quotes with its unit, e.g. "100MB" or "4GiB"`
	if _, err := loadSettings(dir); err == nil || err.Error() != want {
		t.Errorf("max_file_size = 100: %v\nwant %s", err, want)
	}
	// Digits in quotes are the same guess.
	os.WriteFile(path, []byte("network = \"10.77.0.0/24\"\nendpoint = \"h:1\"\nmax_file_size = \"100\"\n"), 0o644)
	want = path + `:3: max_file_size = "100": write the size with its unit, e.g. "100MB" or "4GiB"`
	if _, err := loadSettings(dir); err == nil || err.Error() != want {
		t.Errorf("max_file_size = \"100\": %v\nwant %s", err, want)
	}
	os.WriteFile(path, []byte("network = \"10.77.0.0/24\"\nendpoint = \"h:1\"\nmax_file_size = \"100MB\"\n"), 0o644)
	if s, err := loadSettings(dir); err != nil || s.maxFileSize != 100_000_000 {
		t.Errorf("max_file_size = \"100MB\": %d, %v", s.maxFileSize, err)
	}
}
