package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"hotline/complaint"
)

// unset lists the paths of the exported fields of v that hold their zero
// value. A field inside a slice counts as set when it is set in any element.
func unset(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return unset(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if v.IsZero() {
				return []string{path}
			}
			return nil
		}
		var out []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, unset(v.Field(i), path+"."+f.Name)...)
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		common := map[string]bool{}
		for _, p := range unset(v.Index(0), path+"[]") {
			common[p] = true
		}
		for i := 1; i < v.Len(); i++ {
			here := map[string]bool{}
			for _, p := range unset(v.Index(i), path+"[]") {
				here[p] = true
			}
			for p := range common {
				if !here[p] {
					delete(common, p)
				}
			}
		}
		var out []string
		for p := range common {
			out = append(out, p)
		}
		sort.Strings(out)
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		return nil
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

// fullAction has every field of complaint.Action set.
func fullAction() complaint.Action {
	at := time.Date(2025, 9, 30, 2, 0, 0, 5, time.UTC)
	return complaint.Action{
		ID:          "0190c0de-0000-7000-8000-0000000000f1",
		Kind:        complaint.KindReject,
		Ticket:      "20250930-0001",
		BaseVersion: 9,
		Text:        "请补充“处理依据”，吉𠮷的原话也要记下",
		CreatedAt:   at,
		Unit:        "U01",
		Subunit:     "U01-A",
		Handler:     "wang",
		Contact:     &complaint.Contact{At: at.Add(-time.Hour), How: "上门", Result: "吉𠮷表示“基本满意”", By: "wang"},
		Reply: &complaint.Reply{Text: "经核实……", Findings: "噪音超标", Explanation: "已解释", Measures: "限时施工",
			Basis: "《噪声污染防治法》", CitizenOpinion: "“满意”", By: "wang", At: at.Add(-30 * time.Minute)},
		Criteria:     []int{4, 5},
		Days:         3,
		Grant:        true,
		Deadline:     time.Date(2025, 10, 14, 2, 0, 0, 0, time.UTC),
		Satisfaction: complaint.Unsatisfied,
		Attachment: &complaint.Attachment{ID: "0190c0de-0000-7000-8000-0000000000a1", Name: "情况说明.docx", Type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			Size: 20480, SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", Part: complaint.PartReply,
			Duration: time.Second, By: "wang", At: at},
	}
}

// The round-trip fixtures really have every field set: a field added to
// the domain types fails here until the store carries it.
func TestFixturesSetEveryField(t *testing.T) {
	if u := unset(reflect.ValueOf(fullTicket("T", 1)), "Ticket"); len(u) > 0 {
		t.Errorf("fullTicket leaves unset: %v", u)
	}
	if u := unset(reflect.ValueOf(fullAction()), "Action"); len(u) > 0 {
		t.Errorf("fullAction leaves unset: %v", u)
	}
}

func TestTicketRoundTripEveryField(t *testing.T) {
	full := fullTicket("20250930-0001", 12)
	bare := fullTicket("20250930-0002", 1)
	bare.Contact, bare.Reply, bare.Review, bare.Return, bare.Extension = nil, nil, nil, nil, nil
	bare.Satisfaction, bare.Reopens, bare.Urges, bare.Supervised = "", 0, 0, false
	bare.Step, bare.StepStart, bare.Due, bare.DueNote = complaint.StepNone, time.Time{}, time.Time{}, ""
	for i := range bare.Events {
		bare.Events[i].Fields = nil
	}
	pending := fullTicket("20250930-0003", 2)
	pending.Extension = &complaint.Extension{Days: 1, Reason: "等待", By: "li", At: pending.ReceivedAt}
	pending.Review = &complaint.Review{Criteria: []int{1}, Note: "不全面", By: "zhang", At: pending.ReceivedAt}
	for _, want := range []complaint.Ticket{full, bare, pending} {
		t.Run(want.Number, func(t *testing.T) {
			s := openTest(t)
			ctx := context.Background()
			if _, err := s.Apply(ctx, []complaint.Ticket{want}, nil, 1); err != nil {
				t.Fatal(err)
			}
			got, err := s.Ticket(ctx, want.Number)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, want)
			}
			list, err := s.Tickets(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			wantList := want
			wantList.Events = nil
			if len(list) != 1 || !reflect.DeepEqual(list[0], wantList) {
				t.Errorf("list = %+v\nwant [%+v]", list, wantList)
			}
		})
	}
}

// Nested instants come back in UTC like every other instant, the same
// instant as was stored.
func TestNestedTimesReadBackUTC(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	in := fullTicket("T1", 1)
	at := time.Date(2025, 9, 30, 10, 0, 0, 0, cst)
	in.Contact.At, in.Review.At, in.Return.At, in.Extension.At, in.Extension.Deadline = at, at, at, at, at.Add(time.Hour)
	in.StepStart, in.Due = at, at.Add(2*time.Hour)
	if err := s.PutTicket(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Ticket(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 9, 30, 2, 0, 0, 0, time.UTC)
	for name, v := range map[string]time.Time{"contact": got.Contact.At, "review": got.Review.At, "return": got.Return.At,
		"extension": got.Extension.At, "extension deadline": got.Extension.Deadline.Add(-time.Hour),
		"step start": got.StepStart, "due": got.Due.Add(-2 * time.Hour)} {
		if v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
}

func TestOutboxEveryField(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	want := fullAction()
	got, err := s.Enqueue(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Enqueue =\n %+v\nwant %+v", got, want)
	}
	it, err := s.Item(ctx, want.ID)
	if err != nil || !reflect.DeepEqual(it.Action, want) {
		t.Errorf("Item = %+v, %v\nwant %+v", it.Action, err, want)
	}
	p, err := s.Pending(ctx)
	if err != nil || len(p) != 1 || !reflect.DeepEqual(p[0].Action, want) {
		t.Errorf("Pending = %+v, %v", p, err)
	}

	// An action without kind-specific fields stores none; an empty
	// criteria list reads back empty, not absent.
	sign, err := s.Enqueue(ctx, complaint.Action{Kind: complaint.KindSign, Ticket: "T2", BaseVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	var null bool
	if err := s.db.QueryRow(`SELECT fields IS NULL FROM outbox WHERE id = ?`, sign.ID).Scan(&null); err != nil || !null {
		t.Errorf("fields of a sign IS NULL = %v, %v; want true", null, err)
	}
	empty, err := s.Enqueue(ctx, complaint.Action{Kind: complaint.KindReject, Ticket: "T2", BaseVersion: 1, Criteria: []int{}})
	if err != nil || empty.Criteria == nil || len(empty.Criteria) != 0 || sign.Criteria != nil {
		t.Errorf("criteria: empty %#v (%v), none %#v; want [] and nil", empty.Criteria, err, sign.Criteria)
	}

	// Revise keeps the kind's fields; ReviseAction replaces them.
	if err := s.MarkRefused(ctx, want.ID, "审核标准 6 不存在", nil); err != nil {
		t.Fatal(err)
	}
	r1, err := s.Revise(ctx, want.ID, "改过的说明", want.Reply, 10)
	if err != nil {
		t.Fatal(err)
	}
	w1 := want
	w1.ID, w1.Text, w1.BaseVersion = r1.ID, "改过的说明", 10
	if !reflect.DeepEqual(r1, w1) {
		t.Errorf("Revise =\n %+v\nwant %+v", r1, w1)
	}
	if err := s.MarkRefused(ctx, r1.ID, "延期天数应为 1–30 个工作日", nil); err != nil {
		t.Fatal(err)
	}
	fix := complaint.Action{ID: "ignored", Kind: complaint.KindSign, Ticket: "ignored", Text: "延期理由：等待“检测”", Days: 5,
		Contact: &complaint.Contact{At: time.Date(2025, 9, 30, 9, 0, 0, 0, cst), How: "电话", Result: "已告知吉𠮷"}}
	r2, err := s.ReviseAction(ctx, r1.ID, fix, 11)
	if err != nil {
		t.Fatal(err)
	}
	w2 := complaint.Action{ID: r2.ID, Kind: want.Kind, Ticket: want.Ticket, BaseVersion: 11, Text: fix.Text, CreatedAt: want.CreatedAt, Days: 5,
		Contact: &complaint.Contact{At: time.Date(2025, 9, 30, 1, 0, 0, 0, time.UTC), How: "电话", Result: "已告知吉𠮷"}}
	if !reflect.DeepEqual(r2, w2) {
		t.Errorf("ReviseAction =\n %+v\nwant %+v", r2, w2)
	}
	if r2.ID == r1.ID || r2.ID == "ignored" {
		t.Errorf("ReviseAction kept id %q", r2.ID)
	}
}

// createAt makes a cache database at schema version v exactly as a program
// of that version left it (migrations are append-only, so the first v are
// that program's), holding one ticket with a reply and two events, and one
// refused outbox action.
func createAt(t *testing.T, path string, v int) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`}
	stmts = append(stmts, migrations[:v]...)
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO schema_version (version) VALUES (%d)`, v),
		`INSERT INTO tickets (number, title, content, caller, phone, address, category,
			received_at, dispatched_at, deadline, unit, subunit, handler, state, open,
			has_reply, reply_text, reply_findings, reply_explanation, reply_measures,
			reply_basis, reply_citizen_opinion, reply_by, reply_at, version, updated_at)
		VALUES ('V1-0001', '“噪音”扰民', '来电人吉𠮷反映夜间施工', '吉𠮷', '13800000000', '文三路', '环境保护',
			'2024-03-15T01:00:00.000000000Z', '2024-03-15T01:15:00.000000000Z', NULL, 'U01', 'U01-A', 'wang', 'replied', 1,
			1, '已责令限时施工', '噪音超标', '已解释', '限时施工', '《噪声污染防治法》', '满意', 'wang', '2024-03-16T01:00:00.000000000Z',
			4, '2024-03-16T01:00:00.000000000Z')`,
		`INSERT INTO events (ticket_id, seq, id, kind, actor, unit, at, from_state, to_state, text, action)
		VALUES (1, 0, 1, 'dispatch', 'center', 'C', '2024-03-15T01:15:00.000000000Z', '', 'dispatched', '请按时办理', ''),
			(1, 1, 2, 'reply', 'wang', 'U01', '2024-03-16T01:00:00.000000000Z', 'assigned', 'replied', '已责令限时施工', 'a-1')`,
		`INSERT INTO outbox (id, kind, ticket, base_version, text, has_reply, reply_text, reply_findings, reply_explanation,
			reply_measures, reply_basis, reply_citizen_opinion, reply_by, reply_at, created_at, status, attempts, last_error, updated_at)
		VALUES ('a-2', 'reject', 'V1-0001', 4, '缺少依据', 0, '', '', '', '', '', '', '', NULL,
			'2024-03-16T02:00:00.000000000Z', 'refused', 1, '请选择审核标准', '2024-03-16T02:00:01.000000000Z')`,
	)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("create version %d: %v\n%s", v, err, q)
		}
	}
}

// A cache left by an earlier program is brought up to date in place: its
// rows are all there, the new fields zero, and search covers them.
func TestMigrateFromEarlierVersions(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(timeLayout, s); return v }
	wantTicket := complaint.Ticket{
		Number: "V1-0001", Title: "“噪音”扰民", Content: "来电人吉𠮷反映夜间施工", Caller: "吉𠮷", Phone: "13800000000",
		Address: "文三路", Category: "环境保护", ReceivedAt: at("2024-03-15T01:00:00.000000000Z"),
		DispatchedAt: at("2024-03-15T01:15:00.000000000Z"), Unit: "U01", Subunit: "U01-A", Handler: "wang", State: complaint.Replied,
		Reply: &complaint.Reply{Text: "已责令限时施工", Findings: "噪音超标", Explanation: "已解释", Measures: "限时施工",
			Basis: "《噪声污染防治法》", CitizenOpinion: "满意", By: "wang", At: at("2024-03-16T01:00:00.000000000Z")},
		Version: 4, UpdatedAt: at("2024-03-16T01:00:00.000000000Z"),
		Events: []complaint.Event{
			{ID: 1, Kind: complaint.KindDispatch, Actor: "center", Unit: "C", At: at("2024-03-15T01:15:00.000000000Z"), To: complaint.Dispatched, Text: "请按时办理"},
			{ID: 2, Kind: complaint.KindReply, Actor: "wang", Unit: "U01", At: at("2024-03-16T01:00:00.000000000Z"), From: complaint.Assigned, To: complaint.Replied, Text: "已责令限时施工", Action: "a-1"},
		},
	}
	wantItem := OutboxItem{
		Action: complaint.Action{ID: "a-2", Kind: complaint.KindReject, Ticket: "V1-0001", BaseVersion: 4, Text: "缺少依据",
			CreatedAt: at("2024-03-16T02:00:00.000000000Z")},
		Status: StatusRefused, Attempts: 1, LastError: "请选择审核标准", UpdatedAt: at("2024-03-16T02:00:01.000000000Z"),
	}
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprintf("from version %d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			createAt(t, path, v)
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			var got int
			if err := s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&got); err != nil || got != len(migrations) {
				t.Errorf("schema version = %d, %v; want %d", got, err, len(migrations))
			}
			tk, err := s.Ticket(ctx, "V1-0001")
			if err != nil || !reflect.DeepEqual(tk, wantTicket) {
				t.Errorf("migrated ticket = %+v, %v\nwant %+v", tk, err, wantTicket)
			}
			it, err := s.Item(ctx, "a-2")
			if err != nil || !reflect.DeepEqual(it, wantItem) {
				t.Errorf("migrated outbox item = %+v, %v\nwant %+v", it, err, wantItem)
			}
			for _, q := range []string{"噪音", "吉𠮷反映", "噪声污染防治法", "限时"} {
				res, err := s.Search(ctx, q, Filter{})
				if err != nil || !slices.Equal(numbers(res), []string{"V1-0001"}) {
					t.Errorf("Search(%q) after migration = %v, %v; want [V1-0001]", q, numbers(res), err)
				}
			}
			// The migrated cache takes every field from now on.
			full := fullTicket("V1-0001", 5)
			if err := s.PutTicket(ctx, full); err != nil {
				t.Fatal(err)
			}
			if tk, err := s.Ticket(ctx, "V1-0001"); err != nil || !reflect.DeepEqual(tk, full) {
				t.Errorf("ticket written after migration = %+v, %v", tk, err)
			}
		})
	}
}
