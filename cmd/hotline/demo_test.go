package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/calendar"
	"hotline/complaint"
	"hotline/media"
)

// The demo's tickets give the statistics screens (投诉办理情况统计,
// 本部门督办情况统计) figures worth reading: every sub-unit received some,
// and the rates are neither nothing nor everything. The demo's clock is a
// Friday late in March 2026, so that the month, the current one to the
// demo, holds all 60 tickets whatever day the test runs.
func TestDemoFigures(t *testing.T) {
	now := time.Date(2026, 3, 27, 15, 20, 0, 0, shanghai)
	p, err := startDemoPlatform(t.TempDir(), demoOptions{Tickets: 60, Seed: 7, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	ctx := context.Background()
	term, _ := p.loggedInAs(t, "duty", "duty-figures", "")
	defer term.close()
	if _, err := term.client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sess, err := term.session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	units, _, err := term.directory(ctx)
	if err != nil || len(units) == 0 {
		t.Fatalf("the cached unit tree: %d units, %v", len(units), err)
	}
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	month := complaint.Period{From: time.Date(2026, 3, 1, 0, 0, 0, 0, shanghai), To: time.Date(2026, 4, 1, 0, 0, 0, 0, shanghai)}
	ts, err := term.store.History(ctx, month.From, month.To)
	if err != nil {
		t.Fatal(err)
	}
	st := complaint.Compute(ts, units, sess.Unit.Code, month, sess.Unit.Policy, cal, complaint.Weights{}, now)

	// Of 60: 6 left to sign, 8 of the signed signed late (every sixth,
	// less the two of those left to sign); the 24 fed back, 2 of them a
	// working day late (every seventh is planned late; only the two oldest
	// of those are old enough to be); 12 closed, 2 of them 不满意.
	u := st.Unit
	got := fmt.Sprintf("received %d, signed on time %d, replied %d, on time %d, surveyed %d, satisfied %d",
		u.Received, u.SignedOnTime, u.Replied, u.OnTime, u.Surveyed, u.Satisfied)
	if want := "received 60, signed on time 46, replied 24, on time 22, surveyed 12, satisfied 10"; got != want {
		t.Errorf("the unit's figures: %s, want %s", got, want)
	}
	for _, r := range []struct {
		name string
		rate complaint.Rate
	}{{"SignRate", u.SignRate}, {"OnTimeRate", u.OnTimeRate}, {"SatisfactionRate", u.SatisfactionRate}} {
		if v, ok := r.rate.Value(); !ok || v <= 0 || v >= 1 {
			t.Errorf("the unit's %s is %s, want a value strictly between 0 and 100%%", r.name, r.rate)
		}
	}
	// Each sub-unit has 4 of the fed back; 城东供电所 also the 15 open
	// ones its handler worked, the others the 7 the duty officer only
	// assigned, in turn.
	received := map[string]int{}
	for _, s := range st.Subunits {
		received[s.Name] = s.Received
		if s.Received == 0 {
			t.Errorf("%s received nothing", s.Name)
		}
	}
	want := map[string]int{"城东供电所": 19, "城西供电所": 6, "开发区供电所": 6, "营销部客户服务中心": 5, "运维检修部": 5, "计量中心": 5}
	if fmt.Sprint(received) != fmt.Sprint(want) {
		t.Errorf("received by sub-unit: %v, want %v", received, want)
	}

	// Urged and supervised: the three open ones in 城东供电所, and the two
	// fed back late, in 开发区供电所 and 运维检修部.
	all, subs := complaint.Supervise(ts, units, sess.Unit.Code, month, sess.Unit.Policy, cal, now)
	watched := map[string]int{}
	for _, s := range subs {
		if s.Tickets > 0 {
			watched[s.Name] = s.Tickets
		}
	}
	if want := map[string]int{"城东供电所": 3, "开发区供电所": 1, "运维检修部": 1}; all.Tickets != 5 || fmt.Sprint(watched) != fmt.Sprint(want) {
		t.Errorf("urged or supervised: %d, by sub-unit %v; want 5, %v", all.Tickets, watched, want)
	}
}

// BenchmarkDemoStart is the wait before the demo's first screen: the
// platform made, seeded with the default 60 tickets, and started.
func BenchmarkDemoStart(b *testing.B) {
	for b.Loop() {
		p, err := startDemoPlatform(b.TempDir(), demoOptions{Tickets: 60, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		p.close()
	}
}

// TestDemoRecordings: the demo's center attaches a call recording to its
// newest seeded tickets and to each one it dispatches later, the duration
// read from the file.
func TestDemoRecordings(t *testing.T) {
	p, err := startDemoPlatform(t.TempDir(), demoOptions{Tickets: 10, Recordings: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	ctx := context.Background()
	tk, err := p.dispatchOne(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.db.Ticket(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments of a dispatched ticket: %+v", got.Attachments)
	}
	a := got.Attachments[0]
	want, err := media.FileDuration(filepath.Join(p.dir, "recordings", a.Name))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "来电录音-"+tk.Number+".wav" || a.Part != complaint.PartRecording || a.Type != "audio/wav" || a.By != "center" || a.Duration != want || want <= 0 {
		t.Errorf("recording = %+v, want lasting %v", a, want)
	}
	ents, err := os.ReadDir(filepath.Join(p.dir, "recordings"))
	if err != nil || len(ents) != 4 {
		t.Fatalf("recordings made: %d, %v; want 3 seeded and 1 dispatched", len(ents), err)
	}
	for _, e := range ents {
		number := strings.TrimSuffix(strings.TrimPrefix(e.Name(), "来电录音-"), ".wav")
		tk, err := p.db.Ticket(ctx, number)
		if err != nil || len(tk.Attachments) != 1 || tk.Attachments[0].Name != e.Name() {
			t.Errorf("ticket %s: %v, attachments %+v", number, err, tk.Attachments)
		}
	}
}
