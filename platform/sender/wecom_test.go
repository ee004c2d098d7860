package sender

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

const wecomKey = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"

// robotCheck checks what every group robot request shares: a JSON POST to
// path with the exact query, and the exact body.
func robotCheck(path, query, body string) func(t *testing.T, r *http.Request, got []byte) {
	return func(t *testing.T, r *http.Request, got []byte) {
		if r.Method != http.MethodPost || r.URL.Path != path || r.URL.RawQuery != query {
			t.Errorf("request %s %s?%s, want POST %s?%s", r.Method, r.URL.Path, r.URL.RawQuery, path, query)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if !json.Valid(got) {
			t.Errorf("body is not JSON: %s", got)
		}
		if body != "" && string(got) != body {
			t.Errorf("body:\n got %s\nwant %s", got, body)
		}
	}
}

const wecomOK = `{"errcode":0,"errmsg":"ok"}`

func TestWeComRequest(t *testing.T) {
	text := "【12345热线】新工单 GD20240506-0012：𠮷田女士反映小区停电，请30分钟内签收。"
	for _, c := range []struct {
		name string
		m    Message
		body string
	}{
		{"text", Message{Text: text, Mention: []string{"13912345678", "@all"}},
			`{"msgtype":"text","text":{"content":"` + text + `","mentioned_mobile_list":["13912345678","@all"]}}`},
		{"text alone", Message{Text: text},
			`{"msgtype":"text","text":{"content":"` + text + `"}}`},
		{"markdown", Message{Title: "新工单", Text: "> 工单编号：<font color=\"warning\">GD20240506-0012</font>\n> 来电人：𠮷田女士", Markdown: true},
			`{"msgtype":"markdown","markdown":{"content":"## 新工单\n> 工单编号：<font color=\"warning\">GD20240506-0012</font>\n> 来电人：𠮷田女士"}}`},
		// Markdown cannot mention by number: it goes as text, mention kept.
		{"markdown with mention", Message{Title: "新工单", Text: "**GD20240506-0012** 请签收", Markdown: true, Mention: []string{"13912345678"}},
			`{"msgtype":"text","text":{"content":"新工单\n**GD20240506-0012** 请签收","mentioned_mobile_list":["13912345678"]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, robotCheck("/cgi-bin/webhook/send", "key="+wecomKey, c.body), reply{body: wecomOK})
			w := &WeCom{Webhook: p.URL + "/cgi-bin/webhook/send?key=" + wecomKey}
			if err := w.Send(context.Background(), c.m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if p.calls.Load() != 1 {
				t.Errorf("%d requests", p.calls.Load())
			}
		})
	}
}

// TestWeComLimits: text is cut to 2048 bytes and markdown to 4096, on a
// character boundary, ending with "…".
func TestWeComLimits(t *testing.T) {
	for _, c := range []struct {
		name     string
		m        Message
		kind     string
		want     string
		maxBytes int
	}{
		{"text 𠮷", Message{Text: strings.Repeat("𠮷", 600)}, "text", strings.Repeat("𠮷", 511) + "…", 2048},
		{"text 汉", Message{Text: strings.Repeat("汉", 1000)}, "text", strings.Repeat("汉", 681) + "…", 2048},
		{"markdown", Message{Text: "a" + strings.Repeat("𠮷", 1200), Markdown: true}, "markdown", "a" + strings.Repeat("𠮷", 1023) + "…", 4096},
		{"fits", Message{Text: strings.Repeat("汉", 682) + "ab"}, "text", strings.Repeat("汉", 682) + "ab", 2048},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got string
			p := serve(t, func(t *testing.T, r *http.Request, body []byte) {
				var b map[string]json.RawMessage
				var part struct{ Content string }
				if err := json.Unmarshal(body, &b); err != nil {
					t.Error(err)
				}
				if err := json.Unmarshal(b[c.kind], &part); err != nil {
					t.Errorf("no %s part: %v", c.kind, err)
				}
				got = part.Content
			}, reply{body: wecomOK})
			if err := (&WeCom{Webhook: p.URL + "/send?key=k"}).Send(context.Background(), c.m); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("content: %d bytes %q…, want %d bytes", len(got), got[:min(len(got), 12)], len(c.want))
			}
			if len(got) > c.maxBytes || !utf8.ValidString(got) {
				t.Errorf("content is %d bytes (limit %d), valid UTF-8 %v", len(got), c.maxBytes, utf8.ValidString(got))
			}
		})
	}
}

func TestWeComAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		rep  reply
		want *want
	}{
		{"ok", reply{body: wecomOK}, nil},
		{"rate limit", reply{body: `{"errcode":45009,"errmsg":"api freq out of limit, hint: [1714957323_12_9f8e], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=45009"}`},
			&want{temporary: true, status: 200, code: "45009", message: "api freq out of limit"}},
		{"busy", reply{body: `{"errcode":-1,"errmsg":"system busy"}`}, &want{temporary: true, status: 200, code: "-1", message: "system busy"}},
		{"bad key", reply{body: `{"errcode":93000,"errmsg":"invalid webhook url, hint: [1714957323_7_1a2b], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=93000"}`},
			&want{status: 200, code: "93000", message: "invalid webhook url"}},
		{"bad type", reply{body: `{"errcode":40008,"errmsg":"invalid message type, hint: [x]"}`}, &want{status: 200, code: "40008", message: "invalid message type"}},
		{"no errcode", reply{body: `{"ok":true}`}, &want{temporary: true, status: 200, message: `unexpected answer: {"ok":true}`}},
		{"not json", reply{body: "<html>维护中</html>", header: map[string]string{"Content-Type": "text/html"}}, &want{temporary: true, status: 200, message: "维护中"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, nil, c.rep)
			err := (&WeCom{Webhook: p.URL + "/cgi-bin/webhook/send?key=" + wecomKey}).Send(context.Background(), Message{Text: "新工单"})
			if c.want == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			checkErr(t, "wecom", err, *c.want, wecomKey)
		})
	}
}
