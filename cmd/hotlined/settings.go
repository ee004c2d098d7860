package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/dustin/go-humanize"

	"hotline/calendar"
	"hotline/cmd/internal/cli"
	"hotline/platform"
	"hotline/tunnel"
)

// settings is the platform's TOML file in its data directory.
type settings struct {
	Network    string `toml:"network"`     // the tunnel range; the platform takes its first address
	Endpoint   string `toml:"endpoint"`    // host:port terminals dial, written into their wg-quick files
	ListenPort int    `toml:"listen_port"` // UDP
	MTU        int    `toml:"mtu"`
	APIPort    int    `toml:"api_port"` // TCP, inside the tunnel
	Log        string `toml:"log"`      // log file; default hotlined.log in the data directory
	// Calendar is a file of the unit's own days off and on, over the
	// official holiday tables (lines like "2026-05-06 off 单位调休").
	Calendar string `toml:"calendar"`
	// Plain is host:port to serve the API on over plain TCP as well, for
	// site terminals whose site's gateway carries their traffic; off when
	// empty. The gateway must route, not NAT (see platform.ServiceConfig).
	Plain string `toml:"plain"`
	// MaxFileSize is the largest attachment taken, e.g. "4GiB" or "500MB";
	// 4GiB when empty.
	MaxFileSize fileSize `toml:"max_file_size"`

	network     netip.Prefix
	maxFileSize int64
}

const (
	settingsFile = "hotlined.toml"
	dbFile       = "hotlined.db"
	keyFile      = "platform.key"
)

func defaultSettings() settings {
	return settings{Network: "10.77.0.0/24", ListenPort: 51820, MTU: 1420, APIPort: 80}
}

func loadSettings(dir string) (settings, error) {
	s := defaultSettings()
	path := filepath.Join(dir, settingsFile)
	err := cli.DecodeFile(path, &s)
	if errors.Is(err, fs.ErrNotExist) {
		return s, fmt.Errorf("%s does not exist: run `hotlined init --dir %s` first", path, dir)
	}
	if err != nil {
		return s, err
	}
	s.network, err = netip.ParsePrefix(s.Network)
	if err != nil || !s.network.Addr().Is4() || s.network.Bits() > 30 {
		return s, fmt.Errorf("%s: network %q: want an IPv4 range such as 10.77.0.0/24", path, s.Network)
	}
	s.network = s.network.Masked()
	if s.Endpoint == "" {
		return s, fmt.Errorf("%s: endpoint is empty: set the host:port terminals reach this platform at", path)
	}
	if _, port, err := net.SplitHostPort(s.Endpoint); err != nil || port == "" {
		return s, fmt.Errorf("%s: endpoint %q: want host:port, e.g. platform.example.org:51820", path, s.Endpoint)
	}
	if s.MTU == 0 {
		s.MTU = tunnel.DefaultMTU
	}
	if s.MTU < 576 || s.MTU > 65535 {
		return s, fmt.Errorf("%s: mtu %d: want 576–65535 (1420 unless a link needs less)", path, s.MTU)
	}
	if s.ListenPort < 1 || s.ListenPort > 65535 {
		return s, fmt.Errorf("%s: listen_port %d: want 1–65535", path, s.ListenPort)
	}
	if s.APIPort == 0 {
		s.APIPort = 80
	}
	if s.APIPort < 1 || s.APIPort > 65535 {
		return s, fmt.Errorf("%s: api_port %d: want 1–65535", path, s.APIPort)
	}
	if s.MaxFileSize != "" {
		n, err := humanize.ParseBytes(string(s.MaxFileSize))
		if err != nil || n == 0 || n > 1<<50 {
			return s, fmt.Errorf("%s: max_file_size %q: want a size such as \"4GiB\" or \"500MB\"", path, s.MaxFileSize)
		}
		s.maxFileSize = int64(n)
	}
	if s.Plain != "" {
		if err := checkPlain(s.Plain); err != nil {
			return s, fmt.Errorf("%s: plain %w", path, err)
		}
	}
	return s, nil
}

// fileSize is max_file_size as written: a size with its unit in quotes.
// A bare number is refused with that said, not with the decoder's "TOML
// value has type integer": 100 could mean bytes or megabytes, and either
// guess is a wrong limit on every attachment.
type fileSize string

func (f *fileSize) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		if d := strings.TrimSpace(x); d != "" && strings.Trim(d, "0123456789") == "" {
			return fmt.Errorf("max_file_size = %q: write the size with its unit, e.g. \"%sMB\" or \"4GiB\"", x, d)
		}
		*f = fileSize(x)
		return nil
	case int64:
		return fmt.Errorf("max_file_size = %d: write the size in quotes with its unit, e.g. \"%dMB\" or \"4GiB\"", x, x)
	}
	return fmt.Errorf("max_file_size: want a size in quotes with its unit, e.g. \"500MB\" or \"4GiB\"")
}

// checkPlain refuses a plain listening address that is not IP:port or
// :port. A host name is refused too: the listener binds one address, and
// the one a name resolves to may change under it.
func checkPlain(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	bad := err != nil
	if !bad && host != "" {
		_, err := netip.ParseAddr(host)
		bad = err != nil
	}
	if !bad {
		n, err := strconv.Atoi(port)
		bad = err != nil || n < 0 || n > 65535
	}
	if bad {
		return fmt.Errorf("%q: want IP:port, the platform's address on the site's network, e.g. 10.20.0.1:8080 (or :8080 for all)", addr)
	}
	return nil
}

func (s settings) write(dir string) error {
	var b strings.Builder
	b.WriteString("# Hotline platform settings\n")
	if err := toml.NewEncoder(&b).Encode(s); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, settingsFile), []byte(b.String()), 0o644)
}

// loadKey reads the platform's private key, refusing a file others can read.
func loadKey(dir string) (tunnel.Key, error) {
	path := filepath.Join(dir, keyFile)
	fi, err := os.Stat(path)
	if err != nil {
		return tunnel.Key{}, fmt.Errorf("platform key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return tunnel.Key{}, fmt.Errorf("platform key %s can be read by others (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return tunnel.Key{}, err
	}
	k, err := tunnel.ParseKey(strings.TrimSpace(string(b)))
	if err != nil {
		return tunnel.Key{}, fmt.Errorf("platform key %s: %w", path, err)
	}
	return k, nil
}

// openDB opens the platform's database with its working-day calendar, so
// that every deadline it works out counts holidays.
func openDB(dir string) (*platform.DB, error) {
	path := filepath.Join(dir, dbFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %w: run `hotlined init --dir %s` first", path, err, dir)
	}
	s, err := loadSettings(dir)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(dir)
	if err != nil {
		return nil, err
	}
	db, err := platform.Open(path)
	if err != nil {
		return nil, err
	}
	db.SetCalendar(cal)
	return db, nil
}

// calendar is the official calendar with the unit's own days, if any.
func (s settings) calendar(dir string) (*calendar.Calendar, error) {
	var extra []calendar.Day
	if s.Calendar != "" {
		path := s.Calendar
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		var err error
		if extra, err = calendar.LoadExtra(path); err != nil {
			return nil, err
		}
	}
	return calendar.New(calendar.Options{Extra: extra})
}
