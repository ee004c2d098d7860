package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/print"
)

// TestPrintCommand: `hotline print` writes the sheets of cached tickets as
// one PDF, prints them on the real CUPS queue PDF and follows the job to
// its end, picks the tickets closed today, and refuses bad input before
// doing anything.
func TestPrintCommand(t *testing.T) {
	pdftotext := testenv.Command(t, "pdftotext", "poppler-utils")
	o, ts := newOffice(t, 3)
	if _, err := o.as("duty", "sync", "--once"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	one := filepath.Join(dir, "one.pdf")
	o.must("duty", "wrote "+one+": 1 sheet, 1 page\n", "print", ts[0].Number, "--pdf", one)
	fi, err := os.Stat(one)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("PDF %v, %v; want mode 0600", fi, err)
	}
	text, err := exec.Command(pdftotext, "-raw", one, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{print.Title, ts[0].Number, ts[0].Title} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the sheet's text lacks %q:\n%s", want, text)
		}
	}

	// A ticket dispatched after the terminal's last sync prints as the
	// platform has it: print syncs first.
	late := o.p.gen.Tickets(1, time.Now(), time.Hour)
	if _, err := o.p.db.Dispatch(context.Background(), late, "center"); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.pdf")
	o.must("duty", "wrote "+fresh+": 1 sheet, 1 page\n", "print", late[0].Number, "--pdf", fresh)
	if text, err := exec.Command(pdftotext, "-raw", fresh, "-").Output(); err != nil || !strings.Contains(string(text), late[0].Number) {
		t.Errorf("the late ticket's sheet: %v\n%s", err, text)
	}

	// Closed today and closed yesterday, in the terminal's cache.
	term, err := openTerminal(o.settings["duty"])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, at := range []time.Time{now.Add(-24 * time.Hour), now} {
		tk, err := term.store.Ticket(context.Background(), ts[1+i].Number)
		if err != nil {
			t.Fatal(err)
		}
		tk.State, tk.Version = complaint.Closed, tk.Version+1
		tk.Events = append(tk.Events, complaint.Event{Kind: complaint.KindClose, At: at, To: complaint.Closed, Actor: "center"})
		if err := term.store.PutTicket(context.Background(), tk); err != nil {
			t.Fatal(err)
		}
	}
	term.close()
	today := filepath.Join(dir, "today.pdf")
	o.must("duty", "wrote "+today+": 1 sheet, 1 page\n", "print", "--closed-today", "--pdf", today)
	text, err = exec.Command(pdftotext, "-raw", today, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), ts[2].Number) || strings.Contains(string(text), ts[1].Number) {
		t.Errorf("closed today printed the wrong tickets:\n%s", text)
	}

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"print"}, "print needs ticket numbers or --closed-today"},
		{[]string{"print", ts[0].Number, "--copies", "0"}, "--copies 0: give 1 to 99"},
		{[]string{"print", ts[0].Number, "--closed-today"}, "not both"},
		{[]string{"print", "999999", "--pdf", filepath.Join(dir, "x.pdf")}, "ticket 999999 is not in this terminal's cache"},
	} {
		if _, err := o.as("duty", bad.args...); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("hotline %v = %v, want an error with %q", bad.args, err, bad.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.pdf")); err == nil {
		t.Error("a refused print wrote its PDF")
	}

	// No CUPS: the PDF is saved for the system's viewer, whether or not
	// one opens here.
	orig, err := os.ReadFile(o.settings["duty"])
	if err != nil {
		t.Fatal(err)
	}
	noCUPS := filepath.Join(filepath.Dir(o.settings["duty"]), "no-cups.toml")
	if err := os.WriteFile(noCUPS, append(orig, []byte("cups = \"127.0.0.1:1\"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	stdout = &buf
	err = run([]string{"print", ts[0].Number, "--config", noCUPS})
	stdout = os.Stdout
	saved := regexp.MustCompile(`saved (\S+\.pdf)`).FindStringSubmatch(buf.String() + errString(err))
	if saved == nil {
		t.Fatalf("print without CUPS: %q, %v; want the path of the saved PDF", buf.String(), err)
	}
	if b, err := os.ReadFile(saved[1]); err != nil || !strings.HasPrefix(string(b), "%PDF-") || !strings.Contains(saved[1], string(filepath.Separator)+"prints"+string(filepath.Separator)) {
		t.Errorf("saved PDF %s: %.8q, %v", saved[1], b, err)
	}

	// A real job on CUPS.
	if _, err := print.NewClient("").Printers(context.Background()); err != nil {
		testenv.Missing(t, "CUPS with a PDF printer (bash scripts/test.sh sets it up): "+err.Error())
	}
	out, err := o.as("duty", "print", ts[0].Number, ts[2].Number, "--printer", "PDF")
	if err != nil {
		t.Fatalf("print on PDF: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^job \d+: 已完成\n\z`).MatchString(strings.TrimSuffix(out, lastLine(out))) ||
		lastLine(out) != "printed 2 sheets (2 pages, 1 copy) on PDF\n" {
		t.Errorf("print on PDF said:\n%s", out)
	}
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndex(s, "\n")+1:] + "\n"
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
