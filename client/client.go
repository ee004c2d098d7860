// Package client is the terminal's link to the platform: the sync loop that
// pulls the change feed into the store, and the sender that delivers the
// store's outbox. It reports what happened as Events for the UI to show; it
// never touches the screen, and the UI never waits on it.
package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"hotline/api"
	"hotline/store"
)

// ConflictReason is the refusal kept on an action whose ticket changed on the
// platform after the officer saw it.
const ConflictReason = "工单已被他人更新，请核对后重新提交"

// ErrLoginRequired is returned (wrapped) when the platform no longer accepts
// the session token.
var ErrLoginRequired = errors.New("not logged in, or the session expired: run `hotline login`")

// ErrRevoked is returned (wrapped) when the platform refuses this terminal
// itself: it was revoked, or never registered. Nothing will get through,
// so Run stops; the outbox keeps its items.
var ErrRevoked = errors.New("the platform refuses this terminal (revoked or not registered): ask its administrator (hotlined terminal list)")

// Options tune a Client. Zero values take the defaults.
type Options struct {
	Wait     time.Duration    // how long one long-poll of the feed may wait; default 25s
	Logger   *slog.Logger     // default: discard
	Now      func() time.Time // stamps events; default time.Now
	RetryMin time.Duration    // first wait after a failure; default 1s
	RetryMax time.Duration    // longest wait after failures; default 1m
	// OutboxPoll is how often an idle sender looks at the outbox, which
	// other processes on the same cache (the hotline subcommands) write to;
	// default 2s.
	OutboxPoll time.Duration
	// Timeout bounds each request beyond the long-poll wait, so that a
	// connection that silently died does not hold the loop; default 30s.
	Timeout time.Duration
	// UploadChunk is the most bytes one upload request carries; 64 MiB.
	UploadChunk int64
	// UploadStall gives up an upload request that moved no bytes for this
	// long (a cut tunnel), to go on over a new connection; default 15s.
	UploadStall time.Duration
}

// Client syncs one store with the platform.
type Client struct {
	api  *api.Client
	st   *store.Store
	opt  Options
	log  *slog.Logger
	kick chan struct{}
	wake chan struct{} // ends the sync loop's wait after a failure
	// sending serialises outbox flushes: two at once would send an item twice
	// (harmless, the platform dedupes, but pointless) and break the order.
	sending sync.Mutex
	// uploading serialises upload passes, for the same reasons.
	uploading sync.Mutex
	upWake    chan struct{}
	alertWake chan struct{}
}

// New makes a Client. The api.Client's http.Client must not time out before
// Options.Wait plus Options.Timeout, or every long-poll fails.
func New(a *api.Client, st *store.Store, opts Options) *Client {
	if opts.Wait <= 0 {
		opts.Wait = 25 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Minute
	}
	if opts.OutboxPoll <= 0 {
		opts.OutboxPoll = 2 * time.Second
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = opts.RetryMin
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.UploadChunk <= 0 {
		opts.UploadChunk = 64 << 20
	}
	if opts.UploadStall <= 0 {
		opts.UploadStall = 15 * time.Second
	}
	return &Client{api: a, st: st, opt: opts, log: opts.Logger, kick: make(chan struct{}, 1), wake: make(chan struct{}, 1), upWake: make(chan struct{}, 1), alertWake: make(chan struct{}, 1)}
}

// Result counts what one sync round (one or more feed pages) changed.
type Result struct {
	Pages, New, Updated, Removed int
	Cursor                       int64    // the cursor stored after the round
	NewNumbers                   []string // tickets not cached before, in feed order
}

func (r *Result) add(o Result) {
	r.Pages += o.Pages
	r.New += o.New
	r.Updated += o.Updated
	r.Removed += o.Removed
	if o.Cursor != 0 {
		r.Cursor = o.Cursor
	}
	r.NewNumbers = append(r.NewNumbers, o.NewNumbers...)
}

// Changed reports whether the round changed the cache.
func (r Result) Changed() bool { return r.New+r.Updated+r.Removed > 0 }

// Progress is how far a round of several feed pages has got: the first sync
// of an empty cache, or a terminal far behind. A round of one page (the
// usual case) reports none.
type Progress struct {
	Done  int  // tickets of the round stored so far, changed or removed
	Total int  // Done plus what the platform says is left; 0 when it did not say
	Pages int  // pages stored so far
	First bool // the cache was empty when the round began
	// Start is when the round began, by Options.Now: when its first page
	// was asked for, or, for a round that began with a long-poll, when
	// that answer came (the wait is not part of the work).
	Start time.Time
}

// SyncOnce pulls the feed without waiting, page after page until the
// platform has nothing more, storing each page with its cursor.
func (c *Client) SyncOnce(ctx context.Context) (Result, error) {
	return c.pull(ctx, 0, nil)
}

// SyncOnceProgress is SyncOnce calling report after each page stored in a
// round of several pages, with the time of the report (Options.Now).
func (c *Client) SyncOnceProgress(ctx context.Context, report func(Progress, time.Time)) (Result, error) {
	return c.pull(ctx, 0, report)
}

// pull runs one round: the first request may wait up to wait for a change,
// the following pages are fetched at once. On error it returns what the
// pages before the failure did; they are stored. report, when not nil, is
// called after each page of a round of several.
func (c *Client) pull(ctx context.Context, wait time.Duration, report func(Progress, time.Time)) (Result, error) {
	var res Result
	cur, err := c.st.Cursor(ctx)
	if err != nil {
		return res, err
	}
	res.Cursor = cur
	prog := Progress{First: cur == 0, Start: c.opt.Now()}
	for {
		rctx, cancel := context.WithTimeout(ctx, wait+c.opt.Timeout)
		var ch api.Changes
		if res.Pages == 0 {
			// How much is left is asked once a round: the platform
			// counts it with a second pass over its changes.
			ch, err = c.api.CountedChanges(rctx, cur, wait)
		} else {
			ch, err = c.api.Changes(rctx, cur, wait)
		}
		cancel()
		if err != nil {
			return res, fmt.Errorf("sync after %d: %w", cur, classify(err))
		}
		if res.Pages == 0 && wait > 0 {
			prog.Start = c.opt.Now()
		}
		res.Pages++
		if len(ch.Tickets) > 0 || len(ch.Removed) > 0 || ch.Cursor != cur {
			a, err := c.st.Apply(ctx, ch.Tickets, ch.Removed, ch.Cursor)
			if err != nil {
				return res, err
			}
			res.add(Result{New: a.New, Updated: a.Updated, Removed: a.Removed, Cursor: ch.Cursor, NewNumbers: a.NewNumbers})
		}
		if report != nil && (ch.More || res.Pages > 1) {
			prog.advance(ch)
			report(prog, c.opt.Now())
		}
		if !ch.More {
			break
		}
		if ch.Cursor <= cur {
			return res, fmt.Errorf("sync after %d: platform has more but the cursor did not advance (%d)", cur, ch.Cursor)
		}
		cur, wait = ch.Cursor, 0
	}
	if err := c.st.Set(ctx, store.KeyLastSync, c.opt.Now().UTC().Format(time.RFC3339)); err != nil {
		return res, err
	}
	return res, nil
}

// advance counts one more page in. The total comes from the first page;
// tickets changed while the round runs can push the count past it, and the
// last page settles it.
func (p *Progress) advance(ch api.Changes) {
	p.Pages++
	p.Done += len(ch.Tickets) + len(ch.Removed)
	switch {
	case !ch.More:
		p.Total = p.Done
	case p.Pages == 1 && ch.Remaining > 0:
		p.Total = p.Done + ch.Remaining
	case p.Total > 0:
		p.Total = max(p.Total, p.Done)
	}
}

// classify marks an expired session with ErrLoginRequired, keeping the
// platform's answer in the chain.
func classify(err error) error {
	var se *api.StatusError
	switch {
	case !errors.As(err, &se):
	case se.Status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", ErrLoginRequired, err)
	case se.Status == http.StatusForbidden && se.Err.Code == api.CodeTerminal:
		return fmt.Errorf("%w: %w", ErrRevoked, err)
	}
	return err
}

// answered reports whether err came from the platform itself rather than
// from failing to reach it.
func answered(err error) bool {
	var se *api.StatusError
	return errors.As(err, &se)
}

// Kick wakes the sender at once; call it after Enqueue, and after a new login.
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
	select {
	case c.upWake <- struct{}{}:
	default:
	}
}

// Resume ends the waits after failures of both loops: call it when the
// path to the platform is known to be back (the tunnel re-established it),
// so that sync and outbox retry now instead of after their backoff.
func (c *Client) Resume() {
	c.Kick()
	for _, ch := range []chan struct{}{c.wake, c.alertWake} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// backoff is the wait after the n-th failure in a row (n >= 1): doubling from
// RetryMin up to RetryMax, with jitter so that many terminals coming back
// after an outage do not hit the platform in step.
func (c *Client) backoff(n int) time.Duration {
	d := c.opt.RetryMin
	for i := 1; i < n && d < c.opt.RetryMax; i++ {
		d *= 2
	}
	d = min(d, c.opt.RetryMax)
	j := d/2 + rand.N(d/2+1)
	return max(j, c.opt.RetryMin)
}

// Run keeps the store in sync until ctx is done: a long-poll loop on the
// change feed and the outbox sender, each backing off on errors. Events go
// to events without ever blocking the loops; events may be nil. It returns
// early, after delivering a Revoked event, when the platform refuses this
// terminal.
func (c *Client) Run(ctx context.Context, events chan<- Event) {
	q := newQueue()
	over := make(chan struct{})
	var delivery sync.WaitGroup
	if events != nil {
		delivery.Go(func() { q.deliver(ctx, events, over) })
	}
	// Either loop that meets ErrRevoked stops both: nothing more gets through.
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	var loops sync.WaitGroup
	loops.Go(func() { c.syncLoop(lctx, q.push, stop) })
	loops.Go(func() { c.sendLoop(lctx, q.push, stop) })
	loops.Go(func() { c.uploadLoop(lctx, q.push, stop) })
	loops.Go(func() { c.alertLoop(lctx, q.push, stop) })
	loops.Wait()
	close(over)
	delivery.Wait()
}

func (c *Client) syncLoop(ctx context.Context, emit func(Event), stop func()) {
	fails := 0
	// The first pull does not wait, so the screen learns at once that the
	// link is up even when nothing has changed.
	wait := time.Duration(0)
	for ctx.Err() == nil {
		start := time.Now()
		res, err := c.pull(ctx, wait, func(p Progress, at time.Time) {
			emit(Event{Kind: SyncProgress, Progress: p, Online: true, At: at})
		})
		if ctx.Err() != nil {
			return
		}
		if res.Changed() {
			emit(Event{Kind: Synced, Result: res, Online: true, At: c.opt.Now()})
		}
		if err != nil {
			fails++
			kind := SyncFailed
			switch {
			case errors.Is(err, ErrLoginRequired):
				kind = LoginRequired
			case errors.Is(err, ErrRevoked):
				c.log.Error("sync stopped: the platform refuses this terminal", "err", err)
				emit(Event{Kind: Revoked, Err: err, Online: true, At: c.opt.Now()})
				stop()
				return
			}
			c.log.Warn("sync failed", "err", err, "failures", fails)
			emit(Event{Kind: kind, Err: err, Online: answered(err), At: c.opt.Now()})
			t := time.NewTimer(c.backoff(fails))
			select {
			case <-ctx.Done():
			case <-t.C:
			case <-c.wake:
			}
			t.Stop()
			continue
		}
		if fails > 0 {
			// Back online: the outbox need not wait out its own backoff.
			c.Kick()
		}
		fails = 0
		first := wait == 0
		wait = c.opt.Wait
		if !res.Changed() {
			emit(Event{Kind: Synced, Result: res, Online: true, At: c.opt.Now()})
			// A platform that answers an empty long-poll at once would
			// otherwise be polled in a tight loop.
			if !first && time.Since(start) < c.opt.RetryMin {
				sleep(ctx, c.opt.RetryMin)
			}
		}
	}
}

func (c *Client) sendLoop(ctx context.Context, emit func(Event), stop func()) {
	fails := 0
	for ctx.Err() == nil {
		res, err := c.flush(ctx, emit)
		if ctx.Err() != nil {
			return
		}
		wait := c.opt.OutboxPoll
		switch {
		case errors.Is(err, ErrRevoked):
			c.log.Error("outbox stopped: the platform refuses this terminal", "err", err)
			stop()
			return
		case errors.Is(err, ErrLoginRequired):
			// Nothing can be sent until a new login, which Kicks.
			fails = 0
			wait = c.opt.RetryMax
		case err != nil:
			fails++
			c.log.Error("outbox flush failed", "err", err)
			wait = c.backoff(fails)
		case res.Failed > 0:
			fails++
			wait = c.backoff(fails)
		default:
			fails = 0
		}
		if !pause(ctx, wait, c.kick) {
			return
		}
	}
}

// pause waits for wait to pass or wake to be signalled; false when ctx
// ended first.
func pause(ctx context.Context, wait time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
