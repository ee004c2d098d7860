// Package api holds the wire types the platform and the terminal share, and
// the typed HTTP calls the terminal makes. All traffic is JSON over HTTP inside
// the WireGuard tunnel; the caller supplies an http.Client that dials through it.
package api

import (
	"hotline/complaint"
)

// Paths of the platform's API.
const (
	PathLogin   = "/api/v1/login"
	PathMe      = "/api/v1/me"
	PathChanges = "/api/v1/changes"
	PathActions = "/api/v1/actions"
	PathTickets = "/api/v1/tickets/" // + number
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
)
