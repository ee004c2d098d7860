package print

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"unicode/utf16"
)

// Font is a TrueType font read once and kept: its character map, glyph
// advances and outlines, from which each document embeds only the glyphs it
// uses. It may have fallback fonts (WithFallback) for the characters it
// lacks. A Font is safe for concurrent use.
type Font struct {
	Path string // the file it was read from; empty when parsed from bytes
	Name string // the family name, e.g. "WenQuanYi Micro Hei"

	upem    int
	ascent  int // hhea ascender, font units
	descent int // hhea descender, font units (negative)
	glyphs  map[rune]uint16
	advance []uint16 // by glyph id
	loca    []uint32 // numGlyphs+1 offsets into glyf
	glyf    []byte
	fsType  uint16
	tables  map[string][]byte // the standalone font's tables, by tag

	fallback *Font // draws the characters this font lacks; nil for none
}

// errCFF is returned for OpenType fonts with PostScript (CFF) outlines,
// which the PDF writer cannot embed.
var errCFF = errors.New("has PostScript (CFF) outlines, not TrueType ones")

// required are the characters a sheet cannot do without: the labels, ASCII
// and the common Chinese punctuation. Fonts such as Droid Sans Fallback have
// the ideographs but not Latin letters and digits, and would print numbers
// and phone numbers as blanks.
const required = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~" +
	"，。、；：？！（）《》“”‘’…—" +
	"市民投诉电话记录单编号来时间人联系地址求类别标题内容派发单位办理限处情况沟通解释结果采取措施依据客户意见承审核日期第页共续"

var fonts struct {
	sync.Mutex
	byPath map[string]*Font
}

// LoadFont reads the TrueType font (.ttf) or the first font of a TrueType
// collection (.ttc) at path and checks that it can print a sheet. A font
// that was loaded before is returned from memory.
func LoadFont(path string) (*Font, error) {
	f, err := readFont(path)
	if err != nil {
		return nil, err
	}
	if err := f.canPrintSheet(); err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	return f, nil
}

// readFont reads the font at path, or returns it from memory, checking only
// that it can be embedded: a fallback font need not have the characters of
// a sheet.
func readFont(path string) (*Font, error) {
	fonts.Lock()
	defer fonts.Unlock()
	if f, ok := fonts.byPath[path]; ok {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f, err := parseFont(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f.Path = path
	if fonts.byPath == nil {
		fonts.byPath = map[string]*Font{}
	}
	fonts.byPath[path] = f
	return f, nil
}

// ParseFont reads a TrueType font or the first font of a collection from
// memory and checks that it can print a sheet: TrueType outlines, embedding
// allowed, and every character of ASCII, the common Chinese punctuation and
// the sheet's labels present.
func ParseFont(data []byte) (*Font, error) {
	f, err := parseFont(data)
	if err != nil {
		return nil, err
	}
	if err := f.canPrintSheet(); err != nil {
		return nil, err
	}
	return f, nil
}

// parseFont reads a TrueType font or the first font of a collection whose
// licence allows embedding it.
func parseFont(data []byte) (*Font, error) {
	if len(data) >= 4 && string(data[:4]) == "ttcf" {
		var err error
		if data, err = firstFont(data); err != nil {
			return nil, err
		}
	}
	f, err := parseTrueType(data)
	if err != nil {
		return nil, err
	}
	if f.fsType&0x000f == 0x0002 || f.fsType&0x0300 != 0 {
		return nil, fmt.Errorf("the font's licence does not allow embedding it in a document (OS/2 fsType %#04x)", f.fsType)
	}
	return f, nil
}

// canPrintSheet checks that the font has every character of required.
func (f *Font) canPrintSheet() error {
	if missing := f.Missing(required); len(missing) > 0 {
		return fmt.Errorf("lacks %d characters a sheet needs, such as %q: not a font for Chinese text with Latin letters and digits", len(missing), string(missing[:min(len(missing), 8)]))
	}
	return nil
}

// WithFallback returns the font that draws each character it lacks with
// fallback's glyph, measured with fallback's advance: a font with CJK
// Extension B such as SimSun-ExtB behind a common Chinese font, or a Latin
// one for a symbol such as €. A fallback need not have the characters of a
// sheet. Called again, it adds a fallback after those the font has. The
// font itself is not changed.
func (f *Font) WithFallback(fallback *Font) *Font {
	if fallback == nil {
		return f
	}
	c := *f
	if f.fallback != nil {
		fallback = f.fallback.WithFallback(fallback)
	}
	c.fallback = fallback
	return &c
}

// faces lists the font and its fallbacks, in the order they are looked in.
func (f *Font) faces() []*Font {
	var out []*Font
	for c := f; c != nil; c = c.fallback {
		out = append(out, c)
	}
	return out
}

// draw finds the font that draws r, the first of the font and its
// fallbacks that has it, and its glyph there; ok is false when none has it
// and the glyph is the placeholder.
func (f *Font) draw(r rune) (face *Font, g uint16, ok bool) {
	for c := f; c != nil; c = c.fallback {
		if g, ok := c.glyphs[r]; ok {
			return c, g, true
		}
	}
	face, g = f.placeholder()
	return face, g, false
}

// Has reports whether the font, or one of its fallbacks, has a glyph for r.
func (f *Font) Has(r rune) bool {
	_, _, ok := f.draw(r)
	return ok
}

// Missing lists, once each and in order of appearance, the characters of s
// neither the font nor its fallbacks have a glyph for. Line breaks, spaces
// and other characters that are never drawn are not counted.
func (f *Font) Missing(s string) []rune {
	var out []rune
	for _, r := range s {
		if ignorable(r) || f.Has(r) || slices.Contains(out, r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// ignorable are the characters that take no room and are not drawn: line
// breaks, zero-width spaces and joiners, variation selectors and the byte
// order mark.
func ignorable(r rune) bool {
	return r == '\n' || (r >= 0x200b && r <= 0x200f) || (r >= 0x2060 && r <= 0x2064) ||
		(r >= 0xfe00 && r <= 0xfe0f) || r == 0xfeff || (r >= 0xe0100 && r <= 0xe01ef)
}

// width is the advance of r in thousandths of the font size, from the font
// that draws it, rounded as the PDF's width table has it so that measured
// and drawn text agree.
func (f *Font) width(r rune) int {
	face, g, _ := f.draw(r)
	return face.glyphWidth(g)
}

func (f *Font) glyphWidth(g uint16) int {
	a := f.advance[len(f.advance)-1]
	if int(g) < len(f.advance) {
		a = f.advance[g]
	}
	return int(math.Round(float64(a) * 1000 / float64(f.upem)))
}

// placeholder is the glyph drawn for a character that neither the font nor
// its fallbacks have: a white square, so the gap is seen on paper, from the
// first of them that has one, else the font's own "missing" glyph.
func (f *Font) placeholder() (*Font, uint16) {
	for c := f; c != nil; c = c.fallback {
		if g, ok := c.glyphs['□']; ok {
			return c, g
		}
	}
	return f, 0
}

// Width measures s in points at the given size with the advances of the
// fonts that draw it: the font's own, a fallback's for what it draws.
func (f *Font) Width(s string, size float64) float64 {
	n := 0
	for _, r := range s {
		if !ignorable(r) {
			n += f.width(r)
		}
	}
	return float64(n) * size / 1000
}

// firstFont rebuilds a standalone TrueType file from the first font of a
// collection: its table directory with the tables it points to, which a
// collection may share between its fonts.
func firstFont(ttc []byte) ([]byte, error) {
	if len(ttc) < 16 {
		return nil, errors.New("truncated font collection header")
	}
	if n := binary.BigEndian.Uint32(ttc[8:]); n == 0 {
		return nil, errors.New("font collection holds no font")
	}
	off := int(binary.BigEndian.Uint32(ttc[12:]))
	dir, err := readDirectory(ttc, off)
	if err != nil {
		return nil, err
	}
	tables := map[string][]byte{}
	for _, t := range dir.tables {
		tables[t.tag] = ttc[t.off : t.off+t.len]
	}
	return buildFont(dir.version, tables), nil
}

type tableRecord struct {
	tag      string
	off, len int
}

type directory struct {
	version uint32
	tables  []tableRecord
}

func readDirectory(data []byte, off int) (directory, error) {
	var d directory
	if off < 0 || off+12 > len(data) {
		return d, errors.New("truncated table directory")
	}
	d.version = binary.BigEndian.Uint32(data[off:])
	switch d.version {
	case 0x00010000, 0x74727565: // 1.0 and Apple's 'true'
	case 0x4f54544f: // 'OTTO'
		return d, errCFF
	default:
		return d, fmt.Errorf("not a TrueType font (version %#08x)", d.version)
	}
	n := int(binary.BigEndian.Uint16(data[off+4:]))
	if off+12+16*n > len(data) {
		return d, errors.New("truncated table directory")
	}
	for i := range n {
		r := data[off+12+16*i:]
		t := tableRecord{
			tag: string(r[:4]),
			off: int(binary.BigEndian.Uint32(r[8:])),
			len: int(binary.BigEndian.Uint32(r[12:])),
		}
		if t.off < 0 || t.len < 0 || t.off+t.len > len(data) || t.off+t.len < t.off {
			return d, fmt.Errorf("table %q lies outside the file", t.tag)
		}
		d.tables = append(d.tables, t)
	}
	return d, nil
}

// buildFont writes a TrueType file holding tables, sorted by tag as the
// format asks, each padded to four bytes, with checksums and head's
// checkSumAdjustment set.
func buildFont(version uint32, tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	size := 12 + 16*len(tables)
	for tag, t := range tables {
		tags = append(tags, tag)
		size += (len(t) + 3) &^ 3
	}
	slices.Sort(tags)
	out := make([]byte, 12+16*len(tags), size)
	be := binary.BigEndian
	be.PutUint32(out, version)
	n := len(tags)
	be.PutUint16(out[4:], uint16(n))
	sr, es := 1, 0
	for sr*2 <= n {
		sr *= 2
		es++
	}
	be.PutUint16(out[6:], uint16(sr*16))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(n*16-sr*16))
	headAt := -1
	for i, tag := range tags {
		t := tables[tag]
		off := len(out)
		if tag == "head" && len(t) >= 12 {
			headAt = off
			t = slices.Clone(t)
			be.PutUint32(t[8:], 0)
		}
		out = append(out, t...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		r := out[12+16*i:]
		copy(r, tag)
		be.PutUint32(r[4:], checksum(out[off:]))
		be.PutUint32(r[8:], uint32(off))
		be.PutUint32(r[12:], uint32(len(t)))
	}
	if headAt >= 0 {
		be.PutUint32(out[headAt+8:], 0xb1b0afba-checksum(out))
	}
	return out
}

// checksum sums b as big-endian 32-bit words; len(b) is a multiple of 4.
func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i+4 <= len(b); i += 4 {
		s += binary.BigEndian.Uint32(b[i:])
	}
	return s
}

func parseTrueType(data []byte) (*Font, error) {
	dir, err := readDirectory(data, 0)
	if err != nil {
		return nil, err
	}
	f := &Font{tables: map[string][]byte{}}
	for _, t := range dir.tables {
		f.tables[t.tag] = data[t.off : t.off+t.len]
	}
	if f.tables["glyf"] == nil && (f.tables["CFF "] != nil || f.tables["CFF2"] != nil) {
		return nil, errCFF
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("has no %q table", tag)
		}
	}
	be := binary.BigEndian
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, errors.New("truncated head, hhea or maxp table")
	}
	f.upem = int(be.Uint16(head[18:]))
	if f.upem < 16 {
		return nil, fmt.Errorf("bad units per em %d", f.upem)
	}
	f.ascent = int(int16(be.Uint16(hhea[4:])))
	f.descent = int(int16(be.Uint16(hhea[6:])))
	numGlyphs := int(be.Uint16(maxp[4:]))
	numMetrics := int(be.Uint16(hhea[34:]))
	if numGlyphs == 0 || numMetrics == 0 || numMetrics > numGlyphs {
		return nil, fmt.Errorf("bad glyph count %d or metrics count %d", numGlyphs, numMetrics)
	}
	hmtx := f.tables["hmtx"]
	if len(hmtx) < 4*numMetrics {
		return nil, errors.New("truncated hmtx table")
	}
	f.advance = make([]uint16, numMetrics)
	for i := range numMetrics {
		f.advance[i] = be.Uint16(hmtx[4*i:])
	}
	loca := f.tables["loca"]
	f.loca = make([]uint32, numGlyphs+1)
	long := be.Uint16(head[50:]) == 1
	if (long && len(loca) < 4*(numGlyphs+1)) || (!long && len(loca) < 2*(numGlyphs+1)) {
		return nil, errors.New("truncated loca table")
	}
	f.glyf = f.tables["glyf"]
	for i := range f.loca {
		if long {
			f.loca[i] = be.Uint32(loca[4*i:])
		} else {
			f.loca[i] = 2 * uint32(be.Uint16(loca[2*i:]))
		}
		if f.loca[i] > uint32(len(f.glyf)) || (i > 0 && f.loca[i] < f.loca[i-1]) {
			return nil, fmt.Errorf("loca entry %d points outside glyf", i)
		}
	}
	if os2 := f.tables["OS/2"]; len(os2) >= 10 {
		f.fsType = be.Uint16(os2[8:])
	}
	f.Name = familyName(f.tables["name"])
	if f.glyphs, err = parseCmap(f.tables["cmap"], numGlyphs); err != nil {
		return nil, err
	}
	return f, nil
}

// parseCmap reads the best Unicode subtable: a full-repertoire format 12
// (for characters outside the BMP such as 𠮷) before a BMP format 4.
func parseCmap(cmap []byte, numGlyphs int) (map[rune]uint16, error) {
	be := binary.BigEndian
	if len(cmap) < 4 {
		return nil, errors.New("truncated cmap table")
	}
	n := int(be.Uint16(cmap[2:]))
	if len(cmap) < 4+8*n {
		return nil, errors.New("truncated cmap table")
	}
	best, bestRank := -1, 0
	for i := range n {
		r := cmap[4+8*i:]
		platform, encoding := be.Uint16(r), be.Uint16(r[2:])
		off := int(be.Uint32(r[4:]))
		if off+2 > len(cmap) {
			continue
		}
		format := be.Uint16(cmap[off:])
		rank := 0
		switch {
		case format == 12 && (platform == 0 || (platform == 3 && encoding == 10)):
			rank = 3
		case format == 4 && (platform == 0 || (platform == 3 && encoding == 1)):
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = off, rank
		}
	}
	if best < 0 {
		return nil, errors.New("has no Unicode character map")
	}
	m := map[rune]uint16{}
	add := func(r rune, g int) {
		if g > 0 && g < numGlyphs && r != 0xffff {
			m[r] = uint16(g)
		}
	}
	t := cmap[best:]
	if be.Uint16(t) == 12 {
		if len(t) < 16 {
			return nil, errors.New("truncated cmap format 12")
		}
		groups := int(be.Uint32(t[12:]))
		if groups > (len(t)-16)/12 {
			return nil, errors.New("truncated cmap format 12")
		}
		for i := range groups {
			g := t[16+12*i:]
			start, end, gid := be.Uint32(g), be.Uint32(g[4:]), be.Uint32(g[8:])
			if end < start || end > 0x10ffff || end-start > 0x10000 {
				continue
			}
			for c := start; c <= end; c++ {
				add(rune(c), int(gid+c-start))
			}
		}
		return m, nil
	}
	if len(t) < 14 {
		return nil, errors.New("truncated cmap format 4")
	}
	segs := int(be.Uint16(t[6:])) / 2
	if 16+8*segs > len(t) {
		return nil, errors.New("truncated cmap format 4")
	}
	ends, starts := t[14:], t[16+2*segs:]
	deltas, ranges := t[16+4*segs:], t[16+6*segs:]
	for i := range segs {
		end, start := int(be.Uint16(ends[2*i:])), int(be.Uint16(starts[2*i:]))
		delta, ro := int(be.Uint16(deltas[2*i:])), int(be.Uint16(ranges[2*i:]))
		for c := start; c <= end && c < 0xffff; c++ {
			if ro == 0 {
				add(rune(c), (c+delta)&0xffff)
				continue
			}
			at := 16 + 6*segs + 2*i + ro + 2*(c-start)
			if at+2 > len(t) {
				break
			}
			if g := int(be.Uint16(t[at:])); g != 0 {
				add(rune(c), (g+delta)&0xffff)
			}
		}
	}
	return m, nil
}

// familyName reads name 1 (the family), preferring the English Windows
// entry.
func familyName(name []byte) string {
	be := binary.BigEndian
	if len(name) < 6 {
		return ""
	}
	n, store := int(be.Uint16(name[2:])), int(be.Uint16(name[4:]))
	found := ""
	for i := range n {
		r := name[6+12*i:]
		if 6+12*(i+1) > len(name) {
			break
		}
		platform, encoding, lang, id := be.Uint16(r), be.Uint16(r[2:]), be.Uint16(r[4:]), be.Uint16(r[6:])
		length, off := int(be.Uint16(r[8:])), int(be.Uint16(r[10:]))
		if id != 1 || platform != 3 || (encoding != 1 && encoding != 0) || store+off+length > len(name) {
			continue
		}
		b := name[store+off : store+off+length]
		u := make([]uint16, len(b)/2)
		for j := range u {
			u[j] = be.Uint16(b[2*j:])
		}
		s := string(utf16.Decode(u))
		if lang == 0x409 {
			return s
		}
		if found == "" {
			found = s
		}
	}
	return found
}
