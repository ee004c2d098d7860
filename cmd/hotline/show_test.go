package main

import (
	"strings"
	"testing"
	"time"

	"hotline/complaint"
)

// show lists a ticket's attachments in an 附件 section: part, name made
// safe to print, type, size, who added it (by name) and when in China
// time, and a recording's length, in columns by display width; before the
// history, whose actors' column lines up the same way.
func TestShowListsAttachments(t *testing.T) {
	at := time.Date(2026, 12, 3, 6, 5, 0, 0, time.UTC)
	tk := complaint.Ticket{
		Number: "9001", Title: "小区门口井盖缺失", State: complaint.Signed, ReceivedAt: at.Add(-time.Hour),
		Events: []complaint.Event{{Kind: complaint.KindAttach, Actor: "zuoxi", At: at,
			Fields: map[string]string{"part": "recording", "name": "来电录音 9001.wav", "size": "227960"}}},
		Attachments: []complaint.Attachment{
			{ID: "a1", Name: "来电录音 9001.wav", Type: "audio/wav", Size: 227960, Part: complaint.PartRecording,
				Duration: 65*time.Second + 900*time.Millisecond, By: "zuoxi", At: at},
			{ID: "a2", Name: "现场\x1b[2J照片\u202e（1）.jpg", Type: "image/jpeg", Size: 512, Part: complaint.PartTicket, By: "duty", At: at.Add(time.Hour)},
			{ID: "a3", Name: "情况说明.docx", Size: 3 << 20, Part: complaint.PartReply, By: "nobody-known", At: at.Add(2 * time.Hour)},
		},
	}
	people := []complaint.User{{Login: "zuoxi", Name: "陈坐席"}, {Login: "duty", Name: "李明"}}
	var b strings.Builder
	writeTicket(&b, tk, nil, people, complaint.Policy{}, at)
	want := "编号：9001\n标题：小区门口井盖缺失\n状态：已签收\n来电时间：2026-12-03 13:05:00\n" +
		"附件：\n" +
		"  来电录音  来电录音 9001.wav      audio/wav   222.6 KiB  陈坐席        2026-12-03 14:05  时长 1:05\n" +
		"  工单附件  现场␛[2J照片（1）.jpg  image/jpeg      512 B  李明          2026-12-03 15:05\n" +
		"  回复附件  情况说明.docx          —             3.0 MiB  nobody-known  2026-12-03 16:05\n" +
		"办理记录：\n" +
		"  2026-12-03 14:05  陈坐席   添加附件\n" +
		"      附件：来电录音 9001.wav\n" +
		"      附件类别：来电录音\n" +
		"      大小：222.6 KiB\n"
	if b.String() != want {
		t.Errorf("show printed\n%s\nwant\n%s", b.String(), want)
	}
}
