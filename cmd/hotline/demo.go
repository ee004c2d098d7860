package main

import (
	"context"
	"fmt"
	"hotline/cmd/internal/cli"
	"hotline/platform/intake"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"hotline/calendar"
	"hotline/complaint"
	"hotline/platform"
	"hotline/platform/sample"
	"hotline/platform/sender"
	"hotline/tunnel"
)

// demoPlatform is a whole platform in this process: database, units and
// users of a power-supply unit, and the API served inside its own tunnel on
// loopback.
type demoPlatform struct {
	dir     string
	db      *platform.DB
	svc     *platform.Service
	key     tunnel.Key
	network netip.Prefix
	gen     *sample.Generator
	cal     *calendar.Calendar
	log     *slog.Logger
	skipped int // bad rows of an imported file
	// files keeps attachments; with recordings set, the center attaches a
	// call recording to what it dispatches.
	files      *platform.Files
	recordings bool
}

type demoOptions struct {
	Tickets int // generated tickets to start with
	// Recordings: the center attaches a call recording to the newest
	// tickets it seeds and to each one it dispatches later.
	Recordings bool
	Import     string // seed from this file instead
	Seed       uint64
	Now        time.Time
	Logger     *slog.Logger
	Server     platform.Options
	Wrap       func(http.Handler) http.Handler // tests cut the tunnel from here
	Senders    map[string]sender.Sender        // notification channels; none in the demo

	// Progress shows the import's progress on stderr, before the screen
	// opens.
	Progress bool
}

func startDemoPlatform(dir string, o demoOptions) (*demoPlatform, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	ctx := context.Background()
	dbPath := filepath.Join(dir, "platform.db")
	_, statErr := os.Stat(dbPath)
	reuse := statErr == nil
	if o.Import != "" && !reuse {
		if _, err := os.Stat(o.Import); err != nil {
			return nil, fmt.Errorf("--import: %w", err)
		}
	}
	db, err := platform.Open(dbPath)
	if err != nil {
		return nil, err
	}
	p := &demoPlatform{dir: dir, db: db, network: netip.MustParsePrefix("10.77.0.0/24"), gen: sample.New(o.Seed, 0), log: o.Logger, recordings: o.Recordings}
	fail := func(err error) (*demoPlatform, error) { db.Close(); return nil, err }
	if o.Server.Files == nil {
		if o.Server.Files, err = platform.DiskFiles(dir, 0); err != nil {
			return fail(err)
		}
	}
	p.files = o.Server.Files
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		return fail(err)
	}
	db.SetCalendar(cal)
	p.cal = cal
	if p.key, err = demoKey(dir); err != nil {
		return fail(err)
	}
	if reuse {
		// A kept demo directory goes on where it stopped. Its new tickets
		// are numbered from an offset taken from the clock, so that they
		// do not repeat the numbers of earlier runs.
		p.gen = sample.New(o.Seed, 100000+int(o.Now.Unix()%800000))
		return p.start(o)
	}
	for _, u := range sample.Units() {
		if err := db.AddUnit(ctx, u); err != nil {
			return fail(err)
		}
	}
	for _, u := range sample.Users() {
		if err := db.AddUser(ctx, u, sample.Password(u.Login)); err != nil {
			return fail(err)
		}
	}
	if o.Import != "" {
		// A demo takes what it can of a file: the bad rows are named in
		// the log and counted on the way out.
		opts := platform.ImportOptions{Unit: sample.UnitCode, Open: true, Options: intake.Options{SkipBad: true}}
		prog := cli.NewProgress(filepath.Base(o.Import))
		if o.Progress {
			opts.Progress, opts.Saving = prog.Step("rows read"), prog.Step("tickets saved")
		}
		sum, err := db.Import(ctx, o.Import, opts)
		prog.Close()
		if err != nil {
			return fail(err)
		}
		for _, pr := range sum.Problems {
			o.Logger.Warn("demo import: bad row skipped", "problem", pr.Error())
		}
		o.Logger.Info("demo import", "file", o.Import, "added", sum.Added, "bad", sum.Bad)
		p.skipped = sum.Bad
	} else if err := p.seed(ctx, o.Tickets, o.Now); err != nil {
		return fail(err)
	}
	return p.start(o)
}

// demoKey is the demo platform's tunnel key, kept in its directory so that a
// kept demo's terminals still know it.
func demoKey(dir string) (tunnel.Key, error) {
	path := filepath.Join(dir, "platform.key")
	if b, err := os.ReadFile(path); err == nil {
		return tunnel.ParseKey(strings.TrimSpace(string(b)))
	}
	k, err := tunnel.GenerateKey()
	if err != nil {
		return k, err
	}
	return k, os.WriteFile(path, []byte(k.String()+"\n"), 0o600)
}

// start serves the demo platform inside its tunnel.
func (p *demoPlatform) start(o demoOptions) (*demoPlatform, error) {
	var err error
	o.Server.RequireTerminal = true
	p.svc, err = platform.StartService(p.db, platform.ServiceConfig{
		Key: p.key, Network: p.network, ListenPort: 0, MTU: 1420, Logger: o.Logger,
		Server: o.Server, Wrap: o.Wrap, PeerPoll: time.Second, Senders: o.Senders,
	})
	if err != nil {
		p.db.Close()
		return nil, err
	}
	return p, nil
}

// fedSpan is how far back the demo's fed-back tickets reach: far enough
// for some to have run past their 4 working days, so that the figures'
// 及时率 has late ones to count.
const fedSpan = 14 * 24 * time.Hour

// seed dispatches n generated tickets: the older 2/5 over the two weeks
// before the others, to be worked through the whole procedure to the
// center, so that the lists of fed-back tickets and the figures have
// something in them; the rest over the last three days, worked to varied
// states, so that every role has something to do (see procedure).
func (p *demoPlatform) seed(ctx context.Context, n int, now time.Time) error {
	const span = 72 * time.Hour
	done := n * 2 / 5
	at := func(i int) time.Time { return now.Add(-span + time.Duration(i)*span/time.Duration(max(n, 1))) }
	ts := p.gen.Tickets(done, at(done), fedSpan)
	for i := done; i < n; i++ {
		ts = append(ts, p.gen.Ticket(at(i)))
	}
	if _, err := p.db.Dispatch(ctx, ts, "center"); err != nil {
		return err
	}
	if p.recordings {
		if err := p.record(ctx, ts[max(0, len(ts)-3):]); err != nil {
			return err
		}
	}
	return p.procedure(ctx, ts[:done], ts[done:], now)
}

// demoReply is a whole reply, in the parts the review asks for, from the
// sub-unit named.
func demoReply(t *complaint.Ticket, subunit string) *complaint.Reply {
	r := &complaint.Reply{
		Findings:       fmt.Sprintf("经核查，来电人反映的“%s”问题属实。", t.Title),
		Explanation:    "工作人员已电话向来电人说明原因和处理经过，来电人表示理解。",
		Measures:       subunit + "已派员到现场处理，问题已解决，并将加强日常巡视。",
		Basis:          "依据《供电营业规则》和本公司服务承诺办理。",
		CitizenOpinion: "来电人对处理结果表示认可。",
	}
	r.Text = r.Compose()
	return r
}

// dispatchOne sends one new generated ticket to the unit, as the center would.
func (p *demoPlatform) dispatchOne(ctx context.Context, now time.Time) (complaint.Ticket, error) {
	t := p.gen.Ticket(now)
	if _, err := p.db.Dispatch(ctx, []complaint.Ticket{t}, "center"); err != nil {
		return t, err
	}
	if p.recordings {
		return t, p.record(ctx, []complaint.Ticket{t})
	}
	return t, nil
}

// addTerminal registers a terminal for a user and writes its files into
// dir/name, with its state beside them; it returns the settings file. The
// terminal dials endpoint, or the platform directly when it is empty.
func (p *demoPlatform) addTerminal(ctx context.Context, user, name, endpoint string) (string, error) {
	if endpoint == "" {
		endpoint = p.endpoint()
	}
	conf, settings := filepath.Join(p.dir, name, "hotline.conf"), filepath.Join(p.dir, name, "hotline.toml")
	if tc, err := tunnel.Load(conf); err == nil && len(tc.Peers) == 1 {
		if _, err := os.Stat(settings); err == nil {
			// A kept demo: the platform listens on a new port each run.
			tc.Peers[0].Endpoint = endpoint
			return settings, tc.Save(conf)
		}
	}
	tk, err := tunnel.GenerateKey()
	if err != nil {
		return "", err
	}
	t, err := p.db.AddTerminal(ctx, name, user, tk.Public().String(), p.network)
	if err != nil {
		return "", err
	}
	if err := p.svc.SyncPeers(ctx); err != nil {
		return "", err
	}
	files := platform.TerminalFiles{
		Dir: filepath.Join(p.dir, name), Tunnel: platform.TerminalTunnel(p.key, p.network, endpoint, 1420, t, tk),
		API: platform.APIURL(p.network, 80), User: user, State: "state",
	}
	_, settings, err = files.Write()
	return settings, err
}

// endpoint is where the platform's tunnel listens.
func (p *demoPlatform) endpoint() string {
	return fmt.Sprintf("127.0.0.1:%d", p.svc.Device.ListenPort())
}

func (p *demoPlatform) close() {
	if p.svc != nil {
		p.svc.Close()
	}
	p.db.Close()
}

func cmdDemo(args []string) error {
	fs, _ := newFlags("demo")
	every := fs.Duration("every", 30*time.Second, "dispatch a new ticket this often (0: never)")
	file := fs.String("import", "", "seed from this complaint file (.xlsx or .csv) instead of generated tickets")
	n := fs.Int("tickets", 60, "generated tickets to start with")
	keep := fs.String("dir", "", "keep the demo's files in this directory (default: a temporary one, removed at exit)")
	as := fs.String("as", "duty", "log in as duty, handler, leader, jcb or center")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	if *n < 0 || *n > 5000 {
		return usageError(fmt.Sprintf("--tickets %d: give 0 to 5000", *n))
	}
	if *every < 0 {
		return usageError("--every must not be negative (0: no new tickets)")
	}
	if err := needTTY(); err != nil {
		return err
	}
	known := false
	for _, u := range sample.Users() {
		known = known || u.Login == *as
	}
	if !known {
		return usageError(fmt.Sprintf("--as %q: the demo's logins are duty, handler, leader, jcb and center", *as))
	}
	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "hotline-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(dir, "platform.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	fmt.Fprintf(os.Stderr, "hotline demo: starting the platform in %s …\n", dir)
	p, err := startDemoPlatform(dir, demoOptions{Tickets: *n, Import: *file, Progress: true, Seed: rand.Uint64(), Recordings: true, Logger: slog.New(slog.NewTextHandler(lf, nil))})
	if err != nil {
		return err
	}
	defer p.close()
	if p.skipped > 0 {
		fmt.Fprintf(os.Stderr, "hotline demo: %d bad rows of %s skipped; see %s\n", p.skipped, *file, lf.Name())
	}
	// Closing the window or a kill ends the demo the same way q does, so
	// that its temporary directory is removed.
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGHUP, syscall.SIGTERM)
	defer cancel()
	settingsPath, err := p.addTerminal(ctx, *as, *as+"-demo", "")
	if err != nil {
		return err
	}
	t, err := openTerminal(settingsPath)
	if err != nil {
		return err
	}
	defer t.close()
	sess, err := t.login(ctx, sample.Password(*as))
	if err != nil {
		return fmt.Errorf("demo login: %w", err)
	}
	if *every > 0 {
		go func() {
			tick := time.NewTicker(*every)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case now := <-tick.C:
					if _, err := p.dispatchOne(ctx, now); err != nil {
						p.log.Error("demo dispatch", "err", err)
					}
				}
			}
		}()
	}
	err = runUI(ctx, t, sess)
	if *keep != "" {
		t.sayUnsent(context.Background(), os.Stderr)
		// The commands without the screen work on the kept files too;
		// say where their settings are.
		fmt.Fprintf(os.Stderr, "hotline demo: files kept in %s; this terminal's settings are %s (e.g. hotline search 停电 --config %s)\n", dir, settingsPath, settingsPath)
	}
	return err
}
