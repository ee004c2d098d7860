package intake

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// table is a file's cells, as the CSV and xlsx readers hand them over.
type table struct {
	rows []tableRow
	// kind tells the stored type of an xlsx cell (col 0-based); nil for CSV,
	// whose cells are all text.
	kind     func(line, col int) cellKind
	date1904 bool
	csv      bool // a record's field count must equal the header's
}

type tableRow struct {
	line  int
	cells []cell
}

type cell struct {
	text string
	bad  string // why the bytes could not be decoded; text then shows them as \xNN
}

type cellKind int

const (
	kindText cellKind = iota
	kindNumber
	kindDate // an xlsx cell of type "d", holding ISO 8601 text
	kindOther
)

type field int

const (
	fNumber field = iota
	fCaller
	fPhone
	fAddress
	fTitle
	fReceived
	fContent
	fReply
	fReplied
	fCategory
	nFields
)

// headers are the accepted header names of each field, the usual one first.
var headers = [nFields][]string{
	fNumber:   {"留言编号", "工单号", "工单编号", "编号"},
	fCaller:   {"留言用户", "来电人"},
	fPhone:    {"联系电话", "来电号码", "电话"},
	fAddress:  {"地址"},
	fTitle:    {"留言主题", "标题", "主题"},
	fReceived: {"留言时间", "来电时间"},
	fContent:  {"留言详情", "内容", "诉求内容"},
	fReply:    {"答复意见"},
	fReplied:  {"答复时间"},
	fCategory: {"一级标签", "一级分类", "诉求类别"},
}

var required = []field{fNumber, fTitle, fReceived, fContent}

var fieldOf = func() map[string]field {
	m := map[string]field{}
	for f, names := range headers {
		for _, n := range names {
			m[n] = field(f)
		}
	}
	return m
}()

// headerName trims a header cell of white space and byte order marks.
func headerName(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// headerRows is how many non-blank rows are searched for the header, so that
// a title row or two above it (an export's caption) does not stop the import.
const headerRows = 10

// build turns a table into rows and problems.
func build(file string, t *table, opts Options) (Result, error) {
	res := Result{File: file}
	hdr, cols, err := findHeader(file, t)
	if err != nil {
		return res, err
	}
	names := make([]string, len(t.rows[hdr].cells))
	for i, c := range t.rows[hdr].cells {
		names[i] = headerName(c.text)
	}
	seen := map[string]int{} // number → first row
	badRows := 0
	for _, r := range t.rows[hdr+1:] {
		if blank(r) {
			continue
		}
		res.Total++
		row, probs := t.row(file, r, cols, names, seen)
		if len(probs) > 0 {
			badRows++
			res.Bad = append(res.Bad, probs...)
			continue
		}
		res.Rows = append(res.Rows, row)
	}
	if badRows > 0 && !opts.SkipBad {
		res.Rows = nil
		return res, &BadRowsError{File: file, Rows: badRows, Total: res.Total, First: res.Bad[0]}
	}
	return res, nil
}

// findHeader finds the header row and the column of each field (-1 when
// absent).
func findHeader(file string, t *table) (int, [nFields]int, error) {
	var cols [nFields]int
	first := -1
	for i, looked := 0, 0; i < len(t.rows) && looked < headerRows; i++ {
		r := t.rows[i]
		if blank(r) {
			continue
		}
		looked++
		if first < 0 {
			first = i
		}
		for f := range cols {
			cols[f] = -1
		}
		var dup error
		for j, c := range r.cells {
			f, ok := fieldOf[headerName(c.text)]
			if !ok {
				continue
			}
			if cols[f] >= 0 && dup == nil {
				dup = fmt.Errorf("%s row %d: columns %s and %s both hold %s; keep one",
					file, r.line, headerName(r.cells[cols[f]].text), headerName(c.text), headers[f][0])
			}
			if cols[f] < 0 {
				cols[f] = j
			}
		}
		if !hasRequired(cols) {
			continue
		}
		if dup != nil {
			return 0, cols, dup
		}
		for j, c := range r.cells {
			if c.bad != "" {
				return 0, cols, fmt.Errorf("%s row %d, column %d: header %s; is the encoding right?", file, r.line, j+1, c.bad)
			}
		}
		return i, cols, nil
	}
	if first < 0 {
		return 0, cols, fmt.Errorf("%s: no header row (the file has no data)", file)
	}
	// Name what the first row lacks, or, when it cannot be decoded, that.
	for j, c := range t.rows[first].cells {
		if c.bad != "" {
			return 0, cols, fmt.Errorf("%s row %d, column %d: header %s; is the encoding right?", file, t.rows[first].line, j+1, c.bad)
		}
	}
	for f := range cols {
		cols[f] = -1
	}
	found := []string{}
	for j, c := range t.rows[first].cells {
		h := headerName(c.text)
		found = append(found, h)
		if f, ok := fieldOf[h]; ok && cols[f] < 0 {
			cols[f] = j
		}
	}
	var missing []string
	for _, f := range required {
		if cols[f] < 0 {
			missing = append(missing, headers[f][0]+" ("+strings.Join(headers[f][1:], "/")+")")
		}
	}
	return 0, cols, &MissingColumnsError{File: file, Missing: missing, Found: found}
}

func hasRequired(cols [nFields]int) bool {
	for _, f := range required {
		if cols[f] < 0 {
			return false
		}
	}
	return true
}

func blank(r tableRow) bool {
	for _, c := range r.cells {
		if c.bad != "" || strings.TrimSpace(c.text) != "" {
			return false
		}
	}
	return true
}

// maxValue is how many characters of a value a Problem shows.
const maxValue = 40

func cut(s string) string {
	n := 0
	for i := range s {
		if n == maxValue {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// row reads one data row; seen maps each number met so far to its row.
func (t *table) row(file string, r tableRow, cols [nFields]int, names []string, seen map[string]int) (Row, []Problem) {
	var probs []Problem
	add := func(col int, value, msg string) {
		p := Problem{File: file, Line: r.line, Value: cut(value), Message: msg}
		if col >= 0 && col < len(names) {
			p.Column = names[col]
		} else if col >= 0 {
			p.Column = "column " + strconv.Itoa(col+1)
		}
		probs = append(probs, p)
	}
	if t.csv && len(r.cells) != len(names) {
		add(-1, "", fmt.Sprintf("the row has %d fields but the header has %d; check its quotes and commas", len(r.cells), len(names)))
	}
	for j, c := range r.cells {
		if c.bad != "" {
			add(j, c.text, c.bad)
		}
	}
	// get returns a field's trimmed text and whether it can be checked
	// further (present and decoded).
	get := func(f field) (string, bool) {
		j := cols[f]
		if j < 0 || j >= len(r.cells) {
			return "", true
		}
		if r.cells[j].bad != "" {
			return "", false
		}
		return strings.TrimSpace(r.cells[j].text), true
	}
	var row Row
	row.Line = r.line
	text := func(f field, dst *string, need bool) bool {
		v, ok := get(f)
		if !ok {
			return false
		}
		if need && v == "" {
			add(cols[f], "", "empty; this column is required")
			return false
		}
		*dst = v
		return true
	}
	id := func(f field, dst *string, need bool, check func(string) string) bool {
		if !text(f, dst, need) {
			return false
		}
		v := *dst
		if v == "" {
			return true
		}
		if t.kind != nil && !plainDigits(v) {
			if _, err := strconv.ParseFloat(v, 64); err == nil && t.kind(r.line, cols[f]) == kindNumber {
				var msg string
				if v, msg = numberCell(v); msg != "" {
					add(cols[f], *dst, msg)
					return false
				}
			}
		}
		if msg := check(v); msg != "" {
			add(cols[f], v, msg)
			return false
		}
		*dst = v
		return true
	}
	when := func(f field, dst *time.Time, need bool) {
		var v string
		if !text(f, &v, need) || v == "" {
			return
		}
		tm, err := t.time(r.line, cols[f], v)
		if err != nil {
			add(cols[f], v, err.Error())
			return
		}
		*dst = tm
	}
	numberOK := id(fNumber, &row.Number, true, checkID)
	id(fCaller, &row.Caller, false, checkID)
	id(fPhone, &row.Phone, false, checkPhone)
	text(fAddress, &row.Address, false)
	text(fTitle, &row.Title, true)
	when(fReceived, &row.ReceivedAt, true)
	text(fContent, &row.Content, true)
	text(fReply, &row.Reply, false)
	when(fReplied, &row.RepliedAt, false)
	text(fCategory, &row.Category, false)
	if numberOK && row.Number != "" {
		if at, ok := seen[row.Number]; ok {
			add(cols[fNumber], row.Number, fmt.Sprintf("duplicate number; first at row %d", at))
		} else {
			seen[row.Number] = r.line
		}
	}
	return row, probs
}

// plainDigits reports whether v is 1 to 15 ASCII digits: a value that reads
// the same whether its cell stores text or a number.
func plainDigits(v string) bool {
	if len(v) == 0 || len(v) > 15 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// time reads a time cell: text in one of the known forms, or in an xlsx, a
// number cell (a serial date, whatever its number format: the column says it
// is a time, and a serial left in General format is still one) or a date
// cell.
func (t *table) time(line, col int, v string) (time.Time, error) {
	tm, err := parseTime(v)
	if err == nil || t.kind == nil {
		return tm, err
	}
	switch t.kind(line, col) {
	case kindNumber:
		f, perr := strconv.ParseFloat(v, 64)
		if perr != nil {
			return time.Time{}, err
		}
		return serialTime(f, t.date1904)
	case kindDate:
		return isoTime(v)
	}
	return time.Time{}, err
}
