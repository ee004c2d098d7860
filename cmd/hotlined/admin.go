package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/BurntSushi/toml"

	"hotline/cmd/internal/cli"
	"hotline/complaint"
	"hotline/platform"
	"hotline/platform/notify"
	"hotline/tunnel"
)

func cmdInit(args []string) error {
	fs, dir := newFlags("init")
	s := defaultSettings()
	fs.StringVar(&s.Network, "network", s.Network, "tunnel address range (IPv4 CIDR)")
	fs.StringVar(&s.Endpoint, "endpoint", "", "host:port terminals dial (default: this host's name and the listen port)")
	fs.IntVar(&s.ListenPort, "listen-port", s.ListenPort, "UDP port of the tunnel")
	if err := cli.Flags(fs, args); err != nil {
		return err
	}
	if s.Endpoint == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "localhost"
		}
		s.Endpoint = fmt.Sprintf("%s:%d", host, s.ListenPort)
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dir, dbFile)); err == nil {
		return fmt.Errorf("%s already holds a platform: nothing changed", *dir)
	}
	if err := s.write(*dir); err != nil {
		return err
	}
	if _, err := loadSettings(*dir); err != nil {
		return err
	}
	if _, port, _ := net.SplitHostPort(s.Endpoint); port != strconv.Itoa(s.ListenPort) {
		fmt.Fprintf(os.Stderr, "note: terminals will dial port %s but the platform listens on %d: right only behind a port forward; otherwise use --listen-port %s\n", port, s.ListenPort, port)
	}
	k, err := tunnel.GenerateKey()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, keyFile), []byte(k.String()+"\n"), 0o600); err != nil {
		return err
	}
	db, err := platform.Open(filepath.Join(*dir, dbFile))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Printf("platform initialised in %s\n  tunnel: %s, UDP port %d, endpoint %s\n  public key: %s\n", *dir, s.Network, s.ListenPort, s.Endpoint, k.Public())
	fmt.Println("next: hotlined unit add …, hotlined user add …, hotlined terminal add …, hotlined serve")
	return nil
}

func admin(noun, verb string, args []string) error {
	fs, dir := newFlags(noun + " " + verb)
	ctx := context.Background()
	switch noun + " " + verb {
	case "unit add":
		var u complaint.Unit
		var kind string
		fs.StringVar(&u.Code, "code", "", "unit code (short, ASCII)")
		fs.StringVar(&u.Name, "name", "", "unit name")
		fs.StringVar(&kind, "kind", "unit", "center, unit or subunit")
		fs.StringVar(&u.Parent, "parent", "", "parent unit code")
		fs.StringVar(&u.Phone, "phone", "", "phone number")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		u.Kind = complaint.UnitKind(kind)
		return withDB(*dir, func(db *platform.DB) error {
			if err := db.AddUnit(ctx, u); err != nil {
				return err
			}
			fmt.Printf("unit %s (%s) added\n", u.Code, u.Name)
			return nil
		})
	case "unit notify":
		unitCode := fs.String("unit", "", "the first-level unit (code)")
		file := fs.String("file", "", "the unit's notification settings (TOML); without it they are printed")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		if *unitCode == "" {
			return usageError("unit notify needs --unit")
		}
		return withDB(*dir, func(db *platform.DB) error {
			if *file == "" {
				s, err := db.Notify(ctx, *unitCode)
				if err != nil {
					return err
				}
				return toml.NewEncoder(os.Stdout).Encode(s)
			}
			var s notify.Settings
			if err := decodeTOML(*file, &s); err != nil {
				return err
			}
			if err := db.SetNotify(ctx, *unitCode, s); err != nil {
				if text, rerr := os.ReadFile(*file); rerr == nil {
					if line := settingLine(string(text), err.Error()); line > 0 {
						return fmt.Errorf("%s:%d: %w", *file, line, err)
					}
				}
				return fmt.Errorf("%s: %w", *file, err)
			}
			fmt.Printf("notification settings of %s set from %s\n", *unitCode, *file)
			// A channel without a sender is a warning, not a refusal:
			// channels.toml may well be written afterwards.
			senders, _, err := loadChannels(*dir)
			if err != nil {
				fmt.Fprintf(os.Stderr, "warning: the channels cannot be checked: %v\n", err)
				return nil
			}
			for _, w := range missingChannels(s, *unitCode, senders, filepath.Join(*dir, channelsFile)) {
				fmt.Fprintln(os.Stderr, "warning: "+w)
			}
			return nil
		})
	case "unit list":
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		return withDB(*dir, func(db *platform.DB) error {
			us, err := db.Units(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			// The name goes last: tabwriter counts a Chinese character as
			// one column, so nothing after it would line up.
			fmt.Fprintln(w, "CODE\tKIND\tPARENT\tPOLICY\tNAME")
			for _, u := range us {
				policy := "-"
				if u.Kind == complaint.KindUnit {
					policy = policyText(u.Policy)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Code, u.Kind, u.Parent, policy, u.Name)
			}
			return w.Flush()
		})
	case "unit policy":
		var code string
		var p complaint.Policy
		fs.StringVar(&code, "unit", "", "the first-level unit (code)")
		fs.IntVar(&p.NotifyMinutes, "notify-minutes", 0, "minutes to sign a dispatch and to notify the sub-unit (0: default 30)")
		fs.IntVar(&p.ContactDays, "contact-days", 0, "working days from assignment to contact the citizen (0: default 1)")
		fs.IntVar(&p.ReplyDays, "reply-days", 0, "working days from assignment to reply (0: default 4)")
		fs.IntVar(&p.ReviewMinutes, "review-minutes", 0, "minutes for the leader's review (0: default 120)")
		fs.Float64Var(&p.Near, "near", 0, "share of a step's time left that marks it near (0: default 0.25)")
		fs.BoolVar(&p.DutySends, "duty-sends", false, "leave approved replies for the duty officer to send, instead of sending on approval")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		if code == "" {
			return usageError("unit policy needs --unit")
		}
		// Only the flags given change; the others keep the unit's values.
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		return withDB(*dir, func(db *platform.DB) error {
			us, err := db.Units(ctx)
			if err != nil {
				return err
			}
			cur := complaint.Policy{}
			for _, u := range us {
				if u.Code == code {
					cur = u.Policy
				}
			}
			for name, set := range map[string]func(){
				"notify-minutes": func() { cur.NotifyMinutes = p.NotifyMinutes },
				"contact-days":   func() { cur.ContactDays = p.ContactDays },
				"reply-days":     func() { cur.ReplyDays = p.ReplyDays },
				"review-minutes": func() { cur.ReviewMinutes = p.ReviewMinutes },
				"near":           func() { cur.Near = p.Near },
				"duty-sends":     func() { cur.DutySends = p.DutySends },
			} {
				if given[name] {
					set()
				}
			}
			if err := db.SetPolicy(ctx, code, cur); err != nil {
				return err
			}
			fmt.Printf("unit %s policy: %s\n", code, policyText(cur))
			return nil
		})
	case "user add":
		var u complaint.User
		var roles, pwFile string
		fs.StringVar(&u.Login, "login", "", "login name")
		fs.StringVar(&u.Name, "name", "", "display name")
		fs.StringVar(&u.Unit, "unit", "", "unit code")
		fs.StringVar(&roles, "roles", "", "comma-separated: center, duty, handler, reviewer, supervisor, admin")
		fs.StringVar(&u.Phone, "phone", "", "mobile number for SMS and @mentions: 11 digits (13812345678) or +country code and number")
		fs.StringVar(&pwFile, "password-file", "", "read the password from this file (- for stdin); default: ask")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		phone, err := platform.MobilePhone(u.Phone)
		if err != nil {
			return usageError(err.Error())
		}
		u.Phone = phone
		for _, r := range strings.Split(roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				u.Roles = append(u.Roles, complaint.Role(r))
			}
		}
		pw, err := cli.ReadPassword(pwFile, "password for "+u.Login)
		if err != nil {
			return err
		}
		return withDB(*dir, func(db *platform.DB) error {
			if err := db.AddUser(ctx, u, pw); err != nil {
				return err
			}
			fmt.Printf("user %s added to %s\n", u.Login, u.Unit)
			return nil
		})
	case "user passwd":
		var login, pwFile string
		fs.StringVar(&login, "login", "", "login name")
		fs.StringVar(&pwFile, "password-file", "", "read the password from this file (- for stdin); default: ask")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		pw, err := cli.ReadPassword(pwFile, "new password for "+login)
		if err != nil {
			return err
		}
		return withDB(*dir, func(db *platform.DB) error { return db.SetPassword(ctx, login, pw) })
	case "user phone":
		var login, phone string
		var clear bool
		fs.StringVar(&login, "login", "", "login name")
		fs.StringVar(&phone, "phone", "", "mobile number: 11 digits (13812345678) or +country code and number; spaces and dashes allowed")
		fs.BoolVar(&clear, "clear", false, "remove the user's number: no SMS, no @mention, terminal alerts only")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		switch {
		case login == "":
			return usageError("user phone needs --login")
		case clear && phone != "":
			return usageError("give --phone NUMBER or --clear, not both")
		case !clear && phone == "":
			return usageError("user phone needs --phone NUMBER or --clear")
		}
		p, err := platform.MobilePhone(phone)
		if err != nil {
			return usageError(err.Error())
		}
		return withDB(*dir, func(db *platform.DB) error {
			if err := db.SetPhone(ctx, login, p); err != nil {
				return err
			}
			if p == "" {
				fmt.Printf("phone of %s cleared\n", login)
			} else {
				fmt.Printf("phone of %s set to %s\n", login, p)
			}
			return nil
		})
	case "user list":
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		return withDB(*dir, func(db *platform.DB) error {
			us, err := db.Users(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "LOGIN\tUNIT\tROLES\tPHONE\tNAME")
			for _, u := range us {
				rs := make([]string, len(u.Roles))
				for i, r := range u.Roles {
					rs[i] = string(r)
				}
				phone := u.Phone
				if phone == "" {
					phone = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Login, u.Unit, strings.Join(rs, ","), phone, u.Name)
			}
			return w.Flush()
		})
	case "terminal add":
		var spec terminalSpec
		var address string
		fs.StringVar(&spec.user, "user", "", "the user this terminal belongs to")
		fs.StringVar(&spec.name, "name", "", "terminal name (default: USER-N)")
		fs.StringVar(&spec.out, "out", "", "write the terminal's files here (default: ./terminal-NAME)")
		fs.StringVar(&address, "address", "", "the terminal's address: one of the tunnel range (default: the lowest free), or with --no-tunnel its own on the site's network")
		fs.BoolVar(&spec.site, "no-tunnel", false, "a site terminal: no tunnel of its own, the site's gateway routes its traffic to the platform's plain listener")
		fs.StringVar(&spec.url, "platform-url", "", "with --no-tunnel: the platform's plain listener as the site reaches it, http://HOST:PORT")
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		if spec.user == "" {
			return usageError("terminal add needs --user")
		}
		if address != "" {
			a, err := netip.ParseAddr(address)
			if err != nil {
				return usageError(fmt.Sprintf("--address %q: want an IP address, e.g. 10.20.0.5", address))
			}
			spec.address = a
		}
		switch {
		case spec.site && address == "":
			return usageError("terminal add --no-tunnel needs --address: the terminal's own address on the site's network, as the platform sees it")
		case spec.site && spec.url == "":
			return usageError("terminal add --no-tunnel needs --platform-url: the platform's plain listener as the site reaches it, e.g. http://10.20.0.1:8080")
		case spec.site:
			if err := checkPlatformURL(spec.url); err != nil {
				return usageError(err.Error())
			}
		case spec.url != "":
			return usageError("--platform-url is for a terminal with --no-tunnel; a tunnel terminal reaches the platform inside its tunnel")
		}
		return terminalAdd(ctx, *dir, spec)
	case "terminal list":
		if err := cli.Flags(fs, args); err != nil {
			return err
		}
		return withDB(*dir, func(db *platform.DB) error {
			ts, err := db.Terminals(ctx)
			if err != nil {
				return err
			}
			s, err := loadSettings(*dir)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tUSER\tADDRESS\tLINK\tCREATED\tREVOKED\tPUBLIC KEY")
			for _, t := range ts {
				rev := "-"
				if !t.RevokedAt.IsZero() {
					rev = t.RevokedAt.In(complaint.China).Format(time.DateTime)
				}
				link, key := "tunnel", t.PublicKey
				if t.Site(s.network) {
					// Its key was thrown away when it was made
					// (platform.AddSiteTerminal): nothing to show.
					link, key = "site", "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.User, t.Address, link, t.CreatedAt.In(complaint.China).Format(time.DateTime), rev, key)
			}
			return w.Flush()
		})
	case "terminal revoke":
		pos, err := cli.Parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageError("terminal revoke needs one terminal name")
		}
		return withDB(*dir, func(db *platform.DB) error {
			if err := db.RevokeTerminal(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Printf("terminal %s revoked\n", pos[0])
			return nil
		})
	}
	return usageError(fmt.Sprintf("unknown command %q", noun+" "+verb))
}

// settingLine is the line of the file text that the settings' error msg
// ("events.urge.text: …", "escalation[1].roles: …") is about, or 0.
func settingLine(text, msg string) int {
	key, _, ok := strings.Cut(msg, ": ")
	if !ok || strings.ContainsAny(key, " \"") {
		return 0
	}
	m := stageKey.FindStringSubmatch(key)
	if m == nil {
		// An entry of a list ("events.urge.channels[1]") is on the line
		// of the list's key.
		return keyLine(text, listIndex.ReplaceAllString(key, ""))
	}
	// The n-th [[escalation]] table, and in it the field when it is there.
	n, _ := strconv.Atoi(m[1])
	field := strings.SplitN(m[2], "[", 2)[0]
	header, seen := 0, -1
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "["):
			if header > 0 {
				return header
			}
			if strings.HasPrefix(line, "[[") && splitKey(strings.Trim(line, "[] "))[0] == "escalation" {
				if seen++; seen == n {
					header = i + 1
				}
			}
		case header > 0 && field != "":
			if k, _, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == field {
				return i + 1
			}
		}
	}
	return header
}

// stageKey reads "escalation[1].roles[0]".
var stageKey = regexp.MustCompile(`^escalation\[(\d+)\](?:\.(.+))?$`)

// listIndex is the index of a list's entry at the end of a key.
var listIndex = regexp.MustCompile(`\[\d+\]$`)

// policyText shows a unit's policy as it applies, defaults filled in.
func policyText(p complaint.Policy) string {
	d := p.WithDefaults()
	sender := "approval sends"
	if d.DutySends {
		sender = "duty officer sends"
	}
	return fmt.Sprintf("notify %dmin, contact %dwd, reply %dwd, review %dmin, near %g%%, %s",
		d.NotifyMinutes, d.ContactDays, d.ReplyDays, d.ReviewMinutes, d.Near*100, sender)
}

func withDB(dir string, f func(*platform.DB) error) error {
	db, err := openDB(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// terminalSpec is what `terminal add` was asked for.
type terminalSpec struct {
	user, name, out string
	address         netip.Addr // zero: the lowest free tunnel address
	site            bool       // no tunnel: the site's gateway carries it
	url             string     // a site terminal's URL of the platform
}

// checkPlatformURL refuses a site terminal's platform URL that is not
// http(s)://HOST:PORT: the platform cannot check it, since only the site
// knows how it reaches the platform, so it must at least be whole.
func checkPlatformURL(raw string) error {
	u, err := url.Parse(raw)
	bad := err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != ""
	if !bad {
		n, err := strconv.Atoi(u.Port())
		bad = err != nil || n < 1 || n > 65535
	}
	if bad {
		return fmt.Errorf("--platform-url %q: want http://HOST:PORT (or https://), the platform's plain listener as the site reaches it, e.g. http://10.20.0.1:8080", raw)
	}
	return nil
}

// terminalAdd registers a terminal and writes the files it needs, mode
// 0600: its wg-quick tunnel file and its settings, or for a site terminal
// its settings alone.
func terminalAdd(ctx context.Context, dir string, spec terminalSpec) error {
	s, err := loadSettings(dir)
	if err != nil {
		return err
	}
	var pk tunnel.Key
	if !spec.site {
		if pk, err = loadKey(dir); err != nil {
			return err
		}
	}
	user, name, out := spec.user, spec.name, spec.out
	return withDB(dir, func(db *platform.DB) error {
		if name == "" {
			ts, err := db.Terminals(ctx)
			if err != nil {
				return err
			}
			name = fmt.Sprintf("%s-%d", user, len(ts)+1)
		}
		if out == "" {
			out = "terminal-" + name
		}
		if spec.site {
			t, err := db.AddSiteTerminal(ctx, name, user, spec.address, s.network)
			if err != nil {
				return err
			}
			files := platform.TerminalFiles{Dir: out, API: spec.url, User: user}
			_, settings, err := files.Write()
			if err != nil {
				return err
			}
			fmt.Printf("terminal %s for %s: site address %s, no tunnel\n  wrote %s\n", t.Name, user, t.Address, settings)
			fmt.Printf("the site's gateway must route this terminal's traffic to %s without NAT: the platform knows it by its address %s\n", spec.url, t.Address)
			if s.Plain == "" {
				fmt.Fprintf(os.Stderr, "note: %s sets no plain listener: set plain = \"IP:PORT\" there, or run hotlined serve --plain IP:PORT\n", filepath.Join(dir, settingsFile))
			}
			fmt.Println("copy it to the terminal's ~/.config/hotline/ and run `hotline login` there")
			return nil
		}
		tk, err := tunnel.GenerateKey()
		if err != nil {
			return err
		}
		t, err := db.AddTerminalAt(ctx, name, user, tk.Public().String(), s.network, spec.address)
		if err != nil {
			return err
		}
		files := platform.TerminalFiles{Dir: out, Tunnel: platform.TerminalTunnel(pk, s.network, s.Endpoint, s.MTU, t, tk), API: platform.APIURL(s.network, s.APIPort), User: user}
		conf, settings, err := files.Write()
		if err != nil {
			return err
		}
		fmt.Printf("terminal %s for %s: tunnel address %s\n  wrote %s\n  wrote %s\n", t.Name, user, t.Address, conf, settings)
		fmt.Println("copy these to the terminal's ~/.config/hotline/ and run `hotline login` there")
		return nil
	})
}
