package print

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hotline/complaint"
	"hotline/internal/testenv"
)

var real struct {
	once    sync.Once
	tickets []complaint.Ticket
	err     error
}

// realTickets reads the center's file of messages and answers
// (附件4.xlsx: 留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 答复意见,
// 答复时间) into tickets, once for all tests.
func realTickets(tb testing.TB) []complaint.Ticket {
	tb.Helper()
	path := testenv.Shared(tb, "data/teddy2020c/附件4.xlsx")
	real.once.Do(func() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			real.err = err
			return
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			real.err = err
			return
		}
		want := []string{"留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"}
		if len(rows) < 2 || !slices.Equal(rows[0][:min(len(rows[0]), 7)], want) {
			real.err = errColumns
			return
		}
		at := func(s string) time.Time {
			t, _ := time.ParseInLocation("2006/1/2 15:04:05", s, china)
			return t
		}
		for _, r := range rows[1:] {
			r = append(r, make([]string, 7)...)[:7]
			real.tickets = append(real.tickets, complaint.Ticket{
				Number: r[0], Caller: r[1], Title: r[2], ReceivedAt: at(r[3]), Content: r[4],
				Reply: &complaint.Reply{Text: r[5], At: at(r[6])},
			})
		}
	})
	if real.err != nil {
		tb.Fatalf("read %s: %v", path, real.err)
	}
	return real.tickets
}

var errColumns = errorString("the columns are not 留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 答复意见, 答复时间")

type errorString string

func (e errorString) Error() string { return string(e) }

// realTicket is the ticket with the number, from the center's file.
func realTicket(tb testing.TB, number string) complaint.Ticket {
	tb.Helper()
	for _, t := range realTickets(tb) {
		if t.Number == number {
			return t
		}
	}
	tb.Fatalf("no ticket %s in the file", number)
	return complaint.Ticket{}
}
