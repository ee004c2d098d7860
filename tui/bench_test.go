package tui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sample"
	"hotline/tui/cells"
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

// manyTickets is n tickets of the sample generator (Chinese titles made of
// districts, estates and complaints) spread over the 90 days before the
// test's clock, in every state the lists show: three in ten fed back or
// closed, the rest at each step of the work with its deadline near, past
// or well ahead.
func manyTickets(n int) []complaint.Ticket {
	ts := sample.New(7, 0).Tickets(n, testNow, 90*24*time.Hour)
	open := []struct {
		state complaint.State
		step  complaint.Step
	}{
		{complaint.Dispatched, complaint.StepSign}, {complaint.Signed, complaint.StepAssign},
		{complaint.Assigned, complaint.StepContact}, {complaint.Contacted, complaint.StepReply},
		{complaint.Replied, complaint.StepReview}, {complaint.Rejected, complaint.StepReply},
		{complaint.Approved, complaint.StepSend},
	}
	for i := range ts {
		t := &ts[i]
		t.Unit, t.Version = unitCode, 1
		switch k := i % 10; {
		case k < len(open):
			t.State, t.Step = open[k].state, open[k].step
			t.StepStart = t.DispatchedAt
			t.Due = testNow.Add(time.Duration(i%97-30) * time.Hour).UTC()
		case k == 7:
			t.State = complaint.FedBack
		default:
			t.State, t.Satisfaction = complaint.Closed, complaint.Satisfied
		}
	}
	return ts
}

// BenchmarkListFrames is the lists of 100,000 tickets read from a real
// store: the time of one frame (a key press through Update, then View)
// while scrolling, typing a filter and sorting. The target is a p99 under
// 16 ms: a frame of a 60 Hz screen.
//
//	go test ./tui/ -run '^$' -bench BenchmarkListFrames -benchtime 2000x
func BenchmarkListFrames(b *testing.B) {
	h := newHarness(b, 120, 40, manyTickets(100_000))
	h.press("2")
	if _, n := h.m.list.Shown(1); n != 70_000 {
		b.Fatalf("the open list holds %d tickets, want 70,000", n)
	}
	b.Run("scroll", func(b *testing.B) {
		keys := []string{"down", "down", "pgdown", "down", "pgdown", "pgdown", "up"}
		frames(b, h, func(i int) string {
			if at, of := h.m.list.Position(); at >= of-1 {
				return "home"
			}
			return keys[i%len(keys)]
		})
	})
	b.Run("filter", func(b *testing.B) {
		// Each query typed a character at a time, then taken back.
		var typed []string
		for _, q := range []string{"兴隆", "城东 停电", "20200", "标题:电费", "翠湖苑变压器", "状态:已签收 阳光"} {
			g := cells.Graphemes(q)
			typed = append(typed, g...)
			for range g {
				typed = append(typed, "backspace")
			}
		}
		h.press("/")
		frames(b, h, func(i int) string { return typed[i%len(typed)] })
		h.press("esc")
	})
	b.Run("sort", func(b *testing.B) {
		frames(b, h, func(int) string { return "o" })
	})
	// A sync brings the lists again: a frame that is not a key's.
	b.Run("reload", func(b *testing.B) {
		loaded := h.m.list.Load()()
		var took []time.Duration
		for b.Loop() {
			start := time.Now()
			h.send(loaded)
			_ = h.m.View()
			took = append(took, time.Since(start))
		}
		report(b, took)
	})
}

// frames presses the key next gives for each frame and reports the
// frames' median and 99th percentile in milliseconds.
func frames(b *testing.B, h *harness, next func(i int) string) {
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		k := next(i)
		start := time.Now()
		h.press(k)
		_ = h.m.View()
		took = append(took, time.Since(start))
	}
	report(b, took)
}

// report reports the frames' median, 99th percentile and slowest, in
// milliseconds.
func report(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[min(int(p*float64(len(took))), len(took)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
}
