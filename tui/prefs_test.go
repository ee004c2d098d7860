package tui

import (
	"fmt"
	"image/color"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hotline/complaint"
	"hotline/tui/keys"
	"hotline/tui/theme"
)

// newHarnessWith is newHarnessAs with the options set changes: keys,
// theme, bell, mouse.
func newHarnessWith(t testing.TB, u complaint.User, w, h int, tickets []complaint.Ticket, set func(*Options)) *harness {
	t.Helper()
	hs := &harness{t: t, st: openStore(t, tickets), w: w, h: h}
	o := Options{Store: hs.st, User: u, Unit: unitOf(u), Units: testUnits, People: testPeople,
		Now: func() time.Time { return testNow }}
	set(&o)
	hs.m = New(o)
	hs.m.ctx.After = func(d time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{d, msg} }
	}
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// key sends the key press a binding written s matches.
func (h *harness) key(s string) {
	h.t.Helper()
	k, err := keys.Parse(s)
	if err != nil {
		h.t.Fatal(err)
	}
	h.send(tea.KeyPressMsg(k))
}

func rebound(t *testing.T, binds map[string][]string) func(*Options) {
	km, err := keys.Rebind(keys.Default(), binds)
	if err != nil {
		t.Fatal(err)
	}
	return func(o *Options) { o.Keys = km }
}

// A rebound key works where the old one no longer does, and help, the hint
// line and a ticket's action line tell the new one.
func TestKeyReboundWorksAndHelpShowsIt(t *testing.T) {
	h := newHarnessWith(t, handlerUser, 120, 40, fixtures(), rebound(t, map[string][]string{
		"list.settings": {"f2"},
		"detail.reply":  {"y", "Y"},
	}))
	if hint := h.line(38); !strings.Contains(hint, " f2 设置 ") || strings.Contains(hint, " S 设置 ") {
		t.Errorf("hint line %q", hint)
	}
	h.press("S")
	if h.m.screen != screenList {
		t.Fatalf("S still opens screen %d", h.m.screen)
	}
	h.key("f2")
	if h.m.screen != screenSettings {
		t.Fatalf("f2 did not open the settings")
	}
	h.press("esc", "?")
	help := h.view()
	for _, re := range []string{`  f2 +设置 `, `  y/Y +回复 `} {
		if !regexp.MustCompile(re).MatchString(help) {
			t.Errorf("help lacks %q:\n%s", re, help)
		}
	}
	for _, re := range []string{`  S +设置 `, `  r +回复 `} {
		if regexp.MustCompile(re).MatchString(help) {
			t.Errorf("help still shows %q", re)
		}
	}
	h.press("esc")
	h.open("20200504017")
	if !strings.Contains(h.view(), "y/Y 回复") {
		t.Errorf("action line without y/Y:\n%s", h.view())
	}
	h.press("r")
	if h.m.screen != screenDetail {
		t.Fatalf("r still opens screen %d", h.m.screen)
	}
	h.press("Y")
	if h.m.screen != screenForm {
		t.Fatalf("Y did not open the reply form")
	}
}

// ctrl+c quits whatever force quit was rebound to; the new key quits too.
func TestKeyForceQuitStays(t *testing.T) {
	for _, k := range []string{"ctrl+c", "ctrl+q"} {
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), rebound(t, map[string][]string{"global.force_quit": {"ctrl+q"}}))
		h.press("enter")
		h.key(k)
		if !h.quit {
			t.Errorf("%s did not quit", k)
		}
	}
}

// The quit key of the too-small notice is the rebound one.
func TestKeyTooSmallTellsTheQuitKey(t *testing.T) {
	h := newHarnessWith(t, testUser, 60, 20, fixtures(), rebound(t, map[string][]string{"list.quit": {"Q"}}))
	if !strings.Contains(h.view(), "请放大终端窗口，按 Q 退出") {
		t.Fatalf("notice:\n%s", h.view())
	}
	h.press("q")
	if h.quit {
		t.Fatal("q quit")
	}
	h.press("Q")
	if !h.quit {
		t.Fatal("Q did not quit")
	}
}

func themed(n theme.Name) func(*Options) { return func(o *Options) { o.Theme = n } }

// The same screen in the light and the dark theme: the same text, other
// colours; auto follows the terminal's answer and stays dark without one.
func TestThemeLightAndDark(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	open := func(n theme.Name) *harness {
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), themed(n))
		h.press("2", "j")
		return h
	}
	screen := func(h *harness) string { return h.m.View().Content }
	dark, light := screen(open(theme.Dark)), screen(open(theme.Light))
	if sgr.ReplaceAllString(dark, "") != sgr.ReplaceAllString(light, "") {
		t.Fatal("the themes draw different text")
	}
	if dark == light {
		t.Fatal("light and dark draw the same colours")
	}
	if !strings.Contains(dark, "\x1b[31m") || strings.Contains(dark, "38;5;") {
		t.Error("dark is not drawn in the terminal's 16 colours")
	}
	if !strings.Contains(light, "38;5;160") || strings.Contains(light, "\x1b[33m") {
		t.Error("light is not drawn in its darker 256 colours")
	}
	if screen(open("")) != dark {
		t.Error("no theme is not dark")
	}

	h := open(theme.Auto)
	if h.m.askBackground() == nil {
		t.Fatal("auto does not ask the terminal for its background")
	}
	if screen(h) != dark {
		t.Error("auto before an answer is not dark")
	}
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if screen(h) != light {
		t.Error("auto on white is not light")
	}
	h.send(tea.BackgroundColorMsg{Color: color.Black})
	if screen(h) != dark {
		t.Error("auto on black is not dark")
	}
	// A fixed theme does not ask and does not follow.
	h = open(theme.Dark)
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.askBackground() != nil || screen(h) != dark {
		t.Error("dark asked for or followed the background")
	}
}

// NO_COLOR wins over every theme, the terminal's answer included.
func TestThemeNoColorWins(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	for _, n := range []theme.Name{theme.Dark, theme.Light, theme.Auto} {
		h := newHarnessWith(t, testUser, 80, 24, fixtures(), themed(n))
		h.send(tea.BackgroundColorMsg{Color: color.White})
		h.press("j")
		raw := h.m.View().Content
		if colorSGR.MatchString(raw) {
			t.Errorf("%s: colour with NO_COLOR: %q", n, colorSGR.FindString(raw))
		}
		if !strings.Contains(raw, "\x1b[7m") {
			t.Errorf("%s: the selected row is not in reverse", n)
		}
		if h.m.askBackground() != nil {
			t.Errorf("%s: asks for the background with NO_COLOR", n)
		}
	}
}

// bells sends msg and counts the bells its commands ring, running the rest
// as the harness does.
func (h *harness) bells(msg tea.Msg) int {
	_, cmd := h.m.Update(msg)
	n := 0
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.RawMsg:
			if msg.Msg != "\a" {
				h.t.Fatalf("raw output %q", msg.Msg)
			}
			n++
		default:
			if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
				for i := v.Len() - 1; i >= 0; i-- {
					queue = append([]tea.Cmd{v.Index(i).Interface().(tea.Cmd)}, queue...)
				}
				continue
			}
			h.run(func() tea.Msg { return msg })
		}
	}
	return n
}

func TestBellOnNewTickets(t *testing.T) {
	ring := func(o *Options) { o.Bell = true }
	tests := []struct {
		name string
		set  func(*Options)
		msg  tea.Msg
		want int
	}{
		{"new", ring, SyncedMsg{New: []string{"20200506001", "20200506002"}, At: testNow}, 1},
		{"nothing new", ring, SyncedMsg{At: testNow}, 0},
		{"off", func(*Options) {}, SyncedMsg{New: []string{"20200506001"}, At: testNow}, 0},
		{"not a sync", ring, OutboxMsg{Ticket: "20200506001"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarnessWith(t, testUser, 80, 24, fixtures(), tt.set)
			if got := h.bells(tt.msg); got != tt.want {
				t.Errorf("%d bells, want %d", got, tt.want)
			}
		})
	}
	// Once a sync, each sync; on any screen.
	h := newHarnessWith(t, testUser, 80, 24, fixtures(), ring)
	h.open("20200506002")
	for i := range 3 {
		if got := h.bells(SyncedMsg{New: []string{"20200506001"}, At: testNow}); got != 1 {
			t.Fatalf("sync %d: %d bells", i, got)
		}
	}
}

func mouseOn(o *Options) { o.Mouse = true }

// many is the fixtures and 40 more open tickets, so that the lists scroll.
func many() []complaint.Ticket {
	ts := fixtures()
	for i := range 40 {
		ts = append(ts, complaint.Ticket{Number: fmt.Sprintf("202004%05d", i), Title: fmt.Sprintf("路灯不亮 %d", i),
			ReceivedAt: at(time.Duration(10+i) * 24 * time.Hour), Unit: unitCode, State: complaint.Signed, Version: 1})
	}
	return ts
}

func TestMouseModeFollowsTheSetting(t *testing.T) {
	if got := newHarness(t, 80, 24, fixtures()).m.View().MouseMode; got != tea.MouseModeNone {
		t.Errorf("mouse mode %v without the setting", got)
	}
	if got := newHarnessWith(t, testUser, 80, 24, fixtures(), mouseOn).m.View().MouseMode; got != tea.MouseModeCellMotion {
		t.Errorf("mouse mode %v with the setting", got)
	}
}

// The wheel is the screen's up and down keys, on the lists and on a
// ticket's page alike; without the setting it does nothing.
func TestMouseWheelScrolls(t *testing.T) {
	down, up := tea.MouseWheelMsg{Button: tea.MouseWheelDown, Y: 5}, tea.MouseWheelMsg{Button: tea.MouseWheelUp, Y: 5}
	h := newHarnessWith(t, testUser, 80, 24, fixtures(), mouseOn)
	h.press("2")
	h.send(down)
	if got := h.m.list.Selected(); got != "20200503011" {
		t.Fatalf("after wheel down %q", got)
	}
	h.send(up)
	if got := h.m.list.Selected(); got != "20200506002" {
		t.Fatalf("after wheel up %q", got)
	}

	keyed := newHarness(t, 80, 24, fixtures())
	keyed.open("20200504017")
	keyed.press("down", "down", "down")
	h.open("20200504017")
	h.send(down, down, down)
	// The status bar differs: the keyed harness has a link status.
	if body := func(h *harness) string { return strings.Join(strings.Split(h.view(), "\n")[:22], "\n") }; body(h) != body(keyed) {
		t.Errorf("wheel and keys scroll differently:\n%s\n---\n%s", body(h), body(keyed))
	}

	off := newHarness(t, 80, 24, fixtures())
	off.press("2")
	off.send(down)
	if got := off.m.list.Selected(); got != "20200506002" {
		t.Fatalf("wheel moved the cursor without the setting: %q", got)
	}
}

// A left click on a row picks it, a click on the picked row (a double
// click) opens it, also on a list scrolled down; a click elsewhere does
// nothing.
func TestMouseClickPicksAndOpens(t *testing.T) {
	click := func(y int) tea.MouseClickMsg { return tea.MouseClickMsg{Button: tea.MouseLeft, X: 20, Y: y} }
	h := newHarnessWith(t, testUser, 80, 24, many(), mouseOn)
	h.press("2", "G") // the cursor on the last row, the list scrolled
	for _, y := range []int{3, 12, 21, 2} {
		want := rowNumber(h.line(y))
		h.send(click(y))
		if got := h.m.list.Selected(); got != want || !strings.HasPrefix(want, "202004") {
			t.Fatalf("click on row %d (%q) picked %q", y, want, got)
		}
		if got := rowNumber(h.line(y)); got != want {
			t.Fatalf("the list scrolled: row %d is %q", y, got)
		}
	}
	for _, m := range []tea.Msg{click(0), click(1), click(22), click(23), tea.MouseClickMsg{Button: tea.MouseRight, Y: 5}} {
		before := h.view()
		h.send(m)
		if h.m.screen != screenList || h.view() != before {
			t.Fatalf("%v changed the screen", m)
		}
	}
	want := rowNumber(h.line(7))
	h.send(click(7), click(7))
	if h.m.screen != screenDetail || h.m.detail.Number() != want {
		t.Fatalf("double click on %q: screen %d", want, h.m.screen)
	}
	// Clicks are for the lists only.
	h.send(click(7))
	if h.m.screen != screenDetail {
		t.Fatal("a click on a ticket's page left it")
	}
}

// The wheel scrolls the menu's screens as their own down key does, and
// changes them as the key does.
func TestMouseWheelOnMenuScreens(t *testing.T) {
	down := tea.MouseWheelMsg{Button: tea.MouseWheelDown, Y: 5}
	for _, screen := range []string{"5", "6"} {
		h := newHarnessWith(t, testUser, 100, 30, fixtures(), mouseOn)
		keyed := newHarnessWith(t, testUser, 100, 30, fixtures(), mouseOn)
		h.press(screen)
		keyed.press(screen)
		before := h.view()
		h.send(down)
		keyed.press("down")
		body := func(h *harness) string { return strings.Join(strings.Split(h.view(), "\n")[:28], "\n") }
		if body(h) != body(keyed) {
			t.Errorf("screen %s: wheel and key differ:\n%s\n---\n%s", screen, body(h), body(keyed))
		}
		// The directory's cursor moves; the statistics of the test
		// tickets may have a single row.
		if screen == "5" && h.view() == before {
			t.Errorf("screen %s: the wheel changed nothing", screen)
		}
	}
}
