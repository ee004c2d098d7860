package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hotline/calendar"
	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/platform/sample"
	"hotline/report"
)

func openXLSX(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestReportCommand: `hotline report` writes the monthly report of the
// terminal's cache as complaint.Compute has the figures, and the daily
// report of the tickets closed on a day, as .xlsx and CSV, under their
// default names or --out; bad input is refused before anything is read or
// written.
func TestReportCommand(t *testing.T) {
	o, _ := newOffice(t, 0)
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := context.Background()

	// Four tickets dispatched in the middle of last month, China time, so
	// that the month is whole whenever the test runs.
	y, m, _ := time.Now().In(shanghai).Date()
	from := time.Date(y, m, 1, 0, 0, 0, 0, shanghai).AddDate(0, -1, 0)
	p := complaint.Period{From: from, To: from.AddDate(0, 1, 0)}
	month := from.Format("2006-01")
	ts := o.p.gen.Tickets(4, from.AddDate(0, 0, 14).Add(10*time.Hour), time.Hour)
	if _, err := o.p.db.Dispatch(ctx, ts, "center"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.as("duty", "sync", "--once"); err != nil {
		t.Fatal(err)
	}

	// One ticket signed, long after its dispatch, and assigned to 城东供电所:
	// the others stay with the unit, unsigned.
	n := ts[0].Number
	o.must("duty", "签收 "+n+": done; state 已签收\n", "sign", n)
	o.must("duty", "派发 "+n+": done; state 已派发\n", "assign", n, "--subunit", sample.HandlerUnit)

	file := "月报-" + month + ".xlsx"
	o.must("duty", "wrote "+file+": 6 sub-units, 4 tickets received in "+month+"\n", "report", "monthly", "--month", month)

	f := openXLSX(t, filepath.Join(dir, file))
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"月度统计", "排名", "每日", "督办"}) {
		t.Fatalf("sheets %q", got)
	}
	fig := sheetRows(t, f, "月度统计")
	if len(fig) != 9 {
		t.Fatalf("月度统计 has %d rows, want the title, the header, 6 sub-units and the total:\n%q", len(fig), fig)
	}
	if want := "市供电公司 投诉办理情况统计（" + report.PeriodLabel(p) + "）"; fig[0][0] != want {
		t.Errorf("title %q, want %q", fig[0][0], want)
	}
	// 受理, 按时签收, 签收及时率 of 城东供电所 and of the whole unit: of 4
	// tickets, one assigned, none signed within 30 minutes of its dispatch.
	cd := slices.IndexFunc(fig, func(r []string) bool { return len(r) > 1 && r[0] == sample.HandlerUnit })
	if cd < 0 || !reflect.DeepEqual(fig[cd][1:5], []string{"城东供电所", "1", "0", "0.0%"}) {
		t.Errorf("城东供电所's row: %q", fig)
	}
	if total := fig[8]; !reflect.DeepEqual(total[:5], []string{"gdj", "合计", "4", "0", "0.0%"}) {
		t.Errorf("the total row: %q", total)
	}

	// Every sheet is what report.Monthly makes of complaint.Compute and
	// Supervise over the same cache: the statistics screen's figures.
	term, err := openTerminal(o.settings["duty"])
	if err != nil {
		t.Fatal(err)
	}
	hist, err := term.store.History(ctx, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	units, _, _ := term.directory(ctx)
	sess, _ := term.session(ctx)
	term.close()
	cal, _ := calendar.New(calendar.Options{})
	now := time.Now()
	stats := complaint.Compute(hist, units, "gdj", p, sess.Unit.Policy, cal, complaint.DefaultWeights, now)
	all, subs := complaint.Supervise(hist, units, "gdj", p, sess.Unit.Policy, cal, now)
	var want bytes.Buffer
	if err := report.Monthly(stats, append(subs, all), "市供电公司", &want); err != nil {
		t.Fatal(err)
	}
	wf, err := excelize.OpenReader(&want)
	if err != nil {
		t.Fatal(err)
	}
	defer wf.Close()
	for _, sheet := range []string{"月度统计", "排名", "每日", "督办"} {
		if got, want := sheetRows(t, f, sheet), sheetRows(t, wf, sheet); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", sheet, got, want)
		}
	}

	o.must("duty", "wrote m.csv: 6 sub-units, 4 tickets received in "+month+"\n", "report", "monthly", "--month", month, "--csv", "--out", "m.csv")
	var wantCSV bytes.Buffer
	if err := report.MonthlyCSV(stats, &wantCSV); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "m.csv")); err != nil || !bytes.Equal(got, wantCSV.Bytes()) {
		t.Errorf("m.csv = %q, %v\nwant %q", got, err, wantCSV.Bytes())
	}

	// Two tickets closed on 2026-12-03 and one the day before, in the
	// terminal's cache; one titled as a formula.
	term, err = openTerminal(o.settings["duty"])
	if err != nil {
		t.Fatal(err)
	}
	var closed []complaint.Ticket
	for i, c := range []struct{ at, satisfaction, title string }{
		{"2026-12-03 10:05", complaint.Satisfied, `=HYPERLINK("http://x","点我")`},
		{"2026-12-03 16:30", complaint.Unsatisfied, ""},
		{"2026-12-02 23:59", complaint.Satisfied, ""},
	} {
		tk, err := term.store.Ticket(ctx, ts[1+i].Number)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.at, shanghai)
		if c.title != "" {
			tk.Title = c.title
		}
		tk.State, tk.Version, tk.Satisfaction, tk.Subunit = complaint.Closed, tk.Version+1, c.satisfaction, "gdj-cx"
		tk.Reply = &complaint.Reply{Text: "经核查，已处理。\n市民认可。", At: at.Add(-time.Hour)}
		tk.Events = append(tk.Events, complaint.Event{Kind: complaint.KindClose, At: at, To: complaint.Closed, Actor: "center"})
		if err := term.store.PutTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		closed = append(closed, tk)
	}
	term.close()

	o.must("duty", "wrote 日报-2026-12-03.xlsx: 2 tickets closed (办结) on 2026-12-03\n", "report", "daily", "--date", "2026-12-03")
	f = openXLSX(t, filepath.Join(dir, "日报-2026-12-03.xlsx"))
	row := func(i int, tk complaint.Ticket, closedAt string) []string {
		return []string{string(rune('0' + i)), tk.Number, tk.Title, tk.Caller, "城西供电所",
			tk.ReceivedAt.In(shanghai).Format("2006-01-02 15:04"), closedAt, tk.Satisfaction, "经核查，已处理。\n市民认可。"}
	}
	wantRows := [][]string{
		{"市供电公司 办结工单日报（2026-12-03）"},
		{"共办结 2 件：满意 1 件，基本满意 0 件，不满意 1 件"},
		{"序号", "工单编号", "标题", "来电人", "承办部门", "受理时间", "办结时间", "满意度", "回复内容"},
		row(1, closed[0], "2026-12-03 10:05"),
		row(2, closed[1], "2026-12-03 16:30"),
	}
	if got := sheetRows(t, f, "日报"); !reflect.DeepEqual(got, wantRows) {
		t.Errorf("日报:\n got %q\nwant %q", got, wantRows)
	}
	if formula, err := f.GetCellFormula("日报", "C4"); err != nil || formula != "" {
		t.Errorf("the formula-like title became the formula %q (%v)", formula, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "日报-2026-12-03.xlsx")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("日报 %v, %v: want mode 0600 (it holds callers' names)", fi, err)
	}

	o.must("duty", "wrote 日报-2026-12-03.csv: 2 tickets closed (办结) on 2026-12-03\n", "report", "daily", "--csv", "--date", "2026-12-03")
	wantDay := "\uFEFF序号,工单编号,标题,来电人,承办部门,受理时间,办结时间,满意度,回复内容\r\n" +
		"1,\"\t" + closed[0].Number + "\",\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\"," + closed[0].Caller + ",城西供电所," +
		closed[0].ReceivedAt.In(shanghai).Format("2006-01-02 15:04") + ",2026-12-03 10:05,满意,\"经核查，已处理。\r\n市民认可。\"\r\n" +
		"2,\"\t" + closed[1].Number + "\"," + closed[1].Title + "," + closed[1].Caller + ",城西供电所," +
		closed[1].ReceivedAt.In(shanghai).Format("2006-01-02 15:04") + ",2026-12-03 16:30,不满意,\"经核查，已处理。\r\n市民认可。\"\r\n"
	if got, err := os.ReadFile(filepath.Join(dir, "日报-2026-12-03.csv")); err != nil || string(got) != wantDay {
		t.Errorf("日报 CSV = %q, %v\nwant %q", got, err, wantDay)
	}

	// A day without closed tickets is a report too: 0 of them.
	o.must("duty", "wrote empty.xlsx: 0 tickets closed (办结) on 2026-12-05\n", "report", "daily", "--date", "2026-12-05", "--out", "empty.xlsx")

	// A folder given as --out, with something in it to be left alone.
	sub := filepath.Join(dir, "work")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "report needs daily or monthly: report daily [--date 2026-12-03] | report monthly --month 2026-11 (see hotline help)"},
		{[]string{"report", "weekly"}, `unknown report "weekly": give daily or monthly (see hotline help)`},
		{[]string{"report", "daily", "--date", "2026-12-32"}, `--date "2026-12-32": December 2026 has no day 32 (see hotline help)`},
		{[]string{"report", "daily", "--date", "2026-02-30"}, `--date "2026-02-30": February 2026 has no day 30 (see hotline help)`},
		{[]string{"report", "daily", "--date", "2026-13-01"}, `--date "2026-13-01": there is no month 13 (see hotline help)`},
		{[]string{"report", "daily", "--date", "2026/12/03"}, `--date "2026/12/03": give a day as YYYY-MM-DD, e.g. --date 2026-12-03 (see hotline help)`},
		{[]string{"report", "daily", "--date", "2026-12-3"}, `--date "2026-12-3": give a day as YYYY-MM-DD, e.g. --date 2026-12-03 (see hotline help)`},
		{[]string{"report", "daily", "--month", "2026-11"}, "usage: flag provided but not defined: -month"},
		{[]string{"report", "daily", "--out", "d.csv"}, "--out d.csv: this report is .xlsx: name the file .xlsx, or add --csv (see hotline help)"},
		{[]string{"report", "daily", "--csv", "--out", "d.XLSX"}, "--out d.XLSX: this report is .csv: name the file .csv, or drop --csv (see hotline help)"},
		{[]string{"report", "daily", "--out", filepath.Join(dir, "no", "d.xlsx")},
			`--out "` + filepath.Join(dir, "no", "d.xlsx") + `": the folder ` + filepath.Join(dir, "no") + ` does not exist: create it, or give a file in another folder (see hotline help)`},
		{[]string{"report", "daily", "--out", filepath.Join(dir, file, "d.xlsx")},
			`--out "` + filepath.Join(dir, file, "d.xlsx") + `": ` + filepath.Join(dir, file) + ` is not a folder (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-11", "--out", sub}, `--out "` + sub + `" is a folder: give a file name, e.g. ` + filepath.Join(sub, "月报-2026-11.xlsx") + ` (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-11", "--csv", "--out", sub + "/"}, `--out "` + sub + `/" is a folder: give a file name, e.g. ` + filepath.Join(sub, "月报-2026-11.csv") + ` (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-11", "--out", "nov.txt"}, `--out "nov.txt": a report is written as .xlsx, or as .csv with --csv: name the file e.g. nov.xlsx (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-11", "--csv", "--out", "nov.txt"}, `--out "nov.txt": a report is written as .xlsx, or as .csv with --csv: name the file e.g. nov.csv (see hotline help)`},
		{[]string{"report", "daily", "--out", "today"}, `--out "today": a report is written as .xlsx, or as .csv with --csv: name the file e.g. today.xlsx (see hotline help)`},
		{[]string{"report", "monthly"}, "report monthly needs --month YYYY-MM, e.g. --month 2026-11 (see hotline help)"},
		{[]string{"report", "monthly", "--month", "2026-13"}, `--month "2026-13": there is no month 13 (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-00"}, `--month "2026-00": there is no month 0 (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-11-01"}, `--month "2026-11-01": give a month as YYYY-MM, e.g. --month 2026-11 (see hotline help)`},
		{[]string{"report", "monthly", "--month", "2026-1"}, `--month "2026-1": give a month as YYYY-MM, e.g. --month 2026-11 (see hotline help)`},
		{[]string{"report", "monthly", "--date", "2026-12-03"}, "usage: flag provided but not defined: -date"},
	} {
		_, err := o.as("duty", bad.args...)
		if err == nil || err.Error() != bad.want {
			t.Errorf("hotline %s = %v\nwant %s", strings.Join(bad.args, " "), err, bad.want)
		}
		// Each is a usage error: exit status 2.
		var ue usageError
		if err != nil && !errors.As(err, &ue) && !errors.Is(err, cli.ErrUsage) {
			t.Errorf("hotline %s: %T is not a usage error", strings.Join(bad.args, " "), err)
		}
	}
	if after := listDir(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("refused reports wrote files: %q, before %q", after, before)
	}
	if got := listDir(t, sub); len(got) != 0 {
		t.Errorf("a refused report wrote into the folder given as --out: %q", got)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
