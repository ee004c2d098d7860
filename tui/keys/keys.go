// Package keys is every key binding of the terminal UI in one place, grouped
// by the screen they act on. The help screen and the hint line are drawn
// from these structs, so what is shown is what is bound; a rebinding (from
// the settings file) changes both.
package keys

import (
	"slices"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"hotline/tui/components/editor"
	"hotline/tui/components/table"
)

// Global keys work on every screen.
type Global struct {
	Help key.Binding
	// Alerts opens 提醒, the user's alerts, on every screen but a form
	// (where it is text) and help.
	Alerts    key.Binding
	ForceQuit key.Binding
}

// List is the keys of the ticket lists.
type List struct {
	Table    table.KeyMap
	Open     key.Binding
	NextTab  key.Binding
	Tab1     key.Binding
	Tab2     key.Binding
	Tab3     key.Binding
	Tab4     key.Binding // Tab4 to Tab7: the other screens of the old platform's menu (查询, 部门, 统计, 督办)
	Tab5     key.Binding
	Tab6     key.Binding
	Tab7     key.Binding
	Settings key.Binding // open the terminal settings
	Quit     key.Binding
	// Picking tickets to print together; they stay picked across tabs
	// and reloads until printed from here or cleared.
	Pick        key.Binding
	ClearPicks  key.Binding
	Print       key.Binding // the picked tickets, or the one under the cursor
	PrintClosed key.Binding // every ticket closed today, as one job
	Find        Find
}

// Find is the keys of the lists that filter the three lists and sort the
// one shown. The settings name them as the list's own: list.filter,
// list.sort, ...
type Find struct {
	Filter      key.Binding // open the filter line (see FilterLine)
	ClearFilter key.Binding
	Sort        key.Binding // sort by the next column
	SortReverse key.Binding
}

// FilterLine is the keys of the lists' filter line, where every other key
// is text.
type FilterLine struct {
	Done   key.Binding // keep the filter, back to the list
	Clear  key.Binding // drop the filter, back to the list
	Column key.Binding // the next column to filter on (shift+tab: the one before)
}

// findKeys is the default keys of Find and FilterLine.
func findKeys() (Find, FilterLine) {
	find := Find{
		Filter:      bind("/", "筛选"),
		ClearFilter: bind("esc", "清除筛选"),
		Sort:        bind("o", "排序"),
		SortReverse: bind("O", "反向排序"),
	}
	line := FilterLine{
		Done:   bind("enter", "完成筛选"),
		Clear:  bind("esc", "清除筛选"),
		Column: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "筛选哪一列")),
	}
	return find, line
}

// Action is the key of one thing a person does to a ticket from its page.
// Form names the form the key opens (see the form package), or "" when the
// key acts at once (sign, send).
type Action struct {
	Form    string
	Binding key.Binding
}

// Detail is the keys of a ticket's page: scrolling, the actions on the
// ticket, and what may be done with an action the platform refused.
type Detail struct {
	Scroll  table.KeyMap
	Actions []Action
	Edit    key.Binding // open a refused action's form to correct and send it again
	Resend  key.Binding // send a refused action again as it is; upload a failed file again
	Discard key.Binding // give up a refused action, or a file that failed to upload
	Print   key.Binding
	Back    key.Binding
	Files   Files
}

// Files is the keys of a ticket's page that act on its attachments: the
// 附件 section has a cursor of its own, moved with NextFile and PrevFile,
// apart from the page's scrolling. The settings name them as the page's
// own: detail.open, detail.play, ...
type Files struct {
	Attach   key.Binding // add files to the ticket itself (part ticket), with the file picker
	NextFile key.Binding // the cursor to the next attachment
	PrevFile key.Binding
	Open     key.Binding // download the attachment under the cursor and open it in the system's viewer
	Play     key.Binding // play the call recording (the one under the cursor, or the first)
	Pause    key.Binding // pause or go on, while a recording plays; it pages down otherwise
	Stop     key.Binding // stop playing
	Save     key.Binding // save a copy of the attachment under the cursor
}

// Form is the keys of an action's form. Help is separate from Global.Help
// because ? is text here. A choice's options go round with the editor's
// ←/→ (Editor.Left and Right): a key of its own would show ←/→ twice in
// help.
type Form struct {
	Editor  editor.KeyMap
	Next    key.Binding
	Prev    key.Binding
	Toggle  key.Binding // tick or untick, in a list of criteria
	Submit  key.Binding
	Cancel  key.Binding
	Help    key.Binding
	Confirm key.Binding // confirm giving up a refused action
	Attach  key.Binding // open the file picker to attach files to the reply
	Detach  key.Binding // in the 附件 field: take the file under the cursor off the list
}

// Picker is the keys of the file picker, a page of the reply form (and of
// a ticket's page) that lists a folder to pick files from.
type Picker struct {
	Move   table.KeyMap
	Enter  key.Binding // into a folder; on a file: pick it and finish
	Pick   key.Binding // pick a file, or unpick it, and stay
	Parent key.Binding // up to the folder above
	Path   key.Binding // open the path line, to type where to go
	Hidden key.Binding // show or hide hidden files (names starting with ".")
	Done   key.Binding // finish with the files picked
	Cancel key.Binding // leave without picking
}

// PickerLine is the keys of a line where a path is typed, and every other
// key is text: the picker's path line, and the line of a ticket's page
// asking where to save a copy of an attachment.
type PickerLine struct {
	Go    key.Binding // go to the path typed (save there)
	Close key.Binding // close the line
}

// Help is the keys of the help screen.
type Help struct {
	Scroll table.KeyMap
	Close  key.Binding
}

// Settings is the keys of the terminal settings screen.
type Settings struct {
	Scroll table.KeyMap
	Back   key.Binding
}

// Preview is the keys of the print preview: the record sheets as they will
// print.
type Preview struct {
	Scroll   table.KeyMap
	Printers key.Binding // go on to choose the printer
	Save     key.Binding // save the PDF and open it in the system's viewer
	Back     key.Binding
}

// Printers is the keys of the printer chooser.
type Printers struct {
	Up, Down key.Binding
	Print    key.Binding
	More     key.Binding // one copy more
	Less     key.Binding
	Save     key.Binding
	Back     key.Binding // back to the preview
}

// Search is the keys of 投诉查询. Its query line and condition fields
// take every other key as text, so that only Choose and Toggle, which act
// on the fields that hold no text, may be plain characters.
type Search struct {
	// Move moves the cursor in the results: keys that type no character.
	Move   table.KeyMap
	Open   key.Binding // the ticket under the cursor
	Next   key.Binding // the next field
	Prev   key.Binding
	Choose key.Binding // the option before or after, in 状态 and 基层单位
	Toggle key.Binding // 仅超时 on or off
	Remote key.Binding // search the platform too, for tickets the cache lacks
	Back   key.Binding
	Help   key.Binding // ? is text here
}

// Directory is the keys of 部门查询: the unit tree and the people of the
// unit chosen.
type Directory struct {
	Move   table.KeyMap
	People key.Binding // into the people of the unit chosen
	Units  key.Binding // back to the tree
	Back   key.Binding
}

// Stats is the keys of the two statistics screens (投诉办理情况统计,
// 本部门督办情况统计). Its fields are stats.KeyMap's, in the same order, so
// that the root hands them to the page with a conversion.
type Stats struct {
	Rows    table.KeyMap // the sub-unit under the cursor
	Next    key.Binding  // the next figure: the table's column, the chart's figure
	Prev    key.Binding
	Earlier key.Binding // the period before: the day, month or year before
	Later   key.Binding
	Day     key.Binding // 今日
	Month   key.Binding // 本月
	Year    key.Binding // 本年
	Custom  key.Binding // 自定义: type the first and last dates
	Chart   key.Binding // the other chart, when only one fits
	Export  key.Binding // the figures shown as .xlsx
	CSV     key.Binding // the figures shown as .csv
	Refresh key.Binding // compute again from the cache
	// Deliveries opens the unit's delivery log (通知发送记录), from
	// 本部门督办情况统计 only.
	Deliveries key.Binding
	Back       key.Binding
	// The dates' line, where every other key is text.
	Done   key.Binding
	Cancel key.Binding
}

// Alerts is the keys of 提醒: the user's alerts and, in a second view, the
// unit's delivery log (通知发送记录).
type Alerts struct {
	Move    table.KeyMap
	Open    key.Binding // the ticket of the row under the cursor
	Mine    key.Binding // the alerts
	Log     key.Binding // the delivery log
	Next    key.Binding // the other view
	Refresh key.Binding // read again: the alerts from the cache, the log from the platform
	Back    key.Binding
}

// Map is all the keys.
type Map struct {
	Global    Global
	List      List
	Detail    Detail
	Form      Form
	Help      Help
	Settings  Settings
	Preview   Preview
	Printers  Printers
	Search    Search
	Directory Directory
	Stats     Stats
	Alerts    Alerts
	Picker    Picker
	// PickerLine and FilterLine are last: their keys act only while the
	// picker's path line or the lists' filter line is open.
	PickerLine PickerLine
	// FilterLine is last: its keys act only while the lists' filter
	// line is open.
	FilterLine FilterLine
}

// Names of the forms the detail page's action keys open.
const (
	FormAssign          = "assign"
	FormContact         = "contact"
	FormReply           = "reply"
	FormReview          = "review"
	FormReturnRequest   = "return_request"
	FormExtension       = "extension_request"
	FormDispatch        = "dispatch"
	FormReturnDecide    = "return_decide"
	FormExtensionDecide = "extension_decide"
	FormClose           = "close"
	FormReopen          = "reopen"
	FormUrge            = "urge"
	FormSupervise       = "supervise"
	// Acting at once, without a form.
	ActSign = "!sign"
	ActSend = "!send"
)

func bind(k, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(append([]string{k}, keys...)...), key.WithHelp(k, desc))
}

// Default is the bindings the program starts with.
func Default() Map {
	scroll := table.DefaultKeyMap()
	// On the lists space picks a ticket; it pages everywhere else.
	lists := table.DefaultKeyMap()
	lists.PageDown = key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("PgDn", "下一页"))
	save := bind("s", "保存 PDF 并打开")
	find, filterLine := findKeys()
	return Map{
		Global: Global{
			Help:      key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "帮助")),
			Alerts:    bind("!", "提醒"),
			ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "退出程序")),
		},
		List: List{
			Table:       lists,
			Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "打开")),
			NextTab:     key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "切换列表")),
			Tab1:        key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "待办")),
			Tab2:        key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "未反馈")),
			Tab3:        key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "已反馈")),
			Tab4:        key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "查询")),
			Tab5:        key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "部门")),
			Tab6:        key.NewBinding(key.WithKeys("6"), key.WithHelp("6", "统计")),
			Tab7:        key.NewBinding(key.WithKeys("7"), key.WithHelp("7", "督办")),
			Settings:    bind("S", "设置"),
			Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "退出")),
			Pick:        key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "选择")),
			ClearPicks:  bind("x", "清除选择"),
			Print:       bind("p", "打印"),
			PrintClosed: bind("P", "打印今日办结"),
			Find:        find,
		},
		Detail: Detail{
			Scroll: scroll,
			Actions: []Action{
				{ActSign, bind("s", "签收")},
				{FormAssign, bind("a", "派发")},
				{FormContact, bind("c", "联系客户")},
				{FormReply, bind("r", "回复")},
				{FormReview, bind("v", "审核")},
				{ActSend, bind("f", "反馈中心")},
				{FormReturnRequest, bind("t", "退单申请")},
				{FormExtension, bind("e", "延期申请")},
				{FormDispatch, bind("d", "派单")},
				{FormReturnDecide, bind("T", "退单审批")},
				{FormExtensionDecide, bind("E", "延期审批")},
				{FormClose, bind("o", "办结")},
				{FormReopen, bind("O", "重办")},
				{FormUrge, bind("u", "催办")},
				{FormSupervise, bind("U", "督办")},
			},
			// A file that failed to upload waits as a refused action
			// too: R uploads it again, X gives it up. The page says
			// which it is (detail's enable); help says both.
			Edit:    bind("m", "修改被退回的操作"),
			Resend:  bind("R", "原样重发/重传附件"),
			Discard: bind("X", "放弃退回的操作/附件"),
			Print:   bind("p", "打印"),
			Back:    key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "返回列表")),
			Files: Files{
				Attach:   bind("A", "添加附件"),
				NextFile: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "下一个附件")),
				PrevFile: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "上一个附件")),
				Open:     bind("enter", "打开附件"),
				Play:     bind("l", "播放录音"),
				Pause:    bind("space", "暂停/继续播放"),
				Stop:     bind("x", "停止播放"),
				Save:     bind("w", "另存附件"),
			},
		},
		Form: Form{
			Editor:  editor.DefaultKeyMap(),
			Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "下一项")),
			Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "上一项")),
			Toggle:  key.NewBinding(key.WithKeys("space", "1", "2", "3", "4", "5"), key.WithHelp("space/1–5", "勾选")),
			Submit:  key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "提交")),
			Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "返回（保留草稿）")),
			Help:    key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "帮助")),
			Confirm: key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "确认")),
			Attach:  key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "添加附件")),
			Detach:  key.NewBinding(key.WithKeys("delete", "backspace"), key.WithHelp("del", "移除所选附件")),
		},
		Help: Help{
			Scroll: scroll,
			Close:  key.NewBinding(key.WithKeys("esc", "?", "q", "f1"), key.WithHelp("esc/?", "关闭帮助")),
		},
		Settings: Settings{
			Scroll: scroll,
			Back:   key.NewBinding(key.WithKeys("esc", "q", "backspace"), key.WithHelp("esc/q", "返回")),
		},
		Preview: Preview{
			Scroll:   scroll,
			Printers: bind("enter", "选择打印机"),
			Save:     save,
			Back:     key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "返回")),
		},
		Printers: Printers{
			Up:    scroll.Up,
			Down:  scroll.Down,
			Print: bind("enter", "打印"),
			More:  key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "份数")),
			Less:  key.NewBinding(key.WithKeys("-", "_")),
			Save:  save,
			Back:  key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "返回预览")),
		},
		Search: Search{
			Move: table.KeyMap{
				Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "在结果中移动")),
				Down:     key.NewBinding(key.WithKeys("down")),
				PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("PgUp/PgDn", "翻页")),
				PageDown: key.NewBinding(key.WithKeys("pgdown")),
				Top:      key.NewBinding(key.WithKeys("ctrl+home"), key.WithHelp("ctrl+home", "第一行")),
				Bottom:   key.NewBinding(key.WithKeys("ctrl+end"), key.WithHelp("ctrl+end", "最后一行")),
			},
			Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "打开工单")),
			Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "下一项")),
			Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "上一项")),
			Choose: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "选择")),
			Toggle: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "勾选")),
			Remote: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "在平台查询")),
			Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "返回列表")),
			Help:   key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "帮助")),
		},
		Directory: Directory{
			Move:   scroll,
			People: key.NewBinding(key.WithKeys("enter", "right"), key.WithHelp("enter/→", "查看人员")),
			Units:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "返回单位")),
			Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "返回列表")),
		},
		Stats: Stats{
			Rows:    scroll,
			Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "下一指标")),
			Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "上一指标")),
			Earlier: key.NewBinding(key.WithKeys("left"), key.WithHelp("←/→", "前后一期")),
			Later:   key.NewBinding(key.WithKeys("right")),
			Day:     key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "今日")),
			Month:   key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "本月")),
			Year:    key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "本年")),
			Custom:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "自定义")),
			Chart:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "切换图表")),
			Export:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "导出 xlsx")),
			CSV:     key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "导出 csv")),
			Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "重新计算")),
			// Short: it shares 督办统计's hint line. The log is 通知发送记录.
			Deliveries: bind("l", "通知记录"),
			Back:       key.NewBinding(key.WithKeys("esc", "q", "backspace"), key.WithHelp("esc/q", "返回")),
			Done:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "确定日期")),
			Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "取消")),
		},
		Alerts: Alerts{
			Move:    scroll,
			Open:    bind("enter", "打开工单"),
			Mine:    bind("1", "提醒"),
			Log:     bind("2", "通知发送记录"),
			Next:    key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "切换")),
			Refresh: bind("r", "刷新"),
			Back:    key.NewBinding(key.WithKeys("esc", "q", "backspace"), key.WithHelp("esc/q", "返回")),
		},
		Picker: Picker{
			Move:   pickerMove(),
			Enter:  bind("enter", "进入/选定"),
			Pick:   bind("space", "多选"),
			Parent: key.NewBinding(key.WithKeys("backspace", "h", "left"), key.WithHelp("backspace", "上一级")),
			Path:   key.NewBinding(key.WithKeys("/", ":"), key.WithHelp("/", "输入路径")),
			Hidden: bind(".", "隐藏文件"),
			Done:   bind("ctrl+s", "完成"),
			Cancel: bind("esc", "取消"),
		},
		PickerLine: PickerLine{
			Go:    bind("enter", "前往"),
			Close: bind("esc", "关闭路径栏"),
		},
		FilterLine: filterLine,
	}
}

// pickerMove is the table's keys without space, which picks a file there.
func pickerMove() table.KeyMap {
	k := table.DefaultKeyMap()
	k.PageDown = key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("PgDn", "下一页"))
	return k
}

var (
	_ help.KeyMap = List{}
	_ help.KeyMap = Detail{}
	_ help.KeyMap = Form{}
	_ help.KeyMap = Help{}
	_ help.KeyMap = Settings{}
	_ help.KeyMap = Preview{}
	_ help.KeyMap = Printers{}
	_ help.KeyMap = FilterLine{}
	_ help.KeyMap = Search{}
	_ help.KeyMap = Directory{}
	_ help.KeyMap = Stats{}
	_ help.KeyMap = Alerts{}
	_ help.KeyMap = Picker{}
	_ help.KeyMap = PickerLine{}
)

func (k List) ShortHelp() []key.Binding {
	// Arrows need no telling; the keys of the unit's work come first,
	// before what the tabs' line already shows (tab, and the menu's
	// other screens with their keys).
	return []key.Binding{k.Open, k.Find.Filter, k.Pick, k.Print, k.Quit, k.NextTab, k.Settings,
		k.Find.Sort, k.Table.Up, k.Table.Down}
}

func (k List) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Table.FullHelp()[0], {k.Open, k.NextTab, k.Tab1, k.Tab2, k.Tab3, k.Settings, k.Quit},
		{k.Tab4, k.Tab5, k.Tab6, k.Tab7},
		{k.Pick, k.ClearPicks, k.Print, k.PrintClosed}, {k.Find.Filter, k.Find.ClearFilter, k.Find.Sort, k.Find.SortReverse}}
}

// ShortHelp of 投诉查询: the arrows that move in the results are not told,
// as on the lists.
func (k Search) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Next, k.Remote, k.Back, k.Help, k.Choose, k.Toggle}
}

func (k Search) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Open, k.Next, k.Prev, k.Choose, k.Toggle, k.Remote, k.Back, k.Help}, k.Move.FullHelp()[0]}
}

func (k Directory) ShortHelp() []key.Binding {
	return []key.Binding{k.Move.Up, k.Move.Down, k.People, k.Units, k.Back}
}

func (k Directory) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Move.FullHelp()[0], {k.People, k.Units, k.Back}}
}

func (k Stats) ShortHelp() []key.Binding {
	// Deliveries, where enabled, before Export: at 80 columns 督办统计's
	// hint line has room for it only at the cost of esc's.
	return []key.Binding{k.Earlier, k.Next, k.Month, k.Custom, k.Deliveries, k.Export, k.Chart, k.Back, k.Rows.Up, k.Rows.Down}
}

func (k Stats) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Rows.FullHelp()[0], {k.Next, k.Prev, k.Earlier, k.Later, k.Day, k.Month, k.Year, k.Custom},
		{k.Chart, k.Export, k.CSV, k.Refresh, k.Deliveries, k.Back}, {k.Done, k.Cancel}}
}

func (k Alerts) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Next, k.Refresh, k.Back, k.Move.Up, k.Move.Down}
}

func (k Alerts) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Move.FullHelp()[0], {k.Open, k.Mine, k.Log, k.Next, k.Refresh, k.Back}}
}

// ShortHelp of a ticket's page: its actions are on the page's own action
// line, so the hint line keeps to moving about.
func (k Detail) ShortHelp() []key.Binding {
	return []key.Binding{k.Scroll.Up, k.Scroll.Down, k.Scroll.PageDown, k.Print, k.Back}
}

func (k Detail) FullHelp() [][]key.Binding {
	acts := make([]key.Binding, 0, len(k.Actions)+5)
	for _, a := range k.Actions {
		acts = append(acts, a.Binding)
	}
	acts = append(acts, k.Edit, k.Resend, k.Discard, k.Print, k.Back)
	f := k.Files
	return [][]key.Binding{k.Scroll.FullHelp()[0], acts, {f.NextFile, f.PrevFile, f.Open, f.Play, f.Pause, f.Stop, f.Save, f.Attach}}
}

func (k Picker) ShortHelp() []key.Binding {
	return []key.Binding{k.Enter, k.Pick, k.Done, k.Parent, k.Path, k.Cancel, k.Hidden}
}

func (k Picker) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Move.FullHelp()[0], {k.Enter, k.Pick, k.Done, k.Parent, k.Path, k.Hidden, k.Cancel}}
}

func (k PickerLine) ShortHelp() []key.Binding { return []key.Binding{k.Go, k.Close} }

func (k PickerLine) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func (k Form) ShortHelp() []key.Binding {
	return []key.Binding{k.Submit, k.Next, k.Cancel, k.Help}
}

func (k Form) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Submit, k.Next, k.Prev, k.Toggle, k.Attach, k.Detach, k.Cancel, k.Help}, k.Editor.FullHelp()[0]}
}

func (k Help) ShortHelp() []key.Binding {
	return []key.Binding{k.Scroll.Up, k.Scroll.Down, k.Close}
}

func (k Help) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Scroll.FullHelp()[0], {k.Close}}
}

func (k Settings) ShortHelp() []key.Binding {
	return []key.Binding{k.Scroll.Up, k.Scroll.Down, k.Scroll.PageDown, k.Back}
}

func (k Settings) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Scroll.FullHelp()[0], {k.Back}}
}

func (k Preview) ShortHelp() []key.Binding {
	return []key.Binding{k.Printers, k.Save, k.Scroll.Down, k.Scroll.PageDown, k.Back}
}

func (k Preview) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Scroll.FullHelp()[0], {k.Printers, k.Save, k.Back}}
}

func (k Printers) ShortHelp() []key.Binding {
	return []key.Binding{k.Print, k.Up, k.Down, k.More, k.Save, k.Back}
}

func (k Printers) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Print, k.More, k.Save, k.Back}}
}

func (k FilterLine) ShortHelp() []key.Binding { return []key.Binding{k.Done, k.Clear, k.Column} }

func (k FilterLine) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Group is the keys of one screen with its title, for the help screen.
type Group struct {
	Title string
	Keys  []key.Binding
}

// Groups lists every screen's keys, as the help screen shows them. The
// detail page's action keys are listed whatever the ticket: help says what
// each key does when the action is allowed.
func (m Map) Groups() []Group {
	flat := func(k help.KeyMap, extra ...key.Binding) []key.Binding {
		var out []key.Binding
		for _, col := range k.FullHelp() {
			out = append(out, col...)
		}
		return append(out, extra...)
	}
	d := m.Detail
	d.Actions = slices.Clone(d.Actions)
	for i := range d.Actions {
		d.Actions[i].Binding.SetEnabled(true)
	}
	return []Group{
		{"全局", []key.Binding{m.Global.Help, m.Global.Alerts, m.Global.ForceQuit}},
		{"工单列表（待办/未反馈/已反馈）", flat(m.List)},
		{"筛选栏（在列表按 " + m.List.Find.Filter.Help().Key + " 打开）", flat(m.FilterLine)},
		{"工单详情", flat(d)},
		{"填写表单", flat(m.Form)},
		{"终端机器设置", flat(m.Settings)},
		{"打印预览", flat(m.Preview)},
		{"选择打印机", flat(m.Printers)},
		{"投诉查询（在列表按 " + m.List.Tab4.Help().Key + " 打开）", flat(m.Search)},
		{"部门查询（在列表按 " + m.List.Tab5.Help().Key + " 打开）", flat(m.Directory)},
		{"统计（在列表按 " + m.List.Tab6.Help().Key + " / " + m.List.Tab7.Help().Key + " 打开）", flat(m.Stats)},
		{"提醒（在各页按 " + m.Global.Alerts.Help().Key + " 打开）", flat(m.Alerts)},
		{"选择附件（表单 " + m.Form.Attach.Help().Key + "，详情 " + m.Detail.Files.Attach.Help().Key + "）", flat(m.Picker)},
		{"路径栏（选择附件按 " + m.Picker.Path.Help().Key + "，另存附件按 " + m.Detail.Files.Save.Help().Key + "）", flat(m.PickerLine)},
	}
}
