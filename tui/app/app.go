// Package app is what every screen of the terminal UI shares: the program
// context (size, styles, keys, user, clock, the store) that the root model
// owns and the pages read, the messages by which a page asks the root to
// navigate or to show a notice, and the formatting of times and durations.
package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/print"
	"hotline/store"
	"hotline/tui/keys"
	"hotline/tui/theme"
)

// Store is the part of the local cache the UI reads and writes. *store.Store
// implements it; the UI never reaches the network.
type Store interface {
	Tickets(ctx context.Context, f store.Filter) ([]complaint.Ticket, error)
	Search(ctx context.Context, query string, f store.Filter) ([]complaint.Ticket, error)
	Ticket(ctx context.Context, number string) (complaint.Ticket, error)
	ClosedOn(ctx context.Context, now time.Time, loc *time.Location) ([]complaint.Ticket, error)
	Enqueue(ctx context.Context, a complaint.Action) (complaint.Action, error)
	Outbox(ctx context.Context, ticket string) ([]store.OutboxItem, error)
	PendingCount(ctx context.Context) (int, error)
	SaveDraft(ctx context.Context, ticket, field, text string) error
	Draft(ctx context.Context, ticket, field string) (string, error)
	DeleteDraft(ctx context.Context, ticket, field string) error
	DueCounts(ctx context.Context, now time.Time, p complaint.Policy) (near, overdue int, err error)
	Loads(ctx context.Context, now time.Time, p complaint.Policy) (map[string]store.Load, error)
	ReviseAction(ctx context.Context, id string, a complaint.Action, baseVersion int64) (complaint.Action, error)
	Resend(ctx context.Context, id string, baseVersion int64) error
	Discard(ctx context.Context, id string) error
	History(ctx context.Context, from, to time.Time) ([]complaint.Ticket, error)
	// Files on their way to the platform (see files.go).
	Attach(ctx context.Context, ticket string, baseVersion int64, part complaint.Part, path string) (store.Upload, error)
	Uploads(ctx context.Context, ticket string) ([]store.Upload, error)
	RetryUpload(ctx context.Context, id string) error
	MarkRefused(ctx context.Context, id, reason string, current *complaint.Ticket) error
	// The user's alerts, as the link keeps them: newest first, how many
	// are unseen, and marking them seen up to an ID.
	Alerts(ctx context.Context, limit int) ([]store.Alert, error)
	Unseen(ctx context.Context) (int, error)
	SeeAlerts(ctx context.Context, upTo int64) error
}

var _ Store = (*store.Store)(nil)

// Calendar is the working-day arithmetic the figures need; *calendar.Calendar
// implements it.
type Calendar interface {
	AddWorkdays(t time.Time, n int) (time.Time, error)
	WorkingTime(a, b time.Time) (time.Duration, error)
}

// Context is shared by the root model and every page. The root changes it
// (size on resize); pages only read it, but for asking for another screen
// (Navigate), which the root counts until it has shown it.
type Context struct {
	Width, Height int // the whole terminal
	Styles        theme.Styles
	Keys          keys.Map
	User          complaint.User
	Unit          complaint.Unit // the user's unit; its Policy sets the deadlines
	// Units and People are the unit tree and its users as last fetched
	// from the platform: whom a ticket may be assigned to, and the names
	// behind the codes and logins of the history.
	Units  []complaint.Unit
	People []complaint.User
	Now    func() time.Time
	Loc    *time.Location
	Store  Store
	// Kick wakes the sender after an action was enqueued; it may be nil.
	Kick func()
	// Printer prints (nil: printing is not set up here); Font finds the
	// sheet's font; PrinterName is the printer of the settings, "" for
	// CUPS's default. The screens call them from commands only.
	Printer     Printer
	Font        func() (*print.Font, error)
	PrinterName string
	// Remote searches the platform for tickets the cache does not hold
	// (older ones): the same query and conditions as store.Search. It is
	// nil where there is no platform; the screens call it from commands only.
	Remote func(ctx context.Context, query string, f store.Filter) ([]complaint.Ticket, error)
	// Calendar is the working-day calendar the figures count in.
	Calendar Calendar
	// Weights weigh the statistics' score (the settings' [score]).
	Weights complaint.Weights
	// Fetch, Open, Play and SaveDir are what the screens do with
	// attachments (see files.go); PickDir is the folder the file picker
	// was last left in, where it opens next ("" the home folder). The
	// picker sets it: it is the one field a page writes besides nav.
	Fetch   Fetch
	Open    func(path string) error
	Play    Play
	SaveDir string
	PickDir string
	// After delivers msg once d has passed. Timers go through here so that
	// tests can fire them at will instead of waiting.
	After func(d time.Duration, msg tea.Msg) tea.Cmd

	nav int // screens asked for with Navigate and not yet shown
	// downloads are the attachments being downloaded, by their key (see
	// Download): the program's, not a page's, so that a page opened anew
	// joins a download its ticket's page started before.
	downloads map[string]*Download
}

// Navigate is a Cmd that asks the root for another screen: msg is an
// OpenTicketMsg, an OpenFormMsg, an OpenAlertsMsg or a BackMsg. It must be
// called from Update, not from a Cmd: from then until the root has shown
// the screen (Arrived), keys wait, so that what is typed after enter on a
// list reaches the ticket's page and not the list.
func (c *Context) Navigate(msg tea.Msg) tea.Cmd {
	c.nav++
	return Send(msg)
}

// NavigateAfter is Navigate for a screen that a command must look up
// first: fn's message (an OpenPrintMsg) goes to the root, which counts the
// screen as shown whatever fn found. Keys wait until then.
func (c *Context) NavigateAfter(fn func() tea.Msg) tea.Cmd {
	c.nav++
	return fn
}

// Arrived tells that a screen asked for has been shown.
func (c *Context) Arrived() {
	if c.nav > 0 {
		c.nav--
	}
}

// Navigating reports whether a screen asked for is not shown yet.
func (c *Context) Navigating() bool { return c.nav > 0 }

// Bg is the context of the UI's store calls.
func (c *Context) Bg() context.Context { return context.Background() }

// Shanghai is China time, in which every time is shown.
func Shanghai() *time.Location { return complaint.China }

// Short formats t in China time for a column 11 cells wide: month, day and
// time in the current year ("01-08 11:23"), the date with its year in any
// other ("2020-01-08"), or "—" when unset.
func (c *Context) Short(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if !c.ThisYear(t) {
		return t.In(c.Loc).Format("2006-01-02")
	}
	return t.In(c.Loc).Format("01-02 15:04")
}

// ThisYear reports whether t falls in the current year, China time.
func (c *Context) ThisYear(t time.Time) bool {
	return t.In(c.Loc).Year() == c.Now().In(c.Loc).Year()
}

// Full formats t with the year, in China time, or "—" when unset.
func (c *Context) Full(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.Loc).Format("2006-01-02 15:04")
}

// Elapsed is a duration the way an officer reads a ticket's age, compact
// enough to fit its column whole (at most 8 cells, under a century): "35分",
// "3时12分", "2天3时"; from 100 days the days alone, "364天"; from a year
// of 365 days, years and months of 30 days, "6年11月" for 2521 days.
// Anything under a minute, or negative, is "0分".
func Elapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	mins := int64(d / time.Minute)
	const day = 24 * 60
	switch days := mins / day; {
	case mins < 60:
		return fmt.Sprintf("%d分", mins)
	case mins < day:
		return fmt.Sprintf("%d时%d分", mins/60, mins%60)
	case days < 100:
		return fmt.Sprintf("%d天%d时", days, mins%day/60)
	case days < 365:
		return fmt.Sprintf("%d天", days)
	default:
		return fmt.Sprintf("%d年%d月", days/365, min(days%365/30, 11))
	}
}

// Ago is how long before now t was, for the status bar: "12秒前", "3分前",
// "2时前", "5天前".
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d秒前", max(int(d/time.Second), 0))
	case d < time.Hour:
		return fmt.Sprintf("%d分前", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d时前", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d天前", int(d/(24*time.Hour)))
	}
}

// Bytes is a traffic count: "340B", "1.2K", "3.4M", "1.1G".
func Bytes(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%dB", n)
	case n < k*k:
		return fmt.Sprintf("%.1fK", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1fM", float64(n)/(k*k))
	default:
		return fmt.Sprintf("%.1fG", float64(n)/(k*k*k))
	}
}

// Refusal is the Chinese reason of a state-machine refusal, without the
// English sentinel text it wraps.
func Refusal(err error) string {
	msg := err.Error()
	if errors.Is(err, complaint.ErrNotAllowed) {
		msg = strings.TrimPrefix(msg, complaint.ErrNotAllowed.Error()+": ")
	}
	return msg
}

// Projected is the ticket as it will be once the actions still waiting in
// its outbox reach the platform, so that an officer who signed offline may
// reply at once. Actions the state machine refuses are skipped here: the
// platform will refuse them too, and the detail page shows them.
func Projected(t complaint.Ticket, outbox []store.OutboxItem, u complaint.User, now time.Time) complaint.Ticket {
	// The outbox lists newest first; actions apply oldest first.
	for i := len(outbox) - 1; i >= 0; i-- {
		it := outbox[i]
		if it.Status != store.StatusPending {
			continue
		}
		if next, _, err := complaint.Apply(t, u, it.Action, now); err == nil {
			t = next
		}
	}
	return t
}

// OpenTicketMsg asks the root to show a ticket's page.
type OpenTicketMsg struct{ Number string }

// BackMsg asks the root to go back one screen.
type BackMsg struct{}

// OpenAlertsMsg asks the root to show 提醒, on its delivery log
// (通知发送记录) when Log is set.
type OpenAlertsMsg struct{ Log bool }

// NoticeMsg asks the root to show a transient message in the status bar.
type NoticeMsg struct {
	Text string
	Err  bool
}

// EnqueuedMsg tells the root an action is in the outbox: the counts and the
// ticket's page are stale. Attached counts the files queued before it,
// which it waits for.
type EnqueuedMsg struct {
	Action   complaint.Action
	Attached int
}

// Send is a Cmd that delivers msg.
func Send(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return msg }
}

// Notice is a Cmd that shows text in the status bar.
func Notice(text string) tea.Cmd { return Send(NoticeMsg{Text: text}) }

// NoticeErr is a Cmd that shows an error in the status bar.
func NoticeErr(text string) tea.Cmd { return Send(NoticeMsg{Text: text, Err: true}) }

// RefusedMsg tells that an action was not put in the outbox: the state
// machine refused it, or the store failed. Reason is shown as it is.
type RefusedMsg struct {
	Action complaint.Action
	Reason string
}

// Act checks a against the stored ticket as it will be once the actions
// already waiting are sent, then puts it in the outbox, runs then (say,
// forgetting the draft it came from) and wakes the sender. The result is an
// EnqueuedMsg or a RefusedMsg.
func (c *Context) Act(a complaint.Action, then func(ctx context.Context) error) tea.Cmd {
	return c.ActWith(a, nil, "", then)
}

// ActWith is Act for an action that files go with (a reply and its
// statement): each file is attached as part first, so that the action
// waits in the outbox until they are on the platform. A file that cannot
// be attached refuses the whole, and nothing is queued.
func (c *Context) ActWith(a complaint.Action, files []string, part complaint.Part, then func(ctx context.Context) error) tea.Cmd {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = c.Now()
	}
	return c.queue(a, files, part, then, func(ctx context.Context, st Store, _ complaint.Ticket, a complaint.Action) (complaint.Action, error) {
		return st.Enqueue(ctx, a)
	})
}

// queue is what ActWith and ReplaceWith share: check a against the ticket as the
// outbox will leave it, attach the files, save it with save, run then and
// wake the sender.
func (c *Context) queue(a complaint.Action, files []string, part complaint.Part, then func(ctx context.Context) error,
	save func(ctx context.Context, st Store, t complaint.Ticket, a complaint.Action) (complaint.Action, error)) tea.Cmd {
	st, ctx, user, now, kick := c.Store, c.Bg(), c.User, c.Now(), c.Kick
	return func() tea.Msg {
		refuse := func(reason string) tea.Msg { return RefusedMsg{Action: a, Reason: reason} }
		t, err := st.Ticket(ctx, a.Ticket)
		if err != nil {
			return refuse("读取工单失败：" + err.Error())
		}
		out, err := st.Outbox(ctx, a.Ticket)
		if err != nil {
			return refuse("读取待发送失败：" + err.Error())
		}
		if err := complaint.Check(Projected(t, out, user, now), user, a); err != nil {
			return refuse(Refusal(err))
		}
		if err := CheckFiles(files); err != nil {
			return refuse(err.Error())
		}
		// The files go on the ticket as it is cached now, whatever
		// version the action was written against.
		ids, err := attachAll(ctx, st, a.Ticket, t.Version, part, files)
		if err != nil {
			return refuse(err.Error())
		}
		stored, err := save(ctx, st, t, a)
		if err != nil {
			withdraw(ctx, st, ids)
			return refuse(a.Kind.Label() + "未能保存：" + err.Error())
		}
		if then != nil {
			// The action is safe on disk; a failure here loses nothing.
			_ = then(ctx)
		}
		if kick != nil {
			kick()
		}
		return EnqueuedMsg{Action: stored, Attached: len(ids)}
	}
}
