package media

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDuration holds that no input panics, and that every failure is one of
// the two the terminal knows how to say (a bytes.Reader has no I/O errors).
func FuzzDuration(f *testing.F) {
	for _, b := range [][]byte{
		riff("RIFF", chunk{"LIST", make([]byte, 27)}, pcm8k, chunk{"data", make([]byte, 64)}),
		riffSized("RF64", map[string]uint32{"data": 0xFFFFFFFF}, chunk{"ds64", make([]byte, 28)}, pcm8k, chunk{"data", make([]byte, 64)}),
		riff("RIFF", fmtChunk(0x11, 1, 8000, 4055, 256, 4), chunk{"fact", u32(12000)}, chunk{"data", make([]byte, 64)}),
		cat(id3v2(4, true, 30), frames(l25, 3), id3v1()),
		cat(xing("Xing", 15, 1000, 0, true, 576, 1000), frames(l3, 2)),
		cat(vbri(500, 3*417), frames(l3, 2)),
		cat(frames(l25, 3), ape()),
		frames(l1, 2),
		[]byte("ID3\x04\x00\x10\x00\x00\x00\x00"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Duration(bytes.NewReader(b))
		switch {
		case err == nil && d < 0:
			t.Fatalf("Duration = %v", d)
		case err != nil && !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrCorrupt):
			t.Fatalf("Duration error %v is neither ErrUnknownFormat nor ErrCorrupt", err)
		}
		Type("来电录音.mp3", b)
	})
}
