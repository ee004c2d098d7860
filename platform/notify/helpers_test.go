package notify

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"hotline/calendar"
	"hotline/complaint"
	"hotline/platform/sender"
)

// openDB opens a fresh SQLite file with the platform's connection settings
// and Schema applied.
func openDB(t *testing.T) *sql.DB { return openDBB(t) }

// openDBB is openDB for tests and benchmarks.
func openDBB(t testing.TB) *sql.DB {
	t.Helper()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "platform.db")+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(16)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(Schema); err != nil {
		t.Fatalf("apply Schema: %v", err)
	}
	return db
}

// enqueue stores ns in a transaction of its own, as an action would.
func enqueue(t *testing.T, db *sql.DB, ns []Notification) int {
	t.Helper()
	var n int
	err := writeTx(context.Background(), db, func(tx *sql.Tx) error {
		var err error
		n, err = Enqueue(context.Background(), tx, ns)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// clock is a fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// cst is a wall-clock time in Asia/Shanghai.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, complaint.China)
}

func official(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dir is a fake Directory: a unit tree's people.
type dir struct {
	users []complaint.User
	names map[string]string
	fail  error
}

func (d dir) Users(_ context.Context, unit string, role complaint.Role) ([]complaint.User, error) {
	if d.fail != nil {
		return nil, d.fail
	}
	var out []complaint.User
	for _, u := range d.users {
		if u.Unit == unit && u.Has(role) {
			out = append(out, u)
		}
	}
	return out, nil
}

func (d dir) UnitName(_ context.Context, code string) (string, error) {
	if n, ok := d.names[code]; ok {
		return n, nil
	}
	return "", fmt.Errorf("no unit %s", code)
}

// people of the power supply company P1 and its sub-unit P1-01; duty2 has
// no phone.
var people = dir{
	users: []complaint.User{
		{Login: "c1", Name: "中心话务员", Unit: "C", Roles: []complaint.Role{complaint.RoleCenter}},
		{Login: "duty1", Name: "王值班", Unit: "P1", Roles: []complaint.Role{complaint.RoleDuty}, Phone: "13800000001"},
		{Login: "duty2", Name: "赵值班", Unit: "P1", Roles: []complaint.Role{complaint.RoleDuty}},
		{Login: "h1", Name: "李承办", Unit: "P1-01", Roles: []complaint.Role{complaint.RoleHandler}, Phone: "13800000002"},
		{Login: "h2", Name: "𠮷田承办", Unit: "P1-01", Roles: []complaint.Role{complaint.RoleHandler}, Phone: "13800000005"},
		{Login: "r1", Name: "张领导", Unit: "P1", Roles: []complaint.Role{complaint.RoleReviewer}, Phone: "13800000003"},
		{Login: "s1", Name: "陈监察", Unit: "P1", Roles: []complaint.Role{complaint.RoleSupervisor}, Phone: "13800000004"},
	},
	names: map[string]string{"P1": "市供电公司", "P1-01": "城东供电所", "C": "12345中心"},
}

func user(login string) complaint.User {
	for _, u := range people.users {
		if u.Login == login {
			return u
		}
	}
	panic("no user " + login)
}

// sent is one message a recorder got.
type sent struct {
	At      time.Time
	Channel string
	Msg     sender.Message
}

// recorder is a Sender that keeps what it gets; fail, when set, decides an
// error per message.
type recorder struct {
	channel string
	clock   *clock
	mu      sync.Mutex
	got     []sent
	fail    func(m sender.Message) error
}

func (r *recorder) Channel() string { return r.channel }

func (r *recorder) Send(_ context.Context, m sender.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(m); err != nil {
			return err
		}
	}
	r.got = append(r.got, sent{At: r.clock.Now(), Channel: r.channel, Msg: m})
	return nil
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// statusOf reads one notification's status and attempts.
func statusOf(t *testing.T, db *sql.DB, id int64) (status string, attempts int) {
	t.Helper()
	if err := db.QueryRow(`SELECT status, attempts FROM notifications WHERE id = ?`, id).Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	return status, attempts
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
