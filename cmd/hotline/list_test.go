package main

import (
	"strings"
	"testing"
	"time"

	"hotline/complaint"
)

// The titles of hotline list line up whatever the width of the step due
// before them, and a title too long for the width is cut at it.
func TestWriteListLinesUp(t *testing.T) {
	at := time.Date(2026, 12, 4, 7, 4, 0, 0, time.UTC) // 15:04 in China
	ts := []complaint.Ticket{
		{Number: "20261203000009", State: complaint.Signed, ReceivedAt: at, Title: "南湖区阳光花园昨晚停电至今未恢复"},
		{Number: "20261204000017", State: complaint.Dispatched, ReceivedAt: at, Title: "东城区东方名城频繁停电影响生活"},
		{Number: "20261204000019", State: complaint.Dispatched, ReceivedAt: at, Title: "对经开区御景湾供电营业厅服务态度不满𠮷"},
	}
	dues := [][2]string{{"!", "派发 超时 1天18时"}, {"", "签收 剩 14时28分"}, {"▲", "签收 剩 7分"}}
	var b strings.Builder
	if err := writeList(&b, ts, dues, 99); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"20261203000009 已签收   2026-12-04 15:04  !派发 超时 1天18时 南湖区阳光花园昨晚停电至今未恢复\n" +
		"20261204000017 待签收   2026-12-04 15:04   签收 剩 14时28分  东城区东方名城频繁停电影响生活\n" +
		"20261204000019 待签收   2026-12-04 15:04  ▲签收 剩 7分       对经开区御景湾供电营业厅服务态度不满…\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeList(&b, ts[:1], nil, 100); err != nil {
		t.Fatal(err)
	}
	if want := "20261203000009 已签收   2026-12-04 15:04  南湖区阳光花园昨晚停电至今未恢复\n"; b.String() != want {
		t.Errorf("without dues: %q", b.String())
	}
}
