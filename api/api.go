// Package api holds the wire types the platform and the terminal share, and
// the typed HTTP calls the terminal makes. All traffic is JSON over HTTP inside
// the WireGuard tunnel; the caller supplies an http.Client that dials through it.
package api

import (
	"bytes"
	"encoding/json"
	"time"

	"hotline/complaint"
)

// Paths of the platform's API.
const (
	PathLogin   = "/api/v1/login"
	PathMe      = "/api/v1/me"
	PathChanges = "/api/v1/changes"
	PathActions = "/api/v1/actions"
	PathTickets = "/api/v1/tickets/" // + number; + number/attachments[/id]
	PathUploads = "/api/v1/uploads/" // tus: POST to make an upload, then HEAD/PATCH/DELETE + id
	PathFiles   = "/api/v1/files/"   // + SHA-256: what the platform holds of those contents
)

// LoginRequest asks for a session token.
type LoginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// Session is what login returns and what /me repeats: the token and who it
// belongs to.
type Session struct {
	Token string         `json:"token,omitempty"`
	User  complaint.User `json:"user"`
	Unit  complaint.Unit `json:"unit"`
}

// Changes is one page of the change feed. Tickets are whole, with their
// events; Removed lists tickets that have left the caller's view (returned to
// the center, re-dispatched elsewhere). Cursor is the sequence to pass as
// after= next time; More says a further page is ready at once.
//
// Remaining counts the tickets the following pages hold, as the platform saw
// them when it made this page, so that a terminal far behind can show how far
// it has got. It is sent only when asked for (CountedChanges) and More
// is set; a platform before it never sends it, so with More set a Remaining
// of 0 means "not told". Terminals before it neither ask nor read it.
type Changes struct {
	Cursor    int64              `json:"cursor"`
	Tickets   []complaint.Ticket `json:"tickets"`
	Removed   []string           `json:"removed,omitempty"`
	More      bool               `json:"more"`
	Remaining int                `json:"remaining,omitempty"`
}

// ActionResult answers an action: the ticket as it is after the action (or,
// with a conflict, as it is now), and whether this was a replay of an action
// already applied.
type ActionResult struct {
	Ticket   complaint.Ticket `json:"ticket"`
	Replayed bool             `json:"replayed,omitempty"`
}

// Error is the body of every non-2xx answer. Code is one of the Code*
// constants; Message is Chinese, for the officer; Ticket is set on a conflict.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Ticket  *complaint.Ticket `json:"ticket,omitempty"`
}

// Error codes.
const (
	CodeBadRequest   = "bad_request"  // 400: malformed; fix and resend
	CodeUnauthorized = "unauthorized" // 401: log in again
	CodeForbidden    = "forbidden"    // 403: role or unit does not allow it
	// CodeTerminal (403): the request came from no registered terminal, or
	// from a revoked one; nothing from it will be accepted, so stop.
	CodeTerminal = "terminal_refused"
	CodeNotFound = "not_found" // 404: no such ticket in the caller's view
	CodeConflict = "conflict"  // 409: base version is stale; Ticket is current
	CodeRefused  = "refused"   // 422: the state machine does not allow it now
	CodeInternal = "internal"  // 500
	CodeTooLarge = "too_large" // 413: a file over the platform's limit
	CodeChecksum = "checksum"  // 422: an upload's contents are not the ones announced
)

// HeaderSHA256 carries an attachment's SHA-256 with its contents, so the
// terminal checks what it downloaded end to end.
const HeaderSHA256 = "X-Content-Sha256"

// File is what the platform holds of contents with one SHA-256.
type File struct {
	SHA256   string        `json:"sha256"`
	Size     int64         `json:"size"`
	Type     string        `json:"type"`
	Duration time.Duration `json:"duration,omitempty"`
}

// PathAlerts is the long-poll of the user's in-terminal alerts
// (?after=ID&wait=25s); PathDeliveries the unit's notification log.
const (
	PathAlerts     = "/api/v1/alerts"
	PathDeliveries = "/api/v1/deliveries"
)

// Alert is one in-terminal notification for the user.
type Alert struct {
	// ID is the alert's place in the user's inbox: the cursor to ask after
	// next time.
	ID     int64     `json:"id"`
	Event  string    `json:"event"`           // the event kind, or "deadline" for a reminder
	Stage  string    `json:"stage,omitempty"` // a reminder's stage: near, due, late
	Ticket string    `json:"ticket"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"` // when it fell due
	Urgent bool      `json:"urgent"`
}

// AlertsPage is the most alerts one answer of PathAlerts holds.
const AlertsPage = 100

// Alerts is an answer of PathAlerts.
type Alerts struct {
	Alerts []Alert `json:"alerts"`
}

// Delivery is one notification of the unit's log with its outcome.
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
	NotBefore time.Time `json:"not_before"` // when it was due to go: the log is read by it, newest first
	NextAt    time.Time `json:"next_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
}

// DeliveryLog is the answer of PathDeliveries asked with counts=1: the
// newest deliveries of the window (the platform sends at most 500) and how
// many the whole window holds of each status, so that a cut list can say
// so. Asked without counts=1 the platform answers the bare list, as the
// terminals before this one read it.
type DeliveryLog struct {
	Deliveries []Delivery     `json:"deliveries"`
	Counts     map[string]int `json:"counts"` // by status: queued, sending, sent, failed, dropped
	Total      int            `json:"total"`
}

// UnmarshalJSON reads the bare list of a platform that does not count as
// well, as its whole log: the counts are its rows'.
func (l *DeliveryLog) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		var list []Delivery
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*l = DeliveryLog{Deliveries: list, Counts: map[string]int{}, Total: len(list)}
		for _, d := range list {
			l.Counts[d.Status]++
		}
		return nil
	}
	type plain DeliveryLog
	return json.Unmarshal(b, (*plain)(l))
}
