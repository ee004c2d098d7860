package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hotline/tunnel"
)

// sitePlatform is a platform with one unit and its duty officer.
func sitePlatform(t *testing.T) (dir, data string) {
	t.Helper()
	dir = t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct-horse\n"), 0o600)
	data = filepath.Join(dir, "data")
	mustRun(t, "init", "--dir", data, "--endpoint", "platform.example.org:51820")
	mustRun(t, "unit", "add", "--dir", data, "--code", "12345", "--name", "12345中心", "--kind", "center")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	mustRun(t, "user", "add", "--dir", data, "--login", "duty", "--name", "李明", "--unit", "gdj", "--roles", "duty", "--password-file", pw)
	return dir, data
}

func TestSiteTerminalAdd(t *testing.T) {
	dir, data := sitePlatform(t)
	out := filepath.Join(dir, "site")
	got, err := stdout(t, "terminal", "add", "--dir", data, "--user", "duty", "--name", "站点值班台",
		"--address", "10.20.0.5", "--no-tunnel", "--platform-url", "http://10.20.0.1:8080", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(out, "hotline.toml")
	want := "terminal 站点值班台 for duty: site address 10.20.0.5, no tunnel\n  wrote " + settings + "\n" +
		"the site's gateway must route this terminal's traffic to http://10.20.0.1:8080 without NAT: the platform knows it by its address 10.20.0.5\n" +
		"copy it to the terminal's ~/.config/hotline/ and run `hotline login` there\n"
	if got != want {
		t.Errorf("terminal add said\n%s\nwant\n%s", got, want)
	}
	b, err := os.ReadFile(settings)
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Hotline terminal settings; no tunnel: the site's network carries the traffic\nplatform = \"http://10.20.0.1:8080\"\nuser = \"duty\"\n"; string(b) != want {
		t.Errorf("settings:\n%s\nwant:\n%s", b, want)
	}
	if fi, err := os.Stat(settings); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("settings mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 1 || entries[0].Name() != "hotline.toml" {
		t.Errorf("files written: %v, %v; want hotline.toml alone", entries, err)
	}

	// A tunnel terminal may have its address chosen too.
	mustRun(t, "terminal", "add", "--dir", data, "--user", "duty", "--name", "值班台9", "--address", "10.77.0.9", "--out", filepath.Join(dir, "t9"))
	conf, err := tunnel.Load(filepath.Join(dir, "t9", "hotline.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if a := conf.Interface.Addresses[0].String(); a != "10.77.0.9/32" {
		t.Errorf("chosen tunnel address %s, want 10.77.0.9/32", a)
	}

	for _, c := range []struct {
		name string
		args []string
		err  string
	}{
		{"no address", []string{"--no-tunnel", "--platform-url", "http://10.20.0.1:8080"},
			"terminal add --no-tunnel needs --address: the terminal's own address on the site's network, as the platform sees it (see hotlined help)"},
		{"no URL", []string{"--no-tunnel", "--address", "10.20.0.6"},
			"terminal add --no-tunnel needs --platform-url: the platform's plain listener as the site reaches it, e.g. http://10.20.0.1:8080 (see hotlined help)"},
		{"bad address", []string{"--no-tunnel", "--address", "10.20.0", "--platform-url", "http://10.20.0.1:8080"},
			`--address "10.20.0": want an IP address, e.g. 10.20.0.5 (see hotlined help)`},
		{"address taken", []string{"--no-tunnel", "--address", "10.20.0.5", "--platform-url", "http://10.20.0.1:8080"},
			"add terminal 新终端: address 10.20.0.5 already exists: terminal 站点值班台 has it"},
		{"site address in the tunnel range", []string{"--no-tunnel", "--address", "10.77.0.20", "--platform-url", "http://10.20.0.1:8080"},
			"add terminal 新终端: invalid address 10.77.0.20: it is in the tunnel range 10.77.0.0/24; a site terminal keeps its own address on the site's network"},
		{"tunnel address outside the range", []string{"--address", "10.20.0.6"},
			"add terminal 新终端: invalid address 10.20.0.6: want a host address of the tunnel range 10.77.0.0/24 other than the platform's 10.77.0.1"},
		{"URL without a scheme", []string{"--no-tunnel", "--address", "10.20.0.6", "--platform-url", "10.20.0.1:8080"},
			`--platform-url "10.20.0.1:8080": want http://HOST:PORT (or https://), the platform's plain listener as the site reaches it, e.g. http://10.20.0.1:8080 (see hotlined help)`},
		{"URL without a port", []string{"--no-tunnel", "--address", "10.20.0.6", "--platform-url", "http://10.20.0.1"},
			`--platform-url "http://10.20.0.1": want http://HOST:PORT (or https://), the platform's plain listener as the site reaches it, e.g. http://10.20.0.1:8080 (see hotlined help)`},
		{"URL with a path", []string{"--no-tunnel", "--address", "10.20.0.6", "--platform-url", "http://10.20.0.1:8080/api"},
			`--platform-url "http://10.20.0.1:8080/api": want http://HOST:PORT (or https://), the platform's plain listener as the site reaches it, e.g. http://10.20.0.1:8080 (see hotlined help)`},
		{"URL for a tunnel terminal", []string{"--platform-url", "http://10.20.0.1:8080"},
			"--platform-url is for a terminal with --no-tunnel; a tunnel terminal reaches the platform inside its tunnel (see hotlined help)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "refused")
			args := append([]string{"terminal", "add", "--dir", data, "--user", "duty", "--name", "新终端", "--out", out}, c.args...)
			if _, err := stdout(t, args...); err == nil || err.Error() != c.err {
				t.Errorf("err = %v\nwant %s", err, c.err)
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused terminal add wrote %s (%v)", out, err)
			}
		})
	}

	mustRun(t, "terminal", "revoke", "--dir", data, "站点值班台")
	list, err := stdout(t, "terminal", "list", "--dir", data)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 3 || !slices.Equal(strings.Fields(lines[0]), []string{"NAME", "USER", "ADDRESS", "LINK", "CREATED", "REVOKED", "PUBLIC", "KEY"}) {
		t.Fatalf("terminal list:\n%s", list)
	}
	// Rows: name, user, address, link, created (date, time), revoked
	// (date, time, or -), key.
	site, tun := strings.Fields(lines[1]), strings.Fields(lines[2])
	if len(site) != 9 || !slices.Equal(site[:4], []string{"站点值班台", "duty", "10.20.0.5", "site"}) || site[8] != "-" {
		t.Errorf("site terminal row %q", lines[1])
	}
	if len(tun) != 8 || !slices.Equal(tun[:4], []string{"值班台9", "duty", "10.77.0.9", "tunnel"}) || tun[6] != "-" || tun[7] != conf.Interface.PrivateKey.Public().String() {
		t.Errorf("tunnel terminal row %q", lines[2])
	}
}

func TestPlainSetting(t *testing.T) {
	_, data := sitePlatform(t)
	path := filepath.Join(data, settingsFile)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(orig), "\nplain = \"\"\n") {
		t.Errorf("init wrote no plain setting to show it:\n%s", orig)
	}
	for _, c := range []struct{ plain, err string }{
		{"10.20.0.1:8080", ""},
		{":8080", ""},
		{"[fd00::1]:8080", ""},
		{"127.0.0.1:0", ""},
		{"10.20.0.1", `plain "10.20.0.1": want IP:port`},
		{"platform.example.org:8080", `plain "platform.example.org:8080": want IP:port`},
		{"10.20.0.1:99999", `plain "10.20.0.1:99999": want IP:port`},
		{"10.20.0.1:http", `plain "10.20.0.1:http": want IP:port`},
	} {
		body := strings.Replace(string(orig), "plain = \"\"", "plain = \""+c.plain+"\"", 1)
		os.WriteFile(path, []byte(body), 0o644)
		s, err := loadSettings(data)
		switch {
		case c.err == "" && (err != nil || s.Plain != c.plain):
			t.Errorf("plain %q: %v, setting %q", c.plain, err, s.Plain)
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), path+": "+c.err)):
			t.Errorf("plain %q: err = %v, want %s: %s", c.plain, err, path, c.err)
		}
	}
	os.WriteFile(path, orig, 0o644)
	err = run([]string{"serve", "--dir", data, "--plain", "10.20.0.1"})
	if want := `--plain "10.20.0.1": want IP:port, the platform's address on the site's network, e.g. 10.20.0.1:8080 (or :8080 for all) (see hotlined help)`; err == nil || err.Error() != want {
		t.Errorf("serve --plain 10.20.0.1: %v\nwant %s", err, want)
	}
}
