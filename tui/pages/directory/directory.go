// Package directory is 部门查询: the unit tree as the platform last gave
// it — the center, the units, their sub-units — with the load of each unit
// whose tickets the cache holds (open, near the deadline, past it), and
// the people of the unit chosen with their roles and phone numbers.
package directory

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hotline/complaint"
	"hotline/store"
	"hotline/tui/app"
	"hotline/tui/cells"
	"hotline/tui/components/table"
	"hotline/tui/theme"
)

// Load is a unit's open tickets and how many of them are near or past the
// deadline of the step they wait on.
type Load = store.Load

// LoadedMsg carries the load of every unit, by code, counted from the
// cache.
type LoadedMsg struct {
	Load map[string]Load
	Err  error
}

// node is one unit of the tree, with the glyphs that draw its place.
type node struct {
	unit   complaint.Unit
	prefix string
}

// Model is the directory page.
type Model struct {
	ctx    *app.Context
	nodes  []node
	tree   table.Model
	people table.Model
	load   map[string]Load
	loaded bool
	failed string
	// inPeople is whether the keys move in the people of the unit chosen
	// rather than in the tree.
	inPeople bool
	// The tables draw the cursor of the side not in use without reverse,
	// so that one cursor is seen moving.
	treeStyles, peopleStyles theme.Styles
	width, height            int
}

// Columns of the tree and of the people.
const (
	colUnit    = "单位"
	colOpen    = "在办"
	colNear    = "临近"
	colOverdue = "超时"
	colName    = "姓名"
	colRoles   = "角色"
	colPhone   = "电话"

	wCount = 5 // "▲9999"
	wName  = 8 // four characters; longer names are cut
	// wRolesMin is the cells the roles keep however long a phone is: one
	// role's name, "专职人员".
	wRolesMin = 8
)

// New returns the page over ctx.Units and ctx.People; Load counts the
// tickets.
func New(ctx *app.Context) *Model {
	m := &Model{ctx: ctx, width: 1, height: 4}
	m.treeStyles, m.peopleStyles = ctx.Styles, ctx.Styles
	m.tree = table.New([]table.Column{
		{Title: colUnit, Flex: true},
		{Title: colOpen, Width: wCount, Right: true},
		{Title: colNear, Width: wCount, Right: true},
		{Title: colOverdue, Width: wCount, Right: true},
	}, ctx.Keys.Directory.Move, &m.treeStyles)
	m.tree.Empty = "（还没有单位信息：连接平台后自动获取）"
	m.people = table.New(m.peopleColumns(nil), ctx.Keys.Directory.Move, &m.peopleStyles)
	m.people.Empty = "（没有登记人员）"
	m.Rebuild()
	return m
}

// KeyMap is the page's keys, for help.
func (m *Model) KeyMap() help.KeyMap { return m.ctx.Keys.Directory }

// Load counts the open tickets of the cache by unit and sub-unit, and how
// many of them are near or past their step's deadline now, as the status
// bar counts them.
func (m *Model) Load() tea.Cmd {
	st, ctx, now, p := m.ctx.Store, m.ctx.Bg(), m.ctx.Now(), m.ctx.Policy()
	return func() tea.Msg {
		load, err := st.Loads(ctx, now, p)
		return LoadedMsg{Load: load, Err: err}
	}
}

// Rebuild lays the tree out again from ctx.Units (the platform sent a new
// one), keeping the unit chosen.
func (m *Model) Rebuild() {
	first := m.Selected() == ""
	m.nodes = tree(m.ctx.Units)
	m.refresh()
	if first {
		// The first look is at the user's own unit and its people.
		for i, n := range m.nodes {
			if n.unit.Code == m.ctx.User.Unit {
				m.tree.SetCursor(i)
				break
			}
		}
	}
	m.choose()
}

// tree orders units as a tree, each under its parent in the order given,
// with the glyphs that draw it. A unit whose parent is unknown is a root;
// a unit in a loop of parents, never reached from a root, is listed last
// as a root of its own.
func tree(units []complaint.Unit) []node {
	known := map[string]bool{}
	for _, u := range units {
		known[u.Code] = true
	}
	children := map[string][]complaint.Unit{}
	var roots []complaint.Unit
	for _, u := range units {
		if u.Parent == "" || u.Parent == u.Code || !known[u.Parent] {
			roots = append(roots, u)
		} else {
			children[u.Parent] = append(children[u.Parent], u)
		}
	}
	var out []node
	seen := map[string]bool{}
	var walk func(u complaint.Unit, prefix, indent string)
	walk = func(u complaint.Unit, prefix, indent string) {
		if seen[u.Code] {
			return
		}
		seen[u.Code] = true
		out = append(out, node{unit: u, prefix: prefix})
		kids := children[u.Code]
		for i, c := range kids {
			if i == len(kids)-1 {
				walk(c, indent+"└─ ", indent+"   ")
			} else {
				walk(c, indent+"├─ ", indent+"│  ")
			}
		}
	}
	for _, r := range roots {
		walk(r, "", "")
	}
	for _, u := range units {
		walk(u, "", "")
	}
	return out
}

// counted reports whether the cache holds the tickets of the unit with
// code, so that its load means something: the user's own unit with its
// sub-units, or every unit for the center.
func (m *Model) counted(u complaint.Unit) bool {
	if m.ctx.User.Has(complaint.RoleCenter) {
		return u.Kind != complaint.KindCenter
	}
	top := m.ctx.User.Unit
	for _, x := range m.ctx.Units {
		if x.Code == top && x.Kind == complaint.KindSubunit && x.Parent != "" {
			top = x.Parent
		}
	}
	return u.Code == top || u.Parent == top
}

// refresh writes the tree's rows from the nodes and the load.
func (m *Model) refresh() {
	rows := make([]table.Row, len(m.nodes))
	for i, n := range m.nodes {
		cs := []string{n.prefix + cells.Line(n.unit.Name), "", "", ""}
		var tone table.Tone
		if m.counted(n.unit) {
			l := m.load[n.unit.Code]
			switch {
			case m.failed != "":
				cs[1] = "?"
			case m.loaded:
				cs[1], cs[2], cs[3] = strconv.Itoa(l.Open), count(app.MarkNear, l.Near), count(app.MarkOverdue, l.Overdue)
			default:
				cs[1] = "…"
			}
			switch {
			case m.loaded && l.Overdue > 0:
				tone = table.Alert
			case m.loaded && l.Near > 0:
				tone = table.Warn
			}
		}
		if n.unit.Name == "" {
			cs[0] = n.prefix + cells.Line(n.unit.Code)
		}
		rows[i] = table.Row{Key: n.unit.Code, Cells: cs, Tone: tone}
	}
	m.tree.SetRows(rows)
}

// count is n with the mark that says, without colour, what it counts,
// when there are any.
func count(mark string, n int) string {
	if n == 0 {
		return "0"
	}
	return mark + strconv.Itoa(n)
}

// Selected is the code of the unit chosen, or "".
func (m *Model) Selected() string {
	r, ok := m.tree.Selected()
	if !ok {
		return ""
	}
	return r.Key
}

// unit is the unit chosen.
func (m *Model) unit() (complaint.Unit, bool) {
	code := m.Selected()
	for _, n := range m.nodes {
		if n.unit.Code == code {
			return n.unit, true
		}
	}
	return complaint.Unit{}, false
}

// choose lists the people of the unit chosen.
func (m *Model) choose() {
	code := m.Selected()
	var rows []table.Row
	for _, p := range m.ctx.People {
		if code == "" || p.Unit != code {
			continue
		}
		name := p.Name
		if name == "" {
			name = p.Login
		}
		rows = append(rows, table.Row{Key: p.Login, Cells: []string{name, Roles(p.Roles), orDash(p.Phone)}})
	}
	m.people.SetColumns(m.peopleColumns(rows))
	m.people.SetRows(rows)
	m.people.SetCursor(0)
	if len(rows) == 0 {
		m.inPeople = false
	}
}

// peopleColumns are the people's columns for rows: the phone as wide as
// the widest phone shown, since a number cut short is no number; the roles
// take the rest, but never less than wRolesMin.
func (m *Model) peopleColumns(rows []table.Row) []table.Column {
	phone := cells.Width(colPhone)
	for _, r := range rows {
		phone = max(phone, cells.Width(cells.Line(r.Cells[2])))
	}
	// The table's width less its mark, the name, the roles' least and the
	// blanks between the three columns.
	room := m.width - m.treeWidth() - 1 - cells.Width(table.Mark) - wName - wRolesMin - 2
	return []table.Column{
		{Title: colName, Width: wName},
		{Title: colRoles, Flex: true},
		{Title: colPhone, Width: max(min(phone, room), cells.Width(colPhone))},
	}
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// roleNames are the roles as the units call them.
var roleNames = map[complaint.Role]string{
	complaint.RoleCenter:     "中心话务员",
	complaint.RoleDuty:       "专职人员",
	complaint.RoleHandler:    "承办人",
	complaint.RoleReviewer:   "审核人",
	complaint.RoleSupervisor: "督办人员",
	complaint.RoleAdmin:      "管理员",
}

// Roles is a person's roles in Chinese, joined with 、; a role the
// terminal does not know shows by its code.
func Roles(rs []complaint.Role) string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if n, ok := roleNames[r]; ok {
			out = append(out, n)
		} else {
			out = append(out, string(r))
		}
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, "、")
}

// InPeople reports whether the keys move in the people.
func (m *Model) InPeople() bool { return m.inPeople }

// SetSize sets the cells the page draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, max(h, 4)
	tw := m.treeWidth()
	m.tree.SetSize(tw, m.height-1)
	m.people.SetSize(w-tw-1, m.height-2)
	m.people.SetColumns(m.peopleColumns(m.people.Rows()))
}

// treeWidth is the cells of the tree; the people take the rest but one,
// the rule between them.
func (m *Model) treeWidth() int { return max(44, m.width/2) }

// Update handles the page's keys and the count of its load.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Err != nil {
			m.failed = "统计工单失败：" + msg.Err.Error()
		} else {
			m.failed, m.loaded, m.load = "", true, msg.Load
		}
		m.refresh()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys.Directory
	switch {
	case key.Matches(msg, k.Back):
		if m.inPeople {
			m.inPeople = false
			return nil
		}
		return m.ctx.Navigate(app.BackMsg{})
	case key.Matches(msg, k.People):
		m.inPeople = m.people.Len() > 0
	case key.Matches(msg, k.Units):
		m.inPeople = false
	case m.inPeople:
		m.people.Update(msg)
	default:
		before := m.Selected()
		m.tree.Update(msg)
		if m.Selected() != before {
			m.choose()
		}
	}
	return nil
}

// peopleTitle is the title over the people of unit u in w cells: its name,
// how many, its phone. The name gives way first: a phone cut short is no
// use, a name cut short is still recognised.
func (m *Model) peopleTitle(u complaint.Unit, w int) string {
	tail := fmt.Sprintf(" · %d 人", m.people.Len())
	if u.Phone != "" {
		tail += " · 电话 " + cells.Line(u.Phone)
	}
	name := cells.Line(u.Name)
	if room := w - cells.Width(tail); cells.Width(name) > room && room >= cells.Width(cells.Ellipsis)+2 {
		// At least one character of the name and its ellipsis.
		name = cells.Cut(name, room, cells.Ellipsis)
	}
	return name + tail
}

// View draws exactly the page's height in lines of exactly its width: a
// line that says what the counts are, then the tree and, right of it, the
// people of the unit chosen.
func (m *Model) View() string {
	st := m.ctx.Styles
	m.treeStyles, m.peopleStyles = st, st
	if m.inPeople {
		m.treeStyles.Selected = st.Title
	} else {
		m.peopleStyles.Selected = lipgloss.NewStyle()
	}
	info := fmt.Sprintf(" 单位 %d 个 · 人员 %d 人 · 在办：本机未反馈的工单，%s临近、%s超过所在环节的时限",
		len(m.nodes), len(m.ctx.People), app.MarkNear, app.MarkOverdue)
	line := st.Muted.Render(cells.Fit(info, m.width))
	if m.failed != "" {
		line = st.Error.Render(cells.Fit(" "+cells.Line(m.failed), m.width))
	}
	tw := m.treeWidth()
	pw := m.width - tw - 1
	title := ""
	if u, ok := m.unit(); ok {
		title = m.peopleTitle(u, pw-1)
	}
	right := append([]string{st.Title.Render(cells.Fit(" "+title, pw))}, strings.Split(m.people.View(), "\n")...)
	left := strings.Split(m.tree.View(), "\n")
	out := []string{line}
	for i := range left {
		out = append(out, left[i]+st.Muted.Render("│")+right[i])
	}
	return strings.Join(out, "\n")
}
