package sender

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// WeCom's documented content limits, in bytes of UTF-8.
const (
	wecomTextLimit     = 2048
	wecomMarkdownLimit = 4096
)

// WeCom posts to a WeCom group robot (企业微信群机器人).
//
// Text messages mention members by mobile number (mentioned_mobile_list).
// Markdown messages cannot: WeCom's markdown only knows <@userid>. So a
// markdown message that must mention someone is sent as a text message
// with the mentions, because the mention is what makes the duty officer
// look; one request keeps a retry from posting the message twice.
type WeCom struct {
	// Webhook is the robot's URL:
	// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
	Webhook string
	Client  *http.Client
	Now     func() time.Time
}

func (w *WeCom) Channel() string { return "wecom" }

func (w *WeCom) Send(ctx context.Context, m Message) error {
	if m.Text == "" {
		return permanent(w.Channel(), "message has no text")
	}
	all, mobiles := withAt(m.Mention)
	if all {
		mobiles = append(mobiles, "@all")
	}
	body := wecomBody{Msgtype: "text"}
	if m.Markdown && len(mobiles) == 0 {
		content := m.Text
		if m.Title != "" {
			content = "## " + m.Title + "\n" + content
		}
		body.Msgtype = "markdown"
		body.Markdown = &wecomContent{Content: cutBytes(content, wecomMarkdownLimit, "…")}
	} else {
		content := m.Text
		if m.Title != "" && m.Markdown {
			content = m.Title + "\n" + content
		}
		body.Text = &wecomContent{Content: cutBytes(content, wecomTextLimit, "…"), MentionedMobileList: mobiles}
	}
	payload, err := marshal(body)
	if err != nil {
		return &Error{Channel: w.Channel(), Message: "encode request", Err: err}
	}
	req, err := postJSON(ctx, w.Webhook, payload)
	if err != nil {
		return badURL(w.Channel(), "webhook", err)
	}
	return robotAnswer(w.Channel(), w.Client, req, w.Now, w.secrets(), wecomTemporary)
}

type wecomBody struct {
	Msgtype  string        `json:"msgtype"`
	Text     *wecomContent `json:"text,omitempty"`
	Markdown *wecomContent `json:"markdown,omitempty"`
}

type wecomContent struct {
	Content             string   `json:"content"`
	MentionedMobileList []string `json:"mentioned_mobile_list,omitempty"`
}

// secrets is the robot's key: the webhook URL is the only credential.
func (w *WeCom) secrets() []string {
	return webhookSecrets(w.Webhook, "key")
}

// wecomTemporary: -1 is WeCom's "system busy, retry", 45009 its API
// frequency limit.
func wecomTemporary(code int) bool { return code == -1 || code == 45009 }

// robotAnswer sends req and reads the {"errcode":…,"errmsg":…} answer that
// WeCom and DingTalk share: errcode 0 is success, any other value a
// failure (both document it so). An answer without errcode is no success.
// When it is {"code":…,"message":…}, the shape of the errors of DingTalk's
// newer API gateway (api.dingtalk.com, e.g. 400
// invalidParameter.robotCode.empty), those are the code and the message,
// and it fails for good unless its status asks to come back later.
func robotAnswer(channel string, client *http.Client, req *http.Request, clock func() time.Time, secrets []string, temporary func(int) bool) error {
	ans, err := call(client, req, channel, secrets)
	if err != nil {
		return err
	}
	var r struct {
		Errcode *int   `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}
	bad := json.Unmarshal(ans.body, &r) != nil
	if !bad && r.Errcode == nil {
		var g struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		}
		if json.Unmarshal(ans.body, &g) == nil && len(g.Code) > 0 && g.Message != "" {
			code := string(g.Code)
			var s string
			if json.Unmarshal(g.Code, &s) == nil {
				code = s
			}
			e := &Error{Channel: channel, Temporary: ans.busy(), Status: ans.status, Code: text(code, secrets), Message: text(g.Message, secrets)}
			if ans.busy() {
				e.RetryAfter = retryAfter(ans.header, now(clock))
			}
			return e
		}
	}
	if bad || r.Errcode == nil || ans.busy() {
		e := ans.failure(channel, now(clock), secrets)
		if r.Errcode != nil {
			e.Code, e.Message = strconv.Itoa(*r.Errcode), text(r.Errmsg, secrets)
		}
		return e
	}
	if *r.Errcode == 0 && ans.ok() {
		return nil
	}
	e := &Error{
		Channel:   channel,
		Temporary: temporary(*r.Errcode),
		Status:    ans.status,
		Code:      strconv.Itoa(*r.Errcode),
		Message:   text(r.Errmsg, secrets),
	}
	return e
}

// webhookSecrets are the values of the named query parameters of a
// webhook URL, to be kept out of error texts.
func webhookSecrets(webhook string, names ...string) []string {
	u, err := url.Parse(webhook)
	if err != nil {
		return nil
	}
	var out []string
	q := u.Query()
	for _, n := range names {
		if v := q.Get(n); v != "" {
			out = append(out, v)
		}
	}
	return out
}
