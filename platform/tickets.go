package platform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// Summary counts what Dispatch did.
type Summary struct {
	Added    int // new tickets stored
	Existing int // tickets skipped because their number was already known
}

// Dispatch stores tickets sent by the center (or imported from a file) in
// one transaction: each new ticket with one event (dispatch, or import when
// it arrives in a later state, e.g. closed with a reply) and one change.
// Tickets whose number is already stored are skipped and counted. The unit
// of every ticket must exist and be of kind unit; otherwise nothing is
// stored. actor is who dispatched them (a login, or a name like "import").
func (db *DB) Dispatch(ctx context.Context, tickets []complaint.Ticket, actor string) (Summary, error) {
	var sum Summary
	for i, t := range tickets {
		if strings.TrimSpace(t.Number) == "" {
			return sum, fmt.Errorf("dispatch: ticket %d: %w: empty number", i+1, ErrInvalid)
		}
		if t.State != "" && !t.State.Valid() {
			return sum, fmt.Errorf("dispatch: ticket %s: %w state %q", t.Number, ErrInvalid, t.State)
		}
	}
	now := db.now().UTC()
	err := db.write(ctx, true, func(tx *sql.Tx) error {
		kinds := map[string]complaint.UnitKind{}
		for _, t := range tickets {
			if _, ok := kinds[t.Unit]; ok {
				continue
			}
			k, err := unitKind(ctx, tx, t.Unit)
			if err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			if k != complaint.KindUnit {
				return fmt.Errorf("dispatch: ticket %s: %w: %s is a %s, tickets go to units", t.Number, ErrInvalid, t.Unit, k)
			}
			kinds[t.Unit] = k
		}
		actorUnit := ""
		if err := tx.QueryRowContext(ctx, `SELECT unit FROM users WHERE login = ?`, actor).Scan(&actorUnit); err != nil && !errNoRows(err) {
			return fmt.Errorf("dispatch: actor %s: %w", actor, err)
		}
		w, err := newTicketWriter(ctx, tx)
		if err != nil {
			return fmt.Errorf("dispatch: %w", err)
		}
		defer w.close()
		for _, t := range tickets {
			t.Events = nil
			t.Version = 1
			if t.State == "" {
				t.State = complaint.Dispatched
			}
			if t.UpdatedAt.IsZero() {
				t.UpdatedAt = now
			}
			ev := complaint.Event{Kind: complaint.KindDispatch, Actor: actor, Unit: actorUnit, At: t.DispatchedAt, To: t.State}
			if t.State != complaint.Dispatched {
				ev.Kind, ev.At = complaint.KindImport, now
			}
			if ev.At.IsZero() {
				ev.At = now
			}
			added, err := w.insert(ctx, t)
			if err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			if !added {
				sum.Existing++
				continue
			}
			if _, err := w.event(ctx, t.Number, ev); err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			if err := w.change(ctx, t.Number, t.Unit); err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			sum.Added++
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	return sum, nil
}

const ticketCols = `number, title, content, caller, phone, address, category, received_at, dispatched_at,
	deadline, unit, subunit, handler, state, reply, version, updated_at`

// ticketWriter holds the statements of a write transaction that stores many
// tickets, prepared once.
type ticketWriter struct {
	ins, upd, ev, ch *sql.Stmt
}

func newTicketWriter(ctx context.Context, tx *sql.Tx) (*ticketWriter, error) {
	w := &ticketWriter{}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.PrepareContext(ctx, q)
		return s
	}
	w.ins = prep(`INSERT INTO tickets (` + ticketCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO NOTHING`)
	w.upd = prep(`UPDATE tickets SET title = ?2, content = ?3, caller = ?4, phone = ?5, address = ?6, category = ?7,
		received_at = ?8, dispatched_at = ?9, deadline = ?10, unit = ?11, subunit = ?12, handler = ?13, state = ?14,
		reply = ?15, version = ?16, updated_at = ?17 WHERE number = ?1 AND version = ?18`)
	w.ev = prep(`INSERT INTO events (ticket, kind, actor, unit, at, from_state, to_state, text, action_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	w.ch = prep(`INSERT INTO changes (ticket, unit) VALUES (?, ?)`)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return w, nil
}

func (w *ticketWriter) close() {
	for _, s := range []*sql.Stmt{w.ins, w.upd, w.ev, w.ch} {
		if s != nil {
			s.Close()
		}
	}
}

func ticketArgs(t complaint.Ticket) ([]any, error) {
	var reply any
	if t.Reply != nil {
		r := *t.Reply
		r.At = r.At.UTC()
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode reply: %w", err)
		}
		reply = string(b)
	}
	return []any{t.Number, t.Title, t.Content, t.Caller, t.Phone, t.Address, t.Category,
		dbTime(t.ReceivedAt), dbTime(t.DispatchedAt), dbTime(t.Deadline), t.Unit, t.Subunit, t.Handler,
		string(t.State), reply, t.Version, dbTime(t.UpdatedAt)}, nil
}

// insert stores a new ticket; it reports false when the number exists.
func (w *ticketWriter) insert(ctx context.Context, t complaint.Ticket) (bool, error) {
	args, err := ticketArgs(t)
	if err != nil {
		return false, err
	}
	res, err := w.ins.ExecContext(ctx, args...)
	if err != nil {
		return false, fmt.Errorf("insert ticket: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// update replaces the stored ticket whose version is base with t.
func (w *ticketWriter) update(ctx context.Context, t complaint.Ticket, base int64) error {
	args, err := ticketArgs(t)
	if err != nil {
		return err
	}
	res, err := w.upd.ExecContext(ctx, append(args, base)...)
	if err != nil {
		return fmt.Errorf("update ticket: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update ticket: version %d is no longer current", base)
	}
	return nil
}

func (w *ticketWriter) event(ctx context.Context, number string, e complaint.Event) (int64, error) {
	res, err := w.ev.ExecContext(ctx, number, string(e.Kind), e.Actor, e.Unit, dbTime(e.At),
		string(e.From), string(e.To), e.Text, e.Action)
	if err != nil {
		return 0, fmt.Errorf("insert event: %w", err)
	}
	return res.LastInsertId()
}

func (w *ticketWriter) change(ctx context.Context, number, unit string) error {
	if _, err := w.ch.ExecContext(ctx, number, unit); err != nil {
		return fmt.Errorf("append change: %w", err)
	}
	return nil
}

// save stores next, the ticket cur after one change whose event is the last
// of next.Events: the ticket row, the event (its ID filled in) and the
// change rows. It returns next as stored.
func (w *ticketWriter) save(ctx context.Context, cur, next complaint.Ticket) (complaint.Ticket, error) {
	if len(next.Events) != len(cur.Events)+1 {
		return next, fmt.Errorf("ticket %s: a change must add exactly one event", next.Number)
	}
	next.Events = append([]complaint.Event(nil), next.Events...)
	if err := w.update(ctx, next, cur.Version); err != nil {
		return next, err
	}
	ev := &next.Events[len(next.Events)-1]
	var err error
	if ev.ID, err = w.event(ctx, next.Number, *ev); err != nil {
		return next, err
	}
	if err := w.change(ctx, next.Number, next.Unit); err != nil {
		return next, err
	}
	if next.Unit != cur.Unit {
		// The old unit's terminals learn from this row that it left.
		if err := w.change(ctx, next.Number, cur.Unit); err != nil {
			return next, err
		}
	}
	return next, nil
}

// loadTickets reads the tickets with the given numbers, with their events,
// in the order of numbers; numbers not stored are left out.
func loadTickets(ctx context.Context, q queryer, numbers []string) ([]complaint.Ticket, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(numbers)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE number IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("load tickets: %w", err)
	}
	byNumber := make(map[string]*complaint.Ticket, len(numbers))
	for rows.Next() {
		var t complaint.Ticket
		var reply sql.NullString
		err := rows.Scan(&t.Number, &t.Title, &t.Content, &t.Caller, &t.Phone, &t.Address, &t.Category,
			timeCol{&t.ReceivedAt}, timeCol{&t.DispatchedAt}, timeCol{&t.Deadline}, &t.Unit, &t.Subunit, &t.Handler,
			&t.State, &reply, &t.Version, timeCol{&t.UpdatedAt})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("load tickets: %w", err)
		}
		if reply.Valid {
			t.Reply = new(complaint.Reply)
			if err := json.Unmarshal([]byte(reply.String), t.Reply); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load ticket %s: reply: %w", t.Number, err)
			}
		}
		byNumber[t.Number] = &t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load tickets: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, ticket, kind, actor, unit, at, from_state, to_state, text, action_id
		FROM events WHERE ticket IN (SELECT value FROM json_each(?)) ORDER BY id`, string(list))
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e complaint.Event
		var number string
		if err := rows.Scan(&e.ID, &number, &e.Kind, &e.Actor, &e.Unit, timeCol{&e.At}, &e.From, &e.To, &e.Text, &e.Action); err != nil {
			return nil, fmt.Errorf("load events: %w", err)
		}
		if t := byNumber[number]; t != nil {
			t.Events = append(t.Events, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}

	out := make([]complaint.Ticket, 0, len(byNumber))
	for _, n := range numbers {
		if t := byNumber[n]; t != nil {
			out = append(out, *t)
			delete(byNumber, n) // a number listed twice comes once
		}
	}
	return out, nil
}

// sees reports whether u may see t: the center sees every ticket, everyone
// else the tickets of their own unit.
func sees(u complaint.User, t complaint.Ticket) bool {
	return u.Has(complaint.RoleCenter) || t.Unit == u.Unit
}

// errNotVisible is a ticket that does not exist or that the user may not
// see; the two are not told apart, so other units' numbers are not revealed.
var errNotVisible = errors.New("ticket not found in the caller's view")

// Ticket returns one ticket with its events, whoever's it is: for
// administration and tests, never for a request.
func (db *DB) Ticket(ctx context.Context, number string) (complaint.Ticket, error) {
	return db.ticket(ctx, complaint.User{Roles: []complaint.Role{complaint.RoleCenter}}, number)
}

// ticket returns one ticket with its events, if u may see it.
func (db *DB) ticket(ctx context.Context, u complaint.User, number string) (complaint.Ticket, error) {
	var ts []complaint.Ticket
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		ts, err = loadTickets(ctx, tx, []string{number})
		return err
	})
	if err != nil {
		return complaint.Ticket{}, err
	}
	if len(ts) == 0 || !sees(u, ts[0]) {
		return complaint.Ticket{}, errNotVisible
	}
	return ts[0], nil
}

// feed returns the changes after cursor that u may see, collapsed to the
// latest version of each ticket, at most limit tickets.
//
// Tickets are taken in the order of their latest change, so every ticket
// whose latest change is at or below the returned cursor is in the page, and
// a ticket also changed later comes in a later page, whole and current.
func (db *DB) feed(ctx context.Context, u complaint.User, after int64, limit int) (api.Changes, error) {
	out := api.Changes{Cursor: after, Tickets: []complaint.Ticket{}}
	err := db.read(ctx, func(tx *sql.Tx) error {
		var rows *sql.Rows
		var err error
		if u.Has(complaint.RoleCenter) {
			rows, err = tx.QueryContext(ctx, `SELECT ticket, MAX(seq) AS s FROM changes WHERE seq > ?
				GROUP BY ticket ORDER BY s LIMIT ?`, after, limit+1)
		} else {
			rows, err = tx.QueryContext(ctx, `SELECT ticket, MAX(seq) AS s FROM changes WHERE unit = ? AND seq > ?
				GROUP BY ticket ORDER BY s LIMIT ?`, u.Unit, after, limit+1)
		}
		if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		var numbers []string
		for rows.Next() {
			var n string
			var seq int64
			if err := rows.Scan(&n, &seq); err != nil {
				rows.Close()
				return fmt.Errorf("read changes: %w", err)
			}
			if len(numbers) == limit {
				out.More = true
				break
			}
			numbers = append(numbers, n)
			out.Cursor = seq
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		ts, err := loadTickets(ctx, tx, numbers)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if sees(u, t) {
				out.Tickets = append(out.Tickets, t)
			} else {
				out.Removed = append(out.Removed, t.Number)
			}
		}
		return nil
	})
	if err != nil {
		return api.Changes{}, err
	}
	return out, nil
}

// conflictError is an action based on a version that is no longer current.
type conflictError struct{ current complaint.Ticket }

func (e *conflictError) Error() string {
	return fmt.Sprintf("ticket %s: base version is stale, current is %d", e.current.Number, e.current.Version)
}

// errActionTaken is an action id already used by another user or for another
// ticket.
var errActionTaken = errors.New("action id already used for another ticket or user")

// act applies an action of u in one transaction: dedupe by action id, scope,
// version check, the state machine, then the ticket, its event, its change
// and the action's record. It returns the result and whether it is a replay.
func (db *DB) act(ctx context.Context, u complaint.User, a complaint.Action, now time.Time) (api.ActionResult, error) {
	var res api.ActionResult
	now = now.UTC()
	err := db.write(ctx, true, func(tx *sql.Tx) error {
		var user, number, stored string
		err := tx.QueryRowContext(ctx, `SELECT user, ticket, result FROM actions WHERE id = ?`, a.ID).Scan(&user, &number, &stored)
		switch {
		case err == nil:
			if user != u.Login || number != a.Ticket {
				return errActionTaken
			}
			if err := json.Unmarshal([]byte(stored), &res); err != nil {
				return fmt.Errorf("action %s: stored result: %w", a.ID, err)
			}
			res.Replayed = true
			return nil
		case !errNoRows(err):
			return fmt.Errorf("action %s: %w", a.ID, err)
		}

		ts, err := loadTickets(ctx, tx, []string{a.Ticket})
		if err != nil {
			return err
		}
		if len(ts) == 0 || !sees(u, ts[0]) {
			return errNotVisible
		}
		cur := ts[0]
		if a.BaseVersion != cur.Version {
			return &conflictError{current: cur}
		}
		next, _, err := complaint.Apply(cur, u, a, now)
		if err != nil {
			return err
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = now

		w, err := newTicketWriter(ctx, tx)
		if err != nil {
			return fmt.Errorf("action %s: %w", a.ID, err)
		}
		defer w.close()
		if next, err = w.save(ctx, cur, next); err != nil {
			return fmt.Errorf("action %s: %w", a.ID, err)
		}
		res = api.ActionResult{Ticket: next}
		b, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("action %s: encode result: %w", a.ID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO actions (id, user, ticket, status, result, at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, u.Login, a.Ticket, 200, string(b), dbTime(now))
		if err != nil {
			return fmt.Errorf("action %s: record: %w", a.ID, err)
		}
		return nil
	})
	return res, err
}
