// Package platform is the server the terminals talk to: the authoritative
// SQLite database of units, users, terminals, sessions and tickets, the
// administration that hotlined runs against it, intake of dispatched tickets,
// the deadlines of each ticket's step under its unit's policy, and the HTTP
// API (login, change feed, actions, unit directory). Reading complaint files is
// platform/intake's business, and the WireGuard tunnel is wired in by the
// command; this package only sees the tunnel's addresses.
package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"hotline/complaint"
	"hotline/platform/dbtime"
)

// busyTimeout is how long a connection waits for another process's write
// lock (hotlined admin commands run beside the server) before giving up.
const busyTimeout = 10 * time.Second

// DB is the platform's database. It is safe for concurrent use.
type DB struct {
	sql *sql.DB

	// writeMu serialises this process's write transactions in Go, so that
	// writers queue on a mutex instead of polling SQLite's busy handler.
	// BEGIN IMMEDIATE still guards against other processes.
	writeMu sync.Mutex

	mu   sync.Mutex
	wake chan struct{} // closed and replaced after every commit that touched tickets
	now  func() time.Time
	cal  complaint.Workdays // nil: counted Monday to Friday, with a note on each deadline
	log  *slog.Logger

	// planned is set by a write that stored notifications; onPlanned (the
	// dispatcher's Wake) is called after its commit.
	planned   bool
	onPlanned func()
}

// OnNotify sets what is called after a commit that stored notifications:
// the dispatcher's Wake, so that they go out at once.
func (db *DB) OnNotify(f func()) {
	db.writeMu.Lock()
	db.onPlanned = f
	db.writeMu.Unlock()
}

// dsn builds the connection string. Settings go into the DSN, not into a
// db.Exec after Open, so that every connection the pool opens gets them;
// _txlock=immediate makes every transaction that may write take the write
// lock at BEGIN, so a read-then-write transaction never fails with
// "database is locked" when another connection committed in between.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
func Open(path string) (*DB, error) {
	if strings.Contains(path, "?") {
		// The driver would take what follows as connection settings.
		return nil, fmt.Errorf("open database %s: the path must not contain '?'", path)
	}
	s, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.SetMaxOpenConns(16)
	s.SetMaxIdleConns(16)
	db := &DB{sql: s, wake: make(chan struct{}), now: time.Now}
	if err := db.migrate(context.Background()); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// SetClock replaces the clock used for the times the database records
// (dispatch, terminal creation and revocation). Call it before use.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// changed returns a channel that is closed at the next commit touching
// tickets. Take it before reading, so that a commit between the read and the
// wait is not missed.
func (db *DB) changed() <-chan struct{} {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.wake
}

func (db *DB) broadcast() {
	db.mu.Lock()
	close(db.wake)
	db.wake = make(chan struct{})
	db.mu.Unlock()
}

// write runs fn in one IMMEDIATE transaction and commits it. With notify set,
// long-pollers are woken after the commit.
func (db *DB) write(ctx context.Context, notify bool, fn func(tx *sql.Tx) error) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	db.planned = false
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if notify {
		db.broadcast()
	}
	if db.planned && db.onPlanned != nil {
		db.onPlanned()
	}
	return nil
}

// read runs fn in a read-only (deferred) transaction: one consistent
// snapshot that never holds the write lock.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// Instants are kept as dbtime says.
func dbTime(t time.Time) string { return dbtime.Format(t) }

func parseTime(s string) (time.Time, error) { return dbtime.Parse(s) }

// timeCol scans a column written by dbTime into *t.
func timeCol(t *time.Time) dbtime.Col { return dbtime.Col{T: t} }

// migrations are applied in order; schema_version records how many have
// been. Never edit one that has shipped: append a new one.
var migrations = []string{schemaV1, schemaV2, schemaV3, schemaV4}

func (db *DB) migrate(ctx context.Context) error {
	return db.write(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    INTEGER PRIMARY KEY,
			applied_at TEXT NOT NULL
		) STRICT`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this program's %d", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migrate to version %d: %w", i+1, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, i+1, dbTime(db.now())); err != nil {
				return fmt.Errorf("record schema version %d: %w", i+1, err)
			}
		}
		return nil
	})
}

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
