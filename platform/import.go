package platform

import (
	"context"
	"fmt"
	"time"

	"hotline/complaint"
	"hotline/platform/intake"
)

// ImportOptions says how a file's rows become tickets.
type ImportOptions struct {
	intake.Options
	Unit string // the unit the tickets are dispatched to
	// Open brings every row in as a new dispatch (待签收), ignoring the file's
	// replies: for training and demos on historical files.
	Open  bool
	Actor string
	// Saving, when not nil, is called as the file's tickets are written
	// (in one transaction, after the file is read): saved of total, from
	// 0. The reading's progress is intake.Options.Progress.
	Saving func(saved, total int)
}

// ImportSummary counts what one file gave.
type ImportSummary struct {
	File     string
	Encoding string
	Rows     int // data rows in the file
	Added    int // new tickets
	Existing int // already on the platform: not duplicated
	Bad      int // rows refused (only with SkipBad; otherwise nothing is imported)
	Problems []intake.Problem
}

// Import reads one complaint file and dispatches its tickets in one
// transaction. A file with a bad row imports nothing unless SkipBad is set.
func (db *DB) Import(ctx context.Context, path string, opts ImportOptions) (ImportSummary, error) {
	res, err := intake.Read(path, opts.Options)
	sum := ImportSummary{File: path, Encoding: res.Encoding, Rows: res.Total, Bad: len(res.Bad), Problems: res.Bad}
	if err != nil {
		return sum, err
	}
	tickets := make([]complaint.Ticket, 0, len(res.Rows))
	for _, r := range res.Rows {
		tickets = append(tickets, RowTicket(r, opts.Unit, opts.Open, db.now()))
	}
	actor := opts.Actor
	if actor == "" {
		actor = "import"
	}
	var saved func(int)
	if opts.Saving != nil {
		saved = func(n int) { opts.Saving(n, len(tickets)) }
	}
	s, err := db.dispatch(ctx, tickets, actor, saved)
	if err != nil {
		return sum, fmt.Errorf("import %s: %w", path, err)
	}
	sum.Added, sum.Existing = s.Added, s.Existing
	return sum, nil
}

// RowTicket makes a ticket of one row. The center's dispatch time is not in
// the files, so the time of the message stands for it; a row brought in as
// a new dispatch (open) is dispatched now. A row with a reply is a closed
// ticket, unless open asks for every row as a new dispatch.
func RowTicket(r intake.Row, unit string, open bool, now time.Time) complaint.Ticket {
	t := complaint.Ticket{
		Number:       r.Number,
		Title:        r.Title,
		Content:      r.Content,
		Caller:       r.Caller,
		Phone:        r.Phone,
		Address:      r.Address,
		Category:     r.Category,
		ReceivedAt:   r.ReceivedAt.UTC(),
		DispatchedAt: r.ReceivedAt.UTC(),
		Unit:         unit,
		State:        complaint.Dispatched,
	}
	if open {
		t.DispatchedAt = now.UTC()
	}
	if !open && r.Reply != "" {
		t.State = complaint.Closed
		at := r.RepliedAt
		if at.IsZero() {
			at = r.ReceivedAt
		}
		t.Reply = &complaint.Reply{Text: r.Reply, At: at.UTC()}
		t.UpdatedAt = at.UTC()
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.DispatchedAt
	}
	return t
}
