package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hotline/platform"
	"hotline/platform/sample"
)

// BenchmarkSyncRealData measures a terminal's first sync of the 2,816 real
// tickets through the tunnel: each iteration is a new terminal with an empty
// cache. Run: go test ./cmd/hotline -run '^$' -bench SyncRealData -benchtime 3x
func BenchmarkSyncRealData(b *testing.B) {
	file := sharedData(b, "teddy2020c/附件4.xlsx")
	ctx := context.Background()
	p, err := startDemoPlatform(b.TempDir(), demoOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	if _, err := p.db.Import(ctx, file, platform.ImportOptions{Unit: sample.UnitCode, Open: true}); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		settings, err := p.addTerminal(ctx, "duty", "bench-"+time.Now().Format("150405.000000000"), "")
		if err != nil {
			b.Fatal(err)
		}
		term, err := openTerminal(settings)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := term.login(ctx, sample.Password("duty")); err != nil {
			b.Fatal(err)
		}
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
	file := sharedData(b, "teddy2020c/附件4.xlsx")
	ctx := context.Background()
	dir := b.TempDir()
	p, err := startDemoPlatform(dir, demoOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	if _, err := p.db.Import(ctx, file, platform.ImportOptions{Unit: sample.UnitCode, Open: true}); err != nil {
		b.Fatal(err)
	}
	settings, err := p.addTerminal(ctx, "duty", "bench-list", "")
	if err != nil {
		b.Fatal(err)
	}
	term, err := openTerminal(settings)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := term.login(ctx, sample.Password("duty")); err != nil {
		b.Fatal(err)
	}
	if _, err := term.client.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	term.close()
	bin := filepath.Join(dir, "hotline")
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
