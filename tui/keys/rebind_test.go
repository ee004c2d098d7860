package keys

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestKeyParse(t *testing.T) {
	// What parses is exactly what a key press reports (String), the form
	// bindings are matched in.
	for _, s := range []string{"p", "P", "工", "+", "ctrl++", "ctrl+p", "ctrl+shift+p", "alt+p", "alt+shift+p", "ctrl+alt+p",
		"enter", "tab", "shift+tab", "space", "ctrl+space", "esc", "backspace", "delete", "pgup", "pgdown", "up", "shift+up",
		"home", "f1", "f5", "f12", "ctrl+f5", "ctrl+h", "ctrl+j"} {
		k, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		if got := tea.KeyPressMsg(k).String(); got != s {
			t.Errorf("Parse(%q) reports itself as %q", s, got)
		}
		if !key.Matches(tea.KeyPressMsg(k), key.NewBinding(key.WithKeys(s))) {
			t.Errorf("Parse(%q) does not match a binding of %q", s, s)
		}
	}
	const notKey = `not a key: write one character ("p", "P", "工"), a key name (enter, esc, tab, space, backspace, delete, insert, home, end, pgup, pgdown, up, down, left, right, f1 to f12), either of them after ctrl+, alt+ or shift+`
	for s, want := range map[string]string{
		"":             `empty: give a key such as "p" or "ctrl+p"`,
		" ":            `write "space" for the space bar`,
		"Enter":        `not a key the terminal reports; did you mean "enter"?`,
		"F5":           `not a key the terminal reports; did you mean "f5"?`,
		"Ctrl+P":       `not a key the terminal reports; did you mean "ctrl+p"?`,
		"pageup":       `not a key the terminal reports; did you mean "pgup"?`,
		"ctrl+escape":  `not a key the terminal reports; did you mean "ctrl+esc"?`,
		"f13":          notKey,
		"cmd+p":        `"cmd" is not a modifier: the modifiers are ctrl, alt and shift (and meta, hyper, super), in that order`,
		"ctrl+":        `a modifier needs a key after it, as in "ctrl+p"`,
		"ctrl+P":       `the terminal reports a capital with ctrl as shift and the small letter: write "ctrl+shift+p"`,
		"alt+A":        `the terminal reports a capital with alt as shift and the small letter: write "alt+shift+a"`,
		"shift+a":      `the terminal reports shift with a letter as the capital: write "A"`,
		"shift+1":      `the terminal reports shift with a character key as the character it types ("!" for shift+1): write that character`,
		"shift+ctrl+a": `the terminal reports this key as "ctrl+shift+a": write that`,
		"ctrl+i":       `most terminals send this as "tab": write that`,
		"ctrl+[":       `most terminals send this as "esc": write that`,
		"ctrl+中":       `characters beyond ASCII come through the input method, without ctrl or alt: give the character alone`,
		"你好":           `more than one key: give each as its own string, as in ["r", "R"]`,
		"\t":           `not a key the terminal reports: give a visible character or a key name`,
	} {
		if _, err := Parse(s); err == nil || err.Error() != want {
			t.Errorf("Parse(%q) error\n got %v\nwant %s", s, err, want)
		}
	}
}

// Every binding the help screen shows is rebindable: given each name a key
// of its own, no binding of any group keeps its default keys.
func TestKeyEveryBindingRebindable(t *testing.T) {
	m := Default()
	names := m.Names()
	if i := slices.IndexFunc(names, func(n string) bool { return strings.Count(n, ".") != 1 }); i >= 0 {
		t.Errorf("name %q is not <group>.<field>", names[i])
	}
	if s := slices.Clone(names); len(slices.Compact(slices.Sorted(slices.Values(s)))) != len(names) {
		t.Fatalf("names are not unique: %v", names)
	}
	for _, n := range []string{"global.help", "global.force_quit", "list.print", "list.print_closed", "list.up", "detail.reply",
		"detail.sign", "detail.send", "detail.return_request", "form.left", "form.submit", "printers.less", "preview.save"} {
		if !slices.Contains(names, n) {
			t.Errorf("no binding named %q", n)
		}
	}
	var pool []string
	for c := 'a'; c <= 'z'; c++ {
		pool = append(pool, "alt+"+string(c), "ctrl+alt+"+string(c), "alt+shift+"+string(c), "ctrl+shift+"+string(c), "ctrl+alt+shift+"+string(c))
		if !strings.ContainsRune("cim", c) {
			pool = append(pool, "ctrl+"+string(c))
		}
	}
	for i := range 12 {
		pool = append(pool, fmt.Sprintf("f%d", i+1), fmt.Sprintf("ctrl+f%d", i+1))
	}
	for d := '0'; d <= '9'; d++ {
		pool = append(pool, "alt+"+string(d))
	}
	if len(pool) < len(names) {
		t.Fatalf("%d keys for %d names", len(pool), len(names))
	}
	binds := map[string][]string{}
	for i, n := range names {
		binds[n] = []string{pool[i]}
	}
	got, err := Rebind(m, binds)
	if err != nil {
		t.Fatal(err)
	}
	def := m.Groups()
	for gi, g := range got.Groups() {
		for bi, b := range g.Keys {
			if reflect.DeepEqual(b.Keys(), def[gi].Keys[bi].Keys()) {
				t.Errorf("%s: %q kept its keys %v", g.Title, b.Help().Desc, b.Keys())
			}
			if h := b.Help(); h.Key != "" && h.Key == def[gi].Keys[bi].Help().Key {
				t.Errorf("%s: %q still shows %q", g.Title, h.Desc, h.Key)
			}
		}
	}
	for i, e := range got.entries() {
		want := []string{pool[i]}
		if e.name == "global.force_quit" {
			want = []string{"ctrl+c", pool[i]}
		}
		if !reflect.DeepEqual(e.b.Keys(), want) {
			t.Errorf("%s has %v, want %v", e.name, e.b.Keys(), want)
		}
	}
}

// Help tells the new keys, a pair sharing one help line (+/-) included;
// ctrl+c stays on force quit; the map given is not changed.
func TestKeyRebindHelp(t *testing.T) {
	base := Default()
	m, err := Rebind(base, map[string][]string{
		"detail.reply":      {"y", "Y"},
		"printers.less":     {"<"},
		"list.down":         {"down", "n"},
		"global.force_quit": {"ctrl+q"},
		"form.right":        {"ctrl+l"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		b          key.Binding
		keys, help string
	}{
		{m.Detail.Actions[3].Binding, "y Y", "y/Y"},
		{m.Printers.Less, "<", ""},
		{m.Printers.More, "+ =", "+/<"},
		{m.List.Table.Down, "down n", "↓/n"},
		{m.Global.ForceQuit, "ctrl+c ctrl+q", "ctrl+c/ctrl+q"},
		{m.Form.Editor.Left, "left ctrl+b", "←/ctrl+l"},
		{m.Form.Editor.Right, "ctrl+l", ""},
		{m.Detail.Scroll.Down, "down j", "↓/j"}, // another screen's down is its own
	} {
		if got := strings.Join(tt.b.Keys(), " "); got != tt.keys {
			t.Errorf("%q: keys %q, want %q", tt.b.Help().Desc, got, tt.keys)
		}
		if got := tt.b.Help().Key; got != tt.help {
			t.Errorf("%q: help %q, want %q", tt.b.Help().Desc, got, tt.help)
		}
	}
	if m.Detail.Actions[3].Form != FormReply || m.Detail.Actions[3].Binding.Help().Desc != "回复" {
		t.Fatalf("action 3 is %q", m.Detail.Actions[3].Form)
	}
	if !reflect.DeepEqual(base, Default()) {
		t.Error("Rebind changed the map it was given")
	}
	if same, err := Rebind(Default(), nil); err != nil || !reflect.DeepEqual(same, Default()) {
		t.Errorf("no rebinding changed the keys (%v)", err)
	}
}

func TestKeyRebindErrors(t *testing.T) {
	tests := []struct {
		binds map[string][]string
		want  string
	}{
		{map[string][]string{"list.prnt": {"ctrl+p"}}, `"list.prnt" is not a key name; did you mean "list.print"?`},
		{map[string][]string{"list.printclosed": {"ctrl+p"}}, `"list.printclosed" is not a key name; did you mean "list.print_closed"?`},
		{map[string][]string{"print": {"ctrl+p"}}, `"print" is not a key name; did you mean "list.print", "detail.print" or "printers.print"?`},
		{map[string][]string{"printers.xyzzy": {"ctrl+p"}}, `"printers.xyzzy" is not a key name; the names of printers are printers.up, printers.down, printers.print, printers.more, printers.less, printers.save, printers.back`},
		{map[string][]string{"lists.xyzzy": {"ctrl+p"}}, `"lists.xyzzy" is not a key name; names begin with global., list., detail., form., help., settings., preview., printers., search., directory., stats., alerts., picker., picker_line. or filter_line.`},
		{map[string][]string{"stats.done": {"d"}}, `"stats.done" = "d": a character here would be typed into the dates' line instead: give a key with ctrl+ or alt+, or a key such as f2`},
		{map[string][]string{"stats.export": {"r"}}, `"stats.export" and "stats.refresh" both have "r" on the statistics screens: give one of them another key`},
		{map[string][]string{"global.help": {"x"}}, `"global.help" and "list.clear_picks" both have "x" on the ticket lists: give one of them another key` + "\n" +
			`"global.help" and "detail.stop" both have "x" on a ticket's page: give one of them another key` + "\n" +
			`"global.help" and "stats.export" both have "x" on the statistics screens: give one of them another key`},
		{map[string][]string{"global.alerts": {"r"}}, `"global.alerts" and "detail.reply" both have "r" on a ticket's page: give one of them another key` + "\n" +
			`"global.alerts" and "stats.refresh" both have "r" on the statistics screens: give one of them another key` + "\n" +
			`"global.alerts" and "alerts.refresh" both have "r" on the alerts page: give one of them another key`},
		{map[string][]string{"stats.deliveries": {"x"}}, `"stats.export" and "stats.deliveries" both have "x" on the statistics screens: give one of them another key`},
		{map[string][]string{"picker_line.go": {"g"}}, `"picker_line.go" = "g": a character here would be typed into the picker's path line instead: give a key with ctrl+ or alt+, or a key such as f2`},
		{map[string][]string{"detail.play": {"p"}}, `"detail.print" and "detail.play" both have "p" on a ticket's page: give one of them another key`},
		{map[string][]string{"list.print": {}}, `"list.print" = []: give at least one key`},
		{map[string][]string{"list.print": {"p", "ctrl+P"}}, `"list.print" = "ctrl+P": the terminal reports a capital with ctrl as shift and the small letter: write "ctrl+shift+p"`},
		{map[string][]string{"list.print": {"ctrl+c"}}, `"list.print" = "ctrl+c": ctrl+c always quits the program: give another key`},
		{map[string][]string{"form.submit": {"s"}}, `"form.submit" = "s": a character here would be typed into the form's text instead: give a key with ctrl+ or alt+, or a key such as f2`},
		{map[string][]string{"detail.reply": {"r", "R"}}, `"detail.reply" and "detail.resend" both have "R" on a ticket's page: give one of them another key`},
		{map[string][]string{"list.print": {"enter"}}, `"list.open" and "list.print" both have "enter" on the ticket lists: give one of them another key`},
		{map[string][]string{"global.help": {"p"}}, `"global.help" and "list.print" both have "p" on the ticket lists: give one of them another key` + "\n" +
			`"global.help" and "detail.print" both have "p" on a ticket's page: give one of them another key`},
		{map[string][]string{"form.submit": {"ctrl+b"}}, `"form.left" and "form.submit" both have "ctrl+b" in a form: give one of them another key`},
		// Every problem at once, in the order of the names.
		{map[string][]string{"list.prnt": {"ctrl+p"}, "detail.reply": {"Ctrl+R"}}, `"detail.reply" = "Ctrl+R": not a key the terminal reports; did you mean "ctrl+r"?` + "\n" +
			`"list.prnt" is not a key name; did you mean "list.print"?`},
	}
	for _, tt := range tests {
		_, err := Rebind(Default(), tt.binds)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Rebind(%v)\n got %v\nwant %s", tt.binds, err, tt.want)
		}
	}
	// Keys the defaults already share stay allowed: a statistics screen's
	// esc is both its way back and the dates' line's cancel; a key moved to
	// where nothing has it is fine.
	for _, binds := range []map[string][]string{
		{"stats.back": {"esc", "q"}},
		{"stats.export": {"e"}},
		{"detail.reply": {"y"}, "list.print": {"ctrl+p"}, "preview.save": {"ctrl+s"}},
		{"list.settings": {"f2"}, "detail.print": {"P"}},
	} {
		if _, err := Rebind(Default(), binds); err != nil {
			t.Errorf("Rebind(%v): %v", binds, err)
		}
	}
}

// Help lists each key of a group once: a key told twice under one title
// (a form's ←/→ was both the editor's and a choice's) reads as two
// meanings for one key.
func TestKeyGroupsTellEachKeyOnce(t *testing.T) {
	for _, g := range Default().Groups() {
		seen := map[string]string{}
		for _, b := range g.Keys {
			h := b.Help()
			if !b.Enabled() || h.Key == "" {
				continue
			}
			if d, ok := seen[h.Key]; ok {
				t.Errorf("%s: %q told twice, as %q and %q", g.Title, h.Key, d, h.Desc)
			}
			seen[h.Key] = h.Desc
		}
	}
	var titles []string
	for _, g := range Default().Groups() {
		titles = append(titles, g.Title)
	}
	if want := "统计（在列表按 6 / 7 打开）"; !slices.Contains(titles, want) {
		t.Errorf("no group %q in %q", want, titles)
	}
}
