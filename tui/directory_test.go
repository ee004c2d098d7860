package tui

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/tui/cells"
	"hotline/tui/pages/directory"
)

// tree is the tree's part of line y of the directory at 80 columns: the
// 44 cells left of the rule.
func (h *harness) tree(y int) string { return cells.Cut(h.line(y), 44, "") }

// The tree with its glyphs, and each unit's load counted from the cache:
// the open tickets of the fixtures are 001 (near), 002 (overdue) and 066
// of the unit itself, and 017, 030 (near) and 011 (overdue) of 兴隆台. The
// unit's counts are the status bar's; units whose tickets the cache does
// not hold show none.
func TestDirectoryTreeAndLoad(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("5")
	if h.m.screen != screenDirectory {
		t.Fatalf("5 opened screen %d", h.m.screen)
	}
	want := []string{
		"  单位                      在办  临近  超时",
		"  12345市民服务热线中心                     ",
		"  ├─ 国网盘锦供电公司          6    ▲2    !2",
		"  │  ├─ 兴隆台供电分公司       3    ▲1    !1",
		"  │  └─ 双台子供电分公司       0     0     0",
		"  └─ 盘锦市水务集团                         ",
	}
	for i, w := range want {
		if got := h.tree(2 + i); got != w {
			t.Errorf("row %d\n got %q\nwant %q", i, got, w)
		}
	}
	if got := h.line(23); !strings.Contains(got, "!超时 2 ▲临近 2") {
		t.Errorf("status bar %q", got)
	}
	// Without colour the marks carry it; with colour the rows are toned.
	raw := h.rawLines()
	if !strings.Contains(raw[5], "\x1b[31m") {
		t.Errorf("兴隆台, with an overdue ticket, is not red: %q", raw[5])
	}

	// A ticket that crosses its deadline and a new one of 双台子 show once
	// the cache changes.
	fresh := complaint.Ticket{Number: "20200506009", Title: "双台子区停电", ReceivedAt: at(2 * time.Hour), Unit: unitCode, Subunit: subST,
		State: complaint.Assigned, Version: 1, Step: complaint.StepContact, StepStart: at(2 * time.Hour), Due: at(time.Minute)}
	if _, err := h.st.Apply(context.Background(), []complaint.Ticket{fresh}, nil, 2); err != nil {
		t.Fatal(err)
	}
	h.send(SyncedMsg{New: []string{fresh.Number}, At: testNow})
	for y, w := range map[int]string{4: "  ├─ 国网盘锦供电公司          7    ▲2    !3", 6: "  │  └─ 双台子供电分公司       1     0    !1"} {
		if got := h.tree(y); got != w {
			t.Errorf("after the sync row %d\n got %q\nwant %q", y, got, w)
		}
	}
}

// Moving in the tree shows the people of the unit chosen, with their roles
// in Chinese; enter goes into them, esc back to the tree, esc again back
// to the lists.
func TestDirectoryPeople(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("5")
	// The first look is at the user's own unit.
	if got := h.m.directory.Selected(); got != unitCode {
		t.Fatalf("the directory opened on %q, want the user's unit %q", got, unitCode)
	}
	people := func() []string {
		var out []string
		for y := 4; y < 22; y++ {
			right := strings.TrimSpace(h.line(y)[strings.LastIndex(h.line(y), "│")+len("│"):])
			if right != "" {
				out = append(out, strings.Join(strings.Fields(right), " "))
			}
		}
		return out
	}
	tests := []struct {
		keys  []string
		unit  string
		title string
		want  []string
	}{
		{nil, centerCode, "12345市民服务热线中心 · 1 人", []string{"周话务 中心话务员 —"}},
		{[]string{"j"}, unitCode, "国网盘锦供电公司 · 3 人", []string{"葛\U000E0100𠮷祥 专职人员 —", "赵分管 审核人 —", "陈监察 督办人员 —"}},
		{[]string{"j", "j"}, subXL, "兴隆台供电分公司 · 2 人", []string{"王𠮷芳 承办人 —", "刘强 承办人 —"}},
		{[]string{"G"}, "PJSW", "盘锦市水务集团 · 0 人", []string{"（没有登记人员）"}},
	}
	for _, tt := range tests {
		h.press("g")
		h.press(tt.keys...)
		if got := h.m.directory.Selected(); got != tt.unit {
			t.Fatalf("%v: unit %q, want %q", tt.keys, got, tt.unit)
		}
		title := strings.TrimSpace(h.line(2)[strings.LastIndex(h.line(2), "│")+len("│"):])
		if title != tt.title {
			t.Errorf("%v: people's title %q, want %q", tt.keys, title, tt.title)
		}
		if got := people(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: people %q, want %q", tt.keys, got, tt.want)
		}
	}
	h.press("g", "j", "j", "enter")
	if !h.m.directory.InPeople() {
		t.Fatal("enter did not go into the people")
	}
	h.press("j")
	if got := h.m.directory.Selected(); got != subXL {
		t.Fatalf("j among the people moved the tree to %q", got)
	}
	h.press("esc")
	if h.m.directory.InPeople() || h.m.screen != screenDirectory {
		t.Fatalf("esc among the people: in people %v, screen %d", h.m.directory.InPeople(), h.m.screen)
	}
	h.press("right")
	if !h.m.directory.InPeople() {
		t.Fatal("→ did not go into the people")
	}
	h.press("left", "j")
	if h.m.directory.InPeople() || h.m.directory.Selected() != subST {
		t.Fatalf("← then j: in people %v, unit %q", h.m.directory.InPeople(), h.m.directory.Selected())
	}
	// A unit without people cannot be gone into.
	h.press("G", "enter")
	if h.m.directory.InPeople() {
		t.Fatal("went into the people of a unit without any")
	}
	h.press("esc")
	if h.m.screen != screenList {
		t.Fatalf("esc from the tree went to %d", h.m.screen)
	}
	// Back again, the unit chosen is kept.
	h.press("5")
	if got := h.m.directory.Selected(); got != "PJSW" {
		t.Fatalf("directory reopened on %q", got)
	}
}

// A new tree from the platform is drawn at once; names from outside are
// drawn inert and measured by their width.
func TestDirectoryFollowsThePlatform(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	h.press("5", "j")
	units := append(append([]complaint.Unit{}, testUnits...),
		complaint.Unit{Code: "PJGD-DF", Name: "大洼\x1b]0;pwned\x07供电分公司", Kind: complaint.KindSubunit, Parent: unitCode, Phone: "0427-6\x1b[2J"})
	people := append(append([]complaint.User{}, testPeople...),
		complaint.User{Login: "h10", Name: "𡒄䶮", Unit: "PJGD-DF", Roles: []complaint.Role{complaint.RoleHandler, complaint.RoleReviewer, "auditor"}, Phone: "13700000003"})
	h.send(DirectoryMsg{Units: units, People: people})
	if got := h.m.directory.Selected(); got != subXL {
		t.Fatalf("unit chosen moved to %q", got)
	}
	h.press("j", "j")
	if got := h.m.directory.Selected(); got != "PJGD-DF" {
		t.Fatalf("new sub-unit %q", got)
	}
	screen := h.view() // no control character reaches the terminal
	for _, want := range []string{
		"│  └─ 大洼␛]0;pwned␇供电分公司",
		"│  ├─ 双台子供电分公司",
		" 大洼␛]0;pwned␇供电分公司 · 1 人 · 电话 0427-6␛[2J",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	// tui-cjk case 9: 𡒄䶮 is 4 cells; the columns stay aligned after it.
	head, row := h.line(3), h.line(4)
	col := func(line, s string) int { return cells.Width(line[:strings.Index(line, s)]) }
	if !strings.Contains(row, "𡒄䶮     承办人、审核人、auditor ") || col(row, "13700000003") != col(head, "电话") || col(row, "承办人") != col(head, "角色") {
		t.Errorf("people not aligned:\n%s\n%s", head, row)
	}
}

func TestRoles(t *testing.T) {
	for _, tt := range []struct {
		roles []complaint.Role
		want  string
	}{
		{nil, "—"},
		{[]complaint.Role{complaint.RoleDuty, complaint.RoleReviewer}, "专职人员、审核人"},
		{[]complaint.Role{complaint.RoleSupervisor, complaint.RoleCenter, complaint.RoleAdmin, complaint.RoleHandler}, "督办人员、中心话务员、管理员、承办人"},
		{[]complaint.Role{"auditor"}, "auditor"},
	} {
		if got := directory.Roles(tt.roles); got != tt.want {
			t.Errorf("Roles(%v) = %q, want %q", tt.roles, got, tt.want)
		}
	}
}

// A phone is never cut: the phone column is as wide as the longest phone
// shown and the roles take what is left; in the title over the people the
// unit's name gives way before its phone does. At 80 columns the people
// have 35 cells.
func TestDirectoryPhonesWhole(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("5", "g", "j")
	units := append([]complaint.Unit{}, testUnits...)
	units[1].Phone = "0000-95598-800"
	people := append(append([]complaint.User{}, testPeople...),
		complaint.User{Login: "duty02", Name: "李明", Unit: unitCode, Roles: []complaint.Role{complaint.RoleDuty}, Phone: "0000-95598-801"})
	h.send(DirectoryMsg{Units: units, People: people})
	if got := h.m.directory.Selected(); got != unitCode {
		t.Fatalf("unit %q, want %q", got, unitCode)
	}
	right := func(y int) string { l := h.line(y); return l[strings.LastIndex(l, "│")+len("│"):] }
	for y, want := range map[int]string{
		2: " 国网… · 4 人 · 电话 0000-95598-800",
		3: "  姓名     角色      电话          ",
		4: "  葛\U000E0100𠮷祥   专职人员  —             ",
		7: "  李明     专职人员  0000-95598-801",
	} {
		if got := right(y); got != want {
			t.Errorf("row %d\n got %q\nwant %q", y, got, want)
		}
	}
	// A unit without long phones gives the roles the room again.
	h.press("j")
	if got := right(4); got != "  王𠮷芳   承办人              —   " {
		t.Errorf("兴隆台's first person %q", got)
	}
}
