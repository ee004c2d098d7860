package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"hotline/tui/keys"
	"hotline/tui/theme"
)

// writeSettings writes a settings file with the two settings every file
// needs and body after them, and returns its path.
func writeSettings(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hotline.toml")
	text := "platform = \"http://10.77.0.1\"\nuser = \"duty01\"\nstate = \"state\"\n" + body
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSettingsDefaults(t *testing.T) {
	s, err := loadSettings(writeSettings(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if s.theme != theme.Auto || !s.Bell || s.Mouse {
		t.Errorf("theme %q bell %v mouse %v, want auto, true, false", s.theme, s.Bell, s.Mouse)
	}
	if !reflect.DeepEqual(s.keymap, keys.Default()) {
		t.Error("keys differ from the defaults without [keys]")
	}
}

func TestSettingsThemeBellMouseKeys(t *testing.T) {
	s, err := loadSettings(writeSettings(t, `theme = "light"
bell = false
mouse = true

[keys]
"list.print" = "ctrl+p"
"detail.reply" = ["y", "Y"]
list.settings = "f2"
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.theme != theme.Light || s.Bell || !s.Mouse {
		t.Errorf("theme %q bell %v mouse %v, want light, false, true", s.theme, s.Bell, s.Mouse)
	}
	k := s.keymap
	for _, tt := range []struct {
		got  []string
		want string
	}{
		{k.List.Print.Keys(), "ctrl+p"},
		{k.Detail.Actions[3].Binding.Keys(), "y Y"},
		{k.List.Settings.Keys(), "f2"},
		{k.List.Open.Keys(), "enter"},
	} {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("keys %q, want %q", got, tt.want)
		}
	}
}

func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{`theme = "blue"`, `%s: theme "blue": give "dark", "light" or "auto"`},
		{"colour = true\n[keys]\n\"list.print\" = \"p\"", `%s: unknown setting "colour"`},
		{`bell = "yes"`, `%s: toml: line 4 (last key "bell"): incompatible types: TOML value has type string; destination has type boolean`},
		{"[keys]\n\"list.prnt\" = \"ctrl+p\"", `%s: [keys] "list.prnt" is not a key name; did you mean "list.print"?`},
		{"[keys]\n\"list.print\" = 5", `%s: [keys] "list.print" = 5: give a key as a string, as in "ctrl+p", or several as ["r", "R"]`},
		{"[keys]\n\"list.print\" = [\"p\", 1]", `%s: [keys] "list.print": give keys as strings, as in ["r", "R"]`},
		{"[keys]\n\"list.print\" = \"Ctrl+P\"", `%s: [keys] "list.print" = "Ctrl+P": not a key the terminal reports; did you mean "ctrl+p"?`},
		{"[keys]\n\"detail.reply\" = [\"r\", \"R\"]\n\"list.quit\" = \"ctrl+c\"\nlist.prnt = \"x\"",
			`%s: [keys] "list.prnt" is not a key name; did you mean "list.print"?` + "\n" +
				`%s: [keys] "list.quit" = "ctrl+c": ctrl+c always quits the program: give another key`},
		{"[keys]\n\"detail.reply\" = [\"r\", \"R\"]",
			`%s: [keys] "detail.reply" and "detail.resend" both have "R" on a ticket's page: give one of them another key`},
	}
	for _, tt := range tests {
		path := writeSettings(t, tt.body)
		_, err := loadSettings(path)
		want := strings.ReplaceAll(tt.want, "%s", path)
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", tt.body, err, want)
		}
	}
}

// Fonts are resolved beside the settings file one by one; an empty first
// entry keeps the system's font as the main one.
func TestSettingsFontList(t *testing.T) {
	for _, tt := range []struct{ font, want string }{
		{"", ""},
		{"/usr/share/a.ttc", "/usr/share/a.ttc"},
		{"fonts/a.ttc", "DIR/fonts/a.ttc"},
		{",/opt/b.ttf", ",/opt/b.ttf"},
		{", b.ttf", ",DIR/b.ttf"},
		{"a.ttc, /opt/b.ttf,c.ttf", "DIR/a.ttc,/opt/b.ttf,DIR/c.ttf"},
	} {
		path := writeSettings(t, "font = \""+tt.font+"\"\n")
		s, err := loadSettings(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.ReplaceAll(tt.want, "DIR", filepath.Dir(path)); s.Font != want {
			t.Errorf("font %q resolved to %q, want %q", tt.font, s.Font, want)
		}
	}
}
