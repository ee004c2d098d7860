package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// An MPEG audio frame header (ISO 11172-3, 13818-3, and the unofficial
// MPEG 2.5 for 8–12 kHz) packed in 32 bits.
type header uint32

const (
	mpeg25 = 0
	mpeg2  = 2
	mpeg1  = 3

	layer3 = 1
	layer2 = 2
	layer1 = 3
)

func (h header) version() int { return int(h>>19) & 3 }
func (h header) layer() int   { return int(h>>17) & 3 }
func (h header) mono() bool   { return (h>>6)&3 == 3 }

// kbps by [MPEG-1?][layer][index]; index 0 is "free format", which names no
// length and is not supported (no common encoder writes it).
var bitrates = [2][4][16]uint32{
	{ // MPEG 2 and 2.5
		layer3: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		layer2: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		layer1: {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
	},
	{ // MPEG 1
		layer3: {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		layer2: {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
		layer1: {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
	},
}

var sampleRates = [4][3]uint32{
	mpeg1:  {44100, 48000, 32000},
	mpeg2:  {22050, 24000, 16000},
	mpeg25: {11025, 12000, 8000},
}

func validHeader(v uint32) bool {
	h := header(v)
	return v&0xFFE00000 == 0xFFE00000 && h.version() != 1 && h.layer() != 0 &&
		(v>>12)&15 != 0 && (v>>12)&15 != 15 && (v>>10)&3 != 3
}

func (h header) rate() uint32 { return sampleRates[h.version()][(h>>10)&3] }

func (h header) samples() uint32 {
	switch {
	case h.layer() == layer1:
		return 384
	case h.layer() == layer3 && h.version() != mpeg1:
		return 576
	}
	return 1152
}

// size is the frame's length in bytes, header included.
func (h header) size() int64 {
	v1 := 0
	if h.version() == mpeg1 {
		v1 = 1
	}
	br := int64(bitrates[v1][h.layer()][(h>>12)&15]) * 1000
	pad := int64(h>>9) & 1
	if h.layer() == layer1 {
		return (12*br/int64(h.rate()) + pad) * 4
	}
	return int64(h.samples())/8*br/int64(h.rate()) + pad
}

// same reports whether two headers belong to one stream: same version,
// layer and sample rate (bit rate, padding and mode may change per frame).
func same(a, b header) bool { return (a^b)&0xFFFE0C00 == 0 }

// resyncLimit is how far past a tag or between frames junk is skipped while
// looking for the next frame; beyond it the data is not MPEG audio.
const resyncLimit = 64 << 10

func mp3Duration(r io.ReadSeeker, size int64) (time.Duration, error) {
	start, end, err := audioSpan(r, size)
	if err != nil {
		return 0, err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return 0, err
	}
	// the buffer holds the longest frame (2881 bytes: layer II, 160 kbit/s
	// at 8 kHz, padded) and the next header, which sync peeks at
	s := &scan{r: bufio.NewReaderSize(r, 64<<10), pos: start, end: end}
	first, ok, err := s.sync(0)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("%w: no MPEG audio frame found", ErrUnknownFormat)
	}
	frame, err := s.r.Peek(int(min(first.size(), end-s.pos)))
	if err != nil {
		return 0, err
	}
	if t, ok := infoTag(first, frame); ok {
		// Trust the tag unless the file is shorter than the tag says it
		// should be (an upload or copy cut short): then count what is there.
		if t.frames > 0 && (t.bytes == 0 || int64(t.bytes) <= end-s.pos) {
			return span(t.samples(first), uint64(first.rate()))
		}
		if err := s.skip(first.size()); err != nil { // the tag frame holds no audio
			return 0, err
		}
		first, ok, err = s.sync(first)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("%w: no audio frame after the Xing tag", ErrCorrupt)
		}
	}
	var samples uint64
	for h := first; ; {
		n := h.size()
		if s.pos+n > s.end {
			break // a last frame cut short is not played
		}
		samples += uint64(h.samples())
		if err := s.skip(n); err != nil {
			return 0, err
		}
		h, ok, err = s.next(first)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
	}
	return span(samples, uint64(first.rate()))
}

// audioSpan finds where the frames lie: after any ID3v2 tags, before an
// ID3v1 tag (and its "TAG+" extension) and an APEv2 tag.
func audioSpan(r io.ReadSeeker, size int64) (start, end int64, err error) {
	for {
		var b [10]byte
		n, err := readAt(r, start, b[:])
		if n < 3 || string(b[:3]) != "ID3" {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%w: ID3v2 tag header cut short", ErrCorrupt)
		}
		if b[6]|b[7]|b[8]|b[9] >= 0x80 {
			return 0, 0, fmt.Errorf("%w: ID3v2 tag size % x is not syncsafe", ErrCorrupt, b[6:10])
		}
		n64 := 10 + (int64(b[6])<<21 | int64(b[7])<<14 | int64(b[8])<<7 | int64(b[9]))
		if b[3] >= 4 && b[5]&0x10 != 0 {
			n64 += 10 // footer
		}
		if start+n64 > size {
			return 0, 0, fmt.Errorf("%w: ID3v2 tag of %d bytes runs past the end of the file", ErrCorrupt, n64)
		}
		start += n64
	}
	end = size
	var tail [128]byte
	if end-start >= 128 {
		if _, err := readAt(r, end-128, tail[:]); err != nil {
			return 0, 0, err
		}
		if string(tail[:3]) == "TAG" {
			end -= 128
			if end-start >= 227 {
				var b [4]byte
				if _, err := readAt(r, end-227, b[:]); err != nil {
					return 0, 0, err
				}
				if string(b[:]) == "TAG+" {
					end -= 227
				}
			}
		}
	}
	if end-start >= 32 {
		var b [32]byte
		if _, err := readAt(r, end-32, b[:]); err != nil {
			return 0, 0, err
		}
		if string(b[:8]) == "APETAGEX" {
			n := int64(binary.LittleEndian.Uint32(b[12:]))
			if binary.LittleEndian.Uint32(b[20:])&(1<<31) != 0 {
				n += 32 // the header, which the size leaves out
			}
			// a size that cannot be right leaves the tag to the resync,
			// since the frames before it still play
			if n <= end-start {
				end -= n
			}
		}
	}
	return start, end, nil
}

// scan reads frame headers in order without keeping the audio.
type scan struct {
	r        *bufio.Reader
	pos, end int64
}

func (s *scan) skip(n int64) error {
	_, err := s.r.Discard(int(n))
	s.pos += n
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // the end was measured; the file shrank
	}
	return err
}

// header returns the frame header at offset off from the current position.
func (s *scan) header(off int64) (header, bool) {
	if s.pos+off+4 > s.end {
		return 0, false
	}
	b, err := s.r.Peek(int(off) + 4)
	if err != nil {
		return 0, false
	}
	v := be32(b[off:])
	return header(v), validHeader(v)
}

// next returns the header of the frame at the current position, resyncing
// past junk when there is none.
func (s *scan) next(first header) (header, bool, error) {
	if h, ok := s.header(0); ok && same(h, first) {
		return h, true, nil
	}
	return s.sync(first)
}

// sync moves to the next frame whose header is followed by another frame of
// the same stream (or ends the audio), so that stray 0xFFE bits in tags or
// junk are not taken for a frame. Zero matches any stream.
func (s *scan) sync(want header) (header, bool, error) {
	for skipped := 0; skipped < resyncLimit; skipped++ {
		if s.pos+4 > s.end {
			return 0, false, nil
		}
		if h, ok := s.header(0); ok && (want == 0 || same(h, want)) {
			n := h.size()
			if s.pos+n == s.end {
				return h, true, nil
			}
			if h2, ok := s.header(n); ok && same(h, h2) {
				return h, true, nil
			}
		}
		if err := s.skip(1); err != nil {
			return 0, false, err
		}
	}
	return 0, false, nil
}

// tag is a Xing/Info or VBRI header: the first frame of the stream carries
// no audio but counts the frames that follow it.
type tag struct {
	frames, bytes  uint32
	delay, padding uint32
}

// samples is the frame count times the samples per frame, less the encoder
// delay and padding that a LAME tag records: that is the length of the
// source before encoding, which gapless players (ffmpeg, mpv) play and
// ffprobe reports. Without a LAME tag, or with values that make no sense,
// the whole frames are counted. (The decoder's own 529-sample delay is not
// subtracted: it is taken from the start and added back at the end.)
func (t tag) samples(h header) uint64 {
	n := uint64(t.frames) * uint64(h.samples())
	if d := uint64(t.delay + t.padding); d < n {
		n -= d
	}
	return n
}

func infoTag(h header, frame []byte) (tag, bool) {
	var t tag
	if h.layer() != layer3 {
		return t, false
	}
	// the Xing tag sits after the side information, whose size depends on
	// the version and on mono or not
	side := 32
	switch {
	case h.version() != mpeg1 && h.mono():
		side = 9
	case h.version() != mpeg1 || h.mono():
		side = 17
	}
	if b := frame[min(len(frame), 4+side):]; len(b) >= 8 && (string(b[:4]) == "Xing" || string(b[:4]) == "Info") {
		flags := be32(b[4:])
		b = b[8:]
		field := func(flag uint32, n int) []byte {
			if flags&flag == 0 || len(b) < n {
				return nil
			}
			f := b[:n]
			b = b[n:]
			return f
		}
		if f := field(1, 4); f != nil {
			t.frames = be32(f)
		}
		if f := field(2, 4); f != nil {
			t.bytes = be32(f)
		}
		field(4, 100) // seek table
		field(8, 4)   // quality
		if len(b) >= 24 && isLAME(b[:4]) {
			t.delay = uint32(b[21])<<4 | uint32(b[22])>>4
			t.padding = uint32(b[22]&15)<<8 | uint32(b[23])
		}
		return t, true
	}
	// the Fraunhofer VBRI tag is always 32 bytes after the header; its
	// encoder delay field is left alone as ffmpeg does, since its meaning
	// differs between encoder versions.
	if len(frame) >= 36+18 && string(frame[36:40]) == "VBRI" {
		t.bytes = be32(frame[46:])
		t.frames = be32(frame[50:])
		return t, true
	}
	return t, false
}

// isLAME recognises the encoders that write LAME's extension of the Info
// tag: LAME itself, and FFmpeg's libavformat/libavcodec.
func isLAME(b []byte) bool {
	switch string(b) {
	case "LAME", "Lavf", "Lavc", "L3.9":
		return true
	}
	return false
}
