package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/api"
	"hotline/client"
	"hotline/complaint"
	"hotline/platform"
	"hotline/store"
)

// live is a terminal whose link runs as it does under the full screen:
// the sync loop and the outbox sender, with their events collected.
type live struct {
	t      *testing.T
	term   *terminal
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	events []client.Event
}

func runLive(t *testing.T, settings string) *live {
	t.Helper()
	term, err := openTerminal(settings)
	if err != nil {
		t.Fatal(err)
	}
	if err := term.connect(); err != nil {
		term.close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &live{t: t, term: term, cancel: cancel, done: make(chan struct{})}
	ch := make(chan client.Event, 64)
	go func() {
		defer close(l.done)
		term.client.Run(ctx, ch)
	}()
	go func() {
		for {
			select {
			case ev := <-ch:
				l.mu.Lock()
				l.events = append(l.events, ev)
				l.mu.Unlock()
			case <-l.done:
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-l.done
		term.close()
	})
	l.await("the first sync", 10*time.Second, func(ev client.Event) bool { return ev.Kind == client.Synced })
	return l
}

// await waits for an event that matches and returns it.
func (l *live) await(what string, limit time.Duration, match func(client.Event) bool) client.Event {
	l.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		l.mu.Lock()
		i := slices.IndexFunc(l.events, match)
		var ev client.Event
		if i >= 0 {
			ev = l.events[i]
		}
		l.mu.Unlock()
		if i >= 0 {
			return ev
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("no %s within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func sentOf(number string) func(client.Event) bool {
	return func(ev client.Event) bool {
		return ev.Kind == client.Sent && ev.Item != nil && ev.Item.Ticket == number
	}
}

// sign queues the officer's signature of number and wakes the sender, as
// the screen does.
func (l *live) sign(number string) {
	l.t.Helper()
	if _, err := l.term.enqueue(context.Background(), complaint.Action{Kind: complaint.KindSign, Ticket: number}); err != nil {
		l.t.Fatal(err)
	}
	l.term.client.Kick()
}

// signCounts is how many sign events the platform holds for each number.
func signCounts(t *testing.T, p *demoPlatform, numbers ...string) []int {
	t.Helper()
	out := make([]int, len(numbers))
	for i, n := range numbers {
		tk, err := p.db.Ticket(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tk.Events {
			if e.Kind == complaint.KindSign {
				out[i]++
			}
		}
	}
	return out
}

// recoverAcrossRestart: with the terminal's link running, one action is
// sent, the platform stops, a second action is queued while it is down, the
// platform comes back on the same address and a third is queued the moment
// it is back. Both waiting actions must be sent within 3 s of its return,
// each applied exactly once.
func recoverAcrossRestart(t *testing.T, o *office, ts []complaint.Ticket, idle time.Duration) {
	l := runLive(t, o.settings["duty"])
	l.sign(ts[0].Number)
	l.await("the first sign sent", 10*time.Second, sentOf(ts[0].Number))
	if idle > 0 {
		// Past WireGuard's rekey time, with only the long polls going.
		time.Sleep(idle)
	}

	port := o.p.svc.Device.ListenPort()
	o.p.svc.Close()
	l.sign(ts[1].Number)
	time.Sleep(3 * time.Second)
	if st := stateWord(l.term.dev.Status()); st != "正在恢复" && st != "无法连接" {
		t.Errorf("tunnel state during the outage = %q, want 正在恢复 or 无法连接", st)
	}
	svc, err := platform.StartService(o.p.db, platform.ServiceConfig{
		Key: o.p.key, Network: o.p.network, ListenPort: port, MTU: 1420,
		Server: platform.Options{RequireTerminal: true}, PeerPoll: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	o.p.svc = svc
	back := time.Now()
	l.sign(ts[2].Number)

	for _, n := range []string{ts[1].Number, ts[2].Number} {
		ev := l.await("the sign of "+n+" sent", 10*time.Second, sentOf(n))
		if d := ev.At.Sub(back); d > 3*time.Second {
			t.Errorf("sign of %s sent %v after the platform was back; want within 3s", n, d.Round(time.Millisecond))
		} else {
			t.Logf("sign of %s sent %v after the platform was back", n, d.Round(time.Millisecond))
		}
	}
	if got := signCounts(t, o.p, ts[0].Number, ts[1].Number, ts[2].Number); !slices.Equal(got, []int{1, 1, 1}) {
		t.Errorf("sign events on the platform = %v, want [1 1 1]", got)
	}
	pending, err := l.term.store.Pending(context.Background())
	if err != nil || len(pending) != 0 {
		t.Errorf("outbox pending after recovery = %d items, %v; want none", len(pending), err)
	}
	for _, tk := range ts[:3] {
		out, err := l.term.store.Outbox(context.Background(), tk.Number)
		if err != nil || len(out) != 1 || out[0].Status != store.StatusSent {
			t.Errorf("outbox of %s = %+v, %v; want one sent item", tk.Number, out, err)
		}
	}
	if st := l.term.dev.Status(); st.Link.Relinks < 1 || stateWord(st) != "已连接" {
		t.Errorf("after recovery: relinks %d, state %q; want ≥1, 已连接", st.Link.Relinks, stateWord(st))
	}
}

func TestRecoveryAfterPlatformRestart(t *testing.T) {
	o, ts := newOffice(t, 3)
	recoverAcrossRestart(t, o, ts, 0)
}

// TestRecoveryAfterIdle is the same after 125 s of an idle link, past the
// 120 s after which WireGuard must make new session keys.
func TestRecoveryAfterIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 125 s; runs without -short")
	}
	t.Parallel()
	o, ts := newOffice(t, 3)
	recoverAcrossRestart(t, o, ts, 125*time.Second)
}

// TestRevokedTerminalStops: once revoked (as `hotlined terminal revoke`
// does, in the database of the running platform), the terminal's next
// request is refused at once, its sync stops by itself within the
// platform's peer poll, and the action it could not send stays in its
// outbox.
func TestRevokedTerminalStops(t *testing.T) {
	o, ts := newOffice(t, 2)
	l := runLive(t, o.settings["duty"])
	// The long poll is waiting on the platform now.
	time.Sleep(500 * time.Millisecond)
	if err := o.p.db.RevokeTerminal(context.Background(), "duty-term"); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()

	// The next request: refused at once, not timed out.
	_, err := l.term.api.Me(context.Background())
	if d := time.Since(revoked); err == nil || d > time.Second {
		t.Fatalf("request after revoke = %v after %v; want a refusal within 1s", err, d)
	}
	if !errorsIsRevoked(err) {
		t.Errorf("request after revoke: %v; want 403 %s", err, "terminal_refused")
	}

	ev := l.await("the revoked event", 5*time.Second, func(ev client.Event) bool { return ev.Kind == client.Revoked })
	t.Logf("sync told of the revoke %v after it: %v", ev.At.Sub(revoked).Round(time.Millisecond), ev.Err)
	select {
	case <-l.done:
	case <-time.After(2 * time.Second):
		t.Fatal("the link still runs 2s after the revoked event")
	}
	l.sign(ts[0].Number)
	pending, err := l.term.store.Pending(context.Background())
	if err != nil || len(pending) != 1 || pending[0].Ticket != ts[0].Number {
		t.Errorf("outbox after revoke = %+v, %v; want the one sign, pending", pending, err)
	}
	if got := signCounts(t, o.p, ts[0].Number); got[0] != 0 {
		t.Errorf("platform applied %d signs from a revoked terminal", got[0])
	}
}

func errorsIsRevoked(err error) bool {
	var se *api.StatusError
	return errors.As(err, &se) && se.Status == http.StatusForbidden && se.Err.Code == api.CodeTerminal
}

// TestTunnelCommand: `hotline tunnel` prints every step done against a
// running platform, and against a stopped one the step where it stops,
// with what to check.
func TestTunnelCommand(t *testing.T) {
	o, _ := newOffice(t, 1)
	out, err := o.as("duty", "tunnel")
	if err != nil {
		t.Fatalf("hotline tunnel: %v\n%s", err, out)
	}
	for _, want := range []string{"  ✓ resolve ", "  ✓ initiation sent ", "  ✓ response ", "  ✓ data ", "state        up (已连接); last handshake 0s ago;", "platform     http://10.77.0.1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	o.p.svc.Close()
	o.p.svc = nil
	out, err = o.as("duty", "tunnel")
	if err == nil || !strings.Contains(err.Error(), "no WireGuard handshake with 127.0.0.1:") {
		t.Fatalf("hotline tunnel with the platform down: %v\n%s", err, out)
	}
	for _, want := range []string{"  ✓ resolve ", "  ✓ initiation sent ", "  ✗ response         not yet\n", "  ✗ data             not yet\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output with the platform down lacks %q:\n%s", want, out)
		}
	}
}
