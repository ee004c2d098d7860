package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
)

// benchTickets makes n tickets the size of the real files' (附件4 holds 2,816
// messages): about 500 characters of Chinese content and 3 events each.
func benchTickets(n int) []complaint.Ticket {
	phrases := []string{"小区物业费收费不合理，", "夜间施工噪音扰民严重，", "业主多次投诉未得到处理，",
		"来电人吉𠮷反映“公摊”费用问题，", "请相关部门尽快核实处理，", "供电线路老化存在安全隐患，", "垃圾清运不及时影响居民生活，"}
	var b strings.Builder
	for b.Len() < 1500 { // ~500 characters at 3 bytes each
		b.WriteString(phrases[b.Len()%len(phrases)])
	}
	content := b.String()
	start := time.Date(2019, 1, 1, 8, 0, 0, 0, time.UTC)
	states := []complaint.State{complaint.Dispatched, complaint.Signed, complaint.Assigned, complaint.FedBack, complaint.Closed}
	out := make([]complaint.Ticket, n)
	for i := range out {
		at := start.Add(time.Duration(i) * 97 * time.Minute)
		out[i] = complaint.Ticket{
			Number: fmt.Sprintf("2019%06d", i), Title: fmt.Sprintf("关于小区物业的投诉 %d", i), Content: content,
			Caller: "吉𠮷", Phone: "13800000000", Address: "杭州市西湖区文三路", Category: "城乡建设",
			ReceivedAt: at, DispatchedAt: at.Add(10 * time.Minute), Deadline: at.Add(96 * time.Hour),
			Unit: "U01", State: states[i%len(states)], Version: 3, UpdatedAt: at.Add(time.Hour),
			Events: []complaint.Event{
				{ID: int64(3*i + 1), Kind: complaint.KindDispatch, Actor: "center", At: at.Add(10 * time.Minute), To: complaint.Dispatched, Text: "请按时办理"},
				{ID: int64(3*i + 2), Kind: complaint.KindSign, Actor: "li", At: at.Add(20 * time.Minute), From: complaint.Dispatched, To: complaint.Signed},
				{ID: int64(3*i + 3), Kind: complaint.KindReply, Actor: "wang", At: at.Add(48 * time.Hour), From: complaint.Signed, To: complaint.FedBack, Text: content[:300]},
			},
		}
	}
	return out
}

const benchN, benchPage = 2816, 500

func BenchmarkApply2816(b *testing.B) {
	tickets := benchTickets(benchN)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := openTest(b)
		b.StartTimer()
		for i := 0; i < len(tickets); i += benchPage {
			page := tickets[i:min(i+benchPage, len(tickets))]
			if _, err := s.Apply(ctx, page, nil, int64(i+len(page))); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkTicketsOpen2816(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	tickets := benchTickets(benchN)
	for i := 0; i < len(tickets); i += benchPage {
		if _, err := s.Apply(ctx, tickets[i:min(i+benchPage, len(tickets))], nil, int64(i)); err != nil {
			b.Fatal(err)
		}
	}
	open := true
	for b.Loop() {
		ts, err := s.Tickets(ctx, Filter{Open: &open})
		if err != nil || len(ts) != benchN*3/5+1 {
			b.Fatalf("Tickets(open) = %d, %v", len(ts), err)
		}
	}
}

func BenchmarkSearch2816(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	tickets := benchTickets(benchN)
	if _, err := s.Apply(ctx, tickets, nil, 1); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Search(ctx, "物业费 夜间", Filter{Limit: 100}); err != nil {
			b.Fatal(err)
		}
	}
}
