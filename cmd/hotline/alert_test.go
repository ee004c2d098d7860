package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"testing"
	"time"

	"hotline/client"
	"hotline/complaint"
	"hotline/platform/notify"
	"hotline/platform/sample"
	"hotline/platform/sender"
	"hotline/store"
)

// alertOf matches the Alerted event carrying an alert for ticket number.
func alertOf(number string) func(client.Event) bool {
	return func(ev client.Event) bool {
		if ev.Kind != client.Alerted {
			return false
		}
		return slices.ContainsFunc(ev.Alerts, func(a storeAlert) bool { return a.Ticket == number })
	}
}

// TestDispatchAlertsTheDutyOfficer: the center dispatches a ticket and the
// duty officer's running terminal gets the alert through the tunnel, with
// the unit's text, and keeps it.
func TestDispatchAlertsTheDutyOfficer(t *testing.T) {
	o, _ := newOffice(t, 0)
	l := runLive(t, o.settings["duty"])
	tk := o.p.gen.Ticket(time.Now())
	if _, err := o.p.db.Dispatch(context.Background(), []storeTicket{tk}, "center"); err != nil {
		t.Fatal(err)
	}
	ev := l.await("the dispatch alert", 10*time.Second, alertOf(tk.Number))
	var got storeAlert
	for _, a := range ev.Alerts {
		if a.Ticket == tk.Number {
			got = a
		}
	}
	want := fmt.Sprintf("【12345】工单%s「%s」已派发给你单位，请在30分钟内签收并派发。", tk.Number, tk.Title)
	if got.Event != "dispatch" || got.Text != want || got.Urgent {
		t.Errorf("alert = %+v\nwant text %q", got, want)
	}
	kept, err := l.term.store.Alerts(context.Background(), 10)
	if err != nil || len(kept) != 1 || kept[0].Text != want || kept[0].Seen {
		t.Errorf("kept alerts = %+v, %v", kept, err)
	}
	// Another user of the unit who is not a duty officer gets nothing.
	other := runLive(t, o.settings["leader"])
	time.Sleep(500 * time.Millisecond)
	if n, _ := other.term.store.AlertCursor(context.Background()); n != 0 {
		t.Errorf("the reviewer's terminal got alerts up to %d for a dispatch", n)
	}
}

// BenchmarkDispatchToAlert is the time from the center's dispatch to the
// duty officer's terminal holding the alert, through the tunnel; it prints
// p50 and p99 over the rounds.
// Run: go test ./cmd/hotline -run '^$' -bench DispatchToAlert -benchtime 200x
func BenchmarkDispatchToAlert(b *testing.B) {
	p, err := startDemoPlatform(b.TempDir(), demoOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	term, _ := p.loggedInAs(b, "duty", "bench-alerts", "")
	defer term.close()
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan client.Event, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		term.client.Run(ctx, events)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var took []time.Duration
	for b.Loop() {
		tk := p.gen.Ticket(time.Now())
		start := time.Now()
		if _, err := p.db.Dispatch(ctx, []storeTicket{tk}, "center"); err != nil {
			b.Fatal(err)
		}
	wait:
		for {
			select {
			case ev := <-events:
				if alertOf(tk.Number)(ev) {
					took = append(took, time.Since(start))
					break wait
				}
			case <-time.After(10 * time.Second):
				b.Fatalf("no alert for %s within 10s", tk.Number)
			}
		}
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

type (
	storeAlert  = store.Alert
	storeTicket = complaint.Ticket
)

// TestDispatchPostsToTheUnitsGroup: with the unit's settings sending
// dispatches to its WeCom group too, the center's dispatch reaches a
// WeCom robot (a local server answering as WeCom documents) once, with the
// text and the duty officer's phone to @.
func TestDispatchPostsToTheUnitsGroup(t *testing.T) {
	got := make(chan []byte, 4)
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer robot.Close()
	p, err := startDemoPlatform(t.TempDir(), demoOptions{Senders: map[string]sender.Sender{
		"wecom": &sender.WeCom{Webhook: robot.URL + "/cgi-bin/webhook/send?key=test-key"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	off := notify.Span{From: "00:00", To: "00:00"}
	if err := p.db.SetNotify(context.Background(), sample.UnitCode, notify.Settings{Quiet: off, Groups: []string{"wecom"},
		Events: map[string]notify.Rule{"dispatch": {Channels: []string{"wecom"}}}}); err != nil {
		t.Fatal(err)
	}
	tk := p.gen.Ticket(time.Now())
	if _, err := p.db.Dispatch(context.Background(), []complaint.Ticket{tk}, "center"); err != nil {
		t.Fatal(err)
	}
	var body []byte
	select {
	case body = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the robot got nothing within 10s")
	}
	want := fmt.Sprintf(`{"msgtype":"text","text":{"content":"【12345】工单%s「%s」已派发给你单位，请在30分钟内签收并派发。","mentioned_mobile_list":["0000-95598-801"]}}`, tk.Number, tk.Title)
	if string(body) != want {
		t.Errorf("robot got\n%s\nwant\n%s", body, want)
	}
	select {
	case b := <-got:
		t.Errorf("a second message: %s", b)
	case <-time.After(2 * time.Second):
	}
}
