package tunnel

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// ErrRelinked is the cause of a request cancelled because the device
// re-established a dead path under it: the connection it was on is gone, and
// the same request sent again goes through.
var ErrRelinked = errors.New("tunnel re-established; request cancelled, send it again")

// Timings of the watcher. WireGuard on its own notices a dead path only
// when 15 s of sent data go unanswered (Keepalive-Timeout + Rekey-Timeout)
// and then retries a handshake every 5 s; an idle session may take minutes.
// The watcher asks much sooner, with a ping through the tunnel, whenever a
// request waits.
const (
	watchTick = 100 * time.Millisecond
	// firstProbe is how long a request may wait with nothing heard from the
	// peer before the path is probed; each later probe of the same request
	// waits twice as long, up to maxProbe, so that a long poll costs a few
	// pings, not one a second.
	firstProbe = time.Second
	maxProbe   = 8 * time.Second
	// attemptEvery spaces fresh handshakes while the peer does not answer.
	attemptEvery = time.Second
	// resolveEvery spaces lookups of an endpoint's host while recovering.
	resolveEvery = 5 * time.Second
	// recoverFor is how long recovery goes on after the last request that
	// wanted the path; after that the device waits for the next one.
	recoverFor = 30 * time.Second
)

// watcher keeps the path alive for the requests of the device's HTTP
// client: it probes when they wait, and when the peer no longer answers it
// re-resolves the endpoints and re-initialises the peers, which makes
// WireGuard start a fresh handshake at once instead of 5 s later.
type watcher struct {
	d       *Device
	probe   netip.Addr
	timeout time.Duration
	onLink  func()
	wake    chan struct{}
	stop    context.CancelFunc
	done    chan struct{}

	mu         sync.Mutex
	flights    map[*flight]struct{}
	state      LinkState // only LinkRecovering, LinkDown or LinkIdle (no word)
	wantedAt   time.Time // last time a request wanted the path
	relinks    int
	relinkedAt time.Time
}

// flight is one request through the tunnel, from send until its body is
// closed.
type flight struct {
	start  time.Time
	next   time.Time // when to probe if nothing is heard
	step   time.Duration
	cancel context.CancelCauseFunc
}

func newWatcher(d *Device, probe netip.Addr, timeout time.Duration, onLink func()) *watcher {
	ctx, stop := context.WithCancel(context.Background())
	w := &watcher{
		d: d, probe: probe, timeout: timeout, onLink: onLink,
		wake: make(chan struct{}, 1), stop: stop, done: make(chan struct{}),
		flights: map[*flight]struct{}{},
	}
	go w.run(ctx)
	return w
}

func (w *watcher) close() {
	w.stop()
	<-w.done
}

func (w *watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) begin(cancel context.CancelCauseFunc) *flight {
	now := time.Now()
	f := &flight{start: now, next: now.Add(firstProbe), step: firstProbe, cancel: cancel}
	w.mu.Lock()
	w.flights[f] = struct{}{}
	w.wantedAt = now
	down := w.state == LinkDown
	w.mu.Unlock()
	if down {
		// The path was found dead: try a fresh handshake now rather than
		// let this request wait for a probe.
		w.poke()
	}
	return f
}

func (w *watcher) end(f *flight) {
	w.mu.Lock()
	delete(w.flights, f)
	w.mu.Unlock()
}

// failed is told of a request that failed for a reason other than its own
// context: the path is suspect at once.
func (w *watcher) failed(err error) {
	w.d.obs.fail(ErrRequest, err)
	w.mu.Lock()
	w.wantedAt = time.Now()
	w.mu.Unlock()
	w.poke()
}

func (w *watcher) run(ctx context.Context) {
	defer close(w.done)
	tick := time.NewTicker(watchTick)
	defer tick.Stop()
	for {
		forced := false
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
			forced = true
		case <-tick.C:
		}
		if !forced && !w.due(time.Now()) {
			continue
		}
		w.mu.Lock()
		down := w.state == LinkDown
		w.mu.Unlock()
		if down {
			// Known dead: a probe over the old session would only wait.
			w.recover(ctx)
			continue
		}
		if w.ping(ctx) == nil {
			w.setState(LinkIdle)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		w.recover(ctx)
	}
}

// due reports whether a waiting request calls for a probe: it has waited
// past its next probe time and nothing came from the peer meanwhile.
func (w *watcher) due(now time.Time) bool {
	heard := unstamp(w.d.obs.dataAt.Load())
	w.mu.Lock()
	defer w.mu.Unlock()
	due := false
	for f := range w.flights {
		if now.Before(f.next) {
			continue
		}
		if now.Sub(heard) < firstProbe {
			// The peer spoke within the last probe interval: alive.
			f.next = now.Add(f.step)
			continue
		}
		f.step = min(2*f.step, maxProbe)
		f.next = now.Add(f.step)
		due = true
	}
	return due
}

func (w *watcher) setState(s LinkState) {
	w.mu.Lock()
	w.state = s
	w.mu.Unlock()
}

// wanted reports whether a request still waits for the path, or one did
// lately.
func (w *watcher) wanted(now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.flights) > 0 || now.Sub(w.wantedAt) < recoverFor
}

// recover re-initialises the peers until a probe is answered, then cancels
// the requests stuck on the dead path so that their senders retry at once.
func (w *watcher) recover(ctx context.Context) {
	w.mu.Lock()
	was := w.state
	w.state = LinkRecovering
	w.mu.Unlock()
	if was != LinkDown {
		w.d.obs.fail(ErrNoAnswer, fmt.Errorf("no answer from %s through the tunnel in %s", w.probe, w.timeout))
	}
	var resolved time.Time
	for attempt := 1; ctx.Err() == nil; attempt++ {
		start := time.Now()
		reresolve := start.Sub(resolved) >= resolveEvery
		if reresolve {
			resolved = start
		}
		if err := w.d.reinitPeers(reresolve); err != nil {
			w.d.log.Warn("tunnel: re-initialise peers", "err", err)
		}
		err := w.ping(ctx)
		if err == nil {
			w.relinked(start)
			return
		}
		if ctx.Err() != nil {
			return
		}
		w.d.log.Info("tunnel: peer not answering", "attempt", attempt, "err", err)
		if attempt >= 2 {
			w.setState(LinkDown)
		}
		if !w.wanted(time.Now()) {
			w.setState(LinkDown)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(attemptEvery - min(time.Since(start), attemptEvery)):
		case <-w.wake:
		}
	}
}

func (w *watcher) relinked(at time.Time) {
	w.mu.Lock()
	w.state = LinkIdle
	w.relinks++
	w.relinkedAt = time.Now()
	var stuck []*flight
	for f := range w.flights {
		if f.start.Before(at) {
			stuck = append(stuck, f)
		}
	}
	w.mu.Unlock()
	for _, f := range stuck {
		f.cancel(ErrRelinked)
	}
	w.d.transport.CloseIdleConnections()
	w.d.log.Info("tunnel: path re-established", "cancelled", len(stuck))
	if w.onLink != nil {
		w.onLink()
	}
}

// ping sends one ICMP echo to the probe address through the tunnel and
// waits for its answer. The peer's own network stack answers, so an answer
// proves the whole path: UDP both ways, a live session and a running peer.
func (w *watcher) ping(ctx context.Context) error {
	return w.d.ping(ctx, w.probe, w.timeout)
}

func (d *Device) ping(ctx context.Context, to netip.Addr, timeout time.Duration) error {
	pc, err := d.net.DialPingAddr(netip.Addr{}, to)
	if err != nil {
		return fmt.Errorf("ping %s: %w", to, err)
	}
	defer pc.Close()
	payload := make([]byte, 16)
	rand.Read(payload)
	var typ icmp.Type = ipv4.ICMPTypeEcho
	proto := 1
	if to.Is6() {
		typ, proto = ipv6.ICMPTypeEchoRequest, 58
	}
	msg, err := (&icmp.Message{Type: typ, Body: &icmp.Echo{ID: 1, Seq: 1, Data: payload}}).Marshal(nil)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	pc.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { pc.SetReadDeadline(time.Now()) })
	defer stop()
	if _, err := pc.Write(msg); err != nil {
		return fmt.Errorf("ping %s: %w", to, err)
	}
	buf := make([]byte, 1500)
	for {
		n, err := pc.Read(buf)
		if err != nil {
			return fmt.Errorf("ping %s: no answer in %s", to, timeout)
		}
		m, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil {
			continue
		}
		if echo, ok := m.Body.(*icmp.Echo); ok && (m.Type == ipv4.ICMPTypeEchoReply || m.Type == ipv6.ICMPTypeEchoReply) && bytes.Equal(echo.Data, payload) {
			return nil
		}
	}
}

// watchedTransport is the device's HTTP transport seen by the watcher.
type watchedTransport struct {
	d *Device
}

func (t watchedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := t.d.watch
	if w == nil {
		return t.d.transport.RoundTrip(r)
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	f := w.begin(cancel)
	resp, err := t.d.transport.RoundTrip(r.WithContext(ctx))
	if err != nil {
		w.end(f)
		cause := context.Cause(ctx)
		cancel(nil)
		switch {
		case errors.Is(cause, ErrRelinked):
			return nil, fmt.Errorf("%w: %w", ErrRelinked, err)
		case r.Context().Err() == nil:
			w.failed(err)
		}
		return nil, err
	}
	resp.Body = &flightBody{ReadCloser: resp.Body, done: func() { w.end(f); cancel(nil) }}
	return resp, nil
}

// flightBody ends its request's flight when the body is closed or read to
// the end.
type flightBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *flightBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *flightBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
