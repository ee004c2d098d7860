package print

import (
	"encoding/binary"
	"maps"
	"slices"
	"unicode/utf16"
)

// subset writes a small TrueType font holding glyph 0 and the glyphs that
// codes map to (with the parts of composite glyphs), renumbered, and a BMP
// character map from each code to its glyph. The PDF writer parses the font
// it is given for every document; handing it a few hundred glyphs instead of
// a whole CJK font keeps a sheet fast and small.
func (f *Font) subset(codes map[rune]uint16) []byte {
	be := binary.BigEndian
	keep := map[uint16]bool{}
	var visit func(g uint16)
	visit = func(g uint16) {
		if keep[g] || int(g) >= len(f.loca)-1 {
			return
		}
		keep[g] = true
		for _, c := range components(f.glyph(g)) {
			visit(c.gid)
		}
	}
	visit(0)
	for _, g := range codes {
		visit(g)
	}
	old := slices.Sorted(maps.Keys(keep))
	renumber := make(map[uint16]uint16, len(old))
	for i, g := range old {
		renumber[g] = uint16(i)
	}

	n := len(old)
	var glyf []byte
	loca := make([]byte, 4*(n+1))
	hmtx := make([]byte, 4*n)
	for i, g := range old {
		be.PutUint32(loca[4*i:], uint32(len(glyf)))
		data := f.glyph(g)
		if cs := components(data); len(cs) > 0 {
			data = slices.Clone(data)
			for _, c := range cs {
				be.PutUint16(data[c.at:], renumber[c.gid])
			}
		}
		glyf = append(glyf, data...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		a, lsb := f.metrics(g)
		be.PutUint16(hmtx[4*i:], a)
		be.PutUint16(hmtx[4*i+2:], lsb)
	}
	be.PutUint32(loca[4*n:], uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	be.PutUint16(head[50:], 1) // long loca offsets
	hhea := slices.Clone(f.tables["hhea"])
	be.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.tables["maxp"])
	be.PutUint16(maxp[4:], uint16(n))

	post := make([]byte, 32)
	be.PutUint32(post, 0x00030000) // no glyph names
	if p := f.tables["post"]; len(p) >= 16 {
		copy(post[4:16], p[4:16])
	}

	tables := map[string][]byte{
		"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx,
		"loca": loca, "glyf": glyf, "post": post,
		"cmap": cmap4(codes, renumber),
		"name": nameTable(f.Name),
	}
	for _, tag := range []string{"OS/2", "cvt ", "fpgm", "prep", "gasp"} {
		if t := f.tables[tag]; t != nil {
			tables[tag] = t
		}
	}
	return buildFont(0x00010000, tables)
}

// glyph is the outline data of g; empty for a glyph without contours.
func (f *Font) glyph(g uint16) []byte {
	if int(g)+1 >= len(f.loca) {
		return nil
	}
	return f.glyf[f.loca[g]:f.loca[g+1]]
}

// metrics is g's advance width and left side bearing.
func (f *Font) metrics(g uint16) (advance, lsb uint16) {
	hmtx := f.tables["hmtx"]
	m := len(f.advance)
	at := 4*m + 2*(int(g)-m)
	if int(g) < m {
		at = 4*int(g) + 2
	}
	if at+2 <= len(hmtx) {
		lsb = binary.BigEndian.Uint16(hmtx[at:])
	}
	advance = f.advance[m-1]
	if int(g) < m {
		advance = f.advance[g]
	}
	return advance, lsb
}

type component struct {
	at  int // offset of the glyph index within the glyph data
	gid uint16
}

// components lists the glyphs a composite glyph is built from; none for a
// simple glyph.
func components(data []byte) []component {
	be := binary.BigEndian
	if len(data) < 10 || int16(be.Uint16(data)) >= 0 {
		return nil
	}
	var out []component
	for at := 10; at+4 <= len(data); {
		flags := be.Uint16(data[at:])
		out = append(out, component{at + 2, be.Uint16(data[at+2:])})
		at += 4
		if flags&0x0001 != 0 { // arguments are words
			at += 4
		} else {
			at += 2
		}
		switch {
		case flags&0x0008 != 0: // one scale
			at += 2
		case flags&0x0040 != 0: // x and y scales
			at += 4
		case flags&0x0080 != 0: // two by two matrix
			at += 8
		}
		if flags&0x0020 == 0 { // no more components
			break
		}
	}
	return out
}

// cmap4 writes a cmap with one Windows Unicode BMP subtable (format 4)
// mapping each code to its renumbered glyph, a segment per run of codes
// whose glyphs follow each other.
func cmap4(codes map[rune]uint16, renumber map[uint16]uint16) []byte {
	type seg struct{ start, end, delta int }
	var segs []seg
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		g := int(renumber[codes[c]])
		if l := len(segs) - 1; l >= 0 && segs[l].end == int(c)-1 && int(c)+segs[l].delta == g {
			segs[l].end++
			continue
		}
		segs = append(segs, seg{int(c), int(c), g - int(c)})
	}
	segs = append(segs, seg{0xffff, 0xffff, 1})
	be := binary.BigEndian
	n := len(segs)
	sub := make([]byte, 16+8*n)
	be.PutUint16(sub, 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*n))
	sr, es := 1, 0
	for sr*2 <= n {
		sr *= 2
		es++
	}
	be.PutUint16(sub[8:], uint16(2*sr))
	be.PutUint16(sub[10:], uint16(es))
	be.PutUint16(sub[12:], uint16(2*n-2*sr))
	for i, s := range segs {
		be.PutUint16(sub[14+2*i:], uint16(s.end))
		be.PutUint16(sub[16+2*n+2*i:], uint16(s.start))
		be.PutUint16(sub[16+4*n+2*i:], uint16(s.delta))
		// idRangeOffset stays 0: glyph = code + delta.
	}
	out := make([]byte, 12, 12+len(sub))
	be.PutUint16(out[2:], 1)
	be.PutUint16(out[4:], 3)
	be.PutUint16(out[6:], 1)
	be.PutUint32(out[8:], 12)
	return append(out, sub...)
}

// nameTable names the subset font after the font it came from, in the one
// Windows English record a reader looks for.
func nameTable(family string) []byte {
	if family == "" {
		family = "Sheet"
	}
	ps := make([]rune, 0, len(family))
	for _, r := range family {
		if r > ' ' && r < 0x7f && r != '(' && r != ')' && r != '/' && r != '%' {
			ps = append(ps, r)
		}
	}
	names := []struct {
		id   uint16
		text string
	}{{1, family}, {2, "Regular"}, {4, family}, {6, string(ps)}}
	be := binary.BigEndian
	head := make([]byte, 6+12*len(names))
	be.PutUint16(head[2:], uint16(len(names)))
	be.PutUint16(head[4:], uint16(len(head)))
	var store []byte
	for i, nm := range names {
		u := utf16.Encode([]rune(nm.text))
		r := head[6+12*i:]
		be.PutUint16(r, 3)
		be.PutUint16(r[2:], 1)
		be.PutUint16(r[4:], 0x409)
		be.PutUint16(r[6:], nm.id)
		be.PutUint16(r[8:], uint16(2*len(u)))
		be.PutUint16(r[10:], uint16(len(store)))
		for _, c := range u {
			store = be.AppendUint16(store, c)
		}
	}
	return append(head, store...)
}
