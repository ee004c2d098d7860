package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/api"
	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/platform/sample"
	"hotline/store"
)

// searchCache is a terminal whose cache holds six tickets of November 2026
// and the unit tree of the demo's power-supply unit, with no platform
// behind it; it returns the settings file.
func searchCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hotline.toml")
	if err := os.WriteFile(cfg, []byte("platform = \"http://127.0.0.1:9\"\nuser = \"duty\"\nstate = \"state\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	term, err := openTerminal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer term.close()
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, shanghai).UTC() }
	mk := func(number, title, content string, received time.Time, st complaint.State) complaint.Ticket {
		return complaint.Ticket{Number: number, Title: title, Content: content, ReceivedAt: received, DispatchedAt: received,
			Unit: sample.UnitCode, State: st, Version: 1, UpdatedAt: received, Category: "供电服务"}
	}
	ts := []complaint.Ticket{
		mk("20261101001", "城东小区夜间停电", "来电人反映夜间停电三小时", at(1, 0, 0), complaint.Dispatched),
		mk("20261115001", "路灯不亮\t影响出行\n请处理", "城西路灯不亮", at(15, 9, 30), complaint.Assigned),
		mk("20261130001", "电表走字快\x1b[2J", "吉𠮷反映电表走字过快", at(30, 23, 59), complaint.Replied),
		mk("20261201001", "十二月的停电", "停电", at(30, 24, 0), complaint.Signed),
		mk("20261031001", "十月的停电", "停电", at(1, 0, 0).Add(-time.Minute), complaint.Closed),
		mk("2026111500", "电压不稳", "电压忽高忽低", at(15, 8, 0), complaint.Signed),
	}
	ts[0].Phone = "0571-8888 1234"
	ts[0].Due = time.Now().Add(-time.Hour) // overdue
	ts[1].Subunit, ts[1].Category = "gdj-cd", "路灯"
	ts[2].Reply = &complaint.Reply{Text: "已更换电表", At: at(30, 23, 59)}
	ts[3].Due = time.Now().Add(time.Hour) // not yet
	if _, err := term.store.Apply(context.Background(), ts, nil, 1); err != nil {
		t.Fatal(err)
	}
	var d api.Directory
	for _, u := range sample.Units() {
		d.Units = append(d.Units, api.DirectoryUnit{Unit: u})
	}
	b, _ := json.Marshal(d)
	if err := term.store.Set(context.Background(), keyDir, string(b)); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// search runs hotline search on the terminal of cfg.
func search(cfg string, args ...string) (string, error) {
	var buf bytes.Buffer
	stdout = &buf
	defer func() { stdout = os.Stdout }()
	err := run(append([]string{"search", "--config", cfg}, args...))
	return buf.String(), err
}

func TestSearchCommand(t *testing.T) {
	cfg := searchCache(t)
	line := map[string]string{
		"20261101001": "20261101001\t2026-11-01 00:00\t待签收\t城东小区夜间停电\n",
		"20261115001": "20261115001\t2026-11-15 09:30\t已派发\t路灯不亮 影响出行 请处理\n",
		"20261130001": "20261130001\t2026-11-30 23:59\t待审核\t电表走字快␛[2J\n",
		"20261201001": "20261201001\t2026-12-01 00:00\t已签收\t十二月的停电\n",
		"20261031001": "20261031001\t2026-10-31 23:59\t办结\t十月的停电\n",
		"2026111500":  "2026111500\t2026-11-15 08:00\t已签收\t电压不稳\n",
	}
	lines := func(numbers ...string) string {
		var b strings.Builder
		for _, n := range numbers {
			b.WriteString(line[n])
		}
		return b.String()
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"everything", nil, lines("20261201001", "20261130001", "20261115001", "2026111500", "20261101001", "20261031001")},
		{"one word", []string{"停电"}, lines("20261201001", "20261101001", "20261031001")},
		{"two words", []string{"夜间", "停电"}, lines("20261101001")},
		{"in the reply", []string{"更换"}, lines("20261130001")},
		{"non-BMP", []string{"𠮷"}, lines("20261130001")},
		{"the month, --to inclusive", []string{"停电", "--from", "2026-11-01", "--to", "2026-11-30"}, lines("20261101001")},
		{"one day", []string{"--from", "2026-11-30", "--to", "2026-11-30"}, lines("20261130001")},
		{"number prefix", []string{"--number", "20261115"}, lines("20261115001", "2026111500")},
		{"number exact", []string{"--number", "20261115001"}, lines("20261115001")},
		{"number that begins another", []string{"--number", "2026111500"}, lines("20261115001", "2026111500")},
		{"phone", []string{"--phone", "0571 88881234"}, lines("20261101001")},
		{"state label", []string{"--state", "已签收"}, lines("20261201001", "2026111500")},
		{"state codes", []string{"--state", "signed,replied"}, lines("20261201001", "20261130001", "2026111500")},
		{"states repeated", []string{"--state", "signed", "--state", "待审核"}, lines("20261201001", "20261130001", "2026111500")},
		{"subunit by name", []string{"--subunit", "城东供电所"}, lines("20261115001")},
		{"subunit by code", []string{"--subunit", "gdj-cd"}, lines("20261115001")},
		{"category", []string{"--category", "路灯"}, lines("20261115001")},
		{"overdue", []string{"--overdue"}, lines("20261101001")},
		{"limit", []string{"停电", "--limit", "2"}, lines("20261201001", "20261101001")},
		{"flags after words", []string{"停电", "--state", "closed"}, lines("20261031001")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := search(cfg, tt.args...)
			if err != nil || out != tt.want {
				t.Errorf("hotline search %s\n got %q, %v\nwant %q", strings.Join(tt.args, " "), out, err, tt.want)
			}
		})
	}

	out, err := search(cfg, "走字", "--json")
	var got []complaint.Ticket
	if err != nil || json.Unmarshal([]byte(out), &got) != nil || len(got) != 1 || got[0].Number != "20261130001" ||
		got[0].Title != "电表走字快\x1b[2J" || got[0].Reply == nil || got[0].Reply.Text != "已更换电表" {
		t.Errorf("search --json = %q, %v", out, err)
	}

	if out, err := search(cfg, "不存在的词"); !errors.Is(err, errNothingFound) || out != "" {
		t.Errorf("search for nothing = %q, %v; want no output and errNothingFound", out, err)
	}

	for _, bad := range []struct {
		args []string
		want string
	}{
		// A day in the form that does not exist is told so.
		{[]string{"--from", "2026-11-31"}, `--from "2026-11-31": November 2026 has no day 31`},
		{[]string{"--from", "2026-13-01"}, `--from "2026-13-01": there is no month 13`},
		{[]string{"--to", "2026-02-29"}, `--to "2026-02-29": February 2026 has no day 29`},
		{[]string{"--to", "2026-02-00"}, `--to "2026-02-00": February 2026 has no day 0`},
		{[]string{"--from", "2026-00-10"}, `--from "2026-00-10": there is no month 0`},
		{[]string{"--from", "2026-2-3"}, `--from "2026-2-3": give a day as YYYY-MM-DD, e.g. 2026-11-01 (China time)`},
		{[]string{"--to", "30/11/2026"}, `--to "30/11/2026": give a day as YYYY-MM-DD, e.g. 2026-11-01 (China time)`},
		{[]string{"--from", "2026-11-30", "--to", "2026-11-01"}, `--to 2026-11-01 is before --from 2026-11-30: give the first day in --from and the last in --to`},
		{[]string{"--state", "待办"}, `--state "待办": give a state's label or code, e.g. 待签收 or dispatched`},
		{[]string{"--phone", "138-abc"}, `--phone "138-abc": give the digits of a phone number, spaces and dashes allowed, e.g. 0571-8888 1234`},
		// A phone copied masked from a screen: its last digits find it.
		{[]string{"--phone", "139****7868"}, `--phone "139****7868": give digits only; for a number masked as the screens show it, give its last digits, e.g. --phone 7868`},
		{[]string{"--limit", "-1"}, `--limit -1: give a number of tickets, 0 or more`},
		{[]string{"--subunit", "城北供电所"}, `--subunit "城北供电所": give a sub-unit's code or name: gdj-cd 城东供电所, gdj-cx 城西供电所, gdj-kf 开发区供电所, gdj-yx 营销部客户服务中心, gdj-yj 运维检修部, gdj-jl 计量中心`},
	} {
		_, err := search(cfg, bad.args...)
		var ue usageError
		if !errors.As(err, &ue) || err.Error() != bad.want+" (see hotline help)" {
			t.Errorf("search %s = %v\nwant the usage error %q", strings.Join(bad.args, " "), err, bad.want)
		}
	}
	if _, err := search(cfg, "--limit", "ten"); !errors.Is(err, cli.ErrUsage) || !strings.Contains(err.Error(), `invalid value "ten" for flag -limit`) {
		t.Errorf("search --limit ten = %v, want a usage error", err)
	}
}

// The exit status tells a script what happened: 0 found, 1 nothing found,
// 2 a bad flag, with the reason on stderr.
func TestSearchExitStatus(t *testing.T) {
	hotline, _ := binaries(t)
	cfg := searchCache(t)
	for _, c := range []struct {
		args   []string
		status int
		stdout string
		stderr string
	}{
		{[]string{"电压"}, 0, "2026111500\t2026-11-15 08:00\t已签收\t电压不稳\n", ""},
		{[]string{"不存在的词"}, 1, "", "hotline: no ticket found\n"},
		{[]string{"--from", "11/01"}, 2, "", "hotline: --from \"11/01\": give a day as YYYY-MM-DD, e.g. 2026-11-01 (China time) (see hotline help)\n"},
		{[]string{"--colour"}, 2, "", "flag provided but not defined: -colour\n"},
	} {
		cmd := exec.Command(hotline, append([]string{"search", "--config", cfg}, c.args...)...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		status := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			status = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if status != c.status || out.String() != c.stdout || !strings.HasPrefix(errOut.String(), c.stderr) {
			t.Errorf("hotline search %s: status %d, stdout %q, stderr %q\nwant %d, %q, %q", strings.Join(c.args, " "), status, out.String(), errOut.String(), c.status, c.stdout, c.stderr)
		}
	}
}

// --remote finds what the platform holds and the cache does not yet, and
// the screen's Remote asks the same.
func TestSearchRemote(t *testing.T) {
	o, ts := newOffice(t, 3)
	if _, err := o.as("duty", "sync", "--once"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	received := time.Date(2026, 11, 5, 10, 0, 0, 0, shanghai)
	late := []complaint.Ticket{
		{Number: "LATE-1", Title: "变压器啸叫𠮷", Content: "夜里变压器持续啸叫", Unit: sample.UnitCode, ReceivedAt: received, DispatchedAt: received},
		{Number: "LATE-2", Title: "变压器漏油", Content: "变压器下方有油迹", Unit: sample.UnitCode, ReceivedAt: received.Add(time.Hour), DispatchedAt: received.Add(time.Hour)},
	}
	if _, err := o.p.db.Dispatch(ctx, late, "center"); err != nil {
		t.Fatal(err)
	}
	if out, err := o.as("duty", "search", "变压器", "--number", "LATE"); !errors.Is(err, errNothingFound) {
		t.Fatalf("search in the cache alone = %q, %v; want nothing found", out, err)
	}
	want := "LATE-2\t2026-11-05 11:00\t待签收\t变压器漏油\nLATE-1\t2026-11-05 10:00\t待签收\t变压器啸叫𠮷\n"
	if out, err := o.as("duty", "search", "变压器", "--number", "LATE", "--remote"); err != nil || out != want {
		t.Errorf("search --remote = %q, %v; want %q", out, err, want)
	}
	if out, err := o.as("duty", "search", "啸叫", "--remote", "--from", "2026-11-05", "--to", "2026-11-05"); err != nil || out != want[strings.Index(want, "LATE-1"):] {
		t.Errorf("search 啸叫 --remote = %q, %v", out, err)
	}
	// A ticket in both comes once.
	cached := ts[0]
	out, err := o.as("duty", "search", "--number", cached.Number, "--remote")
	if err != nil || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, cached.Number+"\t") {
		t.Errorf("search --number %s --remote = %q, %v; want its one line", cached.Number, out, err)
	}
	// The screen's Remote: the same platform, through the terminal's link.
	term, err := openTerminal(o.settings["duty"])
	if err != nil {
		t.Fatal(err)
	}
	defer term.close()
	if _, err := term.remoteSearch(ctx, "变压器", store.Filter{}); err == nil {
		t.Error("remoteSearch before connect succeeded")
	}
	if err := term.connect(); err != nil {
		t.Fatal(err)
	}
	if err := term.reach(ctx); err != nil {
		t.Fatal(err)
	}
	open := true
	for _, c := range []struct {
		query string
		f     store.Filter
		want  []string
	}{
		{"变压器 啸叫", store.Filter{}, []string{"LATE-1"}},
		{"", store.Filter{Number: "LATE", Limit: 1}, []string{"LATE-2"}},
		{"", store.Filter{Number: "LATE", Open: &open}, []string{"LATE-2", "LATE-1"}},
		{"", store.Filter{Number: "LATE", Open: new(false)}, nil},
		{"", store.Filter{Number: "LATE", Open: &open, States: []complaint.State{complaint.Closed}}, nil},
	} {
		got, err := term.remoteSearch(ctx, c.query, c.f)
		var numbers []string
		for _, tk := range got {
			numbers = append(numbers, tk.Number)
		}
		if err != nil || !slices.Equal(numbers, c.want) {
			t.Errorf("remoteSearch(%q, %+v) = %v, %v; want %v", c.query, c.f, numbers, err, c.want)
		}
	}
}

// nonexistent tells a date in the right form that names no day or month;
// anything else, existing or in another form, is left to the form's
// message.
func TestNonexistent(t *testing.T) {
	for _, tt := range []struct{ layout, v, want string }{
		{"2006-01-02", "2024-02-29", ""},
		{"2006-01-02", "2026-02-29", "February 2026 has no day 29"},
		{"2006-01-02", "2026-02-30", "February 2026 has no day 30"},
		{"2006-01-02", "2026-04-31", "April 2026 has no day 31"},
		{"2006-01-02", "2026-12-31", ""},
		{"2006-01-02", "2026-13-01", "there is no month 13"},
		{"2006-01-02", "2026-2-30", ""},
		{"2006-01-02", "2026-02", ""},
		{"2006-01", "2026-13", "there is no month 13"},
		{"2006-01", "2026-00", "there is no month 0"},
		{"2006-01", "2026-12", ""},
		{"2006-01", "2026-02-30", ""},
	} {
		if got := nonexistent(tt.layout, tt.v); got != tt.want {
			t.Errorf("nonexistent(%q, %q) = %q, want %q", tt.layout, tt.v, got, tt.want)
		}
	}
}
