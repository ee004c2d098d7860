package platform

// schemaV1 is the first schema. Instants are TEXT written by dbTime (empty for
// none); the column types are TEXT, not DATETIME, so the driver hands them
// back as strings and never guesses a format.
const schemaV1 = `
CREATE TABLE units (
	code   TEXT PRIMARY KEY,
	name   TEXT NOT NULL,
	kind   TEXT NOT NULL CHECK (kind IN ('center', 'unit', 'subunit')),
	parent TEXT REFERENCES units (code),
	phone  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE users (
	login    TEXT PRIMARY KEY,
	name     TEXT NOT NULL,
	unit     TEXT NOT NULL REFERENCES units (code),
	roles    TEXT NOT NULL,          -- complaint.Role values joined by ','
	phone    TEXT NOT NULL DEFAULT '',
	password TEXT NOT NULL           -- argon2id PHC string
) STRICT;

-- A terminal's address is never given to another terminal, even after
-- revocation, so nothing bound to an old address (a session, a log line)
-- can be mistaken for the new holder's.
CREATE TABLE terminals (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	user       TEXT NOT NULL REFERENCES users (login),
	public_key TEXT NOT NULL UNIQUE,
	address    TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX terminals_active_name ON terminals (name) WHERE revoked_at = '';

-- Only the SHA-256 of a token is kept: a copy of the database lets no one in.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user       TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
	ip         TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user);

CREATE TABLE tickets (
	number        TEXT PRIMARY KEY,
	title         TEXT NOT NULL DEFAULT '',
	content       TEXT NOT NULL DEFAULT '',
	caller        TEXT NOT NULL DEFAULT '',
	phone         TEXT NOT NULL DEFAULT '',
	address       TEXT NOT NULL DEFAULT '',
	category      TEXT NOT NULL DEFAULT '',
	received_at   TEXT NOT NULL DEFAULT '',
	dispatched_at TEXT NOT NULL DEFAULT '',
	deadline      TEXT NOT NULL DEFAULT '',
	unit          TEXT NOT NULL REFERENCES units (code),
	subunit       TEXT NOT NULL DEFAULT '',
	handler       TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL,
	reply         TEXT,                  -- complaint.Reply as JSON, NULL when none
	version       INTEGER NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_unit ON tickets (unit);

CREATE TABLE events (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket     TEXT NOT NULL REFERENCES tickets (number),
	kind       TEXT NOT NULL,
	actor      TEXT NOT NULL,
	unit       TEXT NOT NULL DEFAULT '',
	at         TEXT NOT NULL,
	from_state TEXT NOT NULL DEFAULT '',
	to_state   TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL DEFAULT '',
	action_id  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_ticket ON events (ticket, id);

-- The change feed. AUTOINCREMENT so that a sequence number is never reused;
-- numbers are assigned inside the one write transaction SQLite allows, so a
-- reader never sees a later number committed before an earlier one.
CREATE TABLE changes (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket TEXT NOT NULL REFERENCES tickets (number),
	unit   TEXT NOT NULL
) STRICT;
CREATE INDEX changes_unit ON changes (unit, seq);

-- Applied actions, by their client-made id, so that a retry is answered with
-- the first result instead of being applied twice.
CREATE TABLE actions (
	id     TEXT PRIMARY KEY,
	user   TEXT NOT NULL,
	ticket TEXT NOT NULL,
	status INTEGER NOT NULL,
	result TEXT NOT NULL,
	at     TEXT NOT NULL
) STRICT;
`

// schemaV2 carries the whole procedure: a first-level unit's deadlines and
// choices (complaint.Policy as JSON), every part of a ticket the state
// machine fills (each a JSON object, NULL when none), the step a ticket waits
// on with its deadline, and the labelled fields of each event.
//
// The change feed keeps one row per view a change concerns: the ticket's
// unit and sub-unit after it, and those it left. A handler's view is the
// sub-unit's code, so the same unit column serves both.
const schemaV2 = `
ALTER TABLE units ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';

ALTER TABLE tickets ADD COLUMN contact        TEXT;
ALTER TABLE tickets ADD COLUMN review         TEXT;
ALTER TABLE tickets ADD COLUMN return_request TEXT;
ALTER TABLE tickets ADD COLUMN extension      TEXT;
ALTER TABLE tickets ADD COLUMN satisfaction   TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN reopens        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN urges          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN supervised     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN step           TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN step_start     TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN due            TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN due_note       TEXT NOT NULL DEFAULT '';
CREATE INDEX tickets_subunit ON tickets (subunit) WHERE subunit <> '';

ALTER TABLE events ADD COLUMN fields TEXT; -- map of labelled values as JSON, NULL when none
`
