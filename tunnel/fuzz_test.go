package tunnel

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse: no input makes Parse panic, and whatever it accepts, Marshal
// writes so that it reads back equal (line numbers of kept keys aside).
func FuzzParse(f *testing.F) {
	if files, err := filepath.Glob(filepath.Join("..", "..", "shared", "cases", "wg-quick", "*.conf")); err == nil {
		for _, path := range files {
			if data, err := os.ReadFile(path); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add(workingConfig().Marshal())
	f.Add([]byte("[Interface]\nPrivateKey = " + privA + "\nAddress = 10.77.0.2/24\nAddress = fd00::2/64\nDNS = 10.77.0.1, corp\nMTU = 1280\nPostUp = iptables -A\n\n[peer]\npublickey=" + pubB + "\nendpoint = [fd00::1]:51820\nallowedips =\npersistentkeepalive = off\n"))
	f.Add([]byte("[Interface]\n\tPrivateKey=" + privA + " # comment\n[Peer]\nPublicKey = " + pubC + "\nEndpoint = platform.example.cn:51820\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.conf", data)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("Parse error %T is not *ParseError: %v", err, err)
			}
			return
		}
		text := cfg.Marshal()
		back, err := Parse("f.conf", text)
		if err != nil {
			t.Fatalf("Parse(Marshal()) refused what Parse accepted: %v\ninput:\n%q\nwritten:\n%s", err, data, text)
		}
		for i := range cfg.Ignored {
			cfg.Ignored[i].Line = 0
		}
		for i := range back.Ignored {
			back.Ignored[i].Line = 0
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("read back differs\nfirst:  %+v\nsecond: %+v\nwritten:\n%s", cfg, back, text)
		}
	})
}
