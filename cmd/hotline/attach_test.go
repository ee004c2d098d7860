package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/store"
)

// TestReplyWaitsForItsFiles: a duty officer attaches a photo and the
// written statement to the reply and sends the reply, all while the tunnel
// is cut. Nothing goes; when the tunnel is back the files go first, then
// the attach actions, then the reply, and the platform's history has them
// in that order. The files come back down into the cache under their exact
// Chinese names, byte for byte.
func TestReplyWaitsForItsFiles(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ctx := context.Background()
	ts := p.gen.Tickets(1, time.Now(), time.Hour)
	if _, err := p.db.Dispatch(ctx, ts, "center"); err != nil {
		t.Fatal(err)
	}
	number := ts[0].Number
	rl := newRelay(t, p.endpoint())
	term, _ := p.loggedInAs(t, "duty", "duty-files", rl.addr())
	defer term.close()
	if err := term.connect(); err != nil {
		t.Fatal(err)
	}
	if _, err := term.client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	photo := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4}, 40_000)
	statement := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("情况说明"), 5_000)...)
	files := map[string][]byte{"现场照片（1）.jpg": photo, "情况说明.docx": statement}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	rl.cut.Store(true)
	tk, err := term.store.Ticket(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"现场照片（1）.jpg", "情况说明.docx"} {
		if _, err := term.store.Attach(ctx, number, tk.Version, complaint.PartReply, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []complaint.Kind{complaint.KindSign} {
		if _, err := term.enqueue(ctx, complaint.Action{Kind: k, Ticket: number}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := term.enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: number, Reply: &complaint.Reply{Text: "经核实，已派员到现场处理，详见情况说明。"}}); err != nil {
		t.Fatal(err)
	}
	// The sender goes through the outbox with the files not on the
	// platform: nothing on the ticket may go.
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	res, err := term.client.Flush(short)
	cancel()
	if err != nil || res.Sent != 0 {
		t.Fatalf("flush with the files waiting: %+v, %v; want nothing sent", res, err)
	}

	rl.cut.Store(false)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := term.client.UploadAll(ctx, nil); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("uploads did not finish within 60 s of the tunnel's return")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if res, err := term.client.Flush(ctx); err != nil || res.Sent != 4 || res.Refused != 0 {
		t.Fatalf("flush after the uploads: %+v, %v; want the 2 attachments, the sign and the reply sent", res, err)
	}
	pending, _ := term.store.Pending(ctx)
	if len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}

	got, err := p.db.Ticket(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []complaint.Kind
	for _, e := range got.Events[1:] {
		kinds = append(kinds, e.Kind)
	}
	if want := []complaint.Kind{complaint.KindAttach, complaint.KindAttach, complaint.KindSign, complaint.KindReply}; !slices.Equal(kinds, want) {
		t.Errorf("platform history %v, want %v", kinds, want)
	}
	if got.State != complaint.Replied || len(got.Attachments) != 2 {
		t.Fatalf("platform ticket: state %s, attachments %+v", got.State, got.Attachments)
	}
	cache := t.TempDir()
	for _, a := range got.Attachments {
		if a.Part != complaint.PartReply || a.By != "duty" {
			t.Errorf("attachment %+v", a)
		}
		path, err := term.client.Fetch(ctx, cache, number, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if filepath.Base(path) != a.Name || err != nil || !bytes.Equal(b, files[a.Name]) {
			t.Errorf("downloaded %s as %s: %d bytes, %v", a.Name, path, len(b), err)
		}
	}
	ups, _ := term.store.Uploads(ctx, number)
	for _, u := range ups {
		if u.State != store.UploadDone || u.Sent != u.Size {
			t.Errorf("upload %+v", u)
		}
	}
}
