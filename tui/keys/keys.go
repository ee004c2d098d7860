// Package keys is every key binding of the terminal UI in one place, grouped
// by the screen they act on. The help screen and the hint line are drawn
// from these structs, so what is shown is what is bound; a rebinding (from
// the settings file) changes both.
package keys

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"hotline/tui/components/editor"
	"hotline/tui/components/table"
)

// Global keys work on every screen.
type Global struct {
	Help      key.Binding
	ForceQuit key.Binding
}

// List is the keys of the ticket lists.
type List struct {
	Table   table.KeyMap
	Open    key.Binding
	NextTab key.Binding
	Tab1    key.Binding
	Tab2    key.Binding
	Quit    key.Binding
}

// Detail is the keys of a ticket's page.
type Detail struct {
	Scroll table.KeyMap
	Sign   key.Binding
	Reply  key.Binding
	Back   key.Binding
}

// Reply is the keys of the reply form. Help is separate from Global.Help
// because ? is text here.
type Reply struct {
	Editor editor.KeyMap
	Submit key.Binding
	Cancel key.Binding
	Help   key.Binding
}

// Help is the keys of the help screen.
type Help struct {
	Scroll table.KeyMap
	Close  key.Binding
}

// Map is all the keys.
type Map struct {
	Global Global
	List   List
	Detail Detail
	Reply  Reply
	Help   Help
}

// Default is the bindings the program starts with.
func Default() Map {
	scroll := table.DefaultKeyMap()
	return Map{
		Global: Global{
			Help:      key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "帮助")),
			ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "退出程序")),
		},
		List: List{
			Table:   table.DefaultKeyMap(),
			Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "打开工单")),
			NextTab: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "切换列表")),
			Tab1:    key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "未反馈")),
			Tab2:    key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "已反馈")),
			Quit:    key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "退出")),
		},
		Detail: Detail{
			Scroll: scroll,
			Sign:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "签收")),
			Reply:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "回复")),
			Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "返回列表")),
		},
		Reply: Reply{
			Editor: editor.DefaultKeyMap(),
			Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "提交回复")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "返回（保留草稿）")),
			Help:   key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "帮助")),
		},
		Help: Help{
			Scroll: scroll,
			Close:  key.NewBinding(key.WithKeys("esc", "?", "q", "f1"), key.WithHelp("esc/?", "关闭帮助")),
		},
	}
}

var (
	_ help.KeyMap = List{}
	_ help.KeyMap = Detail{}
	_ help.KeyMap = Reply{}
	_ help.KeyMap = Help{}
)

func (k List) ShortHelp() []key.Binding {
	return []key.Binding{k.Table.Up, k.Table.Down, k.Open, k.NextTab, k.Quit}
}

func (k List) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Table.FullHelp()[0], {k.Open, k.NextTab, k.Tab1, k.Tab2, k.Quit}}
}

func (k Detail) ShortHelp() []key.Binding {
	return []key.Binding{k.Scroll.Up, k.Scroll.Down, k.Sign, k.Reply, k.Back}
}

func (k Detail) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Scroll.FullHelp()[0], {k.Sign, k.Reply, k.Back}}
}

func (k Reply) ShortHelp() []key.Binding {
	return []key.Binding{k.Submit, k.Cancel, k.Editor.Newline, k.Help}
}

func (k Reply) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Submit, k.Cancel, k.Help}, k.Editor.FullHelp()[0]}
}

func (k Help) ShortHelp() []key.Binding {
	return []key.Binding{k.Scroll.Up, k.Scroll.Down, k.Close}
}

func (k Help) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Scroll.FullHelp()[0], {k.Close}}
}

// Group is the keys of one screen with its title, for the help screen.
type Group struct {
	Title string
	Keys  []key.Binding
}

// Groups lists every screen's keys, as the help screen shows them.
func (m Map) Groups() []Group {
	flat := func(k help.KeyMap, extra ...key.Binding) []key.Binding {
		var out []key.Binding
		for _, col := range k.FullHelp() {
			out = append(out, col...)
		}
		return append(out, extra...)
	}
	return []Group{
		{"全局", []key.Binding{m.Global.Help, m.Global.ForceQuit}},
		{"工单列表（未反馈 / 已反馈）", flat(m.List)},
		{"工单详情", flat(m.Detail)},
		{"回复", flat(m.Reply)},
	}
}
