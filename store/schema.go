package store

import (
	"context"
	"database/sql"
	"fmt"

	"hotline/complaint"
)

// migrations are applied in order; migrations[i] brings the schema to version
// i+1. Append only: a shipped migration never changes.
var migrations = []string{
	// 1: tickets, events, cursor, outbox, key-value state, drafts.
	`
CREATE TABLE tickets (
	id            INTEGER PRIMARY KEY,
	number        TEXT NOT NULL UNIQUE CHECK (number <> ''),
	title         TEXT NOT NULL,
	content       TEXT NOT NULL,
	caller        TEXT NOT NULL,
	phone         TEXT NOT NULL,
	address       TEXT NOT NULL,
	category      TEXT NOT NULL,
	received_at   TEXT,
	dispatched_at TEXT,
	deadline      TEXT,
	unit          TEXT NOT NULL,
	subunit       TEXT NOT NULL,
	handler       TEXT NOT NULL,
	state         TEXT NOT NULL CHECK (state <> ''),
	open          INTEGER NOT NULL,
	has_reply     INTEGER NOT NULL,
	reply_text    TEXT NOT NULL,
	reply_findings TEXT NOT NULL,
	reply_explanation TEXT NOT NULL,
	reply_measures TEXT NOT NULL,
	reply_basis   TEXT NOT NULL,
	reply_citizen_opinion TEXT NOT NULL,
	reply_by      TEXT NOT NULL,
	reply_at      TEXT,
	version       INTEGER NOT NULL,
	updated_at    TEXT
);
CREATE INDEX tickets_received ON tickets (received_at);
CREATE INDEX tickets_open_received ON tickets (open, received_at);
CREATE INDEX tickets_state ON tickets (state);

CREATE TABLE events (
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	id         INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	actor      TEXT NOT NULL,
	unit       TEXT NOT NULL,
	at         TEXT,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	text       TEXT NOT NULL,
	action     TEXT NOT NULL,
	PRIMARY KEY (ticket_id, seq)
) WITHOUT ROWID;

CREATE TABLE sync (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	cursor INTEGER NOT NULL
);
INSERT INTO sync (id, cursor) VALUES (1, 0);

CREATE TABLE outbox (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	id           TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	ticket       TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	text         TEXT NOT NULL,
	has_reply    INTEGER NOT NULL,
	reply_text    TEXT NOT NULL,
	reply_findings TEXT NOT NULL,
	reply_explanation TEXT NOT NULL,
	reply_measures TEXT NOT NULL,
	reply_basis   TEXT NOT NULL,
	reply_citizen_opinion TEXT NOT NULL,
	reply_by      TEXT NOT NULL,
	reply_at      TEXT,
	created_at   TEXT,
	status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'refused')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, seq);
CREATE INDEX outbox_ticket ON outbox (ticket, seq);

CREATE TABLE kv (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE drafts (
	ticket     TEXT NOT NULL,
	field      TEXT NOT NULL,
	text       TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (ticket, field)
) WITHOUT ROWID;
`,
	// 2: full-text search. The trigram tokenizer finds any substring of 3 or
	// more characters, which is what Chinese text needs (it has no spaces
	// between words); shorter terms are matched with instr() instead, see
	// Search. The index holds no copy of the text (contentless) and is kept
	// up to date by indexTickets once per transaction rather than by
	// triggers: FTS5 flushes its pending terms at every statement that
	// touches it, and a trigger per ticket made Apply several times slower.
	`
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
	number, title, content, caller, phone, address, category,
	content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO tickets_fts (rowid, number, title, content, caller, phone, address, category)
SELECT id, number, title, content, caller, phone, address, category FROM tickets;
`,
	// 3: the whole procedure. Columns for what lists filter and sort on
	// (the step now due and its deadline, the callback's satisfaction,
	// urges, reopens, supervision, a pending extension); JSON text for the
	// nested records that are only ever read whole (a ticket's contact,
	// review, return request and extension together in records, an event's
	// fields, an action's kind-specific fields), NULL standing for none.
	// Rows of earlier versions get the zero of each. The search index is
	// rebuilt to take in the reply's fields.
	`
ALTER TABLE tickets ADD COLUMN satisfaction TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN reopens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN urges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN supervised INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN extension_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN step TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN step_start TEXT;
ALTER TABLE tickets ADD COLUMN due TEXT;
ALTER TABLE tickets ADD COLUMN due_note TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN records TEXT;
CREATE INDEX tickets_open_due ON tickets (open, due);
CREATE INDEX tickets_subunit ON tickets (subunit);

ALTER TABLE events ADD COLUMN fields TEXT;

ALTER TABLE outbox ADD COLUMN fields TEXT;

DROP TABLE tickets_fts;
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
	number, title, content, caller, phone, address, category,
	reply_text, reply_findings, reply_explanation, reply_measures, reply_basis, reply_citizen_opinion,
	content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO tickets_fts (rowid, number, title, content, caller, phone, address, category,
	reply_text, reply_findings, reply_explanation, reply_measures, reply_basis, reply_citizen_opinion)
SELECT id, number, title, content, caller, phone, address, category,
	reply_text, reply_findings, reply_explanation, reply_measures, reply_basis, reply_citizen_opinion
FROM tickets;
`,
	// 4: a second search index, of single characters, for the one- and
	// two-character terms the trigram index cannot answer (see Search and
	// charTokens). One column: the fields are joined by hotline_chars,
	// which keeps a phrase from running across them.
	`
CREATE VIRTUAL TABLE tickets_chars USING fts5 (
	text,
	content = '', contentless_delete = 1, tokenize = 'ascii'
);
INSERT INTO tickets_chars (rowid, text)
SELECT id, hotline_chars(number, title, content, caller, phone, address, category,
	reply_text, reply_findings, reply_explanation, reply_measures, reply_basis, reply_citizen_opinion)
FROM tickets;
`,
	// 5: the statistics read a period's tickets (History) by when they
	// changed and by the time of their events; without these both tables
	// are scanned whole.
	`
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX events_at ON events (at);
`,
	// 6: files on their way to the platform, one per attach action in the
	// outbox (same id): where the file is on this machine, its hash once
	// read, the tus upload it goes into and how far it has got.
	`
CREATE TABLE uploads (
	id         TEXT PRIMARY KEY,
	ticket     TEXT NOT NULL,
	path       TEXT NOT NULL,
	name       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	sha256     TEXT NOT NULL DEFAULT '',
	location   TEXT NOT NULL DEFAULT '',
	sent       INTEGER NOT NULL DEFAULT 0,
	state      TEXT NOT NULL CHECK (state IN ('waiting', 'uploading', 'done', 'failed')),
	error      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX uploads_ticket ON uploads (ticket);
`,
	// 7: the user's alerts as the platform handed them over (its inbox id
	// is the cursor), and whether they were seen on this terminal.
	`
CREATE TABLE alerts (
	id     INTEGER PRIMARY KEY,
	event  TEXT NOT NULL,
	stage  TEXT NOT NULL,
	ticket TEXT NOT NULL,
	text   TEXT NOT NULL,
	at     TEXT NOT NULL,
	urgent INTEGER NOT NULL,
	seen   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_unseen ON alerts (seen, id);
`,
	// 8: which version of the file an upload's hash was read from: its
	// modification time in nanoseconds since 1970 (0 when not recorded), so
	// that a file changed after its hash was read is caught however little
	// of it changed and wherever.
	`
ALTER TABLE uploads ADD COLUMN mtime INTEGER NOT NULL DEFAULT 0;
`,
}

// migrate creates the version table if needed and applies every migration
// above the stored version, each in its own transaction with the version
// bump, so that a crash leaves the schema at a known version.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for {
		var applied bool
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var v int
			err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
			if err == sql.ErrNoRows {
				if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
					return err
				}
				v = 0
			} else if err != nil {
				return err
			}
			if v > len(migrations) {
				return fmt.Errorf("database schema version %d is newer than this program (%d)", v, len(migrations))
			}
			if v == len(migrations) {
				return nil
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, v+1); err != nil {
				return err
			}
			applied = true
			return nil
		})
		if err != nil {
			return err
		}
		if !applied {
			break
		}
	}
	return s.refreshOpen(ctx)
}

// refreshOpen recomputes the stored open flag from complaint.State.Open, so
// that a program whose idea of an open state changed does not list tickets by
// a stale flag.
func (s *Store) refreshOpen(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT state, open FROM tickets`)
	if err != nil {
		return fmt.Errorf("read ticket states: %w", err)
	}
	type fix struct {
		state string
		open  bool
	}
	var fixes []fix
	for rows.Next() {
		var st string
		var open bool
		if err := rows.Scan(&st, &open); err != nil {
			rows.Close()
			return err
		}
		if want := complaint.State(st).Open(); want != open {
			fixes = append(fixes, fix{st, want})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(fixes) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, f := range fixes {
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET open = ? WHERE state = ?`, f.open, f.state); err != nil {
				return fmt.Errorf("refresh open flag: %w", err)
			}
		}
		return nil
	})
}
