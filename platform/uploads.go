package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	xslog "golang.org/x/exp/slog"

	"hotline/api"
	"hotline/complaint"
)

// Uploads are resumable (the tus protocol, tusd mounted under
// api.PathUploads): a terminal creates an upload announcing the file's size,
// name, SHA-256 and ticket, then sends the bytes in as many PATCH requests
// as the link allows, asking with HEAD where to go on after a cut or a
// restart of either side. tusd writes what arrives straight to the upload's
// file, so memory does not grow with the file. When the last byte is in,
// the contents are hashed again and, if they are the ones announced, taken
// into Files.Blobs under their SHA-256; an upload whose contents are known
// already is dropped there, so a file is kept once however often it is
// attached.
//
// The terminal then attaches the file to the ticket with an ordinary
// action (complaint.KindAttach), which the platform accepts only for
// contents it holds.

// Upload metadata keys (tus Upload-Metadata).
const (
	metaName   = "filename"
	metaSHA256 = "sha256"
	metaTicket = "ticket"
	metaUser   = "user" // set by the platform: who made the upload
)

type callerKey struct{}

// uploads returns the tus handler behind authentication.
func (s *Server) uploads() (http.Handler, error) {
	store := filestore.New(s.files.Uploads)
	composer := tusd.NewStoreComposer()
	// Only the core protocol and termination: no concatenation (parts
	// could be assembled into a file nobody announced a hash for) and no
	// deferred length (the size limit is checked when the upload is made).
	composer.UseCore(store)
	composer.UseTerminater(store)
	memorylocker.New().UseIn(composer)
	h, err := tusd.NewHandler(tusd.Config{
		BasePath:           api.PathUploads,
		StoreComposer:      composer,
		DisableDownload:    true,
		NetworkTimeout:     s.opts.UploadTimeout,
		AcquireLockTimeout: s.opts.UploadTimeout,
		// tusd logs every request at Info; the platform's own line per
		// request says enough.
		Logger:                    xslog.New(xslog.NewTextHandler(logLines{s.log.With("part", "uploads")}, &xslog.HandlerOptions{Level: xslog.LevelWarn})),
		PreUploadCreateCallback:   s.uploadCreate,
		PreFinishResponseCallback: s.uploadFinish,
	})
	if err != nil {
		return nil, fmt.Errorf("uploads: %w", err)
	}
	inner := http.StripPrefix(strings.TrimSuffix(api.PathUploads, "/"), h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		c, err := s.authenticate(r)
		if err == nil && r.Method != http.MethodPost && r.Method != http.MethodOptions {
			err = s.ownUpload(r, store, c)
		}
		if err != nil {
			s.writeError(sw, r, err)
		} else {
			inner.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
		}
		level := slog.LevelInfo
		if r.Method == http.MethodHead {
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "upload", requestAttrs(r, sw.status, start, c, err)...)
	}), nil
}

// ownUpload lets only the user who made an upload send to it, ask after it
// or end it; anyone else is told it does not exist. An upload whose bytes
// are all in but that was not kept (the platform stopped while hashing it)
// is kept now, so that the terminal asking after it finds it done.
func (s *Server) ownUpload(r *http.Request, store filestore.FileStore, c *caller) error {
	id := strings.TrimPrefix(r.URL.Path, api.PathUploads)
	notFound := failf(http.StatusNotFound, api.CodeNotFound, "上传不存在或已结束")
	if id == "" || strings.Trim(id, "0123456789abcdef") != "" {
		return notFound
	}
	up, err := store.GetUpload(r.Context(), id)
	if errors.Is(err, tusd.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w", id, err)
	}
	info, err := up.GetInfo(r.Context())
	if err != nil {
		return fmt.Errorf("upload %s: %w", id, err)
	}
	if info.MetaData[metaUser] != c.user.Login {
		return notFound
	}
	if r.Method == http.MethodHead && !info.SizeIsDeferred && info.Offset == info.Size {
		if err := s.keepUpload(r.Context(), info, c.user.Login); err != nil {
			return err
		}
		return notFound // kept: the terminal finds it by its hash
	}
	return nil
}

// logLines passes tusd's own log lines (it logs with golang.org/x/exp/slog)
// into the platform's log as warnings.
type logLines struct{ log *slog.Logger }

func (l logLines) Write(p []byte) (int, error) {
	l.log.Warn(strings.TrimSpace(string(p)))
	return len(p), nil
}

func uploadCaller(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// refuseUpload is a tus hook's refusal, in the API's JSON error shape.
func refuseUpload(status int, code, format string, args ...any) (tusd.HTTPResponse, error) {
	msg := fmt.Sprintf(format, args...)
	b, _ := json.Marshal(api.Error{Code: code, Message: msg})
	return tusd.HTTPResponse{}, tusd.Error{ErrorCode: code, Message: msg, HTTPResponse: tusd.HTTPResponse{
		StatusCode: status, Body: string(b), Header: tusd.HTTPHeader{"Content-Type": "application/json; charset=utf-8"},
	}}
}

// uploadCreate checks a new upload: a file name kept exactly, a SHA-256, a
// ticket the caller sees, and a size within the limit.
func (s *Server) uploadCreate(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	var none tusd.FileInfoChanges
	c := uploadCaller(hook.Context)
	if c == nil {
		resp, err := refuseUpload(http.StatusUnauthorized, api.CodeUnauthorized, "未登录或登录已失效，请重新登录")
		return resp, none, err
	}
	meta := hook.Upload.MetaData
	name, sum, number := meta[metaName], meta[metaSHA256], meta[metaTicket]
	if err := complaint.CheckName(name); err != nil {
		resp, err := refuseUpload(http.StatusBadRequest, api.CodeBadRequest, "%s", complaint.Reason(err))
		return resp, none, err
	}
	if !complaint.ValidSHA256(sum) {
		resp, err := refuseUpload(http.StatusBadRequest, api.CodeBadRequest, "上传须给出文件的 SHA-256（64 位小写十六进制）")
		return resp, none, err
	}
	if hook.Upload.SizeIsDeferred {
		resp, err := refuseUpload(http.StatusBadRequest, api.CodeBadRequest, "上传须先给出文件大小")
		return resp, none, err
	}
	if max := s.files.maxSize(); hook.Upload.Size > max {
		resp, err := refuseUpload(http.StatusRequestEntityTooLarge, api.CodeTooLarge, "文件“%s”大小为 %s，超过平台允许的单个文件上限 %s",
			name, FormatSize(hook.Upload.Size), FormatSize(max))
		return resp, none, err
	}
	if _, err := s.db.ticket(hook.Context, c.user, number); err != nil {
		if errors.Is(err, errNotVisible) {
			resp, err := refuseUpload(http.StatusNotFound, api.CodeNotFound, "工单 %s 不存在或不属于本单位", number)
			return resp, none, err
		}
		return tusd.HTTPResponse{}, none, err
	}
	meta = maps.Clone(meta)
	meta[metaUser] = c.user.Login
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: meta}, nil
}

// uploadFinish keeps a complete upload, or refuses it when its contents are
// not the ones announced; the upload is then removed and must start again.
func (s *Server) uploadFinish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	if err := s.keepUpload(hook.Context, hook.Upload, hook.Upload.MetaData[metaUser]); err != nil {
		var ce *checksumError
		if errors.As(err, &ce) {
			return refuseUpload(http.StatusUnprocessableEntity, api.CodeChecksum, "文件“%s”上传后校验不符（SHA-256 应为 %s，收到 %s），请重新上传",
				hook.Upload.MetaData[metaName], ce.want, ce.got)
		}
		return tusd.HTTPResponse{}, err
	}
	return tusd.HTTPResponse{}, nil
}

// keepUpload takes a complete upload into the store and removes its state.
func (s *Server) keepUpload(ctx context.Context, info tusd.FileInfo, user string) error {
	bin, infoPath := info.Storage[filestore.StorageKeyPath], info.Storage[filestore.StorageKeyInfoPath]
	err := s.db.keep(ctx, s.files, bin, info.MetaData[metaName], info.MetaData[metaSHA256], user)
	var ce *checksumError
	if err != nil && !errors.As(err, &ce) {
		return err
	}
	os.Remove(bin) // gone already when kept
	os.Remove(infoPath)
	return err
}

// FormatSize gives a size the way people read it, with the exact bytes:
// "4.0 GiB（4294967296 字节）".
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " 字节"
	}
	return fmt.Sprintf("%.1f %s（%d 字节）", v, units[i], n)
}

// fileRoutes adds uploads, the look-up of kept contents by hash and the
// attachments of a ticket.
func (s *Server) fileRoutes(mux *http.ServeMux) error {
	if s.files == nil {
		off := s.route(true, func(w http.ResponseWriter, r *http.Request, _ *caller) error {
			return failf(http.StatusNotImplemented, api.CodeBadRequest, "本平台未设置附件存储")
		})
		mux.Handle(api.PathUploads, off)
		mux.Handle("GET "+api.PathFiles+"{sum}", off)
		mux.Handle("GET "+api.PathTickets+"{number}/attachments/", off)
		return nil
	}
	up, err := s.uploads()
	if err != nil {
		return err
	}
	mux.Handle(api.PathUploads, up)
	mux.Handle("GET "+api.PathFiles+"{sum}", s.route(true, s.fileInfo))
	mux.Handle("GET "+api.PathTickets+"{number}/attachments", s.route(true, s.attachments))
	mux.Handle("GET "+api.PathTickets+"{number}/attachments/{id}", s.route(true, s.download))
	return nil
}

// fileInfo answers whether the platform holds contents with a hash, so a
// terminal uploads a file only once.
func (s *Server) fileInfo(w http.ResponseWriter, r *http.Request, c *caller) error {
	sum := r.PathValue("sum")
	if !complaint.ValidSHA256(sum) {
		return failf(http.StatusBadRequest, api.CodeBadRequest, "SHA-256 应为 64 位小写十六进制")
	}
	fi, ok, err := file(r.Context(), s.db.sql, sum)
	if err != nil {
		return err
	}
	if !ok {
		return failf(http.StatusNotFound, api.CodeNotFound, "平台没有这个文件")
	}
	writeJSON(w, http.StatusOK, api.File{SHA256: sum, Size: fi.Size, Type: fi.Type, Duration: fi.Duration})
	return nil
}

func (s *Server) attachments(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := s.visibleTicket(r, c)
	if err != nil {
		return err
	}
	list := t.Attachments
	if list == nil {
		list = []complaint.Attachment{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// download sends an attachment's contents, with ranges so that a broken
// download goes on where it stopped, and the name as given.
func (s *Server) download(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := s.visibleTicket(r, c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	var at *complaint.Attachment
	for i := range t.Attachments {
		if t.Attachments[i].ID == id {
			at = &t.Attachments[i]
		}
	}
	if at == nil {
		return failf(http.StatusNotFound, api.CodeNotFound, "工单 %s 没有这个附件", t.Number)
	}
	f, kept, err := s.files.Blobs.Open(at.SHA256)
	if err != nil {
		return fmt.Errorf("attachment %s of %s: %w", at.ID, t.Number, err)
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", at.Type)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(at.Name))
	h.Set("ETag", `"`+at.SHA256+`"`)
	h.Set(api.HeaderSHA256, at.SHA256)
	h.Set("Cache-Control", "private, no-transform")
	http.ServeContent(w, r, "", kept, f)
	return nil
}

func (s *Server) visibleTicket(r *http.Request, c *caller) (complaint.Ticket, error) {
	t, err := s.db.ticket(r.Context(), c.user, r.PathValue("number"))
	if errors.Is(err, errNotVisible) {
		return t, failf(http.StatusNotFound, api.CodeNotFound, "工单 %s 不存在或不属于本单位", r.PathValue("number"))
	}
	return t, err
}
