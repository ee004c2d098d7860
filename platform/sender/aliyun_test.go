package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAliyunSignDocExamples checks the signature against Alibaba Cloud's
// own worked examples.
func TestAliyunSignDocExamples(t *testing.T) {
	// SMS documentation, "HTTP协议及签名" / 生成请求签名 (SendSms, GET,
	// AccessKeyId testId, secret testSecret):
	// https://help.aliyun.com/document_detail/101343.html, the same text at
	// https://developer.aliyun.com/ask/218529. It prints the string to sign
	// and the signature zJDF+Lrzhj/ThnlvIToysFRq6t4=.
	sms := map[string]string{
		"AccessKeyId":      "testId",
		"Action":           "SendSms",
		"Format":           "XML",
		"OutId":            "123",
		"PhoneNumbers":     "15300000001",
		"RegionId":         "cn-hangzhou",
		"SignName":         "阿里云短信测试专用",
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureNonce":   "45e25e9b-0a6f-4070-8c85-2956eda1b466",
		"SignatureVersion": "1.0",
		"TemplateCode":     "SMS_71390007",
		"TemplateParam":    `{"customer":"test"}`,
		"Timestamp":        "2017-07-12T02:42:19Z",
		"Version":          "2017-05-25",
	}
	wantQuery := "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
	if got := aliyunQuery(sms); got != wantQuery {
		t.Errorf("sorted query string:\n got %s\nwant %s", got, wantQuery)
	}
	wantSTS := "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
	if got := "GET&" + percentEncode("/") + "&" + percentEncode(aliyunQuery(sms)); got != wantSTS {
		t.Errorf("string to sign:\n got %s\nwant %s", got, wantSTS)
	}
	if got := aliyunSign("GET", sms, "testSecret"); got != "zJDF+Lrzhj/ThnlvIToysFRq6t4=" {
		t.Errorf("SMS example: signature %s, want zJDF+Lrzhj/ThnlvIToysFRq6t4=", got)
	}

	// The RPC "Request signature" example (DescribeRegions, testid and
	// testsecret) of Alibaba Cloud's English API references gives
	// OLeaidS1JvxuMvnyHOwuJ+uX5qY=. Its older Chinese form spells the
	// parameter TimeStamp and gives CT9X0VtwR86fNWSnsc6v8YGOjuE=
	// (https://developer.aliyun.com/ask/210168), the value that still heads
	// every product's 签名机制 page, e.g.
	// https://help.aliyun.com/document_detail/91847.html.
	rpc := map[string]string{
		"AccessKeyId":      "testid",
		"Action":           "DescribeRegions",
		"Format":           "XML",
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureNonce":   "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
		"SignatureVersion": "1.0",
		"Timestamp":        "2016-02-23T12:46:24Z",
		"Version":          "2014-05-26",
	}
	if got := aliyunSign("GET", rpc, "testsecret"); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Errorf("DescribeRegions: signature %s, want OLeaidS1JvxuMvnyHOwuJ+uX5qY=", got)
	}
	rpc["TimeStamp"] = rpc["Timestamp"]
	delete(rpc, "Timestamp")
	if got := aliyunSign("GET", rpc, "testsecret"); got != "CT9X0VtwR86fNWSnsc6v8YGOjuE=" {
		t.Errorf("DescribeRegions (TimeStamp): signature %s, want CT9X0VtwR86fNWSnsc6v8YGOjuE=", got)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"a b*c~d":              "a%20b%2Ac~d",
		"A-Z_a.z~0":            "A-Z_a.z~0",
		"2016-02-23T12:46:24Z": "2016-02-23T12%3A46%3A24Z",
		"+/=":                  "%2B%2F%3D",
		"工单":                   "%E5%B7%A5%E5%8D%95",
		"𠮷":                    "%F0%A0%AE%B7",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// docPercent is the documentation's recipe, independent of percentEncode:
// form-encode, then + → %20, * → %2A, %7E → ~ (Go's QueryEscape already
// leaves ~ and encodes *).
func docPercent(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// docSign recomputes the signature from the parameters a request carried.
func docSign(method string, params map[string]string, secret string) string {
	keys := slices.Sorted(maps.Keys(params))
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, docPercent(k)+"="+docPercent(params[k]))
	}
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(method + "&%2F&" + docPercent(strings.Join(pairs, "&"))))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ticketSMS is an SMS about a ticket: Chinese text and a name outside the
// BMP, which must arrive intact.
var ticketSMS = Message{
	ID:       "0190f2a4-7c1e-7b3a-9d2e-5f1a2b3c4d5e",
	Phone:    "13912345678",
	Template: "SMS_465912345",
	Params: []Param{
		{"ticket", "工单编号 GD20240506-0012"},
		{"caller", "𠮷田女士"},
		{"deadline", "5月7日 17:30"},
	},
}

func testAliyun(endpoint string) *Aliyun {
	return &Aliyun{
		AccessKeyID:     "LTAI5tTestKeyID",
		AccessKeySecret: "AliyunTestSecret0123",
		SignName:        "12345热线",
		Endpoint:        endpoint,
		Now:             fixed,
		Nonce:           func() string { return "3f5c1e2a-9b7d-4e61-8a2f-0c4d6e8f1a2b" },
	}
}

const aliyunOK = `{"Message":"OK","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990","BizId":"900619746936498440^0","Code":"OK"}`

func TestAliyunRequest(t *testing.T) {
	want := map[string]string{
		"AccessKeyId":      "LTAI5tTestKeyID",
		"Action":           "SendSms",
		"Format":           "JSON",
		"OutId":            "0190f2a4-7c1e-7b3a-9d2e-5f1a2b3c4d5e",
		"PhoneNumbers":     "13912345678",
		"RegionId":         "cn-hangzhou",
		"SignName":         "12345热线",
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureNonce":   "3f5c1e2a-9b7d-4e61-8a2f-0c4d6e8f1a2b",
		"SignatureVersion": "1.0",
		"TemplateCode":     "SMS_465912345",
		"TemplateParam":    `{"ticket":"工单编号 GD20240506-0012","caller":"𠮷田女士","deadline":"5月7日 17:30"}`,
		"Timestamp":        "2024-05-06T01:02:03Z",
		"Version":          "2017-05-25",
	}
	p := serve(t, func(t *testing.T, r *http.Request, body []byte) {
		if r.Method != http.MethodPost || r.URL.Path != "/" || r.URL.RawQuery != "" {
			t.Errorf("request %s %s?%s, want POST / with no query", r.Method, r.URL.Path, r.URL.RawQuery)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatalf("body is not a form: %v", err)
		}
		got := map[string]string{}
		for k, v := range form {
			if len(v) != 1 {
				t.Errorf("%s sent %d times", k, len(v))
			}
			got[k] = v[0]
		}
		sig := got["Signature"]
		delete(got, "Signature")
		if !maps.Equal(got, want) {
			t.Errorf("parameters:\n got %v\nwant %v", got, want)
		}
		if wantSig := docSign("POST", want, "AliyunTestSecret0123"); sig != wantSig {
			t.Errorf("Signature %q, recomputed %q", sig, wantSig)
		}
		// The exact bytes: the canonical query, then the signature.
		var pairs []string
		for _, k := range slices.Sorted(maps.Keys(want)) {
			pairs = append(pairs, docPercent(k)+"="+docPercent(want[k]))
		}
		if exact := strings.Join(pairs, "&") + "&Signature=" + docPercent(sig); string(body) != exact {
			t.Errorf("body:\n got %s\nwant %s", body, exact)
		}
	}, reply{body: aliyunOK})
	if err := testAliyun(p.URL).Send(context.Background(), ticketSMS); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if p.calls.Load() != 1 {
		t.Errorf("%d requests", p.calls.Load())
	}
}

func TestAliyunAnswers(t *testing.T) {
	const rid = `"RequestId":"A8B2C1D4-5E6F-4A1B-9C3D-7E8F9A0B1C2D"`
	long := "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" + strings.Repeat("<!-- padding -->", 20) + "</body></html>"
	for _, c := range []struct {
		name string
		rep  reply
		want *want
	}{
		{"ok", reply{body: aliyunOK}, nil},
		{"flow control", reply{body: `{"Message":"触发小时级流控Permits:5",` + rid + `,"Code":"isv.BUSINESS_LIMIT_CONTROL"}`},
			&want{temporary: true, status: 200, code: "isv.BUSINESS_LIMIT_CONTROL", message: "触发小时级流控Permits:5"}},
		{"bad number", reply{body: `{"Message":"非法手机号",` + rid + `,"Code":"isv.MOBILE_NUMBER_ILLEGAL"}`},
			&want{status: 200, code: "isv.MOBILE_NUMBER_ILLEGAL", message: "非法手机号"}},
		{"bad template", reply{body: `{"Message":"该账号下找不到对应模板",` + rid + `,"Code":"isv.SMS_TEMPLATE_ILLEGAL"}`},
			&want{status: 200, code: "isv.SMS_TEMPLATE_ILLEGAL", message: "该账号下找不到对应模板"}},
		{"bad signature", reply{status: 400, body: `{` + rid + `,"HostId":"dysmsapi.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"Specified signature does not match our calculation. key AliyunTestSecret0123&","Recommend":"https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=Dysmsapi"}`},
			&want{status: 400, code: "SignatureDoesNotMatch", message: "Specified signature does not match"}},
		{"unknown key", reply{status: 404, body: `{` + rid + `,"HostId":"dysmsapi.aliyuncs.com","Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."}`},
			&want{status: 404, code: "InvalidAccessKeyId.NotFound", message: "access key is not found"}},
		{"throttled", reply{status: 400, body: `{` + rid + `,"HostId":"dysmsapi.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`},
			&want{temporary: true, status: 400, code: "Throttling.User", message: "flow control"}},
		{"unavailable", reply{status: 503, header: map[string]string{"Retry-After": "30"}, body: `{` + rid + `,"HostId":"dysmsapi.aliyuncs.com","Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server."}`},
			&want{temporary: true, status: 503, code: "ServiceUnavailable", retryAfter: 30 * time.Second, message: "temporary failure"}},
		{"proxy page", reply{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: long},
			&want{temporary: true, status: 502, message: "undecodable answer: " + long[:200]}},
		{"not json", reply{body: "OK"}, &want{temporary: true, status: 200, message: "undecodable answer: OK"}},
		{"no code", reply{body: `{"Message":"?"}`}, &want{temporary: true, status: 200, message: `{"Message":"?"}`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, nil, c.rep)
			err := testAliyun(p.URL).Send(context.Background(), ticketSMS)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			checkErr(t, "aliyun", err, *c.want, "AliyunTestSecret0123")
			if c.name == "proxy page" && strings.Contains(err.Error(), long[:201]) {
				t.Errorf("more than 200 bytes of the answer kept")
			}
		})
	}
}

func TestAliyunRefusesIncompleteMessage(t *testing.T) {
	p := serve(t, nil, reply{body: aliyunOK})
	for _, m := range []Message{{Template: "SMS_1"}, {Phone: "13912345678"}} {
		err := testAliyun(p.URL).Send(context.Background(), m)
		checkErr(t, "aliyun", err, want{message: "message has no"})
	}
	if p.calls.Load() != 0 {
		t.Errorf("%d requests for messages that cannot be sent", p.calls.Load())
	}
}
