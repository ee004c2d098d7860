package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"hotline/complaint"
	"hotline/platform/notify"
	"hotline/platform/sender"
	"hotline/tunnel"
)

// ServiceConfig is what a running platform needs beyond its database: its
// tunnel identity and where it listens.
type ServiceConfig struct {
	Key        tunnel.Key   // the platform's WireGuard private key
	Network    netip.Prefix // the tunnel range; the platform has its first host address
	ListenPort int          // UDP; 0 picks a free one (tests, demo)
	MTU        int
	APIPort    int // TCP inside the tunnel; default 80
	Logger     *slog.Logger
	Server     Options
	// Wrap, when set, wraps the API handler; tests use it to cut the tunnel
	// between the platform's work and its answer.
	Wrap func(http.Handler) http.Handler
	// PeerPoll is how often the terminals table is read for added and revoked
	// terminals, so that `hotlined terminal add|revoke` reach a running platform.
	PeerPoll time.Duration
	// Plain, when set (host:port, e.g. "10.20.0.1:8080"), also serves the
	// API over plain TCP there, for site terminals whose site's gateway
	// (its own kernel WireGuard, say) carries their traffic. A request is
	// still known by its source address alone, so the gateway must route,
	// not NAT: behind NAT every terminal would have the gateway's address.
	// It needs Server.RequireTerminal.
	Plain string
	// Senders deliver notifications by channel name ("sms", "wecom",
	// "wecom@U01" for one unit's own group, …) and Limits bound their
	// rate; a channel without a sender has its notifications dropped with
	// the reason in the delivery log. In-terminal alerts need none.
	Senders map[string]sender.Sender
	Limits  map[string]notify.Limit
}

// Service is a running platform: the API served inside its own userspace
// WireGuard device, with one peer per registered terminal.
type Service struct {
	DB     *DB
	Device *tunnel.Device
	Server *Server
	cfg    ServiceConfig
	http   *http.Server
	ln     net.Listener
	stop   context.CancelFunc
	done   chan struct{}

	// plain serves the API over plain TCP when cfg.Plain is set.
	plain     net.Listener
	plainHTTP *http.Server

	// Notify sends the notifications the platform's changes plan.
	Notify   *notify.Dispatcher
	notified chan struct{}
	expired  chan struct{} // closed when expireUploads has ended

	mu    sync.Mutex
	peers map[string]bool // public keys on the device
	// leaving holds the revoked terminals still on the device for one more
	// round, so that the refusal of their waiting long-polls reaches them.
	leaving map[string]bool
}

// Address is the platform's address inside the tunnel range.
func Address(network netip.Prefix) netip.Addr { return network.Masked().Addr().Next() }

// StartService brings the tunnel up, adds every live terminal as a peer and
// serves the API inside the tunnel, and with cfg.Plain over plain TCP too,
// until Close.
func StartService(db *DB, cfg ServiceConfig) (*Service, error) {
	if cfg.APIPort == 0 {
		cfg.APIPort = 80
	}
	if cfg.PeerPoll == 0 {
		cfg.PeerPoll = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if !cfg.Network.IsValid() {
		return nil, errors.New("platform: tunnel network is not set")
	}
	if cfg.Plain != "" && !cfg.Server.RequireTerminal {
		// Without it a plain listener would take anyone who reaches it.
		return nil, errors.New("platform: serving plain TCP needs RequireTerminal")
	}
	self := netip.PrefixFrom(Address(cfg.Network), cfg.Network.Bits())
	tc := &tunnel.Config{Interface: tunnel.Interface{PrivateKey: cfg.Key, Addresses: []netip.Prefix{self}, ListenPort: cfg.ListenPort, MTU: cfg.MTU}}
	dev, err := tunnel.Open(tc, tunnel.Options{Logger: cfg.Logger.With("part", "tunnel")})
	if err != nil {
		return nil, fmt.Errorf("platform: tunnel: %w", err)
	}
	s := &Service{DB: db, Device: dev, cfg: cfg, peers: map[string]bool{}, leaving: map[string]bool{}, done: make(chan struct{})}
	if err := s.SyncPeers(context.Background()); err != nil {
		dev.Close()
		return nil, err
	}
	ln, err := dev.ListenTCP(cfg.APIPort)
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("platform: listen in tunnel: %w", err)
	}
	s.ln = ln
	if cfg.Plain != "" {
		if s.plain, err = net.Listen("tcp", cfg.Plain); err != nil {
			ln.Close()
			dev.Close()
			return nil, fmt.Errorf("platform: listen on plain TCP: %w", err)
		}
	}
	opts := cfg.Server
	if opts.Logger == nil {
		opts.Logger = cfg.Logger
	}
	s.Server = NewServer(db, opts)
	h := s.Server.Handler()
	if cfg.Wrap != nil {
		h = cfg.Wrap(h)
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.http = &http.Server{
		Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		// Requests end with the service: a long-poll would otherwise hold
		// Close up until its wait ran out.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("api server stopped", "err", err)
		}
	}()
	if s.plain != nil {
		plain := &http.Server{Handler: plainOnly(cfg.Network, cfg.Logger, h), ReadHeaderTimeout: s.http.ReadHeaderTimeout, ErrorLog: s.http.ErrorLog, BaseContext: s.http.BaseContext}
		s.plainHTTP = plain
		go func() {
			if err := plain.Serve(s.plain); err != nil && !errors.Is(err, http.ErrServerClosed) {
				cfg.Logger.Error("plain api server stopped", "err", err)
			}
		}()
	}
	go s.watchPeers(ctx)
	s.expired = make(chan struct{})
	go func() {
		defer close(s.expired)
		s.expireUploads(ctx)
	}()
	s.Notify = &notify.Dispatcher{
		DB: db.sql, Senders: cfg.Senders, Limits: cfg.Limits, Now: opts.Now, Logger: cfg.Logger.With("part", "notify"),
		Current: func(ctx context.Context, number string) (complaint.Ticket, error) {
			t, err := db.Ticket(ctx, number)
			if errors.Is(err, errNotVisible) {
				return complaint.Ticket{}, nil
			}
			return t, err
		},
	}
	db.SetLogger(cfg.Logger.With("part", "notify"))
	db.OnNotify(s.Notify.Wake)
	s.notified = make(chan struct{})
	go func() {
		defer close(s.notified)
		if err := s.Notify.Run(ctx); err != nil && ctx.Err() == nil {
			cfg.Logger.Error("notifications stopped", "err", err)
		}
	}()
	return s, nil
}

func (s *Service) watchPeers(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.cfg.PeerPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.SyncPeers(ctx); err != nil {
				s.cfg.Logger.Warn("sync tunnel peers", "err", err)
			}
		}
	}
}

// SyncPeers makes the device's peers match the live terminals: new ones are
// added, revoked ones removed. The API refuses a revoked terminal from the
// moment it is revoked; its peer stays one round longer (PeerPoll), during
// which its waiting long-polls are woken to answer it so, and is removed on
// the next: a terminal told it was revoked stops, while one whose packets
// just vanish retries for ever.
func (s *Service) SyncPeers(ctx context.Context) error {
	terms, err := s.DB.Terminals(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	live := map[string]bool{}
	for _, t := range terms {
		if !t.RevokedAt.IsZero() || t.Site(s.cfg.Network) {
			continue // a site terminal has no tunnel (AddSiteTerminal)
		}
		live[t.PublicKey] = true
		if s.peers[t.PublicKey] {
			continue
		}
		pub, err := tunnel.ParseKey(t.PublicKey)
		if err != nil {
			return fmt.Errorf("terminal %s: %w", t.Name, err)
		}
		p := tunnel.Peer{PublicKey: pub, AllowedIPs: []netip.Prefix{netip.PrefixFrom(t.Address, t.Address.BitLen())}}
		if err := s.Device.AddPeer(p); err != nil {
			return fmt.Errorf("terminal %s: %w", t.Name, err)
		}
		s.peers[t.PublicKey] = true
	}
	for k := range s.peers {
		if live[k] {
			delete(s.leaving, k)
			continue
		}
		if !s.leaving[k] {
			s.leaving[k] = true
			s.DB.broadcast()
			continue
		}
		delete(s.leaving, k)
		pub, err := tunnel.ParseKey(k)
		if err == nil {
			err = s.Device.RemovePeer(pub)
		}
		if err != nil {
			return err
		}
		delete(s.peers, k)
	}
	return nil
}

// expireUploads drops uploads that have not moved for UploadExpiry, at
// start and every hour, until ctx ends.
func (s *Service) expireUploads(ctx context.Context) {
	files, now := s.Server.files, s.Server.opts.Now
	if files == nil || files.Uploads == "" {
		return
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := files.Expire(now(), UploadExpiry); err != nil {
			s.cfg.Logger.Warn("uploads: expire", "err", err)
		} else if n > 0 {
			s.cfg.Logger.Info("uploads: dropped uploads that had not moved", "count", n, "after", UploadExpiry)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops serving and takes the tunnel down.
func (s *Service) Close() error {
	s.stop()
	<-s.done
	<-s.notified
	<-s.expired
	s.DB.OnNotify(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
	if s.plainHTTP != nil {
		_ = s.plainHTTP.Shutdown(ctx)
		// Shutdown closes only a listener Serve has begun on; the port is
		// free when Close returns either way.
		s.plain.Close()
	}
	return s.Device.Close()
}

// PlainAddr is the address the plain TCP listener is bound to (the port
// picked when ServiceConfig.Plain gave 0), or nil without one.
func (s *Service) PlainAddr() net.Addr {
	if s.plain == nil {
		return nil
	}
	return s.plain.Addr()
}

// plainOnly refuses, on the plain listener, requests from the tunnel range.
// Those addresses are the tunnel terminals', which WireGuard vouches for
// inside the tunnel; arriving over plain TCP, one is someone else using it.
func plainOnly(network netip.Prefix, log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip, err := remoteIP(r); err != nil || network.Contains(ip) {
			log.Warn("plain request from the tunnel range refused", "remote", r.RemoteAddr, "path", r.URL.Path)
			writeJSON(w, errNoTerminal.status, errNoTerminal.body)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TerminalTunnel is the wg-quick configuration a terminal needs to reach the
// platform: its own key and address, and the platform as its one peer.
func TerminalTunnel(platformKey tunnel.Key, network netip.Prefix, endpoint string, mtu int, t Terminal, terminalKey tunnel.Key) *tunnel.Config {
	return &tunnel.Config{
		Interface: tunnel.Interface{
			PrivateKey: terminalKey,
			Addresses:  []netip.Prefix{netip.PrefixFrom(t.Address, t.Address.BitLen())},
			MTU:        mtu,
		},
		Peers: []tunnel.Peer{{
			PublicKey:           platformKey.Public(),
			Endpoint:            endpoint,
			AllowedIPs:          []netip.Prefix{netip.PrefixFrom(Address(network), Address(network).BitLen())},
			PersistentKeepalive: 25,
		}},
	}
}

// TerminalFiles are the two files a terminal needs: its wg-quick tunnel file
// and its settings, both written mode 0600 into Dir. A site terminal
// (AddSiteTerminal) has no tunnel, and so only its settings.
type TerminalFiles struct {
	Dir    string
	Tunnel *tunnel.Config // nil for a site terminal
	API    string         // the platform's URL inside the tunnel, or the plain one a site reaches
	User   string
	State  string // optional state directory, relative to Dir
}

// APIURL is the platform's URL inside a tunnel range.
func APIURL(network netip.Prefix, port int) string {
	u := "http://" + Address(network).String()
	if port != 0 && port != 80 {
		u += ":" + strconv.Itoa(port)
	}
	return u
}

// Write writes the files and returns their paths; tunnelPath is "" when
// there is no tunnel.
func (f TerminalFiles) Write() (tunnelPath, settingsPath string, err error) {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return "", "", err
	}
	var b strings.Builder
	if f.Tunnel == nil {
		fmt.Fprintf(&b, "# Hotline terminal settings; no tunnel: the site's network carries the traffic\nplatform = %q\nuser = %q\n", f.API, f.User)
	} else {
		tunnelPath = filepath.Join(f.Dir, "hotline.conf")
		if err := f.Tunnel.Save(tunnelPath); err != nil {
			return "", "", err
		}
		fmt.Fprintf(&b, "# Hotline terminal settings\nplatform = %q\ntunnel = \"hotline.conf\"\nuser = %q\n", f.API, f.User)
	}
	if f.State != "" {
		fmt.Fprintf(&b, "state = %q\n", f.State)
	}
	settingsPath = filepath.Join(f.Dir, "hotline.toml")
	return tunnelPath, settingsPath, os.WriteFile(settingsPath, []byte(b.String()), 0o600)
}
