package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform/sender"
)

// TestOutage runs 25 new tickets, one every 20 s, into a WeCom group robot
// (the real sender, against an httptest server) that answers HTTP 500 for
// five minutes and then refuses connections for five more. Each message is
// tried when made and again 30 s, 60 s, 120 s, 240 s, 480 s … after each
// failure; after the provider recovers at 10:10, each is delivered exactly
// once, and every failed attempt is in the deliveries.
func TestOutage(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0) // a Tuesday, a working day, no quiet hours
	clk := &clock{t: t0}
	outage500, refused := t0.Add(5*time.Minute), t0.Add(10*time.Minute)

	var mu sync.Mutex
	got := map[string]int{} // successful deliveries per ticket number
	var mentions []string   // as the robot saw them
	number := regexp.MustCompile(`工单(\d{13})`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if clk.Now().Before(outage500) {
			http.Error(w, "upstream down", http.StatusInternalServerError)
			return
		}
		var body struct {
			Msgtype string `json:"msgtype"`
			Text    struct {
				Content             string   `json:"content"`
				MentionedMobileList []string `json:"mentioned_mobile_list"`
			} `json:"text"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil || body.Msgtype != "text" || r.URL.Query().Get("key") != "k-secret-1" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		m := number.FindStringSubmatch(body.Text.Content)
		if m == nil {
			http.Error(w, "no ticket", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got[m[1]]++
		mentions = append(mentions, strings.Join(body.Text.MentionedMobileList, ","))
		mu.Unlock()
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()

	// From 10:05 to 10:10 every dial goes to a port nothing listens on.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()
	var dialer net.Dialer
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if now := clk.Now(); !now.Before(outage500) && now.Before(refused) {
				addr = deadAddr
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	robot := &sender.WeCom{Webhook: srv.URL + "/cgi-bin/webhook/send?key=k-secret-1", Client: client, Now: clk.Now}

	s := Settings{Events: map[string]Rule{"dispatch": {Channels: []string{"wecom"}}}}
	w := &world{t: t, db: db, clock: clk, cal: official(t), s: s, tickets: map[string]complaint.Ticket{}}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"wecom": robot}, Now: clk.Now, Current: w.current}

	var story []step
	var numbers []string
	for i := range 25 {
		n := fmt.Sprintf("20260602%05d", i+1)
		numbers = append(numbers, n)
		story = append(story, step{t0.Add(time.Duration(i) * 20 * time.Second), func() { w.dispatch(n, "停电") }})
	}
	// Tickets stay unsigned; their sign reminders fall due at 10:30 and
	// later, after the end.
	w.run(d, story, t0.Add(25*time.Minute))

	for _, n := range numbers {
		if got[n] != 1 {
			t.Errorf("ticket %s delivered %d times, want 1", n, got[n])
		}
	}
	if len(got) != 25 {
		t.Errorf("robot got %d tickets, want 25", len(got))
	}
	for i, m := range mentions {
		if m != "13800000001" { // duty1; duty2 has no phone
			t.Errorf("message %d mentions %q", i, m)
		}
	}

	// The attempts of each: made at 20 s × i, retried 30 s · 2^k after each
	// failure, until the first try at or after 10:10.
	for i, n := range numbers {
		var id int64
		var status string
		var attempts int
		if err := db.QueryRow(`SELECT id, status, attempts FROM notifications WHERE ticket = ? AND channel = 'wecom'`, n).Scan(&id, &status, &attempts); err != nil {
			t.Fatal(err)
		}
		var want []string
		at, wait := t0.Add(time.Duration(i)*20*time.Second), 30*time.Second
		for at.Before(refused) {
			want = append(want, at.Format("15:04:05")+" retry")
			at, wait = at.Add(wait), wait*2
		}
		want = append(want, at.Format("15:04:05")+" sent")
		var tries []string
		var errs []string
		rows, err := db.Query(`SELECT at, outcome, error FROM deliveries WHERE notification = ? ORDER BY id`, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var at time.Time
			var outcome, e string
			if err := rows.Scan(timeCol(&at), &outcome, &e); err != nil {
				t.Fatal(err)
			}
			tries = append(tries, at.In(complaint.China).Format("15:04:05")+" "+outcome)
			errs = append(errs, e)
		}
		rows.Close()
		if !slices.Equal(tries, want) {
			t.Errorf("ticket %s attempts %v, want %v", n, tries, want)
			continue
		}
		if status != Sent || attempts != len(want) {
			t.Errorf("ticket %s: %s after %d attempts, want sent after %d", n, status, attempts, len(want))
		}
		for j, e := range errs[:len(errs)-1] {
			at, _ := time.ParseInLocation("15:04:05", strings.Fields(tries[j])[0], complaint.China)
			inRefused := at.Hour()*60+at.Minute() >= 10*60+5
			switch {
			case inRefused && !strings.Contains(e, "connection refused"):
				t.Errorf("ticket %s attempt %d error %q, want connection refused", n, j+1, e)
			case !inRefused && !strings.Contains(e, "HTTP 500"):
				t.Errorf("ticket %s attempt %d error %q, want HTTP 500", n, j+1, e)
			}
			if strings.Contains(e, "k-secret-1") {
				t.Errorf("ticket %s attempt %d error shows the robot's key: %q", n, j+1, e)
			}
		}
	}
	// Worked by hand: the first is tried at 10:00:00, :30, 10:01:30,
	// 10:03:30 (HTTP 500), 10:07:30 (refused) and sent at 10:15:30, its
	// sixth try; the last, made at 10:08:00, fails then, at 10:08:30 and
	// 10:09:30, and is sent at 10:11:30.
	first, last := attemptTimes(t, db, numbers[0]), attemptTimes(t, db, numbers[24])
	if want := "10:00:00 10:00:30 10:01:30 10:03:30 10:07:30 10:15:30"; first != want {
		t.Errorf("first ticket tried at %s, want %s", first, want)
	}
	if want := "10:08:00 10:08:30 10:09:30 10:11:30"; last != want {
		t.Errorf("last ticket tried at %s, want %s", last, want)
	}
}

// attemptTimes lists when the group message of a ticket was tried.
func attemptTimes(t *testing.T, db *sql.DB, number string) string {
	t.Helper()
	rows, err := db.Query(`SELECT d.at FROM deliveries d JOIN notifications n ON n.id = d.notification
		WHERE n.ticket = ? AND n.channel = 'wecom' ORDER BY d.id`, number)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(timeCol(&at)); err != nil {
			t.Fatal(err)
		}
		out = append(out, at.In(complaint.China).Format("15:04:05"))
	}
	return strings.Join(out, " ")
}

// group makes n group messages for one channel, each of its own event.
func group(channel string, n int, at time.Time) []Notification {
	var ns []Notification
	for i := range n {
		ns = append(ns, Notification{Key: fmt.Sprintf("ev:%d", i+1), Event: "dispatch", Ticket: fmt.Sprintf("T%03d", i+1), Unit: "P1",
			Channel: channel, Text: fmt.Sprintf("工单T%03d", i+1), NotBefore: at, CreatedAt: at, Urgent: true})
	}
	return ns
}

// drive runs the dispatcher on the fake clock, jumping to each moment it
// has work, until nothing waits or the clock passes end.
func drive(t *testing.T, d *Dispatcher, clk *clock, end time.Time) {
	t.Helper()
	ctx := context.Background()
	stuck := 0
	for {
		sent, failed, err := d.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		next, err := d.NextAt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if next.IsZero() || next.After(end) {
			return
		}
		// Work due now is what PerChannel held back; a pass that moves
		// nothing and still has work now is a bug.
		if !next.After(clk.Now()) {
			if sent+failed == 0 {
				stuck++
			}
			if stuck > 2 {
				t.Fatalf("NextAt says now (%s) but passes do nothing", next)
			}
			continue
		}
		stuck = 0
		clk.Set(next)
	}
}

// TestRateLimit: 50 messages on a robot limited to 20 a minute with a burst
// of 5 go out 5 at once and then one every 3 s: the 50th at 2 min 15 s,
// none lost, none twice, never more than 24 in any 60 s.
func TestRateLimit(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	robot := &recorder{channel: "wecom", clock: clk}
	other := &recorder{channel: "dingtalk", clock: clk}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"wecom": robot, "dingtalk": other}, Now: clk.Now,
		Limits: map[string]Limit{"wecom": {PerMinute: 20, Burst: 5}}}
	enqueue(t, db, group("wecom", 50, t0))
	enqueue(t, db, group("dingtalk", 3, t0))
	drive(t, d, clk, t0.Add(time.Hour))

	got := robot.all()
	if len(got) != 50 {
		t.Fatalf("robot got %d messages, want 50", len(got))
	}
	ids := map[string]bool{}
	for i, s := range got {
		want := t0
		if i >= 5 {
			want = t0.Add(time.Duration(i-4) * 3 * time.Second)
		}
		if !s.At.Equal(want) {
			t.Errorf("message %d sent at +%s, want +%s", i+1, s.At.Sub(t0), want.Sub(t0))
		}
		if ids[s.Msg.ID] {
			t.Errorf("notification %s sent twice", s.Msg.ID)
		}
		ids[s.Msg.ID] = true
		n := 0
		for _, o := range got {
			if !o.At.Before(s.At) && o.At.Before(s.At.Add(time.Minute)) {
				n++
			}
		}
		if n > 24 {
			t.Errorf("%d messages in the minute from +%s", n, s.At.Sub(t0))
		}
	}
	if last := got[49].At.Sub(t0); last != 135*time.Second {
		t.Errorf("last message at +%s, want +2m15s", last)
	}
	// The limit is the robot's own: the other channel went at once.
	for _, s := range other.all() {
		if !s.At.Equal(t0) {
			t.Errorf("unlimited channel sent at +%s", s.At.Sub(t0))
		}
	}
	if n := len(other.all()); n != 3 {
		t.Errorf("unlimited channel sent %d, want 3", n)
	}
}

// blocker is a provider that hangs until released.
type blocker struct {
	entered chan string
	release chan struct{}
}

func (b *blocker) Channel() string { return "slow" }

func (b *blocker) Send(ctx context.Context, m sender.Message) error {
	b.entered <- m.ID
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notifier is a Sender that reports each message on a channel.
type notifier struct{ got chan sender.Message }

func (n *notifier) Channel() string { return "fast" }

func (n *notifier) Send(_ context.Context, m sender.Message) error {
	n.got <- m
	return nil
}

// TestSlowChannel: a provider that hangs holds up neither another channel
// nor an action's transaction, and its own channel has at most PerChannel
// sends under way.
func TestSlowChannel(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	slow := &blocker{entered: make(chan string, 10), release: make(chan struct{})}
	fast := &notifier{got: make(chan sender.Message, 10)}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"slow": slow, "fast": fast}, Now: clk.Now, PerChannel: 2}
	enqueue(t, db, group("slow", 3, t0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()

	// A guard, not a timing: the test fails instead of hanging.
	const guard = 20 * time.Second
	wait := func(what string, ch <-chan string) string {
		t.Helper()
		select {
		case v := <-ch:
			return v
		case <-time.After(guard):
			t.Fatalf("no %s within %s", what, guard)
		}
		return ""
	}
	wait("first slow send", slow.entered)
	wait("second slow send", slow.entered)

	// Both slow sends hang. An action enqueues a fast one and wakes the
	// dispatcher: the transaction commits and the message goes.
	ns := group("fast", 1, t0)
	ns[0].Key = "ev:fast"
	enqueue(t, db, ns)
	d.Wake()
	select {
	case m := <-fast.got:
		if m.Text != "工单T001" {
			t.Errorf("fast channel sent %q", m.Text)
		}
	case <-time.After(guard):
		t.Fatalf("fast channel sent nothing within %s while the slow one hangs", guard)
	}
	select {
	case id := <-slow.entered:
		t.Fatalf("a third slow send (%s) started while two hang; PerChannel is 2", id)
	default:
	}
	if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE channel = 'slow' AND status = 'sending'`); n != 2 {
		t.Errorf("%d slow rows claimed, want 2", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM notifications WHERE channel = 'slow' AND status = 'queued'`); n != 1 {
		t.Errorf("%d slow rows queued, want 1", n)
	}

	close(slow.release)
	wait("third slow send", slow.entered)
	for {
		// The third send completes on its own; wait for its record.
		if count(t, db, `SELECT COUNT(*) FROM notifications WHERE status = 'sent'`) == 4 {
			break
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case err := <-done:
			t.Fatalf("Run ended: %v", err)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

// TestDedupe: the same action planned and enqueued twice (a retry) stores
// one row per person and channel.
func TestDedupe(t *testing.T) {
	db := openDB(t)
	now := cst(2026, 6, 2, 10, 0)
	cal := official(t)
	s := Settings{Events: map[string]Rule{"urge": {Channels: []string{Terminal, "sms", "wecom"}}}}
	before := complaint.Ticket{Number: "T1", Title: "停电", Unit: "P1", Subunit: "P1-01", State: complaint.Assigned,
		DispatchedAt: now.Add(-time.Hour), Events: []complaint.Event{{Kind: complaint.KindAssign, At: now.Add(-time.Hour)}}}
	before.SetDue(complaint.Policy{}, cal)
	after, ev, err := complaint.Apply(before, user("s1"), complaint.Action{ID: "x", Kind: complaint.KindUrge, Ticket: "T1", Text: "尽快"}, now)
	if err != nil {
		t.Fatal(err)
	}
	ev.ID = 77
	after.SetDue(complaint.Policy{}, cal)
	var total int
	for range 2 {
		ns, _, err := Plan(context.Background(), before, after, ev, s, people, cal, now)
		if err != nil {
			t.Fatal(err)
		}
		total += enqueue(t, db, ns)
	}
	var got []string
	rows, err := db.Query(`SELECT dedupe, login, channel, COUNT(*) FROM notifications WHERE event = 'urge' GROUP BY 1, 2, 3 ORDER BY 3, 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key, login, channel string
		var n int
		if err := rows.Scan(&key, &login, &channel, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s ×%d", key, login, channel, n))
	}
	rows.Close()
	// Handlers h1 and h2 of P1-01 (no handler named), duty1 and duty2;
	// duty2 has no phone; the group gets one message.
	want := []string{
		"ev:77 h1 sms ×1", "ev:77 h2 sms ×1", "ev:77 duty1 sms ×1",
		"ev:77 duty1 terminal ×1", "ev:77 duty2 terminal ×1", "ev:77 h1 terminal ×1", "ev:77 h2 terminal ×1",
		"ev:77  wecom ×1",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reminders := count(t, db, `SELECT COUNT(*) FROM notifications WHERE event = 'deadline'`)
	if total != len(want)+reminders {
		t.Errorf("Enqueue added %d in all, want %d: the second time nothing", total, len(want)+reminders)
	}
}

// TestFailures: a permanent error fails at once; temporary ones fail after
// MaxAttempts; a provider's Retry-After beats the backoff.
func TestFailures(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	bad := &recorder{channel: "bad", clock: clk, fail: func(sender.Message) error {
		return &sender.Error{Channel: "bad", Code: "isv.MOBILE_NUMBER_ILLEGAL", Message: "invalid number"}
	}}
	busy := &recorder{channel: "busy", clock: clk, fail: func(sender.Message) error {
		return &sender.Error{Channel: "busy", Temporary: true, Status: 503, Message: "busy"}
	}}
	tries := 0
	later := &recorder{channel: "later", clock: clk, fail: func(sender.Message) error {
		tries++
		if tries == 1 {
			return &sender.Error{Channel: "later", Temporary: true, Status: 429, RetryAfter: 10 * time.Minute, Message: "slow down"}
		}
		return nil
	}}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"bad": bad, "busy": busy, "later": later}, Now: clk.Now, MaxAttempts: 3}
	enqueue(t, db, group("bad", 1, t0))
	enqueue(t, db, group("busy", 1, t0))
	enqueue(t, db, group("later", 1, t0))
	enqueue(t, db, group("nobody", 1, t0)) // a channel with no sender
	sent, failed, err := d.RunOnce(context.Background())
	if err != nil || sent != 0 || failed != 1 {
		t.Errorf("first pass: sent %d failed %d err %v, want 0, 1 (the permanent error)", sent, failed, err)
	}
	drive(t, d, clk, t0.Add(time.Hour))

	type res struct {
		status, lastErr string
		attempts        int
		times           []string
	}
	get := func(channel string) res {
		var r res
		var id int64
		if err := db.QueryRow(`SELECT id, status, last_error, attempts FROM notifications WHERE channel = ?`, channel).Scan(&id, &r.status, &r.lastErr, &r.attempts); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(`SELECT at, outcome FROM deliveries WHERE notification = ? ORDER BY id`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var at time.Time
			var o string
			rows.Scan(timeCol(&at), &o)
			r.times = append(r.times, fmt.Sprintf("+%s %s", at.Sub(t0), o))
		}
		return r
	}
	if r := get("bad"); r.status != Failed || r.attempts != 1 || r.lastErr != "bad: isv.MOBILE_NUMBER_ILLEGAL invalid number" ||
		!slices.Equal(r.times, []string{"+0s failed"}) {
		t.Errorf("permanent error: %+v", r)
	}
	if r := get("busy"); r.status != Failed || r.attempts != 3 || r.lastErr != "已尝试发送 3 次仍未成功，不再重试：busy: HTTP 503 busy" ||
		!slices.Equal(r.times, []string{"+0s retry", "+30s retry", "+1m30s failed"}) {
		t.Errorf("temporary errors: %+v", r)
	}
	if r := get("later"); r.status != Sent || r.attempts != 2 || !slices.Equal(r.times, []string{"+0s retry", "+10m0s sent"}) {
		t.Errorf("Retry-After: %+v", r)
	}
	if r := get("nobody"); r.status != Dropped || r.lastErr != "未配置发送渠道 nobody（channels.toml）" || !slices.Equal(r.times, []string{"+0s dropped"}) {
		t.Errorf("no sender: %+v", r)
	}
}

// TestLease: a row left 'sending' by a dispatcher that died is sent again
// when its claim runs out, once.
func TestLease(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	rec := &recorder{channel: "sms", clock: clk}
	enqueue(t, db, group("sms", 2, t0))
	// The dead dispatcher had claimed the first at 10:00 with a 5 min lease.
	if _, err := db.Exec(`UPDATE notifications SET status = 'sending', next_at = ? WHERE dedupe = 'ev:1'`, dbTime(t0.Add(5*time.Minute))); err != nil {
		t.Fatal(err)
	}
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": rec}, Now: clk.Now}
	drive(t, d, clk, t0.Add(time.Hour))
	var got []string
	for _, s := range rec.all() {
		got = append(got, fmt.Sprintf("%s +%s", s.Msg.Text, s.At.Sub(t0)))
	}
	if want := []string{"工单T002 +0s", "工单T001 +5m0s"}; !slices.Equal(got, want) {
		t.Errorf("sent %v, want %v", got, want)
	}
}

// TestRecover: at the start of the only dispatcher, rows a dead one left
// 'sending' go out at once.
func TestRecover(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 6, 2, 10, 0)
	clk := &clock{t: t0}
	rec := &recorder{channel: "sms", clock: clk}
	enqueue(t, db, group("sms", 2, t0))
	if _, err := db.Exec(`UPDATE notifications SET status = 'sending', next_at = ?`, dbTime(t0.Add(5*time.Minute))); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(time.Minute))
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": rec}, Now: clk.Now}
	if n, err := d.Recover(context.Background()); n != 2 || err != nil {
		t.Fatalf("Recover: %d, %v", n, err)
	}
	if sent, _, err := d.RunOnce(context.Background()); sent != 2 || err != nil {
		t.Errorf("RunOnce after Recover: sent %d, %v", sent, err)
	}
}
