package print

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"hotline/complaint"
	"hotline/internal/testenv"
)

// pdfTool runs a poppler tool on a PDF and returns what it prints.
func pdfTool(t *testing.T, pdf []byte, tool string, args ...string) string {
	t.Helper()
	bin := testenv.Command(t, tool, "poppler-utils")
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(args, path, "-")...).Output()
	if tool == "pdfinfo" || tool == "pdffonts" {
		out, err = exec.Command(bin, append(args, path)...).Output()
	}
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out)
}

// pages is pdftotext -raw's text of each page.
func pages(t *testing.T, pdf []byte) []string {
	t.Helper()
	text := pdfTool(t, pdf, "pdftotext", "-raw", "-enc", "UTF-8")
	return strings.Split(strings.TrimSuffix(text, "\f"), "\f")
}

func render(t *testing.T, sheets ...Sheet) Output {
	t.Helper()
	out, err := PDF(sheetFont(t), sheets...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPDFRealTicket prints a real ticket and reads its content and reply
// back out of the PDF as they were, white space aside.
func TestPDFRealTicket(t *testing.T) {
	tk := realTicket(t, "2549")
	out := render(t, NewSheet(tk, Names{}))
	if len(out.Missing) != 0 {
		t.Errorf("missing %q", out.Missing)
	}
	got := squeeze(strings.Join(pages(t, out.PDF), ""))
	for name, text := range map[string]string{"title": tk.Title, "content": tk.Content, "reply": tk.Reply.Text} {
		if !strings.Contains(got, squeeze(text)) {
			t.Errorf("the PDF's text lacks the %s %.60q…", name, squeeze(text))
		}
	}
	if !strings.HasPrefix(got, "市民投诉电话记录单编号2549来电时间2019-04-2509:32") {
		t.Errorf("the PDF's text starts %.80q", got)
	}

	info := pdfTool(t, out.PDF, "pdfinfo")
	for _, want := range []string{fmt.Sprintf("Pages:           %d\n", out.Pages), "Page size:       595.28 x 841.89 pts (A4)", "Title:           市民投诉电话记录单"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	// One embedded TrueType font, no other.
	fonts := strings.Split(strings.TrimSpace(pdfTool(t, out.PDF, "pdffonts")), "\n")
	if len(fonts) != 3 || !regexp.MustCompile(`CID TrueType +Identity-H +yes`).MatchString(fonts[2]) {
		t.Errorf("pdffonts:\n%s", strings.Join(fonts, "\n"))
	}
}

// TestPDFLongReply prints a real 7,883-character reply: it runs over pages,
// each continuation marked （续） and every page numbered, and reads back
// whole once the page furniture is taken out.
func TestPDFLongReply(t *testing.T) {
	tk := realTicket(t, "96762")
	if n := utf8.RuneCountInString(tk.Reply.Text); n < 7000 {
		t.Fatalf("reply of 96762 has %d characters", n)
	}
	out := render(t, NewSheet(tk, Names{}))
	ps := pages(t, out.PDF)
	if len(ps) != out.Pages || out.Pages < 3 {
		t.Fatalf("pdftotext found %d pages, PDF says %d", len(ps), out.Pages)
	}
	var all strings.Builder
	for i, p := range ps {
		lines := strings.Split(strings.TrimSpace(p), "\n")
		foot := fmt.Sprintf("第 %d 页 共 %d 页", i+1, len(ps))
		if lines[len(lines)-1] != foot {
			t.Errorf("page %d ends with %q, want %q", i+1, lines[len(lines)-1], foot)
		}
		head := "市民投诉电话记录单"
		if i > 0 {
			head = "市民投诉电话记录单（续） 编号：96762"
		}
		if lines[0] != head {
			t.Errorf("page %d starts with %q, want %q", i+1, lines[0], head)
		}
		s := squeeze(strings.Join(lines[1:len(lines)-1], ""))
		if i > 0 && i < len(ps)-1 && !strings.HasPrefix(s, "处理情况（续）") {
			t.Errorf("page %d does not go on with 处理情况（续）: %.40q", i+1, s)
		}
		all.WriteString(strings.TrimPrefix(s, "处理情况（续）"))
	}
	if !strings.Contains(all.String(), squeeze(tk.Reply.Text)) {
		t.Error("the reply does not read back whole across the pages")
	}
	if !strings.Contains(all.String(), squeeze(tk.Content)) {
		t.Error("the content does not read back whole")
	}
}

// TestPDFLineStarts prints a batch of real tickets and reads every line of
// every page: none starts with closing punctuation, none ends with opening
// punctuation. Tickets with a paragraph that itself starts or ends so are
// left out: no line breaking can help those.
func TestPDFLineStarts(t *testing.T) {
	var sheets []Sheet
	for _, tk := range realTickets(t) {
		if len(sheets) >= 300 && tk.Number != "96762" {
			continue
		}
		if !paragraphsClean(tk.Content) || !paragraphsClean(tk.Reply.Text) || !paragraphsClean(tk.Title) {
			continue
		}
		sheets = append(sheets, NewSheet(tk, Names{}))
	}
	out := render(t, sheets...)
	ps := pages(t, out.PDF)
	if len(ps) != out.Pages || len(ps) < len(sheets) {
		t.Fatalf("%d sheets gave %d pages, pdftotext reads %d", len(sheets), out.Pages, len(ps))
	}
	lines := 0
	for i, p := range ps {
		l := strings.Split(p, "\n")
		lines += len(l)
		checkLines(t, fmt.Sprintf("page %d", i+1), l)
	}
	t.Logf("%d sheets, %d pages, %d lines, %d bytes", len(sheets), len(ps), lines, len(out.PDF))
}

func paragraphsClean(text string) bool {
	for _, p := range strings.Split(tidy(text), "\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(p)
		last, _ := utf8.DecodeLastRuneInString(p)
		if strings.ContainsRune(noStart, first) || strings.ContainsRune(noEnd, last) {
			return false
		}
	}
	return true
}

// TestPDFBatch prints several tickets as one document, each sheet starting
// on a page of its own with its own page numbers.
func TestPDFBatch(t *testing.T) {
	tickets := []complaint.Ticket{sample(), realTicket(t, "96762"), realTicket(t, "2549")}
	var sheets []Sheet
	var counts []int
	for _, tk := range tickets {
		s := NewSheet(tk, names)
		sheets = append(sheets, s)
		counts = append(counts, render(t, s).Pages)
	}
	out := render(t, sheets...)
	ps := pages(t, out.PDF)
	total := 0
	for _, n := range counts {
		total += n
	}
	if out.Pages != total || len(ps) != total {
		t.Fatalf("batch has %d pages (pdftotext %d), the sheets alone %v", out.Pages, len(ps), counts)
	}
	at := 0
	for i, tk := range tickets {
		first := strings.Split(ps[at], "\n")
		if first[0] != "市民投诉电话记录单" || !strings.HasPrefix(first[1], "编号 "+tk.Number+" ") {
			t.Errorf("sheet %d does not start its page: %q", i+1, first[:2])
		}
		for j := range counts[i] {
			if !strings.Contains(ps[at+j], fmt.Sprintf("第 %d 页 共 %d 页", j+1, counts[i])) {
				t.Errorf("sheet %d page %d lacks its number", i+1, j+1)
			}
		}
		at += counts[i]
	}
}

// TestPDFMissing reports the characters the font lacks and prints them as
// □, keeping a BMP character's own code in the text.
func TestPDFMissing(t *testing.T) {
	tk := sample()
	tk.Caller = "𠮷祥"
	tk.Content = "市民㐀反映😀问题"
	out := render(t, NewSheet(tk, names))
	if want := []rune{'𠮷', '㐀', '😀'}; !slices.Equal(out.Missing, want) {
		t.Errorf("Missing = %q, want %q", out.Missing, want)
	}
	text := squeeze(strings.Join(pages(t, out.PDF), ""))
	for _, want := range []string{"来电人□祥", "市民㐀反映□问题"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// TestPDFOtherFonts prints with the other Chinese fonts that are installed.
func TestPDFOtherFonts(t *testing.T) {
	tk := realTicket(t, "2549")
	n := 0
	for _, path := range []string{"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc"} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		n++
		f, err := LoadFont(path)
		if err != nil {
			t.Fatal(err)
		}
		out, err := PDF(f, NewSheet(tk, Names{}))
		if err != nil {
			t.Fatal(err)
		}
		if got := squeeze(strings.Join(pages(t, out.PDF), "")); !strings.Contains(got, squeeze(tk.Reply.Text)) {
			t.Errorf("%s: the reply does not read back", f.Name)
		}
	}
	if n == 0 {
		testenv.Missing(t, "WenQuanYi Zen Hei (apt-get install fonts-wqy-zenhei)")
	}
}

// TestPDFLooks renders the first page and checks what a reader sees: the
// title centred, the table's frame closed on all four sides.
func TestPDFLooks(t *testing.T) {
	out := render(t, NewSheet(sample(), names))
	img := rasterize(t, out.PDF, 72)
	b := img.Bounds()
	mm := 72 / 25.4 // pixels per millimetre
	dark := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return (r+g+bl)/3 < 0x8000
	}
	// The title band: between the top margin and the table.
	x0, x1 := b.Max.X, 0
	for y := int(marginTop * mm); y < int((marginTop+titleSize*pt+2)*mm); y++ {
		for x := range b.Dx() {
			if dark(x, y) {
				x0, x1 = min(x0, x), max(x1, x)
			}
		}
	}
	if x1 <= x0 {
		t.Fatal("no title")
	}
	if mid := float64(x0+x1) / 2; mid < float64(b.Dx())/2-2 || mid > float64(b.Dx())/2+2 {
		t.Errorf("title spans x %d–%d, centre %.1f, page centre %.1f", x0, x1, mid, float64(b.Dx())/2)
	}
	// The frame: find the table's top and bottom rules on the left edge,
	// then check all four sides are drawn unbroken.
	left, right := int(marginX*mm+0.5), int((pageW-marginX)*mm+0.5)
	top, bottom := -1, -1
	for y := range b.Dy() {
		if dark(left, y) || dark(left-1, y) || dark(left+1, y) {
			if top < 0 {
				top = y
			}
			bottom = y
		}
	}
	col := func(x, y int) bool { return dark(x-1, y) || dark(x, y) || dark(x+1, y) }
	row := func(x, y int) bool { return dark(x, y-1) || dark(x, y) || dark(x, y+1) }
	for y := top + 1; y < bottom; y++ {
		if !col(left, y) || !col(right, y) {
			t.Fatalf("frame broken at y %d (table %d–%d)", y, top, bottom)
		}
	}
	for x := left; x <= right; x++ {
		if !row(x, top+1) || !row(x, bottom-1) {
			t.Fatalf("frame broken at x %d", x)
		}
	}
	if float64(bottom-top) < 150*mm {
		t.Errorf("table only %d px tall", bottom-top)
	}
}

func rasterize(t *testing.T, pdf []byte, dpi int) image.Image {
	t.Helper()
	bin := testenv.Command(t, "pdftoppm", "poppler-utils")
	dir := t.TempDir()
	in := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-r", fmt.Sprint(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "page"))
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestWritePNG writes testdata/sheet.png, the first page of a sheet at 80
// dpi, for the documentation: go test ./print -run TestWritePNG -update
func TestWritePNG(t *testing.T) {
	if !*update {
		t.Skip("writes testdata/sheet.png only with -update")
	}
	tk := sample()
	tk.Caller = "王先生" // a name the font can show
	out := render(t, NewSheet(tk, names))
	bin := testenv.Command(t, "pdftoppm", "poppler-utils")
	in := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(in, out.PDF, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", in, "testdata/sheet").CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
}

// withExtB makes a font that has 𠮷 (U+20BB7), which no installed font
// has: the sheet's characters and 吉 from the real font, with a full
// Unicode (format 12) character map that also gives 𠮷 the glyph of 吉.
func withExtB(t *testing.T) *Font {
	t.Helper()
	f := sheetFont(t)
	codes := map[rune]uint16{}
	for _, r := range required + "吉" {
		codes[r] = f.glyphs[r]
	}
	small, err := parseTrueType(f.subset(codes))
	if err != nil {
		t.Fatal(err)
	}
	m := maps.Clone(small.glyphs)
	m['𠮷'] = small.glyphs['吉']
	be := binary.BigEndian
	var groups []byte
	for _, r := range slices.Sorted(maps.Keys(m)) {
		groups = be.AppendUint32(groups, uint32(r))
		groups = be.AppendUint32(groups, uint32(r))
		groups = be.AppendUint32(groups, uint32(m[r]))
	}
	cmap := []byte{0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12} // one subtable, Windows full Unicode
	cmap = be.AppendUint16(cmap, 12)
	cmap = be.AppendUint16(cmap, 0)
	cmap = be.AppendUint32(cmap, uint32(16+len(groups)))
	cmap = be.AppendUint32(cmap, 0)
	cmap = be.AppendUint32(cmap, uint32(len(groups)/12))
	cmap = append(cmap, groups...)
	tables := maps.Clone(small.tables)
	tables["cmap"] = cmap
	font, err := ParseFont(buildFont(0x00010000, tables))
	if err != nil {
		t.Fatal(err)
	}
	return font
}

// TestPDFOutsideBMP prints 𠮷 with its glyph from a font that has it.
func TestPDFOutsideBMP(t *testing.T) {
	f := withExtB(t)
	if !f.Has('𠮷') {
		t.Fatal("font made with 𠮷 lacks it")
	}
	s := Sheet{Title: Title, Number: "1", Rows: []Row{{Fields: []Field{{"来电人", "吉𠮷吉\ue000"}}}}}
	out, err := PDF(f, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Missing, []rune{'\ue000'}) {
		t.Errorf("Missing = %q, want only U+E000", out.Missing)
	}
	// The text itself uses U+E000, so 𠮷 gets the next private code.
	if text := squeeze(strings.Join(pages(t, out.PDF), "")); !strings.Contains(text, "来电人吉\ue001吉\ue000") {
		t.Errorf("text %q", text)
	}
	// Drawn, 𠮷 (here the glyph of 吉) looks like 吉.
	s.Rows[0].Fields[0].Value = "吉吉吉\ue000"
	same, err := PDF(f, s)
	if err != nil {
		t.Fatal(err)
	}
	a, b := rasterize(t, out.PDF, 100), rasterize(t, same.PDF, 100)
	diff := 0
	for y := range a.Bounds().Dy() {
		for x := range a.Bounds().Dx() {
			if a.At(x, y) != b.At(x, y) {
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d pixels differ between 吉𠮷吉 and 吉吉吉", diff)
	}
}

// TestPDFKeepsEveryCharacter prints the text of TestWrapKeepsEveryCharacter
// in a value cell of a two-field row and in a label cell, both narrower than
// the text, and reads every character back in order, the lines as Wrap
// broke them.
func TestPDFKeepsEveryCharacter(t *testing.T) {
	const text = "小区物业费收费不合理，业主投诉多次未处理"
	f := sheetFont(t)
	s := Sheet{Title: Title, Number: "9", Rows: []Row{
		{Fields: []Field{{"事项", text}, {"备注", ""}}},
		{Fields: []Field{{text, ""}, {"备注", ""}}},
	}}
	d := &document{font: f}
	value, label := d.wrapRow(s.Rows[0]).values[0], d.labelLines(text, false)
	if len(value) < 2 || len(label) < 3 {
		t.Fatalf("the cells do not break the text: value %q, label %q", value, label)
	}
	out, err := PDF(f, s)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(pages(t, out.PDF)[0]), "\n")
	want := slices.Concat([]string{Title, "事项"}, value, []string{"备注"}, label, []string{"备注", "第 1 页 共 1 页"})
	if !slices.Equal(lines, want) {
		t.Errorf("pdftotext lines %q, want %q", lines, want)
	}
	if got := squeeze(strings.Join(lines, "")); strings.Count(got, text) != 2 {
		t.Errorf("the text does not read back whole twice: %q", got)
	}
}

// lacking is a real font without 𠮷 and €, for the shipped fault of glyphs
// left out silently: the characters of a sheet, 姓名吉金额 and □ from
// WenQuanYi Micro Hei, which has € (and no 𠮷).
func lacking(t *testing.T) *Font {
	t.Helper()
	f := sheetFont(t)
	if !f.Has('€') || f.Has('𠮷') {
		t.Fatalf("%s: Has(€) = %v, Has(𠮷) = %v", f.Name, f.Has('€'), f.Has('𠮷'))
	}
	codes := map[rune]uint16{}
	for _, r := range required + "姓名吉金额□" {
		codes[r] = f.glyphs[r]
	}
	small, err := ParseFont(f.subset(codes))
	if err != nil {
		t.Fatal(err)
	}
	if small.Has('€') || small.Has('𠮷') || !small.Has('□') {
		t.Fatalf("the font made lacking 𠮷 and €: Has(𠮷) = %v, Has(€) = %v, Has(□) = %v", small.Has('𠮷'), small.Has('€'), small.Has('□'))
	}
	return small
}

const dejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// dejaVu is DejaVu Sans, a Latin font with €, as a fallback font.
func dejaVu(t *testing.T) *Font {
	t.Helper()
	if _, err := os.Stat(dejaVuSans); err != nil {
		testenv.Missing(t, "DejaVu Sans (apt-get install fonts-dejavu-core)")
	}
	f, err := readFont(dejaVuSans)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Has('€') || f.Has('𠮷') || f.Has('吉') {
		t.Fatalf("%s: Has(€) = %v, Has(𠮷) = %v, Has(吉) = %v", f.Name, f.Has('€'), f.Has('𠮷'), f.Has('吉'))
	}
	return f
}

// missingSheet holds the text of the shipped fault.
func missingSheet(value string) Sheet {
	return Sheet{Title: Title, Number: "11", Rows: []Row{{Fields: []Field{{"来电人", value}}}}}
}

// TestPDFMissingNeverBlank is a shipped fault: glyphs a font lacks left as
// blanks. Both characters are reported in order, and printed as □: the page
// looks exactly as one with □ written in their place, and the PDF's text
// keeps € (of the BMP) and reads □ for 𠮷.
func TestPDFMissingNeverBlank(t *testing.T) {
	f := lacking(t)
	out, err := PDF(f, missingSheet("姓名：吉𠮷，金额€100"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []rune{'𠮷', '€'}; !slices.Equal(out.Missing, want) {
		t.Errorf("Missing = %q, want %q", out.Missing, want)
	}
	if text := squeeze(strings.Join(pages(t, out.PDF), "")); !strings.Contains(text, "来电人姓名：吉□，金额€100") {
		t.Errorf("text %q", text)
	}
	if len(f.glyph(f.glyphs['□'])) == 0 {
		t.Fatal("□ has no outline in the font")
	}
	squares, err := PDF(f, missingSheet("姓名：吉□，金额□100"))
	if err != nil {
		t.Fatal(err)
	}
	if len(squares.Missing) != 0 {
		t.Errorf("Missing = %q for text the font has", squares.Missing)
	}
	a, b := rasterize(t, out.PDF, 100), rasterize(t, squares.PDF, 100)
	diff := 0
	for y := range a.Bounds().Dy() {
		for x := range a.Bounds().Dx() {
			if a.At(x, y) != b.At(x, y) {
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d pixels differ between 吉𠮷…€ and 吉□…□", diff)
	}
}

// TestPDFFallback draws € with the glyph of a fallback font that has it:
// only 𠮷, which neither font has, is missing; € reads back as itself; the
// fallback is embedded as a second font; and the text after € is placed by
// the fallback's advance for it.
func TestPDFFallback(t *testing.T) {
	main, dv := lacking(t), dejaVu(t)
	f := main.WithFallback(dv)
	const value = "姓名：吉𠮷，金额€100"
	out, err := PDF(f, missingSheet(value))
	if err != nil {
		t.Fatal(err)
	}
	if want := []rune{'𠮷'}; !slices.Equal(out.Missing, want) {
		t.Errorf("Missing = %q, want %q", out.Missing, want)
	}
	if text := squeeze(strings.Join(pages(t, out.PDF), "")); !strings.Contains(text, "来电人姓名：吉□，金额€100") {
		t.Errorf("text %q", text)
	}
	if fonts := strings.Split(strings.TrimSpace(pdfTool(t, out.PDF, "pdffonts")), "\n"); len(fonts) != 4 {
		t.Errorf("pdffonts, want two fonts:\n%s", strings.Join(fonts, "\n"))
	}
	// pdftotext's box of the value is as wide as the glyphs drawn, with €
	// at DejaVu's advance (636/1000 em) rather than □'s (602): 0.357 pt
	// wider at 10.5 pt.
	bbox := pdfTool(t, out.PDF, "pdftotext", "-bbox")
	m := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">姓名：吉□，金额€100</word>`).FindStringSubmatch(bbox)
	if m == nil {
		t.Fatalf("no word %q in pdftotext -bbox:\n%s", value, bbox)
	}
	var x0, x1 float64
	fmt.Sscan(m[1], &x0)
	fmt.Sscan(m[2], &x1)
	if got, want := x1-x0, f.Width(value, bodySize); math.Abs(got-want) > 0.005 || math.Abs(want-main.Width(value, bodySize)-0.357) > 1e-9 {
		t.Errorf("value drawn %.4f pt wide, measured %.4f (%.4f without the fallback)", got, want, main.Width(value, bodySize))
	}

	// A sheet the main font can print alone embeds no fallback.
	alone, err := PDF(f, missingSheet("姓名：吉，金额100"))
	if err != nil {
		t.Fatal(err)
	}
	if fonts := strings.Split(strings.TrimSpace(pdfTool(t, alone.PDF, "pdffonts")), "\n"); len(fonts) != 3 {
		t.Errorf("pdffonts, want one font:\n%s", strings.Join(fonts, "\n"))
	}
}
