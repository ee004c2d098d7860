package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"

	"hotline/complaint"
)

// searchCols are the ticket columns Search looks in; tickets_fts and
// tickets_chars index the same ones, in this order. The reply's fields are
// in because officers look for what was answered (a regulation cited, a
// measure taken) as much as for what was asked; the contact's result and the
// review note are not.
var searchCols = []string{"number", "title", "content", "caller", "phone", "address", "category",
	"reply_text", "reply_findings", "reply_explanation", "reply_measures", "reply_basis", "reply_citizen_opinion"}

// Search lists the tickets f selects that contain every term of query, in
// any of number, title, content, caller, phone, address, category and the
// reply's text and record-sheet fields. Terms are separated by white space
// (the ideographic space U+3000 too); a bare AND between them is allowed and
// changes nothing. Each term is matched as a plain substring of one field,
// ASCII letters without regard to case (the case of other letters is
// ignored only in terms of three or more characters, where the trigram
// index folds it): 物业 finds 小区物业费, Pipe finds "water pipe".
//
// Chinese is written without spaces between words, and no word list
// decides what a citizen's text or an officer's query means by a word (a
// place name, a person, a road number), so search is by substring, not by
// word: a segmenter such as gse would miss 西湖 in 西湖区 when it cuts the
// text as 西湖区, and its dictionary would need keeping up. Two indexes
// make substrings fast:
//
//   - Terms of three or more characters go to tickets_fts, SQLite FTS5's
//     trigram tokenizer, which indexes every run of three characters; a
//     term is found by its trigrams, in order.
//   - Terms of one or two characters, which are most Chinese words and
//     which the trigram index cannot answer (it silently drops them from a
//     query), go to tickets_chars, which indexes every single character as
//     a token (see charTokens): a term is found as a phrase of its
//     characters. Scanning the text with instr() instead gives the same
//     rows but reads every ticket: about a second on 100,000 tickets,
//     against milliseconds through the index (BenchmarkSearch100k).
//
// A character is a Unicode code point (a rune), which is what both FTS5
// tokenizers count: 𠮷 (U+20BB7, four bytes in UTF-8, two UTF-16 units) is
// one character, so 吉𠮷 is a two-character term and 机场𠮷 a three-character
// one. Terms are ANDed, and a ticket is listed once however many of its
// fields match.
func (s *Store) Search(ctx context.Context, query string, f Filter) ([]complaint.Ticket, error) {
	var long, short []string
	for _, term := range strings.Fields(query) {
		if term == "AND" {
			continue
		}
		if utf8.RuneCountInString(term) >= 3 {
			long = append(long, `"`+strings.ReplaceAll(term, `"`, `""`)+`"`)
		} else {
			short = append(short, `"`+charTokens(term)+`"`)
		}
	}
	var matches []match
	if len(long) > 0 {
		matches = append(matches, match{"tickets_fts", strings.Join(long, " AND ")})
	}
	if len(short) > 0 {
		matches = append(matches, match{"tickets_chars", strings.Join(short, " AND ")})
	}
	var conds []string
	var args []any
	for _, m := range matches {
		conds = append(conds, `t.id IN (SELECT rowid FROM `+m.table+` WHERE `+m.table+` MATCH ?)`)
		args = append(args, m.expr)
	}
	w, args, err := f.whereWith(s.clock(f), conds, args)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", query, err)
	}
	ol, err := f.orderLimit()
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", query, err)
	}
	if f.Limit == 0 || len(matches) == 0 {
		ts, err := s.queryTickets(ctx, selectTicket+w+ol, args...)
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", query, err)
		}
		return ts, nil
	}
	// With a limit, the ids are chosen first and only they are sorted:
	// sorting whole rows (content and reply, ~2.5 KB each) of thousands of
	// matches to keep a page cost most of the time on a large cache. A
	// common word (more than ten pages of matches) in the list's usual
	// order is looked for among the newest tickets only (recentMatches):
	// the index then never lists all of its matches (的: 994,000 of a
	// million tickets).
	var ids []int64
	if f.Order == "" || f.Order == OrderReceived {
		n, err := s.matchCount(ctx, matches, 10*f.Limit+1)
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", query, err)
		}
		if n > 10*f.Limit {
			if ids, err = s.recentMatches(ctx, matches, f); err != nil {
				return nil, fmt.Errorf("store: search %q: %w", query, err)
			}
		}
	}
	if ids == nil {
		if ids, err = s.ticketIDs(ctx, `SELECT t.id FROM tickets t`+w+ol, args...); err != nil {
			return nil, fmt.Errorf("store: search %q: %w", query, err)
		}
	}
	ts, err := s.ticketsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", query, err)
	}
	return ts, nil
}

// recentMatches is the first f.Limit matching tickets in the order of
// receipt, looked for among the newest k tickets: their time of receipt
// from and the ids they span [lo, hi] bound the index's work. Every ticket
// received at or after from has its id in that range, and every other one
// sorts after them (a ticket without a time sorts last), so once the
// window holds f.Limit matches they are exactly the first f.Limit. Else
// the window grows by the density of matches seen; nil means it reached
// the whole cache, for the caller to search it all.
func (s *Store) recentMatches(ctx context.Context, matches []match, f Filter) ([]int64, error) {
	for k := 4 * f.Limit; ; {
		var from string
		err := s.db.QueryRowContext(ctx, `SELECT received_at FROM tickets WHERE received_at IS NOT NULL
			ORDER BY received_at DESC LIMIT 1 OFFSET ?`, k-1).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var lo, hi int64
		if err := s.db.QueryRowContext(ctx, `SELECT min(id), max(id) FROM tickets WHERE received_at >= ?`, from).Scan(&lo, &hi); err != nil {
			return nil, err
		}
		conds, args := []string{`t.received_at >= ?`}, []any{from}
		for _, m := range matches {
			conds = append(conds, `t.id IN (SELECT rowid FROM `+m.table+` WHERE `+m.table+` MATCH ? AND rowid BETWEEN ? AND ?)`)
			args = append(args, m.expr, lo, hi)
		}
		w, args, err := f.whereWith(s.clock(f), conds, args)
		if err != nil {
			return nil, err
		}
		ol, err := f.orderLimit()
		if err != nil {
			return nil, err
		}
		ids, err := s.ticketIDs(ctx, `SELECT t.id FROM tickets t`+w+ol, args...)
		if err != nil || len(ids) == f.Limit {
			return ids, err
		}
		k = min(16*k, max(2*k, k*f.Limit*3/2/max(len(ids), 1)))
	}
}

// ticketIDs runs a query of ticket ids.
func (s *Store) ticketIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ticketsByID reads the tickets of ids, in the order of ids.
func (s *Store) ticketsByID(ctx context.Context, ids []int64) ([]complaint.Ticket, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectTicket+` WHERE t.id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	out := make([]complaint.Ticket, len(ids))
	for rows.Next() {
		id, t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out[at[id]] = t
	}
	return out, rows.Err()
}

// match is a full-text condition: an FTS5 expression on one index.
type match struct{ table, expr string }

// matchCount is the fewest rows any of matches finds, counting no further
// than limit: enough to tell a common word from a rare one, counted in the
// indexes alone (a full count of 问题 in a million tickets takes 153 ms, a
// capped one 2 ms).
func (s *Store) matchCount(ctx context.Context, matches []match, limit int) (int, error) {
	least := -1
	for _, m := range matches {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+m.table+` WHERE `+m.table+` MATCH ? LIMIT ?)`, m.expr, limit).Scan(&n); err != nil {
			return 0, err
		}
		if least < 0 || n < least {
			least = n
		}
	}
	return least, nil
}

// charTokens writes text as FTS5 tokens, one for every character, so that an
// index over them (tokenize = 'ascii') finds a string of characters as a
// phrase: each character is its code point in hexadecimal, ASCII letters
// folded to lower case first; a run of white space is the one token "s",
// which no term contains but which keeps the characters on either side of
// it from being neighbours. "物业 A" becomes "7269 4e1a s 61".
func charTokens(text string) string {
	var b []byte
	space := false
	for _, r := range text {
		if unicode.IsSpace(r) {
			if !space {
				b = append(b, " s"...)
				space = true
			}
			continue
		}
		space = false
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(r), 16)
	}
	return strings.TrimPrefix(string(b), " ")
}

// charsFunc is the SQL function hotline_chars(field, ...) that fills
// tickets_chars: the charTokens of each field, with the token "z" between
// fields so that no phrase runs from one field into the next.
func charsFunc(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteString(" z ")
		}
		switch v := a.(type) {
		case string:
			b.WriteString(charTokens(v))
		case []byte:
			b.WriteString(charTokens(string(v)))
		case nil:
		default:
			return nil, fmt.Errorf("hotline_chars: argument %d is %T, not text", i+1, a)
		}
	}
	return b.String(), nil
}

func init() {
	// Registered with the driver, so every connection of every store has
	// it, the migration that builds tickets_chars included.
	sqlite.MustRegisterDeterministicScalarFunction("hotline_chars", -1, charsFunc)
}
