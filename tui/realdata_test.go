package tui

import (
	"encoding/csv"
	"fmt"
	"hotline/internal/testenv"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"hotline/complaint"
	"hotline/tui/cells"
)

// sharedData is a file of the shared data folder beside the repository.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	return testenv.Shared(t, "data/"+rel)
}

// realTickets reads the first n messages of the public 2020 Teddy Cup data,
// as Excel on a Chinese Windows desktop saves them (GB18030, CRLF), into
// tickets: long texts with leftover tabs and line breaks, long replies.
func realTickets(t *testing.T, n int) []complaint.Ticket {
	f, err := os.Open(sharedData(t, "teddy2020c/附件4-前300行-gb18030.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(simplifiedchinese.GB18030.NewDecoder().Reader(f))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []complaint.Ticket
	for i, rec := range recs[1:] {
		if len(out) == n {
			break
		}
		if len(rec) < 7 {
			continue
		}
		var received time.Time
		for _, layout := range []string{"2006-01-02 15:04:05", "2006/1/2 15:04:05"} {
			if received, err = time.ParseInLocation(layout, strings.TrimSpace(rec[3]), shanghai); err == nil {
				break
			}
		}
		if err != nil {
			continue
		}
		tk := complaint.Ticket{
			Number: rec[0], Caller: rec[1], Title: rec[2], Content: rec[4], ReceivedAt: received.UTC(),
			Unit: unitCode, State: complaint.Dispatched, Version: int64(i + 1),
		}
		// Every other message is taken as not answered yet, so that both
		// lists fill.
		if strings.TrimSpace(rec[5]) != "" && i%2 == 1 {
			tk.State = complaint.FedBack
			tk.Reply = &complaint.Reply{Text: rec[5], By: "duty01", At: received.Add(24 * time.Hour).UTC()}
		}
		out = append(out, tk)
	}
	if len(out) < n {
		t.Fatalf("read %d tickets from the real data, want %d", len(out), n)
	}
	return out
}

// realImported is realTickets as the platform's import leaves them in the
// cache (see platform.Dispatch): dispatched to the unit when the citizen
// called, with the event that brought each, a dispatch or, for one already
// fed back, an import at the time of the import (now). The figures count
// tickets by that event.
func realImported(t *testing.T, n int) []complaint.Ticket {
	ts := realTickets(t, n)
	for i := range ts {
		tk := &ts[i]
		tk.DispatchedAt, tk.UpdatedAt = tk.ReceivedAt, testNow.UTC()
		ev := complaint.Event{Kind: complaint.KindDispatch, Actor: centerUser.Login, Unit: centerCode, At: tk.DispatchedAt, To: tk.State}
		if tk.State != complaint.Dispatched {
			ev.Kind, ev.At = complaint.KindImport, testNow.UTC()
		}
		tk.Events = []complaint.Event{ev}
	}
	return ts
}

// Real complaint texts, drawn on every screen, fill the screen exactly.
func TestRealDataScreens(t *testing.T) {
	tickets := realTickets(t, 40)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, tickets)
			for _, tab := range []string{"1", "2"} {
				h.press(tab)
				h.view()
				for i := 0; i < 10; i++ {
					n := h.m.list.Selected()
					h.press("enter")
					if title := h.line(0); !strings.HasPrefix(title, "工单 "+n+" · ") {
						t.Fatalf("ticket %s opened as %q", n, title)
					}
					h.press("pgdown", "pgdown")
					h.view()
					h.press("G")
					h.view()
					h.press("esc", "j")
				}
			}
		})
	}
}

// Every screen drawn with the real data at the three sizes, kept as golden
// files: the real texts' long lines, stray tabs and line breaks, long
// replies.
func TestRealDataGoldens(t *testing.T) {
	tickets := realTickets(t, 40)
	var open, done string
	for _, tk := range tickets {
		switch {
		case tk.State == complaint.Dispatched && open == "":
			open = tk.Number
		case tk.State == complaint.FedBack && done == "":
			done = tk.Number
		}
	}
	screens := []struct {
		name  string
		drive func(h *harness)
	}{
		{"list", func(h *harness) {}},
		{"list-done", func(h *harness) { h.press("3") }},
		{"detail", func(h *harness) { h.open(done) }},
		{"detail-end", func(h *harness) { h.open(done); h.press("G") }},
		{"form-return", func(h *harness) {
			h.open(open)
			h.press("t")
			g := cells.Graphemes(tickets[0].Content)
			h.typeText(strings.Join(g[:min(len(g), 40)], ""))
		}},
		{"print-preview", func(h *harness) { withFont(h); h.open(done); h.press("p") }},
		{"settings", settingsScreen(linkUp())},
		{"help", func(h *harness) { h.press("?") }},
		{"search", func(h *harness) { searchFor(h, "小区") }},
		{"directory", func(h *harness) { h.press("5") }},
		// The real messages are of November 2018 to April 2019: December
		// 2018 typed as the dates, and the year 2018 two years back.
		{"stats", func(h *harness) {
			h.m.ctx.Calendar = testCalendar(h.t)
			h.press("6", "4", "end")
			for range 30 {
				h.press("backspace")
			}
			h.typeText("2018-12-01 2018-12-31")
			h.press("enter")
		}},
		{"stats-oversight", func(h *harness) {
			h.m.ctx.Calendar = testCalendar(h.t)
			h.press("7", "3", "left", "left")
		}},
	}
	for _, sc := range screens {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s-%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				data := tickets
				if strings.HasPrefix(sc.name, "stats") {
					// The figures count the tickets by how they came.
					data = realImported(t, 40)
				}
				h := newHarness(t, sz.w, sz.h, data)
				sc.drive(h)
				golden(t, fmt.Sprintf("real-%s-%dx%d.golden", sc.name, sz.w, sz.h), h.view())
			})
		}
	}
}
