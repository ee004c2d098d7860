package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/complaint"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var cst = time.FixedZone("CST", 8*3600)

// fullTicket has every field set, with text that trips up byte- and
// BMP-minded code.
func fullTicket(number string, version int64) complaint.Ticket {
	base := time.Date(2024, 3, 15, 1, 2, 3, 123456789, time.UTC)
	return complaint.Ticket{
		Number:       number,
		Title:        "“物业费”收费不合理",
		Content:      "来电人吉𠮷反映：小区物业费收费不合理，业主投诉多次未处理。\n请核实“公摊”费用。",
		Caller:       "吉𠮷",
		Phone:        "057188889999",
		Address:      "杭州市西湖区文三路 1 号",
		Category:     "城乡建设/物业管理",
		ReceivedAt:   base,
		DispatchedAt: base.Add(15 * time.Minute),
		Deadline:     base.Add(96 * time.Hour),
		Unit:         "U01",
		Subunit:      "U01-03",
		Handler:      "wang",
		State:        complaint.FedBack,
		Contact: &complaint.Contact{
			At:     base.Add(3 * time.Hour),
			How:    "电话",
			Result: "吉𠮷同意次日上门核实“公摊”面积",
			By:     "wang",
		},
		Reply: &complaint.Reply{
			Text:           "经核实，已与物业公司沟通，“公摊”费用按规定退还。",
			Findings:       "物业公司多收公摊费",
			Explanation:    "已向吉𠮷解释政策，来电人表示理解",
			Measures:       "责令退还",
			Basis:          "《物业管理条例》第四十一条",
			CitizenOpinion: "满意",
			By:             "wang",
			At:             base.Add(48 * time.Hour),
		},
		Review: &complaint.Review{
			Approved: true,
			Criteria: []int{2, 5},
			Note:     "“客户意见”请写吉𠮷本人的原话",
			By:       "zhang",
			At:       base.Add(47 * time.Hour),
		},
		Return: &complaint.ReturnRequest{
			Reason: "非本单位职责，应由“住建局”办理",
			From:   complaint.Signed,
			By:     "li",
			At:     base.Add(time.Hour),
		},
		Extension: &complaint.Extension{
			Days:     3,
			Reason:   "需等待第三方检测𠮷报告",
			By:       "li",
			At:       base.Add(26 * time.Hour),
			Decided:  true,
			Granted:  true,
			Deadline: base.Add(168 * time.Hour),
			Note:     "同意延期至“下周五”",
		},
		Attachments: []complaint.Attachment{{
			ID: "0190c0de-0000-7000-8000-0000000000a1", Name: "现场照片（1）𠮷.jpg", Type: "image/jpeg", Size: 1234567,
			SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Part: complaint.PartRecording,
			Duration: 4310 * time.Millisecond, By: "wang", At: base.Add(50 * time.Hour),
		}},
		Satisfaction: complaint.FairlySatisfied,
		Reopens:      1,
		Urges:        2,
		Supervised:   true,
		Step:         complaint.StepReply,
		StepStart:    base.Add(time.Hour),
		Due:          base.Add(97 * time.Hour),
		DueNote:      "2027 年的节假日安排尚未公布，按周一至周五计算",
		Version:      version,
		UpdatedAt:    base.Add(49 * time.Hour),
		Events: []complaint.Event{
			{ID: 11, Kind: complaint.KindDispatch, Actor: "center", Unit: "C", At: base.Add(15 * time.Minute), To: complaint.Dispatched, Text: "请按时办理",
				Fields: map[string]string{"unit": "U01"}},
			{ID: 12, Kind: complaint.KindSign, Actor: "li", Unit: "U01", At: base.Add(20 * time.Minute), From: complaint.Dispatched, To: complaint.Signed, Action: "0190c0de-0000-7000-8000-000000000001"},
			{ID: 13, Kind: complaint.KindReject, Actor: "zhang", Unit: "U01", At: base.Add(40 * time.Hour), From: complaint.Replied, To: complaint.Rejected, Text: "缺少依据",
				Fields: map[string]string{"criteria": "4,5", "说明": "吉𠮷“原话”"}},
			{ID: 14, Kind: complaint.KindReply, Actor: "wang", Unit: "U01", At: base.Add(48 * time.Hour), From: complaint.Signed, To: complaint.FedBack, Text: "经核实，已与物业公司沟通，“公摊”费用按规定退还。",
				Fields: map[string]string{}},
		},
	}
}

// smallTicket is a ticket with only what lists need.
func smallTicket(number string, state complaint.State, version int64, received time.Time) complaint.Ticket {
	return complaint.Ticket{Number: number, Title: "工单" + number, Content: "内容", Unit: "U01",
		State: state, Version: version, ReceivedAt: received, UpdatedAt: received}
}

func numbers(ts []complaint.Ticket) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return out
}

// Case 1: the settings hold on every pooled connection, not just one.
func TestPragmasOnEveryConnection(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var held []*sql.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 4 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"busy_timeout", "10000"},
		{"foreign_keys", "1"},
		{"journal_mode", "wal"},
		{"synchronous", "2"},
	}
	for i, c := range held {
		for _, tt := range tests {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, tt.pragma, got, tt.want)
			}
		}
	}
}

// Case 2: the sync writer and outbox writes, each a read-then-write
// transaction, run concurrently and never see "database is locked".
func TestConcurrentWritersNeverLocked(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const syncers, officers, rounds = 2, 3, 25
	received := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, (syncers+officers)*rounds*3)
	for g := range syncers {
		wg.Go(func() {
			for r := range rounds {
				var page []complaint.Ticket
				for i := range 20 {
					// Both syncers write the same tickets at rising versions:
					// every Apply reads the cached version before writing.
					page = append(page, smallTicket(fmt.Sprintf("T%03d", i), complaint.Signed, int64(r), received))
				}
				if _, err := s.Apply(ctx, page, nil, int64(g*1000+r)); err != nil {
					errs <- err
				}
			}
		})
	}
	for g := range officers {
		wg.Go(func() {
			for r := range rounds {
				a, err := s.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: fmt.Sprintf("T%03d", r%20), BaseVersion: 1, Text: fmt.Sprintf("签收 %d-%d", g, r)})
				if err != nil {
					errs <- err
					continue
				}
				if err := s.MarkAttempt(ctx, a.ID, "connection refused"); err != nil {
					errs <- err
				}
				if err := s.SaveDraft(ctx, a.Ticket, "reply", "草稿"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	if n, err := s.PendingCount(ctx); err != nil || n != officers*rounds {
		t.Errorf("PendingCount = %d, %v; want %d", n, err, officers*rounds)
	}
	if n, err := s.Count(ctx, Filter{}); err != nil || n != 20 {
		t.Errorf("Count = %d, %v; want 20", n, err)
	}
}

// Case 4: instants in different zones are stored so that they sort in time
// order, work with SQLite's date functions and read back equal.
func TestTimesSortAndReadBack(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	utc := time.Date(2024, 3, 15, 1, 0, 0, 0, time.UTC)  // 01:00Z
	shanghai := time.Date(2024, 3, 15, 8, 30, 0, 0, cst) // 08:30+08:00 = 00:30Z, the earlier one
	later := time.Date(2024, 3, 15, 9, 15, 0, 500, cst)  // 01:15:00.0000005Z
	in := []complaint.Ticket{
		smallTicket("A-UTC", complaint.Dispatched, 1, utc),
		smallTicket("B-CST", complaint.Dispatched, 1, shanghai),
		smallTicket("C-CST", complaint.Dispatched, 1, later),
	}
	if _, err := s.Apply(ctx, in, nil, 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Tickets(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"C-CST", "A-UTC", "B-CST"}; !slices.Equal(numbers(got), want) {
		t.Fatalf("received desc order = %v, want %v", numbers(got), want)
	}
	want := map[string]time.Time{"A-UTC": utc, "B-CST": shanghai, "C-CST": later}
	for _, tk := range got {
		if !tk.ReceivedAt.Equal(want[tk.Number]) {
			t.Errorf("%s received %v, want %v", tk.Number, tk.ReceivedAt, want[tk.Number])
		}
	}
	rows := []struct {
		number, text, datetime string
	}{
		{"A-UTC", "2024-03-15T01:00:00.000000000Z", "2024-03-15 01:00:00"},
		{"B-CST", "2024-03-15T00:30:00.000000000Z", "2024-03-15 00:30:00"},
		{"C-CST", "2024-03-15T01:15:00.000000500Z", "2024-03-15 01:15:00"},
	}
	for _, r := range rows {
		var text, dt string
		if err := s.db.QueryRowContext(ctx, `SELECT received_at, datetime(received_at) FROM tickets WHERE number = ?`, r.number).Scan(&text, &dt); err != nil {
			t.Fatal(err)
		}
		if text != r.text || dt != r.datetime {
			t.Errorf("%s stored %q, datetime() %q; want %q, %q", r.number, text, dt, r.text, r.datetime)
		}
	}
	var first string
	if err := s.db.QueryRowContext(ctx, `SELECT number FROM tickets ORDER BY received_at LIMIT 1`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if first != "B-CST" {
		t.Errorf("earliest by text order = %s, want B-CST", first)
	}
}

func TestTicketRoundTrip(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	withReply := fullTicket("20240315-0001", 7)
	noReply := fullTicket("20240315-0002", 1)
	noReply.Reply = nil
	noReply.Deadline = time.Time{}
	noReply.Events = nil
	noReply.State = complaint.Dispatched
	for _, want := range []complaint.Ticket{withReply, noReply} {
		t.Run(want.Number, func(t *testing.T) {
			if _, err := s.Apply(ctx, []complaint.Ticket{want}, nil, 5); err != nil {
				t.Fatal(err)
			}
			got, err := s.Ticket(ctx, want.Number)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, want)
			}
			list, err := s.Tickets(ctx, Filter{States: []complaint.State{want.State}})
			if err != nil {
				t.Fatal(err)
			}
			wantList := want
			wantList.Events = nil
			if len(list) != 1 || !reflect.DeepEqual(list[0], wantList) {
				t.Errorf("list = %+v, want [%+v]", list, wantList)
			}
		})
	}
}

func TestTicketEventsInTimeOrder(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	tk := fullTicket("T1", 1)
	tk.Events[0], tk.Events[3] = tk.Events[3], tk.Events[0]
	if err := s.PutTicket(ctx, tk); err != nil {
		t.Fatal(err)
	}
	got, err := s.Ticket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, e := range got.Events {
		ids = append(ids, e.ID)
	}
	if want := []int64{11, 12, 13, 14}; !slices.Equal(ids, want) {
		t.Errorf("event order = %v, want %v", ids, want)
	}
}

func TestTicketNotFound(t *testing.T) {
	s := openTest(t)
	if _, err := s.Ticket(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Ticket(nope) error = %v, want ErrNotFound", err)
	}
}

func TestVersionRule(t *testing.T) {
	tests := []struct {
		name        string
		incoming    int64
		wantApplied Applied
		wantTitle   string
		wantVersion int64
	}{
		{"older is ignored", 2, Applied{}, "缓存", 3},
		{"same is rewritten, not counted", 3, Applied{}, "新标题", 3},
		{"newer replaces", 4, Applied{Updated: 1}, "新标题", 4},
	}
	for _, tt := range tests {
		for _, via := range []string{"Apply", "PutTicket"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				s := openTest(t)
				ctx := context.Background()
				cached := fullTicket("T1", 3)
				cached.Title = "缓存"
				if _, err := s.Apply(ctx, []complaint.Ticket{cached}, nil, 10); err != nil {
					t.Fatal(err)
				}
				in := fullTicket("T1", tt.incoming)
				in.Title = "新标题"
				in.Events = in.Events[:1]
				if via == "Apply" {
					a, err := s.Apply(ctx, []complaint.Ticket{in}, nil, 11)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(a, tt.wantApplied) {
						t.Errorf("Applied = %+v, want %+v", a, tt.wantApplied)
					}
				} else if err := s.PutTicket(ctx, in); err != nil {
					t.Fatal(err)
				}
				got, err := s.Ticket(ctx, "T1")
				if err != nil {
					t.Fatal(err)
				}
				wantEvents := 4
				if tt.wantTitle == "新标题" {
					wantEvents = 1
				}
				if got.Title != tt.wantTitle || got.Version != tt.wantVersion || len(got.Events) != wantEvents {
					t.Errorf("cached = %q v%d with %d events, want %q v%d with %d events",
						got.Title, got.Version, len(got.Events), tt.wantTitle, tt.wantVersion, wantEvents)
				}
				wantCursor := int64(11)
				if via == "PutTicket" {
					wantCursor = 10
				}
				if c, err := s.Cursor(ctx); err != nil || c != wantCursor {
					t.Errorf("Cursor = %d, %v; want %d", c, err, wantCursor)
				}
			})
		}
	}
}

func TestApplyCounts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	r := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	if _, err := s.Apply(ctx, []complaint.Ticket{
		smallTicket("A", complaint.Signed, 1, r),
		smallTicket("B", complaint.Signed, 1, r),
		smallTicket("C", complaint.Signed, 1, r),
	}, nil, 3); err != nil {
		t.Fatal(err)
	}
	a, err := s.Apply(ctx, []complaint.Ticket{
		smallTicket("D", complaint.Dispatched, 1, r),
		smallTicket("A", complaint.Assigned, 2, r),
		smallTicket("E", complaint.Dispatched, 1, r),
	}, []string{"B", "X-never-cached"}, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := Applied{New: 2, Updated: 1, Removed: 1, NewNumbers: []string{"D", "E"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Applied = %+v, want %+v", a, want)
	}
	all, err := s.Tickets(ctx, Filter{Order: OrderNumber})
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"A", "C", "D", "E"}; !slices.Equal(numbers(all), w) {
		t.Errorf("cached = %v, want %v", numbers(all), w)
	}
	var events int
	if err := s.db.QueryRow(`SELECT count(*) FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id WHERE t.id IS NULL`).Scan(&events); err != nil || events != 0 {
		t.Errorf("orphan events = %d, %v; want 0", events, err)
	}
	if c, _ := s.Cursor(ctx); c != 7 {
		t.Errorf("Cursor = %d, want 7", c)
	}
}

// The cursor moves only with the rows it stands for: an Apply that fails
// part-way leaves both the rows and the cursor as they were.
func TestApplyFailureKeepsCursorAndRows(t *testing.T) {
	r := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		page []complaint.Ticket
		ctx  func() context.Context
	}{
		{
			name: "bad row after good ones",
			page: []complaint.Ticket{
				smallTicket("NEW", complaint.Dispatched, 1, r),
				smallTicket("OLD", complaint.Closed, 2, r),
				smallTicket("", complaint.Dispatched, 1, r), // rejected by the schema
			},
			ctx: context.Background,
		},
		{
			name: "cancelled",
			page: []complaint.Ticket{smallTicket("NEW", complaint.Dispatched, 1, r), smallTicket("OLD", complaint.Closed, 2, r)},
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			ctx := context.Background()
			if _, err := s.Apply(ctx, []complaint.Ticket{smallTicket("OLD", complaint.Signed, 1, r)}, nil, 10); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Apply(tt.ctx(), tt.page, []string{"OLD"}, 20); err == nil {
				t.Fatal("Apply succeeded, want an error")
			}
			if c, err := s.Cursor(ctx); err != nil || c != 10 {
				t.Errorf("Cursor = %d, %v; want 10", c, err)
			}
			if _, err := s.Ticket(ctx, "NEW"); !errors.Is(err, ErrNotFound) {
				t.Errorf("NEW after failed Apply: %v, want ErrNotFound", err)
			}
			old, err := s.Ticket(ctx, "OLD")
			if err != nil || old.State != complaint.Signed || old.Version != 1 {
				t.Errorf("OLD after failed Apply = %s v%d, %v; want signed v1", old.State, old.Version, err)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 9, 0, 0, 0, cst) }
	page := []complaint.Ticket{
		smallTicket("D1", complaint.Dispatched, 1, day(1)),
		smallTicket("S2", complaint.Signed, 1, day(2)),
		smallTicket("F3", complaint.FedBack, 1, day(3)),
		smallTicket("C4", complaint.Closed, 1, day(4)),
		smallTicket("R5", complaint.Replied, 1, day(5)),
		smallTicket("X6", complaint.Returned, 1, day(6)),
	}
	page[0].Deadline = day(9)
	page[1].Deadline = day(7)
	page[4].UpdatedAt = day(10)
	if _, err := s.Apply(ctx, page, nil, 1); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"all, newest first", Filter{}, []string{"X6", "R5", "C4", "F3", "S2", "D1"}},
		{"open", Filter{Open: &yes}, []string{"R5", "S2", "D1"}},
		{"not open", Filter{Open: &no}, []string{"X6", "C4", "F3"}},
		{"states", Filter{States: []complaint.State{complaint.Signed, complaint.Closed}}, []string{"C4", "S2"}},
		{"open and states", Filter{Open: &yes, States: []complaint.State{complaint.Signed, complaint.Closed}}, []string{"S2"}},
		{"limit", Filter{Open: &yes, Limit: 2}, []string{"R5", "S2"}},
		{"deadline order", Filter{Open: &yes, Order: OrderDeadline}, []string{"S2", "D1", "R5"}},
		{"updated order", Filter{Open: &yes, Order: OrderUpdated}, []string{"R5", "S2", "D1"}},
		{"number order", Filter{Order: OrderNumber}, []string{"C4", "D1", "F3", "R5", "S2", "X6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Tickets(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(got), tt.want) {
				t.Errorf("Tickets = %v, want %v", numbers(got), tt.want)
			}
			wantCount := len(tt.want)
			if tt.f.Limit > 0 {
				wantCount = 3
			}
			if n, err := s.Count(ctx, tt.f); err != nil || n != wantCount {
				t.Errorf("Count = %d, %v; want %d", n, err, wantCount)
			}
		})
	}
	if _, err := s.Tickets(ctx, Filter{Order: "title"}); err == nil {
		t.Error("Tickets with an unknown order succeeded")
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, []complaint.Ticket{fullTicket("T1", 2)}, nil, 42); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
		t.Errorf("schema version = %d, %v; want %d", v, err, len(migrations))
	}
	if c, _ := s.Cursor(ctx); c != 42 {
		t.Errorf("Cursor after reopen = %d, want 42", c)
	}
	if got, err := s.Ticket(ctx, "T1"); err != nil || !reflect.DeepEqual(got, fullTicket("T1", 2)) {
		t.Errorf("ticket after reopen = %+v, %v", got, err)
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", "/tmp/a?b.db"} {
		if s, err := Open(p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestKeyValueAndDrafts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if v, err := s.Get(ctx, KeySession); err != nil || v != "" {
		t.Errorf("Get missing = %q, %v; want empty", v, err)
	}
	session := `{"user":{"login":"li","name":"李𠮷"},"unit":{"code":"U01"}}`
	for _, v := range []string{"first", session} {
		if err := s.Set(ctx, KeySession, v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.Get(ctx, KeySession); err != nil || v != session {
		t.Errorf("Get = %q, %v; want %q", v, err, session)
	}

	text := "经核实，“公摊”费用已退还吉𠮷。\n第二行"
	if err := s.SaveDraft(ctx, "T1", "reply.text", "经"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, "T1", "reply.text", text); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, "T1", "reply.basis", "条例"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Draft(ctx, "T1", "reply.text"); err != nil || v != text {
		t.Errorf("Draft = %q, %v; want %q", v, err, text)
	}
	if err := s.DeleteDraft(ctx, "T1", "reply.text"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Draft(ctx, "T1", "reply.text"); err != nil || v != "" {
		t.Errorf("Draft after delete = %q, %v; want empty", v, err)
	}
	if v, err := s.Draft(ctx, "T1", "reply.basis"); err != nil || v != "条例" {
		t.Errorf("other field's draft = %q, %v; want 条例", v, err)
	}
}

func TestSearchChinese(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	r := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	rows := []struct{ number, content string }{
		{"R1", "小区物业费收费不合理，业主投诉多次未处理"},
		{"R2", "夜间施工噪音扰民"},
		{"R3", "物业费太高，夜间也有噪音"},
		{"R4", "供电故障，来电人吉𠮷"},
		{"R5", "Water pipe burst 水管爆裂"},
	}
	var page []complaint.Ticket
	for i, row := range rows {
		tk := smallTicket(row.number, complaint.Signed, 1, r.Add(time.Duration(i)*time.Hour))
		tk.Title = ""
		tk.Content = row.content
		page = append(page, tk)
	}
	if _, err := s.Apply(ctx, page, nil, 1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"物业", []string{"R3", "R1"}},
		{"物", []string{"R3", "R1"}},
		{"物业费", []string{"R3", "R1"}},
		{"夜间", []string{"R3", "R2"}},
		{"物业费 夜间", []string{"R3"}},
		{"物业费 AND 投诉", []string{"R1"}},
		{"投诉 物业费", []string{"R1"}},
		{"物业费收费", []string{"R1"}},
		{"噪音 夜间 物业", []string{"R3"}},
		{"𠮷", []string{"R4"}},
		{"吉𠮷", []string{"R4"}},
		{"来电人吉𠮷", []string{"R4"}},
		{"water", []string{"R5"}},
		{"PIPE", []string{"R5"}},
		{"R2", []string{"R2"}},
		{"不存在", []string{}},
		{"物业费 供电", []string{}},
		{"", []string{"R5", "R4", "R3", "R2", "R1"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := s.Search(ctx, tt.query, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(got), tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, numbers(got), tt.want)
			}
		})
	}
	// The index follows updates and deletes.
	upd := page[1]
	upd.Version = 2
	upd.Content = "白天施工"
	if _, err := s.Apply(ctx, []complaint.Ticket{upd}, []string{"R3"}, 2); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"夜间施工", "夜间"} {
		if got, err := s.Search(ctx, q, Filter{}); err != nil || len(got) != 0 {
			t.Errorf("Search(%q) after update = %v, %v; want none", q, numbers(got), err)
		}
	}
	if got, err := s.Search(ctx, "白天施工", Filter{}); err != nil || !slices.Equal(numbers(got), []string{"R2"}) {
		t.Errorf("Search(白天施工) after update = %v, %v; want [R2]", numbers(got), err)
	}
}

func TestOutbox(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	clock := time.Date(2024, 3, 15, 9, 0, 0, 0, cst)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	cached := fullTicket("T1", 3)
	cached.State = complaint.Dispatched
	cached.Reply = nil
	if err := s.PutTicket(ctx, cached); err != nil {
		t.Fatal(err)
	}

	reply := &complaint.Reply{Text: "已联系来电人吉𠮷，“公摊”费用已退还。", Basis: "《物业管理条例》"}
	sign, err := s.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: "T1", BaseVersion: 3})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Enqueue(ctx, complaint.Action{Kind: complaint.KindReply, Ticket: "T1", BaseVersion: 3, Reply: reply})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.Enqueue(ctx, complaint.Action{ID: "0190c0de-0000-7000-8000-0000000000aa", Kind: complaint.KindSign, Ticket: "T2", BaseVersion: 1,
		CreatedAt: time.Date(2024, 3, 15, 8, 0, 0, 0, cst)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("enqueue fills id and time", func(t *testing.T) {
		u, err := uuid.Parse(sign.ID)
		if err != nil || u.Version() != 7 {
			t.Errorf("ID %q: version %d, %v; want a UUIDv7", sign.ID, u.Version(), err)
		}
		if want := time.Date(2024, 3, 15, 1, 0, 1, 0, time.UTC); !sign.CreatedAt.Equal(want) || sign.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v, want %v", sign.CreatedAt, want)
		}
		if other.ID != "0190c0de-0000-7000-8000-0000000000aa" || !other.CreatedAt.Equal(time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("given id/time changed: %+v", other)
		}
		again, err := s.Enqueue(ctx, complaint.Action{ID: other.ID, Kind: complaint.KindSign, Ticket: "T2", Text: "重复"})
		if err != nil || !reflect.DeepEqual(again, other) {
			t.Errorf("re-enqueue = %+v, %v; want the stored %+v", again, err, other)
		}
		if _, err := s.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign}); err == nil {
			t.Error("Enqueue without a ticket succeeded")
		}
	})

	t.Run("pending oldest first", func(t *testing.T) {
		p, err := s.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, it := range p {
			ids = append(ids, it.ID)
		}
		if want := []string{sign.ID, rep.ID, other.ID}; !slices.Equal(ids, want) {
			t.Errorf("Pending = %v, want %v", ids, want)
		}
		if !reflect.DeepEqual(p[1].Action, rep) || !reflect.DeepEqual(p[1].Reply, reply) || p[1].Status != StatusPending {
			t.Errorf("pending reply = %+v, want %+v", p[1], rep)
		}
	})

	t.Run("attempt keeps it pending", func(t *testing.T) {
		if err := s.MarkAttempt(ctx, sign.ID, "dial tcp: connection refused"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkAttempt(ctx, sign.ID, "EOF"); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Pending(ctx)
		if p[0].ID != sign.ID || p[0].Attempts != 2 || p[0].LastError != "EOF" || p[0].Status != StatusPending {
			t.Errorf("after attempts = %+v", p[0])
		}
		if err := s.MarkAttempt(ctx, "missing", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("MarkAttempt(missing) = %v, want ErrNotFound", err)
		}
		it, err := s.Item(ctx, sign.ID)
		if err != nil || it.Attempts != 2 || !reflect.DeepEqual(it.Action, sign) {
			t.Errorf("Item = %+v, %v", it, err)
		}
		if _, err := s.Item(ctx, "missing"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Item(missing) = %v, want ErrNotFound", err)
		}
	})

	t.Run("sent stores ticket and rebases the next action", func(t *testing.T) {
		answered := cached
		answered.State = complaint.Signed
		answered.Version = 4
		if err := s.MarkSent(ctx, sign.ID, answered); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Ticket(ctx, "T1")
		if got.State != complaint.Signed || got.Version != 4 {
			t.Errorf("ticket after sent = %s v%d, want signed v4", got.State, got.Version)
		}
		p, _ := s.Pending(ctx)
		if len(p) != 2 || p[0].ID != rep.ID || p[0].BaseVersion != 4 || p[1].BaseVersion != 1 {
			t.Errorf("pending after sent = %+v; want reply rebased to v4, T2 untouched", p)
		}
		if n, _ := s.PendingCount(ctx); n != 2 {
			t.Errorf("PendingCount = %d, want 2", n)
		}
	})

	t.Run("refused keeps text and stores current ticket", func(t *testing.T) {
		current := cached
		current.State = complaint.Returned
		current.Version = 6
		reason := "工单已被他人更新，请核对后重新提交"
		if err := s.MarkRefused(ctx, rep.ID, reason, &current); err != nil {
			t.Fatal(err)
		}
		items, err := s.Outbox(ctx, "T1")
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].ID != rep.ID || items[1].ID != sign.ID {
			t.Fatalf("Outbox(T1) = %+v, want reply then sign", items)
		}
		r := items[0]
		if r.Status != StatusRefused || r.LastError != reason || !reflect.DeepEqual(r.Reply, reply) {
			t.Errorf("refused item = %+v", r)
		}
		if items[1].Status != StatusSent || items[1].Attempts != 2 {
			t.Errorf("sent item = %+v", items[1])
		}
		got, _ := s.Ticket(ctx, "T1")
		if got.State != complaint.Returned || got.Version != 6 {
			t.Errorf("ticket after refusal = %s v%d, want returned v6", got.State, got.Version)
		}
		if err := s.Resend(ctx, sign.ID, 6); err == nil {
			t.Error("Resend of a sent item succeeded")
		}
		unsent, err := s.Unsent(ctx)
		if err != nil || len(unsent) != 2 || unsent[0].ID != rep.ID || unsent[0].Status != StatusRefused || unsent[1].ID != other.ID || unsent[1].Status != StatusPending {
			t.Errorf("Unsent = %+v, %v; want the refused reply, then the pending T2 sign", unsent, err)
		}
	})

	t.Run("resend under a new id", func(t *testing.T) {
		if err := s.Resend(ctx, rep.ID, 6); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Pending(ctx)
		if len(p) != 2 {
			t.Fatalf("pending = %+v", p)
		}
		r := p[0]
		if r.ID == rep.ID || r.Ticket != "T1" || r.BaseVersion != 6 || r.Attempts != 0 || r.LastError != "" ||
			!reflect.DeepEqual(r.Reply, reply) || !r.CreatedAt.Equal(rep.CreatedAt) {
			t.Errorf("resent = %+v", r)
		}
		if err := s.MarkRefused(ctx, r.ID, "请补充处理依据", nil); err != nil {
			t.Fatal(err)
		}
		fixed := &complaint.Reply{Text: "已退还。", Basis: "《物业管理条例》第四十一条"}
		a, err := s.Revise(ctx, r.ID, "补充依据", fixed, 7)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == r.ID || a.Text != "补充依据" || !reflect.DeepEqual(a.Reply, fixed) || a.BaseVersion != 7 {
			t.Errorf("revised = %+v", a)
		}
		if err := s.MarkRefused(ctx, a.ID, "不予受理", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Discard(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if items, _ := s.Outbox(ctx, "T1"); len(items) != 1 || items[0].ID != sign.ID {
			t.Errorf("Outbox(T1) after discard = %+v", items)
		}
		if err := s.Discard(ctx, other.ID); err == nil {
			t.Error("Discard of a pending item succeeded")
		}
	})
}
