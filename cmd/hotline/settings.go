package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
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

	path string
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
	var s settings
	if path == "" {
		path = defaultConfigPath()
	}
	md, err := toml.DecodeFile(path, &s)
	if errors.Is(err, fs.ErrNotExist) {
		return s, fmt.Errorf("%s does not exist: ask the platform's administrator for this terminal's files (hotlined terminal add) and put them there, or give --config", path)
	}
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return s, fmt.Errorf("%s: unknown setting %q", path, und[0].String())
	}
	s.path = path
	for _, f := range []struct{ name, v string }{{"platform", s.Platform}, {"user", s.User}} {
		if f.v == "" {
			return s, fmt.Errorf("%s: setting %q is empty", path, f.name)
		}
	}
	if s.Tunnel != "" {
		s.Tunnel = s.resolve(s.Tunnel)
	}
	if s.Font != "" {
		s.Font = s.resolve(s.Font)
	}
	if s.State == "" {
		s.State = defaultStateDir()
	} else {
		s.State = s.resolve(s.State)
	}
	return s, nil
}

func (s settings) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(s.path), p)
}
