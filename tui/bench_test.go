package tui

import (
	"fmt"
	"testing"
	"time"

	"hotline/complaint"
)

// BenchmarkListView draws the list of a busy unit: 3,000 open tickets.
func BenchmarkListView(b *testing.B) {
	tickets := make([]complaint.Ticket, 3000)
	for i := range tickets {
		tickets[i] = complaint.Ticket{Number: fmt.Sprintf("2020%07d", i), Title: "盘锦市兴隆台区供电线路老化频繁停电𠮷野家",
			ReceivedAt: at(time.Duration(i) * time.Minute), Unit: unitCode, State: complaint.Signed, Version: 1}
	}
	h := newHarness(b, 120, 40, tickets)
	b.ResetTimer()
	for b.Loop() {
		h.press("j")
		_ = h.m.View()
	}
}
