package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hotline/client"
	"hotline/tui"
	"hotline/tunnel"
)

// A tunnel file wg-quick would take but a terminal cannot use is refused at
// once, naming the file and what it lacks, before any packet is sent.
func TestTunnelFileTerminalNeeds(t *testing.T) {
	key, err := tunnel.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	peer := "[Peer]\nPublicKey = " + key.Public().String() + "\nEndpoint = 127.0.0.1:51820\nAllowedIPs = 10.77.0.1/32\n"
	for _, tt := range []struct{ conf, want string }{
		{"[Interface]\nPrivateKey = " + key.String() + "\nAddress = 10.77.0.2/24\n",
			"%s: no [Peer] section: the terminal needs the platform as its peer (hotlined terminal add writes it)"},
		{"[Interface]\nPrivateKey = " + key.String() + "\n" + peer,
			"%s: [Interface] has no Address: give this terminal's tunnel address (hotlined terminal add writes it)"},
	} {
		dir := t.TempDir()
		conf := filepath.Join(dir, "hotline.conf")
		if err := os.WriteFile(conf, []byte(tt.conf), 0o600); err != nil {
			t.Fatal(err)
		}
		settings := "platform = \"http://10.77.0.1\"\nuser = \"duty01\"\nstate = \"state\"\ntunnel = \"hotline.conf\"\n"
		path := filepath.Join(dir, "hotline.toml")
		if err := os.WriteFile(path, []byte(settings), 0o600); err != nil {
			t.Fatal(err)
		}
		term, err := openTerminal(path)
		if err != nil {
			t.Fatal(err)
		}
		err = term.connect()
		term.close()
		if want := fmt.Sprintf(tt.want, conf); err == nil || err.Error() != want {
			t.Errorf("connect: %v\nwant %s", err, want)
		}
	}
}

// Once the platform refuses the terminal, the screens say so for good: the
// status bar's link word and message, and the settings' state and errors.
func TestRefusedTerminalOnTheScreens(t *testing.T) {
	var l link
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	msg, ok := l.apply(client.Event{Kind: client.Revoked, At: at, Online: true}).(tui.LinkMsg)
	if !ok || !msg.Stopped || msg.Online || msg.Err != refusedText {
		t.Fatalf("revoked event gave %#v", msg)
	}
	li := l.linkInfo(&terminal{settings: settings{Platform: "http://10.77.0.1"}})
	if li.State != "已停用" || len(li.Errors) != 1 || li.Errors[0].Text != refusedText || !li.Errors[0].At.Equal(at) {
		t.Errorf("settings after the refusal: %+v", li)
	}
	// A later failure of the link does not bring it back.
	l.apply(client.Event{Kind: client.SyncFailed, Err: errors.New("timeout"), At: at.Add(time.Second)})
	if li := l.linkInfo(&terminal{}); li.State != "已停用" {
		t.Errorf("state after a later failure: %q", li.State)
	}
}
