package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Alert is one in-terminal alert for the user: a new ticket, a deadline
// near or past, a rejected reply, an urge. ID is the platform's: the
// cursor the next fetch asks after.
type Alert struct {
	ID     int64
	Event  string // the event kind ("dispatch", "urge", …) or "deadline"
	Stage  string // a deadline's stage: near, due, late
	Ticket string
	Text   string
	At     time.Time
	Urgent bool
	Seen   bool
}

// AddAlerts keeps alerts fetched from the platform; one already kept is
// left as it is (seen stays seen).
func (s *Store) AddAlerts(ctx context.Context, as []Alert) error {
	if len(as) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, a := range as {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (id, event, stage, ticket, text, at, urgent)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				a.ID, a.Event, a.Stage, a.Ticket, a.Text, dbTime(a.At), a.Urgent); err != nil {
				return fmt.Errorf("store: alert %d: %w", a.ID, err)
			}
		}
		return nil
	})
}

// AlertCursor is the newest alert kept: the platform is asked for those
// after it.
func (s *Store) AlertCursor(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM alerts`).Scan(&n)
	return n, err
}

// Alerts lists the newest alerts first, by when they fell due (the order
// they were made in is not that: a reminder is made with its ticket's
// change, long before it falls due), at most limit.
func (s *Store) Alerts(ctx context.Context, limit int) ([]Alert, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, event, stage, ticket, text, at, urgent, seen FROM alerts ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.Event, &a.Stage, &a.Ticket, &a.Text, scanTime(&a.At), &a.Urgent, &a.Seen); err != nil {
			return nil, fmt.Errorf("store: alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Unseen counts the alerts not seen yet.
func (s *Store) Unseen(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE seen = 0`).Scan(&n)
	return n, err
}

// SeeAlerts marks every alert up to id as seen.
func (s *Store) SeeAlerts(ctx context.Context, upTo int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE alerts SET seen = 1 WHERE id <= ? AND seen = 0`, upTo)
	return err
}
