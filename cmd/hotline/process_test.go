package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hotline/complaint"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds hotline and hotlined once for the tests that run them as
// a person would.
func binaries(t *testing.T) (hotline, hotlined string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "hotline-bin-")
		if buildErr != nil {
			return
		}
		for _, pkg := range []string{"hotline", "hotlined"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, pkg), "hotline/cmd/"+pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "hotline"), filepath.Join(binDir, "hotlined")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// processPlatform initialises a platform directory with the units and the
// duty officer (password duty-password) through the real hotlined binary.
// It returns the binaries, the test's folder, the platform's data and a
// terminal's folder in it, the environment the programs run with, the
// platform's UDP port, and run,
// which runs a binary there and fails the test on an error.
func processPlatform(t *testing.T) (hotline, hotlined, dir, data, term string, env []string, port int, run func(bin string, args ...string) string) {
	t.Helper()
	hotline, hotlined = binaries(t)
	dir = t.TempDir()
	data, term = filepath.Join(dir, "platform"), filepath.Join(dir, "terminal")
	env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(dir, "state"), "HOTLINED_DIR="+data)
	run = func(bin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	port = freeUDPPort(t)
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("duty-password\n"), 0o600)
	run(hotlined, "init", "--endpoint", fmt.Sprintf("127.0.0.1:%d", port), "--listen-port", fmt.Sprint(port))
	run(hotlined, "unit", "add", "--code", "12345", "--name", "12345中心", "--kind", "center")
	run(hotlined, "unit", "add", "--code", "gdj", "--name", "市供电公司", "--kind", "unit", "--parent", "12345")
	run(hotlined, "user", "add", "--login", "duty", "--name", "值班员 李明", "--unit", "gdj", "--roles", "duty", "--password-file", pw)
	return
}

// TestTwoProcesses runs the platform and a terminal as separate programs, as
// on two machines: hotlined serve in one process, hotline commands in others,
// talking only through the tunnel.
func TestTwoProcesses(t *testing.T) {
	csv := sharedData(t, "teddy2020c/附件4-前300行-gb18030.csv")
	hotline, hotlined, dir, _, term, env, _, run := processPlatform(t)
	run(hotlined, "terminal", "add", "--user", "duty", "--out", term)

	serve := exec.Command(hotlined, "serve")
	serve.Env = env
	var serveOut bytes.Buffer
	serve.Stdout, serve.Stderr = &serveOut, &serveOut
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
	}()

	config := filepath.Join(term, "hotline.toml")
	if out := run(hotline, "login", "--config", config, "--password-file", filepath.Join(dir, "pw")); out != "logged in as duty (值班员 李明), 市供电公司\n" {
		t.Fatalf("login said %q", out)
	}
	// Import while the platform runs: another process writes the database.
	if out := run(hotlined, "import", "--unit", "gdj", "--open", csv); !strings.Contains(out, "300 rows, 300 added, 0 already on the platform") {
		t.Fatalf("import said %q", out)
	}
	if out := run(hotline, "sync", "--once", "--config", config); !strings.Contains(out, ": 300 new, 0 updated, 0 removed") {
		t.Fatalf("sync said %q", out)
	}
	var listed []complaint.Ticket
	if err := json.Unmarshal([]byte(run(hotline, "list", "--config", config, "--json", "--state", "待签收")), &listed); err != nil || len(listed) != 300 {
		t.Fatalf("list: %d tickets, %v", len(listed), err)
	}
	if out := run(hotline, "sign", "2549", "--config", config); out != "签收 2549: done; state 已签收\n" {
		t.Fatalf("sign said %q", out)
	}
	reply := filepath.Join(dir, "reply.txt")
	text := "经核查，景蓉华苑物业交接期间由街道临时托管，水电正常供应。已电话告知吉𠮷先生，“满意”。"
	os.WriteFile(reply, []byte(text+"\n"), 0o644)
	if out := run(hotline, "reply", "2549", "--text-file", reply, "--config", config); out != "回复 2549: done; state 待审核\n" {
		t.Fatalf("reply said %q", out)
	}
	cmd := exec.Command(hotline, "reply", "2549", "--text-file", reply, "--config", config)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "工单状态为“待审核”，不能回复") {
		t.Fatalf("second reply: %v %s", err, out)
	}
	show := run(hotline, "show", "2549", "--config", config)
	for _, want := range []string{"编号：2549", "状态：待审核", text, "签收  待签收→已签收", "回复  已签收→待审核", "当前环节：审核 剩 "} {
		if !strings.Contains(show, want) {
			t.Fatalf("show lacks %q:\n%s", want, show)
		}
	}
	if !strings.Contains(serveOut.String(), "serving http://10.77.0.1:80 inside the tunnel") {
		t.Fatalf("serve said %q", serveOut.String())
	}
}
