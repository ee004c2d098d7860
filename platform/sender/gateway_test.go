package sender

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestNewGatewayErrors(t *testing.T) {
	ok := GatewayConfig{URL: "https://sms.example.cn/send", Body: `{"to":{{json .Phone}}}`}
	for _, c := range []struct {
		name string
		edit func(*GatewayConfig)
		want string
	}{
		{"method", func(c *GatewayConfig) { c.Method = "DELETE" }, `method = "DELETE": want GET, POST or PUT`},
		{"no URL", func(c *GatewayConfig) { c.URL = " " }, "url is missing"},
		{"URL syntax", func(c *GatewayConfig) { c.URL = "https://sms.example.cn/send?to={{.Phone}" }, "url: template: url:1:"},
		{"URL field", func(c *GatewayConfig) { c.URL = "https://sms.example.cn/send?to={{.Mobile}}" }, "url: {{.Mobile}}: no such field; the fields are .ID .Phone .Template .Text .Title .Markdown .Params .Param .Mention"},
		{"URL scheme", func(c *GatewayConfig) { c.URL = "ftp://sms.example.cn/{{.Phone}}?key=SecretKey1" }, `url: "ftp://sms.example.cn/13800000000?key=Secr****" is not an http(s) URL`},
		{"body syntax", func(c *GatewayConfig) { c.Body = `{"to":{{json .Phone}}` + "\n" + `{{if}}` }, "body: template: body:2:"},
		{"body function", func(c *GatewayConfig) { c.Body = `{"to":{{jsn .Phone}}}` }, `body: template: body:1: function "jsn" not defined`},
		{"body field", func(c *GatewayConfig) { c.Body = `{"to":{{json .Phon}}}` }, "body: {{.Phon}}: no such field; the fields are .ID .Phone .Template .Text .Title .Markdown .Params .Param .Mention"},
		{"GET body", func(c *GatewayConfig) { c.Method = "get" }, "body: a GET request has no body"},
		{"header name", func(c *GatewayConfig) { c.Header = map[string]string{"X Token": "t"} }, `header "X Token": not a valid header name`},
		{"header template", func(c *GatewayConfig) { c.Header = map[string]string{"X-Token": "{{.ID"} }, `header "X-Token": template: header "X-Token":1:`},
		{"retry without field", func(c *GatewayConfig) { c.RetryValues = []string{"429"} }, "retry_values need success_field"},
		{"field path", func(c *GatewayConfig) { c.SuccessField = "data..code" }, `success_field = "data..code": empty step in the path`},
		{"message path", func(c *GatewayConfig) { c.MessageField = ".msg" }, `message_field = ".msg": empty step in the path`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			g, err := NewGateway(cfg)
			if err == nil {
				t.Fatalf("NewGateway accepted it: %+v", g)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %q, want it to start with %q", err, c.want)
			}
		})
	}
	if _, err := NewGateway(ok); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

// gatewayText has what a URL must escape: space, &, =, #, +, %, and 𠮷.
var gatewayText = Message{
	ID:       "0190f2a4-7c1e-7b3a-9d2e-5f1a2b3c4d5e",
	Phone:    "13912345678",
	Template: "TPL_0012",
	Text:     "【12345热线】工单 A&B=1 #2 +3 100% 𠮷田女士",
	Params:   []Param{{"ticket", "GD20240506-0012"}, {"name", "𠮷田"}},
}

func TestGatewayGET(t *testing.T) {
	p := serve(t, func(t *testing.T, r *http.Request, body []byte) {
		if r.Method != http.MethodGet || r.URL.Path != "/sms/send" || len(body) != 0 {
			t.Errorf("request %s %s with %d body bytes", r.Method, r.URL.Path, len(body))
		}
		q := r.URL.Query()
		for k, v := range map[string]string{
			"account": "hotline", "mobile": "13912345678", "content": gatewayText.Text,
			"tpl": "TPL_0012", "ticket": "GD20240506-0012", "name": "𠮷田", "ref": gatewayText.ID,
		} {
			if got := q[k]; len(got) != 1 || got[0] != v {
				t.Errorf("query %s = %q, want %q", k, got, v)
			}
		}
		if len(q) != 7 {
			t.Errorf("query has %d parameters: %v", len(q), q)
		}
		if r.Header.Get("Content-Type") != "" {
			t.Errorf("a GET got Content-Type %q", r.Header.Get("Content-Type"))
		}
	}, reply{body: "OK"})
	g, err := NewGateway(GatewayConfig{
		Method: "GET",
		URL:    p.URL + "/sms/send?account=hotline&mobile={{.Phone}}&content={{.Text}}&tpl={{.Template}}&ticket={{.Param.ticket}}&name={{(index .Params 1).Value}}&ref={{.ID}}",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), gatewayText); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func TestGatewayJSON(t *testing.T) {
	want := `{"mobile":"13912345678","content":"【12345热线】工单 A&B=1 #2 +3 100% 𠮷田女士","params":{"name":"𠮷田","ticket":"GD20240506-0012"},"quoted":"他说：\"停电了\"\n"}`
	p := serve(t, func(t *testing.T, r *http.Request, body []byte) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/sms" || r.URL.RawQuery != "" {
			t.Errorf("request %s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery)
		}
		if string(body) != want {
			t.Errorf("body:\n got %s\nwant %s", body, want)
		}
		for k, v := range map[string]string{
			"Content-Type":  "application/json; charset=utf-8",
			"Authorization": "Bearer GatewaySecretToken",
			"X-Request-Id":  gatewayText.ID,
		} {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
	}, reply{body: `{"code":0,"msg":"成功","data":{"sid":"9a8b"}}`})
	g, err := NewGateway(GatewayConfig{
		URL:          p.URL + "/v2/sms",
		Header:       map[string]string{"Authorization": "Bearer GatewaySecretToken", "X-Request-Id": "{{.ID}}"},
		Body:         `{"mobile":{{json .Phone}},"content":{{json .Text}},"params":{{json .Param}},"quoted":{{json .Title}}}`,
		SuccessField: "code",
		SuccessValue: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	m := gatewayText
	m.Title = "他说：\"停电了\"\n"
	if err := g.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func TestGatewayForm(t *testing.T) {
	p := serve(t, func(t *testing.T, r *http.Request, body []byte) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		if form.Get("to") != "13912345678" || form.Get("msg") != gatewayText.Text || len(form) != 2 {
			t.Errorf("form %v", form)
		}
	}, reply{body: `{"result":{"status":"SUCCESS"}}`})
	g, err := NewGateway(GatewayConfig{
		URL:          p.URL + "/send",
		Header:       map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		Body:         "to={{query .Phone}}&msg={{query .Text}}",
		SuccessField: "result.status",
		SuccessValue: "SUCCESS",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), gatewayText); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func TestGatewayAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		rep  reply
		want *want
	}{
		{"number 0", reply{body: `{"code":0,"msg":"成功"}`}, nil},
		{"string 0", reply{body: `{"code":"0","msg":"成功"}`}, nil},
		{"refused", reply{body: `{"code":1001,"msg":"余额不足 token=GatewaySecretToken"}`}, &want{status: 200, code: "1001", message: "余额不足"}},
		{"retry", reply{body: `{"code":4290,"msg":"发送过于频繁"}`}, &want{temporary: true, status: 200, code: "4290", message: "发送过于频繁"}},
		{"bool", reply{body: `{"code":false}`}, &want{status: 200, code: "false", message: `{"code":false}`}},
		{"no field", reply{body: `{"result":"ok"}`}, &want{temporary: true, status: 200, message: `unexpected answer: {"result":"ok"}`}},
		{"not json", reply{body: "success"}, &want{temporary: true, status: 200, message: "undecodable answer: success"}},
		{"unauthorised", reply{status: 401, body: `{"code":401,"msg":"token invalid"}`}, &want{status: 401, message: "refused: "}},
		{"down", reply{status: 503, header: map[string]string{"Retry-After": "60"}, body: "busy"}, &want{temporary: true, status: 503, retryAfter: 60e9, message: "busy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, nil, c.rep)
			g, err := NewGateway(GatewayConfig{
				URL:          p.URL + "/send?to={{.Phone}}",
				Header:       map[string]string{"Authorization": "Bearer GatewaySecretToken"},
				Body:         `{"text":{{json .Text}}}`,
				SuccessField: "code",
				SuccessValue: "0",
				MessageField: "msg",
				RetryValues:  []string{"4290"},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = g.Send(context.Background(), gatewayText)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			checkErr(t, "gateway", err, *c.want, "GatewaySecretToken")
		})
	}
}

func TestGatewayArrayPath(t *testing.T) {
	p := serve(t, nil, reply{body: `{"data":[{"code":"00","mobile":"13912345678"}]}`})
	g, err := NewGateway(GatewayConfig{URL: p.URL, Body: `{{json .Text}}`, SuccessField: "data.0.code", SuccessValue: "00"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), gatewayText); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// TestGatewayBadMessage: a message the templates cannot render is refused
// for good, before anything is sent.
func TestGatewayBadMessage(t *testing.T) {
	p := serve(t, nil, reply{body: "OK"})
	g, err := NewGateway(GatewayConfig{
		URL:    p.URL + "/send",
		Header: map[string]string{"X-Subject": "{{.Title}}"},
		Body:   `{"ticket":{{json .Param.ticket}}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Message{
		{Phone: "13912345678", Text: "x"}, // no ticket parameter
		{Phone: "13912345678", Title: "a\r\nX-Injected: 1", Params: []Param{{"ticket", "GD1"}}},
	} {
		err := g.Send(context.Background(), m)
		checkErr(t, "gateway", err, want{message: "cannot build the request"})
	}
	if p.calls.Load() != 0 {
		t.Errorf("%d requests sent", p.calls.Load())
	}
}
