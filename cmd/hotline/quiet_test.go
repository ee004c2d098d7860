package main

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	netstacklog "gvisor.dev/gvisor/pkg/log"

	"hotline/platform/sample"
	"hotline/store"
)

// The screen's whole path (the tunnel, the link filling an empty cache, the
// program drawing) writes nothing to stderr, the terminal the screen is
// drawn on: the standard log package, slog's default logger and gVisor's
// netstack all end in the log file under the state directory. It runs in a
// child process whose stderr is kept apart from its stdout.
func TestUIWritesNothingToStderr(t *testing.T) {
	if os.Getenv("HOTLINE_QUIET_CHILD") != "" {
		t.Skip("running as the child")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestUIQuietChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HOTLINE_QUIET_CHILD="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Keys never come; the input stays open until the child is done.
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, tail(stdout.String()), stderr.String())
	}
	if !strings.Contains(stdout.String(), "--- PASS: TestUIQuietChild") {
		t.Fatalf("the child ran no test:\n%s", tail(stdout.String()))
	}
	if stderr.Len() != 0 {
		t.Fatalf("the screen's path wrote %d bytes to stderr:\n%s", stderr.Len(), stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "duty-quiet", "state", logFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`level=INFO msg="std log: quiet line"`,
		`level=INFO msg="slog default: quiet line"`,
		`level=WARN msg="netstack: quiet line" part=netstack`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the log lacks %s:\n%s", want, b)
		}
	}
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// TestUIQuietChild runs the screen on a demo platform until the link has
// filled the cache, writes through each road a dependency could take, and
// closes the screen.
func TestUIQuietChild(t *testing.T) {
	dir := os.Getenv("HOTLINE_QUIET_CHILD")
	if dir == "" {
		t.Skip("only in the child of TestUIWritesNothingToStderr")
	}
	p, err := startDemoPlatform(dir, demoOptions{Tickets: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	settings, err := p.addTerminal(ctx, "duty", "duty-quiet", "")
	if err != nil {
		t.Fatal(err)
	}
	term, err := openTerminal(settings)
	if err != nil {
		t.Fatal(err)
	}
	defer term.close()
	sess, err := term.login(ctx, sample.Password("duty"))
	if err != nil {
		t.Fatal(err)
	}
	synced := make(chan int, 1)
	go func() {
		defer cancel()
		guard := time.Now().Add(30 * time.Second)
		for time.Now().Before(guard) {
			if n, _ := term.store.Count(ctx, store.Filter{}); n > 0 {
				synced <- n
				log.Print("std log: quiet line")
				slog.Info("slog default: quiet line")
				netstacklog.Warningf("netstack: quiet line")
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// Input from the pipe the parent holds open: a program given no input
	// would look for the controlling terminal, which a test has none of.
	if err := runUI(ctx, term, sess, tea.WithInput(os.Stdin)); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-synced:
		t.Logf("the cache held %d tickets", n)
	default:
		t.Fatal("the link never filled the cache")
	}
}

// A log grown past logMax is set aside as .1 when the terminal opens, and
// a new one begun; a smaller one is kept and appended to.
func TestOpenLogSetsAsideALargeLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, logFile)
	if err := os.WriteFile(path, []byte("small\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("more\n")
	f.Close()
	if b, _ := os.ReadFile(path); string(b) != "small\nmore\n" {
		t.Fatalf("small log: %q", b)
	}
	if _, err := os.Stat(path + ".1"); !os.IsNotExist(err) {
		t.Fatalf("a small log was set aside: %v", err)
	}

	big := bytes.Repeat([]byte("x"), logMax+1)
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1", []byte("older"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err = openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new\n")
	f.Close()
	if b, _ := os.ReadFile(path); string(b) != "new\n" {
		t.Fatalf("log after setting aside: %q", b)
	}
	if fi, err := os.Stat(path + ".1"); err != nil || fi.Size() != logMax+1 {
		t.Fatalf("set aside: %v %v, want %d bytes", fi, err, logMax+1)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("new log mode %v, want 0600", fi.Mode().Perm())
	}
}
