package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"hotline/complaint"
)

// Nested records (a ticket's contact, review, return request and extension,
// an event's fields, an action's kind-specific fields) are stored as JSON
// text, none as NULL: they are only ever read whole, and the JSON form of
// the complaint types carries a field added to them without a migration.
// Their instants are stored in UTC like every other instant in the cache,
// so that a record reads back equal to what the columns around it give.

// jsonArg is the value bound for a nested record: NULL for a nil pointer,
// map or slice, else its JSON text.
func jsonArg(v any) (any, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, nil
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if rv.IsNil() {
			return nil, nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// jsonCol scans a column written by jsonArg into *v: the zero value for
// NULL, else the decoded JSON.
type jsonCol[T any] struct{ v *T }

func scanJSON[T any](v *T) jsonCol[T] { return jsonCol[T]{v} }

func (c jsonCol[T]) Scan(src any) error {
	var zero T
	*c.v = zero
	switch src := src.(type) {
	case nil:
		return nil
	case string:
		return c.decode([]byte(src))
	case []byte:
		return c.decode(src)
	}
	return fmt.Errorf("stored %T: unexpected %T", zero, src)
}

func (c jsonCol[T]) decode(b []byte) error {
	if err := json.Unmarshal(b, c.v); err != nil {
		return fmt.Errorf("stored %T %q: %w", *c.v, b, err)
	}
	return nil
}

// utc is t in UTC; the zero time stays the zero time.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func utcContact(c *complaint.Contact) *complaint.Contact {
	if c == nil {
		return nil
	}
	x := *c
	x.At = utc(x.At)
	return &x
}

func utcReview(r *complaint.Review) *complaint.Review {
	if r == nil {
		return nil
	}
	x := *r
	x.At = utc(x.At)
	return &x
}

func utcReturn(r *complaint.ReturnRequest) *complaint.ReturnRequest {
	if r == nil {
		return nil
	}
	x := *r
	x.At = utc(x.At)
	return &x
}

func utcExtension(e *complaint.Extension) *complaint.Extension {
	if e == nil {
		return nil
	}
	x := *e
	x.At, x.Deadline = utc(x.At), utc(x.Deadline)
	return &x
}

// ticketRecords are a ticket's nested records, kept together as JSON in
// tickets.records (NULL when there are none): one column rather than four,
// since a list reads every column of every row.
type ticketRecords struct {
	Contact   *complaint.Contact       `json:"contact,omitempty"`
	Review    *complaint.Review        `json:"review,omitempty"`
	Return    *complaint.ReturnRequest `json:"return,omitempty"`
	Extension *complaint.Extension     `json:"extension,omitempty"`
	// Attachments are the ticket's files, as the platform listed them.
	Attachments []complaint.Attachment `json:"attachments,omitempty"`
}

func recordsOf(t complaint.Ticket) ticketRecords {
	return ticketRecords{utcContact(t.Contact), utcReview(t.Review), utcReturn(t.Return), utcExtension(t.Extension), utcAttachments(t.Attachments)}
}

func utcAttachments(as []complaint.Attachment) []complaint.Attachment {
	if len(as) == 0 {
		return nil
	}
	out := make([]complaint.Attachment, len(as))
	for i, a := range as {
		a.At = utc(a.At)
		out[i] = a
	}
	return out
}

// arg is the value bound for tickets.records.
func (r ticketRecords) arg() (any, error) {
	if reflect.ValueOf(r).IsZero() {
		return nil, nil
	}
	return jsonArg(r)
}

// actionFields are the fields of a complaint.Action that only some kinds
// use, kept together as JSON in outbox.fields (NULL when all are zero).
// Criteria has no omitempty so that an empty list and no list read back as
// they were written.
type actionFields struct {
	Unit         string                `json:"unit,omitempty"`
	Subunit      string                `json:"subunit,omitempty"`
	Handler      string                `json:"handler,omitempty"`
	Contact      *complaint.Contact    `json:"contact,omitempty"`
	Criteria     []int                 `json:"criteria"`
	Days         int                   `json:"days,omitempty"`
	Grant        bool                  `json:"grant,omitempty"`
	Deadline     time.Time             `json:"deadline,omitzero"`
	Satisfaction string                `json:"satisfaction,omitempty"`
	Attachment   *complaint.Attachment `json:"attachment,omitempty"`
}

func fieldsOf(a complaint.Action) actionFields {
	return actionFields{
		Unit: a.Unit, Subunit: a.Subunit, Handler: a.Handler, Contact: utcContact(a.Contact),
		Criteria: a.Criteria, Days: a.Days, Grant: a.Grant, Deadline: utc(a.Deadline), Satisfaction: a.Satisfaction,
		Attachment: a.Attachment,
	}
}

func (f actionFields) setOn(a *complaint.Action) {
	a.Unit, a.Subunit, a.Handler, a.Contact = f.Unit, f.Subunit, f.Handler, f.Contact
	a.Criteria, a.Days, a.Grant, a.Deadline, a.Satisfaction = f.Criteria, f.Days, f.Grant, f.Deadline, f.Satisfaction
	a.Attachment = f.Attachment
}

// arg is the value bound for outbox.fields.
func (f actionFields) arg() (any, error) {
	if reflect.ValueOf(f).IsZero() {
		return nil, nil
	}
	return jsonArg(f)
}
