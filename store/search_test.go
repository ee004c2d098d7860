package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/platform/intake"
)

// The real data is read with the platform's own reader (the one hotlined
// import uses) and each row becomes the ticket platform.RowTicket makes of
// it: a row with a reply is a closed ticket whose reply text is the row's
// 答复意见. The store may not import the platform, so the few lines of that
// mapping are repeated here.
func rowTicket(r intake.Row) complaint.Ticket {
	t := complaint.Ticket{
		Number: r.Number, Title: r.Title, Content: r.Content, Caller: r.Caller, Phone: r.Phone,
		Address: r.Address, Category: r.Category, ReceivedAt: r.ReceivedAt.UTC(), DispatchedAt: r.ReceivedAt.UTC(),
		Unit: "U01", State: complaint.Dispatched, Version: 1, UpdatedAt: r.ReceivedAt.UTC(),
	}
	if r.Reply != "" {
		t.State = complaint.Closed
		t.Reply = &complaint.Reply{Text: r.Reply, At: r.RepliedAt.UTC()}
		t.UpdatedAt = r.RepliedAt.UTC()
	}
	return t
}

var realRows = map[string][]intake.Row{}
var realMu sync.Mutex

// readReal reads a file of the shared real data once per test binary.
func readReal(tb testing.TB, name string) []intake.Row {
	tb.Helper()
	realMu.Lock()
	defer realMu.Unlock()
	if rows, ok := realRows[name]; ok {
		return rows
	}
	// SkipBad: e2.xlsx repeats one number (37042), as hotlined import
	// --skip-bad leaves it out.
	res, err := intake.Read(testenv.Shared(tb, "data/teddy2020c/"+name), intake.Options{SkipBad: true})
	if err != nil {
		tb.Fatal(err)
	}
	realRows[name] = res.Rows
	return res.Rows
}

// loadRows caches the rows' tickets in a new store, a feed page at a time.
func loadRows(tb testing.TB, rows []intake.Row) *Store {
	tb.Helper()
	s := openTest(tb)
	var page []complaint.Ticket
	for i, r := range rows {
		page = append(page, rowTicket(r))
		if len(page) == benchPage || i == len(rows)-1 {
			if _, err := s.Apply(context.Background(), page, nil, int64(i+1)); err != nil {
				tb.Fatal(err)
			}
			page = page[:0]
		}
	}
	return s
}

// oracle is what Search must find among rows, worked out without the
// database: the rows in which every term of query is a plain substring of
// one of the searched fields (ASCII letters folded to lower case), in
// Search's order (newest call first, then higher number), kept to those
// received in [from, to) when those are set.
func oracle(rows []intake.Row, query string, from, to time.Time) []string {
	var terms []string
	for _, t := range strings.Fields(query) {
		if t != "AND" {
			terms = append(terms, asciiLower(t))
		}
	}
	var hits []intake.Row
	for _, r := range rows {
		if !from.IsZero() && r.ReceivedAt.Before(from) || !to.IsZero() && !r.ReceivedAt.Before(to) {
			continue
		}
		fields := []string{r.Number, r.Title, r.Content, r.Caller, r.Phone, r.Address, r.Category, r.Reply}
		all := true
		for _, t := range terms {
			if !slices.ContainsFunc(fields, func(f string) bool { return strings.Contains(asciiLower(f), t) }) {
				all = false
				break
			}
		}
		if all {
			hits = append(hits, r)
		}
	}
	slices.SortFunc(hits, func(a, b intake.Row) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Number, a.Number)
	})
	out := []string{}
	for _, r := range hits {
		out = append(out, r.Number)
	}
	return out
}

// asciiLower folds A-Z only, as SQLite's lower() and the trigram index do
// for the text a query can name; Chinese has no case.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func sorted(ss []string) []string {
	ss = slices.Clone(ss)
	slices.Sort(ss)
	return ss
}

// Search on the 2,816 real messages of 附件4.xlsx: each query's hits are
// exactly what a plain substring scan of the spreadsheet finds, and the hit
// sets, checked by hand against the file, are pinned so that a change in
// either the search or the reading shows.
func TestSearchRealData(t *testing.T) {
	rows := readReal(t, "附件4.xlsx")
	if len(rows) != 2816 {
		t.Fatalf("附件4.xlsx gave %d rows, want 2816", len(rows))
	}
	s := loadRows(t, rows)
	ctx := context.Background()

	// The phone number is taken from the file rather than written here:
	// the office number that 139540's reply gives.
	var phone string
	for _, r := range rows {
		if r.Number == "139540" {
			phone = regexp.MustCompile(`0738-\d{7,8}`).FindString(r.Reply)
		}
	}
	if phone == "" {
		t.Fatal("no 0738- number in the reply of 139540")
	}
	china := complaint.China
	dec2018 := time.Date(2018, 12, 1, 0, 0, 0, 0, china)
	jan2019 := time.Date(2019, 1, 1, 0, 0, 0, 0, china)

	tests := []struct {
		name     string
		query    string
		from, to time.Time
		size     int
		want     []string // ascending; nil when the set is too big to list
	}{
		{"one character", "鹤", time.Time{}, time.Time{}, 9,
			[]string{"120479", "12415", "24199", "35585", "3747", "7857", "82049", "85080", "8890"}},
		{"two characters", "井盖", time.Time{}, time.Time{}, 8,
			[]string{"12458", "27485", "27516", "29743", "29922", "37638", "4178", "6113"}},
		{"three characters", "梅溪湖", time.Time{}, time.Time{}, 18,
			[]string{"10024", "17841", "17928", "20033", "27049", "3733", "3848", "4015", "4295", "4504", "4840", "4969", "6294", "7857", "7858", "8431", "9098", "9724"}},
		{"four characters", "黄花机场", time.Time{}, time.Time{}, 6,
			[]string{"18288", "19426", "3980", "4425", "5123", "7657"}},
		{"ticket number", "2549", time.Time{}, time.Time{}, 4,
			[]string{"169546", "2549", "25493", "25498"}},
		{"phone number", phone, time.Time{}, time.Time{}, 4,
			[]string{"139400", "139540", "139551", "140021"}},
		{"two terms", "物业 噪音", time.Time{}, time.Time{}, 26, nil},
		{"short and long terms", "梅溪湖 噪音", time.Time{}, time.Time{}, 0, []string{}},
		{"terms with AND", "黄花机场 AND 噪音", time.Time{}, time.Time{}, 1, []string{"19426"}},
		{"a month", "物业", dec2018, jan2019, 10,
			[]string{"116375", "23070", "3848", "3877", "3910", "3913", "3944", "3954", "74606", "88388"}},
		{"non-BMP", "𠮷", time.Time{}, time.Time{}, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(ctx, tt.query, Filter{From: tt.from, To: tt.to})
			if err != nil {
				t.Fatal(err)
			}
			want := oracle(rows, tt.query, tt.from, tt.to)
			if !slices.Equal(numbers(got), want) {
				t.Errorf("Search(%q) = %v\nthe spreadsheet has %v", tt.name, numbers(got), want)
			}
			if len(want) != tt.size {
				t.Errorf("the spreadsheet has %d hits for %s, pinned %d", len(want), tt.name, tt.size)
			}
			if tt.want != nil && !slices.Equal(sorted(numbers(got)), tt.want) {
				t.Errorf("Search(%s) = %v, pinned %v", tt.name, sorted(numbers(got)), tt.want)
			}
		})
	}

	// A limit keeps the first of the same list, whichever way the query
	// is run (a common word walks the list's order instead).
	for _, q := range []string{"的", "路", "物业", "问题", "鹤", "物业 噪音", "黄花机场"} {
		all, err := s.Search(ctx, q, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1, 5, 50} {
			got, err := s.Search(ctx, q, Filter{Limit: limit})
			if want := numbers(all)[:min(limit, len(all))]; err != nil || !slices.Equal(numbers(got), want) {
				t.Errorf("Search(%q, limit %d) = %v, %v; want %v", q, limit, numbers(got), err, want)
			}
		}
	}

	// The same with conditions, which the newest-first window of a common
	// word must apply too.
	to := time.Date(2019, 6, 1, 0, 0, 0, 0, complaint.China)
	for _, q := range []string{"的", "问题"} {
		f := Filter{To: to}
		all, err := s.Search(ctx, q, f)
		if err != nil || len(all) < 100 {
			t.Fatalf("Search(%q, before June 2019): %d, %v", q, len(all), err)
		}
		f.Limit = 5
		got, err := s.Search(ctx, q, f)
		if want := numbers(all)[:5]; err != nil || !slices.Equal(numbers(got), want) {
			t.Errorf("Search(%q, before June 2019, limit 5) = %v, %v; want %v", q, numbers(got), err, want)
		}
	}

	// The ticket number as a condition: that number and the longer ones
	// it begins, not those it is inside of.
	for _, c := range []struct {
		number string
		want   []string
	}{
		{"2549", []string{"2549", "25493", "25498"}},
		{"25493", []string{"25493"}},
		{"2549 ", []string{}},
	} {
		got, err := s.Tickets(ctx, Filter{Number: c.number})
		if err != nil || !slices.Equal(sorted(numbers(got)), c.want) {
			t.Errorf("Tickets(Number %q) = %v, %v; want %v", c.number, numbers(got), err, c.want)
		}
	}
	if n, err := s.Count(ctx, Filter{From: dec2018, To: jan2019}); err != nil || n != len(oracle(rows, "", dec2018, jan2019)) || n != 112 {
		t.Errorf("Count(December 2018) = %d, %v; the spreadsheet has %d, pinned 112", n, err, len(oracle(rows, "", dec2018, jan2019)))
	}

	// A character outside the BMP is one character: 机场𠮷 (three) goes
	// through the trigram index, 场𠮷 (two) and 𠮷 alone through instr,
	// and 吉 does not find 𠮷 nor 𠮷 吉.
	extra := complaint.Ticket{Number: "X1", Title: "黄花机场𠮷姓旅客投诉", Content: "来电人吉先生", Unit: "U01",
		State: complaint.Dispatched, Version: 1, ReceivedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := s.Apply(ctx, []complaint.Ticket{extra}, nil, 9999); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"𠮷", []string{"X1"}},
		{"场𠮷", []string{"X1"}},
		{"机场𠮷", []string{"X1"}},
		{"黄花机场𠮷姓", []string{"X1"}},
		{"𠮷 吉先生", []string{"X1"}},
		{"吉𠮷", []string{}},
		{"黄花机场", []string{"18288", "19426", "3980", "4425", "5123", "7657", "X1"}},
	} {
		got, err := s.Search(ctx, c.query, Filter{})
		if err != nil || !slices.Equal(sorted(numbers(got)), c.want) {
			t.Errorf("Search(%q) with X1 = %v, %v; want %v", c.query, sorted(numbers(got)), err, c.want)
		}
	}
}

// The category condition on the real file that has categories (e2.xlsx:
// 495 messages in 7 first-level labels, one number given twice, so 494
// tickets): exact, with and without a query.
func TestSearchRealCategories(t *testing.T) {
	rows := readReal(t, "e2.xlsx")
	s := loadRows(t, rows)
	ctx := context.Background()
	count := map[string]int{}
	for _, r := range rows {
		count[r.Category]++
	}
	want := map[string]int{"城乡建设": 101, "环境保护": 33, "交通运输": 55, "教育文体": 96, "劳动和社会保障": 103, "商贸旅游": 48, "卫生计生": 58}
	if len(rows) != 494 || !maps(count, want) {
		t.Fatalf("e2.xlsx: %d rows, categories %v; want 494 in %v", len(rows), count, want)
	}
	for cat, n := range want {
		got, err := s.Count(ctx, Filter{Category: cat})
		if err != nil || got != n {
			t.Errorf("Count(Category %s) = %d, %v; want %d", cat, got, err, n)
		}
	}
	if got, err := s.Count(ctx, Filter{Category: "城乡"}); err != nil || got != 0 {
		t.Errorf("Count(Category 城乡) = %d, %v; want 0: the category is matched whole", got, err)
	}
	var inCat []intake.Row
	for _, r := range rows {
		if r.Category == "交通运输" {
			inCat = append(inCat, r)
		}
	}
	got, err := s.Search(ctx, "出租车", Filter{Category: "交通运输"})
	want15 := []string{"12128", "122315", "124938", "125477", "13066", "131094", "148078", "15041", "15070", "15471", "167723", "184780", "38049", "42506", "45646"}
	if want := oracle(inCat, "出租车", time.Time{}, time.Time{}); err != nil || !slices.Equal(numbers(got), want) || !slices.Equal(sorted(want), want15) {
		t.Errorf("Search(出租车, 交通运输) = %v, %v; the spreadsheet has %v, pinned %v", numbers(got), err, want, want15)
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The search conditions, each alone and with a query, in Tickets, Count
// and Search alike.
func TestSearchFilters(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, cst)
	s.now = func() time.Time { return now }
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, cst) }
	mk := func(number string, state complaint.State, received time.Time, phone, category string, due time.Time) complaint.Ticket {
		t := smallTicket(number, state, 1, received)
		t.Phone, t.Category, t.Due = phone, category, due
		t.Content = "停电 " + number
		return t
	}
	page := []complaint.Ticket{
		mk("202611010001", complaint.Signed, day(1, 0), "0571-8888 1234", "供电服务", now.Add(-time.Hour)), // overdue
		mk("202611010002", complaint.Assigned, day(1, 9), "(0571)88881235", "供电服务", now),               // due now: overdue
		mk("202611150001", complaint.Replied, day(15, 23), "138 0000 0000", "供电服务/停电", now.Add(time.Minute)),
		mk("202611300001", complaint.FedBack, day(30, 23), "13800000000", "电费", now.Add(-48*time.Hour)), // not open
		mk("202612010001", complaint.Dispatched, day(30, 24), "", "", time.Time{}),                      // nothing due
		mk("20261101", complaint.Dispatched, day(1, 1), "88881234", "供电服务", time.Time{}),
	}
	if _, err := s.Apply(ctx, page, nil, 1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		query string
		f     Filter
		want  []string // ascending
	}{
		{"number exact", "", Filter{Number: "202611150001"}, []string{"202611150001"}},
		{"number prefix", "", Filter{Number: "20261101"}, []string{"20261101", "202611010001", "202611010002"}},
		{"number is not a substring", "", Filter{Number: "1101"}, []string{}},
		{"phone digits", "", Filter{Phone: "88881234"}, []string{"20261101", "202611010001"}},
		{"phone with separators", "", Filter{Phone: "0571-88881234"}, []string{"202611010001"}},
		{"phone spaced", "", Filter{Phone: "138 0000 0000"}, []string{"202611150001", "202611300001"}},
		{"phone part", "", Filter{Phone: "1235"}, []string{"202611010002"}},
		{"from is inclusive", "", Filter{From: day(15, 23)}, []string{"202611150001", "202611300001", "202612010001"}},
		{"to is exclusive", "", Filter{To: day(15, 23)}, []string{"20261101", "202611010001", "202611010002"}},
		{"a day", "", Filter{From: day(30, 0), To: day(31, 0)}, []string{"202611300001"}},
		{"category exact", "", Filter{Category: "供电服务"}, []string{"20261101", "202611010001", "202611010002"}},
		{"overdue at the store's clock", "", Filter{Overdue: true}, []string{"202611010001", "202611010002"}},
		{"overdue at Now", "", Filter{Overdue: true, Now: now.Add(time.Hour)}, []string{"202611010001", "202611010002", "202611150001"}},
		{"overdue earlier", "", Filter{Overdue: true, Now: now.Add(-time.Minute)}, []string{"202611010001"}},
		{"query and conditions", "停电", Filter{Category: "供电服务", Phone: "1234"}, []string{"20261101", "202611010001"}},
		{"query and number", "0002", Filter{Number: "2026110100"}, []string{"202611010002"}},
		{"everything", "停电", Filter{Number: "2026", Phone: "0571", From: day(1, 0), To: day(2, 0), Category: "供电服务",
			Overdue: true, States: []complaint.State{complaint.Signed}}, []string{"202611010001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []complaint.Ticket
			var err error
			if tt.query == "" {
				got, err = s.Tickets(ctx, tt.f)
				if n, cerr := s.Count(ctx, tt.f); cerr != nil || n != len(tt.want) {
					t.Errorf("Count = %d, %v; want %d", n, cerr, len(tt.want))
				}
			} else {
				got, err = s.Search(ctx, tt.query, tt.f)
			}
			if err != nil || !slices.Equal(sorted(numbers(got)), tt.want) {
				t.Errorf("got %v, %v; want %v", sorted(numbers(got)), err, tt.want)
			}
		})
	}
	for _, p := range []string{"0571-8888x", "+86 138", "--"} {
		if _, err := s.Tickets(ctx, Filter{Phone: p}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("phone %q", p)) {
			t.Errorf("Tickets(Phone %q) = %v; want an error naming the phone", p, err)
		}
		if _, err := s.Search(ctx, "停电", Filter{Phone: p}); err == nil {
			t.Errorf("Search(Phone %q) succeeded", p)
		}
	}
}

// BenchmarkSearch100k searches a cache of 100,000 tickets made of the real
// messages, each repeated under new numbers, so that words are as frequent
// and as rare as in real text (鹤 is in about 320 tickets, 井盖 in 285,
// 黄花机场 in 213), with and without a limit of 100.
func BenchmarkSearch100k(b *testing.B) {
	rows := readReal(b, "附件4.xlsx")
	const n = 100_000
	var all []intake.Row
	for i := 0; len(all) < n; i++ {
		r := rows[i%len(rows)]
		r.Number = fmt.Sprintf("%s-%02d", r.Number, i/len(rows))
		all = append(all, r)
	}
	start := time.Now()
	s := loadRows(b, all)
	b.Logf("cached %d tickets in %s", n, time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	for _, q := range []struct{ name, query string }{
		{"1char", "鹤"}, {"2char", "井盖"}, {"4char", "黄花机场"}, {"1char-common", "路"}, {"2char-common", "物业"},
	} {
		for _, limit := range []int{0, 100} {
			b.Run(fmt.Sprintf("%s/limit%d", q.name, limit), func(b *testing.B) {
				var hits int
				var took []time.Duration
				for b.Loop() {
					start := time.Now()
					ts, err := s.Search(ctx, q.query, Filter{Limit: limit})
					if err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
					hits = len(ts)
				}
				slices.Sort(took)
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
				b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
				b.ReportMetric(ms(took[(len(took)*95+99)/100-1]), "p95-ms")
				b.ReportMetric(float64(hits), "hits")
			})
		}
	}
}

// Short terms are found as neighbouring characters of one field: not
// across white space, not from the end of one field into the next.
func TestSearchShortTermsStayInAField(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	r := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	mk := func(number, title, content string) complaint.Ticket {
		t := smallTicket(number, complaint.Signed, 1, r)
		t.Title, t.Content = title, content
		return t
	}
	page := []complaint.Ticket{
		mk("S1", "小区物", "业主反映"),        // 物 | 业: two fields
		mk("S2", "标题", "物 业\n费"),       // a space between
		mk("S3", "标题", "物\u3000业"),     // an ideographic space
		mk("S4", "标题", "物业"),           // the one that has it
		mk("S5", "WATER", "Ab𠮷c"),      // ASCII case, a non-BMP neighbour
		mk("S6", "标题", "Ab 𠮷"),         // not neighbours
		mk("S7", "标题", `引号"物"字 * AND`), // FTS5 syntax inside the text
	}
	if _, err := s.Apply(ctx, page, nil, 1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"物业", []string{"S4"}},
		{"物", []string{"S1", "S2", "S3", "S4", "S7"}},
		{"业", []string{"S1", "S2", "S3", "S4"}},
		{"区物", []string{"S1"}},
		{"wa", []string{"S5"}},
		{"TE", []string{"S5"}},
		{"b𠮷", []string{"S5"}},
		{"B𠮷C", []string{"S5"}},
		{"𠮷", []string{"S5", "S6"}},
		{`"物`, []string{"S7"}},
		{`"物"`, []string{"S7"}},
		{"*", []string{"S7"}},
		{"*物", []string{}},
		{"AND", []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7"}}, // a bare AND is no term
		{"an", []string{"S7"}},
	} {
		got, err := s.Search(ctx, c.query, Filter{})
		if err != nil || !slices.Equal(sorted(numbers(got)), c.want) {
			t.Errorf("Search(%q) = %v, %v; want %v", c.query, sorted(numbers(got)), err, c.want)
		}
	}
}
