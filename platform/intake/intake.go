// Package intake reads the 12345 center's complaint files (.xlsx and .csv)
// into rows, and reports every row it cannot take exactly: file, row, column,
// value and why. It owns header matching, text decoding (UTF-8, GB18030),
// date conversion and the checks for values Excel has damaged. It does not
// store anything: the platform inserts the rows it returns.
//
// All times are China time: the center's files carry wall-clock times without
// a zone, and they are read in Asia/Shanghai. Row times are returned in that
// location; compare them with time.Time.Equal.
package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options change how a file is read.
type Options struct {
	// Encoding of a CSV file: "" or "auto" (detect), "utf-8", "gb18030".
	// "utf8", "gbk", "gb2312" and "cp936" are accepted too; the GB family is
	// always decoded as GB18030, which contains the others. Ignored for xlsx.
	Encoding string
	// SkipBad imports the good rows of a file that has bad ones.
	SkipBad bool
	// Sheet is the xlsx sheet name; "" means the first sheet.
	Sheet string
	// Progress, when not nil, is called as rows are read: read of total
	// rows after the first (the header, in the usual file). total is 0
	// when the file does not say: an xlsx sheet without its dimension,
	// or one whose dimension is wrong.
	Progress func(read, total int)
}

// Row is one complaint as read from a file. Text fields are trimmed of
// leading and trailing white space (strings.TrimSpace, which includes the
// ideographic space U+3000); inner text is kept byte for byte. Times are in
// Asia/Shanghai.
type Row struct {
	Line       int       // 1-based row in the file (header = 1); a CSV record counts as one row
	Number     string    // 留言编号 / 工单号 / 工单编号 / 编号
	Caller     string    // 留言用户 / 来电人
	Phone      string    // 联系电话 / 来电号码 / 电话 (optional)
	Address    string    // 地址 (optional)
	Title      string    // 留言主题 / 标题 / 主题
	ReceivedAt time.Time // 留言时间 / 来电时间
	Content    string    // 留言详情 / 内容 / 诉求内容
	Reply      string    // 答复意见 (optional)
	RepliedAt  time.Time // 答复时间 (optional; zero when absent)
	Category   string    // 一级标签 / 一级分类 / 诉求类别 (optional)
}

// Problem is one thing wrong with one row of a file.
type Problem struct {
	File    string
	Line    int    // row as in Row.Line
	Column  string // the header as written in the file; "" when the problem is the whole row
	Value   string // the offending value, cut to 40 characters
	Message string
}

func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s row %d", p.File, p.Line)
	if p.Column != "" {
		fmt.Fprintf(&b, ", column %s", p.Column)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Value != "" {
		fmt.Fprintf(&b, " (value %q)", p.Value)
	}
	return b.String()
}

// Result is what a file gave.
type Result struct {
	File     string
	Encoding string // "utf-8" or "gb18030" for CSV; "" for xlsx, whose encoding the format fixes
	Rows     []Row
	Bad      []Problem // in file order; a row may have several
	Total    int       // data rows read, good and bad; blank rows are not counted
}

// BadRowsError is returned when a file has bad rows and Options.SkipBad is
// off. The Result then has Bad filled and no Rows.
type BadRowsError struct {
	File  string
	Rows  int     // bad rows
	Total int     // data rows
	First Problem // the first problem, to show at once
}

func (e *BadRowsError) Error() string {
	return fmt.Sprintf("%s: %d of %d data rows are bad (first: %v); fix them, or use --skip-bad to import the rest",
		e.File, e.Rows, e.Total, e.First)
}

// MissingColumnsError is returned when a file lacks a required column.
type MissingColumnsError struct {
	File    string
	Missing []string // the missing columns, each by its usual name with its other accepted names
	Found   []string // the headers found, trimmed, in file order
}

func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("%s: missing required column %s; headers found: %s",
		e.File, strings.Join(e.Missing, ", "), strings.Join(quoteAll(e.Found), ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Read reads a complaint file, choosing the reader by the file's extension
// (.xlsx, .xlsm, .csv, .txt) or, failing that, by its first bytes.
func Read(path string, opts Options) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{File: path}, err
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return ReadXLSX(path, f, opts)
	case ".csv", ".txt":
		return ReadCSV(path, f, opts)
	case ".xls":
		return Result{File: path}, fmt.Errorf("%s: old Excel 97-2003 .xls files are not read; save it as .xlsx or .csv", path)
	}
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Result{File: path}, fmt.Errorf("read %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Result{File: path}, fmt.Errorf("read %s: %w", path, err)
	}
	switch {
	case bytes.HasPrefix(head[:n], []byte("PK\x03\x04")):
		return ReadXLSX(path, f, opts)
	case bytes.HasPrefix(head[:n], []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return Result{File: path}, fmt.Errorf("%s: an old .xls or password-protected workbook is not read; save it as .xlsx or .csv", path)
	}
	return ReadCSV(path, f, opts)
}
