package keys

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hotline/tui/cells"
)

// ForceQuit is the key that always ends the program, whatever the
// settings: the way out must not depend on a file the user may have got
// wrong.
const ForceQuit = "ctrl+c"

// entry is one binding that may be rebound, found in a Map by reflection so
// that a binding added to the structs is rebindable without more code.
type entry struct {
	name  string // "<group>.<field>" in snake case: "list.print_closed"; an action goes by its form: "detail.reply"
	group string // the Map's field: "list"
	b     *key.Binding
	// teller is the binding whose help tells this one too, for a binding
	// without help of its own ("+/-" of More tells Less): the binding
	// before it, in its struct, that has help.
	teller *key.Binding
}

var (
	bindingType = reflect.TypeFor[key.Binding]()
	actionsType = reflect.TypeFor[[]Action]()
)

// entries lists m's bindings in the order of the structs, pointing into m.
// Nested key maps (a table's, the editor's) are flattened into their group:
// "list.up", not "list.table.up".
func (m *Map) entries() []entry {
	var out []entry
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		out = walk(out, snake(v.Type().Field(i).Name), v.Field(i))
	}
	return out
}

func walk(out []entry, group string, v reflect.Value) []entry {
	var told *key.Binding
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		switch {
		case sf.Type == bindingType:
			b := f.Addr().Interface().(*key.Binding)
			e := entry{name: group + "." + snake(sf.Name), group: group, b: b}
			if b.Help().Key != "" {
				told = b
			} else {
				e.teller = told
			}
			out = append(out, e)
		case sf.Type == actionsType:
			for j := range f.Len() {
				a := f.Index(j).Addr().Interface().(*Action)
				out = append(out, entry{name: group + "." + strings.TrimPrefix(a.Form, "!"), group: group, b: &a.Binding})
			}
		case sf.Type.Kind() == reflect.Struct:
			out = walk(out, group, f)
		}
	}
	return out
}

// snake is a Go field name in lower snake case: PrintClosed → print_closed.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Names lists the name of every binding of m, as the settings file's [keys]
// table takes them, in the order of the help screen's groups.
func (m Map) Names() []string {
	var out []string
	for _, e := range m.entries() {
		out = append(out, e.name)
	}
	return out
}

// where says in English where a group's keys act, for error messages.
var where = map[string]string{
	"global":    "everywhere",
	"list":      "on the ticket lists",
	"detail":    "on a ticket's page",
	"form":      "in a form",
	"help":      "on the help screen",
	"settings":  "on the settings screen",
	"preview":   "in the print preview",
	"printers":  "in the printer chooser",
	"search":    "on the search screen",
	"directory": "on the directory screen",
	"stats":     "on the statistics screens",
	"alerts":    "on the alerts page",
	"picker":    "in the file picker",
}

// globalIn lists the groups where global.help and global.alerts are looked
// at before the screen's own keys (the root does so on every screen but a
// form, where ? is text, and help itself; on a statistics screen not while
// its dates' line is open; in the file picker, of a form too, not while its
// path line is open — global.alerts not in a form's picker, which is
// stricter than needed); force quit is looked at everywhere.
var globalIn = []string{"list", "detail", "settings", "preview", "printers", "directory", "stats", "alerts", "picker"}

// typed lists the form's bindings that are never looked at in a text
// field: only they may be a plain character.
var typed = []string{"form.toggle", "form.confirm", "search.choose", "search.toggle"}

// texts are the groups whose screens take plain characters as text, and
// the keys of the statistics screens' dates' line, which does too.
var texts = []string{"form.", "search.", "stats.done", "stats.cancel", "picker_line."}

// Rebind returns m with the bindings named in binds given the keys there
// in place of their own, and their help saying so. Names are those of
// Names; keys are written as the terminal reports them (see Parse). ctrl+c
// stays on force quit and can go nowhere else. Nothing is changed when
// anything is wrong: the error lists every problem, one a line, each
// naming the binding and what to do.
func Rebind(m Map, binds map[string][]string) (Map, error) {
	m.Detail.Actions = slices.Clone(m.Detail.Actions)
	es := m.entries()
	byName := map[string]entry{}
	before := map[*key.Binding][]string{}
	for _, e := range es {
		byName[e.name] = e
		before[e.b] = e.b.Keys()
	}
	var problems []string
	rebound := map[*key.Binding]bool{}
	for _, name := range slices.Sorted(maps.Keys(binds)) {
		ks := binds[name]
		e, ok := byName[name]
		if !ok {
			problems = append(problems, unknownName(name, es))
			continue
		}
		if msg := checkKeys(name, ks); msg != "" {
			problems = append(problems, msg)
			continue
		}
		if e.b == &m.Global.ForceQuit && !slices.Contains(ks, ForceQuit) {
			ks = append([]string{ForceQuit}, ks...)
		}
		e.b.SetKeys(ks...)
		rebound[e.b] = true
	}
	if len(problems) == 0 {
		problems = conflicts(es, before)
	}
	if len(problems) > 0 {
		return Map{}, errors.New(strings.Join(problems, "\n"))
	}
	for _, e := range es {
		switch {
		case e.teller != nil && (rebound[e.b] || rebound[e.teller]):
			e.teller.SetHelp(Display(e.teller.Keys()[0])+"/"+Display(e.b.Keys()[0]), e.teller.Help().Desc)
		case rebound[e.b] && e.b.Help().Key != "" && !tells(es, e.b):
			shown := make([]string, 0, len(e.b.Keys()))
			for _, k := range e.b.Keys() {
				shown = append(shown, Display(k))
			}
			e.b.SetHelp(strings.Join(shown, "/"), e.b.Help().Desc)
		}
	}
	return m, nil
}

// tells reports whether b's help tells another binding too: then its help
// is the pair's, set from the other's entry.
func tells(es []entry, b *key.Binding) bool {
	return slices.ContainsFunc(es, func(e entry) bool { return e.teller == b })
}

// checkKeys returns the problem with the keys given to name, or "".
func checkKeys(name string, ks []string) string {
	if len(ks) == 0 {
		return fmt.Sprintf("%q = []: give at least one key", name)
	}
	for _, k := range ks {
		if _, err := Parse(k); err != nil {
			return fmt.Sprintf("%q = %q: %v", name, k, err)
		}
		if k == ForceQuit && name != "global.force_quit" {
			return fmt.Sprintf("%q = %q: ctrl+c always quits the program: give another key", name, k)
		}
		if slices.ContainsFunc(texts, func(p string) bool { return strings.HasPrefix(name, p) }) && !slices.Contains(typed, name) && len(cells.Graphemes(k)) == 1 {
			return fmt.Sprintf("%q = %q: a character here would be typed into %s instead: give a key with ctrl+ or alt+, or a key such as f2", name, k, textOf(name))
		}
	}
	return ""
}

// textOf names the text a character would go into, for checkKeys.
func textOf(name string) string {
	if strings.HasPrefix(name, "search.") {
		return "the search's fields"
	}
	if strings.HasPrefix(name, "stats.") {
		return "the dates' line"
	}
	if strings.HasPrefix(name, "picker_line.") {
		return "the picker's path line"
	}
	return "the form's text"
}

// conflicts lists the keys given to two bindings that act in the same
// place, unless both had that key already (esc on a statistics screen is
// both its way back and the dates' line's cancel, by design).
func conflicts(es []entry, before map[*key.Binding][]string) []string {
	var out []string
	seen := map[[2]string]bool{}
	for _, g := range []string{"global", "list", "detail", "form", "help", "settings", "preview", "printers", "search", "directory", "stats", "alerts", "picker"} {
		var in []entry
		for _, e := range es {
			if e.group == g || e.name == "global.force_quit" || ((e.name == "global.help" || e.name == "global.alerts") && slices.Contains(globalIn, g)) {
				in = append(in, e)
			}
		}
		for i, a := range in {
			for _, b := range in[i+1:] {
				for _, k := range a.b.Keys() {
					if !slices.Contains(b.b.Keys(), k) || (slices.Contains(before[a.b], k) && slices.Contains(before[b.b], k)) {
						continue
					}
					if pair := [2]string{a.name, b.name}; !seen[pair] {
						seen[pair] = true
						out = append(out, fmt.Sprintf("%q and %q both have %q %s: give one of them another key", a.name, b.name, k, where[g]))
					}
				}
			}
		}
	}
	return out
}

// unknownName says that name is no binding's and offers the closest names.
func unknownName(name string, es []entry) string {
	type near struct {
		name string
		d    int
	}
	field := name[strings.LastIndex(name, ".")+1:]
	var close []near
	for _, e := range es {
		d := distance(name, e.name)
		if f := e.name[strings.Index(e.name, ".")+1:]; f == field {
			d = min(d, 2)
		}
		if d <= 2 {
			close = append(close, near{e.name, d})
		}
	}
	slices.SortStableFunc(close, func(a, b near) int { return a.d - b.d })
	if len(close) > 0 {
		var names []string
		for _, c := range close[:min(len(close), 3)] {
			names = append(names, fmt.Sprintf("%q", c.name))
		}
		return fmt.Sprintf("%q is not a key name; did you mean %s?", name, orList(names))
	}
	group, _, _ := strings.Cut(name, ".")
	var mine []string
	for _, e := range es {
		if e.group == group {
			mine = append(mine, e.name)
		}
	}
	if len(mine) > 0 {
		return fmt.Sprintf("%q is not a key name; the names of %s are %s", name, group, strings.Join(mine, ", "))
	}
	var groups []string
	for _, e := range es {
		if g := e.group + "."; !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	return fmt.Sprintf("%q is not a key name; names begin with %s", name, orList(groups))
}

// orList joins "a", "b" or "c".
func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// distance is the Levenshtein distance of a and b, by bytes (names are
// ASCII).
func distance(a, b string) int {
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev := row[0]
		row[0] = i
		for j := 1; j <= len(b); j++ {
			cur := row[j]
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			row[j] = min(row[j]+1, row[j-1]+1, prev+cost)
			prev = cur
		}
	}
	return row[len(b)]
}

// Display is a key as help shows it: arrows and paging keys as their
// signs, the rest as written.
func Display(k string) string {
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "left":
		return "←"
	case "right":
		return "→"
	case "pgup":
		return "PgUp"
	case "pgdown":
		return "PgDn"
	}
	return k
}

// unknown is an error about a name the terminal does not use: Parse offers
// the nearest one it does instead.
type unknown struct{ msg string }

func (e unknown) Error() string { return e.msg }

var errName = unknown{"not a key: write one character (\"p\", \"P\", \"工\"), a key name (enter, esc, tab, space, backspace, " +
	"delete, insert, home, end, pgup, pgdown, up, down, left, right, f1 to f12), either of them after ctrl+, alt+ or shift+"}

// named are the keys with a name, as the terminal reports them.
var named = func() map[string]rune {
	m := map[string]rune{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "backspace": tea.KeyBackspace, "esc": tea.KeyEscape,
		"space": tea.KeySpace, "up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"insert": tea.KeyInsert, "delete": tea.KeyDelete,
	}
	for i := range 12 {
		m[fmt.Sprintf("f%d", i+1)] = tea.KeyF1 + rune(i)
	}
	return m
}()

// aliases are names people write for keys the terminal names otherwise.
var aliases = map[string]string{
	"return": "enter", "escape": "esc", "pageup": "pgup", "pagedown": "pgdown", "pgdn": "pgdown",
	"del": "delete", "ins": "insert", "bs": "backspace",
}

// sameAs are ctrl keys that most terminals send as another key.
var sameAs = map[string]string{"ctrl+i": "tab", "ctrl+m": "enter", "ctrl+[": "esc", "ctrl+@": "ctrl+space"}

var modifiers = []struct {
	name string
	mod  tea.KeyMod
}{{"ctrl", tea.ModCtrl}, {"alt", tea.ModAlt}, {"shift", tea.ModShift}, {"meta", tea.ModMeta}, {"hyper", tea.ModHyper}, {"super", tea.ModSuper}}

// Parse reads a key as the terminal reports it, in the form of
// tea.KeyPressMsg.String(), which key bindings match: "p", "P", "工",
// "ctrl+p", "alt+shift+p", "enter", "space", "f5", "shift+tab". It refuses
// what no key press ever reports (say "ctrl+P", "shift+a", "Enter"),
// telling what to write instead.
func Parse(s string) (tea.Key, error) {
	k, err := parse(s)
	var u unknown
	if errors.As(err, &u) {
		if alt, ok := suggest(s); ok {
			return tea.Key{}, fmt.Errorf("not a key the terminal reports; did you mean %q?", alt)
		}
	}
	return k, err
}

func parse(s string) (tea.Key, error) {
	if s == "" {
		return tea.Key{}, errors.New(`empty: give a key such as "p" or "ctrl+p"`)
	}
	if s == " " {
		return tea.Key{}, errors.New(`write "space" for the space bar`)
	}
	var mod tea.KeyMod
	rest, ordered, last := s, true, -1
	for {
		i := strings.Index(rest, "+")
		if i <= 0 || i == len(rest)-1 {
			break
		}
		n := slices.IndexFunc(modifiers, func(m struct {
			name string
			mod  tea.KeyMod
		}) bool {
			return m.name == rest[:i]
		})
		if n < 0 {
			break
		}
		ordered = ordered && n > last
		last = max(last, n)
		mod |= modifiers[n].mod
		rest = rest[i+1:]
	}
	k, err := base(rest, mod)
	if err != nil {
		return tea.Key{}, err
	}
	if want := k.String(); !ordered || want != s {
		return tea.Key{}, fmt.Errorf("the terminal reports this key as %q: write that", want)
	}
	if other, ok := sameAs[s]; ok {
		return tea.Key{}, fmt.Errorf("most terminals send this as %q: write that", other)
	}
	return k, nil
}

// base reads the key after its modifiers.
func base(s string, mod tea.KeyMod) (tea.Key, error) {
	if code, ok := named[s]; ok {
		k := tea.Key{Code: code, Mod: mod}
		if code == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k, nil
	}
	gs := cells.Graphemes(s)
	if len(gs) != 1 {
		if m, after, ok := strings.Cut(s, "+"); ok && len(gs) > 1 {
			if after == "" {
				return tea.Key{}, errors.New(`a modifier needs a key after it, as in "ctrl+p"`)
			}
			return tea.Key{}, unknown{fmt.Sprintf("%q is not a modifier: the modifiers are ctrl, alt and shift (and meta, hyper, super), in that order", m)}
		}
		if isWord(s) {
			return tea.Key{}, errName
		}
		return tea.Key{}, errors.New(`more than one key: give each as its own string, as in ["r", "R"]`)
	}
	r := []rune(s)[0]
	switch {
	case !unicode.IsGraphic(r) || unicode.IsSpace(r):
		return tea.Key{}, errors.New("not a key the terminal reports: give a visible character or a key name")
	case mod == 0:
		return tea.Key{Code: r, Text: s}, nil
	case len(s) > 1:
		return tea.Key{}, errors.New("characters beyond ASCII come through the input method, without ctrl or alt: give the character alone")
	case mod == tea.ModShift && unicode.IsLetter(r):
		return tea.Key{}, fmt.Errorf("the terminal reports shift with a letter as the capital: write %q", string(unicode.ToUpper(r)))
	case mod == tea.ModShift:
		return tea.Key{}, errors.New("the terminal reports shift with a character key as the character it types (\"!\" for shift+1): write that character")
	case unicode.IsUpper(r):
		want := tea.Key{Code: unicode.ToLower(r), Mod: mod | tea.ModShift}.String()
		return tea.Key{}, fmt.Errorf("the terminal reports a capital with %s as shift and the small letter: write %q", strings.TrimSuffix(tea.Key{Code: 'x', Mod: mod}.String(), "+x"), want)
	}
	return tea.Key{Code: r, Mod: mod}, nil
}

// isWord reports whether s looks like a key's name: ASCII letters and
// digits.
func isWord(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			return false
		}
	}
	return true
}

// suggest offers a key for a wrongly written one: the same in lower case
// ("Enter", "Ctrl+P"), or the terminal's name for an alias ("escape").
func suggest(s string) (string, bool) {
	prefix, last := "", s
	if i := strings.LastIndex(s, "+"); i > 0 && i < len(s)-1 {
		prefix, last = s[:i+1], s[i+1:]
	}
	for _, try := range []string{strings.ToLower(prefix) + last, strings.ToLower(s), strings.ToLower(prefix) + aliases[strings.ToLower(last)]} {
		if try == s || strings.HasSuffix(try, "+") {
			continue
		}
		if _, err := parse(try); err == nil {
			return try, true
		}
	}
	return "", false
}
