package tunnel

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.zx2c4.com/wireguard/conn"
)

// LinkState is the one-glance state of the path to the peers.
type LinkState int

const (
	// LinkIdle: nothing has been sent yet, or the last session expired
	// with nothing waiting; the next request starts a handshake.
	LinkIdle LinkState = iota
	// LinkConnecting: a handshake initiation is out, no answer yet.
	LinkConnecting
	// LinkUp: a handshake completed within the session lifetime.
	LinkUp
	// LinkRecovering: the path stopped answering; the device is
	// re-resolving the endpoint and starting fresh handshakes.
	LinkRecovering
	// LinkDown: fresh handshakes went unanswered; they are tried again
	// whenever something is waiting to be sent.
	LinkDown
)

var linkStateNames = [...]string{"idle", "connecting", "up", "recovering", "down"}

func (s LinkState) String() string {
	if int(s) < len(linkStateNames) {
		return linkStateNames[s]
	}
	return "unknown"
}

// ErrorKind says what went wrong on the path.
type ErrorKind int

const (
	// ErrResolve: the endpoint's host name did not resolve.
	ErrResolve ErrorKind = iota + 1
	// ErrSend: the system refused a UDP packet (no route, network down).
	ErrSend
	// ErrNoAnswer: the peer answered neither a probe nor a fresh handshake.
	ErrNoAnswer
	// ErrRequest: a request through the tunnel failed.
	ErrRequest
)

var errorKindNames = [...]string{"", "resolve", "send", "no-answer", "request"}

func (k ErrorKind) String() string {
	if k > 0 && int(k) < len(errorKindNames) {
		return errorKindNames[k]
	}
	return "unknown"
}

// LinkError is one recent fault on the path.
type LinkError struct {
	At   time.Time
	Kind ErrorKind
	Err  string // what the system or the library said, in English
}

// Link is what the device has seen of the path: the steps of the last
// handshake, the recovery state and the recent faults. On a terminal, with
// one peer, it is the path to the platform.
type Link struct {
	State LinkState
	// ResolvedAt is when the endpoint's host was last looked up (IP
	// endpoints count as resolved when set).
	ResolvedAt time.Time
	// InitiationAt is the last handshake initiation sent; Initiations
	// counts those sent since the last response.
	InitiationAt time.Time
	Initiations  int
	ResponseAt   time.Time // last handshake response received
	DataAt       time.Time // last transport message received, keepalives included
	// Relinks counts the times the device re-established a dead path;
	// RelinkedAt is the last one.
	Relinks    int
	RelinkedAt time.Time
	Errors     []LinkError // oldest first, at most maxLinkErrors
}

// maxLinkErrors bounds Link.Errors.
const maxLinkErrors = 8

// WireGuard message types (the first byte; the next three are zero).
const (
	msgInitiation = 1
	msgResponse   = 2
	msgTransport  = 4
)

// observer counts the WireGuard messages crossing the device's UDP socket,
// which is the only place the handshake steps can be seen from outside the
// library.
type observer struct {
	initiationAt atomic.Int64 // unix nanoseconds; 0: never
	initiations  atomic.Int64
	responseAt   atomic.Int64
	dataAt       atomic.Int64
	resolvedAt   atomic.Int64

	mu      sync.Mutex
	errors  []LinkError
	sendErr string // the last send error recorded, to record each kind once a second
}

func stamp(t time.Time) int64 { return t.UnixNano() }

func unstamp(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func msgType(p []byte) uint32 {
	if len(p) < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (o *observer) sent(bufs [][]byte, err error) {
	now := time.Now()
	for _, b := range bufs {
		if msgType(b) == msgInitiation {
			o.initiationAt.Store(stamp(now))
			o.initiations.Add(1)
		}
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		o.failSend(now, err)
	}
}

func (o *observer) received(p []byte) {
	switch msgType(p) {
	case msgResponse:
		o.responseAt.Store(stamp(time.Now()))
		o.initiations.Store(0)
	case msgTransport:
		o.dataAt.Store(stamp(time.Now()))
	}
}

// failSend records a send error, but the same one at most once a second:
// a dead network fails every packet.
func (o *observer) failSend(now time.Time, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	msg := err.Error()
	if n := len(o.errors); n > 0 && o.sendErr == msg && now.Sub(o.errors[n-1].At) < time.Second {
		return
	}
	o.sendErr = msg
	o.addLocked(LinkError{At: now, Kind: ErrSend, Err: msg})
}

func (o *observer) fail(kind ErrorKind, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.addLocked(LinkError{At: time.Now(), Kind: kind, Err: err.Error()})
}

func (o *observer) addLocked(e LinkError) {
	if len(o.errors) == maxLinkErrors {
		o.errors = append(o.errors[:0], o.errors[1:]...)
	}
	o.errors = append(o.errors, e)
}

func (o *observer) link() Link {
	o.mu.Lock()
	errs := append([]LinkError(nil), o.errors...)
	o.mu.Unlock()
	return Link{
		ResolvedAt:   unstamp(o.resolvedAt.Load()),
		InitiationAt: unstamp(o.initiationAt.Load()),
		Initiations:  int(o.initiations.Load()),
		ResponseAt:   unstamp(o.responseAt.Load()),
		DataAt:       unstamp(o.dataAt.Load()),
		Errors:       errs,
	}
}

// watchedBind is the device's UDP bind with an observer on every packet.
type watchedBind struct {
	conn.Bind
	obs *observer
}

func (b *watchedBind) Open(port uint16) ([]conn.ReceiveFunc, uint16, error) {
	fns, actual, err := b.Bind.Open(port)
	if err != nil {
		return nil, 0, err
	}
	for i, fn := range fns {
		fns[i] = func(packets [][]byte, sizes []int, eps []conn.Endpoint) (int, error) {
			n, err := fn(packets, sizes, eps)
			for j := range n {
				b.obs.received(packets[j][:sizes[j]])
			}
			return n, err
		}
	}
	return fns, actual, nil
}

func (b *watchedBind) Send(bufs [][]byte, ep conn.Endpoint) error {
	err := b.Bind.Send(bufs, ep)
	b.obs.sent(bufs, err)
	return err
}

// state works out the one-glance state from what was seen, when the
// watcher has no stronger word.
func (l Link) state(handshake time.Time, now time.Time) LinkState {
	switch {
	case !handshake.IsZero() && now.Sub(handshake) < rejectAfter:
		return LinkUp
	case l.Initiations > 0 && now.Sub(l.InitiationAt) < rejectAfter:
		return LinkConnecting
	default:
		return LinkIdle
	}
}

// rejectAfter is WireGuard's session lifetime (Reject-After-Time): a
// handshake older than this carries no traffic.
const rejectAfter = 180 * time.Second

// endpointAddr is the address a peer's endpoint resolved to, kept so that a
// failed re-resolution leaves the peer reachable at the old one.
type endpointAddr struct {
	addr netip.AddrPort
	at   time.Time
}
