package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
	"hotline/store"
)

var testNow = time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)

func setup(t *testing.T) (*fakePlatform, *store.Store, *Client) {
	t.Helper()
	f := newFake(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := New(f.api(), st, Options{
		Wait: time.Minute, Now: func() time.Time { return testNow },
		RetryMin: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond,
	})
	return f, st, c
}

func numbers(ts []complaint.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return out
}

func TestSyncOnceThreePages(t *testing.T) {
	f, st, c := setup(t)
	ctx := context.Background()
	var want []string
	for i := 1; i <= 8; i++ {
		tk := dispatched(i)
		f.put(tk)
		want = append(want, tk.Number)
	}
	res, err := c.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w := (Result{Pages: 3, New: 8, Cursor: 8, NewNumbers: want}); !reflect.DeepEqual(res, w) {
		t.Errorf("SyncOnce = %+v, want %+v", res, w)
	}
	if cur, _ := st.Cursor(ctx); cur != 8 {
		t.Errorf("Cursor = %d, want 8", cur)
	}
	all, err := st.Tickets(ctx, store.Filter{Order: store.OrderNumber})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(numbers(all), want) {
		t.Errorf("cached = %v, want %v", numbers(all), want)
	}
	got, err := st.Ticket(ctx, want[2])
	if err != nil || !reflect.DeepEqual(got, f.ticket(want[2])) {
		t.Errorf("cached ticket = %+v, %v; want %+v", got, err, f.ticket(want[2]))
	}
	if v, _ := st.Get(ctx, store.KeyLastSync); v != "2024-03-15T10:00:00Z" {
		t.Errorf("last sync = %q", v)
	}

	// Nothing new: one empty page, nothing changed.
	res, err = c.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w := (Result{Pages: 1, Cursor: 8}); !reflect.DeepEqual(res, w) {
		t.Errorf("second SyncOnce = %+v, want %+v", res, w)
	}

	// An update and a removal.
	upd := f.ticket(want[0])
	upd.State, upd.Version = complaint.Signed, 2
	f.put(upd)
	f.remove(want[1])
	res, err = c.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w := (Result{Pages: 1, Updated: 1, Removed: 1, Cursor: 10}); !reflect.DeepEqual(res, w) {
		t.Errorf("third SyncOnce = %+v, want %+v", res, w)
	}
	if n, _ := st.Count(ctx, store.Filter{}); n != 7 {
		t.Errorf("cached count = %d, want 7", n)
	}
}

func TestSyncOnceUnauthorized(t *testing.T) {
	f, st, c := setup(t)
	f.put(dispatched(1))
	f.mu.Lock()
	f.token = "new"
	f.mu.Unlock()
	_, err := c.SyncOnce(context.Background())
	var se *api.StatusError
	if !errors.Is(err, ErrLoginRequired) || !errors.As(err, &se) || se.Status != 401 {
		t.Errorf("SyncOnce error = %v, want ErrLoginRequired wrapping a 401", err)
	}
	if cur, _ := st.Cursor(context.Background()); cur != 0 {
		t.Errorf("Cursor = %d, want 0", cur)
	}
}

// syncAll fills the cache from the fake.
func syncAll(t *testing.T, c *Client) {
	t.Helper()
	if _, err := c.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The connection dies after the platform applied the action and before the
// answer arrived: the item stays pending, goes again with the same ID, and
// the platform applies it once.
func TestFlushRetriesCutConnectionOnce(t *testing.T) {
	f, st, c := setup(t)
	ctx := context.Background()
	tk := dispatched(1)
	f.put(tk)
	syncAll(t, c)
	a, err := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: tk.Number, BaseVersion: 1, Text: "已签收"})
	if err != nil {
		t.Fatal(err)
	}
	f.with(func() { f.cut[a.ID] = true })

	res, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (FlushResult{Failed: 1}) {
		t.Errorf("first Flush = %+v, want 1 failed", res)
	}
	p, _ := st.Pending(ctx)
	if len(p) != 1 || p[0].ID != a.ID || p[0].Attempts != 1 || p[0].LastError == "" {
		t.Errorf("pending after cut = %+v", p)
	}

	res, err = c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (FlushResult{Sent: 1}) {
		t.Errorf("second Flush = %+v, want 1 sent", res)
	}
	if f.stats().applied[a.ID] != 1 || f.stats().calls[a.ID] != 2 {
		t.Errorf("platform applied %d times in %d calls, want 1 in 2", f.stats().applied[a.ID], f.stats().calls[a.ID])
	}
	got, _ := st.Ticket(ctx, tk.Number)
	if got.State != complaint.Signed || got.Version != 2 {
		t.Errorf("cached ticket = %s v%d, want signed v2", got.State, got.Version)
	}
	if n, _ := st.PendingCount(ctx); n != 0 {
		t.Errorf("PendingCount = %d, want 0", n)
	}
}

func TestFlushConflictKeepsText(t *testing.T) {
	f, st, c := setup(t)
	ctx := context.Background()
	tk := dispatched(1)
	tk.State = complaint.Signed
	f.put(tk)
	syncAll(t, c)
	// Someone else changes the ticket after this terminal saw it.
	other := tk
	other.Handler, other.Version = "zhao", 2
	f.put(other)

	reply := &complaint.Reply{Text: "经核实，“公摊”费用已退还吉𠮷。", Basis: "《物业管理条例》"}
	a, err := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: tk.Number, BaseVersion: 1, Reply: reply})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (FlushResult{Refused: 1}) {
		t.Errorf("Flush = %+v, want 1 refused", res)
	}
	items, _ := st.Outbox(ctx, tk.Number)
	if len(items) != 1 {
		t.Fatalf("outbox = %+v", items)
	}
	it := items[0]
	if it.ID != a.ID || it.Status != store.StatusRefused || it.LastError != "工单已被他人更新，请核对后重新提交" || !reflect.DeepEqual(it.Reply, reply) {
		t.Errorf("refused item = %+v", it)
	}
	got, _ := st.Ticket(ctx, tk.Number)
	if got.Version != 2 || got.Handler != "zhao" {
		t.Errorf("cached ticket = v%d handler %q, want the current v2 by zhao", got.Version, got.Handler)
	}

	// Fixed by the officer and resent on the current version: accepted.
	if err := st.Resend(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	if res, err := c.Flush(ctx); err != nil || res != (FlushResult{Sent: 1}) {
		t.Errorf("Flush after resend = %+v, %v; want 1 sent", res, err)
	}
	got, _ = st.Ticket(ctx, tk.Number)
	if got.State != complaint.Replied || got.Reply == nil || got.Reply.Text != reply.Text {
		t.Errorf("cached ticket after resend = %s %+v", got.State, got.Reply)
	}
}

func TestFlushAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		message   string
		wantRes   FlushResult
		wantErr   error
		wantState store.OutboxStatus
		wantText  string // LastError; "*" for any non-empty
	}{
		{"bad request", 400, "回复内容不能为空", FlushResult{Refused: 1}, nil, store.StatusRefused, "回复内容不能为空"},
		{"forbidden", 403, "当前用户无权执行“签收”", FlushResult{Refused: 1}, nil, store.StatusRefused, "当前用户无权执行“签收”"},
		{"not found", 404, "工单不存在", FlushResult{Refused: 1}, nil, store.StatusRefused, "工单不存在"},
		{"refused", 422, "工单状态为“已反馈”，不能签收", FlushResult{Refused: 1}, nil, store.StatusRefused, "工单状态为“已反馈”，不能签收"},
		{"refused without message", 413, "", FlushResult{Refused: 1}, nil, store.StatusRefused, "平台拒绝了此操作（HTTP 413），请核对后重新提交"},
		{"server error", 500, "内部错误", FlushResult{Failed: 1}, nil, store.StatusPending, "*"},
		{"unavailable", 503, "", FlushResult{Failed: 1}, nil, store.StatusPending, "*"},
		{"unauthorized", 401, "请重新登录", FlushResult{}, ErrLoginRequired, store.StatusPending, "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, st, c := setup(t)
			ctx := context.Background()
			f.put(dispatched(1))
			syncAll(t, c)
			a, err := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: dispatched(1).Number, BaseVersion: 1, Text: "签收说明"})
			if err != nil {
				t.Fatal(err)
			}
			f.with(func() { f.force = &forced{status: tt.status, body: api.Error{Code: "x", Message: tt.message}} })
			res, err := c.Flush(ctx)
			if res != tt.wantRes || !errors.Is(err, tt.wantErr) {
				t.Errorf("Flush = %+v, %v; want %+v, %v", res, err, tt.wantRes, tt.wantErr)
			}
			items, _ := st.Outbox(ctx, a.Ticket)
			it := items[0]
			if it.Status != tt.wantState || it.Text != "签收说明" {
				t.Errorf("item = %s %q, want %s with its text", it.Status, it.Text, tt.wantState)
			}
			if tt.wantText == "*" && it.LastError == "" || tt.wantText != "*" && it.LastError != tt.wantText {
				t.Errorf("LastError = %q, want %q", it.LastError, tt.wantText)
			}
		})
	}
}

// A reply queued behind a sign on the same ticket waits for it, and is
// rebased onto the version the sign produced.
func TestFlushOrderPerTicket(t *testing.T) {
	f, st, c := setup(t)
	ctx := context.Background()
	t1, t2 := dispatched(1), dispatched(2)
	f.put(t1)
	f.put(t2)
	syncAll(t, c)
	sign, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: t1.Number, BaseVersion: 1})
	reply, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: t1.Number, BaseVersion: 1,
		Reply: &complaint.Reply{Text: "已处理"}})
	other, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: t2.Number, BaseVersion: 1})

	f.with(func() { f.cut[sign.ID] = true })
	res, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The network failure stops the pass: nothing after the sign was tried.
	if res != (FlushResult{Failed: 1}) || f.stats().calls[reply.ID] != 0 || f.stats().calls[other.ID] != 0 {
		t.Errorf("first Flush = %+v, calls reply %d other %d; want 1 failed, none", res, f.stats().calls[reply.ID], f.stats().calls[other.ID])
	}

	res, err = c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (FlushResult{Sent: 3}) {
		t.Errorf("second Flush = %+v, want 3 sent", res)
	}
	if want := []string{sign.ID, reply.ID, other.ID}; !slices.Equal(f.stats().order, want) {
		t.Errorf("platform applied %v, want %v", f.stats().order, want)
	}
	got, _ := st.Ticket(ctx, t1.Number)
	if got.State != complaint.Replied || got.Version != 3 {
		t.Errorf("ticket 1 = %s v%d, want replied v3", got.State, got.Version)
	}
}

// A server error on one ticket holds back that ticket's later actions but
// not other tickets'.
func TestFlushServerErrorBlocksOnlyItsTicket(t *testing.T) {
	f, st, c := setup(t)
	ctx := context.Background()
	t1, t2 := dispatched(1), dispatched(2)
	f.put(t1)
	f.put(t2)
	syncAll(t, c)
	sign, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: t1.Number, BaseVersion: 1})
	reply, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: t1.Number, BaseVersion: 1,
		Reply: &complaint.Reply{Text: "已处理"}})
	other, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: t2.Number, BaseVersion: 1})
	f.with(func() { f.failTicket[t1.Number] = 500 })

	res, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (FlushResult{Sent: 1, Failed: 1}) {
		t.Errorf("first Flush = %+v, want 1 sent, 1 failed", res)
	}
	if calls := []int{f.stats().calls[sign.ID], f.stats().calls[reply.ID], f.stats().calls[other.ID]}; !slices.Equal(calls, []int{1, 0, 1}) {
		t.Errorf("calls (sign, reply, other) = %v, want [1 0 1]", calls)
	}

	f.with(func() { delete(f.failTicket, t1.Number) })
	if res, err := c.Flush(ctx); err != nil || res != (FlushResult{Sent: 2}) {
		t.Errorf("second Flush = %+v, %v; want 2 sent", res, err)
	}
	if want := []string{other.ID, sign.ID, reply.ID}; !slices.Equal(f.stats().order, want) {
		t.Errorf("platform applied %v, want %v", f.stats().order, want)
	}
}

// With nobody reading the events, the loops still run: Run never blocks on
// the channel.
func TestRunDoesNotBlockOnFullChannel(t *testing.T) {
	f, st, c := setup(t)
	for i := 1; i <= 3; i++ {
		f.put(dispatched(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event) // never read
	done := make(chan struct{})
	go func() { c.Run(ctx, events); close(done) }()
	defer func() { cancel(); <-done }()
	var ids []string
	for i := 1; i <= 3; i++ {
		a, err := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: dispatched(i).Number, BaseVersion: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
		c.Kick()
	}
	for {
		if n, _ := st.PendingCount(ctx); n == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !slices.Equal(f.stats().order, ids) {
		t.Errorf("platform applied %v, want %v", f.stats().order, ids)
	}
}

func waitFor(t *testing.T, ch <-chan Event, kind EventKind) Event {
	t.Helper()
	guard := time.NewTimer(20 * time.Second)
	defer guard.Stop()
	for {
		select {
		case ev := <-ch:
			if ev.Kind == kind {
				return ev
			}
		case <-guard.C:
			t.Fatalf("no %s event", kind)
		}
	}
}

func TestRunDeliversEvents(t *testing.T) {
	f, st, c := setup(t)
	f.put(dispatched(1))
	f.put(dispatched(2))
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event, 16)
	done := make(chan struct{})
	go func() { c.Run(ctx, events); close(done) }()
	defer func() { cancel(); <-done }()

	ev := waitFor(t, events, Synced)
	if want := []string{dispatched(1).Number, dispatched(2).Number}; ev.Result.New != 2 || !slices.Equal(ev.Result.NewNumbers, want) || !ev.Online || !ev.At.Equal(testNow) {
		t.Errorf("first Synced = %+v, want 2 new %v", ev, want)
	}

	// The long-poll (Wait is a minute) returns as soon as a ticket arrives.
	for {
		f.mu.Lock()
		w := f.waits
		f.mu.Unlock()
		if w > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	f.put(dispatched(3))
	for {
		ev = waitFor(t, events, Synced)
		if ev.Result.Changed() {
			break
		}
	}
	if want := []string{dispatched(3).Number}; !slices.Equal(ev.Result.NewNumbers, want) {
		t.Errorf("Synced after wake-up = %+v, want new %v", ev.Result, want)
	}

	a, err := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: dispatched(3).Number, BaseVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.Kick()
	ev = waitFor(t, events, Sent)
	if ev.Item == nil || ev.Item.ID != a.ID || ev.Item.Status != store.StatusSent {
		t.Errorf("Sent event = %+v", ev)
	}
	got, _ := st.Ticket(ctx, dispatched(3).Number)
	if got.State != complaint.Signed {
		t.Errorf("ticket after Sent event = %s, want signed", got.State)
	}
}

func TestQueueCoalescesAndCounts(t *testing.T) {
	synced := func(cursor int64, nums ...string) Event {
		return Event{Kind: Synced, Result: Result{Pages: 1, New: len(nums), Cursor: cursor, NewNumbers: nums}}
	}
	sent := func(id string) Event {
		return Event{Kind: Sent, Item: &store.OutboxItem{Action: complaint.Action{ID: id}}}
	}

	q := newQueue()
	q.push(synced(1, "A"))
	q.push(synced(2, "B"))
	q.push(sent("s1"))
	q.push(synced(3))
	ev, _ := q.pop()
	if w := (Result{Pages: 2, New: 2, Cursor: 2, NewNumbers: []string{"A", "B"}}); ev.Kind != Synced || !reflect.DeepEqual(ev.Result, w) {
		t.Errorf("first = %v %+v, want merged %+v", ev.Kind, ev.Result, w)
	}
	if ev, _ := q.pop(); ev.Kind != Sent {
		t.Errorf("second = %v, want sent", ev.Kind)
	}
	if ev, _ := q.pop(); ev.Kind != Synced || ev.Result.Cursor != 3 {
		t.Errorf("third = %v %+v, want synced up to 3", ev.Kind, ev.Result)
	}
	if _, ok := q.pop(); ok {
		t.Error("queue not empty")
	}

	// Overflow: the oldest go, counted; a dropped Synced's new tickets are
	// carried into the next Synced.
	q.push(synced(4, "C"))
	for i := range queueCap + 5 {
		q.push(sent(string(rune('a' + i%26))))
	}
	q.push(synced(5, "D"))
	ev, _ = q.pop()
	if ev.Kind != Sent || ev.Dropped != 7 {
		t.Errorf("head after overflow = %v dropped %d, want sent dropped 7", ev.Kind, ev.Dropped)
	}
	n := 1
	var last Event
	for {
		e, ok := q.pop()
		if !ok {
			break
		}
		n++
		last = e
	}
	if n != queueCap {
		t.Errorf("delivered %d, want %d", n, queueCap)
	}
	if w := (Result{Pages: 2, New: 2, Cursor: 5, NewNumbers: []string{"C", "D"}}); last.Kind != Synced || !reflect.DeepEqual(last.Result, w) || last.Dropped != 0 {
		t.Errorf("last = %v %+v dropped %d, want %+v", last.Kind, last.Result, last.Dropped, w)
	}
}

func TestRunLoginRequired(t *testing.T) {
	f, st, c := setup(t)
	f.put(dispatched(1))
	syncAll(t, c)
	a, err := st.Enqueue(context.Background(), complaint.Action{Kind: complaint.KindSign, Ticket: dispatched(1).Number, BaseVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.token = "rotated"
	f.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event, 16)
	done := make(chan struct{})
	go func() { c.Run(ctx, events); close(done) }()
	defer func() { cancel(); <-done }()
	for seen := map[bool]bool{}; !seen[true] || !seen[false]; {
		ev := waitFor(t, events, LoginRequired)
		if !errors.Is(ev.Err, ErrLoginRequired) || !ev.Online {
			t.Errorf("LoginRequired event = %+v", ev)
		}
		seen[ev.Item != nil] = true // one from the sender, one from sync
		if ev.Item != nil && ev.Item.ID != a.ID {
			t.Errorf("LoginRequired item = %s, want %s", ev.Item.ID, a.ID)
		}
	}
	// A new login, then Kick: the kept action goes out.
	f.mu.Lock()
	f.token = "tok"
	f.mu.Unlock()
	c.Kick()
	if ev := waitFor(t, events, Sent); ev.Item.ID != a.ID {
		t.Errorf("Sent %s, want %s", ev.Item.ID, a.ID)
	}
}

// The file of an attach action comes to be on the platform while the
// outbox is being sent (its hash read and found there, as for a copy of a
// file attached before): the action goes with the hash, not as it was when
// the pass began, without one.
func TestFlushSendsTheAttachAsItIsNow(t *testing.T) {
	f, st, c := setup(t)
	ctx := context.Background()
	t1, t2 := dispatched(1), dispatched(2)
	f.put(t1)
	f.put(t2)
	syncAll(t, c)
	sign, _ := st.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: t1.Number, BaseVersion: 1})
	photo := filepath.Join(t.TempDir(), "现场照片（1）.jpg")
	if err := os.WriteFile(photo, []byte("照片"), 0o600); err != nil {
		t.Fatal(err)
	}
	up, err := st.Attach(ctx, t2.Number, 1, complaint.PartTicket, photo)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("照片"))
	hash := hex.EncodeToString(sum[:])
	f.with(func() {
		f.onAction = func(a complaint.Action) {
			if a.ID != sign.ID {
				return
			}
			// The upload loop, meanwhile.
			if err := st.SetUploadHash(ctx, up.ID, hash); err != nil {
				t.Error(err)
			}
			if err := st.UploadDone(ctx, up.ID); err != nil {
				t.Error(err)
			}
		}
	})
	res, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (FlushResult{Sent: 2}) {
		t.Fatalf("Flush = %+v, want both sent", res)
	}
	got, _ := st.Ticket(ctx, t2.Number)
	if len(got.Attachments) != 1 || got.Attachments[0].SHA256 != hash || got.Attachments[0].Name != "现场照片（1）.jpg" {
		t.Errorf("ticket 2's attachments: %+v", got.Attachments)
	}
}
