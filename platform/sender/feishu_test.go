package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	feishuHookID = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
	feishuSecret = "nIMtb7r3N9pkXyXdtAbx6e"
)

// docFeishuSign is the documentation's Go example ("签名校验" in
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
//
//	stringToSign := fmt.Sprintf("%v", timestamp) + "\n" + secret
//	var data []byte
//	h := hmac.New(sha256.New, []byte(stringToSign))
//	_, err := h.Write(data)
//	signature := base64.StdEncoding.EncodeToString(h.Sum(nil))
//
// Its request example masks the sign ("xxxxxxxx…"), so there is no
// published vector; the tests recompute it with this copy.
func docFeishuSign(timestamp int64, secret string) string {
	stringToSign := fmt.Sprintf("%v", timestamp) + "\n" + secret
	var data []byte
	h := hmac.New(sha256.New, []byte(stringToSign))
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestFeishuRequest(t *testing.T) {
	sign := docFeishuSign(clock.Unix(), feishuSecret)
	head := `{"timestamp":"1714957323","sign":"` + sign + `",`
	for _, c := range []struct {
		name   string
		secret string
		m      Message
		body   string
	}{
		{"text signed", feishuSecret,
			Message{Text: "【12345热线】新工单 GD20240506-0012：𠮷田女士反映小区停电，请30分钟内签收。"},
			head + `"msg_type":"text","content":{"text":"【12345热线】新工单 GD20240506-0012：𠮷田女士反映小区停电，请30分钟内签收。"}}`},
		{"text unsigned", "",
			Message{Text: "新工单"},
			`{"msg_type":"text","content":{"text":"新工单"}}`},
		// Numbers cannot be mentioned and are not published; @all can.
		{"text mentions", feishuSecret,
			Message{Text: "超时预警", Mention: []string{"13912345678", "@all"}},
			head + `"msg_type":"text","content":{"text":"超时预警 <at user_id=\"all\">所有人</at>"}}`},
		{"card", feishuSecret,
			Message{Title: "新工单 GD20240506-0012", Text: "**来电人**：𠮷田女士\n**诉求**：小区停电 <font color='red'>30 分钟内签收</font>", Markdown: true, Mention: []string{"13912345678"}},
			head + `"msg_type":"interactive","card":{"header":{"title":{"tag":"plain_text","content":"新工单 GD20240506-0012"}},"elements":[{"tag":"markdown","content":"**来电人**：𠮷田女士\n**诉求**：小区停电 <font color='red'>30 分钟内签收</font>"}]}}`},
		{"card untitled, everyone", "",
			Message{Text: "- GD20240506-0012\n- GD20240506-0013", Markdown: true, Mention: []string{"@all"}},
			`{"msg_type":"interactive","card":{"elements":[{"tag":"markdown","content":"- GD20240506-0012\n- GD20240506-0013\n<at id=all></at>"}]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, robotCheck("/open-apis/bot/v2/hook/"+feishuHookID, "", c.body), reply{body: `{"code":0,"data":{},"msg":"success"}`})
			f := &Feishu{Webhook: p.URL + "/open-apis/bot/v2/hook/" + feishuHookID, Secret: c.secret, Now: fixed}
			if err := f.Send(context.Background(), c.m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if p.calls.Load() != 1 {
				t.Errorf("%d requests", p.calls.Load())
			}
		})
	}
}

func TestFeishuAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		rep  reply
		want *want
	}{
		{"ok", reply{body: `{"code":0,"data":{},"msg":"success"}`}, nil},
		{"ok, old shape", reply{body: `{"Extra":null,"StatusCode":0,"StatusMessage":"success"}`}, nil},
		{"bad sign", reply{body: `{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}`},
			&want{status: 200, code: "19021", message: "sign match fail"}},
		{"keyword", reply{body: `{"code":19024,"data":{},"msg":"Key Words Not Found"}`}, &want{status: 200, code: "19024", message: "Key Words Not Found"}},
		{"bad request", reply{body: `{"code":9499,"msg":"Bad Request","data":{}}`}, &want{status: 200, code: "9499", message: "Bad Request"}},
		{"bad request, old shape", reply{body: `{"StatusCode":9499,"StatusMessage":"Bad Request"}`}, &want{status: 200, code: "9499", message: "Bad Request"}},
		{"too many", reply{body: `{"code":9499,"msg":"too many request","data":{}}`}, &want{temporary: true, status: 200, code: "9499", message: "too many request"}},
		{"flow control", reply{body: `{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]","data":{}}`},
			&want{temporary: true, status: 200, code: "11232", message: "frequency limited"}},
		{"429", reply{status: 429, header: map[string]string{"x-ogw-ratelimit-limit": "100", "x-ogw-ratelimit-reset": "52"}, body: `{"code":99991400,"msg":"request trigger frequency limit"}`},
			&want{temporary: true, status: 429, code: "99991400", retryAfter: 52 * time.Second, message: "frequency limit"}},
		{"400 limit", reply{status: 400, header: map[string]string{"x-ogw-ratelimit-reset": "52"}, body: `{"code":99991400,"msg":"request trigger frequency limit"}`},
			&want{temporary: true, status: 400, code: "99991400", retryAfter: 52 * time.Second, message: "frequency limit"}},
		{"no code", reply{body: `{"msg":"?"}`}, &want{temporary: true, status: 200, message: `{"msg":"?"}`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := serve(t, nil, c.rep)
			f := &Feishu{Webhook: p.URL + "/open-apis/bot/v2/hook/" + feishuHookID, Secret: feishuSecret, Now: fixed}
			err := f.Send(context.Background(), Message{Text: "新工单"})
			if c.want == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			checkErr(t, "feishu", err, *c.want, feishuHookID, feishuSecret)
		})
	}
}

// TestFeishuKeepsNumbersPrivate: a mention by number never reaches the
// group, in any form.
func TestFeishuKeepsNumbersPrivate(t *testing.T) {
	for _, md := range []bool{false, true} {
		p := serve(t, func(t *testing.T, r *http.Request, body []byte) {
			if strings.Contains(string(body), "13912345678") {
				t.Errorf("number sent: %s", body)
			}
		}, reply{body: `{"code":0,"data":{},"msg":"success"}`})
		f := &Feishu{Webhook: p.URL + "/open-apis/bot/v2/hook/" + feishuHookID}
		if err := f.Send(context.Background(), Message{Text: "新工单", Markdown: md, Mention: []string{"13912345678"}}); err != nil {
			t.Fatal(err)
		}
	}
}
