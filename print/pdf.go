package print

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"

	"codeberg.org/go-pdf/fpdf"
)

// Output is a rendered PDF document.
type Output struct {
	PDF   []byte
	Pages int
	// Missing lists the characters neither the font nor its fallbacks have
	// a glyph for, in order of appearance. They are printed as a white
	// square (□); in the PDF's text (what copying or searching finds) a
	// character of the BMP keeps its own code, one beyond it reads as □.
	Missing []rune
}

// The page in millimetres and type sizes in points.
const (
	pt = 25.4 / 72 // millimetres per point

	pageW, pageH = 210.0, 297.0
	marginX      = 18.0
	marginTop    = 15.0
	marginBottom = 16.0
	tableW       = pageW - 2*marginX
	labelW       = 29.0
	padX, padY   = 2.0, 1.5

	bodySize  = 10.5 // 五号, the usual size of Chinese forms
	lineH     = bodySize * 1.45 * pt
	titleSize = 20.0
	headSize  = 13.0
	footSize  = 9.0

	inner = 0.2 // ruling between cells
	outer = 0.5 // the table's frame
)

// continued marks a row or a page that goes on from the page before.
const continued = "（续）"

// PDF draws sheets into one A4 document, each sheet starting on a new page:
// a batch prints as one job. The glyphs used are embedded as a subset of
// the font, and of each fallback font that draws any of the text. The PDF
// writer encodes text in the BMP only: a character beyond it that the font
// has (𠮷 in a font with CJK Extension B) is printed with its own glyph but
// reads as a private-use character in the PDF's text.
func PDF(font *Font, sheets ...Sheet) (Output, error) {
	if font == nil {
		return Output{}, errors.New("print: no font")
	}
	if len(sheets) == 0 {
		return Output{}, errors.New("print: no sheet to print")
	}
	d := &document{font: font}
	for _, s := range sheets {
		d.sheet(s)
	}
	return d.render()
}

// op is one drawing operation of a page, recorded during layout so the font
// subset can be made from all the text before anything is drawn.
type op struct {
	text       string
	x, y, size float64 // text: left end of the baseline
	bold       bool
	rect       bool // a rectangle x, y, w, h instead of text
	w, h, line float64
}

type document struct {
	font  *Font
	pages [][]op
}

func (d *document) measure(size float64) func(string) float64 {
	return func(c string) float64 { return d.font.Width(c, size) * pt }
}

// baseline is where text of size sits in a line box of height h whose top
// is y: the ideographic em box, from 0.12 em below the baseline to 0.88
// above, is centred in the box.
func baseline(y, h, size float64) float64 {
	return y + h/2 + 0.38*size*pt
}

// laid is a row with its text wrapped to its cells.
type laid struct {
	row    Row
	labels []string   // labels as given
	values [][]string // each field's value, wrapped
	lines  int        // the longest value, in lines
}

func (d *document) wrapRow(r Row) laid {
	l := laid{row: r}
	n := max(len(r.Fields), 1)
	cellW := tableW / float64(n)
	for _, f := range r.Fields {
		l.labels = append(l.labels, tidy(f.Label))
		v := Wrap(tidy(f.Value), cellW-labelW-2*padX, d.measure(bodySize))
		l.values = append(l.values, v)
		l.lines = max(l.lines, len(v))
	}
	return l
}

// labelLines wraps a label to its cell, marked when the row goes on from
// the page before.
func (d *document) labelLines(label string, cont bool) []string {
	if cont {
		label += continued
	}
	return Wrap(label, labelW-2*padX, d.measure(bodySize))
}

// sheet lays out one sheet on as many pages as it needs. A row too long for
// what is left of a page is split between lines, its rest continuing at the
// top of the next page with its labels marked （续）.
func (d *document) sheet(s Sheet) {
	first := len(d.pages)
	title := tidy(s.Title)
	number := tidy(s.Number)
	var page []op
	var y, top float64
	bottom := pageH - marginBottom
	newPage := func() {
		if page != nil {
			page = append(page, frame(top, y))
			d.pages = append(d.pages, page)
		}
		page = []op{}
		if len(d.pages) == first {
			w := d.font.Width(title, titleSize) * pt
			page = append(page, op{text: title, x: (pageW - w) / 2, y: marginTop + titleSize*pt, size: titleSize, bold: true})
			y = marginTop + titleSize*pt + 6
		} else {
			head := title + continued
			w := d.font.Width(head, headSize) * pt
			page = append(page, op{text: head, x: (pageW - w) / 2, y: marginTop + headSize*pt, size: headSize, bold: true})
			if number != "" {
				no := "编号：" + number
				nw := d.font.Width(no, footSize) * pt
				page = append(page, op{text: no, x: pageW - marginX - nw, y: marginTop + headSize*pt, size: footSize})
			}
			y = marginTop + headSize*pt + 4
		}
		top = y
	}
	newPage()
	fresh := true // nothing on the page yet
	for _, r := range s.Rows {
		l := d.wrapRow(r)
		for from := 0; ; {
			cont := from > 0
			labelN := 1
			for _, lb := range l.labels {
				labelN = max(labelN, len(d.labelLines(lb, cont)))
			}
			rest := max(l.lines-from, labelN)
			want := rest
			if !cont {
				want = max(rest, r.Lines)
			}
			avail := int(math.Floor((bottom - y - 2*padY + 1e-9) / lineH))
			if rest <= avail {
				n := min(want, avail)
				page = append(page, d.row(l, from, l.lines, n, cont, y)...)
				y += float64(n)*lineH + 2*padY
				fresh = false
				break
			}
			// Split where a part of at least two lines fits, or any part at
			// all on an empty page; else start the row on the next page.
			if avail >= max(2, labelN) || (fresh && avail >= 1) {
				to := from + avail
				page = append(page, d.row(l, from, to, avail, cont, y)...)
				y += float64(avail)*lineH + 2*padY
				from = to
			}
			newPage()
			fresh = true
		}
	}
	page = append(page, frame(top, y))
	d.pages = append(d.pages, page)

	total := len(d.pages) - first
	for i := range total {
		foot := fmt.Sprintf("第 %d 页 共 %d 页", i+1, total)
		w := d.font.Width(foot, footSize) * pt
		d.pages[first+i] = append(d.pages[first+i], op{text: foot, x: (pageW - w) / 2, y: pageH - 9, size: footSize})
	}
}

func frame(top, bottom float64) op {
	return op{rect: true, x: marginX, y: top, w: tableW, h: bottom - top, line: outer}
}

// row draws the value lines [from, to) of a row as a part n lines tall at y.
func (d *document) row(l laid, from, to, n int, cont bool, y float64) []op {
	h := float64(n)*lineH + 2*padY
	cellW := tableW / float64(max(len(l.row.Fields), 1))
	var ops []op
	for i := range l.row.Fields {
		x := marginX + float64(i)*cellW
		ops = append(ops,
			op{rect: true, x: x, y: y, w: labelW, h: h, line: inner},
			op{rect: true, x: x + labelW, y: y, w: cellW - labelW, h: h, line: inner})
		labels := d.labelLines(l.labels[i], cont)
		ly := y + (h-float64(len(labels))*lineH)/2
		for j, t := range labels {
			w := d.font.Width(t, bodySize) * pt
			ops = append(ops, op{text: t, x: x + (labelW-w)/2, y: baseline(ly+float64(j)*lineH, lineH, bodySize), size: bodySize})
		}
		v := l.values[i]
		for j := from; j < min(to, len(v)); j++ {
			ly := y + padY + float64(j-from)*lineH
			if n == 1 && len(labels) == 1 {
				ly = y + (h-lineH)/2
			}
			ops = append(ops, op{text: v[j], x: x + labelW + padX, y: baseline(ly, lineH, bodySize), size: bodySize})
		}
	}
	return ops
}

// render embeds the subset font and draws the recorded pages.
func (d *document) render() (Output, error) {
	used := map[rune]bool{}
	for _, p := range d.pages {
		for _, o := range p {
			for _, r := range o.text {
				used[r] = true
			}
		}
	}
	// Codes stand for characters in the PDF's text. The PDF writer knows
	// only the BMP, so a character beyond it that the font has gets a code
	// from the private use area that the text itself does not use. Each
	// font embedded, the main one and the fallbacks, has codes of its own.
	faces := d.font.faces()
	codes := make([]map[rune]uint16, len(faces))
	for i := range codes {
		codes[i] = map[rune]uint16{}
	}
	as := map[rune]drawn{}
	next := rune(0xe000)
	var missing []rune
	for _, p := range d.pages {
		for _, o := range p {
			for _, r := range o.text {
				if _, done := as[r]; done || ignorable(r) {
					continue
				}
				face, g, ok := d.font.draw(r)
				if !ok {
					missing = append(missing, r)
				}
				code := r
				if r > 0xffff {
					if !ok {
						code = '□'
					} else {
						for used[next] {
							next++
						}
						code = next
						next++
					}
				}
				i := slices.Index(faces, face)
				as[r] = drawn{code, i}
				codes[i][code] = g
			}
		}
	}
	if next > 0xf8ff {
		return Output{}, errors.New("print: too many characters outside the BMP for one document")
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("hotline", false)
	pdf.SetTitle(Title, true)
	for i, face := range faces {
		if i == 0 || len(codes[i]) > 0 {
			pdf.AddUTF8FontFromBytes(faceName(i), "", face.subset(codes[i]))
		}
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetTextColor(0, 0, 0)
	for _, p := range d.pages {
		pdf.AddPage()
		// Ruling first, so the text lies on top of the lines.
		for _, o := range p {
			if o.rect && o.line == inner {
				pdf.SetLineWidth(o.line)
				pdf.Rect(o.x, o.y, o.w, o.h, "D")
			}
		}
		for _, o := range p {
			if o.rect && o.line != inner {
				pdf.SetLineWidth(o.line)
				pdf.Rect(o.x, o.y, o.w, o.h, "D")
			}
		}
		for _, o := range p {
			if o.rect || o.text == "" {
				continue
			}
			if o.bold {
				// One font has no bold face: stroke the outline as well.
				pdf.SetLineWidth(o.size * pt / 30)
				pdf.SetTextRenderingMode(2)
			}
			x := o.x
			for _, r := range runs(o.text, as) {
				pdf.SetFont(faceName(r.face), "", o.size)
				pdf.Text(x, o.y, r.codes)
				x += d.font.Width(r.text, o.size) * pt
			}
			if o.bold {
				pdf.SetTextRenderingMode(0)
			}
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return Output{}, fmt.Errorf("print: write PDF: %w", err)
	}
	return Output{PDF: buf.Bytes(), Pages: len(d.pages), Missing: missing}, nil
}

// drawn is how a character is drawn: its code in the PDF's text and the
// font, by its place among the font and its fallbacks.
type drawn struct {
	code rune
	face int
}

// faceName is the name the PDF writer knows the font of that place by.
func faceName(face int) string {
	if face == 0 {
		return "sheet"
	}
	return fmt.Sprintf("sheet%d", face)
}

// run is a stretch of text that one font draws, and its codes.
type run struct {
	face        int
	text, codes string
}

// runs cuts s where the font that draws it changes; each run is drawn
// where the one before ends, as measured, so a fallback's glyphs keep their
// own advances.
func runs(s string, as map[rune]drawn) []run {
	var out []run
	for _, r := range s {
		if ignorable(r) {
			continue
		}
		a := as[r]
		if n := len(out); n == 0 || out[n-1].face != a.face {
			out = append(out, run{face: a.face})
		}
		last := &out[len(out)-1]
		last.text += string(r)
		last.codes += string(a.code)
	}
	return out
}
