package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"hotline/internal/testenv"
	"hotline/tunnel"
)

// TestKeysCommands: `hotline keys pub` gives wg pubkey's answer for every
// pair of the shared cases (clamped and unclamped private keys alike), and
// `hotline keys gen` makes a key that it and the tunnel package agree on.
func TestKeysCommands(t *testing.T) {
	hotline, _ := binaries(t)
	for _, name := range []string{"keys-wg-genkey-pubkey.txt", "keys-unclamped-wg-pubkey.txt"} {
		f, err := os.Open(testenv.Shared(t, "cases/wg-quick/"+name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			priv, pub, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
			if !ok {
				continue
			}
			cmd := exec.Command(hotline, "keys", "pub")
			cmd.Stdin = strings.NewReader(priv + "\n")
			out, err := cmd.Output()
			if err != nil || string(out) != strings.TrimSpace(pub)+"\n" {
				t.Errorf("%s: keys pub of %s = %q, %v; want %q", name, priv, out, err, pub)
			}
			n++
		}
		f.Close()
		if n == 0 {
			t.Errorf("%s: no key pairs read", name)
		}
	}

	out, err := exec.Command(hotline, "keys", "gen").Output()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := tunnel.ParseKey(strings.TrimSpace(string(out)))
	if err != nil || len(out) != 45 {
		t.Fatalf("keys gen = %q: %v", out, err)
	}
	cmd := exec.Command(hotline, "keys", "pub")
	cmd.Stdin = strings.NewReader(string(out))
	pub, err := cmd.Output()
	if err != nil || string(pub) != priv.Public().String()+"\n" {
		t.Errorf("keys pub of a generated key = %q, %v; want %s", pub, err, priv.Public())
	}

	cmd = exec.Command(hotline, "keys", "pub")
	cmd.Stdin = strings.NewReader("not a key\n")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "key must be 44 characters of base64") {
		t.Errorf("keys pub of garbage = %q, %v; want a refusal saying what a key is", out, err)
	}
	cmd = exec.Command(hotline, "keys", "pub")
	cmd.Stdin = strings.NewReader("\n")
	if out, err := cmd.CombinedOutput(); err == nil || string(out) != "hotline: keys pub: no private key on stdin: pipe one in, as in `hotline keys gen | hotline keys pub`\n" {
		t.Errorf("keys pub of nothing = %q, %v", out, err)
	}
}
