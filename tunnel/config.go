package tunnel

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Config is one wg-quick file: an [Interface] and its [Peer]s.
type Config struct {
	Interface Interface
	Peers     []Peer
	// Ignored holds the keys only wg-quick itself acts on (PostUp, Table,
	// SaveConfig, FwMark, ...). A userspace device has no routes or hooks to
	// run them against, but they are kept so Save writes them back unchanged.
	Ignored []Setting
}

// Interface is the [Interface] section.
type Interface struct {
	PrivateKey Key
	// Addresses keep their host bits: 10.77.0.2/24 is the address 10.77.0.2
	// on the network 10.77.0.0/24.
	Addresses []netip.Prefix
	DNS       []netip.Addr
	// DNSSearch holds the DNS entries that are not IP addresses; wg-quick
	// treats those as search domains.
	DNSSearch  []string
	MTU        int // 0: the default
	ListenPort int // 0: a random port
}

// Peer is one [Peer] section.
type Peer struct {
	PublicKey Key
	// PresharedKey is the zero Key when the file has none, which is also what
	// WireGuard uses on the wire without one.
	PresharedKey Key
	// Endpoint is host:port as written: IPv4:port, [IPv6]:port or
	// hostname:port. Empty: the peer reaches us first (a roaming terminal).
	Endpoint string
	// AllowedIPs are networks (host bits cleared), as wg shows them.
	AllowedIPs          []netip.Prefix
	PersistentKeepalive int // seconds; 0: off
}

// HasPresharedKey reports whether the peer uses a preshared key.
func (p Peer) HasPresharedKey() bool { return !p.PresharedKey.IsZero() }

// Setting is one key of a wg-quick file kept as text.
type Setting struct {
	Section string // "Interface" or "Peer"
	Key     string // canonical spelling, e.g. "PostUp"
	Value   string
	Line    int
}

// ParseError is a refused wg-quick file: which file, line and key, and why.
type ParseError struct {
	Name string
	Line int    // 1-based; 0 when the fault is the file as a whole
	Key  string // canonical key or "[Section]"; empty for a syntax error
	Err  error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrFileMode is wrapped by Load when a file holding a private key can be
// read or written by group or others.
var ErrFileMode = errors.New("file holding a private key is open to group or others")

const (
	sectionInterface = "Interface"
	sectionPeer      = "Peer"
)

// keySpec describes one key a section accepts.
type keySpec struct {
	name    string // canonical spelling
	many    bool   // may repeat; values accumulate
	empty   bool   // an empty value is allowed
	ignored bool   // wg-quick-only: kept as text in Config.Ignored
}

var sectionKeys = map[string]map[string]keySpec{
	sectionInterface: specs(
		keySpec{name: "PrivateKey"},
		keySpec{name: "Address", many: true},
		keySpec{name: "DNS", many: true},
		keySpec{name: "MTU"},
		keySpec{name: "ListenPort"},
		keySpec{name: "FwMark", ignored: true},
		keySpec{name: "Table", ignored: true},
		keySpec{name: "SaveConfig", ignored: true},
		keySpec{name: "PreUp", many: true, empty: true, ignored: true},
		keySpec{name: "PostUp", many: true, empty: true, ignored: true},
		keySpec{name: "PreDown", many: true, empty: true, ignored: true},
		keySpec{name: "PostDown", many: true, empty: true, ignored: true},
	),
	sectionPeer: specs(
		keySpec{name: "PublicKey"},
		keySpec{name: "PresharedKey"},
		keySpec{name: "AllowedIPs", many: true, empty: true},
		keySpec{name: "Endpoint"},
		keySpec{name: "PersistentKeepalive"},
	),
}

func specs(list ...keySpec) map[string]keySpec {
	m := make(map[string]keySpec, len(list))
	for _, s := range list {
		m[strings.ToLower(s.name)] = s
	}
	return m
}

// Parse reads a wg-quick file. name is used in errors only ("name:LINE: Key:
// what is wrong"). Keys are case-insensitive, '#' starts a comment, list keys
// may repeat and take comma-separated values. Keys no wg-quick file may hold
// are refused.
func Parse(name string, data []byte) (*Config, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // files saved by Windows editors
	p := parser{name: name, cfg: &Config{}}
	for i, line := range strings.Split(string(data), "\n") {
		if err := p.line(i+1, line); err != nil {
			return nil, err
		}
	}
	if err := p.endSection(); err != nil {
		return nil, err
	}
	if p.interfaceLine == 0 {
		line := 1
		if p.firstPeerLine > 0 {
			line = p.firstPeerLine
		}
		return nil, &ParseError{Name: name, Line: line, Key: "[Interface]", Err: errors.New("section missing")}
	}
	return p.cfg, nil
}

type parser struct {
	name string
	cfg  *Config

	section       string // "" before the first header
	sectionLine   int
	seen          map[string]int // canonical key → line, for keys that may not repeat
	peer          *Peer
	interfaceLine int
	firstPeerLine int
	peerKeys      map[Key]int // public key → line, to refuse a peer given twice
}

func (p *parser) errorf(line int, key, format string, args ...any) error {
	return &ParseError{Name: p.name, Line: line, Key: key, Err: fmt.Errorf(format, args...)}
}

func (p *parser) line(n int, raw string) error {
	line := raw
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	if strings.HasPrefix(line, "[") {
		return p.header(n, line)
	}
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return p.errorf(n, "", "expected \"Key = Value\" or a [Section], got %q", line)
	}
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if k == "" {
		return p.errorf(n, "", "missing key before '='")
	}
	if p.section == "" {
		return p.errorf(n, k, "key outside any section; the file must start with [Interface]")
	}
	spec, ok := sectionKeys[p.section][strings.ToLower(k)]
	if !ok {
		return p.errorf(n, k, "unknown key in [%s]", p.section)
	}
	if !spec.many {
		if first, dup := p.seen[spec.name]; dup {
			return p.errorf(n, spec.name, "given twice in one [%s] (first on line %d)", p.section, first)
		}
		p.seen[spec.name] = n
	}
	if v == "" && !spec.empty {
		return p.errorf(n, spec.name, "empty value")
	}
	if spec.ignored {
		p.cfg.Ignored = append(p.cfg.Ignored, Setting{Section: p.section, Key: spec.name, Value: v, Line: n})
		return nil
	}
	var err error
	if p.section == sectionInterface {
		err = p.interfaceValue(spec.name, v)
	} else {
		err = p.peerValue(n, spec.name, v)
	}
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return err
		}
		return &ParseError{Name: p.name, Line: n, Key: spec.name, Err: err}
	}
	return nil
}

func (p *parser) header(n int, line string) error {
	if !strings.HasSuffix(line, "]") {
		return p.errorf(n, "", "section header %q is missing its closing ']'", line)
	}
	name := strings.TrimSpace(line[1 : len(line)-1])
	// A second [Interface] is the fault to name, before what the section
	// before it lacks.
	if strings.EqualFold(name, "interface") && p.interfaceLine != 0 {
		return p.errorf(n, "[Interface]", "section given twice (first on line %d)", p.interfaceLine)
	}
	if err := p.endSection(); err != nil {
		return err
	}
	switch strings.ToLower(name) {
	case "interface":
		p.interfaceLine = n
		p.section = sectionInterface
	case "peer":
		if p.firstPeerLine == 0 {
			p.firstPeerLine = n
		}
		p.cfg.Peers = append(p.cfg.Peers, Peer{})
		p.peer = &p.cfg.Peers[len(p.cfg.Peers)-1]
		p.section = sectionPeer
	default:
		return p.errorf(n, "["+name+"]", "unknown section; expected [Interface] or [Peer]")
	}
	p.sectionLine = n
	p.seen = make(map[string]int)
	return nil
}

// endSection checks what a section must hold once all its lines are read.
func (p *parser) endSection() error {
	switch p.section {
	case sectionInterface:
		if _, ok := p.seen["PrivateKey"]; !ok {
			return p.errorf(p.sectionLine, "PrivateKey", "missing from [Interface]")
		}
	case sectionPeer:
		line, ok := p.seen["PublicKey"]
		if !ok {
			return p.errorf(p.sectionLine, "PublicKey", "missing from [Peer]")
		}
		if p.peerKeys == nil {
			p.peerKeys = make(map[Key]int)
		}
		if first, dup := p.peerKeys[p.peer.PublicKey]; dup {
			return p.errorf(line, "PublicKey", "same peer given twice (first on line %d)", first)
		}
		p.peerKeys[p.peer.PublicKey] = line
	}
	return nil
}

func (p *parser) interfaceValue(key, v string) error {
	in := &p.cfg.Interface
	var err error
	switch key {
	case "PrivateKey":
		in.PrivateKey, err = ParseKey(v)
	case "Address":
		err = eachItem(v, func(s string) error {
			pfx, err := parsePrefix(s)
			in.Addresses = append(in.Addresses, pfx)
			return err
		})
	case "DNS":
		err = eachItem(v, func(s string) error {
			if a, err := netip.ParseAddr(s); err == nil {
				in.DNS = append(in.DNS, a)
				return nil
			}
			if err := checkDNSSearch(s); err != nil {
				return err
			}
			in.DNSSearch = append(in.DNSSearch, s)
			return nil
		})
	case "MTU":
		in.MTU, err = parseInt(v, 576, 65535)
	case "ListenPort":
		in.ListenPort, err = parseInt(v, 0, 65535)
	}
	return err
}

func (p *parser) peerValue(n int, key, v string) error {
	peer := p.peer
	var err error
	switch key {
	case "PublicKey":
		peer.PublicKey, err = ParseKey(v)
	case "PresharedKey":
		peer.PresharedKey, err = ParseKey(v)
	case "AllowedIPs":
		err = eachItem(v, func(s string) error {
			pfx, err := parsePrefix(s)
			peer.AllowedIPs = append(peer.AllowedIPs, pfx.Masked())
			return err
		})
	case "Endpoint":
		if _, _, err = splitEndpoint(v); err == nil {
			peer.Endpoint = v
		}
	case "PersistentKeepalive":
		if strings.EqualFold(v, "off") {
			peer.PersistentKeepalive = 0
			return nil
		}
		peer.PersistentKeepalive, err = parseInt(v, 0, 65535)
	}
	return err
}

// eachItem calls f for each entry of a comma-separated list.
func eachItem(v string, f func(string) error) error {
	if v == "" {
		return nil
	}
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return errors.New("empty entry in comma-separated list")
		}
		if err := f(item); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
	}
	return nil
}

// parsePrefix reads an address with or without a prefix length; without one
// it is a single host (/32 or /128), as wg-quick reads it.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, errors.New("not an IP address with prefix length")
		}
		return pfx, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, errors.New("not an IP address")
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func parseInt(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a number from %d to %d", v, lo, hi)
	}
	return n, nil
}

// checkDNSSearch accepts a DNS entry that is not an IP address as a search
// domain, as wg-quick does, but refuses what is plainly a mistyped address.
func checkDNSSearch(s string) error {
	if strings.Contains(s, ":") || strings.Trim(s, "0123456789.") == "" {
		return errors.New("not a valid IP address")
	}
	if !isHostname(s) {
		return errors.New("neither an IP address nor a search domain")
	}
	return nil
}

// isHostname accepts DNS names as resolvers see them; '_' is allowed because
// real zones use it and wg-quick does not object.
func isHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			default:
				return false
			}
		}
	}
	return true
}

// splitEndpoint reads IPv4:port, [IPv6]:port or hostname:port.
func splitEndpoint(s string) (host string, port uint16, err error) {
	var rest string
	if scheme, _, ok := strings.Cut(s, "://"); ok {
		return "", 0, fmt.Errorf("%q: give host:port without %s://, like vpn.example.gov.cn:51820", s, scheme)
	}
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", 0, fmt.Errorf("%q: missing ']' after IPv6 address", s)
		}
		host, rest = s[1:end], s[end+1:]
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return "", 0, fmt.Errorf("%q: %q is not an IPv6 address", s, host)
		}
		if !strings.HasPrefix(rest, ":") {
			return "", 0, fmt.Errorf("%q: missing :port", s)
		}
		rest = rest[1:]
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 {
			return "", 0, fmt.Errorf("%q: missing :port", s)
		}
		host, rest = s[:i], s[i+1:]
		if strings.Contains(host, ":") {
			return "", 0, fmt.Errorf("%q: an IPv6 address needs brackets, like [2001:db8::1]:51820", s)
		}
		if _, err := netip.ParseAddr(host); err != nil {
			if strings.Trim(host, "0123456789.") == "" {
				return "", 0, fmt.Errorf("%q: %q is not a valid IPv4 address", s, host)
			}
			if !isHostname(host) {
				return "", 0, fmt.Errorf("%q: %q is not a valid host name", s, host)
			}
		}
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("%q: port must be a number from 1 to 65535", s)
	}
	return host, uint16(n), nil
}

// Marshal writes the standard wg-quick text. Parse reads it back to an equal
// Config (Setting.Line aside).
func (c *Config) Marshal() []byte {
	var b bytes.Buffer
	kv := func(k, v string) { fmt.Fprintf(&b, "%s = %s\n", k, v) }
	in := c.Interface
	b.WriteString("[Interface]\n")
	kv("PrivateKey", in.PrivateKey.String())
	if len(in.Addresses) > 0 {
		kv("Address", joinStrings(in.Addresses))
	}
	if len(in.DNS)+len(in.DNSSearch) > 0 {
		kv("DNS", strings.Join(append(joinable(in.DNS), in.DNSSearch...), ", "))
	}
	if in.MTU != 0 {
		kv("MTU", strconv.Itoa(in.MTU))
	}
	if in.ListenPort != 0 {
		kv("ListenPort", strconv.Itoa(in.ListenPort))
	}
	for _, s := range c.Ignored {
		if s.Section == sectionInterface {
			kv(s.Key, s.Value)
		}
	}
	for _, p := range c.Peers {
		b.WriteString("\n[Peer]\n")
		kv("PublicKey", p.PublicKey.String())
		if p.HasPresharedKey() {
			kv("PresharedKey", p.PresharedKey.String())
		}
		if len(p.AllowedIPs) > 0 {
			kv("AllowedIPs", joinStrings(p.AllowedIPs))
		}
		if p.Endpoint != "" {
			kv("Endpoint", p.Endpoint)
		}
		if p.PersistentKeepalive != 0 {
			kv("PersistentKeepalive", strconv.Itoa(p.PersistentKeepalive))
		}
	}
	return b.Bytes()
}

// Notes says, one line each, which keys of the file a userspace device
// leaves alone: wg-quick runs them against a kernel interface, which this
// device does not have. name prefixes each line, as in errors.
func (c *Config) Notes(name string) []string {
	var notes []string
	for _, s := range c.Ignored {
		notes = append(notes, fmt.Sprintf("%s:%d: %s is for wg-quick only; ignored here (the tunnel lives inside the program, with no system interface, route or firewall to change)", name, s.Line, s.Key))
	}
	return notes
}

func joinable[T fmt.Stringer](list []T) []string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = v.String()
	}
	return s
}

func joinStrings[T fmt.Stringer](list []T) string { return strings.Join(joinable(list), ", ") }

// Load reads a wg-quick file. Because the file holds a private key, it is
// refused when group or others may read or write it (except on Windows, where
// mode bits mean nothing).
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load tunnel config: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is the mode of
	// the bytes read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load tunnel config: %w", err)
	}
	var data bytes.Buffer
	if _, err := data.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("load tunnel config %s: %w", path, err)
	}
	cfg, err := Parse(path, data.Bytes())
	if err != nil {
		return nil, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" && !cfg.Interface.PrivateKey.IsZero() {
		return nil, fmt.Errorf("load tunnel config %s: %w (mode %04o); run: chmod 600 %s", path, ErrFileMode, perm, path)
	}
	return cfg, nil
}

// Save writes the config with mode 0600, atomically: a reader sees the old
// file or the new one, never a part. A config that would not load back is
// refused and nothing is written.
func (c *Config) Save(path string) error {
	data := c.Marshal()
	if _, err := Parse(path, data); err != nil {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save tunnel config: %w", err)
	}
	done = true
	return nil
}
