package main

import (
	"bytes"
	"context"
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
