package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hotline/complaint"
)

// Applied counts what one page of the change feed did to the cache.
type Applied struct {
	New     int // tickets not in the cache before
	Updated int // cached tickets replaced by a newer version
	Removed int // cached tickets deleted
	// NewNumbers are the numbers of the New tickets, in page order: the ones
	// an officer should be told about.
	NewNumbers []string
}

// Cursor is the change-feed sequence the cache is up to date with.
func (s *Store) Cursor(ctx context.Context) (int64, error) {
	var c int64
	if err := s.db.QueryRowContext(ctx, `SELECT cursor FROM sync WHERE id = 1`).Scan(&c); err != nil {
		return 0, fmt.Errorf("store: read cursor: %w", err)
	}
	return c, nil
}

// Apply stores one page of the change feed in a single transaction: removed
// tickets are deleted, then each ticket replaces the cached one (with its
// whole history) unless the cache already holds a newer version, and the
// cursor moves to cursor. Either all of that happens or none of it, so the
// cursor never gets ahead of the rows it stands for.
//
// A ticket arriving again with the version already cached is rewritten but
// not counted as Updated: it is a replay, not a change.
func (s *Store) Apply(ctx context.Context, tickets []complaint.Ticket, removed []string, cursor int64) (Applied, error) {
	var a Applied
	err := s.tx(ctx, func(tx *sql.Tx) error {
		a = Applied{}
		var touched []int64
		if len(removed) > 0 {
			del, err := tx.PrepareContext(ctx, `DELETE FROM tickets WHERE number = ? RETURNING id`)
			if err != nil {
				return err
			}
			defer del.Close()
			for _, n := range removed {
				var id int64
				err := del.QueryRowContext(ctx, n).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				if err != nil {
					return fmt.Errorf("remove %s: %w", n, err)
				}
				a.Removed++
				touched = append(touched, id)
			}
		}
		w, err := newTicketWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		w.touched = touched
		for _, t := range tickets {
			r, err := w.put(ctx, t)
			if err != nil {
				return err
			}
			switch r {
			case putNew:
				a.New++
				a.NewNumbers = append(a.NewNumbers, t.Number)
			case putNewer:
				a.Updated++
			}
		}
		if err := w.index(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sync SET cursor = ? WHERE id = 1`, cursor); err != nil {
			return fmt.Errorf("store cursor: %w", err)
		}
		return nil
	})
	if err != nil {
		return Applied{}, fmt.Errorf("store: apply changes up to %d: %w", cursor, err)
	}
	return a, nil
}

// PutTicket stores a ticket as the platform answered an action, under the
// same rule as Apply (never over a newer cached version). The cursor is
// untouched: the feed will bring the same version again later.
func (s *Store) PutTicket(ctx context.Context, t complaint.Ticket) error {
	err := s.tx(ctx, func(tx *sql.Tx) error { return putTicket(ctx, tx, t) })
	if err != nil {
		return fmt.Errorf("store: put ticket %s: %w", t.Number, err)
	}
	return nil
}

func putTicket(ctx context.Context, tx *sql.Tx, t complaint.Ticket) error {
	w, err := newTicketWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()
	if _, err = w.put(ctx, t); err != nil {
		return err
	}
	return w.index(ctx, tx)
}

type putResult int

const (
	putSkipped putResult = iota // the cache holds a newer version
	putNew
	putNewer
	putSame // same version rewritten
)

// ticketWriter holds the statements for writing tickets inside one
// transaction, prepared once for a whole page.
type ticketWriter struct {
	version, insert, update, delEvents, insEvent *sql.Stmt
	// touched are the ids of tickets written or deleted, whose search index
	// entries index must renew.
	touched []int64
}

// index renews the search index entries of the touched tickets, in four
// statements whatever their number.
func (w *ticketWriter) index(ctx context.Context, tx *sql.Tx) error {
	if len(w.touched) == 0 {
		return nil
	}
	ids, err := json.Marshal(w.touched)
	if err != nil {
		return err
	}
	for _, fts := range []string{"tickets_fts", "tickets_chars"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+fts+` WHERE rowid IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return fmt.Errorf("unindex tickets: %w", err)
		}
	}
	cols := strings.Join(searchCols, ", ")
	if _, err := tx.ExecContext(ctx, `INSERT INTO tickets_fts (rowid, `+cols+`)
		SELECT id, `+cols+` FROM tickets
		WHERE id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
		return fmt.Errorf("index tickets: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tickets_chars (rowid, text)
		SELECT id, hotline_chars(`+cols+`) FROM tickets
		WHERE id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
		return fmt.Errorf("index tickets: %w", err)
	}
	w.touched = w.touched[:0]
	return nil
}

const ticketCols = `number, title, content, caller, phone, address, category,
	received_at, dispatched_at, deadline, unit, subunit, handler, state, open,
	has_reply, reply_text, reply_findings, reply_explanation, reply_measures,
	reply_basis, reply_citizen_opinion, reply_by, reply_at, version, updated_at,
	satisfaction, reopens, urges, supervised, extension_pending,
	step, step_start, due, due_note, records`

func newTicketWriter(ctx context.Context, tx *sql.Tx) (*ticketWriter, error) {
	w := &ticketWriter{}
	n := strings.Count(ticketCols, ",") + 1
	set := make([]string, 0, n)
	for _, c := range strings.Split(ticketCols, ",") {
		c = strings.TrimSpace(c)
		set = append(set, c+" = ?")
	}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.version, `SELECT id, version FROM tickets WHERE number = ?`},
		{&w.insert, `INSERT INTO tickets (` + ticketCols + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `) RETURNING id`},
		{&w.update, `UPDATE tickets SET ` + strings.Join(set, ", ") + ` WHERE id = ?`},
		{&w.delEvents, `DELETE FROM events WHERE ticket_id = ?`},
		{&w.insEvent, `INSERT INTO events (ticket_id, seq, id, kind, actor, unit, at, from_state, to_state, text, action, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	}
	for _, st := range stmts {
		p, err := tx.PrepareContext(ctx, st.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*st.dst = p
	}
	return w, nil
}

func (w *ticketWriter) close() {
	for _, st := range []*sql.Stmt{w.version, w.insert, w.update, w.delEvents, w.insEvent} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *ticketWriter) put(ctx context.Context, t complaint.Ticket) (putResult, error) {
	args, err := ticketArgs(t)
	if err != nil {
		return 0, fmt.Errorf("ticket %q: %w", t.Number, err)
	}
	var id, cached int64
	res := putNew
	err = w.version.QueryRowContext(ctx, t.Number).Scan(&id, &cached)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := w.insert.QueryRowContext(ctx, args...).Scan(&id); err != nil {
			return 0, fmt.Errorf("insert ticket %q: %w", t.Number, err)
		}
	case err != nil:
		return 0, fmt.Errorf("read ticket %q: %w", t.Number, err)
	case t.Version < cached:
		return putSkipped, nil
	default:
		res = putSame
		if t.Version > cached {
			res = putNewer
		}
		if _, err := w.update.ExecContext(ctx, append(args, id)...); err != nil {
			return 0, fmt.Errorf("update ticket %q: %w", t.Number, err)
		}
		if _, err := w.delEvents.ExecContext(ctx, id); err != nil {
			return 0, fmt.Errorf("replace events of %q: %w", t.Number, err)
		}
	}
	w.touched = append(w.touched, id)
	for i, e := range t.Events {
		fields, err := jsonArg(e.Fields)
		if err != nil {
			return 0, fmt.Errorf("event %d of %q: %w", i, t.Number, err)
		}
		if _, err := w.insEvent.ExecContext(ctx, id, i, e.ID, string(e.Kind), e.Actor, e.Unit,
			dbTime(e.At), string(e.From), string(e.To), e.Text, e.Action, fields); err != nil {
			return 0, fmt.Errorf("insert event %d of %q: %w", i, t.Number, err)
		}
	}
	return res, nil
}

// ticketArgs are the values of ticketCols for t.
func ticketArgs(t complaint.Ticket) ([]any, error) {
	args := []any{t.Number, t.Title, t.Content, t.Caller, t.Phone, t.Address, t.Category,
		dbTime(t.ReceivedAt), dbTime(t.DispatchedAt), dbTime(t.Deadline),
		t.Unit, t.Subunit, t.Handler, string(t.State), t.State.Open()}
	args = append(args, replyArgs(t.Reply)...)
	args = append(args, t.Version, dbTime(t.UpdatedAt),
		t.Satisfaction, t.Reopens, t.Urges, t.Supervised, t.Extension != nil && !t.Extension.Decided,
		string(t.Step), dbTime(t.StepStart), dbTime(t.Due), t.DueNote)
	rec, err := recordsOf(t).arg()
	if err != nil {
		return nil, err
	}
	return append(args, rec), nil
}

// replyArgs are the values of the has_reply .. reply_at columns shared by
// tickets and outbox.
func replyArgs(r *complaint.Reply) []any {
	if r == nil {
		return []any{false, "", "", "", "", "", "", "", nil}
	}
	return []any{true, r.Text, r.Findings, r.Explanation, r.Measures, r.Basis, r.CitizenOpinion, r.By, dbTime(r.At)}
}

// replyDest scans the has_reply .. reply_at columns; reply() gives the result.
type replyDest struct {
	has bool
	r   complaint.Reply
}

func (d *replyDest) dest() []any {
	return []any{&d.has, &d.r.Text, &d.r.Findings, &d.r.Explanation, &d.r.Measures, &d.r.Basis,
		&d.r.CitizenOpinion, &d.r.By, scanTime(&d.r.At)}
}

func (d *replyDest) reply() *complaint.Reply {
	if !d.has {
		return nil
	}
	r := d.r
	return &r
}

// Filter selects and orders tickets for a list. Its conditions are ANDed.
type Filter struct {
	// Open, when set, keeps tickets whose state is open (true: the 未反馈
	// list) or not open (false: fed back, closed, returned).
	Open *bool
	// States, when not empty, keeps tickets in one of these states.
	States []complaint.State
	// Steps, when not empty, keeps tickets whose step now due is one of
	// these (complaint.StepNone selects tickets with no step due).
	Steps []complaint.Step
	// Subunit, when not empty, keeps tickets assigned to this sub-unit.
	Subunit string
	// Mine, when set, keeps the tickets this user must act on now, from
	// their state and the user's roles (each role's tickets, together):
	// duty signs, assigns and sends in the unit; a handler contacts and
	// replies on the sub-unit's tickets or those naming them; a reviewer
	// reviews the unit's replies; a supervisor watches the unit's
	// supervised and overdue tickets; the center decides returns and
	// extensions, closes, and dispatches returned tickets again. A ticket
	// waiting on another party is not in the waiting party's list. The
	// rules are the table mineRules.
	Mine *complaint.User
	// Now is the instant Mine's and Overdue's "overdue" is judged at;
	// zero means the store's clock.
	Now time.Time
	// Limit caps the number of tickets; 0 means no cap.
	Limit int
	// Order is one of the Order* constants; "" means OrderReceived.
	Order string

	// The conditions of 投诉查询 (search).
	//
	// Number keeps the ticket with this number, or whose number starts
	// with it (byte for byte).
	Number string
	// Phone keeps tickets whose caller phone contains these digits.
	// Spaces, dashes and brackets are ignored on both sides, so 0571-8888
	// finds "0571 88881234"; any other character is an error.
	Phone string
	// From and To keep tickets received in [From, To); a zero end is open.
	From, To time.Time
	// Category keeps tickets of this category.
	Category string
	// Overdue keeps open tickets whose step now due is past its deadline
	// at Now (due at or before Now, as complaint.Policy.Urgency judges).
	Overdue bool
}

// Orders a Filter accepts.
const (
	OrderReceived = "received" // newest call first
	OrderDeadline = "deadline" // soonest center deadline first, tickets without one last
	OrderUpdated  = "updated"  // most recently changed first
	OrderNumber   = "number"   // ticket number ascending
	OrderUrgency  = "urgency"  // soonest step due first, tickets with nothing due last, then newest call first
)

var orders = map[string]string{
	"":            `t.received_at DESC, t.number DESC`,
	OrderReceived: `t.received_at DESC, t.number DESC`,
	OrderDeadline: `t.deadline IS NULL, t.deadline, t.number`,
	OrderUpdated:  `t.updated_at DESC, t.number DESC`,
	OrderNumber:   `t.number`,
	OrderUrgency:  `t.due IS NULL, t.due, t.received_at DESC, t.number DESC`,
}

// clock is the instant f is judged at.
func (s *Store) clock(f Filter) time.Time {
	if !f.Now.IsZero() {
		return f.Now
	}
	return s.now()
}

// where turns f into a WHERE clause (possibly empty) on alias t and its
// args, judging time-dependent conditions at now.
func (f Filter) where(now time.Time) (string, []any, error) {
	return f.whereWith(now, nil, nil)
}

// whereWith is where with further conditions ANDed in.
func (f Filter) whereWith(now time.Time, conds []string, args []any) (string, []any, error) {
	in := func(n int) string { return `(` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)` }
	if f.Open != nil {
		conds = append(conds, `t.open = ?`)
		args = append(args, *f.Open)
	}
	if len(f.States) > 0 {
		conds = append(conds, `t.state IN `+in(len(f.States)))
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if len(f.Steps) > 0 {
		conds = append(conds, `t.step IN `+in(len(f.Steps)))
		for _, st := range f.Steps {
			args = append(args, string(st))
		}
	}
	if f.Subunit != "" {
		conds = append(conds, `t.subunit = ?`)
		args = append(args, f.Subunit)
	}
	if f.Number != "" {
		// A range on the unique index rather than LIKE, which would scan:
		// every string starting with Number sorts at or after it and
		// before Number+"\xff", since no byte of UTF-8 text is 0xff.
		conds = append(conds, `t.number >= ? AND t.number < ?`)
		args = append(args, f.Number, f.Number+"\xff")
	}
	if f.Phone != "" {
		digits, err := phoneDigits(f.Phone)
		if err != nil {
			return "", nil, err
		}
		col := `t.phone`
		for _, sep := range phoneSeparators {
			col = `replace(` + col + `, '` + sep + `', '')`
		}
		conds = append(conds, `instr(`+col+`, ?) > 0`)
		args = append(args, digits)
	}
	if !f.From.IsZero() {
		conds = append(conds, `t.received_at >= ?`)
		args = append(args, dbTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, `t.received_at < ?`)
		args = append(args, dbTime(f.To))
	}
	if f.Category != "" {
		conds = append(conds, `t.category = ?`)
		args = append(args, f.Category)
	}
	if f.Overdue {
		// As complaint.Policy.Urgency has it: due at now is overdue, so
		// that this count and the status bar's agree.
		conds = append(conds, `t.open AND t.due IS NOT NULL AND t.due <= ?`)
		args = append(args, dbTime(now))
	}
	if f.Mine != nil {
		c, a, err := mineCond(*f.Mine, now)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, c)
		args = append(args, a...)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// phoneSeparators are what people put between the digits of a phone
// number; Filter.Phone ignores them on both sides.
var phoneSeparators = []string{" ", "-", "(", ")", "\u3000"}

// phoneDigits is a Filter.Phone without its separators; anything left but
// digits is an error, so that a typo does not silently find nothing.
func phoneDigits(p string) (string, error) {
	d := p
	for _, sep := range phoneSeparators {
		d = strings.ReplaceAll(d, sep, "")
	}
	if d == "" {
		return "", fmt.Errorf("phone %q has no digits", p)
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("phone %q: only digits, spaces, dashes and brackets are allowed", p)
		}
	}
	return d, nil
}

// ValidPhone reports whether p is a phone a Filter takes: digits, perhaps
// apart with blanks, dashes and brackets, as callers' numbers are written.
func ValidPhone(p string) bool {
	_, err := phoneDigits(p)
	return err == nil
}

func (f Filter) orderLimit() (string, error) {
	o, ok := orders[f.Order]
	if !ok {
		return "", fmt.Errorf("unknown order %q", f.Order)
	}
	q := " ORDER BY " + o
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return q, nil
}

const selectTicket = `SELECT t.id, t.number, t.title, t.content, t.caller, t.phone, t.address, t.category,
	t.received_at, t.dispatched_at, t.deadline, t.unit, t.subunit, t.handler, t.state,
	t.has_reply, t.reply_text, t.reply_findings, t.reply_explanation, t.reply_measures,
	t.reply_basis, t.reply_citizen_opinion, t.reply_by, t.reply_at, t.version, t.updated_at,
	t.satisfaction, t.reopens, t.urges, t.supervised,
	t.step, t.step_start, t.due, t.due_note, t.records
	FROM tickets t`

type rowScanner interface{ Scan(...any) error }

func scanTicket(r rowScanner) (int64, complaint.Ticket, error) {
	var id int64
	var t complaint.Ticket
	var rd replyDest
	var rec ticketRecords
	dest := []any{&id, &t.Number, &t.Title, &t.Content, &t.Caller, &t.Phone, &t.Address, &t.Category,
		scanTime(&t.ReceivedAt), scanTime(&t.DispatchedAt), scanTime(&t.Deadline),
		&t.Unit, &t.Subunit, &t.Handler, &t.State}
	dest = append(dest, rd.dest()...)
	dest = append(dest, &t.Version, scanTime(&t.UpdatedAt),
		&t.Satisfaction, &t.Reopens, &t.Urges, &t.Supervised,
		&t.Step, scanTime(&t.StepStart), scanTime(&t.Due), &t.DueNote,
		scanJSON(&rec))
	if err := r.Scan(dest...); err != nil {
		return 0, t, err
	}
	t.Reply = rd.reply()
	t.Contact, t.Review, t.Return, t.Extension = rec.Contact, rec.Review, rec.Return, rec.Extension
	t.Attachments = rec.Attachments
	return id, t, nil
}

// Tickets lists the cached tickets f selects, without their history.
func (s *Store) Tickets(ctx context.Context, f Filter) ([]complaint.Ticket, error) {
	w, args, err := f.where(s.clock(f))
	if err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	ol, err := f.orderLimit()
	if err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	return s.queryTickets(ctx, selectTicket+w+ol, args...)
}

func (s *Store) queryTickets(ctx context.Context, q string, args ...any) ([]complaint.Ticket, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	defer rows.Close()
	var out []complaint.Ticket
	for rows.Next() {
		_, t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list tickets: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	return out, nil
}

// Count is the number of cached tickets f selects (Limit and Order aside).
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	w, args, err := f.where(s.clock(f))
	if err != nil {
		return 0, fmt.Errorf("store: count tickets: %w", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM tickets t`+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count tickets: %w", err)
	}
	return n, nil
}

// DueCounts counts the open tickets whose step now due is near its deadline
// or past it at now, by p.Urgency: the figures of the status bar.
func (s *Store) DueCounts(ctx context.Context, now time.Time, p complaint.Policy) (near, overdue int, err error) {
	err = s.eachOpen(ctx, now, p, func(_, _ string, u complaint.Urgency) {
		switch u {
		case complaint.Near:
			near++
		case complaint.Overdue:
			overdue++
		}
	})
	return near, overdue, err
}

// Load is the open tickets of a unit or a sub-unit, and how many of them
// are near or past their step's deadline.
type Load struct{ Open, Near, Overdue int }

// Loads counts the open tickets by unit and by sub-unit (a ticket counts
// for both), judged at now as DueCounts judges them, reading only the
// columns that tell.
func (s *Store) Loads(ctx context.Context, now time.Time, p complaint.Policy) (map[string]Load, error) {
	load := map[string]Load{}
	add := func(code string, u complaint.Urgency) {
		l := load[code]
		l.Open++
		switch u {
		case complaint.Near:
			l.Near++
		case complaint.Overdue:
			l.Overdue++
		}
		load[code] = l
	}
	err := s.eachOpen(ctx, now, p, func(unit, subunit string, u complaint.Urgency) {
		add(unit, u)
		if subunit != "" && subunit != unit {
			add(subunit, u)
		}
	})
	return load, err
}

// eachOpen calls fn with the unit, the sub-unit and the urgency at now of
// every open ticket.
func (s *Store) eachOpen(ctx context.Context, now time.Time, p complaint.Policy, fn func(unit, subunit string, u complaint.Urgency)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT unit, subunit, step_start, due FROM tickets WHERE open`)
	if err != nil {
		return fmt.Errorf("store: count open tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t complaint.Ticket
		if err := rows.Scan(&t.Unit, &t.Subunit, scanTime(&t.StepStart), scanTime(&t.Due)); err != nil {
			return fmt.Errorf("store: count open tickets: %w", err)
		}
		fn(t.Unit, t.Subunit, p.Urgency(t, now))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: count open tickets: %w", err)
	}
	return nil
}

// Ticket returns one cached ticket with its history, oldest event first. It
// reads in one transaction so that the ticket and its events are of the same
// version even while sync writes.
func (s *Store) Ticket(ctx context.Context, number string) (complaint.Ticket, error) {
	var t complaint.Ticket
	// ReadOnly makes the driver begin a deferred transaction despite
	// _txlock=immediate: a consistent snapshot that does not block sync.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return t, fmt.Errorf("store: ticket %s: %w", number, err)
	}
	defer tx.Rollback()
	id, t, err := scanTicket(tx.QueryRowContext(ctx, selectTicket+` WHERE t.number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return complaint.Ticket{}, fmt.Errorf("store: ticket %s: %w", number, ErrNotFound)
	}
	if err != nil {
		return complaint.Ticket{}, fmt.Errorf("store: ticket %s: %w", number, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, actor, unit, at, from_state, to_state, text, action, fields
		FROM events WHERE ticket_id = ? ORDER BY at, seq`, id)
	if err != nil {
		return complaint.Ticket{}, fmt.Errorf("store: events of %s: %w", number, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e complaint.Event
		if err := rows.Scan(&e.ID, &e.Kind, &e.Actor, &e.Unit, scanTime(&e.At), &e.From, &e.To, &e.Text, &e.Action, scanJSON(&e.Fields)); err != nil {
			return complaint.Ticket{}, fmt.Errorf("store: events of %s: %w", number, err)
		}
		t.Events = append(t.Events, e)
	}
	if err := rows.Err(); err != nil {
		return complaint.Ticket{}, fmt.Errorf("store: events of %s: %w", number, err)
	}
	return t, nil
}

// ClosedOn lists the cached tickets closed (办结) on the day of now in loc,
// whole with their history, in the order they were closed.
func (s *Store) ClosedOn(ctx context.Context, now time.Time, loc *time.Location) ([]complaint.Ticket, error) {
	y, mo, d := now.In(loc).Date()
	start := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 1)
	closed, err := s.Tickets(ctx, Filter{States: []complaint.State{complaint.Closed}})
	if err != nil {
		return nil, err
	}
	var out []complaint.Ticket
	for _, t := range closed {
		// A ticket closed on the day changed on it or later (Apply stamps
		// the change with the event's time), so older ones need not be
		// read whole.
		if !t.UpdatedAt.IsZero() && t.UpdatedAt.Before(start) {
			continue
		}
		full, err := s.Ticket(ctx, t.Number)
		if err != nil {
			return nil, err
		}
		if at := full.ClosedAt(); !at.Before(start) && at.Before(end) {
			out = append(out, full)
		}
	}
	slices.SortStableFunc(out, func(a, b complaint.Ticket) int { return a.ClosedAt().Compare(b.ClosedAt()) })
	return out, nil
}
