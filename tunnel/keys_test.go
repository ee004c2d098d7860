package tunnel

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicMatchesWG checks every pair in the shared key cases: the public
// key derived here must equal what wg pubkey printed.
func TestPublicMatchesWG(t *testing.T) {
	dir := casesDir(t)
	for _, file := range []string{"keys-wg-genkey-pubkey.txt", "keys-unclamped-wg-pubkey.txt"} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		lines := 0
		for n := 1; sc.Scan(); n++ {
			fields := strings.Fields(sc.Text())
			if len(fields) == 0 {
				continue
			}
			if len(fields) != 2 {
				t.Fatalf("%s:%d: want PRIVATE PUBLIC, got %q", file, n, sc.Text())
			}
			lines++
			priv, err := ParseKey(fields[0])
			if err != nil {
				t.Fatalf("%s:%d: ParseKey(%q): %v", file, n, fields[0], err)
			}
			if got := priv.Public().String(); got != fields[1] {
				t.Errorf("%s:%d: Public() = %s, want %s", file, n, got, fields[1])
			}
			if got := priv.String(); got != fields[0] {
				t.Errorf("%s:%d: String() = %s, want %s", file, n, got, fields[0])
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if lines == 0 {
			t.Fatalf("%s: no key pairs", file)
		}
	}
}

func TestParseKeyRefuses(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "key must be 44 characters of base64 ending in '=', got 0 characters"},
		{"vBN7qyUTb5lJtWYJ8LhbPio1Z4RcyBPGnqFBGn6Og=", "key must be 44 characters of base64 ending in '=', got 42 characters"},
		{"l0lth1s1sd3f1n1t3lybr0k3n=", "key must be 44 characters of base64 ending in '=', got 26 characters"},
		{"vBN7qyUTb5lJtWYJ8LhbPio1Z4RcyBPGnqFBGn6O6Qg", "key must be 44 characters of base64 ending in '=', got 43 characters"},
		{"vBN7qyUTb5lJtWYJ8LhbPio1Z4RcyBPGnqFBGn6O6Q*=", "key is not valid base64 of 32 bytes"},
		// The last character carries two padding bits; 'h' sets them.
		{"vBN7qyUTb5lJtWYJ8LhbPio1Z4RcyBPGnqFBGn6O6Qh=", "key is not valid base64 of 32 bytes"},
		{"vBN7qyUTb5lJtWYJ8LhbPio1Z4RcyBPGnqFBGn6O6Q==", "key is not valid base64 of 32 bytes"},
	}
	for _, tt := range tests {
		_, err := ParseKey(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseKey(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	a, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a.IsZero() {
		t.Fatalf("GenerateKey gave %s and %s", a, b)
	}
	if a[0]&7 != 0 || a[31]&128 != 0 || a[31]&64 == 0 {
		t.Errorf("key %x is not clamped", a)
	}
	back, err := ParseKey(a.String())
	if err != nil || back != a {
		t.Errorf("ParseKey(String()) = %s, %v; want %s", back, err, a)
	}
	fromHex, err := parseHexKey(a.Hex())
	if err != nil || fromHex != a {
		t.Errorf("parseHexKey(Hex()) = %s, %v; want %s", fromHex, err, a)
	}
}

func TestKeyForms(t *testing.T) {
	k, err := ParseKey("TFlmmEUC7V7VtiDYLKsbP5rySTKLIZq1yn8lMqK83wo=")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.Hex(), "4c5966984502ed5ed5b620d82cab1b3f9af249328b219ab5ca7f2532a2bcdf0a"; got != want {
		t.Errorf("Hex() = %s, want %s", got, want)
	}
	if k.IsZero() || !(Key{}).IsZero() {
		t.Errorf("IsZero wrong")
	}
	if got, want := (Key{}).String(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; got != want {
		t.Errorf("zero key String() = %s, want %s", got, want)
	}
}
