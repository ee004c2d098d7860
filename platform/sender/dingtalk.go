package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DingTalk posts to a DingTalk custom robot (钉钉自定义机器人).
//
// Mentions go in at.atMobiles and, as the documentation asks, as "@number"
// in the content, which markdown needs for the mention to show. "@all" in
// Mention sets at.isAtAll.
type DingTalk struct {
	// Webhook is the robot's URL:
	// https://oapi.dingtalk.com/robot/send?access_token=…
	Webhook string
	// Secret is the signing secret (加签, "SEC…"); empty when the robot
	// does not sign.
	Secret string
	Client *http.Client
	Now    func() time.Time
}

func (d *DingTalk) Channel() string { return "dingtalk" }

type dingtalkBody struct {
	Msgtype  string            `json:"msgtype"`
	Text     *dingtalkText     `json:"text,omitempty"`
	Markdown *dingtalkMarkdown `json:"markdown,omitempty"`
	At       *dingtalkAt       `json:"at,omitempty"`
}

type dingtalkText struct {
	Content string `json:"content"`
}

type dingtalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type dingtalkAt struct {
	AtMobiles []string `json:"atMobiles,omitempty"`
	IsAtAll   bool     `json:"isAtAll"`
}

func (d *DingTalk) Send(ctx context.Context, m Message) error {
	if m.Text == "" {
		return permanent(d.Channel(), "message has no text")
	}
	all, mobiles := withAt(m.Mention)
	content := m.Text
	var tags []string
	for _, p := range mobiles {
		if !strings.Contains(content, "@"+p) {
			tags = append(tags, "@"+p)
		}
	}
	if len(tags) > 0 {
		content += "\n" + strings.Join(tags, " ")
	}
	body := dingtalkBody{Msgtype: "text"}
	if m.Markdown {
		body.Msgtype = "markdown"
		body.Markdown = &dingtalkMarkdown{Title: markdownTitle(m), Text: content}
	} else {
		body.Text = &dingtalkText{Content: content}
	}
	if all || len(mobiles) > 0 {
		body.At = &dingtalkAt{AtMobiles: mobiles, IsAtAll: all}
	}
	payload, err := marshal(body)
	if err != nil {
		return &Error{Channel: d.Channel(), Message: "encode request", Err: err}
	}
	target := d.Webhook
	if d.Secret != "" {
		ts := strconv.FormatInt(now(d.Now).UnixMilli(), 10)
		sep := "&"
		if !strings.Contains(target, "?") {
			sep = "?"
		}
		target += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(dingtalkSign(ts, d.Secret))
	}
	req, err := postJSON(ctx, target, payload)
	if err != nil {
		return badURL(d.Channel(), "webhook", err)
	}
	secrets := append(webhookSecrets(d.Webhook, "access_token"), d.Secret)
	return robotAnswer(d.Channel(), d.Client, req, d.Now, secrets, dingtalkTemporary)
}

// dingtalkSign is the documented 加签: Base64(HmacSHA256(key = secret,
// message = timestamp + "\n" + secret)), timestamp in milliseconds. The
// caller URL-encodes it.
func dingtalkSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// dingtalkTemporary: 130101 is "send too fast" (20 messages a minute, then
// ten minutes' ban), 410100 the newer code for the same limit, -1 "system
// busy".
func dingtalkTemporary(code int) bool { return code == 130101 || code == 410100 || code == -1 }

// markdownTitle is a markdown message's title, or its first line when it
// has none: DingTalk requires one and shows it in the chat list.
func markdownTitle(m Message) string {
	if m.Title != "" {
		return m.Title
	}
	line, _, _ := strings.Cut(m.Text, "\n")
	line = strings.TrimSpace(strings.TrimLeft(line, "#> "))
	return cutBytes(line, 64, "…")
}
