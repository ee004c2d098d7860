package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"hotline/complaint"
)

// ClosedOn takes the day in China time, from midnight to midnight, reads
// each ticket's last close, and orders by it.
func TestClosedOn(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, cst)
	closed := func(number string, at ...time.Time) complaint.Ticket {
		tk := complaint.Ticket{Number: number, Title: "工单" + number, Unit: "U01", State: complaint.Closed, Version: 1,
			ReceivedAt: day.AddDate(0, 0, -3).UTC()}
		for _, a := range at {
			tk.Events = append(tk.Events, complaint.Event{Kind: complaint.KindClose, At: a.UTC(), From: complaint.FedBack, To: complaint.Closed})
			tk.UpdatedAt = a.UTC()
		}
		return tk
	}
	reopened := closed("R", day.Add(9*time.Hour))
	reopened.State = complaint.Dispatched
	reopened.Events = append(reopened.Events, complaint.Event{Kind: complaint.KindReopen, At: day.Add(10 * time.Hour).UTC(), From: complaint.Closed, To: complaint.Dispatched})
	tickets := []complaint.Ticket{
		closed("late", day.Add(23*time.Hour+59*time.Minute+59*time.Second)),
		closed("yesterday", day.Add(-time.Second)),
		closed("midnight", day),
		closed("tomorrow", day.AddDate(0, 0, 1)),
		closed("again", day.Add(-24*time.Hour), day.Add(8*time.Hour)), // closed, reopened, closed again today
		closed("once", day.Add(-48*time.Hour), day.Add(-24*time.Hour)),
		closed("noon", day.Add(12*time.Hour)),
		closed("never"), // closed on import: no close event, no day
		reopened,
	}
	if _, err := s.Apply(ctx, tickets, nil, 1); err != nil {
		t.Fatal(err)
	}
	// Asked at any instant of the day, in any zone.
	for _, now := range []time.Time{day.Add(15 * time.Hour).UTC(), day.Add(23 * time.Hour).UTC(), day} {
		got, err := s.ClosedOn(ctx, now, cst)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, tk := range got {
			numbers = append(numbers, tk.Number)
			if len(tk.Events) == 0 {
				t.Errorf("%s came without its history", tk.Number)
			}
		}
		want := []string{"midnight", "again", "noon", "late"}
		if !slices.Equal(numbers, want) {
			t.Errorf("closed on %s = %v, want %v", now, numbers, want)
		}
	}
}
