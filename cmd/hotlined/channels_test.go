package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hotline/complaint"
	"hotline/platform/notify"
	"hotline/platform/sender"
)

func TestChannelsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, channelsFile)
	if s, l, err := loadChannels(dir); err != nil || s != nil || l != nil {
		t.Fatalf("no file: %v %v %v", s, l, err)
	}
	write := func(text string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, mode)
	}
	good := `
[channel.sms]
kind = "aliyun"
access_key_id = "LTAI-test"
access_key_secret = "secret"
sign_name = "12345热线"
per_minute = 100
burst = 10

[channel."wecom@gdj"]
kind = "wecom"
webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd"
per_minute = 18
burst = 3
`
	write(good, 0o644)
	if _, _, err := loadChannels(dir); err == nil || err.Error() != path+" holds the providers' keys and can be read by others (mode 0644): run chmod 600 "+path {
		t.Errorf("readable file: %v", err)
	}
	write(good, 0o600)
	senders, limits, err := loadChannels(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := senders["sms"].(*sender.Aliyun); !ok || a.SignName != "12345热线" || a.AccessKeyID != "LTAI-test" {
		t.Errorf("sms = %#v", senders["sms"])
	}
	if w, ok := senders["wecom@gdj"].(*sender.WeCom); !ok || w.Webhook != "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd" {
		t.Errorf("wecom@gdj = %#v", senders["wecom@gdj"])
	}
	if limits["sms"] != (notify.Limit{PerMinute: 100, Burst: 10}) || limits["wecom@gdj"] != (notify.Limit{PerMinute: 18, Burst: 3}) {
		t.Errorf("limits = %v", limits)
	}
	for _, c := range []struct{ text, want string }{
		{"[channel.sms]\nkind = \"aliyun\"\naccess_key_id = \"x\"\n", `:2: [channel.sms] kind = "aliyun" needs access_key_secret and sign_name`},
		{"[channel.t]\nkind = \"tencent\"\n", `:2: [channel.t] kind = "tencent" needs secret_id, secret_key, sdk_app_id and sign_name`},
		{"[channel.x]\nkind = \"pager\"\n", `:2: [channel.x] kind = "pager": want aliyun, tencent, gateway, wecom, dingtalk or feishu`},
		{"[channel.x]\nwebhook = \"https://x\"\n", `:1: [channel.x] kind is missing: want aliyun, tencent, gateway, wecom, dingtalk or feishu`},
		{"[channel.x]\nkind = \"wecom\"\nwebhok = \"https://x\"\n", `:3: unknown setting "channel.x.webhok"`},
		{"[channel.g]\nkind = \"gateway\"\nurl = \"https://x/?to={{.Phon}}\"\n",
			`:3: [channel.g] url: {{.Phon}}: no such field; the fields are .ID .Phone .Template .Text .Title .Markdown .Params .Param .Mention`},
		{"[channel.terminal]\nkind = \"wecom\"\nwebhook = \"https://x\"\n", `:1: [channel.terminal] "terminal" is the in-terminal alert, which needs no sender`},
		// Keys as the file writes them, not as Go names them.
		{"[channel.sms2]\nkind = \"gateway\"\nurl = \"https://sms.example.cn/send\"\nmethod = \"FETCH\"\n", `:4: [channel.sms2] method = "FETCH": want GET, POST or PUT`},
		{"[channel.sms2]\nkind = \"gateway\"\nurl = \"https://sms.example.cn/send\"\nmethod = \"GET\"\nbody = \"{{.Text}}\"\n", `:5: [channel.sms2] body: a GET request has no body`},
		{"[channel.sms2]\nkind = \"gateway\"\nurl = \"ftp://bad\"\n", `:3: [channel.sms2] url: "ftp://bad" is not an http(s) URL`},
		{"[channel.sms2]\nkind = \"gateway\"\nurl = \"https://x\"\nheader = { \"X Token\" = \"t\" }\n", `:4: [channel.sms2] header "X Token": not a valid header name`},
		// A robot's address is its credential: only the scheme is quoted.
		{"[channel.w]\nkind = \"wecom\"\nwebhook = \"ftp://bad/?key=SECRETKEY\"\n", `:3: [channel.w] webhook: want http:// or https://, not ftp://, the robot's address as its group settings show it (https://…)`},
		{"[channel.\"wecom@gdj\"]\nkind = \"dingtalk\"\nwebhook = \"oapi.dingtalk.com/robot/send\"\n", `:3: [channel."wecom@gdj"] webhook: not a URL: want http:// or https://, the robot's address as its group settings show it (https://…)`},
		{"[channel.a]\nkind = \"aliyun\"\naccess_key_id = \"x\"\naccess_key_secret = \"y\"\nsign_name = \"z\"\nendpoint = \"dysmsapi.aliyuncs.com\"\n", `:6: [channel.a] endpoint: not a URL: want http:// or https://, the provider's API address`},
		// Names no unit's settings can name.
		{"[channel.SMS]\nkind = \"wecom\"\nwebhook = \"https://x\"\n", `:1: [channel.SMS] "SMS": a channel's name is 1 to 64 of a-z, 0-9, '-', '_', '.', as the units' settings name it, with @UNIT for one unit's own (wecom@gdj)`},
		{"[channel.\"wecom@\"]\nkind = \"wecom\"\nwebhook = \"https://x\"\n", `:1: [channel."wecom@"] "wecom@": after @ comes the code of a first-level unit, e.g. wecom@gdj`},
		{"[channel.\"\ufeffsms\"]\nkind = \"wecom\"\nwebhook = \"https://x\"\n", `:1: a byte-order mark (U+FEFF) inside the file: save it as UTF-8 without BOM`},
		// Types and tables the decoder finds wrong, in words.
		{"[channel.sms]\nkind = \"wecom\"\nper_minute = \"fast\"\n", `:3: channel.sms.per_minute: want a whole number, not a string`},
		{"[channel.sms]\nkind = \"wecom\"\nretry_values = \"429\"\n", `:3: channel.sms.retry_values: want a list [...], not a string`},
		{"[channel.\"wecom@gdj\"]\nkind = \"wecom\"\nburst = 1.5\n", `:3: channel."wecom@gdj".burst: want a whole number, not a number`},
		{"[channel.sms]\nkind = \"wecom\"\nwebhook = \"https://x\"\nper_minute = -1\n", `:4: [channel.sms] per_minute and burst cannot be negative`},
		{"# robots\n\n[channels.sms]\nkind = \"wecom\"\n", `:3: unknown table "channels.sms"`},
		// A value where a table belongs: the decoder ignores it silently
		// in a map's place and says it in Go's terms in a struct's.
		{"channel = \"x\"\n", `:1: channel: want tables [channel.NAME] with kind = …, not a string`},
		{"# senders\nchannel = 3\n", `:2: channel: want tables [channel.NAME] with kind = …, not a whole number`},
		{"[channel]\nsms = \"x\"\n", `:2: channel.sms: want a table [channel.sms] with kind = …, not a string`},
		{"channel = { \"wecom@gdj\" = [\"x\"] }\n", `:1: channel."wecom@gdj": want a table [channel."wecom@gdj"] with kind = …, not a list`},
		{"[channel.g]\nkind = \"gateway\"\nurl = \"https://x\"\nheader = \"X-Token: t\"\n", `:4: channel.g.header: want a table { NAME = … }, not a string`},
		{"[channel.x]\nkind = \"wecom\"\n\xef\xbb\xbf\xff\xfe garbage\n", `:3: a byte-order mark (U+FEFF) inside the file: save it as UTF-8 without BOM`},
		{"[channel.x]\nkind = \"wecom\"\nwebhook = \"https://x\" \xff\xfe\n", `:3: invalid UTF-8 byte: 0xff`},
	} {
		write(c.text, 0o600)
		if _, _, err := loadChannels(dir); err == nil || err.Error() != path+c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.text, err, path+c.want)
		}
	}

	// A leading BOM is only a BOM.
	write("\ufeff[channel.w]\nkind = \"wecom\"\nwebhook = \"https://x\"\n", 0o600)
	if s, _, err := loadChannels(dir); err != nil || s["w"] == nil {
		t.Errorf("file with a BOM: %v %v", s, err)
	}
	// A directory in the file's place is said to be one.
	os.Remove(path)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadChannels(dir); err == nil || err.Error() != path+" is a directory: it must be a file, mode 0600, of [channel.NAME] tables (see the README)" {
		t.Errorf("directory: %v", err)
	}
}

// TestChannelUnits: a unit's own sender names a unit that must exist and
// be first-level, or it is never used; serve warns of it.
func TestChannelUnits(t *testing.T) {
	senders := map[string]sender.Sender{"sms": &sender.WeCom{}, "wecom@gdj": &sender.WeCom{}, "wecom@nosuch": &sender.WeCom{}, "dingtalk@gdj-cd": &sender.WeCom{}}
	units := []complaint.Unit{{Code: "gdj", Kind: complaint.KindUnit}, {Code: "gdj-cd", Kind: complaint.KindSubunit}}
	got := channelUnits(senders, units, "/d/channels.toml")
	want := []string{
		`/d/channels.toml: [channel."dingtalk@gdj-cd"]: unit "gdj-cd" is a subunit: notifications go by first-level unit (kind unit), so this sender is never used`,
		`/d/channels.toml: [channel."wecom@nosuch"]: there is no unit "nosuch" (see hotlined unit list): this sender is not used until it is added`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMissingChannels: the channels a unit's settings send on that have no
// sender are named, with where they are used and where to set them.
func TestMissingChannels(t *testing.T) {
	s := notify.Settings{Events: map[string]notify.Rule{
		"urge":   {Channels: []string{"terminal", "pager"}},
		"assign": {Channels: []string{"terminal", "pager", "wecom"}},
		"reject": {Enabled: new(false), Channels: []string{"fax"}},
	}}
	senders := map[string]sender.Sender{"sms": &sender.WeCom{}, "wecom@gdj": &sender.WeCom{}}
	got := missingChannels(s, "gdj", senders, "/d/channels.toml")
	want := []string{`channel "pager" (events.assign, events.urge) has no sender in /d/channels.toml: its messages are dropped until [channel.pager] or [channel."pager@gdj"] is set there`}
	if !slices.Equal(got, want) {
		t.Errorf("gdj:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Another unit has no robot of its own; no channels.toml, nothing.
	got = missingChannels(notify.Settings{}, "u2", nil, "/d/channels.toml")
	want = []string{`channel "sms" (events.assign, events.dispatch, events.reject, events.reopen, events.reply, events.supervise, events.urge, escalation near, escalation due, escalation late) has no sender in /d/channels.toml: its messages are dropped until [channel.sms] or [channel."sms@u2"] is set there`}
	if !slices.Equal(got, want) {
		t.Errorf("no channels.toml:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
