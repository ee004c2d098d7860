package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"golang.org/x/net/http/httpguts"
)

// GatewayConfig describes a generic HTTP SMS gateway, for providers other
// than Aliyun and Tencent. URL, header values and Body are Go text/templates
// over the message: .ID .Phone .Template .Text .Title .Markdown, .Params
// (a list of .Name/.Value), .Param (the same as a map: {{.Param.code}}) and
// .Mention. Templates can call json (JSON-encode a value, quotes included:
// {"mobile":{{json .Phone}}}) and query (query-escape a string).
type GatewayConfig struct {
	// Method is GET, POST (the default) or PUT.
	Method string
	// URL is the request's URL. Every value it uses is query-escaped
	// already: https://sms.example.cn/send?to={{.Phone}}&text={{.Text}}.
	URL string
	// Header holds extra request headers, e.g. a token; values are
	// templates. Content-Type defaults to application/json; charset=utf-8
	// when there is a body.
	Header map[string]string
	// Body is the request body; empty for none.
	Body string
	// Success: the answer must have a 2xx status and, when SuccessField is
	// set, a JSON body whose field at that dot path ("code",
	// "result.status", "data.0.code") has the value SuccessValue, compared
	// as text (the number 0 is "0", true is "true").
	SuccessField string
	SuccessValue string
	// MessageField is the path of the gateway's explanation, for errors.
	MessageField string
	// RetryValues are values of SuccessField that mean "try later", such
	// as the gateway's flow-control codes. Other values fail for good.
	RetryValues []string

	Client *http.Client
	Now    func() time.Time
}

// Gateway sends messages through an HTTP gateway described by a
// GatewayConfig. Make one with NewGateway.
type Gateway struct {
	cfg    GatewayConfig
	url    *template.Template
	header map[string]*template.Template
	body   *template.Template
	// secrets are kept out of error texts.
	secrets []string
}

// gatewayData is what the templates see.
type gatewayData struct {
	ID, Phone, Template, Text, Title string
	Markdown                         bool
	Params                           []Param
	Param                            map[string]string
	Mention                          []string
}

var gatewayFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := marshal(v)
		return string(b), err
	},
	"query": url.QueryEscape,
}

// NewGateway checks c and parses its templates. Each error names the
// setting at fault by its key in channels.toml (method, url, header, body,
// success_field, message_field, retry_values), as an administrator wrote
// it: `method = "FETCH": want GET, POST or PUT`, "body: template: …".
func NewGateway(c GatewayConfig) (*Gateway, error) {
	given := c.Method
	c.Method = strings.ToUpper(strings.TrimSpace(c.Method))
	if c.Method == "" {
		c.Method = http.MethodPost
	}
	switch c.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut:
	default:
		return nil, fmt.Errorf("method = %q: want GET, POST or PUT", given)
	}
	if strings.TrimSpace(c.URL) == "" {
		return nil, fmt.Errorf("url is missing")
	}
	if c.Method == http.MethodGet && c.Body != "" {
		return nil, fmt.Errorf("body: a GET request has no body")
	}
	if len(c.RetryValues) > 0 && c.SuccessField == "" {
		return nil, fmt.Errorf("retry_values need success_field")
	}
	for _, f := range [...]struct{ name, path string }{{"success_field", c.SuccessField}, {"message_field", c.MessageField}} {
		if f.path != "" && slices.Contains(strings.Split(f.path, "."), "") {
			return nil, fmt.Errorf("%s = %q: empty step in the path", f.name, f.path)
		}
	}
	g := &Gateway{cfg: c, header: map[string]*template.Template{}}
	var err error
	if g.url, err = parse("url", c.URL); err != nil {
		return nil, err
	}
	if c.Body != "" {
		if g.body, err = parse("body", c.Body); err != nil {
			return nil, err
		}
	}
	for k, v := range c.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return nil, fmt.Errorf("header %q: not a valid header name", k)
		}
		name := fmt.Sprintf("header %q", k)
		if g.header[k], err = parse(name, v); err != nil {
			return nil, err
		}
	}
	// Run every template once on a sample, so a field that does not exist
	// ({{.Phon}}) is found now and not at the first notification. Other
	// failures (index past the end of the sample's .Params) depend on the
	// message and are left to Send.
	sample := Message{ID: "n1", Phone: "13800000000", Template: "T1", Text: "测试", Title: "测试",
		Params: []Param{{"code", "1"}}, Mention: []string{"13800000000"}}
	if _, err := g.render(sample, true); err != nil {
		var ee template.ExecError
		if errors.As(err, &ee) {
			if m := noField.FindStringSubmatch(ee.Error()); m != nil {
				return nil, fmt.Errorf("%s: {{.%s}}: no such field; the fields are %s", ee.Name, m[1], gatewayFields())
			}
		}
		if !errors.As(err, &ee) {
			return nil, err
		}
	}
	g.secrets = staticSecrets(c)
	return g, nil
}

// staticSecrets are the configured values that may be credentials: header
// values and their words (the token of "Bearer …"), and query values
// written in the URL rather than filled in from the message.
func staticSecrets(c GatewayConfig) []string {
	var out []string
	for k, v := range c.Header {
		if strings.EqualFold(k, "Content-Type") || strings.EqualFold(k, "Accept") || strings.Contains(v, "{{") {
			continue
		}
		out = append(out, v)
		for _, w := range strings.Fields(v) {
			if len(w) >= 8 {
				out = append(out, w)
			}
		}
	}
	if _, q, found := strings.Cut(c.URL, "?"); found {
		for _, kv := range strings.Split(q, "&") {
			if _, v, ok := strings.Cut(kv, "="); ok && v != "" && !strings.Contains(v, "{{") {
				if dv, err := url.QueryUnescape(v); err == nil {
					v = dv
				}
				out = append(out, v)
			}
		}
	}
	return out
}

// noField finds the field a template named that the data does not have.
var noField = regexp.MustCompile(`can't evaluate field (\w+) in type`)

// gatewayFields lists what the templates see, as they name it.
func gatewayFields() string {
	t := reflect.TypeFor[gatewayData]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = "." + t.Field(i).Name
	}
	return strings.Join(names, " ")
}

func parse(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(gatewayFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

func (g *Gateway) Channel() string { return "gateway" }

// rendered is a request made from the templates.
type rendered struct {
	url    string
	header http.Header
	body   []byte
}

// render executes the templates for m. In a dry run a missing map key is
// no error: the sample cannot know the gateway's parameter names.
func (g *Gateway) render(m Message, dry bool) (rendered, error) {
	d := gatewayData{ID: m.ID, Phone: m.Phone, Template: m.Template, Text: m.Text, Title: m.Title,
		Markdown: m.Markdown, Params: m.Params, Param: map[string]string{}, Mention: m.Mention}
	for _, p := range m.Params {
		d.Param[p.Name] = p.Value
	}
	exec := func(t *template.Template, data gatewayData) (string, error) {
		if dry {
			c, err := t.Clone()
			if err != nil {
				return "", err
			}
			t = c.Option("missingkey=zero")
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return "", fmt.Errorf("%s: %w", t.Name(), err)
		}
		return b.String(), nil
	}
	var r rendered
	u, err := exec(g.url, escaped(d))
	if err != nil {
		return r, err
	}
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return r, fmt.Errorf("url: %q is not an http(s) URL", maskURL(u))
	}
	r.url = pu.String()
	r.header = http.Header{}
	for _, k := range slices.Sorted(maps.Keys(g.header)) {
		v, err := exec(g.header[k], d)
		if err != nil {
			return r, err
		}
		if !httpguts.ValidHeaderFieldValue(v) {
			return r, fmt.Errorf("header %q: value has characters a header cannot carry", k)
		}
		r.header.Set(k, v)
	}
	if g.body != nil {
		b, err := exec(g.body, d)
		if err != nil {
			return r, err
		}
		r.body = []byte(b)
		if r.header.Get("Content-Type") == "" {
			r.header.Set("Content-Type", "application/json; charset=utf-8")
		}
	}
	return r, nil
}

// escaped is d with every string query-escaped, for the URL template.
func escaped(d gatewayData) gatewayData {
	q := url.QueryEscape
	e := gatewayData{ID: q(d.ID), Phone: q(d.Phone), Template: q(d.Template), Text: q(d.Text), Title: q(d.Title),
		Markdown: d.Markdown, Param: map[string]string{}}
	for _, p := range d.Params {
		e.Params = append(e.Params, Param{Name: q(p.Name), Value: q(p.Value)})
	}
	for k, v := range d.Param {
		e.Param[k] = q(v)
	}
	for _, m := range d.Mention {
		e.Mention = append(e.Mention, q(m))
	}
	return e
}

func (g *Gateway) Send(ctx context.Context, m Message) error {
	r, err := g.render(m, false)
	if err != nil {
		return &Error{Channel: g.Channel(), Message: "cannot build the request", Err: err}
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, g.cfg.Method, r.url, body)
	if err != nil {
		return badURL(g.Channel(), "url", err)
	}
	secrets := g.secrets
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	ans, err := call(g.cfg.Client, req, g.Channel(), secrets)
	if err != nil {
		return err
	}
	clock := now(g.cfg.Now)
	if ans.busy() {
		return ans.failure(g.Channel(), clock, secrets)
	}
	if !ans.ok() {
		return &Error{Channel: g.Channel(), Status: ans.status, Message: "refused: " + snippet(ans.body, secrets)}
	}
	if g.cfg.SuccessField == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(ans.body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return ans.failure(g.Channel(), clock, secrets)
	}
	v, found := lookup(doc, g.cfg.SuccessField)
	if !found {
		return ans.failure(g.Channel(), clock, secrets)
	}
	if v == g.cfg.SuccessValue {
		return nil
	}
	e := &Error{Channel: g.Channel(), Status: ans.status, Code: v, Temporary: slices.Contains(g.cfg.RetryValues, v)}
	if msg, ok := lookup(doc, g.cfg.MessageField); ok && g.cfg.MessageField != "" {
		e.Message = text(msg, secrets)
	} else {
		e.Message = snippet(ans.body, secrets)
	}
	return e
}

// lookup follows a dot path through decoded JSON (a number step indexes an
// array) and gives the value found as text.
func lookup(doc any, path string) (string, bool) {
	if path == "" {
		return "", false
	}
	v := doc
	for step := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[step]; !ok {
				return "", false
			}
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "null", true
	default:
		b, _ := marshal(x)
		return string(b), true
	}
}
