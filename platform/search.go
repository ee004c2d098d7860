package platform

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hotline/api"
	"hotline/complaint"
)

// searchRoutes adds 投诉查询 to the API's routes.
func (s *Server) searchRoutes(mux *http.ServeMux) {
	mux.Handle("GET "+api.PathSearch, s.route(true, s.search))
	mux.Handle(api.PathSearch, s.route(false, func(w http.ResponseWriter, r *http.Request, _ *caller) error {
		return failf(http.StatusMethodNotAllowed, api.CodeBadRequest, "不支持的请求方法 %s", r.Method)
	}))
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := s.db.Search(r.Context(), c.user, q, s.opts.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// searchParams are the parameters of GET PathSearch; only state may come
// more than once.
var searchParams = map[string]bool{"q": false, "number": false, "phone": false, "from": false, "to": false,
	"state": true, "subunit": false, "category": false, "overdue": false, "limit": false}

// parseSearch reads a search's URL parameters; what it cannot read is a 400
// naming the parameter and the form expected.
func parseSearch(v url.Values) (api.SearchQuery, error) {
	bad := func(format string, args ...any) error {
		return failf(http.StatusBadRequest, api.CodeBadRequest, format, args...)
	}
	for k, vs := range v {
		many, ok := searchParams[k]
		if !ok {
			return api.SearchQuery{}, bad("未知参数 %s；可用参数：q, number, phone, from, to, state, subunit, category, overdue, limit", k)
		}
		if len(vs) > 1 && !many {
			return api.SearchQuery{}, bad("参数 %s 只能给一次", k)
		}
	}
	q := api.SearchQuery{Query: v.Get("q"), Number: v.Get("number"), Subunit: v.Get("subunit"), Category: v.Get("category")}
	if n := utf8.RuneCountInString(q.Query); n > api.MaxSearchQuery {
		return q, bad("参数 q 过长：%d 个字，最多 %d 个", n, api.MaxSearchQuery)
	}
	if p := v.Get("phone"); p != "" {
		if _, ok := phoneDigits(p); !ok {
			return q, bad("参数 phone 无效：%q，应为电话号码的数字（可带空格、横线、括号）", p)
		}
		q.Phone = p
	}
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		s := v.Get(b.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return q, bad("参数 %s 无效：%q，应为 RFC 3339 时间，如 2026-11-01T00:00:00+08:00", b.name, s)
		}
		*b.dst = t
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, bad("参数 from 应早于 to")
	}
	for _, s := range v["state"] {
		st, ok := complaint.ParseState(s)
		if !ok {
			return q, bad("参数 state 无效：%q，应为状态代码，如 assigned", s)
		}
		q.States = append(q.States, st)
	}
	switch o := v.Get("overdue"); o {
	case "", "0", "false":
	case "1", "true":
		q.Overdue = true
	default:
		return q, bad("参数 overdue 无效：%q，应为 1 或 0", o)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > api.MaxSearchLimit {
			return q, bad("参数 limit 无效：%q，应为 1 到 %d 的整数", l, api.MaxSearchLimit)
		}
		q.Limit = n
	}
	return q, nil
}

// phoneSeparators are what people put between the digits of a phone
// number; a phone condition ignores them on both sides.
var phoneSeparators = []string{" ", "-", "(", ")", "\u3000"}

// phoneDigits is p without its separators, and whether only digits are
// left.
func phoneDigits(p string) (string, bool) {
	for _, sep := range phoneSeparators {
		p = strings.ReplaceAll(p, sep, "")
	}
	if p == "" {
		return "", false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return p, true
}

// searchText is every field a search word may be in, one per line: a word
// has no white space, so it is found in one field or not at all, never
// across two. The reply's fields are read out of its JSON.
const searchText = `(number || char(10) || title || char(10) || content || char(10) || caller || char(10) ||
	phone || char(10) || address || char(10) || category || char(10) ||
	coalesce(json_extract(reply, '$.text'), '') || char(10) || coalesce(json_extract(reply, '$.findings'), '') || char(10) ||
	coalesce(json_extract(reply, '$.explanation'), '') || char(10) || coalesce(json_extract(reply, '$.measures'), '') || char(10) ||
	coalesce(json_extract(reply, '$.basis'), '') || char(10) || coalesce(json_extract(reply, '$.citizen_opinion'), ''))`

// Search lists the tickets q selects that u may see, newest call first.
// Words are matched as the terminal's store.Search matches them: each a
// substring of one field, ASCII letters without regard to case, all of
// them. The terminal holds the recent tickets and searches them through
// its indexes; the platform is asked for what it does not hold, so here a
// search reads the texts of the tickets in u's view with instr() rather than
// keep a second pair of full-text indexes on every write.
func (db *DB) Search(ctx context.Context, u complaint.User, q api.SearchQuery, now time.Time) (api.SearchResult, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = api.SearchLimit
	}
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	// The view, as complaint.Visible draws it, so that the limit counts
	// visible tickets; Visible is asked again below all the same.
	if !u.Has(complaint.RoleCenter) {
		var ors []string
		for _, r := range []complaint.Role{complaint.RoleDuty, complaint.RoleReviewer, complaint.RoleSupervisor, complaint.RoleAdmin, complaint.RoleHandler} {
			if u.Has(r) {
				ors = append(ors, `unit = ?`)
				args = append(args, u.Unit)
				break
			}
		}
		if u.Has(complaint.RoleHandler) {
			ors = append(ors, `subunit = ?`)
			args = append(args, u.Unit)
		}
		if len(ors) == 0 {
			return api.SearchResult{Tickets: []complaint.Ticket{}}, nil
		}
		conds = append(conds, `(`+strings.Join(ors, ` OR `)+`)`)
	}
	for _, w := range strings.Fields(q.Query) {
		if w == "AND" {
			continue
		}
		if strings.IndexFunc(w, func(r rune) bool { return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' }) < 0 {
			add(`instr(`+searchText+`, ?) > 0`, w)
		} else {
			add(`instr(lower(`+searchText+`), lower(?)) > 0`, w)
		}
	}
	if q.Number != "" {
		// Every number starting with Number sorts from it to before
		// Number+"\xff", no byte of UTF-8 text being 0xff: a range on the
		// primary key.
		add(`number >= ? AND number < ?`, q.Number, q.Number+"\xff")
	}
	if q.Phone != "" {
		digits, ok := phoneDigits(q.Phone)
		if !ok {
			return api.SearchResult{}, fmt.Errorf("search: phone %q is not a phone number", q.Phone)
		}
		col := `phone`
		for _, sep := range phoneSeparators {
			col = `replace(` + col + `, '` + sep + `', '')`
		}
		add(`instr(`+col+`, ?) > 0`, digits)
	}
	if !q.From.IsZero() {
		add(`received_at >= ?`, dbTime(q.From))
	}
	if !q.To.IsZero() {
		add(`received_at <> '' AND received_at < ?`, dbTime(q.To))
	}
	if len(q.States) > 0 {
		var in []string
		for _, st := range q.States {
			in = append(in, `?`)
			args = append(args, string(st))
		}
		conds = append(conds, `state IN (`+strings.Join(in, `, `)+`)`)
	}
	if q.Subunit != "" {
		add(`subunit = ?`, q.Subunit)
	}
	if q.Category != "" {
		add(`category = ?`, q.Category)
	}
	if q.Overdue {
		// Due at now is overdue, as complaint.Policy.Urgency has it.
		var in []string
		for _, st := range complaint.States {
			if st.Open() {
				in = append(in, `'`+string(st)+`'`)
			}
		}
		add(`state IN (`+strings.Join(in, `, `)+`) AND due <> '' AND due <= ?`, dbTime(now))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	out := api.SearchResult{Tickets: []complaint.Ticket{}}
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets`+where+
			` ORDER BY received_at DESC, number DESC LIMIT ?`, append(args, limit+1)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTicket(rows)
			if err != nil {
				return err
			}
			if !complaint.Visible(u, t) {
				continue
			}
			if len(out.Tickets) == limit {
				out.More = true
				break
			}
			out.Tickets = append(out.Tickets, t)
		}
		return rows.Err()
	})
	if err != nil {
		return api.SearchResult{}, fmt.Errorf("search %q: %w", q.Query, err)
	}
	return out, nil
}
