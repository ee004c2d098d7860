package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"hotline/api"
	"hotline/complaint"
	"hotline/store"
)

// Files go to the platform by themselves, in the background, in the order
// they were attached: the upload loop takes each unfinished upload, reads
// the file's SHA-256, asks whether the platform holds it already, and else
// sends it by tus in chunks, going on from where the platform says it
// stands after any cut, timeout or restart. When a file is on the platform
// its attach action may go, and the sender is woken.

// errStalled is a request that moved no bytes for Options.UploadStall.
var errStalled = errors.New("upload stalled: no bytes moved")

// UploadProgress is how far one upload has got.
type UploadProgress struct {
	Upload store.Upload
	Sent   int64 // bytes the platform has
	// Hashing: the file is being read for its SHA-256; Sent counts the
	// bytes read.
	Hashing bool
}

// uploadLoop runs the uploads until ctx ends.
func (c *Client) uploadLoop(ctx context.Context, emit func(Event), stop func()) {
	fails := 0
	for ctx.Err() == nil {
		err := c.UploadAll(ctx, emit)
		if ctx.Err() != nil {
			return
		}
		wait := c.opt.OutboxPoll
		switch {
		case errors.Is(err, ErrRevoked):
			stop()
			return
		case errors.Is(err, ErrLoginRequired):
			fails = 0
			wait = c.opt.RetryMax
		case err != nil:
			fails++
			c.log.Warn("upload paused", "err", err, "failures", fails)
			wait = c.backoff(fails)
		default:
			fails = 0
		}
		if !pause(ctx, wait, c.upWake) {
			return
		}
	}
}

// UploadAll sends every unfinished upload, oldest first, and returns at the
// first that cannot go on now (the platform out of reach): it is tried
// again, from where it stopped, on the next call. An upload that can never
// go on (its file gone or changed, refused by the platform) is marked
// failed, with its attach action refused, and the next one is taken.
func (c *Client) UploadAll(ctx context.Context, emit func(Event)) error {
	c.uploading.Lock()
	defer c.uploading.Unlock()
	ups, err := c.st.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, up := range ups {
		err := c.upload(ctx, up, emit)
		var fail *uploadFailure
		switch {
		case err == nil:
			c.Kick()
		case errors.As(err, &fail):
			c.log.Warn("upload failed", "id", up.ID, "ticket", up.Ticket, "reason", fail.reason)
			if err := c.st.UploadFailed(ctx, up.ID, fail.reason); err != nil {
				return err
			}
			if cur, found, _ := c.st.Upload(ctx, up.ID); found {
				c.report(emit, Event{Kind: UploadFailed, Upload: &UploadProgress{Upload: cur, Sent: cur.Sent}, Err: fail, Online: true, At: c.opt.Now()})
			}
		default:
			if ctx.Err() == nil {
				c.st.UploadStalled(ctx, up.ID, err.Error())
			}
			return classify(err)
		}
	}
	return nil
}

// uploadFailure is an upload that cannot go on; reason is for the officer.
type uploadFailure struct{ reason string }

func (e *uploadFailure) Error() string { return e.reason }

func failUpload(format string, args ...any) error {
	return &uploadFailure{reason: fmt.Sprintf(format, args...)}
}

func (c *Client) report(emit func(Event), ev Event) {
	if emit != nil {
		emit(ev)
	}
}

func (c *Client) upload(ctx context.Context, up store.Upload, emit func(Event)) error {
	f, err := os.Open(up.Path)
	if err != nil {
		return unreadable(up.Path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return unreadable(up.Path, err)
	}
	progress := func(sent int64, hashing bool) {
		up.Sent = sent
		c.report(emit, Event{Kind: Uploading, Upload: &UploadProgress{Upload: up, Sent: sent, Hashing: hashing}, Online: !hashing, At: c.opt.Now()})
	}
	switch {
	case up.SHA256 != "" && !up.ModTime.IsZero():
		// Read before (a restart, --resume): the file must still be the
		// version read then, or the platform would be given the old
		// bytes it already has with the new ones after them, or keep the
		// old file under a name the officer now means for the new one.
		if up.Changed(fi) {
			return failUpload("%s", store.ModifiedReason(up.Path))
		}
	case fi.Size() != up.Size:
		return failUpload("文件 %s 在添加后被修改（大小已变），请重新添加", up.Path)
	default:
		sum, err := hashReader(ctx, f, func(n int64) { progress(n, true) })
		if err != nil {
			return err
		}
		// A change while it was read leaves a hash of neither version.
		if after, err := os.Stat(up.Path); err != nil || after.Size() != fi.Size() || !after.ModTime().Equal(fi.ModTime()) {
			return failUpload("%s", store.ModifiedReason(up.Path))
		}
		if up.SHA256 != "" && sum != up.SHA256 {
			// Hashed by a program that kept no modification time, and
			// changed since.
			return failUpload("%s", store.ModifiedReason(up.Path))
		}
		if err := c.st.SetUploadHashAt(ctx, up.ID, sum, fi.ModTime()); err != nil {
			return err
		}
		up.SHA256, up.ModTime = sum, fi.ModTime()
	}
	for range 3 {
		done, err := c.sendFile(ctx, f, &up, progress)
		if err == nil && done {
			// Checked once more before the attach action may go.
			err = unchanged(up)
		}
		if err != nil {
			return err
		}
		if done {
			if err := c.st.UploadDone(ctx, up.ID); err != nil {
				return err
			}
			up.State, up.Sent = store.UploadDone, up.Size
			c.report(emit, Event{Kind: Uploaded, Upload: &UploadProgress{Upload: up, Sent: up.Size}, Online: true, At: c.opt.Now()})
			return nil
		}
		// The platform dropped the upload (it was kept under another
		// upload, or its contents did not check): start a new one.
		if err := c.st.SetUploadLocation(ctx, up.ID, ""); err != nil {
			return err
		}
		up.Location, up.Sent = "", 0
	}
	return failUpload("文件 %s 多次上传均未通过平台校验，请重新添加", up.Name)
}

// unchanged fails the upload when the file at its path is no longer the
// version its hash was read from, or is gone.
func unchanged(up store.Upload) error {
	fi, err := os.Stat(up.Path)
	if err != nil {
		return unreadable(up.Path, err)
	}
	if up.Changed(fi) {
		return failUpload("%s", store.ModifiedReason(up.Path))
	}
	return nil
}

// unreadable is the failure of an upload whose file cannot be opened or
// looked at: gone, or kept from this program.
func unreadable(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return failUpload("文件 %s 已被移动或删除，请放回原处后重试，或重新添加", path)
	}
	return failUpload("无法读取文件 %s：%v", path, err)
}

// sendFile moves the file's bytes the platform lacks. done is false when the
// platform dropped the upload and a new one must be made.
func (c *Client) sendFile(ctx context.Context, f *os.File, up *store.Upload, progress func(int64, bool)) (done bool, err error) {
	if _, found, err := c.api.File(c.short(ctx), up.SHA256); err != nil {
		return false, err
	} else if found {
		return true, nil
	}
	if up.Location == "" {
		rctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
		loc, err := c.api.CreateUpload(rctx, up.Size, api.UploadMeta{Name: up.Name, SHA256: up.SHA256, Ticket: up.Ticket})
		cancel()
		if err != nil {
			return false, c.uploadRefusal(err, up)
		}
		if err := c.st.SetUploadLocation(ctx, up.ID, loc); err != nil {
			return false, err
		}
		up.Location = loc
	}
	rctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	off, err := c.api.UploadOffset(rctx, up.Location)
	cancel()
	if errors.Is(err, api.ErrUploadGone) {
		// Kept by the platform after the last byte, or dropped.
		_, found, err := c.api.File(c.short(ctx), up.SHA256)
		return found, err
	}
	if err != nil {
		return false, err
	}
	last := time.Now()
	for off < up.Size || up.Size == 0 {
		// Bytes already sent are not read again: a change to them is
		// seen only here.
		if err := unchanged(*up); err != nil {
			return false, err
		}
		n := min(c.opt.UploadChunk, up.Size-off)
		next, err := c.patch(ctx, f, up.Location, off, n, func(sent int64) {
			if time.Since(last) >= 250*time.Millisecond {
				last = time.Now()
				progress(sent, false)
			}
		})
		if next > off {
			off = next
			if err := c.st.SetUploadSent(ctx, up.ID, off); err != nil {
				return false, err
			}
			progress(off, false)
		}
		if errors.Is(err, api.ErrUploadGone) {
			return false, nil
		}
		var se *api.StatusError
		if errors.As(err, &se) && se.Err.Code == api.CodeChecksum {
			sum, herr := hashReader(ctx, f, nil)
			if herr != nil {
				return false, herr
			}
			if sum != up.SHA256 {
				return false, failUpload("%s", store.ModifiedReason(up.Path))
			}
			return false, nil
		}
		if err != nil {
			return false, c.uploadRefusal(err, up)
		}
		if up.Size == 0 {
			break
		}
	}
	return true, nil
}

// uploadRefusal makes the platform's refusal of an upload (too large, the
// ticket not the unit's) an uploadFailure with its words; other errors stay
// as they are, to be retried.
func (c *Client) uploadRefusal(err error, up *store.Upload) error {
	var se *api.StatusError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Status {
	case http.StatusRequestEntityTooLarge, http.StatusBadRequest, http.StatusNotFound, http.StatusForbidden, http.StatusUnprocessableEntity:
		msg := se.Err.Message
		if msg == "" {
			msg = fmt.Sprintf("平台拒绝了文件 %s（HTTP %d）", up.Name, se.Status)
		}
		return failUpload("%s", msg)
	}
	return err
}

// short bounds a quick request.
func (c *Client) short(ctx context.Context) context.Context {
	rctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	context.AfterFunc(rctx, cancel)
	return rctx
}

// patch sends n bytes from off in one request, cancelling it when no byte
// has moved for UploadStall: over a cut tunnel a write blocks rather than
// fails, and the connection must be given up for a new one.
func (c *Client) patch(ctx context.Context, f *os.File, location string, off, n int64, sent func(int64)) (int64, error) {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	body := &watched{r: io.NewSectionReader(f, off, n), base: off, sent: sent}
	body.touch()
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(c.opt.UploadStall / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if time.Since(time.Unix(0, body.last.Load())) > c.opt.UploadStall {
					cancel(errStalled)
					return
				}
			}
		}
	}()
	next, err := c.api.Patch(rctx, location, off, body, n)
	if err != nil && errors.Is(context.Cause(rctx), errStalled) {
		err = fmt.Errorf("%w: %w", errStalled, err)
	}
	return next, err
}

// watched is a request body that notes when it was last read.
type watched struct {
	r    io.Reader
	base int64
	read int64
	last atomic.Int64
	sent func(int64)
}

func (w *watched) touch() { w.last.Store(time.Now().UnixNano()) }

func (w *watched) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.read += int64(n)
		w.touch()
		w.sent(w.base + w.read)
	}
	return n, err
}

// hashReader reads r from its start to the end for its SHA-256, reporting
// the bytes read now and then.
func hashReader(ctx context.Context, r io.ReadSeeker, read func(int64)) (string, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if err := copyReporting(ctx, h, r, read); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyReporting(ctx context.Context, w io.Writer, r io.Reader, read func(int64)) error {
	buf := make([]byte, 1<<20)
	var total int64
	last := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			total += int64(n)
			if read != nil && time.Since(last) >= 250*time.Millisecond {
				last = time.Now()
				read(total)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Fetch downloads an attachment of ticket number into dir, as
// dir/<sha256>/<name>, and returns its path: at once when it is there
// already. A download that broke off goes on from where it stopped; the
// whole file is checked against the attachment's SHA-256 before it is
// given its name, so a file under that name is always whole and right.
func (c *Client) Fetch(ctx context.Context, dir, number string, at complaint.Attachment, read func(got int64)) (string, error) {
	if !complaint.ValidSHA256(at.SHA256) || complaint.CheckName(at.Name) != nil {
		return "", fmt.Errorf("附件记录无效：%s", at)
	}
	final := filepath.Join(dir, at.SHA256, at.Name)
	if fi, err := os.Stat(final); err == nil && fi.Size() == at.Size {
		return final, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", err
	}
	part := final + ".part"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return "", err
	}
	if have > at.Size {
		have = 0
	}
	if have > 0 {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", err
		}
		if _, err := io.CopyN(h, f, have); err != nil {
			return "", err
		}
	}
	resp, err := c.api.Download(ctx, number, at.ID, have, at.SHA256)
	if err != nil {
		return "", classify(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && have > 0 {
		// The platform sent the whole file: start over.
		have = 0
		h = sha256.New()
	}
	if err := f.Truncate(have); err != nil {
		return "", err
	}
	if _, err := f.Seek(have, io.SeekStart); err != nil {
		return "", err
	}
	var report func(int64)
	if read != nil {
		report = func(n int64) { read(have + n) }
	}
	if err := copyReporting(ctx, io.MultiWriter(f, h), resp.Body, report); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != at.SHA256 {
		os.Remove(part)
		return "", fmt.Errorf("下载的附件“%s”校验不符（SHA-256 %s，应为 %s），请重试", at.Name, got, at.SHA256)
	}
	if err := os.Rename(part, final); err != nil {
		return "", err
	}
	return final, nil
}
