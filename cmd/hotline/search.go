package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"hotline/api"
	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/store"
	"hotline/tui/cells"
	searchpage "hotline/tui/pages/search"
)

// errNothingFound ends a search that found no ticket: exit status 1, as
// grep does, so that scripts can test for it.
var errNothingFound = errors.New("no ticket found")

// stringsFlag is a flag that may be given more than once, each value
// possibly a comma-separated list.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}

// searchArgs are the parsed flags and words of hotline search.
type searchArgs struct {
	cfg     string
	query   string
	filter  store.Filter
	subunit string // as given: a code or a name, resolved on the cached unit tree
	remote  bool
	json    bool
}

// parseSearch reads hotline search's flags and words; what it cannot read
// is a usage error naming the flag and the form it takes.
func parseSearch(args []string) (searchArgs, error) {
	fs, cfg := newFlags("search")
	number := fs.String("number", "", "the ticket with this number, or whose number starts so")
	phone := fs.String("phone", "", "callers whose phone contains these digits (spaces and dashes ignored)")
	from := fs.String("from", "", "received on or after this day, China time: 2026-11-01")
	to := fs.String("to", "", "received on or before this day, China time: 2026-11-30")
	var states stringsFlag
	fs.Var(&states, "state", "in this state, by label or code (待签收 or dispatched); repeat or separate with commas for several")
	subunit := fs.String("subunit", "", "assigned to this sub-unit, by code or name")
	category := fs.String("category", "", "of this category, whole")
	overdue := fs.Bool("overdue", false, "only open tickets past the deadline of their step")
	remote := fs.Bool("remote", false, "ask the platform too, for tickets this terminal does not cache")
	limit := fs.Int("limit", 0, "at most this many tickets (0: all; with --remote the platform answers at most 1000)")
	asJSON := fs.Bool("json", false, "JSON output: the tickets")
	words, err := cli.Parse(fs, args)
	if err != nil {
		return searchArgs{}, err
	}
	a := searchArgs{cfg: *cfg, query: strings.Join(words, " "), subunit: strings.TrimSpace(*subunit), remote: *remote, json: *asJSON}
	f := &a.filter
	f.Number, f.Category, f.Overdue = strings.TrimSpace(*number), strings.TrimSpace(*category), *overdue
	if p := strings.TrimSpace(*phone); p != "" {
		if !store.ValidPhone(p) {
			if tail, ok := searchpage.MaskedTail(p); ok {
				return a, usageError(fmt.Sprintf("--phone %q: give digits only; for a number masked as the screens show it, give its last digits, e.g. --phone %s", p, tail))
			}
			return a, usageError(fmt.Sprintf("--phone %q: give the digits of a phone number, spaces and dashes allowed, e.g. 0571-8888 1234", p))
		}
		f.Phone = p
	}
	day := func(name, v string) (time.Time, error) {
		d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), shanghai)
		if why := nonexistent("2006-01-02", strings.TrimSpace(v)); why != "" {
			return d, usageError(fmt.Sprintf("--%s %q: %s", name, v, why))
		}
		if err != nil {
			return d, usageError(fmt.Sprintf("--%s %q: give a day as YYYY-MM-DD, e.g. 2026-11-01 (China time)", name, v))
		}
		return d, nil
	}
	if *from != "" {
		if f.From, err = day("from", *from); err != nil {
			return a, err
		}
	}
	if *to != "" {
		last, err := day("to", *to)
		if err != nil {
			return a, err
		}
		f.To = last.AddDate(0, 0, 1) // the whole last day
		if !f.From.IsZero() && !f.From.Before(f.To) {
			return a, usageError(fmt.Sprintf("--to %s is before --from %s: give the first day in --from and the last in --to", *to, *from))
		}
	}
	for _, s := range states {
		st, ok := complaint.ParseState(s)
		if !ok {
			return a, usageError(fmt.Sprintf("--state %q: give a state's label or code, e.g. 待签收 or dispatched", s))
		}
		f.States = append(f.States, st)
	}
	if *limit < 0 {
		return a, usageError(fmt.Sprintf("--limit %d: give a number of tickets, 0 or more", *limit))
	}
	f.Limit = *limit
	return a, nil
}

func cmdSearch(args []string) error {
	a, err := parseSearch(args)
	if err != nil {
		return err
	}
	t, err := openTerminal(a.cfg)
	if err != nil {
		return err
	}
	defer t.close()
	ctx := context.Background()
	if a.subunit != "" {
		if a.filter.Subunit, err = t.subunitCode(ctx, a.subunit); err != nil {
			return err
		}
	}
	found, err := t.store.Search(ctx, a.query, a.filter)
	if err != nil {
		return err
	}
	if a.remote {
		if err := t.connect(); errors.Is(err, errLinkBusy) {
			return errors.New("search --remote: hotline is running on this terminal and holds the link to the platform; search there (投诉查询), or close it and try again")
		} else if err != nil {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := t.reach(rctx); err != nil {
			return fmt.Errorf("search --remote: %w", err)
		}
		q, _ := remoteQuery(a.query, a.filter) // the command sets no Open
		res, err := t.api.Search(rctx, q)
		if err != nil {
			return fmt.Errorf("search on the platform: %w", err)
		}
		if res.More && (a.filter.Limit == 0 || len(res.Tickets) < a.filter.Limit) {
			fmt.Fprintf(os.Stderr, "hotline: the platform found more tickets than the %d it sent; narrow the search\n", len(res.Tickets))
		}
		found = merge(found, res.Tickets, a.filter.Limit)
	}
	if len(found) == 0 {
		return errNothingFound
	}
	if a.json {
		return writeJSON(stdout, found)
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, tk := range found {
		received := ""
		if !tk.ReceivedAt.IsZero() {
			received = tk.ReceivedAt.In(shanghai).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", field(tk.Number), received, tk.State.Label(), field(tk.Title))
	}
	return nil
}

// nonexistent says why v, written in layout (a day, 2006-01-02, or a
// month, 2006-01), names none, as "February 2026 has no day 30"; it is ""
// when v exists or is not written so. A date that only does not exist is
// thus told apart from one written otherwise.
func nonexistent(layout, v string) string {
	form := theDay
	if layout == "2006-01" {
		form = theMonth
	}
	p := form.FindStringSubmatch(v)
	if p == nil {
		return ""
	}
	y, _ := strconv.Atoi(p[1])
	m, _ := strconv.Atoi(p[2])
	if m < 1 || m > 12 {
		return fmt.Sprintf("there is no month %d", m)
	}
	if len(p) < 4 {
		return ""
	}
	d, _ := strconv.Atoi(p[3])
	// Day 0 of the next month is the last of this one.
	if last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day(); d < 1 || d > last {
		return fmt.Sprintf("%s %d has no day %d", time.Month(m), y, d)
	}
	return ""
}

// The forms of the flags that take a day (--date, --from, --to) and a
// month (--month).
var (
	theDay   = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	theMonth = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
)

// field is outside text made safe for one tab-separated field: control
// sequences made visible (cells.Sanitize), tabs and line breaks one space.
func field(s string) string {
	return cells.Sanitize(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ").Replace(s))
}

// subunitCode is the code of the sub-unit named by code or name in the
// cached unit tree. Without a cached tree the value is taken as a code.
func (t *terminal) subunitCode(ctx context.Context, v string) (string, error) {
	units, _, err := t.directory(ctx)
	if err != nil || len(units) == 0 {
		return v, err
	}
	var codes []string
	for _, u := range units {
		if u.Kind != complaint.KindSubunit {
			continue
		}
		if u.Code == v || u.Name == v {
			return u.Code, nil
		}
		codes = append(codes, u.Code+" "+cells.Line(u.Name))
	}
	if len(codes) == 0 {
		return "", usageError(fmt.Sprintf("--subunit %q: this unit has no sub-units", v))
	}
	return "", usageError(fmt.Sprintf("--subunit %q: give a sub-unit's code or name: %s", v, strings.Join(codes, ", ")))
}

// remoteQuery is the platform's form of a search on the cache, and false
// when f can find nothing (Open and States exclude each other). Mine, Steps
// and Order have no counterpart there: the platform answers what the user
// may see, newest call first. Open becomes the open states, or the others.
func remoteQuery(query string, f store.Filter) (api.SearchQuery, bool) {
	q := api.SearchQuery{Query: query, Number: f.Number, Phone: f.Phone, From: f.From, To: f.To,
		States: f.States, Subunit: f.Subunit, Category: f.Category, Overdue: f.Overdue, Limit: f.Limit}
	if f.Open != nil {
		q.States = nil
		for _, st := range complaint.States {
			if st.Open() == *f.Open && (len(f.States) == 0 || slices.Contains(f.States, st)) {
				q.States = append(q.States, st)
			}
		}
		if len(q.States) == 0 {
			return q, false
		}
	}
	if q.Limit <= 0 || q.Limit > api.MaxSearchLimit {
		q.Limit = api.MaxSearchLimit
	}
	return q, true
}

// merge adds the platform's tickets to the cache's, the newer version of a
// ticket in both, newest call first as Search lists them, cut to limit (0:
// no limit).
func merge(cached, remote []complaint.Ticket, limit int) []complaint.Ticket {
	byNumber := map[string]int{}
	out := slices.Clone(cached)
	for i, tk := range out {
		byNumber[tk.Number] = i
	}
	for _, tk := range remote {
		if i, ok := byNumber[tk.Number]; ok {
			if tk.Version > out[i].Version {
				out[i] = tk
			}
			continue
		}
		byNumber[tk.Number] = len(out)
		out = append(out, tk)
	}
	slices.SortStableFunc(out, func(a, b complaint.Ticket) int {
		return cmp.Or(b.ReceivedAt.Compare(a.ReceivedAt), strings.Compare(b.Number, a.Number))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// remoteSearch is the terminal screen's Context.Remote: the platform's
// answer to a search the cache cannot fully answer. The screen calls it
// from a command, so it may wait on the network.
func (t *terminal) remoteSearch(ctx context.Context, query string, f store.Filter) ([]complaint.Ticket, error) {
	if t.api == nil {
		return nil, errors.New("no link to the platform")
	}
	q, ok := remoteQuery(query, f)
	if !ok {
		return nil, nil
	}
	res, err := t.api.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return res.Tickets, nil
}
