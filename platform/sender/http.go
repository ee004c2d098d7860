package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/clipperhouse/displaywidth"
)

// maxAnswer bounds how much of a provider's answer is read: every answer
// the senders understand is a small JSON object.
const maxAnswer = 1 << 20

// snippetBytes is how much of an answer that cannot be decoded goes into
// an Error, enough to recognise a proxy's error page.
const snippetBytes = 200

// answer is what a provider said, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends req with client (http.DefaultClient when nil) and reads the
// answer. A failure to get one is a temporary *Error whose text has every
// secret replaced and every URL masked, since net/http quotes the URL, and
// a webhook's URL is its credential.
func call(client *http.Client, req *http.Request, channel string, secrets []string) (answer, error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, &Error{Channel: channel, Temporary: true, Message: "no answer", Err: hide(err, secrets)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return answer{}, &Error{Channel: channel, Temporary: true, Status: resp.StatusCode, Message: "answer cut short", Err: hide(err, secrets)}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// ok reports a 2xx status.
func (a answer) ok() bool { return a.status >= 200 && a.status < 300 }

// busy reports a status that asks to come back later: 429 and 5xx.
func (a answer) busy() bool { return a.status == http.StatusTooManyRequests || a.status >= 500 }

// failure is the Error for an answer whose status alone says it failed
// (429, 5xx), whose body could not be decoded, or which is JSON without
// what the provider documents. All are temporary: nothing says the message
// itself is wrong.
func (a answer) failure(channel string, at time.Time, secrets []string) *Error {
	e := &Error{Channel: channel, Temporary: true, Status: a.status}
	if a.busy() {
		e.RetryAfter = retryAfter(a.header, at)
	}
	if (!a.ok() && !a.busy()) || json.Valid(a.body) {
		// A refusal by status whose body says nothing we understand, or
		// JSON that lacks the fields we look for.
		e.Message = "unexpected answer: " + snippet(a.body, secrets)
		return e
	}
	e.Message = "undecodable answer: " + snippet(a.body, secrets)
	return e
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(h http.Header, at time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(at); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}

// snippet is the start of an answer for an error message: at most
// snippetBytes bytes, cut on a character boundary, made printable, with
// secrets replaced. A JSON answer is written as a person reads it first
// (readable), so that "\u4f59\u989d\u4e0d\u8db3" shows as 余额不足 and
// a secret written with escapes is still found.
func snippet(b []byte, secrets []string) string {
	s := scrub(string(readable(b)), secrets)
	if len(s) > snippetBytes {
		s = cutBytes(s, snippetBytes, "")
	}
	if s == "" {
		return "(empty)"
	}
	return s
}

// readable is a JSON document re-written compactly, in its own order, with
// its strings unescaped as far as JSON allows; b itself when it is not
// one JSON document.
func readable(b []byte) []byte {
	if !json.Valid(b) {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out bytes.Buffer
	type level struct {
		object bool
		n      int // tokens so far: keys and values
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			return b
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			out.WriteByte(byte(d))
			continue
		}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			switch {
			case top.object && top.n%2 == 1:
				out.WriteByte(':')
			case top.n > 0:
				out.WriteByte(',')
			}
			top.n++
		}
		switch x := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(x))
			stack = append(stack, level{object: x == '{'})
		case string:
			q, err := marshal(x)
			if err != nil {
				return b
			}
			out.Write(q)
		case json.Number:
			out.WriteString(x.String())
		case bool:
			out.WriteString(strconv.FormatBool(x))
		case nil:
			out.WriteString("null")
		}
	}
}

// text is a provider's message made fit for an Error: secrets replaced,
// control characters gone, length bounded.
func text(s string, secrets []string) string {
	s = scrub(s, secrets)
	if len(s) > 2*snippetBytes {
		s = cutBytes(s, 2*snippetBytes, "…")
	}
	return s
}

// scrub replaces each secret in s and drops control characters, so an
// Error can be logged and shown as it is.
func scrub(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, mask(x))
		}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}

// mask keeps the first four characters of a credential and hides the
// rest, so two configured robots can still be told apart in a log.
func mask(s string) string {
	n := 0
	for i := range s {
		if n == 4 {
			return s[:i] + "****"
		}
		n++
	}
	return strings.Repeat("*", max(len(s), 4))
}

// maskURL hides the credentials in a URL: every query value (WeCom's key,
// DingTalk's access_token and sign, a gateway's token and the recipient's
// number), a Feishu hook's id, and any user info.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	if i := strings.Index(u.Path, "/hook/"); i >= 0 {
		// RawPath keeps the mask's * from being escaped.
		u.Path = u.Path[:i+len("/hook/")] + mask(u.Path[i+len("/hook/"):])
		u.RawPath = u.Path
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, v, found := strings.Cut(p, "=")
			if found {
				if dv, err := url.QueryUnescape(v); err == nil {
					v = dv
				}
				parts[i] = k + "=" + mask(v)
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	u.Fragment = ""
	return u.String()
}

// hide makes err safe to print: a *url.Error gets its URL masked, and any
// secret left in the text is replaced. The cause stays reachable through
// errors.Is/As (context.Canceled, a net.Error).
func hide(err error, secrets []string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: maskURL(ue.URL), Err: ue.Err}
	}
	return &hidden{err: err, secrets: secrets}
}

type hidden struct {
	err     error
	secrets []string
}

func (h *hidden) Error() string { return scrub(h.err.Error(), h.secrets) }
func (h *hidden) Unwrap() error { return h.err }

// permanent is an Error for a message that cannot be sent as it is.
func permanent(channel, msg string) *Error {
	return &Error{Channel: channel, Message: msg}
}

// marshal encodes v as JSON the way a person would write it: no HTML
// escaping of <, > and &, characters outside ASCII (including 𠮷) as
// UTF-8, no trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// postJSON builds a POST of body to target with the JSON content type.
func postJSON(ctx context.Context, target string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	return req, nil
}

// badURL is the Error for a configured URL that cannot make a request; its
// text must not quote the URL.
func badURL(channel, field string, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &Error{Channel: channel, Message: "bad " + field, Err: err}
}

// cutBytes shortens s to at most n bytes, ending with tail when something
// was cut. It cuts between grapheme clusters, so neither a UTF-8 sequence
// (𠮷 is four bytes) nor a character built of several code points (e + a
// combining accent, an emoji sequence) is split.
func cutBytes(s string, n int, tail string) string {
	if len(s) <= n {
		return s
	}
	if len(tail) > n {
		tail = ""
	}
	limit := n - len(tail)
	used := 0
	it := displaywidth.StringGraphemes(s)
	for it.Next() {
		g := it.Value()
		if used+len(g) > limit {
			break
		}
		used += len(g)
	}
	return s[:used] + tail
}

// now is f() or the wall clock.
func now(f func() time.Time) time.Time {
	if f != nil {
		return f()
	}
	return time.Now()
}

// withAt lists mobile numbers for a mention: @all stands for everyone, the
// others are numbers. Empty entries are dropped.
func withAt(mention []string) (all bool, mobiles []string) {
	for _, m := range mention {
		m = strings.TrimSpace(m)
		switch {
		case m == "":
		case m == "@all" || m == "all":
			all = true
		default:
			mobiles = append(mobiles, m)
		}
	}
	return all, mobiles
}
