package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/store"
)

// rawRoutes add two endpoints beside the API for the benchmark: a sink that
// reads a body and a source that writes n bytes, so that plain HTTP through
// the same tunnel gives the speed the attachments' path is measured against.
func rawRoutes(next http.Handler) http.Handler {
	block := bytes.Repeat([]byte("热线"), 1<<14)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bench/sink":
			n, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, n)
		case "/bench/source":
			n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
			for n > 0 {
				k := min(n, int64(len(block)))
				if _, err := w.Write(block[:k]); err != nil {
					return
				}
				n -= k
			}
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// BenchmarkAttachmentThroughput moves a 128 MiB file through the tunnel in
// each round: up as an attachment (tus, kept and hashed again by the
// platform), down into the terminal's cache (checked against its SHA-256),
// and the same size as plain HTTP both ways through the same tunnel. It
// reports the four speeds and the attachments' share of the plain ones.
// Run: go test ./cmd/hotline -run '^$' -bench AttachmentThroughput -benchtime 3x
func BenchmarkAttachmentThroughput(b *testing.B) {
	const size = 128 << 20
	ctx := context.Background()
	p, err := startDemoPlatform(b.TempDir(), demoOptions{Wrap: rawRoutes})
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	ts := p.gen.Tickets(1, time.Now(), time.Hour)
	if _, err := p.db.Dispatch(ctx, ts, "center"); err != nil {
		b.Fatal(err)
	}
	term, _ := p.loggedInAs(b, "duty", "bench-files", "")
	defer term.close()
	if _, err := term.client.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	hc, base := term.api.HTTP, term.api.Base
	dir := b.TempDir()
	var up, down, rawUp, rawDown time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		// A new file each round, so that no round finds it on the platform.
		path := filepath.Join(dir, fmt.Sprintf("现场录像（%d）.mp4", i))
		data := someData(size, uint64(i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256(data)
		tk, err := term.store.Ticket(ctx, ts[0].Number)
		if err != nil {
			b.Fatal(err)
		}
		u, err := term.store.Attach(ctx, tk.Number, tk.Version, complaint.PartTicket, path)
		if err != nil {
			b.Fatal(err)
		}
		// The terminal reads the hash when the file is attached; the
		// transfer is what is measured.
		if err := term.store.SetUploadHash(ctx, u.ID, hex.EncodeToString(sum[:])); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start := time.Now()
		if err := term.client.UploadAll(ctx, nil); err != nil {
			b.Fatal(err)
		}
		up += time.Since(start)
		b.StopTimer()
		if got, _, _ := term.store.Upload(ctx, u.ID); got.State != store.UploadDone {
			b.Fatalf("upload %s: %+v", u.ID, got)
		}
		if _, err := term.client.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		tk, err = term.store.Ticket(ctx, ts[0].Number)
		if err != nil || len(tk.Attachments) != i+1 {
			b.Fatalf("ticket after attach %d: %d attachments, %v", i, len(tk.Attachments), err)
		}
		at := tk.Attachments[i]
		b.StartTimer()

		start = time.Now()
		got, err := term.client.Fetch(ctx, filepath.Join(dir, "cache"), tk.Number, at, nil)
		if err != nil {
			b.Fatal(err)
		}
		down += time.Since(start)

		start = time.Now()
		resp, err := hc.Post(base+"/bench/sink", "application/octet-stream", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		rawUp += time.Since(start)

		start = time.Now()
		resp, err = hc.Get(base + "/bench/source?n=" + strconv.Itoa(size))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		rawDown += time.Since(start)
		b.StopTimer()
		if n != size {
			b.Fatalf("plain download: %d bytes", n)
		}
		os.Remove(got)
		os.Remove(path)
		b.StartTimer()
	}
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(up), "upload-MB/s")
	b.ReportMetric(mbps(rawUp), "raw-up-MB/s")
	b.ReportMetric(mbps(up)/mbps(rawUp), "up-ratio")
	b.ReportMetric(mbps(down), "download-MB/s")
	b.ReportMetric(mbps(rawDown), "raw-down-MB/s")
	b.ReportMetric(mbps(down)/mbps(rawDown), "down-ratio")
}

// someData is n bytes that do not compress.
func someData(n int, seed uint64) []byte {
	b := make([]byte, n)
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := 0; i+8 <= n; i += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		for k := range 8 {
			b[i+k] = byte(x >> (8 * k))
		}
	}
	return b
}
