package platform

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"hotline/api"
	"hotline/complaint"
)

// rawChanges asks the feed with query and returns the answer's JSON as it
// came, for what it holds and what it leaves out.
func rawChanges(t *testing.T, e *env, token, query string) map[string]json.RawMessage {
	t.Helper()
	req, err := http.NewRequest("GET", e.ts.URL+api.PathChanges+"?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", query, resp.StatusCode, b)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The feed says how many tickets its later pages hold when asked (count=1)
// and the page is not the last: each ticket once however often it changed,
// only those of the caller's view. A request without count, as terminals
// before it make, gets the answer it always got.
func TestFeedRemaining(t *testing.T) {
	e := newEnv(t, Options{PageSize: 3})
	mustDispatch(t, e.db, ticketsFor("U1", 1, 8))
	mustDispatch(t, e.db, ticketsFor("U2", 100, 4))
	// The last ticket of U1 changes twice more: still one ticket to come.
	last := ticketN("U1", 8).Number
	if _, err := e.db.act(context.Background(), userDuty, complaint.Action{ID: newID(1), Kind: complaint.KindSign, Ticket: last, BaseVersion: 1}, clockAt); err != nil {
		t.Fatal(err)
	}
	duty := e.client(t, "duty1")
	center := e.client(t, "center1")
	ctx := context.Background()

	for _, c := range []struct {
		name   string
		client *api.Client
		after  int64
		count  bool
		want   api.Changes // Cursor, More and Remaining; the tickets by count
		nTicks int
	}{
		{"duty, first page", duty, 0, true, api.Changes{Cursor: 3, More: true, Remaining: 5}, 3},
		{"duty, not asked", duty, 0, false, api.Changes{Cursor: 3, More: true}, 3},
		{"duty, middle page", duty, 3, true, api.Changes{Cursor: 6, More: true, Remaining: 2}, 3},
		{"duty, last page", duty, 6, true, api.Changes{Cursor: 13, More: false}, 2},
		{"center, every unit", center, 0, true, api.Changes{Cursor: 3, More: true, Remaining: 9}, 3},
	} {
		var ch api.Changes
		var err error
		if c.count {
			ch, err = c.client.CountedChanges(ctx, c.after, 0)
		} else {
			ch, err = c.client.Changes(ctx, c.after, 0)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ch.Cursor != c.want.Cursor || ch.More != c.want.More || ch.Remaining != c.want.Remaining || len(ch.Tickets) != c.nTicks {
			t.Errorf("%s: cursor %d more %v remaining %d, %d tickets; want %d %v %d, %d",
				c.name, ch.Cursor, ch.More, ch.Remaining, len(ch.Tickets), c.want.Cursor, c.want.More, c.want.Remaining, c.nTicks)
		}
	}

	// On the wire: the field is absent unless asked for and meaningful, so
	// an old terminal reads exactly what it always read.
	for q, want := range map[string]string{
		"after=0":         "",
		"after=0&count=1": "5",
		"after=6&count=1": "",
	} {
		m := rawChanges(t, e, duty.Token, q)
		got, ok := m["remaining"]
		if string(got) != want || ok != (want != "") {
			t.Errorf("%s: remaining %q (present %v), want %q", q, got, ok, want)
		}
	}
	// And an old terminal's type decodes the new answer.
	type oldChanges struct {
		Cursor  int64              `json:"cursor"`
		Tickets []complaint.Ticket `json:"tickets"`
		Removed []string           `json:"removed,omitempty"`
		More    bool               `json:"more"`
	}
	b, _ := json.Marshal(rawChanges(t, e, duty.Token, "after=0&count=1"))
	var old oldChanges
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&old); err != nil || old.Cursor != 3 || !old.More || len(old.Tickets) != 3 {
		t.Errorf("old terminal decoding: cursor %d more %v %d tickets, %v; want 3 true 3", old.Cursor, old.More, len(old.Tickets), err)
	}
}
