package intake

import (
	"errors"
	"hotline/internal/testenv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// dataDir is the shared real data: ../shared beside the repository root.
func dataDir(tb testing.TB) string {
	tb.Helper()
	return testenv.Shared(tb, "data/teddy2020c")
}

func TestRealAttachment4(t *testing.T) {
	dir := dataDir(t)
	res, err := Read(filepath.Join(dir, "附件4.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2816 || res.Total != 2816 || len(res.Bad) != 0 || res.Encoding != "" {
		t.Fatalf("got %d rows of %d, %d bad, encoding %q; want 2816 of 2816, none bad", len(res.Rows), res.Total, len(res.Bad), res.Encoding)
	}
	for _, r := range res.Rows {
		if r.Number == "" || r.Title == "" || r.Content == "" || r.Reply == "" || r.ReceivedAt.IsZero() || r.RepliedAt.IsZero() {
			t.Fatalf("row %d lacks a value: %+v", r.Line, r)
		}
		if r.Content != strings.TrimSpace(r.Content) || strings.ContainsRune(r.Content+r.Reply+r.Title, utf8.RuneError) {
			t.Fatalf("row %d: content not trimmed, or U+FFFD in text", r.Line)
		}
	}
	first := res.Rows[0]
	if first.Line != 2 || first.Number != "2549" || first.Caller != "A00045581" || first.Title != "A2区景蓉华苑物业管理有问题" ||
		!first.ReceivedAt.Equal(utc(2019, 4, 25, 1, 32, 9)) || !first.RepliedAt.Equal(utc(2019, 5, 10, 6, 56, 53)) ||
		first.Phone != "" || first.Address != "" || first.Category != "" {
		t.Errorf("first row %+v", first)
	}
	// The cell starts "\n\t\t\t\t\t\n\t\t\t\t\t" in the file.
	if n := utf8.RuneCountInString(first.Content); n != 342 ||
		!strings.HasPrefix(first.Content, "2019年4月以来，位于A市A2区桂花坪街道的A2区公安分局宿舍区（景蓉华苑)") ||
		!strings.HasSuffix(first.Content, "这种投票何来公平公正公开，面对公安干警采用这种方式投票合法性在哪？") {
		t.Errorf("first content (%d characters) %q", n, first.Content)
	}
	if n := utf8.RuneCountInString(first.Reply); n != 454 ||
		!strings.HasPrefix(first.Reply, "现将网友在平台《问政西地省》栏目向胡华衡书记留言反映") ||
		!strings.HasSuffix(first.Reply, "再次感谢您对我区工作的理解和关心。2019年5月9日") {
		t.Errorf("first reply (%d characters) %q", n, first.Reply)
	}
	last := res.Rows[len(res.Rows)-1]
	if last.Line != 2817 || last.Number != "185986" || last.Caller != "UU008363" || last.Title != "强烈呼吁宁朱公路拓宽提质改造" ||
		!last.ReceivedAt.Equal(utc(2011, 10, 3, 13, 52, 37)) || !last.RepliedAt.Equal(utc(2012, 2, 28, 2, 19, 55)) ||
		!strings.HasPrefix(last.Content, "A8县朱良桥乡可以说是A8县最破烂的乡了。") {
		t.Errorf("last row %+v", last)
	}
}

// The GB18030 CSV holds the first 300 rows of 附件4.xlsx: both readers must
// give the same values.
func TestRealCSVMatchesXLSX(t *testing.T) {
	dir := dataDir(t)
	x, err := Read(filepath.Join(dir, "附件4.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Read(filepath.Join(dir, "附件4-前300行-gb18030.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Encoding != "gb18030" || len(c.Rows) != 300 || c.Total != 300 || len(c.Bad) != 0 {
		t.Fatalf("csv: %s, %d rows of %d, bad %v", c.Encoding, len(c.Rows), c.Total, c.Bad)
	}
	if !rowsEqual(c.Rows, x.Rows[:300]) {
		for i := range c.Rows {
			if !rowsEqual(c.Rows[i:i+1], x.Rows[i:i+1]) {
				t.Fatalf("row %d differs:\n csv  %+v\n xlsx %+v", c.Rows[i].Line, c.Rows[i], x.Rows[i])
			}
		}
	}
	forced, err := Read(filepath.Join(dir, "附件4-前300行-gb18030.csv"), Options{Encoding: "gb18030"})
	if err != nil || !rowsEqual(forced.Rows, c.Rows) {
		t.Errorf("forced gb18030 differs from detected: %v", err)
	}
	// Forced to UTF-8 the header itself is not UTF-8.
	p := filepath.Join(dir, "附件4-前300行-gb18030.csv")
	_, err = Read(p, Options{Encoding: "utf-8"})
	if err == nil || err.Error() != p+" row 1, column 1: header bytes not valid UTF-8: C1 F4 D1 at byte 1 of the field (2 bad sequences in all); is the encoding right?" {
		t.Errorf("forced utf-8: %v", err)
	}
}

// e2.xlsx has 495 data rows in 7 categories; number 37042 appears twice
// (rows 100 and 312: the same message under two categories), which is
// reported, so only 494 rows import, with --skip-bad.
func TestRealE2(t *testing.T) {
	dir := dataDir(t)
	path := filepath.Join(dir, "e2.xlsx")
	res, err := Read(path, Options{})
	var bre *BadRowsError
	if !errors.As(err, &bre) || bre.Rows != 1 || bre.Total != 495 || len(res.Rows) != 0 {
		t.Fatalf("err = %v, %d rows", err, len(res.Rows))
	}
	want := []Problem{{File: path, Line: 312, Column: "留言编号", Value: "37042", Message: "duplicate number; first at row 100"}}
	if !reflect.DeepEqual(res.Bad, want) {
		t.Errorf("bad %#v, want %#v", res.Bad, want)
	}
	res, err = Read(path, Options{SkipBad: true})
	if err != nil || res.Total != 495 || len(res.Rows) != 494 {
		t.Fatalf("skip bad: %d rows of %d, %v", len(res.Rows), res.Total, err)
	}
	cats := map[string]int{}
	for _, r := range res.Rows {
		cats[r.Category]++
	}
	wantCats := map[string]int{"交通运输": 55, "劳动和社会保障": 103, "卫生计生": 58, "商贸旅游": 48, "城乡建设": 101, "教育文体": 96, "环境保护": 33}
	if !reflect.DeepEqual(cats, wantCats) {
		t.Errorf("categories %v, want %v", cats, wantCats)
	}
	if r := res.Rows[0]; r.Number != "24" || r.Caller != "A00074011" || r.Title != "A市西湖建筑集团占道施工有安全隐患" ||
		!r.ReceivedAt.Equal(utc(2020, 1, 6, 4, 9, 38)) || r.Category != "城乡建设" || r.Reply != "" || !r.RepliedAt.IsZero() {
		t.Errorf("first row %+v", r)
	}
}

// 附件1.xlsx is the category tree, not complaints.
func TestRealNotComplaints(t *testing.T) {
	dir := dataDir(t)
	_, err := Read(filepath.Join(dir, "附件1.xlsx"), Options{})
	var mc *MissingColumnsError
	if !errors.As(err, &mc) || !reflect.DeepEqual(mc.Found, []string{"一级分类", "二级分类", "三级分类"}) || len(mc.Missing) != 4 {
		t.Errorf("err = %v", err)
	}
}

func TestReadByExtension(t *testing.T) {
	dir := t.TempDir()
	csv := header + "1,标题,2019/4/25,内容\r\n"
	for name, content := range map[string]string{"a.csv": csv, "a.dat": csv, "a.xls": "x"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"a.csv", "a.dat"} {
		res, err := Read(filepath.Join(dir, name), Options{})
		if err != nil || len(res.Rows) != 1 || res.Rows[0].Number != "1" || res.File != filepath.Join(dir, name) {
			t.Errorf("%s: %+v, %v", name, res, err)
		}
	}
	p := filepath.Join(dir, "a.xls")
	if _, err := Read(p, Options{}); err == nil || err.Error() != p+": old Excel 97-2003 .xls files are not read; save it as .xlsx or .csv" {
		t.Errorf("xls: %v", err)
	}
}

// BenchmarkReadXLSX reads 附件4.xlsx and reports rows per second.
func BenchmarkReadXLSX(b *testing.B) {
	path := filepath.Join(dataDir(b), "附件4.xlsx")
	rows := 0
	for b.Loop() {
		res, err := Read(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rows += len(res.Rows)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV reads the GB18030 CSV and reports rows per second.
func BenchmarkReadCSV(b *testing.B) {
	path := filepath.Join(dataDir(b), "附件4-前300行-gb18030.csv")
	rows := 0
	for b.Loop() {
		res, err := Read(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rows += len(res.Rows)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
