package sender

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// clock is the fixed time every test sends at: 2024-05-06 09:02:03 in
// Shanghai, 01:02:03 UTC.
var clock = time.Date(2024, 5, 6, 1, 2, 3, 0, time.UTC)

func fixed() time.Time { return clock }

// reply is how a stand-in provider answers.
type reply struct {
	status int
	header map[string]string
	body   string
}

// provider is a local stand-in for a provider's API. Each request goes to
// check (which reports with t.Errorf) and is answered with rep. It counts
// the requests it saw.
type provider struct {
	*httptest.Server
	calls atomic.Int32
}

func serve(t *testing.T, check func(t *testing.T, r *http.Request, body []byte), rep reply) *provider {
	t.Helper()
	p := &provider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request: %v", err)
		}
		if check != nil {
			check(t, r, body)
		}
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
		}
		status := rep.status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		io.WriteString(w, rep.body)
	}))
	t.Cleanup(p.Close)
	return p
}

// want is the expected *Error, field by field; message is a substring.
type want struct {
	temporary  bool
	status     int
	code       string
	retryAfter time.Duration
	message    string
}

// checkErr asserts err is an *Error of channel shaped as w, and that its
// text keeps every secret out.
func checkErr(t *testing.T, channel string, err error, w want, secrets ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Channel != channel || e.Temporary != w.temporary || e.Status != w.status || e.Code != w.code || e.RetryAfter != w.retryAfter {
		t.Errorf("got {channel %q temporary %v status %d code %q retryAfter %v}, want {%q %v %d %q %v}",
			e.Channel, e.Temporary, e.Status, e.Code, e.RetryAfter, channel, w.temporary, w.status, w.code, w.retryAfter)
	}
	if Temporary(err) != w.temporary {
		t.Errorf("Temporary(err) = %v", Temporary(err))
	}
	if !strings.Contains(e.Message, w.message) {
		t.Errorf("message %q does not contain %q", e.Message, w.message)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text %q reveals secret %q", err.Error(), s)
		}
	}
}

func TestCutBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"工单", 6, "工单"},
		{"工单编号", 9, "工单…"},            // 3+3+"…"(3); never half of 编
		{"ab𠮷cd", 8, "ab𠮷cd"},         // fits
		{"ab𠮷cd", 7, "ab…"},           // 𠮷 is four bytes: it goes whole
		{"ab𠮷cdef", 9, "ab𠮷…"},        // or stays whole
		{"cafe\u0301s!!", 7, "caf…"},  // é as e + U+0301 is one character
		{"👨\u200d👩\u200d👧x", 12, "…"}, // a joined emoji is never split
		{"abc", 2, "ab"},              // no room for the tail: cut plain
	} {
		got := cutBytes(c.in, c.n, "…")
		if got != c.want {
			t.Errorf("cutBytes(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if len(got) > c.n || !utf8.ValidString(got) {
			t.Errorf("cutBytes(%q, %d) = %q: %d bytes, valid %v", c.in, c.n, got, len(got), utf8.ValidString(got))
		}
	}
}

func TestMaskURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
			"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a****"},
		{"https://oapi.dingtalk.com/robot/send?access_token=566cc69da782ec1234&timestamp=1714957323000&sign=abc%2Bdef%3D",
			"https://oapi.dingtalk.com/robot/send?access_token=566c****&timestamp=1714****&sign=abc+****"},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd",
			"https://open.feishu.cn/open-apis/bot/v2/hook/5e3d****"},
		{"https://user:pw@sms.example.cn/send?to=13912345678#x", "https://sms.example.cn/send?to=1391****"},
		{"https://sms.example.cn/send?k=ab", "https://sms.example.cn/send?k=****"},
	} {
		if got := maskURL(c.in); got != c.want {
			t.Errorf("maskURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{"-3", 0},
		{clock.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{clock.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	} {
		h := http.Header{}
		if c.v != "" {
			h.Set("Retry-After", c.v)
		}
		if got := retryAfter(h, clock); got != c.want {
			t.Errorf("Retry-After %q: %v, want %v", c.v, got, c.want)
		}
	}
}

func TestScrub(t *testing.T) {
	got := scrub("key=S3cr3tValue\x1b[31m red\nnext\u202eevil", []string{"S3cr3tValue", "ab"})
	want := "key=S3cr**** red nextevil"
	if got != want {
		t.Errorf("scrub = %q, want %q", got, want)
	}
}

// senders builds every channel pointed at base, with the secret each one
// must never print.
func senders(t *testing.T, base string) []struct {
	s       Sender
	secrets []string
} {
	t.Helper()
	gw, err := NewGateway(GatewayConfig{
		URL:    base + "/send?token=GwTok3nSecret&to={{.Phone}}",
		Header: map[string]string{"Authorization": "Bearer GwHeaderSecret"},
		Body:   `{"text":{{json .Text}}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		s       Sender
		secrets []string
	}{
		{&Aliyun{AccessKeyID: "id", AccessKeySecret: "AliSecretValue", SignName: "12345热线", Endpoint: base}, []string{"AliSecretValue"}},
		{&Tencent{SecretID: "id", SecretKey: "TcSecretValue", SdkAppID: "1400000000", SignName: "12345热线", Endpoint: base}, []string{"TcSecretValue"}},
		{gw, []string{"GwTok3nSecret", "GwHeaderSecret"}},
		{&WeCom{Webhook: base + "/cgi-bin/webhook/send?key=WecomKeyValue"}, []string{"WecomKeyValue"}},
		{&DingTalk{Webhook: base + "/robot/send?access_token=DingTokenValue", Secret: "SECDingSecret"}, []string{"DingTokenValue", "SECDingSecret"}},
		{&Feishu{Webhook: base + "/open-apis/bot/v2/hook/FeishuHookValue", Secret: "FeishuSecret"}, []string{"FeishuHookValue", "FeishuSecret"}},
	}
}

var anyMessage = Message{ID: "n1", Phone: "13912345678", Template: "SMS_1", Text: "新工单", Params: []Param{{"code", "1"}}}

// TestNoAnswer: a provider that cannot be reached is a temporary failure,
// and the error, which quotes the URL, shows no credential.
func TestNoAnswer(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	base := dead.URL
	dead.Close()
	for _, c := range senders(t, base) {
		t.Run(c.s.Channel(), func(t *testing.T) {
			err := c.s.Send(context.Background(), anyMessage)
			checkErr(t, c.s.Channel(), err, want{temporary: true, message: "no answer"}, c.secrets...)
		})
	}
}

// TestDeadline: the caller's context bounds the request.
func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	for _, c := range senders(t, slow.URL) {
		t.Run(c.s.Channel(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := c.s.Send(ctx, anyMessage)
			checkErr(t, c.s.Channel(), err, want{temporary: true, message: "no answer"}, c.secrets...)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
			}
		})
	}
}

// TestBusy: 429 and 5xx are temporary whatever the body, and Retry-After
// is honoured.
func TestBusy(t *testing.T) {
	for _, rep := range []reply{
		{status: 429, header: map[string]string{"Retry-After": "7"}, body: "slow down"},
		{status: 503, header: map[string]string{"Retry-After": "7", "Content-Type": "text/html"}, body: "<html><body>503 Service Temporarily Unavailable</body></html>"},
	} {
		p := serve(t, nil, rep)
		for _, c := range senders(t, p.URL) {
			t.Run(c.s.Channel()+"/"+http.StatusText(rep.status), func(t *testing.T) {
				err := c.s.Send(context.Background(), anyMessage)
				checkErr(t, c.s.Channel(), err, want{temporary: true, status: rep.status, retryAfter: 7 * time.Second, message: rep.body[:9]}, c.secrets...)
			})
		}
	}
}
