package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	for text, want := range map[string]string{
		"[channel.sms]\nkind = \"aliyun\"\naccess_key_id = \"x\"\n":            "[channel.sms]: kind aliyun needs access_key_secret",
		"[channel.x]\nkind = \"pager\"\n":                                      `[channel.x]: kind "pager": want aliyun, tencent, gateway, wecom, dingtalk or feishu`,
		"[channel.x]\nwebhook = \"https://x\"\n":                               "[channel.x]: kind is missing",
		"[channel.x]\nkind = \"wecom\"\nwebhok = \"https://x\"\n":              `:3: unknown setting "channel.x.webhok"`,
		"[channel.g]\nkind = \"gateway\"\nurl = \"https://x/?to={{.Phon}}\"\n": "[channel.g]: ",
		"[channel.terminal]\nkind = \"wecom\"\nwebhook = \"https://x\"\n":      `"terminal" is the in-terminal alert`,
	} {
		write(text, 0o600)
		if _, _, err := loadChannels(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
	}
}
