package notify

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"hotline/complaint"
	"hotline/platform/sender"
)

// BenchmarkPlanEnqueue is the cost an assignment adds to its action: plan
// (the event and its step's reminders, 10 rows) and store in one transaction.
func BenchmarkPlanEnqueue(b *testing.B) {
	db := openDBB(b)
	cal := official(b)
	tk := assigned(b)
	now := tk.StepStart
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		tk.Number = fmt.Sprintf("B%012d", i)
		ev := complaint.Event{ID: int64(i + 1), Kind: complaint.KindAssign, Actor: "duty1", At: now}
		err := writeTx(ctx, db, func(tx *sql.Tx) error {
			ns, _, err := Plan(ctx, complaint.Ticket{}, tk, ev, Settings{}, people, cal, now)
			if err != nil {
				return err
			}
			_, err = Enqueue(ctx, tx, ns)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDispatch sends 1000 queued messages on an instant provider.
func BenchmarkDispatch(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		db := openDBB(b)
		t0 := cst(2026, 6, 2, 10, 0)
		clk := &clock{t: t0}
		err := writeTx(ctx, db, func(tx *sql.Tx) error {
			_, err := Enqueue(ctx, tx, group("sms", 1000, t0))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": &recorder{channel: "sms", clock: clk}}, Now: clk.Now}
		b.StartTimer()
		total := 0
		for total < 1000 {
			sent, _, err := d.RunOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if sent == 0 {
				b.Fatalf("stuck at %d", total)
			}
			total += sent
		}
		b.StopTimer()
		db.Close()
	}
}
