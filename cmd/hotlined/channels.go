package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"hotline/cmd/internal/cli"
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
// alerts still work).
func loadChannels(dir string) (map[string]sender.Sender, map[string]notify.Limit, error) {
	path := filepath.Join(dir, channelsFile)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, nil, fmt.Errorf("%s holds the providers' keys and can be read by others (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	var cfg channelsConfig
	if err := cli.DecodeFile(path, &cfg); err != nil {
		return nil, nil, err
	}
	senders, limits := map[string]sender.Sender{}, map[string]notify.Limit{}
	names := make([]string, 0, len(cfg.Channel))
	for n := range cfg.Channel {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cfg.Channel[name]
		s, err := c.sender()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: [channel.%s]: %w", path, name, err)
		}
		if name == notify.Terminal || strings.HasPrefix(name, notify.Terminal+"@") {
			return nil, nil, fmt.Errorf("%s: [channel.%s]: %q is the in-terminal alert, which needs no sender", path, name, notify.Terminal)
		}
		if c.PerMinute < 0 || c.Burst < 0 {
			return nil, nil, fmt.Errorf("%s: [channel.%s]: per_minute and burst cannot be negative", path, name)
		}
		senders[name] = s
		if c.PerMinute > 0 {
			limits[name] = notify.Limit{PerMinute: c.PerMinute, Burst: c.Burst}
		}
	}
	return senders, limits, nil
}

func (c channel) sender() (sender.Sender, error) {
	need := func(pairs ...string) error {
		for i := 0; i < len(pairs); i += 2 {
			if strings.TrimSpace(pairs[i+1]) == "" {
				return fmt.Errorf("kind %s needs %s", c.Kind, pairs[i])
			}
		}
		return nil
	}
	switch c.Kind {
	case "aliyun":
		if err := need("access_key_id", c.AccessKeyID, "access_key_secret", c.AccessKeySecret, "sign_name", c.SignName); err != nil {
			return nil, err
		}
		return &sender.Aliyun{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SignName: c.SignName, Endpoint: c.Endpoint}, nil
	case "tencent":
		if err := need("secret_id", c.SecretID, "secret_key", c.SecretKey, "sdk_app_id", c.SdkAppID, "sign_name", c.SignName); err != nil {
			return nil, err
		}
		return &sender.Tencent{SecretID: c.SecretID, SecretKey: c.SecretKey, SdkAppID: c.SdkAppID, SignName: c.SignName, Region: c.Region, Endpoint: c.Endpoint}, nil
	case "wecom":
		if err := need("webhook", c.Webhook); err != nil {
			return nil, err
		}
		return &sender.WeCom{Webhook: c.Webhook}, nil
	case "dingtalk":
		if err := need("webhook", c.Webhook); err != nil {
			return nil, err
		}
		return &sender.DingTalk{Webhook: c.Webhook, Secret: c.Secret}, nil
	case "feishu":
		if err := need("webhook", c.Webhook); err != nil {
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
	return nil, fmt.Errorf("kind %q: want aliyun, tencent, gateway, wecom, dingtalk or feishu", c.Kind)
}
