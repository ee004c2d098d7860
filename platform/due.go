package platform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"hotline/complaint"
)

// SetCalendar gives the database the working-day calendar its deadlines are
// counted on (calendar.Calendar). Call it before use. Without one, working
// days are counted Monday to Friday and every such deadline says so.
func (db *DB) SetCalendar(cal complaint.Workdays) { db.cal = cal }

// noCalendarNote is the due note of a deadline counted without a calendar.
const noCalendarNote = "未配置节假日日历，按周一至周五计算"

// workdays is the calendar deadlines are counted on now.
func (db *DB) workdays() complaint.Workdays {
	if db.cal == nil {
		return weekdays{}
	}
	return warnings{db.cal}
}

// warnings passes a calendar's answers on, turning an error that carries a
// Chinese warning (calendar.NotCoveredError) into that warning, so that the
// due note an officer reads is the calendar's own words.
type warnings struct{ cal complaint.Workdays }

func (w warnings) AddWorkdays(t time.Time, n int) (time.Time, error) {
	d, err := w.cal.AddWorkdays(t, n)
	var warn interface{ Warning() string }
	if errors.As(err, &warn) {
		err = errors.New(warn.Warning())
	}
	return d, err
}

// china is the procedure's clock.
var china = complaint.China

// dayStart is when business begins, where a count that starts on a day off
// begins (as in calendar.Options' default).
const dayStart = 8*time.Hour + 30*time.Minute

// weekdays counts Monday to Friday in China time: the same time of day on
// the n-th following weekday, or from 8:30 of the next weekday for a start on
// a weekend. Every answer comes with the note that no holiday calendar is
// set, so that the guess is never silent.
type weekdays struct{}

func (weekdays) AddWorkdays(t time.Time, n int) (time.Time, error) {
	t = t.In(china)
	weekend := func(d time.Time) bool { return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday }
	if weekend(t) {
		y, m, d := t.Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, china).Add(dayStart)
		for weekend(t) {
			t = t.AddDate(0, 0, 1)
		}
	}
	for ; n > 0; n-- {
		t = t.AddDate(0, 0, 1)
		for weekend(t) {
			t = t.AddDate(0, 0, 1)
		}
	}
	return t, errors.New(noCalendarNote)
}

// setDue works out the step t waits on and its deadline under the policy of
// its unit, as stored with the ticket.
func (db *DB) setDue(t *complaint.Ticket, p complaint.Policy) {
	t.SetDue(p, db.workdays())
}

// validPolicy refuses values that cannot be deadlines. Zero means the
// default and is always allowed.
func validPolicy(p complaint.Policy) error {
	switch {
	case p.NotifyMinutes < 0, p.ContactDays < 0, p.ReplyDays < 0, p.ReviewMinutes < 0:
		return fmt.Errorf("%w policy: negative time", ErrInvalid)
	case p.Near < 0 || p.Near >= 1:
		return fmt.Errorf("%w policy: near %v must be a share between 0 and 1", ErrInvalid, p.Near)
	}
	return nil
}

func encodePolicy(p complaint.Policy) (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encode policy: %w", err)
	}
	return string(b), nil
}

func decodePolicy(code, s string) (complaint.Policy, error) {
	var p complaint.Policy
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("unit %s: stored policy: %w", code, err)
	}
	return p, nil
}

// policyOf returns the stored policy of unit code (zero, all defaults, for a
// unit that has none).
func policyOf(ctx context.Context, q queryer, code string) (complaint.Policy, error) {
	var s string
	err := q.QueryRowContext(ctx, `SELECT policy FROM units WHERE code = ?`, code).Scan(&s)
	if errNoRows(err) {
		return complaint.Policy{}, fmt.Errorf("%w unit %q", ErrUnknown, code)
	}
	if err != nil {
		return complaint.Policy{}, fmt.Errorf("unit %s: %w", code, err)
	}
	return decodePolicy(code, s)
}

// SetPolicy replaces the deadlines and procedure choices of a first-level
// unit. Each ticket of the unit is held to it from its next change on.
func (db *DB) SetPolicy(ctx context.Context, code string, p complaint.Policy) error {
	if err := validPolicy(p); err != nil {
		return fmt.Errorf("set policy of %s: %w", code, err)
	}
	enc, err := encodePolicy(p)
	if err != nil {
		return fmt.Errorf("set policy of %s: %w", code, err)
	}
	return db.write(ctx, false, func(tx *sql.Tx) error {
		k, err := unitKind(ctx, tx, code)
		if err != nil {
			return fmt.Errorf("set policy: %w", err)
		}
		if k != complaint.KindUnit {
			return fmt.Errorf("set policy of %s: %w: a policy belongs to a first-level unit, not a %s", code, ErrInvalid, k)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE units SET policy = ? WHERE code = ?`, enc, code); err != nil {
			return fmt.Errorf("set policy of %s: %w", code, err)
		}
		return nil
	})
}
