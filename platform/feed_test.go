package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"hotline/api"
	"hotline/complaint"
)

// The feed is gap-safe: a reader following the cursor while several writers
// commit never skips a change, so it ends holding the latest version of
// every ticket, and sees each ticket's versions in order.
func TestFeedGapSafe(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	const writers, perWriter = 4, 25
	duty := userDuty

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				tk := ticketN("U1", w*1000+i)
				if _, err := db.Dispatch(ctx, []complaint.Ticket{tk}, "center1"); err != nil {
					errs <- err
					return
				}
				a := complaint.Action{ID: newID(w*1000 + i + 1), Kind: complaint.KindSign, Ticket: tk.Number, BaseVersion: 1}
				if _, err := db.act(ctx, duty, a, clockAt); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var writing atomic.Bool
	writing.Store(true)
	go func() { wg.Wait(); writing.Store(false); close(errs) }()

	seen := map[string]int64{} // number → latest version read
	var cursor int64
	pages := 0
	for {
		stillWriting := writing.Load()
		ch, err := db.feed(ctx, userCenter, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(ch.Tickets) > 0 && ch.Cursor <= cursor {
			t.Fatalf("cursor went from %d to %d with %d tickets", cursor, ch.Cursor, len(ch.Tickets))
		}
		for _, tk := range ch.Tickets {
			if tk.Version < seen[tk.Number] {
				t.Errorf("%s: version %d after %d", tk.Number, tk.Version, seen[tk.Number])
			}
			seen[tk.Number] = tk.Version
		}
		cursor = ch.Cursor
		if !stillWriting && !ch.More {
			break
		}
	}
	for err := range errs {
		t.Fatal(err)
	}
	var maxSeq int64
	if err := db.sql.QueryRow(`SELECT MAX(seq) FROM changes`).Scan(&maxSeq); err != nil {
		t.Fatal(err)
	}
	if cursor != maxSeq || maxSeq != 2*writers*perWriter {
		t.Errorf("final cursor %d, last seq %d; want both %d", cursor, maxSeq, 2*writers*perWriter)
	}
	if len(seen) != writers*perWriter {
		t.Errorf("reader saw %d tickets, want %d", len(seen), writers*perWriter)
	}
	for n, v := range seen {
		if v != 2 {
			t.Errorf("%s: last version read %d, want 2", n, v)
		}
	}
	t.Logf("%d pages read while writing", pages)
}

func BenchmarkDispatch(b *testing.B) {
	ts := ticketsFor("U1", 1, 2816)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := openFixture(b)
		b.StartTimer()
		sum, err := db.Dispatch(ctx, ts, "center1")
		if err != nil || sum.Added != 2816 {
			b.Fatal(sum, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkFeed reads the whole feed of a unit holding 2,816 tickets, as a
// terminal does on its first start: every page, through the handler, JSON
// included.
func BenchmarkFeed(b *testing.B) {
	e := newEnv(b, Options{})
	mustDispatch(b, e.db, ticketsFor("U1", 1, 2816))
	token := e.login(b, "duty1", fromA)
	for b.Loop() {
		var cursor int64
		n := 0
		for {
			req := httptest.NewRequest("GET", fmt.Sprintf("%s?after=%d", api.PathChanges, cursor), nil)
			req.RemoteAddr = fromA
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			var ch api.Changes
			if err := json.Unmarshal(rec.Body.Bytes(), &ch); err != nil || rec.Code != 200 {
				b.Fatal(rec.Code, err)
			}
			n += len(ch.Tickets)
			cursor = ch.Cursor
			if !ch.More {
				break
			}
		}
		if n != 2816 {
			b.Fatalf("read %d tickets, want 2816", n)
		}
	}
}
