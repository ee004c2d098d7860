package intake

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	encUTF8    = "utf-8"
	encGB18030 = "gb18030"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomGB18030 = []byte{0x84, 0x31, 0x95, 0x33} // U+FEFF in GB18030
	gbFFFD     = []byte{0x84, 0x31, 0xA4, 0x37} // a real U+FFFD in GB18030
)

// ReadCSV reads a CSV complaint file; name is used in messages.
//
// The file is split into records on its raw bytes, which is safe for both
// encodings read here: no byte of a GB18030 multi-byte character is below
// 0x30, so commas, quotes and line ends are always what they seem. Each field
// is then decoded on its own, so that bytes not valid in the encoding are
// reported against their row and column instead of becoming U+FFFD. Quoted
// fields are kept byte for byte, line ends inside them included.
func ReadCSV(name string, r io.Reader, opts Options) (Result, error) {
	res := Result{File: name}
	data, err := io.ReadAll(r)
	if err != nil {
		return res, fmt.Errorf("read %s: %w", name, err)
	}
	enc, body, err := chooseEncoding(data, opts.Encoding)
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	res.Encoding = enc
	records, err := splitCSV(body)
	if err != nil {
		return res, fmt.Errorf("%s %w", name, err)
	}
	t := &table{csv: true, rows: make([]tableRow, len(records))}
	var dec *encoding.Decoder
	if enc == encGB18030 {
		dec = simplifiedchinese.GB18030.NewDecoder()
	}
	for i, rec := range records {
		if opts.Progress != nil && i > 0 {
			opts.Progress(i, len(records)-1)
		}
		cells := make([]cell, len(rec))
		for j, f := range rec {
			if enc == encUTF8 {
				cells[j] = decodeUTF8(f)
			} else {
				cells[j] = decodeGB18030(dec, f)
			}
		}
		t.rows[i] = tableRow{line: i + 1, cells: cells}
	}
	res, err = build(name, t, opts)
	res.Encoding = enc
	return res, err
}

// chooseEncoding picks the encoding of a CSV file and returns the body
// without its byte order mark.
//
// Detection: a UTF-8 (or GB18030) byte order mark decides; then valid UTF-8
// is UTF-8. A file that is not valid UTF-8 is GB18030 unless nearly all of
// its non-ASCII text is valid UTF-8 (at most one bad sequence per ten
// good ones): that is a UTF-8 file with a few damaged bytes, and reading it
// as GB18030 would turn every line into silent garbage instead of reporting
// the damaged rows. Text in GB18030 is never that close to UTF-8: the real
// files have four bad sequences for every one that happens to be valid.
func chooseEncoding(data []byte, forced string) (string, []byte, error) {
	switch strings.ToLower(strings.TrimSpace(forced)) {
	case "", "auto":
	case "utf-8", "utf8":
		return encUTF8, bytes.TrimPrefix(data, bomUTF8), nil
	case "gb18030", "gbk", "gb2312", "cp936":
		return encGB18030, bytes.TrimPrefix(data, bomGB18030), nil
	default:
		return "", nil, fmt.Errorf("unknown encoding %q (use auto, utf-8 or gb18030)", forced)
	}
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return encUTF8, data[len(bomUTF8):], nil
	case bytes.HasPrefix(data, bomGB18030):
		return encGB18030, data[len(bomGB18030):], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "", nil, fmt.Errorf("UTF-16 text is not read; save the file as CSV (UTF-8) or CSV (GB18030)")
	case utf8.Valid(data):
		return encUTF8, data, nil
	}
	good, bad := 0, 0
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		i += n
	}
	if bad*10 <= good {
		return encUTF8, data, nil
	}
	return encGB18030, data, nil
}

// splitCSV splits RFC 4180 text into records of raw fields. Records end at
// LF or CRLF; a quoted field may hold commas, quotes (doubled) and line ends,
// all kept as written. A quote inside an unquoted field, or anything but a
// comma or line end after a closing quote, is an error (no lazy quotes): it
// means the file's structure is broken and rows can no longer be told apart.
// An empty line is a record with one empty field, so that record numbers
// stay equal to the row numbers a spreadsheet shows.
func splitCSV(data []byte) ([][][]byte, error) {
	var records [][][]byte
	pos, line := 0, 1
	for pos < len(data) {
		var rec [][]byte
		recLine := line
	fields:
		for {
			if pos < len(data) && data[pos] == '"' {
				startLine := line
				pos++
				var buf []byte
				for {
					i := bytes.IndexByte(data[pos:], '"')
					if i < 0 {
						return nil, fmt.Errorf("row %d (line %d): the quoted field starting on line %d is never closed", len(records)+1, recLine, startLine)
					}
					seg := data[pos : pos+i]
					line += bytes.Count(seg, []byte{'\n'})
					buf = append(buf, seg...)
					pos += i + 1
					if pos < len(data) && data[pos] == '"' {
						buf = append(buf, '"')
						pos++
						continue
					}
					break
				}
				if buf == nil {
					buf = []byte{}
				}
				rec = append(rec, buf)
				switch {
				case pos >= len(data):
					break fields
				case data[pos] == ',':
					pos++
				case data[pos] == '\n':
					pos++
					line++
					break fields
				case data[pos] == '\r' && pos+1 < len(data) && data[pos+1] == '\n':
					pos += 2
					line++
					break fields
				default:
					return nil, fmt.Errorf("row %d (line %d): text after the closing quote of field %d; a quote inside a quoted field must be doubled", len(records)+1, line, len(rec))
				}
				continue
			}
			j := pos
			for j < len(data) && data[j] != ',' && data[j] != '\n' {
				if data[j] == '"' {
					return nil, fmt.Errorf("row %d (line %d): a quote inside unquoted field %d; quote the field and double the quote", len(records)+1, line, len(rec)+1)
				}
				j++
			}
			f := data[pos:j]
			if j == len(data) || data[j] == '\n' {
				rec = append(rec, bytes.TrimSuffix(f, []byte{'\r'}))
				pos = j + 1
				line++
				break
			}
			rec = append(rec, f)
			pos = j + 1
		}
		records = append(records, rec)
	}
	return records, nil
}

// decodeUTF8 makes a cell of a UTF-8 field, reporting invalid bytes. A real
// U+FFFD in the file is three valid bytes and passes.
func decodeUTF8(f []byte) cell {
	if utf8.Valid(f) {
		return cell{text: string(f)}
	}
	var bad []span
	for i := 0; i < len(f); {
		r, n := utf8.DecodeRune(f[i:])
		if r == utf8.RuneError && n == 1 {
			if k := len(bad); k > 0 && bad[k-1].end == i {
				bad[k-1].end++
			} else {
				bad = append(bad, span{i, i + 1})
			}
		}
		i += n
	}
	return badCell(f, bad, "UTF-8", func(b []byte) string { return string(b) })
}

// decodeGB18030 makes a cell of a GB18030 field. The decoder turns invalid
// input into U+FFFD without an error, so a field whose text has U+FFFD is
// walked sequence by sequence, mirroring the decoder, to tell invalid bytes
// from a real U+FFFD (84 31 A4 37).
func decodeGB18030(dec *encoding.Decoder, f []byte) cell {
	ascii := true
	for _, c := range f {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return cell{text: string(f)}
	}
	out, err := dec.Bytes(f)
	if err != nil {
		return cell{text: fmt.Sprintf("%q", f), bad: fmt.Sprintf("cannot decode GB18030: %v", err)}
	}
	if !bytes.ContainsRune(out, utf8.RuneError) {
		return cell{text: string(out)}
	}
	decodeOne := func(b []byte) rune {
		o, err := dec.Bytes(b)
		if err != nil {
			return utf8.RuneError
		}
		r, _ := utf8.DecodeRune(o)
		return r
	}
	var bad []span
	mark := func(i, n int) {
		if k := len(bad); k > 0 && bad[k-1].end == i {
			bad[k-1].end += n
		} else {
			bad = append(bad, span{i, i + n})
		}
	}
	for i := 0; i < len(f); {
		c0 := f[i]
		switch {
		case c0 <= 0x80: // ASCII, or 0x80 which the WHATWG decoder reads as €
			i++
		case c0 == 0xFF || i+1 >= len(f):
			mark(i, 1)
			i++
		case f[i+1] >= 0x30 && f[i+1] <= 0x39:
			if i+3 >= len(f) || f[i+2] < 0x81 || f[i+2] == 0xFF || f[i+3] < 0x30 || f[i+3] > 0x39 ||
				(decodeOne(f[i:i+4]) == utf8.RuneError && !bytes.Equal(f[i:i+4], gbFFFD)) {
				mark(i, 1) // the decoder, too, skips one byte here
				i++
			} else {
				i += 4
			}
		case f[i+1] >= 0x40 && f[i+1] != 0x7F && f[i+1] != 0xFF:
			if decodeOne(f[i:i+2]) == utf8.RuneError {
				mark(i, 2)
			}
			i += 2
		default:
			mark(i, 1)
			i++
		}
	}
	if len(bad) == 0 {
		return cell{text: string(out)}
	}
	return badCell(f, bad, "GB18030", func(b []byte) string {
		o, _ := dec.Bytes(b)
		return string(o)
	})
}

// span is a byte range [start, end) of a field.
type span struct{ start, end int }

// badCell makes the cell of a field holding bytes not valid in its encoding:
// its text shows the good parts decoded and the bad bytes as \xNN, starting
// a little before the first bad byte so that a short cut value still shows it.
func badCell(f []byte, bad []span, enc string, decode func([]byte) string) cell {
	var b strings.Builder
	prev := 0
	for _, s := range bad {
		b.WriteString(decode(f[prev:s.start]))
		for _, c := range f[s.start:s.end] {
			fmt.Fprintf(&b, `\x%02X`, c)
		}
		prev = s.end
	}
	b.WriteString(decode(f[prev:]))
	text := b.String()
	// Start the shown value ten characters before the first bad byte.
	if lead := []rune(decode(f[:bad[0].start])); len(lead) > 10 {
		text = "…" + strings.TrimPrefix(text, string(lead[:len(lead)-10]))
	}
	first := f[bad[0].start:bad[0].end]
	hex := make([]string, len(first))
	for i, c := range first {
		hex[i] = fmt.Sprintf("%02X", c)
	}
	return cell{
		text: text,
		bad:  fmt.Sprintf("bytes not valid %s: %s at byte %d of the field (%d bad sequences in all)", enc, strings.Join(hex, " "), bad[0].start+1, len(bad)),
	}
}
