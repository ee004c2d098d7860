package media

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// WAVE format tags whose byte rate is exact: integer and float PCM, A-law
// and µ-law. For compressed formats (ADPCM, GSM 6.10, MP3 in WAV) the byte
// rate is an average, and the fact chunk's sample count is used instead.
var exactRate = map[uint16]bool{1: true, 3: true, 6: true, 7: true}

const extensible = 0xFFFE

// wavDuration walks the RIFF chunks instead of assuming the 44-byte header:
// recorders put LIST, fact, bext or JUNK chunks before the data.
func wavDuration(r io.ReadSeeker, size int64) (time.Duration, error) {
	var riff [12]byte
	if _, err := readAt(r, 0, riff[:]); err != nil {
		return 0, fmt.Errorf("%w: wav header: %v", ErrCorrupt, err)
	}
	rf64 := string(riff[:4]) != "RIFF"
	var (
		haveFmt, haveData, haveFact bool
		tag, align                  uint16
		rate, byteRate              uint32
		data, fact                  uint64
		ds64Data, ds64Samples       uint64
	)
	for pos := int64(12); pos+8 <= size; {
		var ch [8]byte
		if _, err := readAt(r, pos, ch[:]); err != nil {
			return 0, err
		}
		id := string(ch[:4])
		n := uint64(binary.LittleEndian.Uint32(ch[4:]))
		body := pos + 8
		left := uint64(size - body)
		if id == "data" {
			if rf64 && n == 0xFFFFFFFF {
				n = ds64Data
			}
			// A writer that streams (espeak-ng --stdout writes 0x7FFFF000,
			// others 0 or 0xFFFFFFFF) cannot go back to fill the size in,
			// and a file cut short holds less than it says: either way the
			// player plays the bytes that are there.
			if n == 0 || n == 0xFFFFFFFF || n > left {
				n = left
			}
			data, haveData = n, true
			if haveFmt {
				break
			}
		}
		if n > left {
			return 0, fmt.Errorf("%w: wav chunk %q of %d bytes runs past the end of the file (%d bytes left)", ErrCorrupt, id, n, left)
		}
		switch id {
		case "ds64":
			if n < 24 {
				return 0, fmt.Errorf("%w: wav ds64 chunk is %d bytes, want at least 24", ErrCorrupt, n)
			}
			var b [24]byte
			if _, err := readAt(r, body, b[:]); err != nil {
				return 0, err
			}
			ds64Data = binary.LittleEndian.Uint64(b[8:])
			ds64Samples = binary.LittleEndian.Uint64(b[16:])
		case "fmt ":
			if n < 16 {
				return 0, fmt.Errorf("%w: wav fmt chunk is %d bytes, want at least 16", ErrCorrupt, n)
			}
			b := make([]byte, min(n, 40))
			if _, err := readAt(r, body, b); err != nil {
				return 0, err
			}
			tag = binary.LittleEndian.Uint16(b)
			rate = binary.LittleEndian.Uint32(b[4:])
			byteRate = binary.LittleEndian.Uint32(b[8:])
			align = binary.LittleEndian.Uint16(b[12:])
			if tag == extensible && len(b) >= 26 {
				tag = binary.LittleEndian.Uint16(b[24:]) // the sub-format GUID's first two bytes
			}
			haveFmt = true
		case "fact":
			if n >= 4 {
				var b [4]byte
				if _, err := readAt(r, body, b[:]); err != nil {
					return 0, err
				}
				fact, haveFact = uint64(binary.LittleEndian.Uint32(b[:])), true
				if rf64 && fact == 0xFFFFFFFF {
					fact = ds64Samples
				}
			}
		}
		if haveFmt && haveData {
			break
		}
		pos = body + int64(n) + int64(n&1) // chunks are padded to an even size
	}
	switch {
	case !haveFmt:
		return 0, fmt.Errorf("%w: wav file has no fmt chunk", ErrCorrupt)
	case !haveData:
		return 0, fmt.Errorf("%w: wav file has no data chunk", ErrCorrupt)
	case !exactRate[tag] && haveFact && rate > 0:
		return span(fact, uint64(rate))
	}
	if align > 0 {
		data -= data % uint64(align) // a partial sample frame makes no sound
	}
	return span(data, uint64(byteRate))
}
