package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hotline/cmd/internal/cli"
	"hotline/tunnel"
)

// cmdTunnel brings the tunnel up, asks the platform for an answer through
// it, and prints each step of the way, as the settings screen shows them:
// what an officer reads out to whoever supports them on the phone.
func cmdTunnel(args []string) error {
	fs, cfgPath := newFlags("tunnel")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	t, err := openTerminal(*cfgPath)
	if err != nil {
		return err
	}
	defer t.close()
	if err := t.connect(); err != nil {
		if errors.Is(err, errLinkBusy) {
			return fmt.Errorf("%w: the full-screen terminal holds the tunnel; its settings screen (S) shows the same steps", err)
		}
		return err
	}
	if t.dev == nil {
		fmt.Fprintf(stdout, "no tunnel of this terminal: it reaches %s through the site's network\n", t.settings.Platform)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reachErr := t.reach(ctx)
	if reachErr == nil {
		// A request through the tunnel: data, not only a handshake.
		if _, err := t.api.Me(ctx); err != nil {
			t.log.Info("tunnel check: request", "err", err)
		}
	}
	printLink(t.settings.Tunnel, t.settings.Platform, t.dev.Status())
	return reachErr
}

func printLink(file, platform string, st tunnel.Status) {
	w := stdout
	fmt.Fprintf(w, "tunnel file  %s\nplatform     %s\n", file, platform)
	var peer tunnel.PeerStatus
	if len(st.Peers) > 0 {
		peer = st.Peers[0]
	}
	fmt.Fprintf(w, "endpoint     %s → %s\n", peer.Configured, orNone(peer.Endpoint))
	l := st.Link
	steps := []struct {
		name string
		at   time.Time
	}{{"resolve", l.ResolvedAt}, {"initiation sent", l.InitiationAt}, {"response", l.ResponseAt}, {"data", l.DataAt}}
	for i, s := range steps {
		mark, when := "✓", clock(s.at)
		if s.at.IsZero() || i > 0 && s.at.Before(steps[i-1].at) {
			mark, when = "✗", "not yet"
		}
		fmt.Fprintf(w, "  %s %-16s %s\n", mark, s.name, when)
	}
	if l.Initiations > 0 {
		fmt.Fprintf(w, "  %d handshake initiations unanswered\n", l.Initiations)
	}
	keepalive := "off"
	if peer.Keepalive > 0 {
		keepalive = fmt.Sprintf("%ds", peer.Keepalive)
	}
	fmt.Fprintf(w, "state        %s (%s); last handshake %s; received %d B, sent %d B; keepalive %s; MTU %d\n",
		l.State, stateWord(st), ago(peer.LastHandshake), peer.RxBytes, peer.TxBytes, keepalive, st.MTU)
	fmt.Fprintf(w, "this terminal %s, %v, UDP port %d\n", st.PublicKey, st.Addresses, st.ListenPort)
	for _, e := range l.Errors {
		fmt.Fprintf(w, "error        %s %s: %s\n", clock(e.At), e.Kind, e.Err)
	}
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(shanghai).Format("15:04:05.000")
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(time.Second).String() + " ago"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
