package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hotline/complaint"
)

// stdout runs hotlined with args and returns what it printed.
func stdout(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	runErr := run(args)
	os.Stdout = saved
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), runErr
}

func TestUnitPolicy(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "init", "--dir", data, "--endpoint", "platform.example.org:51820")
	mustRun(t, "unit", "add", "--dir", data, "--code", "12345", "--name", "12345中心", "--kind", "center")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj-cd", "--name", "城东供电所", "--kind", "subunit", "--parent", "gdj")

	tests := []struct {
		args []string
		out  string
		err  string
	}{
		{[]string{"--unit", "gdj", "--reply-days", "5", "--duty-sends=true"},
			"unit gdj policy: notify 30min, contact 1wd, reply 5wd, review 120min, near 25%, duty officer sends\n", ""},
		// Flags not given keep their values.
		{[]string{"--unit", "gdj", "--notify-minutes", "20", "--contact-days", "2", "--review-minutes", "90", "--near", "0.3"},
			"unit gdj policy: notify 20min, contact 2wd, reply 5wd, review 90min, near 30%, duty officer sends\n", ""},
		{[]string{"--unit", "gdj", "--duty-sends=false"},
			"unit gdj policy: notify 20min, contact 2wd, reply 5wd, review 90min, near 30%, approval sends\n", ""},
		{[]string{"--unit", "gdj", "--reply-days", "-1"}, "", "set policy of gdj: invalid policy: negative time"},
		{[]string{"--unit", "gdj-cd", "--reply-days", "3"}, "", "set policy of gdj-cd: invalid: a policy belongs to a first-level unit, not a subunit"},
		{[]string{"--unit", "nope", "--reply-days", "3"}, "", `set policy: unknown unit "nope"`},
		{[]string{"--reply-days", "3"}, "", "unit policy needs --unit (see hotlined help)"},
	}
	for _, tt := range tests {
		out, err := stdout(t, append([]string{"unit", "policy", "--dir", data}, tt.args...)...)
		if out != tt.out || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("unit policy %s = %q, %v; want %q, %q", strings.Join(tt.args, " "), out, err, tt.out, tt.err)
		}
	}

	db, err := openDB(data)
	if err != nil {
		t.Fatal(err)
	}
	us, err := db.Units(context.Background())
	db.Close()
	want := complaint.Policy{NotifyMinutes: 20, ContactDays: 2, ReplyDays: 5, ReviewMinutes: 90, Near: 0.3}
	if err != nil || len(us) != 3 || us[1].Code != "gdj" || us[1].Policy != want {
		t.Fatalf("units = %+v, %v; want gdj with %+v", us, err, want)
	}

	out, err := stdout(t, "unit", "list", "--dir", data)
	// The policy column is as wide as its longest entry and two spaces.
	const policy = "notify 20min, contact 2wd, reply 5wd, review 90min, near 30%, approval sends"
	col := func(s string) string { return s + strings.Repeat(" ", len(policy)+2-len(s)) }
	wantList := "CODE    KIND     PARENT  " + col("POLICY") + "NAME\n" +
		"12345   center           " + col("-") + "12345中心\n" +
		"gdj     unit     12345   " + col(policy) + "市供电公司\n" +
		"gdj-cd  subunit  gdj     " + col("-") + "城东供电所\n"
	if err != nil || out != wantList {
		t.Errorf("unit list =\n%s\nwant\n%s", out, wantList)
	}
}
