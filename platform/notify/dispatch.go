package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"hotline/complaint"
	"hotline/platform/sender"
)

// Limit is a channel's send rate: PerMinute messages a minute, evenly
// spaced, after a first Burst at once. Any 60 s then carries at most
// PerMinute + Burst - 1 messages, so for a provider's hard limit of N a
// minute (a WeCom robot: 20) take PerMinute + Burst <= N + 1.
type Limit struct {
	PerMinute int
	Burst     int // 0 means 1
}

// Backoff is the wait before each retry: Initial after the first failure,
// doubling up to Max. A provider's Retry-After, when longer, wins.
type Backoff struct {
	Initial, Max time.Duration
}

// Dispatcher sends what is queued when it is due, on each channel's sender.
//
// Delivery is at least once. A row is claimed (status sending, next_at the
// end of the claim, Lease) in a short transaction before its sender is
// called, so two dispatchers never send it at the same time, and no
// transaction is held while a sender runs. The window for a second send is
// a provider that took the message but whose answer was lost (a timeout
// counts as temporary and is retried), and a dispatcher that died between
// the provider's answer and the write of the outcome: its claims run out
// after Lease and the rows are sent again (or at once, with Recover at
// start). Keep SendTimeout well below Lease.
//
// Each channel (each sender: "<channel>@<unit>" when registered, else
// "<channel>") sends at most PerChannel at once on its own goroutines, so a
// slow provider holds up only its own channel.
type Dispatcher struct {
	DB *sql.DB
	// Senders by channel name. A unit's own robot is found first under
	// "<channel>@<unit code>" (e.g. "wecom@A01"), then under "<channel>".
	Senders map[string]sender.Sender
	Now     func() time.Time
	// Current returns a ticket as it is now, with its Step and Due, to
	// drop a notification that asks someone to act (a reminder, or an
	// event's such as dispatch or urge: asks) whose ticket has moved on
	// (another step or deadline, or closed); a zero Ticket for one that
	// does not exist. An error leaves the notification queued, to be looked
	// at again. Nil sends every notification.
	Current func(ctx context.Context, number string) (complaint.Ticket, error)
	// Limits by channel name, or by "<channel>@<unit>" for one unit's robot.
	Limits  map[string]Limit
	Backoff Backoff // zero: 30 s doubling to 30 min
	// A notification fails for good after MaxAttempts tries (default 20), or
	// when it is still not sent MaxAge after it was due (default 24 h).
	// A permanent error fails it at once.
	MaxAttempts int
	MaxAge      time.Duration
	Lease       time.Duration // default 5 min
	SendTimeout time.Duration // default 1 min
	PerChannel  int           // sends at once per channel, default 4
	Logger      *slog.Logger

	init     sync.Once
	wake     chan struct{}
	mu       sync.Mutex
	buckets  map[string]*bucket
	busy     map[string]int   // sends running per sender key
	inflight map[int64]string // rows this process is sending, to their sender key
	running  sync.WaitGroup
}

func (d *Dispatcher) setup() {
	d.init.Do(func() {
		d.wake = make(chan struct{}, 1)
		d.buckets = map[string]*bucket{}
		d.busy = map[string]int{}
		d.inflight = map[int64]string{}
		if d.Now == nil {
			d.Now = time.Now
		}
		if d.Backoff.Initial <= 0 {
			d.Backoff.Initial = 30 * time.Second
		}
		if d.Backoff.Max < d.Backoff.Initial {
			d.Backoff.Max = max(30*time.Minute, d.Backoff.Initial)
		}
		if d.MaxAttempts <= 0 {
			d.MaxAttempts = 20
		}
		if d.MaxAge <= 0 {
			d.MaxAge = 24 * time.Hour
		}
		if d.Lease <= 0 {
			d.Lease = 5 * time.Minute
		}
		if d.SendTimeout <= 0 {
			d.SendTimeout = time.Minute
		}
		if d.PerChannel <= 0 {
			d.PerChannel = 4
		}
		if d.Logger == nil {
			d.Logger = slog.New(slog.DiscardHandler)
		}
	})
}

// Wake makes Run look at the table now: the platform calls it after an
// action's transaction committed, so what it made goes out at once.
func (d *Dispatcher) Wake() {
	d.setup()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Recover puts back in the queue, due now, every row left 'sending': the
// claims of a dispatcher that died. Call it at start only when this is the
// one dispatcher on the database (hotlined serve); otherwise leave the rows
// to their claims running out, or a live dispatcher's sends are repeated.
// Either way a message the provider took just before the crash goes twice.
func (d *Dispatcher) Recover(ctx context.Context) (int, error) {
	d.setup()
	var n int64
	err := writeTx(ctx, d.DB, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET status = 'queued', next_at = ? WHERE status = 'sending'`, dbTime(d.Now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// pollEvery bounds Run's sleep, for rows other processes add (hotlined
// admin commands) and clocks that jump.
const pollEvery = time.Minute

// minWait keeps Run from spinning on rows it cannot take now.
const minWait = time.Second

// Run sends until ctx ends, then waits for the sends under way.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.setup()
	defer d.running.Wait()
	for {
		if err := d.pass(ctx, nil); err != nil && ctx.Err() == nil {
			d.Logger.Error("notify: dispatch", "err", err)
		}
		next, err := d.NextAt(ctx)
		if err != nil && ctx.Err() == nil {
			d.Logger.Error("notify: next due", "err", err)
		}
		wait := pollEvery
		if !next.IsZero() {
			// Rows due now after a pass are ones it could not take (their
			// ticket could not be read): look again shortly, not at once.
			wait = min(max(next.Sub(d.Now()), minWait), pollEvery)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-d.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// RunOnce is one pass over what is due now that waits for the sends it
// started: for tests and for tools. It reports how many were sent and how
// many failed for good.
func (d *Dispatcher) RunOnce(ctx context.Context) (sent, failed int, err error) {
	d.setup()
	var res results
	err = d.pass(ctx, &res)
	res.wg.Wait()
	res.mu.Lock()
	defer res.mu.Unlock()
	return res.sent, res.failed, err
}

// results gathers the outcomes of one RunOnce.
type results struct {
	wg           sync.WaitGroup
	mu           sync.Mutex
	sent, failed int
}

// NextAt is when the dispatcher next has something to do: the earliest
// time a queued row falls due, a claim runs out, or a rate-limited channel
// may send again; zero when nothing waits. A channel with all its sends
// under way is left out: the end of one wakes the dispatcher.
func (d *Dispatcher) NextAt(ctx context.Context) (time.Time, error) {
	d.setup()
	rows, err := d.DB.QueryContext(ctx, `SELECT channel, unit, MIN(next_at) FROM notifications
		WHERE status = 'queued' AND seq IS NULL OR status = 'sending' GROUP BY channel, unit`)
	if err != nil {
		return time.Time{}, fmt.Errorf("notify: next due: %w", err)
	}
	defer rows.Close()
	now := d.Now()
	var next time.Time
	d.mu.Lock()
	defer d.mu.Unlock()
	for rows.Next() {
		var r row
		var at time.Time
		if err := rows.Scan(&r.channel, &r.unit, timeCol(&at)); err != nil {
			return time.Time{}, fmt.Errorf("notify: next due: %w", err)
		}
		if key, ok := d.senderKey(r); ok && r.channel != Terminal {
			if d.busy[key] >= d.PerChannel && !at.After(now) {
				continue
			}
			if b, ok := d.buckets[key]; ok && b.free().After(at) {
				at = b.free()
			}
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, fmt.Errorf("notify: next due: %w", err)
	}
	if !next.IsZero() && next.Before(now) {
		next = now
	}
	return next, nil
}

// row is what the dispatcher reads of a notification.
type row struct {
	id                                   int64
	status, channel, unit, ticket, event string
	login, name, phone, text, title      string
	template                             string
	params, mention                      string
	step                                 complaint.Step
	due, notBefore, nextAt               time.Time
	attempts                             int
}

// perChannel bounds the rows read per channel and unit in one pass, so that
// a backlog on one channel does not hide the others' rows.
const perChannel = 64

// pass sends what is due. It claims rows in one short transaction, starts
// their sends and returns; res, when given, learns the outcomes.
func (d *Dispatcher) pass(ctx context.Context, res *results) (err error) {
	now := d.Now()
	rows, err := d.due(ctx, now)
	if err != nil {
		return err
	}
	type op struct {
		r    row
		kind string // "claim", "release", "drop", "fail"
		key  string
		why  reason
	}
	var ops []op
	tickets := map[string]*complaint.Ticket{}
	stale := func(r row) (bool, reason, error) {
		if !asks(r.event) || d.Current == nil {
			return false, reason{}, nil
		}
		t, ok := tickets[r.ticket]
		if !ok {
			cur, err := d.Current(ctx, r.ticket)
			if err != nil {
				return false, reason{}, fmt.Errorf("ticket %s: %w", r.ticket, err)
			}
			t = &cur
			tickets[r.ticket] = t
		}
		why := movedOn(*t, r.event, r.step, r.due)
		return why != reason{}, why, nil
	}
	d.mu.Lock()
	for _, r := range rows {
		if _, ok := d.inflight[r.id]; ok {
			continue
		}
		d.mu.Unlock()
		old, why, err := stale(r)
		d.mu.Lock()
		if err != nil {
			d.Logger.Warn("notify: current ticket", "notification", r.id, "err", err)
			continue
		}
		switch {
		case old:
			ops = append(ops, op{r: r, kind: "drop", why: why})
			continue
		case r.channel == Terminal:
			ops = append(ops, op{r: r, kind: "release"})
			continue
		case r.attempts >= d.MaxAttempts:
			ops = append(ops, op{r: r, kind: "fail", why: gaveUp(r.attempts, reason{})})
			continue
		}
		key, ok := d.senderKey(r)
		if !ok {
			ops = append(ops, op{r: r, kind: "drop", why: reason{
				log:  "no sender for channel " + r.channel,
				text: fmt.Sprintf("未配置发送渠道 %s（channels.toml）", r.channel)}})
			continue
		}
		// A message to one person on a channel other than the terminal
		// goes to their phone (Plan makes a group's without a login); with
		// none there is nobody to send it to, whatever the sender.
		if r.login != "" && strings.TrimSpace(r.phone) == "" {
			who := r.name
			if strings.TrimSpace(who) == "" {
				who = r.login
			}
			ops = append(ops, op{r: r, kind: "drop", why: reason{
				log:  fmt.Sprintf("%s has no phone", r.login),
				text: fmt.Sprintf("%s 没有手机号，未发短信", who)}})
			continue
		}
		if d.busy[key] >= d.PerChannel {
			continue
		}
		b := d.bucket(key, r.channel)
		if !b.take(now) {
			continue
		}
		d.busy[key]++
		d.inflight[r.id] = key
		ops = append(ops, op{r: r, kind: "claim", key: key})
	}
	d.mu.Unlock()
	if len(ops) == 0 {
		return nil
	}

	var claimed []op
	err = writeTx(ctx, d.DB, func(tx *sql.Tx) error {
		claimed = claimed[:0]
		for _, o := range ops {
			// Each update names the status and next_at it read: a row
			// another dispatcher took in between is left to it.
			cond := `WHERE id = ? AND status = ? AND next_at = ?`
			args := []any{o.r.id, o.r.status, dbTime(o.r.nextAt)}
			var q string
			var qargs []any
			switch o.kind {
			case "claim":
				q, qargs = `UPDATE notifications SET status = 'sending', next_at = ? `, []any{dbTime(now.Add(d.Lease))}
			case "release":
				q = `UPDATE notifications SET status = 'queued', seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM notifications) `
			case "drop":
				q, qargs = `UPDATE notifications SET status = 'dropped', last_error = ? `, []any{o.why.text}
			case "fail":
				q, qargs = `UPDATE notifications SET status = 'failed', last_error = ? `, []any{o.why.text}
			}
			res, err := tx.ExecContext(ctx, q+cond, append(qargs, args...)...)
			if err != nil {
				return fmt.Errorf("%s notification %d: %w", o.kind, o.r.id, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			switch o.kind {
			case "claim":
				claimed = append(claimed, o)
			case "drop", "fail":
				outcome := map[string]string{"drop": "dropped", "fail": "failed"}[o.kind]
				if err := delivery(ctx, tx, o.r.id, now, outcome, o.why.text, 0); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		claimed = nil
	}
	// Give back what was reserved and not claimed.
	d.mu.Lock()
	took := map[int64]bool{}
	for _, o := range claimed {
		took[o.r.id] = true
	}
	for _, o := range ops {
		if o.kind == "claim" && !took[o.r.id] {
			d.busy[o.key]--
			delete(d.inflight, o.r.id)
		}
	}
	d.mu.Unlock()
	for _, o := range ops {
		switch {
		case o.kind == "drop" && err == nil:
			d.Logger.Info("notify: dropped", "notification", o.r.id, "ticket", o.r.ticket, "channel", o.r.channel, "reason", o.why.log)
		case o.kind == "fail" && err == nil:
			d.Logger.Warn("notify: failed", "notification", o.r.id, "ticket", o.r.ticket, "channel", o.r.channel, "reason", o.why.log)
			if res != nil {
				res.mu.Lock()
				res.failed++
				res.mu.Unlock()
			}
		}
	}
	for _, o := range claimed {
		d.running.Add(1)
		if res != nil {
			res.wg.Add(1)
		}
		go func() {
			defer d.running.Done()
			if res != nil {
				defer res.wg.Done()
			}
			out := d.send(ctx, o.r, o.key)
			if res != nil {
				res.mu.Lock()
				switch out {
				case Sent:
					res.sent++
				case Failed:
					res.failed++
				}
				res.mu.Unlock()
			}
		}()
	}
	return err
}

// due reads the rows to act on at now, oldest first, at most perChannel per
// channel and unit.
func (d *Dispatcher) due(ctx context.Context, now time.Time) ([]row, error) {
	q, err := d.DB.QueryContext(ctx, `SELECT id, status, channel, unit, ticket, event, login, name, phone, text, title, template,
			params, mention, step, due, not_before, next_at, attempts
		FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY channel, unit ORDER BY next_at, id) AS n
			FROM notifications
			WHERE (status = 'queued' AND seq IS NULL OR status = 'sending') AND next_at <= ?)
		WHERE n <= ? ORDER BY next_at, id`, dbTime(now), perChannel)
	if err != nil {
		return nil, fmt.Errorf("notify: due: %w", err)
	}
	defer q.Close()
	var out []row
	for q.Next() {
		var r row
		var step string
		if err := q.Scan(&r.id, &r.status, &r.channel, &r.unit, &r.ticket, &r.event, &r.login, &r.name, &r.phone, &r.text, &r.title,
			&r.template, &r.params, &r.mention, &step, timeCol(&r.due), timeCol(&r.notBefore), timeCol(&r.nextAt), &r.attempts); err != nil {
			return nil, fmt.Errorf("notify: due: %w", err)
		}
		r.step = complaint.Step(step)
		out = append(out, r)
	}
	if err := q.Err(); err != nil {
		return nil, fmt.Errorf("notify: due: %w", err)
	}
	return out, nil
}

func (d *Dispatcher) senderKey(r row) (string, bool) {
	if k := r.channel + "@" + r.unit; d.Senders[k] != nil {
		return k, true
	}
	if d.Senders[r.channel] != nil {
		return r.channel, true
	}
	return "", false
}

// bucket is the limiter of sender key k; d.mu is held.
func (d *Dispatcher) bucket(k, channel string) *bucket {
	b, ok := d.buckets[k]
	if !ok {
		l, ok := d.Limits[k]
		if !ok {
			l = d.Limits[channel]
		}
		b = &bucket{limit: l}
		d.buckets[k] = b
	}
	return b
}

// send calls the sender of one claimed row and records the outcome.
func (d *Dispatcher) send(ctx context.Context, r row, key string) string {
	defer func() {
		d.mu.Lock()
		d.busy[key]--
		delete(d.inflight, r.id)
		d.mu.Unlock()
		d.Wake()
	}()
	m := sender.Message{ID: strconv.FormatInt(r.id, 10), Phone: r.phone, Template: r.template, Text: r.text, Title: r.title}
	if err := json.Unmarshal([]byte(r.params), &m.Params); err != nil {
		return d.finish(ctx, r, Failed, reason{"stored params: " + err.Error(), "通知的短信模板参数已损坏，无法发送：" + err.Error()}, nil, 0)
	}
	if err := json.Unmarshal([]byte(r.mention), &m.Mention); err != nil {
		return d.finish(ctx, r, Failed, reason{"stored mention: " + err.Error(), "通知要@的手机号已损坏，无法发送：" + err.Error()}, nil, 0)
	}
	sctx, cancel := context.WithTimeout(ctx, d.SendTimeout)
	start := time.Now() // the provider's real time, whatever clock the dispatcher runs on
	err := d.Senders[key].Send(sctx, m)
	took := time.Since(start)
	cancel()
	// The provider's words are kept as they are, in the platform's log
	// and the officer's: they are what its support will ask for.
	var why reason
	if err != nil {
		why = reason{err.Error(), err.Error()}
	}
	switch {
	case err == nil:
		return d.finish(ctx, r, Sent, why, nil, took)
	case !sender.Temporary(err):
		return d.finish(ctx, r, Failed, why, err, took)
	}
	return d.finish(ctx, r, Queued, why, err, took)
}

// finish records the outcome of an attempt: sent, failed for good (why), or
// queued again after the backoff that sendErr may set (failed when that is
// past MaxAttempts or MaxAge).
func (d *Dispatcher) finish(ctx context.Context, r row, status string, why reason, sendErr error, took time.Duration) string {
	now := d.Now()
	attempts := r.attempts + 1
	next := now
	if status == Queued {
		wait := d.wait(attempts, sendErr)
		next = now.Add(wait)
		switch {
		case attempts >= d.MaxAttempts:
			status, why = Failed, gaveUp(attempts, why)
		case next.Sub(r.notBefore) > d.MaxAge:
			status, why = Failed, reason{
				log:  fmt.Sprintf("gave up after %s: %s", d.MaxAge, why.log),
				text: fmt.Sprintf("应于 %s 发出，%s内未能发出，不再重试：%s", shortTime(r.notBefore), span(d.MaxAge), why.text)}
		}
	}
	msg := why.text
	outcome := map[string]string{Sent: "sent", Failed: "failed", Queued: "retry"}[status]
	sentAt := ""
	if status == Sent {
		sentAt = dbTime(now)
	}
	// The outcome is written even when ctx has ended: the provider has
	// answered, and forgetting it would send the message again.
	wctx := context.WithoutCancel(ctx)
	err := writeTx(wctx, d.DB, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(wctx, `UPDATE notifications SET status = ?, attempts = ?, next_at = ?, last_error = ?, sent_at = ?
			WHERE id = ? AND status = 'sending'`, status, attempts, dbTime(next), msg, sentAt, r.id)
		if err != nil {
			return err
		}
		return delivery(wctx, tx, r.id, now, outcome, msg, took)
	})
	log := d.Logger.With("notification", r.id, "ticket", r.ticket, "channel", r.channel, "attempt", attempts)
	switch {
	case err != nil:
		log.Error("notify: record outcome", "outcome", outcome, "err", err)
	case status == Sent:
		log.Info("notify: sent", "took", took)
	case status == Failed:
		log.Warn("notify: failed", "err", why.log)
	default:
		log.Info("notify: will retry", "at", next, "err", why.log)
	}
	return status
}

// wait is the backoff after the attempts-th failure.
func (d *Dispatcher) wait(attempts int, err error) time.Duration {
	w := d.Backoff.Initial
	for i := 1; i < attempts && w < d.Backoff.Max; i++ {
		w *= 2
	}
	w = min(w, d.Backoff.Max)
	var e *sender.Error
	if errors.As(err, &e) && e.RetryAfter > w {
		w = e.RetryAfter
	}
	return w
}

// reason is why a notification was dropped or failed, said twice: log in
// English for the platform's log, as the rest of it; text in Chinese for
// the delivery log the duty officer reads (last_error), its times in China
// time to the minute.
type reason struct{ log, text string }

// gaveUp is the reason of a notification failed after attempts tries, the
// last one's error (the provider's words) after it when there is one.
func gaveUp(attempts int, last reason) reason {
	r := reason{
		log:  fmt.Sprintf("gave up after %d attempts", attempts),
		text: fmt.Sprintf("已尝试发送 %d 次仍未成功，不再重试", attempts),
	}
	if last != (reason{}) {
		r.log += ": " + last.log
		r.text += "：" + last.text
	}
	return r
}

// shortTime is t as the delivery log's reasons say it: China time to the
// minute, without the year, as the terminal dates the rows.
func shortTime(t time.Time) string {
	return t.In(complaint.China).Format("01-02 15:04")
}

// stepName is a step's Chinese name, its code for one without.
func stepName(s complaint.Step) string {
	if l := s.Label(); l != "" {
		return l
	}
	return string(s)
}

// movedOn says why a notification of event, made for the ticket's step
// step due at due, no longer asks for anything of the ticket t as it is
// now; the zero reason when it still does. The step's deadline changes when
// the step begins again (a new dispatch, another reply) or is extended, so a
// message worded for the old one is dropped as well: the new step makes
// its own.
func movedOn(t complaint.Ticket, event string, step complaint.Step, due time.Time) reason {
	switch {
	case t.Number == "":
		return reason{"ticket no longer exists", "工单已不存在"}
	case !t.State.Open():
		text := map[complaint.State]string{complaint.Closed: "工单已办结", complaint.FedBack: "工单已反馈", complaint.Returned: "工单已退单"}[t.State]
		if text == "" {
			text = fmt.Sprintf("工单状态为“%s”", t.State.Label())
		}
		return reason{"ticket is " + string(t.State), text}
	case event != EventDeadline && step == complaint.StepNone:
		// Made when the ticket waited on no step: it asked for nothing
		// the ticket can have done since.
	case t.Step != step || !t.Due.Equal(due):
		return movedFrom(t, step)
	}
	return reason{}
}

// movedFrom is the reason of a notification that asked for step's act of
// the ticket t, which is now elsewhere or due at another time.
func movedFrom(t complaint.Ticket, step complaint.Step) reason {
	was := stepName(step)
	logDue := "none"
	if !t.Due.IsZero() {
		logDue = dbTime(t.Due)
	}
	switch {
	case t.Step == complaint.StepNone:
		// Waiting on the center (a return asked for): no step, no
		// deadline to name.
		return reason{
			log:  fmt.Sprintf("ticket moved on: state %s, no longer at the %s step this asked to act on", t.State, step),
			text: fmt.Sprintf("工单现为“%s”，已不在“%s”环节，不再提醒%s", t.State.Label(), was, was),
		}
	case t.Step == step && t.Due.IsZero():
		return reason{
			log:  fmt.Sprintf("ticket's %s step has no deadline now: this was for the one before", step),
			text: fmt.Sprintf("“%s”环节已不计时限，原时限下的通知不再发送", was),
		}
	case t.Step == step:
		return reason{
			log:  fmt.Sprintf("ticket's %s step is due %s now: this was for the deadline before", step, logDue),
			text: fmt.Sprintf("“%s”时限已改为 %s，原时限下的通知不再发送", was, shortTime(t.Due)),
		}
	}
	text := fmt.Sprintf("工单已进入“%s”环节，不再提醒%s", stepName(t.Step), was)
	if !t.Due.IsZero() {
		text = fmt.Sprintf("工单已进入“%s”环节（时限 %s），不再提醒%s", stepName(t.Step), shortTime(t.Due), was)
	}
	return reason{
		log:  fmt.Sprintf("ticket moved on: step %s due %s, no longer at the %s step this asked to act on", t.Step, logDue, step),
		text: text,
	}
}

func delivery(ctx context.Context, tx *sql.Tx, id int64, at time.Time, outcome, msg string, took time.Duration) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (notification, at, outcome, error, took_ms) VALUES (?, ?, ?, ?, ?)`,
		id, dbTime(at), outcome, msg, took.Milliseconds())
	if err != nil {
		return fmt.Errorf("notify: delivery of %d: %w", id, err)
	}
	return nil
}

// writeTx runs fn in one short transaction. The platform's DSN makes it
// BEGIN IMMEDIATE, so it waits for the write lock up front (busy timeout)
// instead of failing half-way.
func writeTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("notify: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return fmt.Errorf("notify: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("notify: commit: %w", err)
	}
	return nil
}

// bucket spaces a channel's sends on the dispatcher's clock (GCRA): tat is
// when the bucket would be empty again at the steady rate.
type bucket struct {
	limit Limit
	tat   time.Time
}

func (b *bucket) interval() time.Duration {
	if b.limit.PerMinute <= 0 {
		return 0
	}
	return time.Minute / time.Duration(b.limit.PerMinute)
}

func (b *bucket) burst() int { return max(b.limit.Burst, 1) }

// free is when the next message may go.
func (b *bucket) free() time.Time {
	return b.tat.Add(-time.Duration(b.burst()-1) * b.interval())
}

// take spends one token at now if there is one.
func (b *bucket) take(now time.Time) bool {
	iv := b.interval()
	if iv == 0 {
		return true
	}
	if now.Before(b.free()) {
		return false
	}
	if b.tat.Before(now) {
		b.tat = now
	}
	b.tat = b.tat.Add(iv)
	return true
}
