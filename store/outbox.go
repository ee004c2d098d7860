package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"hotline/complaint"
)

// OutboxStatus is where an action stands on its way to the platform.
type OutboxStatus string

const (
	StatusPending OutboxStatus = "pending" // waiting to be sent, or to be sent again
	StatusSent    OutboxStatus = "sent"    // the platform applied it
	StatusRefused OutboxStatus = "refused" // the platform refused it; LastError says why
)

// OutboxItem is one action in the outbox with its delivery state. A refused
// item keeps everything the officer typed, to be fixed and resent.
type OutboxItem struct {
	complaint.Action
	Status    OutboxStatus
	Attempts  int    // failed sends (network, server errors)
	LastError string // the refusal reason (Chinese) or the last send error
	UpdatedAt time.Time
}

const outboxCols = `id, kind, ticket, base_version, text,
	has_reply, reply_text, reply_findings, reply_explanation, reply_measures,
	reply_basis, reply_citizen_opinion, reply_by, reply_at,
	created_at, status, attempts, last_error, updated_at, fields`

func scanItem(r rowScanner) (OutboxItem, error) {
	var it OutboxItem
	var rd replyDest
	var f actionFields
	dest := []any{&it.ID, &it.Kind, &it.Ticket, &it.BaseVersion, &it.Text}
	dest = append(dest, rd.dest()...)
	dest = append(dest, scanTime(&it.CreatedAt), &it.Status, &it.Attempts, &it.LastError, scanTime(&it.UpdatedAt), scanJSON(&f))
	if err := r.Scan(dest...); err != nil {
		return it, err
	}
	it.Reply = rd.reply()
	f.setOn(&it.Action)
	return it, nil
}

// Enqueue writes an action to the outbox as pending, filling its ID (a
// UUIDv7) and CreatedAt when empty, and returns it as stored. It is on disk
// when Enqueue returns. Enqueueing an ID already in the outbox changes
// nothing and returns the stored action.
func (s *Store) Enqueue(ctx context.Context, a complaint.Action) (complaint.Action, error) {
	if a.Ticket == "" || a.Kind == "" {
		return a, fmt.Errorf("store: enqueue: action needs a ticket and a kind (got ticket %q, kind %q)", a.Ticket, a.Kind)
	}
	if a.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return a, fmt.Errorf("store: enqueue: %w", err)
		}
		a.ID = id.String()
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now()
	}
	a.CreatedAt = a.CreatedAt.UTC()
	var stored OutboxItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.enqueueTx(ctx, tx, a); err != nil {
			return err
		}
		var err error
		stored, err = scanItem(tx.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, a.ID))
		return err
	})
	if err != nil {
		return a, fmt.Errorf("store: enqueue %s on %s: %w", a.Kind, a.Ticket, err)
	}
	return stored.Action, nil
}

// enqueueTx writes a, whose ID and CreatedAt are set, in tx.
func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, a complaint.Action) error {
	fields, err := fieldsOf(a).arg()
	if err != nil {
		return err
	}
	args := []any{a.ID, string(a.Kind), a.Ticket, a.BaseVersion, a.Text}
	args = append(args, replyArgs(a.Reply)...)
	args = append(args, dbTime(a.CreatedAt), string(StatusPending), dbTime(s.now()), fields)
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, ticket, base_version, text,
		has_reply, reply_text, reply_findings, reply_explanation, reply_measures,
		reply_basis, reply_citizen_opinion, reply_by, reply_at, created_at, status, updated_at, fields)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, args...)
	return err
}

// Pending lists the actions waiting to be sent, oldest first: the order they
// must reach the platform in.
func (s *Store) Pending(ctx context.Context) ([]OutboxItem, error) {
	return s.items(ctx, `WHERE status = 'pending' ORDER BY seq`)
}

// Unsent is every action not (yet) applied: pending ones and refused ones,
// oldest first. Refused ones stay until the officer resends or discards them.
func (s *Store) Unsent(ctx context.Context) ([]OutboxItem, error) {
	return s.items(ctx, `WHERE status IN ('pending', 'refused') ORDER BY seq`)
}

// Outbox lists every action on one ticket, newest first.
func (s *Store) Outbox(ctx context.Context, ticket string) ([]OutboxItem, error) {
	return s.items(ctx, `WHERE ticket = ? ORDER BY seq DESC`, ticket)
}

func (s *Store) items(ctx context.Context, where string, args ...any) ([]OutboxItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read outbox: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	return out, nil
}

// Item returns one outbox item by its action ID.
func (s *Store) Item(ctx context.Context, id string) (OutboxItem, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("store: outbox item %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("store: outbox item %s: %w", id, err)
	}
	return it, nil
}

// PendingCount is the number of actions waiting to be sent.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count outbox: %w", err)
	}
	return n, nil
}

// itemHead is what the mark functions need to know of an item.
type itemHead struct {
	seq         int64
	ticket      string
	baseVersion int64
	status      OutboxStatus
}

func getHead(ctx context.Context, tx *sql.Tx, id string) (itemHead, error) {
	var h itemHead
	err := tx.QueryRowContext(ctx, `SELECT seq, ticket, base_version, status FROM outbox WHERE id = ?`, id).
		Scan(&h.seq, &h.ticket, &h.baseVersion, &h.status)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("outbox item %s: %w", id, ErrNotFound)
	}
	return h, err
}

// MarkSent records that the platform applied the action, and stores the
// ticket it answered with (never over a newer cached version), in one
// transaction.
//
// Later pending actions on the same ticket that were based on the same
// version were queued on top of this one (sign, then reply, offline); they
// are rebased onto the answered version, or the platform would refuse each
// of them as stale.
func (s *Store) MarkSent(ctx context.Context, id string, t complaint.Ticket) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		h, err := getHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', last_error = '', updated_at = ? WHERE id = ?`,
			dbTime(s.now()), id); err != nil {
			return err
		}
		if t.Number == "" {
			return nil
		}
		if t.Number == h.ticket && t.Version > h.baseVersion && h.status == StatusPending {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET base_version = ?
				WHERE ticket = ? AND status = 'pending' AND seq > ? AND base_version = ?`,
				t.Version, h.ticket, h.seq, h.baseVersion); err != nil {
				return fmt.Errorf("rebase later actions: %w", err)
			}
		}
		return putTicket(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("store: mark %s sent: %w", id, err)
	}
	return nil
}

// MarkRefused records the platform's refusal with its reason (shown to the
// officer as it is) and keeps the action's text. current, when given, is the
// ticket as the platform holds it now and is stored under the version rule.
func (s *Store) MarkRefused(ctx context.Context, id, reason string, current *complaint.Ticket) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := getHead(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'refused', last_error = ?, updated_at = ? WHERE id = ?`,
			reason, dbTime(s.now()), id); err != nil {
			return err
		}
		if current != nil && current.Number != "" {
			return putTicket(ctx, tx, *current)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark %s refused: %w", id, err)
	}
	return nil
}

// MarkAttempt records a send that failed without an answer (network down,
// server error). The item stays pending, to be sent again with the same ID.
func (s *Store) MarkAttempt(ctx context.Context, id string, errText string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := getHead(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`,
			errText, dbTime(s.now()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark attempt on %s: %w", id, err)
	}
	return nil
}

// Resend puts a refused item back to pending, based on baseVersion (the
// version the officer has now checked), with its text unchanged. See Revise
// for why the item gets a new ID.
func (s *Store) Resend(ctx context.Context, id string, baseVersion int64) error {
	_, err := s.revise(ctx, id, baseVersion, nil)
	return err
}

// Revise replaces the text and reply of a refused item with what the
// officer corrected, and puts it back to pending based on baseVersion. It
// returns the action as it will be sent.
//
// The action gets a new ID, keeping its place in the queue: the platform
// remembers the answer it gave to each ID and would repeat the refusal for
// the old one.
func (s *Store) Revise(ctx context.Context, id, text string, reply *complaint.Reply, baseVersion int64) (complaint.Action, error) {
	return s.revise(ctx, id, baseVersion, &revision{text: text, reply: reply})
}

// ReviseAction is Revise for every field the officer fills in: the text,
// the reply and the kind's own fields (sub-unit, contact, criteria, days,
// new deadline, satisfaction …) are replaced by a's. The item's ticket,
// kind and creation time stay as they were; a's ID, Ticket, Kind,
// BaseVersion and CreatedAt are not used.
func (s *Store) ReviseAction(ctx context.Context, id string, a complaint.Action, baseVersion int64) (complaint.Action, error) {
	f := fieldsOf(a)
	return s.revise(ctx, id, baseVersion, &revision{text: a.Text, reply: a.Reply, fields: &f})
}

type revision struct {
	text   string
	reply  *complaint.Reply
	fields *actionFields // nil: kept as they were
}

func (s *Store) revise(ctx context.Context, id string, baseVersion int64, rev *revision) (complaint.Action, error) {
	nid, err := uuid.NewV7()
	if err != nil {
		return complaint.Action{}, fmt.Errorf("store: resend %s: %w", id, err)
	}
	var it OutboxItem
	err = s.tx(ctx, func(tx *sql.Tx) error {
		h, err := getHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if h.status != StatusRefused {
			return fmt.Errorf("outbox item %s is %s, only a refused one can be resent", id, h.status)
		}
		set := []string{`id = ?`, `status = 'pending'`, `base_version = ?`, `attempts = 0`, `last_error = ''`, `updated_at = ?`}
		args := []any{nid.String(), baseVersion, dbTime(s.now())}
		if rev != nil {
			set = append(set, `text = ?`, `has_reply = ?`, `reply_text = ?`, `reply_findings = ?`, `reply_explanation = ?`,
				`reply_measures = ?`, `reply_basis = ?`, `reply_citizen_opinion = ?`, `reply_by = ?`, `reply_at = ?`)
			args = append(args, rev.text)
			args = append(args, replyArgs(rev.reply)...)
			if rev.fields != nil {
				v, err := rev.fields.arg()
				if err != nil {
					return err
				}
				set = append(set, `fields = ?`)
				args = append(args, v)
			}
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...); err != nil {
			return err
		}
		it, err = scanItem(tx.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, nid.String()))
		return err
	})
	if err != nil {
		return complaint.Action{}, fmt.Errorf("store: resend %s: %w", id, err)
	}
	return it.Action, nil
}

// Discard deletes a refused item the officer has decided not to pursue.
// Pending and sent items cannot be discarded: one may already be on its way.
func (s *Store) Discard(ctx context.Context, id string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		h, err := getHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if h.status != StatusRefused {
			return fmt.Errorf("outbox item %s is %s, only a refused one can be discarded", id, h.status)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: discard %s: %w", id, err)
	}
	return nil
}
