package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/api"
	"hotline/client"
	"hotline/store"
	"hotline/tui"
	alertspage "hotline/tui/pages/alerts"
)

// The link's alerts become the screen's AlertMsg, as they are; an event
// without any, nothing.
func TestLinkAlertEvent(t *testing.T) {
	at := time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)
	as := []store.Alert{
		{ID: 7, Event: "dispatch", Ticket: "20240315001", Text: "【12345】工单20240315001已派发给你单位", At: at},
		{ID: 8, Event: "deadline", Stage: "due", Ticket: "20240314009", Text: "签收已到时限", At: at, Urgent: true},
	}
	var l link
	got := l.apply(client.Event{Kind: client.Alerted, Alerts: as, Online: true, At: at})
	if want := (tui.AlertMsg{Alerts: as}); !reflect.DeepEqual(got, want) {
		t.Errorf("alerts: %#v, want %#v", got, want)
	}
	if got := l.apply(client.Event{Kind: client.Alerted, Online: true, At: at}); got != nil {
		t.Errorf("no alerts: %#v, want nil", got)
	}
}

// The delivery log as the alerts page takes it: every field it shows, the
// rows dated by when they were due to go, the days asked for passed on and
// the platform's counts over the whole window reported to the page; from a
// platform that answers the bare list, as before, the counts are the
// rows'. The platform's refusal in its own Chinese words, no answer in
// Chinese too.
func TestDeliveriesFromThePlatform(t *testing.T) {
	from := time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	sent := api.Delivery{ID: 3, Event: "urge", Ticket: "20240314009", Unit: "PJGD", Login: "handler07", Name: "王𠮷芳",
		Channel: "sms", Text: "工单20240314009被催办", Urgent: true, Status: "failed", Attempts: 20,
		LastError: "号码无效", NotBefore: from.Add(3 * time.Hour), CreatedAt: from.Add(-time.Hour), SentAt: from.Add(4 * time.Hour)}
	refuse, old := false, false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != api.PathDeliveries || q.Get("from") != from.Format(time.RFC3339) ||
			q.Get("to") != to.Format(time.RFC3339) || q.Get("counts") != "1" {
			t.Errorf("asked %s", r.URL)
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case refuse:
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(api.Error{Code: api.CodeForbidden, Message: "当前用户无权查看通知发送记录"})
		case old:
			json.NewEncoder(w).Encode([]api.Delivery{sent})
		default:
			json.NewEncoder(w).Encode(api.DeliveryLog{Deliveries: []api.Delivery{sent}, Total: 845,
				Counts: map[string]int{"sent": 147, "dropped": 363, "queued": 334, "failed": 1}})
		}
	}))
	term := &terminal{api: &api.Client{Base: srv.URL}, log: slog.New(slog.DiscardHandler)}
	want := []tui.Delivery{{Ticket: "20240314009", Event: "urge", Channel: "sms", Login: "handler07", Name: "王𠮷芳",
		Text: "工单20240314009被催办", Urgent: true, Status: "failed", Attempts: 20, LastError: "号码无效",
		At: from.Add(3 * time.Hour), SentAt: from.Add(4 * time.Hour)}}
	for _, c := range []struct {
		name   string
		old    bool
		totals alertspage.Totals
	}{
		{"counted", false, alertspage.Totals{Total: 845, Counts: map[string]int{"sent": 147, "dropped": 363, "queued": 334, "failed": 1}}},
		{"older platform", true, alertspage.Totals{Total: 1, Counts: map[string]int{"failed": 1}}},
	} {
		old = c.old
		l, err := term.deliveries(context.Background(), from, to)
		got := l.Deliveries
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], want[0]) {
			t.Errorf("%s: deliveries = %#v, %v\nwant %#v", c.name, got, err, want)
		}
		if l.Totals == nil || !reflect.DeepEqual(*l.Totals, c.totals) {
			t.Errorf("%s: totals %+v, want %+v", c.name, l.Totals, c.totals)
		}
	}
	refuse = true
	if _, err := term.deliveries(context.Background(), from, to); err == nil || err.Error() != "当前用户无权查看通知发送记录" {
		t.Errorf("refused: %v", err)
	}
	srv.Close()
	if _, err := term.deliveries(context.Background(), from, to); err == nil || !strings.HasPrefix(err.Error(), "无法连接平台：") {
		t.Errorf("offline: %v", err)
	}
	if _, err := (&terminal{}).deliveries(context.Background(), from, to); err == nil || err.Error() != "未连接平台" {
		t.Errorf("no platform: %v", err)
	}
}

// Through the tunnel to the demo platform: the duty officer reads the
// unit's log, the center's dispatch in it as a terminal alert to them; a
// handler is refused in the platform's words.
func TestDeliveriesThroughTheTunnel(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	tk := p.gen.Ticket(time.Now())
	if _, err := p.db.Dispatch(context.Background(), []storeTicket{tk}, "center"); err != nil {
		t.Fatal(err)
	}
	duty, _ := p.loggedInAs(t, "duty", "duty-log", "")
	defer duty.close()
	now := time.Now()
	l, err := duty.deliveries(context.Background(), now.Add(-7*24*time.Hour), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ds, totals := l.Deliveries, l.Totals
	found := false
	counts := map[string]int{}
	for _, d := range ds {
		found = found || d.Ticket == tk.Number && d.Channel == "terminal" && d.Login == "duty" && d.Name == "李明"
		counts[d.Status]++
	}
	if !found {
		t.Errorf("no terminal alert to duty for %s in %+v", tk.Number, ds)
	}
	// The demo's log is short of the platform's 500: its counts are the
	// rows'.
	if len(ds) >= 500 || totals.Total != len(ds) || !maps.Equal(totals.Counts, counts) {
		t.Errorf("%d rows counting %v; the platform reported %d, %v", len(ds), counts, totals.Total, totals.Counts)
	}
	handler, _ := p.loggedInAs(t, "handler", "handler-log", "")
	defer handler.close()
	if _, err := handler.deliveries(context.Background(), now.Add(-7*24*time.Hour), now.Add(time.Minute)); err == nil ||
		err.Error() != "当前用户无权查看通知发送记录" {
		t.Errorf("handler: %v", err)
	}
}
