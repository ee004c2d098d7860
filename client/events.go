package client

import (
	"context"
	"sync"
	"time"

	"hotline/store"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// Synced: a feed round succeeded. Result says what it changed (it may
	// be nothing: an empty long-poll still tells the UI the link is up).
	// Rounds the UI was too slow to take are merged into one.
	Synced EventKind = iota + 1
	// SyncFailed: a feed round failed; Err says why. It is retried with
	// backoff.
	SyncFailed
	// Sent: the platform applied Item; the store holds the answered ticket.
	Sent
	// Refused: the platform refused Item; Item.LastError is the reason to
	// show, and the item keeps its text to be fixed and resent.
	Refused
	// SendFailed: Item did not get through (Err); it stays pending and is
	// retried with the same ID.
	SendFailed
	// LoginRequired: the platform rejected the session token. Sync backs
	// off and the outbox waits until Kick is called after a new login.
	LoginRequired
	// Revoked: the platform refuses this terminal itself (revoked, or not
	// registered). Run stops syncing and sending; Err says why.
	Revoked
	// SyncProgress: a page of a round of several was stored (Progress);
	// the store already holds it. The round ends with Synced, or
	// SyncFailed. Reports the UI was too slow to take are merged into the
	// latest.
	SyncProgress
	// Uploading: a file is on its way (Upload says how far). Reports the
	// UI was too slow to take may be dropped; the store has the latest.
	Uploading
	// Uploaded: the platform holds the file; its attach action goes next.
	Uploaded
	// UploadFailed: the file cannot go (Err says why, in Chinese); its
	// attach action is refused with the same words.
	UploadFailed
	// Alerted: alerts for the user came (Alerts), kept in the store.
	Alerted
)

var kindNames = map[EventKind]string{
	Synced: "synced", SyncFailed: "sync-failed", Sent: "sent", Refused: "refused",
	SendFailed: "send-failed", LoginRequired: "login-required", Revoked: "revoked",
	SyncProgress: "sync-progress", Uploading: "uploading", Uploaded: "uploaded", UploadFailed: "upload-failed", Alerted: "alerted",
}

func (k EventKind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "unknown"
}

// Event is what Run reports to the UI.
type Event struct {
	Kind     EventKind
	Result   Result            // Synced
	Progress Progress          // SyncProgress
	Err      error             // SyncFailed, SendFailed, LoginRequired
	Online   bool              // the platform answered (even if with an error)
	At       time.Time         // when it happened, by Options.Now
	Item     *store.OutboxItem // Sent, Refused, SendFailed, and LoginRequired from the sender
	Upload   *UploadProgress   // Uploading, Uploaded, UploadFailed
	Alerts   []store.Alert     // Alerted
	// Dropped counts events lost just before this one because the
	// receiver fell behind; the UI should reload everything it shows.
	Dropped int
}

// queueCap bounds the events waiting for a slow receiver.
const queueCap = 64

// queue sits between the loops and the caller's channel: push never blocks,
// and a single goroutine delivers in order. Consecutive Synced events merge,
// and of consecutive SyncProgress events only the latest stays; past
// queueCap the oldest event is dropped and counted, and a dropped Synced's
// counts and new ticket numbers carry into the next Synced, so that no new
// ticket goes unannounced.
type queue struct {
	mu      sync.Mutex
	items   []Event
	dropped int
	carry   *Result
	wake    chan struct{}
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

func (q *queue) push(ev Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if ev.Kind == Synced {
		if q.carry != nil {
			r := *q.carry
			r.add(ev.Result)
			r.Cursor = ev.Result.Cursor
			ev.Result = r
			q.carry = nil
		}
		if n := len(q.items); n > 0 && q.items[n-1].Kind == Synced {
			last := &q.items[n-1]
			r := last.Result
			r.add(ev.Result)
			r.Cursor = ev.Result.Cursor
			ev.Result = r
			ev.Dropped = last.Dropped
			*last = ev
			return
		}
	}
	if n := len(q.items); ev.Kind == SyncProgress && n > 0 && q.items[n-1].Kind == SyncProgress {
		ev.Dropped = q.items[n-1].Dropped
		q.items[n-1] = ev
		return
	}
	q.items = append(q.items, ev)
	if len(q.items) > queueCap {
		old := q.items[0]
		q.items = q.items[1:]
		q.dropped++
		if old.Kind == Synced {
			q.keep(old.Result)
		}
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// keep folds a dropped Synced result into the next queued Synced, or into
// carry for the next one pushed.
func (q *queue) keep(r Result) {
	for i := range q.items {
		if q.items[i].Kind == Synced {
			merged := r
			merged.add(q.items[i].Result)
			merged.Cursor = q.items[i].Result.Cursor
			q.items[i].Result = merged
			return
		}
	}
	if q.carry == nil {
		q.carry = &Result{}
	}
	q.carry.add(r)
}

// pop takes the next event to deliver, with the count of events dropped
// before it.
func (q *queue) pop() (Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return Event{}, false
	}
	ev := q.items[0]
	q.items = q.items[1:]
	ev.Dropped += q.dropped
	q.dropped = 0
	return ev, true
}

// deliver sends the queued events to out until ctx is done, or until the
// loops have stopped (over closed) and everything is delivered.
func (q *queue) deliver(ctx context.Context, out chan<- Event, over <-chan struct{}) {
	for {
		ev, ok := q.pop()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-over:
				if ev, ok = q.pop(); !ok {
					return
				}
			case <-q.wake:
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case out <- ev:
		}
	}
}
