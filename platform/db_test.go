package platform

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Case 1 (data-cases.md): every pooled connection has the settings, not
// just the one a db.Exec happened to reach.
func TestPragmasOnEveryConnection(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var conns []*sql.Conn
	for range 4 {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	want := []struct {
		pragma string
		value  string
	}{
		{"journal_mode", "wal"},
		{"busy_timeout", "10000"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
	}
	for i, c := range conns {
		for _, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+w.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, w.pragma, err)
			}
			if got != w.value {
				t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, w.pragma, got, w.value)
			}
		}
	}
}

// Case 2 (data-cases.md): BEGIN; SELECT; another connection tries to commit
// a write; then the first writes. With the DSN's IMMEDIATE transactions the
// first holds the write lock from BEGIN, so the other write waits (here,
// with busy_timeout 0 on that connection, it is told at once) and the first
// transaction's write never fails. The deferred row shows the fault the
// setting prevents: the other write commits in between and the first
// transaction's write fails with "database is locked".
func TestReadThenWriteTransaction(t *testing.T) {
	tests := []struct {
		name            string
		opts            *sql.TxOptions
		wantOtherLocked bool
		wantOwnLocked   bool
		wantRows        []int
	}{
		{"immediate, as every write transaction begins", nil, true, false, []int{1, 2}},
		{"deferred, for contrast", &sql.TxOptions{ReadOnly: true}, false, true, []int{2}},
	}
	locked := func(err error) bool { return err != nil && strings.Contains(err.Error(), "database is locked") }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			ctx := context.Background()
			if _, err := db.sql.ExecContext(ctx, `CREATE TABLE notes (n INTEGER)`); err != nil {
				t.Fatal(err)
			}
			c1, err := db.sql.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c1.Close()
			c2, err := db.sql.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if _, err := c2.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
				t.Fatal(err)
			}
			defer c2.ExecContext(ctx, `PRAGMA busy_timeout = 10000`)

			tx, err := c1.BeginTx(ctx, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notes`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			_, otherErr := c2.ExecContext(ctx, `INSERT INTO notes VALUES (2)`)
			if locked(otherErr) != tt.wantOtherLocked || (otherErr != nil && !locked(otherErr)) {
				t.Fatalf("other connection's write during the transaction: %v, want locked %v", otherErr, tt.wantOtherLocked)
			}
			_, ownErr := tx.ExecContext(ctx, `INSERT INTO notes VALUES (1)`)
			if locked(ownErr) != tt.wantOwnLocked || (ownErr != nil && !locked(ownErr)) {
				t.Fatalf("transaction's own write: %v, want locked %v", ownErr, tt.wantOwnLocked)
			}
			if ownErr == nil {
				if err := tx.Commit(); err != nil {
					t.Fatalf("commit: %v", err)
				}
			}
			if otherErr != nil {
				// The waiting writer goes on once the transaction is over.
				if _, err := c2.ExecContext(ctx, `INSERT INTO notes VALUES (2)`); err != nil {
					t.Fatalf("other connection's write after the transaction: %v", err)
				}
			}
			tx.Rollback()
			var got []int
			rows, err := db.sql.QueryContext(ctx, `SELECT n FROM notes ORDER BY rowid`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var v int
				rows.Scan(&v)
				got = append(got, v)
			}
			if !slices.Equal(got, tt.wantRows) {
				t.Errorf("rows = %v, want %v", got, tt.wantRows)
			}
		})
	}
}

// Case 4 (data-cases.md): 01:00Z and 08:30+08:00 (00:30Z) are stored so that
// they sort, compare and convert as instants and read back Equal.
func TestInstants(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a := time.Date(2024, 3, 15, 1, 0, 0, 0, time.UTC)
	b := time.Date(2024, 3, 15, 8, 30, 0, 0, shanghai)
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE instants (name TEXT, at TEXT)`); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		name string
		at   time.Time
	}{{"a", a}, {"b", b}} {
		if _, err := db.sql.ExecContext(ctx, `INSERT INTO instants VALUES (?, ?)`, r.name, dbTime(r.at)); err != nil {
			t.Fatal(err)
		}
	}

	rows, err := db.sql.QueryContext(ctx, `SELECT name, at, datetime(at) FROM instants ORDER BY at`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ name, at, datetime string }
	var got []row
	var back []time.Time
	for rows.Next() {
		var r row
		var tm time.Time
		if err := rows.Scan(&r.name, &r.at, &r.datetime); err != nil {
			t.Fatal(err)
		}
		if err := (timeCol(&tm)).Scan(r.at); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
		back = append(back, tm)
	}
	rows.Close()
	want := []row{
		{"b", "2024-03-15T00:30:00.000000000Z", "2024-03-15 00:30:00"},
		{"a", "2024-03-15T01:00:00.000000000Z", "2024-03-15 01:00:00"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows in time order = %q, want %q", got, want)
	}
	if len(back) == 2 && (!back[0].Equal(b) || !back[1].Equal(a)) {
		t.Errorf("read back %v, %v; want Equal to %v, %v", back[0], back[1], b, a)
	}
	var less bool
	if err := db.sql.QueryRowContext(ctx, `SELECT (SELECT at FROM instants WHERE name = 'b') < (SELECT at FROM instants WHERE name = 'a')`).Scan(&less); err != nil {
		t.Fatal(err)
	}
	if !less {
		t.Error("08:30+08:00 does not compare before 01:00Z")
	}
}

func TestTimeHelpers(t *testing.T) {
	tests := []struct {
		in   time.Time
		text string
	}{
		{time.Time{}, ""},
		{time.Date(2024, 3, 15, 8, 30, 0, 123456789, shanghai), "2024-03-15T00:30:00.123456789Z"},
		{time.Date(2019, 4, 25, 9, 32, 9, 0, time.UTC), "2019-04-25T09:32:09.000000000Z"},
	}
	for _, tt := range tests {
		got := dbTime(tt.in)
		if got != tt.text {
			t.Errorf("dbTime(%v) = %q, want %q", tt.in, got, tt.text)
		}
		back, err := parseTime(got)
		if err != nil || !back.Equal(tt.in) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", got, back, err, tt.in)
		}
	}
	if _, err := parseTime("2024-03-15 08:30:00 +0800 CST m=+0.1"); err == nil {
		t.Error("parseTime accepted a time.Time String() form")
	}
}

func TestMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "platform.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening applies nothing twice.
	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	var versions []int
	rows, err := db.sql.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		rows.Scan(&v)
		versions = append(versions, v)
	}
	rows.Close()
	if !slices.Equal(versions, []int{1, 2, 3, 4}) {
		t.Errorf("schema versions = %v, want [1 2 3 4]", versions)
	}
	if _, err := db.sql.Exec(`INSERT INTO schema_version VALUES (5, '')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "schema version 5 is newer than this program's 4") {
		t.Errorf("open a newer database: err = %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "a?b.db")); err == nil {
		t.Error("Open accepted a path with '?'")
	}
}
