package complaint

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Part says what an attachment belongs to.
type Part string

const (
	PartTicket    Part = "ticket"    // evidence on the ticket: photos, scans, faxes
	PartReply     Part = "reply"     // goes with the reply: the written statement (情况说明), photos
	PartRecording Part = "recording" // the citizen's call, added by the center
)

var partLabels = map[Part]string{PartTicket: "工单附件", PartReply: "回复附件", PartRecording: "来电录音"}

// Label is the part's name on screen.
func (p Part) Label() string {
	if l, ok := partLabels[p]; ok {
		return l
	}
	return string(p)
}

// Attachment is one file on a ticket. The file itself is kept by the
// platform under its SHA-256, so the same photo added twice is stored once;
// the attachment is the ticket's record of it: the name it was given (kept
// exactly, Chinese and all), its type, who added it and when.
type Attachment struct {
	ID     string `json:"id"` // the attach action's id
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"` // MIME type
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lower-case hex
	Part   Part   `json:"part"`
	// Duration is a recording's length, read from the file itself.
	Duration time.Duration `json:"duration,omitempty"`
	By       string        `json:"by,omitempty"`
	At       time.Time     `json:"at,omitzero"`
}

// MaxNameBytes bounds an attachment's name: file systems take 255 bytes.
const MaxNameBytes = 255

// ValidSHA256 reports whether s is a SHA-256 in lower-case hex.
func ValidSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// CheckName refuses a file name that cannot be kept as it is: empty, too
// long, not UTF-8, holding a path separator or a control character.
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return refuse("附件须有文件名")
	case !utf8.ValidString(name):
		return refuse("附件文件名不是有效的 UTF-8 文字")
	case len(name) > MaxNameBytes:
		return refuse("附件文件名过长（%d 字节，最多 %d 字节）", len(name), MaxNameBytes)
	case strings.ContainsAny(name, `/\`):
		return refuse("附件文件名不能含有 / 或 \\：%s", name)
	case name == "." || name == "..":
		return refuse("附件文件名无效：%s", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return refuse("附件文件名含有控制字符（U+%04X）", r)
		}
	}
	return nil
}

func checkAttachment(u User, a *Attachment) error {
	if a == nil {
		return refuse("添加附件须给出附件")
	}
	if err := CheckName(strings.TrimSpace(a.Name)); err != nil {
		return err
	}
	if !ValidSHA256(a.SHA256) {
		return refuse("附件校验值无效（应为 64 位小写十六进制的 SHA-256）")
	}
	if a.Size < 0 {
		return refuse("附件大小无效：%d", a.Size)
	}
	switch a.Part {
	case PartTicket, PartReply:
	case PartRecording:
		if !u.Has(RoleCenter) {
			return refuse("来电录音只能由12345中心添加")
		}
	default:
		return refuse("未知的附件类别 %q", a.Part)
	}
	return nil
}

// String is for logs.
func (a Attachment) String() string {
	return fmt.Sprintf("%s (%d bytes, %s)", a.Name, a.Size, a.SHA256)
}
