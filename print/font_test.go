package print

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hotline/internal/testenv"
)

const microhei = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// sheetFont is the font the tests print with: WenQuanYi Micro Hei, which
// scripts/test.sh installs.
func sheetFont(tb testing.TB) *Font {
	tb.Helper()
	if _, err := os.Stat(microhei); err != nil {
		testenv.Missing(tb, "WenQuanYi Micro Hei (apt-get install fonts-wqy-microhei)")
	}
	f, err := LoadFont(microhei)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestFirstFont takes the first font out of a collection: every table of
// the font's directory in the collection is in the new file byte for byte,
// and the file's checksums are right.
func TestFirstFont(t *testing.T) {
	sheetFont(t)
	ttc, err := os.ReadFile(microhei)
	if err != nil {
		t.Fatal(err)
	}
	ttf, err := firstFont(ttc)
	if err != nil {
		t.Fatal(err)
	}
	be := binary.BigEndian
	if string(ttc[:4]) != "ttcf" || be.Uint32(ttc[8:]) != 2 {
		t.Fatalf("%s is not a collection of two fonts", microhei)
	}
	// The collection's first directory, read here from the format's
	// definition rather than with the code under test.
	dir := int(be.Uint32(ttc[12:]))
	n := int(be.Uint16(ttc[dir+4:]))
	if got := int(be.Uint16(ttf[4:])); got != n {
		t.Fatalf("new file has %d tables, the collection's first font %d", got, n)
	}
	for i := range n {
		rec := ttc[dir+12+16*i:]
		tag := string(rec[:4])
		want := ttc[be.Uint32(rec[8:]):][:be.Uint32(rec[12:])]
		var got []byte
		for j := range n {
			r := ttf[12+16*j:]
			if string(r[:4]) == tag {
				got = ttf[be.Uint32(r[8:]):][:be.Uint32(r[12:])]
				padded := ttf[be.Uint32(r[8:]):][:(be.Uint32(r[12:])+3)&^3]
				if sum := checksum(padded); tag != "head" && sum != be.Uint32(r[4:]) {
					t.Errorf("table %q checksum %#x, recorded %#x", tag, sum, be.Uint32(r[4:]))
				}
			}
		}
		if tag == "head" {
			// checkSumAdjustment is the file's own.
			got, want = slices.Concat(got[:8], got[12:]), slices.Concat(want[:8], want[12:])
		}
		if !slices.Equal(got, want) {
			t.Errorf("table %q differs from the collection's", tag)
		}
	}
	if sum := checksum(ttf); sum != 0xb1b0afba {
		t.Errorf("whole-file checksum %#x, want 0xb1b0afba", sum)
	}
}

// TestCmapMatchesFontconfig compares the characters the font has, as read
// here, with what fontconfig reads from the same file.
func TestCmapMatchesFontconfig(t *testing.T) {
	f := sheetFont(t)
	fcQuery := testenv.Command(t, "fc-query", "fontconfig")
	out, err := exec.Command(fcQuery, "--index=0", "--format=%{charset}", microhei).Output()
	if err != nil {
		t.Fatal(err)
	}
	fc := map[rune]bool{}
	for _, field := range strings.Fields(string(out)) {
		lo, hi, _ := strings.Cut(field, "-")
		a, err1 := strconv.ParseInt(lo, 16, 32)
		b := a
		var err2 error
		if hi != "" {
			b, err2 = strconv.ParseInt(hi, 16, 32)
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("fc-query charset field %q", field)
		}
		for r := a; r <= b; r++ {
			fc[rune(r)] = true
		}
	}
	// fontconfig leaves out characters whose glyph has no outline (except
	// spaces), so those may be ours alone.
	for r := range f.glyphs {
		if !fc[r] && len(f.glyph(f.glyphs[r])) > 0 {
			t.Errorf("U+%04X %q has an outline here but not for fontconfig", r, r)
		}
	}
	for r := range fc {
		if !f.Has(r) {
			t.Errorf("U+%04X %q is in fontconfig's charset but not found here", r, r)
		}
	}
	if len(fc) < 20000 {
		t.Errorf("fontconfig lists only %d characters", len(fc))
	}
}

func TestMissing(t *testing.T) {
	f := sheetFont(t)
	got := f.Missing("𠮷野家\n的市民 A1，𠮷\u200d😀")
	want := []rune{'𠮷', '😀'}
	if !slices.Equal(got, want) {
		t.Errorf("Missing = %q, want %q", got, want)
	}
	if !f.Has('市') || f.Has('𠮷') {
		t.Errorf("Has(市) = %v, Has(𠮷) = %v", f.Has('市'), f.Has('𠮷'))
	}
}

// TestParseFontRefuses checks the fonts a sheet cannot be printed with.
func TestParseFontRefuses(t *testing.T) {
	f := sheetFont(t)
	// A font of ideographs only, like Droid Sans Fallback: made from the
	// real font by keeping its Chinese glyphs and dropping Latin ones.
	codes := map[rune]uint16{}
	for _, r := range "市民投诉电话记录单编号，。" {
		codes[r] = f.glyphs[r]
	}
	_, err := ParseFont(f.subset(codes))
	if err == nil || !strings.Contains(err.Error(), "lacks") {
		t.Errorf("font without Latin letters: err = %v", err)
	}

	otto := make([]byte, 12)
	copy(otto, "OTTO")
	if _, err := ParseFont(otto); !errors.Is(err, errCFF) {
		t.Errorf("CFF font: err = %v, want errCFF", err)
	}
	if _, err := ParseFont([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\xff\xff\xff\xff")); err == nil {
		t.Error("collection pointing outside itself: no error")
	}
	if _, err := ParseFont([]byte("<html>")); err == nil {
		t.Error("not a font: no error")
	}

	// A font whose licence forbids embedding.
	ttf, _ := firstFont(must(os.ReadFile(microhei)))
	locked := slices.Clone(ttf)
	for i := range int(binary.BigEndian.Uint16(locked[4:])) {
		r := locked[12+16*i:]
		if string(r[:4]) == "OS/2" {
			binary.BigEndian.PutUint16(locked[binary.BigEndian.Uint32(r[8:])+8:], 0x0002)
		}
	}
	if _, err := ParseFont(locked); err == nil || !strings.Contains(err.Error(), "embedding") {
		t.Errorf("restricted licence: err = %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSubset keeps exactly the glyphs asked for, with the parts of
// composite glyphs, their outlines and advances unchanged.
func TestSubset(t *testing.T) {
	f := sheetFont(t)
	// A Hangul syllable is a composite glyph in this font.
	var composite rune
	for r := rune(0xac00); r < 0xd7a4; r++ {
		if g, ok := f.glyphs[r]; ok && len(components(f.glyph(g))) > 0 {
			composite = r
			break
		}
	}
	if composite == 0 {
		t.Fatal("no composite glyph found in the font")
	}
	text := "市民A，" + string(composite)
	codes := map[rune]uint16{}
	for _, r := range text {
		codes[r] = f.glyphs[r]
	}
	sub, err := parseTrueType(f.subset(codes))
	if err != nil {
		t.Fatal(err)
	}
	parts := components(f.glyph(f.glyphs[composite]))
	if want := 1 + len([]rune(text)) + len(parts); len(sub.loca)-1 != want {
		t.Errorf("subset has %d glyphs, want %d (notdef, %d characters, %d parts)", len(sub.loca)-1, want, len([]rune(text)), len(parts))
	}
	for _, r := range text {
		g, ok := sub.glyphs[r]
		if !ok {
			t.Fatalf("%q not in the subset's cmap", r)
		}
		if sub.glyphWidth(g) != f.glyphWidth(f.glyphs[r]) {
			t.Errorf("%q advance %d, want %d", r, sub.glyphWidth(g), f.glyphWidth(f.glyphs[r]))
		}
		a, b := sub.glyph(g), f.glyph(f.glyphs[r])
		if r == composite {
			// The parts are renumbered: compare what they point at.
			sp := components(a)
			if len(sp) != len(parts) {
				t.Fatalf("composite has %d parts in the subset, %d in the font", len(sp), len(parts))
			}
			for i := range sp {
				if !slices.Equal(sub.glyph(sp[i].gid), f.glyph(parts[i].gid)) {
					t.Errorf("part %d of %q differs", i, r)
				}
				a, b = slices.Clone(a), slices.Clone(b)
				binary.BigEndian.PutUint16(a[sp[i].at:], 0)
				binary.BigEndian.PutUint16(b[parts[i].at:], 0)
			}
		}
		if !slices.Equal(a, b) {
			t.Errorf("outline of %q differs", r)
		}
	}
	if len(sub.glyphs) != len([]rune(text)) {
		t.Errorf("subset cmap has %d characters, want %d", len(sub.glyphs), len([]rune(text)))
	}
}

// TestFindFont finds the font from the settings, or a system font.
func TestFindFont(t *testing.T) {
	want := sheetFont(t)
	f, err := FindFont("")
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != microhei || f != want {
		t.Errorf("FindFont(\"\") = %s, want %s, loaded once", f.Path, microhei)
	}
	if f, err := FindFont(microhei); err != nil || f != want {
		t.Errorf("FindFont(%s) = %v, %v", microhei, f, err)
	}
	if _, err := FindFont("/nonexistent/font.ttf"); err == nil || !strings.Contains(err.Error(), "/nonexistent/font.ttf") {
		t.Errorf("missing settings font: err = %v", err)
	}
}

func TestNoFontMessage(t *testing.T) {
	if !strings.Contains(ErrNoFont.Error(), "apt-get install fonts-wqy-microhei") {
		t.Errorf("ErrNoFont = %q does not say what to install", ErrNoFont)
	}
}

// TestWithFallback looks for a character in the font, then in its
// fallbacks in order, and measures it with the advance of the font that
// draws it; the fonts themselves are not changed.
func TestWithFallback(t *testing.T) {
	main, dv := lacking(t), dejaVu(t)
	zen, err := LoadFont("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
	if err != nil {
		testenv.Missing(t, "WenQuanYi Zen Hei (apt-get install fonts-wqy-zenhei): "+err.Error())
	}
	f := main.WithFallback(dv).WithFallback(zen)
	faces := f.faces()
	if len(faces) != 3 || faces[0].Name != main.Name || faces[1].Path != dejaVuSans || faces[2] != zen {
		t.Fatalf("faces %v", faces)
	}
	if main.fallback != nil || dv.fallback != nil || main.Has('€') {
		t.Error("WithFallback changed the fonts it was given")
	}
	if got, want := f.Missing("姓名：吉𠮷，金额€100"), []rune{'𠮷'}; !slices.Equal(got, want) {
		t.Errorf("Missing = %q, want %q", got, want)
	}
	// € from DejaVu Sans (1303/2048 em), though Zen Hei has it too; 吉 from
	// the main font; 𠮷 from none, as the main font's □ (602/1000 em).
	for _, c := range []struct {
		r     rune
		face  *Font
		ok    bool
		width float64
	}{{'€', faces[1], true, 6.36}, {'吉', f, true, 10}, {'𠮷', f, false, 6.02}} {
		face, _, ok := f.draw(c.r)
		if face != c.face || ok != c.ok || f.Width(string(c.r), 10) != c.width {
			t.Errorf("%q drawn by %s (%v), %v wide; want %s (%v), %v", c.r, face.Name, ok, f.Width(string(c.r), 10), c.face.Name, c.ok, c.width)
		}
	}
	if got := main.Width("€", 10); got != 6.02 {
		t.Errorf("without the fallback € is %v wide, want □'s 6.02", got)
	}
	if main.WithFallback(nil) != main {
		t.Error("WithFallback(nil) is not the font itself")
	}
}

// TestFindFontList reads a setting that lists the main font and then its
// fallbacks, separated by commas.
func TestFindFontList(t *testing.T) {
	main, dv := sheetFont(t), dejaVu(t)
	for _, setting := range []string{microhei + "," + dejaVuSans, " " + microhei + " , " + dejaVuSans + ",", "," + dejaVuSans} {
		f, err := FindFont(setting)
		if err != nil {
			t.Fatalf("FindFont(%q): %v", setting, err)
		}
		if faces := f.faces(); len(faces) != 2 || faces[0].Path != microhei || faces[1] != dv {
			t.Errorf("FindFont(%q) = %v", setting, faces)
		}
	}
	if f, err := FindFont(microhei + ","); err != nil || f != main {
		t.Errorf("FindFont with no fallback listed = %v, %v; want the main font", f, err)
	}
	if main.fallback != nil {
		t.Error("the main font kept in memory got a fallback")
	}
	// A file whose name has a comma is one font.
	comma := filepath.Join(t.TempDir(), "wqy,microhei.ttc")
	if err := os.Symlink(microhei, comma); err != nil {
		t.Fatal(err)
	}
	if f, err := FindFont(comma); err != nil || f.Path != comma || f.fallback != nil {
		t.Errorf("FindFont(%q) = %v, %v", comma, f, err)
	}

	cff := filepath.Join(t.TempDir(), "cff.otf")
	if err := os.WriteFile(cff, append([]byte("OTTO"), make([]byte, 8)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for setting, want := range map[string]string{
		microhei + ",/nonexistent/fallback.ttf": "fallback font /nonexistent/fallback.ttf: open /nonexistent/fallback.ttf: no such file or directory",
		microhei + "," + cff:                    "fallback font " + cff + ": has PostScript (CFF) outlines, not TrueType ones",
		"/nonexistent/main.ttf," + dejaVuSans:   "font /nonexistent/main.ttf: open /nonexistent/main.ttf: no such file or directory",
		dejaVuSans + "," + microhei:             "font " + dejaVuSans + ": lacks ",
	} {
		f, err := FindFont(setting)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("FindFont(%q) = %v, %v; want the error %q", setting, f, err, want)
		}
	}
}
