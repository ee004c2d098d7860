package main

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"hotline/client"
	"hotline/tui"
)

// The first sync of the 2,816 real tickets through the tunnel, from the
// real platform in pages of 500: a report after each page, the total known
// from the first.
func TestFirstSyncProgressRealData(t *testing.T) {
	p := realPlatform(t, nil)
	term, _ := p.loggedIn(t, "duty-progress", "")
	defer term.close()
	var done, total []int
	first := true
	res, err := term.client.SyncOnceProgress(context.Background(), func(pr client.Progress, _ time.Time) {
		done, total = append(done, pr.Done), append(total, pr.Total)
		first = first && pr.First
	})
	if err != nil {
		t.Fatal(err)
	}
	if w := []int{500, 1000, 1500, 2000, 2500, 2816}; !reflect.DeepEqual(done, w) {
		t.Errorf("done %v, want %v", done, w)
	}
	if w := []int{2816, 2816, 2816, 2816, 2816, 2816}; !reflect.DeepEqual(total, w) || !first {
		t.Errorf("total %v (first %v), want %v, first", total, first, w)
	}
	if res.New != 2816 || res.Pages != 6 {
		t.Errorf("result %+v, want 2816 new in 6 pages", res)
	}
}

// The link's events become the screen's messages: a page of a long sync its
// progress, the end of the first sync no news of 2,816 tickets.
func TestLinkEventsToMessages(t *testing.T) {
	start := time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)
	at := start.Add(3 * time.Second)
	var l link
	got := l.apply(client.Event{Kind: client.SyncProgress, Online: true, At: at,
		Progress: client.Progress{Done: 1500, Total: 2816, Pages: 3, First: true, Start: start}})
	if want := (tui.SyncProgressMsg{Done: 1500, Total: 2816, First: true, Start: start, At: at}); got != want {
		t.Errorf("progress: %#v, want %#v", got, want)
	}
	if !l.online {
		t.Error("a page stored does not count as online")
	}
	got = l.apply(client.Event{Kind: client.Synced, Online: true, At: at,
		Result: client.Result{Pages: 6, New: 2816, Cursor: 2816, NewNumbers: []string{"2816 numbers"}}})
	if msg, ok := got.(tui.SyncedMsg); !ok || msg.New != nil || !msg.At.Equal(at) {
		t.Errorf("end of the first sync: %#v, want a SyncedMsg without news", got)
	}
	got = l.apply(client.Event{Kind: client.SyncFailed, Online: false, At: at, Err: errors.New("dial tcp: i/o timeout")})
	if msg, ok := got.(tui.LinkMsg); !ok || msg.Online || msg.Err != "dial tcp: i/o timeout" {
		t.Errorf("failure: %#v, want a LinkMsg offline (which ends the progress on the screen)", got)
	}
}
