package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"hotline/complaint"
)

// PathSearch answers 投诉查询 on the platform (GET), for tickets a terminal
// does not cache (older ones): see SearchQuery for its parameters.
const PathSearch = "/api/v1/search"

// Limits of a search's answer.
const (
	SearchLimit    = 100  // tickets answered when the query gives no limit
	MaxSearchLimit = 1000 // the most a query may ask for
	// MaxSearchQuery is the longest q, in characters.
	MaxSearchQuery = 200
)

// SearchQuery is a search on the platform, the same as the terminal's
// store.Search with its store.Filter conditions. Its conditions are ANDed.
// As URL parameters (Values):
//
//	q=物业 噪音         words, each a substring of the number, title, content,
//	                   caller, phone, address, category or a reply field
//	number=2549        the ticket with this number or whose number starts so
//	phone=0571-8888    caller phones containing these digits
//	                   (spaces, dashes and brackets ignored)
//	from=…&to=…        received in [from, to), RFC 3339 instants
//	state=assigned     in this state (code); repeat for several
//	subunit=U01-03     assigned to this sub-unit (code)
//	category=供电服务   of this category, whole
//	overdue=1          open, and the step now due is past its deadline
//	limit=100          at most this many, 1 to MaxSearchLimit
//
// The platform answers only tickets the caller may see (complaint.Visible),
// and a parameter it does not know or cannot read is a 400 naming it.
type SearchQuery struct {
	Query    string
	Number   string
	Phone    string
	From, To time.Time
	States   []complaint.State
	Subunit  string
	Category string
	Overdue  bool
	Limit    int // 0: SearchLimit
}

// SearchResult answers a search: the tickets, newest call first, without
// their history (GET PathTickets+number has it), and whether more tickets
// matched than the limit let through.
type SearchResult struct {
	Tickets []complaint.Ticket `json:"tickets"`
	More    bool               `json:"more"`
}

// Values are q's URL parameters; zero fields are left out.
func (q SearchQuery) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Query)
	set("number", q.Number)
	set("phone", q.Phone)
	if !q.From.IsZero() {
		v.Set("from", q.From.Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.Format(time.RFC3339Nano))
	}
	for _, s := range q.States {
		v.Add("state", string(s))
	}
	set("subunit", q.Subunit)
	set("category", q.Category)
	if q.Overdue {
		v.Set("overdue", "1")
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// Search asks the platform for the tickets q selects.
func (c *Client) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	var r SearchResult
	path := PathSearch
	if v := q.Values(); len(v) > 0 {
		path += "?" + v.Encode()
	}
	err := c.call(ctx, http.MethodGet, path, nil, &r)
	return r, err
}
