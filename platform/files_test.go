package platform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"hotline/api"
	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/media"
)

// filesEnv is a server with attachments on disk and one ticket of U1.
type filesEnv struct {
	*env
	dir    string
	files  *Files
	ticket complaint.Ticket
}

func newFilesEnv(t *testing.T, maxSize int64) *filesEnv {
	t.Helper()
	dir := t.TempDir()
	files, err := DiskFiles(dir, maxSize)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Options{Files: files})
	tk := ticketN("U1", 1)
	mustDispatch(t, e.db, []complaint.Ticket{tk})
	got, err := e.db.Ticket(context.Background(), tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	return &filesEnv{env: e, dir: dir, files: files, ticket: got}
}

// restart serves the same database and files from a new server, as after
// a restart of the platform.
func (e *filesEnv) restart(t *testing.T) {
	e.ts.Close()
	e.srv = NewServer(e.db, Options{Files: e.files, Now: e.srv.opts.Now})
	e.h = e.srv.Handler()
	e.ts = httptest.NewServer(e.h)
	t.Cleanup(e.ts.Close)
}

func sumOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// someBytes are n bytes that do not compress, starting with head.
func someBytes(n int, head []byte, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, head)
	return b
}

var jpegHead = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}

// upload sends b in parts of at most chunk bytes and returns the upload's
// location.
func upload(t *testing.T, c *api.Client, ticket, name string, b []byte, chunk int) string {
	t.Helper()
	ctx := context.Background()
	loc, err := c.CreateUpload(ctx, int64(len(b)), api.UploadMeta{Name: name, SHA256: sumOf(b), Ticket: ticket})
	if err != nil {
		t.Fatalf("create upload of %s: %v", name, err)
	}
	for off := 0; off < len(b); off += chunk {
		end := min(off+chunk, len(b))
		got, err := c.Patch(ctx, loc, int64(off), bytes.NewReader(b[off:end]), int64(end-off))
		if err != nil {
			t.Fatalf("patch %s at %d: %v", name, off, err)
		}
		if got != int64(end) {
			t.Fatalf("patch %s at %d: offset %d, want %d", name, off, got, end)
		}
	}
	return loc
}

func attach(t *testing.T, c *api.Client, tk complaint.Ticket, id int, at complaint.Attachment) (complaint.Ticket, error) {
	t.Helper()
	r, err := c.Act(context.Background(), complaint.Action{ID: newID(id), Kind: complaint.KindAttach, Ticket: tk.Number,
		BaseVersion: tk.Version, CreatedAt: clockAt, Attachment: &at})
	return r.Ticket, err
}

func blobCount(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A photo and a written statement with Chinese names go up in parts, are
// attached, listed and downloaded byte for byte under their exact names;
// the same photo again is kept once.
func TestAttachmentsRoundTrip(t *testing.T) {
	e := newFilesEnv(t, 0)
	c := e.client(t, "duty1")
	ctx := context.Background()
	photo := someBytes(300_001, jpegHead, 1)
	doc := someBytes(20_480, []byte("PK\x03\x04"), 2)

	if _, found, err := c.File(ctx, sumOf(photo)); err != nil || found {
		t.Fatalf("File before upload: found %v, err %v", found, err)
	}
	upload(t, c, e.ticket.Number, "现场照片（1）.jpg", photo, 100_000)
	f, found, err := c.File(ctx, sumOf(photo))
	if err != nil || !found {
		t.Fatalf("File after upload: found %v, err %v", found, err)
	}
	if f != (api.File{SHA256: sumOf(photo), Size: 300_001, Type: "image/jpeg"}) {
		t.Errorf("File = %+v", f)
	}
	upload(t, c, e.ticket.Number, "情况说明.docx", doc, 1<<20)

	tk, err := attach(t, c, e.ticket, 1, complaint.Attachment{Name: "现场照片（1）.jpg", Size: int64(len(photo)), SHA256: sumOf(photo), Part: complaint.PartTicket})
	if err != nil {
		t.Fatal(err)
	}
	tk, err = attach(t, c, tk, 2, complaint.Attachment{Name: "情况说明.docx", Size: int64(len(doc)), SHA256: sumOf(doc), Part: complaint.PartReply})
	if err != nil {
		t.Fatal(err)
	}
	// The same photo again, under another name: its contents are kept once.
	upload(t, c, e.ticket.Number, "现场照片（2）.jpg", photo, 1<<20)
	tk, err = attach(t, c, tk, 3, complaint.Attachment{Name: "现场照片（2）.jpg", Size: int64(len(photo)), SHA256: sumOf(photo), Part: complaint.PartTicket})
	if err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, e.dir); n != 2 {
		t.Errorf("%d files kept, want 2 (the photo once, the statement)", n)
	}

	list, err := c.Attachments(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	want := []complaint.Attachment{
		{ID: newID(1), Name: "现场照片（1）.jpg", Type: "image/jpeg", Size: 300_001, SHA256: sumOf(photo), Part: complaint.PartTicket, By: "duty1", At: clockAt.UTC()},
		{ID: newID(2), Name: "情况说明.docx", Type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Size: 20_480, SHA256: sumOf(doc), Part: complaint.PartReply, By: "duty1", At: clockAt.UTC()},
		{ID: newID(3), Name: "现场照片（2）.jpg", Type: "image/jpeg", Size: 300_001, SHA256: sumOf(photo), Part: complaint.PartTicket, By: "duty1", At: clockAt.UTC()},
	}
	if len(list) != len(want) {
		t.Fatalf("listed %d attachments, want %d: %+v", len(list), len(want), list)
	}
	for i := range want {
		if list[i] != want[i] {
			t.Errorf("attachment %d:\n got %+v\nwant %+v", i, list[i], want[i])
		}
	}
	if ev := tk.Events[len(tk.Events)-1]; ev.Kind != complaint.KindAttach || ev.Fields["name"] != "现场照片（2）.jpg" || ev.Fields["size"] != "300001" {
		t.Errorf("last event = %+v", ev)
	}

	resp, err := c.Download(ctx, tk.Number, newID(2), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, doc) {
		t.Errorf("downloaded %d bytes, not the statement's %d", len(got), len(doc))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != "attachment; filename*=UTF-8''%E6%83%85%E5%86%B5%E8%AF%B4%E6%98%8E.docx" {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if h := resp.Header.Get(api.HeaderSHA256); h != sumOf(doc) {
		t.Errorf("%s = %q", api.HeaderSHA256, h)
	}
	// A broken download goes on from where it stopped.
	resp, err = c.Download(ctx, tk.Number, newID(1), 123_456, sumOf(photo))
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, photo[123_456:]) {
		t.Errorf("ranged download: status %d, %d bytes, want 206 and the last %d", resp.StatusCode, len(got), len(photo)-123_456)
	}
}

// Another unit's people can neither list, download nor upload to the
// unit's tickets, nor touch its uploads: to them none of it exists.
func TestAttachmentsOtherUnit(t *testing.T) {
	e := newFilesEnv(t, 0)
	mine, other := e.client(t, "duty1"), e.client(t, "duty2")
	ctx := context.Background()
	photo := someBytes(50_000, jpegHead, 3)
	upload(t, mine, e.ticket.Number, "现场照片.jpg", photo, 1<<20)
	tk, err := attach(t, mine, e.ticket, 1, complaint.Attachment{Name: "现场照片.jpg", Size: int64(len(photo)), SHA256: sumOf(photo), Part: complaint.PartTicket})
	if err != nil {
		t.Fatal(err)
	}
	started, err := mine.CreateUpload(ctx, 1000, api.UploadMeta{Name: "扫描件.pdf", SHA256: sumOf(make([]byte, 1000)), Ticket: tk.Number})
	if err != nil {
		t.Fatal(err)
	}

	notFound := func(what string, err error) {
		t.Helper()
		var se *api.StatusError
		if !errors.As(err, &se) || se.Status != http.StatusNotFound {
			t.Errorf("%s by another unit: err = %v, want 404", what, err)
		}
	}
	_, err = other.Attachments(ctx, tk.Number)
	notFound("list", err)
	_, err = other.Download(ctx, tk.Number, newID(1), 0, "")
	notFound("download", err)
	_, err = other.CreateUpload(ctx, 10, api.UploadMeta{Name: "x.jpg", SHA256: sumOf(make([]byte, 10)), Ticket: tk.Number})
	notFound("upload to the ticket", err)
	if _, err := other.UploadOffset(ctx, started); !errors.Is(err, api.ErrUploadGone) {
		t.Errorf("HEAD of another's upload: err = %v, want gone", err)
	}
	if _, err := other.Patch(ctx, started, 0, bytes.NewReader(make([]byte, 1000)), 1000); !errors.Is(err, api.ErrUploadGone) {
		t.Errorf("PATCH of another's upload: err = %v, want gone", err)
	}
	if off, err := mine.UploadOffset(ctx, started); err != nil || off != 0 {
		t.Errorf("the owner's upload after another's PATCH: offset %d, err %v; want 0", off, err)
	}
	// Attaching by hash needs the ticket, whatever the hash.
	_, err = attach(t, other, tk, 2, complaint.Attachment{Name: "现场照片.jpg", Size: int64(len(photo)), SHA256: sumOf(photo), Part: complaint.PartTicket})
	notFound("attach", err)
	// And nobody unauthenticated gets anything.
	anon := &api.Client{Base: e.ts.URL, HTTP: e.ts.Client()}
	var se *api.StatusError
	if _, err := anon.CreateUpload(ctx, 10, api.UploadMeta{Name: "x.jpg", SHA256: sumOf(make([]byte, 10)), Ticket: tk.Number}); !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Errorf("upload without a session: err = %v, want 401", err)
	}
}

// A file over the limit is refused when the upload is made, with the limit
// and the size; a file whose bytes are not the ones announced is refused
// after the last byte and not kept; an attachment of a file never uploaded
// is refused.
func TestUploadRefusals(t *testing.T) {
	e := newFilesEnv(t, 1<<20)
	c := e.client(t, "duty1")
	ctx := context.Background()
	_, err := c.CreateUpload(ctx, 5<<20, api.UploadMeta{Name: "现场录像.mp4", SHA256: sumOf(nil), Ticket: e.ticket.Number})
	var se *api.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusRequestEntityTooLarge ||
		se.Err.Message != "文件“现场录像.mp4”大小为 5.0 MiB（5242880 字节），超过平台允许的单个文件上限 1.0 MiB（1048576 字节）" {
		t.Errorf("too large: %v", err)
	}
	for _, bad := range []api.UploadMeta{
		{Name: "a/b.jpg", SHA256: sumOf(nil), Ticket: e.ticket.Number},
		{Name: "照片.jpg", SHA256: "ABC", Ticket: e.ticket.Number},
		{Name: "照片.jpg", SHA256: sumOf(nil), Ticket: "NO-SUCH"},
	} {
		if _, err := c.CreateUpload(ctx, 10, bad); !errors.As(err, &se) || se.Status/100 != 4 {
			t.Errorf("CreateUpload(%+v): err = %v, want a refusal", bad, err)
		}
	}

	b := someBytes(4096, jpegHead, 4)
	loc, err := c.CreateUpload(ctx, int64(len(b)), api.UploadMeta{Name: "照片.jpg", SHA256: sumOf(b[:10]), Ticket: e.ticket.Number})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Patch(ctx, loc, 0, bytes.NewReader(b), int64(len(b)))
	if !errors.As(err, &se) || se.Status != http.StatusUnprocessableEntity || se.Err.Code != api.CodeChecksum {
		t.Errorf("wrong checksum: err = %v, want 422 %s", err, api.CodeChecksum)
	}
	if _, err := c.UploadOffset(ctx, loc); !errors.Is(err, api.ErrUploadGone) {
		t.Errorf("upload after a failed check: err = %v, want gone", err)
	}
	if n := blobCount(t, e.dir); n != 0 {
		t.Errorf("%d files kept after a failed check", n)
	}
	_, err = attach(t, c, e.ticket, 1, complaint.Attachment{Name: "照片.jpg", Size: int64(len(b)), SHA256: sumOf(b), Part: complaint.PartTicket})
	if !errors.As(err, &se) || se.Status != http.StatusUnprocessableEntity || se.Err.Message != "附件“照片.jpg”尚未上传到平台，上传完成后会自动提交" {
		t.Errorf("attach before upload: %v", err)
	}
	// Only the center adds recordings.
	upload(t, c, e.ticket.Number, "录音.wav", b, 1<<20)
	_, err = attach(t, c, e.ticket, 2, complaint.Attachment{Name: "录音.wav", Size: int64(len(b)), SHA256: sumOf(b), Part: complaint.PartRecording})
	if !errors.As(err, &se) || se.Err.Message != "来电录音只能由12345中心添加" {
		t.Errorf("recording by a duty officer: %v", err)
	}
}

// An upload goes on after the platform restarts, from the bytes it had.
func TestUploadAcrossRestart(t *testing.T) {
	e := newFilesEnv(t, 0)
	c := e.client(t, "duty1")
	ctx := context.Background()
	b := someBytes(1<<20+17, jpegHead, 5)
	loc, err := c.CreateUpload(ctx, int64(len(b)), api.UploadMeta{Name: "现场照片（1）.jpg", SHA256: sumOf(b), Ticket: e.ticket.Number})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Patch(ctx, loc, 0, bytes.NewReader(b[:600_000]), 600_000); err != nil {
		t.Fatal(err)
	}
	e.restart(t)
	c.Base, c.HTTP = e.ts.URL, e.ts.Client()
	loc = e.ts.URL + api.PathUploads + filepath.Base(loc)
	off, err := c.UploadOffset(ctx, loc)
	if err != nil || off != 600_000 {
		t.Fatalf("offset after restart = %d, %v; want 600000", off, err)
	}
	if got, err := c.Patch(ctx, loc, off, bytes.NewReader(b[off:]), int64(len(b))-off); err != nil || got != int64(len(b)) {
		t.Fatalf("rest after restart: %d, %v", got, err)
	}
	if _, found, err := c.File(ctx, sumOf(b)); err != nil || !found {
		t.Fatalf("kept after restart: %v %v", found, err)
	}
	kept, err := os.ReadFile(filepath.Join(e.dir, "files", sumOf(b)[:2], sumOf(b)))
	if err != nil || !bytes.Equal(kept, b) {
		t.Errorf("kept contents differ (%v)", err)
	}
}

// The center attaches a call recording made with espeak-ng; the platform
// reads its duration from the file.
func TestRecordingDuration(t *testing.T) {
	espeak := testenv.Command(t, "espeak-ng", "espeak-ng")
	e := newFilesEnv(t, 0)
	wav := filepath.Join(t.TempDir(), "来电录音.wav")
	if out, err := exec.Command(espeak, "-v", "zh", "-w", wav, "市民来电反映小区门口井盖缺失，请尽快处理").CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, out)
	}
	b, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	want, err := media.FileDuration(wav)
	if err != nil || want <= 0 {
		t.Fatalf("duration of the recording: %v, %v", want, err)
	}
	c := e.client(t, "center1")
	upload(t, c, e.ticket.Number, "来电录音.wav", b, 1<<20)
	tk, err := attach(t, c, e.ticket, 1, complaint.Attachment{Name: "来电录音.wav", Size: int64(len(b)), SHA256: sumOf(b), Part: complaint.PartRecording})
	if err != nil {
		t.Fatal(err)
	}
	got := tk.Attachments[0]
	if got.Type != "audio/wav" || got.Duration != want || got.Part != complaint.PartRecording || got.By != "center1" {
		t.Errorf("recording = %+v, want audio/wav lasting %v", got, want)
	}
}

// pcmWAV is a WAV file of n bytes of 16-bit mono PCM at rate, silence
// after the first samples: what a telephone system records.
func pcmWAV(rate uint32, n int) []byte {
	b := make([]byte, 44+n)
	le := binary.LittleEndian
	copy(b, "RIFF")
	le.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], 1) // PCM
	le.PutUint16(b[22:], 1) // mono
	le.PutUint32(b[24:], rate)
	le.PutUint32(b[28:], 2*rate)
	le.PutUint16(b[32:], 2)
	le.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	le.PutUint32(b[40:], uint32(n))
	for i := 44; i < len(b) && i < 44+64; i++ {
		b[i] = byte(i * 37)
	}
	return b
}

// Only WAV or MP3 audio whose length can be read is taken as a call
// recording: a document, an empty file and a recording cut short to its
// first 100 bytes are refused (422) with what is accepted; a whole WAV is
// attached with its length. The same contents go as a ticket attachment.
func TestRecordingRefusals(t *testing.T) {
	e := newFilesEnv(t, 0)
	c := e.client(t, "center1")
	good := pcmWAV(22050, 2*22050*3/2) // 1.5 s
	cut := good[:100]
	docx := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("情况说明"), 100)...)
	rule := "来电录音只接受能读出时长的 WAV 或 MP3 音频"
	for i, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"情况说明.docx", docx, "“情况说明.docx”不是 WAV 或 MP3 音频（application/vnd.openxmlformats-officedocument.wordprocessingml.document）：" + rule},
		{"空.txt", nil, "“空.txt”是空文件：" + rule},
		{"来电录音（截断）.wav", cut, "“来电录音（截断）.wav”读不出时长（文件不完整、已损坏或没有声音）：" + rule},
	} {
		upload(t, c, e.ticket.Number, tc.name, tc.b, 1<<20)
		_, err := attach(t, c, e.ticket, i+1, complaint.Attachment{Name: tc.name, Size: int64(len(tc.b)), SHA256: sumOf(tc.b), Part: complaint.PartRecording})
		var se *api.StatusError
		if !errors.As(err, &se) || se.Status != http.StatusUnprocessableEntity || se.Err.Message != tc.want {
			t.Errorf("%s as a recording: %v\nwant 422 %q", tc.name, err, tc.want)
		}
	}
	upload(t, c, e.ticket.Number, "来电录音.wav", good, 1<<20)
	tk, err := attach(t, c, e.ticket, 10, complaint.Attachment{Name: "来电录音.wav", Size: int64(len(good)), SHA256: sumOf(good), Part: complaint.PartRecording})
	if err != nil {
		t.Fatalf("a whole WAV as a recording: %v", err)
	}
	if a := tk.Attachments[0]; a.Type != "audio/wav" || a.Duration != 1500*time.Millisecond {
		t.Errorf("recording = %+v, want audio/wav lasting 1.5s", a)
	}
	// As evidence on the ticket, the cut one is kept, with no length.
	tk, err = attach(t, c, tk, 11, complaint.Attachment{Name: "来电录音（截断）.wav", Size: int64(len(cut)), SHA256: sumOf(cut), Part: complaint.PartTicket})
	if err != nil {
		t.Fatalf("the cut WAV on the ticket: %v", err)
	}
	if a := tk.Attachments[1]; a.Type != "audio/wav" || a.Duration != 0 {
		t.Errorf("cut WAV on the ticket = %+v, want audio/wav without a length", a)
	}
}

// A WAV whose data chunk says more than the file holds is cut short; the
// sizes streaming writers leave, and a whole file, are not.
func TestWAVCutShort(t *testing.T) {
	whole := pcmWAV(8000, 1600)
	streamed := func(size uint32) []byte {
		b := bytes.Clone(whole)
		binary.LittleEndian.PutUint32(b[40:], size)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		cut  bool
	}{
		{"whole", whole, false},
		{"cut to 100 bytes", whole[:100], true},
		{"one byte short", whole[:len(whole)-1], true},
		{"streamed, size 0", streamed(0), false},
		{"streamed, size 0xFFFFFFFF", streamed(0xFFFFFFFF), false},
		{"streamed by espeak-ng", streamed(0x7FFFF000), false},
		{"not a WAV", []byte("PK\x03\x04 and more"), false},
	} {
		if got := wavCutShort(bytes.NewReader(tc.b), int64(len(tc.b))); got != tc.cut {
			t.Errorf("%s: cut short = %v, want %v", tc.name, got, tc.cut)
		}
	}
}

// Uploads that have not moved for the expiry are dropped, bytes and state,
// with copies hotlined attach left behind; those still moving, or made
// recently, stay.
func TestExpireUploads(t *testing.T) {
	dir := t.TempDir()
	files, err := DiskFiles(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	write := func(name string, age time.Duration) {
		t.Helper()
		p := filepath.Join(files.Uploads, name)
		if err := os.WriteFile(p, []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	week := UploadExpiry
	write("abandoned", week+time.Hour) // made and left
	write("abandoned.info", week+2*time.Hour)
	write("moving", time.Minute) // made long ago, a byte a minute ago
	write("moving.info", 30*24*time.Hour)
	write("fresh", time.Hour)
	write("fresh.info", time.Hour)
	write("empty.info", week+time.Hour) // state without bytes
	write("copy-123", week+time.Hour)
	write("copy-456", time.Hour)
	n, err := files.Expire(now, week)
	if err != nil || n != 3 {
		t.Fatalf("Expire: %d, %v; want 3 removed", n, err)
	}
	entries, err := os.ReadDir(files.Uploads)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"copy-456", "fresh", "fresh.info", "moving", "moving.info"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}
