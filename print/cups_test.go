package print

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/OpenPrinting/goipp"

	"hotline/internal/testenv"
)

// localCUPS is a client of the machine's CUPS, which must have the
// cups-pdf printer PDF that scripts/test.sh sets up.
func localCUPS(t *testing.T) *Client {
	t.Helper()
	c := NewClient("")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ps, err := c.Printers(ctx)
	if errors.Is(err, ErrUnreachable) {
		testenv.Missing(t, "CUPS with a PDF printer (bash scripts/test.sh sets it up)")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == "PDF" {
			return c
		}
	}
	testenv.Missing(t, "CUPS with a PDF printer (bash scripts/test.sh sets it up)")
	return nil
}

// cupsPDFOut is the folder where cups-pdf writes the jobs of user, read from
// its configuration's Out line.
func cupsPDFOut(t *testing.T, user string) string {
	t.Helper()
	f, err := os.Open("/etc/cups/cups-pdf.conf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := "/var/spool/cups-pdf/${USER}" // the built-in default
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Out "); ok {
			out = strings.TrimSpace(v)
		}
	}
	home, _ := os.UserHomeDir()
	return strings.NewReplacer("${USER}", user, "${HOME}", home).Replace(out)
}

// TestPrint prints a batch of two sheets, one of them several pages long,
// to the cups-pdf printer, follows the job until it is completed and finds
// cups-pdf's file with the document's pages, on A4.
func TestPrint(t *testing.T) {
	c := localCUPS(t)
	pdfinfo := testenv.Command(t, "pdfinfo", "poppler-utils")
	out := render(t, NewSheet(sample(), names), NewSheet(realTicket(t, "96762"), Names{}))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	name := fmt.Sprintf("hotline-test-%d", time.Now().UnixNano())
	id, err := c.Print(ctx, "PDF", Job{Name: name, PDF: out.PDF, Copies: 2})
	if err != nil {
		t.Fatal(err)
	}
	var seen []JobState
	st, err := c.Wait(ctx, id, 100*time.Millisecond, func(s JobStatus) { seen = append(seen, s.State) })
	if err != nil {
		t.Fatal(err)
	}
	if st.State != JobCompleted || st.ID != id || st.Copies != 2 {
		t.Fatalf("job %d ended %+v (states seen %v)", id, st, seen)
	}
	if len(seen) == 0 || seen[len(seen)-1] != JobCompleted {
		t.Errorf("states seen %v do not end with completed", seen)
	}

	dir := cupsPDFOut(t, c.User)
	var file string
	for deadline := time.Now().Add(10 * time.Second); file == "" && time.Now().Before(deadline); {
		matches, _ := filepath.Glob(filepath.Join(dir, name+"*job_"+fmt.Sprint(id)+".pdf"))
		if len(matches) == 1 {
			file = matches[0]
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if file == "" {
		t.Fatalf("no file for job %d (%s) in %s", id, name, dir)
	}
	info, err := exec.Command(pdfinfo, file).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("Pages:           %d\n", out.Pages); !strings.Contains(string(info), want) {
		t.Errorf("cups-pdf's file has not the %d pages printed:\n%s", out.Pages, info)
	}
	if !regexp.MustCompile(`Page size: +595(\.\d+)? x 842 pts \(A4\)`).Match(info) {
		t.Errorf("cups-pdf's file is not A4:\n%s", info)
	}
	os.Remove(file)
}

// TestPrinters lists the printers as lpstat does, with the same default.
func TestPrinters(t *testing.T) {
	c := localCUPS(t)
	lpstat := testenv.Command(t, "lpstat", "cups-client")
	ctx := context.Background()
	ps, err := c.Printers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pdf Printer
	var defaults []string
	for _, p := range ps {
		if p.Name == "PDF" {
			pdf = p
		}
		if p.Default {
			defaults = append(defaults, p.Name)
		}
	}
	if !pdf.Accepting || pdf.State == "" || !strings.Contains(pdf.MakeModel, "CUPS-PDF") {
		t.Errorf("printer PDF: %+v", pdf)
	}
	def, err := c.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(lpstat, "-d").Output()
	want := ""
	if v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "system default destination: "); ok {
		want = v
	}
	if def != want {
		t.Errorf("Default = %q, lpstat -d says %q", def, out)
	}
	if want != "" && (len(defaults) != 1 || defaults[0] != want) {
		t.Errorf("printers marked default: %q, want %q", defaults, want)
	}
	out, _ = exec.Command(lpstat, "-e").Output()
	if got, want := len(ps), len(strings.Fields(string(out))); got != want {
		t.Errorf("%d printers, lpstat -e lists %d", got, want)
	}
}

// TestCancel holds a job, cancels it and sees it canceled.
func TestCancel(t *testing.T) {
	c := localCUPS(t)
	ctx := context.Background()
	out := render(t, NewSheet(sample(), names))
	req := c.request(goipp.OpPrintJob)
	req.Operation.Add(goipp.MakeAttribute("printer-uri", goipp.TagURI, goipp.String(printerURI("PDF"))))
	req.Operation.Add(goipp.MakeAttribute("requesting-user-name", goipp.TagName, goipp.String(c.User)))
	req.Operation.Add(goipp.MakeAttribute("document-format", goipp.TagMimeType, goipp.String("application/pdf")))
	req.Job.Add(goipp.MakeAttribute("job-hold-until", goipp.TagKeyword, goipp.String("indefinite")))
	resp, err := c.do(ctx, "/printers/PDF", req, out.PDF)
	if err != nil {
		t.Fatal(err)
	}
	id := number(resp.Job, "job-id")
	st, err := c.Status(ctx, id)
	if err != nil || st.State != JobHeld {
		t.Fatalf("held job: %+v, %v", st, err)
	}
	if err := c.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	st, err = c.Wait(ctx, id, 50*time.Millisecond, nil)
	if err != nil || st.State != JobCanceled || st.State.Label() != "已取消" {
		t.Errorf("canceled job: %+v, %v", st, err)
	}
}

func TestPrintErrors(t *testing.T) {
	c := localCUPS(t)
	ctx := context.Background()
	_, err := c.Print(ctx, "NoSuchPrinter", Job{PDF: []byte("%PDF-1.4")})
	if err == nil || !strings.Contains(err.Error(), "NoSuchPrinter") {
		t.Errorf("printing to a missing printer: %v", err)
	}
	if _, err := c.Status(ctx, 999999); err == nil {
		t.Error("status of a missing job: no error")
	}
}

// TestUnreachable is what a machine without CUPS gets: ErrUnreachable, so
// the caller can fall back to Show.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, server := range []string{addr, filepath.Join(t.TempDir(), "cups.sock")} {
		c := NewClient(server)
		if _, err := c.Default(context.Background()); !errors.Is(err, ErrUnreachable) {
			t.Errorf("%s: err = %v, want ErrUnreachable", server, err)
		}
		if _, err := c.Print(context.Background(), "PDF", Job{PDF: []byte("x")}); !errors.Is(err, ErrUnreachable) {
			t.Errorf("%s: print err = %v, want ErrUnreachable", server, err)
		}
	}
}

func TestNewClient(t *testing.T) {
	tests := []struct{ server, env, want string }{
		{"/run/cups/other.sock", "", "/run/cups/other.sock"},
		{"printhost", "", "http://printhost:631"},
		{"printhost:8631", "", "http://printhost:8631"},
		{"[::1]:631", "", "http://[::1]:631"},
		{"ipp://printhost:632/printers/x", "", "http://printhost:632"},
		{"ipps://printhost", "", "https://printhost:631"},
		{"", "envhost", "http://envhost:631"},
		{"", "/tmp/env.sock", "/tmp/env.sock"},
	}
	for _, tt := range tests {
		t.Setenv("CUPS_SERVER", tt.env)
		if got := NewClient(tt.server).Server(); got != tt.want {
			t.Errorf("NewClient(%q) with CUPS_SERVER=%q goes to %s, want %s", tt.server, tt.env, got, tt.want)
		}
	}
}

func TestJobState(t *testing.T) {
	for s := JobPending; s <= JobCompleted; s++ {
		if s.Done() != (s >= JobCanceled) || strings.HasPrefix(s.Label(), "状态") || strings.HasPrefix(s.String(), "job-state") {
			t.Errorf("state %d: done %v label %q name %q", s, s.Done(), s.Label(), s.String())
		}
	}
}
