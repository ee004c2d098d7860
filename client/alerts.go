package client

import (
	"context"
	"errors"
	"time"

	"hotline/store"
)

// alertLoop long-polls the platform for the user's alerts, keeps them in
// the store and reports them (Alerted), so that the screen rings and shows
// them the moment they are due.
func (c *Client) alertLoop(ctx context.Context, emit func(Event), stop func()) {
	fails := 0
	for ctx.Err() == nil {
		start := time.Now()
		n, err := c.AlertsOnce(ctx, c.opt.Wait, emit)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			fails = 0
			if n == 0 && time.Since(start) < c.opt.RetryMin {
				// A platform that answers an empty long-poll at once
				// would otherwise be asked in a tight loop.
				sleep(ctx, c.opt.RetryMin)
			}
			continue
		}
		err = classify(err)
		if errors.Is(err, ErrRevoked) {
			stop()
			return
		}
		fails++
		wait := c.backoff(fails)
		if errors.Is(err, ErrLoginRequired) {
			wait = c.opt.RetryMax
		}
		c.log.Info("alerts paused", "err", err, "failures", fails)
		pause(ctx, wait, c.alertWake)
	}
}

// AlertsOnce fetches the alerts after the stored cursor, waiting up to wait
// for one, keeps them and reports them; it returns how many came.
func (c *Client) AlertsOnce(ctx context.Context, wait time.Duration, emit func(Event)) (int, error) {
	after, err := c.st.AlertCursor(ctx)
	if err != nil {
		return 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, wait+c.opt.Timeout)
	list, err := c.api.Alerts(rctx, after, wait)
	cancel()
	if err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, nil
	}
	as := make([]store.Alert, len(list))
	for i, a := range list {
		as[i] = store.Alert{ID: a.ID, Event: a.Event, Stage: a.Stage, Ticket: a.Ticket, Text: a.Text, At: a.At, Urgent: a.Urgent}
	}
	if err := c.st.AddAlerts(ctx, as); err != nil {
		return 0, err
	}
	c.report(emit, Event{Kind: Alerted, Alerts: as, Online: true, At: c.opt.Now()})
	return len(as), nil
}
