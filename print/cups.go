package print

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"strings"
	"sync/atomic"
	"time"

	"github.com/OpenPrinting/goipp"
)

// ErrUnreachable is wrapped by a Client's errors when no CUPS server
// answers: the caller may then save the PDF and open it instead (Show).
var ErrUnreachable = errors.New("CUPS is not reachable")

// Client sends IPP requests to a CUPS server over HTTP, on a TCP port or a
// unix socket. The zero value is not usable; make one with NewClient.
type Client struct {
	base   string // http://host:port, without a trailing slash
	socket string // a unix socket path, when CUPS is reached through one
	http   *http.Client
	// User is the requesting-user-name of jobs: the job's owner in CUPS
	// (and cups-pdf's output folder).
	User string
	id   atomic.Uint32
}

// NewClient makes a client for server, which may be a unix socket path
// (/run/cups/cups.sock), a host with an optional port (localhost:631), or
// an http or ipp URL. Empty means $CUPS_SERVER, else the local scheduler's
// socket when it exists, else localhost:631.
func NewClient(server string) *Client {
	if server == "" {
		server = os.Getenv("CUPS_SERVER")
	}
	if server == "" {
		for _, s := range []string{"/run/cups/cups.sock", "/var/run/cups/cups.sock"} {
			if fi, err := os.Stat(s); err == nil && fi.Mode()&os.ModeSocket != 0 {
				server = s
				break
			}
		}
	}
	if server == "" {
		server = "localhost:631"
	}
	c := &Client{User: userName()}
	transport := &http.Transport{
		Proxy:                 nil, // CUPS is local: never send print jobs through a proxy
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 2 * time.Minute,
	}
	switch {
	case strings.HasPrefix(server, "/"):
		c.socket = server
		c.base = "http://localhost"
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "unix", c.socket)
		}
	case strings.Contains(server, "://"):
		u, err := url.Parse(server)
		if err == nil {
			scheme := "http"
			if u.Scheme == "https" || u.Scheme == "ipps" {
				scheme = "https"
			}
			host := u.Host
			if u.Port() == "" {
				host = net.JoinHostPort(u.Hostname(), "631")
			}
			c.base = scheme + "://" + host
		} else {
			c.base = "http://localhost:631"
		}
	default:
		host := server
		if _, _, err := net.SplitHostPort(server); err != nil {
			host = net.JoinHostPort(server, "631")
		}
		c.base = "http://" + host
	}
	c.http = &http.Client{Transport: transport}
	return c
}

// Server says where the client sends its requests, for messages.
func (c *Client) Server() string {
	if c.socket != "" {
		return c.socket
	}
	return c.base
}

func userName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		name := u.Username
		if i := strings.LastIndexByte(name, '\\'); i >= 0 {
			name = name[i+1:] // Windows DOMAIN\user
		}
		return name
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "hotline"
}

// Printer is a print queue of CUPS.
type Printer struct {
	Name      string
	Info      string // the description people see
	Location  string
	MakeModel string
	State     string   // idle, processing or stopped
	Reasons   []string // printer-state-reasons, "none" when all is well
	Accepting bool     // printer-is-accepting-jobs
	Default   bool     // the server's default destination
}

// Printers lists the server's print queues, the default one marked.
func (c *Client) Printers(ctx context.Context) ([]Printer, error) {
	req := c.request(goipp.OpCupsGetPrinters)
	req.Operation.Add(goipp.MakeAttr("requested-attributes", goipp.TagKeyword,
		goipp.String("printer-name"), goipp.String("printer-info"), goipp.String("printer-location"),
		goipp.String("printer-make-and-model"), goipp.String("printer-state"),
		goipp.String("printer-state-reasons"), goipp.String("printer-is-accepting-jobs")))
	resp, err := c.do(ctx, "/", req, nil)
	if err != nil {
		if errors.Is(err, errNotFound) {
			return nil, nil // no printers at all
		}
		return nil, fmt.Errorf("list printers: %w", err)
	}
	def, err := c.Default(ctx)
	if err != nil {
		return nil, err
	}
	var out []Printer
	for _, g := range resp.Groups {
		if g.Tag != goipp.TagPrinterGroup {
			continue
		}
		p := Printer{
			Name:      text(g.Attrs, "printer-name"),
			Info:      text(g.Attrs, "printer-info"),
			Location:  text(g.Attrs, "printer-location"),
			MakeModel: text(g.Attrs, "printer-make-and-model"),
			Reasons:   texts(g.Attrs, "printer-state-reasons"),
			Accepting: boolean(g.Attrs, "printer-is-accepting-jobs"),
		}
		switch number(g.Attrs, "printer-state") {
		case 3:
			p.State = "idle"
		case 4:
			p.State = "processing"
		case 5:
			p.State = "stopped"
		}
		p.Default = p.Name == def
		out = append(out, p)
	}
	return out, nil
}

// Default is the name of the server's default printer, empty when it has
// none.
func (c *Client) Default(ctx context.Context) (string, error) {
	req := c.request(goipp.OpCupsGetDefault)
	req.Operation.Add(goipp.MakeAttr("requested-attributes", goipp.TagKeyword, goipp.String("printer-name")))
	resp, err := c.do(ctx, "/", req, nil)
	if errors.Is(err, errNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("default printer: %w", err)
	}
	return text(resp.Printer, "printer-name"), nil
}

// Job is what is sent to a printer.
type Job struct {
	Name   string // the job's title, shown in queues (and cups-pdf's file name)
	PDF    []byte
	Copies int // 0 means 1
}

// Print sends a PDF to a printer ("" for the default one) and returns the
// job's id, to follow with Status or Wait.
func (c *Client) Print(ctx context.Context, printer string, job Job) (int, error) {
	if printer == "" {
		def, err := c.Default(ctx)
		if err != nil {
			return 0, err
		}
		if def == "" {
			return 0, errors.New("print: CUPS has no default printer: choose one in the settings")
		}
		printer = def
	}
	req := c.request(goipp.OpPrintJob)
	req.Operation.Add(goipp.MakeAttribute("printer-uri", goipp.TagURI, goipp.String(printerURI(printer))))
	req.Operation.Add(goipp.MakeAttribute("requesting-user-name", goipp.TagName, goipp.String(c.User)))
	if job.Name != "" {
		req.Operation.Add(goipp.MakeAttribute("job-name", goipp.TagName, goipp.String(job.Name)))
	}
	req.Operation.Add(goipp.MakeAttribute("document-format", goipp.TagMimeType, goipp.String("application/pdf")))
	req.Job.Add(goipp.MakeAttribute("copies", goipp.TagInteger, goipp.Integer(max(job.Copies, 1))))
	req.Job.Add(goipp.MakeAttribute("media", goipp.TagKeyword, goipp.String("iso_a4_210x297mm")))
	resp, err := c.do(ctx, "/printers/"+url.PathEscape(printer), req, job.PDF)
	if errors.Is(err, errNotFound) {
		return 0, fmt.Errorf("print to %s: %w", printer, ErrNoPrinter)
	}
	if err != nil {
		return 0, fmt.Errorf("print to %s: %w", printer, err)
	}
	id := number(resp.Job, "job-id")
	if id <= 0 {
		return 0, fmt.Errorf("print to %s: CUPS returned no job id", printer)
	}
	return id, nil
}

// JobState is where a job stands in CUPS (RFC 8011 job-state).
type JobState int

const (
	JobPending    JobState = 3
	JobHeld       JobState = 4
	JobProcessing JobState = 5
	JobStopped    JobState = 6
	JobCanceled   JobState = 7
	JobAborted    JobState = 8
	JobCompleted  JobState = 9
)

// Done reports whether the job will not change any more.
func (s JobState) Done() bool { return s >= JobCanceled }

// Label is the state's name on screen.
func (s JobState) Label() string {
	switch s {
	case JobPending:
		return "排队中"
	case JobHeld:
		return "已挂起"
	case JobProcessing:
		return "打印中"
	case JobStopped:
		return "已暂停"
	case JobCanceled:
		return "已取消"
	case JobAborted:
		return "打印失败"
	case JobCompleted:
		return "已完成"
	}
	return fmt.Sprintf("状态%d", int(s))
}

func (s JobState) String() string {
	switch s {
	case JobPending:
		return "pending"
	case JobHeld:
		return "held"
	case JobProcessing:
		return "processing"
	case JobStopped:
		return "stopped"
	case JobCanceled:
		return "canceled"
	case JobAborted:
		return "aborted"
	case JobCompleted:
		return "completed"
	}
	return fmt.Sprintf("job-state %d", int(s))
}

// JobStatus is a job as CUPS last reported it.
type JobStatus struct {
	ID      int
	State   JobState
	Reasons []string // job-state-reasons, e.g. job-printing, job-completed-successfully
	Message string   // job-printer-state-message, the printer's own words
	Pages   int      // job-media-sheets-completed, when the printer counts
	Copies  int
}

// Status asks CUPS about a job.
func (c *Client) Status(ctx context.Context, id int) (JobStatus, error) {
	req := c.request(goipp.OpGetJobAttributes)
	req.Operation.Add(goipp.MakeAttribute("job-uri", goipp.TagURI, goipp.String(fmt.Sprintf("ipp://localhost/jobs/%d", id))))
	req.Operation.Add(goipp.MakeAttribute("requesting-user-name", goipp.TagName, goipp.String(c.User)))
	req.Operation.Add(goipp.MakeAttr("requested-attributes", goipp.TagKeyword,
		goipp.String("job-id"), goipp.String("job-state"), goipp.String("job-state-reasons"),
		goipp.String("job-printer-state-message"), goipp.String("job-media-sheets-completed"),
		goipp.String("copies")))
	resp, err := c.do(ctx, "/jobs/", req, nil)
	if err != nil {
		return JobStatus{}, fmt.Errorf("job %d: %w", id, err)
	}
	return JobStatus{
		ID:      id,
		State:   JobState(number(resp.Job, "job-state")),
		Reasons: texts(resp.Job, "job-state-reasons"),
		Message: text(resp.Job, "job-printer-state-message"),
		Pages:   number(resp.Job, "job-media-sheets-completed"),
		Copies:  number(resp.Job, "copies"),
	}, nil
}

// Wait follows a job until it is completed, canceled or aborted, asking
// every interval, and calls seen (which may be nil) whenever its state or
// reasons change, so a screen can show them. The last status is returned;
// an error only when CUPS could not be asked or ctx ended.
func (c *Client) Wait(ctx context.Context, id int, interval time.Duration, seen func(JobStatus)) (JobStatus, error) {
	var last JobStatus
	for first := true; ; first = false {
		st, err := c.Status(ctx, id)
		if err != nil {
			return last, err
		}
		if seen != nil && (first || st.State != last.State || strings.Join(st.Reasons, ",") != strings.Join(last.Reasons, ",")) {
			seen(st)
		}
		last = st
		if st.State.Done() {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Cancel cancels a job that has not finished.
func (c *Client) Cancel(ctx context.Context, id int) error {
	req := c.request(goipp.OpCancelJob)
	req.Operation.Add(goipp.MakeAttribute("job-uri", goipp.TagURI, goipp.String(fmt.Sprintf("ipp://localhost/jobs/%d", id))))
	req.Operation.Add(goipp.MakeAttribute("requesting-user-name", goipp.TagName, goipp.String(c.User)))
	if _, err := c.do(ctx, "/jobs/", req, nil); err != nil {
		return fmt.Errorf("cancel job %d: %w", id, err)
	}
	return nil
}

func printerURI(name string) string {
	return "ipp://localhost/printers/" + url.PathEscape(name)
}

// request starts an IPP request with the attributes every request begins
// with. The language is "en": CUPS 2.4 refuses "en-US".
func (c *Client) request(op goipp.Op) *goipp.Message {
	m := goipp.NewRequest(goipp.MakeVersion(2, 0), op, c.id.Add(1))
	m.Operation.Add(goipp.MakeAttribute("attributes-charset", goipp.TagCharset, goipp.String("utf-8")))
	m.Operation.Add(goipp.MakeAttribute("attributes-natural-language", goipp.TagLanguage, goipp.String("en")))
	return m
}

// errNotFound is CUPS's client-error-not-found: no default printer, no
// printers at all.
var errNotFound = errors.New("not found")

// ErrNoPrinter is returned (wrapped) by Print when CUPS has no printer of
// that name.
var ErrNoPrinter = errors.New("CUPS has no printer of that name")

// do posts an IPP request, with a document after it when doc is not nil,
// and decodes the answer. A status other than successful is an error
// carrying CUPS's own message.
func (c *Client) do(ctx context.Context, path string, req *goipp.Message, doc []byte) (*goipp.Message, error) {
	body, err := req.EncodeBytes()
	if err != nil {
		return nil, err
	}
	var r io.Reader = bytes.NewReader(body)
	size := int64(len(body))
	if doc != nil {
		r = io.MultiReader(r, bytes.NewReader(doc))
		size += int64(len(doc))
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, r)
	if err != nil {
		return nil, err
	}
	hr.ContentLength = size
	hr.Header.Set("Content-Type", goipp.ContentType)
	hr.Header.Set("Accept", goipp.ContentType)
	res, err := c.http.Do(hr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, fmt.Errorf("%w at %s: %v", ErrUnreachable, c.Server(), op.Err)
		}
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, fmt.Errorf("CUPS at %s refused %s (HTTP %d): check its access policy", c.Server(), goipp.Op(req.Code), res.StatusCode)
	default:
		return nil, fmt.Errorf("CUPS at %s answered HTTP %d", c.Server(), res.StatusCode)
	}
	var resp goipp.Message
	if err := resp.DecodeBytes(data); err != nil {
		return nil, fmt.Errorf("CUPS answer: %w", err)
	}
	status := goipp.Status(resp.Code)
	if status == goipp.StatusErrorNotFound {
		return nil, errNotFound
	}
	if status > goipp.StatusOkEventsComplete {
		msg := text(resp.Operation, "status-message")
		if msg == "" {
			msg = status.String()
		}
		return nil, fmt.Errorf("CUPS: %s (%s)", msg, status)
	}
	return &resp, nil
}

func find(attrs goipp.Attributes, name string) goipp.Values {
	for _, a := range attrs {
		if a.Name == name {
			return a.Values
		}
	}
	return nil
}

func text(attrs goipp.Attributes, name string) string {
	if v := find(attrs, name); len(v) > 0 {
		return v[0].V.String()
	}
	return ""
}

func texts(attrs goipp.Attributes, name string) []string {
	var out []string
	for _, v := range find(attrs, name) {
		out = append(out, v.V.String())
	}
	return out
}

func number(attrs goipp.Attributes, name string) int {
	if v := find(attrs, name); len(v) > 0 {
		if n, ok := v[0].V.(goipp.Integer); ok {
			return int(n)
		}
	}
	return 0
}

func boolean(attrs goipp.Attributes, name string) bool {
	if v := find(attrs, name); len(v) > 0 {
		if b, ok := v[0].V.(goipp.Boolean); ok {
			return bool(b)
		}
	}
	return false
}
