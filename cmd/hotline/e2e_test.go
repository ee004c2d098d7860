package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hotline/api"
	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/platform"
	"hotline/platform/sample"
	"hotline/store"
	"hotline/tunnel"
)

// sharedData is a file of the shared data folder beside the repository.
func sharedData(t testing.TB, name string) string {
	t.Helper()
	return testenv.Shared(t, "data/"+name)
}

// realPlatform is a demo platform holding the 2,816 real tickets of
// 附件4.xlsx, each a new ticket to sign.
func realPlatform(tb testing.TB, wrap func(http.Handler) http.Handler) *demoPlatform {
	tb.Helper()
	file := sharedData(tb, "teddy2020c/附件4.xlsx")
	p, err := startDemoPlatform(tb.TempDir(), demoOptions{Wrap: wrap})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.close)
	sum, err := p.db.Import(context.Background(), file, platform.ImportOptions{Unit: sample.UnitCode, Open: true})
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Added != 2816 || sum.Rows != 2816 || sum.Bad != 0 {
		tb.Fatalf("import: %+v, want 2816 rows added", sum)
	}
	return p
}

// loggedIn registers a terminal for the duty officer, dialing endpoint (or
// the platform directly), and logs it in; it returns the terminal and its
// settings file.
func (p *demoPlatform) loggedIn(tb testing.TB, name, endpoint string) (*terminal, string) {
	tb.Helper()
	return p.loggedInAs(tb, "duty", name, endpoint)
}

// loggedInAs is loggedIn for any of the demo's users.
func (p *demoPlatform) loggedInAs(tb testing.TB, login, name, endpoint string) (*terminal, string) {
	tb.Helper()
	ctx := context.Background()
	settings, err := p.addTerminal(ctx, login, name, endpoint)
	if err != nil {
		tb.Fatal(err)
	}
	term, err := openTerminal(settings)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := term.login(ctx, sample.Password(login)); err != nil {
		term.close()
		tb.Fatal(err)
	}
	return term, settings
}

// relay forwards UDP between the terminal and the platform and can drop
// everything, which is a tunnel cut as the two devices see it.
type relay struct {
	conn   *net.UDPConn
	target *net.UDPAddr
	cut    atomic.Bool
	// dataCut passes WireGuard's handshakes and drops its data: the
	// tunnel is "up" and nothing gets through, as when the platform's
	// program stopped behind a peer that still answers.
	dataCut atomic.Bool
	mu      sync.Mutex
	peer    *net.UDPAddr
}

func newRelay(t testing.TB, target string) *relay {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ta, err := net.ResolveUDPAddr("udp4", target)
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{conn: c, target: ta}
	t.Cleanup(func() { c.Close() })
	go r.run()
	return r
}

func (r *relay) addr() string { return r.conn.LocalAddr().String() }

func (r *relay) run() {
	buf := make([]byte, 65535)
	for {
		n, from, err := r.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if r.cut.Load() || (r.dataCut.Load() && n > 0 && buf[0] == 4) {
			continue
		}
		if from.Port == r.target.Port && from.IP.Equal(r.target.IP) {
			r.mu.Lock()
			to := r.peer
			r.mu.Unlock()
			if to != nil {
				r.conn.WriteToUDP(buf[:n], to)
			}
			continue
		}
		r.mu.Lock()
		r.peer = from
		r.mu.Unlock()
		r.conn.WriteToUDP(buf[:n], r.target)
	}
}

// cutAfterReply lets the platform apply the first reply it receives, then
// cuts the tunnel before the answer leaves: the terminal never hears back.
type cutAfterReply struct {
	relay *relay
	done  atomic.Bool
}

func (c *cutAfterReply) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != api.PathActions || c.done.Load() {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !bytes.Contains(body, []byte(`"kind":"reply"`)) || !c.done.CompareAndSwap(false, true) {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		c.relay.cut.Store(true)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// xlsxCells reads the first sheet's named columns straight from the file,
// trimmed, by ticket number: the reference the synced cache must equal.
func xlsxCells(t testing.TB, path string) map[string][2]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	out := map[string][2]string{}
	for _, r := range rows[1:] {
		get := func(name string) string {
			if i := col[name]; i < len(r) {
				return strings.TrimSpace(r[i])
			}
			return ""
		}
		out[get("留言编号")] = [2]string{get("留言主题"), get("留言详情")}
	}
	return out
}

func TestEndToEndRealData(t *testing.T) {
	file := sharedData(t, "teddy2020c/附件4.xlsx")
	ctx := context.Background()
	cut := &cutAfterReply{}
	p := realPlatform(t, cut.wrap)
	again, err := p.db.Import(ctx, file, platform.ImportOptions{Unit: sample.UnitCode, Open: true})
	if err != nil || again.Added != 0 || again.Existing != 2816 {
		t.Fatalf("second import: %+v, %v; want 0 added, 2816 existing", again, err)
	}

	cut.relay = newRelay(t, p.endpoint())
	term, _ := p.loggedIn(t, "duty-1", cut.relay.addr())
	defer term.close()
	res, err := term.client.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 2816 {
		t.Fatalf("sync: %+v, want 2816 new", res)
	}
	n, err := term.store.Count(ctx, store.Filter{})
	if err != nil || n != 2816 {
		t.Fatalf("cache holds %d tickets (%v), want 2816", n, err)
	}
	want := xlsxCells(t, file)
	if len(want) != 2816 {
		t.Fatalf("reference has %d numbers", len(want))
	}
	for number, cells := range want {
		tk, err := term.store.Ticket(ctx, number)
		if err != nil {
			t.Fatalf("ticket %s: %v", number, err)
		}
		if tk.Title != cells[0] || tk.Content != cells[1] {
			t.Fatalf("ticket %s differs from the file:\ntitle   %q\nwant    %q\ncontent %.80q\nwant    %.80q", number, tk.Title, cells[0], tk.Content, cells[1])
		}
	}

	const number = "2549"
	if _, err := term.enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: number}); err != nil {
		t.Fatal(err)
	}
	if fr, err := term.client.Flush(ctx); err != nil || fr.Sent != 1 {
		t.Fatalf("sign flush: %+v, %v", fr, err)
	}
	text := "已联系来电人吉𠮷先生，说明“物业交接”期间的供水供电安排，对方表示理解。"
	if _, err := term.enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: number, Reply: &complaint.Reply{Text: text}}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	fr, _ := term.client.Flush(short)
	cancel()
	if !cut.done.Load() || fr.Sent != 0 {
		t.Fatalf("the reply should have reached the platform and its answer been lost: cut=%v %+v", cut.done.Load(), fr)
	}
	if pending, _ := term.store.PendingCount(ctx); pending != 1 {
		t.Fatalf("pending = %d after the lost answer, want 1", pending)
	}
	cut.relay.cut.Store(false)
	var sent int
	for i := 0; i < 20 && sent == 0; i++ {
		fctx, fcancel := context.WithTimeout(ctx, 3*time.Second)
		fr, _ = term.client.Flush(fctx)
		fcancel()
		sent = fr.Sent
	}
	if sent != 1 {
		t.Fatalf("resend after the tunnel came back: %+v", fr)
	}
	got, err := term.store.Ticket(ctx, number)
	if err != nil || got.State != complaint.Replied || got.Reply == nil || got.Reply.Text != text {
		t.Fatalf("cached ticket after reply: state %s reply %+v err %v", got.State, got.Reply, err)
	}
	onPlatform, err := p.db.Ticket(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, e := range onPlatform.Events {
		if e.Kind == complaint.KindReply {
			replies++
		}
	}
	if replies != 1 || onPlatform.Reply == nil || onPlatform.Reply.Text != text || onPlatform.State != complaint.Replied {
		t.Fatalf("platform: %d reply events, reply %+v, state %s; want exactly one reply with the text", replies, onPlatform.Reply, onPlatform.State)
	}
}

// A terminal whose platform never answers gets a clear word on what to
// check, not a bare time-out; its action stays queued.
func TestNoHandshakeIsExplained(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{Tickets: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	term, settings := p.loggedIn(t, "duty-x", "")
	if _, err := term.client.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts, err := term.store.Tickets(context.Background(), store.Filter{States: []complaint.State{complaint.Dispatched}})
	if err != nil || len(ts) == 0 {
		t.Fatalf("no ticket to sign: %v", err)
	}
	term.close()
	// Point the terminal at a UDP port where nobody listens.
	dead := newRelay(t, "127.0.0.1:9")
	dead.cut.Store(true)
	conf := filepath.Join(filepath.Dir(settings), "hotline.conf")
	tc, err := tunnel.Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	tc.Peers[0].Endpoint = dead.addr()
	if err := tc.Save(conf); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	stdout = &out
	defer func() { stdout = os.Stdout }()
	if err := run([]string{"sync", "--once", "--config", settings}); err == nil ||
		!strings.Contains(err.Error(), "no WireGuard handshake with "+dead.addr()+" in 6s: check that the platform is running") {
		t.Fatalf("sync with no platform: %v", err)
	}
	if err := run([]string{"sign", ts[0].Number, "--config", settings}); err != nil {
		t.Fatal(err)
	}
	if want := "签收 " + ts[0].Number + ": queued (no WireGuard handshake with " + dead.addr(); !strings.HasPrefix(out.String(), want) {
		t.Fatalf("sign said %q, want it to start %q", out.String(), want)
	}
}
