package sender

import (
	"context"
	"testing"
)

// TestReadable: a JSON answer reads as a person wrote it, in its own
// order; anything else stays as it is.
func TestReadable(t *testing.T) {
	for in, want := range map[string]string{
		`{"code": "1", "msg": "\u4f59\u989d\u4e0d\u8db3"}`:                `{"code":"1","msg":"余额不足"}`,
		`{"z":1,"a":[1, 2.50, true, null, {"b":"\ud842\udfb7田"}],"e":{}}`: `{"z":1,"a":[1,2.50,true,null,{"b":"𠮷田"}],"e":{}}`,
		`["a\"b", "<&>", "\n"]`: `["a\"b","<&>","\n"]`,
		`"\u8d85\u65f6"`:        `"超时"`,
		`{"code": 1} trailing`:  `{"code": 1} trailing`,
		`<html>502</html>`:      `<html>502</html>`,
	} {
		if got := string(readable([]byte(in))); got != want {
			t.Errorf("readable(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestGatewayReadableError: a gateway's refusal is stored as the gateway's
// message when message_field names it, else as its answer re-written with
// the Chinese as Chinese; a secret written with escapes is still hidden.
func TestGatewayReadableError(t *testing.T) {
	const answer = `{"code": "1", "msg": "\u4f59\u989d\u4e0d\u8db3", "token": "\u0047atewaySecretToken"}`
	for _, c := range []struct{ field, want string }{
		{"", `gateway: HTTP 200 1 {"code":"1","msg":"余额不足","token":"Gate****"}`},
		{"msg", `gateway: HTTP 200 1 余额不足`},
	} {
		p := serve(t, nil, reply{body: answer})
		g, err := NewGateway(GatewayConfig{URL: p.URL + "/send", Header: map[string]string{"Authorization": "Bearer GatewaySecretToken"},
			Body: `{"text":{{json .Text}}}`, SuccessField: "code", SuccessValue: "0", MessageField: c.field})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Send(context.Background(), gatewayText); err == nil || err.Error() != c.want {
			t.Errorf("message_field %q: %v\nwant %s", c.field, err, c.want)
		}
	}
}

// TestDingTalkNoErrcode: DingTalk documents errcode 0 as success and any
// other as failure; an answer without errcode is none of them. Valid JSON
// is called unexpected, not undecodable, and retried; the error shape of
// DingTalk's newer API ({"code","message"}) gives its code and message
// and fails for good.
func TestDingTalkNoErrcode(t *testing.T) {
	for _, c := range []struct {
		rep       reply
		want      string
		temporary bool
	}{
		{reply{body: `{"ok":true}`}, `dingtalk: HTTP 200 unexpected answer: {"ok":true}`, true},
		{reply{status: 400, body: `{"code":"invalidParameter.robotCode.empty","message":"\u673a\u5668\u4eba robotCode \u4e3a\u7a7a","requestid":"A1"}`},
			`dingtalk: HTTP 400 invalidParameter.robotCode.empty 机器人 robotCode 为空`, false},
		{reply{status: 503, body: `{"code":"ServiceUnavailable","message":"busy"}`}, `dingtalk: HTTP 503 ServiceUnavailable busy`, true},
		{reply{body: `<html>ok</html>`}, `dingtalk: HTTP 200 undecodable answer: <html>ok</html>`, true},
	} {
		p := serve(t, nil, c.rep)
		d := &DingTalk{Webhook: p.URL + "/robot/send?access_token=" + dingToken, Now: fixed}
		err := d.Send(context.Background(), Message{Text: "新工单"})
		if err == nil || err.Error() != c.want || Temporary(err) != c.temporary {
			t.Errorf("%s: %v (temporary %v)\nwant %s (temporary %v)", c.rep.body, err, Temporary(err), c.want, c.temporary)
		}
	}
}
