package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hotline/complaint"
	"hotline/platform"
)

// TestGatewaySiteTerminal runs a site terminal as a site behind a kernel
// WireGuard gateway would: hotlined serves plain TCP as well as its tunnel,
// and the terminal, registered at its own address (127.0.0.1 here), has no
// tunnel and reaches the plain listener directly.
func TestGatewaySiteTerminal(t *testing.T) {
	hotline, hotlined, dir, data, term, env, port, run := processPlatform(t)
	csv := filepath.Join(dir, "tickets.csv")
	os.WriteFile(csv, []byte("留言编号,留言主题,留言时间,留言详情\r\n9001,小区停电,2024-03-15 08:00:00,昨晚起停电至今\r\n9002,电费异常,2024-03-15 09:30:00,本月电费比上月高出一倍\r\n"), 0o644)
	if out := run(hotlined, "import", "--unit", "gdj", "--open", csv); !strings.Contains(out, "2 rows, 2 added, 0 already on the platform") {
		t.Fatalf("import said %q", out)
	}

	serve := exec.Command(hotlined, "serve", "--plain", "127.0.0.1:0")
	serve.Env = env
	pr, pw2 := io.Pipe()
	serve.Stdout, serve.Stderr = pw2, pw2
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
		pw2.Close()
	}()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var start string
	select {
	case start = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("hotlined serve printed nothing in 30s")
	}
	go func() { // keep serve from blocking on a full pipe
		for range lines {
		}
	}()
	m := regexp.MustCompile(`^hotlined: serving http://10\.77\.0\.1:80 inside the tunnel and on plain TCP at (127\.0\.0\.1:\d+) \(site gateways: routed, not NATed\); UDP port (\d+); public key \S+; log \S+$`).FindStringSubmatch(start)
	if m == nil || m[2] != fmt.Sprint(port) {
		t.Fatalf("serve said %q", start)
	}
	url := "http://" + m[1]

	out := run(hotlined, "terminal", "add", "--user", "duty", "--name", "站点值班台", "--out", term,
		"--no-tunnel", "--address", "127.0.0.1", "--platform-url", url)
	if !strings.HasPrefix(out, "terminal 站点值班台 for duty: site address 127.0.0.1, no tunnel\n") {
		t.Fatalf("terminal add said %q", out)
	}
	if _, err := os.Stat(filepath.Join(term, "hotline.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a site terminal got a tunnel file (%v)", err)
	}

	config := filepath.Join(term, "hotline.toml")
	if out := run(hotline, "login", "--config", config, "--password-file", filepath.Join(dir, "pw")); out != "logged in as duty (值班员 李明), 市供电公司\n" {
		t.Fatalf("login said %q", out)
	}
	if out := run(hotline, "sync", "--once", "--config", config); !regexp.MustCompile(`^synced in \d+\.\ds: 2 new, 0 updated, 0 removed; cursor \d+\nalerts: 2 new \(hotline alerts lists them\)\n$`).MatchString(out) {
		t.Fatalf("sync said %q", out)
	}
	if out := run(hotline, "sign", "9001", "--config", config); out != "签收 9001: done; state 已签收\n" {
		t.Fatalf("sign said %q", out)
	}
	show := run(hotline, "show", "9001", "--config", config)
	for _, want := range []string{"编号：9001", "状态：已签收", "小区停电", "签收  待签收→已签收"} {
		if !strings.Contains(show, want) {
			t.Fatalf("show lacks %q:\n%s", want, show)
		}
	}
	// The sign reached the platform, by the terminal's own address.
	db, err := platform.Open(filepath.Join(data, "hotlined.db"))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := db.Ticket(context.Background(), "9001")
	db.Close()
	if err != nil || tk.State != complaint.Signed || len(tk.Events) == 0 || tk.Events[len(tk.Events)-1].Kind != complaint.KindSign || tk.Events[len(tk.Events)-1].Actor != "duty" {
		t.Fatalf("9001 on the platform: %v, %+v", err, tk)
	}
	list := run(hotlined, "terminal", "list")
	if f := strings.Fields(strings.Split(list, "\n")[1]); len(f) < 4 || f[0] != "站点值班台" || f[2] != "127.0.0.1" || f[3] != "site" {
		t.Fatalf("terminal list:\n%s", list)
	}

	// Revoked, the terminal is refused at once, by its address.
	run(hotlined, "terminal", "revoke", "站点值班台")
	cmd := exec.Command(hotline, "sync", "--once", "--config", config)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "本终端未登记或已停用") {
		t.Fatalf("sync after revocation: %v\n%s", err, out)
	}
}

// TestGatewayConnect: without a tunnel, connect takes the link lock and
// sets up a plain client that ignores proxies, and reach does not wait.
func TestGatewayConnect(t *testing.T) {
	state := t.TempDir()
	s := settings{Platform: "http://127.0.0.1:9/", User: "duty", State: state}
	a, err := openTerminalWith(s)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if err := a.connect(); err != nil {
		t.Fatal(err)
	}
	if a.dev != nil || a.api.Base != "http://127.0.0.1:9" {
		t.Fatalf("dev %v, base %q", a.dev, a.api.Base)
	}
	tr, ok := a.api.HTTP.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T", a.api.HTTP.Transport)
	}
	if tr.Proxy != nil || tr.ResponseHeaderTimeout != 60*time.Second {
		t.Fatalf("transport: proxy set %v, response header timeout %v; want no proxy, 60s", tr.Proxy != nil, tr.ResponseHeaderTimeout)
	}
	if err := a.connect(); err != nil {
		t.Fatalf("second connect: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := a.reach(ctx); err != nil {
		t.Fatalf("reach without a tunnel: %v", err)
	}

	b, err := openTerminalWith(s)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if err := b.connect(); !errors.Is(err, errLinkBusy) {
		t.Fatalf("a second process's connect: %v, want errLinkBusy", err)
	}
}
