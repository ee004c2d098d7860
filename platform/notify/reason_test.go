package notify

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/platform/sender"
)

// lockedBuffer is a log's output written from the dispatcher's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestReasonsInChinese: every reason the dispatcher itself gives for not
// sending is stored in Chinese, the same in the row and its delivery
// attempt, with the person and the channel named and times in China time;
// a provider's words stay as it said them; the platform's own log says it
// all in English.
func TestReasonsInChinese(t *testing.T) {
	db := openDB(t)
	t0 := cst(2026, 12, 3, 10, 0)
	clk := &clock{t: t0}
	busy := &recorder{channel: "slow", clock: clk, fail: func(sender.Message) error {
		return &sender.Error{Channel: "slow", Temporary: true, Status: 503, Message: "busy"}
	}}
	sms := &recorder{channel: "sms", clock: clk}
	var out lockedBuffer
	d := &Dispatcher{DB: db, Senders: map[string]sender.Sender{"sms": sms, "slow": busy}, Now: clk.Now,
		Backoff: Backoff{Initial: 20 * time.Minute, Max: 2 * time.Hour}, MaxAge: time.Hour, MaxAttempts: 5,
		Logger: slog.New(slog.NewTextHandler(&out, nil))}
	n := func(key, channel, login, name, phone string) Notification {
		return Notification{Key: key, Event: "urge", Ticket: "20261203000001", Unit: "P1", Login: login, Name: name, Phone: phone,
			Channel: channel, Text: "【12345】工单20261203000001被催办", NotBefore: t0, CreatedAt: t0, Urgent: true}
	}
	enqueue(t, db, []Notification{
		n("nosender", "pager", "", "", ""),
		n("nophone", "sms", "chenj", "陈静", ""),
		n("noname", "sms", "wangq", "", " "),
		n("params", "sms", "lil", "李丽", "13800000001"),
		n("tried", "sms", "zhaom", "赵敏", "13800000002"),
		n("late", "slow", "sunh", "孙浩", "13800000003"),
	})
	// A row whose stored params no longer read, and one tried as often as
	// allowed already (by a dispatcher allowed more).
	if _, err := db.Exec(`UPDATE notifications SET params = 'x' WHERE dedupe = 'params'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE notifications SET attempts = 5 WHERE dedupe = 'tried'`); err != nil {
		t.Fatal(err)
	}
	drive(t, d, clk, t0.Add(3*time.Hour))

	for _, c := range []struct{ key, status, reason, log string }{
		{"nosender", Dropped, "未配置发送渠道 pager（channels.toml）", `reason="no sender for channel pager"`},
		{"nophone", Dropped, "陈静 没有手机号，未发短信", `reason="chenj has no phone"`},
		{"noname", Dropped, "wangq 没有手机号，未发短信", `reason="wangq has no phone"`},
		{"params", Failed, "通知的短信模板参数已损坏，无法发送：invalid character 'x' looking for beginning of value",
			`err="stored params: invalid character 'x' looking for beginning of value"`},
		{"tried", Failed, "已尝试发送 5 次仍未成功，不再重试", `reason="gave up after 5 attempts"`},
		// Tried at 10:00, 10:20 and 11:00; the next try, at 12:20, would
		// be more than the hour after 10:00 it was due.
		{"late", Failed, "应于 12-03 10:00 发出，1小时内未能发出，不再重试：slow: HTTP 503 busy",
			`err="gave up after 1h0m0s: slow: HTTP 503 busy"`},
	} {
		var status, last, tried string
		if err := db.QueryRow(`SELECT n.status, n.last_error, d.error FROM notifications n
			JOIN deliveries d ON d.notification = n.id WHERE n.dedupe = ? ORDER BY d.id DESC LIMIT 1`, c.key).Scan(&status, &last, &tried); err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		if status != c.status || last != c.reason || tried != c.reason {
			t.Errorf("%s: %s, last_error %q, attempt's error %q\nwant %s, %q", c.key, status, last, tried, c.status, c.reason)
		}
		if !strings.Contains(out.String(), c.log) {
			t.Errorf("%s: the platform's log lacks %s", c.key, c.log)
		}
	}
	// A retry keeps the provider's words, in the attempt and the log.
	if n := count(t, db, `SELECT COUNT(*) FROM deliveries WHERE outcome = 'retry' AND error = 'slow: HTTP 503 busy'`); n != 2 {
		t.Errorf("%d retries with the provider's words, want 2", n)
	}
	if strings.ContainsFunc(out.String(), func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("Chinese in the platform's log:\n%s", out.String())
	}
	if len(sms.all()) != 0 {
		t.Errorf("sent %d messages on sms, want none", len(sms.all()))
	}
}
