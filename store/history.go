package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"hotline/complaint"
)

// historyQuery selects the tickets that could count in the figures of
// [from, to): reached the unit before to (the time of the call stands in
// for a first dispatch that a later one overwrote: a call comes before its
// dispatches), and still open, changed since from, or with an event in the
// range. The three ways in are a union of ids so that each can use an
// index: open tickets use tickets_open_received; the other two scan the
// tables until tickets (updated_at) and events (at) are indexed, and then
// use those indexes without a change here.
const historyQuery = selectTicket + `
	WHERE (t.received_at < :to OR t.dispatched_at < :to)
	AND t.id IN (
		SELECT id FROM tickets WHERE open = 1
		UNION ALL SELECT id FROM tickets WHERE updated_at >= :from
		UNION ALL SELECT ticket_id FROM events WHERE at >= :from AND at < :to)
	ORDER BY t.id`

// History returns every cached ticket that could count in the figures of
// the period [from, to), each with its whole history, oldest event first:
// the input of complaint.Compute and complaint.Supervise. Tickets come in
// the order they were dispatched. It reads in one transaction, with one
// query for the tickets and one for their events, so that a month of a
// large cache is read in one pass while sync goes on writing.
func (s *Store) History(ctx context.Context, from, to time.Time) ([]complaint.Ticket, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, historyQuery, sql.Named("from", dbTime(from)), sql.Named("to", dbTime(to)))
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	var out []complaint.Ticket
	var ids []int64
	for rows.Next() {
		id, t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: history: %w", err)
		}
		out = append(out, t)
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}

	// The events of those tickets in the primary key's order (ticket, then
	// seq), matched to the tickets, read in id order too, by walking both.
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("store: history: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT e.ticket_id, e.id, e.kind, e.actor, e.unit, e.at, e.from_state, e.to_state, e.text, e.action, e.fields
		FROM events e WHERE e.ticket_id IN (SELECT value FROM json_each(?))
		ORDER BY e.ticket_id, e.seq`, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: history events: %w", err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var tid int64
		var e complaint.Event
		if err := rows.Scan(&tid, &e.ID, &e.Kind, &e.Actor, &e.Unit, scanTime(&e.At), &e.From, &e.To, &e.Text, &e.Action, scanJSON(&e.Fields)); err != nil {
			return nil, fmt.Errorf("store: history events: %w", err)
		}
		for i < len(ids) && ids[i] < tid {
			i++
		}
		if i == len(ids) || ids[i] != tid {
			// Cannot happen in one transaction; refuse rather than
			// give a ticket another's history.
			return nil, fmt.Errorf("store: history events: ticket row %d not among the tickets read", tid)
		}
		out[i].Events = append(out[i].Events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history events: %w", err)
	}
	for i := range out {
		// Oldest first, as Ticket gives them: by time, then as stored.
		slices.SortStableFunc(out[i].Events, func(a, b complaint.Event) int { return a.At.Compare(b.At) })
	}
	slices.SortStableFunc(out, func(a, b complaint.Ticket) int {
		if c := a.DispatchedAt.Compare(b.DispatchedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Number, b.Number)
	})
	return out, nil
}
