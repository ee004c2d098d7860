// Package tui is the terminal's full-screen interface: the ticket lists, a
// ticket's page, the form of every action, help, the terminal settings, the
// print preview and printer chooser, 投诉查询 (search), 部门查询
// (directory), the two statistics screens (投诉办理情况统计,
// 本部门督办情况统计), 提醒 (the user's alerts, and the unit's delivery log), and
// the status bar. It draws only from the local store and never touches the
// network; what the background link does reaches it as messages (SyncedMsg,
// SyncProgressMsg, OutboxMsg, UploadMsg, AlertMsg, LinkMsg) sent into the
// program, and every store call runs as a command whose result comes back
// as a message. What it does with attachments — download, open, play — and
// how it reads the delivery log it is given as functions in Options.
package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/calendar"
	"hotline/complaint"
	"hotline/print"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/statusbar"
	"hotline/tui/keys"
	alertspage "hotline/tui/pages/alerts"
	"hotline/tui/pages/detail"
	"hotline/tui/pages/directory"
	"hotline/tui/pages/form"
	helppage "hotline/tui/pages/help"
	"hotline/tui/pages/list"
	"hotline/tui/pages/printing"
	"hotline/tui/pages/search"
	"hotline/tui/pages/settings"
	"hotline/tui/pages/stats"
	"hotline/tui/theme"
)

// Options is what the program is started with.
type Options struct {
	Store *store.Store
	User  complaint.User
	Unit  complaint.Unit // the user's unit; its Policy sets the deadlines
	// Units is the unit tree (sub-units to assign to, units to dispatch
	// to) and People its users (handlers to name), as last fetched from
	// the platform; either may be empty offline on a first start.
	Units  []complaint.Unit
	People []complaint.User
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Kick is called after an action is enqueued, to wake the sender. It
	// runs in a command's goroutine, so it must not block. It may be nil.
	Kick func()
	// Status is a snapshot for the status bar, called from a command (in
	// its own goroutine) at start and every second after, never from View.
	// It may be nil.
	Status func() Status
	// Link reads the tunnel for the settings screen. It is called from a
	// command (in its own goroutine) while the screen is open, about once
	// a second, never from View. It may be nil.
	Link func() Link
	// Printer prints the record sheets; nil leaves printing off (the
	// preview still shows). Font finds the sheet's font, called from a
	// command; nil looks for one where fonts are usually installed.
	// PrinterName is the printer of the settings, "" for CUPS's default.
	Printer     app.Printer
	Font        func() (*print.Font, error)
	PrinterName string
	// Keys is the key map as the settings rebound it (keys.Rebind); the
	// zero Map is keys.Default().
	Keys keys.Map
	// Theme is the palette; "" is theme.Dark. NO_COLOR wins over it.
	Theme theme.Name
	// Bell rings the terminal's bell once for each sync that brings new
	// tickets, and once for each AlertMsg.
	Bell bool
	// Mouse lets the wheel scroll and a click pick a row of the lists (a
	// click on the row picked opens it). Terminals then select text only
	// with shift held.
	Mouse bool
	// Remote searches the platform for 投诉查询 (see app.Context.Remote);
	// nil where there is none. It is called from a command.
	Remote func(ctx context.Context, query string, f store.Filter) ([]complaint.Ticket, error)
	// Calendar is the working-day calendar the statistics screens count
	// in; without one they say so instead of showing figures. Weights
	// weigh their score (the settings' [score]); the zero Weights are
	// complaint.DefaultWeights.
	Calendar *calendar.Calendar
	Weights  complaint.Weights
	// Fetch downloads an attachment of ticket number into the cache (or
	// finds it there) and returns its path, telling progress the bytes
	// got; it is called from a command. nil: there is no platform to
	// download from, which the ticket's page says.
	Fetch func(ctx context.Context, number string, a complaint.Attachment, progress func(got int64)) (path string, err error)
	// Open opens a file in the system's viewer, without waiting for it;
	// Play starts playing an audio file of a MIME type, its error in
	// Chinese for the officer (no player, or one that cannot play the
	// type, and the setting to change). Both are called from commands; nil
	// leaves them off, which the page says.
	Open func(path string) error
	Play func(path, mime string) (Playback, error)
	// SaveDir is where copies of attachments are saved by default; ""
	// is ~/下载 or ~/Downloads, whichever exists, else the home folder.
	SaveDir string
	// Deliveries reads the unit's delivery log of [from, to) from the
	// platform for 通知发送记录, its error in Chinese (offline, not
	// allowed); it is called from a command. nil: there is no platform,
	// which the page says.
	Deliveries func(ctx context.Context, from, to time.Time) (DeliveryLog, error)
}

// Playback is a recording playing, as Options.Play starts it.
type Playback = app.Playback

// UploadMsg tells how far a file being attached has got (see
// app.UploadMsg); the link's upload events become it.
type UploadMsg = app.UploadMsg

// Link is the tunnel as the settings screen shows it.
type Link struct {
	Tunnel     bool   // false: this terminal reaches the platform without a tunnel of its own (behind a site gateway); then only Platform is meaningful
	State      string // one-glance state in Chinese: "已连接", "正在连接", "正在恢复", "无法连接", ...
	Platform   string // the API URL
	PublicKey  string // this terminal's public key (base64)
	Address    string // this terminal's tunnel address(es), e.g. "10.77.0.2/24"
	ListenPort int
	MTU        int
	Endpoint   string    // the platform's endpoint as configured: host:port
	EndpointIP string    // the address it resolved to and packets go to now; "" before resolving
	ResolvedAt time.Time // zero: not resolved yet
	// The handshake steps, each zero until it happened:
	InitiationAt time.Time   // last handshake initiation sent
	Initiations  int         // initiations sent since the last answered one (retries)
	ResponseAt   time.Time   // last handshake response received
	DataAt       time.Time   // last data received from the platform
	Handshake    time.Time   // last completed handshake
	Rx, Tx       int64       // bytes
	Keepalive    int         // PersistentKeepalive seconds, 0: off
	Errors       []LinkError // newest last, at most 8
}

// LinkError is one recent fault of the tunnel, already in plain Chinese.
type LinkError struct {
	At   time.Time
	Text string
}

// page is the link as the settings page takes it.
func (l Link) page() settings.Link {
	out := settings.Link{
		Tunnel: l.Tunnel, State: l.State, Platform: l.Platform, PublicKey: l.PublicKey, Address: l.Address,
		ListenPort: l.ListenPort, MTU: l.MTU, Endpoint: l.Endpoint, EndpointIP: l.EndpointIP, ResolvedAt: l.ResolvedAt,
		InitiationAt: l.InitiationAt, Initiations: l.Initiations, ResponseAt: l.ResponseAt, DataAt: l.DataAt,
		Handshake: l.Handshake, Rx: l.Rx, Tx: l.Tx, Keepalive: l.Keepalive,
	}
	for _, e := range l.Errors {
		out.Errors = append(out.Errors, settings.LinkError{At: e.At, Text: e.Text})
	}
	return out
}

// Status is the link's state as the status bar shows it.
type Status struct {
	Tunnel    string // e.g. "已连接" / "未连接"
	Handshake time.Time
	RxBytes   int64
	TxBytes   int64
	Online    bool
	LastSync  time.Time
	LastError string
}

// SyncedMsg tells that a sync round stored changes; New are the numbers of
// tickets not seen before.
type SyncedMsg struct {
	New []string
	At  time.Time
}

// OutboxMsg tells that an action of the ticket was sent, or refused with
// Reason.
type OutboxMsg struct {
	Ticket  string
	Refused bool
	Reason  string
}

// DirectoryMsg brings the unit tree and its people as the platform now
// has them, replacing Options.Units and Options.People.
type DirectoryMsg struct {
	Units  []complaint.Unit
	People []complaint.User
}

// LinkMsg tells that the link to the platform came up or went down.
type LinkMsg struct {
	Online bool
	Err    string
	// Stopped: the link will not come back by itself (the platform
	// refuses this terminal, or wants a new login). Err stays in the
	// status bar until the program ends.
	Stopped bool
}

// MinWidth and MinHeight are the smallest terminal the screens are laid out
// for.
const (
	MinWidth  = 80
	MinHeight = 24
)

// NoticeTime is how long a transient message stays in the status bar.
const NoticeTime = 6 * time.Second

type screen int

const (
	screenList screen = iota
	screenDetail
	screenForm
	screenHelp
	screenSettings
	screenPrint
	screenSearch    // 投诉查询, key 4 of the menu
	screenDirectory // 部门查询, key 5
	screenStats     // 投诉办理情况统计 (key 6) or 本部门督办情况统计 (key 7)
	screenAlerts    // 提醒 and 通知发送记录
)

// The menu's entries on the tabs' line, counted from 0: the three lists,
// then the screens of keys 4 to 7.
const (
	menuSearch    = 3
	menuDirectory = 4
	menuStats     = 5
	menuOversight = 6
)

// Model is the root model: it owns the shared context, routes messages to
// the pages and draws the hint line and the status bar under them.
type Model struct {
	ctx      *app.Context
	statusFn func() Status
	linkFn   func() Link

	list      *list.Model
	detail    *detail.Model
	form      *form.Model
	help      *helppage.Model
	settings  *settings.Model // while the settings screen is open
	printing  *printing.Model // while the print preview is open
	screen    screen
	back      screen // where help returns to
	from      screen // where the settings screen returns to
	printFrom screen // where the print preview returns to
	// detailFrom is where a ticket's page returns to: the lists or the
	// search.
	detailFrom screen
	// search and directory are kept once opened: the question asked and
	// the unit chosen are there again on coming back.
	search    *search.Model
	directory *directory.Model
	stats     *stats.Model // while a statistics screen is open
	// alerts is kept while a ticket opened from it is shown, which
	// returns to it; alertsFrom is where it returns to.
	alerts     *alertspage.Model
	alertsFrom screen
	deliveries alertspage.Source

	status    Status
	pending   int
	near      int // tickets near their step's deadline
	overdue   int // tickets past it
	unseen    int // alerts not seen yet
	countedAt time.Time
	notice    string
	noticeErr bool
	noticeSeq int
	// noticeKeep lets the notice outlive the next change of screen: the
	// one that tells a form's action was saved, as the form closes.
	noticeKeep bool
	bar        statusbar.Model
	// stopped says why the link stopped for good; it shows in the status
	// bar whenever no notice does.
	stopped string
	sync    syncState // a long sync's progress (syncprogress.go)

	// queue holds keys and pastes that came while the screen could not take
	// them: its data not read yet, or another screen asked for and not yet
	// shown. They are replayed, in order, as soon as it can.
	queue []tea.Msg
	// quitting blanks the screen for the last frame, so that nothing of
	// it is left behind (see View).
	quitting bool

	theme theme.Name // Auto: the styles follow the terminal's answer
	bell  bool
	mouse bool
}

// New builds the root model.
func New(opts Options) *Model {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	km := opts.Keys
	if len(km.Global.ForceQuit.Keys()) == 0 {
		km = keys.Default()
	}
	ctx := &app.Context{
		Width:       MinWidth,
		Height:      MinHeight,
		Styles:      theme.For(opts.Theme, true),
		Keys:        km,
		User:        opts.User,
		Unit:        opts.Unit,
		Units:       opts.Units,
		People:      opts.People,
		Now:         now,
		Loc:         app.Shanghai(),
		Kick:        opts.Kick,
		Printer:     opts.Printer,
		Font:        opts.Font,
		PrinterName: opts.PrinterName,
		Remote:      opts.Remote,
		Weights:     opts.Weights,
		Fetch:       opts.Fetch,
		Open:        opts.Open,
		SaveDir:     saveDir(opts.SaveDir),
		After: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
	}
	if opts.Store != nil {
		ctx.Store = opts.Store
	}
	if opts.Calendar != nil {
		// Not a nil *calendar.Calendar in the interface: it would pass
		// for a calendar and fail only when the figures are computed.
		ctx.Calendar = opts.Calendar
	}
	if opts.Play != nil {
		ctx.Play = opts.Play
	}
	m := newModel(ctx, opts.Status)
	m.linkFn = opts.Link
	if opts.Deliveries != nil {
		m.deliveries = opts.Deliveries
	}
	m.theme, m.bell, m.mouse = opts.Theme, opts.Bell, opts.Mouse
	return m
}

// saveDir is dir, or where a desktop keeps downloads: ~/下载 (a Chinese
// desktop's) or ~/Downloads, whichever exists, else the home folder.
func saveDir(dir string) string {
	if dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	for _, d := range []string{"下载", "Downloads"} {
		if fi, err := os.Stat(filepath.Join(home, d)); err == nil && fi.IsDir() {
			return filepath.Join(home, d)
		}
	}
	return home
}

func newModel(ctx *app.Context, status func() Status) *Model {
	m := &Model{ctx: ctx, statusFn: status}
	m.list = list.New(ctx)
	m.help = helppage.New(ctx)
	m.bar = statusbar.New(&ctx.Styles)
	m.resize()
	return m
}

// Messages of the root's own timers and commands.
type (
	tickMsg        struct{}
	statusMsg      Status
	linkMsg        Link
	pendingMsg     struct{ n int }
	dueMsg         struct{ near, overdue int }
	clearNoticeMsg struct{ seq int }
)

// Init reads the lists and starts the status clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.list.Load(), m.loadPending(), m.loadDue(), m.loadUnseen(), m.pollStatus(), m.ctx.After(time.Second, tickMsg{}), m.askBackground())
}

// loadDue counts the tickets near or past their deadline, for the status
// bar.
func (m *Model) loadDue() tea.Cmd {
	st, ctx, now, p := m.ctx.Store, m.ctx.Bg(), m.ctx.Now(), m.ctx.Policy()
	m.countedAt = now
	return func() tea.Msg {
		near, overdue, err := st.DueCounts(ctx, now, p)
		if err != nil {
			return app.NoticeMsg{Text: "统计时限失败：" + err.Error(), Err: true}
		}
		return dueMsg{near, overdue}
	}
}

func (m *Model) loadPending() tea.Cmd {
	st, ctx := m.ctx.Store, m.ctx.Bg()
	return func() tea.Msg {
		n, err := st.PendingCount(ctx)
		if err != nil {
			return app.NoticeMsg{Text: "读取待发送失败：" + err.Error(), Err: true}
		}
		return pendingMsg{n}
	}
}

func (m *Model) pollStatus() tea.Cmd {
	if m.statusFn == nil {
		return nil
	}
	fn := m.statusFn
	return func() tea.Msg { return statusMsg(fn()) }
}

// pollLink reads the tunnel for the settings screen, while it is shown.
func (m *Model) pollLink() tea.Cmd {
	if m.linkFn == nil || m.screen != screenSettings {
		return nil
	}
	fn := m.linkFn
	return func() tea.Msg { return linkMsg(fn()) }
}

// Update routes a message: keys to the screen shown, everything else to
// every page, which ignore what is not theirs. Keys that come before the
// screen can take them wait in the queue and are replayed after the message
// that makes it ready.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.update(msg)
	if replay := m.replay(); replay != nil {
		cmd = tea.Batch(cmd, replay)
	}
	return m, cmd
}

// ready reports whether the screen shown can take keys now.
func (m *Model) ready() bool {
	switch {
	case m.quitting || m.tooSmall():
		return true
	case m.ctx.Navigating():
		return false
	}
	switch m.screen {
	case screenList:
		return m.list.Ready()
	case screenDetail:
		return m.detail.Ready()
	case screenForm:
		return m.form.Ready()
	case screenPrint:
		return m.printing.Ready()
	case screenStats:
		return m.stats.Ready()
	case screenAlerts:
		return m.alerts.Ready()
	}
	return true
}

// replay gives the waiting keys to the screen, in order, while it can take
// them: a key that opens another screen makes the rest wait for it.
func (m *Model) replay() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.queue) > 0 && m.ready() {
		msg := m.queue[0]
		m.queue = m.queue[1:]
		cmds = append(cmds, m.input(msg))
	}
	return tea.Batch(cmds...)
}

// input handles a key or a paste when the screen can take it.
func (m *Model) input(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.screen == screenForm && !m.tooSmall() {
			return m.form.Update(msg)
		}
		if m.screen == screenList && !m.tooSmall() {
			return m.list.Update(msg)
		}
		if m.screen == screenSearch && !m.tooSmall() {
			return m.search.Update(msg)
		}
		if m.screen == screenStats && !m.tooSmall() {
			return m.stats.Update(msg)
		}
		if m.screen == screenDetail && !m.tooSmall() && m.detail.Typing() {
			return m.detail.Update(msg)
		}
	}
	return nil
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.background(msg.IsDark())
		return m, nil
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return m, m.mouseInput(msg.(tea.MouseMsg))
	case tea.KeyPressMsg:
		if key.Matches(msg, m.ctx.Keys.Global.ForceQuit) {
			return m, m.quit()
		}
		if len(m.queue) > 0 || !m.ready() {
			m.queue = append(m.queue, msg)
			return m, nil
		}
		return m, m.input(msg)
	case tea.PasteMsg:
		if len(m.queue) > 0 || !m.ready() {
			m.queue = append(m.queue, msg)
			return m, nil
		}
		return m, m.input(msg)
	case tickMsg:
		// The outbox is read each second too: another hotline process of
		// this terminal (a command in another shell) may add to it.
		cmds := []tea.Cmd{m.pollStatus(), m.pollLink(), m.loadPending(), m.list.Update(list.TickMsg{}), m.ctx.After(time.Second, tickMsg{})}
		// Tickets cross into near and overdue as the clock moves; the
		// counts follow it by the minute.
		if now := m.ctx.Now(); now.Truncate(time.Minute) != m.countedAt.Truncate(time.Minute) {
			cmds = append(cmds, m.loadDue())
		}
		return m, tea.Batch(cmds...)
	case statusMsg:
		m.status = Status(msg)
		return m, nil
	case linkMsg:
		// A reading that comes back after the screen closed is dropped.
		if m.settings != nil {
			m.settings.SetLink(Link(msg).page())
		}
		return m, nil
	case pendingMsg:
		m.pending = msg.n
		return m, nil
	case dueMsg:
		m.near, m.overdue = msg.near, msg.overdue
		return m, nil
	case unseenMsg:
		m.unseen = msg.n
		return m, nil
	case AlertMsg:
		return m, m.alerted(msg)
	case alertspage.LoadedMsg:
		// Showing them marked them seen.
		return m, tea.Batch(m.forward(msg), m.loadUnseen())
	case app.OpenAlertsMsg:
		m.ctx.Arrived()
		v := alertspage.List
		if msg.Log {
			v = alertspage.Log
		}
		return m, m.openAlerts(v)
	case app.NoticeMsg:
		return m, m.setNotice(msg.Text, msg.Err)
	case clearNoticeMsg:
		if msg.seq == m.noticeSeq {
			m.notice = ""
		}
		return m, nil
	case app.OpenTicketMsg:
		m.ctx.Arrived()
		m.list.Seen(msg.Number)
		if m.screen != screenDetail {
			m.detailFrom = screenList
			if m.screen == screenSearch || m.screen == screenAlerts {
				m.detailFrom = m.screen
			}
		}
		var stop tea.Cmd
		if m.detail != nil {
			stop = m.detail.Close()
		}
		m.detail = detail.New(m.ctx, msg.Number)
		m.show(screenDetail)
		m.resize()
		return m, tea.Batch(stop, m.detail.Load())
	case app.OpenFormMsg:
		m.ctx.Arrived()
		m.form = form.New(m.ctx, msg.Form, msg.Ticket, msg.Item)
		m.show(screenForm)
		m.resize()
		return m, m.form.Init()
	case app.OpenPrintMsg:
		m.ctx.Arrived()
		if len(msg.Numbers) == 0 {
			return m, m.setNotice(msg.Why, msg.Err)
		}
		m.printFrom = m.screen
		m.printing = printing.New(m.ctx, msg.Numbers, msg.Title)
		m.show(screenPrint)
		m.resize()
		return m, m.printing.Load()
	case printing.JobMsg:
		// The job is followed to its end whether or not its screen is
		// still open.
		if m.printing != nil {
			m.printing.Update(msg)
		}
		return m, msg.Next()
	case printing.JobDoneMsg:
		if m.printing != nil {
			m.printing.Update(msg)
		}
		text, failed := msg.Outcome()
		if !failed {
			m.list.Unpick(msg.Numbers...)
		}
		return m, m.setNotice(text, failed)
	case printing.ShownMsg:
		if m.printing != nil {
			m.printing.Update(msg)
		}
		text, failed := msg.Notice()
		return m, m.setNotice(text, failed)
	case app.BackMsg:
		m.ctx.Arrived()
		var stop tea.Cmd
		if m.screen == screenDetail {
			// A recording playing stops with the page it was started from.
			stop = m.detail.Close()
		}
		m.goBack()
		if m.screen == screenAlerts {
			// Back from a ticket: what came meanwhile is shown, and seen.
			stop = tea.Batch(stop, m.alerts.Load())
		}
		return m, stop
	case app.EnqueuedMsg:
		what := msg.Action.Kind.Label()
		if msg.Attached > 0 {
			what += fmt.Sprintf("及 %d 个附件", msg.Attached)
		}
		cmds := []tea.Cmd{
			m.setNotice(fmt.Sprintf("%s已保存，等待发送（工单 %s）", what, cells.Line(msg.Action.Ticket)), false),
			m.loadPending(), m.reloadDetail(msg.Action.Ticket), m.list.Load(), m.loadDue(), m.forward(msg), m.reloadMenu(),
		}
		// A form closes on its action saved: the notice says so on the
		// ticket's page it returns to.
		m.noticeKeep = m.screen == screenForm
		return m, tea.Batch(cmds...)
	case app.RefusedMsg:
		return m, tea.Batch(m.setNotice(msg.Reason, true), m.forward(msg))
	case app.DownloadedMsg:
		return m, m.downloaded(msg)
	case app.AttachedMsg:
		text := fmt.Sprintf("已添加 %d 个附件，等待上传（工单 %s）", len(msg.Names), cells.Line(msg.Ticket))
		if len(msg.Names) == 1 {
			text = fmt.Sprintf("已添加附件“%s”，等待上传（工单 %s）", cells.Line(msg.Names[0]), cells.Line(msg.Ticket))
		}
		return m, tea.Batch(m.setNotice(text, false), m.loadPending(), m.reloadDetail(msg.Ticket))
	case UploadMsg:
		cmds := []tea.Cmd{m.forward(msg)}
		switch msg.State {
		case store.UploadDone:
			// Its attach action may go now: the outbox and the page
			// change.
			cmds = append(cmds, m.loadPending(), m.reloadDetail(msg.Ticket))
		case store.UploadFailed:
			cmds = append(cmds, m.loadPending(), m.reloadDetail(msg.Ticket),
				m.setNotice(fmt.Sprintf("附件“%s”上传失败：%s", cells.Line(msg.Name), cells.Line(msg.Err)), true))
		}
		return m, tea.Batch(cmds...)
	case SyncProgressMsg, progressLoadedMsg:
		return m, m.syncProgress(msg)
	case SyncedMsg:
		m.sync.endSync()
		m.status.LastSync = msg.At
		m.list.MarkNew(msg.New)
		cmds := []tea.Cmd{m.list.Load(), m.loadPending(), m.loadDue(), m.reloadMenu()}
		if m.detail != nil {
			cmds = append(cmds, m.detail.Load())
		}
		if m.stats != nil {
			// The figures stay on screen while they are computed again.
			cmds = append(cmds, m.stats.Refresh())
		}
		if len(msg.New) > 0 {
			cmds = append(cmds, m.setNotice(fmt.Sprintf("收到新工单 %d 件", len(msg.New)), false), m.ring())
		}
		return m, tea.Batch(cmds...)
	case OutboxMsg:
		cmds := []tea.Cmd{m.loadPending(), m.reloadDetail(msg.Ticket), m.list.Load(), m.loadDue()}
		if msg.Refused {
			cmds = append(cmds, m.setNotice(fmt.Sprintf("工单 %s 的操作被退回：%s", cells.Line(msg.Ticket), msg.Reason), true))
		} else {
			cmds = append(cmds, m.setNotice(fmt.Sprintf("工单 %s 的操作已发送", cells.Line(msg.Ticket)), false))
		}
		return m, tea.Batch(cmds...)
	case DirectoryMsg:
		m.ctx.Units, m.ctx.People = msg.Units, msg.People
		if m.directory != nil {
			m.directory.Rebuild()
		}
		if m.detail != nil {
			return m, m.detail.Load()
		}
		return m, nil
	case LinkMsg:
		if !msg.Online || msg.Err != "" {
			m.sync.endSync() // the next page, if any, shows it again
		}
		was := m.status.Online
		m.status.Online = msg.Online
		m.status.LastError = msg.Err
		if msg.Stopped {
			m.stopped = msg.Err
			return m, m.setNotice(msg.Err, true)
		}
		switch {
		case msg.Online && !was:
			return m, m.setNotice("已连接平台", false)
		case !msg.Online && was:
			text := "与平台的连接已断开，操作将在恢复后发送"
			if msg.Err != "" {
				text += "：" + msg.Err
			}
			return m, m.setNotice(text, true)
		}
		return m, nil
	}
	return m, m.forward(msg)
}

// forward gives a message to every open page.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	cmds := []tea.Cmd{m.list.Update(msg)}
	if m.detail != nil {
		cmds = append(cmds, m.detail.Update(msg))
	}
	if m.form != nil {
		cmds = append(cmds, m.form.Update(msg))
	}
	if m.printing != nil {
		cmds = append(cmds, m.printing.Update(msg))
	}
	if m.search != nil {
		cmds = append(cmds, m.search.Update(msg))
	}
	if m.directory != nil {
		cmds = append(cmds, m.directory.Update(msg))
	}
	if m.stats != nil {
		// Its figures and its exports come back through here.
		cmds = append(cmds, m.stats.Update(msg))
	}
	if m.alerts != nil {
		cmds = append(cmds, m.alerts.Update(msg))
	}
	return tea.Batch(cmds...)
}

// reloadMenu reads again what the search and the directory show from the
// cache, when they are open: it changed.
func (m *Model) reloadMenu() tea.Cmd {
	var cmds []tea.Cmd
	if m.search != nil && m.screen == screenSearch {
		cmds = append(cmds, m.search.Refresh())
	}
	if m.directory != nil && m.screen == screenDirectory {
		cmds = append(cmds, m.directory.Load())
	}
	return tea.Batch(cmds...)
}

// openSearch shows 投诉查询 as it was left, its question asked again of
// the cache.
func (m *Model) openSearch() tea.Cmd {
	if m.search == nil {
		m.search = search.New(m.ctx)
	}
	m.show(screenSearch)
	m.resize()
	return m.search.Refresh()
}

// openDirectory shows 部门查询 and counts the units' load.
func (m *Model) openDirectory() tea.Cmd {
	if m.directory == nil {
		m.directory = directory.New(m.ctx)
	}
	m.show(screenDirectory)
	m.resize()
	return m.directory.Load()
}

// openStats shows a statistics screen and starts computing its figures;
// the one shown before, if any, stops computing.
func (m *Model) openStats(p *stats.Model) tea.Cmd {
	if m.stats != nil {
		m.stats.Close()
	}
	p.SetKeys(m.ctx.Keys.Stats)
	m.stats = p
	m.show(screenStats)
	m.resize()
	return p.Init()
}

// menu opens the screen of a menu key (4 to 7) pressed on a screen of the
// menu, or shows the lists for a list's key: it reports false for any
// other key.
func (m *Model) menu(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.ctx.Keys.List
	switch {
	case key.Matches(msg, k.Tab4):
		if m.screen == screenSearch {
			return nil, true
		}
		return m.openSearch(), true
	case key.Matches(msg, k.Tab5):
		if m.screen == screenDirectory {
			return nil, true
		}
		return m.openDirectory(), true
	case key.Matches(msg, k.Tab6):
		if m.screen == screenStats && m.stats.Kind() == stats.Handling {
			return nil, true
		}
		return m.openStats(stats.New(m.ctx)), true
	case key.Matches(msg, k.Tab7):
		if m.screen == screenStats && m.stats.Kind() == stats.Supervision {
			return nil, true
		}
		return m.openStats(stats.NewOversight(m.ctx)), true
	case m.screen != screenList && key.Matches(msg, k.Tab1, k.Tab2, k.Tab3, k.NextTab):
		m.show(screenList)
		return m.list.Update(msg), true
	}
	return nil, false
}

func (m *Model) reloadDetail(number string) tea.Cmd {
	if m.detail == nil || m.detail.Number() != number {
		return nil
	}
	return m.detail.Load()
}

// setNotice shows a transient message in the status bar until NoticeTime
// has passed, another message replaces it, or the screen changes.
func (m *Model) setNotice(text string, isErr bool) tea.Cmd {
	m.noticeSeq++
	m.notice, m.noticeErr, m.noticeKeep = text, isErr, false
	return m.ctx.After(NoticeTime, clearNoticeMsg{m.noticeSeq})
}

// show changes the screen. The notice belonged to the screen left (a
// refusal of its keys, say) and goes with it, unless it was kept for the
// new one.
func (m *Model) show(s screen) {
	if m.screen == s {
		return
	}
	if m.screen == screenStats && s != screenHelp && s != screenAlerts {
		// A statistics screen left for another is done with: nothing
		// computes for it in the background. Help comes back to it, and
		// so does the delivery log opened from it.
		m.stats.Close()
		m.stats = nil
	}
	m.screen = s
	if m.noticeKeep {
		m.noticeKeep = false
		return
	}
	m.notice = ""
}

func (m *Model) goBack() {
	switch m.screen {
	case screenHelp:
		m.show(m.back)
	case screenForm:
		m.form = nil
		if m.detail == nil {
			m.show(screenList)
		} else {
			m.show(screenDetail)
		}
	case screenDetail:
		m.detail = nil
		m.show(m.detailFrom)
	case screenSearch, screenDirectory, screenStats:
		m.show(screenList)
	case screenAlerts:
		m.show(m.alertsBack())
		m.alerts = nil
	case screenSettings:
		m.settings = nil
		m.show(m.from)
	case screenPrint:
		m.printing = nil
		m.show(m.printFrom)
	}
}

// openSettings shows the terminal settings and reads the tunnel at once;
// the clock reads it again every second while the screen is shown.
func (m *Model) openSettings() tea.Cmd {
	m.from = m.screen
	m.settings = settings.New(m.ctx, m.linkFn != nil)
	m.show(screenSettings)
	m.resize()
	return m.pollLink()
}

// downloaded takes the end of a download: the ticket's page on screen
// that waits for it opens, plays or saves the file; where no page does any
// more (it was left, or is under another screen), the status bar says the
// file came, or why it did not.
func (m *Model) downloaded(msg app.DownloadedMsg) tea.Cmd {
	m.ctx.Downloaded(msg.D)
	if m.detail != nil {
		if cmd, ok := m.detail.Downloaded(msg, m.screen == screenDetail); ok {
			return cmd
		}
	}
	name := cells.Line(msg.D.Att.Name)
	if msg.Err != nil {
		return m.setNotice("下载附件“"+name+"”失败："+msg.Err.Error(), true)
	}
	return m.setNotice("已下载“"+name+"”", false)
}

// Flush saves at once what the screens hold and have not saved yet: the
// drafts of the form open, typed since the last save (drafts are saved a
// moment after the typing stops). quit calls it, and so must whoever ran
// the program, after it ended: a signal, or its context, ends it without
// another Update. Call it from Update, or once the program has ended.
func (m *Model) Flush() error {
	if m.form == nil {
		return nil
	}
	return m.form.SaveNow()
}

// quit ends the program. The last frame is blank: the terminal restores
// the screen from before the program on leaving the alternate screen, but
// tmux (3.2 and later) copies rows of the alternate screen back into the
// normal one when the window was resized meanwhile, and blank rows leave
// nothing behind.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.queue = nil
	// Nothing typed is lost: the draft waiting for the typing to pause is
	// saved now, before the program ends (a command might not run). On a
	// failure the caller's Flush after the program tries again and says
	// so.
	_ = m.Flush()
	if m.detail != nil {
		// The player is a process of its own: it would play on after
		// the program. Stopping it here, not in a command, makes sure it
		// is done before the program ends.
		if stop := m.detail.Close(); stop != nil {
			stop()
		}
	}
	return tea.Quit
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	g := m.ctx.Keys.Global
	if key.Matches(msg, g.ForceQuit) {
		return m.quit()
	}
	if m.tooSmall() {
		if key.Matches(msg, m.ctx.Keys.List.Quit) {
			return m.quit()
		}
		return nil
	}
	// The lists' filter line takes every key but force quit: q, ? and S
	// are text there.
	if m.screen == screenList && m.list.Typing() {
		return m.list.Update(msg)
	}
	// So does a statistics screen's dates' line.
	if m.screen == screenStats && m.stats.Typing() {
		return m.stats.Update(msg)
	}
	if m.screen == screenList && key.Matches(msg, m.ctx.Keys.List.Quit) {
		return m.quit()
	}
	// So do the lines of a ticket's page where a path is typed.
	if m.screen == screenDetail && m.detail.Typing() {
		return m.detail.Update(msg)
	}
	switch m.screen {
	case screenHelp:
		return m.help.Update(msg)
	case screenForm:
		// ? is text in a form, but not in its file picker.
		if key.Matches(msg, m.ctx.Keys.Form.Help) || (!m.form.Typing() && key.Matches(msg, g.Help)) {
			m.openHelp()
			return nil
		}
		return m.form.Update(msg)
	case screenSearch:
		// Its fields take characters as text: ? and the digits too.
		if key.Matches(msg, m.ctx.Keys.Search.Help) {
			m.openHelp()
			return nil
		}
		return m.search.Update(msg)
	}
	if key.Matches(msg, g.Help) {
		m.openHelp()
		return nil
	}
	if key.Matches(msg, g.Alerts) {
		return m.openAlerts(alertspage.List)
	}
	switch m.screen {
	case screenAlerts:
		return m.alerts.Update(msg)
	case screenDetail:
		return m.detail.Update(msg)
	case screenSettings:
		return m.settings.Update(msg)
	case screenPrint:
		return m.printing.Update(msg)
	case screenDirectory:
		if cmd, ok := m.menu(msg); ok {
			return cmd
		}
		return m.directory.Update(msg)
	case screenStats:
		// Its own keys first: 1 to 4 choose the period there. The menu's
		// keys it does not take open the other screens.
		if !m.statsKey(msg) {
			if cmd, ok := m.menu(msg); ok {
				return cmd
			}
		}
		return m.stats.Update(msg)
	}
	if cmd, ok := m.menu(msg); ok {
		return cmd
	}
	if key.Matches(msg, m.ctx.Keys.List.Settings) {
		return m.openSettings()
	}
	return m.list.Update(msg)
}

// statsKey reports whether msg is a key of the statistics screens, but for
// those of the dates' line, which is closed here.
func (m *Model) statsKey(msg tea.KeyPressMsg) bool {
	k := m.ctx.Keys.Stats
	k.Done, k.Cancel = key.Binding{}, key.Binding{}
	for _, col := range k.FullHelp() {
		for _, b := range col {
			if key.Matches(msg, b) {
				return true
			}
		}
	}
	return false
}

func (m *Model) openHelp() {
	m.back = m.screen
	m.show(screenHelp)
}

func (m *Model) tooSmall() bool {
	return m.ctx.Width < MinWidth || m.ctx.Height < MinHeight
}

// bodyHeight leaves the hint line and the status bar.
func (m *Model) bodyHeight() int { return m.ctx.Height - 2 }

func (m *Model) resize() {
	w, h := m.ctx.Width, m.bodyHeight()
	if m.tooSmall() {
		return
	}
	m.list.SetSize(w, h)
	m.help.SetSize(w, h)
	if m.detail != nil {
		m.detail.SetSize(w, h)
	}
	if m.form != nil {
		m.form.SetSize(w, h)
	}
	if m.settings != nil {
		m.settings.SetSize(w, h)
	}
	if m.printing != nil {
		m.printing.SetSize(w, h)
	}
	// The search and the directory draw under the tabs' line of the lists.
	if m.search != nil {
		m.search.SetSize(w, h-1)
	}
	if m.directory != nil {
		m.directory.SetSize(w, h-1)
	}
	if m.stats != nil {
		m.stats.SetSize(w, h-1)
	}
	if m.alerts != nil {
		m.alerts.SetSize(w, h)
	}
	m.bar.SetSize(w, 1)
}

func (m *Model) keyMap() help.KeyMap {
	switch m.screen {
	case screenDetail:
		return m.detail.KeyMap()
	case screenForm:
		return m.form.KeyMap()
	case screenHelp:
		return m.help.KeyMap()
	case screenSettings:
		return m.settings.KeyMap()
	case screenPrint:
		return m.printing.KeyMap()
	case screenSearch:
		return m.search.KeyMap()
	case screenDirectory:
		return m.directory.KeyMap()
	case screenStats:
		return m.stats.KeyMap()
	case screenAlerts:
		return m.alerts.KeyMap()
	}
	return m.list.KeyMap()
}

// hints is the short help of the screen shown, as many whole items as fit.
func (m *Model) hints() string {
	st := m.ctx.Styles
	bindings := m.keyMap().ShortHelp()
	// The help key is always shown, so that every other key can be found:
	// the screen's own keys get the room left of it.
	room := m.ctx.Width
	var last *key.Binding
	if m.screen != screenForm && m.screen != screenHelp && m.screen != screenSearch && !(m.screen == screenList && m.list.Typing()) &&
		!(m.screen == screenStats && m.stats.Typing()) && !(m.screen == screenDetail && m.detail.Typing()) {
		last = &m.ctx.Keys.Global.Help
		room -= cells.Width(" " + last.Help().Key + " " + last.Help().Desc + " ")
	}
	var b strings.Builder
	used := 0
	write := func(k key.Binding) {
		h := k.Help()
		b.WriteString(" " + st.HelpKey.Render(h.Key) + " " + st.Muted.Render(h.Desc) + " ")
		used += cells.Width(" " + h.Key + " " + h.Desc + " ")
	}
	for _, k := range bindings {
		h := k.Help()
		if !k.Enabled() || h.Key == "" {
			continue
		}
		if used+cells.Width(" "+h.Key+" "+h.Desc+" ") > room {
			break
		}
		write(k)
	}
	if last != nil {
		write(*last)
	}
	b.WriteString(strings.Repeat(" ", max(m.ctx.Width-used, 0)))
	return b.String()
}

// View draws the screen: exactly the terminal's height in lines of exactly
// its width, always in the alternate screen (every view says so: a view
// without it would take the program out of the alternate screen and draw on
// the normal one). Once quitting, it is blank (see quit).
func (m *Model) View() tea.View {
	v := tea.NewView("")
	v.AltScreen = true
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	w, h := m.ctx.Width, m.ctx.Height
	if w <= 0 || h <= 0 {
		return v
	}
	if m.quitting {
		v.SetContent(strings.TrimSuffix(strings.Repeat(strings.Repeat(" ", w)+"\n", h), "\n"))
		return v
	}
	if m.tooSmall() {
		v.SetContent(tooSmall(w, h, m.ctx.Keys.List.Quit.Help().Key))
		return v
	}
	var body string
	switch m.screen {
	case screenDetail:
		body = m.detail.View()
		if x, y, ok := m.detail.Cursor(); ok {
			v.Cursor = tea.NewCursor(x, y)
		}
	case screenForm:
		body = m.form.View()
		if x, y, ok := m.form.Cursor(); ok {
			v.Cursor = tea.NewCursor(x, y)
		}
	case screenHelp:
		body = m.help.View()
	case screenSettings:
		body = m.settings.View()
	case screenPrint:
		body = m.printing.View()
	case screenSearch:
		body = m.list.Bar(menuSearch) + "\n" + m.search.View()
		if x, y, ok := m.search.Cursor(); ok {
			v.Cursor = tea.NewCursor(x, y+1)
		}
	case screenDirectory:
		body = m.list.Bar(menuDirectory) + "\n" + m.directory.View()
	case screenAlerts:
		body = m.alerts.View()
	case screenStats:
		bar := menuStats
		if m.stats.Kind() == stats.Supervision {
			bar = menuOversight
		}
		body = m.list.Bar(bar) + "\n" + m.stats.View()
		if x, y, ok := m.stats.Cursor(); ok {
			v.Cursor = tea.NewCursor(x, y+1)
		}
	default:
		body = m.list.View()
		if x, y, ok := m.list.Cursor(); ok {
			v.Cursor = tea.NewCursor(x, y)
		}
	}
	info := statusbar.Info{
		Tunnel:    m.status.Tunnel,
		Handshake: m.status.Handshake,
		Rx:        m.status.RxBytes,
		Tx:        m.status.TxBytes,
		Online:    m.status.Online,
		LastSync:  m.status.LastSync,
		SyncErr:   m.status.LastError,
		Pending:   m.pending,
		Near:      m.near,
		Overdue:   m.overdue,
		Alerts:    m.unseen,
		User:      m.ctx.User.Name,
		Unit:      m.ctx.Unit.Name,
		Msg:       m.notice,
		MsgErr:    m.noticeErr,
		Progress:  m.sync.line(),
	}
	if info.Msg == "" && m.stopped != "" {
		info.Msg, info.MsgErr = m.stopped, true
	}
	f := statusbar.Format{
		Now:   m.ctx.Now(),
		Ago:   app.Ago,
		Clock: func(t time.Time) string { return t.In(m.ctx.Loc).Format("15:04") },
		Bytes: app.Bytes,
	}
	v.SetContent(body + "\n" + m.hints() + "\n" + m.bar.View(info, f))
	return v
}

// tooSmall is the notice shown instead of the screens below the minimum
// size; quit is the key that quits.
func tooSmall(w, h int, quit string) string {
	msg := []string{
		"窗口太小",
		fmt.Sprintf("至少需要 %d×%d，当前 %d×%d", MinWidth, MinHeight, w, h),
		"请放大终端窗口，按 " + quit + " 退出",
	}
	lines := make([]string, h)
	top := max((h-len(msg))/2, 0)
	for i := range lines {
		s := ""
		if j := i - top; j >= 0 && j < len(msg) {
			s = msg[j]
		}
		lines[i] = cells.Center(s, w)
	}
	return strings.Join(lines, "\n")
}
