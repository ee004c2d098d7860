// Package tunnel owns WireGuard for the terminal and the platform: wg-quick
// files, keys, and a userspace device whose TCP/IP stack lives in the process
// (gVisor netstack), so no root, kernel interface or route is needed. It knows
// nothing of tickets; callers dial and listen through a Device.
package tunnel

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun/netstack"
)

// DefaultMTU is the MTU used when the config gives none, as wg-quick's usual
// choice for paths over IPv4 and IPv6.
const DefaultMTU = 1420

// resolveTimeout bounds the lookup of one peer endpoint's host name.
const resolveTimeout = 15 * time.Second

// Options tune Open.
type Options struct {
	// Logger receives wireguard's own logs (debug and error level). Nil
	// discards them; they never go to stdout or stderr, where a TUI draws.
	Logger *slog.Logger
	// Resolver looks endpoint host names up, outside the tunnel; nil is
	// the system's.
	Resolver *net.Resolver
	// Probe, when set, is an address inside the tunnel that answers ping
	// (the platform's). With it the device watches the requests of its
	// HTTPClient: when one waits and the peer is silent it pings, and when
	// the ping goes unanswered it re-resolves the endpoints and starts
	// fresh handshakes every second until the peer answers (see Link).
	// Without it the device recovers only as WireGuard does by itself.
	Probe netip.Addr
	// ProbeTimeout is how long a ping may take; default 1 s.
	ProbeTimeout time.Duration
	// OnRelink is called (from the watcher's goroutine; it must not block)
	// after a dead path was re-established. Requests stuck on it were
	// cancelled with ErrRelinked; callers that wait before retrying should
	// retry now.
	OnRelink func()
}

// Device is a running userspace WireGuard interface with its own TCP/IP
// stack. Its methods are safe for concurrent use.
type Device struct {
	dev       *device.Device
	net       *netstack.Net
	log       *slog.Logger
	public    Key
	addrs     []netip.Prefix
	port      int
	transport *http.Transport
	mtu       int
	obs       *observer
	watch     *watcher // nil without Options.Probe

	resolver *net.Resolver

	mu        sync.Mutex           // serializes peer changes
	peers     map[Key]Peer         // as configured, endpoints as written
	endpoints map[Key]endpointAddr // what each peer's endpoint resolved to
	once      sync.Once            // Close
}

// Status is a snapshot of the device and its peers.
type Status struct {
	PublicKey  Key
	ListenPort int
	Addresses  []netip.Prefix
	MTU        int
	Peers      []PeerStatus // ordered by public key
	Link       Link
}

// PeerStatus is what the device knows of one peer right now.
type PeerStatus struct {
	PublicKey Key
	// Endpoint is the address packets go to now (it follows a roaming peer);
	// empty until known.
	Endpoint string
	// Configured is the endpoint as the config writes it (host:port);
	// empty for a peer that reaches us first.
	Configured    string
	Keepalive     int       // PersistentKeepalive, seconds; 0: off
	LastHandshake time.Time // zero: never
	RxBytes       int64
	TxBytes       int64
	AllowedIPs    []netip.Prefix
}

// Open starts a device for cfg: it binds the UDP port, resolves peer
// endpoints (host names through the system resolver, IPv4 preferred) and
// brings the interface up. Name lookups inside the tunnel use cfg's DNS.
func Open(cfg *Config, opts Options) (*Device, error) {
	if cfg == nil {
		return nil, errors.New("open tunnel: nil config")
	}
	in := cfg.Interface
	if in.PrivateKey.IsZero() {
		return nil, errors.New("open tunnel: config has no PrivateKey")
	}
	if len(in.Addresses) == 0 {
		return nil, errors.New("open tunnel: config has no Address")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := &Device{
		log:       logger,
		public:    in.PrivateKey.Public(),
		addrs:     slices.Clone(in.Addresses),
		resolver:  cmp.Or(opts.Resolver, net.DefaultResolver),
		peers:     make(map[Key]Peer),
		endpoints: make(map[Key]endpointAddr),
		obs:       &observer{},
		mtu:       cmp.Or(in.MTU, DefaultMTU),
	}

	// Resolve before creating anything, so a bad endpoint leaves nothing
	// behind to close.
	var uapi strings.Builder
	fmt.Fprintf(&uapi, "private_key=%s\nlisten_port=%d\nreplace_peers=true\n", in.PrivateKey.Hex(), in.ListenPort)
	for _, p := range cfg.Peers {
		text, err := d.peerUAPI(p, true)
		if err != nil {
			return nil, fmt.Errorf("open tunnel: %w", err)
		}
		uapi.WriteString(text)
		d.peers[p.PublicKey] = p
	}

	local := make([]netip.Addr, len(in.Addresses))
	for i, a := range in.Addresses {
		local[i] = a.Addr()
	}
	tdev, tnet, err := netstack.CreateNetTUN(local, slices.Clone(in.DNS), d.mtu)
	if err != nil {
		return nil, fmt.Errorf("open tunnel: netstack: %w", err)
	}
	d.net = tnet
	d.dev = device.NewDevice(tdev, &watchedBind{Bind: conn.NewDefaultBind(), obs: d.obs}, wireguardLogger(logger))
	if err := d.dev.IpcSet(uapi.String()); err != nil {
		d.dev.Close()
		return nil, fmt.Errorf("open tunnel: configure: %w", err)
	}
	if err := d.dev.Up(); err != nil {
		d.dev.Close()
		return nil, fmt.Errorf("open tunnel: up: %w", err)
	}
	// With ListenPort 0 the bind picked a port only now; read it back.
	if st, err := d.ipcStatus(); err == nil {
		d.port = st.ListenPort
	}
	d.transport = &http.Transport{
		Proxy:                 nil, // a proxy from the environment is outside the tunnel
		DialContext:           d.dialWithTimeout,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Long enough for the change feed's long poll (wait=25s) and a slow
		// platform; bodies (attachments) are not limited by it.
		ResponseHeaderTimeout: 60 * time.Second,
	}
	if opts.Probe.IsValid() {
		d.watch = newWatcher(d, opts.Probe, cmp.Or(opts.ProbeTimeout, time.Second), opts.OnRelink)
	}
	return d, nil
}

func wireguardLogger(l *slog.Logger) *device.Logger {
	logf := func(level slog.Level) func(string, ...any) {
		return func(format string, args ...any) {
			ctx := context.Background()
			if l.Enabled(ctx, level) {
				l.Log(ctx, level, fmt.Sprintf(format, args...), "component", "wireguard")
			}
		}
	}
	return &device.Logger{Verbosef: logf(slog.LevelDebug), Errorf: logf(slog.LevelError)}
}

// lookup resolves an endpoint host outside the tunnel, preferring IPv4:
// many networks here have IPv6 addresses that do not route.
func (d *Device) lookup(ctx context.Context, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, nil
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("no address for %s", host)
	}
	return addrs[0], nil
}

// peerUAPI builds the UAPI lines that create or replace one peer. Its
// endpoint is resolved when resolve is set, or when it never was; when a
// new lookup fails the address it had is kept, and the failure recorded.
// The caller holds d.mu or owns d alone.
func (d *Device) peerUAPI(p Peer, resolve bool) (string, error) {
	if p.PublicKey.IsZero() {
		return "", errors.New("peer has no PublicKey")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "public_key=%s\n", p.PublicKey.Hex())
	// Written even when zero, so replacing a peer also drops an old key.
	fmt.Fprintf(&b, "preshared_key=%s\n", p.PresharedKey.Hex())
	if p.Endpoint != "" {
		host, port, err := splitEndpoint(p.Endpoint)
		if err != nil {
			return "", fmt.Errorf("peer %s: endpoint %w", p.PublicKey, err)
		}
		old, had := d.endpoints[p.PublicKey]
		if resolve || !had {
			ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
			addr, err := d.lookup(ctx, host)
			cancel()
			switch {
			case err == nil:
				old = endpointAddr{addr: netip.AddrPortFrom(addr, port), at: time.Now()}
				d.endpoints[p.PublicKey] = old
				d.obs.resolvedAt.Store(stamp(old.at))
			case !had:
				d.obs.fail(ErrResolve, err)
				return "", fmt.Errorf("peer %s: resolve endpoint %s: %w", p.PublicKey, p.Endpoint, err)
			default:
				d.obs.fail(ErrResolve, err)
				d.log.Warn("tunnel: endpoint lookup failed; keeping the old address", "endpoint", p.Endpoint, "address", old.addr, "err", err)
			}
		}
		fmt.Fprintf(&b, "endpoint=%s\n", old.addr)
	}
	if p.PersistentKeepalive < 0 || p.PersistentKeepalive > 65535 {
		return "", fmt.Errorf("peer %s: PersistentKeepalive %d out of range", p.PublicKey, p.PersistentKeepalive)
	}
	fmt.Fprintf(&b, "persistent_keepalive_interval=%d\n", p.PersistentKeepalive)
	b.WriteString("replace_allowed_ips=true\n")
	for _, pfx := range p.AllowedIPs {
		if !pfx.IsValid() {
			return "", fmt.Errorf("peer %s: invalid AllowedIPs entry", p.PublicKey)
		}
		fmt.Fprintf(&b, "allowed_ip=%s\n", pfx.Masked())
	}
	return b.String(), nil
}

// AddPeer adds a peer to the running device, or replaces the settings of the
// peer with that public key. Traffic to and from it flows at once.
func (d *Device) AddPeer(p Peer) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.endpoints, p.PublicKey)
	text, err := d.peerUAPI(p, true)
	if err != nil {
		return fmt.Errorf("add peer: %w", err)
	}
	if err := d.dev.IpcSet(text); err != nil {
		return fmt.Errorf("add peer %s: %w", p.PublicKey, err)
	}
	p.AllowedIPs = slices.Clone(p.AllowedIPs)
	d.peers[p.PublicKey] = p
	return nil
}

// RemovePeer removes a peer from the running device. Its sessions end at
// once: packets it still sends are dropped. A peer the device does not have
// gives an error wrapping fs.ErrNotExist.
func (d *Device) RemovePeer(pub Key) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dev.LookupPeer(device.NoisePublicKey(pub)) == nil {
		return fmt.Errorf("remove peer %s: %w", pub, fs.ErrNotExist)
	}
	if err := d.dev.IpcSet("public_key=" + pub.Hex() + "\nremove=true\n"); err != nil {
		return fmt.Errorf("remove peer %s: %w", pub, err)
	}
	delete(d.peers, pub)
	delete(d.endpoints, pub)
	return nil
}

// reinitPeers removes and adds again every peer that has an endpoint,
// looking its host up again when resolve is set. A new peer has no session
// and no memory of the last initiation, so the next packet to it starts a
// handshake at once; WireGuard alone would wait out its 5 s retry timer,
// and longer on a session it still believes in.
func (d *Device) reinitPeers(resolve bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var uapi strings.Builder
	for _, p := range d.peers {
		if p.Endpoint == "" {
			continue
		}
		text, err := d.peerUAPI(p, resolve)
		if err != nil {
			return err
		}
		fmt.Fprintf(&uapi, "public_key=%s\nremove=true\n", p.PublicKey.Hex())
		uapi.WriteString(text)
	}
	if uapi.Len() == 0 {
		return nil
	}
	return d.dev.IpcSet(uapi.String())
}

// DialContext connects to addr inside the tunnel. Host names are looked up
// with the DNS servers of the config, through the tunnel.
func (d *Device) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	return d.net.DialContext(ctx, network, addr)
}

// dialWithTimeout bounds a dial from the HTTP client: the first packet to a
// peer waits for a handshake, retried every 5 s, so give it a few tries.
func (d *Device) dialWithTimeout(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return d.DialContext(ctx, network, addr)
}

// HTTPClient returns a client whose connections go through the tunnel. All
// clients of one Device share its connection pool. It has no overall
// Timeout, so that long polls and large uploads work; bound each request with
// its context (or set Timeout on the returned copy).
func (d *Device) HTTPClient() *http.Client {
	return &http.Client{Transport: watchedTransport{d}}
}

// ListenTCP listens on port of the interface's first IPv4 address.
func (d *Device) ListenTCP(port int) (net.Listener, error) {
	for _, a := range d.addrs {
		if a.Addr().Is4() {
			if port < 0 || port > 65535 {
				return nil, fmt.Errorf("listen tunnel tcp: port %d out of range", port)
			}
			l, err := d.net.ListenTCPAddrPort(netip.AddrPortFrom(a.Addr(), uint16(port)))
			if err != nil {
				return nil, fmt.Errorf("listen tunnel tcp %s:%d: %w", a.Addr(), port, err)
			}
			return l, nil
		}
	}
	return nil, errors.New("listen tunnel tcp: the interface has no IPv4 address")
}

// ListenPort is the UDP port the device receives on (the one picked at random
// when the config gave 0).
func (d *Device) ListenPort() int { return d.port }

// Status reports the device and its peers as wireguard sees them now.
func (d *Device) Status() Status {
	st, err := d.ipcStatus()
	if err != nil {
		d.log.Warn("tunnel status", "err", err)
		st = Status{ListenPort: d.port}
	}
	st.PublicKey = d.public
	st.Addresses = slices.Clone(d.addrs)
	st.MTU = d.mtu
	st.Link = d.obs.link()
	var newest time.Time
	d.mu.Lock()
	for i := range st.Peers {
		p := &st.Peers[i]
		if cfg, ok := d.peers[p.PublicKey]; ok {
			p.Configured, p.Keepalive = cfg.Endpoint, cfg.PersistentKeepalive
		}
		if p.LastHandshake.After(newest) {
			newest = p.LastHandshake
		}
	}
	d.mu.Unlock()
	st.Link.State = st.Link.state(newest, time.Now())
	if w := d.watch; w != nil {
		w.mu.Lock()
		if w.state != LinkIdle {
			st.Link.State = w.state
		}
		st.Link.Relinks, st.Link.RelinkedAt = w.relinks, w.relinkedAt
		w.mu.Unlock()
	}
	return st
}

func (d *Device) ipcStatus() (Status, error) {
	text, err := d.dev.IpcGet()
	if err != nil {
		return Status{}, fmt.Errorf("ipc get: %w", err)
	}
	return parseIpcGet(text)
}

// parseIpcGet reads the UAPI "get" answer: device keys first, then one block
// per peer starting at public_key.
func parseIpcGet(text string) (Status, error) {
	var st Status
	var peer *PeerStatus
	var sec, nsec int64
	flush := func() {
		if peer != nil && (sec != 0 || nsec != 0) {
			peer.LastHandshake = time.Unix(sec, nsec)
		}
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		var err error
		switch k {
		case "listen_port":
			st.ListenPort, err = strconv.Atoi(v)
		case "public_key":
			flush()
			var pub Key
			if pub, err = parseHexKey(v); err == nil {
				st.Peers = append(st.Peers, PeerStatus{PublicKey: pub})
				peer = &st.Peers[len(st.Peers)-1]
				sec, nsec = 0, 0
			}
		}
		if peer != nil {
			switch k {
			case "endpoint":
				peer.Endpoint = v
			case "last_handshake_time_sec":
				sec, err = strconv.ParseInt(v, 10, 64)
			case "last_handshake_time_nsec":
				nsec, err = strconv.ParseInt(v, 10, 64)
			case "rx_bytes":
				peer.RxBytes, err = strconv.ParseInt(v, 10, 64)
			case "tx_bytes":
				peer.TxBytes, err = strconv.ParseInt(v, 10, 64)
			case "allowed_ip":
				var pfx netip.Prefix
				if pfx, err = netip.ParsePrefix(v); err == nil {
					peer.AllowedIPs = append(peer.AllowedIPs, pfx)
				}
			}
		}
		if err != nil {
			return Status{}, fmt.Errorf("ipc get: %s: %w", k, err)
		}
	}
	flush()
	slices.SortFunc(st.Peers, func(a, b PeerStatus) int { return bytes.Compare(a.PublicKey[:], b.PublicKey[:]) })
	return st, nil
}

// Close shuts the device down: the UDP socket, the stack and every
// connection through it.
func (d *Device) Close() error {
	d.once.Do(func() {
		if d.watch != nil {
			d.watch.close()
		}
		d.transport.CloseIdleConnections()
		d.dev.Close()
	})
	return nil
}
