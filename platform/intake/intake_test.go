package intake

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// utc builds an expected instant from UTC fields, independently of the
// package's own zone handling.
func utc(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// xlsxFile builds a workbook in memory: fill sets its cells.
func xlsxFile(t *testing.T, fill func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f, "Sheet1")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func setRow(t *testing.T, f *excelize.File, sheet string, row int, values ...any) {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(1, row)
	if err := f.SetSheetRow(sheet, ref, &values); err != nil {
		t.Fatal(err)
	}
}

// Case 5: a date cell of built-in format 14 and a text time must both import
// as their exact instants in China time.
func TestXLSXDateCells(t *testing.T) {
	data := xlsxFile(t, func(f *excelize.File, sh string) {
		setRow(t, f, sh, 1, "留言编号", "留言主题", "留言时间", "留言详情", "答复时间")
		setRow(t, f, sh, 2, "1", "日期单元格", 45366.0, "内容一", "")
		setRow(t, f, sh, 3, "2", "文本时间", "2019/4/25 9:32:09", "内容二", "2019-05-10 14:56:53")
		// 2019-04-25 09:32:09 as a serial, in a date-time cell (format 22).
		setRow(t, f, sh, 4, "3", "日期时间单元格", 43580+(9*3600+32*60+9)/86400.0, "内容三", 45366.5)
		date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			t.Fatal(err)
		}
		dateTime, err := f.NewStyle(&excelize.Style{NumFmt: 22})
		if err != nil {
			t.Fatal(err)
		}
		for ref, style := range map[string]int{"C2": date, "C4": dateTime, "E4": dateTime} {
			if err := f.SetCellStyle(sh, ref, ref, style); err != nil {
				t.Fatal(err)
			}
		}
	})

	// The fault this guards against: read through its format the cell is
	// "03-15-24", and its raw value is the serial.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := f.GetCellValue("Sheet1", "C2")
	raw, _ := f.GetCellValue("Sheet1", "C2", excelize.Options{RawCellValue: true})
	f.Close()
	if shown != "03-15-24" || raw != "45366" {
		t.Fatalf("fixture: C2 shows %q, raw %q; want 03-15-24 and 45366", shown, raw)
	}

	res, err := ReadXLSX("dates.xlsx", bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line              int
		received, replied time.Time
	}{
		{2, utc(2024, 3, 14, 16, 0, 0), time.Time{}},
		{3, utc(2019, 4, 25, 1, 32, 9), utc(2019, 5, 10, 6, 56, 53)},
		{4, utc(2019, 4, 25, 1, 32, 9), utc(2024, 3, 15, 4, 0, 0)},
	}
	if len(res.Rows) != len(want) || res.Total != 3 || len(res.Bad) != 0 {
		t.Fatalf("got %d rows of %d, bad %v", len(res.Rows), res.Total, res.Bad)
	}
	for i, w := range want {
		r := res.Rows[i]
		if r.Line != w.line || !r.ReceivedAt.Equal(w.received) || !r.RepliedAt.Equal(w.replied) || r.RepliedAt.IsZero() != w.replied.IsZero() {
			t.Errorf("row %d: line %d, received %v, replied %v; want %d, %v, %v", i, r.Line, r.ReceivedAt, r.RepliedAt, w.line, w.received, w.replied)
		}
		if r.ReceivedAt.Location().String() != "Asia/Shanghai" {
			t.Errorf("row %d: location %v, want Asia/Shanghai", i, r.ReceivedAt.Location())
		}
	}
	if got := res.Rows[0].ReceivedAt.Format("2006-01-02 15:04:05"); got != "2024-03-15 00:00:00" {
		t.Errorf("date cell shows %s in China time, want 2024-03-15 00:00:00", got)
	}
}

// Case 6: a UTF-8 byte order mark before a quoted header.
func TestCSVByteOrderMark(t *testing.T) {
	data := append([]byte{0xEF, 0xBB, 0xBF}, "\"工单号\",\"内容\"\r\n\"A1\",\"有内容\"\r\n"...)
	_, err := ReadCSV("bom.csv", bytes.NewReader(data), Options{})
	var mc *MissingColumnsError
	if !errors.As(err, &mc) {
		t.Fatalf("err = %v, want a MissingColumnsError", err)
	}
	if !reflect.DeepEqual(mc.Found, []string{"工单号", "内容"}) {
		t.Errorf("headers found %q, want [工单号 内容]", mc.Found)
	}
	wantMissing := []string{"留言主题 (标题/主题)", "留言时间 (来电时间)"}
	if !reflect.DeepEqual(mc.Missing, wantMissing) {
		t.Errorf("missing %q, want %q", mc.Missing, wantMissing)
	}
	const wantErr = `bom.csv: missing required column 留言主题 (标题/主题), 留言时间 (来电时间); headers found: "工单号", "内容"`
	if err.Error() != wantErr {
		t.Errorf("error\n %s\nwant\n %s", err, wantErr)
	}

	full := append([]byte{0xEF, 0xBB, 0xBF}, "\"工单号\",\"标题\",\"来电时间\",\"内容\"\r\n\"A1\",\"噪音\",\"2024-03-15 08:30:00\",\"夜间施工\"\r\n"...)
	res, err := ReadCSV("bom.csv", bytes.NewReader(full), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{{Line: 2, Number: "A1", Title: "噪音", Content: "夜间施工", ReceivedAt: utc(2024, 3, 15, 0, 30, 0)}}
	if res.Encoding != "utf-8" || !rowsEqual(res.Rows, want) {
		t.Errorf("got %s %+v, want utf-8 %+v", res.Encoding, res.Rows, want)
	}
}

// rowsEqual compares rows with times compared as instants.
func rowsEqual(a, b []Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.ReceivedAt.Equal(y.ReceivedAt) || !x.RepliedAt.Equal(y.RepliedAt) {
			return false
		}
		x.ReceivedAt, y.ReceivedAt, x.RepliedAt, y.RepliedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if x != y {
			return false
		}
	}
	return true
}

func gb(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const header = "留言编号,留言主题,留言时间,留言详情\r\n"

// Case 7: GB18030, its four-byte characters included, and bytes that are
// not GB18030 reported against their row.
func TestCSVGB18030(t *testing.T) {
	// The fault this guards against: read as GBK the four bytes of 𠮷 are
	// not 𠮷.
	if s, _ := simplifiedchinese.GBK.NewDecoder().String("\x95\x34\xB2\x35"); s == "𠮷" {
		t.Fatal("fixture: GBK decodes 𠮷")
	}

	var data []byte
	data = append(data, gb(t, header)...)
	data = append(data, gb(t, "1,吉祥,2019/4/25 9:32:09,")...)
	data = append(data, 0x95, 0x34, 0xB2, 0x35)
	data = append(data, "\r\n"...)
	data = append(data, gb(t, "2,替换符,2019/4/25,真的\uFFFD\r\n")...)
	data = append(data, gb(t, "3,坏字节,2019/4/25,开头")...)
	data = append(data, 0x81, 0x20)
	data = append(data, gb(t, "结尾\r\n")...)
	data = append(data, gb(t, "4,坏四字节,2019/4/25,")...)
	data = append(data, 0xFF, 0x95, 0x34)
	data = append(data, "\r\n"...)

	for _, enc := range []string{"", "auto", "gb18030", "GBK"} {
		res, err := ReadCSV("gb.csv", bytes.NewReader(data), Options{Encoding: enc, SkipBad: true})
		if err != nil {
			t.Fatalf("encoding %q: %v", enc, err)
		}
		if res.Encoding != "gb18030" || res.Total != 4 {
			t.Fatalf("encoding %q: read as %s, %d rows", enc, res.Encoding, res.Total)
		}
		if len(res.Rows) != 2 || res.Rows[0].Content != "𠮷" || res.Rows[1].Content != "真的\uFFFD" {
			t.Errorf("encoding %q: rows %+v", enc, res.Rows)
		}
		want := []Problem{
			{File: "gb.csv", Line: 4, Column: "留言详情", Value: `开头\x81 结尾`,
				Message: "bytes not valid GB18030: 81 at byte 5 of the field (1 bad sequences in all)"},
			{File: "gb.csv", Line: 5, Column: "留言详情", Value: `\xFF\x954`,
				Message: "bytes not valid GB18030: FF 95 at byte 1 of the field (1 bad sequences in all)"},
		}
		if !reflect.DeepEqual(res.Bad, want) {
			t.Errorf("encoding %q: bad\n %#v\nwant\n %#v", enc, res.Bad, want)
		}
	}
}

// Text forced to UTF-8 with bytes that are not UTF-8; a real U+FFFD passes.
func TestCSVInvalidUTF8(t *testing.T) {
	data := []byte(header + "1,标题,2019/4/25,真的\uFFFD\r\n2,标题,2019/4/25,坏\xE4\xB8字节\r\n")
	res, err := ReadCSV("u.csv", bytes.NewReader(data), Options{Encoding: "utf-8"})
	var bre *BadRowsError
	if !errors.As(err, &bre) || bre.Rows != 1 || bre.Total != 2 {
		t.Fatalf("err = %v, want 1 of 2 rows bad", err)
	}
	if len(res.Rows) != 0 {
		t.Errorf("rows %+v returned with a bad row and no SkipBad", res.Rows)
	}
	want := []Problem{{File: "u.csv", Line: 3, Column: "留言详情", Value: `坏\xE4\xB8字节`,
		Message: "bytes not valid UTF-8: E4 B8 at byte 4 of the field (1 bad sequences in all)"}}
	if !reflect.DeepEqual(res.Bad, want) {
		t.Errorf("bad %#v, want %#v", res.Bad, want)
	}
	// The same file detected: nearly all of it is UTF-8, so it is read as
	// UTF-8 with one damaged row, not as GB18030 garbage.
	res, _ = ReadCSV("u.csv", bytes.NewReader(data), Options{SkipBad: true})
	if res.Encoding != "utf-8" || len(res.Rows) != 1 || res.Rows[0].Content != "真的\uFFFD" || len(res.Bad) != 1 {
		t.Errorf("detected %s, rows %+v, bad %v", res.Encoding, res.Rows, res.Bad)
	}
}

func TestChooseEncoding(t *testing.T) {
	gbText := gb(t, "留言编号,留言主题\r\n1,物业管理有问题\r\n")
	tests := []struct {
		name, forced string
		data         []byte
		want         string
		body         []byte
	}{
		{"utf-8 BOM", "", []byte("\xEF\xBB\xBFa"), "utf-8", []byte("a")},
		{"GB18030 BOM", "", []byte("\x84\x31\x95\x33a"), "gb18030", []byte("a")},
		{"valid UTF-8", "", []byte("物业"), "utf-8", []byte("物业")},
		{"ASCII", "auto", []byte("a,b"), "utf-8", []byte("a,b")},
		{"GB18030 text", "", gbText, "gb18030", gbText},
		{"forced GB18030 on UTF-8", "gb18030", []byte("物业"), "gb18030", []byte("物业")},
		{"forced UTF-8 strips BOM", "UTF8", []byte("\xEF\xBB\xBFa"), "utf-8", []byte("a")},
	}
	for _, tt := range tests {
		enc, body, err := chooseEncoding(tt.data, tt.forced)
		if err != nil || enc != tt.want || !bytes.Equal(body, tt.body) {
			t.Errorf("%s: got %s %q %v, want %s %q", tt.name, enc, body, err, tt.want, tt.body)
		}
	}
	for _, bad := range []struct{ forced, data string }{{"big5", "a"}, {"", "\xFF\xFEa\x00"}} {
		if _, _, err := chooseEncoding([]byte(bad.data), bad.forced); err == nil {
			t.Errorf("%q %q: no error", bad.forced, bad.data)
		}
	}
}

// Case 8: digits Excel destroyed, in CSV text and in xlsx number cells.
func TestDestroyedDigits(t *testing.T) {
	csv := "留言编号,留言用户,联系电话,留言主题,留言时间,留言详情\r\n" +
		"1,A001,1.10101E+17,标题,2019/4/25,内容\r\n" +
		"2,A002,57188889999,标题,2019/4/25,内容\r\n" +
		"3,A003,13812345678,标题,2019/4/25,内容\r\n" +
		"1.10101E+17,A004,0571-88889999,标题,2019/4/25,内容\r\n" +
		"5,1.2E+5,,标题,2019/4/25,内容\r\n"
	res, err := ReadCSV("phones.csv", strings.NewReader(csv), Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	const sci = "Excel turned this identifier into scientific notation and its digits are lost; format the column as text and export again"
	want := []Problem{
		{File: "phones.csv", Line: 2, Column: "联系电话", Value: "1.10101E+17", Message: sci},
		{File: "phones.csv", Line: 3, Column: "联系电话", Value: "57188889999",
			Message: "not a Chinese phone number as written; probably the landline 057188889999 whose leading 0 Excel dropped: format the column as text and export again"},
		{File: "phones.csv", Line: 5, Column: "留言编号", Value: "1.10101E+17", Message: sci},
		{File: "phones.csv", Line: 6, Column: "留言用户", Value: "1.2E+5", Message: sci},
	}
	if !reflect.DeepEqual(res.Bad, want) {
		t.Errorf("bad\n %#v\nwant\n %#v", res.Bad, want)
	}
	if len(res.Rows) != 1 || res.Rows[0].Phone != "13812345678" {
		t.Errorf("rows %+v, want the one with 13812345678", res.Rows)
	}

	data := xlsxFile(t, func(f *excelize.File, sh string) {
		setRow(t, f, sh, 1, "工单编号", "来电人", "来电号码", "标题", "来电时间", "诉求内容")
		setRow(t, f, sh, 2, 2549, "张三", 57188889999, "标题", "2019/4/25", "内容")
		setRow(t, f, sh, 3, 2550, 110101199001011234, 13812345678, "标题", "2019/4/25", "内容")
		setRow(t, f, sh, 4, 2551.0, "李四", 2.0, "标题", "2019/4/25", "内容")
	})
	res, err = ReadXLSX("phones.xlsx", bytes.NewReader(data), Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	want = []Problem{
		{File: "phones.xlsx", Line: 2, Column: "来电号码", Value: "57188889999",
			Message: "not a Chinese phone number as written; probably the landline 057188889999 whose leading 0 Excel dropped: format the column as text and export again"},
		{File: "phones.xlsx", Line: 3, Column: "来电人", Value: "110101199001011234",
			Message: "Excel stored this identifier as a number, which keeps only 15 significant digits; format the column as text and export again"},
		{File: "phones.xlsx", Line: 4, Column: "来电号码", Value: "2", Message: "not a Chinese phone number as written (1 digit)"},
	}
	if !reflect.DeepEqual(res.Bad, want) {
		t.Errorf("bad\n %#v\nwant\n %#v", res.Bad, want)
	}
}

func TestCheckPhone(t *testing.T) {
	lost := func(v string) string {
		return "not a Chinese phone number as written; probably the landline 0" + v + " whose leading 0 Excel dropped: format the column as text and export again"
	}
	tests := []struct{ v, want string }{
		{"13812345678", ""},
		{"057188889999", ""},
		{"01088889999", ""},
		{"05718888999", ""},
		{"0571-88889999", ""},
		{"+86 138 1234 5678", ""},
		{"8613812345678", ""},
		{"4008123123", ""},
		{"110", ""},
		{"12345", ""},
		{"88889999", ""},
		{"无", ""},
		{"", ""},
		{"57188889999", lost("57188889999")},
		{"1088889999", lost("1088889999")},
		{"5718888999", lost("5718888999")},
		{"23456789012", lost("23456789012")},
		{"12", "not a Chinese phone number as written (2 digits)"},
		{"0123", "not a Chinese phone number as written (4 digits)"},
		{"138123456789", "not a Chinese phone number as written (12 digits)"},
		{"1.38123E+10", "Excel turned this identifier into scientific notation and its digits are lost; format the column as text and export again"},
		{"1E10", "Excel turned this identifier into scientific notation and its digits are lost; format the column as text and export again"},
	}
	for _, tt := range tests {
		if got := checkPhone(tt.v); got != tt.want {
			t.Errorf("checkPhone(%q) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestNumberCell(t *testing.T) {
	tests := []struct{ raw, want, msg string }{
		{"2549", "2549", ""},
		{"2549.0", "2549", ""},
		{"1.3812345678E10", "13812345678", ""},
		{"999999999999999", "999999999999999", ""},
		{"1000000000000000", "1000000000000000", "Excel stored this identifier as a number, which keeps only 15 significant digits; format the column as text and export again"},
		{"1.10101E+17", "1.10101E+17", "Excel stored this identifier as a number, which keeps only 15 significant digits; format the column as text and export again"},
		{"12.5", "12.5", ""},
	}
	for _, tt := range tests {
		got, msg := numberCell(tt.raw)
		if got != tt.want || msg != tt.msg {
			t.Errorf("numberCell(%q) = %q, %q; want %q, %q", tt.raw, got, msg, tt.want, tt.msg)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2019/4/25 9:32:09", utc(2019, 4, 25, 1, 32, 9), false},
		{"2019-04-25 09:32:09", utc(2019, 4, 25, 1, 32, 9), false},
		{"2019/4/25", utc(2019, 4, 24, 16, 0, 0), false},
		{"2019-04-25", utc(2019, 4, 24, 16, 0, 0), false},
		{"2019/4/25 9:32", utc(2019, 4, 25, 1, 32, 0), false},
		{"2019-04-25T09:32:09", utc(2019, 4, 25, 1, 32, 9), false},
		{"2019/12/31 23:59:59", utc(2019, 12, 31, 15, 59, 59), false},
		{"2024/2/29", utc(2024, 2, 28, 16, 0, 0), false},
		// China kept summer time (UTC+9) in 1986-1991.
		{"1988/7/1 12:00:00", utc(1988, 7, 1, 3, 0, 0), false},
		{"2019/13/1", time.Time{}, true},
		{"2019/2/29", time.Time{}, true},
		{"2019/4/31", time.Time{}, true},
		{"2019/4/25 24:00:00", time.Time{}, true},
		{"2019/4/25 9:60", time.Time{}, true},
		{"2019/4/25 9:32:9", time.Time{}, true},
		{"2019-4/25", time.Time{}, true},
		{"19/4/25", time.Time{}, true},
		{"2019年4月25日", time.Time{}, true},
		{"45366", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSerialTime(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		want     time.Time
		err      bool
	}{
		{45366, false, utc(2024, 3, 14, 16, 0, 0), false},
		{45366.5, false, utc(2024, 3, 15, 4, 0, 0), false},
		{43580 + (9*3600+32*60+9)/86400.0, false, utc(2019, 4, 25, 1, 32, 9), false},
		// 09:32:08.6 rounds up, 09:32:09.4 down.
		{43580 + (9*3600+32*60+8.6)/86400.0, false, utc(2019, 4, 25, 1, 32, 9), false},
		{43580 + (9*3600+32*60+9.4)/86400.0, false, utc(2019, 4, 25, 1, 32, 9), false},
		// 23:59:59.7 carries into the next day.
		{43580 + 86399.7/86400, false, utc(2019, 4, 25, 16, 0, 0), false},
		{1, false, utc(1899, 12, 31, 15, 54, 17), false},
		{59, false, utc(1900, 2, 27, 15, 54, 17), false},
		{61, false, utc(1900, 2, 28, 15, 54, 17), false},
		{60, false, time.Time{}, true},
		{0.5, false, time.Time{}, true},
		{2958466, false, time.Time{}, true},
		{45366 - 1462, true, utc(2024, 3, 14, 16, 0, 0), false},
		{0, true, utc(1903, 12, 31, 16, 0, 0), false},
		{-1, true, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := serialTime(tt.serial, tt.date1904)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("serialTime(%v, %v) = %v, %v; want %v, error %v", tt.serial, tt.date1904, got.UTC(), err, tt.want, tt.err)
		}
	}
}

func TestISOTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-03-15T00:00:00Z", utc(2024, 3, 14, 16, 0, 0)},
		{"2019-04-25T09:32:08.999Z", utc(2019, 4, 25, 1, 32, 9)},
		{"2019-04-25T09:32:09", utc(2019, 4, 25, 1, 32, 9)},
		{"2024-03-15", utc(2024, 3, 14, 16, 0, 0)},
	}
	for _, tt := range tests {
		got, err := isoTime(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("isoTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := isoTime("03-15-24"); err == nil {
		t.Error("isoTime(03-15-24): no error")
	}
}

// Bad rows: each named; without SkipBad none is imported.
func TestBadRows(t *testing.T) {
	long := strings.Repeat("长", 45)
	csv := "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间\r\n" +
		"10,A1,好的,2019/4/25 9:32:09,内容,答复,2019/5/1\r\n" +
		",A2,无编号,2019/4/25,内容,,\r\n" +
		"12,A3,坏时间,2019/4/31,内容,,\r\n" +
		"13,A4,,2019/4/25,内容,,\r\n" +
		"14,A5,无内容,2019/4/25,\"\n\t\t\t  \",,\r\n" +
		"10,A6,重号,2019/4/25,内容,,\r\n" +
		"16,A7,坏答复时间,2019/4/25,内容,答复," + long + "\r\n" +
		",,,,,,\r\n" +
		"\r\n" +
		"17,A8,好的二,2019-04-26,\"\n\t\t\t第一行\r\n第二行\u3000\n\t\",,\r\n" +
		"18,A9,字段少,2019/4/25,内容\r\n"
	want := []Problem{
		{File: "bad.csv", Line: 3, Column: "留言编号", Message: "empty; this column is required"},
		{File: "bad.csv", Line: 4, Column: "留言时间", Value: "2019/4/31", Message: "no such date or time"},
		{File: "bad.csv", Line: 5, Column: "留言主题", Message: "empty; this column is required"},
		{File: "bad.csv", Line: 6, Column: "留言详情", Message: "empty; this column is required"},
		{File: "bad.csv", Line: 7, Column: "留言编号", Value: "10", Message: "duplicate number; first at row 2"},
		{File: "bad.csv", Line: 8, Column: "答复时间", Value: strings.Repeat("长", 40) + "…", Message: errTimeForm.Error()},
		{File: "bad.csv", Line: 12, Message: "the row has 5 fields but the header has 7; check its quotes and commas"},
	}
	wantRows := []Row{
		{Line: 2, Number: "10", Caller: "A1", Title: "好的", ReceivedAt: utc(2019, 4, 25, 1, 32, 9), Content: "内容", Reply: "答复", RepliedAt: utc(2019, 4, 30, 16, 0, 0)},
		{Line: 11, Number: "17", Caller: "A8", Title: "好的二", ReceivedAt: utc(2019, 4, 25, 16, 0, 0), Content: "第一行\r\n第二行"},
	}

	res, err := ReadCSV("bad.csv", strings.NewReader(csv), Options{})
	var bre *BadRowsError
	if !errors.As(err, &bre) {
		t.Fatalf("err = %v, want BadRowsError", err)
	}
	const wantErr = `bad.csv: 7 of 9 data rows are bad (first: bad.csv row 3, column 留言编号: empty; this column is required); fix them, or use --skip-bad to import the rest`
	if err.Error() != wantErr {
		t.Errorf("error\n %s\nwant\n %s", err, wantErr)
	}
	if len(res.Rows) != 0 || res.Total != 9 || !reflect.DeepEqual(res.Bad, want) {
		t.Errorf("rows %+v, total %d, bad\n %#v\nwant\n %#v", res.Rows, res.Total, res.Bad, want)
	}

	res, err = ReadCSV("bad.csv", strings.NewReader(csv), Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rowsEqual(res.Rows, wantRows) || res.Total != 9 || !reflect.DeepEqual(res.Bad, want) {
		t.Errorf("rows\n %+v\nwant\n %+v\ntotal %d, bad %v", res.Rows, wantRows, res.Total, res.Bad)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.xlsx", Line: 5, Column: "留言时间", Value: "2019/4/31", Message: "no such date or time"},
			`a.xlsx row 5, column 留言时间: no such date or time (value "2019/4/31")`},
		{Problem{File: "a.csv", Line: 7, Message: "the row has 5 fields but the header has 7"},
			`a.csv row 7: the row has 5 fields but the header has 7`},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}

func TestSplitCSV(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
		err  string
	}{
		{"a,b\r\nc,d\r\n", [][]string{{"a", "b"}, {"c", "d"}}, ""},
		{"a,b\nc,d", [][]string{{"a", "b"}, {"c", "d"}}, ""},
		{"\"x\r\ny\",\"say \"\"hi\"\"\"\r\n", [][]string{{"x\r\ny", `say "hi"`}}, ""},
		{"a,\r\n\r\n,b", [][]string{{"a", ""}, {""}, {"", "b"}}, ""},
		{"a\rb,c\r\n", [][]string{{"a\rb", "c"}}, ""},
		{"\"\",x\r\n", [][]string{{"", "x"}}, ""},
		{"a,b\"c\r\n", nil, "row 1 (line 1): a quote inside unquoted field 2; quote the field and double the quote"},
		{"a\r\n\"b\nc\"d,e\r\n", nil, "row 2 (line 3): text after the closing quote of field 1; a quote inside a quoted field must be doubled"},
		{"a\r\n\"b\r\nc,d\r\n", nil, "row 2 (line 2): the quoted field starting on line 2 is never closed"},
	}
	for _, tt := range tests {
		recs, err := splitCSV([]byte(tt.in))
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: err %v, want %s", tt.in, err, tt.err)
			}
			continue
		}
		got := make([][]string, len(recs))
		for i, r := range recs {
			for _, f := range r {
				got[i] = append(got[i], string(f))
			}
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := ReadCSV("q.csv", strings.NewReader(header+"1,a\"b,2019/4/25,c\r\n"), Options{})
	if err == nil || err.Error() != "q.csv row 2 (line 2): a quote inside unquoted field 2; quote the field and double the quote" {
		t.Errorf("bare quote: %v", err)
	}
}

// Text is trimmed at its ends only; inner text, characters outside the BMP
// and header decorations are handled as the data needs.
func TestTextAndHeaders(t *testing.T) {
	data := xlsxFile(t, func(f *excelize.File, sh string) {
		setRow(t, f, sh, 1, "12345热线工单导出")
		setRow(t, f, sh, 3, " 编号 ", "\uFEFF主题", "来电时间", "内容", "一级标签", "地址", "电话", "备注")
		setRow(t, f, sh, 4, "GD-1", "\n\t\t\t吉𠮷\u3000", "2019/4/25 9:32", "\n\t\t\t\t\t\n\t\t\t\t\t\u3000\u3000甲  乙\r\n丙\t \n", "城乡建设", " 桂花坪街道 ", "0731-88889999", "随便")
		setRow(t, f, sh, 6, "GD-2", "题", "2019/4/25", "内")
	})
	res, err := ReadXLSX("t.xlsx", bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Line: 4, Number: "GD-1", Title: "吉𠮷", ReceivedAt: utc(2019, 4, 25, 1, 32, 0), Content: "甲  乙\r\n丙", Category: "城乡建设", Address: "桂花坪街道", Phone: "0731-88889999"},
		{Line: 6, Number: "GD-2", Title: "题", ReceivedAt: utc(2019, 4, 24, 16, 0, 0), Content: "内"},
	}
	if !rowsEqual(res.Rows, want) || res.Total != 2 {
		t.Errorf("rows\n %+v\nwant\n %+v", res.Rows, want)
	}

	dup := xlsxFile(t, func(f *excelize.File, sh string) {
		setRow(t, f, sh, 1, "留言编号", "编号", "留言主题", "留言时间", "留言详情")
	})
	_, err = ReadXLSX("d.xlsx", bytes.NewReader(dup), Options{})
	if err == nil || err.Error() != "d.xlsx row 1: columns 留言编号 and 编号 both hold 留言编号; keep one" {
		t.Errorf("duplicate columns: %v", err)
	}

	_, err = ReadXLSX("d.xlsx", bytes.NewReader(dup), Options{Sheet: "工单"})
	if err == nil || err.Error() != `d.xlsx: no sheet "工单"; sheets: "Sheet1"` {
		t.Errorf("missing sheet: %v", err)
	}

	res, err = ReadCSV("empty.csv", strings.NewReader(header), Options{})
	if err != nil || res.Total != 0 || len(res.Rows) != 0 {
		t.Errorf("header only: %+v, %v", res, err)
	}
	if _, err = ReadCSV("none.csv", strings.NewReader("\r\n"), Options{}); err == nil || err.Error() != "none.csv: no header row (the file has no data)" {
		t.Errorf("empty file: %v", err)
	}
}
