package media

import (
	"archive/zip"
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"hotline/internal/testenv"
)

const (
	docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func TestType(t *testing.T) {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<w:document/>"))
	zw.Close()
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("情况说明：经现场核实，井盖已于当日补装。\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	utf8Cut := []byte(strings.Repeat("经现场核实", 40))[:512] // ends inside a character
	ole := []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00")
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"来电录音.wav", riff("RIFF", pcm8k, chunk{"data", make([]byte, 100)}), "audio/wav"},
		{"来电录音", riff("RF64", pcm8k), "audio/wav"},
		{"来电录音.mp3", id3v2(4, false, 300), "audio/mpeg"},
		{"来电录音", frames(l25, 3), "audio/mpeg"},          // confirmed by the second frame
		{"来电录音.MP3", frames(l3, 1)[:100], "audio/mpeg"}, // one header, and the name
		{"来电录音.bin", frames(l3, 1)[:100], "application/octet-stream"},
		{"来电录音.amr", []byte("#!AMR\n\x3c"), "audio/amr"},
		{"现场照片（1）.JPG", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "image/jpeg"},
		{"现场照片.jpg", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"}, // the bytes win
		{"传真.TIF", []byte("II*\x00\x08\x00\x00\x00"), "image/tiff"},
		{"扫描件", []byte("MM\x00*\x00\x00\x00\x08"), "image/tiff"},
		{"情况说明.PDF", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), "application/pdf"},
		{"情况说明.DOCX", z.Bytes(), docx},
		{"统计.xlsx", z.Bytes(), xlsx},
		{"材料.zip", z.Bytes(), "application/zip"},
		{"材料", z.Bytes(), "application/zip"},
		{"电子发票.ofd", z.Bytes(), "application/ofd"},
		{"情况说明.doc", ole, "application/msword"},
		{"统计.XLS", ole, "application/vnd.ms-excel"},
		{"材料.bin", ole, "application/x-ole-storage"},
		{"情况说明.txt", []byte("情况说明：经现场核实。"), "text/plain; charset=utf-8"},
		{"情况说明.txt", utf8Cut, "text/plain; charset=utf-8"},
		{"情况说明.txt", gb, "text/plain"},
		{"来电记录.csv", []byte("编号,标题\n1,井盖缺失\n"), "text/csv; charset=utf-8"},
		{"来电记录.csv", gb, "text/csv"},
		{"情况说明.txt", []byte("\xFF\xFEH\x00i\x00"), "text/plain; charset=utf-16le"},
		{"现场照片.heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), "image/heic"},
		{"现场照片.gif", []byte("GIF89a\x01\x00"), "image/gif"},
		{"来电录音.WAV", nil, "audio/wav"},
		{"空文件", nil, "application/octet-stream"},
		{"材料", []byte{0, 1, 2, 3, 0xFE, 0xFD}, "application/octet-stream"},
		{"材料.unknownext", []byte{0, 1, 2, 3, 0xFE, 0xFD}, "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := Type(tt.name, tt.head); got != tt.want {
			t.Errorf("Type(%q, % x…) = %q, want %q", tt.name, tt.head[:min(len(tt.head), 8)], got, tt.want)
		}
	}
}

// TestTypeSharedData types the real files in ../shared/data by their first
// 512 bytes, as the platform does on upload.
func TestTypeSharedData(t *testing.T) {
	for name, want := range map[string]string{
		"附件4.xlsx":              xlsx,
		"附件4-前300行-gb18030.csv": "text/csv",
	} {
		b, err := os.ReadFile(testenv.Shared(t, "data/teddy2020c/"+name))
		if err != nil {
			t.Fatal(err)
		}
		if got := Type(name, b[:512]); got != want {
			t.Errorf("Type(%q) = %q, want %q", name, got, want)
		}
	}
}
