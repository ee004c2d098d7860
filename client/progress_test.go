package client

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"hotline/store"
)

// report is one call of a progress report.
type report struct {
	p  Progress
	at time.Time
}

// stepClock advances a second at every reading, so that each report's time
// says which reading it was.
func stepClock() func() time.Time {
	n := 0
	return func() time.Time {
		t := testNow.Add(time.Duration(n) * time.Second)
		n++
		return t
	}
}

func collect(t *testing.T, c *Client) ([]report, Result) {
	t.Helper()
	var got []report
	res, err := c.SyncOnceProgress(context.Background(), func(p Progress, at time.Time) {
		got = append(got, report{p, at})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, res
}

// The first sync of an empty cache from a platform holding 2,500 tickets in
// pages of 500: a report after every page, counts exact, the total known
// from the first page; only the first request asks for it.
func TestProgressFirstSync2500(t *testing.T) {
	f, st, c := setup(t)
	f.pageSize = 500
	for i := 1; i <= 2500; i++ {
		f.put(dispatched(i))
	}
	c.opt.Now = stepClock()
	got, res := collect(t, c)
	start := testNow // the first reading
	var want []report
	for i := 1; i <= 5; i++ {
		want = append(want, report{Progress{Done: 500 * i, Total: 2500, Pages: i, First: true, Start: start}, testNow.Add(time.Duration(i) * time.Second)})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reports:\n got %+v\nwant %+v", got, want)
	}
	if res.Pages != 5 || res.New != 2500 || res.Cursor != 2500 {
		t.Errorf("result: %d pages, %d new, cursor %d; want 5, 2500, 2500", res.Pages, res.New, res.Cursor)
	}
	if n, _ := st.Count(context.Background(), store.Filter{}); n != 2500 {
		t.Errorf("cached %d, want 2500", n)
	}
	f.mu.Lock()
	asked := slices.Clone(f.asked)
	f.mu.Unlock()
	if w := []string{"after=0&count=1", "after=500", "after=1000", "after=1500", "after=2000"}; !slices.Equal(asked, w) {
		t.Errorf("requests %q, want %q", asked, w)
	}

	// Caught up: a round of one page reports nothing, and the cache was
	// not empty any more.
	f.put(dispatched(2501))
	if got, _ := collect(t, c); len(got) != 0 {
		t.Errorf("one-page round reported %+v", got)
	}
	for i := 2502; i <= 2508; i++ {
		f.put(dispatched(i))
	}
	f.pageSize = 3
	got, _ = collect(t, c)
	if len(got) != 3 || got[0].p.First || got[0].p.Done != 3 || got[0].p.Total != 7 || got[2].p.Done != 7 || got[2].p.Total != 7 {
		t.Errorf("a terminal behind: %+v, want 3/7 … 7/7, not first", got)
	}
}

// A platform from before Remaining: the total is not known until the last
// page.
func TestProgressOldPlatform(t *testing.T) {
	f, _, c := setup(t)
	f.oldFeed = true
	for i := 1; i <= 8; i++ {
		f.put(dispatched(i))
	}
	got, _ := collect(t, c)
	var done, total []int
	for _, r := range got {
		done, total = append(done, r.p.Done), append(total, r.p.Total)
	}
	if !slices.Equal(done, []int{3, 6, 8}) || !slices.Equal(total, []int{0, 0, 8}) {
		t.Errorf("done %v total %v, want [3 6 8] [0 0 8]", done, total)
	}
}

// Tickets that arrive while the round runs push the total up as the count
// passes it; the last page settles it.
func TestProgressTicketsArriveMidRound(t *testing.T) {
	f, _, c := setup(t)
	for i := 1; i <= 8; i++ {
		f.put(dispatched(i))
	}
	var done, total []int
	_, err := c.SyncOnceProgress(context.Background(), func(p Progress, _ time.Time) {
		if p.Pages == 1 {
			f.put(dispatched(9))
			f.put(dispatched(10))
		}
		done, total = append(done, p.Done), append(total, p.Total)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(done, []int{3, 6, 9, 10}) || !slices.Equal(total, []int{8, 8, 9, 10}) {
		t.Errorf("done %v total %v, want [3 6 9 10] [8 8 9 10]", done, total)
	}
}

// Run reports the pages of a first sync before the Synced that ends it;
// the last report is complete.
func TestRunReportsProgress(t *testing.T) {
	f, _, c := setup(t)
	for i := 1; i <= 8; i++ {
		f.put(dispatched(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event, 64)
	done := make(chan struct{})
	go func() { c.Run(ctx, events); close(done) }()
	defer func() { cancel(); <-done }()
	var last *Progress
	guard := time.NewTimer(20 * time.Second)
	defer guard.Stop()
	for {
		var ev Event
		select {
		case ev = <-events:
		case <-guard.C:
			t.Fatal("no Synced event")
		}
		if ev.Kind == SyncProgress {
			p := ev.Progress
			last = &p
			continue
		}
		if ev.Kind != Synced {
			continue
		}
		if ev.Result.New != 8 {
			t.Fatalf("Synced %+v, want 8 new", ev.Result)
		}
		break
	}
	if w := (Progress{Done: 8, Total: 8, Pages: 3, First: true, Start: testNow}); last == nil || *last != w {
		t.Errorf("last progress %+v, want %+v", last, w)
	}
}

func TestQueueKeepsTheLatestProgress(t *testing.T) {
	progress := func(done int) Event { return Event{Kind: SyncProgress, Progress: Progress{Done: done, Total: 9}} }
	q := newQueue()
	q.push(progress(3))
	q.push(progress(6))
	q.push(Event{Kind: Synced, Result: Result{Pages: 3, New: 9, Cursor: 9}})
	q.push(progress(1))
	var got []string
	for {
		ev, ok := q.pop()
		if !ok {
			break
		}
		s := ev.Kind.String()
		if ev.Kind == SyncProgress {
			s += "@" + string(rune('0'+ev.Progress.Done))
		}
		got = append(got, s)
	}
	if w := []string{"sync-progress@6", "synced", "sync-progress@1"}; !slices.Equal(got, w) {
		t.Errorf("delivered %v, want %v", got, w)
	}
}
