package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hotline/complaint"
)

// attachTemp queues a 4 KiB file for ticket 9001 and returns its upload and
// path.
func attachTemp(t *testing.T, s *Store) (Upload, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "情况说明.docx")
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	up, err := s.Attach(context.Background(), "9001", 1, complaint.PartReply, path)
	if err != nil {
		t.Fatal(err)
	}
	return up, path
}

// touch gives the file at path another modification time, its size and
// bytes kept: a change that only the time tells.
func touch(t *testing.T, path string, mod time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// The modification time of the version hashed is kept to the nanosecond,
// and tells that version from a later one of the same size.
func TestUploadKeepsTheVersionHashed(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	up, path := attachTemp(t, s)
	if !up.ModTime.IsZero() {
		t.Fatalf("a queued upload has a version already: %v", up.ModTime)
	}
	mod := time.Date(2026, 12, 3, 8, 0, 0, 123456789, time.UTC)
	touch(t, path, mod)
	if err := s.SetUploadHashAt(ctx, up.ID, "ab", mod); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Upload(ctx, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ModTime.Equal(mod) || got.SHA256 != "ab" {
		t.Fatalf("upload after hashing: sha %q, mtime %v; want ab, %v", got.SHA256, got.ModTime, mod)
	}
	fi, _ := os.Stat(path)
	if got.Changed(fi) {
		t.Error("the file as hashed is taken for changed")
	}
	touch(t, path, mod.Add(time.Nanosecond))
	fi, _ = os.Stat(path)
	if !got.Changed(fi) {
		t.Error("a file whose modification time moved is not taken for changed")
	}
	// Started again from the file, the version is read again too.
	if err := s.RetryUpload(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = s.Upload(ctx, up.ID); !got.ModTime.IsZero() || got.SHA256 != "" {
		t.Errorf("after retry: sha %q, mtime %v; want both cleared", got.SHA256, got.ModTime)
	}
	// SetUploadHash takes the file's time as it is now.
	if err := s.SetUploadHash(ctx, up.ID, "cd"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = s.Upload(ctx, up.ID); !got.ModTime.Equal(mod.Add(time.Nanosecond)) {
		t.Errorf("SetUploadHash recorded %v, want the file's %v", got.ModTime, mod.Add(time.Nanosecond))
	}
}

// Right before the attach action goes, a file changed since it went up
// fails its upload and refuses the action with the reason; a file moved
// away after the upload does not hold the action up.
func TestUploadReadyChecksTheFile(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	up, path := attachTemp(t, s)
	mod := time.Date(2026, 12, 3, 8, 0, 0, 5, time.UTC)
	touch(t, path, mod)
	if ready, err := s.UploadReady(ctx, up.ID); err != nil || ready {
		t.Fatalf("ready before the upload: %v, %v", ready, err)
	}
	if err := s.SetUploadHashAt(ctx, up.ID, "ab", mod); err != nil {
		t.Fatal(err)
	}
	if err := s.UploadDone(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	if ready, err := s.UploadReady(ctx, up.ID); err != nil || !ready {
		t.Fatalf("ready with the file as sent: %v, %v", ready, err)
	}
	touch(t, path, mod.Add(time.Second))
	if ready, err := s.UploadReady(ctx, up.ID); err != nil || ready {
		t.Fatalf("ready with the file changed: %v, %v", ready, err)
	}
	want := "文件 " + path + " 在上传过程中被修改，请重新添加"
	got, _, _ := s.Upload(ctx, up.ID)
	if got.State != UploadFailed || got.Error != want {
		t.Errorf("upload: state %s, error %q; want failed, %q", got.State, got.Error, want)
	}
	it, err := s.Item(ctx, up.ID)
	if err != nil || it.Status != StatusRefused || it.LastError != want {
		t.Errorf("attach action: %s %q (%v); want refused, %q", it.Status, it.LastError, err, want)
	}

	other, path2 := attachTemp(t, s)
	if err := s.SetUploadHash(ctx, other.ID, "cd"); err != nil {
		t.Fatal(err)
	}
	if err := s.UploadDone(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path2); err != nil {
		t.Fatal(err)
	}
	if ready, err := s.UploadReady(ctx, other.ID); err != nil || !ready {
		t.Errorf("ready with the file gone after the upload: %v, %v", ready, err)
	}
}
