package platform

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"testing"
	"time"

	"hotline/api"
	"hotline/platform/notify"
)

// TestDeliveryLogWindow: the log's window is of the time each notification
// was due to go, not of when it was planned; its edges hold as [from, to);
// the answer lists the newest 500, newest first, and counts every status
// over the whole window, which the terminal shows when the list is cut.
// Asked as older terminals ask, the answer is the bare list.
func TestDeliveryLogWindow(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	// As the terminal asks: the last seven days, to a minute ahead.
	from, to := clockAt.Add(-7*24*time.Hour), clockAt.Add(time.Minute)
	type row struct {
		key       string
		unit      string
		notBefore time.Time
		created   time.Time
		status    string
	}
	var rows []row
	// 843 due in the window, every ten minutes from from+10m, oldest
	// first: 362 dropped, then 335 queued, then 146 sent. Every third was
	// planned three days before it was due (a reminder), the first of
	// them before the window begins.
	for i := range 843 {
		nb := from.Add(time.Duration(i+1) * 10 * time.Minute)
		r := row{key: fmt.Sprintf("bulk%03d", i), unit: "U1", notBefore: nb, created: nb, status: notify.Sent}
		if i%3 == 0 {
			r.created = nb.Add(-72 * time.Hour)
		}
		switch {
		case i < 362:
			r.status = notify.Dropped
		case i < 362+335:
			r.status = notify.Queued
		}
		rows = append(rows, r)
	}
	rows = append(rows,
		// The edges of the window: due at from is in it, due at to is not.
		row{"first", "U1", from, from.Add(-48 * time.Hour), notify.Dropped},
		row{"last", "U1", to.Add(-time.Nanosecond), to.Add(-time.Hour), notify.Sent},
		row{"before", "U1", from.Add(-time.Nanosecond), from.Add(-time.Hour), notify.Sent},
		row{"at-to", "U1", to, clockAt, notify.Queued},
		// Planned in the window, due after it: a reminder to come.
		row{"ahead", "U1", clockAt.Add(2 * time.Hour), clockAt.Add(-time.Hour), notify.Queued},
		// Another unit's.
		row{"water", "U2", clockAt.Add(-time.Hour), clockAt.Add(-time.Hour), notify.Sent},
	)
	tx, err := e.db.sql.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ns := make([]notify.Notification, len(rows))
	for i, r := range rows {
		ns[i] = notify.Notification{Key: r.key, Event: "urge", Ticket: "2024031400001", Unit: r.unit, Login: "duty1", Name: "王值班",
			Phone: "13800000001", Channel: "sms", Text: "【12345】工单2024031400001被催办", NotBefore: r.notBefore, CreatedAt: r.created, Urgent: true}
	}
	if n, err := notify.Enqueue(ctx, tx, ns); err != nil || n != len(rows) {
		t.Fatalf("enqueue: %d, %v", n, err)
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET status = ? WHERE dedupe = ?`, r.status, r.key); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	log, err := e.client(t, "duty1").Deliveries(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[string]int{notify.Sent: 147, notify.Dropped: 363, notify.Queued: 335}
	if log.Total != 845 || !maps.Equal(log.Counts, wantCounts) || len(log.Deliveries) != 500 {
		t.Fatalf("total %d, counts %v, %d rows; want 845, %v, 500", log.Total, log.Counts, len(log.Deliveries), wantCounts)
	}
	// Newest first: the last moment of the window, then bulk 842 down to
	// bulk 344, the 500th.
	first, last := log.Deliveries[0], log.Deliveries[499]
	if !first.NotBefore.Equal(to.Add(-time.Nanosecond)) || first.Status != notify.Sent {
		t.Errorf("first row due %v (%s), want %v", first.NotBefore, first.Status, to.Add(-time.Nanosecond))
	}
	if want := from.Add(345 * 10 * time.Minute); !last.NotBefore.Equal(want) || last.Status != notify.Dropped {
		t.Errorf("500th row due %v (%s), want %v dropped", last.NotBefore, last.Status, want)
	}
	for i := 1; i < len(log.Deliveries); i++ {
		if !log.Deliveries[i].NotBefore.Before(log.Deliveries[i-1].NotBefore) {
			t.Fatalf("row %d due %v, not before row %d's %v", i, log.Deliveries[i].NotBefore, i-1, log.Deliveries[i-1].NotBefore)
		}
	}
	// The rows shown count otherwise: 18 dropped of the 363.
	shown := map[string]int{}
	for _, d := range log.Deliveries {
		shown[d.Status]++
	}
	if want := map[string]int{notify.Sent: 147, notify.Dropped: 18, notify.Queued: 335}; !maps.Equal(shown, want) {
		t.Errorf("rows shown count %v, want %v", shown, want)
	}

	// The oldest edge: a window of its first half hour lists the row due
	// at from and the two bulk rows before from+30m, the first of them
	// planned before the window began.
	early, err := e.client(t, "duty1").Deliveries(ctx, from, from.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range early.Deliveries {
		got = append(got, fmt.Sprintf("%s %s %v", d.NotBefore.In(shanghai).Format("01-02 15:04"), d.Status, d.CreatedAt.Before(from)))
	}
	want := []string{"03-08 09:20 dropped false", "03-08 09:10 dropped true", "03-08 09:00 dropped true"}
	if fmt.Sprint(got) != fmt.Sprint(want) || early.Total != 3 || !maps.Equal(early.Counts, map[string]int{notify.Dropped: 3}) {
		t.Errorf("first half hour: %q, total %d, counts %v; want %q, 3, dropped 3", got, early.Total, early.Counts, want)
	}

	// Asked without counts=1, as before: the same rows, the bare list.
	tok := e.login(t, "duty1", fromA)
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	var bare []api.Delivery
	if code, ae := e.do(t, "GET", api.PathDeliveries+"?"+q.Encode(), fromA, tok, nil, &bare); code != 200 {
		t.Fatalf("bare list: %d %+v", code, ae)
	}
	if len(bare) != 500 {
		t.Fatalf("bare list: %d rows, want 500", len(bare))
	}
	if bare[0].ID != first.ID || bare[499].ID != last.ID {
		t.Errorf("bare list: first %d, last %d; want %d, %d", bare[0].ID, bare[499].ID, first.ID, last.ID)
	}
}
