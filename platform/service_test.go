package platform

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"hotline/api"
	"hotline/tunnel"
)

// terminalFor registers a terminal of user and brings its tunnel up towards
// the service.
func terminalFor(t *testing.T, svc *Service, platformKey tunnel.Key, name, user string) (*api.Client, Terminal) {
	t.Helper()
	ctx := context.Background()
	tk, err := tunnel.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	term, err := svc.DB.AddTerminal(ctx, name, user, tk.Public().String(), tunnelNet)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SyncPeers(ctx); err != nil {
		t.Fatal(err)
	}
	endpoint := "127.0.0.1:" + strconv.Itoa(svc.Device.ListenPort())
	dev, err := tunnel.Open(TerminalTunnel(platformKey, tunnelNet, endpoint, 1420, term, tk), tunnel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	hc := dev.HTTPClient()
	hc.Timeout = 5 * time.Second
	return &api.Client{Base: APIURL(tunnelNet, 80), HTTP: hc}, term
}

func TestServiceThroughTunnel(t *testing.T) {
	db := openFixture(t)
	key, err := tunnel.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := StartService(db, ServiceConfig{Key: key, Network: tunnelNet, Server: Options{RequireTerminal: true, Now: fixedClock}, PeerPoll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	mustDispatch(t, db, ticketsFor("U1", 1, 3))
	c, term := terminalFor(t, svc, key, "duty1-a", "duty1")
	if term.Address.String() != "10.77.0.2" {
		t.Fatalf("first terminal address %s", term.Address)
	}
	ctx := context.Background()
	if _, err := c.Login(ctx, "duty1", testPassword); err != nil {
		t.Fatal(err)
	}
	ch, err := c.Changes(ctx, 0, 0)
	if err != nil || len(ch.Tickets) != 3 {
		t.Fatalf("changes through the tunnel: %d tickets, %v", len(ch.Tickets), err)
	}

	// The water unit's officer may not log in on the power unit's terminal.
	var se *api.StatusError
	if _, err := c.Login(ctx, "duty2", testPassword); !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("login of another user on this terminal: %v", err)
	}

}
