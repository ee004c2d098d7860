package client

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// fakePlatform is the smallest platform the client can talk to: a change
// feed with long-poll, and actions deduplicated by ID, checked against the
// base version and applied through the real state machine.
type fakePlatform struct {
	t        testing.TB
	srv      *httptest.Server
	token    string
	user     complaint.User
	pageSize int

	mu      sync.Mutex
	seq     int64
	tickets map[string]complaint.Ticket
	feed    []feedEntry
	changed chan struct{} // closed at every change, then replaced
	results map[string]api.ActionResult
	applied map[string]int // how many times each action ID changed a ticket
	calls   map[string]int // how many requests carried each action ID
	order   []string       // action IDs in the order they were applied
	cut     map[string]bool
	force   *forced // answer every action with this instead
	// failTicket answers actions on these tickets with this status.
	failTicket map[string]int
	waits      int // long-polls that waited for a change
	// oldFeed answers as a platform from before Changes.Remaining: it
	// never counts what is left.
	oldFeed bool
	asked   []string // the query of every feed request, in order
	// onAction runs as each action arrives, before it is looked at: what
	// else happens on the terminal meanwhile.
	onAction func(complaint.Action)
}

type feedEntry struct {
	seq     int64
	number  string
	removed bool
}

type forced struct {
	status int
	body   api.Error
}

func newFake(t testing.TB) *fakePlatform {
	f := &fakePlatform{
		t: t, token: "tok", pageSize: 3,
		user:    complaint.User{Login: "li", Name: "李𠮷", Unit: "U01", Roles: []complaint.Role{complaint.RoleDuty}},
		tickets: map[string]complaint.Ticket{}, changed: make(chan struct{}),
		results: map[string]api.ActionResult{}, applied: map[string]int{}, calls: map[string]int{}, cut: map[string]bool{},
		failTicket: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api.PathChanges, f.changes)
	mux.HandleFunc("POST "+api.PathActions, f.actions)
	f.srv = httptest.NewServer(f.auth(mux))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePlatform) api() *api.Client {
	return &api.Client{Base: f.srv.URL, HTTP: &http.Client{}, Token: f.token}
}

func (f *fakePlatform) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		tok := f.token
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+tok {
			writeJSON(w, http.StatusUnauthorized, api.Error{Code: api.CodeUnauthorized, Message: "请重新登录"})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// put adds or changes a ticket as the center or another officer would.
func (f *fakePlatform) put(t complaint.Ticket) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putLocked(t)
}

func (f *fakePlatform) putLocked(t complaint.Ticket) {
	f.seq++
	f.tickets[t.Number] = t
	f.feed = append(f.feed, feedEntry{seq: f.seq, number: t.Number})
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakePlatform) remove(number string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	delete(f.tickets, number)
	f.feed = append(f.feed, feedEntry{seq: f.seq, number: number, removed: true})
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakePlatform) ticket(number string) complaint.Ticket {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tickets[number]
}

func (f *fakePlatform) changes(w http.ResponseWriter, r *http.Request) {
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, api.Error{Code: api.CodeBadRequest, Message: "after 无效"})
		return
	}
	var wait time.Duration
	if v := r.URL.Query().Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil {
			writeJSON(w, http.StatusBadRequest, api.Error{Code: api.CodeBadRequest, Message: "wait 无效"})
			return
		}
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	count := r.URL.Query().Get("count") == "1"
	f.mu.Lock()
	f.asked = append(f.asked, r.URL.RawQuery)
	f.mu.Unlock()
	for {
		f.mu.Lock()
		page := f.pageLocked(after)
		if count && page.More && !f.oldFeed {
			page.Remaining = f.leftLocked(page.Cursor)
		}
		changed := f.changed
		if len(page.Tickets) > 0 || len(page.Removed) > 0 || wait == 0 {
			f.mu.Unlock()
			writeJSON(w, http.StatusOK, page)
			return
		}
		f.waits++
		f.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			wait = 0
		case <-r.Context().Done():
			return
		}
	}
}

// pageLocked is the next page after the cursor: each changed ticket once,
// whole and as it is now.
func (f *fakePlatform) pageLocked(after int64) api.Changes {
	page := api.Changes{Cursor: after, Tickets: []complaint.Ticket{}}
	seen := map[string]bool{}
	for _, e := range f.feed {
		if e.seq <= after || seen[e.number] {
			continue
		}
		if len(page.Tickets)+len(page.Removed) == f.pageSize {
			page.More = true
			break
		}
		seen[e.number] = true
		page.Cursor = e.seq
		if t, ok := f.tickets[e.number]; ok && !e.removed {
			page.Tickets = append(page.Tickets, t)
		} else {
			page.Removed = append(page.Removed, e.number)
		}
	}
	// A ticket changed again later in the feed is sent now in its latest
	// form, so the cursor may skip to the last entry of the tickets sent.
	if !page.More {
		page.Cursor = max(page.Cursor, f.lastSeqLocked(after))
	}
	return page
}

// leftLocked counts the tickets changed after the cursor.
func (f *fakePlatform) leftLocked(after int64) int {
	seen := map[string]bool{}
	for _, e := range f.feed {
		if e.seq > after {
			seen[e.number] = true
		}
	}
	return len(seen)
}

func (f *fakePlatform) lastSeqLocked(after int64) int64 {
	if len(f.feed) == 0 {
		return after
	}
	return max(after, f.feed[len(f.feed)-1].seq)
}

func (f *fakePlatform) actions(w http.ResponseWriter, r *http.Request) {
	var a complaint.Action
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		writeJSON(w, http.StatusBadRequest, api.Error{Code: api.CodeBadRequest, Message: "请求格式错误"})
		return
	}
	f.mu.Lock()
	hook := f.onAction
	f.mu.Unlock()
	if hook != nil {
		hook(a)
	}
	f.mu.Lock()
	f.calls[a.ID]++
	if f.force != nil {
		fc := *f.force
		f.mu.Unlock()
		writeJSON(w, fc.status, fc.body)
		return
	}
	if st, ok := f.failTicket[a.Ticket]; ok {
		f.mu.Unlock()
		writeJSON(w, st, api.Error{Code: api.CodeInternal, Message: "内部错误"})
		return
	}
	if res, ok := f.results[a.ID]; ok {
		f.mu.Unlock()
		res.Replayed = true
		writeJSON(w, http.StatusOK, res)
		return
	}
	t, ok := f.tickets[a.Ticket]
	if !ok {
		f.mu.Unlock()
		writeJSON(w, http.StatusNotFound, api.Error{Code: api.CodeNotFound, Message: "工单不存在"})
		return
	}
	if a.BaseVersion != t.Version {
		f.mu.Unlock()
		writeJSON(w, http.StatusConflict, api.Error{Code: api.CodeConflict, Message: "版本冲突", Ticket: &t})
		return
	}
	nt, _, err := complaint.Apply(t, f.user, a, time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC))
	if err != nil {
		f.mu.Unlock()
		writeJSON(w, http.StatusUnprocessableEntity, api.Error{Code: api.CodeRefused, Message: err.Error()})
		return
	}
	nt.Version++
	f.putLocked(nt)
	res := api.ActionResult{Ticket: nt}
	f.results[a.ID] = res
	f.applied[a.ID]++
	f.order = append(f.order, a.ID)
	cut := f.cut[a.ID]
	delete(f.cut, a.ID)
	f.mu.Unlock()
	if cut {
		// Applied and committed, but the answer never arrives.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			f.t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// with changes the fake's behaviour between requests.
func (f *fakePlatform) with(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// stats is a consistent copy of what the fake has seen.
type stats struct {
	applied, calls map[string]int
	order          []string
}

func (f *fakePlatform) stats() stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return stats{applied: maps.Clone(f.applied), calls: maps.Clone(f.calls), order: slices.Clone(f.order)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// dispatched is a new ticket as the center sends it.
func dispatched(n int) complaint.Ticket {
	at := time.Date(2024, 3, 15, 8, n, 0, 0, time.UTC)
	return complaint.Ticket{
		Number: fmt.Sprintf("202403150%03d", n), Title: fmt.Sprintf("小区物业费投诉 %d", n),
		Content: "来电人吉𠮷反映“公摊”费用不合理", Caller: "吉𠮷", ReceivedAt: at, DispatchedAt: at.Add(time.Minute),
		Unit: "U01", State: complaint.Dispatched, Version: 1, UpdatedAt: at.Add(time.Minute),
		Events: []complaint.Event{{ID: int64(n), Kind: complaint.KindDispatch, Actor: "center", At: at.Add(time.Minute), To: complaint.Dispatched}},
	}
}
