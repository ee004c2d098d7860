package tunnel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// platform is a server Device with the hello handler, which can be stopped
// and started again on the same key and UDP port, as a restarted platform.
type platform struct {
	tb   testing.TB
	key  Key
	port int
	peer Peer
	dev  *Device
	srv  *http.Server
}

func startPlatform(tb testing.TB, key Key, port int, peer Peer) *platform {
	tb.Helper()
	p := &platform{tb: tb, key: key, port: port, peer: peer}
	p.start()
	tb.Cleanup(p.stop)
	return p
}

func (p *platform) start() {
	p.tb.Helper()
	dev, err := Open(&Config{
		Interface: Interface{PrivateKey: p.key, Addresses: prefixes("10.77.0.1/24"), ListenPort: p.port},
		Peers:     []Peer{p.peer},
	}, Options{})
	if err != nil {
		p.tb.Fatal(err)
	}
	p.port = dev.ListenPort()
	ln, err := dev.ListenTCP(80)
	if err != nil {
		dev.Close()
		p.tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, helloBody) })
	mux.HandleFunc("/wait", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	p.dev = dev
}

// stop ends the platform as a crash would for the peer: its UDP socket
// closes with no word on the wire.
func (p *platform) stop() {
	if p.dev == nil {
		return
	}
	p.dev.Close()
	p.srv.Close()
	p.dev = nil
}

// terminalConfig is a terminal of the platform at endpoint.
func terminalConfig(key, platformKey Key, endpoint string) *Config {
	return &Config{
		Interface: Interface{PrivateKey: key, Addresses: prefixes("10.77.0.2/32")},
		Peers:     []Peer{{PublicKey: platformKey.Public(), Endpoint: endpoint, AllowedIPs: prefixes("10.77.0.0/24")}},
	}
}

func keys(tb testing.TB, n int) []Key {
	tb.Helper()
	out := make([]Key, n)
	for i := range out {
		k, err := GenerateKey()
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = k
	}
	return out
}

func getCtx(ctx context.Context, c *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestLinkSteps: a fresh terminal's first request shows every handshake
// step, in order, and the state up.
func TestLinkSteps(t *testing.T) {
	k := keys(t, 2)
	plat := startPlatform(t, k[0], 0, Peer{PublicKey: k[1].Public(), AllowedIPs: prefixes("10.77.0.2/32")})
	start := time.Now()
	dev, err := Open(terminalConfig(k[1], k[0], "localhost:"+strconv.Itoa(plat.port)), Options{Probe: netip.MustParseAddr("10.77.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	st := dev.Status()
	if st.Link.State != LinkIdle || !st.Link.InitiationAt.IsZero() || st.Link.ResolvedAt.Before(start) {
		t.Fatalf("before any traffic: state %s, initiation %v, resolved %v; want idle, none, after %v", st.Link.State, st.Link.InitiationAt, st.Link.ResolvedAt, start)
	}
	if st.MTU != DefaultMTU || len(st.Addresses) != 1 || st.Addresses[0].String() != "10.77.0.2/32" {
		t.Errorf("MTU %d, addresses %v; want %d, [10.77.0.2/32]", st.MTU, st.Addresses, DefaultMTU)
	}
	if p := st.Peers[0]; p.Configured != "localhost:"+strconv.Itoa(plat.port) || p.Endpoint != "127.0.0.1:"+strconv.Itoa(plat.port) {
		t.Errorf("endpoint configured %q, now %q; want localhost:%d and 127.0.0.1:%d", p.Configured, p.Endpoint, plat.port, plat.port)
	}
	body, err := get(dev.HTTPClient(), "http://10.77.0.1/hello")
	if err != nil || body != helloBody {
		t.Fatalf("GET = %q, %v", body, err)
	}
	l := dev.Status().Link
	steps := []time.Time{l.ResolvedAt, l.InitiationAt, l.ResponseAt, l.DataAt}
	for i := 1; i < len(steps); i++ {
		if steps[i].IsZero() || steps[i].Before(steps[i-1]) {
			t.Fatalf("steps resolve %v → initiation %v → response %v → data %v: step %d missing or out of order", l.ResolvedAt, l.InitiationAt, l.ResponseAt, l.DataAt, i)
		}
	}
	if l.State != LinkUp || l.Initiations != 0 || len(l.Errors) != 0 || l.Relinks != 0 {
		t.Errorf("after the request: state %s, initiations %d, errors %v, relinks %d; want up, 0, none, 0", l.State, l.Initiations, l.Errors, l.Relinks)
	}
}

// TestLinkNoAnswer: an endpoint that swallows everything leaves the link
// stuck after the initiation; the watcher retries fresh handshakes every
// second (WireGuard alone every 5 s), says the peer does not answer, and
// the request fails rather than hangs.
func TestLinkNoAnswer(t *testing.T) {
	k := keys(t, 2)
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	var initiations atomic.Int64
	go func() {
		buf := make([]byte, 2048)
		for {
			n, _, err := sink.ReadFrom(buf)
			if err != nil {
				return
			}
			if msgType(buf[:n]) == msgInitiation {
				initiations.Add(1)
			}
		}
	}()
	dev, err := Open(terminalConfig(k[1], k[0], sink.LocalAddr().String()), Options{Probe: netip.MustParseAddr("10.77.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 4500*time.Millisecond)
	defer cancel()
	_, err = getCtx(ctx, dev.HTTPClient(), "http://10.77.0.1/hello")
	if err == nil {
		t.Fatal("GET through a dead path succeeded")
	}
	l := dev.Status().Link
	if l.State != LinkDown || !l.ResponseAt.IsZero() || l.InitiationAt.IsZero() {
		t.Errorf("state %s, response %v, initiation %v; want down, none, some", l.State, l.ResponseAt, l.InitiationAt)
	}
	// 4.5 s: the first at once, one for the probe's fresh peer at about
	// 2 s, then one a second. WireGuard alone sends one, then one at 5 s.
	if n := initiations.Load(); n < 3 {
		t.Errorf("%d initiations reached the endpoint in 4.5 s; want at least 3", n)
	}
	if n := int64(l.Initiations); n != initiations.Load() {
		t.Errorf("Link.Initiations = %d, endpoint saw %d", n, initiations.Load())
	}
	kinds := map[ErrorKind]int{}
	for _, e := range l.Errors {
		kinds[e.Kind]++
	}
	if kinds[ErrNoAnswer] != 1 {
		t.Errorf("errors %v: want exactly one no-answer (the same outage is not repeated)", l.Errors)
	}
}

// TestRecoverAfterRestart: the platform stops and comes back on the same
// address. A request waiting across the outage, and one sent the moment it
// is back, both succeed within 3 s of its return.
func TestRecoverAfterRestart(t *testing.T) {
	k := keys(t, 2)
	plat := startPlatform(t, k[0], 0, Peer{PublicKey: k[1].Public(), AllowedIPs: prefixes("10.77.0.2/32")})
	var relinks atomic.Int64
	dev, err := Open(terminalConfig(k[1], k[0], "127.0.0.1:"+strconv.Itoa(plat.port)),
		Options{Probe: netip.MustParseAddr("10.77.0.1"), OnRelink: func() { relinks.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	client := dev.HTTPClient()
	if body, err := get(client, "http://10.77.0.1/hello"); err != nil || body != helloBody {
		t.Fatalf("GET before the restart = %q, %v", body, err)
	}

	plat.stop()
	// A request waits through the outage; it is retried on ErrRelinked,
	// as the terminal's link does.
	type result struct {
		at  time.Time
		err error
	}
	waiting := make(chan result, 1)
	go func() {
		for {
			body, err := getCtx(context.Background(), client, "http://10.77.0.1/hello")
			if errors.Is(err, ErrRelinked) {
				continue
			}
			if err == nil && body != helloBody {
				err = errors.New("body " + body)
			}
			waiting <- result{time.Now(), err}
			return
		}
	}()
	time.Sleep(3 * time.Second)
	if st := dev.Status().Link.State; st != LinkDown && st != LinkRecovering {
		t.Errorf("state during the outage = %s, want down or recovering", st)
	}
	plat.start()
	back := time.Now()
	var wg sync.WaitGroup
	var fresh result
	wg.Go(func() {
		for {
			body, err := getCtx(context.Background(), client, "http://10.77.0.1/hello")
			if errors.Is(err, ErrRelinked) {
				continue
			}
			if err == nil && body != helloBody {
				err = errors.New("body " + body)
			}
			fresh = result{time.Now(), err}
			return
		}
	})
	wg.Wait()
	old := <-waiting
	for name, r := range map[string]result{"waiting": old, "fresh": fresh} {
		if r.err != nil {
			t.Errorf("%s request: %v", name, r.err)
		} else if d := r.at.Sub(back); d > 3*time.Second {
			t.Errorf("%s request answered %v after the platform was back; want within 3s", name, d.Round(time.Millisecond))
		} else {
			t.Logf("%s request answered %v after the platform was back", name, d.Round(time.Millisecond))
		}
	}
	l := dev.Status().Link
	if l.State != LinkUp || l.Relinks != 1 || relinks.Load() != 1 {
		t.Errorf("after recovery: state %s, relinks %d, OnRelink calls %d; want up, 1, 1", l.State, l.Relinks, relinks.Load())
	}
}

// TestReresolve: the platform's name moves to another address while the
// old one goes dark; the terminal looks the name up again and finds it.
func TestReresolve(t *testing.T) {
	k := keys(t, 2)
	plat := startPlatform(t, k[0], 0, Peer{PublicKey: k[1].Public(), AllowedIPs: prefixes("10.77.0.2/32")})
	target := "127.0.0.1:" + strconv.Itoa(plat.port)
	oldRelay := relayOn(t, "127.0.0.2:0", target)
	_, port, _ := net.SplitHostPort(oldRelay.LocalAddr().String())
	newRelay := relayOn(t, "127.0.0.3:"+port, target)
	defer newRelay.Close()

	var answer atomic.Value
	answer.Store([4]byte{127, 0, 0, 2})
	dns := localDNS(t, "platform.test.", func() [4]byte { return answer.Load().([4]byte) })
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dns)
	}}
	dev, err := Open(terminalConfig(k[1], k[0], "platform.test:"+port), Options{Resolver: resolver, Probe: netip.MustParseAddr("10.77.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if body, err := get(dev.HTTPClient(), "http://10.77.0.1/hello"); err != nil || body != helloBody {
		t.Fatalf("GET through the first address = %q, %v", body, err)
	}
	if ep := dev.Status().Peers[0].Endpoint; ep != "127.0.0.2:"+port {
		t.Fatalf("endpoint %s, want 127.0.0.2:%s", ep, port)
	}

	oldRelay.Close()
	answer.Store([4]byte{127, 0, 0, 3})
	moved := time.Now()
	var body string
	for {
		body, err = getCtx(context.Background(), dev.HTTPClient(), "http://10.77.0.1/hello")
		if !errors.Is(err, ErrRelinked) {
			break
		}
	}
	if err != nil || body != helloBody {
		t.Fatalf("GET after the move = %q, %v", body, err)
	}
	t.Logf("found the new address in %v", time.Since(moved).Round(time.Millisecond))
	if ep := dev.Status().Peers[0].Endpoint; ep != "127.0.0.3:"+port {
		t.Errorf("endpoint %s, want 127.0.0.3:%s", ep, port)
	}
}

// relayOn forwards UDP from addr to target and back, as a NAT would.
func relayOn(tb testing.TB, addr, target string) *net.UDPConn {
	tb.Helper()
	la, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := net.ListenUDP("udp", la)
	if err != nil {
		// 127.0.0.2 and up are loopback on Linux only.
		tb.Skipf("cannot listen on %s (a loopback address beyond 127.0.0.1): %v", addr, err)
	}
	ta, err := net.ResolveUDPAddr("udp", target)
	if err != nil {
		tb.Fatal(err)
	}
	up, err := net.DialUDP("udp", nil, ta)
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var from net.Addr
	go func() {
		defer up.Close()
		buf := make([]byte, 65536)
		for {
			n, a, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			from = a
			mu.Unlock()
			up.Write(buf[:n])
		}
	}()
	go func() {
		buf := make([]byte, 65536)
		for {
			n, err := up.Read(buf)
			if err != nil {
				return
			}
			mu.Lock()
			a := from
			mu.Unlock()
			if a != nil {
				c.WriteTo(buf[:n], a)
			}
		}
	}()
	tb.Cleanup(func() { c.Close(); up.Close() })
	return c
}

// localDNS answers A queries for name on 127.0.0.1 with what answer says
// at the time of the query.
func localDNS(tb testing.TB, name string, answer func() [4]byte) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	go answerDNS(pc, name, answer)
	return pc.LocalAddr().String()
}

// TestCloseLeavesNothing: closing a terminal's device with a request still
// waiting and its watcher running, and then the platform's, ends every
// goroutine they started.
func TestCloseLeavesNothing(t *testing.T) {
	before := goleak.IgnoreCurrent()
	k := keys(t, 2)
	plat := startPlatform(t, k[0], 0, Peer{PublicKey: k[1].Public(), AllowedIPs: prefixes("10.77.0.2/32")})
	dev, err := Open(terminalConfig(k[1], k[0], "127.0.0.1:"+strconv.Itoa(plat.port)), Options{Probe: netip.MustParseAddr("10.77.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	if body, err := get(dev.HTTPClient(), "http://10.77.0.1/hello"); err != nil || body != helloBody {
		t.Fatalf("GET = %q, %v", body, err)
	}
	failed := make(chan error, 1)
	go func() {
		_, err := get(dev.HTTPClient(), "http://10.77.0.1/wait")
		failed <- err
	}()
	time.Sleep(1500 * time.Millisecond) // the watcher has probed the waiting request
	dev.Close()
	if err := <-failed; err == nil {
		t.Error("the waiting request succeeded after Close")
	}
	plat.stop()
	goleak.VerifyNone(t, before)
}
