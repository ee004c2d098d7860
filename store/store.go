// Package store is the terminal's local SQLite cache: the unit's tickets with
// their history as the platform last sent them, the sync cursor, the outbox of
// actions waiting to reach the platform, drafts and small key-value state. It
// knows nothing of the network or the screen; the client package fills it and
// the TUI reads it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a ticket or outbox item is not in the cache.
var ErrNotFound = errors.New("not found")

// Store is an open cache database. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// busyTimeout is how long a writer waits for another writer, in ms. A sync
// page of 500 tickets commits in well under a second, so this is ample.
const busyTimeout = 10000

// dsn builds the connection string. Every setting is in the DSN, not in a
// one-off Exec, because database/sql pools connections and an Exec reaches
// only one of them. _txlock=immediate makes every BeginTx a BEGIN IMMEDIATE,
// so a transaction that reads and then writes never fails with "database is
// locked" when another connection committed in between.
func dsn(path string) string {
	return path + "?" + strings.Join([]string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout),
		"_pragma=foreign_keys(1)",
		"_pragma=journal_mode(WAL)",
		// FULL: an enqueued action survives a power cut, not only a crash.
		"_pragma=synchronous(FULL)",
		"_txlock=immediate",
	}, "&")
}

// Open opens (creating if needed) the cache at path and brings its schema up
// to date.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("store: database path %q must not contain '?'", path)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &Store{db: db, now: time.Now}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// tx runs fn in one BEGIN IMMEDIATE transaction, committing if fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// timeLayout is the one form instants take in the database: UTC, fixed width,
// so that text order is time order and SQLite's date functions read it.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// dbTime is the value bound for an instant: NULL for the zero time, else the
// fixed UTC text. A time.Time is never bound directly, since the driver
// would store its String() form, which neither sorts nor parses.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// timeScanner reads a column written by dbTime back into *t (UTC; the zero
// time for NULL).
type timeScanner struct{ t *time.Time }

func scanTime(t *time.Time) timeScanner { return timeScanner{t} }

func (s timeScanner) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
		return nil
	case string:
		t, err := time.Parse(timeLayout, v)
		if err != nil {
			return fmt.Errorf("stored time %q: %w", v, err)
		}
		*s.t = t
		return nil
	case []byte:
		return s.Scan(string(v))
	}
	return fmt.Errorf("stored time: unexpected %T", v)
}
