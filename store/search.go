package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"hotline/complaint"
)

// searchCols are the ticket columns Search looks in; tickets_fts indexes the
// same ones, in this order. The reply's fields are in because officers look
// for what was answered (a regulation cited, a measure taken) as much as
// for what was asked; the contact's result and the review note are not.
var searchCols = []string{"number", "title", "content", "caller", "phone", "address", "category",
	"reply_text", "reply_findings", "reply_explanation", "reply_measures", "reply_basis", "reply_citizen_opinion"}

// Search lists the tickets f selects that contain every term of query, in
// any of number, title, content, caller, phone, address, category and the
// reply's text and record-sheet fields. Terms
// are separated by spaces; a bare AND between them is allowed and changes
// nothing. A term is matched as a plain substring, ASCII letters without
// regard to case.
//
// Terms of three or more characters go through the trigram index. Shorter
// ones (most Chinese words are two characters) cannot, since the trigram
// tokenizer drops them from a query silently; they are matched with instr()
// on the rows the long terms left, so that every query returns exactly the
// rows containing all its terms.
func (s *Store) Search(ctx context.Context, query string, f Filter) ([]complaint.Ticket, error) {
	var long, short []string
	for _, term := range strings.Fields(query) {
		if term == "AND" {
			continue
		}
		if utf8.RuneCountInString(term) >= 3 {
			long = append(long, `"`+strings.ReplaceAll(term, `"`, `""`)+`"`)
		} else {
			short = append(short, strings.ToLower(term))
		}
	}
	var conds []string
	var args []any
	if len(long) > 0 {
		conds = append(conds, `t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)`)
		args = append(args, strings.Join(long, " AND "))
	}
	for _, term := range short {
		var ors []string
		for _, c := range searchCols {
			ors = append(ors, `instr(lower(t.`+c+`), ?) > 0`)
			args = append(args, term)
		}
		conds = append(conds, `(`+strings.Join(ors, ` OR `)+`)`)
	}
	w, args, err := f.whereWith(s.clock(f), conds, args)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", query, err)
	}
	ol, err := f.orderLimit()
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", query, err)
	}
	ts, err := s.queryTickets(ctx, selectTicket+w+ol, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", query, err)
	}
	return ts, nil
}
