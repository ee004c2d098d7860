package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"

	"hotline/complaint"
	"hotline/platform/notify"
	"hotline/platform/sender"
)

// channelsFile configures the senders of notifications. It holds the
// providers' keys, so it is kept apart from hotlined.toml and must be
// readable by its owner only.
const channelsFile = "channels.toml"

// channel is one sender in channels.toml, under [channel.NAME]: NAME is
// what a unit's notification settings name ("sms", "wecom"), or
// "wecom@UNIT" for one unit's own group.
type channel struct {
	Kind string `toml:"kind"` // aliyun, tencent, gateway, wecom, dingtalk, feishu

	// SMS providers.
	AccessKeyID     string `toml:"access_key_id"`     // aliyun
	AccessKeySecret string `toml:"access_key_secret"` // aliyun
	SecretID        string `toml:"secret_id"`         // tencent
	SecretKey       string `toml:"secret_key"`        // tencent
	SdkAppID        string `toml:"sdk_app_id"`        // tencent
	Region          string `toml:"region"`            // tencent; ap-guangzhou
	SignName        string `toml:"sign_name"`         // aliyun, tencent: the approved signature, e.g. 12345热线
	Endpoint        string `toml:"endpoint"`          // aliyun, tencent: the API's address, for a private endpoint

	// Robots.
	Webhook string `toml:"webhook"` // wecom, dingtalk, feishu
	Secret  string `toml:"secret"`  // dingtalk, feishu: the signing secret, if the robot has one

	// Gateway.
	Method       string            `toml:"method"`
	URL          string            `toml:"url"`
	Header       map[string]string `toml:"header"`
	Body         string            `toml:"body"`
	SuccessField string            `toml:"success_field"`
	SuccessValue string            `toml:"success_value"`
	MessageField string            `toml:"message_field"`
	RetryValues  []string          `toml:"retry_values"`
	PerMinute    int               `toml:"per_minute"` // rate limit; 0: none
	Burst        int               `toml:"burst"`
}

type channelsConfig struct {
	Channel map[string]channel `toml:"channel"`
}

// loadChannels reads channels.toml in dir: no file, no senders (in-terminal
// alerts still work). Every channel is checked whole before the platform
// starts: a wrong key is refused at start, not found at the first
// notification. Errors name the file, the line where it can be found, the
// channel and the key as the file writes them.
func loadChannels(dir string) (map[string]sender.Sender, map[string]notify.Limit, error) {
	path := filepath.Join(dir, channelsFile)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case fi.IsDir():
		return nil, nil, fmt.Errorf("%s is a directory: it must be a file, mode 0600, of [channel.NAME] tables (see the README)", path)
	case !fi.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%s is not a regular file: it must be a file, mode 0600, of [channel.NAME] tables (see the README)", path)
	case fi.Mode().Perm()&0o077 != 0:
		return nil, nil, fmt.Errorf("%s holds the providers' keys and can be read by others (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	var cfg channelsConfig
	if err := decodeTOML(path, &cfg); err != nil {
		return nil, nil, err
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	senders, limits := map[string]sender.Sender{}, map[string]notify.Limit{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Channel)) {
		c := cfg.Channel[name]
		table := toml.Key{"channel", name}.String()
		// at places an error of the channel: on the line of key when it
		// is given and found, else on the table's.
		at := func(key string) string {
			line := 0
			if key != "" {
				line = keyLine(string(text), table+"."+key)
			}
			if line == 0 {
				line = keyLine(string(text), table)
			}
			if line == 0 {
				return fmt.Sprintf("%s: [%s]", path, table)
			}
			return fmt.Sprintf("%s:%d: [%s]", path, line, table)
		}
		if err := checkChannelName(name); err != nil {
			return nil, nil, fmt.Errorf("%s %w", at(""), err)
		}
		s, err := c.sender()
		if err != nil {
			return nil, nil, fmt.Errorf("%s %w", at(errorKey(err)), err)
		}
		if c.PerMinute < 0 || c.Burst < 0 {
			return nil, nil, fmt.Errorf("%s per_minute and burst cannot be negative", at("per_minute"))
		}
		senders[name] = s
		if c.PerMinute > 0 {
			limits[name] = notify.Limit{PerMinute: c.PerMinute, Burst: c.Burst}
		}
	}
	return senders, limits, nil
}

// checkChannelName refuses a name no unit's settings could ever name, so
// that a sender configured under it would never be used: a channel as the
// settings name it (notify.ValidChannel), "@UNIT" after it for one unit's
// own.
func checkChannelName(name string) error {
	ch, unit, own := strings.Cut(name, "@")
	switch {
	case ch == notify.Terminal:
		return fmt.Errorf("%q is the in-terminal alert, which needs no sender", notify.Terminal)
	case !notify.ValidChannel(ch):
		return fmt.Errorf("%q: a channel's name is 1 to 64 of a-z, 0-9, '-', '_', '.', as the units' settings name it, with @UNIT for one unit's own (wecom@gdj)", name)
	case own && (unit == "" || strings.ContainsFunc(unit, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '@' })):
		return fmt.Errorf("%q: after @ comes the code of a first-level unit, e.g. wecom@gdj", name)
	}
	return nil
}

// errorKey is the channels.toml key a sender's error starts with
// (`method = "FETCH": …`, "url: …"), to find its line.
func errorKey(err error) string {
	m := leadingKey.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	return m[1]
}

var leadingKey = regexp.MustCompile(`^([a-z_]+)\b`)

func (c channel) sender() (sender.Sender, error) {
	need := func(pairs ...string) error {
		var missing []string
		for i := 0; i < len(pairs); i += 2 {
			if strings.TrimSpace(pairs[i+1]) == "" {
				missing = append(missing, pairs[i])
			}
		}
		switch len(missing) {
		case 0:
			return nil
		case 1:
			return fmt.Errorf("kind = %q needs %s", c.Kind, missing[0])
		}
		return fmt.Errorf("kind = %q needs %s and %s", c.Kind, strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
	}
	robot := func() error {
		if err := need("webhook", c.Webhook); err != nil {
			return err
		}
		return checkWebhook(c.Webhook)
	}
	switch c.Kind {
	case "aliyun":
		if err := need("access_key_id", c.AccessKeyID, "access_key_secret", c.AccessKeySecret, "sign_name", c.SignName); err != nil {
			return nil, err
		}
		if err := checkEndpoint(c.Endpoint); err != nil {
			return nil, err
		}
		return &sender.Aliyun{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SignName: c.SignName, Endpoint: c.Endpoint}, nil
	case "tencent":
		if err := need("secret_id", c.SecretID, "secret_key", c.SecretKey, "sdk_app_id", c.SdkAppID, "sign_name", c.SignName); err != nil {
			return nil, err
		}
		if err := checkEndpoint(c.Endpoint); err != nil {
			return nil, err
		}
		return &sender.Tencent{SecretID: c.SecretID, SecretKey: c.SecretKey, SdkAppID: c.SdkAppID, SignName: c.SignName, Region: c.Region, Endpoint: c.Endpoint}, nil
	case "wecom":
		if err := robot(); err != nil {
			return nil, err
		}
		return &sender.WeCom{Webhook: c.Webhook}, nil
	case "dingtalk":
		if err := robot(); err != nil {
			return nil, err
		}
		return &sender.DingTalk{Webhook: c.Webhook, Secret: c.Secret}, nil
	case "feishu":
		if err := robot(); err != nil {
			return nil, err
		}
		return &sender.Feishu{Webhook: c.Webhook, Secret: c.Secret}, nil
	case "gateway":
		if err := need("url", c.URL); err != nil {
			return nil, err
		}
		return sender.NewGateway(sender.GatewayConfig{Method: c.Method, URL: c.URL, Header: c.Header, Body: c.Body,
			SuccessField: c.SuccessField, SuccessValue: c.SuccessValue, MessageField: c.MessageField, RetryValues: c.RetryValues})
	case "":
		return nil, errors.New("kind is missing: want aliyun, tencent, gateway, wecom, dingtalk or feishu")
	}
	return nil, fmt.Errorf("kind = %q: want aliyun, tencent, gateway, wecom, dingtalk or feishu", c.Kind)
}

// checkWebhook refuses a robot's address that is not an http(s) URL. The
// URL is the robot's credential, so only its scheme is quoted.
func checkWebhook(raw string) error {
	if err := httpURL(raw); err != nil {
		return fmt.Errorf("webhook: %w, the robot's address as its group settings show it (https://…)", err)
	}
	return nil
}

func checkEndpoint(raw string) error {
	if raw == "" {
		return nil
	}
	if err := httpURL(raw); err != nil {
		return fmt.Errorf("endpoint: %w, the provider's API address", err)
	}
	return nil
}

// httpURL says what is wrong with raw as an absolute http(s) URL.
func httpURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Scheme == "":
		return errors.New("not a URL: want http:// or https://")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("want http:// or https://, not %s://", u.Scheme)
	case u.Host == "":
		return errors.New("no host after http(s)://")
	}
	return nil
}

// channelUnits warns of the senders of one unit's own ("wecom@UNIT") whose
// unit does not exist or is not a first-level unit: notifications carry
// their first-level unit's code, so such a sender is never used. It is
// a warning, not a refusal: the unit may be added while the platform runs.
func channelUnits(senders map[string]sender.Sender, units []complaint.Unit, path string) []string {
	kinds := map[string]complaint.UnitKind{}
	for _, u := range units {
		kinds[u.Code] = u.Kind
	}
	var out []string
	for name := range senders {
		_, code, own := strings.Cut(name, "@")
		if !own {
			continue
		}
		table := toml.Key{"channel", name}.String()
		switch k, ok := kinds[code]; {
		case !ok:
			out = append(out, fmt.Sprintf("%s: [%s]: there is no unit %q (see hotlined unit list): this sender is not used until it is added", path, table, code))
		case k != complaint.KindUnit:
			out = append(out, fmt.Sprintf("%s: [%s]: unit %q is a %s: notifications go by first-level unit (kind unit), so this sender is never used", path, table, code, k))
		}
	}
	slices.Sort(out)
	return out
}

// missingChannels warns of the channels a unit's settings s (as in force,
// defaults filled in) send on that have no sender in channels.toml: their
// messages are dropped. Not an error: channels.toml may be written after
// the settings, and read when hotlined serve starts.
func missingChannels(s notify.Settings, unit string, senders map[string]sender.Sender, path string) []string {
	s = s.WithDefaults()
	uses := map[string][]string{}
	add := func(where string, r notify.Rule) {
		if !r.On() {
			return
		}
		for _, ch := range r.Channels {
			if ch != notify.Terminal && senders[ch+"@"+unit] == nil && senders[ch] == nil {
				uses[ch] = append(uses[ch], where)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Events)) {
		add("events."+k, s.Events[k])
	}
	for _, g := range s.Escalation {
		add("escalation "+g.Name, g.Rule)
	}
	var out []string
	for _, ch := range slices.Sorted(maps.Keys(uses)) {
		out = append(out, fmt.Sprintf("channel %q (%s) has no sender in %s: its messages are dropped until [channel.%s] or [channel.\"%s@%s\"] is set there",
			ch, strings.Join(uses[ch], ", "), path, ch, ch, unit))
	}
	return out
}
