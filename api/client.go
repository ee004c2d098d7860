package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"hotline/complaint"
)

// Client makes the terminal's calls to the platform.
type Client struct {
	Base  string       // e.g. http://10.77.0.1
	HTTP  *http.Client // dials through the tunnel
	Token string
}

// StatusError is a non-2xx answer from the platform.
type StatusError struct {
	Status int
	Err    Error
}

func (e *StatusError) Error() string {
	if e.Err.Message != "" {
		return fmt.Sprintf("platform: %d %s: %s", e.Status, e.Err.Code, e.Err.Message)
	}
	return fmt.Sprintf("platform: HTTP %d", e.Status)
}

// Login exchanges a password for a session token and stores it in c.
func (c *Client) Login(ctx context.Context, login, password string) (Session, error) {
	var s Session
	err := c.call(ctx, http.MethodPost, PathLogin, LoginRequest{Login: login, Password: password}, &s)
	if err == nil {
		c.Token = s.Token
	}
	return s, err
}

// Me returns the session's user and unit.
func (c *Client) Me(ctx context.Context) (Session, error) {
	var s Session
	err := c.call(ctx, http.MethodGet, PathMe, nil, &s)
	return s, err
}

// Changes fetches the feed after cursor, waiting up to wait for something new
// when nothing is ready.
func (c *Client) Changes(ctx context.Context, after int64, wait time.Duration) (Changes, error) {
	return c.changes(ctx, after, wait, false)
}

// CountedChanges is Changes asking, too, how many tickets the pages after
// this one hold (Changes.Remaining, set when More is). It costs the platform
// a second pass over the changes, so a terminal asks on the first page of a
// round only.
func (c *Client) CountedChanges(ctx context.Context, after int64, wait time.Duration) (Changes, error) {
	return c.changes(ctx, after, wait, true)
}

func (c *Client) changes(ctx context.Context, after int64, wait time.Duration, count bool) (Changes, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	if count {
		q.Set("count", "1")
	}
	var ch Changes
	err := c.call(ctx, http.MethodGet, PathChanges+"?"+q.Encode(), nil, &ch)
	return ch, err
}

// Act sends one action. A conflict or refusal comes back as *StatusError;
// with a conflict its Err.Ticket holds the current ticket.
func (c *Client) Act(ctx context.Context, a complaint.Action) (ActionResult, error) {
	var r ActionResult
	err := c.call(ctx, http.MethodPost, PathActions, a, &r)
	return r, err
}

// Ticket fetches one ticket with its history.
func (c *Client) Ticket(ctx context.Context, number string) (complaint.Ticket, error) {
	var t complaint.Ticket
	err := c.call(ctx, http.MethodGet, PathTickets+url.PathEscape(number), nil, &t)
	return t, err
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		se := &StatusError{Status: resp.StatusCode}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = json.Unmarshal(b, &se.Err)
		return se
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("platform %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// Alerts waits up to wait for the user's alerts after the cursor.
func (c *Client) Alerts(ctx context.Context, after int64, wait time.Duration) ([]Alert, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	var out Alerts
	err := c.call(ctx, http.MethodGet, PathAlerts+"?"+q.Encode(), nil, &out)
	return out.Alerts, err
}

// Deliveries fetches the unit's notification log for [from, to): the
// newest the platform sends, and the count of each status over the window.
func (c *Client) Deliveries(ctx context.Context, from, to time.Time) (DeliveryLog, error) {
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}, "counts": {"1"}}
	var out DeliveryLog
	err := c.call(ctx, http.MethodGet, PathDeliveries+"?"+q.Encode(), nil, &out)
	return out, err
}
