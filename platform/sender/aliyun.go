package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// AliyunEndpoint is Alibaba Cloud SMS's public endpoint.
const AliyunEndpoint = "https://dysmsapi.aliyuncs.com"

// Aliyun sends SMS through Alibaba Cloud SMS (阿里云短信服务), operation
// SendSms of API version 2017-05-25, signed with the RPC-style signature
// (HMAC-SHA1, SignatureVersion 1.0). That is the scheme whose documentation
// gives worked examples, and the tests check the code against them.
type Aliyun struct {
	AccessKeyID     string
	AccessKeySecret string
	// SignName is the approved SMS signature (短信签名), e.g. "12345热线".
	SignName string
	// Endpoint defaults to AliyunEndpoint.
	Endpoint string
	Client   *http.Client
	Now      func() time.Time
	// Nonce makes SignatureNonce; default a random UUID.
	Nonce func() string
}

func (a *Aliyun) Channel() string { return "aliyun" }

// Send posts the request as a form, so the number and the template values
// stay out of URLs and access logs; the signature covers it the same way
// as a GET, with "POST" as the method.
func (a *Aliyun) Send(ctx context.Context, m Message) error {
	switch {
	case m.Phone == "":
		return permanent(a.Channel(), "message has no phone number")
	case m.Template == "":
		return permanent(a.Channel(), "message has no template code")
	}
	params := map[string]string{
		"AccessKeyId":      a.AccessKeyID,
		"Action":           "SendSms",
		"Format":           "JSON",
		"PhoneNumbers":     m.Phone,
		"RegionId":         "cn-hangzhou",
		"SignName":         a.SignName,
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureNonce":   a.nonce(),
		"SignatureVersion": "1.0",
		"TemplateCode":     m.Template,
		"Timestamp":        now(a.Now).UTC().Format("2006-01-02T15:04:05Z"),
		"Version":          "2017-05-25",
	}
	if m.ID != "" {
		params["OutId"] = m.ID
	}
	if len(m.Params) > 0 {
		tp, err := paramObject(m.Params)
		if err != nil {
			return &Error{Channel: a.Channel(), Message: "template parameters", Err: err}
		}
		params["TemplateParam"] = tp
	}
	body := aliyunQuery(params) + "&Signature=" + percentEncode(aliyunSign(http.MethodPost, params, a.AccessKeySecret))

	endpoint := a.Endpoint
	if endpoint == "" {
		endpoint = AliyunEndpoint
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/", strings.NewReader(body))
	if err != nil {
		return badURL(a.Channel(), "endpoint", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	secrets := []string{a.AccessKeySecret}
	ans, err := call(a.Client, req, a.Channel(), secrets)
	if err != nil {
		return err
	}
	var r struct {
		Code    *string
		Message string
	}
	if json.Unmarshal(ans.body, &r) != nil || r.Code == nil {
		return ans.failure(a.Channel(), now(a.Now), secrets)
	}
	if *r.Code == "OK" && ans.ok() {
		return nil
	}
	e := &Error{
		Channel:   a.Channel(),
		Temporary: aliyunTemporary(*r.Code) || ans.busy(),
		Status:    ans.status,
		Code:      *r.Code,
		Message:   text(r.Message, secrets),
	}
	if ans.busy() {
		e.RetryAfter = retryAfter(ans.header, now(a.Now))
	}
	return e
}

func (a *Aliyun) nonce() string {
	if a.Nonce != nil {
		return a.Nonce()
	}
	return uuid.NewString()
}

// aliyunTemporary reports the codes that mean "later": flow control and a
// service that is down. Everything else (invalid number, template or
// signature, bad credentials) fails the same way next time.
func aliyunTemporary(code string) bool {
	switch {
	case code == "isv.BUSINESS_LIMIT_CONTROL",
		code == "ServiceUnavailable",
		code == "InternalError",
		code == "isp.SYSTEM_ERROR",
		code == "Throttling", strings.HasPrefix(code, "Throttling."):
		return true
	}
	return false
}

// paramObject is Params as a JSON object in their given order: Aliyun's
// TemplateParam, e.g. {"code":"2024-000123"}.
func paramObject(ps []Param) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(p.Name)
		if err != nil {
			return "", err
		}
		v, err := marshal(p.Value)
		if err != nil {
			return "", err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// aliyunSign is the RPC signature: Base64(HMAC-SHA1(secret + "&",
// method + "&" + percentEncode("/") + "&" + percentEncode(canonical query))).
func aliyunSign(method string, params map[string]string, secret string) string {
	sts := method + "&" + percentEncode("/") + "&" + percentEncode(aliyunQuery(params))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// aliyunQuery is the canonicalized query string: parameters sorted by
// name, names and values percent-encoded, joined with = and &.
func aliyunQuery(params map[string]string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(params)) {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(percentEncode(k))
		b.WriteByte('=')
		b.WriteString(percentEncode(params[k]))
	}
	return b.String()
}

// percentEncode is RFC 3986 encoding as Alibaba Cloud specifies it: only
// A-Z a-z 0-9 - _ . ~ stay as they are, every other byte of the UTF-8 text
// becomes %XY in upper-case hex (space is %20, * is %2A, ~ stays ~).
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
