package platform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"hotline/api"
	"hotline/complaint"
)

// conflictError is an action based on a version that is no longer current.
type conflictError struct{ current complaint.Ticket }

func (e *conflictError) Error() string {
	return fmt.Sprintf("ticket %s: base version is stale, current is %d", e.current.Number, e.current.Version)
}

// errActionTaken is an action id already used by another user or for another
// ticket.
var errActionTaken = errors.New("action id already used for another ticket or user")

// refusal is an action the procedure does not allow. Reason is Chinese, for
// the officer; forbidden marks a refusal of the user's roles, whatever the
// ticket's state.
type refusal struct {
	forbidden bool
	reason    string
}

func (r *refusal) Error() string { return complaint.ErrNotAllowed.Error() + ": " + r.reason }
func (r *refusal) Unwrap() error { return complaint.ErrNotAllowed }

func refusef(format string, args ...any) *refusal {
	return &refusal{reason: fmt.Sprintf(format, args...)}
}

// autoSendText is the text of the send event that approval makes itself
// when the unit lets approval send the reply.
const autoSendText = "审核通过，自动反馈中心"

// act applies an action of u in one transaction: dedupe by action id, scope,
// version check, the state machine and the checks only the platform can
// make, then the ticket, its events, its changes and the action's record.
// It returns the result and whether it is a replay.
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
		if len(ts) == 0 || !complaint.Visible(u, ts[0]) {
			return errNotVisible
		}
		cur := ts[0]
		if a.BaseVersion != cur.Version {
			return &conflictError{current: cur}
		}
		if err := complaint.Check(cur, u, a); err != nil {
			reason := complaint.Reason(err)
			return &refusal{forbidden: !complaint.Allowed(u, a.Kind), reason: reason}
		}
		if err := checkPlatform(ctx, tx, cur, a); err != nil {
			return err
		}
		if a.Kind == complaint.KindAttach {
			if err := checkAttach(ctx, tx, &a); err != nil {
				return err
			}
		}
		next, _, err := complaint.Apply(cur, u, a, now)
		if errors.Is(err, complaint.ErrNotAllowed) {
			// Apply also refuses times that cannot be right at now.
			return &refusal{reason: complaint.Reason(err)}
		}
		if err != nil {
			return fmt.Errorf("action %s: %w", a.ID, err)
		}
		if a.Kind == complaint.KindReturnAccept {
			// A returned ticket is the center's until it dispatches it again.
			if next.Unit, err = centerOf(ctx, tx, cur.Unit); err != nil {
				return err
			}
		}
		policy, err := policyOf(ctx, tx, next.Unit)
		if err != nil {
			return fmt.Errorf("action %s: %w", a.ID, err)
		}
		if a.Kind == complaint.KindApprove && !policy.DutySends {
			send := complaint.Action{Kind: complaint.KindSend, Ticket: a.Ticket, Text: autoSendText, CreatedAt: now}
			if next, _, err = complaint.Apply(next, u, send, now); err != nil {
				return fmt.Errorf("action %s: send after approval: %w", a.ID, err)
			}
		}
		// One version per event: the version is always 1 + the events
		// after the first.
		next.Version = cur.Version + int64(len(next.Events)-len(cur.Events))
		next.UpdatedAt = now
		db.setDue(&next, policy)

		w, err := newTicketWriter(ctx, tx)
		if err != nil {
			return fmt.Errorf("action %s: %w", a.ID, err)
		}
		defer w.close()
		if next, err = w.save(ctx, cur, next); err != nil {
			return fmt.Errorf("action %s: %w", a.ID, err)
		}
		for _, ev := range next.Events[len(cur.Events):] {
			if err := db.plan(ctx, tx, cur, next, ev, now); err != nil {
				return fmt.Errorf("action %s: %w", a.ID, err)
			}
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

// checkPlatform makes the checks of an action that need the units and
// users: that an assignment goes to a sub-unit of the ticket's unit and a
// handler of that sub-unit, and that a dispatch goes to a first-level unit.
func checkPlatform(ctx context.Context, q queryer, t complaint.Ticket, a complaint.Action) error {
	switch a.Kind {
	case complaint.KindAssign:
		sub, err := unit(ctx, q, a.Subunit)
		if errors.Is(err, ErrUnknown) {
			return refusef("基层单位 %s 不存在", a.Subunit)
		}
		if err != nil {
			return err
		}
		if sub.Kind != complaint.KindSubunit || sub.Parent != t.Unit {
			return refusef("%s（%s）不是本单位的基层单位", sub.Name, sub.Code)
		}
		if a.Handler == "" {
			return nil
		}
		h, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE login = ?`, a.Handler))
		if errNoRows(err) {
			return refusef("承办人 %s 不存在", a.Handler)
		}
		if err != nil {
			return fmt.Errorf("handler %s: %w", a.Handler, err)
		}
		if h.Unit != sub.Code || !h.Has(complaint.RoleHandler) {
			return refusef("%s（%s）不是%s的承办人", h.Name, h.Login, sub.Name)
		}
	case complaint.KindDispatch:
		un, err := unit(ctx, q, a.Unit)
		if errors.Is(err, ErrUnknown) {
			return refusef("承办单位 %s 不存在", a.Unit)
		}
		if err != nil {
			return err
		}
		if un.Kind != complaint.KindUnit {
			return refusef("%s（%s）不是承办单位，不能派单", un.Name, un.Code)
		}
	}
	return nil
}

// centerOf is the center a returned ticket of unit code goes back to: the
// unit's parent when that is a center, or else the only center there is.
func centerOf(ctx context.Context, q queryer, code string) (string, error) {
	u, err := unit(ctx, q, code)
	if err != nil {
		return "", err
	}
	if u.Parent != "" {
		p, err := unit(ctx, q, u.Parent)
		if err != nil {
			return "", err
		}
		if p.Kind == complaint.KindCenter {
			return p.Code, nil
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT code FROM units WHERE kind = 'center' ORDER BY code LIMIT 2`)
	if err != nil {
		return "", fmt.Errorf("find the center: %w", err)
	}
	defer rows.Close()
	var centers []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", fmt.Errorf("find the center: %w", err)
		}
		centers = append(centers, c)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("find the center: %w", err)
	}
	if len(centers) != 1 {
		return "", refusef("无法确定退单退回哪个中心，请管理员为%s设置上级中心", u.Name)
	}
	return centers[0], nil
}
