package platform

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"hotline/api"
	"hotline/internal/testenv"
	"hotline/tunnel"
)

// plainService starts a service on network that also serves plain TCP on
// a free loopback port.
func plainService(t *testing.T, db *DB, network netip.Prefix) *Service {
	t.Helper()
	key, err := tunnel.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := StartService(db, ServiceConfig{Key: key, Network: network, Plain: "127.0.0.1:0",
		Server: Options{RequireTerminal: true, Now: fixedClock}, PeerPoll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// plainClient talks to the service's plain listener from the local address
// from (the zero Addr: whatever the kernel picks, 127.0.0.1 on loopback).
func plainClient(t *testing.T, svc *Service, from netip.Addr) *api.Client {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	if from.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: from.AsSlice()}
		// Binding is what may fail (127.0.0.0/8 is all loopback on
		// Linux, not everywhere): try it once here.
		c, err := d.Dial("tcp", svc.PlainAddr().String())
		if err != nil {
			testenv.Missing(t, "a loopback address "+from.String()+" to dial from ("+err.Error()+")")
		}
		c.Close()
	}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil}
	t.Cleanup(tr.CloseIdleConnections)
	return &api.Client{Base: "http://" + svc.PlainAddr().String(), HTTP: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

// refusedTerminal reports whether err is the platform's refusal of the
// request's source address.
func refusedTerminal(err error) bool {
	var se *api.StatusError
	return errors.As(err, &se) && se.Status == http.StatusForbidden && se.Err.Code == api.CodeTerminal
}

func TestPlainSiteTerminal(t *testing.T) {
	db := openFixture(t)
	svc := plainService(t, db, tunnelNet)
	if a, ok := svc.PlainAddr().(*net.TCPAddr); !ok || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) || a.Port == 0 {
		t.Fatalf("PlainAddr = %v, want 127.0.0.1 and the port picked", svc.PlainAddr())
	}
	mustDispatch(t, db, ticketsFor("U1", 1, 3))
	ctx := context.Background()
	c := plainClient(t, svc, netip.Addr{})

	// Nothing is registered at 127.0.0.1 yet.
	if _, err := c.Login(ctx, "duty1", testPassword); !refusedTerminal(err) {
		t.Fatalf("login from an unregistered address: %v, want 403 %s", err, api.CodeTerminal)
	}

	term, err := db.AddSiteTerminal(ctx, "site-1", "duty1", netip.MustParseAddr("127.0.0.1"), tunnelNet)
	if err != nil {
		t.Fatal(err)
	}
	if term.Address != netip.MustParseAddr("127.0.0.1") || !term.Site(tunnelNet) {
		t.Fatalf("site terminal = %+v", term)
	}
	// A running platform reads the table directly: no restart, no peer.
	if err := svc.SyncPeers(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(svc.Device.Status().Peers); n != 0 {
		t.Fatalf("%d tunnel peers for a site terminal, want 0", n)
	}
	sess, err := c.Login(ctx, "duty1", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if sess.User.Login != "duty1" || sess.Unit.Code != "U1" {
		t.Fatalf("session %+v", sess)
	}
	ch, err := c.Changes(ctx, 0, 0)
	if err != nil || len(ch.Tickets) != 3 {
		t.Fatalf("changes over plain TCP: %d tickets, %v", len(ch.Tickets), err)
	}

	if err := db.RevokeTerminal(ctx, "site-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Changes(ctx, 0, 0); !refusedTerminal(err) {
		t.Fatalf("changes after revocation: %v, want 403 %s", err, api.CodeTerminal)
	}

	svc.Close()
	if cn, err := net.DialTimeout("tcp", svc.PlainAddr().String(), time.Second); err == nil {
		cn.Close()
		t.Fatal("the plain listener still accepts after Close")
	}
}

// TestPlainSourceAddress shows that over plain TCP the source address is the
// terminal: the same request is refused from 127.0.0.1 and accepted from
// 127.0.0.2, the registered one.
func TestPlainSourceAddress(t *testing.T) {
	db := openFixture(t)
	svc := plainService(t, db, tunnelNet)
	mustDispatch(t, db, ticketsFor("U1", 1, 2))
	ctx := context.Background()
	if _, err := db.AddSiteTerminal(ctx, "site-2", "duty1", netip.MustParseAddr("127.0.0.2"), tunnelNet); err != nil {
		t.Fatal(err)
	}
	at2 := plainClient(t, svc, netip.MustParseAddr("127.0.0.2"))
	at1 := plainClient(t, svc, netip.Addr{})

	if _, err := at1.Login(ctx, "duty1", testPassword); !refusedTerminal(err) {
		t.Fatalf("login from 127.0.0.1: %v, want 403 %s", err, api.CodeTerminal)
	}
	if _, err := at2.Login(ctx, "duty1", testPassword); err != nil {
		t.Fatalf("login from 127.0.0.2: %v", err)
	}
	ch, err := at2.Changes(ctx, 0, 0)
	if err != nil || len(ch.Tickets) != 2 {
		t.Fatalf("changes from 127.0.0.2: %d tickets, %v", len(ch.Tickets), err)
	}
	// The token does not travel: from another address it is refused.
	at1.Token = at2.Token
	if _, err := at1.Changes(ctx, 0, 0); !refusedTerminal(err) {
		t.Fatalf("127.0.0.2's token from 127.0.0.1: %v, want 403 %s", err, api.CodeTerminal)
	}
}

// TestPlainRefusesTunnelRange: an address of the tunnel range arriving over
// plain TCP is refused even when a live terminal has it, since only the
// tunnel vouches for those. The tunnel range is put on loopback (the
// platform's end of it lives in its own userspace stack) so that the test
// can dial from a tunnel terminal's address.
func TestPlainRefusesTunnelRange(t *testing.T) {
	db := openFixture(t)
	network := netip.MustParsePrefix("127.0.0.0/24")
	svc := plainService(t, db, network)
	ctx := context.Background()
	key, err := tunnel.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	term, err := db.AddTerminal(ctx, "tunnel-1", "duty1", key.Public().String(), network)
	if err != nil {
		t.Fatal(err)
	}
	if term.Address != netip.MustParseAddr("127.0.0.2") || term.Site(network) {
		t.Fatalf("tunnel terminal = %+v", term)
	}
	c := plainClient(t, svc, term.Address)
	if _, err := c.Login(ctx, "duty1", testPassword); !refusedTerminal(err) {
		t.Fatalf("login over plain TCP from a tunnel address: %v, want 403 %s", err, api.CodeTerminal)
	}
}

func TestPlainNeedsRequireTerminal(t *testing.T) {
	db := openFixture(t)
	key, err := tunnel.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := StartService(db, ServiceConfig{Key: key, Network: tunnelNet, Plain: "127.0.0.1:0"})
	if err == nil {
		svc.Close()
	}
	if err == nil || err.Error() != "platform: serving plain TCP needs RequireTerminal" {
		t.Fatalf("StartService without RequireTerminal: %v", err)
	}
	if _, err := StartService(db, ServiceConfig{Key: key, Network: tunnelNet, Plain: "127.0.0.1:99999", Server: Options{RequireTerminal: true}}); err == nil {
		t.Fatal("StartService with a bad plain address started")
	}
}

func TestChosenAddresses(t *testing.T) {
	db := openFixture(t)
	ctx := context.Background()
	site, err := db.AddSiteTerminal(ctx, "站点1", "duty1", netip.MustParseAddr("::ffff:10.20.0.5"), tunnelNet)
	if err != nil {
		t.Fatal(err)
	}
	if site.Address != netip.MustParseAddr("10.20.0.5") {
		t.Errorf("site address %v, want 10.20.0.5 (unmapped, as the platform sees it)", site.Address)
	}
	if k, err := tunnel.ParseKey(site.PublicKey); err != nil || k.IsZero() {
		t.Errorf("site terminal's key %q: %v", site.PublicKey, err)
	}
	at, err := db.AddTerminalAt(ctx, "值班台9", "duty1", keyA, tunnelNet, netip.MustParseAddr("10.77.0.9"))
	if err != nil || at.Address != netip.MustParseAddr("10.77.0.9") {
		t.Fatalf("AddTerminalAt = %+v, %v", at, err)
	}
	// The lowest free address still goes first to the next one.
	next, err := db.AddTerminal(ctx, "值班台2", "duty1", keyB, tunnelNet)
	if err != nil || next.Address != netip.MustParseAddr("10.77.0.2") {
		t.Fatalf("AddTerminal after a chosen address = %+v, %v", next, err)
	}
	if err := db.RevokeTerminal(ctx, "站点1"); err != nil {
		t.Fatal(err)
	}
	ts, err := db.Terminals(ctx)
	if err != nil || len(ts) != 3 || !ts[0].Site(tunnelNet) || ts[1].Site(tunnelNet) || ts[2].Site(tunnelNet) {
		t.Fatalf("Terminals = %+v, %v", ts, err)
	}

	tests := []struct {
		name, addr string
		site       bool
		wantErr    error
		wantMsg    string
	}{
		{"site in the tunnel range", "10.77.0.20", true, ErrInvalid, "add terminal 新终端: invalid address 10.77.0.20: it is in the tunnel range 10.77.0.0/24; a site terminal keeps its own address on the site's network"},
		{"live holder", "10.77.0.9", false, ErrExists, "add terminal 新终端: address 10.77.0.9 already exists: terminal 值班台9 has it"},
		{"revoked holder", "10.20.0.5", true, ErrExists, "add terminal 新终端: address 10.20.0.5 already exists: it was terminal 站点1's (revoked), and an address is never given to a second terminal"},
		{"unspecified", "0.0.0.0", true, ErrInvalid, "add terminal 新终端: invalid address 0.0.0.0: want one host's address"},
		{"multicast", "224.0.0.1", true, ErrInvalid, "add terminal 新终端: invalid address 224.0.0.1: want one host's address"},
		{"zone", "fe80::1%eth0", true, ErrInvalid, "add terminal 新终端: invalid address fe80::1%eth0: want one host's address"},
		{"platform's", "10.77.0.1", false, ErrInvalid, "add terminal 新终端: invalid address 10.77.0.1: want a host address of the tunnel range 10.77.0.0/24 other than the platform's 10.77.0.1"},
		{"network", "10.77.0.0", false, ErrInvalid, "add terminal 新终端: invalid address 10.77.0.0: want a host address of the tunnel range 10.77.0.0/24 other than the platform's 10.77.0.1"},
		{"broadcast", "10.77.0.255", false, ErrInvalid, "add terminal 新终端: invalid address 10.77.0.255: want a host address of the tunnel range 10.77.0.0/24 other than the platform's 10.77.0.1"},
		{"tunnel outside the range", "10.20.0.6", false, ErrInvalid, "add terminal 新终端: invalid address 10.20.0.6: want a host address of the tunnel range 10.77.0.0/24 other than the platform's 10.77.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			var err error
			if tt.site {
				_, err = db.AddSiteTerminal(ctx, "新终端", "duty1", addr, tunnelNet)
			} else {
				_, err = db.AddTerminalAt(ctx, "新终端", "duty1", keyC, tunnelNet, addr)
			}
			if !errors.Is(err, tt.wantErr) || err.Error() != tt.wantMsg {
				t.Errorf("err = %v\nwant %q", err, tt.wantMsg)
			}
		})
	}
}
