package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"hotline/complaint"
)

// Each action subcommand turns its flags into exactly the action the
// platform needs.
func TestParseAction(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	note := file("note", "\ufeff  请补充依据𠮷\n")
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, shanghai).UTC()
	deadline := time.Date(2026, 12, 10, 17, 0, 0, 0, shanghai).UTC()
	reply := complaint.Reply{Findings: "查明", Explanation: "已解释", Measures: "已更换", Basis: "规程", CitizenOpinion: "满意"}
	reply.Text = reply.Compose()
	tests := []struct {
		name string
		args []string
		want complaint.Action
	}{
		{"sign", []string{"7"}, complaint.Action{Kind: complaint.KindSign}},
		{"assign", []string{"7", "--subunit", "城东供电所", "--handler", "handler", "--note", "尽快"},
			complaint.Action{Kind: complaint.KindAssign, Subunit: "城东供电所", Handler: "handler", Text: "尽快"}},
		{"contact", []string{"7", "--how", "上门", "--result-file", note, "--at", "2026-12-03T09:30"},
			complaint.Action{Kind: complaint.KindContact, Contact: &complaint.Contact{At: at, How: "上门", Result: "请补充依据𠮷"}}},
		{"reply", []string{"7", "--findings-file", file("f", "查明"), "--explanation-file", file("e", "已解释"),
			"--measures-file", file("m", "已更换"), "--basis-file", file("b", "规程"), "--opinion-file", file("o", "满意")},
			complaint.Action{Kind: complaint.KindReply, Reply: &reply}},
		{"reply", []string{"7", "--text-file", file("t", "一段回复")}, complaint.Action{Kind: complaint.KindReply, Reply: &complaint.Reply{Text: "一段回复"}}},
		{"approve", []string{"7"}, complaint.Action{Kind: complaint.KindApprove}},
		{"reject", []string{"7", "--criteria", "2, 5", "--note-file", note}, complaint.Action{Kind: complaint.KindReject, Criteria: []int{2, 5}, Text: "请补充依据𠮷"}},
		{"send", []string{"7"}, complaint.Action{Kind: complaint.KindSend}},
		{"return", []string{"7", "--reason-file", note}, complaint.Action{Kind: complaint.KindReturnRequest, Text: "请补充依据𠮷"}},
		{"extend", []string{"7", "--days", "3", "--reason-file", note}, complaint.Action{Kind: complaint.KindExtensionRequest, Days: 3, Text: "请补充依据𠮷"}},
		{"accept-return", []string{"7"}, complaint.Action{Kind: complaint.KindReturnAccept}},
		{"refuse-return", []string{"7", "--reason-file", note}, complaint.Action{Kind: complaint.KindReturnRefuse, Text: "请补充依据𠮷"}},
		{"decide-extension", []string{"7", "--grant", "--deadline", "2026-12-10T17:00"}, complaint.Action{Kind: complaint.KindExtensionDecide, Grant: true, Deadline: deadline}},
		{"decide-extension", []string{"7", "--refuse", "--note-file", note}, complaint.Action{Kind: complaint.KindExtensionDecide, Text: "请补充依据𠮷"}},
		{"close", []string{"7", "--satisfaction", "基本满意"}, complaint.Action{Kind: complaint.KindClose, Satisfaction: complaint.FairlySatisfied}},
		{"reopen", []string{"7", "--reason-file", note}, complaint.Action{Kind: complaint.KindReopen, Text: "请补充依据𠮷"}},
		{"dispatch", []string{"7", "--unit", "gdj"}, complaint.Action{Kind: complaint.KindDispatch, Unit: "gdj"}},
		{"urge", []string{"7", "--note-file", note}, complaint.Action{Kind: complaint.KindUrge, Text: "请补充依据𠮷"}},
		{"supervise", []string{"--note-file", note, "7"}, complaint.Action{Kind: complaint.KindSupervise, Text: "请补充依据𠮷"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, a, err := parseAction(tt.name, append(tt.args, "--config", "x.toml"))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Ticket = "7"
			if cfg != "x.toml" || !reflect.DeepEqual(a, tt.want) {
				t.Fatalf("got %s %+v %+v\nwant %+v %+v", cfg, a, a.Contact, tt.want, tt.want.Contact)
			}
		})
	}
}

func TestParseActionErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte(" \n"), 0o644)
	gbk := filepath.Join(dir, "gbk")
	os.WriteFile(gbk, []byte{0xc4, 0xe3, 0xba, 0xc3}, 0o644) // 你好 in GBK
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"sign", nil, "usage: hotline sign NUMBER (see hotline help)"},
		{"assign", []string{"7"}, "assign needs --subunit (see hotline help)"},
		{"contact", []string{"7", "--how", "电话"}, "contact needs --result-file (see hotline help)"},
		{"contact", []string{"7", "--how", "电话", "--result-file", empty}, empty + ": the text is empty"},
		{"contact", []string{"7", "--how", "电话", "--result-file", gbk}, gbk + ": not valid UTF-8: save the text as UTF-8 and try again"},
		{"contact", []string{"7", "--how", "电话", "--result-file", gbk, "--at", "明天"}, `--at: "明天" is not a time like 2026-12-10T17:00`},
		{"reply", []string{"7"}, "reply needs --text-file or the field files (--findings-file …) (see hotline help)"},
		{"reject", []string{"7", "--criteria", "二"}, `--criteria "二": not a list of numbers (see hotline help)`},
		{"extend", []string{"7", "--reason-file", empty}, "extend needs --days (see hotline help)"},
		{"decide-extension", []string{"7", "--grant", "--refuse"}, "decide-extension needs one of --grant and --refuse (see hotline help)"},
		{"decide-extension", []string{"7", "--grant"}, "--grant needs --deadline (see hotline help)"},
		{"close", []string{"7"}, "close needs --satisfaction (see hotline help)"},
	}
	for _, tt := range tests {
		_, _, err := parseAction(tt.name, tt.args)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %v: %v, want %q", tt.name, tt.args, err, tt.want)
		}
	}
}

// Text for the center is plain: control characters are refused with where
// they are; line breaks, tabs and a BOM are fine.
func TestReadTextRefusesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ body, want, err string }{
		{"\ufeff第一行\r\n\t第二行𠮷\n", "第一行\r\n\t第二行𠮷", ""},
		{"ok\x00bad", "", " line 1: control character U+0000: remove it and try again"},
		{"一\n二\x1b[2J", "", " line 2: control character U+001B: remove it and try again"},
		{"\u0085", "", " line 1: control character U+0085: remove it and try again"},
		{" \n ", "", ": the text is empty"},
	} {
		p := filepath.Join(dir, "t.txt")
		os.WriteFile(p, []byte(c.body), 0o644)
		got, err := readText(p)
		if c.err != "" {
			if err == nil || err.Error() != p+c.err {
				t.Errorf("%q: err = %v, want %q", c.body, err, p+c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.body, got, err, c.want)
		}
	}
}
