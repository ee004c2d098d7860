package platform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// Options configure a Server. Zero values take the defaults.
type Options struct {
	Now             func() time.Time // clock for sessions and actions; time.Now
	RequireTerminal bool             // only registered, non-revoked terminal addresses may log in and call
	PageSize        int              // tickets per change-feed page; 500
	MaxWait         time.Duration    // longest long-poll; 60s
	Logger          *slog.Logger     // request log; discarded when nil
	// Files keeps attachments; without it uploads are refused.
	Files *Files
	// UploadTimeout is how long an upload's request may wait for the next
	// bytes, or for the upload that an earlier, broken request still holds;
	// 30s.
	UploadTimeout time.Duration
}

// Server answers the terminals' HTTP API.
type Server struct {
	db    *DB
	opts  Options
	log   *slog.Logger
	files *Files

	// waitHook, when set, is called each time a long-poll starts to wait.
	waitHook func()
}

const (
	sessionTTL   = 30 * 24 * time.Hour
	maxBody      = 1 << 20
	tokenBytes   = 32
	pollFallback = 3 * time.Second // re-read while waiting, for commits made by another process
)

// NewServer returns a server on db.
func NewServer(db *DB, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 500
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 60 * time.Second
	}
	if opts.UploadTimeout <= 0 {
		opts.UploadTimeout = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{db: db, opts: opts, log: log, files: opts.Files}
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+api.PathLogin, s.route(false, s.login))
	mux.Handle("GET "+api.PathMe, s.route(true, s.me))
	mux.Handle("GET "+api.PathChanges, s.route(true, s.changes))
	mux.Handle("POST "+api.PathActions, s.route(true, s.action))
	mux.Handle("GET "+api.PathTickets+"{number}", s.route(true, s.getTicket))
	mux.Handle("GET "+api.PathUnits, s.route(true, s.units))
	s.searchRoutes(mux)
	mux.Handle("GET "+api.PathAlerts, s.route(true, s.alerts))
	mux.Handle("GET "+api.PathDeliveries, s.route(true, s.deliveries))
	if err := s.fileRoutes(mux); err != nil {
		// The tus handler's configuration is fixed in the code; it fails
		// only if the code is wrong.
		panic(err)
	}
	// The mux's own 404 and 405 answers are plain text; these keep every
	// answer JSON.
	for _, p := range []string{api.PathLogin, api.PathMe, api.PathChanges, api.PathActions, api.PathTickets + "{number}", api.PathUnits} {
		mux.Handle(p, s.route(false, func(w http.ResponseWriter, r *http.Request, _ *caller) error {
			return failf(http.StatusMethodNotAllowed, api.CodeBadRequest, "不支持的请求方法 %s", r.Method)
		}))
	}
	mux.Handle("/", s.route(false, func(w http.ResponseWriter, r *http.Request, _ *caller) error {
		return failf(http.StatusNotFound, api.CodeNotFound, "没有这个接口")
	}))
	return mux
}

// caller is the authenticated user of a request.
type caller struct {
	user complaint.User
	ip   netip.Addr
}

// httpError is an answer other than 2xx.
type httpError struct {
	status int
	body   api.Error
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.body.Code, e.body.Message)
}

func failf(status int, code, format string, args ...any) *httpError {
	return &httpError{status: status, body: api.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *caller) error

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the connection's own writer: tusd
// sets read deadlines through it, to give up on a body that stopped coming
// and to take an upload over from a request that still holds it.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// route wraps a handler with body limits, authentication, error answers and
// the request log.
func (s *Server) route(auth bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		r.Body = http.MaxBytesReader(sw, r.Body, maxBody)
		var c *caller
		var err error
		if auth {
			c, err = s.authenticate(r)
		}
		if err == nil {
			err = h(sw, r, c)
		}
		if err != nil {
			s.writeError(sw, r, err)
		}
		level := slog.LevelInfo
		if (r.URL.Path == api.PathChanges || r.URL.Path == api.PathAlerts) && sw.status == http.StatusOK {
			level = slog.LevelDebug // long-polls repeat all day
		}
		s.log.LogAttrs(r.Context(), level, "request", requestAttrs(r, sw.status, start, c, err)...)
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			he = failf(http.StatusRequestEntityTooLarge, api.CodeBadRequest, "请求内容超过 %d 字节", mbe.Limit)
		} else if r.Context().Err() != nil {
			return // the client has gone; nobody reads an answer
		} else {
			he = failf(http.StatusInternalServerError, api.CodeInternal, "服务器内部错误，请稍后重试")
		}
	}
	writeJSON(w, he.status, he.body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body into v; a malformed body is a 400.
func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return failf(http.StatusBadRequest, api.CodeBadRequest, "请求格式错误：%v", err)
	}
	return nil
}

// remoteIP is the address the request came from: inside the tunnel, the
// terminal's tunnel address.
func remoteIP(r *http.Request) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("remote address %q: %w", r.RemoteAddr, err)
	}
	return ap.Addr().Unmap().WithZone(""), nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

var (
	errNoSession    = failf(http.StatusUnauthorized, api.CodeUnauthorized, "未登录或登录已失效，请重新登录")
	errOtherAddress = failf(http.StatusUnauthorized, api.CodeUnauthorized, "登录凭证不属于本终端，请重新登录")
	errExpired      = failf(http.StatusUnauthorized, api.CodeUnauthorized, "登录已过期，请重新登录")
	errNoTerminal   = failf(http.StatusForbidden, api.CodeTerminal, "本终端未登记或已停用，请联系管理员")
)

// terminalUser returns the user of the non-revoked terminal at ip, or
// errNoTerminal.
func (s *Server) terminalUser(ctx context.Context, ip netip.Addr) (string, error) {
	var user string
	err := s.db.sql.QueryRowContext(ctx, `SELECT user FROM terminals WHERE address = ? AND revoked_at = ''`, ip.String()).Scan(&user)
	if errNoRows(err) {
		return "", errNoTerminal
	}
	if err != nil {
		return "", fmt.Errorf("terminal at %s: %w", ip, err)
	}
	return user, nil
}

// authenticate finds the session of the request's bearer token. The session
// is bound to the address it was made from; with RequireTerminal that address
// must still be a non-revoked terminal of the same user.
func (s *Server) authenticate(r *http.Request) (*caller, error) {
	ctx := r.Context()
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil, errNoSession
	}
	ip, err := remoteIP(r)
	if err != nil {
		return nil, err
	}
	// The terminal is checked first so that a revoked one is told so, rather
	// than that its session (which revocation deleted) is unknown.
	var owner string
	if s.opts.RequireTerminal {
		if owner, err = s.terminalUser(ctx, ip); err != nil {
			return nil, err
		}
	}
	var sessIP string
	var expires time.Time
	row := s.db.sql.QueryRowContext(ctx, `SELECT u.login, u.name, u.unit, u.roles, u.phone, s.ip, s.expires_at
		FROM sessions s JOIN users u ON u.login = s.user WHERE s.token_hash = ?`, tokenHash(token))
	u, err := scanUser(row, &sessIP, timeCol(&expires))
	if errNoRows(err) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if !s.opts.Now().Before(expires) {
		if _, err := s.db.sql.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token)); err != nil {
			s.log.Warn("delete expired session", "user", u.Login, "error", err)
		}
		return nil, errExpired
	}
	if sessIP != ip.String() {
		return nil, errOtherAddress
	}
	if s.opts.RequireTerminal && owner != u.Login {
		return nil, errNoTerminal
	}
	return &caller{user: u, ip: ip}, nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx := r.Context()
	var req api.LoginRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Login == "" || req.Password == "" {
		return failf(http.StatusBadRequest, api.CodeBadRequest, "请输入用户名和密码")
	}
	ip, err := remoteIP(r)
	if err != nil {
		return err
	}
	if s.opts.RequireTerminal {
		owner, err := s.terminalUser(ctx, ip)
		if err != nil {
			return err
		}
		if owner != req.Login {
			return failf(http.StatusForbidden, api.CodeForbidden, "本终端登记给其他用户，不能以 %s 登录", req.Login)
		}
	}
	var hash string
	u, err := scanUser(s.db.sql.QueryRowContext(ctx, `SELECT `+userCols+`, password FROM users WHERE login = ?`, req.Login), &hash)
	known := err == nil
	if errNoRows(err) {
		hash = dummyHash()
	} else if err != nil {
		return fmt.Errorf("login %s: %w", req.Login, err)
	}
	ok, err := checkPassword(hash, req.Password)
	if err != nil {
		return fmt.Errorf("login %s: %w", req.Login, err)
	}
	if !ok || !known {
		return failf(http.StatusUnauthorized, api.CodeUnauthorized, "用户名或密码错误")
	}
	un, err := unit(ctx, s.db.sql, u.Unit)
	if err != nil {
		return fmt.Errorf("login %s: %w", req.Login, err)
	}
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("login %s: token: %w", req.Login, err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.opts.Now()
	err = s.db.write(ctx, false, func(tx *sql.Tx) error {
		// Expired sessions are swept here, where sessions are made.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, dbTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user, ip, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tokenHash(token), u.Login, ip.String(), dbTime(now), dbTime(now.Add(sessionTTL)))
		return err
	})
	if err != nil {
		return fmt.Errorf("login %s: store session: %w", req.Login, err)
	}
	writeJSON(w, http.StatusOK, api.Session{Token: token, User: u, Unit: un})
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *caller) error {
	un, err := unit(r.Context(), s.db.sql, c.user.Unit)
	if err != nil {
		return fmt.Errorf("me %s: %w", c.user.Login, err)
	}
	writeJSON(w, http.StatusOK, api.Session{User: c.user, Unit: un})
	return nil
}

func (s *Server) changes(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	q := r.URL.Query()
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return failf(http.StatusBadRequest, api.CodeBadRequest, "after 参数无效：%q", v)
		}
		after = n
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return failf(http.StatusBadRequest, api.CodeBadRequest, "wait 参数无效：%q", v)
		}
		wait = min(d, s.opts.MaxWait)
	}
	// count=1 asks how many tickets the pages after this one hold, for a
	// terminal to show its progress; asked on the first page of a round.
	count := q.Get("count") == "1"

	var timeout <-chan time.Time
	var fallback *time.Ticker
	for {
		wake := s.db.changed()
		page, err := s.db.feed(ctx, c.user, after, s.opts.PageSize)
		if err != nil {
			return err
		}
		if len(page.Tickets) > 0 || len(page.Removed) > 0 || wait <= 0 {
			if count && page.More {
				if page.Remaining, err = s.db.remaining(ctx, c.user, page.Cursor); err != nil {
					return err
				}
			}
			writeJSON(w, http.StatusOK, page)
			return nil
		}
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
			fallback = time.NewTicker(pollFallback)
			defer fallback.Stop()
		}
		if s.waitHook != nil {
			s.waitHook()
		}
		if s.opts.RequireTerminal {
			// A terminal revoked while it waits is told so now, not
			// at the end of the wait (see Service.SyncPeers).
			if _, err := s.terminalUser(ctx, c.ip); err != nil {
				return err
			}
		}
		select {
		case <-wake:
		case <-fallback.C:
		case <-timeout:
			writeJSON(w, http.StatusOK, api.Changes{Cursor: after, Tickets: []complaint.Ticket{}})
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := s.db.ticket(r.Context(), c.user, r.PathValue("number"))
	if errors.Is(err, errNotVisible) {
		return failf(http.StatusNotFound, api.CodeNotFound, "没有这张工单，或它不属于本单位")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// userActionKind reports whether k is an action a person may send: one of
// complaint.Kinds, which leaves out the platform's own import.
func userActionKind(k complaint.Kind) bool { return slices.Contains(complaint.Kinds, k) }

// validUUID accepts only the canonical 36-character form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func (s *Server) action(w http.ResponseWriter, r *http.Request, c *caller) error {
	var a complaint.Action
	if err := decode(r, &a); err != nil {
		return err
	}
	switch {
	case !validUUID(a.ID):
		return failf(http.StatusBadRequest, api.CodeBadRequest, "操作编号无效：%q", a.ID)
	case !userActionKind(a.Kind):
		return failf(http.StatusBadRequest, api.CodeBadRequest, "未知操作：%q", a.Kind)
	case a.Ticket == "":
		return failf(http.StatusBadRequest, api.CodeBadRequest, "未指定工单")
	}
	a.ID = strings.ToLower(a.ID)
	res, err := s.db.act(r.Context(), c.user, a, s.opts.Now())
	var ce *conflictError
	var ref *refusal
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, res)
		return nil
	case errors.Is(err, errNotVisible):
		return failf(http.StatusNotFound, api.CodeNotFound, "没有这张工单，或它不属于本单位")
	case errors.Is(err, errActionTaken):
		return failf(http.StatusBadRequest, api.CodeBadRequest, "操作编号 %s 已用于其他操作", a.ID)
	case errors.As(err, &ce):
		t := ce.current
		return &httpError{status: http.StatusConflict, body: api.Error{
			Code:    api.CodeConflict,
			Message: fmt.Sprintf("工单 %s 已被更新（当前版本 %d），请核对后重新操作", t.Number, t.Version),
			Ticket:  &t,
		}}
	case errors.As(err, &ref) && ref.forbidden:
		return failf(http.StatusForbidden, api.CodeForbidden, "%s", ref.reason)
	case errors.As(err, &ref):
		return failf(http.StatusUnprocessableEntity, api.CodeRefused, "%s", ref.reason)
	}
	return err
}

// requestAttrs are what the log says of a request: what was asked, by whom,
// how it went and how long it took.
func requestAttrs(r *http.Request, status int, start time.Time, c *caller, err error) []slog.Attr {
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("remote", r.RemoteAddr), slog.Int("status", status),
		slog.Duration("took", time.Since(start)),
	}
	if c != nil {
		attrs = append(attrs, slog.String("user", c.user.Login))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	return attrs
}
