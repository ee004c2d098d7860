package media

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// byExt names the types of the files a ticket usually carries, so that the
// answer does not depend on the machine's /etc/mime.types (which says
// audio/x-wav on one system and audio/wav on the next).
var byExt = map[string]string{
	".wav":  "audio/wav",
	".mp3":  "audio/mpeg",
	".amr":  "audio/amr",
	".m4a":  "audio/mp4",
	".ogg":  "audio/ogg",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".gif":  "image/gif",
	".bmp":  "image/bmp",
	".webp": "image/webp",
	".heic": "image/heic",
	".tif":  "image/tiff",
	".tiff": "image/tiff",
	".pdf":  "application/pdf",
	".ofd":  "application/ofd", // GB/T 33190, China's fixed-layout document (e-invoices)
	".doc":  "application/msword",
	".xls":  "application/vnd.ms-excel",
	".ppt":  "application/vnd.ms-powerpoint",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".txt":  "text/plain",
	".csv":  "text/csv",
	".zip":  "application/zip",
	".rar":  "application/vnd.rar",
	".7z":   "application/x-7z-compressed",
	".mp4":  "video/mp4",
}

// Type returns the MIME type of an attachment called name whose first bytes
// are head (512 are enough). What the bytes say comes first, since names
// lie (a photo saved as .png that is a JPEG); the name decides between the
// formats that share a container (docx, xlsx and ofd are all ZIP files; doc
// and xls both OLE), for text, and where the bytes say nothing known.
func Type(name string, head []byte) string {
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = strings.ToLower(name[i:])
	}
	named := byExt[ext]
	if named == "" {
		named, _, _ = strings.Cut(mime.TypeByExtension(ext), ";")
	}
	switch {
	case isWAV(head):
		return "audio/wav"
	case bytes.HasPrefix(head, []byte("ID3")) || isMPEG(head, ext):
		return "audio/mpeg"
	case bytes.HasPrefix(head, []byte("#!AMR-WB\n")):
		return "audio/amr-wb"
	case bytes.HasPrefix(head, []byte("#!AMR\n")):
		return "audio/amr"
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return "image/tiff" // faxes and scans
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if zipped[ext] {
			return named
		}
		return "application/zip"
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		if ext == ".doc" || ext == ".xls" || ext == ".ppt" {
			return named
		}
		return "application/x-ole-storage"
	case len(head) == 0:
		if named != "" {
			return named
		}
		return "application/octet-stream"
	}
	t := http.DetectContentType(head)
	if t == "application/octet-stream" && named != "" {
		return named
	}
	if !strings.HasPrefix(t, "text/plain") {
		return t
	}
	base, charset := "text/plain", "utf-8"
	if strings.HasPrefix(named, "text/") {
		base = named // text/csv says more
	}
	if _, cs, ok := strings.Cut(t, "charset="); ok {
		charset = cs // utf-16 when there is a byte order mark
	}
	// http calls any text without control bytes UTF-8, GB18030 included;
	// when it is not, name no charset rather than a wrong one
	if charset == "utf-8" && !utf8.Valid(trimRune(head)) {
		return base
	}
	return base + "; charset=" + charset
}

// zipped are the extensions of formats stored in a ZIP file.
var zipped = map[string]bool{".docx": true, ".xlsx": true, ".pptx": true, ".ofd": true}

// isMPEG reports whether head starts with an MPEG audio frame, confirmed by
// the next frame's header when it lies within head, or else by the name.
func isMPEG(head []byte, ext string) bool {
	if len(head) < 4 || !validHeader(be32(head)) {
		return false
	}
	h := header(be32(head))
	if n := h.size(); int64(len(head)) >= n+4 {
		h2 := be32(head[n:])
		return validHeader(h2) && same(h, header(h2))
	}
	return ext == ".mp3"
}

// trimRune drops a UTF-8 sequence cut off at the end of b.
func trimRune(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if c >= 0xC0 { // the lead byte of the last sequence
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}
