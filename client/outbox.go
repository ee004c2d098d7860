package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"hotline/api"
	"hotline/complaint"
	"hotline/store"
)

// FlushResult counts what one pass over the outbox did.
type FlushResult struct {
	Sent    int // applied by the platform (or found already applied)
	Refused int // refused; the item keeps its text and the reason
	Failed  int // no answer or a server error; still pending
}

// Flush sends every pending outbox item once, oldest first. Items on one
// ticket go strictly in order: when one fails, the later ones on that ticket
// wait for the next pass. When the platform cannot be reached at all the
// pass stops at the first failure. It returns an error wrapping
// ErrLoginRequired when the session has expired (the items stay pending),
// or when the store fails.
func (c *Client) Flush(ctx context.Context) (FlushResult, error) {
	return c.flush(ctx, nil)
}

type outcome int

const (
	sent outcome = iota
	refused
	failedAnswered // the platform answered with a server error
	failedNetwork  // the platform could not be reached
	unauthorized
	revoked
)

func (c *Client) flush(ctx context.Context, emit func(Event)) (FlushResult, error) {
	c.sending.Lock()
	defer c.sending.Unlock()
	var res FlushResult
	items, err := c.st.Pending(ctx)
	if err != nil {
		return res, err
	}
	blocked := map[string]bool{}
	sentOn := map[string]bool{}
	for _, it := range items {
		if blocked[it.Ticket] {
			continue
		}
		if sentOn[it.Ticket] {
			// MarkSent of the earlier action may have rebased this one.
			if it, err = c.st.Item(ctx, it.ID); err != nil {
				return res, err
			}
			if it.Status != store.StatusPending {
				continue
			}
		}
		if it.Kind == complaint.KindAttach {
			// The file goes first (the upload loop); the action, and
			// everything after it on the ticket, waits for it.
			ready, err := c.st.UploadReady(ctx, it.ID)
			if err != nil {
				return res, err
			}
			if !ready {
				blocked[it.Ticket] = true
				continue
			}
			// The upload loop wrote the file's hash into the action
			// after this pass read it: send it as it is now.
			if it, err = c.st.Item(ctx, it.ID); err != nil {
				return res, err
			}
			if it.Status != store.StatusPending {
				continue
			}
		}
		out, sendErr, err := c.send(ctx, &it)
		if err != nil {
			return res, err
		}
		ev := Event{Item: &it, Online: out != failedNetwork, At: c.opt.Now(), Err: sendErr}
		switch out {
		case sent:
			res.Sent++
			sentOn[it.Ticket] = true
			ev.Kind = Sent
		case refused:
			res.Refused++
			ev.Kind = Refused
		case failedAnswered, failedNetwork:
			res.Failed++
			ev.Kind = SendFailed
			blocked[it.Ticket] = true
		case unauthorized:
			ev.Kind = LoginRequired
		case revoked:
			ev.Kind = Revoked
		}
		if emit != nil {
			emit(ev)
		}
		switch out {
		case unauthorized, revoked:
			return res, fmt.Errorf("send %s: %w", it.ID, sendErr)
		case failedNetwork:
			return res, nil
		}
	}
	return res, nil
}

// send delivers one item and records the answer in the store, updating *it
// to match. sendErr is the delivery failure, if any; err is a store failure
// or ctx ending, which stops the pass.
func (c *Client) send(ctx context.Context, it *store.OutboxItem) (out outcome, sendErr, err error) {
	rctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	r, actErr := c.api.Act(rctx, it.Action)
	cancel()
	if actErr == nil {
		it.Status = store.StatusSent
		it.LastError = ""
		return sent, nil, c.st.MarkSent(ctx, it.ID, r.Ticket)
	}
	if ctx.Err() != nil {
		// Shutting down: the send may or may not have arrived; the same ID
		// goes out again next time and the platform sorts it out.
		return failedNetwork, actErr, ctx.Err()
	}
	var se *api.StatusError
	if !errors.As(actErr, &se) {
		c.log.Info("action not delivered", "id", it.ID, "ticket", it.Ticket, "err", actErr)
		return failedNetwork, actErr, c.attempt(ctx, it, actErr)
	}
	switch {
	case se.Status == http.StatusUnauthorized:
		return unauthorized, classify(actErr), c.attempt(ctx, it, actErr)
	case se.Status == http.StatusForbidden && se.Err.Code == api.CodeTerminal:
		// Not this action's fault: it stays pending, for a terminal
		// registered again.
		return revoked, classify(actErr), c.attempt(ctx, it, actErr)
	case se.Status == http.StatusConflict && it.Kind == complaint.KindAttach && se.Err.Ticket != nil && it.BaseVersion < se.Err.Ticket.Version:
		// Adding a file does not depend on what changed meanwhile: it goes
		// again on the current version. What follows it on the ticket keeps
		// its own base, and is refused as stale if the change concerns it.
		if err := c.st.Rebase(ctx, it.ID, se.Err.Ticket.Version); err != nil {
			return failedAnswered, actErr, err
		}
		it.BaseVersion = se.Err.Ticket.Version
		return c.send(ctx, it)
	case se.Status == http.StatusConflict:
		it.Status, it.LastError = store.StatusRefused, ConflictReason
		return refused, actErr, c.st.MarkRefused(ctx, it.ID, ConflictReason, se.Err.Ticket)
	case se.Status == http.StatusRequestTimeout, se.Status == http.StatusTooManyRequests, se.Status >= 500:
		c.log.Warn("platform failed an action", "id", it.ID, "ticket", it.Ticket, "err", actErr)
		return failedAnswered, actErr, c.attempt(ctx, it, actErr)
	default:
		// 400, 403, 404, 422 and any other refusal: the platform's own
		// words, which say what to fix.
		reason := se.Err.Message
		if reason == "" {
			reason = fmt.Sprintf("平台拒绝了此操作（HTTP %d），请核对后重新提交", se.Status)
		}
		it.Status, it.LastError = store.StatusRefused, reason
		return refused, actErr, c.st.MarkRefused(ctx, it.ID, reason, se.Err.Ticket)
	}
}

func (c *Client) attempt(ctx context.Context, it *store.OutboxItem, sendErr error) error {
	it.Attempts++
	it.LastError = sendErr.Error()
	return c.st.MarkAttempt(ctx, it.ID, it.LastError)
}
