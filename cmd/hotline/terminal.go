package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"hotline/api"
	"hotline/client"
	"hotline/complaint"
	"hotline/store"
	"hotline/tunnel"
)

// terminal is one opened terminal: its settings, cache and log, and once
// connected, its tunnel and link to the platform.
type terminal struct {
	settings settings
	store    *store.Store
	log      *slog.Logger
	logFile  *os.File

	dev    *tunnel.Device
	api    *api.Client
	client *client.Client
}

const (
	cacheFile = "cache.db"
	tokenFile = "token"
	logFile   = "hotline.log"
	keySess   = store.KeySession // the api.Session of the logged-in user, without the token
)

func openTerminal(cfgPath string) (*terminal, error) {
	s, err := loadSettings(cfgPath)
	if err != nil {
		return nil, err
	}
	return openTerminalWith(s)
}

func openTerminalWith(s settings) (*terminal, error) {
	if err := os.MkdirAll(s.State, 0o700); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(filepath.Join(s.State, logFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(s.State, cacheFile))
	if err != nil {
		lf.Close()
		return nil, err
	}
	return &terminal{settings: s, store: st, log: slog.New(slog.NewTextHandler(lf, nil)), logFile: lf}, nil
}

// connect brings the tunnel up and prepares the link; it does not wait for
// the platform to answer.
func (t *terminal) connect() error {
	if t.dev != nil {
		return nil
	}
	cfg, err := tunnel.Load(t.settings.Tunnel)
	if err != nil {
		return err
	}
	dev, err := tunnel.Open(cfg, tunnel.Options{Logger: t.log.With("part", "tunnel")})
	if err != nil {
		return fmt.Errorf("tunnel %s: %w", t.settings.Tunnel, err)
	}
	t.dev = dev
	t.api = &api.Client{Base: strings.TrimRight(t.settings.Platform, "/"), HTTP: dev.HTTPClient()}
	tok, err := t.readToken()
	if err != nil {
		return err
	}
	t.api.Token = tok
	t.client = client.New(t.api, t.store, client.Options{Logger: t.log.With("part", "link")})
	return nil
}

func (t *terminal) close() {
	if t.dev != nil {
		t.dev.Close()
	}
	t.store.Close()
	t.logFile.Close()
}

func (t *terminal) tokenPath() string { return filepath.Join(t.settings.State, tokenFile) }

// readToken returns the saved session token, "" when there is none; a token
// file others can read is refused.
func (t *terminal) readToken() (string, error) {
	p := t.tokenPath()
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("token file %s can be read by others (mode %04o): run chmod 600 %s", p, fi.Mode().Perm(), p)
	}
	b, err := os.ReadFile(p)
	return strings.TrimSpace(string(b)), err
}

// login exchanges the password for a token and keeps both the token (mode
// 0600) and who it belongs to.
func (t *terminal) login(ctx context.Context, password string) (api.Session, error) {
	if err := t.connect(); err != nil {
		return api.Session{}, err
	}
	sess, err := t.api.Login(ctx, t.settings.User, password)
	if err != nil {
		return sess, err
	}
	if err := os.WriteFile(t.tokenPath(), []byte(sess.Token+"\n"), 0o600); err != nil {
		return sess, err
	}
	sess.Token = ""
	b, _ := json.Marshal(sess)
	return sess, t.store.Set(ctx, keySess, string(b))
}

// session is who is logged in on this terminal, as last confirmed by the
// platform; it works offline.
func (t *terminal) session(ctx context.Context) (api.Session, error) {
	var sess api.Session
	v, err := t.store.Get(ctx, keySess)
	if err != nil {
		return sess, err
	}
	if v == "" {
		return sess, errors.New("not logged in on this terminal: run `hotline login`")
	}
	return sess, json.Unmarshal([]byte(v), &sess)
}

// enqueue writes an action to the outbox, based on the cached version of the
// ticket, and returns it with its id.
func (t *terminal) enqueue(ctx context.Context, kind complaint.Kind, number string, reply *complaint.Reply) (complaint.Action, error) {
	tk, err := t.store.Ticket(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return complaint.Action{}, fmt.Errorf("ticket %s is not in this terminal's cache: run `hotline sync --once`", number)
	}
	if err != nil {
		return complaint.Action{}, err
	}
	a := complaint.Action{Kind: kind, Ticket: tk.Number, BaseVersion: tk.Version, Reply: reply}
	return t.store.Enqueue(ctx, a)
}
