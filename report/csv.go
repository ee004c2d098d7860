package report

import (
	"bufio"
	"encoding/csv"
	"io"

	"hotline/complaint"
)

// bom starts every CSV. Excel on a Chinese Windows desktop reads a CSV
// without it in the system's code page (GBK), which turns UTF-8 Chinese into
// 乱码; with it Excel reads UTF-8. Other readers skip it or show it as an
// empty first character.
const bom = "\uFEFF"

// writeCSV writes t as CSV: the BOM, a header line, a line a row, each
// value as a reader sees it, lines ended by CRLF as RFC 4180 and Excel
// have them.
func writeCSV(w io.Writer, t table) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(t.head); err != nil {
		return err
	}
	line := make([]string, len(t.head))
	for _, vs := range t.rows {
		for i, v := range vs {
			line[i] = csvField(v)
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvField is a value as the CSV holds it. A CSV has no types: Excel reads
// every field as if typed in, so text from outside is guarded. Text starting
// with = + - @ or a tab or CR would be run as a formula (a title
// =HYPERLINK(…) becomes a live link): it gets a leading apostrophe, as
// OWASP advises, which Excel shows. Digits that Excel would turn into a
// number and show otherwise get a leading tab, which makes Excel keep them
// as text: 12 or more (a ticket number would show as 2.02612E+13 and, past
// 15 digits, lose some) or a leading 0 (a code, a landline).
func csvField(v value) string {
	s := v.String()
	if v.kind != text && v.kind != wrapped || s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	if digits(s) && (len(s) >= 12 || s[0] == '0') {
		return "\t" + s
	}
	return s
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MonthlyCSV writes the figures of the monthly report as one CSV table: a
// line per sub-unit and one for the whole unit (合计), with the columns of
// the 月度统计 sheet. Rates are percentages with one decimal (87.5%), as
// Excel reads them; a figure without a value is —.
func MonthlyCSV(stats complaint.Statistics, w io.Writer) error {
	return writeCSV(w, figures(stats))
}

// DailyCSV writes the tickets closed on a day as one CSV table, with the
// columns of the 日报 sheet; times are China time. The summary line of the
// .xlsx is left out, so that the file stays one table for scripts.
func DailyCSV(tickets []complaint.Ticket, names func(code string) string, w io.Writer) error {
	return writeCSV(w, dailyTable(tickets, names))
}
