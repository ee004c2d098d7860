package dbtime

import (
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 5, 6, 42, 7, 123456789, time.FixedZone("CST", 8*3600))
	s := Format(at)
	if s != "2026-12-04T22:42:07.123456789Z" {
		t.Fatalf("Format: %q", s)
	}
	var got time.Time
	if err := (Col{&got}).Scan([]byte(s)); err != nil || !got.Equal(at) {
		t.Fatalf("Scan: %v, %v", got, err)
	}
	// Text order is time order across a second's boundary.
	if a, b := Format(at), Format(at.Add(877*time.Millisecond)); !(a < b) {
		t.Errorf("%q sorts after %q", a, b)
	}
	if Format(time.Time{}) != "" {
		t.Error("the zero time is not stored empty")
	}
	if err := (Col{&got}).Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("NULL: %v, %v", got, err)
	}
	if _, err := Parse("2026-12-04 22:42"); err == nil || err.Error() != `stored time "2026-12-04 22:42": parsing time "2026-12-04 22:42" as "2006-01-02T15:04:05.000000000Z": cannot parse " 22:42" as "T"` {
		t.Errorf("a bad time: %v", err)
	}
	if err := (Col{&got}).Scan(42); err == nil || err.Error() != "stored time: unexpected int" {
		t.Errorf("an int: %v", err)
	}
}
