package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"hotline/complaint"
	"hotline/media"
	"hotline/tui/keys"
	"hotline/tui/theme"
)

// settings is the terminal's TOML file.
type settings struct {
	Platform string `toml:"platform"` // the API's URL inside the tunnel, e.g. http://10.77.0.1, or on the site's network
	Tunnel   string `toml:"tunnel"`   // wg-quick file, relative paths beside this file; none: the site's network carries the traffic
	User     string `toml:"user"`     // login name
	State    string `toml:"state"`    // cache, token and logs; default $XDG_STATE_HOME/hotline
	Printer  string `toml:"printer"`  // CUPS queue for record sheets; "" = CUPS's default
	Font     string `toml:"font"`     // TrueType (.ttf/.ttc) font for sheets; "" = a system font
	CUPS     string `toml:"cups"`     // CUPS server (host:port or socket path); "" = $CUPS_SERVER, then the local one

	// Theme is the screen's palette: "dark", "light", or "auto" (the
	// default), which asks the terminal for its background and takes dark
	// when it does not answer. NO_COLOR in the environment turns colour
	// off whatever this says.
	Theme string `toml:"theme"`
	// Bell rings the terminal's bell once when a sync brings new tickets
	// (they are also highlighted until opened). Default true.
	Bell bool `toml:"bell"`
	// Mouse lets the wheel scroll every screen and a click pick a row of
	// the lists (a click on the row picked, or a double click, opens it).
	// Default false: with the mouse on, terminals select and copy text
	// only with Shift held, and officers copy numbers and addresses often.
	Mouse bool `toml:"mouse"`
	// Keys rebinds keys, one line a binding, named <screen>.<what> as
	// keys.Map.Names lists them, given one key or several, written as the
	// terminal reports them:
	//
	//	[keys]
	//	"list.print" = "ctrl+p"
	//	"detail.reply" = ["r", "R"]
	//
	// ctrl+c always quits. An unknown name, a key no terminal sends, or a
	// key given to two bindings of one screen stops the start with a
	// message saying which line and what to write.
	Keys map[string]any `toml:"keys"`
	// Score weighs the rates in the statistics' score (综合得分):
	//
	//	[score]
	//	reply = 0.2
	//	close = 0.2
	//	on_time = 0.25
	//	satisfaction = 0.25
	//	return = 0.05
	//	reopen = 0.05
	//
	// A weight left out keeps its default (these); 0 leaves that rate
	// out of the score. Weights need not sum to 1: the score is their
	// weighted mean.
	Score complaint.Weights `toml:"score"`
	// Media says how attachments are opened and the call recording
	// played, each a command line to which the file's path is added as
	// its last word (quote words with blanks: "…" or '…'):
	//
	//	[media]
	//	player = "mpv --no-video"
	//	viewer = "eog"
	//
	// Without player the first of ffplay, mpv, paplay and aplay found is
	// used (paplay and aplay play WAV only); without viewer the desktop's
	// own program for the file (xdg-open, open, or Windows' association).
	Media mediaSettings `toml:"media"`

	path   string
	theme  theme.Name
	keymap keys.Map // keys.Default() rebound by Keys
}

// mediaSettings is the [media] table.
type mediaSettings struct {
	Player string `toml:"player"`
	Viewer string `toml:"viewer"`
}

// check refuses a command line that cannot be read, naming its key. The
// programs need not be installed yet: the screen says so when used.
func (m mediaSettings) check() error {
	for _, c := range []struct{ key, v string }{{"player", m.Player}, {"viewer", m.Viewer}} {
		if strings.TrimSpace(c.v) == "" {
			continue
		}
		if _, err := media.Command(c.v); err != nil {
			return fmt.Errorf("[media] %s = %q: %v", c.key, c.v, err)
		}
	}
	return nil
}

// defaultConfigPath is $XDG_CONFIG_HOME/hotline/hotline.toml.
func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "hotline", "hotline.toml")
}

func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "hotline")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "hotline-state")
	}
	return filepath.Join(home, ".local", "state", "hotline")
}

func loadSettings(path string) (settings, error) {
	s := settings{Theme: string(theme.Auto), Bell: true, Score: complaint.DefaultWeights}
	if path == "" {
		path = defaultConfigPath()
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, fmt.Errorf("%s does not exist: ask the platform's administrator for this terminal's files (hotlined terminal add) and put them there, or give --config", path)
	}
	if err != nil {
		return s, err
	}
	if err := checkScore(path, data); err != nil {
		return s, err
	}
	md, err := toml.Decode(string(data), &s)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range md.Undecoded() {
		// [keys] is read whole as a map; rebind checks its names.
		if k[0] != "keys" {
			return s, fmt.Errorf("%s: unknown setting %q", path, k.String())
		}
	}
	s.path = path
	for _, f := range []struct{ name, v string }{{"platform", s.Platform}, {"user", s.User}} {
		if f.v == "" {
			return s, fmt.Errorf("%s: setting %q is empty", path, f.name)
		}
	}
	if s.theme, err = theme.ParseName(s.Theme); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	if s.keymap, err = rebind(path, s.Keys); err != nil {
		return s, err
	}
	if err := s.Score.Check(); err != nil {
		return s, fmt.Errorf("%s: [score] %w", path, err)
	}
	if err := s.Media.check(); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	if s.Tunnel != "" {
		s.Tunnel = s.resolve(s.Tunnel)
	}
	if s.Font != "" {
		s.Font = s.resolveFonts(s.Font)
	}
	if s.State == "" {
		s.State = defaultStateDir()
	} else {
		s.State = s.resolve(s.State)
	}
	return s, nil
}

// checkScore tells what is wrong with the [score] of the settings file
// at path, holding data, by the line where it can: a key that is not a
// weight's, with the keys that are, and a weight that is not a number of
// 0 or more, with one that is. The decoder's own words for these name Go
// types and no line. Everything else is left to the decoder, and weights
// that are all 0 to Weights.Check.
func checkScore(path string, data []byte) error {
	var raw struct {
		Score map[string]any `toml:"score"`
	}
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil // not TOML, or [score] not a table: the decoder says so
	}
	var names []string
	for _, n := range complaint.DefaultWeights.Named() {
		names = append(names, n.Key)
	}
	for _, k := range md.Keys() {
		if len(k) != 2 || k[0] != "score" {
			continue
		}
		name, v := k[1], raw.Score[k[1]]
		at := path
		if line := scoreLine(data, name); line > 0 {
			at = fmt.Sprintf("%s:%d", path, line)
		}
		if !slices.Contains(names, name) {
			return fmt.Errorf("%s: unknown setting %q: the [score] keys are %s", at, k.String(), strings.Join(names, ", "))
		}
		var ok bool
		switch n := v.(type) {
		case int64:
			ok = n >= 0
		case float64:
			ok = n >= 0 && !math.IsInf(n, 0) // NaN is not >= 0
		}
		if !ok {
			shown := fmt.Sprint(v)
			switch n := v.(type) {
			case string:
				shown = strconv.Quote(n)
			case float64:
				shown = strconv.FormatFloat(n, 'g', -1, 64)
			}
			return fmt.Errorf("%s: [score] %s = %s: a weight is a number of 0 or more, as in %s = %g",
				at, name, shown, name, defaultWeight(name))
		}
	}
	return nil
}

// defaultWeight is the weight called key by default.
func defaultWeight(key string) float64 {
	for _, n := range complaint.DefaultWeights.Named() {
		if n.Key == key {
			return n.Value
		}
	}
	return 0
}

// scoreLine is the line of data that sets key of [score], or 0: under a
// [score] header, or as score.key before any table. The decoder keeps
// where keys are to itself.
func scoreLine(data []byte, key string) int {
	table := ""
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && !strings.HasPrefix(line, "[[") {
			end := strings.Index(line, "]")
			if end < 0 {
				continue
			}
			table = strings.Trim(line[1:end], " \t\"'")
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if table == "" {
			var inScore bool
			name, inScore = strings.CutPrefix(name, "score.")
			if !inScore {
				continue
			}
		} else if table != "score" {
			continue
		}
		if strings.Trim(strings.TrimSpace(name), "\"'") == key {
			return n + 1
		}
	}
	return 0
}

// resolveFonts resolves each font of a "main,fallback,…" list; an empty
// entry (the system's font as the main one) stays empty.
func (s settings) resolveFonts(list string) string {
	if _, err := os.Stat(s.resolve(list)); err == nil {
		return s.resolve(list) // one file with a comma in its name
	}
	parts := strings.Split(list, ",")
	for i, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			parts[i] = s.resolve(p)
		}
	}
	return strings.Join(parts, ",")
}

func (s settings) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(s.path), p)
}

// rebind applies the settings' [keys] to the default keys. Every problem is
// told, one a line, each with the file and the binding.
func rebind(path string, raw map[string]any) (keys.Map, error) {
	binds := map[string][]string{}
	var problems []string
	var walk func(prefix string, t map[string]any)
	walk = func(prefix string, t map[string]any) {
		for _, name := range slices.Sorted(maps.Keys(t)) {
			switch v := t[name].(type) {
			case map[string]any:
				// list.print = "p" without quotes is a table list
				// holding print.
				walk(prefix+name+".", v)
			case string:
				binds[prefix+name] = []string{v}
			case []any:
				var ks []string
				for _, k := range v {
					if s, ok := k.(string); ok {
						ks = append(ks, s)
					}
				}
				if len(ks) == len(v) {
					binds[prefix+name] = ks
					continue
				}
				problems = append(problems, fmt.Sprintf("%q: give keys as strings, as in [\"r\", \"R\"]", prefix+name))
			default:
				problems = append(problems, fmt.Sprintf("%q = %v: give a key as a string, as in \"ctrl+p\", or several as [\"r\", \"R\"]", prefix+name, v))
			}
		}
	}
	walk("", raw)
	m, err := keys.Rebind(keys.Default(), binds)
	if err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	}
	if len(problems) == 0 {
		return m, nil
	}
	for i, p := range problems {
		problems[i] = fmt.Sprintf("%s: [keys] %s", path, p)
	}
	return keys.Map{}, errors.New(strings.Join(problems, "\n"))
}
