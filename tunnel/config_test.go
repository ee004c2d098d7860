package tunnel

import (
	"errors"
	"hotline/internal/testenv"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// casesDir is the shared wg-quick cases beside the repository.
func casesDir(t testing.TB) string {
	t.Helper()
	return testenv.Shared(t, "cases/wg-quick")
}

func mustKey(s string) Key {
	k, err := ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}

func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, v := range s {
		out[i] = netip.MustParsePrefix(v)
	}
	return out
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, v := range s {
		out[i] = netip.MustParseAddr(v)
	}
	return out
}

const (
	privA = "TFlmmEUC7V7VtiDYLKsbP5rySTKLIZq1yn8lMqK83wo="
	pubB  = "vBN7qyUTb5lJtWYJ8LhbPio1Z4RcyBPGnqFBGn6O6Qg="
	pubC  = "hnrKaTtNH7tR/36Is8hk3tw18APLTFqQVLsQqPos+gA="
	pskD  = "SZWIFnOP48iVPSLCyIZqambygL4L3K7UEH5Z/B+KtE4="
)

// workingConfig is what working.conf (and invalid-value.conf, but for its
// search domain) must parse to.
func workingConfig() *Config {
	return &Config{
		Interface: Interface{
			PrivateKey: mustKey(privA),
			Addresses:  prefixes("192.0.2.2/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128"),
			DNS:        addrs("192.0.2.0"),
		},
		Peers: []Peer{{
			PublicKey:  mustKey(pubB),
			Endpoint:   "192.0.2.1:51820",
			AllowedIPs: prefixes("0.0.0.0/0", "::/0"),
		}},
	}
}

// TestSharedCases runs every .conf of the shared cases, as their README
// says: working.conf parses exactly, every other is refused naming its line
// and key, invalid-value.conf keeps invalid_value as a search domain.
func TestSharedCases(t *testing.T) {
	dir := casesDir(t)
	withSearch := workingConfig()
	withSearch.Interface.DNSSearch = []string{"invalid_value"}
	tests := map[string]struct {
		want    *Config
		wantErr string
	}{
		"working.conf":           {want: workingConfig()},
		"invalid-value.conf":     {want: withSearch},
		"broken.conf":            {wantErr: "broken.conf:2: PrivateKey: key must be 44 characters of base64 ending in '=', got 26 characters"},
		"invalid-key.conf":       {wantErr: "invalid-key.conf:9: PublicKey: key must be 44 characters of base64 ending in '=', got 42 characters"},
		"missing-section.conf":   {wantErr: "missing-section.conf:1: [Interface]: section missing"},
		"syntax-error.conf":      {wantErr: "syntax-error.conf:7: Endpoint: empty value"},
		"unknown-attribute.conf": {wantErr: "unknown-attribute.conf:8: DontLetTheFeelingFade: unknown key in [Peer]"},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("%d .conf files in %s, %d cases here: a file is not covered", len(files), dir, len(tests))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			tt, ok := tests[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(name, data)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want *Config
	}{
		{
			name: "comments, spacing, case and repeated keys",
			text: "\ufeff# terminal 7\r\n" +
				"  [interface]   # ours\r\n" +
				"privatekey=" + privA + "\r\n" +
				"ADDRESS =10.77.0.2\r\n" +
				"\tAddress\t=  fd00::2 , 10.78.0.2/24\r\n" +
				"dns = 10.77.0.1, hotline.internal\n" +
				"Dns = fd00::1\n" +
				"mtu = 1280\n" +
				"ListenPort = 51820\n" +
				"PostUp = iptables -A FORWARD -i %i -j ACCEPT\n" +
				"table = off\n" +
				"SaveConfig = true\n" +
				"FwMark = 0x1234\n" +
				"\n[PEER]\n" +
				"publickey = " + pubB + "\n" +
				"PresharedKey = " + pskD + "\n" +
				"AllowedIPs = 10.77.0.0/24\n" +
				"AllowedIPs = 10.99.1.7/16, fd00::1\n" +
				"Endpoint = [2001:db8::1]:51820\n" +
				"PersistentKeepalive = off\n" +
				"[Peer]\n" +
				"PublicKey = " + pubC + "\n" +
				"Endpoint = platform.example.cn:443\n" +
				"PersistentKeepalive = 25\n" +
				"AllowedIPs =\n",
			want: &Config{
				Interface: Interface{
					PrivateKey: mustKey(privA),
					Addresses:  prefixes("10.77.0.2/32", "fd00::2/128", "10.78.0.2/24"),
					DNS:        addrs("10.77.0.1", "fd00::1"),
					DNSSearch:  []string{"hotline.internal"},
					MTU:        1280,
					ListenPort: 51820,
				},
				Peers: []Peer{
					{
						PublicKey:    mustKey(pubB),
						PresharedKey: mustKey(pskD),
						Endpoint:     "[2001:db8::1]:51820",
						AllowedIPs:   prefixes("10.77.0.0/24", "10.99.0.0/16", "fd00::1/128"),
					},
					{
						PublicKey:           mustKey(pubC),
						Endpoint:            "platform.example.cn:443",
						PersistentKeepalive: 25,
					},
				},
				Ignored: []Setting{
					{Section: "Interface", Key: "PostUp", Value: "iptables -A FORWARD -i %i -j ACCEPT", Line: 10},
					{Section: "Interface", Key: "Table", Value: "off", Line: 11},
					{Section: "Interface", Key: "SaveConfig", Value: "true", Line: 12},
					{Section: "Interface", Key: "FwMark", Value: "0x1234", Line: 13},
				},
			},
		},
		{
			name: "interface only, IPv4 endpoint, keepalive 0",
			text: "[Peer]\nPublicKey=" + pubB + "\nEndpoint=192.0.2.1:1\nPersistentKeepalive=0\n[Interface]\nPrivateKey=" + privA + "\n",
			want: &Config{
				Interface: Interface{PrivateKey: mustKey(privA)},
				Peers:     []Peer{{PublicKey: mustKey(pubB), Endpoint: "192.0.2.1:1"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("t.conf", []byte(tt.text))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	iface := "[Interface]\nPrivateKey = " + privA + "\n"
	peer := iface + "[Peer]\nPublicKey = " + pubB + "\n" // peer keys start on line 5
	tests := []struct {
		text, want string
	}{
		{"", "t.conf:1: [Interface]: section missing"},
		{"# nothing\n", "t.conf:1: [Interface]: section missing"},
		{"PrivateKey = " + privA + "\n", "t.conf:1: PrivateKey: key outside any section; the file must start with [Interface]"},
		{"[Interface]\nAddress = 10.0.0.1/24\n", "t.conf:1: PrivateKey: missing from [Interface]"},
		{iface + "[Interface]\n", "t.conf:3: [Interface]: section given twice (first on line 1)"},
		{"[Interface]\nMTU = 1400\n" + iface, "t.conf:3: [Interface]: section given twice (first on line 1)"},
		{iface + "[Interfaces]\n", "t.conf:3: [Interfaces]: unknown section; expected [Interface] or [Peer]"},
		{iface + "[Peer\n", "t.conf:3: section header \"[Peer\" is missing its closing ']'"},
		{iface + "Address 10.0.0.1\n", "t.conf:3: expected \"Key = Value\" or a [Section], got \"Address 10.0.0.1\""},
		{iface + "= 10.0.0.1\n", "t.conf:3: missing key before '='"},
		{iface + "PrivateKey = " + privA + "\n", "t.conf:3: PrivateKey: given twice in one [Interface] (first on line 2)"},
		{iface + "PublicKey = " + pubB + "\n", "t.conf:3: PublicKey: unknown key in [Interface]"},
		{iface + "IncludedApplications = com.example\n", "t.conf:3: IncludedApplications: unknown key in [Interface]"},
		{iface + "Address = 10.0.0.1/33\n", "t.conf:3: Address: \"10.0.0.1/33\": not an IP address with prefix length"},
		{iface + "Address = 10.0.0.1,,10.0.0.2\n", "t.conf:3: Address: empty entry in comma-separated list"},
		{iface + "Address = platform.example.cn\n", "t.conf:3: Address: \"platform.example.cn\": not an IP address"},
		{iface + "Address =\n", "t.conf:3: Address: empty value"},
		{iface + "DNS = 192.0.2.300\n", "t.conf:3: DNS: \"192.0.2.300\": not a valid IP address"},
		{iface + "DNS = 2001:db8::g\n", "t.conf:3: DNS: \"2001:db8::g\": not a valid IP address"},
		{iface + "DNS = bad domain!\n", "t.conf:3: DNS: \"bad domain!\": neither an IP address nor a search domain"},
		{iface + "MTU = 100\n", "t.conf:3: MTU: \"100\" is not a number from 576 to 65535"},
		{iface + "ListenPort = 70000\n", "t.conf:3: ListenPort: \"70000\" is not a number from 0 to 65535"},
		{iface + "ListenPort = x\n", "t.conf:3: ListenPort: \"x\" is not a number from 0 to 65535"},
		{iface + "[Peer]\nEndpoint = 192.0.2.1:51820\n", "t.conf:3: PublicKey: missing from [Peer]"},
		{peer + "[Peer]\nPublicKey = " + pubB + "\n", "t.conf:6: PublicKey: same peer given twice (first on line 4)"},
		{peer + "Endpoint = 192.0.2.1\n", "t.conf:5: Endpoint: \"192.0.2.1\": missing :port"},
		{peer + "Endpoint = http://vpn.example.cn:51820\n", "t.conf:5: Endpoint: \"http://vpn.example.cn:51820\": give host:port without http://, like vpn.example.gov.cn:51820"},
		{peer + "Endpoint = 2001:db8::1:51820\n", "t.conf:5: Endpoint: \"2001:db8::1:51820\": an IPv6 address needs brackets, like [2001:db8::1]:51820"},
		{peer + "Endpoint = [2001:db8::1]51820\n", "t.conf:5: Endpoint: \"[2001:db8::1]51820\": missing :port"},
		{peer + "Endpoint = [2001:db8::1:51820\n", "t.conf:5: Endpoint: \"[2001:db8::1:51820\": missing ']' after IPv6 address"},
		{peer + "Endpoint = [192.0.2.1]:51820\n", "t.conf:5: Endpoint: \"[192.0.2.1]:51820\": \"192.0.2.1\" is not an IPv6 address"},
		{peer + "Endpoint = 192.0.2.1:0\n", "t.conf:5: Endpoint: \"192.0.2.1:0\": port must be a number from 1 to 65535"},
		{peer + "Endpoint = 192.0.2.1:65536\n", "t.conf:5: Endpoint: \"192.0.2.1:65536\": port must be a number from 1 to 65535"},
		{peer + "Endpoint = 192.0.2.256:51820\n", "t.conf:5: Endpoint: \"192.0.2.256:51820\": \"192.0.2.256\" is not a valid IPv4 address"},
		{peer + "Endpoint = -bad-.example:51820\n", "t.conf:5: Endpoint: \"-bad-.example:51820\": \"-bad-.example\" is not a valid host name"},
		{peer + "PersistentKeepalive = 65536\n", "t.conf:5: PersistentKeepalive: \"65536\" is not a number from 0 to 65535"},
		{peer + "PersistentKeepalive = on\n", "t.conf:5: PersistentKeepalive: \"on\" is not a number from 0 to 65535"},
		{peer + "AllowedIPs = 0.0.0.0/0, bogus\n", "t.conf:5: AllowedIPs: \"bogus\": not an IP address"},
		{peer + "PresharedKey = short=\n", "t.conf:5: PresharedKey: key must be 44 characters of base64 ending in '=', got 6 characters"},
		{peer + "PostUp = echo\n", "t.conf:5: PostUp: unknown key in [Peer]"},
	}
	for _, tt := range tests {
		_, err := Parse("t.conf", []byte(tt.text))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q)\nerror = %v\nwant    %s", tt.text, err, tt.want)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error is %T, want *ParseError", tt.text, err)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	cfg := &Config{
		Interface: Interface{
			PrivateKey: mustKey(privA),
			Addresses:  prefixes("10.77.0.2/24", "fd00::2/64"),
			DNS:        addrs("10.77.0.1"),
			DNSSearch:  []string{"hotline.internal"},
			MTU:        1380,
			ListenPort: 51821,
		},
		Peers: []Peer{
			{PublicKey: mustKey(pubB), PresharedKey: mustKey(pskD), Endpoint: "platform.example.cn:51820",
				AllowedIPs: prefixes("10.77.0.0/24", "fd00::/64"), PersistentKeepalive: 25},
			{PublicKey: mustKey(pubC)},
		},
		Ignored: []Setting{{Section: "Interface", Key: "PostUp", Value: "echo up", Line: 7}},
	}
	want := "[Interface]\n" +
		"PrivateKey = " + privA + "\n" +
		"Address = 10.77.0.2/24, fd00::2/64\n" +
		"DNS = 10.77.0.1, hotline.internal\n" +
		"MTU = 1380\n" +
		"ListenPort = 51821\n" +
		"PostUp = echo up\n" +
		"\n[Peer]\n" +
		"PublicKey = " + pubB + "\n" +
		"PresharedKey = " + pskD + "\n" +
		"AllowedIPs = 10.77.0.0/24, fd00::/64\n" +
		"Endpoint = platform.example.cn:51820\n" +
		"PersistentKeepalive = 25\n" +
		"\n[Peer]\n" +
		"PublicKey = " + pubC + "\n"
	text := cfg.Marshal()
	if string(text) != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", text, want)
	}
	back, err := Parse("t.conf", text)
	if err != nil {
		t.Fatalf("Parse(Marshal()): %v", err)
	}
	if !reflect.DeepEqual(back, cfg) {
		t.Fatalf("Parse(Marshal()) =\n%+v\nwant\n%+v", back, cfg)
	}
	if !back.Peers[0].HasPresharedKey() || back.Peers[1].HasPresharedKey() {
		t.Errorf("HasPresharedKey = %v, %v; want true, false", back.Peers[0].HasPresharedKey(), back.Peers[1].HasPresharedKey())
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hotline.conf")
	cfg := workingConfig()
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("saved mode %04o, want 0600", fi.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Fatalf("Load(Save()) =\n%+v\nwant\n%+v", got, cfg)
	}

	// A config that would not load back is refused and the file kept.
	bad := workingConfig()
	bad.Peers[0].Endpoint = "192.0.2.1"
	err = bad.Save(path)
	if want := "save tunnel config: " + path + ":9: Endpoint: \"192.0.2.1\": missing :port"; err == nil || err.Error() != want {
		t.Errorf("Save(bad) error = %v, want %q", err, want)
	}
	if again, err := Load(path); err != nil || !reflect.DeepEqual(again, cfg) {
		t.Errorf("file changed by a refused Save: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory after Save, want 1 (temporary files left)", len(entries))
	}

	if runtime.GOOS == "windows" {
		return
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		wantOctal := "load tunnel config " + path + ": file holding a private key is open to group or others (mode 0" +
			octal(mode) + "); run: chmod 600 " + path
		if err == nil || err.Error() != wantOctal || !errors.Is(err, ErrFileMode) {
			t.Errorf("Load with mode %04o: error = %v, want %q", mode, err, wantOctal)
		}
	}
}

func octal(m os.FileMode) string {
	const digits = "01234567"
	p := uint32(m.Perm())
	return string([]byte{digits[p>>6&7], digits[p>>3&7], digits[p&7]})
}
