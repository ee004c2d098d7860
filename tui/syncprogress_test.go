package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
)

// backlog is n tickets waiting to be signed, numbered from first, the
// later ones received earlier (so more urgent).
func backlog(first, n int) []complaint.Ticket {
	out := make([]complaint.Ticket, n)
	for i := range out {
		k := first + i
		got := at(time.Duration(k) * time.Minute)
		out[i] = due(complaint.Ticket{
			Number: fmt.Sprintf("20200501%03d", k), Title: fmt.Sprintf("积压工单 %d", k),
			ReceivedAt: got, DispatchedAt: got, Unit: unitCode, State: complaint.Dispatched, Version: 1,
			Events: []complaint.Event{ev(complaint.KindDispatch, "center01", got, "", complaint.Dispatched, "")},
		}, complaint.StepSign, got, got.Add(30*24*time.Hour))
	}
	return out
}

// A first sync into an empty cache: the status bar shows its progress, the
// list fills in page by page, and keys move the cursor all the while; the
// progress goes when the sync ends.
func TestFirstSyncProgress(t *testing.T) {
	h := newHarness(t, 80, 24, nil)
	ctx := context.Background()
	page := func(first, n int, cursor int64) {
		t.Helper()
		if _, err := h.st.Apply(ctx, backlog(first, n), nil, cursor); err != nil {
			t.Fatal(err)
		}
	}
	start := testNow.Add(-3 * time.Second)

	page(1, 10, 2)
	h.send(SyncProgressMsg{Done: 10, Total: 30, First: true, Start: start, At: start.Add(400 * time.Millisecond)})
	// One page, 0.4 s in: no time left yet.
	if got, want := h.line(23), " 首次同步 █████████░░░░░░░░░░░░░░░░░░ 10/30 工单 │ 隧道 已连接 握手12秒前 ↓1.2K…"; got != want {
		t.Fatalf("status bar after page 1:\n got %q\nwant %q", got, want)
	}
	if got := h.line(0); !strings.HasPrefix(got, " 1 待办 10   2 未反馈 10   3 已反馈 0") {
		t.Fatalf("tabs after page 1: %q", got)
	}
	h.press("j", "j")
	third := h.m.list.Selected()
	if third != "20200501008" {
		t.Fatalf("selected %q after two moves, want the third most urgent, 20200501008", third)
	}

	page(11, 10, 3)
	h.send(SyncProgressMsg{Done: 20, Total: 30, First: true, Start: start, At: start.Add(1400 * time.Millisecond)})
	// Ten in the second between the pages: ten more take a second.
	if got, want := h.line(23), " 首次同步 ███████████░░░░░░ 20/30 工单 · 约 1 秒 │ 隧道 已连接 握手12秒前 ↓1.2K…"; got != want {
		t.Fatalf("status bar after page 2:\n got %q\nwant %q", got, want)
	}
	if got := h.line(0); !strings.HasPrefix(got, " 1 待办 20   2 未反馈 20") {
		t.Fatalf("tabs after page 2: %q", got)
	}
	if got := h.m.list.Selected(); got != third {
		t.Fatalf("selection moved to %q as the list grew", got)
	}
	h.press("j")
	if got := h.m.list.Selected(); got == third || got == "" {
		t.Fatalf("the cursor did not move after page 2: %q", got)
	}
	h.view() // every line exactly the width, the screen exactly the height

	page(21, 10, 4)
	h.send(SyncProgressMsg{Done: 30, Total: 30, First: true, Start: start, At: start.Add(2400 * time.Millisecond)},
		SyncedMsg{At: testNow})
	if got := h.line(23); strings.Contains(got, "首次同步") || !strings.Contains(got, "同步于15:04") {
		t.Fatalf("status bar after the sync: %q", got)
	}
	if got := h.line(0); !strings.HasPrefix(got, " 1 待办 30   2 未反馈 30") {
		t.Fatalf("tabs after the sync: %q", got)
	}
}

// A sync that fails half-way leaves no stale bar behind; the next round
// brings it back, from its own start.
func TestSyncProgressEndsOnFailure(t *testing.T) {
	h := newHarness(t, 100, 30, nil)
	start := testNow.Add(-time.Minute)
	h.send(SyncProgressMsg{Done: 500, Total: 5000, First: true, Start: start, At: start.Add(2 * time.Second)})
	if got := h.line(29); !strings.HasPrefix(got, " 首次同步 ██░") || !strings.Contains(got, "500/5,000 工单 · 约 18 秒 │") {
		t.Fatalf("status bar: %q", got)
	}
	h.send(LinkMsg{Online: false, Err: "dial tcp 10.77.0.1:80: i/o timeout"})
	if got := h.line(29); strings.Contains(got, "同步 ") && strings.Contains(got, "5,000") {
		t.Fatalf("progress kept after the failure: %q", got)
	}
	again := testNow
	h.send(SyncProgressMsg{Done: 500, Total: 4500, Start: again, At: again.Add(300 * time.Millisecond)})
	if got := h.line(29); !strings.Contains(got, "正在同步 ") || !strings.Contains(got, "500/4,500 工单 │") {
		t.Fatalf("status bar of the next round: %q", got)
	}
}

// Pages that come while the lists are being read for an earlier one wait
// for it: one read at a time, and one more after it for what came meanwhile.
func TestSyncProgressReloadsOneAtATime(t *testing.T) {
	h := newHarness(t, 80, 24, backlog(1, 5))
	ctx := context.Background()
	start := testNow.Add(-time.Minute)
	if _, err := h.st.Apply(ctx, backlog(6, 5), nil, 2); err != nil {
		t.Fatal(err)
	}
	_, cmd := h.m.Update(SyncProgressMsg{Done: 5, Total: 20, Start: start, At: start.Add(time.Second)})
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatalf("first page: %T, want the read of the lists and of the counts", cmd())
	}
	var read tea.Msg
	for _, c := range batch {
		if msg, ok := c().(progressLoadedMsg); ok {
			read = msg // the lists as they were: ten tickets
		}
	}
	if read == nil {
		t.Fatal("the first page did not read the lists")
	}
	if _, err := h.st.Apply(ctx, backlog(11, 10), nil, 3); err != nil {
		t.Fatal(err)
	}
	if _, second := h.m.Update(SyncProgressMsg{Done: 15, Total: 20, Start: start, At: start.Add(2 * time.Second)}); second != nil {
		t.Fatal("a second read started while the first runs")
	}
	h.press("j") // keys go on meanwhile
	if got := h.m.list.Selected(); got != "20200501004" {
		t.Fatalf("selected %q, want 20200501004", got)
	}
	h.send(read)
	if got := h.line(0); !strings.HasPrefix(got, " 1 待办 20   2 未反馈 20") {
		t.Fatalf("tabs after the reads: %q, want the pages that came during the first read", got)
	}
	if h.m.sync.loading || h.m.sync.stale {
		t.Fatalf("reads left pending: loading %v stale %v", h.m.sync.loading, h.m.sync.stale)
	}
	if got := h.m.list.Selected(); got != "20200501004" {
		t.Fatalf("selection moved to %q", got)
	}
}
