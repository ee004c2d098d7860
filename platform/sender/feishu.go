package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Feishu posts to a Feishu custom bot (飞书自定义机器人).
//
// Text goes as msg_type "text"; markdown as an interactive card with the
// title as its header and the text as one markdown element.
//
// A custom bot can mention only by Feishu user id (<at user_id="ou_…">),
// which the platform does not know, not by mobile number. So numbers in
// Mention are not sent, not even as plain text: that would publish the
// officers' numbers in the group. "@all" is sent as <at user_id="all">.
type Feishu struct {
	// Webhook is the bot's URL:
	// https://open.feishu.cn/open-apis/bot/v2/hook/…
	Webhook string
	// Secret is the signing secret (签名校验); empty when the bot does not
	// check signatures.
	Secret string
	Client *http.Client
	Now    func() time.Time
}

func (f *Feishu) Channel() string { return "feishu" }

type feishuBody struct {
	Timestamp string         `json:"timestamp,omitempty"`
	Sign      string         `json:"sign,omitempty"`
	MsgType   string         `json:"msg_type"`
	Content   *feishuContent `json:"content,omitempty"`
	Card      *feishuCard    `json:"card,omitempty"`
}

type feishuContent struct {
	Text string `json:"text"`
}

type feishuCard struct {
	Header   *feishuHeader   `json:"header,omitempty"`
	Elements []feishuElement `json:"elements"`
}

type feishuHeader struct {
	Title feishuPlain `json:"title"`
}

type feishuPlain struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type feishuElement struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

func (f *Feishu) Send(ctx context.Context, m Message) error {
	if m.Text == "" {
		return permanent(f.Channel(), "message has no text")
	}
	all, _ := withAt(m.Mention)
	var body feishuBody
	if m.Markdown {
		content := m.Text
		if all {
			content += "\n<at id=all></at>"
		}
		body.MsgType = "interactive"
		body.Card = &feishuCard{Elements: []feishuElement{{Tag: "markdown", Content: content}}}
		if m.Title != "" {
			body.Card.Header = &feishuHeader{Title: feishuPlain{Tag: "plain_text", Content: m.Title}}
		}
	} else {
		content := m.Text
		if all {
			content += ` <at user_id="all">所有人</at>`
		}
		body.MsgType = "text"
		body.Content = &feishuContent{Text: content}
	}
	if f.Secret != "" {
		ts := strconv.FormatInt(now(f.Now).Unix(), 10)
		body.Timestamp, body.Sign = ts, feishuSign(ts, f.Secret)
	}
	payload, err := marshal(body)
	if err != nil {
		return &Error{Channel: f.Channel(), Message: "encode request", Err: err}
	}
	req, err := postJSON(ctx, f.Webhook, payload)
	if err != nil {
		return badURL(f.Channel(), "webhook", err)
	}
	secrets := []string{f.Secret, feishuHook(f.Webhook)}
	ans, err := call(f.Client, req, f.Channel(), secrets)
	if err != nil {
		return err
	}
	// The current answer is {"code":0,"msg":"success","data":{}}; older
	// ones carry StatusCode/StatusMessage, sometimes beside code/msg.
	var r struct {
		Code          *int   `json:"code"`
		Msg           string `json:"msg"`
		StatusCode    *int   `json:"StatusCode"`
		StatusMessage string `json:"StatusMessage"`
	}
	decoded := json.Unmarshal(ans.body, &r) == nil
	if decoded && r.Code == nil && r.StatusCode != nil {
		r.Code, r.Msg = r.StatusCode, r.StatusMessage
	}
	clock := now(f.Now)
	if !decoded || r.Code == nil || ans.busy() {
		e := ans.failure(f.Channel(), clock, secrets)
		if d := feishuReset(ans.header); e.RetryAfter == 0 && ans.busy() {
			e.RetryAfter = d
		}
		if r.Code != nil {
			e.Code, e.Message = strconv.Itoa(*r.Code), text(r.Msg, secrets)
		}
		return e
	}
	if *r.Code == 0 && ans.ok() {
		return nil
	}
	e := &Error{
		Channel:   f.Channel(),
		Temporary: feishuTemporary(*r.Code, r.Msg),
		Status:    ans.status,
		Code:      strconv.Itoa(*r.Code),
		Message:   text(r.Msg, secrets),
	}
	if e.Temporary {
		e.RetryAfter = feishuReset(ans.header)
	}
	return e
}

// feishuSign is the documented 签名校验: Base64(HmacSHA256(key = timestamp
// + "\n" + secret, message = empty)), timestamp in seconds. Unlike
// DingTalk, the string is the key and the message is empty.
func feishuSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// feishuTemporary: 11232 is the custom bot's documented flow-control
// error, 99991400 the platform's frequency limit. 9499 is "Bad Request"
// (a body the bot cannot parse) in the bot guide, but has been seen as
// "too many request" too; only that message makes it temporary.
func feishuTemporary(code int, msg string) bool {
	switch code {
	case 11232, 99991400:
		return true
	case 9499:
		return strings.Contains(strings.ToLower(msg), "too many request")
	}
	return false
}

// feishuReset reads Feishu's x-ogw-ratelimit-reset header (seconds until
// the limit resets), which it sends instead of Retry-After.
func feishuReset(h http.Header) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("x-ogw-ratelimit-reset")))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// feishuHook is the hook id at the end of a webhook URL: the credential.
func feishuHook(webhook string) string {
	if i := strings.LastIndex(webhook, "/hook/"); i >= 0 {
		return webhook[i+len("/hook/"):]
	}
	return ""
}
