// Package notify decides which notifications a ticket's event makes, for
// whom, on which channels and when (Plan), stores them in the action's own
// transaction (Enqueue), and delivers them (Dispatcher): retried with
// backoff, deduplicated, rate-limited per channel, every attempt logged
// (Log). The terminal's alerts wait in the same table for the terminal to
// fetch them (Inbox). Sending on a channel is platform/sender's; who the
// people are is the platform's, through Directory.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"hotline/platform/dbtime"
)

// Schema creates the notify tables. The platform appends it as one
// migration of its database. Instants are TEXT in one fixed-width UTC layout
// (as the platform writes them), so text order is time order; ” is none.
//
// notifications.next_at is when the dispatcher next looks at a row: the send
// time of a queued one (held by quiet hours, pushed by backoff), the end of
// the claim of one being sent. seq orders a user's terminal alerts; it is
// given when an alert becomes due, so that a cursor over it never skips a
// reminder made earlier and due later.
const Schema = `
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	dedupe     TEXT NOT NULL,
	event      TEXT NOT NULL,
	stage      TEXT NOT NULL DEFAULT '',
	ticket     TEXT NOT NULL,
	unit       TEXT NOT NULL,
	login      TEXT NOT NULL DEFAULT '',   -- '' for a group message
	name       TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	mention    TEXT NOT NULL DEFAULT '[]', -- JSON list of phones a group message @mentions
	channel    TEXT NOT NULL,
	text       TEXT NOT NULL,
	title      TEXT NOT NULL DEFAULT '',
	template   TEXT NOT NULL DEFAULT '',
	params     TEXT NOT NULL DEFAULT '[]', -- JSON [{"Name":…,"Value":…}] in the template's order
	not_before TEXT NOT NULL,
	urgent     INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
	step       TEXT NOT NULL DEFAULT '',
	due        TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    TEXT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	seq        INTEGER UNIQUE,
	created_at TEXT NOT NULL,
	sent_at    TEXT NOT NULL DEFAULT '',
	UNIQUE (dedupe, login, channel)
) STRICT;
CREATE INDEX notifications_next ON notifications (status, next_at);
CREATE INDEX notifications_unit ON notifications (unit, not_before);
CREATE INDEX notifications_inbox ON notifications (login, seq) WHERE seq IS NOT NULL;

CREATE TABLE deliveries (
	id           INTEGER PRIMARY KEY,
	notification INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
	at           TEXT NOT NULL,
	outcome      TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'dropped', 'fetched')),
	error        TEXT NOT NULL DEFAULT '',
	took_ms      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX deliveries_notification ON deliveries (notification, id);
`

// Statuses of a notification.
const (
	Queued  = "queued"
	Sending = "sending"
	Sent    = "sent"
	Failed  = "failed"
	Dropped = "dropped"
)

// Enqueue stores ns in tx, the transaction of the action that made them, so
// that a notification exists exactly when its action committed. A
// notification whose key, recipient and channel are already stored is left
// out: a retried action, or a reminder planned again, adds nothing. It
// returns how many were added. A non-urgent notification for a phone or a
// group is held to the end of its quiet hours; a terminal alert is not (the
// terminal is silent), and one due now is placed in its user's inbox at once.
func Enqueue(ctx context.Context, tx *sql.Tx, ns []Notification) (int, error) {
	added := 0
	for _, n := range ns {
		if n.Key == "" || n.Channel == "" || n.Ticket == "" {
			return added, fmt.Errorf("notify: enqueue: notification without key, channel or ticket: %+v", n)
		}
		created := n.CreatedAt
		if created.IsZero() {
			created = n.NotBefore
		}
		nb := n.NotBefore
		if nb.IsZero() {
			nb = created
		}
		next := nb
		if !n.Urgent && n.Channel != Terminal {
			next = n.Quiet.hold(nb)
		}
		params, err := json.Marshal(n.Params)
		if err != nil {
			return added, fmt.Errorf("notify: enqueue %s: params: %w", n.Key, err)
		}
		mention, err := json.Marshal(n.Mention)
		if err != nil {
			return added, fmt.Errorf("notify: enqueue %s: mention: %w", n.Key, err)
		}
		if n.Mention == nil {
			mention = []byte("[]")
		}
		if n.Params == nil {
			params = []byte("[]")
		}
		// A terminal alert due already goes into the inbox now, in the
		// action's transaction; later ones are placed by the dispatcher when
		// they fall due.
		seq := "NULL"
		if n.Channel == Terminal && !next.After(created) {
			seq = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM notifications)"
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications
			(dedupe, event, stage, ticket, unit, login, name, phone, mention, channel, text, title, template, params,
			 not_before, urgent, step, due, next_at, seq, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+seq+`, ?)
			ON CONFLICT (dedupe, login, channel) DO NOTHING`,
			n.Key, n.Event, n.Stage, n.Ticket, n.Unit, n.Login, n.Name, n.Phone, string(mention), n.Channel, n.Text, n.Title,
			n.Template, string(params), dbTime(nb), n.Urgent, string(n.Step), dbTime(n.Due), dbTime(next), dbTime(created))
		if err != nil {
			return added, fmt.Errorf("notify: enqueue %s to %s on %s: %w", n.Key, n.Login, n.Channel, err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return added, fmt.Errorf("notify: enqueue %s: %w", n.Key, err)
		}
		added += int(k)
	}
	return added, nil
}

// Instants are kept as dbtime says.
func dbTime(t time.Time) string { return dbtime.Format(t) }

// timeCol scans a column written by dbTime into *t.
func timeCol(t *time.Time) dbtime.Col { return dbtime.Col{T: t} }
