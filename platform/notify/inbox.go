package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Alert is one in-terminal notification as the API hands it over.
type Alert struct {
	// ID is the alert's place in the user's inbox: the cursor to ask
	// after next time. It follows the order alerts fell due, not the order
	// they were planned.
	ID     int64     `json:"id"`
	Event  string    `json:"event"`           // the event kind, or "deadline"
	Stage  string    `json:"stage,omitempty"` // a reminder's stage
	Ticket string    `json:"ticket"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"` // when it fell due
	Urgent bool      `json:"urgent"`
}

// Inbox returns login's terminal alerts after the cursor, oldest first, at
// most limit (100 when 0 or less). An alert counts as sent when first
// fetched (status sent, a "fetched" delivery at now); fetching again with
// the same cursor returns the same alerts, so a lost answer loses nothing.
func Inbox(ctx context.Context, db *sql.DB, login string, after int64, limit int, now time.Time) ([]Alert, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []Alert
	err := writeTx(ctx, db, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, seq, event, stage, ticket, text, next_at, urgent, status
			FROM notifications WHERE login = ? AND seq > ? AND channel = 'terminal' AND status IN ('queued', 'sent')
			ORDER BY seq LIMIT ?`, login, after, limit)
		if err != nil {
			return fmt.Errorf("inbox of %s: %w", login, err)
		}
		var fresh []int64
		for rows.Next() {
			var a Alert
			var id int64
			var status string
			if err := rows.Scan(&id, &a.ID, &a.Event, &a.Stage, &a.Ticket, &a.Text, timeCol(&a.At), &a.Urgent, &status); err != nil {
				rows.Close()
				return fmt.Errorf("inbox of %s: %w", login, err)
			}
			if status == Queued {
				fresh = append(fresh, id)
			}
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("inbox of %s: %w", login, err)
		}
		for _, id := range fresh {
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = ?
				WHERE id = ?`, dbTime(now), id); err != nil {
				return fmt.Errorf("inbox of %s: %w", login, err)
			}
			if err := delivery(ctx, tx, id, now, "fetched", "", 0); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Delivery is one notification with its outcome, for the supervision
// screen's delivery log. The recipient's phone is left out.
type Delivery struct {
	ID        int64     `json:"id"`
	Event     string    `json:"event"`
	Stage     string    `json:"stage,omitempty"`
	Ticket    string    `json:"ticket"`
	Unit      string    `json:"unit"`
	Login     string    `json:"login,omitempty"` // empty for a group message
	Name      string    `json:"name,omitempty"`
	Channel   string    `json:"channel"`
	Text      string    `json:"text"`
	Urgent    bool      `json:"urgent"`
	Status    string    `json:"status"` // queued, sending, sent, failed, dropped
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	NotBefore time.Time `json:"not_before"`       // when it was due to go
	NextAt    time.Time `json:"next_at,omitzero"` // queued: when it will be tried
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	Tries     []Attempt `json:"tries,omitempty"`
}

// Attempt is one try to deliver, or the decision not to.
type Attempt struct {
	At      time.Time     `json:"at"`
	Outcome string        `json:"outcome"` // sent, retry, failed, dropped, fetched
	Error   string        `json:"error,omitempty"`
	Took    time.Duration `json:"took"`
}

// LogPage is a unit's delivery log over a window of time: its newest
// notifications, and how many the whole window holds of each status, so
// that a page cut at its limit can say what it left out.
type LogPage struct {
	Deliveries []Delivery
	Counts     map[string]int // by status, over the whole window
}

// Total is how many notifications the window holds.
func (p LogPage) Total() int {
	n := 0
	for _, c := range p.Counts {
		n += c
	}
	return n
}

// Log returns unit's notifications due to go in [from, to) (not_before:
// when the plan meant them to go, before quiet hours held them), newest
// first, at most limit (200 when 0 or less), each with its attempts; and
// the count of each status over the whole window. A reminder is planned
// when its step begins and due later: it is in the log of the time it
// was due, as the officer reads a log, not of the time it was planned.
func Log(ctx context.Context, db *sql.DB, unit string, from, to time.Time, limit int) (LogPage, error) {
	if limit <= 0 {
		limit = 200
	}
	page := LogPage{Counts: map[string]int{}}
	fail := func(what string, err error) (LogPage, error) {
		return LogPage{}, fmt.Errorf("notify: log of %s%s: %w", unit, what, err)
	}
	// One read transaction: the counts are of the rows listed.
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fail("", err)
	}
	defer tx.Rollback()
	const window = `unit = ? AND not_before >= ? AND not_before < ?`
	args := []any{unit, dbTime(from), dbTime(to)}
	counts, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM notifications WHERE `+window+` GROUP BY status`, args...)
	if err != nil {
		return fail(": counts", err)
	}
	for counts.Next() {
		var status string
		var n int
		if err := counts.Scan(&status, &n); err != nil {
			counts.Close()
			return fail(": counts", err)
		}
		page.Counts[status] = n
	}
	counts.Close()
	if err := counts.Err(); err != nil {
		return fail(": counts", err)
	}
	const newest = `SELECT id FROM notifications WHERE ` + window + ` ORDER BY not_before DESC, id DESC LIMIT ?`
	rows, err := tx.QueryContext(ctx, `SELECT id, event, stage, ticket, unit, login, name, channel, text, urgent, status,
			attempts, last_error, not_before, next_at, created_at, sent_at
		FROM notifications WHERE id IN (`+newest+`)
		ORDER BY not_before DESC, id DESC`, append(args, limit)...)
	if err != nil {
		return fail("", err)
	}
	out := []Delivery{}
	index := map[int64]int{}
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.Event, &d.Stage, &d.Ticket, &d.Unit, &d.Login, &d.Name, &d.Channel, &d.Text, &d.Urgent,
			&d.Status, &d.Attempts, &d.LastError, timeCol(&d.NotBefore), timeCol(&d.NextAt), timeCol(&d.CreatedAt), timeCol(&d.SentAt)); err != nil {
			rows.Close()
			return fail("", err)
		}
		if d.Status != Queued {
			d.NextAt = time.Time{}
		}
		index[d.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail("", err)
	}
	page.Deliveries = out
	if len(out) == 0 {
		return page, nil
	}
	tries, err := tx.QueryContext(ctx, `SELECT notification, at, outcome, error, took_ms
		FROM deliveries WHERE notification IN (`+newest+`) ORDER BY id`, append(args, limit)...)
	if err != nil {
		return fail(": attempts", err)
	}
	defer tries.Close()
	for tries.Next() {
		var id, ms int64
		var a Attempt
		if err := tries.Scan(&id, timeCol(&a.At), &a.Outcome, &a.Error, &ms); err != nil {
			return fail(": attempts", err)
		}
		a.Took = time.Duration(ms) * time.Millisecond
		if i, ok := index[id]; ok {
			out[i].Tries = append(out[i].Tries, a)
		}
	}
	if err := tries.Err(); err != nil {
		return fail(": attempts", err)
	}
	return page, nil
}
