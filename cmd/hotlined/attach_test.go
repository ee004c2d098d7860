package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/media"
)

// The center attaches a call recording made with espeak-ng to a ticket it
// dispatched, with hotlined attach: the duration is read from the file, the
// Chinese name kept, the contents copied into the data directory.
func TestAttachRecording(t *testing.T) {
	espeak := testenv.Command(t, "espeak-ng", "espeak-ng")
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct-horse\n"), 0o600)
	data := filepath.Join(dir, "data")
	mustRun(t, "init", "--dir", data, "--endpoint", "platform.example.org:51820")
	mustRun(t, "unit", "add", "--dir", data, "--code", "12345", "--name", "12345中心", "--kind", "center")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	mustRun(t, "user", "add", "--dir", data, "--login", "zuoxi", "--name", "陈坐席", "--unit", "12345", "--roles", "center", "--password-file", pw)
	mustRun(t, "user", "add", "--dir", data, "--login", "duty", "--name", "李明", "--unit", "gdj", "--roles", "duty", "--password-file", pw)
	csv := filepath.Join(dir, "one.csv")
	os.WriteFile(csv, []byte("留言编号,留言主题,留言时间,留言详情\r\n9001,井盖缺失,2026-12-03 08:00:00,小区门口井盖缺失\r\n"), 0o644)
	mustRun(t, "import", "--dir", data, "--unit", "gdj", "--open", csv)

	wav := filepath.Join(dir, "来电录音 9001.wav")
	if out, err := exec.Command(espeak, "-v", "zh", "-w", wav, "市民来电反映小区门口井盖缺失").CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v\n%s", err, out)
	}
	want, err := media.FileDuration(wav)
	if err != nil {
		t.Fatal(err)
	}
	contents, _ := os.ReadFile(wav)

	if err := run([]string{"attach", "--dir", data, "--ticket", "9001", "--as", "duty", wav}); err == nil ||
		err.Error() != "attach 来电录音 9001.wav to 9001 refused: 来电录音只能由12345中心添加" {
		t.Errorf("a duty officer's recording: %v", err)
	}
	if err := run([]string{"attach", "--dir", data, "--ticket", "9001", "--as", "zuoxi", filepath.Join(dir, "nope.wav")}); err == nil || !strings.Contains(err.Error(), "nope.wav: no such file") {
		t.Errorf("a missing file: %v", err)
	}
	mustRun(t, "attach", "--dir", data, "--ticket", "9001", "--as", "zuoxi", wav)

	db, err := openDB(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tk, err := db.Ticket(context.Background(), "9001")
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.Attachments) != 1 {
		t.Fatalf("attachments: %+v", tk.Attachments)
	}
	a := tk.Attachments[0]
	if a.Name != "来电录音 9001.wav" || a.Part != complaint.PartRecording || a.Type != "audio/wav" || a.Duration != want || a.Size != int64(len(contents)) || a.By != "zuoxi" {
		t.Errorf("recording = %+v; want duration %v", a, want)
	}
	kept, err := os.ReadFile(filepath.Join(data, "files", a.SHA256[:2], a.SHA256))
	if err != nil || !bytes.Equal(kept, contents) {
		t.Errorf("kept copy differs from the recording (%v)", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(data, "uploads")); len(ents) != 0 {
		t.Errorf("left in uploads: %d entries", len(ents))
	}
}

// attachSetup is a platform data directory with the center's user zuoxi, a
// duty officer and ticket 9001, and a directory for the files to attach.
func attachSetup(t *testing.T) (data, dir string) {
	t.Helper()
	dir = t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct-horse\n"), 0o600)
	data = filepath.Join(dir, "data")
	mustRun(t, "init", "--dir", data, "--endpoint", "platform.example.org:51820")
	mustRun(t, "unit", "add", "--dir", data, "--code", "12345", "--name", "12345中心", "--kind", "center")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	mustRun(t, "user", "add", "--dir", data, "--login", "zuoxi", "--name", "陈坐席", "--unit", "12345", "--roles", "center", "--password-file", pw)
	csv := filepath.Join(dir, "one.csv")
	os.WriteFile(csv, []byte("留言编号,留言主题,留言时间,留言详情\r\n9001,井盖缺失,2026-12-03 08:00:00,小区门口井盖缺失\r\n"), 0o644)
	mustRun(t, "import", "--dir", data, "--unit", "gdj", "--open", csv)
	return data, dir
}

// pcmWAV is a WAV file of secs seconds of 16-bit mono PCM at 8000 Hz.
func pcmWAV(secs int) []byte {
	n := 2 * 8000 * secs
	b := make([]byte, 44+n)
	le := binary.LittleEndian
	copy(b, "RIFF")
	le.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1)
	le.PutUint16(b[22:], 1)
	le.PutUint32(b[24:], 8000)
	le.PutUint32(b[28:], 16000)
	le.PutUint16(b[32:], 2)
	le.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(n))
	for i := 44; i < len(b); i += 2 {
		b[i] = byte(i)
	}
	return b
}

// hotlined attach takes as a call recording only WAV or MP3 audio whose
// length it can read: a document, an empty file and a WAV cut short are
// refused with what is accepted, and none is kept; a whole WAV goes.
func TestAttachRefusesWhatIsNoRecording(t *testing.T) {
	data, dir := attachSetup(t)
	good := pcmWAV(2)
	files := map[string][]byte{
		"情况说明.docx":    append([]byte("PK\x03\x04"), bytes.Repeat([]byte("情况说明"), 100)...),
		"空.txt":        nil,
		"来电录音（截断）.wav": good[:100],
		"来电录音.wav":     good,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rule := "来电录音只接受能读出时长的 WAV 或 MP3 音频"
	for _, tc := range []struct{ name, want string }{
		{"情况说明.docx", "attach 情况说明.docx to 9001 refused: “情况说明.docx”不是 WAV 或 MP3 音频（application/vnd.openxmlformats-officedocument.wordprocessingml.document）：" + rule},
		{"空.txt", "attach 空.txt to 9001 refused: “空.txt”是空文件：" + rule},
		{"来电录音（截断）.wav", "attach 来电录音（截断）.wav to 9001 refused: “来电录音（截断）.wav”读不出时长（文件不完整、已损坏或没有声音）：" + rule},
	} {
		out, err := stdout(t, "attach", "--dir", data, "--ticket", "9001", "--as", "zuoxi", filepath.Join(dir, tc.name))
		if err == nil || err.Error() != tc.want || out != "" {
			t.Errorf("%s: printed %q, error %v\nwant the error %q", tc.name, out, err, tc.want)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(data, "files")); len(ents) != 0 {
		t.Errorf("refused recordings were kept: %d entries in files/", len(ents))
	}
	out, err := stdout(t, "attach", "--dir", data, "--ticket", "9001", "--as", "zuoxi", filepath.Join(dir, "来电录音.wav"))
	if want := "attached 来电录音.wav to 9001 as 来电录音 (audio/wav, 31.3 KiB（32044 字节）, 2s)\n"; err != nil || out != want {
		t.Errorf("a whole WAV: printed %q, %v; want %q", out, err, want)
	}
}

// What hotlined attach prints of names it was given is made safe: an
// escape that would clear the screen and a line break that would split
// the message are shown as symbols, a right-to-left override that would
// disguise a name is dropped.
func TestAttachShowsNamesSafely(t *testing.T) {
	data, dir := attachSetup(t)
	for _, tc := range []struct{ name, want string }{
		{"恶意\x1b[2J名称.txt", "恶意␛[2J名称.txt: 附件文件名含有控制字符（U+001B）"},
		{"nl\nname.txt", "nl␊name.txt: 附件文件名含有控制字符（U+000A）"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, []byte("text"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := stdout(t, "attach", "--dir", data, "--ticket", "9001", "--as", "zuoxi", "--part", "ticket", path)
		if want := filepath.Join(dir, tc.want); err == nil || err.Error() != want {
			t.Errorf("%q: error %q, want %q", tc.name, err, want)
		}
	}
	if _, err := stdout(t, "attach", "--dir", data, "--ticket", "9001\x1b[2J", "--as", "zuoxi", filepath.Join(dir, "nope.wav")); err == nil ||
		strings.ContainsAny(err.Error(), "\x1b\n") {
		t.Errorf("a ticket number with an escape: %q", err)
	}
	name := "照片\u202egpj.exe"
	if err := os.WriteFile(filepath.Join(dir, name), []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := stdout(t, "attach", "--dir", data, "--ticket", "9001", "--as", "zuoxi", "--part", "ticket", filepath.Join(dir, name))
	if want := "attached 照片gpj.exe to 9001 as 工单附件 (image/jpeg, 7 字节)\n"; err != nil || out != want {
		t.Errorf("a name with a right-to-left override: printed %q, %v; want %q", out, err, want)
	}
}
