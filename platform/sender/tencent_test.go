package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestTC3DocExample follows Tencent Cloud's worked example of signature v3
// step by step: "签名方法 v3", https://cloud.tencent.com/document/api/213/30654
// (English: "Signature v3", e.g. https://tencentcloud.com/document/api/1105/41894).
// CVM DescribeInstances, timestamp 1551113065, SecretKey
// Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, SignedHeaders content-type;host. The
// current page masks the SecretId and part of the key in its first lines,
// but step 3 still shows the whole key, and the result is published:
// 72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168.
func TestTC3DocExample(t *testing.T) {
	r := tc3Request{
		Method:      "POST",
		Host:        "cvm.tencentcloudapi.com",
		ContentType: "application/json; charset=utf-8",
		Action:      "DescribeInstances",
		Payload:     []byte(`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`),
		Timestamp:   1551113065,
		Service:     "cvm",
		Signed:      []string{"content-type", "host"},
	}
	wantCanonical := "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
	if got := r.canonical(); got != wantCanonical {
		t.Errorf("CanonicalRequest:\n got %q\nwant %q", got, wantCanonical)
	}
	// 1551113065 is 2019-02-26 00:44:25 in Beijing; the date is UTC's.
	wantSTS := "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
	if got := r.stringToSign(); got != wantSTS {
		t.Errorf("StringToSign:\n got %q\nwant %q", got, wantSTS)
	}
	const sig = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
	if got := r.signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"); got != sig {
		t.Errorf("Signature %s, want %s", got, sig)
	}
	wantAuth := "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=" + sig
	if got := r.authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"); got != wantAuth {
		t.Errorf("Authorization:\n got %s\nwant %s", got, wantAuth)
	}
}

// docTC3 is the documentation's recipe written out separately, for the
// headers the sender signs (content-type, host, x-tc-action).
func docTC3(secretID, secretKey, host, action string, ts int64, payload []byte) string {
	hash := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	mac := func(k []byte, m string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(m)); return h.Sum(nil) }
	canonical := "POST\n/\n\n" +
		"content-type:application/json; charset=utf-8\nhost:" + host + "\nx-tc-action:" + "sendsms" + "\n\n" +
		"content-type;host;x-tc-action\n" + hash(payload)
	date := time.Unix(ts, 0).UTC().Format(time.DateOnly)
	sts := fmt.Sprintf("TC3-HMAC-SHA256\n%d\n%s/sms/tc3_request\n%s", ts, date, hash([]byte(canonical)))
	k := mac(mac(mac([]byte("TC3"+secretKey), date), "sms"), "tc3_request")
	return fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=%s",
		secretID, date, hex.EncodeToString(mac(k, sts)))
}

func testTencent(endpoint string) *Tencent {
	return &Tencent{
		SecretID:  "AKIDtestSecretId0123456789",
		SecretKey: "TencentTestSecretKey0123",
		SdkAppID:  "1400787878",
		SignName:  "12345热线",
		Endpoint:  endpoint,
		Now:       fixed,
	}
}

var tencentSMS = Message{ID: ticketSMS.ID, Phone: ticketSMS.Phone, Template: "1987654", Params: ticketSMS.Params}

const tencentOK = `{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613912345678","Fee":1,"SessionContext":"0190f2a4-7c1e-7b3a-9d2e-5f1a2b3c4d5e","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}`

func TestTencentRequest(t *testing.T) {
	for _, c := range []struct {
		phone, want string
	}{
		{"13912345678", "+8613912345678"},
		{"+85291234567", "+85291234567"},
	} {
		t.Run(c.phone, func(t *testing.T) {
			m := tencentSMS
			m.Phone = c.phone
			wantBody := `{"PhoneNumberSet":["` + c.want + `"],"SmsSdkAppId":"1400787878","SignName":"12345热线","TemplateId":"1987654",` +
				`"TemplateParamSet":["工单编号 GD20240506-0012","𠮷田女士","5月7日 17:30"],"SessionContext":"0190f2a4-7c1e-7b3a-9d2e-5f1a2b3c4d5e"}`
			var p *provider
			p = serve(t, func(t *testing.T, r *http.Request, body []byte) {
				if r.Method != http.MethodPost || r.URL.Path != "/" || r.URL.RawQuery != "" {
					t.Errorf("request %s %s?%s, want POST /", r.Method, r.URL.Path, r.URL.RawQuery)
				}
				if string(body) != wantBody {
					t.Errorf("body:\n got %s\nwant %s", body, wantBody)
				}
				host := p.Listener.Addr().String()
				ts := strconv.FormatInt(clock.Unix(), 10)
				for k, v := range map[string]string{
					"Content-Type":   "application/json; charset=utf-8",
					"X-TC-Action":    "SendSms",
					"X-TC-Timestamp": ts,
					"X-TC-Version":   "2021-01-11",
					"X-TC-Region":    "ap-guangzhou",
					"Authorization":  docTC3("AKIDtestSecretId0123456789", "TencentTestSecretKey0123", host, "SendSms", clock.Unix(), []byte(wantBody)),
				} {
					if got := r.Header.Get(k); got != v {
						t.Errorf("%s: %q, want %q", k, got, v)
					}
				}
				if r.Host != host {
					t.Errorf("Host %q, want %q", r.Host, host)
				}
			}, reply{body: tencentOK})
			if err := testTencent(p.URL).Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if p.calls.Load() != 1 {
				t.Errorf("%d requests", p.calls.Load())
			}
		})
	}
}

func TestTencentAnswers(t *testing.T) {
	status := func(code, msg string) string {
		return `{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613912345678","Fee":0,"SessionContext":"x","Code":"` + code + `","Message":"` + msg + `","IsoCode":"CN"}],"RequestId":"b1c2"}}`
	}
	refusal := func(code, msg string) string {
		return `{"Response":{"Error":{"Code":"` + code + `","Message":"` + msg + `"},"RequestId":"ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}`
	}
	for _, c := range []struct {
		name string
		rep  reply
		want *want
	}{
		{"ok", reply{body: tencentOK}, nil},
		{"number too often", reply{body: status("LimitExceeded.PhoneNumberThirtySecondLimit", "单个手机号30秒内下发短信条数超过设定的上限")},
			&want{temporary: true, status: 200, code: "LimitExceeded.PhoneNumberThirtySecondLimit", message: "30秒内"}},
		{"bad number", reply{body: status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")},
			&want{status: 200, code: "InvalidParameterValue.IncorrectPhoneNumber", message: "手机号格式错误"}},
		{"blacklisted", reply{body: status("FailedOperation.PhoneNumberInBlacklist", "手机号在免打扰名单库中")},
			&want{status: 200, code: "FailedOperation.PhoneNumberInBlacklist", message: "免打扰"}},
		{"bad signature", reply{body: refusal("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")},
			&want{status: 200, code: "AuthFailure.SignatureFailure", message: "could not be validated"}},
		{"unknown id", reply{body: refusal("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")},
			&want{status: 200, code: "AuthFailure.SecretIdNotFound", message: "SecretId is not found"}},
		{"template", reply{body: refusal("FailedOperation.TemplateIncorrectOrUnapproved", "模版未审批或请求的内容与审核通过的模版内容不匹配")},
			&want{status: 200, code: "FailedOperation.TemplateIncorrectOrUnapproved", message: "模版未审批"}},
		{"parameter", reply{body: refusal("InvalidParameterValue.TemplateParameterFormatError", "验证码模板参数格式错误")},
			&want{status: 200, code: "InvalidParameterValue.TemplateParameterFormatError", message: "参数格式错误"}},
		{"request limit", reply{body: refusal("RequestLimitExceeded", "请求的次数超过了频率限制。")},
			&want{temporary: true, status: 200, code: "RequestLimitExceeded", message: "频率限制"}},
		{"delivery limit", reply{body: refusal("LimitExceeded.DeliveryFrequencyLimit", "下发短信命中了频率限制策略")},
			&want{temporary: true, status: 200, code: "LimitExceeded.DeliveryFrequencyLimit", message: "频率限制"}},
		{"internal", reply{body: refusal("InternalError.Timeout", "请求下发短信超时")},
			&want{temporary: true, status: 200, code: "InternalError.Timeout", message: "超时"}},
		{"wrong key", reply{body: refusal("InternalError.SigVerificationFail", "签名校验失败，请核对 SecretId 和 SecretKey TencentTestSecretKey0123")},
			&want{status: 200, code: "InternalError.SigVerificationFail", message: "签名校验失败"}},
		{"no status", reply{body: `{"Response":{"RequestId":"c3d4"}}`}, &want{temporary: true, status: 200, message: `unexpected answer: {"Response":{"RequestId":"c3d4"}}`}},
		{"not tencent", reply{body: `{"code":0}`}, &want{temporary: true, status: 200, message: `{"code":0}`}},
		{"gateway error", reply{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: "<html>502 Bad Gateway</html>"},
			&want{temporary: true, status: 502, message: "502 Bad Gateway"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, nil, c.rep)
			err := testTencent(p.URL).Send(context.Background(), tencentSMS)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			checkErr(t, "tencent", err, *c.want, "TencentTestSecretKey0123")
		})
	}
}
