package print

import (
	"os"
	"slices"
	"testing"
	"unicode/utf8"

	"hotline/complaint"
)

// typical is the real ticket of median length (content and reply).
func typical(b *testing.B) complaint.Ticket {
	all := slices.Clone(realTickets(b))
	size := func(t complaint.Ticket) int {
		return utf8.RuneCountInString(t.Content) + utf8.RuneCountInString(t.Reply.Text)
	}
	slices.SortStableFunc(all, func(a, b complaint.Ticket) int { return size(a) - size(b) })
	t := all[len(all)/2]
	b.Logf("typical ticket %s: %d characters", t.Number, size(t))
	return t
}

// BenchmarkPDF prints the sheet of a typical ticket; the goal is under
// 50 ms and 100 KB a sheet. The font is loaded once, before.
func BenchmarkPDF(b *testing.B) {
	f := sheetFont(b)
	s := NewSheet(typical(b), Names{})
	var size int
	for b.Loop() {
		out, err := PDF(f, s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out.PDF)
	}
	b.ReportMetric(float64(size), "B/sheet")
}

// BenchmarkPDFLong prints the longest reply of the center's file (six pages).
func BenchmarkPDFLong(b *testing.B) {
	f := sheetFont(b)
	s := NewSheet(realTicket(b, "96762"), Names{})
	var size int
	for b.Loop() {
		out, err := PDF(f, s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out.PDF)
	}
	b.ReportMetric(float64(size), "B/sheet")
}

// BenchmarkPDFBatch prints 20 real tickets as one document.
func BenchmarkPDFBatch(b *testing.B) {
	f := sheetFont(b)
	var sheets []Sheet
	for _, t := range realTickets(b)[:20] {
		sheets = append(sheets, NewSheet(t, Names{}))
	}
	var size int
	for b.Loop() {
		out, err := PDF(f, sheets...)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out.PDF)
	}
	b.ReportMetric(float64(size)/float64(len(sheets)), "B/sheet")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sheets))/1e6, "ms/sheet")
}

// BenchmarkFontLoad is the one-time cost of reading the font: taking the
// first font out of the collection and reading its tables.
func BenchmarkFontLoad(b *testing.B) {
	sheetFont(b)
	data, err := os.ReadFile(microhei)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParseFont(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPreview draws the longest reply for an 80-column terminal.
func BenchmarkPreview(b *testing.B) {
	s := NewSheet(realTicket(b, "96762"), Names{})
	for b.Loop() {
		Preview(s, 80)
	}
}
