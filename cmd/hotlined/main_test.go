package main

import (
	"context"
	"hotline/internal/testenv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hotline/complaint"
	"hotline/tunnel"
)

// sharedData is a file of the shared data folder beside the repository.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	return testenv.Shared(t, "data/"+name)
}

func mustRun(t *testing.T, args ...string) {
	t.Helper()
	if err := run(args); err != nil {
		t.Fatalf("hotlined %s: %v", strings.Join(args, " "), err)
	}
}

func TestAdministration(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct-horse\n"), 0o600)
	data := filepath.Join(dir, "data")
	mustRun(t, "init", "--dir", data, "--endpoint", "platform.example.org:51820")
	if err := run([]string{"init", "--dir", data}); err == nil || !strings.Contains(err.Error(), "already holds a platform") {
		t.Fatalf("second init: %v", err)
	}
	mustRun(t, "unit", "add", "--dir", data, "--code", "12345", "--name", "12345中心", "--kind", "center")
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	mustRun(t, "user", "add", "--dir", data, "--login", "duty", "--name", "李明", "--unit", "gdj", "--roles", "duty,handler", "--password-file", pw)
	mustRun(t, "terminal", "add", "--dir", data, "--user", "duty", "--out", filepath.Join(dir, "t1"))

	for _, f := range []string{"hotline.conf", "hotline.toml"} {
		fi, err := os.Stat(filepath.Join(dir, "t1", f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want 0600", f, err, fi.Mode().Perm())
		}
	}
	conf, err := tunnel.Load(filepath.Join(dir, "t1", "hotline.conf"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := loadKey(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := conf.Interface.Addresses[0].String(); got != "10.77.0.2/32" {
		t.Errorf("terminal address %s, want 10.77.0.2/32", got)
	}
	if p := conf.Peers[0]; p.PublicKey != key.Public() || p.Endpoint != "platform.example.org:51820" || p.AllowedIPs[0].String() != "10.77.0.1/32" {
		t.Errorf("terminal's peer = %+v", p)
	}
	settings, _ := os.ReadFile(filepath.Join(dir, "t1", "hotline.toml"))
	if want := "# Hotline terminal settings\nplatform = \"http://10.77.0.1\"\ntunnel = \"hotline.conf\"\nuser = \"duty\"\n"; string(settings) != want {
		t.Errorf("settings:\n%s\nwant:\n%s", settings, want)
	}

	csv := sharedData(t, "teddy2020c/附件4-前300行-gb18030.csv")
	mustRun(t, "import", "--dir", data, "--unit", "gdj", csv)
	mustRun(t, "import", "--dir", data, "--unit", "gdj", csv)
	if err := run([]string{"import", "--dir", data, "--unit", "nope", csv}); err == nil || !strings.Contains(err.Error(), `unknown unit "nope"`) {
		t.Fatalf("import to an unknown unit: %v", err)
	}
	mustRun(t, "unit", "add", "--dir", data, "--code", "gdj-cd", "--name", "城东供电所", "--kind", "subunit", "--parent", "gdj")
	if err := run([]string{"import", "--dir", data, "--unit", "gdj-cd", csv}); err == nil || err.Error() != `unit "gdj-cd" is a subunit: the center dispatches tickets to first-level units (kind unit); see hotlined unit list` {
		t.Fatalf("import to a sub-unit: %v", err)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("留言编号,留言主题,留言时间,留言详情\r\n9001,停电,2024-03-15 08:00:00,昨晚停电\r\n9002,电费,not a date,电费高\r\n"), 0o644)
	if err := run([]string{"import", "--dir", data, "--unit", "gdj", bad}); err == nil {
		t.Fatal("a file with a bad row imported")
	}
	mustRun(t, "import", "--dir", data, "--unit", "gdj", bad, "--skip-bad")

	mustRun(t, "terminal", "revoke", "--dir", data, "duty-1")
	db, err := openDB(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	ts, err := db.Terminals(ctx)
	if err != nil || len(ts) != 1 || ts[0].RevokedAt.IsZero() {
		t.Fatalf("terminals after revoke: %+v %v", ts, err)
	}
	counts := map[complaint.State]int{}
	for _, n := range []string{"2549", "9001", "9002"} {
		tk, err := db.Ticket(ctx, n)
		if n == "9002" {
			if err == nil {
				t.Fatal("the bad row 9002 was imported")
			}
			continue
		}
		if err != nil {
			t.Fatalf("ticket %s: %v", n, err)
		}
		counts[tk.State]++
	}
	if counts[complaint.Closed] != 1 || counts[complaint.Dispatched] != 1 {
		t.Fatalf("states: %v; want 2549 closed (it has a reply) and 9001 dispatched", counts)
	}
}

func TestSettingsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ body, want string }{
		{"network = \"10.77.0.0/24\"\nendpoint = \"h:1\"\nport = 3\n", `hotlined.toml:3: unknown setting "port"`},
		{"network = \"10.77.0.0/24\"\nendpoint = \"h:1\"\nmtu = 99999\n", "mtu 99999: want 576–65535"},
		{"network = \"10.77.0.0/24\"\nendpoint = \"h\"\n", `endpoint "h": want host:port`},
		{"network = \"fd00::/64\"\nendpoint = \"h:1\"\n", `network "fd00::/64": want an IPv4 range`},
		{"network = \"10.77.0.0/24\"\n", "endpoint is empty"},
		{"network = 10.77\n", "hotlined.toml: toml: line 1 (last key \"network\")"},
	} {
		os.WriteFile(filepath.Join(dir, settingsFile), []byte(c.body), 0o644)
		if _, err := loadSettings(dir); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.body, err, c.want)
		}
	}
	os.WriteFile(filepath.Join(dir, keyFile), []byte("x"), 0o644)
	if _, err := loadKey(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("readable key: %v", err)
	}
}
