package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"hotline/complaint"
)

// UploadState is where a file stands on its way to the platform.
type UploadState string

const (
	UploadWaiting   UploadState = "waiting"   // not started, or stopped by a cut; goes on by itself
	UploadUploading UploadState = "uploading" // bytes are moving
	UploadDone      UploadState = "done"      // the platform holds the file; its attach action may go
	UploadFailed    UploadState = "failed"    // cannot go on (file changed or gone, refused); Error says why
)

// Upload is one file being attached: the outbox's attach action of the same
// ID waits until it is done.
type Upload struct {
	ID        string // the attach action's id
	Ticket    string
	Path      string // the file on this machine
	Name      string // the name it is attached under
	Size      int64
	SHA256    string // empty until read
	Location  string // the platform's tus upload URL, once made
	Sent      int64  // bytes the platform confirmed
	State     UploadState
	Error     string // Chinese, for the officer
	CreatedAt time.Time
	UpdatedAt time.Time
	// ModTime is the file's modification time when its hash was read:
	// with Size, what tells that version of the file from a later one.
	// Zero until read (or when read by a program that did not record it).
	ModTime time.Time
}

const uploadCols = `id, ticket, path, name, size, sha256, location, sent, state, error, created_at, updated_at, mtime`

func scanUpload(r rowScanner) (Upload, error) {
	var u Upload
	var mtime int64
	err := r.Scan(&u.ID, &u.Ticket, &u.Path, &u.Name, &u.Size, &u.SHA256, &u.Location, &u.Sent, &u.State, &u.Error,
		scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt), &mtime)
	u.ModTime = unixNano(mtime)
	return u, err
}

// unixNano is the time of a stored nanosecond count, the zero time for 0.
func unixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// Changed says whether the file at the upload's path is no longer the
// version its hash was read from: its size or modification time differ
// from the recorded ones. A file that is gone is not changed (see
// UploadReady); fi is the file's current Stat.
func (u Upload) Changed(fi os.FileInfo) bool {
	return fi.Size() != u.Size || !u.ModTime.IsZero() && !fi.ModTime().Equal(u.ModTime)
}

// Attach queues the file at path for ticket: an upload and, behind it in
// the outbox, the attach action that names the file once it is on the
// platform. Actions queued after it on the ticket (the reply the file goes
// with) wait for it. The file is read where it is, not copied: it must stay
// until the upload is done, and a change to it is caught by its hash.
func (s *Store) Attach(ctx context.Context, ticket string, baseVersion int64, part complaint.Part, path string) (Upload, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Upload{}, fmt.Errorf("附件 %s：%w", path, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Upload{}, fmt.Errorf("找不到文件 %s", abs)
	case errors.Is(err, os.ErrPermission):
		return Upload{}, fmt.Errorf("没有权限读取文件 %s", abs)
	case err != nil:
		return Upload{}, fmt.Errorf("附件 %s：%w", abs, err)
	case fi.IsDir():
		return Upload{}, fmt.Errorf("%s 是文件夹，请选择文件", abs)
	case !fi.Mode().IsRegular():
		return Upload{}, fmt.Errorf("%s 不是普通文件", abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return Upload{}, fmt.Errorf("没有权限读取文件 %s", abs)
	}
	f.Close()
	name := filepath.Base(abs)
	if err := complaint.CheckName(name); err != nil {
		return Upload{}, errors.New(complaint.Reason(err))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Upload{}, err
	}
	now := s.now().UTC()
	up := Upload{ID: id.String(), Ticket: ticket, Path: abs, Name: name, Size: fi.Size(), State: UploadWaiting, CreatedAt: now, UpdatedAt: now}
	a := complaint.Action{ID: up.ID, Kind: complaint.KindAttach, Ticket: ticket, BaseVersion: baseVersion, CreatedAt: now,
		Attachment: &complaint.Attachment{Name: name, Size: up.Size, Part: part}}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO uploads (`+uploadCols+`) VALUES (?, ?, ?, ?, ?, '', '', 0, ?, '', ?, ?, 0)`,
			up.ID, up.Ticket, up.Path, up.Name, up.Size, string(up.State), dbTime(now), dbTime(now)); err != nil {
			return err
		}
		return s.enqueueTx(ctx, tx, a)
	})
	if err != nil {
		return Upload{}, fmt.Errorf("store: attach %s to %s: %w", path, ticket, err)
	}
	return up, nil
}

// Uploads lists the uploads of a ticket, or all when ticket is empty,
// oldest first.
func (s *Store) Uploads(ctx context.Context, ticket string) ([]Upload, error) {
	q := `SELECT ` + uploadCols + ` FROM uploads`
	var args []any
	if ticket != "" {
		q += ` WHERE ticket = ?`
		args = append(args, ticket)
	}
	return s.queryUploads(ctx, "uploads", q+` ORDER BY created_at, id`, args...)
}

// Upload returns one upload; found is false when there is none with id.
func (s *Store) Upload(ctx context.Context, id string) (u Upload, found bool, err error) {
	u, err = scanUpload(s.db.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM uploads WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("store: upload %s: %w", id, err)
	}
	return u, true, nil
}

// Unfinished lists the uploads still to move (waiting or uploading), in the
// order they were queued, with the state their outbox action is in: an
// upload whose action was discarded is not wanted any more.
func (s *Store) Unfinished(ctx context.Context) ([]Upload, error) {
	return s.queryUploads(ctx, "unfinished uploads", `SELECT `+prefixed("u.", uploadCols)+` FROM uploads u
		JOIN outbox o ON o.id = u.id AND o.status = 'pending'
		WHERE u.state IN ('waiting', 'uploading') ORDER BY u.created_at, u.id`)
}

// queryUploads runs q, which selects uploadCols; what names the list in
// errors.
func (s *Store) queryUploads(ctx context.Context, what, q string, args ...any) ([]Upload, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// SetUploadHash records the file's SHA-256, read from the file as it is
// now: its modification time is taken from the file. Use SetUploadHashAt
// with the time the file had before it was read, so that a change while it
// was read is not taken for the version hashed.
func (s *Store) SetUploadHash(ctx context.Context, id, sum string) error {
	u, found, err := s.Upload(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("store: upload %s: no such upload", id)
	}
	fi, err := os.Stat(u.Path)
	if err != nil {
		return fmt.Errorf("store: upload %s: %w", id, err)
	}
	return s.SetUploadHashAt(ctx, id, sum, fi.ModTime())
}

// SetUploadHashAt records the file's SHA-256, on the upload and on its
// attach action, and the modification time of the version it was read
// from.
func (s *Store) SetUploadHashAt(ctx context.Context, id, sum string, modTime time.Time) error {
	var mtime int64
	if !modTime.IsZero() {
		mtime = modTime.UnixNano()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE uploads SET sha256 = ?, mtime = ?, updated_at = ? WHERE id = ?`, sum, mtime, dbTime(s.now()), id); err != nil {
			return err
		}
		it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
		if err != nil {
			return fmt.Errorf("store: upload %s: its action: %w", id, err)
		}
		if it.Attachment == nil {
			return fmt.Errorf("store: upload %s: its action has no attachment", id)
		}
		at := *it.Attachment
		at.SHA256 = sum
		it.Attachment = &at
		fields, err := fieldsOf(it.Action).arg()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET fields = ?, updated_at = ? WHERE id = ?`, fields, dbTime(s.now()), id)
		return err
	})
}

// SetUploadLocation records the platform's upload URL, so a restart goes on
// with the same upload.
func (s *Store) SetUploadLocation(ctx context.Context, id, location string) error {
	return s.setUpload(ctx, id, `location = ?, sent = 0`, location)
}

// SetUploadSent records how far the upload has got and that it is moving.
func (s *Store) SetUploadSent(ctx context.Context, id string, sent int64) error {
	return s.setUpload(ctx, id, `sent = ?, state = 'uploading', error = ''`, sent)
}

// UploadStalled puts the upload back to waiting with the reason it stopped
// (a cut link, say); it goes on by itself.
func (s *Store) UploadStalled(ctx context.Context, id, reason string) error {
	return s.setUpload(ctx, id, `state = 'waiting', error = ?`, reason)
}

// UploadDone marks the file as held by the platform.
func (s *Store) UploadDone(ctx context.Context, id string) error {
	return s.setUpload(ctx, id, `state = 'done', sent = size, error = ''`)
}

// UploadFailed stops the upload for good with the reason, and refuses its
// attach action with the same words, so it is seen and can be discarded.
func (s *Store) UploadFailed(ctx context.Context, id, reason string) error {
	if err := s.setUpload(ctx, id, `state = 'failed', error = ?`, reason); err != nil {
		return err
	}
	return s.MarkRefused(ctx, id, reason, nil)
}

// RetryUpload starts a failed upload again from the file (after the officer
// put it back, say), with its action pending again.
func (s *Store) RetryUpload(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'waiting', error = '', sha256 = '', mtime = 0, location = '', sent = 0, updated_at = ? WHERE id = ?`, dbTime(s.now()), id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', last_error = '', updated_at = ? WHERE id = ? AND status = 'refused'`, dbTime(s.now()), id)
		return err
	})
}

func (s *Store) setUpload(ctx context.Context, id, set string, args ...any) error {
	args = append(args, dbTime(s.now()), id)
	res, err := s.db.ExecContext(ctx, `UPDATE uploads SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: upload %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: upload %s: no such upload", id)
	}
	return nil
}

// ModifiedReason is why an upload whose file changed after its hash was
// read is failed: what the platform holds, or would, is not the file as it
// is now.
func ModifiedReason(path string) string {
	return fmt.Sprintf("文件 %s 在上传过程中被修改，请重新添加", path)
}

// UploadReady reports whether the attach action id may go: its file is on
// the platform and, right before it names the file, the file on this
// machine is still the version that went up. A file changed since fails
// the upload and refuses the action (ModifiedReason); one moved away does
// not, for the platform holds what was read. Actions that are not
// attachments are always ready.
func (s *Store) UploadReady(ctx context.Context, id string) (bool, error) {
	u, found, err := s.Upload(ctx, id)
	if err != nil {
		return false, err
	}
	if !found {
		return true, nil
	}
	if u.State != UploadDone {
		return false, nil
	}
	if fi, err := os.Stat(u.Path); err == nil && !u.ModTime.IsZero() && u.Changed(fi) {
		if err := s.UploadFailed(ctx, id, ModifiedReason(u.Path)); err != nil {
			return false, err
		}
		return false, nil
	}
	return true, nil
}

// Rebase puts a pending attach action onto the ticket's current version,
// keeping its id (the upload's): the platform records no refusal under an
// id, so the same id may go again.
func (s *Store) Rebase(ctx context.Context, id string, baseVersion int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET base_version = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND kind = ?`,
		baseVersion, dbTime(s.now()), id, string(complaint.KindAttach))
	if err != nil {
		return fmt.Errorf("store: rebase %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: rebase %s: no pending attachment", id)
	}
	return nil
}
