package intake

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/xuri/excelize/v2"
)

type readReport struct{ read, total int }

func readWithProgress(t *testing.T, path string) []readReport {
	t.Helper()
	var got []readReport
	res, err := Read(path, Options{Progress: func(read, total int) { got = append(got, readReport{read, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(res.Rows))
	}
	return got
}

func threeRows(t *testing.T) []byte {
	return xlsxFile(t, func(f *excelize.File, sheet string) {
		setRow(t, f, sheet, 1, "留言编号", "留言主题", "留言时间", "留言详情")
		setRow(t, f, sheet, 2, "1001", "路灯不亮", "2019/4/25 9:32:09", "振兴街道路灯不亮")
		setRow(t, f, sheet, 3, "1002", "停电", "2019/4/25 10:00:00", "小区停电")
		setRow(t, f, sheet, 4, "1003", "噪音", "2019/4/26 8:00:00", "变压器噪音")
		// excelize itself writes A1 whatever the size; Excel writes this.
		if err := f.SetSheetDimension(sheet, "A1:D4"); err != nil {
			t.Fatal(err)
		}
	})
}

// Reading reports each row after the header as it goes, of the total the
// file gives: an xlsx sheet's dimension, a CSV's records.
func TestReadProgress(t *testing.T) {
	dir := t.TempDir()
	want := []readReport{{1, 3}, {2, 3}, {3, 3}}

	x := filepath.Join(dir, "a.xlsx")
	if err := os.WriteFile(x, threeRows(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readWithProgress(t, x); !reflect.DeepEqual(got, want) {
		t.Errorf("xlsx: %v, want %v", got, want)
	}

	c := filepath.Join(dir, "a.csv")
	csv := "留言编号,留言主题,留言时间,留言详情\n1001,路灯不亮,2019/4/25 9:32:09,振兴街道路灯不亮\n" +
		"1002,停电,2019/4/25 10:00:00,\"小区\n停电\"\n1003,噪音,2019/4/26 8:00:00,变压器噪音\n"
	if err := os.WriteFile(c, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readWithProgress(t, c); !reflect.DeepEqual(got, want) {
		t.Errorf("csv: %v, want %v", got, want)
	}
}

// A sheet without its dimension, or with a wrong one (some writers put A1
// whatever the size), gives counts without a total: from the start, or
// from the row past the total it gave.
func TestReadProgressWithoutDimension(t *testing.T) {
	dir := t.TempDir()
	for name, repl := range map[string]string{"none": "", "A1": `<dimension ref="A1"/>`, "short": `<dimension ref="A1:D3"/>`} {
		path := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(path, rewriteDimension(t, threeRows(t), repl), 0o600); err != nil {
			t.Fatal(err)
		}
		want := []readReport{{1, 0}, {2, 0}, {3, 0}}
		if name == "short" {
			want = []readReport{{1, 2}, {2, 2}, {3, 0}}
		}
		if got := readWithProgress(t, path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

var dimension = regexp.MustCompile(`<dimension [^>]*(/>|></dimension>)`)

// rewriteDimension replaces the dimension element of every sheet of the
// workbook with repl.
func rewriteDimension(t *testing.T, book []byte, repl string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(f.Name) == "xl/worksheets" {
			found = found || dimension.Match(b)
			b = dimension.ReplaceAll(b, []byte(repl))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("the workbook has no dimension to rewrite")
	}
	return out.Bytes()
}
