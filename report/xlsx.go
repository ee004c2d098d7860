package report

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"hotline/tui/cells"
)

// role is where a cell sits in a sheet, which with its kind decides its
// style.
type role int

const (
	body role = iota
	total
	head
	heading // the sheet's title row
	note    // a line of text under the title
)

type styleKey struct {
	kind kind
	role role
	none bool
}

// book is a workbook being written. The first error of excelize stops
// nothing but is kept and returned by write, so the layout code reads as a
// list of what goes where.
type book struct {
	f      *excelize.File
	err    error
	styles map[styleKey]int
	first  bool // the file's own first sheet is not named yet
}

func newBook() *book {
	return &book{f: excelize.NewFile(), styles: map[styleKey]int{}, first: true}
}

func (b *book) keep(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// write puts the workbook on w, the first sheet shown.
func (b *book) write(w io.Writer, title string) error {
	defer b.f.Close()
	b.keep(b.f.SetDocProps(&excelize.DocProperties{Title: title, Language: "zh-CN", Creator: "hotline"}))
	b.f.SetActiveSheet(0)
	if b.err != nil {
		return b.err
	}
	return b.f.Write(w)
}

// numFmts are the number formats of the kinds that have one. Times are
// China's wall clock (see serial).
var numFmts = map[kind]string{
	percent: "0.0%",
	decimal: "0.0",
	minute:  "yyyy-mm-dd hh:mm",
	date:    "yyyy-mm-dd",
}

func (b *book) style(k styleKey) int {
	if id, ok := b.styles[k]; ok {
		return id
	}
	line := "BFBFBF"
	s := &excelize.Style{
		Border: []excelize.Border{
			{Type: "left", Color: line, Style: 1}, {Type: "right", Color: line, Style: 1},
			{Type: "top", Color: line, Style: 1}, {Type: "bottom", Color: line, Style: 1},
		},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	}
	switch k.role {
	case heading:
		s.Border = nil
		s.Font = &excelize.Font{Bold: true, Size: 14}
		s.Alignment = &excelize.Alignment{Horizontal: "left", Vertical: "center"}
	case note:
		s.Border = nil
		s.Alignment = &excelize.Alignment{Horizontal: "left", Vertical: "center"}
	case head:
		s.Font = &excelize.Font{Bold: true}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}
		s.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	case total:
		s.Font = &excelize.Font{Bold: true}
	}
	if k.role == body || k.role == total {
		switch {
		case k.none:
			s.Alignment.Horizontal = "center"
		case k.kind == count:
			s.NumFmt = 1 // 0
		case numFmts[k.kind] != "":
			f := numFmts[k.kind]
			s.CustomNumFmt = &f
		}
	}
	id, err := b.f.NewStyle(s)
	b.keep(err)
	b.styles[k] = id
	return id
}

// sheet is one worksheet being written. It remembers how wide each
// column's text is and which cells wrap, so fit can size the columns and
// the rows.
type sheet struct {
	b     *book
	name  string
	width map[int]int // column (1-based) → widest text in display cells
	wraps map[int]bool
	tall  []tallCell
	cols  int
}

// tallCell is a cell whose text may need more than one line.
type tallCell struct {
	row, col int
	text     string
}

// add starts a sheet named name, after the ones there are.
func (b *book) add(name string) *sheet {
	if b.first {
		b.keep(b.f.SetSheetName(b.f.GetSheetName(0), name))
		b.first = false
	} else {
		_, err := b.f.NewSheet(name)
		b.keep(err)
	}
	return &sheet{b: b, name: name, width: map[int]int{}, wraps: map[int]bool{}}
}

func cell(col, row int) string {
	ref, _ := excelize.CoordinatesToCellName(col, row)
	return ref
}

// line writes a line of text in the first cell of row row: a sheet's title
// or a note under it. It is not merged over the table, so that it runs on
// to the right over empty cells when the table is narrower than it.
func (s *sheet) line(row int, text string, r role) {
	b := s.b
	b.keep(b.f.SetCellStr(s.name, cell(1, row), cells.Line(text)))
	b.keep(b.f.SetCellStyle(s.name, cell(1, row), cell(1, row), b.style(styleKey{role: r})))
	if r == heading {
		b.keep(b.f.SetRowHeight(s.name, row, 24))
	}
}

// table writes t with its header in row row and returns the row after it.
// Rows for which isTotal is true are in bold.
func (s *sheet) table(row int, t table, isTotal func(i int) bool) int {
	s.cols = max(s.cols, len(t.head))
	for c, h := range t.head {
		s.put(row, c+1, str(h), head)
	}
	for i, vs := range t.rows {
		r := body
		if isTotal != nil && isTotal(i) {
			r = total
		}
		for c, v := range vs {
			s.put(row+1+i, c+1, v, r)
		}
	}
	return row + 1 + len(t.rows)
}

// put writes one value. Text goes in as a string cell whatever it starts
// with, so that a ticket titled =HYPERLINK(…) stays those characters and
// is never run as a formula.
func (s *sheet) put(row, col int, v value, r role) {
	b, ref := s.b, cell(col, row)
	switch {
	case v.none:
		b.keep(b.f.SetCellStr(s.name, ref, none))
	case v.kind == text || v.kind == wrapped:
		b.keep(b.f.SetCellStr(s.name, ref, v.s))
	case v.kind == count:
		b.keep(b.f.SetCellInt(s.name, ref, int64(v.n)))
	case v.kind == minute || v.kind == date:
		b.keep(b.f.SetCellFloat(s.name, ref, digits15(serial(v.t)), -1, 64))
	default:
		b.keep(b.f.SetCellFloat(s.name, ref, digits15(v.n), -1, 64))
	}
	b.keep(b.f.SetCellStyle(s.name, ref, ref, b.style(styleKey{kind: v.kind, role: r, none: v.none})))
	shown := v.String()
	for l := range strings.SplitSeq(shown, "\n") {
		s.width[col] = max(s.width[col], cells.Width(l))
	}
	if v.kind == wrapped {
		s.wraps[col] = true
	}
	if (v.kind == text || v.kind == wrapped) && shown != "" {
		s.tall = append(s.tall, tallCell{row, col, shown})
	}
}

// epoch is day 0 of Excel's serial dates (as Excel counts, after its
// 1900 leap-year bug).
var epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serial is t as an Excel date: days since epoch of t's wall clock, as
// Excel dates have no time zone.
func serial(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return float64(wall.Sub(epoch)) / float64(24*time.Hour)
}

// digits15 rounds n to the 15 significant digits a cell keeps. excelize
// cuts longer numbers off instead of rounding them, which would store
// 09:15 as 09:14:59.99…, shown by LibreOffice as 09:14.
func digits15(n float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(n, 'g', 15, 64), 64)
	if err != nil {
		return n
	}
	return r
}

// Column widths are in Excel's unit, the width of the digit 0; a Chinese
// character takes two, as it takes two cells on a terminal, so the display
// width measures both.
const (
	minWidth  = 6
	textWidth = 40 // a text column wider than this wraps
	wrapWidth = 60 // a column of long text (replies)
	lineHigh  = 16 // points a wrapped line of 11-point text needs
	maxHigh   = 409
)

// fit sizes every column to its widest text plus a margin, within limits,
// and makes rows tall enough for the text that wraps at those widths.
func (s *sheet) fit() {
	b := s.b
	widths := map[int]int{}
	for c := 1; c <= s.cols; c++ {
		w := max(s.width[c]+2, minWidth)
		switch {
		case s.wraps[c]:
			w = min(w, wrapWidth)
		default:
			w = min(w, textWidth)
		}
		widths[c] = w
		b.keep(b.f.SetColWidth(s.name, colName(c), colName(c), float64(w)))
	}
	lines := map[int]int{}
	for _, tc := range s.tall {
		n := len(cells.Wrap(tc.text, widths[tc.col]-2))
		lines[tc.row] = max(lines[tc.row], n)
	}
	for row, n := range lines {
		if n > 1 {
			b.keep(b.f.SetRowHeight(s.name, row, float64(min(n*lineHigh, maxHigh))))
		}
	}
}

func colName(c int) string {
	n, _ := excelize.ColumnNumberToName(c)
	return n
}

// freeze keeps the first rows and cols in view when scrolling, and prints
// the rows on every page.
func (s *sheet) freeze(rows, cols int) {
	b := s.b
	pane := "bottomRight"
	switch {
	case cols == 0:
		pane = "bottomLeft"
	case rows == 0:
		pane = "topRight"
	}
	top := cell(cols+1, rows+1)
	b.keep(b.f.SetPanes(s.name, &excelize.Panes{
		Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: top, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: pane}},
	}))
	b.keep(b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: s.name,
		RefersTo: "'" + s.name + "'!$1:$" + strconv.Itoa(rows),
	}))
}

// landscape prints the sheet across the page, as wide as one page.
func (s *sheet) landscape() {
	fit, wide, high, orient := true, 1, 0, "landscape"
	s.b.keep(s.b.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit}))
	s.b.keep(s.b.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Orientation: &orient, FitToWidth: &wide, FitToHeight: &high}))
}

// ref is an absolute range of one column, rows from to to, for a chart.
func (s *sheet) ref(col, from, to int) string {
	c := colName(col)
	return "'" + s.name + "'!$" + c + "$" + strconv.Itoa(from) + ":$" + c + "$" + strconv.Itoa(to)
}
