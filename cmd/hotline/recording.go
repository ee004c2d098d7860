package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"

	"hotline/complaint"
)

// The demo's center attaches a call recording to the tickets it
// dispatches, as a real center's telephone system would: the citizen's
// words spoken by espeak-ng when it is installed, else a short tone, so
// that playing one has something to play.

// demoRecording writes a recording for t into dir and returns its path.
func demoRecording(dir string, t complaint.Ticket) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "来电录音-"+t.Number+".wav")
	if espeak, err := exec.LookPath("espeak-ng"); err == nil {
		text := "市民来电反映：" + t.Title + "。" + firstRunes(t.Content, 60)
		if out, err := exec.Command(espeak, "-v", "zh", "-s", "170", "-w", path, text).CombinedOutput(); err != nil {
			return "", fmt.Errorf("espeak-ng: %v: %s", err, out)
		}
		return path, nil
	}
	return path, os.WriteFile(path, tone(2, 8000), 0o600)
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// tone is a WAV file of secs seconds of a 440 Hz tone, 16-bit mono at rate.
func tone(secs, rate int) []byte {
	n := secs * rate
	b := make([]byte, 44+2*n)
	le := binary.LittleEndian
	copy(b, "RIFF")
	le.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1) // PCM
	le.PutUint16(b[22:], 1) // mono
	le.PutUint32(b[24:], uint32(rate))
	le.PutUint32(b[28:], uint32(2*rate))
	le.PutUint16(b[32:], 2)
	le.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(2*n))
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		le.PutUint16(b[44+2*i:], uint16(v))
	}
	return b
}

// record attaches a recording to each of ts as the demo's center.
func (p *demoPlatform) record(ctx context.Context, ts []complaint.Ticket) error {
	if p.files == nil {
		return nil
	}
	for _, t := range ts {
		path, err := demoRecording(filepath.Join(p.dir, "recordings"), t)
		if err != nil {
			return err
		}
		if _, err := p.db.AttachFile(ctx, p.files, t.Number, path, complaint.PartRecording, "center"); err != nil {
			return fmt.Errorf("recording of %s: %w", t.Number, err)
		}
	}
	return nil
}
