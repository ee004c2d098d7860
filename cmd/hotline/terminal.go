package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"hotline/api"
	"hotline/client"
	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tunnel"
)

// terminal is one opened terminal: its settings, cache and log, and once
// connected, its tunnel and link to the platform.
type terminal struct {
	settings settings
	store    *store.Store
	log      *slog.Logger
	logFile  *os.File

	dev     *tunnel.Device // nil when the site's network carries the traffic
	cfg     *tunnel.Config
	api     *api.Client
	client  *client.Client
	release func() // gives back the link lock
	// link is the client once made; the tunnel's watcher, which may
	// call back from its own goroutine, reads it from here.
	link atomic.Pointer[client.Client]
}

const (
	cacheFile = "cache.db"
	tokenFile = "token"
	logFile   = "hotline.log"
	keySess   = store.KeySession // the api.Session of the logged-in user, without the token
	keyDir    = "directory"      // the api.Directory of the user's units, as last fetched
)

func openTerminal(cfgPath string) (*terminal, error) {
	s, err := loadSettings(cfgPath)
	if err != nil {
		return nil, err
	}
	return openTerminalWith(s)
}

func openTerminalWith(s settings) (*terminal, error) {
	if err := os.MkdirAll(s.State, 0o700); err != nil {
		return nil, err
	}
	lf, err := openLog(filepath.Join(s.State, logFile))
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(s.State, cacheFile))
	if err != nil {
		lf.Close()
		return nil, err
	}
	return &terminal{settings: s, store: st, log: slog.New(slog.NewTextHandler(lf, nil)), logFile: lf}, nil
}

// connect brings the tunnel up, when the terminal has one, and prepares the
// link; it does not wait for the platform to answer. Only one process of a
// terminal holds the link: when another does, connect fails with
// errLinkBusy and the caller works on the cache and the outbox, which that
// process sends.
func (t *terminal) connect() error {
	if t.api != nil {
		return nil // connected; t.dev stays nil without a tunnel
	}
	release, err := lockLink(t.settings.State)
	if err != nil {
		return err
	}
	var hc *http.Client
	if t.settings.Tunnel == "" {
		// The site's network carries the traffic, and the platform knows
		// this terminal by the address its requests come from: an office
		// proxy (from the environment) would make them all come from the
		// proxy's, which the platform refuses.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil
		// As inside the tunnel: long enough for the change feed's long
		// poll (wait=25s) and a slow platform.
		tr.ResponseHeaderTimeout = 60 * time.Second
		hc = &http.Client{Transport: tr}
	} else {
		spaceHandshakes(t.settings.State)
		cfg, err := tunnel.Load(t.settings.Tunnel)
		if err != nil {
			release()
			return err
		}
		// The parser takes what wg-quick takes; a terminal needs more: an
		// address of its own and the platform as its peer.
		switch {
		case len(cfg.Interface.Addresses) == 0:
			release()
			return fmt.Errorf("%s: [Interface] has no Address: give this terminal's tunnel address (hotlined terminal add writes it)", t.settings.Tunnel)
		case len(cfg.Peers) == 0:
			release()
			return fmt.Errorf("%s: no [Peer] section: the terminal needs the platform as its peer (hotlined terminal add writes it)", t.settings.Tunnel)
		}
		for _, n := range cfg.Notes(t.settings.Tunnel) {
			t.log.Info("tunnel file", "note", n)
		}
		dev, err := tunnel.Open(cfg, tunnel.Options{
			Logger: t.log.With("part", "tunnel"),
			// The platform's own stack answers ping at the API's address.
			Probe: probeAddr(t.settings.Platform),
			OnRelink: func() {
				if c := t.link.Load(); c != nil {
					c.Resume()
				}
			},
		})
		if err != nil {
			release()
			return fmt.Errorf("tunnel %s: %w", t.settings.Tunnel, err)
		}
		t.dev, t.cfg = dev, cfg
		hc = dev.HTTPClient()
	}
	t.release = release
	t.api = &api.Client{Base: strings.TrimRight(t.settings.Platform, "/"), HTTP: hc}
	tok, err := t.readToken()
	if err != nil {
		return err
	}
	t.api.Token = tok
	t.client = client.New(t.api, t.store, client.Options{Logger: t.log.With("part", "link")})
	t.link.Store(t.client)
	return nil
}

// probeAddr is the platform's address inside the tunnel, from its API URL;
// the zero Addr (no watching) when the URL names a host rather than an IP.
func probeAddr(platform string) netip.Addr {
	u, err := url.Parse(platform)
	if err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return netip.Addr{}
	}
	return a
}

// reachWait is how long a command waits for the tunnel's first handshake:
// WireGuard retries an unanswered one after 5 s.
const reachWait = 6 * time.Second

// reach waits until the tunnel has a handshake with the platform, or says
// why not. From here the usual faults (the platform down, UDP blocked on the
// way, keys that do not match, a revoked terminal) all look alike: no
// handshake; saying so beats a bare time-out.
func (t *terminal) reach(ctx context.Context) error {
	if t.dev == nil {
		// No tunnel, no handshake: the first request says whether the
		// platform answers.
		return nil
	}
	handshake := func() bool {
		st := t.dev.Status()
		return len(st.Peers) > 0 && !st.Peers[0].LastHandshake.IsZero()
	}
	if handshake() {
		return nil
	}
	// Traffic starts the handshake even without a keepalive in the file.
	dctx, cancel := context.WithTimeout(ctx, reachWait)
	defer cancel()
	go func() {
		if u, err := url.Parse(t.api.Base); err == nil {
			port := u.Port()
			if port == "" {
				port = "80"
			}
			if c, err := t.dev.DialContext(dctx, "tcp", net.JoinHostPort(u.Hostname(), port)); err == nil {
				c.Close()
			}
		}
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !handshake() {
		select {
		case <-dctx.Done():
			endpoint := "the platform"
			if cfg, err := tunnel.Load(t.settings.Tunnel); err == nil && len(cfg.Peers) > 0 {
				endpoint = cfg.Peers[0].Endpoint
			}
			return fmt.Errorf("no WireGuard handshake with %s in %s: check that the platform is running (hotlined serve), that UDP reaches it from here, and that %s is this terminal's current file (a revoked terminal gets no answer; see hotlined terminal list)",
				endpoint, reachWait, t.settings.Tunnel)
		case <-tick.C:
		}
	}
	return nil
}

// cached is a ticket from this terminal's cache, with a word on what to do
// when it is not there.
func (t *terminal) cached(ctx context.Context, number string) (complaint.Ticket, error) {
	tk, err := t.store.Ticket(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return tk, fmt.Errorf("ticket %s is not in this terminal's cache: run `hotline sync --once`", number)
	}
	return tk, err
}

// handshakeGrain is the resolution of WireGuard handshake timestamps in
// wireguard-go (2^24 ns). A peer drops a handshake whose timestamp is not
// later than the last one it accepted from the same key.
const handshakeGrain = 1 << 24 * time.Nanosecond

// lastLinkFile holds when this terminal's tunnel was last closed.
const lastLinkFile = "link.last"

// spaceHandshakes waits, when needed, until this terminal's previous link
// (another command run just before) was closed a timestamp grain ago, so
// that every handshake it made is older. Otherwise a command started right
// after another would have its first handshake dropped and wait 5 s for
// WireGuard's retry. It runs under the link lock.
func spaceHandshakes(stateDir string) {
	b, err := os.ReadFile(filepath.Join(stateDir, lastLinkFile))
	if err != nil {
		return
	}
	last, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		return
	}
	if wait := handshakeGrain + time.Millisecond - time.Since(last); wait > 0 && wait <= handshakeGrain+time.Millisecond {
		time.Sleep(wait)
	}
}

func (t *terminal) close() {
	if t.dev != nil {
		t.dev.Close()
		_ = os.WriteFile(filepath.Join(t.settings.State, lastLinkFile), []byte(time.Now().UTC().Format(time.RFC3339Nano)), 0o600)
	}
	if t.release != nil {
		t.release()
	}
	t.store.Close()
	t.logFile.Close()
}

func (t *terminal) tokenPath() string { return filepath.Join(t.settings.State, tokenFile) }

// readToken returns the saved session token, "" when there is none; a token
// file others can read is refused.
func (t *terminal) readToken() (string, error) {
	p := t.tokenPath()
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("token file %s can be read by others (mode %04o): run chmod 600 %s", p, fi.Mode().Perm(), p)
	}
	b, err := os.ReadFile(p)
	return strings.TrimSpace(string(b)), err
}

// login exchanges the password for a token and keeps both the token (mode
// 0600) and who it belongs to.
func (t *terminal) login(ctx context.Context, password string) (api.Session, error) {
	if err := t.connect(); err != nil {
		return api.Session{}, err
	}
	if err := t.reach(ctx); err != nil {
		return api.Session{}, err
	}
	sess, err := t.api.Login(ctx, t.settings.User, password)
	if err != nil {
		return sess, err
	}
	if err := os.WriteFile(t.tokenPath(), []byte(sess.Token+"\n"), 0o600); err != nil {
		return sess, err
	}
	sess.Token = ""
	b, _ := json.Marshal(sess)
	if err := t.store.Set(ctx, keySess, string(b)); err != nil {
		return sess, err
	}
	// The forms need the unit tree; without it they still open, and the
	// screen fetches it again when it starts.
	if _, err := t.refreshDirectory(ctx); err != nil {
		t.log.Warn("directory", "err", err)
	}
	return sess, nil
}

// session is who is logged in on this terminal, as last confirmed by the
// platform; it works offline.
func (t *terminal) session(ctx context.Context) (api.Session, error) {
	var sess api.Session
	v, err := t.store.Get(ctx, keySess)
	if err != nil {
		return sess, err
	}
	if v == "" {
		return sess, errors.New("not logged in on this terminal: run `hotline login`")
	}
	return sess, json.Unmarshal([]byte(v), &sess)
}

// enqueue checks an action against the cached ticket as it will be once
// the actions already waiting are sent, then writes it to the outbox based
// on the cached version, and returns it with its id. A refusal names the
// reason in Chinese and queues nothing.
func (t *terminal) enqueue(ctx context.Context, a complaint.Action) (complaint.Action, error) {
	tk, err := t.store.Ticket(ctx, a.Ticket)
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("ticket %s is not in this terminal's cache: run `hotline sync --once`", a.Ticket)
	}
	if err != nil {
		return a, err
	}
	sess, err := t.session(ctx)
	if err != nil {
		return a, err
	}
	out, err := t.store.Outbox(ctx, tk.Number)
	if err != nil {
		return a, err
	}
	a.Ticket, a.BaseVersion = tk.Number, tk.Version
	if err := complaint.Check(app.Projected(tk, out, sess.User, time.Now()), sess.User, a); err != nil {
		return a, fmt.Errorf("%s %s refused: %s", a.Kind.Label(), tk.Number, app.Refusal(err))
	}
	return t.store.Enqueue(ctx, a)
}

// refreshDirectory fetches the user's unit tree and keeps it for the
// screens and the commands that name units and people.
func (t *terminal) refreshDirectory(ctx context.Context) (api.Directory, error) {
	d, err := t.api.Units(ctx)
	if err != nil {
		return d, fmt.Errorf("fetch the unit tree: %w", err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return d, err
	}
	return d, t.store.Set(ctx, keyDir, string(b))
}

// directory is the unit tree as last fetched, flattened: the units and
// their people. Both are empty before the first fetch.
func (t *terminal) directory(ctx context.Context) ([]complaint.Unit, []complaint.User, error) {
	v, err := t.store.Get(ctx, keyDir)
	if err != nil || v == "" {
		return nil, nil, err
	}
	var d api.Directory
	if err := json.Unmarshal([]byte(v), &d); err != nil {
		return nil, nil, fmt.Errorf("cached unit tree: %w", err)
	}
	units, people := flatten(d)
	return units, people, nil
}

func flatten(d api.Directory) ([]complaint.Unit, []complaint.User) {
	var units []complaint.Unit
	var people []complaint.User
	for _, u := range d.Units {
		units = append(units, u.Unit)
		people = append(people, u.Users...)
	}
	return units, people
}
