package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hotline/internal/testenv"
)

const sentence = "市民来电反映小区门口井盖缺失"

// speak records sentence with espeak-ng into dir/name and returns its path.
func speak(t *testing.T, dir, name string) string {
	t.Helper()
	espeak := testenv.Command(t, "espeak-ng", "espeak-ng")
	path := filepath.Join(dir, name)
	if out, err := exec.Command(espeak, "-v", "zh", "-w", path, sentence).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v\n%s", err, out)
	}
	return path
}

func TestDurationEspeak(t *testing.T) {
	dir := t.TempDir()
	path := speak(t, dir, "来电录音.wav")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// espeak-ng writes a plain 44-byte header: fmt at 12, data at 36
	le := binary.LittleEndian
	if string(b[12:16]) != "fmt " || string(b[36:40]) != "data" || le.Uint16(b[20:]) != 1 {
		t.Fatalf("espeak-ng header changed: % x", b[:44])
	}
	rate, channels, bits := int64(le.Uint32(b[24:])), int64(le.Uint16(b[22:])), int64(le.Uint16(b[34:]))
	sampleBytes := int64(len(b) - 44)
	want := time.Duration(sampleBytes * int64(time.Second) / (rate * channels * bits / 8))
	if rate != 22050 || channels != 1 || bits != 16 {
		t.Logf("espeak-ng format is now %d Hz, %d channels, %d bits", rate, channels, bits)
	}

	got, err := FileDuration(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("FileDuration = %v (%d ns), want %v (%d ns)", got, got, want, want)
	}
	t.Logf("%q: %d sample bytes, %v", sentence, sampleBytes, got)

	// --stdout cannot seek back to fill in the sizes
	espeak := testenv.Command(t, "espeak-ng", "espeak-ng")
	streamed, err := exec.Command(espeak, "-v", "zh", "--stdout", sentence).Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := le.Uint32(streamed[40:]); n != 0 && n != 0xFFFFFFFF && int(n) <= len(streamed)-44 {
		t.Fatalf("espeak-ng --stdout wrote a real data size %d: the streamed case is not exercised", n)
	}
	got, err = Duration(bytes.NewReader(streamed))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("streamed Duration = %v, want %v as the file", got, want)
	}
}

type chunk struct {
	id   string
	body []byte
}

// riff builds a WAVE file of chunks.
func riff(form string, chunks ...chunk) []byte {
	return riffSized(form, nil, chunks...)
}

// riffSized builds a WAVE file whose chunks named in sizes have that size
// field instead of their length.
func riffSized(form string, sizes map[string]uint32, chunks ...chunk) []byte {
	var b bytes.Buffer
	b.WriteString(form)
	b.Write([]byte{0, 0, 0, 0})
	b.WriteString("WAVE")
	for _, c := range chunks {
		b.WriteString(c.id)
		n, ok := sizes[c.id]
		if !ok {
			n = uint32(len(c.body))
		}
		binary.Write(&b, binary.LittleEndian, n)
		b.Write(c.body)
		if len(c.body)%2 == 1 && c.id != "data" {
			b.WriteByte(0)
		}
	}
	out := b.Bytes()
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

func fmtChunk(tag uint16, channels uint16, rate, byteRate uint32, align, bits uint16) chunk {
	b := binary.LittleEndian.AppendUint16(nil, tag)
	b = binary.LittleEndian.AppendUint16(b, channels)
	b = binary.LittleEndian.AppendUint32(b, rate)
	b = binary.LittleEndian.AppendUint32(b, byteRate)
	b = binary.LittleEndian.AppendUint16(b, align)
	b = binary.LittleEndian.AppendUint16(b, bits)
	return chunk{"fmt ", b}
}

func extensibleChunk(sub uint16, channels uint16, rate uint32, bits uint16) chunk {
	align := channels * bits / 8
	c := fmtChunk(extensible, channels, rate, rate*uint32(align), align, bits)
	c.body = binary.LittleEndian.AppendUint16(c.body, 22) // cbSize
	c.body = binary.LittleEndian.AppendUint16(c.body, bits)
	c.body = binary.LittleEndian.AppendUint32(c.body, 3) // channel mask
	c.body = binary.LittleEndian.AppendUint16(c.body, sub)
	c.body = append(c.body, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"...)
	return c
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// durationCase is a file that Duration reads as want.
type durationCase struct {
	name string
	file []byte
	want time.Duration
}

func testDurations(t *testing.T, tests []durationCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Duration(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Duration = %v (%d ns), want %v (%d ns)", got, got, tt.want, tt.want)
			}
		})
	}
}

// durationErrCase is a file that Duration refuses with an error wrapping want.
type durationErrCase struct {
	name string
	file []byte
	want error
}

func testDurationErrors(t *testing.T, tests []durationErrCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Duration(bytes.NewReader(tt.file))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Duration = %v, %v; want %v", d, err, tt.want)
			}
		})
	}
}

var pcm8k = fmtChunk(1, 1, 8000, 16000, 2, 16) // telephone quality, 16 000 bytes a second

func TestDurationWAV(t *testing.T) {
	ds64 := func(riffSize, data, samples uint64) chunk {
		b := binary.LittleEndian.AppendUint64(nil, riffSize)
		b = binary.LittleEndian.AppendUint64(b, data)
		b = binary.LittleEndian.AppendUint64(b, samples)
		return chunk{"ds64", append(b, 0, 0, 0, 0)}
	}
	tests := []durationCase{
		{"LIST of odd size before fmt and data",
			riff("RIFF", chunk{"LIST", make([]byte, 27)}, pcm8k, chunk{"data", make([]byte, 16000)}),
			time.Second},
		{"chunks after the data",
			riff("RIFF", pcm8k, chunk{"data", make([]byte, 8000)}, chunk{"LIST", make([]byte, 4000)}),
			time.Second / 2},
		{"data size 0 (streamed)",
			riffSized("RIFF", map[string]uint32{"data": 0}, pcm8k, chunk{"data", make([]byte, 8000)}),
			time.Second / 2},
		{"data size 0xFFFFFFFF (streamed)",
			riffSized("RIFF", map[string]uint32{"data": 0xFFFFFFFF}, pcm8k, chunk{"data", make([]byte, 8000)}),
			time.Second / 2},
		{"data cut short mid-sample",
			riffSized("RIFF", map[string]uint32{"data": 16000}, pcm8k, chunk{"data", make([]byte, 8001)}),
			time.Second / 2},
		{"fmt after data",
			riff("RIFF", chunk{"data", make([]byte, 4000)}, pcm8k),
			time.Second / 4},
		{"RF64 with the size in ds64",
			riffSized("RF64", map[string]uint32{"data": 0xFFFFFFFF}, ds64(0, 24000, 12000), pcm8k, chunk{"data", make([]byte, 24000)}),
			3 * time.Second / 2},
		{"extensible 24-bit stereo 44.1 kHz",
			riff("RIFF", extensibleChunk(1, 2, 44100, 24), chunk{"data", make([]byte, 264600*3+6*7)}),
			3*time.Second + time.Duration(42*int64(time.Second)/264600)},
		{"A-law",
			riff("RIFF", fmtChunk(6, 1, 8000, 8000, 1, 8), chunk{"data", make([]byte, 12345)}),
			1543125 * time.Microsecond},
		{"IMA ADPCM counts the fact chunk's samples, not the average byte rate",
			riff("RIFF", fmtChunk(0x11, 1, 8000, 4055, 256, 4), chunk{"fact", u32(12000)}, chunk{"data", make([]byte, 4096)}),
			3 * time.Second / 2},
		{"truncated, not rounded",
			riff("RIFF", fmtChunk(1, 2, 44100, 176400, 4, 16), chunk{"data", make([]byte, 4)}),
			22675}, // 4 s / 176400 = 22675.73 ns
	}
	testDurations(t, tests)
}

func TestDurationWAVErrors(t *testing.T) {
	tests := []durationErrCase{
		{"short fmt", riff("RIFF", chunk{"fmt ", make([]byte, 14)}, chunk{"data", make([]byte, 10)}), ErrCorrupt},
		{"no data", riff("RIFF", pcm8k), ErrCorrupt},
		{"no fmt", riff("RIFF", chunk{"data", make([]byte, 10)}), ErrCorrupt},
		{"header only", []byte("RIFF\x04\x00\x00\x00WAVE"), ErrCorrupt},
		{"chunk runs past the end", riffSized("RIFF", map[string]uint32{"LIST": 1000}, chunk{"LIST", make([]byte, 10)}, pcm8k, chunk{"data", make([]byte, 10)}), ErrCorrupt},
		{"zero byte rate", riff("RIFF", fmtChunk(1, 1, 8000, 0, 2, 16), chunk{"data", make([]byte, 10)}), ErrCorrupt},
		{"RIFX (big-endian)", []byte("RIFX\x00\x00\x00\x10WAVEfmt "), ErrUnknownFormat},
		{"AVI", []byte("RIFF\x00\x00\x00\x10AVI LIST"), ErrUnknownFormat},
		{"empty", nil, ErrUnknownFormat},
		{"text", []byte(sentence), ErrUnknownFormat},
	}
	testDurationErrors(t, tests)
}

func TestSpan(t *testing.T) {
	exact := func(units, rate uint64) time.Duration {
		n := new(big.Int).Mul(new(big.Int).SetUint64(units), big.NewInt(int64(time.Second)))
		return time.Duration(n.Quo(n, new(big.Int).SetUint64(rate)).Int64())
	}
	for _, c := range []struct{ units, rate uint64 }{
		{3, 1}, {1, 3}, {113958, 22050},
		{1 << 40, 192000 * 8}, // 4 TiB of 192 kHz 8-channel 8-bit: beyond 64-bit units*1e9
		{1<<63 - 1, 1 << 40},
	} {
		got, err := span(c.units, c.rate)
		if err != nil || got != exact(c.units, c.rate) {
			t.Errorf("span(%d, %d) = %d, %v; want %d", c.units, c.rate, got, err, exact(c.units, c.rate))
		}
	}
	for _, c := range []struct{ units, rate uint64 }{{1, 0}, {1 << 62, 1}, {1<<64 - 1, 1e9 - 1}, {1 << 63, 1e9}} {
		if d, err := span(c.units, c.rate); !errors.Is(err, ErrCorrupt) {
			t.Errorf("span(%d, %d) = %v, %v; want ErrCorrupt", c.units, c.rate, d, err)
		}
	}
}
