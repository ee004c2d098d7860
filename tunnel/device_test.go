package tunnel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

const helloBody = "你好, hotline\n"

// pair is two Devices in one process: a server (the platform, 10.77.0.1/24)
// and a client (a terminal, 10.77.0.2/32). The only real packets are UDP on
// 127.0.0.1.
type pair struct {
	server, client       *Device
	serverKey, clientKey Key
}

func (p *pair) clientPeer() Peer {
	return Peer{PublicKey: p.clientKey.Public(), AllowedIPs: prefixes("10.77.0.2/32")}
}

func newPair(tb testing.TB, logger *slog.Logger) *pair {
	tb.Helper()
	var p pair
	var err error
	if p.serverKey, err = GenerateKey(); err != nil {
		tb.Fatal(err)
	}
	if p.clientKey, err = GenerateKey(); err != nil {
		tb.Fatal(err)
	}
	p.server, err = Open(&Config{
		Interface: Interface{PrivateKey: p.serverKey, Addresses: prefixes("10.77.0.1/24")},
		Peers:     []Peer{p.clientPeer()},
	}, Options{Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.server.Close() })
	if p.server.ListenPort() == 0 {
		tb.Fatal("server ListenPort() = 0 after Open")
	}
	p.client, err = Open(&Config{
		Interface: Interface{PrivateKey: p.clientKey, Addresses: prefixes("10.77.0.2/32"), DNS: addrs("10.77.0.1")},
		Peers: []Peer{{
			PublicKey: p.serverKey.Public(),
			// A host name, so the resolving path runs; localhost never
			// leaves the machine.
			Endpoint:   "localhost:" + strconv.Itoa(p.server.ListenPort()),
			AllowedIPs: prefixes("10.77.0.0/24"),
		}},
	}, Options{Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.client.Close() })

	ln, err := p.server.ListenTCP(80)
	if err != nil {
		tb.Fatal(err)
	}
	mux := testMux()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return &p
}

// testMux serves /hello and /bulk?n=BYTES.
func testMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, helloBody) })
	mux.HandleFunc("/bulk", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		chunk := bytes.Repeat([]byte{'x'}, 64<<10)
		for n > 0 {
			m := min(n, len(chunk))
			if _, err := w.Write(chunk[:m]); err != nil {
				return
			}
			n -= m
		}
	})
	return mux
}

// serveDNS answers A queries for platform.hotline inside the server's stack,
// so the client's lookups prove they go to the config's DNS through the
// tunnel.
func serveDNS(tb testing.TB, d *Device) {
	tb.Helper()
	pc, err := d.net.ListenUDPAddrPort(netip.MustParseAddrPort("10.77.0.1:53"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	go answerDNS(pc, "platform.hotline.", func() [4]byte { return [4]byte{10, 77, 0, 1} })
}

// answerDNS answers the A queries for name that come to pc with what answer
// says at the time, and any other name with NXDOMAIN, until pc is closed.
func answerDNS(pc net.PacketConn, name string, answer func() [4]byte) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var parser dnsmessage.Parser
		h, err := parser.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := parser.Question()
		if err != nil {
			continue
		}
		resp := dnsmessage.Message{
			Header:    dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionAvailable: true},
			Questions: []dnsmessage.Question{q},
		}
		switch {
		case !strings.EqualFold(q.Name.String(), name):
			resp.RCode = dnsmessage.RCodeNameError
		case q.Type == dnsmessage.TypeA:
			resp.Answers = []dnsmessage.Resource{{
				Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 0},
				Body:   &dnsmessage.AResource{A: answer()},
			}}
		}
		if out, err := resp.Pack(); err == nil {
			pc.WriteTo(out, from)
		}
	}
}

func get(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), nil
}

// syncBuffer collects log output written from wireguard's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDeviceEndToEnd(t *testing.T) {
	start := time.Now()
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPair(t, logger)
	serveDNS(t, p.server)

	client := p.client.HTTPClient()
	client.Timeout = 30 * time.Second // a bound against hanging, not a speed check
	for _, url := range []string{"http://10.77.0.1/hello", "http://platform.hotline/hello"} {
		body, err := get(client, url)
		if err != nil || body != helloBody {
			t.Fatalf("GET %s = %q, %v; want %q", url, body, err, helloBody)
		}
	}

	serverPort, clientPort := p.server.ListenPort(), p.client.ListenPort()
	checks := []struct {
		name         string
		st           Status
		self, peer   Key
		port         int
		peerEndpoint string
		allowed      []netip.Prefix
	}{
		{"server", p.server.Status(), p.serverKey.Public(), p.clientKey.Public(), serverPort, "127.0.0.1:" + strconv.Itoa(clientPort), prefixes("10.77.0.2/32")},
		{"client", p.client.Status(), p.clientKey.Public(), p.serverKey.Public(), clientPort, "127.0.0.1:" + strconv.Itoa(serverPort), prefixes("10.77.0.0/24")},
	}
	for _, c := range checks {
		if c.st.PublicKey != c.self || c.st.ListenPort != c.port || len(c.st.Peers) != 1 {
			t.Fatalf("%s Status = %+v; want key %s, port %d, one peer", c.name, c.st, c.self, c.port)
		}
		ps := c.st.Peers[0]
		if ps.PublicKey != c.peer || ps.Endpoint != c.peerEndpoint || !reflect.DeepEqual(ps.AllowedIPs, c.allowed) {
			t.Errorf("%s peer = %+v; want key %s, endpoint %s, allowed %v", c.name, ps, c.peer, c.peerEndpoint, c.allowed)
		}
		if ps.LastHandshake.Before(start.Truncate(time.Second)) || ps.LastHandshake.After(time.Now()) {
			t.Errorf("%s peer LastHandshake = %v, want between %v and now", c.name, ps.LastHandshake, start)
		}
		if ps.RxBytes <= 0 || ps.TxBytes <= 0 {
			t.Errorf("%s peer Rx %d Tx %d, want both > 0", c.name, ps.RxBytes, ps.TxBytes)
		}
	}

	// Removing the terminal on the platform cuts it off at once.
	if err := p.server.RemovePeer(p.clientKey.Public()); err != nil {
		t.Fatal(err)
	}
	if st := p.server.Status(); len(st.Peers) != 0 {
		t.Fatalf("server peers after RemovePeer = %+v, want none", st.Peers)
	}
	short := p.client.HTTPClient()
	short.Timeout = 2 * time.Second
	if body, err := get(short, "http://10.77.0.1/hello"); err == nil {
		t.Fatalf("GET after RemovePeer = %q, want an error", body)
	}
	if err := p.server.RemovePeer(p.clientKey.Public()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second RemovePeer error = %v, want fs.ErrNotExist", err)
	}

	// Adding it back (here with its endpoint and a keepalive, so the server
	// starts the handshake itself) lets it in again.
	again := p.clientPeer()
	again.Endpoint = "127.0.0.1:" + strconv.Itoa(clientPort)
	again.PersistentKeepalive = 25
	if err := p.server.AddPeer(again); err != nil {
		t.Fatal(err)
	}
	if body, err := get(client, "http://10.77.0.1/hello"); err != nil || body != helloBody {
		t.Fatalf("GET after AddPeer = %q, %v; want %q", body, err, helloBody)
	}

	if !strings.Contains(logs.String(), "component=wireguard") {
		t.Errorf("no wireguard log reached the Logger; got:\n%s", logs.String())
	}
	if err := p.client.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := p.client.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	key := mustKey(privA)
	tests := []struct {
		name string
		cfg  *Config
		want string
	}{
		{"nil", nil, "open tunnel: nil config"},
		{"no key", &Config{Interface: Interface{Addresses: prefixes("10.77.0.2/32")}}, "open tunnel: config has no PrivateKey"},
		{"no address", &Config{Interface: Interface{PrivateKey: key}}, "open tunnel: config has no Address"},
		{"bad endpoint", &Config{
			Interface: Interface{PrivateKey: key, Addresses: prefixes("10.77.0.2/32")},
			Peers:     []Peer{{PublicKey: mustKey(pubB), Endpoint: "10.0.0.1"}},
		}, "open tunnel: peer " + pubB + ": endpoint \"10.0.0.1\": missing :port"},
		{"no peer key", &Config{
			Interface: Interface{PrivateKey: key, Addresses: prefixes("10.77.0.2/32")},
			Peers:     []Peer{{Endpoint: "127.0.0.1:1"}},
		}, "open tunnel: peer has no PublicKey"},
	}
	for _, tt := range tests {
		d, err := Open(tt.cfg, Options{})
		if err == nil {
			d.Close()
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Open error = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestListenTCPNeedsIPv4(t *testing.T) {
	d, err := Open(&Config{Interface: Interface{PrivateKey: mustKey(privA), Addresses: prefixes("fd00::2/128")}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.ListenTCP(80); err == nil || err.Error() != "listen tunnel tcp: the interface has no IPv4 address" {
		t.Errorf("ListenTCP error = %v", err)
	}
}

func TestParseIpcGet(t *testing.T) {
	k1, k2 := mustKey(pubB), mustKey(pubC)
	text := "private_key=" + mustKey(privA).Hex() + "\n" +
		"listen_port=51820\n" +
		"public_key=" + k1.Hex() + "\n" +
		"preshared_key=" + Key{}.Hex() + "\n" +
		"protocol_version=1\n" +
		"endpoint=[2001:db8::1]:51820\n" +
		"last_handshake_time_sec=1767225600\n" +
		"last_handshake_time_nsec=500\n" +
		"tx_bytes=1234\n" +
		"rx_bytes=5678\n" +
		"persistent_keepalive_interval=25\n" +
		"allowed_ip=10.77.0.0/24\n" +
		"allowed_ip=fd00::/64\n" +
		"public_key=" + k2.Hex() + "\n" +
		"preshared_key=" + Key{}.Hex() + "\n" +
		"protocol_version=1\n" +
		"last_handshake_time_sec=0\n" +
		"last_handshake_time_nsec=0\n" +
		"tx_bytes=0\n" +
		"rx_bytes=0\n" +
		"persistent_keepalive_interval=0\n"
	got, err := parseIpcGet(text)
	if err != nil {
		t.Fatal(err)
	}
	peers := []PeerStatus{
		{PublicKey: k1, Endpoint: "[2001:db8::1]:51820", LastHandshake: time.Unix(1767225600, 500),
			RxBytes: 5678, TxBytes: 1234, AllowedIPs: prefixes("10.77.0.0/24", "fd00::/64")},
		{PublicKey: k2},
	}
	// Ordered by key bytes: hnrK... (0x86) before vBN7... (0xbc).
	want := Status{ListenPort: 51820, Peers: []PeerStatus{peers[1], peers[0]}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseIpcGet =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := parseIpcGet("listen_port=x\n"); err == nil {
		t.Error("parseIpcGet accepted listen_port=x")
	}
}

// benchPair is shared setup for the benchmarks.
func benchPair(b *testing.B) (*pair, *http.Client) {
	p := newPair(b, nil)
	client := p.client.HTTPClient()
	if _, err := get(client, "http://10.77.0.1/hello"); err != nil { // handshake outside the timing
		b.Fatal(err)
	}
	return p, client
}

// BenchmarkHTTPRoundTrip measures small request/response round trips over
// one kept-alive connection through the tunnel.
func BenchmarkHTTPRoundTrip(b *testing.B) {
	_, client := benchPair(b)
	ctx := context.Background()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://10.77.0.1/hello", nil)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkBulk downloads the same 8 MiB through the tunnel and over plain
// loopback TCP in each round, and reports both speeds and their ratio side
// by side: what the userspace WireGuard and TCP/IP stack cost.
func BenchmarkBulk(b *testing.B) {
	_, tunnelClient := benchPair(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: testMux(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	plainClient := &http.Client{Transport: &http.Transport{}}
	const size = 8 << 20
	download := func(c *http.Client, url string) time.Duration {
		start := time.Now()
		resp, err := c.Get(url + "/bulk?n=" + strconv.Itoa(size))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != size {
			b.Fatalf("read %d bytes, %v; want %d", n, err, size)
		}
		return time.Since(start)
	}
	var inTunnel, plain time.Duration
	for b.Loop() {
		inTunnel += download(tunnelClient, "http://10.77.0.1")
		plain += download(plainClient, "http://"+ln.Addr().String())
	}
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(inTunnel), "tunnel-MB/s")
	b.ReportMetric(mbps(plain), "loopback-MB/s")
	b.ReportMetric(mbps(inTunnel)/mbps(plain), "ratio")
}

// BenchmarkFirstAnswer is the time from opening a terminal's device (keys,
// endpoint lookup, stack) to the first HTTP answer through it, handshake
// included.
func BenchmarkFirstAnswer(b *testing.B) {
	k := keys(b, 1)
	plat := startPlatform(b, k[0], 0, Peer{PublicKey: k[0].Public(), AllowedIPs: prefixes("10.77.0.9/32")})
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		term := keys(b, 1)[0]
		if err := plat.dev.AddPeer(Peer{PublicKey: term.Public(), AllowedIPs: prefixes("10.77.0.2/32")}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		dev, err := Open(terminalConfig(term, k[0], "localhost:"+strconv.Itoa(plat.port)), Options{Probe: netip.MustParseAddr("10.77.0.1")})
		if err != nil {
			b.Fatal(err)
		}
		body, err := get(dev.HTTPClient(), "http://10.77.0.1/hello")
		total += time.Since(start)
		b.StopTimer()
		dev.Close()
		plat.dev.RemovePeer(term.Public())
		b.StartTimer()
		if err != nil || body != helloBody {
			b.Fatalf("GET = %q, %v", body, err)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-answer")
}
