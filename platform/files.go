package platform

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"hotline/complaint"
	"hotline/media"
)

// DefaultMaxFileSize is the largest attachment a platform takes unless its
// settings say otherwise: large enough for a long video or a scanned file.
const DefaultMaxFileSize int64 = 4 << 30

// Blobs keeps attachments' contents by their SHA-256. It is the boundary an
// object-storage back end would implement; Disk is the one there is.
type Blobs interface {
	// Has reports whether the contents with this hash are kept, and their size.
	Has(sum string) (size int64, ok bool, err error)
	// Open opens the contents for reading, with the time they were kept.
	Open(sum string) (f io.ReadSeekCloser, kept time.Time, err error)
	// Adopt takes the file at path, whose SHA-256 is sum, into the store;
	// path is gone afterwards. Contents already kept are not kept twice.
	Adopt(path, sum string) error
}

// Disk keeps contents as files under a directory, files/ab/abcdef…: one file
// per distinct SHA-256, read-only, sharded by the first two hex digits so
// that no directory grows past 256 entries plus its share of the files.
type Disk struct{ Dir string }

func (d Disk) path(sum string) string { return filepath.Join(d.Dir, sum[:2], sum) }

func (d Disk) Has(sum string) (int64, bool, error) {
	fi, err := os.Stat(d.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return fi.Size(), true, nil
}

func (d Disk) Open(sum string) (io.ReadSeekCloser, time.Time, error) {
	f, err := os.Open(d.path(sum))
	if err != nil {
		return nil, time.Time{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, time.Time{}, err
	}
	return f, fi.ModTime(), nil
}

func (d Disk) Adopt(path, sum string) error {
	dst := d.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(path)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	if err := os.Chmod(path, 0o440); err != nil {
		return err
	}
	// A rename within one file system: a reader sees the whole file or none.
	return os.Rename(path, dst)
}

// Files are a platform's attachments: their contents in Blobs, uploads in
// progress under Uploads (tus, see uploads.go), the largest file taken.
type Files struct {
	Blobs   Blobs
	Uploads string // directory of uploads in progress
	MaxSize int64  // bytes; DefaultMaxFileSize when 0
}

// DiskFiles is the layout under a platform's data directory:
//
//	files/ab/<sha256>   attachments' contents
//	uploads/<id>        an upload in progress, and <id>.info its state
func DiskFiles(dataDir string, maxSize int64) (*Files, error) {
	f := &Files{Blobs: Disk{Dir: filepath.Join(dataDir, "files")}, Uploads: filepath.Join(dataDir, "uploads"), MaxSize: maxSize}
	for _, d := range []string{filepath.Join(dataDir, "files"), f.Uploads} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("attachments: %w", err)
		}
	}
	return f, nil
}

func (f *Files) maxSize() int64 {
	if f.MaxSize > 0 {
		return f.MaxSize
	}
	return DefaultMaxFileSize
}

// fileInfo is what the platform knows of kept contents.
type fileInfo struct {
	Size     int64
	Type     string
	Duration time.Duration
}

// hashFile is the SHA-256 of the file at path in hex.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// describe reads a file's type from its first bytes and, for audio, its
// duration from the file itself.
func describe(path, name string) (fileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileInfo{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fileInfo{}, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	info := fileInfo{Size: fi.Size(), Type: media.Type(name, head[:n])}
	if isAudio(info.Type) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return info, err
		}
		// A recording whose length cannot be read is still kept; the
		// terminal shows it without a duration. One cut short says how
		// long it was meant to be and is not: the little that is there
		// is not its length.
		if d, err := media.Duration(f); err == nil && !wavCutShort(f, info.Size) {
			info.Duration = d
		}
	}
	return info, nil
}

func isAudio(mime string) bool { return len(mime) > 6 && mime[:6] == "audio/" }

// wavCutShort reports whether r is a WAV file whose data chunk says it
// holds more bytes than the file has: copied before the recorder finished,
// or truncated. The sizes a streaming writer leaves (0, 0xFFFFFFFF,
// espeak-ng's 0x7FFFF000), which it could not go back to fill in, are not
// taken for a cut.
func wavCutShort(r io.ReaderAt, size int64) bool {
	var h [12]byte
	if _, err := r.ReadAt(h[:], 0); err != nil || string(h[8:12]) != "WAVE" {
		return false
	}
	for pos := int64(12); pos+8 <= size; {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], pos); err != nil {
			return false
		}
		n := binary.LittleEndian.Uint32(ch[4:])
		if string(ch[:4]) == "data" {
			switch n {
			case 0, 0xFFFFFFFF, 0x7FFFF000:
				return false
			}
			return int64(n) > size-pos-8
		}
		pos += 8 + int64(n) + int64(n&1)
	}
	return false
}

// recordingRule is what a call recording must be, as refusals say it.
const recordingRule = "来电录音只接受能读出时长的 WAV 或 MP3 音频"

// checkRecording refuses, as a call recording, contents that are not WAV
// or MP3 audio whose length could be read and is more than nothing: a
// document attached under the wrong part, an empty file, a recording cut
// short. The terminal plays a recording and shows its length; these it
// could not.
func checkRecording(name string, fi fileInfo) error {
	switch {
	case fi.Size == 0:
		return refusef("“%s”是空文件：%s", name, recordingRule)
	case fi.Type != "audio/wav" && fi.Type != "audio/mpeg":
		return refusef("“%s”不是 WAV 或 MP3 音频（%s）：%s", name, fi.Type, recordingRule)
	case fi.Duration <= 0:
		return refusef("“%s”读不出时长（文件不完整、已损坏或没有声音）：%s", name, recordingRule)
	}
	return nil
}

// keep adopts a finished upload whose contents hash to sum into the store
// and records them, once: the same contents uploaded again are dropped.
func (db *DB) keep(ctx context.Context, files *Files, path, name, sum, by string) error {
	got, err := hashFile(path)
	if err != nil {
		return fmt.Errorf("hash upload: %w", err)
	}
	if got != sum {
		return &checksumError{want: sum, got: got}
	}
	info, err := describe(path, name)
	if err != nil {
		return fmt.Errorf("read upload: %w", err)
	}
	if err := files.Blobs.Adopt(path, sum); err != nil {
		return fmt.Errorf("keep upload: %w", err)
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO files (sha256, size, type, duration, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			sum, info.Size, info.Type, int64(info.Duration), by, dbTime(db.now()))
		return err
	})
}

// checksumError is an upload whose contents are not the ones announced.
type checksumError struct{ want, got string }

func (e *checksumError) Error() string {
	return fmt.Sprintf("upload's SHA-256 is %s, announced %s", e.got, e.want)
}

// file returns what is recorded of the contents with hash sum.
func file(ctx context.Context, q queryer, sum string) (fileInfo, bool, error) {
	var fi fileInfo
	var d int64
	err := q.QueryRowContext(ctx, `SELECT size, type, duration FROM files WHERE sha256 = ?`, sum).Scan(&fi.Size, &fi.Type, &d)
	if errNoRows(err) {
		return fi, false, nil
	}
	if err != nil {
		return fi, false, fmt.Errorf("file %s: %w", sum, err)
	}
	fi.Duration = time.Duration(d)
	return fi, true, nil
}

// checkAttach completes an attach action from what the platform itself
// knows of the file: its size must be the one announced, and its type and
// duration are the platform's reading, not the terminal's.
func checkAttach(ctx context.Context, q queryer, a *complaint.Action) error {
	fi, ok, err := file(ctx, q, a.Attachment.SHA256)
	if err != nil {
		return err
	}
	if !ok {
		return refusef("附件“%s”尚未上传到平台，上传完成后会自动提交", a.Attachment.Name)
	}
	if fi.Size != a.Attachment.Size {
		return refusef("附件“%s”的大小（%d 字节）与平台收到的（%d 字节）不符，请重新添加", a.Attachment.Name, a.Attachment.Size, fi.Size)
	}
	if a.Attachment.Part == complaint.PartRecording {
		if err := checkRecording(a.Attachment.Name, fi); err != nil {
			return err
		}
	}
	at := *a.Attachment
	at.Type, at.Duration = fi.Type, fi.Duration
	a.Attachment = &at
	return nil
}

// AttachFile attaches the file at path to ticket number as user login did
// it: for administration on the platform's own machine (hotlined attach),
// where the center's recordings are. The file is copied into the store
// (hashed on the way), so the original may go afterwards.
func (db *DB) AttachFile(ctx context.Context, files *Files, number, path string, part complaint.Part, login string) (complaint.Ticket, error) {
	u, err := scanUser(db.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE login = ?`, login))
	if errNoRows(err) {
		return complaint.Ticket{}, fmt.Errorf("%w user %q", ErrUnknown, login)
	}
	if err != nil {
		return complaint.Ticket{}, err
	}
	src, err := os.Open(path)
	if err != nil {
		return complaint.Ticket{}, err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return complaint.Ticket{}, err
	}
	if !fi.Mode().IsRegular() {
		return complaint.Ticket{}, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > files.maxSize() {
		return complaint.Ticket{}, fmt.Errorf("%s: %s is over the platform's limit of %s (max_file_size)", path, FormatSize(fi.Size()), FormatSize(files.maxSize()))
	}
	name := filepath.Base(path)
	if err := complaint.CheckName(name); err != nil {
		return complaint.Ticket{}, fmt.Errorf("%s: %s", path, complaint.Reason(err))
	}
	tmp, err := os.CreateTemp(files.Uploads, "copy-*")
	if err != nil {
		return complaint.Ticket{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return complaint.Ticket{}, fmt.Errorf("copy %s: %w", path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if part == complaint.PartRecording && u.Has(complaint.RoleCenter) {
		// Refused before it is kept, rather than kept for nothing (a
		// user who may not add recordings hears that instead, below).
		info, err := describe(tmp.Name(), name)
		if err != nil {
			return complaint.Ticket{}, fmt.Errorf("read %s: %w", path, err)
		}
		var r *refusal
		if err := checkRecording(name, info); errors.As(err, &r) {
			return complaint.Ticket{}, fmt.Errorf("attach %s to %s refused: %s", name, number, r.reason)
		}
	}
	if err := db.keep(ctx, files, tmp.Name(), name, sum, login); err != nil {
		return complaint.Ticket{}, err
	}
	t, err := db.ticket(ctx, u, number)
	if errors.Is(err, errNotVisible) {
		return complaint.Ticket{}, fmt.Errorf("%w ticket %q (or not in %s's view)", ErrUnknown, number, login)
	}
	if err != nil {
		return complaint.Ticket{}, err
	}
	id, err := newActionID()
	if err != nil {
		return complaint.Ticket{}, err
	}
	res, err := db.act(ctx, u, complaint.Action{ID: id, Kind: complaint.KindAttach, Ticket: number, BaseVersion: t.Version,
		CreatedAt: db.now(), Attachment: &complaint.Attachment{Name: name, Size: fi.Size(), SHA256: sum, Part: part}}, db.now())
	var r *refusal
	if errors.As(err, &r) {
		return complaint.Ticket{}, fmt.Errorf("attach %s to %s refused: %s", name, number, r.reason)
	}
	return res.Ticket, err
}

// newActionID makes an action id as terminals do (a UUIDv7).
func newActionID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// UploadExpiry is how long an upload may sit without a byte before the
// platform drops it: a terminal that comes back later starts that file
// again (it asks, finds the upload gone, and makes a new one).
const UploadExpiry = 7 * 24 * time.Hour

// Expire removes the uploads under Uploads that have not moved for maxAge
// at now — their bytes and tusd's state — and copies hotlined attach left
// behind; it returns how many it removed.
func (f *Files) Expire(now time.Time, maxAge time.Duration) (int, error) {
	entries, err := os.ReadDir(f.Uploads)
	if err != nil {
		return 0, fmt.Errorf("attachments: expire: %w", err)
	}
	old := func(name string) bool {
		fi, err := os.Stat(filepath.Join(f.Uploads, name))
		return err == nil && now.Sub(fi.ModTime()) >= maxAge
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		var gone []string
		switch {
		case strings.HasSuffix(name, ".info"):
			// The bytes' file changes with every write; the state's
			// only when the upload is made.
			id := strings.TrimSuffix(name, ".info")
			if old(name) && (old(id) || !exists(filepath.Join(f.Uploads, id))) {
				gone = []string{id, name}
			}
		case strings.HasPrefix(name, "copy-") && old(name):
			gone = []string{name}
		}
		for _, g := range gone {
			if err := os.Remove(filepath.Join(f.Uploads, g)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		if len(gone) > 0 {
			removed++
		}
	}
	return removed, errors.Join(errs...)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
