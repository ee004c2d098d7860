package media

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"hotline/internal/testenv"
)

// progress is lame's last progress line: frames encoded of frames in all.
var progress = regexp.MustCompile(`(\d+)/(\d+) +\(100%\)`)

// encode runs lame and returns the number of audio frames it says it wrote
// (the Xing/Info tag frame, when written, is not among them).
func encode(t *testing.T, wav, mp3 string, args ...string) int {
	t.Helper()
	lame := testenv.Command(t, "lame", "lame")
	out, err := exec.Command(lame, append(args, wav, mp3)...).CombinedOutput()
	if err != nil {
		t.Fatalf("lame %v: %v\n%s", args, err, out)
	}
	m := progress.FindAllSubmatch(out, -1)
	if m == nil {
		t.Fatalf("lame %v reported no frame count:\n%q", args, out)
	}
	n, _ := strconv.Atoi(string(m[len(m)-1][2]))
	return n
}

func TestDurationLAME(t *testing.T) {
	dir := t.TempDir()
	wav := speak(t, dir, "来电录音.wav")
	source, err := FileDuration(wav) // exact: see TestDurationEspeak
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		rate, spf int64 // what lame chooses: MPEG-2 keeps 22.05 kHz, 576 samples a frame
		tagged    bool
	}{
		{"CBR 64 kbit/s", []string{"-b", "64"}, 22050, 576, true},
		{"VBR -V 5", []string{"-V", "5"}, 22050, 576, true},
		{"CBR without Info tag", []string{"-t", "-b", "64"}, 22050, 576, false},
		{"VBR without Xing tag", []string{"-t", "-V", "5"}, 22050, 576, false},
		{"CBR resampled to 44.1 kHz", []string{"-b", "64", "--resample", "44.1"}, 44100, 1152, true},
		{"CBR 44.1 kHz without Info tag", []string{"-t", "-b", "64", "--resample", "44.1"}, 44100, 1152, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp3 := filepath.Join(dir, "录音"+strconv.Itoa(i)+".mp3")
			frames := encode(t, wav, mp3, tt.args...)
			got, err := FileDuration(mp3)
			if err != nil {
				t.Fatal(err)
			}
			whole := time.Duration(int64(frames) * tt.spf * int64(time.Second) / tt.rate)
			frame := time.Duration(tt.spf * int64(time.Second) / tt.rate)
			t.Logf("%d frames: %v; source %v; read %v", frames, whole, source, got)
			if !tt.tagged {
				// nothing says where the audio starts and ends: every frame counts
				if got != whole {
					t.Errorf("Duration = %v, want %d frames × %d / %d = %v", got, frames, tt.spf, tt.rate, whole)
				}
				return
			}
			// the LAME tag's encoder delay and padding, which the
			// duration leaves out, give back the source's length
			b, err := os.ReadFile(mp3)
			if err != nil {
				t.Fatal(err)
			}
			i := bytes.Index(b[:1000], []byte("LAME3."))
			if i < 0 {
				t.Fatalf("no LAME tag in % x", b[:200])
			}
			delay, padding := int64(b[i+21])<<4|int64(b[i+22])>>4, int64(b[i+22]&15)<<8|int64(b[i+23])
			gapless := time.Duration((int64(frames)*tt.spf - delay - padding) * int64(time.Second) / tt.rate)
			if got != gapless {
				t.Errorf("Duration = %v, want (%d frames × %d - %d delay - %d padding) / %d = %v", got, frames, tt.spf, delay, padding, tt.rate, gapless)
			}
			if tt.rate == 22050 && got != source {
				t.Errorf("Duration = %v, want the source's %v exactly", got, source)
			}
			if diff := (got - source).Abs(); diff >= frame {
				t.Errorf("Duration = %v, more than a frame (%v) from the source's %v", got, frame, source)
			}
		})
	}
}

// Frame headers used below, with their lengths as the standards give them.
const (
	l3    = 0xFFFB9000 // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, stereo: 144×128000/44100 = 417 bytes, 1152 samples
	l3pad = 0xFFFB9200 // the same, padded: 418 bytes
	l25   = 0xFFE318C0 // MPEG-2.5 layer III, 8 kbit/s, 8 kHz, mono: 72×8000/8000 = 72 bytes, 576 samples
	l2    = 0xFFFDA400 // MPEG-1 layer II, 192 kbit/s, 48 kHz: 144×192000/48000 = 576 bytes, 1152 samples
	l1    = 0xFFFFC000 // MPEG-1 layer I, 384 kbit/s, 44.1 kHz: 4×⌊12×384000/44100⌋ = 416 bytes, 384 samples
)

var frameSize = map[uint32]int{l3: 417, l3pad: 418, l25: 72, l2: 576, l1: 416}

// frames is n silent frames of header h (their audio is zeros: only the
// headers matter here).
func frames(h uint32, n int) []byte {
	var b []byte
	for range n {
		f := make([]byte, frameSize[h])
		binary.BigEndian.PutUint32(f, h)
		b = append(b, f...)
	}
	return b
}

func at(n int64, spf, rate int64) time.Duration {
	return time.Duration(n * spf * int64(time.Second) / rate)
}

func syncsafe(n int) []byte {
	return []byte{byte(n >> 21 & 127), byte(n >> 14 & 127), byte(n >> 7 & 127), byte(n & 127)}
}

// id3v2 is a tag of version 2.v whose body holds bytes that look like a
// frame header, as an embedded picture may.
func id3v2(v byte, footer bool, body int) []byte {
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	b := append([]byte{'I', 'D', '3', v, 0, flags}, syncsafe(body)...)
	payload := make([]byte, body)
	binary.BigEndian.PutUint32(payload[body/2:], l3)
	b = append(b, payload...)
	if footer {
		b = append(b, '3', 'D', 'I', v, 0, flags)
		b = append(b, syncsafe(body)...)
	}
	return b
}

// id3v1 is the 128-byte tag; its comment holds an MPEG-2.5 frame header
// placed so that the "frame" would end exactly at the end of the file.
func id3v1() []byte {
	b := make([]byte, 128)
	copy(b, "TAG")
	copy(b[3:], "来电录音")
	binary.BigEndian.PutUint32(b[128-72:], l25)
	return b
}

// ape is an APEv2 tag with header and footer, 128 bytes in all, whose item
// area holds a frame header like id3v1's.
func ape() []byte {
	b := make([]byte, 128)
	for _, off := range []int{0, 96} {
		copy(b[off:], "APETAGEX")
		binary.LittleEndian.PutUint32(b[off+8:], 2000)
		binary.LittleEndian.PutUint32(b[off+12:], 96) // items and footer
		binary.LittleEndian.PutUint32(b[off+16:], 1)
		binary.LittleEndian.PutUint32(b[off+20:], 1<<31|1<<29*uint32(off/96^1)) // has a header; "is header" on the first
	}
	binary.BigEndian.PutUint32(b[128-72:], l25)
	return b
}

// xing is an MPEG-1 layer III stereo frame carrying a Xing (or Info) tag
// with the fields flags asks for, and a LAME extension when lame is set.
func xing(id string, flags, frames, size uint32, lame bool, delay, padding int) []byte {
	f := make([]byte, frameSize[l3])
	binary.BigEndian.PutUint32(f, l3)
	b := f[4+32:] // after the side information
	copy(b, id)
	binary.BigEndian.PutUint32(b[4:], flags)
	b = b[8:]
	if flags&1 != 0 {
		binary.BigEndian.PutUint32(b, frames)
		b = b[4:]
	}
	if flags&2 != 0 {
		binary.BigEndian.PutUint32(b, size)
		b = b[4:]
	}
	if flags&4 != 0 {
		for i := range 100 {
			b[i] = byte(i * 255 / 100)
		}
		b = b[100:]
	}
	if flags&8 != 0 {
		binary.BigEndian.PutUint32(b, 78)
		b = b[4:]
	}
	if lame {
		copy(b, "LAME3.100")
		b[21], b[22], b[23] = byte(delay>>4), byte(delay<<4|padding>>8), byte(padding)
	}
	return f
}

func vbri(frames, size uint32) []byte {
	f := make([]byte, frameSize[l3])
	binary.BigEndian.PutUint32(f, l3)
	b := f[36:]
	copy(b, "VBRI")
	binary.BigEndian.PutUint16(b[4:], 1)    // version
	binary.BigEndian.PutUint16(b[6:], 1105) // delay: not used
	binary.BigEndian.PutUint16(b[8:], 75)   // quality
	binary.BigEndian.PutUint32(b[10:], size)
	binary.BigEndian.PutUint32(b[14:], frames)
	return f
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestDurationMPEG(t *testing.T) {
	// a Xing tag that claims more bytes than the file has
	cut := cat(xing("Xing", 1|2, 1000, 1000*417, true, 576, 1000), frames(l3, 2))
	badAPE := ape()
	binary.LittleEndian.PutUint32(badAPE[96+12:], 1<<20)
	withXing := func(flags uint32, count uint32, n int) []byte {
		b := cat(xing("Xing", flags, count, 0, true, 576, 1000), frames(l3, n))
		if flags&2 != 0 {
			binary.BigEndian.PutUint32(b[4+32+8+4:], uint32(len(b))) // the tag counts its own frame
		}
		return b
	}
	tests := []durationCase{
		{"layer III, padded and not", cat(frames(l3, 3), frames(l3pad, 4), frames(l3, 3)), at(10, 1152, 44100)},
		{"ID3v2.4 with footer, then ID3v1", cat(id3v2(4, true, 300), frames(l3, 10), id3v1()), at(10, 1152, 44100)},
		{"ID3v2.3 and zero padding past its size", cat(id3v2(3, false, 200), make([]byte, 100), frames(l3, 10)), at(10, 1152, 44100)},
		{"ID3v1 not taken for a frame", cat(frames(l25, 20), id3v1()), at(20, 576, 8000)},
		{"APEv2 and ID3v1 not taken for frames", cat(frames(l25, 20), ape(), id3v1()), at(20, 576, 8000)},
		{"APEv2 with a size past the start", cat(frames(l3, 5), badAPE), at(5, 1152, 44100)},
		{"last frame cut short", cat(frames(l3, 5), frames(l3, 1)[:100]), at(5, 1152, 44100)},
		{"junk between frames", cat(frames(l3, 3), make([]byte, 50), frames(l3, 4)), at(7, 1152, 44100)},
		{"layer II", frames(l2, 7), at(7, 1152, 48000)},
		{"layer I", frames(l1, 7), at(7, 384, 44100)},
		{"Xing with LAME delay and padding", withXing(1|2|4|8, 1000, 2), at(1000*1152-576-1000, 1, 44100)},
		{"Xing without bytes or seek table", withXing(1|8, 1000, 2), at(1000*1152-576-1000, 1, 44100)},
		{"Info without a LAME extension", cat(xing("Info", 1, 1000, 0, false, 0, 0), frames(l3, 2)), at(1000, 1152, 44100)},
		{"Xing of a file cut short: count what is there", cut, at(2, 1152, 44100)},
		{"Xing without a frame count", cat(xing("Xing", 8, 0, 0, true, 576, 1000), frames(l3, 6)), at(6, 1152, 44100)},
		{"VBRI", cat(vbri(500, 3*417), frames(l3, 2)), at(500, 1152, 44100)},
		{"VBRI of a file cut short", cat(vbri(500, 500*417), frames(l3, 2)), at(2, 1152, 44100)},
	}
	testDurations(t, tests)
}

func TestDurationMPEGErrors(t *testing.T) {
	lone := make([]byte, 1000)
	binary.BigEndian.PutUint32(lone, l3)
	tests := []durationErrCase{
		{"ID3v2 larger than the file", cat(id3v2(4, false, 300), frames(l3, 2))[:200], ErrCorrupt},
		{"ID3v2 size not syncsafe", cat([]byte("ID3\x04\x00\x00\x00\x00\x01\x80"), make([]byte, 400)), ErrCorrupt},
		{"ID3v2 header cut short", []byte("ID3\x04\x00"), ErrCorrupt},
		{"ID3v2 and no audio", cat(id3v2(4, false, 300), make([]byte, 5000)), ErrUnknownFormat},
		{"a lone frame header", lone, ErrUnknownFormat},
		{"a tag frame and no audio", xing("Xing", 8, 0, 0, true, 576, 1000), ErrCorrupt},
		{"JPEG", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), ErrUnknownFormat},
	}
	testDurationErrors(t, tests)
}

func TestAudioSpan(t *testing.T) {
	audio := frames(l3, 2)
	tests := []struct {
		name       string
		file       []byte
		start, end int
	}{
		{"bare", audio, 0, len(audio)},
		{"ID3v2.4 with footer", cat(id3v2(4, true, 300), audio), 10 + 300 + 10, 320 + len(audio)},
		{"ID3v2.3 ignores the footer flag", cat(id3v2(3, true, 300)[:310], audio), 310, 310 + len(audio)},
		{"two ID3v2 tags", cat(id3v2(3, false, 20), id3v2(4, false, 30), audio), 30 + 40, 70 + len(audio)},
		{"ID3v1", cat(audio, id3v1()), 0, len(audio)},
		{"ID3v1 extended", cat(audio, append([]byte("TAG+"), make([]byte, 223)...), id3v1()), 0, len(audio)},
		{"APEv2", cat(audio, ape()), 0, len(audio)},
		{"APEv2 before ID3v1", cat(audio, ape(), id3v1()), 0, len(audio)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end, err := audioSpan(bytes.NewReader(tt.file), int64(len(tt.file)))
			if err != nil || start != int64(tt.start) || end != int64(tt.end) {
				t.Errorf("audioSpan = %d, %d, %v; want %d, %d", start, end, err, tt.start, tt.end)
			}
		})
	}
}

// BenchmarkDurationScan reads an hour-long call recorded at 64 kbit/s,
// 22.05 kHz mono without a Xing tag, so that every frame header is read.
func BenchmarkDurationScan(b *testing.B) {
	const h = 0xFFF380C4 // MPEG-2 layer III, 64 kbit/s, 22.05 kHz, mono: 208 bytes
	n := 22050 * 3600 / 576
	frame := make([]byte, 208)
	binary.BigEndian.PutUint32(frame, h)
	file := bytes.Repeat(frame, n)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		d, err := Duration(bytes.NewReader(file))
		if err != nil || d != at(int64(n), 576, 22050) {
			b.Fatal(d, err)
		}
	}
}
