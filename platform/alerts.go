package platform

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"hotline/api"
	"hotline/complaint"
	"hotline/platform/notify"
)

// Notifications are planned in the transaction of the change that makes
// them (an action, a dispatch), so one exists exactly when its change
// committed; the notify.Dispatcher sends them afterwards, on its own, so no
// provider is ever waited on by an action. In-terminal alerts wait in the
// same table for the user's terminal to fetch them (GET api.PathAlerts).

// schemaV4 holds the notifications and their deliveries, and each unit's
// notification settings (notify.Settings as JSON, '{}' for the defaults).
var schemaV4 = notify.Schema + `
ALTER TABLE units ADD COLUMN notify TEXT NOT NULL DEFAULT '{}';
`

// txDirectory finds people inside the transaction being written.
type txDirectory struct{ tx *sql.Tx }

func (d txDirectory) Users(ctx context.Context, unit string, role complaint.Role) ([]complaint.User, error) {
	rows, err := d.tx.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE unit = ? ORDER BY login`, unit)
	if err != nil {
		return nil, fmt.Errorf("users of %s: %w", unit, err)
	}
	defer rows.Close()
	var out []complaint.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		if u.Has(role) {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

func (d txDirectory) UnitName(ctx context.Context, code string) (string, error) {
	var name string
	err := d.tx.QueryRowContext(ctx, `SELECT name FROM units WHERE code = ?`, code).Scan(&name)
	return name, err
}

// notifySettings are a unit's notification settings as stored.
func notifySettings(ctx context.Context, q queryer, code string) (notify.Settings, error) {
	var s string
	var out notify.Settings
	err := q.QueryRowContext(ctx, `SELECT notify FROM units WHERE code = ?`, code).Scan(&s)
	if errNoRows(err) {
		return out, fmt.Errorf("%w unit %q", ErrUnknown, code)
	}
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return out, fmt.Errorf("unit %s: notification settings: %w", code, err)
	}
	return out, nil
}

// SetNotify stores a first-level unit's notification settings, checked.
func (db *DB) SetNotify(ctx context.Context, code string, s notify.Settings) error {
	if err := s.Check(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		u, err := unit(ctx, tx, code)
		if err != nil {
			return err
		}
		if u.Kind != complaint.KindUnit {
			return fmt.Errorf("unit %q is a %s: notification settings belong to first-level units (kind unit)", code, u.Kind)
		}
		_, err = tx.ExecContext(ctx, `UPDATE units SET notify = ? WHERE code = ?`, string(b), code)
		return err
	})
}

// Notify returns a unit's notification settings with the defaults filled in.
func (db *DB) Notify(ctx context.Context, code string) (notify.Settings, error) {
	s, err := notifySettings(ctx, db.sql, code)
	return s.WithDefaults(), err
}

// SetLogger gives the database a log for what planning notifications
// notes (a recipient without a phone, say).
func (db *DB) SetLogger(l *slog.Logger) { db.log = l }

// plan plans and stores the notifications of a change of t from before to
// after by ev, in tx. What cannot be planned is logged and never fails the
// change; only failing to store them does, as it would fail any write.
func (db *DB) plan(ctx context.Context, tx *sql.Tx, before, after complaint.Ticket, ev complaint.Event, now time.Time) error {
	code := after.Unit
	if ev.Kind == complaint.KindReturnAccept && before.Unit != "" {
		code = before.Unit
	}
	s, err := notifySettings(ctx, tx, code)
	if err != nil {
		db.logger().Warn("notification settings", "unit", code, "err", err)
		return nil
	}
	ns, notes, err := notify.Plan(ctx, before, after, ev, s, txDirectory{tx}, db.workdays(), now)
	for _, n := range notes {
		db.logger().Info("notification", "note", n)
	}
	if err != nil {
		db.logger().Warn("plan notifications", "ticket", after.Number, "err", err)
	}
	if len(ns) == 0 {
		return nil
	}
	if _, err := notify.Enqueue(ctx, tx, ns); err != nil {
		return fmt.Errorf("store notifications of %s: %w", after.Number, err)
	}
	db.planned = true
	return nil
}

func (db *DB) logger() *slog.Logger {
	if db.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return db.log
}

// alerts answers a terminal's long-poll for its user's alerts.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if q.Get("after") != "" && (err != nil || after < 0) {
		return failf(http.StatusBadRequest, api.CodeBadRequest, "after 应为非负整数")
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 {
			return failf(http.StatusBadRequest, api.CodeBadRequest, "wait 应为时长，如 25s")
		}
	}
	wait = min(wait, s.opts.MaxWait)
	ctx := r.Context()
	deadline := time.Now().Add(wait)
	for {
		woken := s.db.changed()
		list, err := notify.Inbox(ctx, s.db.sql, c.user.Login, after, api.AlertsPage, s.opts.Now())
		if err != nil {
			return err
		}
		left := time.Until(deadline)
		if len(list) > 0 || left <= 0 {
			out := api.Alerts{Alerts: make([]api.Alert, len(list))}
			for i, a := range list {
				out.Alerts[i] = api.Alert(a)
			}
			writeJSON(w, http.StatusOK, out)
			return nil
		}
		// Reminders fall due by the clock, not by a commit: look again now
		// and then.
		t := time.NewTimer(min(left, pollFallback))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-woken:
		case <-t.C:
		}
		t.Stop()
	}
}

// deliveryLimit is how many notifications one answer of the delivery log
// lists, the newest; the counts cover the whole window.
const deliveryLimit = 500

// deliveries answers the unit's delivery log, for the supervision screen:
// the unit's duty officers, reviewers, supervisors and administrators see
// their unit's; the center sees any unit's it names. The window is of the
// time each notification was due to go (not_before), newest first; asked
// with counts=1 the answer is an api.DeliveryLog, which counts every
// status over the window, else the bare list older terminals read.
func (s *Server) deliveries(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	code := c.user.Unit
	if c.user.Has(complaint.RoleCenter) && q.Get("unit") != "" {
		code = q.Get("unit")
	}
	if !(c.user.Has(complaint.RoleCenter) || c.user.Has(complaint.RoleDuty) || c.user.Has(complaint.RoleReviewer) ||
		c.user.Has(complaint.RoleSupervisor) || c.user.Has(complaint.RoleAdmin)) {
		return failf(http.StatusForbidden, api.CodeForbidden, "当前用户无权查看通知发送记录")
	}
	parse := func(name string, def time.Time) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return t, failf(http.StatusBadRequest, api.CodeBadRequest, "%s 应为 RFC 3339 时间，如 2026-12-03T00:00:00+08:00", name)
		}
		return t, nil
	}
	now := s.opts.Now()
	from, err := parse("from", now.Add(-7*24*time.Hour))
	if err != nil {
		return err
	}
	to, err := parse("to", now.Add(time.Minute))
	if err != nil {
		return err
	}
	page, err := notify.Log(r.Context(), s.db.sql, code, from, to, deliveryLimit)
	if err != nil {
		return err
	}
	out := make([]api.Delivery, len(page.Deliveries))
	for i, d := range page.Deliveries {
		out[i] = api.Delivery{ID: d.ID, Event: d.Event, Stage: d.Stage, Ticket: d.Ticket, Unit: d.Unit, Login: d.Login, Name: d.Name,
			Channel: d.Channel, Text: d.Text, Urgent: d.Urgent, Status: d.Status, Attempts: d.Attempts, LastError: d.LastError,
			NotBefore: d.NotBefore, NextAt: d.NextAt, CreatedAt: d.CreatedAt, SentAt: d.SentAt}
	}
	if q.Get("counts") != "1" {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	writeJSON(w, http.StatusOK, api.DeliveryLog{Deliveries: out, Counts: page.Counts, Total: page.Total()})
	return nil
}
