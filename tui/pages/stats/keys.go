package stats

import (
	"charm.land/bubbles/v2/key"

	"hotline/tui/components/table"
)

// KeyMap is the keys of the two statistics screens. Its fields are those
// of keys.Stats, so that the root can hand the settings' bindings over
// with a conversion (see SetKeys).
type KeyMap struct {
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
	Back    key.Binding
	// The dates' line, where every other key is text.
	Done   key.Binding
	Cancel key.Binding
}

// DefaultKeyMap is the keys the screens start with.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Rows:    table.DefaultKeyMap(),
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
		Back:    key.NewBinding(key.WithKeys("esc", "q", "backspace"), key.WithHelp("esc/q", "返回")),
		Done:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "确定日期")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "取消")),
	}
}

// ShortHelp is the hint line's keys: the period and the figure first.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Earlier, k.Next, k.Month, k.Custom, k.Export, k.Chart, k.Back, k.Rows.Up, k.Rows.Down}
}

// FullHelp is every key, for the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		k.Rows.FullHelp()[0],
		{k.Next, k.Prev, k.Earlier, k.Later, k.Day, k.Month, k.Year, k.Custom},
		{k.Chart, k.Export, k.CSV, k.Refresh, k.Back},
		{k.Done, k.Cancel},
	}
}

// typingKeys is the help of the dates' line.
type typingKeys struct{ KeyMap }

func (k typingKeys) ShortHelp() []key.Binding { return []key.Binding{k.Done, k.Cancel} }

func (k typingKeys) FullHelp() [][]key.Binding { return [][]key.Binding{{k.Done, k.Cancel}} }
