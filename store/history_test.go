package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
)

func historyAt(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, complaint.China)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// historyTicket is a ticket dispatched at dispatched, in state, last
// changed at updated, with events at the given times (in that stored
// order, which need not be the order in time).
func historyTicket(t testing.TB, number, dispatched, updated string, state complaint.State, events ...string) complaint.Ticket {
	tk := complaint.Ticket{Number: number, Title: "投诉" + number, Content: "来电人吉𠮷反映：供电不稳定。", Unit: "U1",
		ReceivedAt: historyAt(t, dispatched).Add(-time.Hour), DispatchedAt: historyAt(t, dispatched), State: state,
		UpdatedAt: historyAt(t, updated), Version: int64(len(events))}
	for i, e := range events {
		tk.Events = append(tk.Events, complaint.Event{ID: int64(i + 1), Kind: complaint.KindUrge, Actor: "c1", Unit: "C",
			At: historyAt(t, e), To: state, Text: fmt.Sprintf("第%d次", i+1), Fields: map[string]string{"note": number}})
	}
	return tk
}

func TestHistory(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tickets := []complaint.Ticket{
		historyTicket(t, "A", "2025-09-20 09:00", "2025-09-25 10:00", complaint.Closed, "2025-09-20 09:00", "2025-09-25 10:00"),
		historyTicket(t, "B", "2025-09-20 09:00", "2025-09-20 10:00", complaint.Signed, "2025-09-20 09:00", "2025-09-20 10:00"),
		historyTicket(t, "C", "2025-10-05 09:00", "2025-10-10 10:00", complaint.Closed, "2025-10-05 09:00", "2025-10-10 10:00", "2025-10-06 08:00"),
		historyTicket(t, "D", "2025-11-02 09:00", "2025-11-02 09:00", complaint.Dispatched, "2025-11-02 09:00"),
		// Changed before the period by its stamp, yet an event in it.
		historyTicket(t, "E", "2025-09-01 09:00", "2025-09-05 10:00", complaint.Closed, "2025-09-01 09:00", "2025-10-03 10:00"),
		historyTicket(t, "F", "2025-09-01 09:00", "2025-10-20 10:00", complaint.FedBack, "2025-09-01 09:00", "2025-10-20 10:00"),
		// Closed after the period: it was open in it.
		historyTicket(t, "G", "2025-09-02 09:00", "2025-11-03 10:00", complaint.Closed, "2025-09-02 09:00", "2025-11-03 10:00"),
		// Dispatched again after the period; called in it.
		historyTicket(t, "H", "2025-11-02 09:00", "2025-11-02 09:00", complaint.Dispatched, "2025-10-10 09:00", "2025-11-02 09:00"),
		// Closed on the last instant before the period.
		historyTicket(t, "I", "2025-09-03 09:00", "2025-09-30 23:59", complaint.Closed, "2025-09-03 09:00", "2025-09-30 23:59"),
		historyTicket(t, "J", "2025-10-31 23:59", "2025-10-31 23:59", complaint.Dispatched, "2025-10-31 23:59"),
	}
	tickets[7].ReceivedAt = historyAt(t, "2025-10-10 08:00")
	if _, err := s.Apply(ctx, tickets, nil, 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.History(ctx, historyAt(t, "2025-10-01 00:00"), historyAt(t, "2025-11-01 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	// By dispatch time: E F (09-01, by number), G, B, C, J, H (11-02).
	var numbers []string
	for _, tk := range got {
		numbers = append(numbers, tk.Number)
	}
	if want := "E F G B C J H"; strings.Join(numbers, " ") != want {
		t.Fatalf("History = %s, want %s", strings.Join(numbers, " "), want)
	}
	for _, tk := range got {
		one, err := s.Ticket(ctx, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tk, one) {
			t.Errorf("History's %s differs from Ticket's:\n got %+v\nwant %+v", tk.Number, tk, one)
		}
	}
	// C's events were stored out of time order: oldest first.
	c := got[4]
	var times []string
	for _, e := range c.Events {
		times = append(times, e.At.In(complaint.China).Format("01-02 15:04")+" "+e.Text)
	}
	if want := "10-05 09:00 第1次,10-06 08:00 第3次,10-10 10:00 第2次"; strings.Join(times, ",") != want {
		t.Errorf("C's events %s, want %s", strings.Join(times, ","), want)
	}

	got, err = s.History(ctx, historyAt(t, "2026-10-01 00:00"), historyAt(t, "2026-11-01 00:00"))
	numbers = numbers[:0]
	for _, tk := range got {
		numbers = append(numbers, tk.Number)
	}
	if err != nil || strings.Join(numbers, " ") != "B J D H" {
		t.Errorf("a later month: %v (%v), want the open B J D H", numbers, err)
	}
	got, err = s.History(ctx, historyAt(t, "2024-10-01 00:00"), historyAt(t, "2024-11-01 00:00"))
	if err != nil || len(got) != 0 {
		t.Errorf("a month before any ticket: %d tickets (%v), want none", len(got), err)
	}
}

// BenchmarkHistory reads a month out of 100,000 cached tickets of three
// years, with the real files' text sizes and eight events each.
func BenchmarkHistory(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	const n, page = 100_000, 5000
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	from, to := time.Date(2025, 3, 1, 0, 0, 0, 0, complaint.China), time.Date(2025, 4, 1, 0, 0, 0, 0, complaint.China)
	want := 0
	for i := 0; i < n; i += page {
		ts := historyBenchTickets(start, i, min(page, n-i))
		for _, t := range ts {
			if (t.ReceivedAt.Before(to) || t.DispatchedAt.Before(to)) && (t.State.Open() || !t.UpdatedAt.Before(from) || eventIn(t, from, to)) {
				want++
			}
		}
		// Straight into the tables: History does not use the search
		// index, and building it for 100,000 texts takes minutes.
		err := s.tx(ctx, func(tx *sql.Tx) error {
			w, err := newTicketWriter(ctx, tx)
			if err != nil {
				return err
			}
			defer w.close()
			for _, t := range ts {
				if _, err := w.put(ctx, t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		ts, err := s.History(ctx, from, to)
		if err != nil || len(ts) != want {
			b.Fatalf("History = %d tickets, %v; want %d", len(ts), err, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/history")
	b.ReportMetric(float64(want), "tickets")
}

func eventIn(t complaint.Ticket, from, to time.Time) bool {
	for _, e := range t.Events {
		if !e.At.Before(from) && e.At.Before(to) {
			return true
		}
	}
	return false
}

// historyBenchTickets makes count tickets from the i-th, one every 15
// minutes from start; one in twenty is still open, the rest were closed
// three working days after dispatch.
func historyBenchTickets(start time.Time, i, count int) []complaint.Ticket {
	var b strings.Builder
	for b.Len() < 1500 {
		b.WriteString("小区供电线路老化，夜间频繁停电，来电人吉𠮷要求尽快检修。")
	}
	content, reply := b.String(), b.String()[:600]
	out := make([]complaint.Ticket, count)
	for k := range out {
		n := i + k
		d := start.Add(time.Duration(n) * 15 * time.Minute)
		step := func(h int) time.Time { return d.Add(time.Duration(h) * time.Hour) }
		state := complaint.Closed
		if n%20 == 0 {
			state = complaint.Assigned
		}
		ev := []complaint.Event{
			{ID: 1, Kind: complaint.KindDispatch, Actor: "c1", Unit: "C", At: d, To: complaint.Dispatched},
			{ID: 2, Kind: complaint.KindSign, Actor: "d1", Unit: "U1", At: step(0).Add(10 * time.Minute), From: complaint.Dispatched, To: complaint.Signed},
			{ID: 3, Kind: complaint.KindAssign, Actor: "d1", Unit: "U1", At: step(0).Add(20 * time.Minute), From: complaint.Signed, To: complaint.Assigned,
				Fields: map[string]string{"subunit": fmt.Sprintf("U1-%02d", n%6+1)}},
		}
		if state == complaint.Closed {
			ev = append(ev,
				complaint.Event{ID: 4, Kind: complaint.KindContact, Actor: "h1", Unit: "U1-01", At: step(2), From: complaint.Assigned, To: complaint.Contacted,
					Text: "已电话联系来电人", Fields: map[string]string{"how": "电话", "at": step(2).Format(time.RFC3339)}},
				complaint.Event{ID: 5, Kind: complaint.KindReply, Actor: "h1", Unit: "U1-01", At: step(30), From: complaint.Contacted, To: complaint.Replied, Text: reply},
				complaint.Event{ID: 6, Kind: complaint.KindApprove, Actor: "r1", Unit: "U1", At: step(31), From: complaint.Replied, To: complaint.Approved},
				complaint.Event{ID: 7, Kind: complaint.KindSend, Actor: "r1", Unit: "U1", At: step(31), From: complaint.Approved, To: complaint.FedBack},
				complaint.Event{ID: 8, Kind: complaint.KindClose, Actor: "c1", Unit: "C", At: step(72), From: complaint.FedBack, To: complaint.Closed,
					Fields: map[string]string{"satisfaction": complaint.Satisfied}},
			)
		}
		out[k] = complaint.Ticket{
			Number: fmt.Sprintf("2023%07d", n), Title: fmt.Sprintf("关于供电线路的投诉 %d", n), Content: content,
			Caller: "吉𠮷", Phone: "13800000000", Address: "杭州市西湖区文三路", Category: "城乡建设",
			ReceivedAt: d.Add(-10 * time.Minute), DispatchedAt: d, Unit: "U1", Subunit: ev[2].Fields["subunit"], State: state,
			Reply: &complaint.Reply{Text: reply, At: step(30)}, Version: int64(len(ev)), UpdatedAt: ev[len(ev)-1].At, Events: ev,
		}
	}
	return out
}
