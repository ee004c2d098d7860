package sender

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TencentEndpoint is Tencent Cloud SMS's public endpoint.
const TencentEndpoint = "https://sms.tencentcloudapi.com"

// Tencent sends SMS through Tencent Cloud SMS (腾讯云短信), action SendSms of
// API version 2021-01-11, signed with TC3-HMAC-SHA256 (signature v3).
type Tencent struct {
	SecretID  string
	SecretKey string
	// SdkAppID is the SMS application's id, e.g. "1400006666".
	SdkAppID string
	// SignName is the approved SMS signature (短信签名), e.g. "12345热线".
	SignName string
	// Region defaults to ap-guangzhou.
	Region string
	// Endpoint defaults to TencentEndpoint.
	Endpoint string
	Client   *http.Client
	Now      func() time.Time
}

func (t *Tencent) Channel() string { return "tencent" }

// tencentSigned are the headers the signature covers: the two the
// documentation requires and the action, as its current examples do.
var tencentSigned = []string{"content-type", "host", "x-tc-action"}

func (t *Tencent) Send(ctx context.Context, m Message) error {
	switch {
	case m.Phone == "":
		return permanent(t.Channel(), "message has no phone number")
	case m.Template == "":
		return permanent(t.Channel(), "message has no template id")
	}
	phone := m.Phone
	if !strings.HasPrefix(phone, "+") {
		phone = "+86" + phone
	}
	values := make([]string, len(m.Params))
	for i, p := range m.Params {
		values[i] = p.Value
	}
	payload, err := marshal(struct {
		PhoneNumberSet   []string
		SmsSdkAppId      string
		SignName         string
		TemplateId       string
		TemplateParamSet []string
		SessionContext   string `json:",omitempty"`
	}{[]string{phone}, t.SdkAppID, t.SignName, m.Template, values, m.ID})
	if err != nil {
		return &Error{Channel: t.Channel(), Message: "encode request", Err: err}
	}

	endpoint := t.Endpoint
	if endpoint == "" {
		endpoint = TencentEndpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return permanent(t.Channel(), "bad endpoint")
	}
	region := t.Region
	if region == "" {
		region = "ap-guangzhou"
	}
	when := now(t.Now)
	r := tc3Request{
		Method:      http.MethodPost,
		Host:        u.Host,
		ContentType: "application/json; charset=utf-8",
		Action:      "SendSms",
		Payload:     payload,
		Timestamp:   when.Unix(),
		Service:     "sms",
		Signed:      tencentSigned,
	}
	req, err := postJSON(ctx, strings.TrimSuffix(endpoint, "/")+"/", payload)
	if err != nil {
		return badURL(t.Channel(), "endpoint", err)
	}
	req.Host = u.Host
	req.Header.Set("Authorization", r.authorization(t.SecretID, t.SecretKey))
	req.Header.Set("Content-Type", r.ContentType)
	req.Header.Set("X-TC-Action", r.Action)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(r.Timestamp, 10))
	req.Header.Set("X-TC-Version", "2021-01-11")
	req.Header.Set("X-TC-Region", region)

	secrets := []string{t.SecretKey}
	ans, err := call(t.Client, req, t.Channel(), secrets)
	if err != nil {
		return err
	}
	var resp struct {
		Response *struct {
			Error *struct {
				Code    string
				Message string
			}
			SendStatusSet []struct {
				Code    string
				Message string
			}
		}
	}
	if json.Unmarshal(ans.body, &resp) != nil || resp.Response == nil {
		return ans.failure(t.Channel(), now(t.Now), secrets)
	}
	code, msg := "", ""
	switch {
	case resp.Response.Error != nil:
		code, msg = resp.Response.Error.Code, resp.Response.Error.Message
	case len(resp.Response.SendStatusSet) == 0:
		return ans.failure(t.Channel(), now(t.Now), secrets)
	default:
		// One number per request, so the first status is the message's;
		// a refusal of the number comes here with the request accepted.
		s := resp.Response.SendStatusSet[0]
		if s.Code == "Ok" && ans.ok() {
			return nil
		}
		code, msg = s.Code, s.Message
	}
	e := &Error{
		Channel:   t.Channel(),
		Temporary: tencentTemporary(code) || ans.busy(),
		Status:    ans.status,
		Code:      code,
		Message:   text(msg, secrets),
	}
	if ans.busy() {
		e.RetryAfter = retryAfter(ans.header, now(t.Now))
	}
	return e
}

// tencentTemporary reports the codes that mean "later": frequency limits
// and the service's own failures. InternalError.SigVerificationFail is the
// exception: the documentation says to check SecretId and SecretKey, and a
// wrong key fails the same way every time.
func tencentTemporary(code string) bool {
	switch {
	case code == "InternalError.SigVerificationFail":
		return false
	case code == "LimitExceeded", strings.HasPrefix(code, "LimitExceeded."),
		code == "InternalError", strings.HasPrefix(code, "InternalError."),
		code == "RequestLimitExceeded", strings.HasPrefix(code, "RequestLimitExceeded."):
		return true
	}
	return false
}

// tc3Request is what the TC3-HMAC-SHA256 signature covers.
type tc3Request struct {
	Method      string
	Host        string
	ContentType string
	Action      string
	Query       string // canonical query string; empty for POST
	Payload     []byte
	Timestamp   int64
	Service     string
	Signed      []string // lower-case names among content-type, host, x-tc-action
}

func (r tc3Request) date() string {
	return time.Unix(r.Timestamp, 0).UTC().Format("2006-01-02")
}

func (r tc3Request) signedHeaders() string {
	names := append([]string(nil), r.Signed...)
	sort.Strings(names)
	return strings.Join(names, ";")
}

// canonical is the CanonicalRequest: method, URI "/", query, the signed
// headers as lower-case "name:value\n" lines in name order, their names,
// and the payload's SHA-256.
func (r tc3Request) canonical() string {
	names := append([]string(nil), r.Signed...)
	sort.Strings(names)
	var h strings.Builder
	for _, n := range names {
		v := ""
		switch n {
		case "content-type":
			v = r.ContentType
		case "host":
			v = r.Host
		case "x-tc-action":
			v = r.Action
		}
		h.WriteString(n + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	sum := sha256.Sum256(r.Payload)
	return r.Method + "\n/\n" + r.Query + "\n" + h.String() + "\n" + r.signedHeaders() + "\n" + hex.EncodeToString(sum[:])
}

// stringToSign is algorithm, timestamp, credential scope and the hash of
// the canonical request, one per line.
func (r tc3Request) stringToSign() string {
	sum := sha256.Sum256([]byte(r.canonical()))
	return "TC3-HMAC-SHA256\n" + strconv.FormatInt(r.Timestamp, 10) + "\n" + r.scope() + "\n" + hex.EncodeToString(sum[:])
}

func (r tc3Request) scope() string { return r.date() + "/" + r.Service + "/tc3_request" }

// signature derives the signing key from the secret key, the UTC date and
// the service, and signs the string to sign with it.
func (r tc3Request) signature(secretKey string) string {
	k := hmacSHA256([]byte("TC3"+secretKey), r.date())
	k = hmacSHA256(k, r.Service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, r.stringToSign()))
}

func (r tc3Request) authorization(secretID, secretKey string) string {
	return "TC3-HMAC-SHA256 Credential=" + secretID + "/" + r.scope() +
		", SignedHeaders=" + r.signedHeaders() + ", Signature=" + r.signature(secretKey)
}

func hmacSHA256(key []byte, msg string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}
