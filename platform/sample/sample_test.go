package sample

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSameSeedSameTickets(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	a := New(7, 0).Tickets(50, now, 48*time.Hour)
	b := New(7, 0).Tickets(50, now, 48*time.Hour)
	for i := range a {
		if a[i].Number != b[i].Number || a[i].Content != b[i].Content {
			t.Fatalf("ticket %d differs between runs with one seed", i)
		}
	}
}

func TestTicketsAreFilledAndUnique(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	ts := New(1, 0).Tickets(500, now, 72*time.Hour)
	seen := map[string]bool{}
	for i, tk := range ts {
		if seen[tk.Number] {
			t.Fatalf("ticket %d: number %s repeats", i, tk.Number)
		}
		seen[tk.Number] = true
		for _, f := range []string{tk.Title, tk.Content, tk.Address, tk.Category, tk.Caller} {
			if f == "" || strings.Contains(f, "{") {
				t.Fatalf("ticket %d has an empty or unfilled field: %+v", i, tk)
			}
		}
		if !tk.ReceivedAt.Before(tk.DispatchedAt) {
			t.Fatalf("ticket %d received %v not before dispatch %v", i, tk.ReceivedAt, tk.DispatchedAt)
		}
		if i > 0 && tk.DispatchedAt.Before(ts[i-1].DispatchedAt) {
			t.Fatalf("ticket %d dispatched before ticket %d", i, i-1)
		}
		if len(tk.Phone) != 11 || tk.Phone[3:7] != "****" {
			t.Fatalf("ticket %d phone %q is not masked", i, tk.Phone)
		}
	}
	if first := ts[0].Number; first != "20261130000001" {
		t.Fatalf("first number = %s, want 20261130000001", first)
	}
}

func TestUnitsTree(t *testing.T) {
	us := Units()
	if len(us) != 8 || us[0].Code != CenterCode || us[1].Code != UnitCode {
		t.Fatalf("units = %+v", us)
	}
	for _, u := range us[2:] {
		if u.Parent != UnitCode {
			t.Fatalf("sub-unit %s has parent %s", u.Code, u.Parent)
		}
	}
}

// Every demo user belongs to a unit of the tree; the handler to a sub-unit
// of the unit, where the duty officer assigns tickets.
func TestUsersUnits(t *testing.T) {
	units := map[string]string{}
	for _, u := range Units() {
		units[u.Code] = string(u.Kind) + "/" + u.Parent
	}
	want := map[string]string{
		"duty": "unit/12345", "handler": "subunit/gdj", "leader": "unit/12345", "jcb": "unit/12345", "center": "center/",
	}
	for _, u := range Users() {
		if got := units[u.Unit]; got != want[u.Login] {
			t.Errorf("user %s is in %s (%s), want a %s", u.Login, u.Unit, got, want[u.Login])
		}
	}
}

// A ticket's title heads its own text: both come from one case of one
// topic, whatever the slots were filled with.
func TestTitleMatchesText(t *testing.T) {
	slot := regexp.MustCompile(`\{[a-z]+\}`)
	pattern := func(tmpl string) *regexp.Regexp {
		parts := slot.Split(tmpl, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$")
	}
	ts := New(3, 0).Tickets(300, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), 72*time.Hour)
	for _, tk := range ts {
		found := false
		for _, tp := range topics {
			for _, c := range tp.cases {
				if tp.category == tk.Category && pattern(c.title).MatchString(tk.Title) && pattern(c.body).MatchString(tk.Content) {
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("ticket %s: title %q does not head its text %q", tk.Number, tk.Title, tk.Content)
		}
	}
}
