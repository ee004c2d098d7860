package intake

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads an xlsx complaint file; name is used in messages.
//
// Cells are read raw (excelize's RawCellValue), never through their number
// format: a date cell of format 14 would otherwise come back as "03-15-24"
// instead of its serial 45366, and a long number as a rounded display form.
// Only when a value needs it (a date column holding a number, an identifier
// with a decimal point or more than 15 digits) is the cell's stored type
// looked up, so a file whose cells are all text is read as a stream.
func ReadXLSX(name string, r io.Reader, opts Options) (Result, error) {
	res := Result{File: name}
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return res, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	sheet := opts.Sheet
	switch {
	case len(sheets) == 0:
		return res, fmt.Errorf("%s: the workbook has no sheets", name)
	case sheet == "":
		sheet = sheets[0]
	default:
		found := false
		for _, s := range sheets {
			found = found || s == sheet
		}
		if !found {
			return res, fmt.Errorf("%s: no sheet %q; sheets: %s", name, sheet, strings.Join(quoteAll(sheets), ", "))
		}
	}
	t := &table{}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return res, fmt.Errorf("%s sheet %s: %w", name, sheet, err)
	}
	total := 0
	if opts.Progress != nil {
		total = max(lastRow(f, sheet)-1, 0)
	}
	// Rows.Next steps one row number at a time, gaps included, so the count
	// of steps is the row number.
	for line := 1; rows.Next(); line++ {
		if opts.Progress != nil && line > 1 {
			if line-1 > total {
				total = 0 // the dimension was wrong
			}
			opts.Progress(line-1, total)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return res, fmt.Errorf("%s sheet %s row %d: %w", name, sheet, line, err)
		}
		if len(cols) == 0 {
			continue
		}
		cells := make([]cell, len(cols))
		for i, c := range cols {
			cells[i] = cell{text: c}
		}
		t.rows = append(t.rows, tableRow{line: line, cells: cells})
	}
	if err := rows.Close(); err != nil {
		return res, fmt.Errorf("%s sheet %s: %w", name, sheet, err)
	}
	t.kind = func(line, col int) cellKind {
		ref, err := excelize.CoordinatesToCellName(col+1, line)
		if err != nil {
			return kindText
		}
		ct, err := f.GetCellType(sheet, ref)
		if err != nil {
			return kindText
		}
		switch ct {
		case excelize.CellTypeUnset, excelize.CellTypeNumber:
			return kindNumber
		case excelize.CellTypeDate:
			return kindDate
		case excelize.CellTypeBool, excelize.CellTypeError:
			return kindOther
		}
		return kindText
	}
	return build(name, t, opts)
}

// lastRow is the last row of the sheet as its dimension (A1:H2817) says,
// read from the head of the sheet without loading it; 0 when it does not
// say.
func lastRow(f *excelize.File, sheet string) int {
	ref, err := f.GetSheetDimension(sheet)
	if err != nil || ref == "" {
		return 0
	}
	_, row, err := excelize.CellNameToCoordinates(ref[strings.LastIndex(ref, ":")+1:])
	if err != nil {
		return 0
	}
	return row
}
