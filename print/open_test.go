package print

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSave(t *testing.T) {
	dir := t.TempDir()
	pdf := []byte("%PDF-1.3 test")
	var paths []string
	for range 3 {
		p, err := Save(pdf, dir, "GD2019/04:25*001.pdf")
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(p))
		if got, _ := os.ReadFile(p); string(got) != string(pdf) {
			t.Errorf("%s holds %q", p, got)
		}
	}
	want := []string{"GD2019_04_25_001.pdf", "GD2019_04_25_001-2.pdf", "GD2019_04_25_001-3.pdf"}
	if !slices.Equal(paths, want) {
		t.Errorf("saved as %q, want %q", paths, want)
	}
	if p, err := Save(pdf, dir, ""); err != nil || filepath.Base(p) != "sheet.pdf" {
		t.Errorf("no name: %s, %v", p, err)
	}
	if _, err := Save(pdf, filepath.Join(dir, "missing", "dir"), "x"); err == nil {
		t.Error("saving into a missing folder: no error")
	}
}

func TestOpener(t *testing.T) {
	tests := []struct {
		goos string
		want []string
	}{
		{"linux", []string{"xdg-open", `/tmp/a b.pdf`}},
		{"freebsd", []string{"xdg-open", `/tmp/a b.pdf`}},
		{"darwin", []string{"open", `/tmp/a b.pdf`}},
		{"windows", []string{"rundll32", "url.dll,FileProtocolHandler", `/tmp/a b.pdf`}},
	}
	for _, tt := range tests {
		name, args := Opener(tt.goos, `/tmp/a b.pdf`)
		if got := append([]string{name}, args...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.goos, got, tt.want)
		}
	}
}

// TestShow saves a PDF and hands it to the desktop's opener. This machine
// has no desktop, so xdg-open here is a script that notes what it was given.
func TestShow(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the stand-in opener is a shell script")
	}
	bin := t.TempDir()
	note := filepath.Join(bin, "opened")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + note + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	path, err := Show([]byte("%PDF"), dir, "批量打印")
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "批量打印.pdf") {
		t.Errorf("saved as %s", path)
	}
	var got []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, _ = os.ReadFile(note); len(got) > 0 {
			break
		}
	}
	if string(got) != path {
		t.Errorf("xdg-open was given %q, want %q", got, path)
	}

	t.Setenv("PATH", t.TempDir())
	path, err = Show([]byte("%PDF"), dir, "x")
	if err == nil || !strings.Contains(err.Error(), "xdg-open") || path == "" {
		t.Errorf("without an opener: path %q, err %v", path, err)
	}
}
