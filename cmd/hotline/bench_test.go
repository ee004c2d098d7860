package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSyncRealData measures a terminal's first sync of the 2,816 real
// tickets through the tunnel: each iteration is a new terminal with an empty
// cache. Run: go test ./cmd/hotline -run '^$' -bench SyncRealData -benchtime 3x
func BenchmarkSyncRealData(b *testing.B) {
	ctx := context.Background()
	p := realPlatform(b, nil)
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		term, _ := p.loggedIn(b, fmt.Sprintf("bench-%d", i), "")
		b.StartTimer()
		start := time.Now()
		res, err := term.client.SyncOnce(ctx)
		total += time.Since(start)
		if err != nil || res.New != 2816 {
			b.Fatalf("sync: %+v %v", res, err)
		}
		b.StopTimer()
		term.close()
		b.StartTimer()
	}
	secs := total.Seconds() / float64(b.N)
	b.ReportMetric(secs, "s/sync")
	b.ReportMetric(2816/secs, "tickets/s")
}

// BenchmarkListColdStart runs the real `hotline list` binary on a cache of
// the 2,816 real tickets: process start, opening the cache, reading and
// printing every ticket.
func BenchmarkListColdStart(b *testing.B) {
	p := realPlatform(b, nil)
	term, settings := p.loggedIn(b, "bench-list", "")
	if _, err := term.client.SyncOnce(context.Background()); err != nil {
		b.Fatal(err)
	}
	term.close()
	bin := filepath.Join(b.TempDir(), "hotline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for b.Loop() {
		cmd := exec.Command(bin, "list", "--config", settings)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
