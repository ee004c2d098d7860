package platform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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
// it arrives in a later state, e.g. closed with a reply), its step and due
// time under its unit's policy, and a change for each view it is in.
// Tickets whose number is already stored are skipped and counted. The unit
// of every ticket must exist and be of kind unit; otherwise nothing is
// stored. actor is who dispatched them (a login, or a name like "import").
func (db *DB) Dispatch(ctx context.Context, tickets []complaint.Ticket, actor string) (Summary, error) {
	return db.dispatch(ctx, tickets, actor, nil)
}

// dispatch is Dispatch calling saved, when not nil, with the count of
// tickets written so far (from 0 to all of them; the transaction commits
// after the last).
func (db *DB) dispatch(ctx context.Context, tickets []complaint.Ticket, actor string, saved func(done int)) (Summary, error) {
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
		policies := map[string]complaint.Policy{}
		for _, t := range tickets {
			if _, ok := policies[t.Unit]; ok {
				continue
			}
			u, err := unit(ctx, tx, t.Unit)
			if err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			if u.Kind != complaint.KindUnit {
				return fmt.Errorf("dispatch: ticket %s: %w: %s is a %s, tickets go to units", t.Number, ErrInvalid, t.Unit, u.Kind)
			}
			policies[t.Unit] = u.Policy
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
		for i, t := range tickets {
			if saved != nil {
				saved(i)
			}
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
			// The step is counted from the dispatch event; a ticket
			// imported in a later state counts from the times it carries,
			// and one imported closed has no step.
			t.Events = []complaint.Event{ev}
			db.setDue(&t, policies[t.Unit])
			t.Events = nil
			added, err := w.insert(ctx, t)
			if err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			if !added {
				sum.Existing++
				continue
			}
			if ev.ID, err = w.event(ctx, t.Number, ev); err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			t.Events = []complaint.Event{ev}
			if err := db.plan(ctx, tx, complaint.Ticket{}, t, ev, now); err != nil {
				return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
			}
			for _, v := range views(t) {
				if err := w.change(ctx, t.Number, v); err != nil {
					return fmt.Errorf("dispatch: ticket %s: %w", t.Number, err)
				}
			}
			sum.Added++
		}
		if saved != nil {
			saved(len(tickets))
		}
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	return sum, nil
}

const ticketCols = `number, title, content, caller, phone, address, category, received_at, dispatched_at,
	deadline, unit, subunit, handler, state, reply, version, updated_at,
	contact, review, return_request, extension, satisfaction, reopens, urges, supervised,
	step, step_start, due, due_note, attachments`

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
	w.ins = prep(`INSERT INTO tickets (` + ticketCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO NOTHING`)
	w.upd = prep(`UPDATE tickets SET title = ?2, content = ?3, caller = ?4, phone = ?5, address = ?6, category = ?7,
		received_at = ?8, dispatched_at = ?9, deadline = ?10, unit = ?11, subunit = ?12, handler = ?13, state = ?14,
		reply = ?15, version = ?16, updated_at = ?17, contact = ?18, review = ?19, return_request = ?20,
		extension = ?21, satisfaction = ?22, reopens = ?23, urges = ?24, supervised = ?25,
		step = ?26, step_start = ?27, due = ?28, due_note = ?29, attachments = ?30
		WHERE number = ?1 AND version = ?31`)
	w.ev = prep(`INSERT INTO events (ticket, kind, actor, unit, at, from_state, to_state, text, action_id, fields)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
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

// jsonCol is a part of a ticket as a JSON column: NULL when there is none.
func jsonCol[T any](name string, p *T) (any, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return string(b), nil
}

// scanJSON reads a column written by jsonCol.
func scanJSON[T any](name string, s sql.NullString, dst **T) error {
	if !s.Valid {
		*dst = nil
		return nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s.String), v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	*dst = v
	return nil
}

// listCol is a list as a JSON column: NULL when it is empty.
func listCol[T any](name string, l []T) (any, error) {
	if len(l) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return string(b), nil
}

// scanList reads a column written by listCol; NULL is a nil list.
func scanList[T any](name string, s sql.NullString, dst *[]T) error {
	*dst = nil
	if !s.Valid {
		return nil
	}
	if err := json.Unmarshal([]byte(s.String), dst); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// inUTC returns t with every instant in UTC and every part copied, as the
// database gives it back, so that what an action answers is exactly what a
// later read returns.
func inUTC(t complaint.Ticket) complaint.Ticket {
	u := func(x *time.Time) {
		if x.IsZero() {
			*x = time.Time{}
		} else {
			*x = x.UTC()
		}
	}
	u(&t.ReceivedAt)
	u(&t.DispatchedAt)
	u(&t.Deadline)
	u(&t.StepStart)
	u(&t.Due)
	u(&t.UpdatedAt)
	if t.Contact != nil {
		c := *t.Contact
		u(&c.At)
		t.Contact = &c
	}
	if t.Reply != nil {
		r := *t.Reply
		u(&r.At)
		t.Reply = &r
	}
	if t.Review != nil {
		r := *t.Review
		u(&r.At)
		r.Criteria = slices.Clone(r.Criteria)
		t.Review = &r
	}
	if t.Return != nil {
		r := *t.Return
		u(&r.At)
		t.Return = &r
	}
	if t.Extension != nil {
		x := *t.Extension
		u(&x.At)
		u(&x.Deadline)
		t.Extension = &x
	}
	if t.Attachments != nil {
		as := make([]complaint.Attachment, len(t.Attachments))
		for i, a := range t.Attachments {
			u(&a.At)
			as[i] = a
		}
		t.Attachments = as
	}
	if t.Events != nil {
		evs := make([]complaint.Event, len(t.Events))
		for i, e := range t.Events {
			u(&e.At)
			if len(e.Fields) == 0 {
				e.Fields = nil
			} else {
				e.Fields = maps.Clone(e.Fields)
			}
			evs[i] = e
		}
		t.Events = evs
	}
	return t
}

func ticketArgs(t complaint.Ticket) ([]any, error) {
	t = inUTC(t)
	var cols [6]any
	var errs [6]error
	cols[0], errs[0] = jsonCol("reply", t.Reply)
	cols[1], errs[1] = jsonCol("contact", t.Contact)
	cols[2], errs[2] = jsonCol("review", t.Review)
	cols[3], errs[3] = jsonCol("return", t.Return)
	cols[4], errs[4] = jsonCol("extension", t.Extension)
	cols[5], errs[5] = listCol("attachments", t.Attachments)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return []any{t.Number, t.Title, t.Content, t.Caller, t.Phone, t.Address, t.Category,
		dbTime(t.ReceivedAt), dbTime(t.DispatchedAt), dbTime(t.Deadline), t.Unit, t.Subunit, t.Handler,
		string(t.State), cols[0], t.Version, dbTime(t.UpdatedAt),
		cols[1], cols[2], cols[3], cols[4], t.Satisfaction, t.Reopens, t.Urges, t.Supervised,
		string(t.Step), dbTime(t.StepStart), dbTime(t.Due), t.DueNote, cols[5]}, nil
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
	var fields any
	if len(e.Fields) > 0 {
		b, err := json.Marshal(e.Fields)
		if err != nil {
			return 0, fmt.Errorf("encode event fields: %w", err)
		}
		fields = string(b)
	}
	res, err := w.ev.ExecContext(ctx, number, string(e.Kind), e.Actor, e.Unit, dbTime(e.At),
		string(e.From), string(e.To), e.Text, e.Action, fields)
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

// views are the feed views a ticket is in: its unit's and, once assigned,
// its sub-unit's.
func views(t complaint.Ticket) []string {
	if t.Subunit == "" {
		return []string{t.Unit}
	}
	return []string{t.Unit, t.Subunit}
}

// save stores next, the ticket cur after one action whose events are those
// of next.Events beyond cur's: the ticket row, the events (their IDs filled
// in) and one change row for every view the ticket is in after the action
// and every view it left, so that the people of a unit or sub-unit it left
// learn from their own feed that it is gone. It returns next as stored.
func (w *ticketWriter) save(ctx context.Context, cur, next complaint.Ticket) (complaint.Ticket, error) {
	if len(next.Events) <= len(cur.Events) {
		return next, fmt.Errorf("ticket %s: a change must add an event", next.Number)
	}
	next = inUTC(next)
	if err := w.update(ctx, next, cur.Version); err != nil {
		return next, err
	}
	for i := len(cur.Events); i < len(next.Events); i++ {
		ev := &next.Events[i]
		var err error
		if ev.ID, err = w.event(ctx, next.Number, *ev); err != nil {
			return next, err
		}
	}
	written := map[string]bool{}
	for _, v := range append(views(next), views(cur)...) {
		if written[v] {
			continue
		}
		written[v] = true
		if err := w.change(ctx, next.Number, v); err != nil {
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
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("load tickets: %w", err)
		}
		byNumber[t.Number] = &t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load tickets: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, ticket, kind, actor, unit, at, from_state, to_state, text, action_id, fields
		FROM events WHERE ticket IN (SELECT value FROM json_each(?)) ORDER BY id`, string(list))
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e complaint.Event
		var number string
		var fields sql.NullString
		if err := rows.Scan(&e.ID, &number, &e.Kind, &e.Actor, &e.Unit, timeCol(&e.At), &e.From, &e.To, &e.Text, &e.Action, &fields); err != nil {
			return nil, fmt.Errorf("load events: %w", err)
		}
		if fields.Valid {
			if err := json.Unmarshal([]byte(fields.String), &e.Fields); err != nil {
				return nil, fmt.Errorf("load event %d: fields: %w", e.ID, err)
			}
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

// scanTicket reads one row of ticketCols.
func scanTicket(s interface{ Scan(...any) error }) (complaint.Ticket, error) {
	var t complaint.Ticket
	var reply, contact, review, ret, ext, atts sql.NullString
	err := s.Scan(&t.Number, &t.Title, &t.Content, &t.Caller, &t.Phone, &t.Address, &t.Category,
		timeCol(&t.ReceivedAt), timeCol(&t.DispatchedAt), timeCol(&t.Deadline), &t.Unit, &t.Subunit, &t.Handler,
		&t.State, &reply, &t.Version, timeCol(&t.UpdatedAt),
		&contact, &review, &ret, &ext, &t.Satisfaction, &t.Reopens, &t.Urges, &t.Supervised,
		&t.Step, timeCol(&t.StepStart), timeCol(&t.Due), &t.DueNote, &atts)
	if err != nil {
		return t, err
	}
	for _, err := range []error{
		scanJSON("reply", reply, &t.Reply),
		scanJSON("contact", contact, &t.Contact),
		scanJSON("review", review, &t.Review),
		scanJSON("return", ret, &t.Return),
		scanJSON("extension", ext, &t.Extension),
		scanList("attachments", atts, &t.Attachments),
	} {
		if err != nil {
			return t, fmt.Errorf("ticket %s: %w", t.Number, err)
		}
	}
	return t, nil
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
	if len(ts) == 0 || !complaint.Visible(u, ts[0]) {
		return complaint.Ticket{}, errNotVisible
	}
	return ts[0], nil
}

// remaining counts the tickets u may see (or that left u's view) changed
// after cursor: what the feed's following pages hold. It is asked for once
// per round of pages, not with every page, as it groups all the changes
// after the cursor again.
func (db *DB) remaining(ctx context.Context, u complaint.User, cursor int64) (int, error) {
	var n int
	err := db.read(ctx, func(tx *sql.Tx) error {
		if u.Has(complaint.RoleCenter) {
			return tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT ticket) FROM changes WHERE seq > ?`, cursor).Scan(&n)
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT ticket) FROM changes WHERE unit = ? AND seq > ?`, u.Unit, cursor).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count changes after %d: %w", cursor, err)
	}
	return n, nil
}

// feed returns the changes after cursor that u may see, collapsed to the
// latest version of each ticket, at most limit tickets. A ticket whose latest
// change in u's view left u unable to see it (returned to the center,
// re-dispatched, assigned to another sub-unit) comes as Removed.
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
			if complaint.Visible(u, t) {
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
