// Package media knows the audio a ticket carries — the citizen's call
// recording: how long a WAV or MP3 file plays (read from the file itself, not
// trusted from metadata), what type an attachment is, and how to play one
// through a player installed on the machine without giving it the terminal.
// It neither stores nor fetches files; the caller hands it paths and readers.
package media

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"time"
)

var (
	// ErrUnknownFormat is wrapped by Duration when the file is neither WAV
	// nor MP3; the terminal shows it as 无法识别的录音格式.
	ErrUnknownFormat = errors.New("unrecognised recording format")
	// ErrCorrupt is wrapped by Duration when the file looks like WAV or MP3
	// but its structure is broken or cut short.
	ErrCorrupt = errors.New("corrupt recording")
)

// FileDuration is Duration of the file at path.
func FileDuration(path string) (time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	d, err := Duration(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Duration reads r from its start and returns how long the recording plays,
// truncated to the nanosecond. It knows WAV (RIFF, RF64, BW64) and MPEG audio
// (MP3, also layers I and II). Where the audio data is cut short it returns
// the length of what is there, as a player would play it; a broken header is
// an error wrapping ErrCorrupt.
func Duration(r io.ReadSeeker) (time.Duration, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	var head [12]byte
	n, err := readAt(r, 0, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, err
	}
	h := head[:n]
	switch {
	case isWAV(h):
		return wavDuration(r, size)
	case len(h) >= 3 && string(h[:3]) == "ID3", len(h) >= 4 && validHeader(be32(h)):
		return mp3Duration(r, size)
	}
	return 0, fmt.Errorf("%w (file starts with % x)", ErrUnknownFormat, h[:min(len(h), 8)])
}

func isWAV(h []byte) bool {
	if len(h) < 12 || string(h[8:12]) != "WAVE" {
		return false
	}
	switch string(h[:4]) {
	case "RIFF", "RF64", "BW64":
		return true
	}
	return false
}

// span is units*1e9/perSecond nanoseconds, truncated, computed in 128 bits so
// that neither a 4 GiB data chunk nor an RF64 one overflows or rounds.
func span(units, perSecond uint64) (time.Duration, error) {
	if perSecond == 0 {
		return 0, fmt.Errorf("%w: rate is zero", ErrCorrupt)
	}
	hi, lo := bits.Mul64(units, uint64(time.Second))
	if hi >= perSecond {
		return 0, fmt.Errorf("%w: length overflows", ErrCorrupt)
	}
	q, _ := bits.Div64(hi, lo, perSecond)
	if q > math.MaxInt64 {
		return 0, fmt.Errorf("%w: length overflows", ErrCorrupt)
	}
	return time.Duration(q), nil
}

// readAt reads len(b) bytes at off; a short read returns how many bytes came
// and io.ErrUnexpectedEOF (or io.EOF for none).
func readAt(r io.ReadSeeker, off int64, b []byte) (int, error) {
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r, b)
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
